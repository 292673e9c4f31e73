package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"gongconnector/internal/core"
)

// Push state for Microsoft 365 (migrations 0010, 0011): the calls to push
// (graph_queue, kept by triggers on calls), which calls were pushed as
// external items and from what, the (workspace, participant) pairs items
// grant, and the external groups and members the connection has. Rows
// are written only after Graph accepted the change, so a killed push
// redoes at most what it had not recorded, and every Graph write it redoes
// is idempotent.

const pushCallColumns = `c.id, c.workspace_id, c.title, c.url, c.started, c.duration_sec, c.primary_user_id,
	c.direction, c.scope, c.system, c.language, c.media, c.purpose, c.accounts, c.deals, c.people,
	c.brief, c.key_points, c.action_items, c.topics, c.trackers, c.detail`

// PushQueue returns up to limit queued calls with ids after afterID, in
// id order: with gone, those the index no longer has (their items are to
// delete if Pushed), else those it has, as they are now.
func (db *DB) PushQueue(ctx context.Context, gone bool, afterID string, limit int) ([]core.PushCandidate, error) {
	present := "c.id IS NOT NULL"
	if gone {
		present = "c.id IS NULL"
	}
	rows, err := db.r.QueryContext(ctx, `SELECT q.id, q.seq, EXISTS (SELECT 1 FROM graph_items g WHERE g.id = q.id),
			c.id IS NOT NULL, coalesce(w.name, ''), coalesce(c.indexed_at, 0), coalesce(c.content_hash, '') || '|' || coalesce(w.name, ''),
			`+pushCallColumns+`
		FROM graph_queue q LEFT JOIN calls c ON c.id = q.id LEFT JOIN workspaces w ON w.id = c.workspace_id
		WHERE q.id > ? AND `+present+` ORDER BY q.id LIMIT ?`, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list calls to push: %w", err)
	}
	defer rows.Close()
	var out []core.PushCandidate
	for rows.Next() {
		var p core.PushCandidate
		var exists bool
		var indexed int64
		head := []any{&p.ID, &p.Seq, &p.Pushed, &exists, &p.WorkspaceName, &indexed, &p.Source}
		var c *core.Call
		rest := make([]any, 22) // the call's columns, NULL when it is gone
		for i := range rest {
			rest[i] = new(any)
		}
		if err := rows.Scan(append(head, rest...)...); err != nil {
			return nil, fmt.Errorf("sqlite: list calls to push: %w", err)
		}
		if exists {
			if c, err = scanCall(scanHead{rows, len(head)}); err != nil {
				return nil, fmt.Errorf("sqlite: list calls to push: %w", err)
			}
			p.Call, p.IndexedAt = c, time.Unix(indexed, 0).UTC()
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list calls to push: %w", err)
	}
	return out, nil
}

// scanHead scans a call's columns that follow skip others in rows.
type scanHead struct {
	rows *sql.Rows
	skip int
}

func (s scanHead) Scan(dest ...any) error {
	skipped := make([]any, s.skip)
	for i := range skipped {
		skipped[i] = new(any)
	}
	return s.rows.Scan(append(skipped, dest...)...)
}

// RecordPushed records queued calls done: a pushed call's item and what
// it was built from, a deleted call's item gone. Each leaves the queue
// unless it changed again meanwhile (its seq moved on).
func (db *DB) RecordPushed(ctx context.Context, done []core.PushCandidate) error {
	now := db.now().Unix()
	return db.write(ctx, func(tx *sql.Tx) error {
		for _, d := range done {
			var err error
			if d.Call != nil {
				_, err = tx.ExecContext(ctx, `INSERT INTO graph_items (id, source, pushed_at) VALUES (?, ?, ?)
					ON CONFLICT (id) DO UPDATE SET source = excluded.source, pushed_at = excluded.pushed_at`, d.ID, d.Source, now)
			} else {
				_, err = tx.ExecContext(ctx, `DELETE FROM graph_items WHERE id = ?`, d.ID)
			}
			if err == nil {
				_, err = tx.ExecContext(ctx, `DELETE FROM graph_queue WHERE id = ? AND seq = ?`, d.ID, d.Seq)
			}
			if err != nil {
				return fmt.Errorf("sqlite: record pushed call %s: %w", d.ID, err)
			}
		}
		return nil
	})
}

// RequeuePush queues every call of the index, or of the given workspaces:
// for items of a new form, or of renamed workspaces.
func (db *DB) RequeuePush(ctx context.Context, workspaces ...string) error {
	where, args := "WHERE true", []any{}
	if len(workspaces) > 0 {
		list, err := json.Marshal(workspaces)
		if err != nil {
			return err
		}
		where, args = "WHERE workspace_id IN (SELECT value FROM json_each(?))", []any{string(list)}
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO graph_queue (id) SELECT id FROM calls `+where+`
			ON CONFLICT (id) DO UPDATE SET seq = seq + 1`, args...); err != nil {
			return fmt.Errorf("sqlite: queue calls to push: %w", err)
		}
		return nil
	})
}

// AddParticipantPairs records the (workspace, participant key) pairs of
// the queued calls; with all, of every call (about 20 s at a million
// calls: for a first push).
func (db *DB) AddParticipantPairs(ctx context.Context, all bool) error {
	// CROSS JOIN keeps the queue, usually small, the outer loop.
	from := "graph_queue q CROSS JOIN calls c ON c.id = q.id"
	if all {
		from = "calls c"
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO graph_pairs (workspace_id, key)
			SELECT DISTINCT c.workspace_id, p.key FROM `+from+`, json_each(c.principals) j JOIN principals p ON p.id = j.value`); err != nil {
			return fmt.Errorf("sqlite: record participants by workspace: %w", err)
		}
		return nil
	})
}

