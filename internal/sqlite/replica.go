package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math/bits"
	"sync"
	"time"
)

// Replicas. A caller who may see few calls (a rep: a few hundred of a
// million) pays for a search in the index's full-text matches, not in
// theirs: FTS5 reads the newest tens of thousands of matches of a word to
// find the handful the caller may see, 5-10 ms at a million calls, and a
// question runs several such searches. So the calls such a caller may see
// are copied, once per state of the index, into a small full-text index in
// memory, with the same columns, tokenizer and rowids, and their searches
// run the same statements there: identical results, in a fraction of a
// millisecond.
//
// A replica is only used while it holds exactly the index's current state
// of those calls (the same calls generation); after a write the next
// searches read the index, while a new replica is built in the background.
// Trimming is unchanged: queries on a replica test every match against the
// caller's current bitmap, as on the index, and rank with the index's term
// statistics.

// replicaMaxCalls is the most visible calls a caller's searches are served
// from a replica; 0 turns replicas off.
var replicaMaxCalls = 5000

// replicaBudget bounds the memory of all replicas (about 1.4 KB a call);
// the least recently used go first.
var replicaBudget int64 = 384 << 20

// replicaRebuildGap is the least time between two builds of one caller's
// replica, so that a crawl writing every second does not keep rebuilding
// it.
var replicaRebuildGap = 2 * time.Second

// replicaSchema mirrors the index's call_fts definition
// (migrations/0001_init.sql): the same columns in the same order and the
// same tokenizer, so that a MATCH expression and gc_rank mean the same. It
// is contentless: the text stays in the index, where a page's calls are
// read. The calls table holds what facets count and pages are ordered by.
const replicaSchema = `
CREATE TABLE calls (
    rowid INTEGER PRIMARY KEY, started INTEGER NOT NULL,
    accounts TEXT NOT NULL, deals TEXT NOT NULL, topics TEXT NOT NULL, trackers TEXT NOT NULL
);
CREATE VIRTUAL TABLE call_fts USING fts5 (
    title, accounts, deals, people, brief, key_points, action_items, topics, trackers,
    content = '',
    tokenize = 'unicode61 remove_diacritics 2'
);`

type replicaSet struct {
	mu       sync.Mutex
	m        map[[32]byte]*replica
	building map[[32]byte]bool
	bytes    int64
	closed   bool
	builds   sync.WaitGroup
}

// replica is one caller's calls in an in-memory SQLite database.
type replica struct {
	db         *sql.DB
	generation int64
	bytes      int64
	built      time.Time
	used       time.Time
	// searches counts the searches using the replica; a dropped replica
	// is closed when the last one ends. Both under replicaSet.mu.
	searches int
	dropped  bool
}

// replicaFor returns the replica of set that is current (built on the
// index's generation of set), or nil, and a function to call when the
// search is done with it. Without one, it starts building one in the
// background.
func (db *DB) replicaFor(set visibleSet) (*replica, func()) {
	if replicaMaxCalls <= 0 || set.n == 0 || set.n > replicaMaxCalls || set.full {
		return nil, nil
	}
	rs := &db.replicas
	now := time.Now()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.closed {
		return nil, nil
	}
	r := rs.m[set.key]
	if r != nil && r.generation == set.generation {
		r.used = now
		r.searches++
		return r, func() {
			rs.mu.Lock()
			defer rs.mu.Unlock()
			r.searches--
			if r.dropped && r.searches == 0 {
				r.db.Close()
			}
		}
	}
	if rs.building[set.key] || (r != nil && (r.generation > set.generation || now.Sub(r.built) < replicaRebuildGap)) {
		return nil, nil
	}
	if rs.building == nil {
		rs.building = map[[32]byte]bool{}
	}
	rs.building[set.key] = true
	rs.builds.Add(1)
	go func() {
		defer rs.builds.Done()
		nr, err := db.buildReplica(set)
		rs.mu.Lock()
		defer rs.mu.Unlock()
		delete(rs.building, set.key)
		if err != nil || rs.closed {
			if nr != nil {
				nr.db.Close()
			}
			return
		}
		if old := rs.m[set.key]; old != nil {
			if old.generation >= nr.generation {
				nr.db.Close()
				return
			}
			rs.drop(set.key)
		}
		if rs.m == nil {
			rs.m = map[[32]byte]*replica{}
		}
		rs.m[set.key] = nr
		rs.bytes += nr.bytes
		rs.evict()
	}()
	return nil, nil
}

