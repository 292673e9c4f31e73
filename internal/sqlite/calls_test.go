package sqlite

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"gongconnector/internal/core"
)

// fullCall is a call with every field set, in a non-UTC zone.
func fullCall() *core.Call {
	zone := time.FixedZone("PDT", -7*3600)
	return &core.Call{
		ID:            "1234567890123456789",
		Title:         "Q2 planning with Acme Corp",
		URL:           "https://app.gong.io/call?id=1234567890123456789",
		Started:       time.Date(2025, 5, 12, 9, 30, 15, 250_000_000, zone),
		Duration:      47*time.Minute + 12*time.Second + 500*time.Millisecond,
		WorkspaceID:   "ws1",
		PrimaryUserID: "u1",
		Direction:     "Conference",
		Scope:         "External",
		System:        "Zoom",
		Language:      "eng",
		Media:         "Video",
		Purpose:       "Planning",
		Accounts:      []core.Account{{ID: "a1", Name: "Acme Corp", Industry: "Manufacturing", Website: "acme.example"}, {Name: "Acme Holdings"}},
		Deals:         []core.Deal{{ID: "d1", Name: "Acme renewal 2025", Stage: "Negotiation", Amount: 120000.5, CloseDate: "2025-06-30"}},
		Parties: []core.Party{
			{Name: "Ann Host", Email: "Ann@Seller.example", Title: "AE", Affiliation: core.AffiliationInternal, UserID: "u1", SpeakerID: "s1"},
			{Name: "Bob Buyer", Email: "bob@acme.example", Title: "CFO", Affiliation: core.AffiliationExternal, SpeakerID: "s2"},
			{Name: "", Email: "", Title: "", Affiliation: core.AffiliationUnknown},
			{Name: "Cy Colleague", Affiliation: core.AffiliationInternal, UserID: "u2"},
		},
		Brief:       "Acme wants the pilot by June.\nThe budget is approved.",
		KeyPoints:   []string{"Budget approved", "", "Security review pending"},
		ActionItems: []core.ActionItem{{Text: "Send the proposal", SpeakerID: "s1", Speaker: "Ann Host", StartSec: 61.5}, {Text: "Book legal review", StartSec: 1200}},
		Highlights:  []core.Highlight{{Title: "Next steps", Items: []core.HighlightItem{{Text: "Proposal Friday", StartSec: 2000}}}},
		Outline:     []core.OutlineSection{{Section: "Intro", StartSec: 0, DurationSec: 120, Items: []core.OutlineItem{{Text: "Agenda", StartSec: 10}}}},
		Topics:      []core.Topic{{Name: "Pricing", DurationSec: 300}, {Name: "Security", DurationSec: 120.5}},
		Trackers:    []core.Tracker{{Name: "Competitors", Count: 3}},
		Outcome:     &core.Outcome{ID: "o1", Category: "Positive", Name: "Qualified"},
		Transcript:  []core.TranscriptPhrase{{SpeakerID: "s1", StartMS: 0, EndMS: 1500, Text: "Hello everyone."}, {SpeakerID: "s2", StartMS: 1500, EndMS: 3000, Text: "Hi."}},
	}
}

func utc(c *core.Call) *core.Call {
	cc := *c
	cc.Started = c.Started.UTC()
	return &cc
}

func TestCallRoundTrip(t *testing.T) {
	multiline := fullCall()
	multiline.ID = "2"
	multiline.KeyPoints = []string{"first\nwith a break", "second"}
	multiline.ActionItems[0].Text = "line one\nline two"
	multiline.Accounts[0].Name = "Acme\nCorp"
	multiline.Deals[0].Name = "a\nb"
	multiline.Parties[1].Title = "Chief\nFinancial Officer"
	multiline.Topics[0].Name = "x\ny"
	multiline.Trackers[0].Name = "p\nq"

	bare := &core.Call{ID: "3", Started: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	zero := &core.Call{ID: "4"}

	tests := map[string]*core.Call{
		"every field":      fullCall(),
		"line breaks":      multiline,
		"only metadata":    bare,
		"zero start time":  zero,
		"single empty key": {ID: "5", KeyPoints: []string{""}, Accounts: []core.Account{{Name: ""}}},
	}
	ctx := t.Context()
	db := openTest(t)
	for name, c := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := db.ApplyBatch(ctx, Batch{Upserts: []*core.Call{c}, SeenRunID: 1}); err != nil {
				t.Fatal(err)
			}
			got, err := db.Call(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := utc(c); !reflect.DeepEqual(got, want) {
				g, _ := json.MarshalIndent(got, "", " ")
				w, _ := json.MarshalIndent(want, "", " ")
				t.Errorf("Call() =\n%s\nwant\n%s", g, w)
			}
			// Storing what was read back is not a change.
			res, err := db.ApplyBatch(ctx, Batch{Upserts: []*core.Call{utc(c)}, SeenRunID: 1})
			if err != nil {
				t.Fatal(err)
			}
			if c.Started.Location() == time.UTC && res.Unchanged != 1 {
				t.Errorf("re-storing the read call: %+v, want unchanged", res)
			}
		})
	}
	if _, err := db.Call(ctx, "missing"); core.ErrorCode(err) != core.ENotFound {
		t.Errorf("Call(missing) error = %v, want code %s", err, core.ENotFound)
	}
}

