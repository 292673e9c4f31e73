package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/modelcontextprotocol/go-sdk/auth"

	"gongconnector/internal/answer"
	"gongconnector/internal/core"
	"gongconnector/internal/crawl"
)

// Who may call a route.
const (
	roleNone  = iota // anyone: health, readiness, metrics, the API's description
	roleUser         // a signed-in caller, who sees what they may see in Gong
	roleAdmin        // a signed-in admin
)

type route struct {
	pattern string
	role    int
	handler http.HandlerFunc
}

// routes lists every route; the OpenAPI document describes the /api/v1
// ones (TestOpenAPIDescribesEveryRoute).
func (s *Server) routes() []route {
	return []route{
		{"GET /healthz", roleNone, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) }},
		{"GET /readyz", roleNone, s.readyz},
		{"GET /metrics", roleNone, s.opts.Metrics.handler().ServeHTTP},
		{"GET /api/v1/openapi.json", roleNone, serveOpenAPI},
		{"GET /api/v1/me", roleUser, s.apiMe},
		{"GET /api/v1/search", roleUser, s.apiSearch},
		{"GET /api/v1/facets", roleUser, s.apiFacets},
		{"POST /api/v1/ask", roleUser, s.apiAsk},
		{"GET /api/v1/calls/{id}", roleUser, s.apiCall},
		{"GET /api/v1/status", roleAdmin, s.apiStatus},
		{"GET /api/v1/crawls", roleAdmin, s.apiCrawls},
		{"POST /api/v1/crawls", roleAdmin, s.apiStartCrawl},
		{"POST /api/v1/crawls/pause", roleAdmin, s.apiPause},
		{"POST /api/v1/crawls/resume", roleAdmin, s.apiResume},
		{"GET /api/v1/identities", roleAdmin, s.apiIdentities},
		{"GET /api/v1/access/calls/{id}", roleAdmin, s.apiExplainCall},
	}
}

// verifyMCP checks the bearer token of an MCP request as every API route
// does; the session's tools see the calls of TokenInfo.UserID.
func (s *Server) verifyMCP(_ context.Context, _ string, r *http.Request) (*auth.TokenInfo, error) {
	if s.opts.Auth == nil {
		return nil, fmt.Errorf("%w: this server accepts no sign-in", auth.ErrInvalidToken)
	}
	p, err := s.opts.Auth.Authenticate(r)
	if err != nil {
		s.opts.Metrics.errors.WithLabelValues(core.EUnauthorized).Inc()
		return nil, fmt.Errorf("%w: %s", auth.ErrInvalidToken, err.Error())
	}
	return &auth.TokenInfo{UserID: p.Identity, Extra: map[string]any{"role": p.Role}}, nil
}

type principalKey struct{}

// principal returns the caller signedIn put in the request's context.
func principal(r *http.Request) Principal {
	p, _ := r.Context().Value(principalKey{}).(Principal)
	return p
}

