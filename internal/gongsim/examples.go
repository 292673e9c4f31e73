package gongsim

import (
	"strconv"
	"strings"
	"time"

	"gongconnector/internal/gong"
)

// Keys of ExampleCalls.
const (
	ExampleAcme      = "acme-q2-planning"
	ExampleContoso   = "contoso-demo"
	ExampleFabrikam  = "fabrikam" // comma-separated ids, oldest first
	ExampleNorthwind = "northwind-contract-review"
)

// ExampleCalls returns the ids of the hand-written calls behind the example
// questions of PRODUCT.md §5, keyed by ExampleAcme, ExampleContoso,
// ExampleFabrikam (several ids, comma-separated, oldest first) and
// ExampleNorthwind.
func ExampleCalls(s *Sim) map[string]string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]string, len(s.exampleIDs))
	for k, v := range s.exampleIDs {
		out[k] = v
	}
	return out
}

type handTopic struct {
	name   string
	weight int
}

// handAction is an action item; owner indexes the call's parties.
type handAction struct {
	owner int
	seg   int
	text  string
}

// handCall is a call whose content is written by hand.
type handCall struct {
	key          string
	title        string
	purpose      string
	kind         string
	acct         int
	deals        []int
	contacts     []int
	internals    []int
	topics       []handTopic
	brief        string
	keyPoints    []string
	actions      []handAction
	outline      []string
	outcome      int
	integration  string
	integration2 string
	competitor   string
	quarter      string // overrides the "next quarter" of the templates
	dur          int    // minutes
}

type exampleContact struct{ first, last, title string }

var exampleContacts = [4][]exampleContact{
	acctAcme:    {{"Jordan", "Blake", "VP Finance"}, {"Priya", "Nair", "Head of IT"}, {"Marcus", "Webb", "Procurement Manager"}, {"Elise", "Martin", "Director of Operations"}},
	acctContoso: {{"Rachel", "Kim", "Director of Sales Operations"}, {"Tom", "Alvarez", "Head of IT"}, {"Grace", "Liu", "VP of Sales"}},
	acctFabrikam: {{"Lena", "Fischer", "Head of Engineering"}, {"Raj", "Malhotra", "Director of IT Infrastructure"},
		{"Chris", "Doyle", "Procurement Manager"}, {"Ana", "Souza", "IT Security Lead"}, {"Victor", "Hale", "Chief Information Officer"}},
	acctNorthwind: {{"Dana", "Whitfield", "VP of Procurement"}, {"Kevin", "O'Neill", "Chief Financial Officer"}, {"Mei", "Lin", "Legal Counsel"}, {"Paul", "Dubois", "Director of Operations"}},
}

var exampleDeals = [4][]struct {
	kind, stage string
	prob        int
	amount      int
	closeDays   int
}{
	acctAcme:      {{"Expansion", "Negotiation/Review", 80, 240000, 45}, {"Renewal", "Closed Won", 100, 96000, -200}},
	acctContoso:   {{"New Business", "Value Proposition", 40, 180000, 70}},
	acctFabrikam:  {{"Platform Upgrade", "Proposal/Price Quote", 60, 320000, 60}},
	acctNorthwind: {{"Multi-year Renewal", "Negotiation/Review", 80, 410000, 30}},
}

// setExampleAccounts gives the four named accounts their fixed people and deals.
func (s *Sim) setExampleAccounts() {
	for k := range exampleContacts {
		a := &s.accounts[k]
		a.contacts = a.contacts[:0]
		for ci, c := range exampleContacts[k] {
			a.contacts = append(a.contacts, contact{id: sfID("003", hash3(s.seed, saltAccounts, uint64(k*64+ci))), first: c.first, last: c.last, title: c.title})
		}
		a.deals = a.deals[:0]
		for di, d := range exampleDeals[k] {
			close := s.start.AddDate(0, 0, d.closeDays)
			a.deals = append(a.deals, deal{
				id:    sfID("006", hash3(s.seed, saltAccounts, uint64(k*64+32+di))),
				name:  a.name + " - " + d.kind + " " + strconv.Itoa(close.Year()),
				stage: d.stage, prob: d.prob, amount: d.amount,
				closeDate: close.Format(time.DateOnly),
			})
		}
	}
}

