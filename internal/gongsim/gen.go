package gongsim

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"gongconnector/internal/gong"
)

// plan is what a call is about: who took part, which account and deals,
// which topics. It is derived from the seed and the call's position only, so
// edits (which bump a version) change the words but not the facts.
type plan struct {
	ref          int32
	kd           *callKindDef
	acct         int
	deals        []int
	contacts     []int
	internals    []int // user indexes, host first
	emailOnly    int   // user taking part by email only (no userId), or -1
	stranger     bool  // an internal address that is no Gong user
	phoneCaller  bool
	topics       []int
	competitor   int
	integration  int
	integration2 int
	module       int
	focus        int
	seats        int
	weeks        int
	percent      int
	sys          int
	hand         *handCall
}

// partyInfo is one participant before it is rendered.
type partyInfo struct {
	id, name, email, title, phone, userID, affiliation, speaker string
	methods                                                     []string
	contact                                                     int // account contact index, or -1
	user                                                        int // user index, or -1
	ours                                                        bool
}

// segment is the part of the call spent on one topic.
type segment struct {
	topic      int
	start, end int // seconds
}

// gen holds scratch space reused across the calls of one response.
type gen struct {
	p       plan
	parties []partyInfo
	segs    []segment
	v       [nVars]string
	buf     []byte
	pickBuf []int
}

var (
	methodsBoth    = []string{"Invitee", "Attendee"}
	methodsInvitee = []string{"Invitee"}
	methodsAttend  = []string{"Attendee"}
)

// Template variables.
const (
	vAcct = iota
	vAcctPoss
	vCompany
	vHost
	vHostFirst
	vContact
	vContactFirst
	vContactTitle
	vContact2
	vContact2First
	vContact2Title
	vDeal
	vAmount
	vStage
	vCompetitor
	vIntegration
	vIntegration2
	vModule
	vSeats
	vDue
	vWeeks
	vPercent
	vQuarter
	vFocus
	vMgr
	vGoal
	vNoun
	vOwnerFirst
	nVars
)

func varIndex(name string) int {
	switch name {
	case "acct":
		return vAcct
	case "acctPoss":
		return vAcctPoss
	case "company":
		return vCompany
	case "host":
		return vHost
	case "hostFirst":
		return vHostFirst
	case "contact":
		return vContact
	case "contactFirst":
		return vContactFirst
	case "contactTitle":
		return vContactTitle
	case "contact2":
		return vContact2
	case "contact2First":
		return vContact2First
	case "contact2Title":
		return vContact2Title
	case "deal":
		return vDeal
	case "amount":
		return vAmount
	case "stage":
		return vStage
	case "competitor":
		return vCompetitor
	case "integration":
		return vIntegration
	case "integration2":
		return vIntegration2
	case "module":
		return vModule
	case "seats":
		return vSeats
	case "due":
		return vDue
	case "weeks":
		return vWeeks
	case "percent":
		return vPercent
	case "quarter":
		return vQuarter
	case "focus":
		return vFocus
	case "mgr":
		return vMgr
	case "goal":
		return vGoal
	case "noun":
		return vNoun
	case "ownerFirst":
		return vOwnerFirst
	}
	panic("gongsim: unknown template variable " + name)
}

// expand fills a template's {variables}.
func (g *gen) expand(tpl string) string {
	b := g.buf[:0]
	for {
		i := strings.IndexByte(tpl, '{')
		if i < 0 {
			b = append(b, tpl...)
			break
		}
		b = append(b, tpl[:i]...)
		j := strings.IndexByte(tpl[i:], '}')
		b = append(b, g.v[varIndex(tpl[i+1:i+j])]...)
		tpl = tpl[i+j+1:]
	}
	g.buf = b
	return string(b)
}

