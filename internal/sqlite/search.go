package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gongconnector/internal/core"
)

// Highlight markers around matched words in Hit.Snippet. They are control
// characters so that no call text is mistaken for them; a renderer replaces
// them after escaping the snippet (with <mark>, or nothing).
const (
	HighlightStart = "\x02"
	HighlightEnd   = "\x03"
)

// Result page sizes.
const (
	DefaultLimit = 10
	MaxLimit     = 100
)

// minPrefix is the shortest word a trailing '*' turns into a prefix query;
// shorter prefixes match too much of the index to rank.
const minPrefix = 3

// bm25Weights weights the call_fts columns: title, accounts, deals, people,
// brief, key_points, action_items, topics, trackers.
const bm25Weights = "10.0, 8.0, 8.0, 3.0, 1.0, 2.0, 2.0, 3.0, 2.0"

// rankLimit is the most matches a query ranks by relevance. Ranking costs
// about a microsecond per match, so a query matching more calls (a common
// word) returns the most recently indexed matches instead, which FTS5 reads
// in rowid order and stops after one page.
var rankLimit = 20_000

// snippetTokens is the length of a snippet in words.
const snippetTokens = 24

// MatchExpr turns any user text into a safe FTS5 query: the words of text
// (runs of letters, digits and marks, as the unicode61 tokenizer splits
// them), each quoted as a string, all required. A word of at least three
// characters followed by '*' matches as a prefix. FTS5 operators and
// punctuation in text are ordinary characters. It returns "" when text has
// no words.
func MatchExpr(text string) string {
	var b strings.Builder
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			i += size
			continue
		}
		start := i
		for i < len(text) {
			r, size := utf8.DecodeRuneInString(text[i:])
			if !isWordRune(r) {
				break
			}
			i += size
		}
		word := text[start:i]
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		// Words hold no quotes; the escaping is kept for safety should
		// isWordRune ever change.
		b.WriteString(strings.ReplaceAll(word, `"`, `""`))
		b.WriteByte('"')
		if i < len(text) && text[i] == '*' && utf8.RuneCountInString(word) >= minPrefix {
			b.WriteByte('*')
		}
	}
	return b.String()
}

// isWordRune reports whether the unicode61 tokenizer keeps r in a token:
// letters, numbers, private-use characters and, since diacritics are
// removed, combining marks.
func isWordRune(r rune) bool {
	if r == utf8.RuneError {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r) || unicode.IsMark(r)
}

