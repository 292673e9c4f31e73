package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gongconnector/internal/config"
	"gongconnector/internal/core"
	"gongconnector/internal/gongsim"
	"gongconnector/internal/server"
)

// lockedBuffer is a bytes.Buffer safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// served is `serve` running on a crawled simulator, with three tokens: a
// participant of the Acme example call, an admin who is the same person,
// and a stranger mapped to nobody.
type served struct {
	base, cfgPath, acme, participant string
	env                              map[string]string
	stdout, stderr                   *lockedBuffer
	cancel                           context.CancelFunc
	done                             chan int
}

const userToken, adminToken, strangerToken = "gc_user_token_1234", "gc_admin_token_5678", "gc_stranger_9012"

func startServe(t *testing.T) *served {
	t.Helper()
	return startServeWith(t, "", nil)
}

// startServeWith is startServe with more of the server section (indented
// under server:) and more environment.
func startServeWith(t *testing.T, serverYAML string, moreEnv map[string]string) *served {
	t.Helper()
	cfgPath, env, sim := tenant(t, 300)
	for k, v := range moreEnv {
		env[k] = v
	}
	if code, out, errOut := cli(t, env, "crawl", "--config", cfgPath, "--full"); code != 0 {
		t.Fatalf("crawl: %d %s %s", code, out, errOut)
	}
	acme := gongsim.ExampleCalls(sim)[gongsim.ExampleAcme]
	code, out, _ := cli(t, env, "access", "--config", cfgPath, "--call", acme, "--json")
	var who struct {
		Identities []struct{ Identity string } `json:"identities"`
	}
	if err := json.Unmarshal([]byte(out), &who); code != 0 || err != nil || len(who.Identities) == 0 {
		t.Fatalf("access --call: %d %v %s", code, err, out)
	}
	participant := who.Identities[0].Identity
	yaml := "crawl:\n  full_interval: 24h\n  incremental_interval: 1h\nserver:\n  listen: 127.0.0.1:0\n  tokens:\n" +
		"    - {name: participant, sha256: " + server.HashToken(userToken) + ", identity: " + participant + ", role: user}\n" +
		"    - {name: ops, sha256: " + server.HashToken(adminToken) + ", identity: " + participant + ", role: admin}\n" +
		"    - {name: stranger, sha256: " + server.HashToken(strangerToken) + ", identity: stranger@nowhere.example, role: user}\n" + serverYAML
	f, err := os.OpenFile(cfgPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(yaml)
	f.Close()

	s := &served{cfgPath: cfgPath, acme: acme, participant: participant, env: env,
		stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, done: make(chan int, 1)}
	ready := make(chan string, 1)
	p := &program{stdout: s.stdout, stderr: s.stderr, getenv: func(k string) string { return env[k] },
		ready: func(_, url string) { ready <- url }}
	ctx, cancel := context.WithCancel(t.Context())
	s.cancel = cancel
	t.Cleanup(cancel)
	go func() { s.done <- p.run(ctx, []string{"serve", "--config", cfgPath, "-v"}) }()
	select {
	case s.base = <-ready:
	case code := <-s.done:
		t.Fatalf("serve exited %d: %s", code, s.stderr.String())
	}
	return s
}

// TestServeCommand runs `serve` on a crawled simulator: a participant finds
// their call through the API and an unmapped caller finds nothing, an
// admin starts a full crawl and sees it in the history, a user may not,
// and Ctrl-C stops the server cleanly. No token reaches the log.
func TestServeCommand(t *testing.T) {
	s := startServe(t)
	base, acme, stdout, stderr, cancel, done := s.base, s.acme, s.stdout, s.stderr, s.cancel, s.done
	call := func(method, path, token, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), method, base+strings.TrimPrefix(path, "/"), strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	if code, body := call("GET", "/readyz", "", ""); code != 200 {
		t.Errorf("readyz: %d %s", code, body)
	}
	if code, body := call("GET", "/api/v1/search?q=acme+planning", userToken, ""); code != 200 || !strings.Contains(body, acme) {
		t.Errorf("search as a participant: %d %s, want call %s", code, body, acme)
	}
	if code, body := call("GET", "/api/v1/search?q=acme+planning", strangerToken, ""); code != 200 || !strings.Contains(body, `"total": 0`) {
		t.Errorf("search as a stranger: %d %s, want nothing", code, body)
	}
	if code, body := call("GET", "/api/v1/calls/"+acme, strangerToken, ""); code != 404 {
		t.Errorf("the call as a stranger: %d %s, want 404", code, body)
	}
	if code, body := call("POST", "/api/v1/ask", userToken, `{"question":"What are the action items from the Q2 planning meeting with Acme Corp?"}`); code != 200 || !strings.Contains(body, acme) {
		t.Errorf("ask as a participant: %d %s", code, body)
	}
	if code, _ := call("POST", "/api/v1/crawls", userToken, `{"kind":"full"}`); code != 403 {
		t.Errorf("a user starting a crawl: %d, want 403", code)
	}
	if code, body := call("POST", "/api/v1/crawls", adminToken, `{"kind":"full"}`); code != 202 {
		t.Fatalf("an admin starting a crawl: %d %s", code, body)
	}
	// The full crawl shows in the history (the first was the CLI's).
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, body := call("GET", "/api/v1/crawls", adminToken, "")
		var h struct {
			Runs []struct{ Kind, Status string } `json:"runs"`
		}
		json.Unmarshal([]byte(body), &h)
		fulls := 0
		for _, r := range h.Runs {
			if r.Kind == "full" && r.Status == "succeeded" {
				fulls++
			}
		}
		if fulls >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the requested full crawl did not finish: %s", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code, body := call("POST", "/api/v1/crawls/pause", adminToken, ""); code != 200 || !strings.Contains(body, `"paused": true`) {
		t.Errorf("pause: %d %s", code, body)
	}
	if code, body := call("GET", "/metrics", "", ""); code != 200 || !strings.Contains(body, "gongconnector_calls_indexed") ||
		!strings.Contains(body, `gongconnector_crawl_duration_seconds_count{kind="full",outcome="succeeded"}`) {
		t.Errorf("metrics: %d, lack calls indexed or the crawl", code)
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exit %d after Ctrl-C: %s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop after Ctrl-C")
	}
	logs := stdout.String() + stderr.String()
	for _, secret := range []string{userToken, adminToken, strangerToken, "Q2 planning"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the output holds %q", secret)
		}
	}
}

