package graphsim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	testTenant = "11111111-2222-3333-4444-555555555555"
	testClient = "cccccccc-0000-0000-0000-000000000001"
	testSecret = "s3cret~value"
)

var testUsers = []User{
	{ID: "u1", UserPrincipalName: "alice@contoso.com", Mail: "alice@contoso.com", OtherMails: []string{"al@fabrikam.com"}, EmployeeID: "E1", DisplayName: "Alice"},
	{ID: "u2", UserPrincipalName: "bob@contoso.com", Mail: "shared@contoso.com", DisplayName: "Bob"},
	{ID: "u3", UserPrincipalName: "carol@contoso.com", Mail: "shared@contoso.com", DisplayName: "Carol"},
	{ID: "u4", UserPrincipalName: "dan@contoso.com", DisplayName: "Dan"},
}

var testGroups = []Group{
	{ID: "g1", DisplayName: "Sales", Members: []string{"u1", "g2"}},
	{ID: "g2", DisplayName: "Sales EMEA", Members: []string{"u2", "u1", "g3"}},
	{ID: "g3", DisplayName: "Loop", Members: []string{"g1", "u3"}},
}

type harness struct {
	t   *testing.T
	sim *Sim
	srv *httptest.Server
	tok string
}

func newHarness(t *testing.T, o Options) *harness {
	t.Helper()
	o.TenantID = testTenant
	if o.Apps == nil {
		o.Apps = []App{{ClientID: testClient, Secret: testSecret}}
	}
	if o.Users == nil {
		o.Users = testUsers
	}
	if o.Groups == nil {
		o.Groups = testGroups
	}
	h := &harness{t: t, sim: New(o)}
	h.srv = httptest.NewTLSServer(h.sim)
	t.Cleanup(h.srv.Close)
	status, body := h.tokenRequest(url.Values{
		"grant_type": {"client_credentials"}, "client_id": {testClient},
		"client_secret": {testSecret}, "scope": {GraphResource + "/.default"},
	})
	if status != http.StatusOK {
		t.Fatalf("token: HTTP %d %v", status, body)
	}
	h.tok = body["access_token"].(string)
	return h
}

func (h *harness) tokenRequest(form url.Values) (int, map[string]any) {
	h.t.Helper()
	res, err := h.srv.Client().PostForm(h.srv.URL+"/"+testTenant+"/oauth2/v2.0/token", form)
	if err != nil {
		h.t.Fatal(err)
	}
	return decode(h.t, res)
}

func decode(t *testing.T, res *http.Response) (int, map[string]any) {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if len(b) == 0 && res.StatusCode/100 == 2 {
		return res.StatusCode, nil // 202 Accepted, 204 No Content, an item stored
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("HTTP %d, body not JSON: %s", res.StatusCode, b)
	}
	return res.StatusCode, m
}

// do sends a Graph request with the harness's token unless tok is "-".
func (h *harness) do(method, path, body string) (int, map[string]any, http.Header) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+h.tok)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	status, m := decode(h.t, res)
	return status, m, res.Header
}

