package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"gongconnector/internal/core"
)

// facetSample is the most matches facets are counted over: the newest
// ones. Reading a match's accounts, deals, topics and trackers costs a few
// microseconds, so counting every match of a common word would cost more
// than the search; past this many the facets describe the newest matches
// and say how many they counted.
var facetSample = 2000

// facetValues is how many values each facet lists.
const facetValues = 10

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
	var accounts, deals, topics, trackers, months tally
	f := &core.Facets{}
	for rows.Next() {
		var a, d, tp, tr string
		var started int64
		if err := rows.Scan(&a, &d, &tp, &tr, &started); err != nil {
			return nil, fmt.Errorf("facets: %w", err)
		}
		f.Over++
		accounts.addLines(a)
		deals.addLines(d)
		topics.addLines(tp)
		trackers.addLines(tr)
		months.add(time.Unix(started, 0).UTC().Format("2006-01"))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("facets: %w", err)
	}
	f.Accounts, f.Deals, f.Topics, f.Trackers = accounts.top(), deals.top(), topics.top(), trackers.top()
	f.Months = months.top()
	return f, nil
}

// tally counts facet values, each at most once per call.
type tally map[string]int

func (t *tally) add(v string) {
	if *t == nil {
		*t = tally{}
	}
	(*t)[v]++
}

func (t *tally) addLines(s string) {
	seen := map[string]bool{}
	for _, v := range strings.Split(s, "\n") {
		if v != "" && !seen[v] {
			seen[v] = true
			t.add(v)
		}
	}
}

// top returns the most frequent values, ties by value.
func (t tally) top() []core.FacetValue {
	out := make([]core.FacetValue, 0, len(t))
	for v, n := range t {
		out = append(out, core.FacetValue{Value: v, Count: n})
	}
	slices.SortFunc(out, func(a, b core.FacetValue) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	return out[:min(len(out), facetValues)]
}
