package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"

	"gongconnector/internal/core"
)

// Security trimming. A caller's core.Visibility (workspaces seen in full,
// and per workspace the participants whose calls are seen) becomes a bitmap
// of the call rowids they may see. Every search query tests each match
// against it with gc_visible(handle, rowid) inside SQLite, before counting,
// ranking and snippets, so a hidden call is never scored, counted or read.
//
// Why a bitmap and a function rather than SQL: an EXISTS over the
// participants costs about a microsecond per match, `rowid IN (...)` makes
// SQLite re-run the full-text match once per allowed call (~100 µs each at
// a million calls), while the function adds 10-20 ns to the ~50 ns FTS5
// spends per match (see visiblefunc.go).
// The bitmap is derived from the index, never stored: a permission change
// takes effect with the next query.

// bitmap is a set of call rowids.
type bitmap []uint64

// visibleSet is a caller's bitmap; full when it holds every call, so that
// the query needs no filter at all.
type visibleSet struct {
	bits  bitmap
	n     int // calls in bits
	calls int // calls in the index
	full  bool
	// key identifies the visibility, generation the calls it was built on.
	key        [32]byte
	generation int64
}

func (b bitmap) has(rowid int64) bool {
	i := uint64(rowid) >> 6
	return i < uint64(len(b)) && b[i]&(1<<(uint64(rowid)&63)) != 0
}

func (b bitmap) set(rowid int64) {
	if i := uint64(rowid) >> 6; i < uint64(len(b)) {
		b[i] |= 1 << (uint64(rowid) & 63)
	}
}

func (b bitmap) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// visibleSets holds the bitmaps of the queries running now, in slots
// addressed by handle. It is package state because SQLite functions are
// registered with the driver, once per process, not per DB. gc_visible runs
// once per match, so a lookup is one atomic load, not a map access.
var visibleSets struct {
	mu    sync.Mutex
	free  []int64
	slots [maxConcurrentSearches]atomic.Pointer[rowFilter]
}

// maxConcurrentSearches bounds the trimmed searches running at once in one
// process; more wait for a slot.
const maxConcurrentSearches = 256

var slotFreed = sync.NewCond(&visibleSets.mu)

func init() {
	for i := maxConcurrentSearches - 1; i >= 0; i-- {
		visibleSets.free = append(visibleSets.free, int64(i))
	}
	registerVisibleFunc()
}

// visibleIn reports whether the filter registered under handle h allows
// rowid; false for a handle with no filter.
func visibleIn(h, rowid int64) bool {
	if h < 0 || h >= maxConcurrentSearches {
		return false
	}
	f := visibleSets.slots[h].Load()
	if f == nil {
		return false
	}
	f.seen++
	if f.low == 0 || rowid < f.low {
		f.low = rowid
	}
	if !f.allows(rowid) {
		return false
	}
	f.passed++
	return true
}

// rowFilter is what one query may return: the caller's visible calls (bits;
// nil for every call) narrowed by the query's filters on workspace and
// start time, which read the calls' columns held in memory.
type rowFilter struct {
	bits       bitmap
	cols       *callMeta
	workspaces []bool      // by workspace index; nil for any workspace
	from, to   int64       // unix seconds, [from, to); 0 for no bound
	rank       *rankParams // for gc_rank; nil ranks every match 0
	share      float64     // the share of all calls bits allows
	visible    visibleSet  // the caller's set; zero for every call
	// capRank: gc_rank ranks only the first rankLimit rows gc_visible
	// allows, and gives the rest no score (NULL).
	capRank bool

	// seen, passed and low count what gc_visible was asked since the last
	// reset: rows, rows allowed, the lowest rowid (0 for none). A query
	// that reads a window of matches learns its size from them without
	// storing it. Only the goroutine running the query calls gc_visible.
	seen, passed, low int64
}

func (f *rowFilter) resetCounts() { f.seen, f.passed, f.low = 0, 0, 0 }

