// Package server is the HTTP surface: a JSON API under /api/v1 (described
// at /api/v1/openapi.json) with bearer-token sign-in, health, readiness and
// Prometheus metrics, and the search page.
package server

import (
	"context"
	"encoding/json"
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
	// Setup shows and changes the connection's setup (admin web UI).
	Setup Setup
	// Ready reports whether the server can answer (the index is open and
	// holds a crawl); nil is always ready.
	Ready   func(ctx context.Context) error
	Metrics *Metrics
	// MCP is served at /mcp over streamable HTTP, behind the same bearer
	// tokens; its tools read the caller from the request's token info
	// (UserID is the identity). Nil serves no MCP.
	MCP *sdkmcp.Server
	// Demo marks every page as showing simulated data and signs browsers
	// in with a picker of DemoUsers.
	Demo      bool
	DemoUsers func(ctx context.Context) ([]DemoUser, error)
	// SessionKey signs browser sessions; nil makes one for this process
	// (sessions then end when it stops).
	SessionKey []byte
	// SecureCookies sends cookies over HTTPS only (public_url is https).
	SecureCookies bool
	// PublicURL is where browsers reach the server (the OIDC redirect);
	// empty: the request's host.
	PublicURL string
	Logger    *slog.Logger
}

// Server is the HTTP surface.
type Server struct {
	opts     Options
	mux      *http.ServeMux
	log      *slog.Logger
	sessions *sessions
}

// New returns a server.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics()
	}
	key := opts.SessionKey
	if len(key) == 0 {
		key = []byte(randomString(32))
	}
	s := &Server{opts: opts, mux: http.NewServeMux(), log: opts.Logger, sessions: &sessions{key: key, secure: opts.SecureCookies}}
	for _, r := range append(s.routes(), s.webRoutes()...) {
		h := r.handler
		switch r.role {
		case roleUser:
			h = s.signedIn(r.handler, false)
		case roleAdmin:
			h = s.signedIn(r.handler, true)
		}
		s.mux.Handle(r.pattern, s.observe(r.pattern, h))
	}
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
