package gongsim

import (
	"fmt"
	"strings"
	"time"

	"gongconnector/internal/gong"
)

// role is a user's place in the synthetic org chart.
type role uint8

const (
	roleExec role = iota
	roleIntegration
	roleVP
	roleDirector
	roleManager
	roleAE
	roleSDR
	roleSE
	roleCSM
)

type user struct {
	id, first, last, email, title, phone string
	aliases                              []string
	manager                              int // -1 at the top
	active                               bool
	created                              int64
	home                                 int // workspace index
	role                                 role
}

func (u *user) name() string { return u.first + " " + u.last }

type workspace struct{ id, name, desc string }

// profile is a permission profile of one workspace.
type profile struct {
	id, name, desc string
	ws             int
	level          string
	leads          []int // user indexes; nil encodes JSON null
	rank           int   // 0 = most privileged; drives the capability booleans
}

type contact struct {
	id, first, last, title, email, phone string
	ctxFields                            []gong.ContextField
}

func (c *contact) name() string { return c.first + " " + c.last }

type deal struct {
	id, name, stage, closeDate string
	prob, amount               int
	ctxNow, ctxThen            []gong.ContextField
}

type account struct {
	id, name, domain, industry string
	employees                  int
	ctxFields                  []gong.ContextField
	contacts                   []contact
	deals                      []deal
}

// buildUsers creates the reporting tree: CEO → CRO → VPs (one per
// workspace) → directors → managers → reps, plus a few execs and an
// integration user with no manager.
func (s *Sim) buildUsers(n int) {
	r := newRnd(s.seed, saltUsers, 0)
	w := len(s.workspaces)
	used := map[string]bool{}
	now := s.start.Unix()
	t0 := now - 4*365*86400
	add := func(rl role, title string, mgr, home int) int {
		var first, last string
		for {
			first, last = pick(&r, firstNames), pick(&r, lastNames)
			if !used[first+" "+last] || len(used) > len(firstNames)*len(lastNames)/2 {
				break
			}
		}
		used[first+" "+last] = true
		u := user{first: first, last: last, title: title, manager: mgr, active: true, home: home, role: rl}
		u.email = emailLocal(first, last, used) + "@" + companyDomain
		u.phone = fmt.Sprintf("+1 415-555-%04d", r.intn(10000))
		s.users = append(s.users, u)
		return len(s.users) - 1
	}
	ceo := add(roleExec, "Chief Executive Officer", -1, 0)
	cro := add(roleExec, "Chief Revenue Officer", ceo, 0)
	add(roleExec, "Chief Financial Officer", ceo, 0)
	add(roleExec, "Chief Marketing Officer", ceo, 0)
	integ := len(s.users)
	s.users = append(s.users, user{first: "Salesforce", last: "Integration", email: "sfdc-integration@" + companyDomain,
		title: "Integration User", manager: -1, active: true, role: roleIntegration})

	vps := make([]int, w)
	for i := range w {
		vps[i] = add(roleVP, vpTitles[i], cro, i)
	}
	rest := n - len(s.users)
	nDir := max(w, rest/30)
	nMgr := max(nDir+w, rest/7)
	nRep := rest - nDir - nMgr
	dirsOf := make([][]int, w)
	for d := range nDir {
		ws := d % w
		dirsOf[ws] = append(dirsOf[ws], add(roleDirector, dirTitle(ws, len(dirsOf[ws])), vps[ws], ws))
	}
	mgrsOf := make([][]int, w)
	for m := range nMgr {
		ws := m % w
		boss := pick(&r, dirsOf[ws])
		if r.chance(0.1) {
			boss = vps[ws] // a flatter branch: the tree is not uniformly deep
		}
		u := add(roleManager, mgrTitle(ws), boss, ws)
		mgrsOf[ws] = append(mgrsOf[ws], u)
		if r.chance(0.08) {
			s.users[u].active = false
		}
	}
	// An inactive manager with reports exists in every tenant: inactivity
	// must not break the tree for the people under them.
	s.users[mgrsOf[0][len(mgrsOf[0])-1]].active = false
	for k := range nRep {
		ws := r.intn(w)
		if k < 3*w {
			ws = k % w // every workspace gets a few reps
		}
		boss := pick(&r, mgrsOf[ws])
		rl, title := repRole(&r, ws)
		u := add(rl, title, boss, ws)
		if r.chance(0.06) {
			s.users[u].active = false
		}
	}
	span := now - 30*86400 - t0
	for i := range s.users {
		u := &s.users[i]
		u.id = s.userKey.id(uint64(i))
		u.created = t0 + int64(i)*span/int64(len(s.users)) + int64(r.intn(3600*8))
		if i != integ && r.chance(0.1) {
			u.aliases = append(u.aliases, strings.Split(u.email, "@")[0]+"@"+legacyDomain)
		}
		if i != integ && r.chance(0.03) {
			u.aliases = append(u.aliases, strings.ToLower(asciiName(u.first))+"@"+companyDomain)
		}
	}
	s.userByID = make(map[string]int, len(s.users))
	for i := range s.users {
		s.userByID[s.users[i].id] = i
	}
}

