package answer

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gongconnector/internal/access"
	"gongconnector/internal/core"
	"gongconnector/internal/gong"
	"gongconnector/internal/gongsim"
	"gongconnector/internal/sqlite"
)

// simNow is the simulated tenant's clock: questions are asked then.
var simNow = time.Date(2026, 5, 20, 12, 0, 0, 0, time.UTC)

// tenant is a simulated Gong tenant indexed as a crawl would: its listed,
// non-private calls in SQLite and its permission rules.
type tenant struct {
	sim   *gongsim.Sim
	db    *sqlite.DB
	rules *access.Rules
	calls map[string]*core.Call // what the index holds, by id
	users map[string]gong.User  // by id
}

var (
	tenantOnce sync.Once
	shared     *tenant
	sharedErr  error
)

// demoTenant builds the tenant once for the package's tests.
func demoTenant(t *testing.T) *tenant {
	t.Helper()
	tenantOnce.Do(func() { shared, sharedErr = buildTenant(t.TempDir()) })
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return shared
}

func buildTenant(dir string) (*tenant, error) {
	sim, err := gongsim.New(gongsim.Options{Seed: 3, Calls: 800, Now: simNow, AccessKey: "k", AccessKeySecret: "s"})
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "index.db"))
	if err != nil {
		return nil, err
	}
	tn := &tenant{sim: sim, db: db, calls: map[string]*core.Call{}, users: map[string]gong.User{}}
	var batch []*core.Call
	sim.Truth(func(x gong.ExtensiveCall) bool {
		if !x.MetaData.IsPrivate {
			c := x.Normalize()
			batch = append(batch, c)
			tn.calls[c.ID] = c
		}
		return true
	})
	if _, err := db.ApplyBatch(ctx, sqlite.Batch{SeenRunID: 1, Upserts: batch}); err != nil {
		return nil, err
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	client, err := gong.New(gong.Options{BaseURL: srv.URL, AccessKey: "k", AccessKeySecret: "s", Rate: -1, DailyBudget: -1, Now: sim.Now})
	if err != nil {
		return nil, err
	}
	snap, err := client.PermissionSnapshot(ctx)
	if err != nil {
		return nil, err
	}
	tn.rules = access.New(&snap)
	for _, u := range sim.Users() {
		tn.users[string(u.ID)] = u
	}
	return tn, nil
}

func (tn *tenant) engine() *Engine {
	return New(tn.db, WithClock(func() time.Time { return simNow }))
}

// visibility is what a Gong user may see.
func (tn *tenant) visibility(t *testing.T, userID string) core.Visibility {
	t.Helper()
	v, why := tn.rules.Visibility(userID)
	if v.Nothing() {
		t.Fatalf("user %s sees nothing: %s", userID, why)
	}
	return v
}

// exampleIDs returns the ids of an example's calls.
func (tn *tenant) exampleIDs(key string) []string {
	return strings.Split(gongsim.ExampleCalls(tn.sim)[key], ",")
}
