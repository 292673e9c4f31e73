package gongsim

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gongconnector/internal/gong"
)

// pager fetches one page given the cursor of the previous one.
type pager func(ts *testServer, cursor string) response

func extensivePager(f gong.CallsFilter) pager {
	return func(ts *testServer, cursor string) response {
		return ts.do("POST", "/v2/calls/extensive", fullRequest(f, cursor))
	}
}

func TestPagination(t *testing.T) {
	ts := newTestServer(t, Options{Calls: 2000})
	want := truthIDs(ts.sim)
	if len(want) < 1900 {
		t.Fatalf("Truth lists %d calls; want most of 2000", len(want))
	}
	cases := map[string]struct {
		page pager
		ids  func(t *testing.T, r response) ([]string, gong.Records)
	}{
		"extensive, cursor in body": {
			page: extensivePager(gong.CallsFilter{}),
			ids: func(t *testing.T, r response) ([]string, gong.Records) {
				var er gong.ExtensiveResponse
				r.decode(t, &er)
				var ids []string
				for _, c := range er.Calls {
					ids = append(ids, string(c.MetaData.ID))
				}
				return ids, er.Records
			},
		},
		"calls, cursor in query": {
			page: func(ts *testServer, cursor string) response {
				q := url.Values{"fromDateTime": {"2000-01-01T00:00:00Z"}, "toDateTime": {"2100-01-01T00:00:00Z"}}
				if cursor != "" {
					q.Set("cursor", cursor)
				}
				return ts.do("GET", "/v2/calls?"+q.Encode(), nil)
			},
			ids: func(t *testing.T, r response) ([]string, gong.Records) {
				var cr gong.CallsResponse
				r.decode(t, &cr)
				var ids []string
				for _, c := range cr.Calls {
					ids = append(ids, string(c.ID))
				}
				return ids, cr.Records
			},
		},
		"transcripts, cursor in body": {
			page: func(ts *testServer, cursor string) response {
				return ts.do("POST", "/v2/calls/transcript", map[string]any{"cursor": cursor, "filter": map[string]any{}})
			},
			ids: func(t *testing.T, r response) ([]string, gong.Records) {
				var tr gong.TranscriptResponse
				r.decode(t, &tr)
				var ids []string
				for _, c := range tr.CallTranscripts {
					if len(c.Transcript) == 0 {
						t.Fatalf("call %s has an empty transcript", c.CallID)
					}
					ids = append(ids, string(c.CallID))
				}
				return ids, tr.Records
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var got []string
			cursor, total := "", -1
			for page := 0; ; page++ {
				r := tc.page(ts, cursor)
				if r.status != 200 {
					t.Fatalf("page %d: status %d: %s", page, r.status, r.body)
				}
				ids, rec := tc.ids(t, r)
				if rec.CurrentPageNumber != page || rec.CurrentPageSize != len(ids) {
					t.Fatalf("page %d: records %+v with %d ids", page, rec, len(ids))
				}
				if total == -1 {
					total = rec.TotalRecords
				} else if rec.TotalRecords != total {
					t.Fatalf("page %d: totalRecords %d, first page said %d", page, rec.TotalRecords, total)
				}
				got = append(got, ids...)
				if rec.Cursor == "" {
					break
				}
				if len(ids) != 100 {
					t.Fatalf("page %d has %d records and a cursor; want 100", page, len(ids))
				}
				cursor = rec.Cursor
			}
			if !slices.Equal(got, want) {
				t.Fatalf("paged %d ids, Truth has %d; equal order: %v", len(got), len(want), slices.Equal(got, want))
			}
			if total != len(want) {
				t.Errorf("totalRecords = %d, want %d", total, len(want))
			}
		})
	}

	t.Run("query cursor on POST is ignored", func(t *testing.T) {
		r := extensivePager(gong.CallsFilter{})(ts, "")
		var first gong.ExtensiveResponse
		r.decode(t, &first)
		r = ts.do("POST", "/v2/calls/extensive?cursor="+url.QueryEscape(first.Records.Cursor), fullRequest(gong.CallsFilter{}, ""))
		var again gong.ExtensiveResponse
		r.decode(t, &again)
		if again.Records.CurrentPageNumber != 0 || again.Calls[0].MetaData.ID != first.Calls[0].MetaData.ID {
			t.Errorf("query-string cursor on POST: got page %d starting at %s; want page 0 starting at %s",
				again.Records.CurrentPageNumber, again.Calls[0].MetaData.ID, first.Calls[0].MetaData.ID)
		}
	})
}