// exampleHosts picks ordinary active reps (account executives with an
// active manager and the usual rep profile) in a workspace. A small tenant
// may have too few; then other reps are made so.
func (s *Sim) exampleHosts(ws int) []int {
	var strict, loose []int
	for u := range s.users {
		us := &s.users[u]
		if us.home != ws || us.manager < 0 {
			continue
		}
		switch us.role {
		case roleAE, roleSDR, roleCSM, roleSE:
		default:
			continue
		}
		loose = append(loose, u)
		if us.role != roleAE || !us.active || !s.users[us.manager].active {
			continue
		}
		if p := s.member[ws][u]; p < 0 || s.profiles[p].rank != profRep {
			continue
		}
		strict = append(strict, u)
	}
	if len(strict) >= 2 {
		return strict
	}
	for _, u := range loose {
		s.users[u].active = true
		s.users[s.users[u].manager].active = true
		s.member[ws][u] = int16(s.profileIndex(ws, profRep))
	}
	return loose
}

func (s *Sim) profileIndex(ws, rank int) int {
	for i := range s.profiles {
		if s.profiles[i].ws == ws && s.profiles[i].rank == rank {
			return i
		}
	}
	return -1
}

// weekdayAt returns the weekday at or before day (a date) at the given UTC hour.
func weekdayAt(day time.Time, hour int) time.Time {
	t := time.Date(day.Year(), day.Month(), day.Day(), hour, 0, 0, 0, time.UTC)
	for t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
		t = t.AddDate(0, 0, -1)
	}
	return t
}

func kindIndex(name string) int {
	for i, k := range callKinds {
		if k.name == name {
			return i
		}
	}
	panic("gongsim: unknown call kind " + name)
}

// buildExamples adds the hand-written calls.
func (s *Sim) buildExamples() {
	s.exampleIDs = map[string]string{}
	hosts0, hosts1 := s.exampleHosts(0), s.exampleHosts(1)
	if len(hosts0) < 2 || len(hosts1) < 2 {
		panic("gongsim: tenant too small for the example calls")
	}
	r := newRnd(s.seed, saltPlan, 999)
	acmeHost := hosts0[r.intn(len(hosts0))]
	fabHost := hosts0[(indexOf(hosts0, acmeHost)+1+r.intn(len(hosts0)-1))%len(hosts0)]
	contosoHost := hosts1[r.intn(len(hosts1))]
	nwHost := hosts1[(indexOf(hosts1, contosoHost)+1+r.intn(len(hosts1)-1))%len(hosts1)]
	se0, se1 := s.pickSE(0, &r), s.pickSE(1, &r)

	now := s.start
	// Acme: the most recent May 12 whose content is out by the clock start.
	acmeAt := time.Date(now.Year(), time.May, 12, 15, 0, 0, 0, time.UTC)
	if acmeAt.After(now.Add(-24 * time.Hour)) {
		acmeAt = acmeAt.AddDate(-1, 0, 0)
	}
	s.addHand(acmeAt, acmeHost, acmeCall(s, acmeHost, se0))
	s.addHand(weekdayAt(now.AddDate(0, 0, -38), 17), contosoHost, contosoCall(s, contosoHost, se1))
	var fab []string
	for k, fc := range fabrikamCalls {
		at := weekdayAt(now.AddDate(0, 0, -(326-34*k)), 14+2*(k%3))
		h := fabrikamCall(s, fc, fabHost, se0, k)
		ref := s.addHand(at, fabHost, h)
		fab = append(fab, s.callID(ref))
	}
	s.exampleIDs[ExampleFabrikam] = strings.Join(fab, ",")
	s.addHand(weekdayAt(now.AddDate(0, 0, -17), 16), nwHost, northwindCall(s, nwHost))
	for _, u := range []int{acmeHost, fabHost, contosoHost, nwHost, se0, se1} {
		if u >= 0 {
			s.protected[u] = true
			s.protected[s.users[u].manager] = true
		}
	}
}

