package crawl_test

import (
	"database/sql"
	"testing"
	"time"

	"gongconnector/internal/access"
	"gongconnector/internal/core"
	"gongconnector/internal/gongsim"
)

// TestRevokedProfileTakesEffect: a user loses their profile in Gong; after
// the next incremental crawl their searches no longer show that workspace's
// calls, and not one call row was written to get there.
func TestRevokedProfileTakesEffect(t *testing.T) {
	h := newHarness(t, gongsim.Options{Calls: 3000})
	h.crawl(core.CrawlFull)
	ctx := t.Context()

	// A manager who sees team calls in their workspace through a profile.
	snap, err := h.db.Snapshot(ctx)
	if err != nil || snap == nil {
		t.Fatalf("snapshot: %v, %v", snap, err)
	}
	rules := access.New(snap)
	var user, ws string
	var before int
	for _, p := range snap.Profiles {
		if p.CallsLevel != core.LevelReportToThem || len(p.TeamLeadIDs) > 0 {
			continue
		}
		for _, m := range p.MemberIDs {
			if u := rules.User(m); u == nil || !u.Active {
				continue
			}
			v, _ := rules.Visibility(m)
			only := core.Visibility{Participants: map[string][]string{p.WorkspaceID: v.Participants[p.WorkspaceID]}}
			n, err := h.db.CountVisible(ctx, only)
			if err != nil {
				t.Fatal(err)
			}
			if n > before {
				user, ws, before = m, p.WorkspaceID, n
			}
		}
	}
	if before < 5 {
		t.Fatalf("no manager sees more than %d calls; tenant too small", before)
	}
	v, _ := rules.Visibility(user)
	hits := func(v core.Visibility) int {
		res, err := h.db.Search(ctx, core.Query{Text: "the", Limit: 100, Visibility: v})
		if err != nil {
			t.Fatal(err)
		}
		inWS := 0
		for _, hit := range res.Hits {
			c, err := h.db.Call(ctx, hit.ID)
			if err != nil {
				t.Fatal(err)
			}
			if c.WorkspaceID == ws {
				inWS++
			}
		}
		return inWS
	}
	if hits(v) == 0 {
		t.Fatalf("user %s finds none of their %d calls in workspace %s", user, before, ws)
	}
	rows := callRows(t, h.db.Path())

	if err := h.sim.Apply(gongsim.Event{Kind: gongsim.EventProfileChange, UserID: user, WorkspaceID: ws}); err != nil {
		t.Fatal(err)
	}
	h.sim.Advance(15 * time.Minute)
	run := h.crawl(core.CrawlIncremental)

	snap, err = h.db.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v, why := access.New(snap).Visibility(user)
	if got := hits(v); got != 0 {
		t.Errorf("after the revocation user %s still finds %d calls in workspace %s (reason %q)", user, got, ws, why)
	}
	if len(v.Participants[ws]) != 0 {
		t.Errorf("visibility still lists workspace %s: %d keys", ws, len(v.Participants[ws]))
	}
	if run.Added != 0 || run.Updated != 0 || run.Deleted != 0 {
		t.Errorf("the incremental crawl wrote calls: %+v", run)
	}
	after := callRows(t, h.db.Path())
	for id, r := range rows {
		if after[id] != r {
			t.Errorf("call %s was rewritten: %+v → %+v", id, r, after[id])
		}
	}
	if len(after) != len(rows) {
		t.Errorf("%d calls before, %d after", len(rows), len(after))
	}
}

type callRow struct {
	rowid     int64
	indexedAt int64
	hash      string
}

// callRows reads each call's rowid, write time and content hash straight
// from the file.
func callRows(t *testing.T, path string) map[string]callRow {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(t.Context(), `SELECT id, rowid, indexed_at, content_hash FROM calls`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]callRow{}
	for rows.Next() {
		var id string
		var r callRow
		if err := rows.Scan(&id, &r.rowid, &r.indexedAt, &r.hash); err != nil {
			t.Fatal(err)
		}
		out[id] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