func errCode(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func TestTokenEndpoint(t *testing.T) {
	h := newHarness(t, Options{})
	base := url.Values{"grant_type": {"client_credentials"}, "client_id": {testClient}, "client_secret": {testSecret}, "scope": {GraphResource + "/.default"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range base {
			f[kk] = vv
		}
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	tests := map[string]struct {
		form       url.Values
		wantStatus int
		wantError  string
		wantAADSTS string
	}{
		"ok":             {form: base, wantStatus: 200},
		"openid scopes":  {form: with("scope", GraphResource+"/.default openid profile offline_access"), wantStatus: 200},
		"wrong secret":   {form: with("client_secret", "nope"), wantStatus: 401, wantError: "invalid_client", wantAADSTS: "AADSTS7000215"},
		"no secret":      {form: with("client_secret", ""), wantStatus: 401, wantError: "invalid_client", wantAADSTS: "AADSTS7000216"},
		"unknown client": {form: with("client_id", "nobody"), wantStatus: 400, wantError: "unauthorized_client", wantAADSTS: "AADSTS700016"},
		"scope":          {form: with("scope", GraphResource+"/User.Read.All"), wantStatus: 400, wantError: "invalid_scope", wantAADSTS: "AADSTS1002012"},
		"grant":          {form: with("grant_type", "password"), wantStatus: 400, wantError: "unsupported_grant_type"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			status, body := h.tokenRequest(tc.form)
			if status != tc.wantStatus {
				t.Fatalf("status = %d, want %d (%v)", status, tc.wantStatus, body)
			}
			if status == 200 {
				if body["token_type"] != "Bearer" || body["expires_in"] != float64(3599) || body["access_token"] == "" {
					t.Errorf("token response = %v", body)
				}
				return
			}
			if body["error"] != tc.wantError {
				t.Errorf("error = %v, want %s", body["error"], tc.wantError)
			}
			if d, _ := body["error_description"].(string); !strings.HasPrefix(d, tc.wantAADSTS) {
				t.Errorf("error_description = %q, want prefix %s", d, tc.wantAADSTS)
			}
			if d, _ := body["error_description"].(string); strings.Contains(d, testSecret) {
				t.Errorf("error_description contains the secret")
			}
		})
	}
}

func TestOpenIDConfiguration(t *testing.T) {
	h := newHarness(t, Options{})
	res, err := h.srv.Client().Get(h.srv.URL + "/" + testTenant + "/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	status, m := decode(t, res)
	if status != 200 || m["token_endpoint"] != h.srv.URL+"/"+testTenant+"/oauth2/v2.0/token" || m["issuer"] != h.srv.URL+"/"+testTenant+"/v2.0" {
		t.Errorf("openid-configuration = %d %v", status, m)
	}
	res, err = h.srv.Client().Get(h.srv.URL + "/other/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	if status, m := decode(t, res); status != 400 || m["error"] != "invalid_tenant" {
		t.Errorf("unknown tenant = %d %v", status, m)
	}
}

func TestGraphRequiresToken(t *testing.T) {
	h := newHarness(t, Options{})
	for name, tok := range map[string]string{"none": "", "unknown": "abc"} {
		h.tok = tok
		status, m, _ := h.do("GET", "/v1.0/users", "")
		if status != 401 || errCode(m) != "InvalidAuthenticationToken" {
			t.Errorf("%s token: %d %v, want 401 InvalidAuthenticationToken", name, status, m)
		}
	}
	if c := h.sim.Counts(); c.Graph != 2 || c.Tokens != 1 {
		t.Errorf("counts = %+v", c)
	}
}

func TestUsers(t *testing.T) {
	h := newHarness(t, Options{})
	q := func(filter, sel string) string {
		v := url.Values{}
		if filter != "" {
			v.Set("$filter", filter)
		}
		if sel != "" {
			v.Set("$select", sel)
		}
		return "/v1.0/users?" + v.Encode()
	}
	tests := map[string]struct {
		path     string
		wantIDs  []string
		wantCode string
	}{
		"all":             {path: "/v1.0/users", wantIDs: []string{"u1", "u2", "u3", "u4"}},
		"upn":             {path: q("userPrincipalName eq 'ALICE@contoso.com'", "id,mail"), wantIDs: []string{"u1"}},
		"mail two users":  {path: q("mail eq 'shared@contoso.com'", ""), wantIDs: []string{"u2", "u3"}},
		"other mails":     {path: q("mail eq 'al@fabrikam.com' or otherMails/any(x:x eq 'al@fabrikam.com')", ""), wantIDs: []string{"u1"}},
		"employee id":     {path: q("employeeId eq 'e1'", ""), wantIDs: []string{"u1"}},
		"none":            {path: q("mail eq 'nobody@contoso.com'", ""), wantIDs: []string{}},
		"bad select":      {path: q("", "id,shoeSize"), wantCode: "BadRequest"},
		"bad filter":      {path: q("mail eq", ""), wantCode: "BadRequest"},
		"unsupported":     {path: q("endswith(mail,'@contoso.com')", ""), wantCode: "Request_UnsupportedQuery"},
		"unknown option":  {path: "/v1.0/users?$orderby=displayName", wantCode: "BadRequest"},
		"percent-encoded": {path: "/v1.0/users?%24filter=" + url.QueryEscape("mail eq 'alice@contoso.com'"), wantIDs: []string{"u1"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			status, m, _ := h.do("GET", tc.path, "")
			if tc.wantCode != "" {
				if status != 400 || errCode(m) != tc.wantCode {
					t.Fatalf("got %d %v, want 400 %s", status, m, tc.wantCode)
				}
				return
			}
			if status != 200 {
				t.Fatalf("got %d %v", status, m)
			}
			var ids []string
			for _, v := range m["value"].([]any) {
				ids = append(ids, v.(map[string]any)["id"].(string))
			}
			if fmt.Sprint(ids) != fmt.Sprint(tc.wantIDs) && !(len(ids) == 0 && len(tc.wantIDs) == 0) {
				t.Errorf("ids = %v, want %v", ids, tc.wantIDs)
			}
		})
	}
	t.Run("select", func(t *testing.T) {
		_, m, _ := h.do("GET", q("userPrincipalName eq 'alice@contoso.com'", "otherMails,employeeId"), "")
		u := m["value"].([]any)[0].(map[string]any)
		if _, ok := u["mail"]; ok || u["employeeId"] != "E1" || u["id"] != "u1" || len(u["otherMails"].([]any)) != 1 {
			t.Errorf("selected user = %v", u)
		}
	})
	t.Run("by id", func(t *testing.T) {
		status, m, _ := h.do("GET", "/v1.0/users/U2?$select=id,mail", "")
		if status != 200 || m["mail"] != "shared@contoso.com" {
			t.Errorf("GET /users/U2 = %d %v", status, m)
		}
		status, m, _ = h.do("GET", "/v1.0/users/nobody", "")
		if status != 404 || errCode(m) != "Request_ResourceNotFound" {
			t.Errorf("GET /users/nobody = %d %v", status, m)
		}
	})
}

func TestPermissions(t *testing.T) {
	h := newHarness(t, Options{})
	h.sim.SetRoles(testClient, PermGroupMemberReadAll)
	if status, m, _ := h.do("GET", "/v1.0/users", ""); status != 403 || errCode(m) != "Authorization_RequestDenied" {
		t.Errorf("users without User.Read.All: %d %v", status, m)
	}
	if status, _, _ := h.do("GET", "/v1.0/groups", ""); status != 200 {
		t.Errorf("groups with GroupMember.Read.All: %d", status)
	}
	h.sim.SetRoles(testClient, PermUserReadAll)
	if status, m, _ := h.do("GET", "/v1.0/groups/g1/transitiveMembers/microsoft.graph.user", ""); status != 403 || errCode(m) != "Authorization_RequestDenied" {
		t.Errorf("members without GroupMember.Read.All: %d %v", status, m)
	}
}

func TestTransitiveMembersPaging(t *testing.T) {
	h := newHarness(t, Options{PageSize: 2})
	var ids []string
	next := "/v1.0/groups/g1/transitiveMembers/microsoft.graph.user?$select=id,mail"
	pages := 0
	for next != "" {
		status, m, _ := h.do("GET", next, "")
		if status != 200 {
			t.Fatalf("page %d: %d %v", pages, status, m)
		}
		pages++
		for _, v := range m["value"].([]any) {
			u := v.(map[string]any)
			if u["@odata.type"] != "#microsoft.graph.user" {
				t.Errorf("member without @odata.type: %v", u)
			}
			ids = append(ids, u["id"].(string))
		}
		next, _ = m["@odata.nextLink"].(string)
		next = strings.TrimPrefix(next, h.srv.URL)
	}
	// g1 -> u1, g2 -> (u2, u1, g3 -> (g1 again, u3)): each user once.
	if fmt.Sprint(ids) != "[u1 u2 u3]" || pages != 2 {
		t.Errorf("members = %v in %d pages, want [u1 u2 u3] in 2", ids, pages)
	}
	status, m, _ := h.do("GET", "/v1.0/groups?$filter="+url.QueryEscape("displayName eq 'sales emea'"), "")
	if status != 200 || len(m["value"].([]any)) != 1 {
		t.Errorf("group by name = %d %v", status, m)
	}
}

func TestBatch(t *testing.T) {
	h := newHarness(t, Options{Seed: 7})
	reqs := func(n int, url func(i int) string) string {
		var parts []string
		for i := range n {
			parts = append(parts, fmt.Sprintf(`{"id":"%d","method":"GET","url":%q}`, i, url(i)))
		}
		return `{"requests":[` + strings.Join(parts, ",") + `]}`
	}
	t.Run("answers every id", func(t *testing.T) {
		body := reqs(20, func(i int) string { return fmt.Sprintf("/users/u%d?$select=id", i%5) })
		status, m, _ := h.do("POST", "/v1.0/$batch", body)
		if status != 200 {
			t.Fatalf("batch: %d %v", status, m)
		}
		got := map[string]float64{}
		for _, r := range m["responses"].([]any) {
			r := r.(map[string]any)
			got[r["id"].(string)] = r["status"].(float64)
		}
		for i := range 20 {
			want := 200.0
			if i%5 == 0 {
				want = 404 // there is no u0
			}
			if got[fmt.Sprint(i)] != want {
				t.Errorf("response %d status = %v, want %v", i, got[fmt.Sprint(i)], want)
			}
		}
	})
	bad := map[string]string{
		"21 requests":               reqs(21, func(int) string { return "/users" }),
		"duplicate ids":             `{"requests":[{"id":"1","method":"GET","url":"/users"},{"id":"1","method":"GET","url":"/users"}]}`,
		"no requests":               `{"requests":[]}`,
		"not json":                  `{"requests":`,
		"body without content type": `{"requests":[{"id":"1","method":"POST","url":"/users","body":{}}]}`,
	}
	for name, body := range bad {
		t.Run(name, func(t *testing.T) {
			if status, m, _ := h.do("POST", "/v1.0/$batch", body); status != 400 || errCode(m) != "BadRequest" {
				t.Errorf("got %d %v, want 400 BadRequest", status, m)
			}
		})
	}
	t.Run("absolute url", func(t *testing.T) {
		status, m, _ := h.do("POST", "/v1.0/$batch", `{"requests":[{"id":"a","method":"GET","url":"https://graph.microsoft.com/v1.0/users"}]}`)
		r := m["responses"].([]any)[0].(map[string]any)
		if status != 200 || r["status"] != 400.0 {
			t.Errorf("got %d %v, want a 400 sub-response", status, m)
		}
	})
	t.Run("throttled sub-requests", func(t *testing.T) {
		h.sim.SetFaults(Faults{SubThrottle: 0.5, RetryAfter: 1500 * time.Millisecond})
		defer h.sim.SetFaults(Faults{})
		h.sim.ResetCounts()
		status, m, _ := h.do("POST", "/v1.0/$batch", reqs(20, func(int) string { return "/users?$select=id" }))
		if status != 200 {
			t.Fatalf("batch: %d", status)
		}
		throttled := 0
		for _, r := range m["responses"].([]any) {
			r := r.(map[string]any)
			if r["status"] == 429.0 {
				throttled++
				if ra := r["headers"].(map[string]any)["Retry-After"]; ra != "2" {
					t.Errorf("Retry-After = %v, want 2", ra)
				}
			}
		}
		c := h.sim.Counts()
		if throttled == 0 || throttled == 20 || c.Throttled != int64(throttled) || c.Batches != 1 || c.SubRequests != 20 || c.Graph != 1 {
			t.Errorf("throttled %d of 20; counts %+v", throttled, c)
		}
	})
	t.Run("throttled request", func(t *testing.T) {
		h.sim.SetFaults(Faults{ThrottleFirst: 1, RetryAfter: time.Second})
		defer h.sim.SetFaults(Faults{})
		status, m, hdr := h.do("POST", "/v1.0/$batch", reqs(1, func(int) string { return "/users" }))
		if status != 429 || hdr.Get("Retry-After") != "1" || errCode(m) != "TooManyRequests" {
			t.Errorf("got %d %v Retry-After %q", status, m, hdr.Get("Retry-After"))
		}
		if status, _, _ := h.do("POST", "/v1.0/$batch", reqs(1, func(int) string { return "/users" })); status != 200 {
			t.Errorf("second request: %d", status)
		}
	})
}

func TestManagedIdentityEndpoint(t *testing.T) {
	h := newHarness(t, Options{IdentityHeader: "hdr", Apps: []App{{ClientID: testClient, Secret: testSecret}, {ClientID: "mi-1", ManagedIdentity: true}}})
	req, _ := http.NewRequest("GET", h.srv.URL+"/msi/token?api-version=2019-08-01&resource="+url.QueryEscape(GraphResource), nil)
	req.Header.Set("X-IDENTITY-HEADER", "hdr")
	res, err := h.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	status, m := decode(t, res)
	if status != 200 || m["client_id"] != "mi-1" || m["access_token"] == "" {
		t.Fatalf("managed identity token = %d %v", status, m)
	}
	h.tok = m["access_token"].(string)
	if status, m, _ := h.do("GET", "/v1.0/users", ""); status != 200 {
		t.Errorf("users with a managed identity token: %d %v", status, m)
	}
}
