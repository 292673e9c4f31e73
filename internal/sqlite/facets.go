package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"gongconnector/internal/core"
	"gongconnector/internal/search"
)

// facetSample is the most matches facets are counted over (a variable so
// that tests can lower it).
var facetSample = search.FacetSample

// facets counts accounts, deals, topics, trackers and months over the
// newest matches of match (or, when match is "", of the calls the filter
// allows), tested against the filter when filtered.
func facets(ctx context.Context, tx *readTx, match string, filtered bool, handle int64) (*core.Facets, error) {
	var rows *sql.Rows
	var err error
	switch {
	case match == "":
		where := ""
		if filtered {
			where = "WHERE gc_visible(?2, c.rowid)"
		}
		rows, err = tx.QueryContext(ctx, `SELECT c.accounts, c.deals, c.topics, c.trackers, c.started
			FROM calls c INDEXED BY calls_started `+where+` ORDER BY c.started DESC LIMIT ?1`, facetSample, handle)
	default:
		filter := ""
		if filtered {
			filter = " AND gc_visible(?3, rowid)"
		}
		rows, err = tx.QueryContext(ctx, `SELECT c.accounts, c.deals, c.topics, c.trackers, c.started
			FROM (SELECT rowid AS r FROM call_fts WHERE call_fts MATCH ?1`+filter+` ORDER BY rowid DESC LIMIT ?2) m
			CROSS JOIN calls c ON c.rowid = m.r`, match, facetSample, handle)
	}
	if err != nil {
		return nil, fmt.Errorf("facets: %w", err)
	}
	defer rows.Close()
	var fc search.FacetCounter
	for rows.Next() {
		var a, d, tp, tr string
		var started int64
		if err := rows.Scan(&a, &d, &tp, &tr, &started); err != nil {
			return nil, fmt.Errorf("facets: %w", err)
		}
		fc.Add(a, d, tp, tr, time.Unix(started, 0))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("facets: %w", err)
	}
	return fc.Facets(), nil
}