var vpTitles = []string{
	"VP of Sales, North America", "VP of Sales, EMEA", "VP of Customer Success", "VP of Sales, APAC", "VP of Partnerships",
}

func dirTitle(ws, k int) string {
	switch ws {
	case 2:
		return "Director of Customer Success"
	case 4:
		return "Director of Channel Sales"
	}
	regions := [][]string{{"West", "East", "Central", "Canada"}, {"UK & Ireland", "DACH", "Nordics", "Southern Europe"}, nil, {"ANZ", "Japan", "Singapore"}}
	reg := regions[ws]
	return "Sales Director, " + reg[k%len(reg)]
}

func mgrTitle(ws int) string {
	switch ws {
	case 2:
		return "Customer Success Team Lead"
	case 4:
		return "Partner Sales Manager"
	}
	return "Sales Manager"
}

func repRole(r *rnd, ws int) (role, string) {
	x := r.intn(100)
	switch ws {
	case 2:
		switch {
		case x < 60:
			return roleCSM, "Customer Success Manager"
		case x < 80:
			return roleCSM, "Implementation Manager"
		default:
			return roleSE, "Technical Account Manager"
		}
	case 4:
		if x < 70 {
			return roleAE, "Partner Manager"
		}
		return roleSE, "Partner Solutions Engineer"
	}
	switch {
	case x < 45:
		return roleAE, "Account Executive"
	case x < 60:
		return roleAE, "Senior Account Executive"
	case x < 85:
		return roleSDR, "Sales Development Representative"
	default:
		return roleSE, "Solutions Engineer"
	}
}

func asciiName(s string) string {
	return strings.NewReplacer("'", "", " ", "").Replace(s)
}

// emailLocal makes first.last, numbered when the name is already taken.
func emailLocal(first, last string, used map[string]bool) string {
	base := strings.ToLower(asciiName(first) + "." + asciiName(last))
	local := base
	for k := 2; used["@"+local]; k++ {
		local = fmt.Sprintf("%s%d", base, k)
	}
	used["@"+local] = true
	return local
}

// Profile names, one set per workspace. The trailing space is deliberate:
// real tenants have it (gong-api.md §7.7).
const (
	profAdmin = iota
	profLeadership
	profManager
	profCollaborator
	profRep
	profTeam
	profOwn
	profIntegration
	profNoAccess
	profCount
)

var profileNames = [profCount]struct{ name, desc, level string }{
	{"Administrator", "Full access to every call in the workspace", "all"},
	{"Sales Leadership", "Leadership team; access to all calls", "all"},
	{"Front-line Manager", "Managers see their own team's calls", "report-to-them"},
	{"Collaborator", "Solutions engineers working with specific teams", "report-to-them"},
	{"Account Executive", "Quota-carrying reps; access to their pods", "managers-team"},
	{"Team Member", "Access to the calls of their manager's team", "managers-team"},
	{"Own Calls Only", "Access limited to the user's own calls", "own"},
	{"Integration User ", "API and integration accounts", "none"},
	{"No Call Access", "Users who do not need call access", "none"},
}

// buildProfiles creates every workspace's profiles and assigns each user to
// at most one profile per workspace.
func (s *Sim) buildProfiles() {
	r := newRnd(s.seed, saltProfiles, 0)
	w := len(s.workspaces)
	byRole := func(ws int, rl role) []int {
		var out []int
		for i, u := range s.users {
			if u.home == ws && u.role == rl {
				out = append(out, i)
			}
		}
		return out
	}
	s.member = make([][]int16, w)
	for ws := range w {
		dirs, mgrs := byRole(ws, roleDirector), byRole(ws, roleManager)
		base := len(s.profiles)
		for p := range profCount {
			def := profileNames[p]
			pr := profile{name: def.name, desc: def.desc, ws: ws, level: def.level, rank: p}
			pr.id = numID(hash3(s.seed, saltProfiles, uint64(ws*100+p)))
			switch p {
			case profLeadership: // leftover leads on an "all" profile
				pr.leads = firstN(dirs, 2)
			case profCollaborator:
				pr.leads = firstN(dirs, 1+r.intn(2))
			case profRep:
				pr.leads = pickSome(&r, mgrs, 3)
			case profIntegration: // leftover leads on a "none" profile
				pr.leads = pickSome(&r, append(append([]int{}, dirs...), mgrs...), 3)
			}
			s.profiles = append(s.profiles, pr)
		}
		m := make([]int16, len(s.users))
		for u := range s.users {
			m[u] = -1
			p := s.defaultProfile(&r, u, ws)
			if p >= 0 {
				m[u] = int16(base + p)
			}
		}
		s.member[ws] = m
	}
	s.profileByID = make(map[string]int, len(s.profiles))
	for i, p := range s.profiles {
		s.profileByID[p.id] = i
	}
}

