// Package access derives who may see which Gong call, exactly as PRODUCT.md
// §2 states Gong's rules, from one permission snapshot: workspaces, users
// with their manager and active flag, and each workspace's permission
// profiles with their members.
//
// Nothing here is stored with the calls. Rules turns a caller into a
// core.Visibility (workspaces seen in full, and per workspace the
// participants whose calls are seen) that the store enforces inside its
// query; a new snapshot changes every answer at once, without re-indexing.
package access

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"gongconnector/internal/core"
)

// Rule names why a user may see a call.
const (
	RuleParticipant  = "participant"
	RuleAll          = core.LevelAll
	RuleReportToThem = core.LevelReportToThem
	RuleManagersTeam = core.LevelManagersTeam
)

// Rules evaluates Gong's call visibility over one permission snapshot. It is
// immutable and safe for concurrent use.
type Rules struct {
	snap     *core.PermissionSnapshot
	users    map[string]*core.User
	reports  map[string][]string // manager id → direct reports, sorted
	profiles map[userWorkspace][]*core.Profile
	byKey    map[string][]string // participant key → ids of the users it stands for
	keys     map[string][]string // user id → their participant keys
	wsIDs    []string            // every workspace the snapshot knows of, sorted

	// subtrees memoizes below(): the reps of one manager share it.
	mu       sync.Mutex
	subtrees map[string][]string
}

type userWorkspace struct{ user, ws string }

// New indexes a snapshot. The snapshot must not change afterwards.
func New(s *core.PermissionSnapshot) *Rules {
	if s == nil {
		s = &core.PermissionSnapshot{}
	}
	r := &Rules{
		snap:     s,
		users:    make(map[string]*core.User, len(s.Users)),
		reports:  map[string][]string{},
		profiles: map[userWorkspace][]*core.Profile{},
		byKey:    map[string][]string{},
		keys:     make(map[string][]string, len(s.Users)),
		subtrees: map[string][]string{},
	}
	ws := map[string]bool{}
	for _, w := range s.Workspaces {
		ws[w.ID] = true
	}
	for i := range s.Users {
		u := &s.Users[i]
		if u.ID == "" {
			continue
		}
		r.users[u.ID] = u
		if u.ManagerID != "" && u.ManagerID != u.ID {
			r.reports[u.ManagerID] = append(r.reports[u.ManagerID], u.ID)
		}
		r.keys[u.ID] = u.Keys()
		for _, k := range r.keys[u.ID] {
			if !slices.Contains(r.byKey[k], u.ID) {
				r.byKey[k] = append(r.byKey[k], u.ID)
			}
		}
	}
	for _, ids := range r.reports {
		slices.Sort(ids)
	}
	for i := range s.Profiles {
		p := &s.Profiles[i]
		ws[p.WorkspaceID] = true
		for _, m := range p.MemberIDs {
			k := userWorkspace{m, p.WorkspaceID}
			if !slices.Contains(r.profiles[k], p) {
				r.profiles[k] = append(r.profiles[k], p)
			}
		}
	}
	for id := range ws {
		r.wsIDs = append(r.wsIDs, id)
	}
	slices.Sort(r.wsIDs)
	return r
}

// Snapshot returns the snapshot the rules were built from.
func (r *Rules) Snapshot() *core.PermissionSnapshot { return r.snap }

// User returns the Gong user with the id, or nil.
func (r *Rules) User(id string) *core.User { return r.users[id] }

// Grant is what one user's profile in one workspace lets them see.
type Grant struct {
	Workspace string `json:"workspace"`
	// Profile is the profile's name; empty when the user has none there.
	Profile string `json:"profile,omitempty"`
	// Level is the effective calls level: all, managers-team,
	// report-to-them, own or none.
	Level string `json:"level"`
	// Team are the users, besides the user, whose calls the level adds
	// (report-to-them and managers-team), sorted.
	Team []string `json:"team,omitempty"`
	// Note says why a level is none, or how leads were read.
	Note string `json:"note,omitempty"`
}

