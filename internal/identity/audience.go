package identity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gongconnector/internal/core"
)

// GroupPrefix marks an audience member that is a group: "group:Sales" or
// "group:<object id>".
const GroupPrefix = "group:"

// Audience is a set of directory users, given as users and groups. A nil
// *Audience means everyone.
type Audience struct {
	users []core.DirectoryUser
	ids   map[string]bool // lower-cased directory user ids
	names map[string]bool // lower-cased ids, UPNs, mails and other mails
}

// ResolveAudience expands members (users by email, UPN or object id; groups
// as "group:" and their id or display name, transitively) into the users
// they name. No members means everyone: it returns nil. A member that names
// nobody, or a user value that names several directory users, is an error
// naming every such member.
func ResolveAudience(ctx context.Context, dir Directory, members []string) (*Audience, error) {
	var users, groups []string
	for _, m := range members {
		m = strings.TrimSpace(m)
		if g, ok := strings.CutPrefix(m, GroupPrefix); ok {
			groups = append(groups, strings.TrimSpace(g))
		} else if m != "" && !slices.Contains(users, m) {
			users = append(users, m)
		}
	}
	if len(users) == 0 && len(groups) == 0 {
		return nil, nil
	}
	a := &Audience{ids: map[string]bool{}, names: map[string]bool{}}
	var problems []string
	for _, g := range groups {
		if g == "" {
			problems = append(problems, `"group:" needs a group id or name after it`)
			continue
		}
		us, err := dir.Members(ctx, g)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("identity: audience resolution stopped: %w", err)
			}
			problems = append(problems, fmt.Sprintf("group %q: %v", g, err))
			continue
		}
		for i := range us {
			a.add(&us[i])
		}
	}
	if len(users) > 0 {
		// A user may be written as any of these; each is one batched call.
		matched := make(map[string][]core.DirectoryUser, len(users))
		for _, attr := range []core.Attribute{core.AttrUPN, core.AttrMail, core.AttrObjectID} {
			res, err := dir.Lookup(ctx, attr, users)
			if err != nil {
				return nil, fmt.Errorf("identity: look up the audience's users: %w", err)
			}
			res = normalizeKeys(attr, res)
			for _, u := range users {
				for _, du := range res[lookupKey(attr, u)] {
					if !slices.ContainsFunc(matched[u], func(x core.DirectoryUser) bool { return x.ID == du.ID }) {
						matched[u] = append(matched[u], du)
					}
				}
			}
		}
		for _, u := range users {
			switch ms := matched[u]; len(ms) {
			case 0:
				problems = append(problems, fmt.Sprintf("user %q is not in the directory (by UPN, mail or object id)", u))
			case 1:
				a.add(&ms[0])
			default:
				names := make([]string, len(ms))
				for i := range ms {
					names[i] = describe(&ms[i])
				}
				problems = append(problems, fmt.Sprintf("user %q names %d directory users (%s); use an object id", u, len(ms), strings.Join(names, "; ")))
			}
		}
	}
	if len(problems) > 0 {
		return nil, errors.New("identity: audience: " + strings.Join(problems, "; "))
	}
	return a, nil
}

func (a *Audience) add(u *core.DirectoryUser) {
	if !a.ids[strings.ToLower(u.ID)] {
		a.users = append(a.users, *u)
	}
	a.ids[strings.ToLower(u.ID)] = true
	for _, n := range append([]string{u.ID, u.UPN, u.Mail}, u.OtherMails...) {
		if n != "" {
			a.names[strings.ToLower(n)] = true
		}
	}
}

// Contains reports whether the Gong user of e, mapped and in force, is in
// the audience. A nil audience contains every mapped user; an unmapped one
// is in no audience.
func (a *Audience) Contains(e *Entry) bool {
	if !e.InForce() {
		return false
	}
	if a == nil {
		return true
	}
	if e.User != nil && a.ids[strings.ToLower(e.User.ID)] {
		return true
	}
	return a.names[strings.ToLower(e.Identity)]
}

// ContainsIdentity reports whether identity (an id, UPN or mail of a
// directory user) is in the audience. A nil audience contains every
// non-empty identity.
func (a *Audience) ContainsIdentity(identity string) bool {
	identity = strings.ToLower(strings.TrimSpace(identity))
	if identity == "" {
		return false
	}
	return a == nil || a.names[identity]
}

// Users returns the directory users in the audience, each once; nil for
// a nil audience (everyone).
func (a *Audience) Users() []core.DirectoryUser {
	if a == nil {
		return nil
	}
	return slices.Clone(a.users)
}

// Len returns the number of directory users in the audience; 0 for nil
// (everyone).
func (a *Audience) Len() int {
	if a == nil {
		return 0
	}
	return len(a.ids)
}
