package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	sdkmcp "github.com/modelcontextprotocol/go-sdk/mcp"

	"gongconnector/internal/answer"
	"gongconnector/internal/config"
	"gongconnector/internal/core"
	"gongconnector/internal/crawl"
	"gongconnector/internal/mcp"
)

// The fake tenant: two workspaces; jane took part in calls 1 and 2, sam in
// 3; lee sees all of ws2; nobody sees nothing.
var fakeCalls = []*core.Call{
	{ID: "1", Title: "Acme pricing review", WorkspaceID: "ws1", Brief: "Secret-brief-one about pricing", Started: time.Date(2026, 5, 12, 15, 0, 0, 0, time.UTC), Duration: time.Hour,
		Parties: []core.Party{{Name: "Jane", UserID: "u-jane"}}, Accounts: []core.Account{{Name: "Acme Corp"}}},
	{ID: "2", Title: "Fabrikam pricing", WorkspaceID: "ws2", Brief: "Secret-brief-two about pricing", Parties: []core.Party{{Name: "Jane", UserID: "u-jane"}}},
	{ID: "3", Title: "Contoso pricing", WorkspaceID: "ws2", Brief: "Secret-brief-three about pricing", Parties: []core.Party{{Name: "Sam", UserID: "u-sam"}}},
}

var visibilities = map[string]core.Visibility{
	"jane@contoso.com": {Participants: map[string][]string{"ws1": {core.UserKey("u-jane")}, "ws2": {core.UserKey("u-jane")}}},
	"sam@contoso.com":  {Participants: map[string][]string{"ws2": {core.UserKey("u-sam")}}},
	"lee@contoso.com":  {Workspaces: []string{"ws2"}},
}

func visibilityOf(identity string) (core.Visibility, string) {
	if v, ok := visibilities[identity]; ok {
		return v, ""
	}
	return core.Visibility{}, "not mapped to a Gong user"
}

// fakeStore trims like the index: a call is found when its title or brief
// holds the query's first word and the caller may see it.
type fakeStore struct {
	mu   sync.Mutex
	got  []core.Query
	err  error
	runs []core.CrawlRun // nil: one successful full crawl
}

func (f *fakeStore) Search(_ context.Context, q core.Query) (core.SearchResult, error) {
	f.mu.Lock()
	f.got = append(f.got, q)
	f.mu.Unlock()
	if f.err != nil {
		return core.SearchResult{}, f.err
	}
	res := core.SearchResult{Hits: []core.Hit{}}
	word := strings.ToLower(strings.Fields(q.Text + " x")[0])
	for _, c := range fakeCalls {
		if !q.Visibility.Allows(c.WorkspaceID, c.ParticipantKeys()) ||
			!strings.Contains(strings.ToLower(c.Title+" "+c.Brief), word) {
			continue
		}
		res.Total++
		res.Hits = append(res.Hits, core.Hit{ID: c.ID, Title: c.Title, Started: c.Started, Duration: c.Duration,
			Snippet: "the " + core.SnippetMarkStart + word + core.SnippetMarkEnd + " part"})
	}
	if q.Facets {
		res.Facets = &core.Facets{Over: res.Total}
	}
	return res, nil
}

func (f *fakeStore) Call(_ context.Context, id string) (*core.Call, error) {
	for _, c := range fakeCalls {
		if c.ID == id {
			return c, nil
		}
	}
	return nil, core.Errorf(core.ENotFound, "call %s not found", id)
}

func (f *fakeStore) Runs(_ context.Context, limit int) ([]core.CrawlRun, error) {
	if f.runs != nil {
		return f.runs[:min(limit, len(f.runs))], nil
	}
	return []core.CrawlRun{{ID: 7, Kind: core.CrawlFull, Status: core.RunSucceeded}}[:min(limit, 1)], nil
}

// fakeAsker answers with the calls the caller may see.
type fakeAsker struct{}

func (fakeAsker) Ask(_ context.Context, r answer.Request) (*answer.Answer, error) {
	a := &answer.Answer{Answer: "From " + r.Location.String(), Intent: "search", Calls: []answer.CallRef{}, Citations: []answer.Citation{}}
	for _, c := range fakeCalls {
		if r.Visibility.Allows(c.WorkspaceID, c.ParticipantKeys()) {
			a.Calls = append(a.Calls, answer.CallRef{ID: c.ID, Title: c.Title})
		}
	}
	return a, nil
}

