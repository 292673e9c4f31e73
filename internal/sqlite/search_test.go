package sqlite

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"gongconnector/internal/core"
)

func TestMatchExpr(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"empty":            {"", ""},
		"punctuation only": {`"()*-+^:.,;!?`, ""},
		"words":            {"Acme pricing", `"Acme" AND "pricing"`},
		"phrase":           {`"acme corp`, `"acme corp"`},
		"or":               {"(acme OR contoso)", `("acme" OR "contoso")`},
		"prefix":           {"pric*", `"pric"*`},
		"short prefix":     {"pr*", `"pr"`},
		"star alone":       {"* acme *", `"acme"`},
		"NEAR is a word":   {"NEAR(acme contoso, 5)", `"NEAR acme" AND "contoso" AND "5"`},
		"excluded":         {"acme -legal -\"legal review\"", `(("acme") NOT "legal") NOT "legal review"`},
		"only excluded":    {"-acme", ""},
		"fields":           {"account:acme participant:\"Jane Doe\" topic:pric*", `{accounts} : "acme" AND {people} : "Jane Doe" AND {topics} : "pric"*`},
		"unknown field":    {"foo:bar", `"foo bar"`},
		"non-Latin":        {"Привет 東京 مرحبا", `"Привет" AND "東京" AND "مرحبا"`},
		"diacritics":       {"Müller café", `"Müller" AND "café"`},
		"emoji":            {"🚀 launch 👍🏽", `"launch"`},
		"email":            {"ann@x.com", `"ann x com"`},
		"invalid UTF-8":    {"ab\xffcd", `"ab cd"`},
		"combining mark":   {"cafe\u0301 ok", `"cafe` + "\u0301" + `" AND "ok"`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := matchExpr(core.ParseQuery(tt.in, nil)); got != tt.want {
				t.Errorf("matchExpr(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	// A term built by other code (not the parser) cannot smuggle syntax.
	if got := termExpr(core.Term{Field: "nope", Words: []string{`a"b`, `) OR {title}:x`}}); got != `"a b OR title x"` {
		t.Errorf("termExpr of hostile words = %q", got)
	}
}

func searchFixture(t testing.TB) *DB {
	db := openTest(t)
	calls := []*core.Call{
		{ID: "1", Title: "Q2 planning with Acme Corp", WorkspaceID: "ws1", Started: time.Date(2025, 5, 12, 9, 0, 0, 0, time.UTC), Duration: 30 * time.Minute,
			Accounts: []core.Account{{Name: "Acme Corp"}, {Name: "Acme Holdings"}}, Deals: []core.Deal{{Name: "Acme renewal"}},
			Brief: "We discussed pricing and the security review. Next steps are clear.", KeyPoints: []string{"Pricing approved"}},
		{ID: "2", Title: "Demo discussion", WorkspaceID: "ws1", Started: time.Date(2025, 6, 2, 15, 0, 0, 0, time.UTC), Accounts: []core.Account{{Name: "Contoso Ltd"}},
			Brief: "A demo of the dashboard for Contoso. Pricing came up once.", ActionItems: []core.ActionItem{{Text: "Send the Acme reference"}}},
		{ID: "3", Title: "Kickoff", WorkspaceID: "ws2", Started: time.Date(2025, 6, 30, 23, 30, 0, 0, time.UTC), Accounts: []core.Account{{Name: "Müller GmbH"}},
			Brief: "Café meeting in Zürich about 東京 expansion and the rocket launch 🚀.", Topics: []core.Topic{{Name: "Expansion"}}},
		{ID: "4", Title: "Internal sync", WorkspaceID: "ws2", Started: time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC), Brief: "Nothing about customers.", KeyPoints: []string{"Telephony rollout", "NEAR term goals"}},
	}
	if _, err := db.ApplyBatch(t.Context(), Batch{Upserts: calls, SeenRunID: 1}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveSnapshot(t.Context(), core.PermissionSnapshot{Taken: time.Now(), Workspaces: []core.Workspace{
		{ID: "ws1", Name: "North America"}, {ID: "ws2", Name: "EMEA"}}}); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestSearch(t *testing.T) {
	db := searchFixture(t)
	tests := map[string]struct {
		text string
		want []string // ids in rank order
	}{
		"account in title ranks first": {"acme", []string{"1", "2"}},
		"two words AND":                {"pricing contoso", []string{"2"}},
		"case and diacritics folded":   {"MULLER cafe zurich", []string{"3"}},
		"non-Latin":                    {"東京", []string{"3"}},
		"prefix":                       {"teleph*", []string{"4"}},
		"operator word is a term":      {"near", []string{"4"}},
		"FTS syntax is text":           {`acme AND ("pricing"`, []string{"1", "2"}},
		"unbalanced syntax":            {`{title}: NEAR( "acme`, nil},
		"title field":                  {"title:kickoff", []string{"3"}},
		"account field":                {"account:acme", []string{"1"}},
		"field excludes other columns": {"account:pricing", nil},
		"topic field":                  {"topic:expansion", []string{"3"}},
		"phrase":                       {`"next steps"`, []string{"1"}},
		"phrase in order only":         {`"steps next"`, nil},
		"or":                           {"zurich OR telephony", []string{"4", "3"}},
		"excluded":                     {"pricing -contoso", []string{"1"}},
		"NOT":                          {"pricing NOT demo", []string{"1"}},
		"only excluded":                {"-acme", nil},
		"workspace by name":            {"workspace:emea", []string{"4", "3"}},
		"workspace by id and words":    {"pricing workspace:ws1", []string{"1", "2"}},
		"unknown workspace":            {"pricing workspace:mars", nil},
		"dates":                        {"from:2025-06-01 to:2025-06-30", []string{"3", "2"}},
		"dates and words":              {"pricing from:2025-06", []string{"2"}},
		"empty date range":             {"from:2025-07-02 to:2025-07-01", nil},
		"nothing matches":              {"zebra", nil},
		"only punctuation":             {`"*()`, nil},
		"emoji only":                   {"🚀", nil},
		"empty":                        {"", nil},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			res, err := db.Search(t.Context(), core.Query{Text: tt.text, Visibility: everything})
			if err != nil {
				t.Fatalf("Search(%q): %v", tt.text, err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.ID)
			}
			if !reflect.DeepEqual(got, tt.want) || res.Total != len(tt.want) {
				t.Errorf("Search(%q) = %v (total %d), want %v", tt.text, got, res.Total, tt.want)
			}
			if res.Hits == nil {
				t.Errorf("Search(%q).Hits is nil, want an empty list", tt.text)
			}
		})
	}
}

func TestSearchHit(t *testing.T) {
	db := searchFixture(t)
	res, err := db.Search(t.Context(), core.Query{Text: "security", Visibility: everything})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 {
		t.Fatalf("hits = %d, want 1", len(res.Hits))
	}
	h := res.Hits[0]
	want := core.Hit{
		ID: "1", Title: "Q2 planning with Acme Corp", Started: time.Date(2025, 5, 12, 9, 0, 0, 0, time.UTC),
		Duration: 30 * time.Minute, Accounts: []string{"Acme Corp", "Acme Holdings"}, Deals: []string{"Acme renewal"},
	}
	snippet := h.Snippet
	h.Snippet = ""
	if !reflect.DeepEqual(h, want) {
		t.Errorf("hit = %+v, want %+v", h, want)
	}
	if !strings.Contains(snippet, HighlightStart+"security"+HighlightEnd) {
		t.Errorf("snippet %q does not highlight the match", snippet)
	}

	// A match only in action items takes its snippet from there.
	res, err = db.Search(t.Context(), core.Query{Text: "reference", Visibility: everything})
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("search reference = %+v, %v", res, err)
	}
	if got := res.Hits[0].Snippet; !strings.Contains(got, HighlightStart+"reference"+HighlightEnd) {
		t.Errorf("snippet %q does not show the action item", got)
	}
}

func TestSearchRecencyBeyondRankLimit(t *testing.T) {
	db := searchFixture(t)
	defer func(n int) { rankLimit = n }(rankLimit)
	rankLimit = 1
	// "acme" ranks call 1 first by relevance; past the limit the most
	// recently indexed match (call 2) comes first.
	res, err := db.Search(t.Context(), core.Query{Text: "acme", Visibility: everything})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Hits {
		got = append(got, h.ID)
	}
	if want := []string{"2", "1"}; !reflect.DeepEqual(got, want) || res.Total != 2 {
		t.Errorf("Search(acme) = %v (total %d), want %v", got, res.Total, want)
	}
	if !strings.Contains(res.Hits[0].Snippet, HighlightStart) {
		t.Errorf("snippet %q has no highlight", res.Hits[0].Snippet)
	}
}

func TestSearchPaging(t *testing.T) {
	ctx := t.Context()
	db := openTest(t)
	g := newGen(2)
	n := MaxLimit + 100
	calls := g.calls(0, n)
	for _, c := range calls {
		c.Title += " pagingterm"
	}
	if _, err := db.ApplyBatch(ctx, Batch{Upserts: calls, SeenRunID: 1}); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		q        core.Query
		wantHits int
	}{
		"default limit": {core.Query{Text: "pagingterm", Visibility: everything}, DefaultLimit},
		"max limit":     {core.Query{Text: "pagingterm", Limit: 1000, Visibility: everything}, MaxLimit},
		"last page":     {core.Query{Text: "pagingterm", Limit: 100, Offset: n - 50, Visibility: everything}, 50},
		"past the end":  {core.Query{Text: "pagingterm", Offset: n + 50, Visibility: everything}, 0},
		"negative":      {core.Query{Text: "pagingterm", Limit: -1, Offset: -5, Visibility: everything}, DefaultLimit},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			res, err := db.Search(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != n || len(res.Hits) != tt.wantHits {
				t.Errorf("Search(%+v) total %d, hits %d; want %d, %d", tt.q, res.Total, len(res.Hits), n, tt.wantHits)
			}
		})
	}
	// Pages do not overlap and together cover every match.
	seen := map[string]bool{}
	for off := 0; off < n; off += 100 {
		res, err := db.Search(ctx, core.Query{Text: "pagingterm", Limit: 100, Offset: off, Visibility: everything})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			if seen[h.ID] {
				t.Errorf("call %s on two pages", h.ID)
			}
			seen[h.ID] = true
		}
	}
	if len(seen) != n {
		t.Errorf("pages cover %d calls, want %d", len(seen), n)
	}
}