func indexOf(xs []int, x int) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

func (s *Sim) pickSE(ws int, r *rnd) int {
	var ok []int
	for _, u := range s.sesOf[ws] {
		if s.users[u].active {
			ok = append(ok, u)
		}
	}
	if len(ok) == 0 {
		return -1
	}
	return ok[r.intn(len(ok))]
}

func (s *Sim) addHand(at time.Time, host int, h *handCall) int32 {
	ws := s.users[host].home
	ref := s.addCall(at.Unix(), h.dur*60+17, 1800, 3600, kindIndex(h.kind), ws, host, flagExample)
	s.hand[ref] = h
	if h.key != "" {
		s.exampleIDs[h.key] = s.callID(ref)
	}
	return ref
}

// filler expands {host}, {hostFirst}, {mgr}, {mgrFirst}, {se}, {seFirst} and
// {d+N} (the date N days after the call, like "May 19").
type filler struct {
	r  *strings.Replacer
	at time.Time
}

func (s *Sim) newFiller(host, se int, at time.Time) filler {
	h := &s.users[host]
	m := &s.users[h.manager]
	sen, sef := h.name(), h.first
	if se >= 0 {
		sen, sef = s.users[se].name(), s.users[se].first
	}
	return filler{r: strings.NewReplacer("{host}", h.name(), "{hostFirst}", h.first, "{mgr}", m.name(), "{mgrFirst}", m.first,
		"{se}", sen, "{seFirst}", sef), at: at}
}

func (f filler) fill(t string) string {
	t = f.r.Replace(t)
	for {
		i := strings.Index(t, "{d+")
		if i < 0 {
			return t
		}
		j := strings.IndexByte(t[i:], '}')
		n, _ := strconv.Atoi(t[i+3 : i+j])
		t = t[:i] + f.at.AddDate(0, 0, n).Format("January 2") + t[i+j+1:]
	}
}

func (f filler) all(ts []string) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = f.fill(t)
	}
	return out
}

func (f filler) actions(as []handAction) []handAction {
	out := make([]handAction, len(as))
	for i, a := range as {
		out[i] = handAction{owner: a.owner, seg: a.seg, text: f.fill(a.text)}
	}
	return out
}

func acmeCall(s *Sim, host, se int) *handCall {
	at := time.Date(s.start.Year(), time.May, 12, 15, 0, 0, 0, time.UTC)
	if at.After(s.start.Add(-24 * time.Hour)) {
		at = at.AddDate(-1, 0, 0)
	}
	f := s.newFiller(host, se, at)
	internals := []int{host, s.users[host].manager}
	// Parties: 0 host, 1 manager, 2 Jordan Blake, 3 Priya Nair, 4 Marcus Webb.
	return &handCall{
		key: ExampleAcme, kind: "qbr", purpose: "Planning", dur: 55,
		title: "Acme Corp <> " + companyName + " | Q2 planning",
		acct:  acctAcme, deals: []int{0}, contacts: []int{0, 1, 2}, internals: internals,
		integration: "Salesforce", integration2: "NetSuite", competitor: "Tallyhub", quarter: "Q2",
		topics: []handTopic{{"Timeline", 3}, {"Implementation", 4}, {"Budget", 2}, {"Pricing", 2}},
		brief: f.fill("{host} and {mgr} met with Jordan Blake (VP Finance), Priya Nair (Head of IT) and Marcus Webb (Procurement Manager) " +
			"to plan Acme Corp's Q2 rollout of the Forecast module to the remaining three regional sales teams. Jordan confirmed that Q2 " +
			"budget for the expansion is approved at $240,000, provided the rollout to the Central region is live before the June " +
			"sales kickoff. Priya raised the NetSuite data sync as the main technical dependency and asked for a cut-over plan that " +
			"avoids quarter-end close. Marcus wants the order form and the updated MSA in procurement's queue by the end of May. " +
			"The group agreed on a three-phase plan: Central region first, then East and West, with weekly status calls on Thursdays."),
		keyPoints: f.all([]string{
			"Q2 budget for the Acme Corp expansion is approved at $240,000.",
			"Rollout to the Central region must be live before the June sales kickoff.",
			"The NetSuite data sync is the main technical dependency; cut-over must avoid quarter-end close.",
			"Procurement needs the order form and updated MSA by the end of May.",
			"Three-phase plan agreed: Central first, then East and West; weekly status calls on Thursdays.",
		}),
		actions: f.actions([]handAction{
			{0, 1, "{hostFirst} to send the Q2 rollout plan with phase dates to Jordan Blake by {d+3}."},
			{3, 1, "Priya to confirm the NetSuite sandbox credentials and the cut-over window by {d+7}."},
			{1, 3, "{mgrFirst} to get deal desk approval for the multi-region pricing by {d+5}."},
			{4, 3, "Marcus to return the order form and MSA redlines to {hostFirst} by {d+16}."},
			{2, 0, "Jordan to schedule the Q2 kickoff with the regional sales VPs for {d+9}."},
		}),
		outline: f.all([]string{"Q2 timeline and the June sales kickoff deadline", "Three-phase regional rollout plan",
			"Q2 budget approval of $240,000", "Multi-region pricing and paperwork"}),
		outcome: 1,
	}
}

