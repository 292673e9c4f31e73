package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gongconnector/internal/gongsim"
)

// cli runs the program as a user would and returns exit code, stdout and stderr.
func cli(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	p := &program{stdout: &out, stderr: &errOut, getenv: func(k string) string { return env[k] }}
	code := p.run(t.Context(), args)
	return code, out.String(), errOut.String()
}

// tenant starts a simulator and writes a config for it.
func tenant(t *testing.T, calls int) (cfgPath string, env map[string]string, sim *gongsim.Sim) {
	t.Helper()
	sim, err := gongsim.New(gongsim.Options{Seed: 3, Calls: calls, Now: time.Date(2026, 5, 20, 12, 0, 0, 0, time.UTC),
		AccessKey: "k", AccessKeySecret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	cfgPath = filepath.Join(dir, "gc.yaml")
	yaml := "data_dir: data\ngong:\n  base_url: " + srv.URL + "\n  rate: 0\n"
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfgPath, map[string]string{"GONG_ACCESS_KEY": "k", "GONG_ACCESS_KEY_SECRET": "s"}, sim
}

func TestCrawlSearchStatus(t *testing.T) {
	cfg, env, sim := tenant(t, 400)
	code, out, errOut := cli(t, env, "crawl", "--config", cfg, "--full")
	if code != 0 {
		t.Fatalf("crawl exit %d: %s %s", code, out, errOut)
	}
	if !strings.Contains(out, "full crawl succeeded") {
		t.Errorf("summary: %q", out)
	}

	acme := gongsim.ExampleCalls(sim)[gongsim.ExampleAcme]
	code, out, _ = cli(t, env, "search", "acme", "planning", "--config", cfg, "--json")
	if code != 0 {
		t.Fatalf("search exit %d", code)
	}
	var res struct {
		Total   int `json:"total"`
		Results []struct {
			ID       string   `json:"id"`
			Title    string   `json:"title"`
			URL      string   `json:"url"`
			Started  string   `json:"started"`
			Duration int      `json:"duration"`
			Accounts []string `json:"accounts"`
			Deals    []string `json:"deals"`
			Snippet  string   `json:"snippet"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("search --json is not JSON: %v\n%s", err, out)
	}
	if res.Total == 0 || res.Results[0].ID != acme || res.Results[0].Duration <= 0 || res.Results[0].Accounts[0] != "Acme Corp" {
		t.Errorf("search acme planning: %+v; want the Acme Q2 planning call %s first", res, acme)
	}
	if strings.ContainsAny(res.Results[0].Snippet, "\x02\x03") {
		t.Errorf("snippet carries highlight markers: %q", res.Results[0].Snippet)
	}
	if _, err := time.Parse(time.RFC3339, res.Results[0].Started); err != nil {
		t.Errorf("started: %v", err)
	}

	// Fields, filters and facets on the command line.
	code, out, _ = cli(t, env, "search", "account:fabrikam", "--facets", "--config", cfg)
	if code != 0 || !strings.Contains(out, "Facets") || !strings.Contains(out, "accounts: Fabrikam Inc (") || !strings.Contains(out, "topics:") {
		t.Errorf("search account:fabrikam --facets: exit %d\n%s", code, out)
	}
	code, out, _ = cli(t, env, "search", "account:acme", "title:planning", "from:2000-01-01", "--json", "--config", cfg)
	res.Total, res.Results = 0, nil
	if err := json.Unmarshal([]byte(out), &res); code != 0 || err != nil || res.Total == 0 || res.Results[0].ID != acme {
		t.Errorf("search account:acme title:planning: exit %d, %v: %+v", code, err, res)
	}

	code, out, _ = cli(t, env, "status", "--config", cfg, "--json")
	var st struct {
		CallsIndexed int `json:"calls_indexed"`
		LastCrawl    struct {
			Kind, Status, Started, Finished string
			APIRequests                     int `json:"api_requests"`
		} `json:"last_crawl"`
		APIRequestsToday int    `json:"api_requests_today"`
		SnapshotTaken    string `json:"permission_snapshot_taken"`
	}
	if err := json.Unmarshal([]byte(out), &st); code != 0 || err != nil {
		t.Fatalf("status --json: exit %d, %v\n%s", code, err, out)
	}
	if st.CallsIndexed == 0 || st.LastCrawl.Kind != "full" || st.LastCrawl.Status != "succeeded" || st.LastCrawl.APIRequests == 0 || st.APIRequestsToday < st.LastCrawl.APIRequests || st.LastCrawl.Finished == "" || st.SnapshotTaken == "" {
		t.Errorf("status: %+v", st)
	}

	// Incremental with nothing new.
	if code, out, errOut := cli(t, env, "crawl", "--config", cfg); code != 0 || !strings.Contains(out, "incremental crawl succeeded") {
		t.Errorf("incremental: exit %d %s %s", code, out, errOut)
	}
}

func TestBadInputMessages(t *testing.T) {
	cfg, env, _ := tenant(t, 50)
	if code, _, _ := cli(t, env, "crawl", "--config", cfg, "--full"); code != 0 {
		t.Fatal("first crawl failed")
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("gong:\n  base_url: http://127.0.0.1:1\n  rtae: 3\n"), 0o600)
	wrongKey := map[string]string{"GONG_ACCESS_KEY": "k", "GONG_ACCESS_KEY_SECRET": "nope"}
	noKey := map[string]string{}
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"malformed config", env, []string{"crawl", "--config", bad}, 1, "unknown field \"rtae\""},
		{"missing config flag", env, []string{"crawl"}, 2, "--config FILE is required"},
		{"missing credentials", noKey, []string{"crawl", "--config", cfg}, 1, "GONG_ACCESS_KEY"},
		{"wrong key", wrongKey, []string{"crawl", "--config", cfg}, 1, "Gong rejected the access key (401)"},
		{"conflicting kinds", env, []string{"crawl", "--config", cfg, "--full", "--incremental"}, 2, "choose one"},
		{"empty search", env, []string{"search", "--config", cfg}, 2, "say what to search for"},
		{"unknown command", env, []string{"crawll"}, 2, "unknown command"},
		{"bad faults", env, []string{"simulate", "--faults", "5xx=2"}, 2, "--faults"},
		{"simulator off loopback", env, []string{"simulate", "--addr", "0.0.0.0:7070"}, 2, "loopback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := cli(t, tt.env, tt.args...)
			if code != tt.wantCode || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, errOut, tt.wantCode, tt.wantErr)
			}
			if strings.Contains(errOut, "nope") {
				t.Errorf("the secret appears in the output: %s", errOut)
			}
		})
	}
	// Nothing was lost by the failed runs.
	code, out, _ := cli(t, env, "status", "--config", cfg, "--json")
	if code != 0 || strings.Contains(out, `"calls_indexed": 0`) {
		t.Errorf("index lost after failed crawls: %s", out)
	}
}

func TestConfigInitAndCheck(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gc.yaml")
	if code, out, errOut := cli(t, nil, "config", "init", "-o", path); code != 0 || !strings.Contains(out, "Wrote") {
		t.Fatalf("init: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := cli(t, nil, "config", "init", "-o", path); code != 1 || !strings.Contains(errOut, "--force") {
		t.Errorf("second init must refuse to overwrite: %d %s", code, errOut)
	}
	if code, out, errOut := cli(t, map[string]string{}, "config", "check", "--config", path); code != 0 || !strings.Contains(out, "is valid") {
		t.Errorf("check: %d %s %s", code, out, errOut)
	}
}

func TestDemoServesSearch(t *testing.T) {
	dir := t.TempDir()
	ready := make(chan string, 2)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var out, errOut bytes.Buffer
	p := &program{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" },
		ready: func(name, addr string) { ready <- addr }}
	done := make(chan int)
	go func() {
		done <- p.run(ctx, []string{"demo", "--addr", "127.0.0.1:0", "--data", dir, "--calls", "300"})
	}()
	var url string
	select {
	case url = <-ready:
	case code := <-done:
		t.Fatalf("demo exited %d: %s %s", code, out.String(), errOut.String())
	}
	// The demo prints an API token for a simulated admin.
	_, rest, ok := strings.Cut(out.String(), "Bearer ")
	token, _, _ := strings.Cut(rest, "'")
	if !ok || !strings.HasPrefix(token, "gc_demo_") {
		t.Fatalf("the demo prints no API token: %s", out.String())
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"api/v1/search?q=contoso", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var res struct{ Total int }
	json.NewDecoder(resp.Body).Decode(&res)
	resp.Body.Close()
	if res.Total == 0 {
		t.Errorf("demo search for contoso found nothing")
	}
	// A browser signs in with the demo's picker, then searches.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	read := func(resp *http.Response, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return b.String()
	}
	signin := read(browser.Get(url + "signin"))
	form := regexp.MustCompile(`name="csrf" value="([^"]+)"><input type="hidden" name="identity" value="([^"]+)"`).FindStringSubmatch(signin)
	if form == nil || !strings.Contains(signin, "Demo:") {
		t.Fatalf("the demo's sign-in page has no picker:\n%s", signin)
	}
	read(browser.PostForm(url+"signin/demo", neturl.Values{"csrf": {form[1]}, "identity": {form[2]}, "next": {"/"}}))
	html := read(browser.Get(url + "?q=contoso"))
	if !strings.Contains(html, "Demo:") || !strings.Contains(html, "<mark>") || !strings.Contains(html, form[2]) {
		t.Errorf("demo search page lacks the demo notice, highlights or the person signed in:\n%s", html)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("demo exit %d after shutdown: %s", code, errOut.String())
	}
}
