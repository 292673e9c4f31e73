package push

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"gongconnector/internal/core"
	"gongconnector/internal/graph"
	"gongconnector/internal/graphsim"
	"gongconnector/internal/sqlite"
)

const (
	testTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	testClient = "0c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5"
	testSecret = "Zq8~TopSecretValue.do-not-log"
	testConn   = "gongcalls"
)

// entraID is the object id of test person i.
func entraID(i int) string { return fmt.Sprintf("%08x-1111-4222-8333-%012x", i, i) }

// env is an index, a Graph test double over TLS with a ready connection,
// and a pusher between them.
type env struct {
	db     *sqlite.DB
	sim    *graphsim.Sim
	srv    *httptest.Server
	client *graph.Client
	pusher *Pusher
}

func newEnv(t testing.TB, o graphsim.Options, handler func(http.Handler) http.Handler) *env {
	t.Helper()
	o.TenantID = testTenant
	if o.Apps == nil {
		o.Apps = []graphsim.App{{ClientID: testClient, Secret: testSecret,
			Roles: []string{graphsim.PermConnectionOwnedBy, graphsim.PermItemOwnedBy}}}
	}
	e := &env{sim: graphsim.New(o)}
	var h http.Handler = e.sim
	if handler != nil {
		h = handler(e.sim)
	}
	e.srv = httptest.NewUnstartedServer(h)
	// A stopped push drops connections mid-handshake: not news.
	e.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	e.srv.StartTLS()
	t.Cleanup(e.srv.Close)
	cred, err := graph.NewTokenCredential(graph.Credentials{TenantID: testTenant, ClientID: testClient,
		ClientSecret: testSecret, AuthorityHost: e.srv.URL}, e.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	e.client = graph.NewClient(e.srv.URL+"/v1.0", cred, e.srv.Client(), nil)
	e.client.Retry = graph.RetryPolicy{MaxAttempts: 8, BaseDelay: 5 * time.Millisecond, MaxDelay: 40 * time.Millisecond, MaxRetryAfter: 5 * time.Second,
		ThrottleBudget: time.Minute}
	ctx := t.Context()
	if _, err := e.client.EnsureConnection(ctx, graph.Connection{ID: testConn, Name: "Gong", Description: "Gong calls", ContentCategory: "meetingTranscripts"}); err != nil {
		t.Fatal(err)
	}
	if err := e.client.RegisterSchema(ctx, testConn, graph.CallSchema(), time.Millisecond); err != nil {
		t.Fatal(err)
	}
	e.db, err = sqlite.Open(ctx, filepath.Join(t.TempDir(), "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.db.Close() })
	if err := e.db.SaveSnapshot(ctx, core.PermissionSnapshot{Taken: time.Now(), Workspaces: []core.Workspace{
		{ID: "ws1", Name: "Sales"}, {ID: "ws2", Name: "Customer Success"}}}); err != nil {
		t.Fatal(err)
	}
	e.pusher = &Pusher{Store: e.db, Graph: e.client, Connection: testConn, Schema: graph.CallSchema(), ItemsPerSecond: -1}
	e.sim.ResetCounts()
	return e
}

// testCall is call i: in ws1 or ws2, hosted by user u<i%7>, with a
// customer.
func testCall(i int) *core.Call {
	host := fmt.Sprintf("u%d", i%7)
	return &core.Call{
		ID: fmt.Sprintf("%d", 8000000000+i), Title: fmt.Sprintf("Call %d with Acme Corp", i),
		URL:     fmt.Sprintf("https://app.gong.io/call?id=%d", 8000000000+i),
		Started: time.Date(2026, 5, 12, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour), Duration: 45 * time.Minute,
		WorkspaceID: []string{"ws1", "ws2"}[i%2], PrimaryUserID: host,
		Accounts: []core.Account{{Name: "Acme Corp"}}, Deals: []core.Deal{{Name: "Acme renewal"}},
		Parties: []core.Party{{Name: "Host " + host, Email: host + "@contoso.com", UserID: host, Affiliation: "Internal"},
			{Name: "Ann Buyer", Email: "ann@acme.com", Title: "VP Finance", Affiliation: "External"}},
		Brief:       fmt.Sprintf("Planning session number %d about the rollout.", i),
		KeyPoints:   []string{"Budget approved"},
		ActionItems: []core.ActionItem{{Text: "Send the proposal", Speaker: "Host " + host, StartSec: 600}},
		Topics:      []core.Topic{{Name: "Pricing", DurationSec: 300}},
		Trackers:    []core.Tracker{{Name: "Competitors", Count: 2}},
		Outcome:     &core.Outcome{Name: "Next meeting scheduled"},
	}
}

// index stores calls in the index.
func (e *env) index(t testing.TB, calls ...*core.Call) {
	t.Helper()
	for len(calls) > 0 {
		n := min(len(calls), 1000)
		if _, err := e.db.ApplyBatch(t.Context(), sqlite.Batch{Upserts: calls[:n]}); err != nil {
			t.Fatal(err)
		}
		calls = calls[n:]
	}
}

func (e *env) remove(t testing.TB, ids ...string) {
	t.Helper()
	if _, err := e.db.ApplyBatch(t.Context(), sqlite.Batch{Removals: ids}); err != nil {
		t.Fatal(err)
	}
}

// people: person i sees the calls of host u<i> in both workspaces;
// person 7 sees every call of ws1.
func people() []Person {
	var out []Person
	for i := range 7 {
		k := []string{core.UserKey(fmt.Sprintf("u%d", i))}
		out = append(out, Person{EntraID: entraID(i), Visibility: core.Visibility{Participants: map[string][]string{"ws1": k, "ws2": k}}})
	}
	return append(out, Person{EntraID: entraID(7), Visibility: core.Visibility{Workspaces: []string{"ws1"}}})
}

// search runs POST /search/query as user and returns the item ids found.
func (e *env) search(t testing.TB, user, query string) []string {
	t.Helper()
	cred, err := graph.NewTokenCredential(graph.Credentials{TenantID: testTenant, ClientID: testClient,
		ClientSecret: testSecret, AuthorityHost: e.srv.URL}, e.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(t.Context(), policy.TokenRequestOptions{Scopes: []string{graph.Scope}})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := graphsim.SearchHits(t.Context(), e.srv.Client(), e.srv.URL, tok.Token, user, testConn, query)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// sortedItems returns the double's item ids, sorted.
func (e *env) sortedItems() []string {
	ids := e.sim.Items(testConn)
	slices.Sort(ids)
	return ids
}
