package core

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Fields a query term or filter may name. Each is a searchable part of a
// call; FieldAny is all of them.
const (
	FieldAny         = ""
	FieldTitle       = "title"
	FieldAccount     = "account"
	FieldDeal        = "deal"
	FieldParticipant = "participant"
	FieldTopic       = "topic"
	FieldTracker     = "tracker"
	FieldBrief       = "brief"
	FieldKeyPoints   = "key_points"
	FieldActionItems = "action_items"
)

// Term is one unit of a query: a word, a phrase (several words in order) or
// a prefix, in any field or in one, required or excluded.
type Term struct {
	Field  string   `json:"field,omitempty"`
	Words  []string `json:"words"`            // as the user wrote them; a backend folds case and accents
	Prefix bool     `json:"prefix,omitempty"` // the last word is a prefix
}

// Group is a disjunction: a call matches a group when it matches any of its
// terms ("pricing OR budget").
type Group []Term

// Filters restrict a query to calls with structured properties. Every
// non-empty filter must hold; within one filter any value may match.
type Filters struct {
	Workspaces []string  `json:"workspaces,omitempty"` // workspace ids or names
	From       time.Time `json:"from,omitzero"`        // calls started at or after
	To         time.Time `json:"to,omitzero"`          // calls started before
}

// IsZero reports whether no filter is set.
func (f Filters) IsZero() bool {
	return len(f.Workspaces) == 0 && f.From.IsZero() && f.To.IsZero()
}

// Parsed is a query's text understood: every group must match, no excluded
// term may match, and the filters must hold.
type Parsed struct {
	Groups   []Group `json:"groups,omitempty"`
	Excluded []Term  `json:"excluded,omitempty"`
	Filters  Filters `json:"filters,omitzero"`
}

// Empty reports whether the query asks for nothing: no term to match and no
// filter. Excluded terms alone do not make a query.
func (p Parsed) Empty() bool { return len(p.Groups) == 0 && p.Filters.IsZero() }

// queryFields maps the prefixes users type ("account:acme") to fields.
// Plural and short forms are accepted because users type both.
var queryFields = map[string]string{
	"title": FieldTitle, "account": FieldAccount, "accounts": FieldAccount, "company": FieldAccount,
	"deal": FieldDeal, "deals": FieldDeal, "opportunity": FieldDeal,
	"participant": FieldParticipant, "participants": FieldParticipant, "person": FieldParticipant,
	"people": FieldParticipant, "with": FieldParticipant,
	"topic": FieldTopic, "topics": FieldTopic, "tracker": FieldTracker, "trackers": FieldTracker,
	"brief": FieldBrief, "summary": FieldBrief, "keypoints": FieldKeyPoints, "key_points": FieldKeyPoints,
	"actionitems": FieldActionItems, "action_items": FieldActionItems, "action": FieldActionItems,
}

// MinPrefix is the shortest word a trailing '*' makes a prefix: shorter
// prefixes match too much of the index to be useful, and are searched as
// words.
const MinPrefix = 3

// ParseQuery reads search text as users type it:
//
//	acme pricing            both words, anywhere
//	"next steps"            the words in this order
//	integr*                 a prefix (at least three letters)
//	pricing OR budget       either (AND between terms is what a space means)
//	-legal  NOT "legal review"  not this
//	account:acme  deal:"multi-year renewal"  participant:jane  topic:pricing
//	tracker:competitors  title:kickoff
//	workspace:EMEA  from:2026-05-01  to:2026-05-31
//
// Any text parses: unbalanced quotes end at the end of the text, unknown
// "name:" prefixes are words, and characters that are not letters or
// digits only separate words. Dates are days in loc (UTC when nil); to:
// includes its whole day, month or year. An unreadable date is ignored.
func ParseQuery(text string, loc *time.Location) Parsed {
	if loc == nil {
		loc = time.UTC
	}
	var p Parsed
	or := false  // the previous token was OR between two terms
	not := false // the previous token was NOT
	for _, tok := range lexQuery(text) {
		if !tok.quoted && tok.field == "" && !tok.neg {
			switch tok.bare {
			case "OR":
				or = len(p.Groups) > 0
				continue
			case "AND": // what terms are anyway
				continue
			case "NOT":
				not = true
				continue
			}
		}
		if not {
			tok.neg, not = true, false
		}
		switch tok.field {
		case "workspace", "workspaces":
			if v := strings.TrimSpace(tok.value); v != "" && !tok.neg {
				p.Filters.Workspaces = append(p.Filters.Workspaces, v)
			}
			or = false
			continue
		case "from", "after", "since":
			if from, _, ok := parseDay(tok.value, loc); ok && !tok.neg {
				p.Filters.From = from
			}
			or = false
			continue
		case "to", "before", "until":
			if _, end, ok := parseDay(tok.value, loc); ok && !tok.neg {
				p.Filters.To = end
			}
			or = false
			continue
		}
		field, known := queryFields[tok.field]
		value := tok.value
		if tok.field != "" && !known {
			// Not a field we know: "foo:bar" is two words.
			value = tok.field + " " + tok.value
		}
		words, prefix := queryWords(value, tok.star)
		if len(words) == 0 {
			or = false
			continue
		}
		t := Term{Field: field, Words: words, Prefix: prefix}
		switch {
		case tok.neg:
			p.Excluded = append(p.Excluded, t)
		case or:
			last := &p.Groups[len(p.Groups)-1]
			*last = append(*last, t)
		default:
			p.Groups = append(p.Groups, Group{t})
		}
		or = false
	}
	return p
}

