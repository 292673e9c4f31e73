package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gongconnector/internal/core"
	"gongconnector/internal/search"
)

// Batch is one unit of a crawl's writes (core.Batch), applied in a single
// transaction so a killed process never keeps a checkpoint without its calls
// or calls without their checkpoint.
type Batch = core.Batch

// BatchResult counts what a batch did.
type BatchResult = core.BatchResult

const callColumns = `id, workspace_id, title, url, started, duration_sec, primary_user_id, direction,
	scope, system, language, media, purpose, accounts, deals, people, brief, key_points,
	action_items, topics, trackers, detail, content_hash, has_content, last_seen_run, indexed_at, principals`

const insertCall = `INSERT INTO calls (` + callColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

const updateCall = `UPDATE calls SET id = ?, workspace_id = ?, title = ?, url = ?, started = ?,
	duration_sec = ?, primary_user_id = ?, direction = ?, scope = ?, system = ?, language = ?,
	media = ?, purpose = ?, accounts = ?, deals = ?, people = ?, brief = ?, key_points = ?,
	action_items = ?, topics = ?, trackers = ?, detail = ?, content_hash = ?, has_content = ?,
	last_seen_run = ?, indexed_at = ?, principals = ? WHERE rowid = ?`

// stored is what a batch needs to know about a call already in the index.
type stored struct {
	rowid      int64
	hash       string
	principals string // JSON array of principal ids
}

