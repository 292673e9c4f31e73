package gongsim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gongconnector/internal/gong"
)

// testNow is the frozen clock start of the test tenants.
var testNow = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

const testKey, testSecret = "key", "secret"

type testServer struct {
	t   testing.TB
	sim *Sim
	srv *httptest.Server
}

func newTestServer(t testing.TB, opts Options) *testServer {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = testNow
	}
	if opts.Seed == 0 {
		opts.Seed = 42
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return &testServer{t: t, sim: s, srv: newHTTPServer(t, s)}
}

func newHTTPServer(t testing.TB, s *Sim) *httptest.Server {
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv
}

// response is one HTTP answer.
type response struct {
	status int
	header http.Header
	body   []byte
	err    error // transport or body read error
}

func (ts *testServer) do(method, path string, body any) response {
	ts.t.Helper()
	return ts.doAuth(method, path, body, testKey, testSecret)
}

func (ts *testServer) doAuth(method, path string, body any, key, secret string) response {
	ts.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			ts.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(ts.t.Context(), method, ts.srv.URL+path, rd)
	if err != nil {
		ts.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(key+":"+secret)))
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := ts.srv.Client().Do(req)
	if err != nil {
		return response{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b, err: err}
}

// decode decodes the body into v and fails the test when it cannot.
func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if r.err != nil {
		t.Fatalf("request failed: %v", r.err)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, r.body)
	}
}

// errorsOf returns the errors of an error body.
func (r response) errorsOf(t testing.TB) []string {
	t.Helper()
	var e gong.ErrorResponse
	r.decode(t, &e)
	return e.Errors
}

func fullContent() *gong.ContentFields {
	return &gong.ContentFields{Structure: true, Topics: true, Trackers: true, PointsOfInterest: true, Brief: true,
		Outline: true, Highlights: true, CallOutcome: true, KeyPoints: true}
}

// extensiveReq builds a crawler-style request with everything selected.
func fullRequest(f gong.CallsFilter, cursor string) gong.ExtensiveRequest {
	return gong.ExtensiveRequest{
		Cursor: cursor,
		Filter: &f,
		ContentSelector: &gong.ContentSelector{Context: "Extended",
			ExposedFields: &gong.ExposedFields{Parties: true, Content: fullContent()}},
	}
}

// truthIDs lists the ids Truth visits.
func truthIDs(s *Sim) []string {
	var ids []string
	s.Truth(func(c gong.ExtensiveCall) bool {
		ids = append(ids, string(c.MetaData.ID))
		return true
	})
	return ids
}

// truthCall finds one call in Truth.
func truthCall(s *Sim, id string) (gong.ExtensiveCall, bool) {
	var out gong.ExtensiveCall
	found := false
	s.Truth(func(c gong.ExtensiveCall) bool {
		if string(c.MetaData.ID) == id {
			out, found = c, true
			return false
		}
		return true
	})
	return out, found
}

// extensiveByID fetches one call through POST /v2/calls/extensive.
func (ts *testServer) extensiveByID(id string) (gong.ExtensiveCall, response) {
	ts.t.Helper()
	r := ts.do("POST", "/v2/calls/extensive", fullRequest(gong.CallsFilter{CallIDs: []gong.ID{gong.ID(id)}}, ""))
	var er gong.ExtensiveResponse
	if r.status == 200 {
		r.decode(ts.t, &er)
		if len(er.Calls) == 1 {
			return er.Calls[0], r
		}
	}
	return gong.ExtensiveCall{}, r
}