func contosoCall(s *Sim, host, se int) *handCall {
	at := weekdayAt(s.start.AddDate(0, 0, -38), 17)
	f := s.newFiller(host, se, at)
	internals := []int{host}
	if se >= 0 {
		internals = append(internals, se)
	}
	h := &handCall{
		key: ExampleContoso, kind: "demo", purpose: "Demo Call", dur: 50,
		title: "Contoso Ltd | Demo discussion",
		acct:  acctContoso, deals: []int{0}, contacts: []int{0, 1, 2}, internals: internals,
		integration: "Microsoft Teams", integration2: "Salesforce", competitor: "SignalPeak",
		topics: []handTopic{{"Use Cases", 3}, {"Reporting", 4}, {"Integrations", 3}, {"Competition", 2}},
		brief: f.fill("{host} and {se} demoed the Insights and Forecast modules to Rachel Kim (Director of Sales Operations), Tom Alvarez " +
			"(Head of IT) and Grace Liu (VP of Sales) at Contoso Ltd. Grace said the deal-risk view was the first dashboard her managers " +
			"would actually open every Monday, and Rachel noted it would replace a forecast spreadsheet that takes her team six hours a week. " +
			"Tom's main question was whether recordings from Microsoft Teams could be captured without a bot joining external meetings. " +
			"Contoso is also looking at SignalPeak, but Grace felt SignalPeak's coaching features were weaker for a team of their size. " +
			"The demo ended with Contoso asking for a two-week pilot with two sales teams."),
		keyPoints: f.all([]string{
			"The deal-risk view resonated most: Grace Liu expects managers to use it every Monday.",
			"Rachel Kim's team spends six hours a week on a forecast spreadsheet that Forecast would replace.",
			"Capturing Microsoft Teams recordings without a meeting bot is Tom Alvarez's key technical requirement.",
			"SignalPeak is the alternative; Contoso sees its coaching features as weaker.",
			"Contoso asked for a two-week pilot with two sales teams.",
		}),
		actions: f.actions([]handAction{
			{0, 3, "{hostFirst} to send a pilot proposal for two teams with success criteria by {d+2}."},
			{1, 2, "{seFirst} to document how Teams recording works without a bot for Tom by {d+4}."},
			{2, 1, "Rachel to share a copy of the current forecast spreadsheet by {d+3}."},
		}),
		outline: f.all([]string{"Contoso's goals for manager visibility", "Demo of the deal-risk dashboard and Forecast",
			"Recording Microsoft Teams meetings without a bot", "Comparison with SignalPeak"}),
		outcome: 1,
	}
	if se < 0 {
		h.actions = withoutSE(h.actions)
	}
	return h
}

