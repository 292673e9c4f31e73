package server

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"gongconnector/internal/config"
	"gongconnector/internal/core"
	"gongconnector/internal/oidctest"
)

// browserClient is a browser: cookies, no automatic redirects followed
// past the first response when asked.
type browserClient struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browserClient {
	jar, _ := cookiejar.New(nil)
	return &browserClient{t: t, base: base, c: &http.Client{Jar: jar}}
}

func (b *browserClient) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (b *browserClient) post(path string, form url.Values) (int, string) {
	b.t.Helper()
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in the page:\n%s", page)
	}
	return m[1]
}

// demoServer is a demo server whose picker offers jane (a user) and lee
// (an admin).
func demoServer(t *testing.T) (*httptest.Server, *fakeCrawls) {
	t.Helper()
	crawls := &fakeCrawls{}
	srv := httptest.NewServer(New(Options{Store: &fakeStore{}, Asker: fakeAsker{}, Visibility: visibilityOf, Crawls: crawls, Demo: true,
		DemoUsers: func(context.Context) ([]DemoUser, error) {
			return []DemoUser{{Identity: "jane@contoso.com", Name: "Jane", Calls: 2}, {Identity: "lee@contoso.com", Name: "Lee", Calls: 2, Admin: true}}, nil
		},
		ExplainCall: func(_ context.Context, id string) (any, error) {
			return AccessExplanation{CallID: id, Title: "Acme", Workspace: "ws1", Identities: []AccessByRule{{Identity: "jane@contoso.com", Rule: "participant"}}}, nil
		}}))
	t.Cleanup(srv.Close)
	return srv, crawls
}

func signIn(t *testing.T, b *browserClient, identity, next string) {
	t.Helper()
	code, page := b.get("/signin?next=" + url.QueryEscape(next))
	if code != 200 || !strings.Contains(page, "Demo:") || !strings.Contains(page, identity) {
		t.Fatalf("sign-in page: %d\n%s", code, page)
	}
	code, page = b.post("/signin/demo", url.Values{"csrf": {csrfOf(t, page)}, "identity": {identity}, "next": {next}})
	if code != 200 || !strings.Contains(page, identity) {
		t.Fatalf("signing in as %s: %d\n%s", identity, code, page)
	}
}

func TestWebSignInSearchAskCall(t *testing.T) {
	srv, _ := demoServer(t)
	b := newBrowser(t, srv.URL)
	// Not signed in: every page sends the browser to sign in, and back.
	code, page := b.get("/?q=pricing")
	if code != 200 || !strings.Contains(page, "<h1>Sign in</h1>") {
		t.Fatalf("search without a session: %d\n%s", code, page)
	}
	signIn(t, b, "jane@contoso.com", "/?q=pricing")

	code, page = b.get("/?q=pricing")
	if code != 200 || !strings.Contains(page, "2 calls found") || !strings.Contains(page, "<mark>pricing</mark>") ||
		strings.Contains(page, "Contoso pricing") || !strings.Contains(page, "Demo:") {
		t.Errorf("search as jane: %d\n%s", code, page)
	}
	code, page = b.get("/ask?q=" + url.QueryEscape("what about pricing?"))
	if code != 200 || !strings.Contains(page, `class="answer"`) || !strings.Contains(page, `href="/calls/1"`) || strings.Contains(page, `href="/calls/3"`) {
		t.Errorf("ask as jane: %d\n%s", code, page)
	}
	code, page = b.get("/calls/1")
	if code != 200 || !strings.Contains(page, "Secret-brief-one") || !strings.Contains(page, "Acme Corp") {
		t.Errorf("jane's call: %d\n%s", code, page)
	}
	hidden, hiddenPage := b.get("/calls/3")
	missing, missingPage := b.get("/calls/nope")
	// The pages differ only in the id (compared without the layout, whose
	// CSRF token is random).
	mainOf := func(page string) string { _, m, _ := strings.Cut(page, `<main id="main">`); return m }
	if hidden != 404 || strings.Contains(hiddenPage, "Secret-brief-three") || strings.ReplaceAll(mainOf(hiddenPage), "3", "nope") != mainOf(missingPage) || missing != 404 {
		t.Errorf("a hidden call: %d; a missing call: %d\n%s", hidden, missing, hiddenPage)
	}
	// Sign out needs the session's CSRF token.
	if code, _ := b.post("/signout", url.Values{"csrf": {"forged"}}); code != 403 {
		t.Errorf("sign out with a forged token: %d, want 403", code)
	}
	_, page = b.get("/")
	b.post("/signout", url.Values{"csrf": {csrfOf(t, page)}})
	if _, page := b.get("/"); !strings.Contains(page, "<h1>Sign in</h1>") {
		t.Errorf("still signed in after signing out")
	}
}

