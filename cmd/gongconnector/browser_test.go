package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gongconnector/internal/oidctest"
)

// chromium returns Debian's chromium, which .ci/run installs; without it
// the browser tests fail in CI and are skipped elsewhere.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed: apt-get install -y chromium (.ci/run does)")
	}
	t.Skip("chromium is not installed: apt-get install -y chromium")
	return ""
}

// screenshots is where the browser tests write their screenshots.
func screenshots(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "test", "output", "screenshots"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// newBrowserCtx starts a headless chromium; it closes with the test.
func newBrowserCtx(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)), chromedp.NoSandbox, chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancel := chromedp.NewExecAllocator(t.Context(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancel3)
	return ctx
}

// shot writes a screenshot of the whole page.
func shot(dir, name string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		buf, err := chromedp.FullScreenshot(100)(ctx, t) // quality 100: PNG
		if err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.Void{}, os.WriteFile(filepath.Join(dir, name), buf, 0o644)
	}
}

// text returns the text of the first element matching a CSS selector.
func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	return s
}

// TestBrowserDemo drives the demo in chromium: sign in with the picker,
// search, ask an example question, open a cited call, start a crawl as the
// admin; as a user, every admin page is refused.
func TestBrowserDemo(t *testing.T) {
	ctx := newBrowserCtx(t)
	dir := screenshots(t)
	ready := make(chan string, 1)
	var out, errOut lockedBuffer
	p := &program{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" },
		ready: func(_, addr string) { ready <- addr }}
	dctx, stop := context.WithCancel(t.Context())
	defer stop()
	done := make(chan int, 1)
	go func() {
		done <- p.run(dctx, []string{"demo", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--calls", "300"})
	}()
	var base string
	select {
	case base = <-ready:
	case code := <-done:
		t.Fatalf("demo exited %d: %s", code, errOut.String())
	}

	admin := `//li[.//span[contains(., "admin")]]//button`
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"signin"),
		chromedp.WaitVisible(chromedp.CSS(`ul.picker`)),
		shot(dir, "signin-demo.png"),
		chromedp.Click(admin),
		chromedp.WaitVisible(chromedp.CSS(`#q`)),
		chromedp.SendKeys(chromedp.CSS(`#q`), "acme planning"),
		chromedp.Submit(chromedp.CSS(`#q`)),
		chromedp.WaitVisible(chromedp.CSS(`ol.results`)),
		shot(dir, "search.png"),
	)
	if err != nil {
		t.Fatalf("sign in and search: %v", err)
	}
	if page := text(t, ctx, "body"); !strings.Contains(page, "calls found") || !strings.Contains(page, "Acme") || !strings.Contains(page, "Demo:") {
		t.Errorf("search page:\n%s", page)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"ask"),
		chromedp.WaitVisible(chromedp.CSS(`#q`)),
		chromedp.SendKeys(chromedp.CSS(`#q`), "What are the action items from the Q2 planning meeting with Acme Corp?"),
		chromedp.Submit(chromedp.CSS(`#q`)),
		chromedp.WaitVisible(chromedp.CSS(`.answer`)),
		shot(dir, "ask.png"),
	)
	if err != nil {
		t.Fatalf("ask: %v", err)
	}
	answer := text(t, ctx, ".answer")
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`ol.citations li a[href^="/calls/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`h1`)),
		shot(dir, "call.png"),
	)
	if err != nil {
		t.Fatalf("open a citation: %v", err)
	}
	if call := text(t, ctx, "main"); strings.Contains(answer, "Nothing found") || !strings.Contains(call, "Action items") {
		t.Errorf("answer %q; cited call page:\n%s", answer, call)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"admin/identities"), chromedp.WaitVisible(chromedp.CSS(`table`)), shot(dir, "identities.png")); err != nil {
		t.Fatalf("identity report: %v", err)
	}
	if page := text(t, ctx, "main"); !strings.Contains(page, "mapped") {
		t.Errorf("identity report:\n%s", page)
	}
	// The admin narrows the crawl to calls since a date, then starts one.
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"admin/setup"),
		chromedp.WaitVisible(chromedp.CSS(`#start_date`)),
		chromedp.SetValue(chromedp.CSS(`#start_date`), "2026-01-01"),
		chromedp.Click(chromedp.CSS(`#save-setup`)),
		chromedp.WaitVisible(chromedp.CSS(`p.ok`)),
		shot(dir, "setup.png"),
	)
	if err != nil {
		t.Fatalf("setup page: %v", err)
	}
	if page := text(t, ctx, "main"); !strings.Contains(page, "Saved") {
		t.Errorf("setup page after saving:\n%s", page)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"admin"),
		chromedp.WaitVisible(chromedp.CSS(`table`)),
		shot(dir, "admin.png"),
		chromedp.Click(chromedp.CSS(`button[value="incremental"]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.ok`)),
	)
	if err != nil {
		t.Fatalf("admin page: %v", err)
	}
	if page := text(t, ctx, "main"); !strings.Contains(page, "crawl was started") {
		t.Errorf("admin page after starting a crawl:\n%s", page)
	}

	// As a user: sign out, pick someone who is not an admin.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`header form button`)),
		chromedp.WaitVisible(chromedp.CSS(`ul.picker`)),
		chromedp.Click(`//li[not(.//span[contains(., "admin")])]//button`),
		chromedp.WaitVisible(chromedp.CSS(`#q`)),
	)
	if err != nil {
		t.Fatalf("sign in as a user: %v", err)
	}
	for _, path := range []string{"admin", "admin/access?call=1", "admin/setup", "admin/identities"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS(`h1`))); err != nil {
			t.Fatal(err)
		}
		if page := text(t, ctx, "main"); !strings.Contains(page, "for admins") {
			t.Errorf("%s shown to a user:\n%s", path, page)
		}
	}
	if err := chromedp.Do(ctx, shot(dir, "forbidden.png")); err != nil {
		t.Fatal(err)
	}
	stop()
	<-done
}

// TestBrowserOIDC signs in through a local OIDC issuer in chromium.
func TestBrowserOIDC(t *testing.T) {
	ctx := newBrowserCtx(t)
	dir := screenshots(t)
	iss := oidctest.New(t)
	iss.ClientID, iss.ClientSecret = "gc-web", "web-secret"
	s := startServeWith(t, "  oidc:\n    issuer: "+iss.URL+"\n    audience: api://gc\n    identity_claim: email\n    client_id: gc-web\n    client_secret_env: GC_OIDC_SECRET\n",
		map[string]string{"GC_OIDC_SECRET": "web-secret"})
	iss.User = map[string]any{"email": s.participant}
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.base+"signin"),
		chromedp.WaitVisible(chromedp.CSS(`a.button`)),
		shot(dir, "signin-oidc.png"),
		chromedp.Click(chromedp.CSS(`a.button`)),
		chromedp.WaitVisible(chromedp.CSS(`#q`)),
		chromedp.SendKeys(chromedp.CSS(`#q`), "acme planning"),
		chromedp.Submit(chromedp.CSS(`#q`)),
		chromedp.WaitVisible(chromedp.CSS(`ol.results`)),
	)
	if err != nil {
		t.Fatalf("OIDC sign-in: %v", err)
	}
	if page := text(t, ctx, "body"); !strings.Contains(page, s.participant) || !strings.Contains(page, "calls found") {
		t.Errorf("after OIDC sign-in:\n%s", page)
	}
}
