// Package server serves search over HTTP: a JSON API under /api/v1 and a
// small HTML page. The web UI, sign-in and the rest of the API build on it.
package server

import (
	"context"
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"gongconnector/internal/core"
)

// Searcher runs searches.
type Searcher interface {
	Search(ctx context.Context, q core.Query) (core.SearchResult, error)
}

// Options configure a Server.
type Options struct {
	Searcher Searcher
	// Visibility says which calls the request's caller may see; nil, or
	// the zero Visibility, shows nothing.
	Visibility func(r *http.Request) (core.Visibility, error)
	// Status returns the connection status as a JSON-encodable value.
	Status func(ctx context.Context) (any, error)
	// Demo marks every page as showing simulated data.
	Demo   bool
	Logger *slog.Logger
}

// Server is the HTTP surface.
type Server struct {
	opts Options
	mux  *http.ServeMux
	log  *slog.Logger
}

// New returns a server.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{opts: opts, mux: http.NewServeMux(), log: opts.Logger}
	s.mux.HandleFunc("GET /api/v1/search", s.apiSearch)
	s.mux.HandleFunc("GET /api/v1/status", s.apiStatus)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	s.mux.HandleFunc("GET /{$}", s.page)
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// SearchResponse is the JSON shape of a search, in the API and the CLI.
type SearchResponse struct {
	Total int `json:"total"`
	// Estimated: Total is extrapolated from the newest matches.
	Estimated bool         `json:"estimated,omitempty"`
	Results   []SearchHit  `json:"results"`
	Facets    *core.Facets `json:"facets,omitempty"`
}

// SearchHit is one result of SearchResponse.
type SearchHit struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	URL      string   `json:"url"`
	Started  string   `json:"started"`
	Duration int      `json:"duration"` // seconds
	Accounts []string `json:"accounts"`
	Deals    []string `json:"deals"`
	Snippet  string   `json:"snippet"`
}

// NewSearchResponse converts a search result to its JSON shape.
func NewSearchResponse(r core.SearchResult) SearchResponse {
	out := SearchResponse{Total: r.Total, Estimated: r.Estimated, Results: []SearchHit{}, Facets: r.Facets}
	for _, h := range r.Hits {
		out.Results = append(out.Results, SearchHit{
			ID: h.ID, Title: h.Title, URL: h.URL, Started: h.Started.UTC().Format(time.RFC3339),
			Duration: int(h.Duration / time.Second), Accounts: orEmpty(h.Accounts), Deals: orEmpty(h.Deals), Snippet: core.PlainSnippet(h.Snippet),
		})
	}
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Server) query(r *http.Request) (core.Query, error) {
	q := core.Query{Text: strings.TrimSpace(r.URL.Query().Get("q")), Limit: 10}
	if s.opts.Visibility != nil {
		v, err := s.opts.Visibility(r)
		if err != nil {
			return q, err
		}
		q.Visibility = v
	}
	for _, p := range []struct {
		name     string
		dst      *int
		min, max int
	}{{"limit", &q.Limit, 1, 100}, {"offset", &q.Offset, 0, 10000}} {
		if v := r.URL.Query().Get(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < p.min || n > p.max {
				return q, core.Errorf(core.EInvalid, "%s must be a number from %d to %d", p.name, p.min, p.max)
			}
			*p.dst = n
		}
	}
	return q, nil
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	q, err := s.query(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	res, err := s.opts.Searcher.Search(r.Context(), q)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, NewSearchResponse(res))
}

func (s *Server) apiStatus(w http.ResponseWriter, r *http.Request) {
	if s.opts.Status == nil {
		s.error(w, r, core.Errorf(core.ENotFound, "status is not available"))
		return
	}
	st, err := s.opts.Status(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// statusOf maps an error code to its HTTP status, in one place.
func statusOf(code string) int {
	switch code {
	case core.EInvalid:
		return http.StatusBadRequest
	case core.ENotFound:
		return http.StatusNotFound
	case core.EUnauthorized:
		return http.StatusUnauthorized
	case core.EConflict:
		return http.StatusConflict
	case core.EUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	code := core.ErrorCode(err)
	msg := core.ErrorMessage(err)
	if code == core.EInternal {
		s.log.Error("request failed", slog.String("path", r.URL.Path), slog.String("error", err.Error()))
		msg = "internal error"
	}
	writeJSON(w, statusOf(code), map[string]string{"error": msg, "code": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if .Query}}{{.Query}} · {{end}}gongconnector</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
.demo{background:#fff3cd;border:1px solid #e0c36a;padding:.5rem .75rem;border-radius:4px}
form{display:flex;gap:.5rem;margin:1rem 0}input[type=search]{flex:1;font-size:1rem;padding:.4rem}
li{margin-bottom:1rem}.meta{color:#555;font-size:.9rem}mark{background:#ffe58f}
</style></head><body>
{{if .Demo}}<p class="demo" role="note">Demo: every call here comes from the built-in Gong simulator, not from a real Gong tenant.</p>{{end}}
<h1>Search Gong calls</h1>
<form method="get" action="/" role="search"><label for="q" hidden>Search</label>
<input type="search" id="q" name="q" value="{{.Query}}" placeholder="Acme pricing, action items, a person…" autofocus>
<button type="submit">Search</button></form>
{{if .Error}}<p role="alert">{{.Error}}</p>{{end}}
{{if .Query}}{{with .Result}}<p>{{.Total}} calls found.</p><ol>{{range .Results}}
<li><a href="{{.URL}}">{{.Title}}</a><div class="meta">{{.Started}}{{range .Accounts}} · {{.}}{{end}}</div><div>{{range .Parts}}{{if .Match}}<mark>{{.Text}}</mark>{{else}}{{.Text}}{{end}}{{end}}</div></li>{{end}}
</ol>{{end}}{{end}}
</body></html>`))

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	type pageHit struct {
		SearchHit
		Parts []core.SnippetPart
	}
	data := struct {
		Demo   bool
		Query  string
		Result *struct {
			Total   int
			Results []pageHit
		}
		Error string
	}{Demo: s.opts.Demo}
	q, err := s.query(r)
	data.Query = q.Text
	if err != nil {
		data.Error = core.ErrorMessage(err)
	} else if q.Text != "" {
		res, err := s.opts.Searcher.Search(r.Context(), q)
		if err != nil {
			data.Error = core.ErrorMessage(err)
		} else {
			sr := NewSearchResponse(res)
			data.Result = &struct {
				Total   int
				Results []pageHit
			}{Total: sr.Total}
			for i, h := range sr.Results {
				data.Result.Results = append(data.Result.Results, pageHit{SearchHit: h, Parts: core.SnippetParts(res.Hits[i].Snippet)})
			}
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := pageTmpl.Execute(w, data); err != nil {
		s.log.Error("render page", slog.String("error", err.Error()))
	}
}
