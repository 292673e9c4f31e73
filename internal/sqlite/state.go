package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"gongconnector/internal/core"
)

// addUsage adds to the API usage of now's UTC day.
func addUsage(ctx context.Context, e execer, now time.Time, requests, rateLimited int) error {
	_, err := e.ExecContext(ctx, `INSERT INTO api_usage (day, requests, rate_limited) VALUES (?, ?, ?)
		ON CONFLICT (day) DO UPDATE SET requests = requests + excluded.requests,
		rate_limited = rate_limited + excluded.rate_limited`,
		now.UTC().Format(time.DateOnly), requests, rateLimited)
	if err != nil {
		return fmt.Errorf("record API usage: %w", err)
	}
	return nil
}

// APIRequestsOn returns the Gong API requests made, and how many of them
// were rate limited, on day's UTC date.
func (db *DB) APIRequestsOn(ctx context.Context, day time.Time) (requests, rateLimited int, err error) {
	err = db.r.QueryRowContext(ctx, `SELECT requests, rate_limited FROM api_usage WHERE day = ?`,
		day.UTC().Format(time.DateOnly)).Scan(&requests, &rateLimited)
	if isNoRows(err) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("sqlite: read API usage: %w", err)
	}
	return requests, rateLimited, nil
}

// Setting returns the value stored under key and whether there is one.
func (db *DB) Setting(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := db.r.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if isNoRows(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("sqlite: read setting %s: %w", key, err)
	}
	return v, true, nil
}

// SetSetting stores value under key.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("sqlite: write setting %s: %w", key, err)
	}
	return nil
}

// SaveSnapshot replaces the stored permission snapshot with s, in one
// transaction.
func (db *DB) SaveSnapshot(ctx context.Context, s core.PermissionSnapshot) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		for _, t := range []string{"profile_members", "profiles", "users", "workspaces", "snapshot_meta"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO snapshot_meta (id, taken) VALUES (1, ?)`, s.Taken.UnixNano()); err != nil {
			return err
		}
		ws, err := tx.PrepareContext(ctx, `INSERT INTO workspaces (id, name, description) VALUES (?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ws.Close()
		for _, w := range s.Workspaces {
			if _, err := ws.ExecContext(ctx, w.ID, w.Name, w.Description); err != nil {
				return fmt.Errorf("workspace %s: %w", w.ID, err)
			}
		}
		us, err := tx.PrepareContext(ctx, `INSERT INTO users (id, email, aliases, first_name, last_name,
			title, manager_id, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer us.Close()
		for _, u := range s.Users {
			aliases, err := jsonList(u.Aliases)
			if err != nil {
				return err
			}
			if _, err := us.ExecContext(ctx, u.ID, u.Email, aliases, u.FirstName, u.LastName,
				u.Title, u.ManagerID, u.Active); err != nil {
				return fmt.Errorf("user %s: %w", u.ID, err)
			}
		}
		ps, err := tx.PrepareContext(ctx, `INSERT INTO profiles (id, workspace_id, name, calls_level,
			team_lead_ids) VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ps.Close()
		ms, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO profile_members (profile_id, user_id) VALUES (?, ?)`)
		if err != nil {
			return err
		}
		defer ms.Close()
		for _, p := range s.Profiles {
			leads, err := jsonList(p.TeamLeadIDs)
			if err != nil {
				return err
			}
			if _, err := ps.ExecContext(ctx, p.ID, p.WorkspaceID, p.Name, p.CallsLevel, leads); err != nil {
				return fmt.Errorf("profile %s: %w", p.ID, err)
			}
			for _, m := range p.MemberIDs {
				if _, err := ms.ExecContext(ctx, p.ID, m); err != nil {
					return fmt.Errorf("profile %s member %s: %w", p.ID, m, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: save permission snapshot: %w", err)
	}
	return nil
}

func jsonList(l []string) (string, error) {
	if len(l) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(l)
	return string(b), err
}

func parseList(s string) ([]string, error) {
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, err
	}
	if len(l) == 0 {
		return nil, nil
	}
	return l, nil
}

// Snapshot returns the stored permission snapshot, or nil when none was
// saved yet. Lists keep the order they were saved in.
func (db *DB) Snapshot(ctx context.Context) (*core.PermissionSnapshot, error) {
	s, err := db.snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read permission snapshot: %w", err)
	}
	return s, nil
}

func (db *DB) snapshot(ctx context.Context) (*core.PermissionSnapshot, error) {
	// One read transaction, so the parts come from the same snapshot.
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var taken int64
	err = tx.QueryRowContext(ctx, `SELECT taken FROM snapshot_meta WHERE id = 1`).Scan(&taken)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s := &core.PermissionSnapshot{Taken: time.Unix(0, taken).UTC()}
	if s.Workspaces, err = workspaces(ctx, tx); err != nil {
		return nil, err
	}

	rows, err := tx.QueryContext(ctx, `SELECT id, email, aliases, first_name, last_name, title,
		manager_id, active FROM users ORDER BY rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var u core.User
		var aliases string
		if err := rows.Scan(&u.ID, &u.Email, &aliases, &u.FirstName, &u.LastName, &u.Title,
			&u.ManagerID, &u.Active); err != nil {
			return nil, err
		}
		if u.Aliases, err = parseList(aliases); err != nil {
			return nil, fmt.Errorf("user %s aliases: %w", u.ID, err)
		}
		s.Users = append(s.Users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}

	members := map[string][]string{}
	rows, err = tx.QueryContext(ctx, `SELECT profile_id, user_id FROM profile_members ORDER BY rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p, u string
		if err := rows.Scan(&p, &u); err != nil {
			return nil, err
		}
		members[p] = append(members[p], u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = tx.QueryContext(ctx, `SELECT id, workspace_id, name, calls_level, team_lead_ids
		FROM profiles ORDER BY rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p core.Profile
		var leads string
		if err := rows.Scan(&p.ID, &p.WorkspaceID, &p.Name, &p.CallsLevel, &leads); err != nil {
			return nil, err
		}
		if p.TeamLeadIDs, err = parseList(leads); err != nil {
			return nil, fmt.Errorf("profile %s team leads: %w", p.ID, err)
		}
		p.MemberIDs = members[p.ID]
		s.Profiles = append(s.Profiles, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

func workspaces(ctx context.Context, q querier) ([]core.Workspace, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, description FROM workspaces ORDER BY rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ws []core.Workspace
	for rows.Next() {
		var w core.Workspace
		if err := rows.Scan(&w.ID, &w.Name, &w.Description); err != nil {
			return nil, err
		}
		ws = append(ws, w)
	}
	return ws, rows.Err()
}

// Workspaces returns the workspaces of the stored permission snapshot, in
// the order they were saved.
func (db *DB) Workspaces(ctx context.Context) ([]core.Workspace, error) {
	ws, err := workspaces(ctx, db.r)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read workspaces: %w", err)
	}
	return ws, nil
}

// SnapshotTaken returns when the current permission snapshot was taken, or
// the zero time when there is none; cheaper than reading the snapshot.
func (db *DB) SnapshotTaken(ctx context.Context) (time.Time, error) {
	var taken sql.NullInt64
	err := db.r.QueryRowContext(ctx, `SELECT taken FROM snapshot_meta WHERE id = 1`).Scan(&taken)
	if isNoRows(err) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("sqlite: read permission snapshot time: %w", err)
	}
	return fromNanos(taken), nil
}
