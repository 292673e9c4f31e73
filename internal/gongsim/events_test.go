package gongsim

import (
	"slices"
	"testing"
	"time"

	"gongconnector/internal/gong"
)

// recentCall returns a listed, non-example call that started within the
// last two days, with content.
func recentCall(t *testing.T, s *Sim, skip int) gong.ExtensiveCall {
	t.Helper()
	var out []gong.ExtensiveCall
	now := s.Now()
	s.Truth(func(c gong.ExtensiveCall) bool {
		if c.MetaData.Started.After(now.Add(-96*time.Hour)) && c.Content != nil && c.Content.Brief != "" && !c.MetaData.IsPrivate && len(c.Parties) > 0 {
			out = append(out, c)
		}
		return true
	})
	if len(out) <= skip {
		t.Fatalf("only %d recent calls", len(out))
	}
	return out[skip]
}

func TestApplyCallEvents(t *testing.T) {
	ts := newTestServer(t, Options{Calls: 3000})
	ws := ts.sim.Workspaces()
	cases := map[string]struct {
		ev    func(c gong.ExtensiveCall) Event
		check func(t *testing.T, before gong.ExtensiveCall)
	}{
		"edit": {
			ev: func(c gong.ExtensiveCall) Event { return Event{Kind: EventEditCall, CallID: string(c.MetaData.ID)} },
			check: func(t *testing.T, before gong.ExtensiveCall) {
				after, r := ts.extensiveByID(string(before.MetaData.ID))
				if r.status != 200 {
					t.Fatalf("status %d", r.status)
				}
				if after.MetaData.Title == before.MetaData.Title && after.Content.Brief == before.Content.Brief {
					t.Errorf("title and brief unchanged after an edit: %q", after.MetaData.Title)
				}
				if after.Content.Brief == before.Content.Brief || slices.Equal(after.Content.KeyPoints, before.Content.KeyPoints) {
					t.Errorf("brief or key points unchanged after an edit")
				}
				if after.MetaData.Started != before.MetaData.Started || len(after.Parties) != len(before.Parties) {
					t.Errorf("an edit changed facts: %v %v", after.MetaData.Started, before.MetaData.Started)
				}
			},
		},
		"delete": {
			ev: func(c gong.ExtensiveCall) Event { return Event{Kind: EventDeleteCall, CallID: string(c.MetaData.ID)} },
			check: func(t *testing.T, before gong.ExtensiveCall) {
				id := string(before.MetaData.ID)
				if r := ts.do("GET", "/v2/calls/"+id, nil); r.status != 404 {
					t.Errorf("GET deleted call: %d", r.status)
				}
				if _, r := ts.extensiveByID(id); r.status != 404 {
					t.Errorf("extensive of a deleted call: %d", r.status)
				}
				if slices.Contains(truthIDs(ts.sim), id) {
					t.Errorf("Truth still lists the deleted call")
				}
			},
		},
		"private and back": {
			ev: func(c gong.ExtensiveCall) Event { return Event{Kind: EventPrivateCall, CallID: string(c.MetaData.ID)} },
			check: func(t *testing.T, before gong.ExtensiveCall) {
				id := string(before.MetaData.ID)
				var cr gong.CallResponse
				ts.do("GET", "/v2/calls/"+id, nil).decode(t, &cr)
				if !cr.Call.IsPrivate {
					t.Errorf("call not private after EventPrivateCall")
				}
				if c, ok := truthCall(ts.sim, id); !ok || !c.MetaData.IsPrivate {
					t.Errorf("Truth: private call missing or not flagged")
				}
				if err := ts.sim.Apply(Event{Kind: EventPublicCall, CallID: id}); err != nil {
					t.Fatal(err)
				}
				ts.do("GET", "/v2/calls/"+id, nil).decode(t, &cr)
				if cr.Call.IsPrivate {
					t.Errorf("call still private after EventPublicCall")
				}
			},
		},
		"move": {
			ev: func(c gong.ExtensiveCall) Event {
				for _, w := range ws {
					if w.ID != c.MetaData.WorkspaceID {
						return Event{Kind: EventMoveCall, CallID: string(c.MetaData.ID), WorkspaceID: string(w.ID)}
					}
				}
				panic("one workspace")
			},
			check: func(t *testing.T, before gong.ExtensiveCall) {
				after, _ := ts.extensiveByID(string(before.MetaData.ID))
				if after.MetaData.WorkspaceID == before.MetaData.WorkspaceID {
					t.Errorf("workspace unchanged after a move")
				}
				r := ts.do("POST", "/v2/calls/extensive", fullRequest(gong.CallsFilter{
					WorkspaceID: string(before.MetaData.WorkspaceID), CallIDs: []gong.ID{before.MetaData.ID}}, ""))
				if r.status != 404 {
					t.Errorf("moved call still listed in its old workspace: %d", r.status)
				}
			},
		},
	}
	k := 0
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			before := recentCall(t, ts.sim, k)
			k++
			if err := ts.sim.Apply(tc.ev(before)); err != nil {
				t.Fatal(err)
			}
			tc.check(t, before)
		})
	}
	t.Run("errors", func(t *testing.T) {
		for _, ev := range []Event{
			{Kind: EventEditCall, CallID: "1"},
			{Kind: EventMoveCall, CallID: truthIDs(ts.sim)[0], WorkspaceID: "1"},
			{Kind: EventActiveChange, UserID: "1"},
			{Kind: "explode"},
		} {
			if err := ts.sim.Apply(ev); err == nil {
				t.Errorf("Apply(%+v) succeeded", ev)
			}
		}
	})
}

