package gong

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gongconnector/internal/core"
)

func testClient(t *testing.T, url string) *Client {
	t.Helper()
	c, err := New(Options{
		BaseURL: url, AccessKey: "key", AccessKeySecret: "secret",
		Rate: -1, MaxAttempts: 4, BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// script answers the n-th request with the n-th handler (the last repeats).
func script(t *testing.T, steps ...http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		steps[min(i, len(steps)-1)](w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func status(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

const okPage = `{"requestId":"r","records":{"totalRecords":1,"currentPageSize":1,"currentPageNumber":0},"calls":[{"metaData":{"id":"1","started":"2024-01-02T03:04:05Z"}}]}`

func TestClientErrors(t *testing.T) {
	tests := []struct {
		name     string
		steps    []http.HandlerFunc
		wantCode string
		wantMsg  string
		wantReqs int32
	}{
		{"401 fails fast", []http.HandlerFunc{status(401, `{"errors":["Unauthorized"]}`)}, core.EUnauthorized, "GONG_ACCESS_KEY", 1},
		{"403 fails fast", []http.HandlerFunc{status(403, `{"errors":["Forbidden"]}`)}, core.EUnauthorized, "403", 1},
		{"other 404 is a base URL problem", []http.HandlerFunc{status(404, `<html>not found</html>`)}, core.ENotFound, "gong.base_url", 1},
		{"400 is reported", []http.HandlerFunc{status(400, `{"errors":["filter.fromDateTime: must be before toDateTime"]}`)}, core.EInvalid, "HTTP 400", 1},
		{"5xx retried then given up", []http.HandlerFunc{status(503, `{"errors":["down"]}`)}, core.EUnavailable, "HTTP 503", 4},
		{"malformed 200 retried then given up", []http.HandlerFunc{status(200, `<html>proxy login</html>`)}, core.EUnavailable, "malformed response", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, n := script(t, tt.steps...)
			_, err := testClient(t, srv.URL).CallsExtensive(t.Context(), ExtensiveRequest{})
			if err == nil {
				t.Fatal("want an error")
			}
			if got := core.ErrorCode(err); got != tt.wantCode {
				t.Errorf("code = %q, want %q (%v)", got, tt.wantCode, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not mention %q", err, tt.wantMsg)
			}
			if got := n.Load(); got != tt.wantReqs {
				t.Errorf("requests = %d, want %d", got, tt.wantReqs)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error leaks the secret: %v", err)
			}
		})
	}
}

func TestClientRecovers(t *testing.T) {
	truncated := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5000")
		w.WriteHeader(200)
		io.WriteString(w, okPage[:40])
	}
	reset := func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}
	rateLimited := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "0")
		status(429, `{"errors":["Too many requests"]}`)(w, r)
	}
	tests := []struct {
		name        string
		steps       []http.HandlerFunc
		wantLimited int64
	}{
		{"5xx then ok", []http.HandlerFunc{status(500, `{}`), status(502, ``), status(200, okPage)}, 0},
		{"truncated body then ok", []http.HandlerFunc{truncated, status(200, okPage)}, 0},
		{"connection reset then ok", []http.HandlerFunc{reset, reset, status(200, okPage)}, 0},
		{"429s do not use up attempts", []http.HandlerFunc{rateLimited, rateLimited, rateLimited, rateLimited, rateLimited, status(200, okPage)}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := script(t, tt.steps...)
			c := testClient(t, srv.URL)
			r, err := c.CallsExtensive(t.Context(), ExtensiveRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Calls) != 1 || r.Calls[0].MetaData.ID != "1" {
				t.Errorf("calls = %+v", r.Calls)
			}
			if _, limited := c.Requests(); limited != tt.wantLimited {
				t.Errorf("429s counted = %d, want %d", limited, tt.wantLimited)
			}
		})
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	var first time.Time
	var waited time.Duration
	srv, _ := script(t,
		func(w http.ResponseWriter, r *http.Request) {
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			status(429, `{"errors":["rate"]}`)(w, r)
		},
		func(w http.ResponseWriter, r *http.Request) {
			waited = time.Since(first)
			status(200, okPage)(w, r)
		})
	if _, err := testClient(t, srv.URL).CallsExtensive(t.Context(), ExtensiveRequest{}); err != nil {
		t.Fatal(err)
	}
	if waited < 900*time.Millisecond {
		t.Errorf("retried after %v, Retry-After said 1s", waited)
	}
}

func TestLongRetryAfterFails(t *testing.T) {
	srv, _ := script(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "36000")
		status(429, `{"errors":["daily limit"]}`)(w, r)
	})
	_, err := testClient(t, srv.URL).CallsExtensive(t.Context(), ExtensiveRequest{})
	if core.ErrorCode(err) != core.EUnavailable || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("err = %v", err)
	}
}

