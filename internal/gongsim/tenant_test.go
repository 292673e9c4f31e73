package gongsim

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"gongconnector/internal/gong"
)

// fingerprint hashes everything a crawler can see of a tenant.
func fingerprint(t *testing.T, s *Sim) string {
	t.Helper()
	h := sha256.New()
	enc := json.NewEncoder(h)
	s.Truth(func(c gong.ExtensiveCall) bool {
		enc.Encode(c)
		return true
	})
	enc.Encode(s.Users())
	enc.Encode(s.Workspaces())
	for _, w := range s.Workspaces() {
		enc.Encode(s.Profiles(string(w.ID)))
	}
	enc.Encode(ExampleCalls(s))
	return fmt.Sprintf("%x", h.Sum(nil))
}

func TestDeterminism(t *testing.T) {
	mk := func(seed int64) *Sim {
		s, err := New(Options{Seed: seed, Calls: 1500, Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b, c := fingerprint(t, mk(1)), fingerprint(t, mk(1)), fingerprint(t, mk(2))
	if a != b {
		t.Errorf("same seed, different tenants")
	}
	if a == c {
		t.Errorf("different seeds, same tenant")
	}
	// Content does not depend on what is selected.
	s := mk(3)
	var g gen
	for ref := int32(0); ref < 200; ref++ {
		full := fullSelector()
		brief := selector{context: "None", brief: true, keyPoints: true}
		x := s.extensive(&g, ref, testNow.Unix()+10*dayS, &full)
		y := s.extensive(&g, ref, testNow.Unix()+10*dayS, &brief)
		if x.Content.Brief != y.Content.Brief || len(x.Content.KeyPoints) != len(y.Content.KeyPoints) {
			t.Fatalf("call %d reads differently depending on the selection", ref)
		}
	}
}

func TestCallLayout(t *testing.T) {
	s, err := New(Options{Seed: 5, Calls: 5000, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for ref := range int32(s.nBase) {
		if ref > 0 && s.startS[ref] <= s.startS[ref-1] {
			t.Fatalf("start of call %d is not after call %d", ref, ref-1)
		}
		id := s.callID(ref)
		if len(id) < 18 || len(id) > 19 || ids[id] {
			t.Fatalf("call %d: id %q is not a unique 18-19 digit id", ref, id)
		}
		ids[id] = true
		if back, ok := s.refOf(id); !ok || back != ref {
			t.Fatalf("id %s decodes to %d, want %d", id, back, ref)
		}
	}
	first := time.Unix(s.startS[0], 0)
	last := time.Unix(s.startS[s.nBase-1], 0)
	if span := last.Sub(first); span < 700*24*time.Hour || span > 760*24*time.Hour {
		t.Errorf("calls span %s; want about two years", span)
	}
	future := 0
	for ref := range int32(s.nBase) {
		if s.startS[ref] > testNow.Unix() {
			future++
		}
	}
	if future < 30 || future > 80 {
		t.Errorf("%d of 5000 calls start after the clock; want about 1%%", future)
	}
}

func TestTenantShape(t *testing.T) {
	s, err := New(Options{Seed: 9, Calls: 4000, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	users := s.Users()
	if len(users) != 100 {
		t.Errorf("%d users for 4000 calls; want 100", len(users))
	}
	byID := map[gong.ID]gong.User{}
	inactive, aliases, tops := 0, 0, 0
	for _, u := range users {
		byID[u.ID] = u
		if !u.Active {
			inactive++
		}
		if len(u.EmailAliases) > 0 {
			aliases++
		}
		if u.ManagerID == "" {
			tops++
		}
		if u.Title == "" || !strings.Contains(u.EmailAddress, "@") {
			t.Errorf("user %+v lacks a title or an email", u)
		}
	}
	if inactive == 0 || aliases == 0 || tops < 1 {
		t.Errorf("%d inactive, %d with aliases, %d without manager", inactive, aliases, tops)
	}
	depth := 0
	for _, u := range users {
		d := 1
		for m := u.ManagerID; m != ""; m = byID[m].ManagerID {
			d++
			if d > 20 {
				t.Fatal("cycle in the reporting tree")
			}
		}
		depth = max(depth, d)
	}
	if depth < 5 || depth > 7 {
		t.Errorf("tree depth %d; want about 6", depth)
	}

	ws := s.Workspaces()
	if len(ws) < 3 || len(ws) > 5 {
		t.Fatalf("%d workspaces", len(ws))
	}
	for _, w := range ws {
		profiles := s.Profiles(string(w.ID))
		levels := map[string]int{}
		member := map[string]string{}
		trailing, leftoverAll, leftoverNone, mtNull, mtLeads, rtNull, rtLeads := false, false, false, false, false, false, false
		for _, p := range profiles {
			lvl := p.Profile.CallsAccess.PermissionLevel
			levels[lvl]++
			leads := p.Profile.CallsAccess.TeamLeadIDs
			trailing = trailing || strings.HasSuffix(p.Profile.Name, " ")
			leftoverAll = leftoverAll || (lvl == "all" && len(leads) > 0)
			leftoverNone = leftoverNone || (lvl == "none" && len(leads) > 0)
			mtNull = mtNull || (lvl == "managers-team" && leads == nil)
			mtLeads = mtLeads || (lvl == "managers-team" && len(leads) > 0)
			rtNull = rtNull || (lvl == "report-to-them" && leads == nil)
			rtLeads = rtLeads || (lvl == "report-to-them" && len(leads) > 0)
			for _, m := range p.MemberIDs {
				if prev, ok := member[m]; ok {
					t.Errorf("workspace %s: user %s in profiles %s and %s", w.Name, m, prev, p.Profile.Name)
				}
				member[m] = p.Profile.Name
			}
		}
		for _, l := range []string{"all", "managers-team", "report-to-them", "own", "none"} {
			if levels[l] == 0 {
				t.Errorf("workspace %s has no %q profile", w.Name, l)
			}
		}
		if !trailing || !leftoverAll || !leftoverNone || !mtNull || !mtLeads || !rtNull || !rtLeads {
			t.Errorf("workspace %s lacks a profile variant: trailing %v, all+leads %v, none+leads %v, managers-team null %v / leads %v, report-to-them null %v / leads %v",
				w.Name, trailing, leftoverAll, leftoverNone, mtNull, mtLeads, rtNull, rtLeads)
		}
		if len(member) == len(users) {
			t.Errorf("workspace %s: every user has a profile; want some without", w.Name)
		}
	}

	var n, noParties, noContext, private, phone, emailOnly, extraDeal int
	accounts := map[string]bool{}
	s.Truth(func(c gong.ExtensiveCall) bool {
		n++
		if len(c.Parties) == 0 {
			noParties++
		}
		if len(c.Context) == 0 {
			noContext++
		} else {
			for _, o := range c.Context[0].Objects {
				if o.ObjectType == "Account" {
					for _, f := range o.Fields {
						if f.Name == "Name" {
							accounts[f.String()] = true
						}
					}
				}
				if o.ObjectType == "Opportunity" && len(c.Context[0].Objects) > 2 {
					extraDeal++
				}
			}
		}
		if c.MetaData.IsPrivate {
			private++
		}
		for _, p := range c.Parties {
			if p.Affiliation == "Unknown" && p.EmailAddress == "" {
				phone++
			}
			if p.Affiliation == "Internal" && p.UserID == "" && p.EmailAddress != "" {
				emailOnly++
			}
		}
		return true
	})
	pct := func(k int) float64 { return 100 * float64(k) / float64(n) }
	if p := pct(noParties); p < 1.5 || p > 5 {
		t.Errorf("%.1f%% of calls without parties; want about 3%%", p)
	}
	if p := pct(noContext); p < 7 || p > 13 {
		t.Errorf("%.1f%% of calls without context; want about 10%%", p)
	}
	if p := pct(private); p < 1 || p > 3.5 {
		t.Errorf("%.1f%% private calls; want about 2%%", p)
	}
	if phone == 0 || emailOnly == 0 || extraDeal == 0 {
		t.Errorf("%d unknown phone callers, %d internal parties without userId, %d calls with two deals", phone, emailOnly, extraDeal)
	}
	for _, a := range []string{"Acme Corp", "Contoso Ltd", "Fabrikam Inc", "Northwind Traders"} {
		if !accounts[a] {
			t.Errorf("no call with account %s", a)
		}
	}
	if len(accounts) < 30 {
		t.Errorf("%d accounts in calls; want dozens", len(accounts))
	}
}

// TestContentQuality: briefs vary, action items point at a party who spoke,
// and sizes stay near Gong's.
func TestContentQuality(t *testing.T) {
	ts := newTestServer(t, Options{Calls: 2000})
	briefs := map[string]bool{}
	openings := map[string]bool{}
	n, size := 0, 0
	ts.sim.Truth(func(c gong.ExtensiveCall) bool {
		b, _ := json.Marshal(c)
		size += len(b)
		if c.Content == nil || c.Content.Brief == "" {
			return true
		}
		n++
		briefs[c.Content.Brief] = true
		openings[strings.SplitN(c.Content.Brief, " ", 4)[2]] = true
		speakers := map[gong.ID]bool{}
		for _, p := range c.Parties {
			if p.SpeakerID != nil {
				speakers[*p.SpeakerID] = true
			}
		}
		if k := len(c.Content.KeyPoints); k < 3 || k > 6 {
			t.Errorf("call %s: %d key points", c.MetaData.ID, k)
		}
		if a := len(c.Content.PointsOfInterest.ActionItems); a < 1 || a > 5 {
			t.Errorf("call %s: %d action items", c.MetaData.ID, a)
		}
		for _, a := range c.Content.PointsOfInterest.ActionItems {
			if len(c.Parties) > 0 && !speakers[a.SpeakerID] {
				t.Errorf("call %s: action item %q by %q, who is no speaking party", c.MetaData.ID, a.Snippet, a.SpeakerID)
			}
			if a.SnippetEndTime < a.SnippetStartTime || a.SnippetStartTime > c.MetaData.Duration {
				t.Errorf("call %s: action item at %v-%v in a %vs call", c.MetaData.ID, a.SnippetStartTime, a.SnippetEndTime, c.MetaData.Duration)
			}
		}
		if strings.Contains(c.Content.Brief, "{") || strings.Contains(c.MetaData.Title, "{") {
			t.Errorf("call %s: unexpanded template: %q / %q", c.MetaData.ID, c.MetaData.Title, c.Content.Brief)
		}
		return true
	})
	if n < 1800 {
		t.Fatalf("only %d calls with content", n)
	}
	if len(briefs) < n*95/100 {
		t.Errorf("%d distinct briefs in %d calls", len(briefs), n)
	}
	if avg := size / 1990; avg < 3000 || avg > 6000 {
		t.Errorf("average extensive call is %d bytes; want 3-5 KB", avg)
	}
}

func TestSmallAndOddTenants(t *testing.T) {
	for seed := range int64(40) {
		for _, n := range []int{1, 10, 300} {
			s, err := New(Options{Seed: seed, Calls: n, Now: testNow})
			if err != nil {
				t.Fatalf("seed %d, %d calls: %v", seed, n, err)
			}
			if ex := ExampleCalls(s); len(strings.Split(ex[ExampleFabrikam], ",")) != 10 || ex[ExampleAcme] == "" {
				t.Fatalf("seed %d, %d calls: examples %v", seed, n, ex)
			}
		}
	}
	for name, o := range map[string]Options{
		"negative calls": {Calls: -1},
		"too many calls": {Calls: maxCalls + 1},
		"negative rate":  {Rate: -1},
		"bad faults":     {Faults: Faults{Rate5xx: 2}},
		"half a burst":   {Faults: Faults{BurstLen: 3}},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("%s: New accepted %+v", name, o)
		}
	}
}
