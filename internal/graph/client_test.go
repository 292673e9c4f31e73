package graph

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"gongconnector/internal/core"
	"gongconnector/internal/graphsim"
)

func TestDoHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	e := newEnv(t, graphsim.Options{})
	e.sim.SetFaults(graphsim.Faults{ThrottleFirst: 1, RetryAfter: time.Second})
	e.sim.ResetCounts()
	start := time.Now()
	var page userPage
	if err := e.client.GetJSON(t.Context(), "/users?$select=id", PermUserReadAll, &page); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed < time.Second {
		t.Errorf("retried after %s; Retry-After said 1s", elapsed)
	}
	if c := e.sim.Counts(); c.Graph != 2 || len(page.Value) != 5 {
		t.Errorf("%d requests, %d users; want 2 and 5", c.Graph, len(page.Value))
	}
}

// failFirst answers the first n Graph requests with the given statuses in
// turn, then hands over to next.
func failFirst(next http.Handler, statuses ...int) (http.Handler, *atomic.Int64) {
	var n atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1.0/") {
			if i := n.Add(1); int(i) <= len(statuses) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(statuses[i-1])
				fmt.Fprintf(w, `{"error":{"code":"generalException","message":"injected %d"}}`, statuses[i-1])
				return
			}
		}
		next.ServeHTTP(w, r)
	}), &n
}

func TestDoRetriesServerErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, graphsim.Options{})
	h, n := failFirst(e.sim, 500, 502, 504)
	e.srv.Config.Handler = h
	var page userPage
	if err := e.client.GetJSON(t.Context(), "/users", PermUserReadAll, &page); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 4 || e.client.Requests() != 4 {
		t.Errorf("%d requests served, %d sent; want 4", n.Load(), e.client.Requests())
	}
}

func TestDoGivesUpOnServerErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, graphsim.Options{})
	h, _ := failFirst(e.sim, 500, 500, 500, 500, 500, 500)
	e.srv.Config.Handler = h
	err := e.client.GetJSON(t.Context(), "/users", PermUserReadAll, &userPage{})
	assertErr(t, err, "Microsoft Graph failed GET /v1.0/users 5 times; try again later", "injected 500")
	if core.ErrorCode(err) != core.EUnavailable {
		t.Errorf("code = %s, want %s", core.ErrorCode(err), core.EUnavailable)
	}
}

// staticToken is a credential that hands out a fixed token.
type staticToken string

func (s staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: string(s), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func TestDoFailsAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, graphsim.Options{})
	forged := NewClient(e.srv.URL+"/v1.0", staticToken("forged"), e.srv.Client(), nil)
	forged.Retry = fastRetry
	tests := map[string]struct {
		client   *Client
		setup    func()
		url      string
		wantCode string
		wants    []string
	}{
		"401": {client: forged, url: "/users", wantCode: core.EUnauthorized,
			wants: []string{"rejected the app's access token", settingTenantID, settingGraphURL, "InvalidAuthenticationToken"}},
		"403": {client: e.client, setup: func() { e.sim.SetRoles(testClient) }, url: "/users", wantCode: core.EUnauthorized,
			wants: []string{"denied GET /v1.0/users", "User.Read.All application permission with admin consent", "Authorization_RequestDenied"}},
		"400": {client: e.client, url: "/users?$filter=" + QueryEscape("mail ne 'x'"), wantCode: core.EInvalid,
			wants: []string{"Microsoft Graph rejected GET /v1.0/users", "Request_UnsupportedQuery"}},
		"404": {client: e.client, url: "/users/" + userID(77), wantCode: core.ENotFound,
			wants: []string{"Request_ResourceNotFound"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup()
				defer e.sim.SetRoles(testClient, graphsim.PermUserReadAll, graphsim.PermGroupMemberReadAll)
			}
			e.sim.ResetCounts()
			err := tc.client.GetJSON(t.Context(), tc.url, PermUserReadAll, &userPage{})
			assertErr(t, err, tc.wants...)
			if got := core.ErrorCode(err); got != tc.wantCode {
				t.Errorf("code = %s, want %s", got, tc.wantCode)
			}
			if c := e.sim.Counts(); c.Graph != 1 {
				t.Errorf("%d requests, want 1 (no retry)", c.Graph)
			}
		})
	}
}

