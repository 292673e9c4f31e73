package core

import "time"

// Query is a backend-neutral search request.
type Query struct {
	Text   string `json:"text"`
	Limit  int    `json:"limit"`
	Offset int    `json:"offset"`
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
	Total int   `json:"total"`
	Hits  []Hit `json:"hits"`
}
