package sqlite

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"gongconnector/internal/core"
)

// TestTrimmedSearchPaths checks every query plan of a trimmed search (one
// pass over few visible calls, bm25 over the visible matches, newest first
// past rankLimit, a visible set that holds every call) against a brute-force
// filter of the untrimmed results with core.Visibility.Allows.
func TestTrimmedSearchPaths(t *testing.T) {
	db := openTest(t)
	g := newGen(5)
	calls := g.calls(0, 600)
	if _, err := db.ApplyBatch(t.Context(), Batch{Upserts: calls, SeenRunID: 1}); err != nil {
		t.Fatal(err)
	}
	byID := map[string]*core.Call{}
	for _, c := range calls {
		byID[c.ID] = c
	}
	all := func(text string) []string {
		if text == "" { // every call
			var ids []string
			for _, c := range calls {
				ids = append(ids, c.ID)
			}
			return ids
		}
		var ids []string
		for off := 0; ; off += MaxLimit {
			res, err := db.Search(t.Context(), core.Query{Text: text, Limit: MaxLimit, Offset: off, Visibility: everything})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range res.Hits {
				ids = append(ids, h.ID)
			}
			if len(res.Hits) < MaxLimit {
				return ids
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	visibilities := map[string]core.Visibility{
		"one workspace": {Workspaces: []string{"ws1"}},
		"every call":    {Workspaces: []string{"ws0", "ws1", "ws2"}},
	}
	for i := range 6 {
		v := core.Visibility{Participants: map[string][]string{}}
		for range 1 + r.IntN(40*(i+1)) {
			ws := fmt.Sprintf("ws%d", r.IntN(3))
			v.Participants[ws] = append(v.Participants[ws], core.UserKey(fmt.Sprintf("u%03d", r.IntN(500))))
		}
		if i%2 == 1 {
			v.Workspaces = []string{"ws2"}
		}
		visibilities[fmt.Sprintf("participants %d", i)] = v
	}
	any := func(*core.Call) bool { return true }
	day2 := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
	queries := []struct {
		text, base string // base: the same query without its filters
		keep       func(*core.Call) bool
	}{
		{"pricing", "pricing", any},
		{"security timeline", "security timeline", any},
		{"acct0*", "acct0*", any},
		{"nomatchword", "nomatchword", any},
		{"pricing workspace:ws1", "pricing", func(c *core.Call) bool { return c.WorkspaceID == "ws1" }},
		{"pricing from:2025-01-02", "pricing", func(c *core.Call) bool { return !c.Started.Before(day2) }},
		{"security OR timeline to:2025-01-01 workspace:ws0 workspace:ws2", "security OR timeline",
			func(c *core.Call) bool { return c.Started.Before(day2) && c.WorkspaceID != "ws1" }},
		{"-nomatchword from:2025-01-02", "", func(c *core.Call) bool { return !c.Started.Before(day2) }},
	}
	saved := rankLimit
	t.Cleanup(func() { rankLimit = saved })
	for _, limit := range []int{saved, 40, 3} {
		rankLimit = limit
		for name, v := range visibilities {
			for _, tc := range queries {
				text := tc.text
				var want []string
				for _, id := range all(tc.base) {
					c := byID[id]
					if v.Allows(c.WorkspaceID, c.ParticipantKeys()) && tc.keep(c) {
						want = append(want, id)
					}
				}
				var got []string
				total := -1
				for off := 0; ; off += 7 {
					res, err := db.Search(t.Context(), core.Query{Text: text, Limit: 7, Offset: off, Visibility: v})
					if err != nil {
						t.Fatal(err)
					}
					if total >= 0 && res.Total != total {
						t.Errorf("rankLimit %d, %s, %q: total %d then %d", limit, name, text, total, res.Total)
					}
					total = res.Total
					for _, h := range res.Hits {
						got = append(got, h.ID)
					}
					if len(res.Hits) < 7 {
						break
					}
				}
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) || total != len(want) {
					t.Errorf("rankLimit %d, %s, %q: %d hits (total %d), want %d", limit, name, text, len(got), total, len(want))
				}
			}
		}
	}
}
