package identity

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"gongconnector/internal/core"
)

// Status says how a Gong user's mapping turned out.
type Status string

// Statuses of an Entry. Only mapped and inactive entries, and several_matches
// entries that keep a previous mapping, have an Identity.
const (
	StatusMapped         Status = "mapped"
	StatusNoMatch        Status = "no_match"
	StatusSeveralMatches Status = "several_matches"
	StatusRegexNoMatch   Status = "regex_no_match"
	StatusInactive       Status = "inactive"
	StatusConflict       Status = "conflict"
)

// Entry is one Gong user's line of the mapping report.
type Entry struct {
	GongUserID string   `json:"gong_user_id"`
	Email      string   `json:"email,omitempty"`
	Aliases    []string `json:"aliases,omitempty"`
	Name       string   `json:"name,omitempty"`
	Active     bool     `json:"active"`
	// Identity identifies the person to us: the lower-cased email for the
	// email directory, otherwise the directory user's value of the mapping
	// target (UPN by default). Empty when the Gong user is mapped to nobody.
	Identity string `json:"identity,omitempty"`
	// User is the directory user matched, also kept for a conflict so the
	// report can show it.
	User   *core.DirectoryUser `json:"user,omitempty"`
	Status Status              `json:"status"`
	// Reason explains Status to the admin.
	Reason string `json:"reason"`
}

// InForce reports whether the entry maps its Gong user to an identity.
func (e *Entry) InForce() bool { return e != nil && e.Identity != "" }

// Map is the result of one resolution: every Gong user and the identity it
// maps to. It can be stored as JSON and read back; it must not be changed
// once its methods have been called.
type Map struct {
	Taken     time.Time      `json:"taken"`
	Directory string         `json:"directory"`
	Target    core.Attribute `json:"target"`
	// Users has one entry per Gong user, sorted by name then id.
	Users []Entry `json:"users"`

	once     sync.Once
	byGongID map[string]int
	byKey    map[string][]int // entries in force, by every name a caller may sign in with
	byFailed map[string][]int // entries not in force, by the same names
}

// Resolve maps every Gong user to a directory user with m (nil: the default
// mapping). prev, the last map in force (may be nil), keeps a user's
// identity when the directory now has several candidates for it. When the
// directory cannot be asked, Resolve returns an error and the caller keeps
// prev.
func Resolve(ctx context.Context, users []core.User, dir Directory, m *Mapper, prev *Map) (*Map, error) {
	if dir == nil {
		return nil, errors.New("identity: no directory to resolve against")
	}
	if m == nil {
		m = &Mapper{target: core.AttrUPN}
	}
	out := &Map{Taken: time.Now().UTC(), Directory: directoryName(dir), Target: m.Target()}
	isEmail := out.Directory == DirectoryEmail

	// Values each user is looked up by: candidate addresses for the default
	// mapping, the built key otherwise.
	lookups := make([][]string, 0, len(users))
	seenGong := make(map[string]bool, len(users))
	for _, u := range users {
		if seenGong[u.ID] {
			continue
		}
		seenGong[u.ID] = true
		e := Entry{GongUserID: u.ID, Email: u.Email, Aliases: slices.Clone(u.Aliases), Name: u.Name(), Active: u.Active}
		var values []string
		switch {
		case m.IsDefault() && isEmail:
			// Every address is its own person here, so aliases would only
			// produce several matches; they are honoured at sign-in instead.
			if k, err := m.Key(u); err == nil {
				values = []string{k}
			}
		case m.IsDefault():
			values = m.Candidates(u)
		default:
			k, err := m.Key(u)
			var ke *KeyError
			if errors.As(err, &ke) {
				e.Status, e.Reason = StatusRegexNoMatch, "the mapping cannot build an identity: "+ke.Error()
			} else {
				values = []string{k}
			}
		}
		if len(values) == 0 && e.Status == "" {
			e.Status, e.Reason = StatusNoMatch, "the Gong user has no email address or alias to look up"
		}
		out.Users = append(out.Users, e)
		lookups = append(lookups, values)
	}

	attrs := []core.Attribute{m.Target()}
	if m.IsDefault() {
		attrs = []core.Attribute{core.AttrUPN, core.AttrMail}
	}
	var all []string
	seen := map[string]bool{}
	for _, vs := range lookups {
		for _, v := range vs {
			if !seen[v] {
				seen[v] = true
				all = append(all, v)
			}
		}
	}
	// One call per attribute for everyone: directories hold tens of
	// thousands of people, and Entra batches the values itself.
	found := make(map[core.Attribute]map[string][]core.DirectoryUser, len(attrs))
	if len(all) > 0 {
		for _, a := range attrs {
			res, err := dir.Lookup(ctx, a, all)
			if err != nil {
				if ctx.Err() != nil {
					return nil, fmt.Errorf("identity: resolution stopped: %w", err)
				}
				keep := "the previous mapping stays in force"
				if prev == nil {
					keep = "nobody is mapped until it answers"
				}
				return nil, &core.Error{Code: core.EUnavailable, Message: "identity: directory unreachable", Err: fmt.Errorf("%w; %s", err, keep)}
			}
			found[a] = normalizeKeys(a, res)
		}
	}

	for i := range out.Users {
		e := &out.Users[i]
		if e.Status != "" {
			continue
		}
		var matched []core.DirectoryUser
		var how []string // how matched[0] was found
		for _, v := range lookups[i] {
			for _, a := range attrs {
				for _, du := range found[a][lookupKey(a, v)] {
					j := slices.IndexFunc(matched, func(x core.DirectoryUser) bool { return x.ID == du.ID })
					if j < 0 {
						matched = append(matched, du)
						j = len(matched) - 1
					}
					if j == 0 {
						how = append(how, fmt.Sprintf("%s %s", attrLabel(a), v))
					}
				}
			}
		}
		switch len(matched) {
		case 0:
			e.Status = StatusNoMatch
			if m.IsDefault() {
				e.Reason = fmt.Sprintf("no directory user has %s as UPN or mail", orList(lookups[i]))
			} else {
				e.Reason = fmt.Sprintf("the mapping built %q, but no directory user has it as %s", lookups[i][0], attrLabel(m.Target()))
			}
		case 1:
			du := matched[0]
			e.User = &du
			e.Identity = du.Value(m.Target())
			if isEmail {
				e.Identity = strings.ToLower(e.Identity)
			}
			if e.Identity == "" {
				e.Status = StatusNoMatch
				e.Reason = fmt.Sprintf("matched directory user %s, which has no %s (identity.mapping.target)", describe(&du), attrLabel(m.Target()))
				break
			}
			e.Status = StatusMapped
			e.Reason = fmt.Sprintf("matched directory user %s by %s", describe(&du), strings.Join(how, " and "))
		default:
			e.Status = StatusSeveralMatches
			names := make([]string, len(matched))
			for j := range matched {
				names[j] = describe(&matched[j])
			}
			e.Reason = fmt.Sprintf("%s matches %d directory users: %s; the directory must have exactly one", orList(lookups[i]), len(matched), strings.Join(names, "; "))
			if p := prev.ByGongID(e.GongUserID); p.InForce() && prev.Directory == out.Directory && prev.Target == out.Target {
				e.Identity, e.User = p.Identity, p.User
				e.Reason += fmt.Sprintf("; the previous mapping to %s stays in force", p.Identity)
			} else {
				e.Reason += "; the Gong user is not mapped"
			}
		}
	}

	markConflicts(out.Users)
	for i := range out.Users {
		e := &out.Users[i]
		if e.Status == StatusMapped && !e.Active {
			e.Status = StatusInactive
			e.Reason = fmt.Sprintf("mapped to %s, but the Gong user is inactive: they still count as a participant of their calls and see nothing", e.Identity)
		}
	}
	noteSharedNames(out)
	slices.SortFunc(out.Users, compareEntries)
	return out, nil
}

