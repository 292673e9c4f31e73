package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gongconnector/internal/core"
	"gongconnector/internal/search"
)

// Highlight markers around matched words in Hit.Snippet (core's).
const (
	HighlightStart = core.SnippetMarkStart
	HighlightEnd   = core.SnippetMarkEnd
)

// Result page sizes (the shared search model's).
const (
	DefaultLimit = search.DefaultLimit
	MaxLimit     = search.MaxLimit
)

// rankWeights weights the call_fts columns in ranking (search.Fields).
var rankWeights = func() []float64 {
	w := make([]float64, len(search.Fields))
	for i, f := range search.Fields {
		w[i] = f.Weight
	}
	return w
}()

// bm25Weights is rankWeights as arguments of FTS5's bm25(), which tests
// and benchmarks compare gc_rank with.
const bm25Weights = "10.0, 8.0, 8.0, 3.0, 1.0, 2.0, 2.0, 3.0, 2.0"

// rankLimit is the most matches a query ranks by relevance. Ranking costs
// about a microsecond per match, so a query matching more calls (a common
// word) returns the most recently indexed matches instead, which FTS5 reads
// in rowid order and stops after one page.
var rankLimit = search.RankLimit

// fieldColumns maps query fields to call_fts columns.
var fieldColumns = map[string]string{
	core.FieldTitle: "title", core.FieldAccount: "accounts", core.FieldDeal: "deals",
	core.FieldParticipant: "people", core.FieldTopic: "topics", core.FieldTracker: "trackers",
	core.FieldBrief: "brief", core.FieldKeyPoints: "key_points", core.FieldActionItems: "action_items",
}

// matchExpr writes a parsed query as an FTS5 expression. Every word is a
// quoted string, so nothing a user types is FTS5 syntax; a term in a field
// is a column filter. It returns "" when nothing is to be matched (no
// group, or only excluded terms).
func matchExpr(p core.Parsed) string { return matchExprWith(p, nil) }

// matchExprWith is matchExpr with the prefixes in c written as their
// completions.
func matchExprWith(p core.Parsed, c completions) string {
	var b strings.Builder
	for _, g := range p.Groups {
		var alts []string
		for _, t := range g {
			if e := termExprWith(t, c); e != "" {
				alts = append(alts, e)
			}
		}
		if len(alts) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(" AND ")
		}
		if len(alts) == 1 {
			b.WriteString(alts[0])
		} else {
			b.WriteString("(" + strings.Join(alts, " OR ") + ")")
		}
	}
	if b.Len() == 0 {
		return ""
	}
	expr := b.String()
	for _, t := range p.Excluded {
		if e := termExprWith(t, c); e != "" {
			expr = "(" + expr + ") NOT " + e
		}
	}
	return expr
}

// termExpr writes one term: a phrase of its words, quoted, with a prefix
// star and a column filter as the term asks.
func termExpr(t core.Term) string { return termExprWith(t, nil) }

// termExprWith is termExpr with a prefix in c written as the OR of its
// completions.
func termExprWith(t core.Term, c completions) string {
	phrases := termPhrases(t, c)
	switch len(phrases) {
	case 0:
		return ""
	case 1:
		return columnFilter(t, phrases[0])
	}
	return columnFilter(t, "("+strings.Join(phrases, " OR ")+")")
}

// phraseExprs returns the phrases of t, each as an FTS5 expression with
// t's column filter: what gc_rank scores one by one, in order.
func phraseExprs(t core.Term, c completions) []string {
	var out []string
	for _, ph := range termPhrases(t, c) {
		out = append(out, columnFilter(t, ph))
	}
	return out
}

func columnFilter(t core.Term, e string) string {
	if col, ok := fieldColumns[t.Field]; ok {
		return "{" + col + "} : " + e
	}
	return e
}

