package graph

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
)

// Access in Microsoft 365 (PRODUCT.md §2): an item's ACL grants external
// groups, never people, so that a permission change moves memberships and
// pushes no item. There is one group per (workspace, participant) — the
// people who may see that participant's calls in that workspace — and one
// per workspace for those who see all of its calls. A call grants the
// groups of its participants in its workspace, and its workspace's group.
// Who is in which group follows from each person's core.Visibility, so a
// person sees an item exactly when their Visibility allows the call
// (TestACLMatchesVisibility).

// ParticipantGroup is the external group of a participant's calls in a
// workspace: a digest, since group ids are letters and digits only (at
// most 128).
func ParticipantGroup(workspace, participantKey string) string {
	return "p" + digest(workspace+"\x00"+participantKey)
}

// WorkspaceGroup is the external group of every call in a workspace.
func WorkspaceGroup(workspace string) string {
	return "w" + digest(workspace)
}

func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:20])
}

// CallACL is the ACL of a call in workspace ws with participant keys.
func CallACL(ws string, keys []string) []ACE {
	acl := []ACE{{Type: "externalGroup", Value: WorkspaceGroup(ws), AccessType: "grant"}}
	for _, k := range keys {
		acl = append(acl, ACE{Type: "externalGroup", Value: ParticipantGroup(ws, k), AccessType: "grant"})
	}
	return acl
}

// EveryoneACL grants every person of the tenant: the everyone mode with no
// rollout audience.
func EveryoneACL(tenantID string) []ACE {
	return []ACE{{Type: "everyone", Value: tenantID, AccessType: "grant"}}
}

// Groups returns the external groups a person belongs to, given what they
// may see: their workspaces' groups and, per workspace, their
// participants' groups. Someone who sees everything is in every
// workspace's group (of workspaces), which covers every call.
func Groups(everything bool, full []string, participants map[string][]string, workspaces []string) []string {
	var out []string
	if everything {
		full = workspaces
	}
	for _, ws := range full {
		out = append(out, WorkspaceGroup(ws))
	}
	for ws, keys := range participants {
		if slices.Contains(full, ws) {
			continue // the workspace group covers them
		}
		for _, k := range keys {
			out = append(out, ParticipantGroup(ws, k))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