// signedIn lets through callers with a valid bearer token (and the admin
// role when admin is set): 401 without one, 403 without the role.
func (s *Server) signedIn(h http.HandlerFunc, admin bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.opts.Auth == nil {
			s.error(w, r, core.Errorf(core.EUnauthorized, "this server accepts no sign-in: configure server.tokens or server.oidc"))
			return
		}
		p, err := s.opts.Auth.Authenticate(r)
		if err != nil {
			s.error(w, r, core.Errorf(core.EUnauthorized, "%s", err.Error()))
			return
		}
		if admin && !p.IsAdmin() {
			s.log.Info("admin route refused", slog.String("route", r.Pattern), slog.String("caller", p.Identity), slog.String("via", p.Via))
			s.error(w, r, core.Errorf(EForbidden, "this needs the admin role; %s signed in as a user", p.Identity))
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Flush lets streamed responses (MCP's server-sent events) through.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// observe counts and times requests by route, and logs them: the route,
// never the query string (it can quote call content), nor the token.
func (s *Server) observe(pattern string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		took := time.Since(start)
		s.opts.Metrics.requests.WithLabelValues(pattern, strconv.Itoa(sw.status)).Inc()
		s.opts.Metrics.latency.WithLabelValues(pattern).Observe(took.Seconds())
		if pattern != "GET /metrics" && pattern != "GET /healthz" && pattern != "GET /readyz" {
			s.log.Debug("request", slog.String("route", pattern), slog.Int("status", sw.status), slog.Duration("took", took))
		}
	})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.opts.Ready != nil {
		if err := s.opts.Ready(r.Context()); err != nil {
			s.error(w, r, core.Errorf(core.EUnavailable, "not ready: %s", core.ErrorMessage(err)))
			return
		}
	}
	w.Write([]byte("ready\n"))
}

// visibility returns what the caller may see.
func (s *Server) visibility(r *http.Request) core.Visibility {
	if s.opts.Visibility == nil {
		return core.Visibility{}
	}
	v, _ := s.opts.Visibility(principal(r).Identity)
	return v
}

// MeResponse says who the caller is and what they may see.
type MeResponse struct {
	Identity string `json:"identity"`
	Role     string `json:"role"`
	// SeesCalls is false when the caller may see no call, with Reason.
	SeesCalls bool   `json:"sees_calls"`
	Reason    string `json:"reason,omitempty"`
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	out := MeResponse{Identity: p.Identity, Role: p.Role}
	if s.opts.Visibility != nil {
		v, why := s.opts.Visibility(p.Identity)
		out.SeesCalls, out.Reason = !v.Nothing(), why
	}
	writeJSON(w, http.StatusOK, out)
}

// searchQuery reads q, limit and offset.
func searchQuery(r *http.Request) (core.Query, error) {
	q := core.Query{Text: strings.TrimSpace(r.URL.Query().Get("q")), Limit: 10}
	if utf8.RuneCountInString(q.Text) > maxQueryRunes {
		return q, core.Errorf(core.EInvalid, "q is longer than %d characters", maxQueryRunes)
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
	switch v := r.URL.Query().Get("facets"); v {
	case "", "false", "0":
	case "true", "1":
		q.Facets = true
	default:
		return q, core.Errorf(core.EInvalid, "facets must be true or false")
	}
	return q, nil
}

// maxQueryRunes bounds a query or a question.
const maxQueryRunes = 1000

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	q, err := searchQuery(r)
	if err == nil && q.Text == "" {
		err = core.Errorf(core.EInvalid, "q is required: words, a phrase in quotes, or filters such as account:acme from:2026-01-01")
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	q.Visibility = s.visibility(r)
	start := time.Now()
	res, err := s.opts.Store.Search(r.Context(), q)
	s.opts.Metrics.queries.WithLabelValues("search").Observe(time.Since(start).Seconds())
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, NewSearchResponse(res))
}

// FacetsResponse counts what the calls matching a query hold.
type FacetsResponse struct {
	Total     int          `json:"total"`
	Estimated bool         `json:"estimated,omitempty"`
	Facets    *core.Facets `json:"facets"`
}

func (s *Server) apiFacets(w http.ResponseWriter, r *http.Request) {
	q, err := searchQuery(r)
	if err == nil && q.Text == "" {
		err = core.Errorf(core.EInvalid, "q is required")
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	q.Visibility, q.Facets, q.Limit, q.Offset = s.visibility(r), true, 1, 0
	res, err := s.opts.Store.Search(r.Context(), q)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if res.Facets == nil {
		res.Facets = &core.Facets{}
	}
	writeJSON(w, http.StatusOK, FacetsResponse{Total: res.Total, Estimated: res.Estimated, Facets: res.Facets})
}

// AskRequest is the body of POST /api/v1/ask.
type AskRequest struct {
	Question string `json:"question"`
	// TimeZone is an IANA zone ("Europe/Paris") for dates in the question;
	// default UTC.
	TimeZone string `json:"time_zone,omitempty"`
}

func (s *Server) apiAsk(w http.ResponseWriter, r *http.Request) {
	var req AskRequest
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	req.Question = strings.TrimSpace(req.Question)
	switch {
	case req.Question == "":
		s.error(w, r, core.Errorf(core.EInvalid, `question is required, such as {"question": "What are the action items from the last call with Acme?"}`))
		return
	case utf8.RuneCountInString(req.Question) > maxQueryRunes:
		s.error(w, r, core.Errorf(core.EInvalid, "question is longer than %d characters", maxQueryRunes))
		return
	}
	loc := time.UTC
	if req.TimeZone != "" {
		l, err := time.LoadLocation(req.TimeZone)
		if err != nil || strings.HasPrefix(req.TimeZone, "/") {
			s.error(w, r, core.Errorf(core.EInvalid, "time_zone %q is not a time zone such as Europe/Paris", req.TimeZone))
			return
		}
		loc = l
	}
	if s.opts.Asker == nil {
		s.error(w, r, core.Errorf(core.EUnavailable, "question answering is not available on this server"))
		return
	}
	start := time.Now()
	a, err := s.opts.Asker.Ask(r.Context(), answer.Request{Question: req.Question, Visibility: s.visibility(r), Location: loc})
	s.opts.Metrics.queries.WithLabelValues("ask").Observe(time.Since(start).Seconds())
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// decodeJSON reads a small JSON body strictly.
func decodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return core.Errorf(core.EInvalid, "send the body as application/json, not %s", ct)
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return core.Errorf(core.EInvalid, "the request has no JSON body")
		}
		return core.Errorf(core.EInvalid, "the body is not the JSON expected: %s", err.Error())
	}
	return nil
}

