package gongsim

import (
	"net/url"
	"testing"
	"time"

	"gongconnector/internal/gong"
)

// listAll pages through POST /v2/calls/extensive with a filter.
func (ts *testServer) listAll(f gong.CallsFilter) []gong.ExtensiveCall {
	ts.t.Helper()
	var out []gong.ExtensiveCall
	cursor := ""
	for {
		r := ts.do("POST", "/v2/calls/extensive", fullRequest(f, cursor))
		if r.status == 404 {
			return out
		}
		var er gong.ExtensiveResponse
		r.decode(ts.t, &er)
		out = append(out, er.Calls...)
		if cursor = er.Records.Cursor; cursor == "" {
			return out
		}
	}
}

func TestFilters(t *testing.T) {
	ts := newTestServer(t, Options{Calls: 2000})
	var all []gong.ExtensiveCall
	ts.sim.Truth(func(c gong.ExtensiveCall) bool { all = append(all, c); return true })
	pick := all[700]
	from := pick.MetaData.Started.Time
	to := all[760].MetaData.Started.Time
	cases := map[string]struct {
		filter gong.CallsFilter
		want   func(c gong.ExtensiveCall) bool
	}{
		"from inclusive, to exclusive": {
			gong.CallsFilter{FromDateTime: from.Format(time.RFC3339), ToDateTime: to.Format(time.RFC3339)},
			func(c gong.ExtensiveCall) bool {
				return !c.MetaData.Started.Before(from) && c.MetaData.Started.Before(to)
			},
		},
		"offsets and fractions": {
			gong.CallsFilter{FromDateTime: from.Add(-500 * time.Millisecond).In(time.FixedZone("", 5*3600+1800)).Format(time.RFC3339Nano)},
			func(c gong.ExtensiveCall) bool { return !c.MetaData.Started.Before(from.Add(-500 * time.Millisecond)) },
		},
		"workspace": {
			gong.CallsFilter{WorkspaceID: string(pick.MetaData.WorkspaceID)},
			func(c gong.ExtensiveCall) bool { return c.MetaData.WorkspaceID == pick.MetaData.WorkspaceID },
		},
		"host": {
			gong.CallsFilter{PrimaryUserIDs: []gong.ID{pick.MetaData.PrimaryUserID, "1"}},
			func(c gong.ExtensiveCall) bool { return c.MetaData.PrimaryUserID == pick.MetaData.PrimaryUserID },
		},
		"call ids within a window": {
			gong.CallsFilter{CallIDs: []gong.ID{all[5].MetaData.ID, pick.MetaData.ID, all[1500].MetaData.ID, "42"},
				FromDateTime: from.Format(time.RFC3339)},
			func(c gong.ExtensiveCall) bool {
				return c.MetaData.ID == pick.MetaData.ID || c.MetaData.ID == all[1500].MetaData.ID
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var want []gong.ID
			for _, c := range all {
				if tc.want(c) {
					want = append(want, c.MetaData.ID)
				}
			}
			got := ts.listAll(tc.filter)
			if len(got) != len(want) || len(want) == 0 {
				t.Fatalf("%d calls, want %d", len(got), len(want))
			}
			for i := range got {
				if got[i].MetaData.ID != want[i] {
					t.Fatalf("call %d: %s, want %s", i, got[i].MetaData.ID, want[i])
				}
			}
		})
	}
	t.Run("GET workspace filter", func(t *testing.T) {
		q := url.Values{"workspaceId": {string(pick.MetaData.WorkspaceID)}}
		var cr gong.CallsResponse
		ts.do("GET", "/v2/calls?"+q.Encode(), nil).decode(t, &cr)
		for _, c := range cr.Calls {
			if c.WorkspaceID != pick.MetaData.WorkspaceID {
				t.Fatalf("call in workspace %s", c.WorkspaceID)
			}
		}
	})
}

func TestContentSelector(t *testing.T) {
	ts := newTestServer(t, Options{Calls: 1000})
	id := truthIDs(ts.sim)[500]
	get := func(body string) gong.ExtensiveCall {
		t.Helper()
		var er gong.ExtensiveResponse
		ts.do("POST", "/v2/calls/extensive", body).decode(t, &er)
		return er.Calls[0]
	}
	filter := `"filter":{"callIds":["` + id + `"]}`

	c := get(`{` + filter + `}`)
	if c.Parties != nil || c.Context != nil || c.Content != nil || c.MetaData.Title == "" {
		t.Errorf("no selector: want metadata only, got %+v", c)
	}
	c = get(`{` + filter + `,"contentSelector":{"context":"Basic"}}`)
	if len(c.Context) == 0 || len(c.Context[0].Objects) == 0 || c.Context[0].Objects[0].Fields != nil || c.Context[0].Objects[0].ObjectID == nil {
		t.Errorf("Basic context: want objects with ids and no fields, got %+v", c.Context)
	}
	c = get(`{` + filter + `,"contentSelector":{"context":"Extended","contextTiming":["Now","TimeOfCall"]}}`)
	timings := map[string]int{}
	for _, o := range c.Context[0].Objects {
		timings[o.Timing]++
		if len(o.Fields) == 0 {
			t.Errorf("Extended context object without fields: %+v", o)
		}
	}
	if timings["Now"] == 0 || timings["Now"] != timings["TimeOfCall"] {
		t.Errorf("both timings: got %v", timings)
	}
	c = get(`{` + filter + `,"contentSelector":{"exposedFields":{"content":{"brief":true,"topics":true}}}}`)
	ct := c.Content
	if ct == nil || ct.Brief == "" || len(ct.Topics) == 0 || ct.KeyPoints != nil || ct.Trackers != nil || ct.PointsOfInterest != nil ||
		ct.Outline != nil || ct.Highlights != nil || ct.CallOutcome != nil || ct.Structure != nil || c.Parties != nil {
		t.Errorf("brief and topics only: got %+v", ct)
	}
	c = get(`{` + filter + `,"contentSelector":{"exposedFields":{"parties":true,"content":{"trackers":true}}}}`)
	if len(c.Parties) == 0 || len(c.Content.Trackers) == 0 || c.Content.Trackers[0].Phrases[0].Occurrences != nil {
		t.Errorf("trackers without occurrences: got %+v", c.Content)
	}
}

func TestSpeed(t *testing.T) {
	s, err := New(Options{Calls: 100, Now: testNow, Speed: 1e6})
	if err != nil {
		t.Fatal(err)
	}
	a := s.Now()
	for s.Now().Equal(a) { // a microsecond of wall time is a virtual second
	}
	if s.Now().Before(a) {
		t.Errorf("the clock went backwards")
	}
	s.Advance(time.Hour)
	if d := s.Now().Sub(a); d < time.Hour {
		t.Errorf("after Advance(1h) the clock moved %s", d)
	}
	frozen, _ := New(Options{Calls: 100, Now: testNow})
	if !frozen.Now().Equal(testNow) {
		t.Errorf("frozen clock at %s, want %s", frozen.Now(), testNow)
	}
}