// FuzzSearch: whatever a user types, search answers without an error, and
// the page agrees with the total.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"", "acme", `"`, `""`, "a*", "acme*", "*", "NEAR(a b)", "a OR b", "-a", "(", ")",
		"title:acme", "^acme", "a + b", "東京", "🚀", "\x00", "\xff", "e\u0301", "AND", "NOT", "{title}: x",
		"Acme\" OR 1=1 --", strings.Repeat("a ", 100), `"next steps"`, "account:acme", "workspace:EMEA from:2025-06-01",
		"to:2025-01-01", "-acme", "title:\"", "AND OR NOT - * ( ) :", "from:2025-07-02 to:2025-06-01 x"} {
		f.Add(s)
	}
	db := searchFixture(f)
	f.Fuzz(func(t *testing.T, text string) {
		res, err := db.Search(t.Context(), core.Query{Text: text, Visibility: everything})
		if err != nil {
			t.Fatalf("Search(%q): %v", text, err)
		}
		if res.Total < len(res.Hits) || (res.Total > 0 && len(res.Hits) == 0) {
			t.Errorf("Search(%q): total %d, %d hits", text, res.Total, len(res.Hits))
		}
	})
}

func TestSearchFacets(t *testing.T) {
	db := searchFixture(t)
	search := func(text string, v core.Visibility) core.SearchResult {
		t.Helper()
		res, err := db.Search(t.Context(), core.Query{Text: text, Facets: true, Visibility: v})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := search("pricing", everything)
	want := &core.Facets{
		Over:     2,
		Accounts: []core.FacetValue{{Value: "Acme Corp", Count: 1}, {Value: "Acme Holdings", Count: 1}, {Value: "Contoso Ltd", Count: 1}},
		Deals:    []core.FacetValue{{Value: "Acme renewal", Count: 1}},
		Topics:   []core.FacetValue{},
		Trackers: []core.FacetValue{},
		Months:   []core.FacetValue{{Value: "2025-05", Count: 1}, {Value: "2025-06", Count: 1}},
	}
	if !reflect.DeepEqual(res.Facets, want) {
		t.Errorf("facets of pricing = %+v, want %+v", res.Facets, want)
	}

	// Trimmed: a caller who sees only EMEA counts only EMEA's calls.
	res = search("pricing OR expansion OR telephony OR acme", core.Visibility{Workspaces: []string{"ws2"}})
	if res.Total != 2 || res.Facets == nil || res.Facets.Over != 2 {
		t.Fatalf("trimmed: total %d, facets %+v", res.Total, res.Facets)
	}
	if got := res.Facets.Accounts; !reflect.DeepEqual(got, []core.FacetValue{{Value: "Müller GmbH", Count: 1}}) {
		t.Errorf("trimmed account facet = %+v: counts a hidden call", got)
	}
	if got := res.Facets.Topics; !reflect.DeepEqual(got, []core.FacetValue{{Value: "Expansion", Count: 1}}) {
		t.Errorf("trimmed topic facet = %+v", got)
	}

	// Filters alone, and a result too big to count in full.
	defer func(n int) { facetSample = n }(facetSample)
	facetSample = 1
	res = search("workspace:ws1", everything)
	if res.Total != 2 || res.Facets.Over != 1 || !reflect.DeepEqual(res.Facets.Months, []core.FacetValue{{Value: "2025-06", Count: 1}}) {
		t.Errorf("sampled facets of workspace:ws1 = total %d, %+v; want the newest call only", res.Total, res.Facets)
	}
	if res = search("zebra", everything); res.Facets != nil {
		t.Errorf("no match, facets %+v", res.Facets)
	}
}

// TestSearchEstimateTooLow: words that always come together (an account
// name) match far more calls than their separate counts suggest; a search
// that expected to rank them in one pass finds out, and returns the newest
// matches with the exact total, as it does for any query past rankLimit.
func TestSearchEstimateTooLow(t *testing.T) {
	db := openTest(t)
	calls := newGen(21).calls(0, 600)
	var want []string
	for i, c := range calls {
		if i%10 == 3 { // 10% of calls, always both words
			c.Accounts[0].Name = "Quillon Vantage"
			want = append(want, c.ID)
		}
	}
	if _, err := db.ApplyBatch(t.Context(), Batch{Upserts: calls, SeenRunID: 1}); err != nil {
		t.Fatal(err)
	}
	slices.Reverse(want) // indexed in order: the newest match last
	defer func(n int) { rankLimit = n }(rankLimit)
	for _, limit := range []int{50, 1000} {
		rankLimit = limit
		res, err := db.Search(t.Context(), core.Query{Text: "quillon vantage", Limit: 20, Visibility: everything})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		if res.Total != len(want) || len(got) != 20 {
			t.Fatalf("rankLimit %d: %d hits, total %d, want 20 of %d", limit, len(got), res.Total, len(want))
		}
		if newest := slices.Equal(got, want[:20]); newest != (len(want) > limit) {
			t.Errorf("rankLimit %d, %d matches: page in newest-first order %v, want %v", limit, len(want), newest, len(want) > limit)
		}
	}
}