func TestUsersPagination(t *testing.T) {
	ts := newTestServer(t, Options{Calls: 8000}) // 200 users: two pages
	want := ts.sim.Users()
	for _, kind := range []string{"GET", "POST"} {
		t.Run(kind, func(t *testing.T) {
			var got []gong.User
			cursor := ""
			for page := 0; page < 100; page++ {
				var r response
				if kind == "GET" {
					r = ts.do("GET", "/v2/users?cursor="+url.QueryEscape(cursor), nil)
				} else {
					r = ts.do("POST", "/v2/users/extensive", gong.UsersRequest{Cursor: cursor, Filter: &gong.UsersFilter{}})
				}
				var ur gong.UsersResponse
				r.decode(t, &ur)
				if ur.Records.TotalRecords != len(want) {
					t.Fatalf("totalRecords = %d, want %d", ur.Records.TotalRecords, len(want))
				}
				got = append(got, ur.Users...)
				if cursor = ur.Records.Cursor; cursor == "" {
					break
				}
			}
			if len(got) != len(want) {
				t.Fatalf("paged %d users, want %d", len(got), len(want))
			}
			for i := range got {
				if got[i].ID != want[i].ID {
					t.Fatalf("user %d: got %s, want %s", i, got[i].ID, want[i].ID)
				}
			}
		})
	}
	t.Run("filter", func(t *testing.T) {
		ids := []gong.ID{want[3].ID, want[7].ID, "123"}
		r := ts.do("POST", "/v2/users/extensive", gong.UsersRequest{Filter: &gong.UsersFilter{UserIDs: ids}})
		var ur gong.UsersResponse
		r.decode(t, &ur)
		if len(ur.Users) != 2 || ur.Users[0].ID != want[3].ID || ur.Users[1].ID != want[7].ID {
			t.Errorf("userIds filter: got %+v", ur.Users)
		}
		from := want[50].Created.Time.Format(time.RFC3339)
		r = ts.do("POST", "/v2/users/extensive", gong.UsersRequest{Filter: &gong.UsersFilter{CreatedFromDateTime: from}})
		r.decode(t, &ur)
		if ur.Records.TotalRecords != len(want)-50 {
			t.Errorf("createdFromDateTime: %d users, want %d", ur.Records.TotalRecords, len(want)-50)
		}
	})
}

func TestCursorErrors(t *testing.T) {
	ts := newTestServer(t, Options{Calls: 2000})
	first := extensivePager(gong.CallsFilter{})(ts, "")
	var er gong.ExtensiveResponse
	first.decode(t, &er)
	cursor := er.Records.Cursor
	if !strings.HasPrefix(cursor, "eyJhbGciOiJIUzI1NiJ9.") || strings.Count(cursor, ".") != 2 {
		t.Fatalf("cursor %q does not look like Gong's HS256 JWT", cursor)
	}

	// Page 2 works; a cursor with another filter does not.
	if r := extensivePager(gong.CallsFilter{})(ts, cursor); r.status != 200 {
		t.Fatalf("page 2: %d %s", r.status, r.body)
	}
	r := extensivePager(gong.CallsFilter{WorkspaceID: string(ts.sim.Workspaces()[0].ID)})(ts, cursor)
	if r.status != 400 {
		t.Errorf("cursor with another filter: status %d, want 400", r.status)
	}
	r = ts.do("GET", "/v2/calls?cursor="+url.QueryEscape(cursor), nil)
	if r.status != 400 {
		t.Errorf("extensive cursor on GET /v2/calls: status %d, want 400", r.status)
	}
	r = extensivePager(gong.CallsFilter{})(ts, "not.a.cursor")
	if r.status != 400 {
		t.Errorf("garbage cursor: status %d, want 400", r.status)
	}

	// Expiry counts from the first request of the sequence, not the latest.
	ts.sim.Advance(40 * time.Minute)
	r = extensivePager(gong.CallsFilter{})(ts, cursor)
	var p2 gong.ExtensiveResponse
	r.decode(t, &p2)
	ts.sim.Advance(21 * time.Minute)
	r = extensivePager(gong.CallsFilter{})(ts, p2.Records.Cursor)
	if r.status != 400 || !slices.Contains(r.errorsOf(t), "cursor has expired") {
		t.Errorf("after 61 minutes: status %d %s; want 400 cursor has expired", r.status, r.body)
	}
}

