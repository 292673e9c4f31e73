package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gongconnector/internal/core"
)

// fakeSearcher answers with fixed hits and records the query it got.
type fakeSearcher struct {
	got core.Query
	res core.SearchResult
	err error
}

func (f *fakeSearcher) Search(_ context.Context, q core.Query) (core.SearchResult, error) {
	f.got = q
	return f.res, f.err
}

func get(t *testing.T, h http.Handler, url string) (*http.Response, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestAPISearch(t *testing.T) {
	started := time.Date(2026, 5, 12, 15, 0, 0, 0, time.UTC)
	f := &fakeSearcher{res: core.SearchResult{Total: 1, Hits: []core.Hit{{
		ID: "42", Title: "Acme <> Us", URL: "https://app.gong.io/call?id=42", Started: started, Duration: 55 * time.Minute,
		Accounts: []string{"Acme Corp"}, Snippet: "the " + core.SnippetMarkStart + "plan" + core.SnippetMarkEnd + " for Q2",
	}}}}
	resp, body := get(t, New(Options{Searcher: f}), "/api/v1/search?q=plan&limit=5&offset=10")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got SearchResponse
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	want := SearchHit{ID: "42", Title: "Acme <> Us", URL: "https://app.gong.io/call?id=42", Started: "2026-05-12T15:00:00Z",
		Duration: 3300, Accounts: []string{"Acme Corp"}, Deals: []string{}, Snippet: "the plan for Q2"}
	if got.Total != 1 || len(got.Results) != 1 || got.Results[0].Snippet != want.Snippet || got.Results[0].Started != want.Started ||
		got.Results[0].Duration != want.Duration || got.Results[0].Deals == nil {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if f.got.Text != "plan" || f.got.Limit != 5 || f.got.Offset != 10 {
		t.Errorf("query passed on = %+v", f.got)
	}
}

func TestAPIErrors(t *testing.T) {
	tests := []struct {
		name       string
		url        string
		err        error
		wantStatus int
		wantBody   string
	}{
		{"limit too large", "/api/v1/search?q=x&limit=1000", nil, 400, "limit must be"},
		{"limit not a number", "/api/v1/search?q=x&limit=ten", nil, 400, "limit must be"},
		{"store unavailable", "/api/v1/search?q=x", core.Errorf(core.EUnavailable, "index is busy"), 503, "index is busy"},
		{"internal error hides details", "/api/v1/search?q=x", errors.New("disk I/O error at /secret/path"), 500, "internal error"},
		{"no status configured", "/api/v1/status", nil, 404, "not available"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, New(Options{Searcher: &fakeSearcher{err: tt.err}}), tt.url)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(body, tt.wantBody) {
				t.Errorf("got %d %s; want %d mentioning %q", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
			if strings.Contains(body, "/secret/path") {
				t.Errorf("internal detail leaked: %s", body)
			}
		})
	}
}

func TestPageEscapesAndHighlights(t *testing.T) {
	f := &fakeSearcher{res: core.SearchResult{Total: 1, Hits: []core.Hit{{
		ID: "1", Title: `<script>alert(1)</script>`, URL: "javascript:alert(1)",
		Snippet: core.SnippetMarkStart + "<b>x</b>" + core.SnippetMarkEnd,
	}}}}
	_, body := get(t, New(Options{Searcher: f, Demo: true}), "/?q=%3Cscript%3E")
	if strings.Contains(body, "<script>") || strings.Contains(body, "<b>x</b>") {
		t.Errorf("page does not escape call content:\n%s", body)
	}
	if strings.Contains(body, `href="javascript:`) {
		t.Errorf("page links to a javascript: URL")
	}
	if !strings.Contains(body, "<mark>&lt;b&gt;x&lt;/b&gt;</mark>") || !strings.Contains(body, "Demo:") {
		t.Errorf("page lacks highlight or demo notice:\n%s", body)
	}
}