func (f *rowFilter) allows(rowid int64) bool {
	if f.bits != nil && !f.bits.has(rowid) {
		return false
	}
	if f.workspaces == nil && f.from == 0 && f.to == 0 {
		return true
	}
	w := f.cols.of(rowid)
	if w < 0 {
		return false
	}
	if f.workspaces != nil && !f.workspaces[w] {
		return false
	}
	started := f.cols.started[rowid]
	return (f.from == 0 || started >= f.from) && (f.to == 0 || started < f.to)
}

// narrowed reports whether f restricts anything beyond the visible set.
func (f *rowFilter) narrowed() bool { return f.workspaces != nil || f.from != 0 || f.to != 0 }

// registerVisible makes f available to gc_visible until the returned
// function is called.
func registerVisible(f *rowFilter) (handle int64, done func()) {
	visibleSets.mu.Lock()
	for len(visibleSets.free) == 0 {
		slotFreed.Wait()
	}
	h := visibleSets.free[len(visibleSets.free)-1]
	visibleSets.free = visibleSets.free[:len(visibleSets.free)-1]
	visibleSets.mu.Unlock()
	visibleSets.slots[h].Store(f)
	return h, func() {
		visibleSets.slots[h].Store(nil)
		visibleSets.mu.Lock()
		visibleSets.free = append(visibleSets.free, h)
		visibleSets.mu.Unlock()
		slotFreed.Signal()
	}
}

// visibleCache remembers the bitmaps of recent callers and the calls'
// columns, both valid for one generation of the calls.
type visibleCache struct {
	mu         sync.Mutex
	generation int64
	cols       *callMeta
	sets       map[[32]byte]visibleSet
	order      [][32]byte // oldest first
}

// maxCachedSets bounds the cache: each set is a bit per call (125 KB at a
// million calls).
const maxCachedSets = 64

// callMeta holds the workspace and start of every call, by rowid: what
// trimming and the workspace and date filters test for each match (12 bytes
// a call).
type callMeta struct {
	ids     []string         // workspace ids by index
	index   map[string]int32 // workspace id → index
	byCall  []int32          // rowid → workspace index, -1 for no call
	started []int64          // rowid → start, unix seconds
	calls   int
}

func (w *callMeta) of(rowid int64) int32 {
	if rowid < 0 || rowid >= int64(len(w.byCall)) {
		return -1
	}
	return w.byCall[rowid]
}

// querier is a read transaction (or the read pool).
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// generation returns the calls' change counter.
func generation(ctx context.Context, q querier) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT n FROM calls_generation WHERE id = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("read calls generation: %w", err)
	}
	return n, nil
}

// read runs fn in one read transaction: every query in it sees the same
// state of the index.
func (db *DB) read(ctx context.Context, fn func(tx *readTx) error) error {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to undo
	return fn(&readTx{Tx: tx, db: db})
}

// readTx is a read transaction whose queries are prepared once per
// connection: parsing a search's statements costs about a fifth of a
// short search. With db nil (a replica's), each query is prepared anew.
type readTx struct {
	*sql.Tx
	db *DB
	// rows, on a replica's transaction, is the index's: where the calls'
	// text is read.
	rows *readTx
}

func (tx *readTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if tx.db != nil {
		if s := tx.db.prepared(query); s != nil {
			return tx.StmtContext(ctx, s).QueryContext(ctx, args...)
		}
	}
	return tx.Tx.QueryContext(ctx, query, args...)
}

func (tx *readTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if tx.db != nil {
		if s := tx.db.prepared(query); s != nil {
			return tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
		}
	}
	return tx.Tx.QueryRowContext(ctx, query, args...)
}

// maxPrepared bounds the cache of prepared read statements; searches use a
// few dozen distinct texts.
const maxPrepared = 256

