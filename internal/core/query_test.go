package core

import (
	"reflect"
	"testing"
	"time"
	_ "time/tzdata" // the test's zone, whatever the machine has
	"unicode/utf8"
)

func TestParseQuery(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	word := func(field string, words ...string) Term { return Term{Field: field, Words: words} }
	tests := map[string]struct {
		in   string
		want Parsed
	}{
		"empty":           {"", Parsed{}},
		"spaces":          {"  \t\n ", Parsed{}},
		"words":           {"Acme pricing", Parsed{Groups: []Group{{word("", "Acme")}, {word("", "pricing")}}}},
		"phrase":          {`"next steps" acme`, Parsed{Groups: []Group{{word("", "next", "steps")}, {word("", "acme")}}}},
		"open quote":      {`"acme corp`, Parsed{Groups: []Group{{word("", "acme", "corp")}}}},
		"prefix":          {"integr*", Parsed{Groups: []Group{{Term{Words: []string{"integr"}, Prefix: true}}}}},
		"short prefix":    {"in*", Parsed{Groups: []Group{{word("", "in")}}}},
		"phrase prefix":   {`"next ste"*`, Parsed{Groups: []Group{{Term{Words: []string{"next", "ste"}, Prefix: true}}}}},
		"or":              {"pricing OR budget legal", Parsed{Groups: []Group{{word("", "pricing"), word("", "budget")}, {word("", "legal")}}}},
		"lowercase or":    {"pricing or budget", Parsed{Groups: []Group{{word("", "pricing")}, {word("", "or")}, {word("", "budget")}}}},
		"leading OR":      {"OR acme", Parsed{Groups: []Group{{word("", "acme")}}}},
		"AND is a space":  {"acme AND pricing", Parsed{Groups: []Group{{word("", "acme")}, {word("", "pricing")}}}},
		"minus":           {`acme -legal -"legal review"`, Parsed{Groups: []Group{{word("", "acme")}}, Excluded: []Term{word("", "legal"), word("", "legal", "review")}}},
		"NOT":             {"acme NOT legal", Parsed{Groups: []Group{{word("", "acme")}}, Excluded: []Term{word("", "legal")}}},
		"fields":          {`account:acme deal:"multi-year renewal" participant:jane topic:Pricing tracker:competitors title:kickoff`, Parsed{Groups: []Group{{word(FieldAccount, "acme")}, {word(FieldDeal, "multi", "year", "renewal")}, {word(FieldParticipant, "jane")}, {word(FieldTopic, "Pricing")}, {word(FieldTracker, "competitors")}, {word(FieldTitle, "kickoff")}}}},
		"field case":      {"Account:Acme", Parsed{Groups: []Group{{word(FieldAccount, "Acme")}}}},
		"unknown field":   {"foo:bar", Parsed{Groups: []Group{{word("", "foo", "bar")}}}},
		"field no value":  {"account: acme", Parsed{Groups: []Group{{word("", "account")}, {word("", "acme")}}}},
		"url is words":    {"https://x.com/a", Parsed{Groups: []Group{{word("", "https", "x", "com", "a")}}}},
		"workspace":       {"workspace:EMEA workspace:\"North America\" acme", Parsed{Groups: []Group{{word("", "acme")}}, Filters: Filters{Workspaces: []string{"EMEA", "North America"}}}},
		"dates":           {"from:2026-05-01 to:2026-05-31", Parsed{Filters: Filters{From: time.Date(2026, 5, 1, 0, 0, 0, 0, berlin), To: time.Date(2026, 6, 1, 0, 0, 0, 0, berlin)}}},
		"month and year":  {"from:2026-05 to:2026", Parsed{Filters: Filters{From: time.Date(2026, 5, 1, 0, 0, 0, 0, berlin), To: time.Date(2027, 1, 1, 0, 0, 0, 0, berlin)}}},
		"bad date":        {"from:yesterday acme", Parsed{Groups: []Group{{word("", "acme")}}}},
		"FTS syntax":      {`NEAR(acme contoso, 5) ^title {a b}: c`, Parsed{Groups: []Group{{word("", "NEAR", "acme")}, {word("", "contoso")}, {word("", "5")}, {word("", "title")}, {word("", "a")}, {word("", "b")}, {word("", "c")}}}},
		"punctuation":     {`"()*-+^:.,;!?`, Parsed{}},
		"non-Latin":       {"Привет 東京", Parsed{Groups: []Group{{word("", "Привет")}, {word("", "東京")}}}},
		"emoji":           {"🚀 launch", Parsed{Groups: []Group{{word("", "launch")}}}},
		"invalid UTF-8":   {"ab\xffcd", Parsed{Groups: []Group{{word("", "ab", "cd")}}}},
		"negated filter":  {"-workspace:EMEA acme", Parsed{Groups: []Group{{word("", "acme")}}}},
		"only negation":   {"-legal", Parsed{Excluded: []Term{word("", "legal")}}},
		"dangling NOT":    {"acme NOT", Parsed{Groups: []Group{{word("", "acme")}}}},
		"star inside":     {"ac*me", Parsed{Groups: []Group{{word("", "ac")}}}},
		"email as person": {"participant:ann@x.com", Parsed{Groups: []Group{{word(FieldParticipant, "ann", "x", "com")}}}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := ParseQuery(tt.in, berlin)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseQuery(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzParseQuery: any text parses, and every word of the result is a word
// the index keeps (no FTS5 syntax can come through).
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "acme", `"a b"*`, "a OR b", "-x", "account:\"x", "from:2026-01-01", "NOT", "\xff:", "to:9999-99-99", "a:b:c", `""""`, "**", "-\"", "OR OR AND NOT"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := ParseQuery(s, time.UTC)
		check := func(tm Term) {
			if len(tm.Words) == 0 {
				t.Fatalf("%q: a term with no words: %+v", s, p)
			}
			for _, w := range tm.Words {
				if w == "" {
					t.Fatalf("%q: empty word", s)
				}
				for _, r := range w {
					if !IsWordRune(r) {
						t.Fatalf("%q: word %q holds %q", s, w, r)
					}
				}
				if !utf8.ValidString(w) {
					t.Fatalf("%q: invalid word %q", s, w)
				}
			}
			if tm.Prefix && utf8.RuneCountInString(tm.Words[len(tm.Words)-1]) < MinPrefix {
				t.Fatalf("%q: short prefix %+v", s, tm)
			}
		}
		for _, g := range p.Groups {
			if len(g) == 0 {
				t.Fatalf("%q: empty group", s)
			}
			for _, tm := range g {
				check(tm)
			}
		}
		for _, tm := range p.Excluded {
			check(tm)
		}
	})
}
