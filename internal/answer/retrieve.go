package answer

import (
	"context"
	"slices"
	"strings"
	"time"

	"gongconnector/internal/core"
	"gongconnector/internal/question"
)

// Retrieval limits.
const (
	// pageSize is the most calls one search returns; a larger answer pages.
	pageSize = 300
	// aggregateCalls is the most calls an answer across calls reads; when
	// more match, the answer says how many it read of how many.
	aggregateCalls = 300
)

// asking is one question being answered.
type asking struct {
	e      *Engine
	ctx    context.Context
	q      question.Meaning
	vis    core.Visibility
	loc    *time.Location
	latest bool // "the last call with Acme": the newest match
}

// retrieved are the calls a question is about, as the caller may see them.
type retrieved struct {
	calls []*core.Call // best first for one meeting; newest first across calls
	total int          // how many calls matched (calls may hold fewer)
}

// words splits text into the words the index keeps.
func words(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool { return !core.IsWordRune(r) })
}

// nameGroups require the accounts and deals the question names.
func (a *asking) nameGroups() []core.Group {
	var gs []core.Group
	// A call whose CRM fields are empty is still about the account its
	// title names ("Hooli pricing review").
	for _, name := range a.q.Accounts {
		gs = append(gs, core.Group{{Field: core.FieldAccount, Words: []string{name}}, {Field: core.FieldTitle, Words: []string{name}}})
	}
	for _, name := range a.q.Deals {
		gs = append(gs, core.Group{{Field: core.FieldDeal, Words: []string{name}}, {Field: core.FieldTitle, Words: []string{name}}})
	}
	return gs
}

// wordGroups require each word, in a field or anywhere ("").
func wordGroups(field string, ws []string) []core.Group {
	var gs []core.Group
	for _, w := range ws {
		gs = append(gs, core.Group{{Field: field, Words: []string{w}}})
	}
	return gs
}

// stemGroups require each word or a word of the same stem, in a field:
// "planning" finds "plan" and "plans", "discussion" finds "discussed".
func stemGroups(field string, ws []string) []core.Group {
	var gs []core.Group
	for _, w := range ws {
		t := core.Term{Field: field, Words: []string{w}}
		if s := stemPrefix(w); s != "" {
			t = core.Term{Field: field, Words: []string{s}, Prefix: true}
		}
		gs = append(gs, core.Group{t})
	}
	return gs
}

// stemPrefix cuts an English inflection off a word, leaving a prefix of at
// least core.MinPrefix letters to search with; "" when the word has none.
func stemPrefix(w string) string {
	lw := strings.ToLower(w)
	for _, suf := range []string{"ings", "ing", "ions", "ion", "ed", "es", "s"} {
		stem, ok := strings.CutSuffix(lw, suf)
		if !ok || len(stem) < core.MinPrefix {
			continue
		}
		// "planning" → "plann" → "plan"
		if n := len(stem); n > core.MinPrefix && stem[n-1] == stem[n-2] && !strings.ContainsRune("aeiou", rune(stem[n-1])) {
			stem = stem[:n-1]
		}
		return stem
	}
	return ""
}

// stopTerms are leftover words too common in questions to require.
var stopTerms = map[string]bool{"call": true, "calls": true, "meeting": true, "meetings": true, "we": true,
	"our": true, "my": true, "they": true, "their": true, "discuss": true, "discussed": true, "say": true,
	"said": true, "talk": true, "talked": true, "last": true, "latest": true, "recent": true, "about": true}

func (a *asking) termWords() []string {
	var out []string
	for _, w := range words(a.q.Terms) {
		if !stopTerms[strings.ToLower(w)] {
			out = append(out, w)
		}
	}
	return out
}

func (a *asking) filters() core.Filters {
	return core.Filters{From: a.q.From, To: a.q.To}
}

// stage is a sequence of searches, most specific first, that share what
// they require of every match (gate): once the gate matches nothing, no
// search of the stage can.
type stage struct {
	tries [][]core.Group
	gate  []core.Group // nil: no cheaper test than the tries
}

