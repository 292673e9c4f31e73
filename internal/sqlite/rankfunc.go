package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"gongconnector/internal/core"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// gc_rank(call_fts, handle) is BM25 as FTS5's bm25() computes it, with
// one difference: the inverse document frequency of each query term comes
// from the query (rankParams), not from FTS5. bm25() reads the whole
// doclist of every term once per statement to count the calls holding it:
// 40-60 ms for a common word at a million calls, paid even when a handful
// of matches are ranked. Our caller estimates those counts from the newest
// calls instead (see estimateIDF), and caches them.
//
// It is an FTS5 auxiliary function, registered on each connection through
// the fts5_api pointer, in the same C calling convention as gc_visible.

// rankParams is what gc_rank needs from the query: column weights, and per
// phrase of the MATCH expression (in the order they appear) its IDF.
type rankParams struct {
	weights []float64
	idf     []float64
	avgdl   float64 // mean tokens per call, all columns
	// matches estimates how many calls the query matches, from the same
	// counts (see estimateMatches); -1 for unknown.
	matches float64
}

// BM25 constants, as FTS5 uses them.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

var rankFuncName0 = mustCString("gc_rank")
var fts5Select0 = mustCString("SELECT fts5(?1)")
var fts5PtrType0 = mustCString("fts5_api_ptr")

func mustCString(s string) uintptr {
	p, err := libc.CString(s)
	if err != nil {
		panic(err)
	}
	return p
}

// registerRankFunc adds gc_rank to connection db.
func registerRankFunc(tls *libc.TLS, db uintptr) int32 {
	bp := tls.Alloc(16) // the statement, then the fts5_api pointer
	defer tls.Free(16)
	stmtp, apip := bp, bp+8
	*(*uintptr)(unsafe.Add(unsafe.Pointer(nil), stmtp)) = 0
	*(*uintptr)(unsafe.Add(unsafe.Pointer(nil), apip)) = 0
	if rc := sqlite3.Xsqlite3_prepare_v2(tls, db, fts5Select0, -1, stmtp, 0); rc != sqlite3.SQLITE_OK {
		return rc
	}
	stmt := *(*uintptr)(unsafe.Add(unsafe.Pointer(nil), stmtp))
	sqlite3.Xsqlite3_bind_pointer(tls, stmt, 1, apip, fts5PtrType0, 0)
	sqlite3.Xsqlite3_step(tls, stmt)
	if rc := sqlite3.Xsqlite3_finalize(tls, stmt); rc != sqlite3.SQLITE_OK {
		return rc
	}
	papi := *(*uintptr)(unsafe.Add(unsafe.Pointer(nil), apip))
	if papi == 0 {
		return sqlite3.SQLITE_ERROR // no FTS5 in this build
	}
	api := (*sqlite3.Tfts5_api)(unsafe.Add(unsafe.Pointer(nil), papi))
	create := *(*func(*libc.TLS, uintptr, uintptr, uintptr, uintptr, uintptr) int32)(unsafe.Pointer(&struct{ uintptr }{api.FxCreateFunction}))
	return create(tls, papi, rankFuncName0, 0, cFunc(rankFunc), 0)
}

// maxRankPhrases bounds the phrases gc_rank scores without allocating.
const maxRankPhrases = 64

