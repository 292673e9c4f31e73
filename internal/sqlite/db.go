// Package sqlite is gongconnector's embedded store and full-text index: one
// SQLite file (WAL mode) holding the calls, their FTS5 index, crawl runs, API
// usage, the permission snapshot and small settings.
//
// Writes go through one connection; reads use a separate pool, so a search
// never waits for a crawl's transaction.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// applicationID marks a file as a gongconnector index ("GONG"); set by the
// first migration.
const applicationID = 0x474F4E47

// readers is the size of the read pool.
const readers = 4

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is an open index file.
type DB struct {
	path string
	w    *sql.DB // one connection: every write
	r    *sql.DB // read pool
	// Now returns the current time; tests replace it.
	Now func() time.Time

	// principals caches principal keys to ids; only the writer uses it.
	principalsMu sync.Mutex
	principals   map[string]int64

	// visible caches who-may-see-what bitmaps for searches.
	visible visibleCache
	// docFreq caches estimated document frequencies of query terms.
	docFreqs docFreqCache
	// prefixes caches the completions of prefix query words.
	prefixes prefixCache
	// replicas hold the calls of callers who see few, for their searches.
	replicas replicaSet
	// names caches the account and deal names of the calls.
	names namesCache
	// stmts are the prepared read statements, by text.
	stmtsMu   sync.Mutex
	stmts     map[string]*sql.Stmt // nil values: being prepared
	preparing sync.WaitGroup
	closed    bool
}

// Open opens the index file at path, creating its directory and the file
// when missing, and brings its schema up to date.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("open index: no path given")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("open index %s: %w", path, err)
		}
	}
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := migrate(ctx, w, path); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	r.SetConnMaxIdleTime(0)
	r.SetConnMaxLifetime(0)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, openError(path, err)
	}
	return &DB{path: path, w: w, r: r, Now: time.Now}, nil
}

// dsn is the modernc.org/sqlite data source name for the index file.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "temp_store(memory)")
	if readOnly {
		// Small page caches: the OS caches the file anyway, and SQLite's
		// caches counted for most of a large crawl's resident memory
		// (measured: 211 MB at 16 MiB against 296 MB at 32 MiB for 200,000
		// calls, and no slower).
		q.Add("_pragma", "cache_size(-16384)") // 16 MiB per reader
		q.Add("_pragma", "query_only(1)")
	} else {
		// page_size only takes effect on a new file, and only before it is in
		// WAL mode: the driver runs _pragma entries before _journal_mode.
		// 16 KiB pages hold a call row without overflow pages and were the
		// fastest to index (see bench_test.go).
		q.Add("_pragma", "page_size(16384)")
		// Checkpoint every 64 MiB of WAL rather than every 16 MiB: fewer
		// copies of the pages every batch rewrites.
		q.Add("_pragma", "wal_autocheckpoint(4096)")
		q.Set("_journal_mode", "WAL")
		q.Set("_synchronous", "NORMAL")
		q.Add("_pragma", "cache_size(-16384)") // 16 MiB
		q.Add("_pragma", "journal_size_limit(67108864)")
		// Take the write lock when a transaction begins, so a transaction
		// never fails halfway to upgrade a read lock.
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// openError turns driver errors met while opening into messages an admin
// can act on.
func openError(path string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("open index %s: the file is not a gongconnector index (not an SQLite database); move it away or choose another data directory", path)
		case sqlite3.SQLITE_CANTOPEN:
			return fmt.Errorf("open index %s: cannot open the file; check that the data directory exists and is writable: %w", path, err)
		case sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("open index %s: the file is corrupt; restore a backup or delete it to rebuild the index with a full crawl: %w", path, err)
		}
	}
	return fmt.Errorf("open index %s: %w", path, err)
}

// migration is one numbered schema script.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded scripts ordered by version; their names
// start with the version ("0001_init.sql").
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, _ := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with its version number", e.Name())
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", m.name, i+1)
		}
	}
	return ms, nil
}

// migrate applies the migrations the file lacks, each in its own
// transaction together with the new PRAGMA user_version.
func migrate(ctx context.Context, w *sql.DB, path string) error {
	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("open index %s: %w", path, err)
	}
	var version, appID, tables int
	if err := w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return openError(path, err)
	}
	if err := w.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return openError(path, err)
	}
	if err := w.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&tables); err != nil {
		return openError(path, err)
	}
	switch {
	case appID != 0 && appID != applicationID, appID == 0 && tables > 0:
		return fmt.Errorf("open index %s: the file is an SQLite database of another program, not a gongconnector index; choose another data directory", path)
	case version > len(ms):
		return fmt.Errorf("open index %s: the index file %s was written by a newer gongconnector (schema v%d); upgrade", path, path, version)
	}
	for _, m := range ms[version:] {
		if err := applyMigration(ctx, w, m); err != nil {
			return fmt.Errorf("open index %s: migrate to schema v%d (%s): %w", path, m.version, m.name, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, w *sql.DB, m migration) error {
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
		return err
	}
	return tx.Commit()
}

// Close closes the file. It waits for running statements to finish.
func (db *DB) Close() error {
	db.stmtsMu.Lock()
	db.closed = true
	db.stmtsMu.Unlock()
	db.preparing.Wait()
	db.replicas.close()
	return errors.Join(db.r.Close(), db.w.Close())
}

// Path returns the index file's path.
func (db *DB) Path() string { return db.path }

// now returns the current time in UTC.
func (db *DB) now() time.Time {
	if db.Now == nil {
		return time.Now().UTC()
	}
	return db.Now().UTC()
}

// write runs fn in a write transaction and commits it when fn returns nil.
func (db *DB) write(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// nanos stores a time as unix nanoseconds, the zero time as NULL.
func nanos(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// fromNanos reverses nanos; times come back in UTC.
func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}