func TestWebEscapes(t *testing.T) {
	fakeCalls[0].Title = `<script>alert(1)</script> pricing`
	defer func() { fakeCalls[0].Title = "Acme pricing review" }()
	srv, _ := demoServer(t)
	b := newBrowser(t, srv.URL)
	signIn(t, b, "jane@contoso.com", "/")
	_, page := b.get("/?q=" + url.QueryEscape("pricing <b>"))
	if strings.Contains(page, "<script>alert") || strings.Contains(page, "<b>") {
		t.Errorf("the page does not escape:\n%s", page)
	}
}

func TestWebAdmin(t *testing.T) {
	srv, crawls := demoServer(t)
	user := newBrowser(t, srv.URL)
	signIn(t, user, "jane@contoso.com", "/")
	_, page := user.get("/")
	for _, path := range []string{"/admin", "/admin/access?call=1"} {
		if code, body := user.get(path); code != 403 || !strings.Contains(body, "for admins") {
			t.Errorf("%s as a user: %d", path, code)
		}
	}
	if code, _ := user.post("/admin/crawls", url.Values{"csrf": {csrfOf(t, page)}, "kind": {"full"}}); code != 403 {
		t.Errorf("POST /admin/crawls as a user: %d, want 403", code)
	}

	admin := newBrowser(t, srv.URL)
	signIn(t, admin, "lee@contoso.com", "/admin")
	code, page := admin.get("/admin")
	if code != 200 || !strings.Contains(page, "History") || !strings.Contains(page, "incremental crawl running") {
		t.Fatalf("admin page: %d\n%s", code, page)
	}
	if code, _ := admin.post("/admin/crawls", url.Values{"csrf": {"forged"}, "kind": {"full"}}); code != 403 {
		t.Errorf("start a crawl with a forged token: %d, want 403", code)
	}
	code, page = admin.post("/admin/crawls", url.Values{"csrf": {csrfOf(t, page)}, "kind": {"full"}})
	if code != 200 || !strings.Contains(page, "A full crawl was started.") {
		t.Errorf("start a crawl: %d\n%s", code, page)
	}
	if len(crawls.calls) != 1 || crawls.calls[0] != "start full" {
		t.Errorf("crawls asked %v, want one full crawl", crawls.calls)
	}
	if code, page := admin.get("/admin/access?call=1"); code != 200 || !strings.Contains(page, "jane@contoso.com by taking part in the call") {
		t.Errorf("access explainer: %d\n%s", code, page)
	}
}

// TestWebSignInIsDemoOnly: outside demo mode there is no picker, and the
// demo sign-in route does not exist.
func TestWebSignInIsDemoOnly(t *testing.T) {
	srv := httptest.NewServer(New(Options{Store: &fakeStore{}, DemoUsers: func(context.Context) ([]DemoUser, error) {
		return []DemoUser{{Identity: "lee@contoso.com", Admin: true}}, nil
	}}))
	defer srv.Close()
	b := newBrowser(t, srv.URL)
	code, page := b.get("/signin")
	if code != 200 || strings.Contains(page, "lee@contoso.com") || strings.Contains(page, "Demo:") {
		t.Errorf("sign-in page outside the demo: %d\n%s", code, page)
	}
	if code, _ := b.post("/signin/demo", url.Values{"csrf": {"x"}, "identity": {"lee@contoso.com"}}); code != 404 {
		t.Errorf("demo sign-in outside the demo: %d, want 404", code)
	}
}