// makePlan derives the plan of a call.
func (s *Sim) makePlan(g *gen, ref int32) {
	p := &g.p
	*p = plan{ref: ref, deals: p.deals[:0], contacts: p.contacts[:0], internals: p.internals[:0], topics: p.topics[:0], emailOnly: -1}
	p.kd = &callKinds[s.kind[ref]]
	host := int(s.host[ref])
	r := newRnd(s.seed, saltPlan, uint64(ref))
	if h := s.hand[ref]; h != nil {
		p.hand = h
		p.acct = h.acct
		p.deals = append(p.deals, h.deals...)
		p.contacts = append(p.contacts, h.contacts...)
		p.internals = append(p.internals, h.internals...)
		for _, t := range h.topics {
			p.topics = append(p.topics, topicIndex[t.name])
		}
	} else {
		p.acct = r.intn(len(s.accounts))
		if p.acct == acctFabrikam { // Fabrikam's calls are hand-written examples only
			p.acct = (acctFabrikam + 1 + r.intn(len(s.accounts)-1)) % len(s.accounts)
		}
		a := &s.accounts[p.acct]
		nd := 1
		if len(a.deals) > 1 && r.chance(0.2) {
			nd = 2
		}
		for _, d := range r.pickN(len(a.deals), nd, g.pickBuf) {
			p.deals = append(p.deals, d)
		}
		nc := []int{1, 1, 2, 2, 3}[r.intn(5)]
		if p.kd.phone {
			nc = 1
		}
		for _, c := range r.pickN(len(a.contacts), nc, g.pickBuf) {
			p.contacts = append(p.contacts, c)
		}
		p.internals = append(p.internals, host)
		mgr := s.users[host].manager
		if mgr >= 0 && s.users[mgr].role != roleExec && (p.kd.internal || r.chance(0.15)) {
			p.internals = append(p.internals, mgr)
		}
		if ses := s.sesOf[s.ws[ref]]; len(ses) > 0 && !p.kd.phone && r.chance(0.25) {
			if se := pick(&r, ses); se != host {
				p.internals = append(p.internals, se)
			}
		}
		if !p.kd.phone && r.chance(0.08) {
			if o := int(s.hostsAll[r.intn(len(s.hostsAll))]); o != host {
				p.internals = append(p.internals, o)
			}
		}
		if r.chance(0.05) {
			p.emailOnly = r.intn(len(s.users))
		}
		p.stranger = !p.kd.phone && r.chance(0.01)
		p.phoneCaller = !p.kd.internal && r.chance(0.04)
		nt := 3 + r.intn(2)
		if p.kd.phone {
			nt = 2
		}
		for _, t := range r.pickN(len(p.kd.topics), min(nt, len(p.kd.topics)), g.pickBuf) {
			p.topics = append(p.topics, topicIndex[p.kd.topics[t]])
		}
	}
	p.competitor = r.intn(len(competitors))
	p.integration = r.intn(len(integrations))
	p.integration2 = (p.integration + 1 + r.intn(len(integrations)-1)) % len(integrations)
	p.module = r.intn(len(modules))
	p.focus = r.intn(len(focusAreas))
	p.seats = 10 * r.between(2, 60)
	p.weeks = 4 + r.intn(9)
	p.percent = 5 * r.between(1, 6)
	p.sys = r.intn(5)
	if p.kd.phone {
		p.sys = 5 + r.intn(3)
	}
	if h := p.hand; h != nil {
		p.sys = 0
		p.integration = indexOfString(integrations, h.integration)
		p.integration2 = indexOfString(integrations, h.integration2)
		p.competitor = indexOfString(competitors, h.competitor)
	}
	s.makeParties(g)
}

func (s *Sim) makeParties(g *gen) {
	p := &g.p
	g.parties = g.parties[:0]
	if s.flags[p.ref]&flagNoParties != 0 {
		return
	}
	r := newRnd(s.seed, saltParty, uint64(p.ref))
	add := func(pi partyInfo) {
		k := uint64(len(g.parties))
		pi.id = numID(hash3(s.seed, saltParty, uint64(p.ref)<<8|k))
		if pi.speaker == "" && pi.methods == nil {
			pi.methods = methodsBoth
			if len(g.parties) > 1 && p.hand == nil && r.chance(0.12) {
				pi.methods = methodsInvitee // invited, never joined: no speaker
			} else {
				pi.speaker = numID(hash3(s.seed, saltParty+1000, uint64(p.ref)<<8|k))
			}
		}
		g.parties = append(g.parties, pi)
	}
	for i, u := range p.internals {
		us := &s.users[u]
		pi := partyInfo{name: us.name(), email: us.email, title: us.title, userID: us.id,
			affiliation: "Internal", contact: -1, user: u, ours: true}
		if p.kd.phone {
			pi.phone = us.phone
		}
		if i == 0 {
			pi.methods = methodsBoth
			pi.speaker = numID(hash3(s.seed, saltParty+1000, uint64(p.ref)<<8))
		}
		add(pi)
	}
	a := &s.accounts[p.acct]
	for i, c := range p.contacts {
		ct := &a.contacts[c]
		pi := partyInfo{name: ct.name(), email: ct.email, title: ct.title, affiliation: "External", contact: c, user: -1}
		if i == 0 {
			pi.methods = methodsBoth
			pi.speaker = numID(hash3(s.seed, saltParty+1000, uint64(p.ref)<<8|uint64(len(g.parties))))
		}
		if p.kd.phone {
			pi.phone = ct.phone
		}
		add(pi)
	}
	if p.emailOnly >= 0 {
		us := &s.users[p.emailOnly]
		email := us.email
		if len(us.aliases) > 0 {
			email = us.aliases[0]
		}
		add(partyInfo{name: us.name(), email: email, title: us.title, affiliation: "Internal", contact: -1, user: p.emailOnly, ours: true})
	}
	if p.stranger {
		add(partyInfo{name: companyName + " Events", email: "events@" + companyDomain, affiliation: "Internal", contact: -1, user: -1, ours: true, methods: methodsInvitee})
	}
	if p.phoneCaller {
		add(partyInfo{name: "Phone Caller #" + strconv.Itoa(1+r.intn(9)), affiliation: "Unknown", contact: -1, user: -1,
			phone: "+1 555-01" + strconv.Itoa(10+r.intn(90)), methods: methodsAttend,
			speaker: numID(hash3(s.seed, saltParty+1000, uint64(p.ref)<<8|uint64(len(g.parties))))})
	}
}