// markConflicts fails every entry whose directory user or identity another
// entry also claims: nobody can tell which Gong user the person is.
func markConflicts(entries []Entry) {
	claims := map[string][]int{}
	for i := range entries {
		e := &entries[i]
		if !e.InForce() {
			continue
		}
		keys := []string{"identity:" + strings.ToLower(e.Identity)}
		if e.User != nil {
			keys = append(keys, "user:"+strings.ToLower(e.User.ID))
		}
		for _, k := range keys {
			claims[k] = append(claims[k], i)
		}
	}
	others := map[int][]int{}
	for _, idx := range claims {
		if len(idx) < 2 {
			continue
		}
		for _, i := range idx {
			for _, j := range idx {
				if i != j && !slices.Contains(others[i], j) {
					others[i] = append(others[i], j)
				}
			}
		}
	}
	for i, js := range others {
		e := &entries[i]
		names := make([]string, len(js))
		for n, j := range js {
			names[n] = fmt.Sprintf("%s (%s)", cmp.Or(entries[j].Name, entries[j].Email), entries[j].GongUserID)
		}
		slices.Sort(names)
		who := e.Identity
		if e.User != nil {
			who = describe(e.User)
		}
		e.Status = StatusConflict
		e.Reason = fmt.Sprintf("directory user %s is also matched by Gong user %s; a person can be only one Gong user, so none of them is mapped until the directory or Gong is fixed", who, strings.Join(names, ", "))
		e.Identity = ""
	}
}

// noteSharedNames tells the admin about names that sign in to no one because
// several mapped Gong users answer to them (an alias that is another user's
// address, say).
func noteSharedNames(m *Map) {
	byKey, _ := m.buildIndex()
	var keys []string
	for k, idx := range byKey {
		if len(idx) > 1 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		idx := byKey[k]
		for _, i := range idx {
			var names []string
			for _, j := range idx {
				if j != i {
					names = append(names, fmt.Sprintf("%s (%s)", cmp.Or(m.Users[j].Name, m.Users[j].Email), m.Users[j].GongUserID))
				}
			}
			m.Users[i].Reason += fmt.Sprintf("; signing in as %s is refused because it also names Gong user %s", k, strings.Join(names, ", "))
		}
	}
}

