package core

import (
	"slices"
	"strings"
)

// Participant keys name who took part in a call in the form the index keeps:
// "u:" and a Gong user id (the host, or a party with that userId), and "e:"
// and a lower-cased party email. A user took part in a call when one of
// their keys (UserKeys) is among the call's (ParticipantKeys).
const (
	userKeyPrefix  = "u:"
	emailKeyPrefix = "e:"
)

// UserKey is the participant key of a Gong user id.
func UserKey(id string) string { return userKeyPrefix + id }

// EmailKey is the participant key of an email address.
func EmailKey(email string) string {
	return emailKeyPrefix + strings.ToLower(strings.TrimSpace(email))
}

// ParticipantKeys returns the keys of everyone who took part in the call:
// the host and every party's user id and email, without duplicates.
func (c *Call) ParticipantKeys() []string {
	keys := make([]string, 0, 2*len(c.Parties)+1)
	seen := make(map[string]bool, cap(keys))
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for _, id := range c.ParticipantUserIDs() {
		add(UserKey(id))
	}
	for _, p := range c.Parties {
		if strings.TrimSpace(p.Email) != "" {
			add(EmailKey(p.Email))
		}
	}
	return keys
}

// Keys returns the participant keys that stand for the user: their id,
// email and aliases.
func (u *User) Keys() []string {
	keys := []string{UserKey(u.ID)}
	for _, e := range append([]string{u.Email}, u.Aliases...) {
		if strings.TrimSpace(e) != "" {
			if k := EmailKey(e); !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// Visibility is the set of calls one caller may see, in the terms the index
// keeps for each call: its workspace and its participant keys. The access
// package derives it from the permission snapshot at query time; the store
// enforces it inside the query. The zero value sees nothing, so a
// forgotten Visibility fails closed.
type Visibility struct {
	// Everything grants every call: the local admin, or the "everyone" mode.
	Everything bool `json:"everything,omitempty"`
	// Workspaces grants every call in these workspaces (level "all").
	Workspaces []string `json:"workspaces,omitempty"`
	// Participants grants, per workspace id, the calls in which any of the
	// listed participant keys took part.
	Participants map[string][]string `json:"participants,omitempty"`
}

// Nothing reports whether v grants no call at all.
func (v *Visibility) Nothing() bool {
	if v == nil {
		return true
	}
	if v.Everything || len(v.Workspaces) > 0 {
		return false
	}
	for _, keys := range v.Participants {
		if len(keys) > 0 {
			return false
		}
	}
	return true
}

// Allows reports whether v grants a call in workspace ws with the given
// participant keys. It is the reference the store's query must agree with.
func (v *Visibility) Allows(ws string, keys []string) bool {
	if v == nil {
		return false
	}
	if v.Everything || slices.Contains(v.Workspaces, ws) {
		return true
	}
	granted := v.Participants[ws]
	for _, k := range keys {
		if slices.Contains(granted, k) {
			return true
		}
	}
	return false
}