// prepared returns the read statement for query once it is prepared on
// the read pool (database/sql then keeps one per connection), or nil.
//
// A missing statement is prepared in the background: preparing on the pool
// needs a connection, and the caller already holds one in its transaction;
// with every connection held by callers waiting for another, it would wait
// forever.
func (db *DB) prepared(query string) *sql.Stmt {
	db.stmtsMu.Lock()
	defer db.stmtsMu.Unlock()
	s, ok := db.stmts[query]
	if ok || db.closed {
		return s // nil while it is being prepared
	}
	if db.stmts == nil || len(db.stmts) >= maxPrepared {
		for _, old := range db.stmts {
			if old != nil {
				old.Close()
			}
		}
		db.stmts = map[string]*sql.Stmt{}
	}
	db.stmts[query] = nil
	db.preparing.Go(func() {
		s, err := db.r.PrepareContext(context.Background(), query)
		db.stmtsMu.Lock()
		defer db.stmtsMu.Unlock()
		if cur, ok := db.stmts[query]; err != nil || !ok || cur != nil || db.closed {
			if err == nil {
				s.Close()
			}
			if err != nil {
				delete(db.stmts, query) // try again next time
			}
			return
		}
		db.stmts[query] = s
	})
	return nil
}

func bumpGeneration(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE calls_generation SET n = n + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("bump calls generation: %w", err)
	}
	return nil
}

// visibleBitmap returns the rowids v may see, from the cache when the calls
// have not changed since it was built. q must be the read transaction the
// bitmap is then used in: a bitmap is only valid for the calls of its
// generation (a rowid freed by a deletion can be given to a new call).
func (db *DB) visibleBitmap(ctx context.Context, q querier, v *core.Visibility) (visibleSet, error) {
	gen, err := generation(ctx, q)
	if err != nil {
		return visibleSet{}, err
	}
	key, err := visibilityKey(v)
	if err != nil {
		return visibleSet{}, err
	}
	c := &db.visible
	c.mu.Lock()
	if gen > c.generation {
		c.generation, c.cols, c.sets, c.order = gen, nil, map[[32]byte]visibleSet{}, nil
	}
	if b, ok := c.sets[key]; ok && gen == c.generation {
		c.mu.Unlock()
		return b, nil
	}
	c.mu.Unlock()

	ws, err := db.callMeta(ctx, q, gen)
	if err != nil {
		return visibleSet{}, err
	}
	bits, err := buildBitmap(ctx, q, v, ws)
	if err != nil {
		return visibleSet{}, err
	}
	n := bits.count()
	b := visibleSet{bits: bits, n: n, calls: ws.calls, full: n == ws.calls, key: key, generation: gen}

	c.mu.Lock()
	defer c.mu.Unlock()
	// The cache may have moved to a newer generation meanwhile; this bitmap
	// still serves this transaction, which sees generation gen.
	if c.generation == gen {
		if _, ok := c.sets[key]; !ok {
			if len(c.order) >= maxCachedSets {
				delete(c.sets, c.order[0])
				c.order = c.order[1:]
			}
			c.sets[key] = b
			c.order = append(c.order, key)
		}
	}
	return b, nil
}

func visibilityKey(v *core.Visibility) ([32]byte, error) {
	norm := core.Visibility{Workspaces: slices.Sorted(slices.Values(v.Workspaces)), Participants: map[string][]string{}}
	for ws, keys := range v.Participants {
		if len(keys) > 0 {
			norm.Participants[ws] = slices.Sorted(slices.Values(keys))
		}
	}
	b, err := json.Marshal(norm) // map keys are sorted by encoding/json
	if err != nil {
		return [32]byte{}, fmt.Errorf("visibility key: %w", err)
	}
	return sha256.Sum256(b), nil
}