// setVars fills the template variables of the call.
func (s *Sim) setVars(g *gen, r *rnd) {
	p := &g.p
	a := &s.accounts[p.acct]
	host := &s.users[p.internals[0]]
	v := &g.v
	v[vAcct] = a.name
	v[vAcctPoss] = possessive(a.name)
	v[vCompany] = companyName
	v[vHost] = host.name()
	v[vHostFirst] = host.first
	c1, c2 := &a.contacts[p.contacts[0]], &a.contacts[p.contacts[0]]
	if len(p.contacts) > 1 {
		c2 = &a.contacts[p.contacts[1]]
	}
	v[vContact], v[vContactFirst], v[vContactTitle] = c1.name(), c1.first, c1.title
	v[vContact2], v[vContact2First], v[vContact2Title] = c2.name(), c2.first, c2.title
	d := &a.deals[p.deals[0]]
	v[vDeal], v[vStage], v[vAmount] = d.name, d.stage, money(d.amount)
	v[vCompetitor] = competitors[p.competitor]
	v[vIntegration], v[vIntegration2] = integrations[p.integration], integrations[p.integration2]
	v[vModule] = modules[p.module]
	v[vSeats] = strconv.Itoa(p.seats)
	v[vWeeks] = numberWords[p.weeks%len(numberWords)]
	v[vPercent] = strconv.Itoa(p.percent) + "%"
	start := time.Unix(s.startS[p.ref], 0).In(s.zone)
	q := (int(start.Month())-1)/3 + 2
	if q > 4 {
		q = 1
	}
	v[vQuarter] = "Q" + strconv.Itoa(q)
	if p.hand != nil && p.hand.quarter != "" {
		v[vQuarter] = p.hand.quarter
	}
	v[vFocus] = focusAreas[p.focus]
	v[vMgr] = v[vHost]
	if len(p.internals) > 1 {
		v[vMgr] = s.users[p.internals[1]].name()
	}
	due := start.AddDate(0, 0, 2+r.intn(8))
	if r.chance(0.5) {
		v[vDue] = due.Weekday().String()
	} else {
		v[vDue] = due.Format("January 2")
	}
	v[vNoun] = p.kd.noun
	v[vGoal] = g.expand(pick(r, p.kd.goals))
}

func possessive(name string) string {
	if strings.HasSuffix(name, "s") {
		return name + "'"
	}
	return name + "'s"
}

func money(n int) string {
	s := strconv.Itoa(n)
	var b []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	return "$" + string(b)
}

