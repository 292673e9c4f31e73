package sqlite

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"gongconnector/internal/core"
)

// TestPrefixCompletions: a prefix query rewritten as its completions finds
// exactly the calls FTS5's own prefix query finds, in fields, in phrases,
// with exclusions, and when there are too many completions to rewrite.
func TestPrefixCompletions(t *testing.T) {
	db := openTest(t)
	calls := newGen(11).calls(0, 300)
	// Completions of "integ" beyond the generated vocabulary, one with a
	// diacritic the tokenizer folds, and more "zz" words than a prefix is
	// rewritten to.
	extra := []string{"integral", "integrity", "intégrale", "INTEGRATOR"}
	for i := range maxCompletions + 5 {
		extra = append(extra, fmt.Sprintf("zz%03d", i))
	}
	for i, w := range extra {
		calls[i*7].Brief += " " + w + " wrap-up."
		calls[i*7+3].Title += " " + w
	}
	if _, err := db.ApplyBatch(t.Context(), Batch{Upserts: calls, SeenRunID: 1}); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for _, text := range []string{
		"integ*", "integr*", "INTEGRA*", "intégr*", "title:integ*", "brief:integr*",
		`"acct0 corp"`, `"corp integr*"`, "zz*", "zz00*", "integ* -integration", "integ* OR zz0*",
		"sec* integ*", "nomatch*", "int*", "integration*",
	} {
		p := core.ParseQuery(text, nil)
		var want []string
		if expr := matchExpr(p); expr != "" {
			rows, err := db.r.QueryContext(ctx, `SELECT c.id FROM call_fts JOIN calls c ON c.rowid = call_fts.rowid WHERE call_fts MATCH ?`, expr)
			if err != nil {
				t.Fatalf("%q: %v", text, err)
			}
			for rows.Next() {
				var id string
				rows.Scan(&id)
				want = append(want, id)
			}
			rows.Close()
		}
		res, err := db.Search(ctx, core.Query{Text: text, Limit: MaxLimit, Visibility: everything})
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) || res.Total != len(want) {
			t.Errorf("%q: %d calls (total %d), FTS5's prefix query finds %d", text, len(got), res.Total, len(want))
		}
	}
	// Expanded or not: "integ" has a handful of completions, "zz" too many,
	// "inté" letters only FTS5 folds.
	tx := func(fn func(tx *readTx)) {
		if err := db.read(ctx, func(tx *readTx) error { fn(tx); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	tx(func(tx *readTx) {
		for text, want := range map[string]bool{"integ*": true, "zz*": false, "intég*": false, "zz01*": true} {
			c, err := db.expandPrefixes(ctx, tx, core.ParseQuery(text, nil))
			if err != nil {
				t.Fatal(err)
			}
			if got := len(c) > 0; got != want {
				t.Errorf("%q rewritten to completions: %v, want %v (%v)", text, got, want, c)
			}
		}
	})
}

// TestPrefixCompletionsFollowNewWords: a word first indexed after a prefix
// was completed is found by the prefix within prefixCacheAge.
func TestPrefixCompletionsFollowNewWords(t *testing.T) {
	db := openTest(t)
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	calls := newGen(12).calls(0, 20)
	calls[0].Brief += " Quokka partnership."
	if _, err := db.ApplyBatch(t.Context(), Batch{Upserts: calls[:10], SeenRunID: 1}); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		t.Helper()
		res, err := db.Search(t.Context(), core.Query{Text: "quok*", Visibility: everything})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	if n := count(); n != 1 {
		t.Fatalf("quok* finds %d calls, want 1", n)
	}
	calls[15].Title += " Quokkas"
	if _, err := db.ApplyBatch(t.Context(), Batch{Upserts: calls[10:], SeenRunID: 1}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(prefixCacheAge + time.Second)
	if n := count(); n != 2 {
		t.Errorf("quok* finds %d calls %v after a new word was indexed, want 2", n, prefixCacheAge)
	}
}
