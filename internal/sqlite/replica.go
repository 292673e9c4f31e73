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
var replicaMaxCalls = 2000

// replicaBudget bounds the memory of all replicas (estimated from their
// text); the least recently used go first.
const replicaBudget = 256 << 20

// replicaRebuildGap is the least time between two builds of one caller's
// replica, so that a crawl writing every second does not keep rebuilding
// it.
var replicaRebuildGap = 2 * time.Second

// replicaSchema mirrors the index's searchable columns and call_fts
// definition (migrations/0001_init.sql): the same tokenizer and columns in
// the same order, so that a MATCH expression and gc_rank mean the same.
const replicaSchema = `
CREATE TABLE calls (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, title TEXT NOT NULL, url TEXT NOT NULL,
    started INTEGER NOT NULL, duration_sec INTEGER NOT NULL,
    accounts TEXT NOT NULL, deals TEXT NOT NULL, people TEXT NOT NULL, brief TEXT NOT NULL,
    key_points TEXT NOT NULL, action_items TEXT NOT NULL, topics TEXT NOT NULL, trackers TEXT NOT NULL
);
CREATE VIRTUAL TABLE call_fts USING fts5 (
    title, accounts, deals, people, brief, key_points, action_items, topics, trackers,
    content = 'calls',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);`

const replicaColumns = `rowid, id, title, url, started, duration_sec, accounts, deals, people, brief, key_points, action_items, topics, trackers`

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
}

// replicaFor returns the replica of set that is current (built on the
// index's generation of set), or nil. Without one, it starts building one
// in the background.
func (db *DB) replicaFor(set visibleSet) *replica {
	if replicaMaxCalls <= 0 || set.n == 0 || set.n > replicaMaxCalls || set.full {
		return nil
	}
	rs := &db.replicas
	now := time.Now()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.closed {
		return nil
	}
	r := rs.m[set.key]
	if r != nil && r.generation == set.generation {
		r.used = now
		return r
	}
	if rs.building[set.key] || (r != nil && (r.generation > set.generation || now.Sub(r.built) < replicaRebuildGap)) {
		return nil
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
	return nil
}

// drop removes the replica of key; rs.mu is held. A search still running
// on it finishes first: Close waits for its connection.
func (rs *replicaSet) drop(key [32]byte) {
	r := rs.m[key]
	delete(rs.m, key)
	rs.bytes -= r.bytes
	go r.db.Close()
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
	for k, r := range rs.m {
		delete(rs.m, k)
		r.db.Close()
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
	ins, err := wtx.PrepareContext(ctx, `INSERT INTO calls (`+replicaColumns+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
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
		sel, err := tx.PrepareContext(ctx, `SELECT `+replicaColumns+` FROM calls WHERE rowid = ?`)
		if err != nil {
			return err
		}
		defer sel.Close()
		var (
			rowid, started, duration                                                 int64
			id, title, url, accounts, deals, people, brief, kp, ai, topics, trackers string
		)
		for i, w := range set.bits {
			for w != 0 {
				bit := int64(bits.TrailingZeros64(w))
				w &= w - 1
				err := sel.QueryRowContext(ctx, int64(i)*64+bit).Scan(&rowid, &id, &title, &url, &started, &duration,
					&accounts, &deals, &people, &brief, &kp, &ai, &topics, &trackers)
				if err == sql.ErrNoRows {
					continue
				}
				if err != nil {
					return err
				}
				if _, err := ins.ExecContext(ctx, rowid, id, title, url, started, duration,
					accounts, deals, people, brief, kp, ai, topics, trackers); err != nil {
					return err
				}
				// The text twice (the row and the index) and a little more.
				r.bytes += 3 * int64(len(title)+len(accounts)+len(deals)+len(people)+len(brief)+len(kp)+len(ai)+len(topics)+len(trackers)+len(id)+len(url))
			}
		}
		return nil
	})
	if err != nil {
		return fail(err)
	}
	if _, err := wtx.ExecContext(ctx, `INSERT INTO call_fts (call_fts) VALUES ('rebuild')`); err != nil {
		return fail(err)
	}
	if err := wtx.Commit(); err != nil {
		return fail(err)
	}
	return r, nil
}

// read runs fn in a read transaction on the replica.
func (r *replica) read(ctx context.Context, fn func(tx *readTx) error) error {
	tx, err := r.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to undo
	return fn(&readTx{Tx: tx})
}

// waitReplicas waits for the replica builds under way (tests).
func (db *DB) waitReplicas() { db.replicas.builds.Wait() }
