package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"gongconnector/internal/core"
)

// Push state for Microsoft 365 (migration 0010): which calls were pushed
// as external items and from what, and the external groups and members
// the connection has. Rows are written only after Graph accepted the
// change, so a killed push redoes at most what it had not recorded, and
// every Graph write it redoes is idempotent.

// pushSource is a call's source under the version in ?1.
const pushSource = `?1 || '|' || c.content_hash || '|' || coalesce(w.name, '')`

const pushCallColumns = `c.id, c.workspace_id, c.title, c.url, c.started, c.duration_sec, c.primary_user_id,
	c.direction, c.scope, c.system, c.language, c.media, c.purpose, c.accounts, c.deals, c.people,
	c.brief, c.key_points, c.action_items, c.topics, c.trackers, c.detail`

// PushCandidates returns up to limit calls with ids after afterID, in id
// order, whose source under version differs from what was pushed (or that
// were never pushed). version names the form of the items (schema, ACLs):
// a new version makes every call a candidate.
func (db *DB) PushCandidates(ctx context.Context, version, afterID string, limit int) ([]core.PushCandidate, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+pushCallColumns+`, coalesce(w.name, ''), c.indexed_at, `+pushSource+`
		FROM calls c LEFT JOIN workspaces w ON w.id = c.workspace_id
		WHERE c.id > ?2 AND NOT EXISTS (SELECT 1 FROM graph_items g WHERE g.id = c.id AND g.source = `+pushSource+`)
		ORDER BY c.id LIMIT ?3`, version, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list calls to push: %w", err)
	}
	defer rows.Close()
	var out []core.PushCandidate
	for rows.Next() {
		var p core.PushCandidate
		var indexed int64
		c, err := scanCall(scanTail{rows, []any{&p.WorkspaceName, &indexed, &p.Source}})
		if err != nil {
			return nil, fmt.Errorf("sqlite: list calls to push: %w", err)
		}
		p.Call, p.IndexedAt = c, time.Unix(indexed, 0).UTC()
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list calls to push: %w", err)
	}
	return out, nil
}

// scanTail scans a call's columns followed by extra ones.
type scanTail struct {
	rows  *sql.Rows
	extra []any
}

func (s scanTail) Scan(dest ...any) error { return s.rows.Scan(append(dest, s.extra...)...) }

// PushRemovals returns the ids of pushed calls no longer in the index:
// their items are to be deleted. The index loses a call only when a
// complete crawl saw it gone (or private), so neither does the push.
func (db *DB) PushRemovals(ctx context.Context) ([]string, error) {
	return db.strings(ctx, "list items to delete",
		`SELECT id FROM graph_items g WHERE NOT EXISTS (SELECT 1 FROM calls c WHERE c.id = g.id) ORDER BY id`)
}

// RecordPushed records items pushed (ids with the sources they were built
// from) and items deleted, in one transaction.
func (db *DB) RecordPushed(ctx context.Context, ids, sources, deleted []string) error {
	if len(ids) != len(sources) {
		return fmt.Errorf("sqlite: record pushed items: %d ids and %d sources", len(ids), len(sources))
	}
	now := db.now().Unix()
	return db.write(ctx, func(tx *sql.Tx) error {
		for i, id := range ids {
			if _, err := tx.ExecContext(ctx, `INSERT INTO graph_items (id, source, pushed_at) VALUES (?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET source = excluded.source, pushed_at = excluded.pushed_at`, id, sources[i], now); err != nil {
				return fmt.Errorf("sqlite: record pushed item %s: %w", id, err)
			}
		}
		for _, id := range deleted {
			if _, err := tx.ExecContext(ctx, `DELETE FROM graph_items WHERE id = ?`, id); err != nil {
				return fmt.Errorf("sqlite: record deleted item %s: %w", id, err)
			}
		}
		return nil
	})
}

// ParticipantPairs returns every (workspace, participant key) of the
// indexed calls: the participant groups items can grant.
func (db *DB) ParticipantPairs(ctx context.Context) ([][2]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT DISTINCT c.workspace_id, p.key
		FROM call_participants cp JOIN calls c ON c.rowid = cp.call_rowid JOIN principals p ON p.id = cp.principal`)
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
	// Items is the number of calls pushed; Groups and Members the external
	// groups and memberships.
	Items, Groups, Members int
}

// PushCounts counts what was pushed: cheap at any size.
func (db *DB) PushCounts(ctx context.Context) (PushCounts, error) {
	var n PushCounts
	err := db.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM graph_items), (SELECT count(*) FROM graph_groups),
		(SELECT count(*) FROM graph_members)`).Scan(&n.Items, &n.Groups, &n.Members)
	if err != nil {
		return n, fmt.Errorf("sqlite: count the push state: %w", err)
	}
	return n, nil
}

// PushPending counts the calls to push under version and the items to
// delete. It reads every call (about 6 s at a million calls).
func (db *DB) PushPending(ctx context.Context, version string) (pending, removals int, err error) {
	err = db.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM calls c LEFT JOIN workspaces w ON w.id = c.workspace_id
			WHERE NOT EXISTS (SELECT 1 FROM graph_items g WHERE g.id = c.id AND g.source = `+pushSource+`)),
		(SELECT count(*) FROM graph_items g WHERE NOT EXISTS (SELECT 1 FROM calls c WHERE c.id = g.id))`, version).Scan(&pending, &removals)
	if err != nil {
		return 0, 0, fmt.Errorf("sqlite: count the calls to push: %w", err)
	}
	return pending, removals, nil
}

// ResetPush forgets every item, group and member pushed: for a new
// connection, which has none of them.
func (db *DB) ResetPush(ctx context.Context) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		for _, t := range []string{"graph_items", "graph_groups", "graph_members"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
				return fmt.Errorf("sqlite: reset the push state: %w", err)
			}
		}
		return nil
	})
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
