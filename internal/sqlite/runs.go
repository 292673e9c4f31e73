package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"gongconnector/internal/core"
)

const runColumns = `id, kind, status, started, finished, seen, added, updated, deleted, skipped,
	api_requests, rate_limited, errors, message, checkpoint, stage, window_from, window_to, scope`

// execer is what both *sql.DB and *sql.Tx offer.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// CreateRun records a new crawl run and returns it with its ID set.
func (db *DB) CreateRun(ctx context.Context, run core.CrawlRun) (core.CrawlRun, error) {
	res, err := db.w.ExecContext(ctx, `INSERT INTO crawl_runs (kind, status, started, finished, seen, added,
		updated, deleted, skipped, api_requests, rate_limited, errors, message, checkpoint, stage, window_from, window_to, scope)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		run.Kind, run.Status, nanos(run.Started), nanos(run.Finished), run.Seen, run.Added,
		run.Updated, run.Deleted, run.Skipped, run.APIRequests, run.RateLimited, run.Errors,
		run.Message, nanos(run.Checkpoint), run.Stage, nanos(run.WindowFrom), nanos(run.WindowTo), run.Scope)
	if err != nil {
		return run, fmt.Errorf("sqlite: create crawl run: %w", err)
	}
	run.ID, err = res.LastInsertId()
	if err != nil {
		return run, fmt.Errorf("sqlite: create crawl run: %w", err)
	}
	return run, nil
}

// UpdateRun writes every field of run over the stored run with its ID.
func (db *DB) UpdateRun(ctx context.Context, run core.CrawlRun) error {
	return updateRun(ctx, db.w, run)
}

func updateRun(ctx context.Context, e execer, run core.CrawlRun) error {
	res, err := e.ExecContext(ctx, `UPDATE crawl_runs SET kind = ?, status = ?, started = ?, finished = ?,
		seen = ?, added = ?, updated = ?, deleted = ?, skipped = ?, api_requests = ?, rate_limited = ?,
		errors = ?, message = ?, checkpoint = ?, stage = ?, window_from = ?, window_to = ?, scope = ? WHERE id = ?`,
		run.Kind, run.Status, nanos(run.Started), nanos(run.Finished), run.Seen, run.Added,
		run.Updated, run.Deleted, run.Skipped, run.APIRequests, run.RateLimited, run.Errors,
		run.Message, nanos(run.Checkpoint), run.Stage, nanos(run.WindowFrom), nanos(run.WindowTo), run.Scope, run.ID)
	if err != nil {
		return fmt.Errorf("sqlite: update crawl run %d: %w", run.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: update crawl run %d: %w", run.ID, err)
	} else if n == 0 {
		return core.Errorf(core.ENotFound, "crawl run %d not found", run.ID)
	}
	return nil
}

// Run returns the crawl run with the given ID, or a core.ENotFound error.
func (db *DB) Run(ctx context.Context, id int64) (core.CrawlRun, error) {
	runs, err := db.queryRuns(ctx, "WHERE id = ?", id)
	if err != nil {
		return core.CrawlRun{}, err
	}
	if len(runs) == 0 {
		return core.CrawlRun{}, core.Errorf(core.ENotFound, "crawl run %d not found", id)
	}
	return runs[0], nil
}

// Runs returns up to limit crawl runs, newest first.
func (db *DB) Runs(ctx context.Context, limit int) ([]core.CrawlRun, error) {
	if limit <= 0 {
		limit = 20
	}
	return db.queryRuns(ctx, "ORDER BY id DESC LIMIT ?", limit)
}

// RunningRun returns the newest run still marked running (left behind by a
// process that was killed, or the one in progress), or nil.
func (db *DB) RunningRun(ctx context.Context) (*core.CrawlRun, error) {
	runs, err := db.queryRuns(ctx, "WHERE status = ? ORDER BY id DESC LIMIT 1", core.RunRunning)
	if err != nil || len(runs) == 0 {
		return nil, err
	}
	return &runs[0], nil
}

// LastRun returns the newest run of the given kind whose status is one of
// status (any status when none is given), or nil.
func (db *DB) LastRun(ctx context.Context, kind string, status ...string) (*core.CrawlRun, error) {
	where := "WHERE kind = ?"
	args := []any{kind}
	if len(status) > 0 {
		where += " AND status IN (?" + strings.Repeat(", ?", len(status)-1) + ")"
		for _, s := range status {
			args = append(args, s)
		}
	}
	runs, err := db.queryRuns(ctx, where+" ORDER BY id DESC LIMIT 1", args...)
	if err != nil || len(runs) == 0 {
		return nil, err
	}
	return &runs[0], nil
}

func (db *DB) queryRuns(ctx context.Context, tail string, args ...any) ([]core.CrawlRun, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+runColumns+" FROM crawl_runs "+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read crawl runs: %w", err)
	}
	defer rows.Close()
	var runs []core.CrawlRun
	for rows.Next() {
		var r core.CrawlRun
		var started, finished, checkpoint, from, to sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Kind, &r.Status, &started, &finished, &r.Seen, &r.Added,
			&r.Updated, &r.Deleted, &r.Skipped, &r.APIRequests, &r.RateLimited, &r.Errors,
			&r.Message, &checkpoint, &r.Stage, &from, &to, &r.Scope); err != nil {
			return nil, fmt.Errorf("sqlite: read crawl runs: %w", err)
		}
		r.Started, r.Finished, r.Checkpoint = fromNanos(started), fromNanos(finished), fromNanos(checkpoint)
		r.WindowFrom, r.WindowTo = fromNanos(from), fromNanos(to)
		runs = append(runs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: read crawl runs: %w", err)
	}
	return runs, nil
}

// isNoRows reports whether err says a query returned no row.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
