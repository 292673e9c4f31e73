package push

import (
	"strings"

	"gongconnector/internal/core"
	"gongconnector/internal/graph"
)

// Person is someone who may see calls in Microsoft 365: their Entra
// object id and what they may see (PRODUCT.md §2).
type Person struct {
	EntraID    string
	Visibility core.Visibility
}

// Access says how the pushed items are shared.
type Access struct {
	// EveryoneTenant, when set, grants every item to everyone in this
	// Entra tenant (its id): the everyone mode without a rollout audience.
	EveryoneTenant string
	// People are who may see calls otherwise, each through the external
	// groups their Visibility puts them in.
	People []Person
}

// Members returns the members each external group should have: each
// person is in the groups of graph.Groups for their visibility, among the
// groups items can grant — a workspace's group for each workspace of the
// index, a participant's group for each (workspace, participant) of its
// calls. Groups no item grants are left out, so a person who may see the
// calls of a hundred colleagues who never met a customer costs nothing.
func Members(people []Person, workspaces []string, pairs [][2]string) map[string]map[string]bool {
	granted := make(map[string]bool, len(workspaces)+len(pairs))
	for _, ws := range workspaces {
		granted[graph.WorkspaceGroup(ws)] = true
	}
	for _, p := range pairs {
		granted[graph.ParticipantGroup(p[0], p[1])] = true
	}
	out := map[string]map[string]bool{}
	for _, p := range people {
		id := strings.ToLower(strings.TrimSpace(p.EntraID))
		v := p.Visibility
		if id == "" || v.Nothing() {
			continue
		}
		for _, g := range graph.Groups(v.Everything, v.Workspaces, v.Participants, workspaces) {
			if !granted[g] {
				continue
			}
			if out[g] == nil {
				out[g] = map[string]bool{}
			}
			out[g][id] = true
		}
	}
	return out
}

// ACL is the ACL of a call's item under a.
func (a Access) ACL(c *core.Call) []graph.ACE {
	if a.EveryoneTenant != "" {
		return graph.EveryoneACL(a.EveryoneTenant)
	}
	return graph.CallACL(c.WorkspaceID, c.ParticipantKeys())
}
