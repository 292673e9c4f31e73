package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"gongconnector/internal/core"
)

// Kinds of names in call_names.
const (
	nameAccount = 1
	nameDeal    = 2
)

type nameKey struct {
	kind int
	name string
}

// nameDeltas are the changes one transaction makes to the number of calls
// naming each account and deal.
type nameDeltas map[nameKey]int

// add counts the names in a call's accounts and deals columns (one name per
// line) n times; a name a call lists twice counts once.
func (d nameDeltas) add(accounts, deals string, n int) {
	for _, col := range []struct {
		kind int
		text string
	}{{nameAccount, accounts}, {nameDeal, deals}} {
		seen := map[string]bool{}
		for _, name := range strings.Split(col.text, "\n") {
			if name != "" && !seen[name] {
				seen[name] = true
				d[nameKey{col.kind, name}] += n
			}
		}
	}
}

// apply writes the changes to call_names.
func (d nameDeltas) apply(ctx context.Context, e execer) error {
	for k, n := range d {
		if n == 0 {
			continue
		}
		if _, err := e.ExecContext(ctx, `INSERT INTO call_names (kind, name, calls) VALUES (?, ?, ?)
			ON CONFLICT (kind, name) DO UPDATE SET calls = calls + excluded.calls`, k.kind, k.name, n); err != nil {
			return fmt.Errorf("count names: %w", err)
		}
		if n < 0 {
			if _, err := e.ExecContext(ctx, `DELETE FROM call_names WHERE kind = ? AND name = ? AND calls <= 0`, k.kind, k.name); err != nil {
				return fmt.Errorf("count names: %w", err)
			}
		}
	}
	clear(d)
	return nil
}

// deleteWhere deletes the calls a WHERE clause selects, with their index
// entries and participants (the delete trigger), and uncounts their names.
func deleteWhere(ctx context.Context, tx *sql.Tx, where string, args ...any) (int, error) {
	rows, err := tx.QueryContext(ctx, "SELECT accounts, deals FROM calls"+where, args...)
	if err != nil {
		return 0, err
	}
	d := nameDeltas{}
	for rows.Next() {
		var accounts, deals string
		if err := rows.Scan(&accounts, &deals); err != nil {
			rows.Close()
			return 0, err
		}
		d.add(accounts, deals, -1)
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	r, err := tx.ExecContext(ctx, "DELETE FROM calls"+where, args...)
	if err != nil {
		return 0, err
	}
	n, err := r.RowsAffected()
	if err != nil {
		return 0, err
	}
	return int(n), d.apply(ctx, tx)
}

// namesCache keeps the last names read, for one generation of the calls.
type namesCache struct {
	mu         sync.Mutex
	generation int64
	names      *core.CallNames
}

// Names returns the distinct account and deal names of the indexed calls,
// each list sorted. The result is shared between callers and must not be
// modified; its Version changes whenever the calls change.
//
// The names are those of every call, not only the ones a caller may see:
// a question is understood against them, and the answer then searches the
// caller's calls only.
func (db *DB) Names(ctx context.Context) (*core.CallNames, error) {
	var out *core.CallNames
	err := db.read(ctx, func(tx *readTx) error {
		gen, err := generation(ctx, tx)
		if err != nil {
			return err
		}
		db.names.mu.Lock()
		defer db.names.mu.Unlock()
		if db.names.names != nil && db.names.generation == gen {
			out = db.names.names
			return nil
		}
		rows, err := tx.QueryContext(ctx, `SELECT kind, name FROM call_names WHERE calls > 0 ORDER BY kind, name`)
		if err != nil {
			return err
		}
		defer rows.Close()
		n := &core.CallNames{Version: gen}
		for rows.Next() {
			var kind int
			var name string
			if err := rows.Scan(&kind, &name); err != nil {
				return err
			}
			if kind == nameAccount {
				n.Accounts = append(n.Accounts, name)
			} else {
				n.Deals = append(n.Deals, name)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if gen >= db.names.generation {
			db.names.generation, db.names.names = gen, n
		}
		out = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: read account and deal names: %w", err)
	}
	return out, nil
}
