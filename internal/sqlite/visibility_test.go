package sqlite

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

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
	saved := rankLimit
	t.Cleanup(func() { rankLimit = saved })
	for _, limit := range []int{saved, 40, 3} {
		rankLimit = limit
		for name, v := range visibilities {
			for _, text := range []string{"pricing", "security timeline", "acct0*", "nomatchword"} {
				var want []string
				for _, id := range all(text) {
					c := byID[id]
					if v.Allows(c.WorkspaceID, c.ParticipantKeys()) {
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