func TestNotFound(t *testing.T) {
	ts := newTestServer(t, Options{Calls: 500})
	empty := gong.CallsFilter{FromDateTime: "2001-01-01T00:00:00Z", ToDateTime: "2001-02-01T00:00:00Z"}
	cases := map[string]struct {
		method, path string
		body         any
		want         string
	}{
		"extensive, empty window": {"POST", "/v2/calls/extensive", fullRequest(empty, ""), msgNoCalls},
		"extensive, unknown host": {"POST", "/v2/calls/extensive", fullRequest(gong.CallsFilter{PrimaryUserIDs: []gong.ID{"1"}}, ""), msgNoCalls},
		"extensive, unknown id":   {"POST", "/v2/calls/extensive", fullRequest(gong.CallsFilter{CallIDs: []gong.ID{"1234567890123456789"}}, ""), msgNoCalls},
		"calls, empty window":     {"GET", "/v2/calls?fromDateTime=2001-01-01T00:00:00Z&toDateTime=2001-02-01T00:00:00Z", nil, msgNoCalls},
		"transcript, empty":       {"POST", "/v2/calls/transcript", map[string]any{"filter": empty}, msgNoCalls},
		"users, unknown id":       {"POST", "/v2/users/extensive", gong.UsersRequest{Filter: &gong.UsersFilter{UserIDs: []gong.ID{"1"}}}, msgNoUsers},
		"call by id":              {"GET", "/v2/calls/1234567890123456789", nil, "Call ID was not found"},
		"profiles of unknown ws":  {"GET", "/v2/all-permission-profiles?workspaceId=1", nil, "Workspace not found"},
		"trackers of unknown ws":  {"GET", "/v2/settings/trackers?workspaceId=1", nil, "Workspace not found"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := ts.do(tc.method, tc.path, tc.body)
			if r.status != 404 || !slices.Contains(r.errorsOf(t), tc.want) {
				t.Errorf("got %d %s; want 404 %q", r.status, r.body, tc.want)
			}
		})
	}
}

