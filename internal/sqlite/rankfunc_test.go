package sqlite

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"gongconnector/internal/core"
)

// TestRankFunctionIsBM25: given the exact document frequencies, gc_rank
// scores every match as FTS5's bm25() does, for one or several terms,
// prefixes, phrases, fields and column weights.
func TestRankFunctionIsBM25(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	if _, err := db.ApplyBatch(ctx, Batch{Upserts: newGen(9).calls(0, 300), SeenRunID: 1}); err != nil {
		t.Fatal(err)
	}
	rows, avgdl, err := ftsStats(ctx, db.r)
	if err != nil || rows != 300 {
		t.Fatalf("ftsStats = %d rows, %v", rows, err)
	}
	var weights []float64
	for _, w := range strings.Split(bm25Weights, ",") {
		f, _ := strconv.ParseFloat(strings.TrimSpace(w), 64)
		weights = append(weights, f)
	}
	for _, text := range []string{"pricing", "security timeline", "acct0*", `"next steps" budget`, "account:acct0* pricing", "pricing OR legal"} {
		p := core.ParseQuery(text, nil)
		match := matchExpr(p)
		var idf []float64
		for _, g := range p.Groups {
			for _, term := range g {
				var n float64
				if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM call_fts WHERE call_fts MATCH ?`, termExpr(term)).Scan(&n); err != nil {
					t.Fatal(err)
				}
				idf = append(idf, bm25IDF(n, float64(rows)))
			}
		}
		h, done := registerVisible(&rowFilter{rank: &rankParams{weights: weights, idf: idf, avgdl: avgdl}})
		got := map[int64]float64{}
		want := map[int64]float64{}
		r, err := db.r.QueryContext(ctx, `SELECT rowid, gc_rank(call_fts, ?2), bm25(call_fts, `+bm25Weights+`) FROM call_fts WHERE call_fts MATCH ?1`, match, h)
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
			var rowid int64
			var g, w float64
			if err := r.Scan(&rowid, &g, &w); err != nil {
				t.Fatal(err)
			}
			got[rowid], want[rowid] = g, w
		}
		r.Close()
		done()
		if len(want) == 0 {
			t.Errorf("%q matches nothing: a useless case", text)
		}
		for rowid, w := range want {
			if math.Abs(got[rowid]-w) > 1e-9*math.Max(1, math.Abs(w)) {
				t.Errorf("%q, call %d: gc_rank %.12f, bm25 %.12f", text, rowid, got[rowid], w)
			}
		}
	}
}

func TestSQLiteVarint(t *testing.T) {
	for _, tt := range []struct {
		b    []byte
		want uint64
		n    int
	}{
		{[]byte{0x05}, 5, 1},
		{[]byte{0x81, 0x00}, 128, 2},
		{[]byte{0xff, 0x7f}, 16383, 2},
		{[]byte{0x81, 0x80, 0x00}, 16384, 3},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, math.MaxUint64, 9},
		{[]byte{0x81}, 0, 0},
		{nil, 0, 0},
	} {
		if v, n := sqliteVarint(tt.b); v != tt.want || n != tt.n {
			t.Errorf("sqliteVarint(% x) = %d, %d; want %d, %d", tt.b, v, n, tt.want, tt.n)
		}
	}
}

// TestDocFreqEstimate: counted in the newest calls only, a term's document
// frequency scales to within a quarter of the exact count, and the
// estimate is cached until the index grows by more than 5%.
func TestDocFreqEstimate(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	if _, err := db.ApplyBatch(ctx, Batch{Upserts: newGen(4).calls(0, 1200), SeenRunID: 1}); err != nil {
		t.Fatal(err)
	}
	defer func(n int64) { idfSample = n }(idfSample)
	idfSample = 300
	rows, _, err := ftsStats(ctx, db.r)
	if err != nil {
		t.Fatal(err)
	}
	for _, word := range []string{"pricing", "security", "timeline", "budget"} {
		expr := termExpr(core.Term{Words: []string{word}})
		var exact float64
		if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM call_fts WHERE call_fts MATCH ?`, expr).Scan(&exact); err != nil {
			t.Fatal(err)
		}
		est, err := db.docFreq(ctx, db.r, expr, rows, 1200)
		if err != nil {
			t.Fatal(err)
		}
		if exact < 50 || math.Abs(est-exact) > 0.25*exact {
			t.Errorf("%s: estimated %.0f of %d calls, exact %.0f", word, est, rows, exact)
		}
		// Cached: a different answer for the same term means it was not.
		db.docFreqs.mu.Lock()
		db.docFreqs.m[expr] = docFreq{docs: 7, rows: rows}
		db.docFreqs.mu.Unlock()
		if again, _ := db.docFreq(ctx, db.r, expr, rows+rows/25, 1200); again != 7 {
			t.Errorf("%s: not cached within 5%% growth (%v)", word, again)
		}
		if again, _ := db.docFreq(ctx, db.r, expr, rows+rows/10, 1200); again == 7 {
			t.Errorf("%s: cached past 5%% growth", word)
		}
	}
}
