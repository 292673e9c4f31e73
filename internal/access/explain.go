package access

import (
	"slices"
	"strings"

	"gongconnector/internal/core"
)

// Access is one user's right to see one call, and why.
type Access struct {
	UserID string `json:"gong_user_id"`
	// Rule is participant, all, report-to-them or managers-team.
	Rule string `json:"rule"`
	// Profile is the name of the profile the rule comes from.
	Profile string `json:"profile,omitempty"`
	// Path is the chain of Gong user ids that grants access: the user
	// alone for participant and all; for report-to-them the user (or the
	// profile's lead) down the manager tree to a participant; for
	// managers-team the lead (or the user's manager) down to a participant.
	Path []string `json:"path"`
}

// Explain returns every active user who may see a call in workspace ws with
// the given participant keys (core.Call.ParticipantKeys), with the rule that
// grants it, sorted by user id. Inactive users are left out: they see
// nothing.
func (r *Rules) Explain(ws string, keys []string) []Access {
	// Who took part: users matched by id or address, and bare ids.
	took := map[string]bool{}
	for _, k := range keys {
		for _, id := range r.byKey[k] {
			took[id] = true
		}
		if id, ok := strings.CutPrefix(k, "u:"); ok {
			took[id] = true
		}
	}
	participants := make([]string, 0, len(took))
	for id := range took {
		participants = append(participants, id)
	}
	slices.Sort(participants)
	// Each participant's chain of managers, nearest first.
	chains := make(map[string][]string, len(participants))
	for _, p := range participants {
		chains[p] = r.chain(p)
	}

	var out []Access
	for i := range r.snap.Users {
		u := &r.snap.Users[i]
		if !u.Active || u.ID == "" || r.users[u.ID] != u {
			continue
		}
		g := r.Grant(u.ID, ws)
		a := Access{UserID: u.ID, Rule: g.Level, Profile: g.Profile}
		switch {
		case g.Level == core.LevelNone:
			continue
		case g.Level == core.LevelAll:
			a.Path = []string{u.ID}
		case took[u.ID]:
			a.Rule, a.Path = RuleParticipant, []string{u.ID}
		default:
			a.Path = r.teamPath(u.ID, g, participants, chains)
			if a.Path == nil {
				continue
			}
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b Access) int { return strings.Compare(a.UserID, b.UserID) })
	return out
}

// teamPath finds the first participant in g's team and returns the path
// to them from the root of the team: the user (report-to-them without
// leads), a lead, or the user's manager. It returns nil when no participant
// is in the team.
func (r *Rules) teamPath(id string, g Grant, participants []string, chains map[string][]string) []string {
	roots := r.teamRoots(id, g)
	for _, p := range participants {
		if _, ok := slices.BinarySearch(g.Team, p); !ok {
			continue
		}
		up := append([]string{p}, chains[p]...)
		for i, m := range up {
			// Under report-to-them a root is not in its own team: a lead
			// under another lead is reached through the upper one.
			if slices.Contains(roots, m) && (i > 0 || g.Level == core.LevelManagersTeam) {
				path := slices.Clone(up[:i+1])
				slices.Reverse(path)
				return path
			}
		}
		return []string{p}
	}
	return nil
}

// teamRoots are the users whose trees make up a grant's team.
func (r *Rules) teamRoots(id string, g Grant) []string {
	p := r.profiles[userWorkspace{id, g.Workspace}]
	if len(p) == 1 && len(p[0].TeamLeadIDs) > 0 {
		return p[0].TeamLeadIDs
	}
	if g.Level == core.LevelManagersTeam {
		return []string{r.managerOf(id)}
	}
	return []string{id}
}

// chain returns id's managers, nearest first, stopping at a loop.
func (r *Rules) chain(id string) []string {
	var out []string
	seen := map[string]bool{id: true}
	for m := r.managerOf(id); m != "" && !seen[m]; m = r.managerOf(m) {
		seen[m] = true
		out = append(out, m)
	}
	return out
}
