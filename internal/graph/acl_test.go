package graph

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"testing"

	"gongconnector/internal/core"
)

// TestACLMatchesVisibility: over random tenants, a person is in one of the
// groups a call's ACL grants exactly when their Visibility allows the call.
func TestACLMatchesVisibility(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	workspaces := []string{"ws1", "ws2", "ws3"}
	for tenant := range 200 {
		keys := func(n int) []string {
			var out []string
			for range n {
				out = append(out, core.UserKey(fmt.Sprint("u", r.IntN(12))))
			}
			return out
		}
		var v core.Visibility
		switch r.IntN(6) {
		case 0:
			v.Everything = true
		case 1:
			v.Workspaces = []string{workspaces[r.IntN(3)]}
		}
		v.Participants = map[string][]string{}
		for range r.IntN(4) {
			ws := workspaces[r.IntN(3)]
			v.Participants[ws] = append(v.Participants[ws], keys(1+r.IntN(3))...)
		}
		member := Groups(v.Everything, v.Workspaces, v.Participants, workspaces)
		for call := range 30 {
			ws, ks := workspaces[r.IntN(3)], keys(r.IntN(4))
			granted := false
			for _, ace := range CallACL(ws, ks) {
				granted = granted || slices.Contains(member, ace.Value)
			}
			if want := v.Allows(ws, ks); granted != want {
				t.Fatalf("tenant %d call %d: visibility %+v, call in %s with %v: ACL grants %v, Allows %v", tenant, call, v, ws, ks, granted, want)
			}
		}
	}
}

// graphGroupID is Graph's rule for external group ids.
var graphGroupID = regexp.MustCompile(`^[A-Za-z0-9]{1,128}$`)

func TestGroupIDsAreValid(t *testing.T) {
	for _, id := range []string{ParticipantGroup("ws with spaces", "e:jane@contoso.com"), WorkspaceGroup("Ω")} {
		if !graphGroupID.MatchString(id) {
			t.Errorf("%q is not a valid external group id", id)
		}
	}
	if ParticipantGroup("a", "bc") == ParticipantGroup("ab", "c") {
		t.Error("group ids collide across the workspace boundary")
	}
}