func TestApplyNewCall(t *testing.T) {
	ts := newTestServer(t, Options{Calls: 1000})
	before := len(truthIDs(ts.sim))
	if err := ts.sim.Apply(Event{Kind: EventNewCall}); err != nil {
		t.Fatal(err)
	}
	evs := ts.sim.Events()
	id := evs[len(evs)-1].CallID
	if len(evs) != 1 || id == "" {
		t.Fatalf("events %+v", evs)
	}
	if got := len(truthIDs(ts.sim)); got != before+1 {
		t.Errorf("Truth lists %d calls, want %d", got, before+1)
	}
	c, r := ts.extensiveByID(id)
	if r.status != 200 || c.MetaData.Started.After(ts.sim.Now()) {
		t.Fatalf("new call: %d, started %v", r.status, c.MetaData.Started)
	}
	ts.sim.Advance(6*time.Hour + time.Minute)
	c, _ = ts.extensiveByID(id)
	if c.Content == nil || c.Content.Brief == "" || len(c.Content.KeyPoints) == 0 {
		t.Errorf("new call has no content six hours later")
	}
}

func TestApplyUserEvents(t *testing.T) {
	ts := newTestServer(t, Options{Calls: 2000})
	users := ts.sim.Users()
	ws := string(ts.sim.Workspaces()[1].ID)
	profiles := ts.sim.Profiles(ws)
	var rep, mgr gong.User
	for _, u := range users {
		if u.Title == "Account Executive" && u.ManagerID != "" && rep.ID == "" {
			rep = u
		}
		if u.Title == "Sales Manager" && mgr.ID == "" {
			mgr = u
		}
	}
	getUser := func(id gong.ID) gong.User {
		var ur struct{ User gong.User }
		ts.do("GET", "/v2/users/"+string(id), nil).decode(t, &ur)
		return ur.User
	}
	members := func(profileID gong.ID) []string {
		var pr gong.ProfileUsersResponse
		ts.do("GET", "/v2/permission-profile/users?profileId="+string(profileID), nil).decode(t, &pr)
		var ids []string
		for _, u := range pr.Users {
			ids = append(ids, string(u.ID))
		}
		return ids
	}

	target := profiles[0].Profile.ID
	if err := ts.sim.Apply(Event{Kind: EventProfileChange, UserID: string(rep.ID), WorkspaceID: ws, ProfileID: string(target)}); err != nil {
		t.Fatal(err)
	}
	for _, p := range ts.sim.Profiles(ws) {
		in := slices.Contains(members(p.Profile.ID), string(rep.ID))
		if in != (p.Profile.ID == target) {
			t.Errorf("after the profile change, member of %q = %v", p.Profile.Name, in)
		}
	}
	if err := ts.sim.Apply(Event{Kind: EventProfileChange, UserID: string(rep.ID), WorkspaceID: ws}); err != nil {
		t.Fatal(err)
	}
	for _, p := range ts.sim.Profiles(ws) {
		if slices.Contains(p.MemberIDs, string(rep.ID)) {
			t.Errorf("removed user still in %q", p.Profile.Name)
		}
	}
	if err := ts.sim.Apply(Event{Kind: EventProfileChange, UserID: string(rep.ID), WorkspaceID: ws, ProfileID: "1"}); err == nil {
		t.Errorf("profile change to an unknown profile succeeded")
	}

	if err := ts.sim.Apply(Event{Kind: EventManagerChange, UserID: string(rep.ID), ManagerID: string(mgr.ID)}); err != nil {
		t.Fatal(err)
	}
	if got := getUser(rep.ID).ManagerID; got != mgr.ID {
		t.Errorf("managerId = %s, want %s", got, mgr.ID)
	}
	if err := ts.sim.Apply(Event{Kind: EventManagerChange, UserID: string(mgr.ID), ManagerID: string(rep.ID)}); err == nil {
		t.Errorf("a manager cycle was accepted")
	}
	if err := ts.sim.Apply(Event{Kind: EventActiveChange, UserID: string(rep.ID), Active: false}); err != nil {
		t.Fatal(err)
	}
	if getUser(rep.ID).Active {
		t.Errorf("user still active")
	}
	if err := ts.sim.Apply(Event{Kind: EventActiveChange, UserID: string(rep.ID), Active: true}); err != nil {
		t.Fatal(err)
	}
	if !getUser(rep.ID).Active {
		t.Errorf("user not active again")
	}
}

