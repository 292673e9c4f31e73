package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"gongconnector/internal/config"
	"gongconnector/internal/core"
	"gongconnector/internal/gong"
	"gongconnector/internal/gongsim"
	"gongconnector/internal/graph"
	"gongconnector/internal/graphsim"
	"gongconnector/internal/sqlite"
)

const fakeSecret = "Zq8~GraphSecret.do-not-log"

// m365 is a simulated Gong tenant, the Graph test double with a directory
// user for every Gong user, and a config that crawls the one and pushes
// to the other.
type m365 struct {
	gong    *gongsim.Sim
	graph   *graphsim.Sim
	srv     *httptest.Server
	http    *http.Client // trusts srv, keeps a connection per worker
	cfgPath string
	env     map[string]string
	emails  map[string]string // Entra object id → email
}

func newM365(t *testing.T, calls int, access string) *m365 {
	t.Helper()
	g, err := gongsim.New(gongsim.Options{Seed: 11, Calls: calls, Now: time.Date(2026, 5, 20, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	gsrv := httptest.NewServer(g.Handler())
	t.Cleanup(gsrv.Close)
	m := &m365{gong: g, emails: map[string]string{}}
	var users []graphsim.User
	for _, u := range g.Users() {
		if u.EmailAddress == "" {
			continue
		}
		id := fakeObjectID(u.EmailAddress)
		m.emails[id] = strings.ToLower(u.EmailAddress)
		users = append(users, graphsim.User{ID: id, UserPrincipalName: strings.ToLower(u.EmailAddress), Mail: strings.ToLower(u.EmailAddress),
			DisplayName: u.FirstName + " " + u.LastName})
	}
	m.graph = graphsim.New(graphsim.Options{TenantID: fakeTenant, Users: users, ProvisionPolls: 1,
		Apps: []graphsim.App{{ClientID: fakeClient, Secret: fakeSecret, Roles: []string{graphsim.PermConnectionOwnedBy,
			graphsim.PermItemOwnedBy, graphsim.PermUserReadAll, graphsim.PermGroupMemberReadAll}}}})
	m.srv = httptest.NewUnstartedServer(m.graph)
	m.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	m.srv.StartTLS()
	t.Cleanup(m.srv.Close)
	tr := m.srv.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	m.http = &http.Client{Transport: tr}
	m.cfgPath = filepath.Join(t.TempDir(), "gc.yaml")
	yaml := fmt.Sprintf(`data_dir: data
gong:
  base_url: %s
  rate: 0
access:
%s
identity:
  directory: entra
  entra:
    tenant_id: %s
    client_id: %s
    graph_url: %s/v1.0
    authority_host: %s
graph:
  enabled: true
`, gsrv.URL, access, fakeTenant, fakeClient, m.srv.URL, m.srv.URL)
	if err := os.WriteFile(m.cfgPath, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	// The crawl's memory limit (tuneGC) is for a process of its own, not
	// one that also holds the double.
	m.env = map[string]string{"ENTRA_CLIENT_SECRET": fakeSecret, "GONG_ACCESS_KEY": "k", "GONG_ACCESS_KEY_SECRET": "s", "GOMEMLIMIT": "off", "GOGC": "100"}
	limit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetMemoryLimit(limit) })
	return m
}

// run runs the program with a client that trusts the double.
func (m *m365) run(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	p := &program{stdout: &out, stderr: &errOut, getenv: func(k string) string { return m.env[k] },
		graphHTTP: m.http, schemaPoll: time.Millisecond, pushUnlimited: true}
	if code := p.run(t.Context(), append(args, "--config", m.cfgPath)); code != 0 {
		t.Fatalf("%v: exit %d\n%s%s", args, code, out.String(), errOut.String())
	}
	if strings.Contains(out.String()+errOut.String(), fakeSecret) {
		t.Fatalf("%v printed the client secret", args)
	}
	return out.String()
}

// local opens the index and returns what each Gong user's identity may
// see by the local rules, and the index.
func (m *m365) local(t *testing.T) (*sqlite.DB, func(identity string) core.Visibility) {
	t.Helper()
	cfg, err := config.Load(m.cfgPath, func(k string) string { return m.env[k] })
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(t.Context(), dbFile(cfg.DataDir))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p := &program{stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string { return m.env[k] }, graphHTTP: m.http}
	auth, _, err := p.accessFor(t.Context(), cfg, db, slog.New(slog.DiscardHandler), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return db, func(id string) core.Visibility { return auth.Decide(id).Visibility }
}

// check compares the double with the index: the same items, and for
// every every-th directory user (all with 1), and those in also, the same
// calls visible in Microsoft 365 as the local rules allow them. It
// returns every user's visible count by email.
func (m *m365) check(t *testing.T, every int, also ...string) map[string]int {
	t.Helper()
	db, visibility := m.local(t)
	type call struct {
		ws   string
		keys []string
	}
	calls := map[string]call{}
	if err := db.EachCall(t.Context(), func(c *core.Call) error {
		calls[c.ID] = call{c.WorkspaceID, c.ParticipantKeys()}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	items := m.graph.Items("gongcalls")
	if len(items) != len(calls) {
		t.Errorf("the connection holds %d items, the index %d calls", len(items), len(calls))
	}
	for _, id := range items {
		if _, ok := calls[id]; !ok {
			t.Errorf("item %s is not a call of the index", id)
		}
	}
	counts := map[string]int{}
	oids := make([]string, 0, len(m.emails))
	for oid := range m.emails {
		oids = append(oids, oid)
	}
	slices.Sort(oids)
	for i, oid := range oids {
		email := m.emails[oid]
		v := visibility(email)
		var want []string
		for id, c := range calls {
			if v.Allows(c.ws, c.keys) {
				want = append(want, id)
			}
		}
		counts[email] = len(want)
		if i%every != 0 && !slices.Contains(also, email) {
			continue
		}
		slices.Sort(want)
		got := m.graph.Visible("gongcalls", oid)
		if !slices.Equal(got, want) {
			t.Errorf("%s sees %d calls in Microsoft 365, %d by Gong's rules", email, len(got), len(want))
		}
	}
	return counts
}

// searchGraph runs POST /search/query as user over the connection.
func (m *m365) searchGraph(t *testing.T, user, query string) []string {
	t.Helper()
	ids, err := graphsim.SearchHits(t.Context(), m.http, m.srv.URL, m.token(t), user, "gongcalls", query)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// token gets an app token from the double (the double takes the user of
// a search from a header: it has no delegated sign-in).
func (m *m365) token(t *testing.T) string {
	t.Helper()
	cred, err := graph.NewTokenCredential(graph.Credentials{TenantID: fakeTenant, ClientID: fakeClient, ClientSecret: fakeSecret,
		AuthorityHost: m.srv.URL}, m.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(t.Context(), policy.TokenRequestOptions{Scopes: []string{graph.Scope}})
	if err != nil {
		t.Fatal(err)
	}
	return tok.Token
}

// searchLocal runs the local trimmed search as identity, every page; ok
// is false when the local total is an estimate (too many matches to
// compare).
func searchLocal(t *testing.T, db *sqlite.DB, v core.Visibility, query string) (ids []string, ok bool) {
	t.Helper()
	for off := 0; ; off += sqlite.MaxLimit {
		res, err := db.Search(t.Context(), core.Query{Text: query, Limit: sqlite.MaxLimit, Offset: off, Visibility: v})
		if err != nil {
			t.Fatal(err)
		}
		if res.Estimated {
			return nil, false
		}
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		if off+sqlite.MaxLimit >= res.Total {
			break
		}
	}
	slices.Sort(ids)
	return ids, true
}

// TestMicrosoft365EndToEnd: a tenant of 20,000 calls is crawled and
// pushed; then a profile change (memberships only, counted), and edits,
// deletions and private flips. After each step the double holds exactly
// the index's calls, each directory user sees in Microsoft 365 exactly
// the calls Gong's rules allow, and /search/query as three users returns
// what the local search returns them.
func TestMicrosoft365EndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls and pushes 20,000 calls")
	}
	m := newM365(t, 20000, "  mode: gong")
	start := time.Now()
	m.run(t, "crawl", "--full")
	out := m.run(t, "graph", "push")
	t.Logf("crawl and first push: %v: %s", time.Since(start).Round(time.Second), strings.TrimSpace(out))
	if !strings.Contains(out, "Pushed ") {
		t.Errorf("graph push printed %q", out)
	}
	before := m.check(t, 7) // every user at the end
	if c := m.graph.Counts(); c.Items < 19000 {
		t.Fatalf("%d items pushed", c.Items)
	}

	// A profile change: the user who sees fewest calls gets every call of
	// the busiest workspace. Only memberships move: not one item.
	db, visibility := m.local(t)
	ws, most := "", 0
	for _, w := range m.gong.Workspaces() {
		if n, err := db.CountVisible(t.Context(), core.Visibility{Workspaces: []string{string(w.ID)}}); err == nil && n > most {
			ws, most = string(w.ID), n
		}
	}
	var all string
	for _, pr := range m.gong.Profiles(ws) {
		if pr.Profile.CallsAccess != nil && pr.Profile.CallsAccess.PermissionLevel == "all" {
			all = string(pr.Profile.ID)
		}
	}
	var user gong.User
	fewest := -1
	for _, u := range m.gong.Users() {
		n, ok := before[strings.ToLower(u.EmailAddress)]
		if ok && u.Active && n > 0 && !slices.Contains(visibility(strings.ToLower(u.EmailAddress)).Workspaces, ws) && (fewest < 0 || n < fewest) {
			user, fewest = u, n
		}
	}
	if all == "" || fewest < 0 {
		t.Fatalf("no all-calls profile in %s or no user to move", ws)
	}
	if err := m.gong.Apply(gongsim.Event{Kind: gongsim.EventProfileChange, UserID: string(user.ID), WorkspaceID: ws, ProfileID: all}); err != nil {
		t.Fatal(err)
	}
	m.run(t, "crawl", "--permissions")
	m.graph.ResetCounts()
	out = m.run(t, "graph", "push")
	c := m.graph.Counts()
	email := strings.ToLower(user.EmailAddress)
	after := m.check(t, 7, email)
	t.Logf("profile change: %s sees %d calls, was %d; the push sent %d requests (%d member changes), %d items: %s",
		email, after[email], before[email], c.Graph, c.Members, c.Items, strings.TrimSpace(out))
	if after[email]-before[email] < 5000 {
		t.Errorf("the profile change gave %d more calls, want at least 5,000", after[email]-before[email])
	}
	if c.Items != 0 {
		t.Errorf("a profile change pushed %d items", c.Items)
	}
	if c.Graph > c.Members+5 {
		t.Errorf("%d requests for %d member changes", c.Graph, c.Members)
	}

	// Edits, deletions, private flips, moves and new calls, then a full
	// crawl and a push.
	var callIDs []string
	if err := db.EachCall(t.Context(), func(c *core.Call) error { callIDs = append(callIDs, c.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	events := map[gongsim.EventKind]int{gongsim.EventEditCall: 40, gongsim.EventDeleteCall: 25, gongsim.EventPrivateCall: 15, gongsim.EventMoveCall: 10}
	next := 0
	var edited []string
	for _, kind := range []gongsim.EventKind{gongsim.EventEditCall, gongsim.EventDeleteCall, gongsim.EventPrivateCall, gongsim.EventMoveCall} {
		for range events[kind] {
			id := callIDs[next*97%len(callIDs)]
			next++
			ev := gongsim.Event{Kind: kind, CallID: id}
			if kind == gongsim.EventMoveCall {
				ev.WorkspaceID = ws
			}
			if kind == gongsim.EventEditCall {
				edited = append(edited, id)
			}
			if err := m.gong.Apply(ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	for range 10 {
		if err := m.gong.Apply(gongsim.Event{Kind: gongsim.EventNewCall}); err != nil {
			t.Fatal(err)
		}
	}
	m.gong.Advance(12 * time.Hour) // the new calls' content is published
	m.run(t, "crawl", "--full")
	m.graph.ResetCounts()
	out = m.run(t, "graph", "push")
	c = m.graph.Counts()
	t.Logf("timeline: %d requests, %d items written: %s", c.Graph, c.Items, strings.TrimSpace(out))
	m.check(t, 1)
	db, visibility = m.local(t)
	for _, id := range edited[:5] {
		call, err := db.Call(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if _, props, ok := m.graph.Item("gongcalls", id); !ok || props["title"] != call.Title {
			t.Errorf("item %s: title %v, the index has %q", id, props["title"], call.Title)
		}
	}
	if c.Items > 200 {
		t.Errorf("%d items written for about 100 changed calls", c.Items)
	}

	// Microsoft 365 search as three users (all of a workspace, many, few)
	// equals the local trimmed search.
	emails := []string{email}
	var counts []string
	for e := range after {
		counts = append(counts, e)
	}
	slices.SortFunc(counts, func(a, b string) int { return after[b] - after[a] })
	emails = append(emails, counts[len(counts)/4], counts[len(counts)*3/4])
	oid := map[string]string{}
	for id, e := range m.emails {
		oid[e] = id
	}
	compared := 0
	for _, e := range emails {
		v := visibility(e)
		var queries []string
		for _, id := range m.graph.Visible("gongcalls", oid[e])[:3] {
			call, err := db.Call(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			if len(call.Accounts) > 0 {
				queries = append(queries, call.Accounts[0].Name)
			}
			queries = append(queries, strings.Join(strings.Fields(call.Title)[:2], " "))
			if len(call.Parties) > 0 && call.Parties[0].Name != "" {
				queries = append(queries, call.Parties[0].Name)
			}
			if len(call.ActionItems) > 0 {
				queries = append(queries, strings.Join(strings.Fields(call.ActionItems[0].Text)[:2], " "))
			}
			if len(call.Topics) > 0 {
				queries = append(queries, call.Topics[0].Name)
			}
			longest := ""
			for _, w := range strings.Fields(call.Brief) {
				if w = strings.Trim(w, ".,;:()"); len(w) > len(longest) {
					longest = w
				}
			}
			queries = append(queries, longest)
		}
		for _, q := range queries {
			want, ok := searchLocal(t, db, v, q)
			if !ok {
				t.Logf("%s searching %q: too many matches to compare", e, q)
				continue
			}
			compared++
			got := m.searchGraph(t, oid[e], q)
			if !slices.Equal(got, want) {
				t.Errorf("%s searching %q: Microsoft 365 finds %d calls, the local search %d", e, q, len(got), len(want))
			} else {
				t.Logf("%s searching %q: %d calls in both", e, q, len(got))
			}
		}
	}
	if compared < 20 {
		t.Errorf("only %d searches compared", compared)
	}
}

// TestServePushesToMicrosoft365: with graph.enabled, serve pushes after
// its crawls, beside them.
func TestServePushesToMicrosoft365(t *testing.T) {
	m := newM365(t, 300, "  mode: gong")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var out, errOut bytes.Buffer
	p := &program{stdout: &out, stderr: &errOut, getenv: func(k string) string { return m.env[k] },
		graphHTTP: m.http, schemaPoll: time.Millisecond, pushUnlimited: true}
	ready := make(chan string, 1)
	p.ready = func(_, url string) { ready <- url }
	done := make(chan int, 1)
	go func() { done <- p.run(ctx, []string{"serve", "--config", m.cfgPath, "--addr", "127.0.0.1:0"}) }()
	var base string
	select {
	case base = <-ready:
	case code := <-done:
		t.Fatalf("serve: exit %d\n%s", code, errOut.String())
	}
	cfg, err := config.Load(m.cfgPath, func(k string) string { return m.env[k] })
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		db, err := sqlite.Open(t.Context(), dbFile(cfg.DataDir))
		n := 0
		if err == nil {
			n, _ = db.CountCalls(t.Context())
			db.Close()
		}
		if n > 250 && len(m.graph.Items("gongcalls")) == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a minute the index has %d calls and the connection %d items\n%s", n, len(m.graph.Items("gongcalls")), errOut.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The metrics count the push (it is recorded right after the items).
	var metrics string
	for range 50 {
		res, err := http.Get(base + "metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if metrics = string(b); strings.Contains(metrics, `gongconnector_graph_push_duration_seconds_count{outcome="succeeded"}`) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(metrics, `gongconnector_graph_writes_total{kind="item_put"}`) {
		t.Errorf("the metrics lack the push:\n%s", metrics)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve: exit %d\n%s", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), "graph: pushed to Microsoft 365") {
		t.Errorf("serve logged no push:\n%s", errOut.String())
	}
	m.check(t, 1)
	var st statusJSON
	if err := json.Unmarshal([]byte(m.run(t, "status", "--json")), &st); err != nil {
		t.Fatal(err)
	}
	if p := st.Microsoft365; p == nil || p.Items != st.CallsIndexed || p.Pending == nil || *p.Pending != 0 || p.SetUp == "" || p.LastPush == nil || p.LastPush.Error != "" {
		t.Errorf("status --json: microsoft365 %+v with %d calls indexed", p, st.CallsIndexed)
	}
}

// TestGraphFakeCommand: `graph --fake` serves a double that setup, push
// and status work against, with the certificate and credential it wrote;
// and the commands say what is wrong when the credential is missing or
// the app lacks a permission.
func TestGraphFakeCommand(t *testing.T) {
	// Few calls: the double keeps Graph's 25 items a second.
	cfgPath, env, _ := tenant(t, 60)
	if code, _, errOut := cli(t, env, "crawl", "--full", "--config", cfgPath); code != 0 {
		t.Fatal(errOut)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var fakeOut, fakeErr bytes.Buffer
	ready := make(chan string, 1)
	fake := &program{stdout: &fakeOut, stderr: &fakeErr, getenv: func(k string) string { return env[k] },
		ready: func(_, addr string) { ready <- addr }}
	done := make(chan int, 1)
	go func() { done <- fake.run(ctx, []string{"graph", "--fake", "--config", cfgPath, "--dir", dir}) }()
	var url string
	select {
	case url = <-ready:
	case code := <-done:
		t.Fatalf("graph --fake: exit %d\n%s", code, fakeErr.String())
	}
	// The settings it printed, and the files it wrote.
	printed := fakeOut.String()
	for _, want := range []string{"tenant_id: " + fakeTenant, "client_id: " + fakeClient, "graph_url: " + url + "/v1.0", "authority_host: " + url, "graph-double.env"} {
		if !strings.Contains(printed, want) {
			t.Errorf("graph --fake printed no %q:\n%s", want, printed)
		}
	}
	envFile, err := os.ReadFile(filepath.Join(dir, "graph-double.env"))
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.TrimPrefix(strings.Fields(string(envFile))[1], "ENTRA_CLIENT_SECRET=")
	if strings.Contains(printed, secret) {
		t.Error("graph --fake printed the client secret")
	}
	pemBytes, err := os.ReadFile(filepath.Join(dir, "graph-double.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("graph-double.pem holds no certificate")
	}
	trusting := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}

	// Point the configuration at it, as printed.
	cfgText, _ := os.ReadFile(cfgPath)
	cfgText = append(cfgText, fmt.Sprintf("identity:\n  entra:\n    tenant_id: %s\n    client_id: %s\n    graph_url: %s/v1.0\n    authority_host: %s\n",
		fakeTenant, fakeClient, url, url)...)
	if err := os.WriteFile(cfgPath, cfgText, 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(env map[string]string, args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		p := &program{stdout: &out, stderr: &errOut, getenv: func(k string) string { return env[k] }, graphHTTP: trusting,
			schemaPoll: time.Millisecond, pushUnlimited: true}
		code := p.run(t.Context(), append(args, "--config", cfgPath))
		return code, out.String(), errOut.String()
	}
	if code, _, errOut := run(env, "graph", "push"); code != 1 || !strings.Contains(errOut, "ENTRA_CLIENT_SECRET") {
		t.Errorf("push without a credential: exit %d, %s", code, errOut)
	}
	withSecret := maps.Clone(env)
	withSecret["ENTRA_CLIENT_SECRET"] = secret
	if code, out, errOut := run(withSecret, "graph", "status"); code != 0 || !strings.Contains(out, "not set up") {
		t.Errorf("status before setup: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := run(withSecret, "graph", "push")
	if code != 0 || !strings.Contains(out, "Schema registered") || !strings.Contains(out, "Pushed ") {
		t.Fatalf("push: exit %d\n%s%s", code, out, errOut)
	}
	// The email directory: people are found in Entra ID by their UPN.
	if people := regexp.MustCompile(`(\d+) people with access`).FindStringSubmatch(out); people == nil || people[1] == "0" || strings.Contains(out, "not found") {
		t.Errorf("push found nobody in Entra ID:\n%s", out)
	}
	code, out, errOut = run(withSecret, "graph", "status")
	if code != 0 || !strings.Contains(out, "state in Microsoft 365: ready") || !strings.Contains(out, "0 calls changed, added or deleted since") || !strings.Contains(out, "Last push: ") {
		t.Errorf("status after a push: exit %d\n%s%s", code, out, errOut)
	}
	cancel()
	<-done
}

// TestMicrosoft365Modes: the everyone mode grants the tenant, and a
// rollout audience limits either mode; in each, every directory user sees
// in the double what the local rules let them see.
func TestMicrosoft365Modes(t *testing.T) {
	probe := newM365(t, 10, "  mode: gong")
	var emails []string
	for _, e := range probe.emails {
		emails = append(emails, e)
	}
	slices.Sort(emails)
	audience := fmt.Sprintf("  audience: [%s, %s, %s]", emails[0], emails[5], emails[9])
	for _, tc := range []struct{ name, access string }{
		{"everyone", "  mode: everyone"},
		{"everyone with an audience", "  mode: everyone\n" + audience},
		{"gong with an audience", "  mode: gong\n" + audience},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newM365(t, 400, tc.access)
			m.run(t, "crawl", "--full")
			m.run(t, "graph", "push")
			counts := m.check(t, 1)
			seeing := 0
			for _, n := range counts {
				if n > 0 {
					seeing++
				}
			}
			t.Logf("%d of %d directory users see calls", seeing, len(counts))
			if strings.Contains(tc.access, "audience") && (seeing == 0 || seeing > 3) {
				t.Errorf("%d users see calls with an audience of 3", seeing)
			}
		})
	}
}
