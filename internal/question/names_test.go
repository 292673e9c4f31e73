package question

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Acme":        "acme",
		"MÜLLER":      "muller",
		"Société":     "societe",
		"Ørsted":      "orsted",
		"Straße":      "strasse",
		"Łódź":        "lodz",
		"Ａｃｍｅ":        "acme", // full-width
		"ﬁnance":      "finance",
		"O'Brien":     "obrien",
		"Dvořák":      "dvorak",
		"Ærø":         "aero",
		"ĲSSEL":       "ijssel",
		"東京":          "東京",
		"¼":           "14",
		"":            "",
		"Crème Brûlé": "cremebrule",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTokenize(t *testing.T) {
	toks := tokenize(`Acme’s "Q2 planning" call. Next: L.L.C. & don't`)
	var got []string
	for _, tk := range toks {
		got = append(got, tk.norm)
	}
	want := []string{"acme", "q2", "planning", "call", "next", "l", "l", "c", "and", "dont"}
	if !slices.Equal(got, want) {
		t.Fatalf("norms = %q, want %q", got, want)
	}
	if !toks[0].possessive || toks[0].raw != "Acme" {
		t.Errorf("Acme’s: raw %q possessive %v, want Acme, true", toks[0].raw, toks[0].possessive)
	}
	if !toks[1].quoted || !toks[2].quoted || toks[3].quoted {
		t.Errorf("quoted = %v %v %v, want true true false", toks[1].quoted, toks[2].quoted, toks[3].quoted)
	}
	if !toks[0].initial || toks[1].initial || !toks[4].initial {
		t.Errorf("initial = %v %v %v, want true false true", toks[0].initial, toks[1].initial, toks[4].initial)
	}
}

