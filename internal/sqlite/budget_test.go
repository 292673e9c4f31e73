package sqlite

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"gongconnector/internal/core"
)

// TestScanBudget: past scanBudget matches a search reads only the newest,
// says its total is an estimate, keeps it near the truth, ranks within them,
// still shows nothing hidden, and still finds a caller's older calls when
// none of the newest matches is theirs.
func TestScanBudget(t *testing.T) {
	db := openTest(t)
	calls := newGen(5).calls(0, 600)
	if _, err := db.ApplyBatch(t.Context(), Batch{Upserts: calls, SeenRunID: 1}); err != nil {
		t.Fatal(err)
	}
	rowid := map[string]int64{}
	rows, err := db.r.QueryContext(t.Context(), `SELECT id, rowid FROM calls`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var r int64
		rows.Scan(&id, &r)
		rowid[id] = r
	}
	rows.Close()
	byID := map[string]*core.Call{}
	for _, c := range calls {
		byID[c.ID] = c
	}
	search := func(text string, v core.Visibility, off int) core.SearchResult {
		t.Helper()
		res, err := db.Search(t.Context(), core.Query{Text: text, Limit: MaxLimit, Offset: off, Visibility: v})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	// Every match of each query, newest (highest rowid) first, with the full budget.
	matches := func(text string) []string {
		var ids []string
		for off := 0; ; off += MaxLimit {
			res := search(text, everything, off)
			for _, h := range res.Hits {
				ids = append(ids, h.ID)
			}
			if len(res.Hits) < MaxLimit {
				break
			}
		}
		slices.SortFunc(ids, func(a, b string) int { return int(rowid[b] - rowid[a]) })
		return ids
	}
	all := map[string][]string{}
	for _, q := range []string{"pricing", "security timeline", "nomatchword"} {
		all[q] = matches(q)
	}
	if len(all["pricing"]) < 200 {
		t.Fatalf("the fixture's common word matches %d calls", len(all["pricing"]))
	}

	// A caller whose calls are all older than the newest budget matches.
	oldest := all["pricing"][len(all["pricing"])-1]
	old := core.Visibility{Participants: map[string][]string{byID[oldest].WorkspaceID: {byID[oldest].ParticipantKeys()[0]}}}

	defer func(b, f, r int) { scanBudget, scanFloor, rankLimit = b, f, r }(scanBudget, scanFloor, rankLimit)
	scanBudget, scanFloor = 50, 50
	for _, limit := range []int{rankLimit, 5} {
		rankLimit = limit
		for name, v := range map[string]core.Visibility{
			"everything":    everything,
			"one workspace": {Workspaces: []string{"ws1"}},
			"old calls":     old,
		} {
			for text, ids := range all {
				where := fmt.Sprintf("rankLimit %d, %s, %q", limit, name, text)
				var want []string
				for _, id := range ids {
					if c := byID[id]; v.Allows(c.WorkspaceID, c.ParticipantKeys()) {
						want = append(want, id)
					}
				}
				res := search(text, v, 0)
				windowLow := int64(0)
				if len(ids) >= scanBudget {
					windowLow = rowid[ids[scanBudget-1]]
				}
				inWindow := 0
				for _, id := range want {
					if rowid[id] >= windowLow {
						inWindow++
					}
				}
				for i, h := range res.Hits {
					c := byID[h.ID]
					if !v.Allows(c.WorkspaceID, c.ParticipantKeys()) {
						t.Fatalf("%s: hidden call %s", where, h.ID)
					}
					switch {
					case inWindow > rankLimit:
						// Too many to rank: newest first, past the window too.
						if i > 0 && rowid[h.ID] > rowid[res.Hits[i-1].ID] {
							t.Errorf("%s: hit %d is newer than hit %d", where, i, i-1)
						}
					case inWindow > 0 && rowid[h.ID] < windowLow:
						t.Errorf("%s: ranked call %s is older than the newest %d matches", where, h.ID, scanBudget)
					}
				}
				switch {
				case len(ids) < scanBudget || inWindow == 0:
					if res.Estimated || res.Total != len(want) {
						t.Errorf("%s: total %d (estimated %v), want exactly %d", where, res.Total, res.Estimated, len(want))
					}
				default:
					if !res.Estimated || res.Total < len(want)/2 || res.Total > 2*len(want) {
						t.Errorf("%s: total %d (estimated %v), want an estimate near %d", where, res.Total, res.Estimated, len(want))
					}
				}
				if len(want) > 0 && len(res.Hits) == 0 {
					t.Errorf("%s: no hits for %d visible matches", where, len(want))
				}
			}
		}
	}
}

// TestConcurrentSearchesDoNotStall: more concurrent searches than read
// connections, each needing statements not yet prepared, all finish (a
// search once waited for a connection to prepare on while holding its own).
func TestConcurrentSearchesDoNotStall(t *testing.T) {
	db := openTest(t)
	if _, err := db.ApplyBatch(t.Context(), Batch{Upserts: newGen(3).calls(0, 200), SeenRunID: 1}); err != nil {
		t.Fatal(err)
	}
	queries := []string{"pricing", "security timeline", "acct0*", "pricing workspace:ws1", "-x from:2025-01-02", `"next steps"`}
	done := make(chan error, 4*readers)
	for i := range 4 * readers {
		go func() {
			var err error
			for j := range 20 {
				v := everything
				if (i+j)%2 == 0 {
					v = core.Visibility{Workspaces: []string{"ws1"}}
				}
				if _, e := db.Search(t.Context(), core.Query{Text: queries[(i+j)%len(queries)], Visibility: v, Facets: j%3 == 0}); e != nil {
					err = e
				}
			}
			done <- err
		}()
	}
	for range 4 * readers {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(2 * time.Minute):
			t.Fatal("concurrent searches stalled")
		}
	}
}
