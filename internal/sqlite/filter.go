package sqlite

import (
	"context"
	"fmt"
	"time"

	"gongconnector/internal/core"
	"gongconnector/internal/search"
)

// queryFilter returns what a query may return: the calls v may see,
// narrowed by the filters. It returns nil when that is no call, and few
// when v is expected to see at most rankLimit of the matches a search reads,
// so that every visible match can be ranked in the pass that counts them.
func (db *DB) queryFilter(ctx context.Context, tx *readTx, v *core.Visibility, filters core.Filters) (f *rowFilter, few bool, err error) {
	f = &rowFilter{share: 1}
	if !v.Everything {
		visible, err := db.visibleBitmap(ctx, tx, v)
		if err != nil {
			return nil, false, err
		}
		if visible.n == 0 {
			return nil, false, nil
		}
		if !visible.full {
			f.bits = visible.bits
			f.visible = visible
			f.share = float64(visible.n) / float64(max(visible.calls, 1))
			// Few: the caller is expected to see at most rankLimit/2 of the
			// matches a search reads (or sees no more calls than rankLimit).
			few = visible.n <= rankLimit || f.share*float64(scanWindow(f.share)) <= float64(rankLimit)/2
		}
	}
	if filters.IsZero() {
		return f, few, nil
	}
	gen, err := generation(ctx, tx)
	if err != nil {
		return nil, false, err
	}
	if f.cols, err = db.callMeta(ctx, tx, gen); err != nil {
		return nil, false, err
	}
	if len(filters.Workspaces) > 0 {
		ids, err := resolveWorkspaces(ctx, tx, filters.Workspaces)
		if err != nil {
			return nil, false, err
		}
		f.workspaces = make([]bool, len(f.cols.ids))
		any := false
		for _, id := range ids {
			if i, ok := f.cols.index[id]; ok {
				f.workspaces[i] = true
				any = true
			}
		}
		if !any {
			return nil, false, nil
		}
	}
	if !filters.From.IsZero() {
		f.from = filters.From.Unix()
	}
	if !filters.To.IsZero() {
		f.to = filters.To.Unix()
	}
	if f.to != 0 && f.from >= f.to {
		return nil, false, nil
	}
	return f, few, nil
}

// resolveWorkspaces returns the ids of the workspaces named by values: an
// id, or a name without regard to case.
func resolveWorkspaces(ctx context.Context, q querier, values []string) ([]string, error) {
	var ids []string
	for _, v := range values {
		ids = append(ids, v)
		rows, err := q.QueryContext(ctx, `SELECT id FROM workspaces WHERE lower(name) = lower(?)`, v)
		if err != nil {
			return nil, fmt.Errorf("workspace filter: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("workspace filter: %w", err)
			}
			ids = append(ids, id)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("workspace filter: %w", err)
		}
	}
	return ids, nil
}

// listFiltered answers a query with filters and no words: the calls the
// filter allows, newest first. The count comes from the calls' columns in
// memory; the page walks the start-time index from the newest call.
// f is nil when nothing is filtered; handle is f's handle.
func (db *DB) listFiltered(ctx context.Context, tx *readTx, f *rowFilter, handle int64, limit, offset int, res *core.SearchResult) error {
	var meta *callMeta
	if f != nil && f.cols != nil {
		meta = f.cols // loaded for the filters in this transaction
	} else {
		gen, err := generation(ctx, tx)
		if err != nil {
			return err
		}
		if meta, err = db.callMeta(ctx, tx, gen); err != nil {
			return err
		}
	}
	for rowid, w := range meta.byCall {
		if w >= 0 && (f == nil || f.allows(int64(rowid))) {
			res.Total++
		}
	}
	if offset >= res.Total {
		return nil
	}
	where := ""
	if f != nil {
		where = "WHERE gc_visible(?3, c.rowid)"
	}
	rows, err := tx.QueryContext(ctx, `SELECT c.id, c.title, c.url, c.started, c.duration_sec, c.accounts, c.deals, c.brief
		FROM calls c INDEXED BY calls_started `+where+`
		ORDER BY c.started DESC, c.rowid DESC LIMIT ?1 OFFSET ?2`, limit, offset, handle)
	if err != nil {
		return fmt.Errorf("list: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h core.Hit
		var started, duration int64
		var accounts, deals, brief string
		if err := rows.Scan(&h.ID, &h.Title, &h.URL, &started, &duration, &accounts, &deals, &brief); err != nil {
			return fmt.Errorf("list: %w", err)
		}
		h.Started = time.Unix(started, 0).UTC()
		h.Duration = time.Duration(duration) * time.Second
		h.Accounts = search.Lines(accounts)
		h.Deals = search.Lines(deals)
		h.Snippet = search.ListSnippet(brief)
		res.Hits = append(res.Hits, h)
	}
	return rows.Err()
}