func TestNameKey(t *testing.T) {
	for name, want := range map[string]string{
		"Acme Corp":                   "acme | corp",
		"ACME Corporation":            "acme | corp",
		"acme corp.":                  "acme | corp",
		"Acme, Inc.":                  "acme | inc",
		"Acme Holdings L.L.C.":        "acme | holding llc",
		"Banco Santander S.A.":        "banco santander | sa",
		"Cisco Systems, Inc.":         "cisco | system inc",
		"Summit Group":                "summit group | ", // "summit" alone is an ordinary word
		"United Services Ltd":         "united services | ltd",
		"The Home Depot":              "home depot | ",
		"The Company":                 "company | ", // never empty
		"Group":                       "group | ",
		"Northwind Traders":           "northwind traders | ",
		"Q2 Holdings":                 "q2 holdings | ", // a quarter is no name
		"Fabrikam Technologies Group": "fabrikam | technology group",
		"Siemens AG":                  "siemens | ag",
		"Maersk A/S":                  "maersk | as",
	} {
		key, suffixes := nameKey(norms(tokenize(name)))
		if got := strings.Join(key, " ") + " | " + strings.Join(suffixes, " "); got != want {
			t.Errorf("nameKey(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestFindAccounts(t *testing.T) {
	cat := NewCatalog([]string{
		"Acme Corp", "Acme Inc", "Acme Group", "Contoso Ltd", "Next", "Summit Group", "Monday.com", "Fabrikam",
		"Fabrikam Research", "Société Générale", "Northwind Traders", "Adventure Works", "Apex",
	}, nil)
	for name, tc := range map[string]struct {
		text string
		want []string
	}{
		"exact suffix wins":             {"calls with ACME Corporation", []string{"Acme Corp"}},
		"exact other suffix":            {"calls with acme group", []string{"Acme Group"}},
		"core is ambiguous":             {"calls with Acme", []string{"Acme Corp", "Acme Inc", "Acme Group"}},
		"unknown suffix is ambiguous":   {"calls with Acme LLC", []string{"Acme Corp", "Acme Inc", "Acme Group"}},
		"possessive":                    {"Contoso's roadmap", []string{"Contoso Ltd"}},
		"curly possessive":              {"Contoso’s roadmap", []string{"Contoso Ltd"}},
		"dotted suffix":                 {"contoso ltd. and more", []string{"Contoso Ltd"}},
		"diacritics":                    {"societe generale pricing", []string{"Société Générale"}},
		"common word lower":             {"what are the next steps", nil},
		"common word initial":           {"Next steps with Contoso", []string{"Contoso Ltd"}},
		"common word capitalised":       {"the renewal with Next", []string{"Next"}},
		"common word quoted":            {`calls with "next"`, []string{"Next"}},
		"common word all caps question": {"NEXT STEPS WITH CONTOSO", []string{"Contoso Ltd"}},
		"common word title case":        {"What Are The Next Steps With Contoso", []string{"Contoso Ltd"}},
		"descriptive kept":              {"the Summit Group offsite", []string{"Summit Group"}},
		"descriptive needed":            {"the Summit offsite", nil},
		"descriptive lower common":      {"the summit group offsite", nil},
		"web suffix":                    {"Monday.com pricing", []string{"Monday.com"}},
		"weekday is not it":             {"what happened on Monday", nil},
		"longest first":                 {"Fabrikam Research and Acme Corp", []string{"Fabrikam Research", "Acme Corp"}},
		"alias loses to key":            {"Fabrikam pricing", []string{"Fabrikam"}},
		"alias":                         {"Northwind pricing", []string{"Northwind Traders"}},
		"lower distinctive":             {"adventure works roadmap", []string{"Adventure Works"}},
		"several":                       {"Contoso and Apex", []string{"Contoso Ltd", "Apex"}},
		"split by punctuation":          {"Northwind. Traders", []string{"Northwind Traders"}},
		"no names":                      {"pricing questions", nil},
		"empty":                         {"", nil},
	} {
		t.Run(name, func(t *testing.T) {
			if got := cat.FindAccounts(tc.text); !slices.Equal(got, tc.want) {
				t.Errorf("FindAccounts(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestFindDeals(t *testing.T) {
	cat := NewCatalog(
		[]string{"Acme Corp", "Fabrikam Inc", "Contoso", "Northwind Traders"},
		[]string{"Acme Corp - Multi-year Renewal", "Acme Corp - Renewal", "Fabrikam Expansion", "Contoso",
			"Northwind Traders | Pilot", "Project Phoenix"},
	)
	for name, tc := range map[string]struct {
		text string
		want []string
	}{
		"full name":              {"Acme Corp - Multi-year Renewal", []string{"Acme Corp - Multi-year Renewal"}},
		"without suffix":         {"the acme multi-year renewal", []string{"Acme Corp - Multi-year Renewal"}},
		"tail and account":       {"the multi-year renewal with Acme", []string{"Acme Corp - Multi-year Renewal"}},
		"short tail near":        {"Acme's renewal", []string{"Acme Corp - Renewal"}},
		"short tail deal word":   {"the renewal deal for Acme Corp", []string{"Acme Corp - Renewal"}},
		"short tail far":         {"Acme talked about a renewal of the license", nil},
		"account only":           {"calls with Acme", nil},
		"no separator":           {"Fabrikam expansion", []string{"Fabrikam Expansion"}},
		"no separator split":     {"the expansion deal with Fabrikam", []string{"Fabrikam Expansion"}},
		"same as account":        {"calls with Contoso", nil},
		"same as account deal":   {"the Contoso deal", []string{"Contoso"}},
		"alias head":             {"Northwind pilot", []string{"Northwind Traders | Pilot"}},
		"no account head":        {"Project Phoenix status", []string{"Project Phoenix"}},
		"common words lowercase": {"project phoenix status", []string{"Project Phoenix"}},
	} {
		t.Run(name, func(t *testing.T) {
			if got := cat.FindDeals(tc.text); !slices.Equal(got, tc.want) {
				t.Errorf("FindDeals(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestNilAndEmptyCatalog(t *testing.T) {
	var nilCat *Catalog
	if got := nilCat.FindAccounts("Acme"); got != nil {
		t.Errorf("nil catalog FindAccounts = %q, want nil", got)
	}
	empty := NewCatalog(nil, []string{"", " - "})
	if got := empty.FindDeals("anything - at all"); got != nil {
		t.Errorf("empty catalog FindDeals = %q, want nil", got)
	}
}

// syntheticNames makes n distinct company names from invented syllables,
// with suffixes, as a large tenant's CRM would hold.
func syntheticNames(n int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, seed))
	syllables := []string{"ka", "lo", "ri", "ven", "tor", "mex", "ba", "qui", "zen", "dra", "fin", "sol", "ty", "ro", "ax", "el"}
	suffixes := []string{"", " Inc", " Corp", " Ltd", " LLC", " GmbH", " Group", " Technologies", " Holdings", " Partners"}
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		var b strings.Builder
		words := 1 + rng.IntN(2)
		for w := 0; w < words; w++ {
			if w > 0 {
				b.WriteByte(' ')
			}
			for s := 0; s < 2+rng.IntN(2); s++ {
				syl := syllables[rng.IntN(len(syllables))]
				if s == 0 {
					syl = strings.ToUpper(syl[:1]) + syl[1:]
				}
				b.WriteString(syl)
			}
		}
		b.WriteString(suffixes[rng.IntN(len(suffixes))])
		if name := b.String(); !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

func TestLargeCatalogFindsItsNames(t *testing.T) {
	names := syntheticNames(50000, 1)
	cat := NewCatalog(names, nil)
	for _, name := range names[:200] {
		q := fmt.Sprintf("what are the action items from the call with %s last week?", name)
		if got := cat.FindAccounts(q); !slices.Contains(got, name) {
			t.Errorf("FindAccounts(%q) = %q, want it to contain %q", q, got, name)
		}
	}
}

func BenchmarkFindAccounts50k(b *testing.B) {
	names := syntheticNames(50000, 1)
	cat := NewCatalog(names, nil)
	q := "What are the action items from the Q2 planning meeting with " + names[4242] + " on May 12?"
	b.ReportAllocs()
	for b.Loop() {
		if len(cat.FindAccounts(q)) == 0 {
			b.Fatal("no account found")
		}
	}
}

func BenchmarkUnderstand50k(b *testing.B) {
	names := syntheticNames(50000, 1)
	deals := make([]string, 0, 50000)
	for _, n := range names {
		deals = append(deals, n+" - Renewal")
	}
	cat := NewCatalog(names, deals)
	q := "What are the action items from the Q2 planning meeting with " + names[4242] + " on May 12?"
	now := mustNow(b)
	b.ReportAllocs()
	for b.Loop() {
		Understand(q, now, nil, cat)
	}
}

// A pasted page rather than a question: 1,000 words that name an account
// and a tail 50,000 deals share.
func BenchmarkUnderstandLongText(b *testing.B) {
	names := syntheticNames(50000, 1)
	deals := make([]string, 0, 50000)
	for _, n := range names {
		deals = append(deals, n+" - Renewal")
	}
	cat := NewCatalog(names, deals)
	q := strings.Repeat("the renewal with "+names[7]+" since May 12, ", 200)
	now := mustNow(b)
	b.ReportAllocs()
	for b.Loop() {
		Understand(q, now, nil, cat)
	}
}

func BenchmarkNewCatalog50k(b *testing.B) {
	names := syntheticNames(50000, 1)
	b.ReportAllocs()
	for b.Loop() {
		NewCatalog(names, nil)
	}
}