// stages returns the searches to try. What the question names (accounts,
// deals, dates, the meeting) is required at every step; the other words
// only help while something still matches.
func (a *asking) stages() []stage {
	names := a.nameGroups()
	terms := a.termWords()
	with := func(parts ...[]core.Group) []core.Group {
		var out []core.Group
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	build := func(names []core.Group) stage {
		var st stage
		if len(names) > 0 || !a.filters().IsZero() {
			st.gate = names
		}
		if m := words(a.q.Meeting); len(m) > 0 {
			title := wordGroups(core.FieldTitle, m)
			phrase := []core.Group{{{Words: m}}}
			stemmed := stemGroups(core.FieldTitle, m)
			for _, meeting := range [][]core.Group{title, phrase, stemmed} {
				if len(terms) > 0 {
					st.tries = append(st.tries, with(names, meeting, wordGroups("", terms)))
				}
				st.tries = append(st.tries, with(names, meeting))
			}
			return st
		}
		if len(terms) > 0 {
			st.tries = append(st.tries, with(names, wordGroups("", terms)))
			// Words the index does not hold as typed ("integrations"
			// for "integration") may still be found by their stem.
			st.tries = append(st.tries, with(names, stemGroups("", terms)))
		}
		if st.gate != nil {
			st.tries = append(st.tries, names)
		}
		return st
	}
	stages := []stage{build(names)}
	// The names are those of every call, hidden ones too. Had a name not
	// been recognized, its words would have been searched as words; so
	// they are, when the name found nothing, and an answer cannot tell
	// whether a hidden call has that account.
	if len(names) > 0 {
		var plain []string
		for _, n := range append(slices.Clone(a.q.Accounts), a.q.Deals...) {
			plain = append(plain, words(n)...)
		}
		stages = append(stages, build(wordGroups("", plain)))
	}
	return stages
}

// retrieve finds the calls a question is about: the matches of the first
// search that matches, up to limit calls. When a stage's first search finds
// nothing, its gate is tested before the rest of the stage is tried. The
// stages after the first (names searched as plain words) only run when the
// names match none of the caller's calls.
func (a *asking) retrieve(limit int) (retrieved, error) {
	gateMatches := func(st stage) (bool, error) {
		p := core.Parsed{Groups: st.gate, Filters: a.filters()}
		res, err := a.e.idx.Search(a.ctx, core.Query{Parsed: &p, Limit: 1, Visibility: a.vis})
		return res.Total > 0, err
	}
	for si, st := range a.stages() {
		open := -1 // whether the gate matches: unknown
		for i, groups := range st.tries {
			r, err := a.fetch(groups, limit)
			if err != nil || r.total > 0 {
				return r, err
			}
			if i == 0 && len(st.tries) > 2 && st.gate != nil {
				ok, err := gateMatches(st)
				if err != nil {
					return r, err
				}
				if open = 0; ok {
					open = 1
				}
				if open == 0 {
					break
				}
			}
		}
		if si == 0 && st.gate != nil {
			if open < 0 {
				ok, err := gateMatches(st)
				if err != nil {
					return retrieved{}, err
				}
				if open = 0; ok {
					open = 1
				}
			}
			if open == 1 {
				break // the names are the caller's: nothing to equalize
			}
		}
	}
	return retrieved{}, nil
}

// recent returns the caller's newest calls, for a question that names
// nothing to search for ("what topics come up most?").
func (a *asking) recent(limit int) (retrieved, error) {
	f := core.Filters{From: time.Unix(0, 0)}
	if !a.filters().IsZero() {
		f = a.filters()
	}
	return a.load(core.Parsed{Filters: f}, limit)
}

// fetch runs a search and loads up to limit of its calls, best first.
func (a *asking) fetch(groups []core.Group, limit int) (retrieved, error) {
	return a.load(core.Parsed{Groups: groups, Filters: a.filters()}, limit)
}

// load pages through a trimmed search and loads up to limit of its calls,
// in its order.
func (a *asking) load(p core.Parsed, limit int) (retrieved, error) {
	var out retrieved
	if p.Empty() {
		return out, nil
	}
	var ids []string
	for len(ids) < limit {
		res, err := a.e.idx.Search(a.ctx, core.Query{Parsed: &p, Limit: min(pageSize, limit-len(ids)), Offset: len(ids), Visibility: a.vis})
		if err != nil {
			return out, err
		}
		out.total = res.Total
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		if len(res.Hits) == 0 || len(ids) >= res.Total {
			break
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	calls, err := a.e.idx.Calls(a.ctx, ids)
	if err != nil {
		return out, err
	}
	out.calls = calls
	return out, nil
}

// newestFirst orders calls by start, newest first.
func newestFirst(calls []*core.Call) []*core.Call {
	out := slices.Clone(calls)
	slices.SortStableFunc(out, func(x, y *core.Call) int { return y.Started.Compare(x.Started) })
	return out
}