func TestEmptyResultsAndCursorExpiry(t *testing.T) {
	srv, _ := script(t, status(404, `{"errors":["No calls found corresponding to the provided filters"]}`))
	r, err := testClient(t, srv.URL).CallsExtensive(t.Context(), ExtensiveRequest{})
	if err != nil || len(r.Calls) != 0 {
		t.Fatalf("404 no-calls: got %+v, %v; want an empty page", r, err)
	}
	srv2, _ := script(t, status(400, `{"requestId":"x","errors":["cursor has expired"]}`))
	_, err = testClient(t, srv2.URL).CallsExtensive(t.Context(), ExtensiveRequest{Cursor: "c"})
	if !errors.Is(err, ErrCursorExpired) {
		t.Fatalf("err = %v, want ErrCursorExpired", err)
	}
}

func TestRequestShape(t *testing.T) {
	var gotAuth, gotCursorQuery string
	var body map[string]any
	srv, _ := script(t, func(w http.ResponseWriter, r *http.Request) {
		gotAuth = r.Header.Get("Authorization")
		gotCursorQuery = r.URL.Query().Get("cursor")
		json.NewDecoder(r.Body).Decode(&body)
		status(200, okPage)(w, r)
	})
	c := testClient(t, srv.URL)
	_, err := c.CallsExtensive(t.Context(), ExtensiveRequest{Cursor: "abc", ContentSelector: FullSelector()})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Basic " + base64.StdEncoding.EncodeToString([]byte("key:secret")); gotAuth != want {
		t.Errorf("auth = %q", gotAuth)
	}
	if body["cursor"] != "abc" || gotCursorQuery != "" {
		t.Errorf("POST cursor must be in the body: body %v, query %q", body["cursor"], gotCursorQuery)
	}
	if _, ok := body["filter"]; !ok {
		t.Errorf("filter must always be sent: %v", body)
	}
	// An empty id list is never sent: Gong answers 400.
	r, err := c.CallsExtensive(t.Context(), ExtensiveRequest{Filter: &CallsFilter{CallIDs: []ID{}}})
	if err != nil || len(r.Calls) != 0 {
		t.Errorf("callIds: [] = %v, %v", r, err)
	}
}

func TestUnreachableAndBadBaseURL(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	_, err = testClient(t, "http://"+addr).CallsExtensive(t.Context(), ExtensiveRequest{})
	if core.ErrorCode(err) != core.EUnavailable || !strings.Contains(err.Error(), "cannot reach Gong") {
		t.Errorf("unreachable: %v", err)
	}
	for _, bad := range []string{"api.gong.io", "ftp://x", "://"} {
		if _, err := New(Options{BaseURL: bad, AccessKey: "k", AccessKeySecret: "s"}); core.ErrorCode(err) != core.EInvalid {
			t.Errorf("base URL %q: err = %v", bad, err)
		}
	}
	if _, err := New(Options{}); err == nil || !strings.Contains(err.Error(), "GONG_ACCESS_KEY") {
		t.Errorf("missing credentials: %v", err)
	}
}

func TestDailyBudget(t *testing.T) {
	srv, n := script(t, status(200, okPage))
	c, err := New(Options{BaseURL: srv.URL, AccessKey: "k", AccessKeySecret: "s", Rate: -1, DailyBudget: 5, UsedToday: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := c.CallsExtensive(t.Context(), ExtensiveRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.CallsExtensive(t.Context(), ExtensiveRequest{})
	if err == nil || !strings.Contains(err.Error(), "daily Gong API budget") {
		t.Fatalf("third request: %v", err)
	}
	if n.Load() != 2 || c.BudgetLeft() != 0 {
		t.Errorf("requests %d, budget left %d", n.Load(), c.BudgetLeft())
	}
}