func northwindCall(s *Sim, host int) *handCall {
	at := weekdayAt(s.start.AddDate(0, 0, -17), 16)
	f := s.newFiller(host, -1, at)
	return &handCall{
		key: ExampleNorthwind, kind: "procurement", purpose: "Contract Review", dur: 45,
		title: "Northwind Traders - Contract review",
		acct:  acctNorthwind, deals: []int{0}, contacts: []int{0, 1, 2}, internals: []int{host, s.users[host].manager},
		integration: "SAP", integration2: "Okta", competitor: "Convoline",
		topics: []handTopic{{"Legal", 4}, {"Pricing", 3}, {"Timeline", 2}},
		brief: f.fill("{host} and {mgr} reviewed the multi-year renewal contract with Northwind Traders. Dana Whitfield, VP of Procurement, " +
			"has final sign-off on the agreement and said she is the decision maker; Kevin O'Neill (CFO) approves the budget but defers " +
			"to Dana on vendor terms. Mei Lin (Legal Counsel) walked through redlines on the limitation of liability and the data " +
			"processing addendum. Dana asked for a three-year term with a 5% annual price cap and said she can sign before the end of " +
			"the month if legal closes the open points."),
		keyPoints: f.all([]string{
			"Dana Whitfield, VP of Procurement, is the decision maker and has final sign-off on the contract.",
			"Kevin O'Neill (CFO) approves the budget but defers to Dana on vendor terms.",
			"Mei Lin's redlines cover limitation of liability and the data processing addendum.",
			"Northwind wants a three-year term with a 5% annual price cap.",
			"Dana can sign before month end if the legal points close.",
		}),
		actions: f.actions([]handAction{
			{0, 0, "{hostFirst} to send Dana Whitfield the revised three-year order form with the 5% cap by {d+2}."},
			{4, 0, "Mei to send the final DPA comments to our legal team by {d+3}."},
			{1, 1, "{mgrFirst} to approve the price cap with finance by {d+2}."},
			{2, 2, "Dana to book the signature call with Kevin O'Neill for {d+10}."},
		}),
		outline: f.all([]string{"Decision process: Dana Whitfield has final sign-off", "Three-year term and the 5% price cap", "Signature timeline"}),
		outcome: 5,
	}
}

type fabrikamDef struct {
	title, kind string
	topics      []handTopic
	brief       string
	keyPoints   []string
	actions     []handAction
}