// Grant returns what user id may see in workspace ws through their profile.
// Being inactive is not considered here; see Visibility.
func (r *Rules) Grant(id, ws string) Grant {
	g := Grant{Workspace: ws, Level: core.LevelNone}
	ps := r.profiles[userWorkspace{id, ws}]
	switch len(ps) {
	case 0:
		g.Note = "no permission profile in this workspace"
		return g
	case 1:
	default:
		// Gong gives a user one profile per workspace; two mean the
		// snapshot is inconsistent, and we fail closed.
		names := make([]string, len(ps))
		for i, p := range ps {
			names[i] = strings.TrimSpace(p.Name)
		}
		g.Note = "member of several profiles here (" + strings.Join(names, ", ") + "); access denied until Gong lists one"
		return g
	}
	p := ps[0]
	g.Profile = strings.TrimSpace(p.Name)
	level := strings.ToLower(strings.TrimSpace(p.CallsLevel))
	switch level {
	case core.LevelAll, core.LevelOwn:
		g.Level = level
	case core.LevelNone:
		g.Note = "the profile's calls access is none"
	case core.LevelReportToThem:
		g.Level = level
		if len(p.TeamLeadIDs) == 0 {
			g.Team = slices.Clone(r.below(id))
		} else {
			var team []string
			for _, l := range p.TeamLeadIDs {
				team = append(team, r.below(l)...)
			}
			g.Team = team
			g.Note = "people under the profile's team leads " + strings.Join(p.TeamLeadIDs, ", ")
		}
	case core.LevelManagersTeam:
		g.Level = level
		if len(p.TeamLeadIDs) == 0 {
			if m := r.managerOf(id); m != "" {
				g.Team = append([]string{m}, r.below(m)...)
				g.Note = "their manager " + m + " and everyone under them"
			} else {
				g.Note = "no manager, so only their own calls"
			}
		} else {
			var team []string
			for _, l := range p.TeamLeadIDs {
				team = append(team, l)
				team = append(team, r.below(l)...)
			}
			g.Team = team
			g.Note = "the profile's team leads " + strings.Join(p.TeamLeadIDs, ", ") + " and everyone under them"
		}
	default:
		g.Note = fmt.Sprintf("unknown calls access level %q; access denied", p.CallsLevel)
	}
	if len(g.Team) > 0 {
		slices.Sort(g.Team)
		g.Team = slices.Compact(g.Team)
		g.Team = slices.DeleteFunc(g.Team, func(t string) bool { return t == id })
	}
	return g
}

func (r *Rules) managerOf(id string) string {
	if u := r.users[id]; u != nil && u.ManagerID != id {
		return u.ManagerID
	}
	return ""
}

// below returns everyone who reports to id, directly or transitively,
// without id. A loop in the manager data ends the walk. The slice is shared:
// callers must not modify it.
func (r *Rules) below(id string) []string {
	r.mu.Lock()
	out, ok := r.subtrees[id]
	r.mu.Unlock()
	if ok {
		return out
	}
	out = r.walkBelow(id)
	r.mu.Lock()
	r.subtrees[id] = out
	r.mu.Unlock()
	return out
}

func (r *Rules) walkBelow(id string) []string {
	var out []string
	seen := map[string]bool{id: true}
	queue := []string{id}
	for len(queue) > 0 {
		m := queue[0]
		queue = queue[1:]
		for _, c := range r.reports[m] {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
				queue = append(queue, c)
			}
		}
	}
	return out
}

// Workspaces returns the id of every workspace the snapshot knows of.
func (r *Rules) Workspaces() []string { return slices.Clone(r.wsIDs) }

// Visibility returns the calls Gong user id may see and, when that is
// nothing, why. Inactive and unknown users see nothing.
func (r *Rules) Visibility(id string) (core.Visibility, string) {
	var v core.Visibility
	u := r.users[id]
	switch {
	case u == nil:
		return v, "not a Gong user in the permission snapshot"
	case !u.Active:
		return v, "inactive in Gong"
	}
	var notes []string
	for _, ws := range r.wsIDs {
		g := r.Grant(id, ws)
		switch g.Level {
		case core.LevelNone:
			notes = append(notes, r.WorkspaceName(ws)+": "+g.Note)
			continue
		case core.LevelAll:
			v.Workspaces = append(v.Workspaces, ws)
			continue
		}
		keys := slices.Clone(r.keys[id])
		for _, t := range g.Team {
			keys = append(keys, r.keysOf(t)...)
		}
		slices.Sort(keys)
		if v.Participants == nil {
			v.Participants = map[string][]string{}
		}
		v.Participants[ws] = slices.Compact(keys)
	}
	if v.Nothing() {
		if len(notes) == 0 {
			return v, "no workspaces in the permission snapshot"
		}
		return v, "no call access in any workspace (" + strings.Join(notes, "; ") + ")"
	}
	return v, ""
}

// keysOf returns the participant keys of a user id; an id the snapshot
// does not list (a lead who left) still matches as host or party user id.
func (r *Rules) keysOf(id string) []string {
	if k, ok := r.keys[id]; ok {
		return k
	}
	return []string{core.UserKey(id)}
}

// WorkspaceName returns a workspace's name, or its id when unnamed.
func (r *Rules) WorkspaceName(id string) string {
	for _, w := range r.snap.Workspaces {
		if w.ID == id && w.Name != "" {
			return w.Name
		}
	}
	if id == "" {
		return "(no workspace)"
	}
	return id
}