// oidcServer is a server whose browsers sign in with the local issuer.
func oidcServer(t *testing.T, secret string) (*httptest.Server, *oidctest.Issuer) {
	t.Helper()
	iss := oidctest.New(t)
	iss.ClientID, iss.ClientSecret = "gc-web", "s3cret"
	auth := NewAuthenticator(config.Server{OIDC: config.OIDC{Issuer: iss.URL, Audience: "api://gc", IdentityClaim: "email",
		Admins: []string{"lee@contoso.com"}, ClientID: "gc-web", ClientSecret: secret}}, nil, nil)
	srv := httptest.NewServer(New(Options{Store: &fakeStore{}, Asker: fakeAsker{}, Auth: auth, Visibility: visibilityOf}))
	t.Cleanup(srv.Close)
	return srv, iss
}

func TestWebOIDCSignIn(t *testing.T) {
	srv, iss := oidcServer(t, "s3cret")
	b := newBrowser(t, srv.URL)
	code, page := b.get("/signin")
	if code != 200 || !strings.Contains(page, `href="/signin/oidc?next=%2f"`) {
		t.Fatalf("sign-in page: %d\n%s", code, page)
	}
	iss.User = oidctest.Claims{"email": "jane@contoso.com"}
	code, page = b.get("/signin/oidc?next=" + url.QueryEscape("/?q=pricing"))
	if code != 200 || !strings.Contains(page, "jane@contoso.com") || !strings.Contains(page, "2 calls found") || strings.Contains(page, "(admin)") {
		t.Fatalf("after signing in with the issuer: %d\n%s", code, page)
	}
	if code, _ := b.get("/admin"); code != 403 {
		t.Errorf("admin page as jane: %d, want 403", code)
	}
	admin := newBrowser(t, srv.URL)
	iss.User = oidctest.Claims{"email": "lee@contoso.com"}
	if code, page := admin.get("/signin/oidc?next=/admin"); code != 200 || !strings.Contains(page, "<h1>Admin</h1>") {
		t.Errorf("admin sign-in: %d\n%s", code, page)
	}
	// A token without the identity claim signs nobody in.
	iss.User = oidctest.Claims{"email": nil, "name": "Anon"}
	if code, page := newBrowser(t, srv.URL).get("/signin/oidc"); code != 401 || !strings.Contains(page, `no &#34;email&#34; claim`) {
		t.Errorf("no identity claim: %d\n%s", code, page)
	}
}

func TestWebOIDCRefusals(t *testing.T) {
	srv, iss := oidcServer(t, "wrong-secret")
	iss.User = oidctest.Claims{"email": "jane@contoso.com"}
	if code, page := newBrowser(t, srv.URL).get("/signin/oidc"); code != 401 || !strings.Contains(page, "did not accept the sign-in code") {
		t.Errorf("wrong client secret: %d\n%s", code, page)
	}
	srv2, iss2 := oidcServer(t, "s3cret")
	iss2.User = oidctest.Claims{"email": "jane@contoso.com"}
	b := newBrowser(t, srv2.URL)
	// A callback this browser did not start, or with another state.
	if code, page := b.get("/signin/callback?code=x&state=y"); code != 400 || !strings.Contains(page, "did not start here") {
		t.Errorf("unsolicited callback: %d\n%s", code, page)
	}
	b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := b.c.Get(srv2.URL + "/signin/oidc")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if q := loc.Query(); q.Get("code_challenge_method") != "S256" || q.Get("state") == "" || q.Get("nonce") == "" {
		t.Fatalf("authorization request: %s", loc)
	}
	if code, page := b.get("/signin/callback?code=x&state=forged"); code != 400 || !strings.Contains(page, "(state)") {
		t.Errorf("forged state: %d\n%s", code, page)
	}
	if code, page := b.get("/signin/callback?error=access_denied&error_description=no"); code != 401 || !strings.Contains(page, "refused the sign-in") {
		t.Errorf("refused by the issuer: %d\n%s", code, page)
	}
}

