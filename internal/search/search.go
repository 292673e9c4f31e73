// Package search is the search model both stores share: the searchable
// fields of a call and their ranking weights, how a parsed query
// (core.Parsed) becomes phrases of folded words, page limits, snippets and
// facets. Each backend (internal/sqlite with FTS5, internal/postgres with
// tsvector) only translates this model into its SQL, so that a query finds
// the same calls, counts the same total and shows the same snippet in both.
//
// Security trimming is part of the model too: core.Visibility.Allows is the
// rule, and each backend applies it inside its queries, before counting,
// ranking, facets and snippets.
package search

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gongconnector/internal/core"
)

// Result page sizes.
const (
	DefaultLimit = 10
	// MaxLimit is the largest page; surfaces offer users at most 100, and
	// answers read up to a few hundred calls in one search.
	MaxLimit = 500
)

// SnippetWords is the length of a snippet in words.
const SnippetWords = 24

// FacetSample is the most matches facets are counted over: the newest.
// Reading a match's accounts, deals, topics and trackers costs a few
// microseconds, so counting every match of a common word would cost more
// than the search; past this many the facets describe the newest matches
// and say how many they counted (core.Facets.Over).
const FacetSample = 2000

// FacetValues is how many values each facet lists.
const FacetValues = 10

// RankLimit is the most matches a query ranks by relevance. Past it a
// query (a common word) returns the newest matches instead: ranking costs
// about a microsecond per match in either backend.
const RankLimit = 5_000

// Field is one searchable part of a call.
type Field struct {
	// Name is the field's column in both stores; Query the core.Field a
	// query term names it by.
	Name, Query string
	// Weight is the field's weight in ranking: what names a call (its
	// title, account and deal) outweighs what it says.
	Weight float64
	// Code is the one-letter tag PostgreSQL puts before the field's
	// lexemes, so that a term can be searched in one field.
	Code byte
}

// Fields are the searchable fields, in Document.Text order.
var Fields = [9]Field{
	{"title", core.FieldTitle, 10, 't'},
	{"accounts", core.FieldAccount, 8, 'a'},
	{"deals", core.FieldDeal, 8, 'd'},
	{"people", core.FieldParticipant, 3, 'p'},
	{"brief", core.FieldBrief, 1, 'b'},
	{"key_points", core.FieldKeyPoints, 2, 'k'},
	{"action_items", core.FieldActionItems, 2, 'i'},
	{"topics", core.FieldTopic, 3, 'o'},
	{"trackers", core.FieldTracker, 2, 'r'},
}

// FieldIndex returns the index in Fields of the field a query names; false
// for core.FieldAny or an unknown field.
func FieldIndex(query string) (int, bool) {
	for i, f := range Fields {
		if f.Query == query && query != core.FieldAny {
			return i, true
		}
	}
	return 0, false
}

// TermWords returns the words of t as the tokenizer keeps them (not
// folded), so that a phrase is exactly its words: a stray quote or dash
// inside a word only separates words.
func TermWords(t core.Term) []string {
	var words []string
	for _, w := range t.Words {
		words = append(words, strings.FieldsFunc(w, func(r rune) bool { return !core.IsWordRune(r) })...)
	}
	return words
}

// IsPrefix reports whether t's last word is searched as a prefix: t asks
// for one and the word is at least core.MinPrefix letters long.
func IsPrefix(t core.Term) bool {
	words := TermWords(t)
	return t.Prefix && len(words) > 0 && utf8.RuneCountInString(words[len(words)-1]) >= core.MinPrefix
}

// Phrase is one term of a query as an index sees it: folded words in order,
// the last one a prefix when Prefix, in one field (Field >= 0, an index of
// Fields) or any (Field < 0).
type Phrase struct {
	Field  int
	Words  []string
	Prefix bool
}

// TermPhrase returns t as a Phrase; false when t has no word.
func TermPhrase(t core.Term) (Phrase, bool) {
	words := TermWords(t)
	if len(words) == 0 {
		return Phrase{}, false
	}
	ph := Phrase{Field: -1, Prefix: IsPrefix(t)}
	if i, ok := FieldIndex(t.Field); ok {
		ph.Field = i
	}
	for _, w := range words {
		ph.Words = append(ph.Words, FoldWord(w))
	}
	return ph, true
}

// Plan is a parsed query as phrases: a call matches when it matches a
// phrase of every group and no excluded phrase. Groups without a phrase
// are dropped, as the text they came from has no word.
type Plan struct {
	Groups   [][]Phrase
	Excluded []Phrase
	Filters  core.Filters
}

// NewPlan turns a parsed query into phrases.
func NewPlan(p core.Parsed) Plan {
	plan := Plan{Filters: p.Filters}
	for _, g := range p.Groups {
		var alts []Phrase
		for _, t := range g {
			if ph, ok := TermPhrase(t); ok {
				alts = append(alts, ph)
			}
		}
		if len(alts) > 0 {
			plan.Groups = append(plan.Groups, alts)
		}
	}
	if len(plan.Groups) > 0 {
		for _, t := range p.Excluded {
			if ph, ok := TermPhrase(t); ok {
				plan.Excluded = append(plan.Excluded, ph)
			}
		}
	}
	return plan
}

// Matches reports whether there is text to match; a plan without it lists
// the calls its filters allow, or nothing when it has no filter either.
func (p Plan) Matches() bool { return len(p.Groups) > 0 }

// Empty reports whether the plan asks for nothing at all.
func (p Plan) Empty() bool { return !p.Matches() && p.Filters.IsZero() }

// Tokens splits text into folded words, as both indexes tokenize it.
func Tokens(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !core.IsWordRune(r) }) {
		if f := FoldWord(w); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// PageBounds returns the limit and offset a query asks for, within the
// page sizes.
func PageBounds(q core.Query) (limit, offset int) {
	limit = q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	return min(limit, MaxLimit), max(q.Offset, 0)
}

// Lines returns the non-empty lines of a list field.
func Lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// FacetCounter counts the facets of matches, one call at a time.
type FacetCounter struct {
	n                                       int
	accounts, deals, topics, trackers, mons tally
}

// Add counts one call's list fields (one value per line) and start.
func (c *FacetCounter) Add(accounts, deals, topics, trackers string, started time.Time) {
	c.n++
	c.accounts.addLines(accounts)
	c.deals.addLines(deals)
	c.topics.addLines(topics)
	c.trackers.addLines(trackers)
	c.mons.add(started.UTC().Format("2006-01"))
}

// Facets returns the most frequent values of each facet.
func (c *FacetCounter) Facets() *core.Facets {
	return &core.Facets{Over: c.n, Accounts: c.accounts.top(), Deals: c.deals.top(),
		Topics: c.topics.top(), Trackers: c.trackers.top(), Months: c.mons.top()}
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
	return out[:min(len(out), FacetValues)]
}
