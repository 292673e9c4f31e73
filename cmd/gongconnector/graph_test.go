package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"gongconnector/internal/config"
	"gongconnector/internal/core"
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
	m.env = map[string]string{"ENTRA_CLIENT_SECRET": fakeSecret, "GONG_ACCESS_KEY": "k", "GONG_ACCESS_KEY_SECRET": "s"}
	return m
}

// run runs the program with a client that trusts the double.
func (m *m365) run(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	p := &program{stdout: &out, stderr: &errOut, getenv: func(k string) string { return m.env[k] },
		graphHTTP: m.srv.Client(), schemaPoll: time.Millisecond, pushUnlimited: true}
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
	p := &program{stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string { return m.env[k] }, graphHTTP: m.srv.Client()}
	auth, _, err := p.accessFor(t.Context(), cfg, db, slog.New(slog.DiscardHandler), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return db, func(id string) core.Visibility { return auth.Decide(id).Visibility }
}

// check compares the double with the index: the same items, and for
// every directory user the same calls visible in Microsoft 365 as the
// local rules allow them. It returns the visible counts by email.
func (m *m365) check(t *testing.T) map[string]int {
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
	for oid, email := range m.emails {
		v := visibility(email)
		var want []string
		for id, c := range calls {
			if v.Allows(c.ws, c.keys) {
				want = append(want, id)
			}
		}
		slices.Sort(want)
		got := m.graph.Visible("gongcalls", oid)
		if !slices.Equal(got, want) {
			t.Errorf("%s sees %d calls in Microsoft 365, %d by Gong's rules", email, len(got), len(want))
		}
		counts[email] = len(want)
	}
	return counts
}

// searchGraph runs POST /search/query as user over the connection.
func (m *m365) searchGraph(t *testing.T, user, query string) []string {
	t.Helper()
	var ids []string
	for from := 0; ; from += 500 {
		body, _ := json.Marshal(map[string]any{"requests": []any{map[string]any{"entityTypes": []string{"externalItem"},
			"contentSources": []string{"/external/connections/gongcalls"}, "query": map[string]string{"queryString": query},
			"from": from, "size": 500, "fields": []string{"title"}}}})
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, m.srv.URL+"/v1.0/search/query", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+m.token(t))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(graphsim.SearchUserHeader, user)
		res, err := m.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Value []struct {
				HitsContainers []struct {
					More bool `json:"moreResultsAvailable"`
					Hits []struct {
						HitID string `json:"hitId"`
					} `json:"hits"`
				} `json:"hitsContainers"`
			} `json:"value"`
		}
		err = json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("search/query: %d %v", res.StatusCode, err)
		}
		c := out.Value[0].HitsContainers[0]
		for _, h := range c.Hits {
			ids = append(ids, h.HitID)
		}
		if !c.More {
			break
		}
	}
	slices.Sort(ids)
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

// searchLocal runs the local trimmed search as identity, every page.
func searchLocal(t *testing.T, db *sqlite.DB, v core.Visibility, query string) []string {
	t.Helper()
	var ids []string
	for off := 0; ; off += sqlite.MaxLimit {
		res, err := db.Search(t.Context(), core.Query{Text: query, Limit: sqlite.MaxLimit, Offset: off, Visibility: v})
		if err != nil {
			t.Fatal(err)
		}
		if res.Estimated {
			t.Fatalf("%q: the local total is estimated; choose a narrower query", query)
		}
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		if off+sqlite.MaxLimit >= res.Total {
			break
		}
	}
	slices.Sort(ids)
	return ids
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
	before := m.check(t)
	if c := m.graph.Counts(); c.Items < 19000 {
		t.Fatalf("%d items pushed", c.Items)
	}

	t.Logf("%d users checked", len(before))
}