// Search runs a full-text query and returns the number of matching calls
// the caller may see and the requested page of them, best first (by BM25,
// title, accounts and deals weighing most; newest indexed first when more
// than 20,000 visible calls match). Trimming to q.Visibility happens inside
// both queries, before counting and ranking; the zero Visibility sees
// nothing. Any text is accepted: text without words matches nothing.
func (db *DB) Search(ctx context.Context, q core.Query) (core.SearchResult, error) {
	res := core.SearchResult{Hits: []core.Hit{}}
	match := MatchExpr(q.Text)
	if match == "" || q.Visibility.Nothing() {
		return res, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	offset := max(q.Offset, 0)

	err := db.read(ctx, func(tx *sql.Tx) error {
		// ?1 is the match, ?6 the caller's visible set.
		var handle int64
		filter := ""
		few := false // the caller sees at most rankLimit calls in all
		if !q.Visibility.Everything {
			visible, err := db.visibleBitmap(ctx, tx, &q.Visibility)
			if err != nil {
				return err
			}
			if !visible.full {
				var done func()
				handle, done = registerVisible(visible.bits)
				defer done()
				filter = " AND gc_visible(?6, rowid)"
				few = visible.n <= rankLimit
			}
		}
		count := func() error {
			err := tx.QueryRowContext(ctx, `SELECT count(*) FROM call_fts WHERE call_fts MATCH ?1`+
				strings.Replace(filter, "?6", "?2", 1), match, handle).Scan(&res.Total)
			if err != nil {
				return fmt.Errorf("count: %w", err)
			}
			return nil
		}
		var page string
		switch {
		case few:
			// Every visible match is ranked: one pass over the matches
			// both counts and ranks them (a second pass would test each
			// match against the visible set again).
			page = `WITH m AS MATERIALIZED (SELECT rowid AS r, bm25(call_fts, ` + bm25Weights + `) AS score
				FROM call_fts WHERE call_fts MATCH ?1` + filter + `),
				top AS (SELECT r, score, (SELECT count(*) FROM m) AS n FROM m ORDER BY score LIMIT ?2 OFFSET ?3)`
		default:
			if err := count(); err != nil {
				return err
			}
			if res.Total == 0 || offset >= res.Total {
				return nil
			}
			rank := `SELECT rowid AS r, bm25(call_fts, ` + bm25Weights + `) AS score, 0 AS n FROM call_fts
				WHERE call_fts MATCH ?1` + filter + ` ORDER BY score LIMIT ?2 OFFSET ?3`
			if res.Total > rankLimit {
				rank = `SELECT rowid AS r, -rowid AS score, 0 AS n FROM call_fts
					WHERE call_fts MATCH ?1` + filter + ` ORDER BY rowid DESC LIMIT ?2 OFFSET ?3`
			}
			page = `WITH top AS (` + rank + `)`
		}
		// Rank first, then build snippets for the page only: a snippet in the
		// ranking query would be computed for every match.
		rows, err := tx.QueryContext(ctx, page+`
			SELECT top.n, c.id, c.title, c.url, c.started, c.duration_sec, c.accounts, c.deals,
				snippet(call_fts, 4, ?4, ?5, '…', `+fmt.Sprint(snippetTokens)+`),
				snippet(call_fts, 5, ?4, ?5, '…', `+fmt.Sprint(snippetTokens)+`),
				snippet(call_fts, 6, ?4, ?5, '…', `+fmt.Sprint(snippetTokens)+`),
				snippet(call_fts, -1, ?4, ?5, '…', `+fmt.Sprint(snippetTokens)+`)
			FROM top
			-- CROSS JOIN keeps this order: otherwise SQLite may scan every
			-- match and probe the page for each.
			CROSS JOIN call_fts ON call_fts.rowid = top.r AND call_fts MATCH ?1
			CROSS JOIN calls c ON c.rowid = top.r
			ORDER BY top.score, top.r`, match, limit, offset, HighlightStart, HighlightEnd, handle)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var h core.Hit
			var n, started, duration int64
			var accounts, deals, brief, keyPoints, actionItems, best string
			if err := rows.Scan(&n, &h.ID, &h.Title, &h.URL, &started, &duration, &accounts, &deals,
				&brief, &keyPoints, &actionItems, &best); err != nil {
				return err
			}
			if few {
				res.Total = int(n)
			}
			h.Started = time.Unix(started, 0).UTC()
			h.Duration = time.Duration(duration) * time.Second
			h.Accounts = nonEmptyLines(accounts)
			h.Deals = nonEmptyLines(deals)
			h.Snippet = pickSnippet(brief, keyPoints, actionItems, best)
			res.Hits = append(res.Hits, h)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if few && len(res.Hits) == 0 && offset > 0 {
			return count() // a page past the end still reports the total
		}
		return nil
	})
	if err != nil {
		return core.SearchResult{Hits: []core.Hit{}}, fmt.Errorf("sqlite: search: %w", err)
	}
	return res, nil
}

// pickSnippet prefers a snippet of the call's content (brief, then key
// points, then action items) that shows a match, then the best-matching
// column, then the brief.
func pickSnippet(brief, keyPoints, actionItems, best string) string {
	for _, s := range []string{brief, keyPoints, actionItems, best} {
		if strings.Contains(s, HighlightStart) {
			return oneLine(s)
		}
	}
	if brief != "" {
		return oneLine(brief)
	}
	return oneLine(best)
}

// oneLine joins the list items a snippet may span.
func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " · ") }

func nonEmptyLines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}