func TestBadRequests(t *testing.T) {
	ts := newTestServer(t, Options{Calls: 500})
	cases := map[string]struct {
		method, path string
		body         any
		want         string // part of an error message
	}{
		"empty callIds":          {"POST", "/v2/calls/extensive", `{"filter":{"callIds":[]}}`, "callIds"},
		"no filter":              {"POST", "/v2/calls/extensive", `{}`, "Json parse error"},
		"null filter":            {"POST", "/v2/calls/extensive", `{"filter":null}`, "Json parse error"},
		"users without filter":   {"POST", "/v2/users/extensive", `{}`, "Json parse error"},
		"transcript, no filter":  {"POST", "/v2/calls/transcript", `{"cursor":""}`, "Json parse error"},
		"malformed JSON":         {"POST", "/v2/calls/extensive", `{"filter":{`, "Json parse error"},
		"not JSON":               {"POST", "/v2/calls/extensive", `filter=1`, "Json parse error"},
		"from not before to":     {"POST", "/v2/calls/extensive", `{"filter":{"fromDateTime":"2026-01-02T00:00:00Z","toDateTime":"2026-01-01T00:00:00Z"}}`, "must be before toDateTime"},
		"from equals to":         {"POST", "/v2/calls/extensive", `{"filter":{"fromDateTime":"2026-01-01T00:00:00Z","toDateTime":"2026-01-01T00:00:00Z"}}`, "must be before toDateTime"},
		"unparsable date":        {"POST", "/v2/calls/extensive", `{"filter":{"fromDateTime":"yesterday"}}`, "fromDateTime"},
		"date without offset":    {"POST", "/v2/calls/extensive", `{"filter":{"toDateTime":"2026-01-01T00:00:00"}}`, "toDateTime"},
		"GET from after to":      {"GET", "/v2/calls?fromDateTime=2026-01-02T00:00:00Z&toDateTime=2026-01-01T00:00:00Z", nil, "must be before toDateTime"},
		"GET unparsable date":    {"GET", "/v2/calls?fromDateTime=2026-13-01", nil, "fromDateTime"},
		"bad context":            {"POST", "/v2/calls/extensive", `{"filter":{},"contentSelector":{"context":"Everything"}}`, "context"},
		"profiles without ws":    {"GET", "/v2/all-permission-profiles", nil, "workspaceId"},
		"profile users without":  {"GET", "/v2/permission-profile/users", nil, "profileId"},
		"users, empty userIds":   {"POST", "/v2/users/extensive", `{"filter":{"userIds":[]}}`, "userIds"},
		"users, bad created":     {"POST", "/v2/users/extensive", `{"filter":{"createdFromDateTime":"x"}}`, "createdFromDateTime"},
		"empty primaryUserIds":   {"POST", "/v2/calls/extensive", `{"filter":{"primaryUserIds":[]}}`, "primaryUserIds"},
		"trailing data":          {"POST", "/v2/calls/extensive", `{"filter":{}} {}`, "Json parse error"},
		"wrong type for callIds": {"POST", "/v2/calls/extensive", `{"filter":{"callIds":"123"}}`, "Json parse error"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := ts.do(tc.method, tc.path, tc.body)
			if r.status != 400 {
				t.Fatalf("status %d %s; want 400", r.status, r.body)
			}
			var e gong.ErrorResponse
			r.decode(t, &e)
			if e.RequestID == "" || len(e.Errors) == 0 || !strings.Contains(strings.Join(e.Errors, "; "), tc.want) {
				t.Errorf("errors %+v; want a requestId and a message containing %q", e, tc.want)
			}
		})
	}
	t.Run("empty filter is fine", func(t *testing.T) {
		if r := ts.do("POST", "/v2/calls/extensive", `{"filter":{}}`); r.status != 200 {
			t.Errorf(`{"filter":{}}: status %d`, r.status)
		}
	})
}

func TestAuth(t *testing.T) {
	ts := newTestServer(t, Options{Calls: 200, AccessKey: testKey, AccessKeySecret: testSecret})
	cases := map[string]struct {
		key, secret string
		want        int
	}{
		"right keys":   {testKey, testSecret, 200},
		"wrong secret": {testKey, "nope", 401},
		"wrong key":    {"nope", testSecret, 401},
		"no header":    {"", "", 401},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := ts.doAuth("GET", "/v2/workspaces", nil, tc.key, tc.secret)
			if r.status != tc.want {
				t.Fatalf("status %d, want %d", r.status, tc.want)
			}
			if tc.want == 401 {
				var e gong.ErrorResponse
				r.decode(t, &e)
				if e.RequestID == "" || len(e.Errors) == 0 {
					t.Errorf("401 body %s: want requestId and errors", r.body)
				}
			}
		})
	}
	if r := ts.doAuth("GET", "/_sim/now", nil, "", ""); r.status != 200 {
		t.Errorf("admin endpoint without auth: %d", r.status)
	}
	if got := ts.sim.Stats().Unauthorized; got != 3 {
		t.Errorf("stats: %d unauthorized, want 3", got)
	}
}

