package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for gongconnector when a test
// starts it as a child process (the MCP client's stdio transport).
func TestMain(m *testing.M) {
	if os.Getenv("GONGCONNECTOR_TEST_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// officialClient returns the command running the official TypeScript MCP
// SDK client (test/mcp-client). CI installs it (.ci/run: npm ci); elsewhere
// the test is skipped without it.
func officialClient(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "test", "mcp-client"))
	if err != nil {
		t.Fatal(err)
	}
	_, nodeErr := exec.LookPath("node")
	_, modErr := os.Stat(filepath.Join(dir, "node_modules", "@modelcontextprotocol", "sdk"))
	if nodeErr != nil || modErr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the official MCP client is not installed: run npm ci --prefix test/mcp-client (node: %v, sdk: %v)", nodeErr, modErr)
		}
		t.Skip("node or test/mcp-client/node_modules missing: npm ci --prefix test/mcp-client")
	}
	return filepath.Join(dir, "client.mjs")
}

type clientReport struct {
	Refused string `json:"refused"`
	Server  struct{ Name string }
	Tools   []struct {
		Name      string
		HasSchema bool
	}
	Search struct {
		IsError    bool
		Structured struct {
			Total   int
			Results []struct{ ID, Title, URL string }
		}
	}
	Ask struct {
		IsError    bool
		Text       string
		Structured struct {
			Answer string
			Calls  []struct{ ID string }
		}
	}
	Bad struct {
		IsError bool
		Text    string
	}
}

func runClient(t *testing.T, script string, args ...string) clientReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", append([]string{script}, args...)...)
	cmd.Env = append(os.Environ(), "GONGCONNECTOR_TEST_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %v: %v\n%s\n%s", args, err, out, stderr.String())
	}
	var r clientReport
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("client output: %v\n%s", err, out)
	}
	return r
}

// TestMCPWithOfficialClient: the official TypeScript SDK client lists the
// tools and calls search_calls and ask over stdio (`mcp --as`) and over
// HTTP with a bearer token, each trimmed to its caller; without a token
// it is refused.
func TestMCPWithOfficialClient(t *testing.T) {
	script := officialClient(t)
	s := startServe(t)
	const query, question = "acme planning", "What are the action items from the Q2 planning meeting with Acme Corp?"
	check := func(how string, r clientReport, wantAcme bool) {
		t.Helper()
		var names []string
		for _, tool := range r.Tools {
			if tool.HasSchema {
				names = append(names, tool.Name)
			}
		}
		slices.Sort(names)
		if got := strings.Join(names, " "); got != "ask get_call list_action_items search_calls topic_trends" {
			t.Errorf("%s: tools with schemas %q", how, got)
		}
		found := false
		for _, h := range r.Search.Structured.Results {
			found = found || h.ID == s.acme
		}
		asked := false
		for _, c := range r.Ask.Structured.Calls {
			asked = asked || c.ID == s.acme
		}
		if r.Search.IsError || r.Ask.IsError || found != wantAcme || asked != wantAcme || r.Ask.Text == "" {
			t.Errorf("%s: search %+v, ask %+v; want the Acme call %s: %v", how, r.Search, r.Ask, s.acme, wantAcme)
		}
		if !r.Bad.IsError || !strings.Contains(r.Bad.Text, "limit") {
			t.Errorf("%s: a bad limit gave %+v", how, r.Bad)
		}
		if r.Server.Name != "gongconnector" {
			t.Errorf("%s: server %q", how, r.Server.Name)
		}
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	check("stdio as the participant", runClient(t, script, "stdio", query, question, "--", self, "mcp", "--config", s.cfgPath, "--as", s.participant), true)
	check("stdio as a stranger", runClient(t, script, "stdio", query, question, "--", self, "mcp", "--config", s.cfgPath, "--as", "stranger@nowhere.example"), false)
	check("HTTP as the participant", runClient(t, script, "http", query, question, s.base+"mcp", userToken), true)
	check("HTTP as a stranger", runClient(t, script, "http", query, question, s.base+"mcp", strangerToken), false)
	for _, tok := range []string{"", "gc_not_a_token"} {
		if r := runClient(t, script, "http", query, question, s.base+"mcp", tok); r.Refused == "" || len(r.Tools) > 0 {
			t.Errorf("HTTP with token %q: not refused: %+v", tok, r)
		}
	}
}

// TestBenchServeLoad runs the serve load benchmark small: it must finish
// both runs with no error and print its figures.
func TestBenchServeLoad(t *testing.T) {
	t.Setenv("GONGCONNECTOR_TEST_MAIN", "1") // the simulator is this binary
	code, out, errOut := cli(t, nil, "bench", "--calls", "300", "--serve-load", "--clients", "4", "--duration", "1s")
	if code != 0 {
		t.Fatalf("bench --serve-load: %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"run 1 (", "run 2 (", "errors: 0\n", "second run against the first"} {
		if strings.Count(out, want) < 1 {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "errors: 0\n") != 2 {
		t.Errorf("errors under load:\n%s", out)
	}
}
