package core

import (
	"strings"
	"time"
)

// Query is a backend-neutral search request.
type Query struct {
	Text   string `json:"text"`
	Limit  int    `json:"limit"`
	Offset int    `json:"offset"`
	// Parsed is Text understood; nil means ParseQuery(Text) in UTC.
	Parsed *Parsed `json:"-"`
	// Facets asks for counts of accounts, deals, topics, trackers and
	// months over the matches.
	Facets bool `json:"facets,omitempty"`
	// Visibility is what the caller may see; the zero value sees nothing.
	Visibility Visibility `json:"-"`
}

// Hit is one search result: a call summary with a highlighted snippet.
type Hit struct {
	ID       string        `json:"id"`
	Title    string        `json:"title"`
	URL      string        `json:"url"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration"`
	Accounts []string      `json:"accounts"`
	Deals    []string      `json:"deals"`
	Snippet  string        `json:"snippet"`
}

// SearchResult is the answer to a Query: the total number of matching calls
// and one page of hits.
type SearchResult struct {
	Total int `json:"total"`
	// Estimated is true when Total is an estimate: more calls matched
	// than a search reads, and Total extrapolates from the newest.
	Estimated bool    `json:"estimated,omitempty"`
	Hits      []Hit   `json:"hits"`
	Facets    *Facets `json:"facets,omitempty"`
}

// Facets count the values of a result's calls, most frequent first. They
// are counted over the newest Over matches: all of them when Over equals
// the total.
type Facets struct {
	Over     int          `json:"over"`
	Accounts []FacetValue `json:"accounts"`
	Deals    []FacetValue `json:"deals"`
	Topics   []FacetValue `json:"topics"`
	Trackers []FacetValue `json:"trackers"`
	Months   []FacetValue `json:"months"` // "2006-01", in UTC
}

// FacetValue is one value of a facet and the number of calls that have it.
type FacetValue struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Snippet markers surround the matched words in Hit.Snippet. They are control
// characters that never occur in indexed text; each surface renders them its
// own way (HTML <mark>, bold on a terminal, nothing in JSON).
const (
	SnippetMarkStart = "\x02"
	SnippetMarkEnd   = "\x03"
)

// PlainSnippet returns the snippet without its markers.
func PlainSnippet(s string) string {
	return strings.NewReplacer(SnippetMarkStart, "", SnippetMarkEnd, "").Replace(s)
}

// SnippetParts splits a snippet into runs of text, each marked as matched or not.
func SnippetParts(s string) []SnippetPart {
	var parts []SnippetPart
	for s != "" {
		i := strings.Index(s, SnippetMarkStart)
		if i < 0 {
			parts = append(parts, SnippetPart{Text: PlainSnippet(s)})
			break
		}
		if i > 0 {
			parts = append(parts, SnippetPart{Text: PlainSnippet(s[:i])})
		}
		s = s[i+len(SnippetMarkStart):]
		j := strings.Index(s, SnippetMarkEnd)
		if j < 0 {
			j = len(s)
		}
		parts = append(parts, SnippetPart{Text: PlainSnippet(s[:j]), Match: true})
		s = s[min(j+len(SnippetMarkEnd), len(s)):]
	}
	return parts
}

// SnippetPart is a run of snippet text.
type SnippetPart struct {
	Text  string
	Match bool
}

// CallNames are the distinct account and deal names of the indexed calls.
// Version changes whenever the calls change, so a reader can keep what it
// derives from the names until then.
type CallNames struct {
	Accounts []string
	Deals    []string
	Version  int64
}