// TestTokenNew: the token printed authenticates with the entry printed,
// which parses as configuration.
func TestTokenNew(t *testing.T) {
	code, out, _ := cli(t, nil, "token", "new", "--name", "copilot studio", "--identity", "jane@contoso.com", "--role", "admin")
	if code != 0 {
		t.Fatalf("token new: %d %s", code, out)
	}
	_, rest, _ := strings.Cut(out, "\n\n  ")
	tok, _, _ := strings.Cut(rest, "\n")
	_, entry, _ := strings.Cut(out, "(it holds only the token's SHA-256):\n\n")
	cfg, err := config.Parse([]byte("server:\n  tokens:\n" + entry))
	if err != nil || len(cfg.Server.Tokens) != 1 {
		t.Fatalf("the entry printed does not parse: %v\n%s", err, entry)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	p, err := server.NewAuthenticator(cfg.Server, nil, nil).Authenticate(r)
	if err != nil || p.Identity != "jane@contoso.com" || !p.IsAdmin() || strings.Contains(entry, tok) {
		t.Errorf("token %q with entry %q: %+v, %v", tok, entry, p, err)
	}
	for _, args := range [][]string{{"token"}, {"token", "new", "--identity", "a@b.c"}, {"token", "new", "--name", "x"},
		{"token", "new", "--name", "x", "--identity", "a@b.c", "--role", "root"}} {
		if code, _, errOut := cli(t, nil, args...); code != exitUsage || errOut == "" {
			t.Errorf("%v: exit %d %q, want a usage error", args, code, errOut)
		}
	}
}

func TestSetupOverrides(t *testing.T) {
	known := []string{"ws1", "ws2"}
	for name, tc := range map[string]struct {
		o    setupOverrides
		want string // in the error; "" for none
	}{
		"all fine":             {setupOverrides{Workspaces: []string{"ws2"}, StartDate: "2026-01-31", FullInterval: "7d", IncrInterval: "15m"}, ""},
		"no schedule":          {setupOverrides{FullInterval: "0", IncrInterval: ""}, ""},
		"unknown workspace":    {setupOverrides{Workspaces: []string{"ws9"}}, `workspace "ws9" is not one of this Gong tenant's`},
		"bad date":             {setupOverrides{StartDate: "31/01/2026"}, "must be a day such as 2025-01-31"},
		"full crawl too often": {setupOverrides{FullInterval: "10m"}, "at least 1h0m0s"},
		"not a duration":       {setupOverrides{IncrInterval: "often"}, `incremental crawl interval "often"`},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := config.Default()
			err := tc.o.apply(&cfg, known)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(cfg.Crawl.Workspaces, tc.o.Workspaces) {
					t.Errorf("workspaces %v", cfg.Crawl.Workspaces)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || core.ErrorCode(err) != core.EInvalid {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
			if d := config.Default(); cfg.Crawl.FullInterval != d.Crawl.FullInterval || len(cfg.Crawl.Workspaces) != 0 {
				t.Errorf("an invalid change was applied: %+v", cfg.Crawl)
			}
		})
	}
}
