package graph

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"gongconnector/internal/graphsim"
)

const (
	testTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	testClient = "0c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5"
	testSecret = "Zq8~TopSecretValue.do-not-log"
)

// userID returns the object id of test user i.
func userID(i int) string { return fmt.Sprintf("%08x-1111-4222-8333-%012x", i, i) }

// groupID returns the object id of test group i.
func groupID(i int) string { return fmt.Sprintf("%08x-9999-4888-8777-%012x", i, i) }

// testDirectory is a small directory covering the lookup cases.
func testDirectory() ([]graphsim.User, []graphsim.Group) {
	users := []graphsim.User{
		{ID: userID(1), UserPrincipalName: "Alice.Smith@contoso.com", Mail: "alice@contoso.com",
			OtherMails: []string{"a.smith@fabrikam.com"}, ProxyAddresses: []string{"SMTP:alice@contoso.com", "smtp:asmith@contoso.com"},
			EmployeeID: "E001", DisplayName: "Alice Smith"},
		{ID: userID(2), UserPrincipalName: "bob@contoso.com", Mail: "sales@contoso.com", EmployeeID: "E002", DisplayName: "Bob"},
		{ID: userID(3), UserPrincipalName: "carol@contoso.com", Mail: "sales@contoso.com", DisplayName: "Carol"},
		{ID: userID(4), UserPrincipalName: "o'brien@contoso.com", Mail: "Sean.O'Brien@contoso.com", EmployeeID: "E 4&x=#%+?/", DisplayName: "Seán O'Brien"},
		{ID: userID(5), UserPrincipalName: "dan@contoso.com", DisplayName: "Dan"},
	}
	groups := []graphsim.Group{
		{ID: groupID(1), DisplayName: "Sales", Members: []string{userID(2), groupID(2)}},
		{ID: groupID(2), DisplayName: "Sales EMEA", Members: []string{userID(3), userID(1), groupID(3)}},
		{ID: groupID(3), DisplayName: "Sales EMEA Interns", Members: []string{userID(5), groupID(1)}}, // a cycle
		{ID: groupID(4), DisplayName: "Twins", Members: []string{userID(1)}},
		{ID: groupID(5), DisplayName: "Twins", Members: []string{userID(2)}},
		{ID: groupID(6), DisplayName: "O'Brien's team", Members: []string{userID(4)}},
	}
	return users, groups
}

// env is a simulator over TLS and a directory client talking to it.
type env struct {
	sim    *graphsim.Sim
	srv    *httptest.Server
	creds  Credentials
	client *Client
	dir    *Directory
	logs   *syncBuffer
}

// fastRetry keeps tests quick; Retry-After from the simulator is still honoured.
var fastRetry = RetryPolicy{MaxAttempts: 5, BaseDelay: 5 * time.Millisecond, MaxDelay: 40 * time.Millisecond, MaxRetryAfter: 5 * time.Second}

func newEnv(t *testing.T, o graphsim.Options) *env {
	t.Helper()
	o.TenantID = testTenant
	if o.Apps == nil {
		o.Apps = []graphsim.App{{ClientID: testClient, Secret: testSecret}}
	}
	if o.Users == nil && o.Groups == nil {
		o.Users, o.Groups = testDirectory()
	}
	e := &env{sim: graphsim.New(o), logs: &syncBuffer{}}
	e.srv = httptest.NewTLSServer(e.sim)
	t.Cleanup(e.srv.Close)
	e.creds = Credentials{TenantID: testTenant, ClientID: testClient, ClientSecret: testSecret, AuthorityHost: e.srv.URL}
	cred, err := NewTokenCredential(e.creds, e.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.client = NewClient(e.srv.URL+"/v1.0", cred, e.srv.Client(), log)
	e.client.Retry = fastRetry
	e.dir = NewDirectory(e.client)
	t.Cleanup(func() {
		if s := e.logs.String(); strings.Contains(s, testSecret) || strings.Contains(s, "simtoken.") {
			t.Errorf("logs contain the client secret or a token:\n%s", s)
		}
	})
	return e
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// assertErr fails unless err's text contains every one of wants and never
// the secret.
func assertErr(t *testing.T, err error, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one mentioning %q", wants)
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
	if strings.Contains(err.Error(), testSecret) {
		t.Errorf("error %q contains the client secret", err)
	}
}