func TestThrottledTooLong(t *testing.T) {
	t.Parallel()
	t.Run("Retry-After too long", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, graphsim.Options{})
		e.sim.SetFaults(graphsim.Faults{ThrottleFirst: 1, RetryAfter: 10 * time.Second})
		start := time.Now()
		err := e.client.GetJSON(t.Context(), "/users", PermUserReadAll, &userPage{})
		assertErr(t, err, "throttling GET /v1.0/users and asks to wait 10s, longer than 5s; try again later")
		if time.Since(start) > time.Second {
			t.Errorf("waited %s before giving up", time.Since(start))
		}
	})
	t.Run("timed retries within the budget are not attempts", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, graphsim.Options{})
		e.client.Retry.MaxAttempts, e.client.Retry.ThrottleBudget = 2, 3*time.Second
		e.sim.SetFaults(graphsim.Faults{ThrottleFirst: 3, RetryAfter: time.Second})
		if err := e.client.GetJSON(t.Context(), "/users", PermUserReadAll, &userPage{}); err != nil {
			t.Errorf("three 429s with Retry-After and 2 attempts: %v", err)
		}
		// Past the budget, each is an attempt again.
		e.client.Retry.ThrottleBudget = time.Second
		e.sim.SetFaults(graphsim.Faults{ThrottleFirst: 3, RetryAfter: time.Second})
		err := e.client.GetJSON(t.Context(), "/users", PermUserReadAll, &userPage{})
		assertErr(t, err, "kept throttling GET /v1.0/users after 3 attempts")
	})
	t.Run("kept throttling", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, graphsim.Options{})
		e.sim.SetFaults(graphsim.Faults{ThrottleFirst: 100})
		err := e.client.GetJSON(t.Context(), "/users", PermUserReadAll, &userPage{})
		assertErr(t, err, "kept throttling GET /v1.0/users after 5 attempts")
		if core.ErrorCode(err) != core.EUnavailable {
			t.Errorf("code = %s, want %s", core.ErrorCode(err), core.EUnavailable)
		}
	})
	t.Run("kept throttling inside batches", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, graphsim.Options{})
		e.sim.SetFaults(graphsim.Faults{SubThrottleFirst: 1000})
		_, err := e.dir.Lookup(t.Context(), core.AttrUPN, []string{"bob@contoso.com", "carol@contoso.com"})
		assertErr(t, err, "kept throttling 2 of 2 batched requests after 5 attempts")
	})
}