// termPhrases returns the FTS5 phrases term t matches: its words quoted,
// with a prefix star when it is a prefix, or one phrase per completion of a
// prefix found in c. None when t has no word.
func termPhrases(t core.Term, c completions) []string {
	words := termWords(t)
	if len(words) == 0 {
		return nil
	}
	if w, ok := prefixWord(t); ok {
		if terms := c[w]; len(terms) > 0 {
			head := strings.Join(words[:len(words)-1], " ")
			if head != "" {
				head += " "
			}
			out := make([]string, len(terms))
			for i, term := range terms {
				out[i] = `"` + head + term + `"`
			}
			return out
		}
	}
	e := `"` + strings.Join(words, " ") + `"`
	if t.Prefix && utf8.RuneCountInString(words[len(words)-1]) >= core.MinPrefix {
		e += "*"
	}
	return []string{e}
}

// termWords returns the words of t as the tokenizer keeps them.
func termWords(t core.Term) []string { return search.TermWords(t) }

// Search runs a full-text query and returns the number of matching calls
// the caller may see and the requested page of them, best first (by BM25,
// title, accounts and deals weighing most; newest indexed first when more
// than 20,000 visible calls match). Trimming to q.Visibility happens inside
// both queries, before counting and ranking; the zero Visibility sees
// nothing. Any text is accepted: text without words matches nothing.
func (db *DB) Search(ctx context.Context, q core.Query) (core.SearchResult, error) {
	res := core.SearchResult{Hits: []core.Hit{}}
	p := q.Parsed
	if p == nil {
		parsed := core.ParseQuery(q.Text, nil)
		p = &parsed
	}
	match := matchExpr(*p)
	if (match == "" && p.Filters.IsZero()) || q.Visibility.Nothing() {
		return res, nil
	}
	limit, offset := search.PageBounds(q)

	err := db.read(ctx, func(tx *readTx) error {
		f, few, err := db.queryFilter(ctx, tx, &q.Visibility, p.Filters)
		if err != nil || f == nil {
			return err // f nil: the filters exclude every call
		}
		if match != "" {
			c, err := db.expandPrefixes(ctx, tx, *p)
			if err != nil {
				return err
			}
			match = matchExprWith(*p, c)
			if f.rank, err = db.rankParams(ctx, tx, *p, c); err != nil {
				return err
			}
			// A query expected to match few calls the caller may see is
			// ranked in the pass that counts it, as for a caller who sees
			// few calls; if more match, that pass stops ranking at
			// rankLimit and the page is the newest.
			if !few && f.rank.matches >= 0 && min(f.rank.matches, float64(scanWindow(f.share)))*f.share <= float64(rankLimit)/2 {
				few = true
			}
		}
		// ?1 is the match, ?6 the handle of the filter and ranking.
		var handle int64
		filtered := f.bits != nil || f.narrowed()
		filter := ""
		if filtered || f.rank != nil {
			var done func()
			handle, done = registerVisible(f)
			defer done()
		}
		if filtered {
			filter = " AND gc_visible(?6, rowid)"
		}
		registered := f
		if !filtered {
			f = nil
		}
		if match == "" {
			err = db.listFiltered(ctx, tx, f, handle, limit, offset, &res)
			if err != nil || !q.Facets || res.Total == 0 {
				return err
			}
			res.Facets, err = facets(ctx, tx, match, f != nil, handle)
			return err
		}
		run := func(tx *readTx) error {
			err := db.searchMatch(ctx, tx, match, filter, handle, registered, few, search.NewHighlighter(*p), limit, offset, &res)
			if err != nil || !q.Facets || res.Total == 0 {
				return err
			}
			res.Facets, err = facets(ctx, tx, match, f != nil, handle)
			return err
		}
		// A caller who sees few calls is searched in their replica, when
		// it holds the index's current state (see replica.go).
		if r, done := db.replicaFor(registered.visible); r != nil {
			defer done()
			return r.read(ctx, tx, run)
		}
		return run(tx)
	})
	if err != nil {
		return core.SearchResult{Hits: []core.Hit{}}, fmt.Errorf("sqlite: search: %w", err)
	}
	return res, nil
}

// scanBudget is the most full-text matches a query reads to count and rank
// (50,000: about 6 ms of reading one word at a million calls, measured in
// README.md): the newest ones, by rowid. Past them the total is estimated
// from the share of the index they covered, and ranking is over them.
// scanFloor is the fewest: a caller who may see most calls finds enough of
// them in fewer matches (see scanWindow).
var (
	scanBudget = 50_000
	scanFloor  = 10_000
)