// Fabrikam's calls: Integrations in nine, Security in seven, Pricing in
// four, Implementation in three, Data Migration in two, Use Cases and Legal
// in one each. Parties: 0 host, 1 SE, then Lena Fischer, Raj Malhotra and
// the call's third contact.
var fabrikamCalls = []fabrikamDef{
	{"Discovery call - Fabrikam Inc", "discovery", []handTopic{{"Use Cases", 3}, {"Integrations", 3}},
		"{hostFirst} met Lena Fischer (Head of Engineering) and Raj Malhotra (Director of IT Infrastructure) to understand how Fabrikam's store operations team reviews vendor calls. Integrations came up early: every insight has to flow into SAP, and Raj wants single sign-on through Azure AD.",
		[]string{"Fabrikam wants call insights for 400 store operations managers.", "Any solution must integrate with SAP.", "Raj Malhotra requires Azure AD single sign-on."},
		[]handAction{{0, 1, "{hostFirst} to send the SAP integration overview to Lena by {d+3}."}}},
	{"Fabrikam Inc technical deep dive: SAP", "technical", []handTopic{{"Integrations", 4}, {"Security", 2}},
		"{seFirst} walked Fabrikam's engineers through the SAP connector, field mapping and the sync schedule. Ana Souza (IT Security Lead) asked how API credentials are stored and whether traffic stays inside the EU region.",
		[]string{"The SAP connector must sync store records every 15 minutes.", "Ana Souza asked how API credentials are stored.", "Fabrikam needs EU data residency."},
		[]handAction{{1, 0, "{seFirst} to share the SAP field mapping workbook by {d+2}."}, {2, 1, "Lena to list the SAP objects in scope by {d+5}."}}},
	{"Fabrikam Inc / " + companyName + " - Architecture review", "technical", []handTopic{{"Integrations", 3}, {"Security", 3}, {"Data Migration", 2}},
		"The architecture review covered the SAP and Azure AD integrations, network security controls, and how three years of historical call data would be migrated from Fabrikam's legacy recorder.",
		[]string{"Azure AD groups will drive access in the platform.", "Network traffic must be restricted to Fabrikam's IP ranges.", "Three years of historical recordings need to be migrated."},
		[]handAction{{1, 2, "{seFirst} to send the migration runbook and a backfill estimate by {d+4}."}}},
	{"Fabrikam Inc security review", "security", []handTopic{{"Security", 5}, {"Integrations", 2}},
		"Ana Souza led Fabrikam's security review: SOC 2 Type II, penetration test results, encryption keys and the Azure AD integration. Security is the gating item before procurement.",
		[]string{"Fabrikam requires SOC 2 Type II and the latest penetration test summary.", "Customer-managed encryption keys were requested.", "Security sign-off gates procurement."},
		[]handAction{{0, 0, "{hostFirst} to send the SOC 2 report and pen test summary to Ana under NDA by {d+1}."}, {4, 0, "Ana to complete the vendor risk assessment by {d+10}."}}},
	{"Fabrikam Inc <> " + companyName + " | Pricing review", "pricing", []handTopic{{"Pricing", 4}, {"Integrations", 2}},
		"{hostFirst} presented pricing for 400 seats. Chris Doyle (Procurement Manager) asked whether the SAP integration is included in the platform price or billed separately.",
		[]string{"Proposal is for 400 seats.", "Chris Doyle wants the SAP integration included in the platform price.", "Fabrikam asked for a 10% volume discount."},
		[]handAction{{0, 0, "{hostFirst} to send a revised quote with the SAP connector bundled by {d+3}."}}},
	{"Fabrikam Inc implementation planning", "kickoff", []handTopic{{"Implementation", 3}, {"Integrations", 3}, {"Security", 2}, {"Data Migration", 2}},
		"The teams drafted an eight-week implementation plan: Azure AD SSO in week one, SAP integration in weeks two to four, data migration in parallel and a security sign-off before go-live.",
		[]string{"Eight-week implementation plan drafted.", "SAP integration is scheduled for weeks two to four.", "Security sign-off is required before go-live."},
		[]handAction{{1, 0, "{seFirst} to publish the implementation plan with owners by {d+4}."}, {3, 1, "Raj to provision the SAP sandbox by {d+7}."}}},
	{"Fabrikam Inc SSO and Okta integration follow-up", "technical", []handTopic{{"Integrations", 3}, {"Security", 3}, {"Implementation", 2}},
		"Raj Malhotra explained that part of Fabrikam's workforce is still on Okta, so single sign-on must support both Okta and Azure AD during the migration. {seFirst} confirmed both integrations work side by side.",
		[]string{"SSO must support both Okta and Azure AD during Fabrikam's identity migration.", "SCIM provisioning is required for user lifecycle.", "Integration testing will happen in the SAP sandbox."},
		[]handAction{{1, 0, "{seFirst} to send the SCIM provisioning guide for Okta and Azure AD by {d+2}."}}},
	{"Fabrikam Inc proposal walkthrough", "pricing", []handTopic{{"Pricing", 3}, {"Integrations", 2}, {"Security", 2}},
		"{hostFirst} walked Victor Hale (CIO) through the proposal. Victor accepted the pricing if the integrations are delivered on schedule and asked for a security addendum in the contract.",
		[]string{"Victor Hale accepts the pricing if integrations ship on schedule.", "A security addendum will be added to the contract.", "Proposal valid until the end of the quarter."},
		[]handAction{{0, 1, "{hostFirst} to add the security addendum and integration milestones to the proposal by {d+3}."}}},
	{"Fabrikam Inc procurement and legal sync", "procurement", []handTopic{{"Legal", 3}, {"Pricing", 2}, {"Security", 2}},
		"Chris Doyle and Fabrikam's legal team reviewed the MSA and the data processing addendum. Pricing terms were confirmed, and the remaining open point is the security audit clause.",
		[]string{"Pricing terms are confirmed.", "The security audit clause is the last open legal point.", "Fabrikam will sign on its own paper."},
		[]handAction{{0, 0, "{hostFirst} to send our position on the security audit clause by {d+2}."}}},
	{"Fabrikam Inc executive alignment", "exec", []handTopic{{"Integrations", 3}, {"Pricing", 2}, {"Implementation", 2}},
		"Victor Hale and {hostFirst} aligned on the partnership: the SAP and Azure AD integrations are the success criteria for year one, pricing is locked for three years, and implementation starts next month.",
		[]string{"SAP and Azure AD integrations are the year-one success criteria.", "Pricing is locked for three years.", "Implementation starts next month."},
		[]handAction{{0, 2, "{hostFirst} to send the executive summary and the signed mutual action plan to Victor by {d+2}."}}},
}