// ApplyBatch stores a crawl batch in one transaction: new calls are
// inserted, changed calls (by content hash) rewritten in place, unchanged
// calls only marked as seen, removals deleted. In the same transaction it
// adds the result to b.Run's Added, Updated and Deleted and writes b.Run
// (UpdateRun semantics), and adds b's API usage to today's (UTC). b.Run is
// updated in place only when the batch is committed.
func (db *DB) ApplyBatch(ctx context.Context, b Batch) (BatchResult, error) {
	var res BatchResult
	type prepared struct {
		call *core.Call
		hash string
		rec  search.Document
		err  error
	}
	calls := make([]prepared, 0, len(b.Upserts))
	ids := make([]string, 0, len(b.Upserts))
	hashed := len(b.Hashes) == len(b.Upserts)
	for i, c := range b.Upserts {
		if c != nil {
			p := prepared{call: c}
			if hashed {
				p.hash = b.Hashes[i]
			}
			calls = append(calls, p)
			ids = append(ids, c.ID)
		}
	}
	if !hashed {
		// Spread the hashing over the cores, before taking the write lock.
		parallel(len(calls), func(i int) { calls[i].hash = calls[i].call.Hash() })
	}
	idsJSON, err := json.Marshal(ids)
	if err != nil {
		return res, fmt.Errorf("sqlite: apply batch: %w", err)
	}
	now := db.now()

	db.principalsMu.Lock()
	defer db.principalsMu.Unlock()
	var committed map[string]int64 // principals this batch added
	err = db.write(ctx, func(tx *sql.Tx) error {
		known := make(map[string]stored, len(ids))
		rows, err := tx.QueryContext(ctx, `SELECT id, rowid, content_hash, principals FROM calls
			WHERE id IN (SELECT value FROM json_each(?))`, string(idsJSON))
		if err != nil {
			return fmt.Errorf("look up calls: %w", err)
		}
		for rows.Next() {
			var id string
			var s stored
			if err := rows.Scan(&id, &s.rowid, &s.hash, &s.principals); err != nil {
				rows.Close()
				return fmt.Errorf("look up calls: %w", err)
			}
			known[id] = s
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("look up calls: %w", err)
		}

		// Encode the new and changed calls, again over the cores.
		var changed []int
		for i, p := range calls {
			if old, ok := known[p.call.ID]; !ok || old.hash != p.hash {
				changed = append(changed, i)
			}
		}
		parallel(len(changed), func(j int) {
			p := &calls[changed[j]]
			p.rec, p.err = search.EncodeCall(p.call)
		})

		w := batchWriter{ctx: ctx, tx: tx, db: db, participants: map[int64][]int64{}, names: nameDeltas{}}
		defer w.close()

		var unchanged []int64
		for i := range calls {
			p := &calls[i]
			c := p.call
			old, exists := known[c.ID]
			if exists && old.hash == p.hash {
				unchanged = append(unchanged, old.rowid)
				res.Unchanged++
				continue
			}
			rec := &p.rec
			if p.err != nil {
				return fmt.Errorf("encode call %s: %w", c.ID, p.err)
			}
			if rec.Detail == nil {
				// Listed twice in this batch, unchanged the first time.
				if *rec, err = search.EncodeCall(c); err != nil {
					return fmt.Errorf("encode call %s: %w", c.ID, err)
				}
			}
			pids, pidsJSON, err := w.principalIDs(c.ParticipantKeys())
			if err != nil {
				return fmt.Errorf("store call %s: %w", c.ID, err)
			}
			row := []any{c.ID, c.WorkspaceID, rec.Title, c.URL, c.Started.Unix(), int64(c.Duration / time.Second),
				c.PrimaryUserID, c.Direction, c.Scope, c.System, c.Language, c.Media, c.Purpose,
				rec.Accounts, rec.Deals, rec.People, rec.Brief, rec.KeyPoints, rec.ActionItems, rec.Topics, rec.Trackers,
				rec.Detail, p.hash, c.HasContent(), b.SeenRunID, now.Unix(), pidsJSON}
			rowid := old.rowid
			if exists {
				if err := w.update(rowid, old.principals, row, rec.Text()); err != nil {
					return fmt.Errorf("store call %s: %w", c.ID, err)
				}
				res.Updated++
			} else {
				if rowid, err = w.insert(row, rec.Text()); err != nil {
					return fmt.Errorf("store call %s: %w", c.ID, err)
				}
				res.Added++
			}
			// A call listed twice in one batch is unchanged or updated the second time.
			known[c.ID] = stored{rowid: rowid, hash: p.hash, principals: pidsJSON}
			w.participants[rowid] = pids
		}
		if err := w.flush(); err != nil {
			return err
		}
		committed = w.newPrincipals
		if len(unchanged) > 0 {
			rowids, _ := json.Marshal(unchanged)
			if _, err := tx.ExecContext(ctx, `UPDATE calls SET last_seen_run = ?
				WHERE rowid IN (SELECT value FROM json_each(?)) AND last_seen_run <> ?`,
				b.SeenRunID, string(rowids), b.SeenRunID); err != nil {
				return fmt.Errorf("mark calls seen: %w", err)
			}
		}
		if len(b.Removals) > 0 {
			removals, _ := json.Marshal(b.Removals)
			n, err := deleteWhere(ctx, tx, ` WHERE id IN (SELECT value FROM json_each(?))`, string(removals))
			if err != nil {
				return fmt.Errorf("remove calls: %w", err)
			}
			res.Removed = n
		}
		if res.Added+res.Updated+res.Removed > 0 {
			if err := bumpGeneration(ctx, tx); err != nil {
				return err
			}
		}
		if b.APIRequests != 0 || b.RateLimited != 0 {
			if err := addUsage(ctx, tx, now, b.APIRequests, b.RateLimited); err != nil {
				return err
			}
		}
		if b.Run != nil {
			run := *b.Run
			run.Added += res.Added
			run.Updated += res.Updated
			run.Deleted += res.Removed
			if err := updateRun(ctx, tx, run); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return BatchResult{}, fmt.Errorf("sqlite: apply batch: %w", err)
	}
	maps.Copy(db.principals, committed)
	if b.Run != nil {
		b.Run.Added += res.Added
		b.Run.Updated += res.Updated
		b.Run.Deleted += res.Removed
	}
	return res, nil
}

// batchWriter writes the changed calls of one batch. It prepares each
// statement once per batch and writes participants and index entries last,
// in bulk.
//
// Statement savepoints are avoided on purpose: FTS5 flushes its pending terms
// to a new segment at every savepoint, so a statement with a savepoint (a
// trigger, an INSERT ... SELECT) after the first index write would cut the
// batch into tiny segments and leave FTS5 merging them.
type batchWriter struct {
	ctx   context.Context
	tx    *sql.Tx
	db    *DB
	stmts map[string]*sql.Stmt
	// fts are the pending index writes, in order: ftsDelete or ftsInsert
	// followed by the rowid and the text.
	fts [][]any
	// participants are the principal ids of the inserted and updated calls,
	// by rowid; replaced are the updated calls' rowids with their former
	// principal ids (JSON).
	participants map[int64][]int64
	replaced     []replacedCall
	// newPrincipals are principals added in this transaction; they join the
	// DB's cache only if it commits.
	newPrincipals map[string]int64
	// names are the changes to the counts of account and deal names.
	names nameDeltas
}

type replacedCall struct {
	rowid      int64
	principals string
}

// principalIDs maps participant keys to principal ids, adding unknown keys,
// and returns the ids and their JSON for the call row.
func (w *batchWriter) principalIDs(keys []string) ([]int64, string, error) {
	if w.db.principals == nil {
		cache := map[string]int64{}
		rows, err := w.tx.QueryContext(w.ctx, `SELECT id, key FROM principals`)
		if err != nil {
			return nil, "", fmt.Errorf("load principals: %w", err)
		}
		for rows.Next() {
			var id int64
			var key string
			if err := rows.Scan(&id, &key); err != nil {
				rows.Close()
				return nil, "", fmt.Errorf("load principals: %w", err)
			}
			cache[key] = id
		}
		if err := rows.Close(); err != nil {
			return nil, "", fmt.Errorf("load principals: %w", err)
		}
		w.db.principals = cache
	}
	ids := make([]int64, 0, len(keys))
	for _, k := range keys {
		id, ok := w.db.principals[k]
		if !ok {
			id, ok = w.newPrincipals[k]
		}
		if !ok {
			// Another process may have added it since the cache was loaded:
			// then the existing id comes back.
			s, err := w.stmt(`INSERT INTO principals (key) VALUES (?)
				ON CONFLICT (key) DO UPDATE SET key = excluded.key RETURNING id`)
			if err != nil {
				return nil, "", fmt.Errorf("add principal: %w", err)
			}
			if err := s.QueryRowContext(w.ctx, k).Scan(&id); err != nil {
				return nil, "", fmt.Errorf("add principal: %w", err)
			}
			if w.newPrincipals == nil {
				w.newPrincipals = map[string]int64{}
			}
			w.newPrincipals[k] = id
		}
		ids = append(ids, id)
	}
	b := make([]byte, 0, 8*len(ids)+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return ids, string(append(b, ']')), nil
}

const (
	ftsColumns = `title, accounts, deals, people, brief, key_points, action_items, topics, trackers`
	ftsInsert  = `INSERT INTO call_fts (rowid, ` + ftsColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// External content: FTS5 removes a row given the exact values it indexed.
	ftsDelete  = `INSERT INTO call_fts (call_fts, rowid, ` + ftsColumns + `) VALUES ('delete', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	selectText = `SELECT ` + ftsColumns + ` FROM calls WHERE rowid = ?`
)

func (w *batchWriter) stmt(query string) (*sql.Stmt, error) {
	if s, ok := w.stmts[query]; ok {
		return s, nil
	}
	s, err := w.tx.PrepareContext(w.ctx, query)
	if err != nil {
		return nil, err
	}
	if w.stmts == nil {
		w.stmts = map[string]*sql.Stmt{}
	}
	w.stmts[query] = s
	return s, nil
}

func (w *batchWriter) exec(query string, args ...any) (sql.Result, error) {
	s, err := w.stmt(query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(w.ctx, args...)
}

func (w *batchWriter) close() {
	for _, s := range w.stmts {
		s.Close()
	}
}

func (w *batchWriter) queueFTS(query string, rowid int64, text [9]string) {
	args := make([]any, 0, 11)
	args = append(args, query, rowid)
	for _, t := range text {
		args = append(args, t)
	}
	w.fts = append(w.fts, args)
}

// insert stores a new call and returns its rowid.
func (w *batchWriter) insert(row []any, text [9]string) (int64, error) {
	r, err := w.exec(insertCall, row...)
	if err != nil {
		return 0, err
	}
	rowid, err := r.LastInsertId()
	if err != nil {
		return 0, err
	}
	w.queueFTS(ftsInsert, rowid, text)
	w.names.add(text[1], text[2], 1)
	return rowid, nil
}

// update rewrites a stored call in place; its index entry is replaced only
// when its text changed.
func (w *batchWriter) update(rowid int64, oldPrincipals string, row []any, text [9]string) error {
	s, err := w.stmt(selectText)
	if err != nil {
		return err
	}
	var old [9]string
	if err := s.QueryRowContext(w.ctx, rowid).Scan(&old[0], &old[1], &old[2], &old[3], &old[4],
		&old[5], &old[6], &old[7], &old[8]); err != nil {
		return fmt.Errorf("read indexed text: %w", err)
	}
	if _, err := w.exec(updateCall, append(row, rowid)...); err != nil {
		return err
	}
	if old != text {
		w.queueFTS(ftsDelete, rowid, old)
		w.queueFTS(ftsInsert, rowid, text)
		w.names.add(old[1], old[2], -1)
		w.names.add(text[1], text[2], 1)
	}
	w.replaced = append(w.replaced, replacedCall{rowid, oldPrincipals})
	return nil
}

// participantsPerInsert is how many participant rows one statement inserts.
const participantsPerInsert = 64

// insertParticipants returns the statement inserting n participant rows.
// OR IGNORE also spares the statement a savepoint: nothing can abort it.
func insertParticipants(n int) string {
	return `INSERT OR IGNORE INTO call_participants (principal, call_rowid) VALUES (?, ?)` +
		strings.Repeat(", (?, ?)", n-1)
}

// flush writes the queued participants and index entries.
func (w *batchWriter) flush() error {
	for _, r := range w.replaced {
		if _, err := w.exec(`DELETE FROM call_participants
			WHERE call_rowid = ? AND principal IN (SELECT value FROM json_each(?))`, r.rowid, r.principals); err != nil {
			return fmt.Errorf("replace participants: %w", err)
		}
	}
	if len(w.participants) > 0 {
		// One statement for the whole batch, before the first index write
		// (see batchWriter).
		// In primary-key order, so the B-tree takes them as one sweep.
		pairs := make([][2]int64, 0, 8*len(w.participants))
		for rowid, ids := range w.participants {
			for _, id := range ids {
				pairs = append(pairs, [2]int64{id, rowid})
			}
		}
		slices.SortFunc(pairs, func(a, b [2]int64) int {
			if c := cmp.Compare(a[0], b[0]); c != 0 {
				return c
			}
			return cmp.Compare(a[1], b[1])
		})
		args := make([]any, 0, 2*len(pairs))
		for _, p := range pairs {
			args = append(args, p[0], p[1])
		}
		for len(args) > 0 {
			n := min(len(args), 2*participantsPerInsert)
			if _, err := w.exec(insertParticipants(n/2), args[:n]...); err != nil {
				return fmt.Errorf("store participants: %w", err)
			}
			args = args[n:]
		}
	}
	// Before the index writes (see batchWriter).
	if err := w.names.apply(w.ctx, w.tx); err != nil {
		return err
	}
	for _, op := range w.fts {
		if _, err := w.exec(op[0].(string), op[1:]...); err != nil {
			return fmt.Errorf("index call %d: %w", op[1], err)
		}
	}
	return nil
}

// parallel calls fn(i) for i in [0, n), spread over GOMAXPROCS goroutines
// when n is large enough to pay for them.
func parallel(n int, fn func(i int)) {
	const minPerWorker = 32
	workers := min(runtime.GOMAXPROCS(0), n/minPerWorker)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		})
	}
	wg.Wait()
}

// Sweep selects the calls a complete listing did not see (core.Sweep):
// last seen by a run older than RunID, started in [From, To) (a zero time is
// no bound), in Workspaces (empty: any).
type Sweep = core.Sweep

func sweepWhere(s Sweep) (string, []any) {
	conds := []string{"last_seen_run < ?"}
	args := []any{s.RunID}
	if !s.From.IsZero() {
		conds = append(conds, "started >= ?")
		args = append(args, s.From.Unix())
	}
	if !s.To.IsZero() {
		conds = append(conds, "started < ?")
		args = append(args, s.To.Unix())
	}
	if len(s.Workspaces) > 0 {
		conds = append(conds, "workspace_id IN (?"+strings.Repeat(", ?", len(s.Workspaces)-1)+")")
		for _, w := range s.Workspaces {
			args = append(args, w)
		}
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// CountUnseen counts the calls the sweep selects.
func (db *DB) CountUnseen(ctx context.Context, s Sweep) (int, error) {
	where, args := sweepWhere(s)
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM calls"+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count unseen calls: %w", err)
	}
	return n, nil
}

// DeleteUnseen deletes the calls the sweep selects, in one transaction, and
// returns how many it deleted.
func (db *DB) DeleteUnseen(ctx context.Context, s Sweep) (int, error) {
	where, args := sweepWhere(s)
	n, err := db.deleteCalls(ctx, where, args)
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete unseen calls: %w", err)
	}
	return n, nil
}

func (db *DB) deleteCalls(ctx context.Context, where string, args []any) (int, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		deleted, err := deleteWhere(ctx, tx, where, args...)
		if n = int64(deleted); err != nil || n == 0 {
			return err
		}
		return bumpGeneration(ctx, tx)
	})
	return int(n), err
}

// CountCalls returns the number of calls in the index.
func (db *DB) CountCalls(ctx context.Context) (int, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM calls").Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count calls: %w", err)
	}
	return n, nil
}

const selectCall = `SELECT id, workspace_id, title, url, started, duration_sec, primary_user_id, direction,
	scope, system, language, media, purpose, accounts, deals, people, brief, key_points,
	action_items, topics, trackers, detail FROM calls `

func scanCall(sc interface{ Scan(...any) error }) (*core.Call, error) {
	var c core.Call
	var r search.Document
	var started, duration int64
	if err := sc.Scan(&c.ID, &c.WorkspaceID, &r.Title, &c.URL, &started, &duration, &c.PrimaryUserID,
		&c.Direction, &c.Scope, &c.System, &c.Language, &c.Media, &c.Purpose, &r.Accounts, &r.Deals,
		&r.People, &r.Brief, &r.KeyPoints, &r.ActionItems, &r.Topics, &r.Trackers, &r.Detail); err != nil {
		return nil, err
	}
	c.Started = time.Unix(started, 0).UTC()
	c.Duration = time.Duration(duration) * time.Second
	if err := search.DecodeCall(&c, r); err != nil {
		return nil, err
	}
	return &c, nil
}

// Call returns the call with the given Gong id, or a core.ENotFound error.
func (db *DB) Call(ctx context.Context, id string) (*core.Call, error) {
	c, err := scanCall(db.r.QueryRowContext(ctx, selectCall+"WHERE id = ?", id))
	if isNoRows(err) {
		return nil, core.Errorf(core.ENotFound, "call %s not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: read call %s: %w", id, err)
	}
	return c, nil
}

// Calls returns the calls with the given Gong ids, in the order asked;
// ids not in the index are left out.
func (db *DB) Calls(ctx context.Context, ids []string) ([]*core.Call, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read calls: %w", err)
	}
	rows, err := db.r.QueryContext(ctx, selectCall+"WHERE id IN (SELECT value FROM json_each(?))", string(list))
	if err != nil {
		return nil, fmt.Errorf("sqlite: read calls: %w", err)
	}
	defer rows.Close()
	byID := make(map[string]*core.Call, len(ids))
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: read calls: %w", err)
		}
		byID[c.ID] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: read calls: %w", err)
	}
	out := make([]*core.Call, 0, len(byID))
	for _, id := range ids {
		if c, ok := byID[id]; ok {
			out = append(out, c)
			delete(byID, id)
		}
	}
	return out, nil
}

// EachCall calls fn with every call in the index, ordered by id, and stops
// at fn's first error.
func (db *DB) EachCall(ctx context.Context, fn func(*core.Call) error) error {
	rows, err := db.r.QueryContext(ctx, selectCall+"ORDER BY id")
	if err != nil {
		return fmt.Errorf("sqlite: read calls: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return fmt.Errorf("sqlite: read calls: %w", err)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: read calls: %w", err)
	}
	return nil
}

// IncompleteCalls returns the ids of up to limit calls started in
// [since, until) (a zero until is no bound) whose AI content Gong had not
// yet published, oldest first.
func (db *DB) IncompleteCalls(ctx context.Context, since, until time.Time, limit int) ([]string, error) {
	if limit <= 0 {
		limit = 1000
	}
	upper := int64(math.MaxInt64)
	if !until.IsZero() {
		upper = until.Unix()
	}
	rows, err := db.r.QueryContext(ctx, `SELECT id FROM calls WHERE started >= ? AND started < ?
		AND has_content = 0 ORDER BY started, id LIMIT ?`, since.Unix(), upper, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list incomplete calls: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlite: list incomplete calls: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list incomplete calls: %w", err)
	}
	return ids, nil
}