func TestUnreachableGraph(t *testing.T) {
	t.Parallel()
	e := newEnv(t, graphsim.Options{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cred, err := NewTokenCredential(e.creds, e.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	c := NewClient("https://"+addr+"/v1.0", cred, e.srv.Client(), nil)
	c.Retry = fastRetry
	_, err = NewDirectory(c).Lookup(t.Context(), core.AttrMail, []string{"alice@contoso.com"})
	assertErr(t, err, "cannot reach Microsoft Graph at https://"+addr+"/v1.0: check identity.entra.graph_url and the network")
	if core.ErrorCode(err) != core.EUnavailable {
		t.Errorf("code = %s, want %s", core.ErrorCode(err), core.EUnavailable)
	}
}

func TestBadGraphURL(t *testing.T) {
	t.Parallel()
	c := NewClient("graph.microsoft.com", staticToken("x"), nil, nil)
	err := c.GetJSON(t.Context(), "/users", "", &userPage{})
	assertErr(t, err, "identity.entra.graph_url", "is not an https URL")
}

func TestTokenStaysOnGraphHost(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer other.Close()
	e := newEnv(t, graphsim.Options{})
	err := e.client.GetJSON(t.Context(), other.URL+"/v1.0/users?$skiptoken=x", PermUserReadAll, &userPage{})
	assertErr(t, err, "refusing to send the Graph token")
	if hits.Load() != 0 {
		t.Errorf("the other host got %d requests", hits.Load())
	}
}

func TestBatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, graphsim.Options{Seed: 9})
	var reqs []BatchRequest
	for i := range 45 {
		reqs = append(reqs, BatchRequest{ID: fmt.Sprintf("r%d", i), URL: fmt.Sprintf("/users/%s?$select=id", userID(i%7))})
	}
	e.sim.ResetCounts()
	res, err := e.client.Batch(t.Context(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(reqs) {
		t.Fatalf("%d responses for %d requests", len(res), len(reqs))
	}
	for i, r := range res {
		want := http.StatusOK
		if i%7 == 0 || i%7 == 6 { // there are users 1 to 5
			want = http.StatusNotFound
		}
		if r.ID != reqs[i].ID || r.Status != want {
			t.Errorf("response %d = %s %d, want %s %d", i, r.ID, r.Status, reqs[i].ID, want)
		}
		if want == http.StatusOK && !strings.Contains(string(r.Body), userID(i%7)) {
			t.Errorf("response %d body %s is not user %d", i, r.Body, i%7)
		}
	}
	if c := e.sim.Counts(); c.Batches != 3 || c.SubRequests != 45 {
		t.Errorf("counts = %+v, want 3 batches of 45 requests", c)
	}
	_, err = e.client.Batch(t.Context(), []BatchRequest{{ID: "a", URL: "/users"}, {ID: "a", URL: "/users"}})
	assertErr(t, err, `batch request id "a" is used twice`)
	if res, err := e.client.Batch(t.Context(), nil); err != nil || len(res) != 0 {
		t.Errorf("empty batch = %v, %v", res, err)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := map[string]struct {
		header string
		want   time.Duration
	}{
		"absent":    {"", 0},
		"seconds":   {"2", 2 * time.Second},
		"fraction":  {"0.25", 250 * time.Millisecond},
		"zero":      {"0", time.Millisecond},
		"http date": {now.Add(3 * time.Second).Format(http.TimeFormat), 3 * time.Second},
		"past date": {now.Add(-time.Hour).Format(http.TimeFormat), time.Millisecond},
		"garbage":   {"soon", 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			h := http.Header{}
			if tc.header != "" {
				h.Set("Retry-After", tc.header)
			}
			if got := retryAfter(h, now); got != tc.want {
				t.Errorf("retryAfter(%q) = %s, want %s", tc.header, got, tc.want)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	p := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	for attempt := 1; attempt <= 10; attempt++ {
		full := min(p.BaseDelay<<(attempt-1), p.MaxDelay)
		for range 50 {
			if d := backoff(p, attempt); d < full/2 || d > full {
				t.Fatalf("backoff(%d) = %s, want between %s and %s", attempt, d, full/2, full)
			}
		}
	}
}

func TestLiteralAndEscape(t *testing.T) {
	tests := map[string]struct{ in, literal, escaped string }{
		"plain":  {"a@b.com", "'a@b.com'", "a%40b.com"},
		"quote":  {"o'brien", "'o''brien'", "o%27brien"},
		"quotes": {"''", "''''''", "%27%27"},
		"space":  {"a b+c", "'a b+c'", "a%20b%2Bc"},
		"query":  {"x&$top=1#", "'x&$top=1#'", "x%26%24top%3D1%23"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Literal(tc.in); got != tc.literal {
				t.Errorf("Literal(%q) = %s, want %s", tc.in, got, tc.literal)
			}
			if got := QueryEscape(tc.in); got != tc.escaped {
				t.Errorf("QueryEscape(%q) = %s, want %s", tc.in, got, tc.escaped)
			}
		})
	}
}

// FuzzLookupURL checks that any value survives the trip into a $filter
// query and back, as one literal.
func FuzzLookupURL(f *testing.F) {
	for _, s := range []string{"alice@contoso.com", "o'brien@x.com", "a' or 'b", "&$top=1#%2", " +", "é\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, attr := range []core.Attribute{core.AttrUPN, core.AttrMail, core.AttrExternalID} {
			u, err := url.Parse(lookupURL(attr, s))
			if err != nil {
				t.Fatalf("lookupURL(%s, %q) does not parse: %v", attr, s, err)
			}
			q := u.Query()
			if len(q) != 2 || q.Get("$select") != userSelect {
				t.Fatalf("lookupURL(%s, %q) has query %v", attr, s, q)
			}
			filter := q.Get("$filter")
			lit := Literal(s)
			if !strings.HasSuffix(filter, " eq "+lit) && !strings.Contains(filter, " eq "+lit+" or ") {
				t.Fatalf("filter %q does not compare with %s", filter, lit)
			}
		}
	})
}