// ByGongID returns the entry of a Gong user, or nil. A nil Map has none.
func (m *Map) ByGongID(id string) *Entry {
	if m == nil {
		return nil
	}
	m.index()
	if i, ok := m.byGongID[id]; ok {
		return &m.Users[i]
	}
	return nil
}

// Caller returns the Gong user a signed-in person is, given the identity
// their sign-in carries: an identity of the map, or the id, UPN, mail or
// other mail of a mapped directory user, or (email directory) a Gong user's
// email or alias, all without regard to case. When no single active mapped
// Gong user answers, it returns nil and a reason for the admin.
func (m *Map) Caller(identity string) (entry *Entry, reason string) {
	if m == nil {
		return nil, "no identity mapping has been made yet"
	}
	k := strings.ToLower(strings.TrimSpace(identity))
	if k == "" {
		return nil, "the sign-in carries no identity"
	}
	m.index()
	hits := m.byKey[k]
	switch len(hits) {
	case 0:
		if f := m.byFailed[k]; len(f) == 1 {
			e := &m.Users[f[0]]
			return nil, fmt.Sprintf("%s is Gong user %s, who is not mapped (%s); see the identity report", identity, cmp.Or(e.Name, e.GongUserID), e.Status)
		}
		return nil, fmt.Sprintf("%s is not mapped to any Gong user", identity)
	case 1:
		e := &m.Users[hits[0]]
		if !e.Active {
			return nil, fmt.Sprintf("%s is Gong user %s, who is inactive in Gong and so sees nothing", identity, cmp.Or(e.Name, e.GongUserID))
		}
		return e, ""
	default:
		names := make([]string, len(hits))
		for i, j := range hits {
			names[i] = cmp.Or(m.Users[j].Name, m.Users[j].GongUserID)
		}
		slices.Sort(names)
		return nil, fmt.Sprintf("%s names %d Gong users (%s), so it is refused until the mapping names one", identity, len(hits), strings.Join(names, ", "))
	}
}

// Entries returns a copy of the entries sorted by name then id.
func (m *Map) Entries() []Entry {
	if m == nil {
		return nil
	}
	out := slices.Clone(m.Users)
	slices.SortStableFunc(out, compareEntries)
	return out
}

// Counts returns how many entries have each status.
func (m *Map) Counts() map[Status]int {
	out := map[Status]int{}
	if m != nil {
		for i := range m.Users {
			out[m.Users[i].Status]++
		}
	}
	return out
}

func (m *Map) index() {
	m.once.Do(func() {
		m.byKey, m.byFailed = m.buildIndex()
		m.byGongID = make(map[string]int, len(m.Users))
		for i := range m.Users {
			if _, dup := m.byGongID[m.Users[i].GongUserID]; !dup {
				m.byGongID[m.Users[i].GongUserID] = i
			}
		}
	})
}

// buildIndex maps every lower-cased name a caller may sign in with to the
// entries in force that answer to it, and separately to those not in force.
func (m *Map) buildIndex() (inForce, failed map[string][]int) {
	inForce = make(map[string][]int, 4*len(m.Users))
	failed = map[string][]int{}
	isEmail := m.Directory == DirectoryEmail
	for i := range m.Users {
		e := &m.Users[i]
		target := failed
		if e.InForce() {
			target = inForce
		}
		names := []string{e.Identity}
		if u := e.User; u != nil {
			names = append(names, u.ID, u.UPN, u.Mail)
			names = append(names, u.OtherMails...)
		}
		if isEmail || !e.InForce() {
			names = append(names, e.Email)
			names = append(names, e.Aliases...)
		}
		var done []string
		for _, n := range names {
			n = strings.ToLower(strings.TrimSpace(n))
			if n == "" || slices.Contains(done, n) {
				continue
			}
			done = append(done, n)
			target[n] = append(target[n], i)
		}
	}
	return inForce, failed
}

func compareEntries(a, b Entry) int {
	return cmp.Or(
		cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)),
		cmp.Compare(a.Name, b.Name),
		cmp.Compare(a.GongUserID, b.GongUserID),
	)
}

// normalizeKeys keys a Lookup result the way lookupKey reads it, merging
// keys that differ only in case where the attribute ignores case.
func normalizeKeys(a core.Attribute, res map[string][]core.DirectoryUser) map[string][]core.DirectoryUser {
	if a != core.AttrUPN && a != core.AttrMail {
		return res
	}
	out := make(map[string][]core.DirectoryUser, len(res))
	for k, us := range res {
		lk := strings.ToLower(k)
		out[lk] = append(out[lk], us...)
	}
	return out
}

func lookupKey(a core.Attribute, v string) string {
	if a == core.AttrUPN || a == core.AttrMail {
		return strings.ToLower(v)
	}
	return v
}

func attrLabel(a core.Attribute) string {
	switch a {
	case core.AttrUPN:
		return "UPN"
	case core.AttrObjectID:
		return "object id"
	case core.AttrExternalID:
		return "external id"
	}
	return string(a)
}

// orList writes values as "a", "a or b", "a, b or c".
func orList(values []string) string {
	switch len(values) {
	case 0:
		return "nothing"
	case 1:
		return values[0]
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}