// callMeta returns the calls' columns for generation gen, which q
// sees, from the cache or loaded.
func (db *DB) callMeta(ctx context.Context, q querier, gen int64) (*callMeta, error) {
	c := &db.visible
	c.mu.Lock()
	if c.generation == gen && c.cols != nil {
		cols := c.cols
		c.mu.Unlock()
		return cols, nil
	}
	c.mu.Unlock()
	cols, err := loadCallMeta(ctx, q)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// Generations only grow: an older transaction's columns serve it alone.
	if gen > c.generation {
		c.generation, c.sets, c.order = gen, map[[32]byte]visibleSet{}, nil
	}
	if gen == c.generation {
		c.cols = cols
	}
	return cols, nil
}

func loadCallMeta(ctx context.Context, q querier) (*callMeta, error) {
	var maxRowid sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT max(rowid) FROM calls`).Scan(&maxRowid); err != nil {
		return nil, fmt.Errorf("load call workspaces: %w", err)
	}
	w := &callMeta{index: map[string]int32{}, byCall: make([]int32, maxRowid.Int64+1), started: make([]int64, maxRowid.Int64+1)}
	for i := range w.byCall {
		w.byCall[i] = -1
	}
	// The (workspace_id, started) index holds every rowid: a covering scan.
	rows, err := q.QueryContext(ctx, `SELECT workspace_id, rowid, started FROM calls INDEXED BY calls_workspace_started`)
	if err != nil {
		return nil, fmt.Errorf("load call workspaces: %w", err)
	}
	defer rows.Close()
	var ws string
	var rowid, started int64
	cur := int32(-1)
	for rows.Next() {
		if err := rows.Scan(&ws, &rowid, &started); err != nil {
			return nil, fmt.Errorf("load call workspaces: %w", err)
		}
		if cur < 0 || w.ids[cur] != ws {
			i, ok := w.index[ws]
			if !ok {
				i = int32(len(w.ids))
				w.ids = append(w.ids, ws)
				w.index[ws] = i
			}
			cur = i
		}
		if rowid >= 0 && rowid < int64(len(w.byCall)) {
			w.byCall[rowid] = cur
			w.started[rowid] = started
			w.calls++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load call workspaces: %w", err)
	}
	return w, nil
}

func buildBitmap(ctx context.Context, q querier, v *core.Visibility, ws *callMeta) (bitmap, error) {
	b := make(bitmap, len(ws.byCall)/64+1)
	full := map[int32]bool{}
	for _, id := range v.Workspaces {
		if i, ok := ws.index[id]; ok {
			full[i] = true
		}
	}
	if len(full) > 0 {
		for rowid, i := range ws.byCall {
			if i >= 0 && full[i] {
				b.set(int64(rowid))
			}
		}
	}
	for id, keys := range v.Participants {
		wi, ok := ws.index[id]
		if !ok || full[wi] || len(keys) == 0 {
			continue
		}
		keysJSON, err := json.Marshal(keys)
		if err != nil {
			return nil, fmt.Errorf("visible calls: %w", err)
		}
		rows, err := q.QueryContext(ctx, `SELECT cp.call_rowid FROM principals p
			JOIN call_participants cp ON cp.principal = p.id
			WHERE p.key IN (SELECT value FROM json_each(?))`, string(keysJSON))
		if err != nil {
			return nil, fmt.Errorf("visible calls: %w", err)
		}
		var rowid int64
		for rows.Next() {
			if err := rows.Scan(&rowid); err != nil {
				rows.Close()
				return nil, fmt.Errorf("visible calls: %w", err)
			}
			if ws.of(rowid) == wi {
				b.set(rowid)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("visible calls: %w", err)
		}
	}
	return b, nil
}

// CountVisible returns how many indexed calls v may see.
func (db *DB) CountVisible(ctx context.Context, v core.Visibility) (int, error) {
	if v.Everything {
		return db.CountCalls(ctx)
	}
	if v.Nothing() {
		return 0, nil
	}
	var n int
	err := db.read(ctx, func(tx *readTx) error {
		b, err := db.visibleBitmap(ctx, tx, &v)
		n = b.n
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: count visible calls: %w", err)
	}
	return n, nil
}