func rowid(t *testing.T, db *DB, id string) int64 {
	t.Helper()
	var r int64
	if err := db.r.QueryRowContext(t.Context(), "SELECT rowid FROM calls WHERE id = ?", id).Scan(&r); err != nil {
		t.Fatalf("rowid of %s: %v", id, err)
	}
	return r
}

func searchIDs(t *testing.T, db *DB, text string) []string {
	t.Helper()
	res, err := db.Search(t.Context(), core.Query{Text: text, Limit: 100, Visibility: everything})
	if err != nil {
		t.Fatalf("Search(%q): %v", text, err)
	}
	ids := []string{}
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	slices.Sort(ids)
	if res.Total != len(ids) {
		t.Errorf("Search(%q) Total = %d, want %d hits", text, res.Total, len(ids))
	}
	return ids
}

func participantRows(t *testing.T, db *DB) map[string][]string {
	t.Helper()
	rows, err := db.r.QueryContext(t.Context(), `SELECT c.id, pr.key FROM call_participants p
		JOIN calls c ON c.rowid = p.call_rowid JOIN principals pr ON pr.id = p.principal ORDER BY c.id, pr.key`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string][]string{}
	for rows.Next() {
		var id, p string
		if err := rows.Scan(&id, &p); err != nil {
			t.Fatal(err)
		}
		got[id] = append(got[id], p)
	}
	var orphans int
	if err := db.r.QueryRowContext(t.Context(), `SELECT count(*) FROM call_participants
		WHERE call_rowid NOT IN (SELECT rowid FROM calls)`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Errorf("%d participant rows without a call", orphans)
	}
	return got
}