// rankFunc is gc_rank's implementation.
func rankFunc(tls *libc.TLS, papi, pfts, pctx uintptr, nVal int32, apVal uintptr) {
	var p *rankParams
	if nVal >= 1 {
		arg := *(*uintptr)(unsafe.Add(unsafe.Pointer(nil), apVal))
		if sqlite3.Xsqlite3_value_type(tls, arg) == sqlite3.SQLITE_INTEGER {
			if h := sqlite3.Xsqlite3_value_int64(tls, arg); h >= 0 && h < maxConcurrentSearches {
				if f := visibleSets.slots[h].Load(); f != nil {
					if f.capRank && f.passed > int64(rankLimit) {
						sqlite3.Xsqlite3_result_null(tls, pctx)
						return
					}
					p = f.rank
				}
			}
		}
	}
	if p == nil || len(p.idf) > maxRankPhrases {
		sqlite3.Xsqlite3_result_double(tls, pctx, 0)
		return
	}
	api := (*sqlite3.TFts5ExtensionApi)(unsafe.Add(unsafe.Pointer(nil), papi))
	bp := tls.Alloc(16)
	defer tls.Free(16)
	i0 := (*int32)(unsafe.Add(unsafe.Pointer(nil), bp))
	i1 := (*int32)(unsafe.Add(unsafe.Pointer(nil), bp+4))

	instCount := *(*func(*libc.TLS, uintptr, uintptr) int32)(unsafe.Pointer(&struct{ uintptr }{api.FxInstCount}))
	inst := *(*func(*libc.TLS, uintptr, int32, uintptr, uintptr, uintptr) int32)(unsafe.Pointer(&struct{ uintptr }{api.FxInst}))
	columnSize := *(*func(*libc.TLS, uintptr, int32, uintptr) int32)(unsafe.Pointer(&struct{ uintptr }{api.FxColumnSize}))

	var freq [maxRankPhrases]float64
	if rc := instCount(tls, pfts, bp); rc != sqlite3.SQLITE_OK {
		sqlite3.Xsqlite3_result_error_code(tls, pctx, rc)
		return
	}
	n := *i0
	for i := int32(0); i < n; i++ {
		if rc := inst(tls, pfts, i, bp, bp+4, bp+8); rc != sqlite3.SQLITE_OK {
			sqlite3.Xsqlite3_result_error_code(tls, pctx, rc)
			return
		}
		phrase, col := *i0, *i1
		if phrase < 0 || int(phrase) >= len(p.idf) {
			continue
		}
		w := 1.0
		if col >= 0 && int(col) < len(p.weights) {
			w = p.weights[col]
		}
		freq[phrase] += w
	}
	if rc := columnSize(tls, pfts, -1, bp); rc != sqlite3.SQLITE_OK {
		sqlite3.Xsqlite3_result_error_code(tls, pctx, rc)
		return
	}
	d := float64(*i0)
	avgdl := p.avgdl
	if avgdl <= 0 {
		avgdl = 1
	}
	score := 0.0
	for i, idf := range p.idf {
		f := freq[i]
		score += idf * (f * (bm25K1 + 1)) / (f + bm25K1*(1-bm25B+bm25B*d/avgdl))
	}
	sqlite3.Xsqlite3_result_double(tls, pctx, -score)
}

// estimateMatches estimates how many of rows calls match all of groups,
// given how many match each: the rarest group's count, times the share of
// calls every other group matches, as if independent. Words that match
// together (those of one account name) are far from independent, so each
// share counts four times, and no more than every call: the estimate
// errs high. -1 without groups.
func estimateMatches(groups []float64, rows float64) float64 {
	if len(groups) == 0 || rows <= 0 {
		return -1
	}
	rarest := slices.Index(groups, slices.Min(groups))
	est := groups[rarest]
	for i, g := range groups {
		if i != rarest {
			est *= min(1, 4*g/rows)
		}
	}
	return est
}

// bm25IDF is FTS5's inverse document frequency of a phrase found in n of
// total calls: never zero or negative, so that a very common term still
// counts a little.
func bm25IDF(n, total float64) float64 {
	idf := math.Log((total - n + 0.5) / (n + 0.5))
	if idf <= 0 {
		idf = 1e-6
	}
	return idf
}

// ftsStats reads FTS5's averages record (rowid 1 of call_fts_data): the
// number of rows, then the number of tokens in each column, as SQLite
// varints. It returns the rows and the mean tokens per row.
func ftsStats(ctx context.Context, q querier) (rows int64, avgdl float64, err error) {
	var block []byte
	err = q.QueryRowContext(ctx, `SELECT block FROM call_fts_data WHERE id = 1`).Scan(&block)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil // an empty index
	}
	if err != nil {
		return 0, 0, fmt.Errorf("read full-text statistics: %w", err)
	}
	if len(block) == 0 {
		return 0, 0, nil // FTS5 writes an empty record for an empty index
	}
	n, k := sqliteVarint(block)
	if k == 0 {
		return 0, 0, fmt.Errorf("read full-text statistics: a malformed averages record")
	}
	block = block[k:]
	var tokens uint64
	for len(block) > 0 {
		v, k := sqliteVarint(block)
		if k == 0 {
			return 0, 0, fmt.Errorf("read full-text statistics: a malformed averages record")
		}
		tokens += v
		block = block[k:]
	}
	if n == 0 {
		return 0, 0, nil
	}
	return int64(n), float64(tokens) / float64(n), nil
}

