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
	if hidden != 404 || strings.Contains(hiddenPage, "Secret-brief-three") || strings.ReplaceAll(hiddenPage, "3", "nope") != missingPage || missing != 404 {
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