// scanWindow is how many of the newest matches a search reads for a caller
// who may see share of all calls: enough to expect rankLimit/2 of them
// visible, so that the best of those are ranked, between scanFloor and
// scanBudget. A rep who sees 0.03% of the calls reads 50,000 matches; an
// admin 10,000, where reading 50,000 cost 6 ms of a 8 ms search.
func scanWindow(share float64) int {
	if share <= 0 {
		return scanBudget
	}
	return int(min(float64(scanBudget), max(float64(scanFloor), float64(rankLimit)/2/share)))
}

// searchMatch counts and ranks the matches of match that the filter allows
// (filter is "" for none, or tests ?6, handle), and reads one page of them.
// Both read at most the newest scanWindow matches (see scanBudget).
// few: the filter allows at most rankLimit calls, so every match it allows
// is ranked, in the same pass that counts them.
func (db *DB) searchMatch(ctx context.Context, tx *readTx, match, filter string, handle int64, f *rowFilter, few bool, hl search.Highlighter, limit, offset int, res *core.SearchResult) error {
	visible := "1"
	if filter != "" {
		visible = "gc_visible(?6, rowid)"
	}
	// The window: the newest scanWindow matches, with whether each is
	// visible. raw is how many it holds, low its lowest rowid.
	window := `SELECT rowid AS r, ` + visible + ` AS v FROM call_fts WHERE call_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?7`
	var raw, low, n int64
	budget := scanWindow(f.share) // -1 once every match is read
	total := func(maxRowid int64) {
		res.Total = int(n)
		if budget > 0 && raw >= int64(budget) && maxRowid > low {
			// The window holds the newest matches, rowids maxRowid..low:
			// the rest are assumed as frequent below low.
			res.Total = int(float64(n) * float64(maxRowid) / float64(maxRowid-low+1))
			res.Estimated = true
		}
	}
	maxRowid := func() (int64, error) {
		var m int64
		err := tx.QueryRowContext(ctx, `SELECT coalesce(max(rowid), 0) FROM calls`).Scan(&m)
		return m, err
	}
	var page string
	switch {
	case few:
		// Every visible match in the window is ranked, in one pass that
		// also counts them: gc_visible counts the rows it is asked about
		// (storing the window to count it would cost more than reading it).
		// Past rankLimit visible matches, gc_rank stops scoring.
		f.resetCounts()
		f.capRank = true
		defer func() { f.capRank = false }()
		page = `WITH top AS (SELECT r, score FROM (
				SELECT rowid AS r, CASE WHEN gc_visible(?6, rowid) THEN gc_rank(call_fts, ?6) END AS score
				FROM call_fts WHERE call_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?7)
				WHERE score IS NOT NULL ORDER BY score LIMIT ?2 OFFSET ?3)`
	default:
		err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(min(r), 0), coalesce(sum(v), 0) FROM (`+window+`)`,
			match, nil, nil, nil, nil, handle, budget).Scan(&raw, &low, &n)
		if err != nil {
			return fmt.Errorf("count: %w", err)
		}
		if raw >= int64(budget) && n == 0 {
			// None of the newest matches is visible: count them all, as a
			// caller's calls may all be older.
			budget = -1
			err := tx.QueryRowContext(ctx, `SELECT count(*), 0, coalesce(sum(v), 0) FROM (`+window+`)`,
				match, nil, nil, nil, nil, handle, budget).Scan(&raw, &low, &n)
			if err != nil {
				return fmt.Errorf("count: %w", err)
			}
		}
		m, err := maxRowid()
		if err != nil {
			return fmt.Errorf("count: %w", err)
		}
		total(m)
		if n == 0 || int64(offset) >= n {
			return nil
		}
		if n <= int64(rankLimit) {
			page = `WITH top AS (SELECT r, score FROM (
				SELECT rowid AS r, CASE WHEN ` + visible + ` THEN gc_rank(call_fts, ?6) END AS score
				FROM call_fts WHERE call_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?7)
				WHERE score IS NOT NULL ORDER BY score LIMIT ?2 OFFSET ?3)`
		} else {
			page = newestPage(filter)
		}
	}
	if err := db.readPage(ctx, tx, page, match, handle, budget, hl, limit, offset, res); err != nil {
		return err
	}
	if !few {
		return nil
	}
	// The page was ranked from the whole window: gc_visible has seen it.
	n, raw, low = f.passed, f.seen, f.low
	if raw >= int64(budget) && n == 0 {
		// None of the newest matches is visible: count and rank them all.
		f.capRank = false
		return db.searchMatch(ctx, tx, match, filter, handle, f, false, hl, limit, offset, res)
	}
	m, err := maxRowid()
	if err != nil {
		return fmt.Errorf("count: %w", err)
	}
	total(m)
	if n > int64(rankLimit) {
		// More matched than expected: too many to rank, so the newest.
		res.Hits = res.Hits[:0]
		return db.readPage(ctx, tx, newestPage(filter), match, handle, budget, hl, limit, offset, res)
	}
	return nil
}

// newestPage is the page query of a search matching too many calls to
// rank: the newest first, which FTS5 reads in rowid order and stops after
// one page.
func newestPage(filter string) string {
	return `WITH top AS (SELECT rowid AS r, -rowid AS score FROM call_fts
				WHERE call_fts MATCH ?1` + filter + ` ORDER BY rowid DESC LIMIT ?2 OFFSET ?3)`
}

// readPage runs a page query (a CTE "top" of rowids and scores) and
// appends its calls to res.Hits, with their snippets.
func (db *DB) readPage(ctx context.Context, tx *readTx, page, match string, handle int64, budget int, hl search.Highlighter, limit, offset int, res *core.SearchResult) error {
	// Rank first, then build snippets for the page only: a snippet in the
	// ranking query would be computed for every match.
	// (?4 and ?5 are unused.)
	const order = ` ORDER BY top.score, c.started DESC, top.r DESC`
	args := []any{match, limit, offset, nil, nil, handle, budget}
	if tx.rows != nil {
		// A replica holds no text: the page's rowids come from it, their
		// calls from the index.
		rows, err := tx.QueryContext(ctx, page+` SELECT top.r FROM top CROSS JOIN calls c ON c.rowid = top.r`+order, args...)
		if err != nil {
			return err
		}
		var page []int64
		for rows.Next() {
			var r int64
			if err := rows.Scan(&r); err != nil {
				rows.Close()
				return err
			}
			page = append(page, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range page {
			if err := scanHit(tx.rows.QueryRowContext(ctx, `SELECT `+hitColumns+` FROM calls c WHERE c.rowid = ?`, r), hl, res); err != nil {
				return fmt.Errorf("read call %d: %w", r, err)
			}
		}
		return nil
	}
	rows, err := tx.QueryContext(ctx, page+` SELECT `+hitColumns+` FROM top
		-- CROSS JOIN keeps this order: the page, then its calls.
		CROSS JOIN calls c ON c.rowid = top.r`+order, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scanHit(rows, hl, res); err != nil {
			return err
		}
	}
	return rows.Err()
}

// hitColumns are the columns of calls c a hit is read from (scanHit).
const hitColumns = `c.id, c.title, c.url, c.started, c.duration_sec, c.accounts, c.deals,
	c.brief, c.key_points, c.action_items, c.people, c.topics, c.trackers`

// scanHit reads a row of hitColumns and appends it to res.Hits, with its
// snippet.
func scanHit(row interface{ Scan(...any) error }, hl search.Highlighter, res *core.SearchResult) error {
	var h core.Hit
	var started, duration int64
	var d search.Document
	if err := row.Scan(&h.ID, &d.Title, &h.URL, &started, &duration, &d.Accounts, &d.Deals,
		&d.Brief, &d.KeyPoints, &d.ActionItems, &d.People, &d.Topics, &d.Trackers); err != nil {
		return err
	}
	h.Title = d.Title
	h.Started = time.Unix(started, 0).UTC()
	h.Duration = time.Duration(duration) * time.Second
	h.Accounts = search.Lines(d.Accounts)
	h.Deals = search.Lines(d.Deals)
	h.Snippet = hl.Pick(&d)
	res.Hits = append(res.Hits, h)
	return nil
}

// MatchExpression returns the FTS5 expression a query's text searches
// with, for comparing Search with FTS5 alone (benchmarks).
func MatchExpression(text string) string { return matchExpr(core.ParseQuery(text, nil)) }