func TestRateLimit(t *testing.T) {
	// 0.01 request/s: a burst of one, then 429 for the next 100 seconds, so
	// a slow machine cannot make the test flaky.
	ts := newTestServer(t, Options{Calls: 200, Rate: 0.01})
	if r := ts.do("GET", "/v2/workspaces", nil); r.status != 200 {
		t.Fatalf("first request: %d", r.status)
	}
	r := ts.do("GET", "/v2/workspaces", nil)
	if r.status != 429 {
		t.Fatalf("second request: status %d, want 429", r.status)
	}
	ra, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || ra < 1 || ra > 100 {
		t.Errorf("Retry-After %q: want 1..100 seconds", r.header.Get("Retry-After"))
	}
	if len(r.errorsOf(t)) == 0 {
		t.Errorf("429 without errors: %s", r.body)
	}
	if r := ts.doAuth("GET", "/_sim/stats", nil, "", ""); r.status != 200 {
		t.Errorf("admin endpoints are rate limited: %d", r.status)
	}
	if st := ts.sim.Stats(); st.TooManyRequests != 1 || st.Total != 2 {
		t.Errorf("stats %+v: want 2 requests, one 429", st)
	}
}

func TestDailyLimit(t *testing.T) {
	ts := newTestServer(t, Options{Calls: 200, DailyLimit: 3})
	for i := range 3 {
		if r := ts.do("GET", "/v2/workspaces", nil); r.status != 200 {
			t.Fatalf("request %d: %d", i, r.status)
		}
	}
	for range 2 { // refused requests consume nothing
		r := ts.do("GET", "/v2/workspaces", nil)
		if r.status != 429 {
			t.Fatalf("past the limit: status %d", r.status)
		}
		midnight := time.Date(testNow.Year(), testNow.Month(), testNow.Day()+1, 0, 0, 0, 0, time.UTC)
		if got, want := r.header.Get("Retry-After"), strconv.Itoa(int(midnight.Sub(testNow).Seconds())); got != want {
			t.Errorf("Retry-After = %s, want %s (seconds to the next UTC midnight)", got, want)
		}
	}
	ts.sim.Advance(12 * time.Hour)
	for i := range 3 {
		if r := ts.do("GET", "/v2/workspaces", nil); r.status != 200 {
			t.Fatalf("next day, request %d: %d", i, r.status)
		}
	}
	if r := ts.do("GET", "/v2/workspaces", nil); r.status != 429 {
		t.Fatalf("next day past the limit: status %d", r.status)
	}
}

func TestAdminEndpoints(t *testing.T) {
	ts := newTestServer(t, Options{Calls: 200})
	r := ts.doAuth("POST", "/_sim/advance?by=90m", nil, "", "")
	var now struct{ Now string }
	r.decode(t, &now)
	if want := testNow.Add(90 * time.Minute).Format(time.RFC3339); now.Now != want || !ts.sim.Now().Equal(testNow.Add(90*time.Minute)) {
		t.Errorf("advance: now %s, want %s", now.Now, want)
	}
	if r := ts.doAuth("POST", "/_sim/advance?by=2d", nil, "", ""); r.status != 200 || !ts.sim.Now().Equal(testNow.Add(49*time.Hour+30*time.Minute)) {
		t.Errorf("advance by 2d: %d, now %s", r.status, ts.sim.Now())
	}
	if r := ts.doAuth("POST", "/_sim/advance?by=soon", nil, "", ""); r.status != 400 {
		t.Errorf("advance by=soon: %d, want 400", r.status)
	}
	ts.do("GET", "/v2/workspaces", nil)
	r = ts.doAuth("GET", "/_sim/stats", nil, "", "")
	var st Stats
	r.decode(t, &st)
	if st.Total != 1 || st.Endpoints["GET /v2/workspaces"] != 1 {
		t.Errorf("stats %+v", st)
	}
	ts.sim.ResetStats()
	if st := ts.sim.Stats(); st.Total != 0 {
		t.Errorf("after ResetStats: %+v", st)
	}
	r = ts.doAuth("GET", "/_sim/examples", nil, "", "")
	var ex map[string]string
	r.decode(t, &ex)
	if ex[ExampleAcme] == "" {
		t.Errorf("examples: %v", ex)
	}
}