// fakeCrawls records what admins asked for.
type fakeCrawls struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (f *fakeCrawls) Start(kind string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "start "+kind)
	return f.err
}
func (f *fakeCrawls) Pause()  { f.mu.Lock(); f.calls = append(f.calls, "pause"); f.mu.Unlock() }
func (f *fakeCrawls) Resume() { f.mu.Lock(); f.calls = append(f.calls, "resume"); f.mu.Unlock() }
func (f *fakeCrawls) State() crawl.ScheduleState {
	return crawl.ScheduleState{Running: core.CrawlIncremental}
}

// Tokens of the test server: jane and sam are users, ops an admin who is
// jane in Gong, nobody a user who may see no call.
const (
	janeToken   = "gc_jane_0123456789"
	samToken    = "gc_sam_0123456789"
	opsToken    = "gc_ops_0123456789"
	nobodyToken = "gc_nobody_0123456789"
)

type testServer struct {
	*httptest.Server
	store  *fakeStore
	crawls *fakeCrawls
	logs   *bytes.Buffer
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&syncWriter{w: &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ts := &testServer{store: &fakeStore{}, crawls: &fakeCrawls{}, logs: &logs}
	auth := NewAuthenticator(config.Server{Tokens: []config.APIToken{
		{Name: "jane", SHA256: HashToken(janeToken), Identity: "jane@contoso.com", Role: config.RoleUser},
		{Name: "sam", SHA256: HashToken(samToken), Identity: "sam@contoso.com", Role: config.RoleUser},
		{Name: "ops", SHA256: HashToken(opsToken), Identity: "jane@contoso.com", Role: config.RoleAdmin},
		{Name: "nobody", SHA256: HashToken(nobodyToken), Identity: "nobody@contoso.com", Role: config.RoleUser},
	}}, nil, log)
	srv := New(Options{
		Store: ts.store, Asker: fakeAsker{}, Auth: auth, Visibility: visibilityOf, Crawls: ts.crawls,
		Status:      func(context.Context) (any, error) { return map[string]int{"calls_indexed": 3}, nil },
		Identities:  func(context.Context) (any, error) { return map[string]int{"mapped": 3}, nil },
		ExplainCall: func(_ context.Context, id string) (any, error) { return map[string]string{"call_id": id}, nil },
		Logger:      log,
	})
	ts.Server = httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

// do sends a request with token ("" for none) and returns the status and
// body.
func (ts *testServer) do(t *testing.T, method, path, token, body string) (int, string, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// apiRoutes are the signed-in routes with a valid request each.
var apiRoutes = []struct {
	method, path, body string
	admin              bool
}{
	{"GET", "/api/v1/me", "", false},
	{"GET", "/api/v1/search?q=pricing", "", false},
	{"GET", "/api/v1/facets?q=pricing", "", false},
	{"POST", "/api/v1/ask", `{"question":"what about pricing?"}`, false},
	{"GET", "/api/v1/calls/1", "", false},
	{"GET", "/api/v1/status", "", true},
	{"GET", "/api/v1/crawls", "", true},
	{"POST", "/api/v1/crawls", `{"kind":"incremental"}`, true},
	{"POST", "/api/v1/crawls/pause", "", true},
	{"POST", "/api/v1/crawls/resume", "", true},
	{"GET", "/api/v1/identities", "", true},
	{"GET", "/api/v1/access/calls/1", "", true},
}

// TestRoutesNeedSignIn: every API route refuses a request without a token
// or with a bad one (401, with WWW-Authenticate), and every admin route a
// user (403); the right caller gets 2xx.
func TestRoutesNeedSignIn(t *testing.T) {
	ts := newTestServer(t)
	for _, r := range apiRoutes {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			for _, bad := range []string{"", "gc_unknown", "a.b.c"} {
				code, body, h := ts.do(t, r.method, r.path, bad, r.body)
				if code != 401 || !strings.Contains(h.Get("WWW-Authenticate"), "Bearer") || !strings.Contains(body, `"code": "unauthorized"`) {
					t.Errorf("token %q: %d %s (WWW-Authenticate %q), want 401", bad, code, body, h.Get("WWW-Authenticate"))
				}
			}
			code, body, _ := ts.do(t, r.method, r.path, janeToken, r.body)
			switch {
			case r.admin && (code != 403 || !strings.Contains(body, "admin role")):
				t.Errorf("as a user: %d %s, want 403", code, body)
			case !r.admin && code/100 != 2:
				t.Errorf("as a user: %d %s, want 2xx", code, body)
			}
			if code, body, _ := ts.do(t, r.method, r.path, opsToken, r.body); code/100 != 2 {
				t.Errorf("as an admin: %d %s, want 2xx", code, body)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	ts := newTestServer(t)
	for name, tc := range map[string]struct {
		method, path, body string
		token              string
		want               string
	}{
		"search without q":         {"GET", "/api/v1/search", "", janeToken, "q is required"},
		"search with blank q":      {"GET", "/api/v1/search?q=%20%20", "", janeToken, "q is required"},
		"limit too large":          {"GET", "/api/v1/search?q=x&limit=1000", "", janeToken, "limit must be a number from 1 to 100"},
		"limit not a number":       {"GET", "/api/v1/search?q=x&limit=ten", "", janeToken, "limit must be"},
		"negative offset":          {"GET", "/api/v1/search?q=x&offset=-1", "", janeToken, "offset must be"},
		"facets not a boolean":     {"GET", "/api/v1/search?q=x&facets=maybe", "", janeToken, "facets must be true or false"},
		"query too long":           {"GET", "/api/v1/search?q=" + strings.Repeat("a", 1001), "", janeToken, "longer than 1000"},
		"facets without q":         {"GET", "/api/v1/facets", "", janeToken, "q is required"},
		"ask without body":         {"POST", "/api/v1/ask", "", janeToken, "no JSON body"},
		"ask with bad JSON":        {"POST", "/api/v1/ask", `{"question":`, janeToken, "not the JSON expected"},
		"ask with unknown field":   {"POST", "/api/v1/ask", `{"q":"pricing"}`, janeToken, "unknown field"},
		"ask with empty question":  {"POST", "/api/v1/ask", `{"question":"  "}`, janeToken, "question is required"},
		"ask with bad time zone":   {"POST", "/api/v1/ask", `{"question":"x","time_zone":"Mars/Olympus"}`, janeToken, "not a time zone"},
		"ask with a long question": {"POST", "/api/v1/ask", `{"question":"` + strings.Repeat("a", 1001) + `"}`, janeToken, "longer than 1000"},
		"call id too long":         {"GET", "/api/v1/calls/" + strings.Repeat("9", 65), "", janeToken, "1 to 64 characters"},
		"crawls limit":             {"GET", "/api/v1/crawls?limit=0", "", opsToken, "limit must be"},
		"crawl of an unknown kind": {"POST", "/api/v1/crawls", `{"kind":"weekly"}`, opsToken, `kind must be "full" or "incremental"`},
		"crawl without body":       {"POST", "/api/v1/crawls", "", opsToken, "no JSON body"},
		"explain a long id":        {"GET", "/api/v1/access/calls/" + strings.Repeat("9", 65), "", opsToken, "1 to 64 characters"},
	} {
		t.Run(name, func(t *testing.T) {
			code, body, _ := ts.do(t, tc.method, tc.path, tc.token, tc.body)
			var e ErrorResponse
			json.Unmarshal([]byte(body), &e)
			if code != 400 || e.Code != core.EInvalid || !strings.Contains(e.Error, tc.want) {
				t.Errorf("%d %s; want 400 saying %q", code, body, tc.want)
			}
		})
	}
}

// TestTrimmed: each caller gets only the calls they may see, from every
// route; a hidden call and a missing one get the same 404.
func TestTrimmed(t *testing.T) {
	ts := newTestServer(t)
	ids := func(body string) []string {
		var r struct {
			Results []SearchHit      `json:"results"`
			Calls   []answer.CallRef `json:"calls"`
		}
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		var out []string
		for _, h := range r.Results {
			out = append(out, h.ID)
		}
		for _, c := range r.Calls {
			out = append(out, c.ID)
		}
		slices.Sort(out)
		return out
	}
	for _, tc := range []struct {
		token string
		want  []string
	}{{janeToken, []string{"1", "2"}}, {samToken, []string{"3"}}, {opsToken, []string{"1", "2"}}, {nobodyToken, nil}} {
		_, body, _ := ts.do(t, "GET", "/api/v1/search?q=pricing", tc.token, "")
		if got := ids(body); !slices.Equal(got, tc.want) {
			t.Errorf("search as %s: %v, want %v", tc.token, got, tc.want)
		}
		_, body, _ = ts.do(t, "POST", "/api/v1/ask", tc.token, `{"question":"pricing?","time_zone":"Europe/Paris"}`)
		if got := ids(body); !slices.Equal(got, tc.want) || !strings.Contains(body, "From Europe/Paris") {
			t.Errorf("ask as %s: %v (%s), want %v in Europe/Paris", tc.token, got, body, tc.want)
		}
		for _, c := range fakeCalls {
			code, body, _ := ts.do(t, "GET", "/api/v1/calls/"+c.ID, tc.token, "")
			visible := slices.Contains(tc.want, c.ID)
			if visible && (code != 200 || !strings.Contains(body, c.Brief) || !strings.Contains(body, `"duration": `)) {
				t.Errorf("call %s as %s: %d %s, want the call", c.ID, tc.token, code, body)
			}
			if !visible {
				_, missing, _ := ts.do(t, "GET", "/api/v1/calls/nope", tc.token, "")
				if code != 404 || strings.Contains(body, c.Brief) || strings.ReplaceAll(body, c.ID, "nope") != missing {
					t.Errorf("hidden call %s as %s: %d %s; a missing call gives %s", c.ID, tc.token, code, body, missing)
				}
			}
		}
	}
	_, body, _ := ts.do(t, "GET", "/api/v1/me", nobodyToken, "")
	if !strings.Contains(body, `"sees_calls": false`) || !strings.Contains(body, "not mapped") {
		t.Errorf("me as nobody: %s", body)
	}
	_, body, _ = ts.do(t, "GET", "/api/v1/facets?q=pricing", samToken, "")
	if !strings.Contains(body, `"total": 1`) {
		t.Errorf("facets as sam: %s, want 1 call", body)
	}
}

func TestAdminCrawls(t *testing.T) {
	ts := newTestServer(t)
	if code, body, _ := ts.do(t, "POST", "/api/v1/crawls", opsToken, `{"kind":"full"}`); code != 202 || !strings.Contains(body, `"running": "incremental"`) {
		t.Errorf("start: %d %s", code, body)
	}
	ts.do(t, "POST", "/api/v1/crawls/pause", opsToken, "")
	ts.do(t, "POST", "/api/v1/crawls/resume", opsToken, "")
	ts.crawls.err = crawl.ErrPaused
	code, body, _ := ts.do(t, "POST", "/api/v1/crawls", opsToken, `{"kind":"incremental"}`)
	if code != 409 || !strings.Contains(body, "paused") {
		t.Errorf("start while paused: %d %s, want 409", code, body)
	}
	if want := []string{"start full", "pause", "resume", "start incremental"}; !slices.Equal(ts.crawls.calls, want) {
		t.Errorf("crawls asked %v, want %v", ts.crawls.calls, want)
	}
	_, body, _ = ts.do(t, "GET", "/api/v1/crawls", opsToken, "")
	if !strings.Contains(body, `"kind": "full"`) || !strings.Contains(body, `"schedule"`) {
		t.Errorf("history: %s", body)
	}
}

func TestErrors(t *testing.T) {
	ts := newTestServer(t)
	ts.store.err = errors.New("disk I/O error at /secret/path")
	code, body, _ := ts.do(t, "GET", "/api/v1/search?q=x", janeToken, "")
	if code != 500 || strings.Contains(body, "/secret/path") || !strings.Contains(body, "internal error") {
		t.Errorf("internal error: %d %s", code, body)
	}
	ts.store.err = core.Errorf(core.EUnavailable, "the index is being rebuilt")
	if code, body, _ := ts.do(t, "GET", "/api/v1/search?q=x", janeToken, ""); code != 503 || !strings.Contains(body, "being rebuilt") {
		t.Errorf("unavailable: %d %s", code, body)
	}
	srv := httptest.NewServer(New(Options{Store: &fakeStore{}}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(string(b), "configure server.tokens or server.oidc") {
		t.Errorf("no sign-in configured: %d %s", resp.StatusCode, b)
	}
}

// TestLogsHoldNoSecrets: after every route has been called, the log holds
// no token, no query text and no call content.
func TestLogsHoldNoSecrets(t *testing.T) {
	ts := newTestServer(t)
	for _, r := range apiRoutes {
		for _, tok := range []string{"", janeToken, opsToken, "gc_guess_secret"} {
			ts.do(t, r.method, r.path, tok, r.body)
		}
	}
	ts.do(t, "GET", "/api/v1/search?q=confidential-merger-plan", janeToken, "")
	ts.do(t, "POST", "/api/v1/ask", janeToken, `{"question":"confidential-merger-plan?"}`)
	ts.do(t, "GET", "/metrics", "", "")
	logs := ts.logs.String()
	if !strings.Contains(logs, "GET /api/v1/search") {
		t.Fatalf("nothing was logged: %q", logs)
	}
	for _, secret := range []string{janeToken, opsToken, samToken, "gc_guess_secret", "confidential-merger-plan", "Secret-brief", "pricing"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	var ready error = core.Errorf(core.EUnavailable, "the first crawl has not finished")
	srv := httptest.NewServer(New(Options{Store: &fakeStore{}, Ready: func(context.Context) error { return ready }}))
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("healthz: %d", code)
	}
	if code, body := get("/readyz"); code != 503 || !strings.Contains(body, "first crawl") {
		t.Errorf("readyz before the first crawl: %d %s", code, body)
	}
	ready = nil
	if code, _ := get("/readyz"); code != 200 {
		t.Errorf("readyz: %d", code)
	}
	get("/api/v1/search?q=x")
	code, body := get("/metrics")
	for _, want := range []string{`gongconnector_http_requests_total{code="401",route="GET /api/v1/search"} 1`,
		"gongconnector_errors_total", "go_goroutines", "gongconnector_http_request_duration_seconds_bucket"} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestOpenAPIDescribesEveryRoute: the document served is valid JSON and
// describes exactly the /api/v1 routes, with their methods.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	srv := httptest.NewServer(New(Options{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi.json: %v (%q)", err, doc.OpenAPI)
	}
	var described, served []string
	for path, ops := range doc.Paths {
		for method := range ops {
			described = append(described, strings.ToUpper(method)+" /api/v1"+path)
		}
	}
	for _, r := range (&Server{opts: Options{Metrics: NewMetrics()}}).routes() {
		if strings.Contains(r.pattern, "/api/v1/") {
			served = append(served, r.pattern)
		}
	}
	slices.Sort(described)
	slices.Sort(served)
	if !slices.Equal(described, served) {
		t.Errorf("openapi.json describes\n%v\nthe server serves\n%v", described, served)
	}
}

func (f *fakeStore) Calls(ctx context.Context, ids []string) ([]*core.Call, error) {
	var out []*core.Call
	for _, id := range ids {
		if c, err := f.Call(ctx, id); err == nil {
			out = append(out, c)
		}
	}
	return out, nil
}

// bearerTransport adds a bearer token to every request.
type bearerTransport struct{ token string }

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// TestMCPOverHTTP: /mcp refuses a client without a valid token, and the
// tools of a signed-in client see that caller's calls only.
func TestMCPOverHTTP(t *testing.T) {
	store := &fakeStore{}
	tools := mcp.New(mcp.Options{Store: store, Asker: fakeAsker{},
		Visibility: func(_ context.Context, req *sdkmcp.CallToolRequest) (core.Visibility, error) {
			v, _ := visibilityOf(req.Extra.TokenInfo.UserID)
			return v, nil
		}})
	auth := NewAuthenticator(config.Server{Tokens: []config.APIToken{
		{Name: "jane", SHA256: HashToken(janeToken), Identity: "jane@contoso.com", Role: config.RoleUser},
		{Name: "sam", SHA256: HashToken(samToken), Identity: "sam@contoso.com", Role: config.RoleUser},
	}}, nil, nil)
	srv := httptest.NewServer(New(Options{Store: store, Auth: auth, Visibility: visibilityOf, MCP: tools}))
	defer srv.Close()
	connect := func(token string) (*sdkmcp.ClientSession, error) {
		client := &http.Client{Transport: bearerTransport{token}}
		if token == "" {
			client = http.DefaultClient
		}
		return sdkmcp.NewClient(&sdkmcp.Implementation{Name: "test"}, nil).Connect(t.Context(),
			&sdkmcp.StreamableClientTransport{Endpoint: srv.URL + "/mcp", HTTPClient: client, MaxRetries: -1}, nil)
	}
	for _, bad := range []string{"", "gc_wrong"} {
		if cs, err := connect(bad); err == nil {
			cs.Close()
			t.Errorf("token %q: connected", bad)
		}
	}
	for token, want := range map[string]string{janeToken: `"total":2`, samToken: `"total":1`} {
		cs, err := connect(token)
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		res, err := cs.CallTool(t.Context(), &sdkmcp.CallToolParams{Name: "search_calls", Arguments: map[string]any{"query": "pricing"}})
		if err != nil || res.IsError {
			t.Fatalf("search_calls: %v %+v", err, res)
		}
		b, _ := json.Marshal(res.StructuredContent)
		if !strings.Contains(strings.ReplaceAll(string(b), " ", ""), want) {
			t.Errorf("search_calls as %s: %s, want %s", token, b, want)
		}
		cs.Close()
	}
	resp, err := http.Post(srv.URL+"/mcp", "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("POST /mcp without a token: %d, want 401", resp.StatusCode)
	}
}