// ftsIntegrity runs FTS5's own check that the index matches the content.
func ftsIntegrity(t *testing.T, db *DB) {
	t.Helper()
	if _, err := db.w.ExecContext(t.Context(), `INSERT INTO call_fts (call_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Errorf("FTS integrity check: %v", err)
	}
}

func TestApplyBatch(t *testing.T) {
	ctx := t.Context()
	db := openTest(t)

	a := &core.Call{ID: "a", WorkspaceID: "w1", Title: "Alpha kickoff", Brief: "zebra migration plan", PrimaryUserID: "u1",
		Parties: []core.Party{{Name: "Ann", Email: "Ann@X.com", UserID: "u1"}, {Name: "Ext", Email: "ext@y.com"}}}
	b := &core.Call{ID: "b", WorkspaceID: "w1", Title: "Beta review", Brief: "giraffe pricing", PrimaryUserID: "u2"}
	c := &core.Call{ID: "c", WorkspaceID: "w2", Title: "Gamma demo", Brief: "okapi security", PrimaryUserID: "u3",
		Parties: []core.Party{{Name: "Cat", UserID: "u4", Email: "cat@x.com"}}}

	res, err := db.ApplyBatch(ctx, Batch{Upserts: []*core.Call{a, b, c}, SeenRunID: 1})
	if err != nil {
		t.Fatal(err)
	}
	if want := (BatchResult{Added: 3}); res != want {
		t.Errorf("first batch = %+v, want %+v", res, want)
	}
	rowA := rowid(t, db, "a")
	if got, want := searchIDs(t, db, "zebra"), []string{"a"}; !reflect.DeepEqual(got, want) {
		t.Errorf("search zebra = %v, want %v", got, want)
	}
	wantParts := map[string][]string{
		"a": {"e:ann@x.com", "e:ext@y.com", "u:u1"},
		"b": {"u:u2"},
		"c": {"e:cat@x.com", "u:u3", "u:u4"},
	}
	if got := participantRows(t, db); !reflect.DeepEqual(got, wantParts) {
		t.Errorf("participants = %v, want %v", got, wantParts)
	}

	// a changes text and participants, b is unchanged, c is removed, d is new.
	a2 := *a
	a2.Brief = "lion migration plan"
	a2.Parties = []core.Party{{Name: "Ann", Email: "ann@x.com", UserID: "u1"}, {Name: "New", UserID: "u9"}}
	d := &core.Call{ID: "d", WorkspaceID: "w2", Title: "Delta", Brief: "zebra again"}
	res, err = db.ApplyBatch(ctx, Batch{Upserts: []*core.Call{&a2, b, d}, Removals: []string{"c", "unknown"}, SeenRunID: 2})
	if err != nil {
		t.Fatal(err)
	}
	if want := (BatchResult{Added: 1, Updated: 1, Unchanged: 1, Removed: 1}); res != want {
		t.Errorf("second batch = %+v, want %+v", res, want)
	}
	if got := rowid(t, db, "a"); got != rowA {
		t.Errorf("rowid of updated call = %d, want %d (kept)", got, rowA)
	}
	searches := map[string][]string{
		"zebra":     {"d"},
		"lion":      {"a"},
		"okapi":     {},
		"gamma":     {},
		"giraffe":   {"b"},
		"migration": {"a"},
	}
	for q, want := range searches {
		if got := searchIDs(t, db, q); !reflect.DeepEqual(got, want) {
			t.Errorf("search %q = %v, want %v", q, got, want)
		}
	}
	wantParts = map[string][]string{
		"a": {"e:ann@x.com", "u:u1", "u:u9"},
		"b": {"u:u2"},
	}
	if got := participantRows(t, db); !reflect.DeepEqual(got, wantParts) {
		t.Errorf("participants = %v, want %v", got, wantParts)
	}
	var seen int64
	if err := db.r.QueryRowContext(ctx, "SELECT last_seen_run FROM calls WHERE id = 'b'").Scan(&seen); err != nil || seen != 2 {
		t.Errorf("last_seen_run of unchanged call = %d, %v; want 2", seen, err)
	}
	if n, err := db.CountCalls(ctx); err != nil || n != 3 {
		t.Errorf("CountCalls = %d, %v; want 3", n, err)
	}

	// The same call twice in one batch.
	a3 := a2
	a3.Title = "Alpha kickoff, revised"
	res, err = db.ApplyBatch(ctx, Batch{Upserts: []*core.Call{&a3, &a3}, SeenRunID: 3})
	if err != nil {
		t.Fatal(err)
	}
	if want := (BatchResult{Updated: 1, Unchanged: 1}); res != want {
		t.Errorf("duplicate batch = %+v, want %+v", res, want)
	}
	ftsIntegrity(t, db)
}

func TestApplyBatchIsAtomic(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := map[string]func(run *core.CrawlRun) (context.Context, Batch){
		"call violating a constraint": func(run *core.CrawlRun) (context.Context, Batch) {
			return context.Background(), Batch{Run: run, SeenRunID: run.ID, APIRequests: 3,
				Upserts: []*core.Call{{ID: "good", Title: "good"}, {ID: "", Title: "no id"}}}
		},
		"run missing": func(run *core.CrawlRun) (context.Context, Batch) {
			r := *run
			r.ID = 999
			return context.Background(), Batch{Run: &r, APIRequests: 3, Upserts: []*core.Call{{ID: "good", Title: "good"}}}
		},
		"context canceled": func(run *core.CrawlRun) (context.Context, Batch) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, Batch{Run: run, APIRequests: 3, Upserts: []*core.Call{{ID: "good", Title: "good"}}}
		},
	}
	for name, mk := range tests {
		t.Run(name, func(t *testing.T) {
			db := openTest(t)
			db.Now = func() time.Time { return t0 }
			run, err := db.CreateRun(t.Context(), core.CrawlRun{Kind: core.CrawlFull, Status: core.RunRunning, Started: t0})
			if err != nil {
				t.Fatal(err)
			}
			before := run
			run.Checkpoint = t0.Add(time.Hour)
			run.Seen = 2
			passed := run
			ctx, b := mk(&run)
			if _, err := db.ApplyBatch(ctx, b); err == nil {
				t.Fatal("ApplyBatch succeeded, want error")
			}
			if b.Run == &run && !reflect.DeepEqual(run, passed) {
				t.Errorf("failed batch changed its run to %+v", run)
			}
			if n, _ := db.CountCalls(t.Context()); n != 0 {
				t.Errorf("CountCalls after failed batch = %d, want 0", n)
			}
			if got, _ := db.Run(t.Context(), run.ID); !reflect.DeepEqual(got, before) {
				t.Errorf("run after failed batch = %+v, want unchanged %+v", got, before)
			}
			if req, _, _ := db.APIRequestsOn(t.Context(), t0); req != 0 {
				t.Errorf("API requests after failed batch = %d, want 0", req)
			}
			if got := searchIDs(t, db, "good"); len(got) != 0 {
				t.Errorf("search after failed batch = %v, want none", got)
			}
		})
	}

	// And the success case writes all three.
	db := openTest(t)
	db.Now = func() time.Time { return t0 }
	run, err := db.CreateRun(t.Context(), core.CrawlRun{Kind: core.CrawlFull, Status: core.RunRunning, Started: t0})
	if err != nil {
		t.Fatal(err)
	}
	run.Checkpoint = t0.Add(time.Hour)
	run.Added, run.Updated, run.Deleted = 10, 20, 30
	if _, err := db.ApplyBatch(t.Context(), Batch{Run: &run, APIRequests: 3, Upserts: []*core.Call{{ID: "good"}, {ID: "two"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApplyBatch(t.Context(), Batch{Run: &run, Upserts: []*core.Call{{ID: "good", Title: "changed"}}, Removals: []string{"two"}}); err != nil {
		t.Fatal(err)
	}
	if run.Added != 12 || run.Updated != 21 || run.Deleted != 31 {
		t.Errorf("run counters after batches = added %d, updated %d, deleted %d; want 12, 21, 31", run.Added, run.Updated, run.Deleted)
	}
	got, _ := db.Run(t.Context(), run.ID)
	req, _, _ := db.APIRequestsOn(t.Context(), t0)
	n, _ := db.CountCalls(t.Context())
	if !reflect.DeepEqual(got, run) || req != 3 || n != 1 {
		t.Errorf("after batches: run %+v, requests %d, calls %d; want %+v, 3, 1", got, req, n, run)
	}
}

func TestSweep(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 1, d, 12, 0, 0, 0, time.UTC) }
	// Calls seen by run 1, then run 2 sees only some of them.
	type seed struct {
		id   string
		ws   string
		day  int
		seen int64
	}
	seeds := []seed{
		{"old-w1", "w1", 1, 1},
		{"mid-w1", "w1", 5, 1},
		{"mid-w2", "w2", 5, 1},
		{"new-w1", "w1", 9, 1},
		{"seen-w1", "w1", 5, 2},
	}
	tests := map[string]struct {
		sweep Sweep
		want  []string // remaining after DeleteUnseen
	}{
		"everything": {Sweep{RunID: 2}, []string{"seen-w1"}},
		"window": {Sweep{RunID: 2, From: day(4), To: day(9)},
			[]string{"new-w1", "old-w1", "seen-w1"}},
		"no lower bound": {Sweep{RunID: 2, To: day(6)}, []string{"new-w1", "seen-w1"}},
		"workspace": {Sweep{RunID: 2, Workspaces: []string{"w2"}},
			[]string{"mid-w1", "new-w1", "old-w1", "seen-w1"}},
		"window and workspaces": {Sweep{RunID: 2, From: day(5), To: day(10), Workspaces: []string{"w1", "w3"}},
			[]string{"mid-w2", "old-w1", "seen-w1"}},
		"end is exclusive": {Sweep{RunID: 2, From: day(1), To: day(5)},
			[]string{"mid-w1", "mid-w2", "new-w1", "seen-w1"}},
		"older run sees all": {Sweep{RunID: 1}, []string{"mid-w1", "mid-w2", "new-w1", "old-w1", "seen-w1"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			db := openTest(t)
			for _, s := range seeds {
				c := &core.Call{ID: s.id, WorkspaceID: s.ws, Started: day(s.day), Title: "sweep " + s.id, PrimaryUserID: "u1"}
				if _, err := db.ApplyBatch(ctx, Batch{Upserts: []*core.Call{c}, SeenRunID: s.seen}); err != nil {
					t.Fatal(err)
				}
			}
			wantDeleted := len(seeds) - len(tt.want)
			n, err := db.CountUnseen(ctx, tt.sweep)
			if err != nil || n != wantDeleted {
				t.Errorf("CountUnseen = %d, %v; want %d", n, err, wantDeleted)
			}
			n, err = db.DeleteUnseen(ctx, tt.sweep)
			if err != nil || n != wantDeleted {
				t.Errorf("DeleteUnseen = %d, %v; want %d", n, err, wantDeleted)
			}
			var got []string
			if err := db.EachCall(ctx, func(c *core.Call) error { got = append(got, c.ID); return nil }); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("remaining = %v, want %v", got, tt.want)
			}
			if got := searchIDs(t, db, "sweep"); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("search after sweep = %v, want %v", got, tt.want)
			}
			parts := participantRows(t, db)
			if len(parts) != len(tt.want) {
				t.Errorf("participants of %d calls, want %d", len(parts), len(tt.want))
			}
			ftsIntegrity(t, db)
		})
	}
}

func TestIncompleteCalls(t *testing.T) {
	ctx := t.Context()
	db := openTest(t)
	day := func(d int) time.Time { return time.Date(2025, 1, d, 12, 0, 0, 0, time.UTC) }
	calls := []*core.Call{
		{ID: "done", Started: day(3), Brief: "published"},
		{ID: "late2", Started: day(4)},
		{ID: "late1", Started: day(2)},
		{ID: "too-old", Started: day(1)},
		{ID: "topics-only", Started: day(5), Topics: []core.Topic{{Name: "x"}}},
	}
	if _, err := db.ApplyBatch(ctx, Batch{Upserts: calls, SeenRunID: 1}); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		since, until time.Time
		limit        int
		want         []string
	}{
		"no upper bound":  {day(2), time.Time{}, 10, []string{"late1", "late2"}},
		"until exclusive": {day(1), day(4), 10, []string{"too-old", "late1"}},
		"limit":           {day(1), time.Time{}, 1, []string{"too-old"}},
		"empty window":    {day(6), time.Time{}, 10, nil},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := db.IncompleteCalls(ctx, tt.since, tt.until, tt.limit)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("IncompleteCalls = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestEachCallMatchesInput(t *testing.T) {
	ctx := t.Context()
	db := openTest(t)
	g := newGen(1)
	calls := g.calls(0, 50)
	if _, err := db.ApplyBatch(ctx, Batch{Upserts: calls, SeenRunID: 1}); err != nil {
		t.Fatal(err)
	}
	i := 0
	err := db.EachCall(ctx, func(c *core.Call) error {
		if !reflect.DeepEqual(c, calls[i]) {
			t.Errorf("call %d differs:\n got %+v\nwant %+v", i, c, calls[i])
		}
		i++
		return nil
	})
	if err != nil || i != len(calls) {
		t.Errorf("EachCall visited %d calls, err %v; want %d", i, err, len(calls))
	}
	ftsIntegrity(t, db)
}

// TestPrincipalsAcrossHandles: two handles on one file (a crawl beside a
// server) each add participants; neither trips over the other's principals.
func TestPrincipalsAcrossHandles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "two.db")
	a, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	mk := func(id, email string) *core.Call {
		return &core.Call{ID: id, Title: "t " + id, Started: time.Unix(1700000000, 0).UTC(), PrimaryUserID: "u1",
			Parties: []core.Party{{Name: "P", Email: email}}}
	}
	// a loads its cache, then b adds a principal a has not seen.
	if _, err := a.ApplyBatch(t.Context(), Batch{Upserts: []*core.Call{mk("1", "x@example.com")}, SeenRunID: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ApplyBatch(t.Context(), Batch{Upserts: []*core.Call{mk("2", "new@example.com")}, SeenRunID: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ApplyBatch(t.Context(), Batch{Upserts: []*core.Call{mk("3", "new@example.com")}, SeenRunID: 1}); err != nil {
		t.Fatalf("a stale principal cache broke a batch: %v", err)
	}
	parts := participantRows(t, a)
	if got := parts["3"]; !slices.Contains(got, "e:new@example.com") || !slices.Contains(parts["2"], "e:new@example.com") {
		t.Errorf("participants = %v", parts)
	}
}