// CallDetail is a call as the API shows it: durations in seconds, no
// transcript.
type CallDetail struct {
	core.Call
	Duration   int `json:"duration"` // seconds
	Transcript any `json:"transcript,omitempty"`
}

func (s *Server) apiCall(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	notFound := core.Errorf(core.ENotFound, "no call %s that you may see", id)
	if id == "" || len(id) > 64 {
		s.error(w, r, core.Errorf(core.EInvalid, "the call id must be 1 to 64 characters"))
		return
	}
	c, err := s.opts.Store.Call(r.Context(), id)
	if core.ErrorCode(err) == core.ENotFound {
		s.error(w, r, notFound)
		return
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	// A call the caller may not see is one that does not exist.
	v := s.visibility(r)
	if !v.Allows(c.WorkspaceID, c.ParticipantKeys()) {
		s.error(w, r, notFound)
		return
	}
	writeJSON(w, http.StatusOK, CallDetail{Call: *c, Duration: int(c.Duration / time.Second)})
}

func (s *Server) apiStatus(w http.ResponseWriter, r *http.Request) {
	out := map[string]any{}
	if s.opts.Status != nil {
		st, err := s.opts.Status(r.Context())
		if err != nil {
			s.error(w, r, err)
			return
		}
		out["index"] = st
	}
	if s.opts.Crawls != nil {
		out["schedule"] = s.opts.Crawls.State()
	}
	writeJSON(w, http.StatusOK, out)
}

// CrawlsResponse is the crawl history, newest first.
type CrawlsResponse struct {
	Runs     []core.CrawlRun      `json:"runs"`
	Schedule *crawl.ScheduleState `json:"schedule,omitempty"`
}

func (s *Server) apiCrawls(w http.ResponseWriter, r *http.Request) {
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			s.error(w, r, core.Errorf(core.EInvalid, "limit must be a number from 1 to 1000"))
			return
		}
		limit = n
	}
	runs, err := s.opts.Store.Runs(r.Context(), limit)
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := CrawlsResponse{Runs: runs}
	if out.Runs == nil {
		out.Runs = []core.CrawlRun{}
	}
	if s.opts.Crawls != nil {
		st := s.opts.Crawls.State()
		out.Schedule = &st
	}
	writeJSON(w, http.StatusOK, out)
}

// StartCrawlRequest is the body of POST /api/v1/crawls.
type StartCrawlRequest struct {
	Kind string `json:"kind"` // full or incremental
}

func (s *Server) crawls(w http.ResponseWriter, r *http.Request) (Crawls, bool) {
	if s.opts.Crawls == nil {
		s.error(w, r, core.Errorf(core.EUnavailable, "this server runs no crawls"))
		return nil, false
	}
	return s.opts.Crawls, true
}

func (s *Server) apiStartCrawl(w http.ResponseWriter, r *http.Request) {
	var req StartCrawlRequest
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	if req.Kind != core.CrawlFull && req.Kind != core.CrawlIncremental {
		s.error(w, r, core.Errorf(core.EInvalid, `kind must be "full" or "incremental"`))
		return
	}
	c, ok := s.crawls(w, r)
	if !ok {
		return
	}
	if err := c.Start(req.Kind); err != nil {
		s.error(w, r, core.Errorf(core.EConflict, "%s", err.Error()))
		return
	}
	s.log.Info("crawl requested", slog.String("kind", req.Kind), slog.String("by", principal(r).Identity))
	writeJSON(w, http.StatusAccepted, c.State())
}

func (s *Server) apiPause(w http.ResponseWriter, r *http.Request) {
	if c, ok := s.crawls(w, r); ok {
		c.Pause()
		s.log.Info("crawls paused", slog.String("by", principal(r).Identity))
		writeJSON(w, http.StatusOK, c.State())
	}
}

func (s *Server) apiResume(w http.ResponseWriter, r *http.Request) {
	if c, ok := s.crawls(w, r); ok {
		c.Resume()
		s.log.Info("crawls resumed", slog.String("by", principal(r).Identity))
		writeJSON(w, http.StatusOK, c.State())
	}
}

func (s *Server) apiIdentities(w http.ResponseWriter, r *http.Request) {
	if s.opts.Identities == nil {
		s.error(w, r, core.Errorf(core.EUnavailable, "the identity report is not available on this server"))
		return
	}
	rep, err := s.opts.Identities(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

func (s *Server) apiExplainCall(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if id == "" || len(id) > 64 {
		s.error(w, r, core.Errorf(core.EInvalid, "the call id must be 1 to 64 characters"))
		return
	}
	if s.opts.ExplainCall == nil {
		s.error(w, r, core.Errorf(core.EUnavailable, "the access explainer is not available on this server"))
		return
	}
	ex, err := s.opts.ExplainCall(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ex)
}
