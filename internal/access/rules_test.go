package access

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gongconnector/internal/core"
	"gongconnector/internal/gong"
)

// org is a small tenant:
//
//	ceo
//	└── vp
//	    ├── m1
//	    │   ├── r1
//	    │   └── r2 (inactive)
//	    │       └── r2a
//	    └── m2
//	        └── r3
//
// plus "solo", who has no manager.
func org() *core.PermissionSnapshot {
	u := func(id, mgr string, active bool) core.User {
		return core.User{ID: id, Email: id + "@contoso.com", Aliases: []string{strings.ToUpper(id) + "@Alias.Contoso.com"}, FirstName: id, ManagerID: mgr, Active: active}
	}
	return &core.PermissionSnapshot{
		Workspaces: []core.Workspace{{ID: "w1", Name: "Sales"}, {ID: "w2", Name: "Support"}},
		Users: []core.User{
			u("ceo", "", true), u("vp", "ceo", true), u("m1", "vp", true), u("m2", "vp", true),
			u("r1", "m1", true), u("r2", "m1", false), u("r2a", "r2", true), u("r3", "m2", true),
			u("solo", "", true),
		},
	}
}

// calls are one call per user in w1 hosted by them, and one in w2.
func calls() map[string]struct {
	ws   string
	keys []string
} {
	out := map[string]struct {
		ws   string
		keys []string
	}{}
	for _, id := range []string{"ceo", "vp", "m1", "m2", "r1", "r2", "r2a", "r3", "solo"} {
		out["w1/"+id] = struct {
			ws   string
			keys []string
		}{"w1", []string{core.UserKey(id)}}
		out["w2/"+id] = struct {
			ws   string
			keys []string
		}{"w2", []string{core.UserKey(id)}}
	}
	// A call r1 attended only by email, through an alias in another case.
	out["w1/r1-by-alias"] = struct {
		ws   string
		keys []string
	}{"w1", []string{core.EmailKey("R1@alias.contoso.COM"), core.EmailKey("buyer@fabrikam.com")}}
	return out
}

func TestVisibility(t *testing.T) {
	tests := map[string]struct {
		user    string
		level   string
		leads   []string
		want    []string // calls in w1 (w2 gives nothing: no profile there)
		wantWhy string
	}{
		"own":                             {user: "r1", level: "own", want: []string{"r1", "r1-by-alias"}},
		"report-to-them sees the tree":    {user: "vp", level: "report-to-them", want: []string{"m1", "m2", "r1", "r1-by-alias", "r2", "r2a", "r3", "vp"}},
		"inactive manager still links":    {user: "m1", level: "report-to-them", want: []string{"m1", "r1", "r1-by-alias", "r2", "r2a"}},
		"report-to-them leads, not leads": {user: "r3", level: "report-to-them", leads: []string{"m1"}, want: []string{"r1", "r1-by-alias", "r2", "r2a", "r3"}},
		"managers-team without leads":     {user: "r1", level: "managers-team", want: []string{"m1", "r1", "r1-by-alias", "r2", "r2a"}},
		"managers-team with leads":        {user: "r3", level: "managers-team", leads: []string{"m1"}, want: []string{"m1", "r1", "r1-by-alias", "r2", "r2a", "r3"}},
		"managers-team lead who left":     {user: "r3", level: "managers-team", leads: []string{"gone"}, want: []string{"r3"}},
		"managers-team with no manager":   {user: "solo", level: "managers-team", want: []string{"solo"}},
		"all ignores leftover leads":      {user: "r3", level: "all", leads: []string{"m1"}, want: []string{"ceo", "m1", "m2", "r1", "r1-by-alias", "r2", "r2a", "r3", "solo", "vp"}},
		"none ignores leftover leads":     {user: "m1", level: "none", leads: []string{"m1"}, wantWhy: "calls access is none"},
		"unknown level fails closed":      {user: "m1", level: "all / managers-team / report-to-them / own / none", wantWhy: "unknown calls access level"},
		"inactive sees nothing":           {user: "r2", level: "all", wantWhy: "inactive"},
		"not a user":                      {user: "nobody", level: "all", wantWhy: "not a Gong user"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s := org()
			s.Profiles = []core.Profile{{ID: "p", WorkspaceID: "w1", Name: "P ", CallsLevel: tt.level, TeamLeadIDs: tt.leads, MemberIDs: []string{tt.user}}}
			v, why := New(s).Visibility(tt.user)
			var got []string
			for name, c := range calls() {
				if v.Allows(c.ws, c.keys) {
					got = append(got, name)
				}
			}
			slices.Sort(got)
			var want []string
			for _, w := range tt.want {
				want = append(want, "w1/"+w)
			}
			if !slices.Equal(got, want) {
				t.Errorf("visible %v\nwant    %v", got, want)
			}
			if !strings.Contains(why, tt.wantWhy) || (tt.wantWhy == "") != (why == "") {
				t.Errorf("reason %q, want one containing %q", why, tt.wantWhy)
			}
		})
	}
}