// sqliteVarint decodes SQLite's varint: big-endian groups of 7 bits with
// the high bit set on all but the last, and a ninth byte of 8 bits. It
// returns the value and its length, 0 when b is too short.
func sqliteVarint(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < 9 && i < len(b); i++ {
		if i == 8 {
			return v<<8 | uint64(b[i]), 9
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}

// idfSample is how many of the newest calls a term's document frequency is
// counted in; the count is scaled to the whole index. Counting a common
// word there costs ~2 ms at any index size, where counting it everywhere
// costs 40-60 ms at a million calls. Term frequencies drift slowly, so the
// newest calls are a fair sample, and IDF is a logarithm: a 10% error in a
// count moves a score by a few percent at most.
var idfSample int64 = 50_000

// docFreqCache remembers estimated document frequencies by term, valid
// while the number of calls stays within 5% of what it was when counted.
type docFreqCache struct {
	mu sync.Mutex
	m  map[string]docFreq
}

type docFreq struct {
	docs float64
	rows int64
}

// maxDocFreqs bounds the cache; it is emptied when full.
const maxDocFreqs = 4096

// rankParams returns gc_rank's parameters for query p: the IDF of each
// phrase of matchExpr(p), in order, from estimated document frequencies.
func (db *DB) rankParams(ctx context.Context, q querier, p core.Parsed, c completions) (*rankParams, error) {
	rows, avgdl, err := ftsStats(ctx, q)
	if err != nil {
		return nil, err
	}
	params := &rankParams{weights: rankWeights, avgdl: avgdl}
	var maxRowid sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT max(rowid) FROM calls`).Scan(&maxRowid); err != nil {
		return nil, fmt.Errorf("rank: %w", err)
	}
	var groups []float64
	for _, g := range p.Groups {
		group := 0.0
		for _, t := range g {
			for _, e := range phraseExprs(t, c) {
				docs, err := db.docFreq(ctx, q, e, rows, maxRowid.Int64)
				if err != nil {
					return nil, err
				}
				group += docs
				params.idf = append(params.idf, bm25IDF(docs, float64(rows)))
			}
		}
		if group > 0 {
			groups = append(groups, min(group, float64(rows)))
		}
	}
	params.matches = estimateMatches(groups, float64(rows))
	// Excluded terms are phrases too, after the others; no match holds
	// them, so they weigh nothing.
	for _, t := range p.Excluded {
		for range phraseExprs(t, c) {
			params.idf = append(params.idf, 0)
		}
	}
	return params, nil
}

// docFreq estimates how many of rows calls hold the FTS5 expression expr.
func (db *DB) docFreq(ctx context.Context, q querier, expr string, rows, maxRowid int64) (float64, error) {
	c := &db.docFreqs
	c.mu.Lock()
	e, ok := c.m[expr]
	c.mu.Unlock()
	if ok && math.Abs(float64(e.rows-rows)) <= 0.05*float64(rows) {
		return e.docs, nil
	}
	from := max(maxRowid-idfSample, 0)
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM call_fts WHERE call_fts MATCH ?1 AND rowid > ?2`, expr, from).Scan(&n); err != nil {
		return 0, fmt.Errorf("rank: count %s: %w", expr, err)
	}
	docs := float64(n)
	if from > 0 {
		docs = min(max(docs*float64(rows)/float64(maxRowid-from), docs), float64(rows))
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxDocFreqs {
		c.m = map[string]docFreq{}
	}
	c.m[expr] = docFreq{docs: docs, rows: rows}
	c.mu.Unlock()
	return docs, nil
}
