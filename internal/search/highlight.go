package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"gongconnector/internal/core"
)

// Highlighter marks a query's words in a call's text, as FTS5's snippet()
// would, but from the text alone: snippet() must find its row in the index
// again, a seek of every query term in every segment (~100 µs a hit at a
// million calls).
type Highlighter struct {
	words    map[string]bool
	prefixes []string
}

func NewHighlighter(p core.Parsed) Highlighter {
	h := Highlighter{words: map[string]bool{}}
	for _, g := range p.Groups {
		for _, t := range g {
			var ws []string
			for _, w := range t.Words {
				ws = append(ws, strings.FieldsFunc(w, func(r rune) bool { return !core.IsWordRune(r) })...)
			}
			for i, w := range ws {
				f := FoldWord(w)
				if f == "" {
					continue
				}
				if t.Prefix && i == len(ws)-1 && utf8.RuneCountInString(w) >= core.MinPrefix {
					h.prefixes = append(h.prefixes, f)
				} else {
					h.words[f] = true
				}
			}
		}
	}
	return h
}

// FoldWord folds a word as both indexes do (SQLite's unicode61 tokenizer
// with remove_diacritics 2, and the lexemes written for PostgreSQL): lower
// case, without diacritics.
func FoldWord(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(w)
	}
	var b strings.Builder
	for _, r := range norm.NFKD.String(w) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func (h Highlighter) matches(word string) bool {
	f := FoldWord(word)
	if h.words[f] {
		return true
	}
	for _, p := range h.prefixes {
		if strings.HasPrefix(f, p) {
			return true
		}
	}
	return false
}

// Snippet returns about n words of text around its densest run of matched
// words, each match between core.SnippetMarkStart and core.SnippetMarkEnd, and whether
// anything matched. Without a match it is the text's first n words.
func (h Highlighter) Snippet(text string, n int) (string, bool) {
	type span struct {
		start, end int
		hit        bool
	}
	var toks []span
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !core.IsWordRune(r) {
			i += size
			continue
		}
		j := i + size
		for j < len(text) {
			r, size := utf8.DecodeRuneInString(text[j:])
			if !core.IsWordRune(r) {
				break
			}
			j += size
		}
		toks = append(toks, span{i, j, h.matches(text[i:j])})
		i = j
	}
	if len(toks) == 0 {
		return "", false
	}
	// The window of n words with the most hits, starting a few words
	// before its first hit.
	best, bestHits, hits := 0, 0, 0
	for i := range toks {
		if toks[i].hit {
			hits++
		}
		if i >= n && toks[i-n].hit {
			hits--
		}
		if hits > bestHits {
			best, bestHits = max(0, i-n+1), hits
		}
	}
	if bestHits > 0 {
		first := best
		for !toks[first].hit {
			first++
		}
		best = max(0, min(first-3, len(toks)-n))
	}
	last := min(len(toks), best+n) - 1
	var b strings.Builder
	if best > 0 {
		b.WriteString("…")
	}
	pos := toks[best].start
	for _, t := range toks[best : last+1] {
		b.WriteString(text[pos:t.start])
		if t.hit {
			b.WriteString(core.SnippetMarkStart + text[t.start:t.end] + core.SnippetMarkEnd)
		} else {
			b.WriteString(text[t.start:t.end])
		}
		pos = t.end
	}
	if last < len(toks)-1 {
		b.WriteString("…")
	} else {
		b.WriteString(text[pos:])
	}
	return b.String(), bestHits > 0
}

// Pick returns the snippet of a hit: of the call's content (brief, then
// key points, then action items) where it shows a match, else of the first
// other field that does, else the brief's first words.
func (h Highlighter) Pick(d *Document) string {
	for _, col := range []string{d.Brief, d.KeyPoints, d.ActionItems, d.Title, d.Accounts, d.Deals, d.People, d.Topics, d.Trackers} {
		if s, ok := h.Snippet(col, SnippetWords); ok {
			return oneLine(s)
		}
	}
	s, _ := h.Snippet(d.Brief, SnippetWords)
	return oneLine(s)
}

// oneLine joins the list items a snippet may span.
func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " · ") }

// ListSnippet is the snippet of a call listed without words to match (a
// filter-only query): the first words of its brief.
func ListSnippet(brief string) string {
	f := strings.Fields(oneLine(brief))
	if len(f) <= SnippetWords {
		return strings.Join(f, " ")
	}
	return strings.Join(f[:SnippetWords], " ") + "…"
}