// queryToken is one lexed unit: an optional '-', an optional "name:", and
// a bare word or a quoted string, with a trailing '*'.
type queryToken struct {
	neg    bool
	field  string // lower-cased name before ':', "" for none
	value  string
	bare   string // the token as typed, for recognising OR
	quoted bool
	star   bool
}

func lexQuery(text string) []queryToken {
	var toks []queryToken
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if unicode.IsSpace(r) || r == utf8.RuneError && size <= 1 {
			i += max(size, 1)
			continue
		}
		start := i
		var t queryToken
		if text[i] == '-' {
			t.neg = true
			i++
		}
		// name: directly followed by a value
		if j := fieldEnd(text[i:]); j > 0 && i+j+1 < len(text) && !isSpaceByte(text[i+j+1]) {
			t.field = strings.ToLower(text[i : i+j])
			i += j + 1
		}
		if i < len(text) && text[i] == '"' {
			t.quoted = true
			end := strings.IndexByte(text[i+1:], '"')
			if end < 0 {
				t.value = text[i+1:]
				i = len(text)
			} else {
				t.value = text[i+1 : i+1+end]
				i += end + 2
			}
		} else {
			j := i
			for j < len(text) {
				r, size := utf8.DecodeRuneInString(text[j:])
				if unicode.IsSpace(r) {
					break
				}
				j += size
			}
			t.value = text[i:j]
			i = j
		}
		if i < len(text) && text[i] == '*' {
			t.star = true
		}
		if strings.HasSuffix(t.value, "*") {
			t.star = true
		}
		t.bare = text[start:i]
		toks = append(toks, t)
	}
	return toks
}

// fieldEnd returns the length of a leading "name" followed by ':', or 0.
func fieldEnd(s string) int {
	for j := 0; j < len(s) && j < 20; j++ {
		c := s[j]
		switch {
		case c == ':':
			return j
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		default:
			return 0
		}
	}
	return 0
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// queryWords splits text into the words a full-text index keeps (runs of
// letters, digits and marks) and reports whether the last one is a prefix.
func queryWords(text string, star bool) ([]string, bool) {
	var words []string
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !IsWordRune(r) {
			i += size
			continue
		}
		start := i
		for i < len(text) {
			r, size := utf8.DecodeRuneInString(text[i:])
			if !IsWordRune(r) {
				break
			}
			i += size
		}
		words = append(words, text[start:i])
		if i < len(text) && text[i] == '*' {
			star = true
			break // nothing after a prefix's '*' belongs to the term
		}
	}
	prefix := star && len(words) > 0 && utf8.RuneCountInString(words[len(words)-1]) >= MinPrefix
	return words, prefix
}

// IsWordRune reports whether a full-text index keeps r inside a word:
// letters, numbers, marks (diacritics are folded away, not split on) and
// private-use characters, as SQLite's unicode61 tokenizer does.
func IsWordRune(r rune) bool {
	if r == utf8.RuneError {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r) || unicode.IsMark(r)
}

// parseDay reads YYYY-MM-DD, YYYY-MM or YYYY in loc and returns the start
// of that period and the start of the next.
func parseDay(s string, loc *time.Location) (start, end time.Time, ok bool) {
	s = strings.TrimSpace(s)
	for _, f := range []struct {
		layout string
		next   func(time.Time) time.Time
	}{
		{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006-1-2", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006/01/02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
	} {
		if t, err := time.ParseInLocation(f.layout, s, loc); err == nil {
			return t, f.next(t), true
		}
	}
	return time.Time{}, time.Time{}, false
}