// meta renders a call's metaData.
func (s *Sim) meta(g *gen, ref int32) gong.CallMeta {
	p := &g.p
	id := s.callID(ref)
	start := time.Unix(s.startS[ref], 0).In(s.zone)
	sys := systems[p.sys]
	m := gong.CallMeta{
		ID:            gong.ID(id),
		URL:           gongHost + "/call?id=" + id,
		Title:         s.title(g, ref),
		Scheduled:     gong.Time{Time: start},
		Started:       gong.Time{Time: start},
		Duration:      float64(s.dur[ref]),
		PrimaryUserID: gong.ID(s.users[s.host[ref]].id),
		Direction:     "Conference",
		System:        sys.name,
		Scope:         "External",
		Media:         sys.media,
		Language:      "eng",
		WorkspaceID:   gong.ID(s.workspaces[s.ws[ref]].id),
		IsPrivate:     s.flags[ref]&flagPrivate != 0,
	}
	h := hash3(s.seed, uint64(ref), 77)
	if sys.phone {
		m.Direction = "Outbound"
		if h%5 == 0 {
			m.Direction = "Inbound"
		}
		m.SDRDisposition = []string{"Connected", "No Answer", "Left Voicemail", "Connected", "Gatekeeper"}[h%5]
		cu := sfID("CA", h)
		m.ClientUniqueID = &cu
	} else {
		// Meetings are scheduled on the quarter hour and start a little late.
		m.Scheduled = gong.Time{Time: time.Unix(s.startS[ref]-s.startS[ref]%900, 0).In(s.zone)}
		switch sys.name {
		case "Zoom":
			m.MeetingURL = "https://zoom.us/j/" + strconv.FormatUint(h%9e9+1e9, 10)
		case "Microsoft Teams":
			m.MeetingURL = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_" + sfID("", h)
		case "Google Meet":
			m.MeetingURL = "https://meet.google.com/" + strings.ToLower(sfID("", h)[:10])
		case "Webex":
			m.MeetingURL = "https://" + companyDomain[:10] + ".webex.com/meet/" + strconv.FormatUint(h%1e8, 10)
		}
		if h%7 != 0 {
			ev := strings.ToLower(sfID("", h>>3)) + "@google.com"
			if sys.name == "Microsoft Teams" {
				ev = "AAMkAG" + sfID("", h>>5)
			}
			m.CalendarEventID = &ev
		}
	}
	if p.kd.internal || (len(g.parties) > 0 && !hasExternal(g.parties)) {
		m.Scope = "Internal"
	}
	if s.flags[ref]&flagNoParties != 0 {
		m.Scope = "Unknown"
	}
	if h%10 < 7 {
		purpose := p.kd.purpose
		if p.hand != nil && p.hand.purpose != "" {
			purpose = p.hand.purpose
		}
		m.Purpose = &purpose
	}
	return m
}

func hasExternal(ps []partyInfo) bool {
	for i := range ps {
		if ps[i].affiliation != "Internal" {
			return true
		}
	}
	return false
}

// title renders the call title for its current version.
func (s *Sim) title(g *gen, ref int32) string {
	ver := s.versions[ref]
	if g.p.hand != nil && ver == 0 {
		return g.p.hand.title
	}
	r := newRnd(s.seed, saltTitle+uint64(ver)<<8, uint64(ref))
	s.setVars(g, &r)
	t := g.expand(pick(&r, g.p.kd.titles))
	if ver > 0 && r.chance(0.5) {
		t += " (follow-up)"
	}
	return t
}

// contextObjects renders the call-level CRM context.
func (s *Sim) contextObjects(g *gen, sel *selector) []gong.Context {
	a := &s.accounts[g.p.acct]
	timings := sel.timings
	objs := make([]gong.ContextObject, 0, (1+len(g.p.deals))*len(timings))
	for _, tm := range timings {
		o := gong.ContextObject{ObjectType: "Account", ObjectID: &a.id, Timing: tm}
		if sel.context == "Extended" {
			o.Fields = a.ctxFields
		}
		objs = append(objs, o)
		for _, di := range g.p.deals {
			d := &a.deals[di]
			o := gong.ContextObject{ObjectType: "Opportunity", ObjectID: &d.id, Timing: tm}
			if sel.context == "Extended" {
				o.Fields = d.ctxNow
				if tm == "TimeOfCall" {
					o.Fields = d.ctxThen
				}
			}
			objs = append(objs, o)
		}
	}
	return []gong.Context{{System: "Salesforce", Objects: objs}}
}

func rawJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func (a *account) fields() []gong.ContextField {
	return []gong.ContextField{
		{Name: "Name", Value: rawJSON(a.name)},
		{Name: "Website", Value: rawJSON(a.domain)},
		{Name: "Industry", Value: rawJSON(a.industry)},
		{Name: "ARR__c", Value: rawJSON(float64(a.employees*37) + 0.5)},
	}
}

func (d *deal) fields(atCall bool) []gong.ContextField {
	stage, prob, amount := d.stage, d.prob, d.amount
	if atCall {
		for i, st := range stages {
			if st.name == d.stage && i > 0 && i < 6 {
				stage, prob = stages[i-1].name, stages[i-1].prob
			}
		}
		amount = amount * 9 / 10
	}
	return []gong.ContextField{
		{Name: "Name", Value: rawJSON(d.name)},
		{Name: "StageName", Value: rawJSON(stage)},
		{Name: "Amount", Value: rawJSON(amount)},
		{Name: "CloseDate", Value: rawJSON(d.closeDate)},
		{Name: "Probability", Value: rawJSON(prob)},
	}
}
