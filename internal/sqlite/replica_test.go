package sqlite

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gongconnector/internal/core"
)

// replicaVisibilities returns callers who see a few dozen to a few hundred
// of the generated calls.
func replicaVisibilities() map[string]core.Visibility {
	r := rand.New(rand.NewPCG(3, 4))
	out := map[string]core.Visibility{}
	for i := range 5 {
		v := core.Visibility{Participants: map[string][]string{}}
		for range 1 + r.IntN(30*(i+1)) {
			ws := fmt.Sprintf("ws%d", r.IntN(3))
			v.Participants[ws] = append(v.Participants[ws], core.UserKey(fmt.Sprintf("u%03d", r.IntN(500))))
		}
		out[fmt.Sprintf("caller %d", i)] = v
	}
	return out
}

var replicaQueries = []string{
	"pricing", "security timeline", "acct0*", "integr*", `"next steps"`, "renewal OR migration",
	"pricing -budget", "title:demo", "account:acct00001", "pricing workspace:ws1",
	"security from:2025-01-02", "nomatchword", "sec* team", "champion decision stakeholder",
}

// TestReplicaSearchesAsIndex: a caller's search served from their replica
// returns exactly what the index returns: the same calls in the same order,
// totals, snippets and facets.
func TestReplicaSearchesAsIndex(t *testing.T) {
	db := openTest(t)
	if _, err := db.ApplyBatch(t.Context(), Batch{Upserts: newGen(31).calls(0, 500), SeenRunID: 1}); err != nil {
		t.Fatal(err)
	}
	defer func(n int) { replicaMaxCalls = n }(replicaMaxCalls)
	search := func(text string, v core.Visibility, off int) core.SearchResult {
		t.Helper()
		res, err := db.Search(t.Context(), core.Query{Text: text, Limit: 10, Offset: off, Visibility: v, Facets: true})
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		return res
	}
	for name, v := range replicaVisibilities() {
		replicaMaxCalls = 0
		want := map[string]core.SearchResult{}
		for _, q := range replicaQueries {
			want[q] = search(q, v, 0)
			want[q+" page 2"] = search(q, v, 10)
		}
		replicaMaxCalls = 2000
		search("pricing", v, 0) // starts the build
		db.waitReplicas()
		served := 0
		for _, q := range replicaQueries {
			for key, off := range map[string]int{q: 0, q + " page 2": 10} {
				if got := search(q, v, off); !reflect.DeepEqual(got, want[key]) {
					t.Errorf("%s, %s: from the replica\n%+v\nfrom the index\n%+v", name, key, got, want[key])
				}
			}
			served++
		}
		if !db.hasReplica(v) {
			t.Errorf("%s: no replica was built", name)
		}
	}
	// The replica's full-text table is the index's, word for word, but for
	// where the text is kept: the same columns, tokenizer and options.
	content := regexp.MustCompile(`\s*content(_rowid)?\s*=\s*'[^']*'\s*,`)
	ftsSQL := func(q querier) string {
		var s string
		if err := q.QueryRowContext(t.Context(), `SELECT sql FROM sqlite_master WHERE name = 'call_fts'`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return strings.Join(strings.Fields(content.ReplaceAllString(s, "")), " ")
	}
	db.replicas.mu.Lock()
	var r *replica
	for _, r = range db.replicas.m {
		break
	}
	db.replicas.mu.Unlock()
	if got, want := ftsSQL(r.db), ftsSQL(db.r); got != want {
		t.Errorf("the replica's call_fts is\n%s\nthe index's is\n%s", got, want)
	}
}

// TestReplicaFollowsWrites: after a write, searches see it at once (from
// the index, then from a rebuilt replica), and a call the caller may no
// longer see is gone from both.
func TestReplicaFollowsWrites(t *testing.T) {
	db := openTest(t)
	calls := newGen(32).calls(0, 200)
	for i, c := range calls { // the caller takes part in every other call
		c.Parties = c.Parties[:1]
		c.Parties[0].UserID = fmt.Sprintf("u00%d", 1+i%2)
		c.PrimaryUserID = c.Parties[0].UserID
	}
	if _, err := db.ApplyBatch(t.Context(), Batch{Upserts: calls[:100], SeenRunID: 1}); err != nil {
		t.Fatal(err)
	}
	v := core.Visibility{Participants: map[string][]string{"ws0": {core.UserKey("u001")}, "ws1": {core.UserKey("u001")}, "ws2": {core.UserKey("u001")}}}
	total := func(text string) int {
		t.Helper()
		res, err := db.Search(t.Context(), core.Query{Text: text, Visibility: v})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	total("pricing")
	db.waitReplicas()
	if !db.hasReplica(v) {
		t.Fatal("no replica after a search and a wait")
	}
	defer func(d time.Duration) { replicaRebuildGap = d }(replicaRebuildGap)
	replicaRebuildGap = 0
	calls[150].Brief += " Zanzibar expansion."
	if _, err := db.ApplyBatch(t.Context(), Batch{Upserts: calls[100:], SeenRunID: 1}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the index, then the rebuilt replica
		if n := total("zanzibar"); n != 1 {
			t.Errorf("zanzibar: %d calls after the write, want 1", n)
		}
		db.waitReplicas()
	}
	if !db.hasReplica(v) {
		t.Error("the replica was not rebuilt after the write")
	}
	// The call leaves the caller's view: gone at once.
	calls[150].Parties[0].UserID = "u002"
	calls[150].PrimaryUserID = "u002"
	if _, err := db.ApplyBatch(t.Context(), Batch{Upserts: []*core.Call{calls[150]}, SeenRunID: 1}); err != nil {
		t.Fatal(err)
	}
	if n := total("zanzibar"); n != 0 {
		t.Errorf("zanzibar: %d calls after the caller lost it, want 0", n)
	}
}

// hasReplica reports whether v's searches are served from a current replica.
func (db *DB) hasReplica(v core.Visibility) bool {
	var ok bool
	db.read(context.Background(), func(tx *readTx) error {
		set, err := db.visibleBitmap(context.Background(), tx, &v)
		if err == nil {
			db.replicas.mu.Lock()
			r := db.replicas.m[set.key]
			ok = r != nil && r.generation == set.generation
			db.replicas.mu.Unlock()
		}
		return err
	})
	return ok
}

// TestReplicaBudget: with room for about one replica, the least recently
// used are dropped, searches running on a dropped replica finish, and every
// search stays right, while calls are written and replicas rebuilt.
func TestReplicaBudget(t *testing.T) {
	db := openTest(t)
	g := newGen(33)
	calls := g.calls(0, 400)
	if _, err := db.ApplyBatch(t.Context(), Batch{Upserts: calls, SeenRunID: 1}); err != nil {
		t.Fatal(err)
	}
	defer func(b int64, gap time.Duration) { replicaBudget, replicaRebuildGap = b, gap }(replicaBudget, replicaRebuildGap)
	replicaBudget, replicaRebuildGap = 1, 0 // one replica at a time
	vs := replicaVisibilities()
	byID := map[string]*core.Call{}
	for _, c := range calls {
		byID[c.ID] = c
	}
	var mu sync.Mutex // guards byID against the writer
	var wg sync.WaitGroup
	ctx := t.Context()
	errs := make(chan error, 100)
	for w := range 6 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 9))
			names := slices.Sorted(maps.Keys(vs))
			for range 60 {
				v := vs[names[r.IntN(len(names))]]
				q := replicaQueries[r.IntN(len(replicaQueries))]
				res, err := db.Search(ctx, core.Query{Text: q, Limit: 20, Visibility: v})
				if err != nil {
					errs <- fmt.Errorf("%q: %w", q, err)
					return
				}
				mu.Lock()
				for _, h := range res.Hits {
					if c := byID[h.ID]; c == nil || !v.Allows(c.WorkspaceID, c.ParticipantKeys()) {
						errs <- fmt.Errorf("%q: call %s returned to a caller who may not see it", q, h.ID)
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Go(func() { // new calls while searching: rebuilds
		for i := range 5 {
			more := g.calls(400+i*20, 20)
			mu.Lock()
			for _, c := range more {
				byID[c.ID] = c
			}
			mu.Unlock()
			if _, err := db.ApplyBatch(ctx, Batch{Upserts: more, SeenRunID: 1}); err != nil {
				errs <- err
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
	wg.Wait()
	db.waitReplicas()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	db.replicas.mu.Lock()
	n := len(db.replicas.m)
	db.replicas.mu.Unlock()
	if n > 1 {
		t.Errorf("%d replicas kept with room for one", n)
	}
}