func TestProfilePerWorkspace(t *testing.T) {
	s := org()
	s.Profiles = []core.Profile{
		{ID: "a", WorkspaceID: "w1", CallsLevel: "all", MemberIDs: []string{"r1"}},
		{ID: "b", WorkspaceID: "w2", CallsLevel: "own", MemberIDs: []string{"r1"}},
	}
	v, _ := New(s).Visibility("r1")
	if !v.Allows("w1", []string{core.UserKey("r3")}) {
		t.Error("all in w1 does not show r3's w1 call")
	}
	if v.Allows("w2", []string{core.UserKey("r3")}) {
		t.Error("own in w2 shows r3's w2 call")
	}
	if !v.Allows("w2", []string{core.UserKey("r1")}) {
		t.Error("own in w2 hides r1's own w2 call")
	}
	if v.Allows("w3", []string{core.UserKey("r1")}) {
		t.Error("a workspace without a profile shows r1's own call")
	}

	// Two profiles in one workspace: inconsistent data fails closed.
	s.Profiles = append(s.Profiles, core.Profile{ID: "c", WorkspaceID: "w2", Name: "Other", CallsLevel: "all", MemberIDs: []string{"r1"}})
	v, _ = New(s).Visibility("r1")
	if v.Allows("w2", []string{core.UserKey("r1")}) {
		t.Error("two profiles in w2 still grant access")
	}
}

func TestManagerLoopEnds(t *testing.T) {
	s := &core.PermissionSnapshot{
		Workspaces: []core.Workspace{{ID: "w"}},
		Users: []core.User{
			{ID: "a", ManagerID: "b", Active: true}, {ID: "b", ManagerID: "c", Active: true},
			{ID: "c", ManagerID: "a", Active: true}, {ID: "self", ManagerID: "self", Active: true},
		},
		Profiles: []core.Profile{
			{ID: "p", WorkspaceID: "w", CallsLevel: "report-to-them", MemberIDs: []string{"a", "self"}},
			{ID: "q", WorkspaceID: "w", CallsLevel: "managers-team", MemberIDs: []string{"b"}},
		},
	}
	r := New(s)
	v, _ := r.Visibility("a")
	for _, id := range []string{"a", "b", "c"} {
		if !v.Allows("w", []string{core.UserKey(id)}) {
			t.Errorf("a (report-to-them in a loop) does not see %s", id)
		}
	}
	if v, _ := r.Visibility("self"); !v.Allows("w", []string{core.UserKey("self")}) || v.Allows("w", []string{core.UserKey("a")}) {
		t.Error("a user who is their own manager sees the wrong calls")
	}
	if got := r.Explain("w", []string{core.UserKey("c")}); len(got) != 2 { // a and b; c has no profile
		t.Errorf("explain in a loop: %+v", got)
	}
}

