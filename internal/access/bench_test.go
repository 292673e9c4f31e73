package access

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"gongconnector/internal/core"
)

// bigSnapshot is a tenant of 10,000 users in a reporting tree (ten direct
// reports per manager) and 500 profiles over 10 workspaces, every user in a
// profile of each workspace.
func bigSnapshot() *core.PermissionSnapshot {
	r := rand.New(rand.NewPCG(1, 2))
	s := &core.PermissionSnapshot{Taken: time.Now()}
	const users, workspaces, perWS = 10_000, 10, 50
	for i := range users {
		u := core.User{ID: fmt.Sprint(1_000_000 + i), Email: fmt.Sprintf("user%d@contoso.com", i), Active: r.Float64() < 0.95}
		if i > 0 {
			u.ManagerID = fmt.Sprint(1_000_000 + (i-1)/10)
		}
		if i%7 == 0 {
			u.Aliases = []string{fmt.Sprintf("u%d@alias.contoso.com", i)}
		}
		s.Users = append(s.Users, u)
	}
	levels := []string{core.LevelOwn, core.LevelOwn, core.LevelReportToThem, core.LevelManagersTeam, core.LevelAll, core.LevelNone}
	for w := range workspaces {
		ws := fmt.Sprint(9_000 + w)
		s.Workspaces = append(s.Workspaces, core.Workspace{ID: ws, Name: "Workspace " + ws})
		first := len(s.Profiles)
		for p := range perWS {
			prof := core.Profile{ID: fmt.Sprintf("%s-%d", ws, p), WorkspaceID: ws, Name: fmt.Sprint("Profile ", p), CallsLevel: levels[p%len(levels)]}
			if p%4 == 0 && prof.CallsLevel != core.LevelOwn {
				prof.TeamLeadIDs = []string{fmt.Sprint(1_000_000 + r.IntN(1000))}
			}
			s.Profiles = append(s.Profiles, prof)
		}
		for i := range users {
			p := &s.Profiles[first+r.IntN(perWS)]
			p.MemberIDs = append(p.MemberIDs, fmt.Sprint(1_000_000+i))
		}
	}
	return s
}

// BenchmarkRefresh measures what a new permission snapshot costs before the
// next query: indexing it and deriving every user's visibility.
//
//	go test -run XXX -bench Refresh ./internal/access/
func BenchmarkRefresh(b *testing.B) {
	s := bigSnapshot()
	b.Logf("%d users, %d profiles, %d workspaces", len(s.Users), len(s.Profiles), len(s.Workspaces))
	for b.Loop() {
		r := New(s)
		keys := 0
		for _, u := range s.Users {
			v, _ := r.Visibility(u.ID)
			for _, k := range v.Participants {
				keys += len(k)
			}
		}
		if keys == 0 {
			b.Fatal("nobody sees anything")
		}
	}
}