// TestLatePublication: a call is listed only from publishedAt, and its AI
// content appears only from contentAt.
func TestLatePublication(t *testing.T) {
	ts := newTestServer(t, Options{Calls: 2000})
	s := ts.sim
	now := s.Now().Unix()
	var ref int32 = -1
	for _, r := range s.order {
		if int(r) < s.nBase && s.startS[r] > now && s.contentDelay[r] > 1800 && s.flags[r]&flagNoParties == 0 {
			ref = r
			break
		}
	}
	if ref < 0 {
		t.Fatal("no future call")
	}
	id := s.callID(ref)
	if r := ts.do("GET", "/v2/calls/"+id, nil); r.status != 404 {
		t.Fatalf("a call not yet published answered %d", r.status)
	}
	s.Advance(time.Duration(s.publishedAt(ref)-now) * time.Second)
	c, r := ts.extensiveByID(id)
	if r.status != 200 {
		t.Fatalf("published call: %d", r.status)
	}
	if len(c.Parties) == 0 || c.MetaData.Title == "" || c.Content == nil || len(c.Content.Trackers) == 0 {
		t.Errorf("published call lacks metadata, parties or trackers: %+v", c)
	}
	if c.Content.Brief != "" || len(c.Content.KeyPoints) > 0 || c.Content.PointsOfInterest != nil || len(c.Content.Topics) > 0 {
		t.Errorf("AI content before contentAt: %+v", c.Content)
	}
	s.Advance(time.Duration(s.contentDelay[ref]) * time.Second)
	c, _ = ts.extensiveByID(id)
	if c.Content.Brief == "" || len(c.Content.KeyPoints) == 0 || c.Content.PointsOfInterest == nil || len(c.Content.Topics) == 0 || c.Content.CallOutcome == nil {
		t.Errorf("no AI content at contentAt: %+v", c.Content)
	}
}

// TestTimeline: seeded changes happen as the clock moves, the same whatever
// the step sizes.
func TestTimeline(t *testing.T) {
	mk := func() *Sim {
		s, err := New(Options{Seed: 11, Calls: 2000, Now: testNow, Timeline: true})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := mk(), mk()
	a.Advance(12 * time.Hour)
	for range 72 {
		b.Advance(10 * time.Minute)
	}
	ea, eb := a.Events(), b.Events()
	if len(ea) < 12 || len(ea) > 120 {
		t.Errorf("%d events in 12 virtual hours; want a handful per hour", len(ea))
	}
	if !slices.Equal(ea, eb) {
		t.Fatalf("events depend on step sizes:\n%v\n%v", ea, eb)
	}
	if fingerprint(t, a) != fingerprint(t, b) {
		t.Errorf("tenants differ after the same virtual time")
	}
	kinds := map[EventKind]int{}
	recent := 0
	for _, e := range ea {
		kinds[e.Kind]++
		if e.CallID != "" {
			if ref, ok := a.refOf(e.CallID); ok && a.startS[ref] > e.At-4*dayS {
				recent++
			}
		}
	}
	if kinds[EventNewCall] == 0 || kinds[EventEditCall] == 0 {
		t.Errorf("event kinds %v", kinds)
	}
	if calls := kinds[EventNewCall] + kinds[EventEditCall] + kinds[EventDeleteCall] + kinds[EventPrivateCall] + kinds[EventMoveCall]; recent < calls/2 {
		t.Errorf("%d of %d call events touch recent calls; want most", recent, calls)
	}
	// Without Timeline nothing happens.
	s, _ := New(Options{Seed: 11, Calls: 2000, Now: testNow})
	s.Advance(12 * time.Hour)
	if n := len(s.Events()); n != 0 {
		t.Errorf("%d events with Timeline off", n)
	}
}