// drop removes the replica of key; rs.mu is held. It is closed now, or
// when the searches using it end.
func (rs *replicaSet) drop(key [32]byte) {
	r := rs.m[key]
	delete(rs.m, key)
	rs.bytes -= r.bytes
	r.dropped = true
	if r.searches == 0 {
		r.db.Close()
	}
}

// evict drops the least recently used replicas until the rest fit the
// budget; rs.mu is held.
func (rs *replicaSet) evict() {
	for rs.bytes > replicaBudget && len(rs.m) > 1 {
		var oldest [32]byte
		var at time.Time
		for k, r := range rs.m {
			if at.IsZero() || r.used.Before(at) {
				oldest, at = k, r.used
			}
		}
		rs.drop(oldest)
	}
}

// close closes every replica, after the builds under way.
func (rs *replicaSet) close() {
	rs.mu.Lock()
	rs.closed = true
	rs.mu.Unlock()
	rs.builds.Wait()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for k := range rs.m {
		rs.drop(k)
	}
}

// buildReplica copies the calls of set, as the index holds them at
// set.generation, into a new in-memory full-text index. It gives up when
// the index has moved on.
func (db *DB) buildReplica(set visibleSet) (*replica, error) {
	ctx := context.Background()
	rdb, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		return nil, fmt.Errorf("replica: %w", err)
	}
	// One connection, kept for the life of the replica: it is the database.
	rdb.SetMaxOpenConns(1)
	rdb.SetMaxIdleConns(1)
	rdb.SetConnMaxLifetime(0)
	rdb.SetConnMaxIdleTime(0)
	r := &replica{db: rdb, generation: set.generation, built: time.Now(), used: time.Now()}
	fail := func(err error) (*replica, error) {
		rdb.Close()
		return nil, fmt.Errorf("replica: %w", err)
	}
	if _, err := rdb.ExecContext(ctx, replicaSchema); err != nil {
		return fail(err)
	}
	wtx, err := rdb.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer wtx.Rollback() //nolint:errcheck // committed below
	insCall, err := wtx.PrepareContext(ctx, `INSERT INTO calls (rowid, started, accounts, deals, topics, trackers) VALUES (?,?,?,?,?,?)`)
	if err != nil {
		return fail(err)
	}
	insText, err := wtx.PrepareContext(ctx, `INSERT INTO call_fts (rowid, title, accounts, deals, people, brief, key_points, action_items, topics, trackers)
		VALUES (?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return fail(err)
	}
	err = db.read(ctx, func(tx *readTx) error {
		gen, err := generation(ctx, tx)
		if err != nil {
			return err
		}
		if gen != set.generation {
			return fmt.Errorf("the index changed while the replica was built")
		}
		sel, err := tx.PrepareContext(ctx, `SELECT started, title, accounts, deals, people, brief, key_points, action_items, topics, trackers
			FROM calls WHERE rowid = ?`)
		if err != nil {
			return err
		}
		defer sel.Close()
		var started int64
		var title, accounts, deals, people, brief, kp, ai, topics, trackers string
		for i, w := range set.bits {
			for w != 0 {
				rowid := int64(i)*64 + int64(bits.TrailingZeros64(w))
				w &= w - 1
				err := sel.QueryRowContext(ctx, rowid).Scan(&started, &title, &accounts, &deals, &people, &brief, &kp, &ai, &topics, &trackers)
				if err == sql.ErrNoRows {
					continue
				}
				if err != nil {
					return err
				}
				if _, err := insCall.ExecContext(ctx, rowid, started, accounts, deals, topics, trackers); err != nil {
					return err
				}
				if _, err := insText.ExecContext(ctx, rowid, title, accounts, deals, people, brief, kp, ai, topics, trackers); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fail(err)
	}
	if err := wtx.Commit(); err != nil {
		return fail(err)
	}
	// What the database holds in memory, with SQLite's and the
	// allocator's overhead on each page: measured, 30 replicas of 2,000
	// calls added 2.7 MB of RSS each for 1.4 MB of pages.
	var pages, size int64
	if err := rdb.QueryRowContext(ctx, `SELECT page_count, page_size FROM pragma_page_count(), pragma_page_size()`).Scan(&pages, &size); err != nil {
		return fail(err)
	}
	r.bytes = pages * size * 2
	return r, nil
}

// read runs fn in a read transaction on the replica; index is the index's
// transaction, where fn reads the calls' text.
func (r *replica) read(ctx context.Context, index *readTx, fn func(tx *readTx) error) error {
	tx, err := r.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to undo
	return fn(&readTx{Tx: tx, rows: index})
}

// waitReplicas waits for the replica builds under way (tests).
func (db *DB) waitReplicas() { db.replicas.builds.Wait() }