// fakeSetup records what the setup page saves.
type fakeSetup struct{ saved []SetupChange }

func (f *fakeSetup) View(context.Context) (SetupView, error) {
	v := SetupView{DisplayName: "Gong (demo)", GongURL: "https://api.gong.io", CredentialsSet: true, Mode: "gong", StartDate: "2025-01-01",
		FullInterval: "1d", IncrInterval: "15m", Workspaces: []WorkspaceChoice{{ID: "ws1", Name: "Sales"}, {ID: "ws2", Name: "EMEA"}},
		Preview: []IdentityPreview{{GongUser: "Jane", Email: "jane@contoso.com", Identity: "jane@contoso.com", Status: "mapped"}}, Mapped: 1, Users: 1}
	if n := len(f.saved); n > 0 {
		v.StartDate = f.saved[n-1].StartDate
	}
	return v, nil
}

func (f *fakeSetup) Save(_ context.Context, c SetupChange) error {
	if c.StartDate == "yesterday" {
		return core.Errorf(core.EInvalid, "the start date %q must be a day such as 2025-01-31", c.StartDate)
	}
	f.saved = append(f.saved, c)
	return nil
}

func TestWebSetup(t *testing.T) {
	setup := &fakeSetup{}
	srv := httptest.NewServer(New(Options{Store: &fakeStore{}, Visibility: visibilityOf, Demo: true, Setup: setup,
		DemoUsers: func(context.Context) ([]DemoUser, error) {
			return []DemoUser{{Identity: "jane@contoso.com"}, {Identity: "lee@contoso.com", Admin: true}}, nil
		}}))
	defer srv.Close()
	user := newBrowser(t, srv.URL)
	signIn(t, user, "jane@contoso.com", "/")
	if code, _ := user.get("/admin/setup"); code != 403 {
		t.Errorf("setup page as a user: %d, want 403", code)
	}
	admin := newBrowser(t, srv.URL)
	signIn(t, admin, "lee@contoso.com", "/admin/setup")
	code, page := admin.get("/admin/setup")
	if code != 200 || !strings.Contains(page, "Gong (demo)") || !strings.Contains(page, `value="2025-01-01"`) || !strings.Contains(page, "jane@contoso.com") ||
		!strings.Contains(page, "set (from the environment; never shown)") {
		t.Fatalf("setup page: %d\n%s", code, page)
	}
	csrf := csrfOf(t, page)
	code, page = admin.post("/admin/setup", url.Values{"csrf": {csrf}, "start_date": {"yesterday"}, "workspace": {"ws2"}, "full_interval": {"1d"}, "incremental_interval": {"15m"}})
	if code != 400 || !strings.Contains(page, "must be a day such as") || !strings.Contains(page, `value="yesterday"`) || !strings.Contains(page, `value="ws2" checked`) {
		t.Errorf("an invalid start date: %d\n%s", code, page)
	}
	code, page = admin.post("/admin/setup", url.Values{"csrf": {csrf}, "start_date": {"2026-03-01"}, "workspace": {"ws2"}, "full_interval": {"1d"}, "incremental_interval": {"30m"}})
	if code != 200 || !strings.Contains(page, "Saved") || !strings.Contains(page, `value="2026-03-01"`) {
		t.Errorf("a valid change: %d\n%s", code, page)
	}
	if len(setup.saved) != 1 || setup.saved[0].Workspaces[0] != "ws2" || setup.saved[0].IncrInterval != "30m" {
		t.Errorf("saved %+v", setup.saved)
	}
	if code, _ := admin.post("/admin/setup", url.Values{"csrf": {"forged"}, "start_date": {"2026-01-01"}}); code != 403 || len(setup.saved) != 1 {
		t.Errorf("a forged form: %d, saved %d times", code, len(setup.saved))
	}
}

