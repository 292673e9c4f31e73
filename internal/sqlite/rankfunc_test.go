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
