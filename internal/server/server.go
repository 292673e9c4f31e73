// Package server is the HTTP surface: a JSON API under /api/v1 (described
// at /api/v1/openapi.json) with bearer-token sign-in, health, readiness and
// Prometheus metrics, and the search page.
package server

import (
	"context"
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	sdkmcp "github.com/modelcontextprotocol/go-sdk/mcp"

	"gongconnector/internal/answer"
	"gongconnector/internal/core"
	"gongconnector/internal/crawl"
)

// Store is what the API reads from the index.
type Store interface {
	Search(ctx context.Context, q core.Query) (core.SearchResult, error)
	// Call returns a call by id, with a core.ENotFound error when missing.
	Call(ctx context.Context, id string) (*core.Call, error)
	// Runs returns the newest crawl runs, newest first.
	Runs(ctx context.Context, limit int) ([]core.CrawlRun, error)
}

// Asker answers questions.
type Asker interface {
	Ask(ctx context.Context, r answer.Request) (*answer.Answer, error)
}

// Crawls runs crawls on demand (the scheduler).
type Crawls interface {
	Start(kind string) error
	Pause()
	Resume()
	State() crawl.ScheduleState
}

// Options configure a Server.
type Options struct {
	Store Store
	Asker Asker
	// Auth authenticates API callers; nil refuses every API request.
	Auth *Authenticator
	// Visibility returns what an identity may see in Gong, and why
	// nothing when it may see nothing.
	Visibility func(identity string) (core.Visibility, string)
	// Crawls starts and pauses crawls; nil when this process runs none.
	Crawls Crawls
	// Status returns the connection status as a JSON-encodable value.
	Status func(ctx context.Context) (any, error)
	// Identities returns the identity-mapping report.
	Identities func(ctx context.Context) (any, error)
	// ExplainCall says who may see a call and why.
	ExplainCall func(ctx context.Context, id string) (any, error)
	// Ready reports whether the server can answer (the index is open and
	// holds a crawl); nil is always ready.
	Ready   func(ctx context.Context) error
	Metrics *Metrics
	// MCP is served at /mcp over streamable HTTP, behind the same bearer
	// tokens; its tools read the caller from the request's token info
	// (UserID is the identity). Nil serves no MCP.
	MCP *sdkmcp.Server
	// Demo marks every page as showing simulated data, and lets the
	// search page show what the local admin sees.
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
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics()
	}
	s := &Server{opts: opts, mux: http.NewServeMux(), log: opts.Logger}
	for _, r := range s.routes() {
		h := r.handler
		switch r.role {
		case roleUser:
			h = s.signedIn(r.handler, false)
		case roleAdmin:
			h = s.signedIn(r.handler, true)
		}
		s.mux.Handle(r.pattern, s.observe(r.pattern, h))
	}
	s.mux.HandleFunc("GET /{$}", s.page)
	if opts.MCP != nil {
		h := sdkmcp.NewStreamableHTTPHandler(func(*http.Request) *sdkmcp.Server { return opts.MCP }, nil)
		s.mux.Handle("/mcp", s.observe("/mcp", auth.RequireBearerToken(s.verifyMCP, &auth.RequireBearerTokenOptions{AllowMissingExpiration: true})(h)))
	}
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

// statusOf maps an error code to its HTTP status, in one place.
func statusOf(code string) int {
	switch code {
	case core.EInvalid:
		return http.StatusBadRequest
	case core.ENotFound:
		return http.StatusNotFound
	case core.EUnauthorized:
		return http.StatusUnauthorized
	case EForbidden:
		return http.StatusForbidden
	case core.EConflict:
		return http.StatusConflict
	case core.EUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// EForbidden is the error code of a signed-in caller without the role a
// route needs.
const EForbidden = "forbidden"

// ErrorResponse is the JSON body of every error.
type ErrorResponse struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	code := core.ErrorCode(err)
	msg := core.ErrorMessage(err)
	if code == core.EInternal {
		s.log.Error("request failed", slog.String("route", r.Pattern), slog.String("error", err.Error()))
		msg = "internal error"
	}
	s.opts.Metrics.errors.WithLabelValues(code).Inc()
	if code == core.EUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="gongconnector"`)
	}
	writeJSON(w, statusOf(code), ErrorResponse{Error: msg, Code: code})
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
	q, err := searchQuery(r)
	data.Query = q.Text
	switch {
	case !s.opts.Demo:
		// Until browser sign-in arrives, only the demo has a search page.
		data.Error = "Sign-in for the web UI is not available yet: use the API under /api/v1 with a bearer token (described at /api/v1/openapi.json)."
	case err != nil:
		data.Error = core.ErrorMessage(err)
	case q.Text != "":
		q.Visibility = core.Visibility{Everything: true} // the demo's local admin
		res, err := s.opts.Store.Search(r.Context(), q)
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