// ParticipantPairs returns every (workspace, participant key) recorded:
// the participant groups items may grant.
func (db *DB) ParticipantPairs(ctx context.Context) ([][2]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT workspace_id, key FROM graph_pairs`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list participants by workspace: %w", err)
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var pair [2]string
		if err := rows.Scan(&pair[0], &pair[1]); err != nil {
			return nil, fmt.Errorf("sqlite: list participants by workspace: %w", err)
		}
		out = append(out, pair)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list participants by workspace: %w", err)
	}
	return out, nil
}

// WorkspaceNames returns the name of every workspace of the snapshot.
func (db *DB) WorkspaceNames(ctx context.Context) (map[string]string, error) {
	ws, err := db.Workspaces(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(ws))
	for _, w := range ws {
		out[w.ID] = w.Name
	}
	return out, nil
}

// IndexedWorkspaces returns the workspace ids of the indexed calls.
func (db *DB) IndexedWorkspaces(ctx context.Context) ([]string, error) {
	return db.strings(ctx, "list workspaces of calls", `SELECT DISTINCT workspace_id FROM calls ORDER BY 1`)
}

// PushedGroups returns the external groups created, with their members.
func (db *DB) PushedGroups(ctx context.Context) (map[string]map[string]bool, error) {
	out := map[string]map[string]bool{}
	groups, err := db.strings(ctx, "list external groups", `SELECT id FROM graph_groups`)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		out[g] = map[string]bool{}
	}
	rows, err := db.r.QueryContext(ctx, `SELECT group_id, member_id FROM graph_members`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list external group members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g, m string
		if err := rows.Scan(&g, &m); err != nil {
			return nil, fmt.Errorf("sqlite: list external group members: %w", err)
		}
		if out[g] == nil {
			out[g] = map[string]bool{}
		}
		out[g][m] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list external group members: %w", err)
	}
	return out, nil
}

// RecordGroups records external groups created, members added and
// members removed, in one transaction.
func (db *DB) RecordGroups(ctx context.Context, created []string, added, removed []core.Membership) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		for _, g := range created {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO graph_groups (id) VALUES (?)`, g); err != nil {
				return fmt.Errorf("sqlite: record external group %s: %w", g, err)
			}
		}
		for _, m := range added {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO graph_members (group_id, member_id) VALUES (?, ?)`, m.Group, m.Member); err != nil {
				return fmt.Errorf("sqlite: record member of %s: %w", m.Group, err)
			}
		}
		for _, m := range removed {
			if _, err := tx.ExecContext(ctx, `DELETE FROM graph_members WHERE group_id = ? AND member_id = ?`, m.Group, m.Member); err != nil {
				return fmt.Errorf("sqlite: record member removed from %s: %w", m.Group, err)
			}
		}
		return nil
	})
}

// PushCounts are the push state's figures.
type PushCounts struct {
	// Items is the number of calls pushed; Queued the calls changed,
	// added or deleted since; Groups and Members the external groups and
	// memberships.
	Items, Queued, Groups, Members int
}

// PushCounts counts the push state.
func (db *DB) PushCounts(ctx context.Context) (PushCounts, error) {
	var n PushCounts
	err := db.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM graph_items), (SELECT count(*) FROM graph_queue),
		(SELECT count(*) FROM graph_groups), (SELECT count(*) FROM graph_members)`).Scan(&n.Items, &n.Queued, &n.Groups, &n.Members)
	if err != nil {
		return n, fmt.Errorf("sqlite: count the push state: %w", err)
	}
	return n, nil
}

// ResetPush forgets every item, group, member and pair pushed, and queues
// every call: for a new connection, which has none of them.
func (db *DB) ResetPush(ctx context.Context) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		for _, t := range []string{"graph_items", "graph_groups", "graph_members", "graph_pairs"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
				return fmt.Errorf("sqlite: reset the push state: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return db.RequeuePush(ctx)
}

// strings runs a query of one text column.
func (db *DB) strings(ctx context.Context, what, query string, args ...any) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("sqlite: %s: %w", what, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return out, nil
}