func (s *Sim) defaultProfile(r *rnd, u, ws int) int {
	us := &s.users[u]
	switch us.role {
	case roleExec:
		return profAdmin
	case roleIntegration:
		return profIntegration
	}
	home := us.home == ws
	if !home {
		switch {
		case us.role == roleVP:
			return profOwn
		case us.role == roleDirector && r.chance(0.3):
			return profLeadership
		case r.chance(0.2):
			return profOwn
		case r.chance(0.08):
			return profTeam
		case r.chance(0.03):
			return profNoAccess
		}
		return -1
	}
	x := r.intn(100)
	switch us.role {
	case roleVP:
		return profAdmin
	case roleDirector:
		return profLeadership
	case roleManager:
		if x < 3 {
			return -1
		}
		return profManager
	}
	switch {
	case x < 3:
		return -1
	case x < 5:
		return profNoAccess
	case x < 10:
		return profOwn
	}
	switch us.role {
	case roleSDR:
		return profTeam
	case roleSE:
		return profCollaborator
	}
	return profRep
}

func firstN(xs []int, n int) []int {
	if len(xs) == 0 {
		return []int{}
	}
	return append([]int{}, xs[:min(n, len(xs))]...)
}

func pickSome(r *rnd, xs []int, n int) []int {
	if len(xs) == 0 {
		return []int{}
	}
	var buf [8]int
	idx := r.pickN(len(xs), min(n, len(xs)), buf[:0])
	out := make([]int, len(idx))
	for i, k := range idx {
		out[i] = xs[k]
	}
	return out
}

// buildAccounts creates the CRM: accounts with contacts and deals.
func (s *Sim) buildAccounts(n int) {
	r := newRnd(s.seed, saltAccounts, 0)
	year := s.start.Year()
	for k := range n {
		var a account
		if k < len(famousAccounts) {
			f := famousAccounts[k]
			a.name, a.domain, a.industry = f.name, f.domain, f.industry
		} else {
			j := (k - len(famousAccounts)) * 7919 % (len(acctAdjectives) * len(acctNouns) * len(acctSectors))
			adj := acctAdjectives[j%len(acctAdjectives)]
			noun := acctNouns[j/len(acctAdjectives)%len(acctNouns)]
			sec := acctSectors[j/(len(acctAdjectives)*len(acctNouns))]
			a.name = adj + " " + noun + " " + sec.suffix
			if strings.Contains(adj, noun) {
				a.name = adj + " " + sec.suffix
			}
			a.domain = strings.ToLower(strings.ReplaceAll(adj+noun, " ", "")) + ".com"
			a.industry = sec.industry
		}
		a.id = sfID("001", hash3(s.seed, saltAccounts, uint64(k)))
		a.employees = 50 * r.between(2, 400)
		titles := r.pickN(len(contactTitles), r.between(4, 6), nil)
		for ci, t := range titles {
			c := contact{first: pick(&r, firstNames), last: pick(&r, lastNames), title: contactTitles[t]}
			c.id = sfID("003", hash3(s.seed, saltAccounts, uint64(k*64+ci)))
			a.contacts = append(a.contacts, c)
		}
		kinds := r.pickN(len(dealKinds), r.between(1, 3), nil)
		for di, dk := range kinds {
			st := stages[r.intn(len(stages))]
			close := s.start.AddDate(0, r.between(-14, 8), r.between(-20, 20))
			d := deal{
				name:      fmt.Sprintf("%s - %s %d", a.name, dealKinds[dk], max(close.Year(), year-1)),
				stage:     st.name,
				prob:      st.prob,
				amount:    1000 * r.between(15, 450),
				closeDate: close.Format(time.DateOnly),
			}
			d.id = sfID("006", hash3(s.seed, saltAccounts, uint64(k*64+32+di)))
			a.deals = append(a.deals, d)
		}
		s.accounts = append(s.accounts, a)
	}
	s.setExampleAccounts()
	for k := range s.accounts {
		a := &s.accounts[k]
		a.ctxFields = a.fields()
		for di := range a.deals {
			d := &a.deals[di]
			d.ctxNow, d.ctxThen = d.fields(false), d.fields(true)
		}
		for ci := range a.contacts {
			c := &a.contacts[ci]
			c.email = strings.ToLower(asciiName(c.first)+"."+asciiName(c.last)) + "@" + a.domain
			c.ctxFields = []gong.ContextField{{Name: "Name", Value: rawJSON(c.name())}}
			c.phone = fmt.Sprintf("+1 %03d-555-%04d", 200+int(hash3(s.seed, uint64(k), uint64(ci))%700), hash3(s.seed, uint64(ci), uint64(k))%10000)
		}
	}
}