func TestExplain(t *testing.T) {
	s := org()
	s.Profiles = []core.Profile{
		{ID: "all", WorkspaceID: "w1", Name: "Leadership", CallsLevel: "all", MemberIDs: []string{"ceo"}},
		{ID: "team", WorkspaceID: "w1", Name: "Managers", CallsLevel: "report-to-them", MemberIDs: []string{"vp", "m1", "m2"}},
		{ID: "mt", WorkspaceID: "w1", Name: "Reps", CallsLevel: "managers-team", MemberIDs: []string{"r1", "r3"}},
		{ID: "leads", WorkspaceID: "w1", Name: "Enablement", CallsLevel: "report-to-them", TeamLeadIDs: []string{"vp"}, MemberIDs: []string{"solo"}},
		{ID: "none", WorkspaceID: "w1", Name: "Integration", CallsLevel: "none", TeamLeadIDs: []string{"ceo"}, MemberIDs: []string{"r2a"}},
	}
	// A call r2a (under inactive r2) attended by email.
	got := New(s).Explain("w1", []string{core.EmailKey("r2a@contoso.com")})
	want := map[string]struct {
		rule string
		path string
	}{
		"ceo":  {"all", "ceo"},
		"vp":   {"report-to-them", "vp m1 r2 r2a"},
		"m1":   {"report-to-them", "m1 r2 r2a"},
		"r1":   {"managers-team", "m1 r2 r2a"},
		"solo": {"report-to-them", "vp m1 r2 r2a"},
	}
	if len(got) != len(want) {
		t.Errorf("explain gives %d users, want %d: %+v", len(got), len(want), got)
	}
	for _, a := range got {
		w, ok := want[a.UserID]
		if !ok {
			t.Errorf("%s may see the call by %s; want not", a.UserID, a.Rule)
			continue
		}
		if a.Rule != w.rule || strings.Join(a.Path, " ") != w.path {
			t.Errorf("%s: rule %s path %v; want %s path %s", a.UserID, a.Rule, a.Path, w.rule, w.path)
		}
	}
}

// TestFixtureProfiles evaluates every real profile in shared/fixtures/gong:
// each level, including leftover teamLeadIds on all and none.
func TestFixtureProfiles(t *testing.T) {
	files, err := filepath.Glob("../../../shared/fixtures/gong/all-permission-profiles.*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no profile fixtures found (%v)", err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var profiles []gong.Profile
		if err := json.Unmarshal(b, &profiles); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, p := range profiles {
			prof := gong.ProfileFromAPI(p, "w")
			prof.MemberIDs = []string{"viewer"}
			// A tenant where every lead has one report, and the viewer a manager.
			s := &core.PermissionSnapshot{
				Workspaces: []core.Workspace{{ID: "w"}},
				Users:      []core.User{{ID: "viewer", ManagerID: "boss", Active: true}, {ID: "boss", Active: true}, {ID: "peer", ManagerID: "boss", Active: true}, {ID: "stranger", Active: true}},
				Profiles:   []core.Profile{prof},
			}
			for _, l := range prof.TeamLeadIDs {
				s.Users = append(s.Users, core.User{ID: l, Active: true}, core.User{ID: l + "-report", ManagerID: l, Active: true})
			}
			v, _ := New(s).Visibility("viewer")
			sees := func(id string) bool { return v.Allows("w", []string{core.UserKey(id)}) }
			level := prof.CallsLevel
			seen[level] = true
			t.Logf("%s: %q level %s, %d leads", filepath.Base(f), p.Name, level, len(prof.TeamLeadIDs))
			switch level {
			case "all":
				if !sees("stranger") {
					t.Errorf("%q (all) does not see everything", p.Name)
				}
			case "none":
				if sees("viewer") || !v.Nothing() {
					t.Errorf("%q (none, %d leftover leads) sees calls", p.Name, len(prof.TeamLeadIDs))
				}
			case "managers-team", "report-to-them":
				if !sees("viewer") || sees("stranger") {
					t.Errorf("%q (%s) own %v stranger %v", p.Name, level, sees("viewer"), sees("stranger"))
				}
				for _, l := range prof.TeamLeadIDs {
					if !sees(l + "-report") {
						t.Errorf("%q (%s) hides the report of lead %s", p.Name, level, l)
					}
					if sees(l) != (level == "managers-team") {
						t.Errorf("%q (%s): lead %s visible = %v", p.Name, level, l, sees(l))
					}
				}
				if len(prof.TeamLeadIDs) > 0 && sees("peer") {
					t.Errorf("%q (%s with leads) sees the manager's team", p.Name, level)
				}
			default:
				t.Errorf("%q: unexpected level %q", p.Name, level)
			}
		}
	}
	for _, l := range []string{"all", "none", "managers-team", "report-to-them"} {
		if !seen[l] {
			t.Errorf("no fixture profile has level %s", l)
		}
	}
}