func fabrikamCall(s *Sim, fc fabrikamDef, host, se, k int) *handCall {
	at := weekdayAt(s.start.AddDate(0, 0, -(326-34*k)), 14+2*(k%3))
	f := s.newFiller(host, se, at)
	internals := []int{host}
	if se >= 0 {
		internals = append(internals, se)
	}
	third := []int{3, 3, 3, 3, 2, 3, 3, 4, 2, 4}[k]
	h := &handCall{
		title: fc.title, kind: fc.kind, dur: 40 + 5*(k%3),
		acct: acctFabrikam, deals: []int{0}, contacts: []int{0, 1, third}, internals: internals,
		integration: "SAP", integration2: "Azure AD", competitor: "SignalPeak",
		topics: fc.topics, brief: f.fill(fc.brief), keyPoints: f.all(fc.keyPoints), actions: f.actions(fc.actions),
		outcome: 1,
	}
	if se < 0 {
		h.actions = withoutSE(h.actions)
	}
	return h
}

// withoutSE remaps action owners when no solutions engineer (party 1) took
// part: the host owns the SE's items.
func withoutSE(as []handAction) []handAction {
	for i := range as {
		if as[i].owner == 1 {
			as[i].owner = 0
		} else if as[i].owner > 1 {
			as[i].owner--
		}
	}
	return as
}

// handBody fills a body from a hand-written call.
func (s *Sim) handBody(g *gen, b *body) {
	h := g.p.hand
	b.brief = h.brief
	for _, kp := range h.keyPoints {
		b.keyPoints = append(b.keyPoints, keyPoint(kp))
	}
	for i, a := range h.actions {
		sg := g.segs[min(a.seg, len(g.segs)-1)]
		pi := &g.parties[min(a.owner, len(g.parties)-1)]
		start := sg.start + (sg.end-sg.start)/3 + 45*i
		b.actions = append(b.actions, actionItem(start, pi.speaker, a.text))
		b.spoken = append(b.spoken, spokenAction{seg: min(a.seg, len(g.segs)-1), speaker: pi.speaker, text: spokenForm(a.text, firstName(pi.name)), at: start})
	}
	o := outcomes[h.outcome]
	b.outcome = outcomeOf(o.id, o.category, o.name)
	sortActions(b)
}

func keyPoint(t string) gong.KeyPoint { return gong.KeyPoint{Text: t} }

func actionItem(start int, speaker, text string) gong.ActionItem {
	return gong.ActionItem{SnippetStartTime: float64(start), SnippetEndTime: float64(start + 9), SpeakerID: gong.ID(speaker), Snippet: text}
}

func outcomeOf(id, category, name string) *gong.CallOutcome {
	return &gong.CallOutcome{ID: id, Category: category, Name: name}
}

func indexOfString(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return 0
}