// TestWebAdminStatusAndIdentities: the admin page shows counts, budget and
// the causes of failed crawls grouped with what to do; the identity report
// lists users mapped to nobody first.
func TestWebAdminStatusAndIdentities(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 5, d, 9, 0, 0, 0, time.UTC) }
	store := &fakeStore{runs: []core.CrawlRun{
		{ID: 5, Kind: "incremental", Status: core.RunFailed, Started: day(5), Message: "Gong rejected the access key (401): check GONG_ACCESS_KEY_SECRET"},
		{ID: 4, Kind: "incremental", Status: core.RunFailed, Started: day(4), Message: "Gong rejected the access key (401): check GONG_ACCESS_KEY_SECRET"},
		{ID: 3, Kind: "full", Status: core.RunFailed, Started: day(3), Message: "the daily API budget is spent: raise gong.daily_budget or wait until tomorrow"},
		{ID: 2, Kind: "full", Status: core.RunSucceeded, Started: day(2)},
	}}
	srv := httptest.NewServer(New(Options{Store: store, Visibility: visibilityOf, Demo: true,
		DemoUsers: func(context.Context) ([]DemoUser, error) {
			return []DemoUser{{Identity: "lee@contoso.com", Admin: true}}, nil
		},
		Status: func(context.Context) (any, error) {
			return map[string]any{"calls_indexed": 1234, "api_requests_today": 400, "rate_limited_today": 3, "daily_budget": 10000, "permission_snapshot_taken": "2026-05-05T09:00:00Z",
				"microsoft365": map[string]any{"connection": "gongcalls", "set_up": "2026-05-01T08:00:00Z", "items_pushed": 1200, "calls_to_push": 34,
					"external_groups": 55, "memberships": 310, "last_push": map[string]any{"finished": day(5), "pushed": 30, "failed": 4,
						"error": "4 writes to Microsoft Graph failed and will be tried again by the next push"}}}, nil
		},
		Identities: func(context.Context) (any, error) {
			return map[string]any{"directory": "entra", "target": "upn", "users": []map[string]string{
				{"name": "Jane", "email": "jane@contoso.com", "identity": "jane@contoso.com", "status": "mapped"},
				{"name": "Ghost", "email": "ghost@old.example", "status": "no_match", "reason": "no directory user has this e-mail"},
			}}, nil
		}}))
	defer srv.Close()
	b := newBrowser(t, srv.URL)
	signIn(t, b, "lee@contoso.com", "/admin")
	_, page := b.get("/admin")
	for _, want := range []string{"1234", "9600 left of the daily budget of 10000", "3 rate-limited",
		`<td class="error">Gong rejected the access key (401): check GONG_ACCESS_KEY_SECRET</td><td>2</td>`, "raise gong.daily_budget",
		"connection gongcalls, set up 2026-05-01T08:00:00Z: 1200 calls pushed, 34 changed since the last push; 55 external groups with 310 memberships",
		"30 calls pushed, 0 deleted, 4 failed", "tried again by the next push"} {
		if !strings.Contains(page, want) {
			t.Errorf("admin page lacks %q:\n%s", want, page)
		}
	}
	if strings.Index(page, "access key") > strings.Index(page, "daily API budget") {
		t.Errorf("the most frequent cause is not first")
	}
	_, page = b.get("/admin/identities")
	if !strings.Contains(page, "1 no match") || !strings.Contains(page, "no directory user has this e-mail") || strings.Index(page, "Ghost") > strings.Index(page, "Jane") {
		t.Errorf("identity report:\n%s", page)
	}
}
