package question

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// testAccounts and testDeals are the catalog the question tests ask about.
var (
	testAccounts = []string{
		"Acme Corp", "Acme Widgets", "Contoso Ltd", "Fabrikam Inc", "Northwind Traders", "Next", "Summit Group",
		"Cisco Systems", "Q2 Holdings", "Monday.com", "Müller GmbH", "L'Oréal S.A.", "Tailspin Toys",
		"Wide World Importers", "The Home Depot", "Johnson & Johnson", "AT&T",
	}
	testDeals = []string{
		"Acme Corp - Multi-year Renewal", "Fabrikam Expansion", "Contoso: Security Add-on", "Northwind Traders - Renewal",
	}
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load zone %s: %v", name, err)
	}
	return loc
}

// rangeString writes [from, to) as "2026-05-12/2026-05-13", an open end as
// nothing, and no range as "".
func rangeString(from, to time.Time, loc *time.Location) string {
	if from.IsZero() && to.IsZero() {
		return ""
	}
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format("2006-01-02")
	}
	return day(from) + "/" + day(to)
}

type questionCase struct {
	q        string
	intent   Intent
	role     string
	accounts []string
	deals    []string
	meeting  string
	dates    string // see rangeString
	agg      bool
	terms    string // "*" is not checked
}

// Asked on Wednesday 2026-11-25 at 10:00.
var questionCases = map[string]questionCase{
	"product action items": {q: "What are the action items from the Q2 planning meeting with Acme Corp on May 12?",
		intent: IntentActionItems, accounts: []string{"Acme Corp"}, meeting: "Q2 planning", dates: "2026-05-12/2026-05-13"},
	"product key insights": {q: "What were the key insights from the Demo discussion meeting with Contoso Ltd?",
		intent: IntentKeyPoints, accounts: []string{"Contoso Ltd"}, meeting: "Demo discussion"},
	"product recurring topics": {q: "What topics come up repeatedly in calls with Fabrikam Inc?",
		intent: IntentTopics, accounts: []string{"Fabrikam Inc"}, agg: true},
	"product decision maker": {q: "Who was the decision maker in the contract review meeting with Northwind Traders?",
		intent: IntentPeople, role: "decision maker", accounts: []string{"Northwind Traders"}, meeting: "contract review"},
	"to-dos yesterday": {q: "list the to-dos from yesterday's call with Contoso",
		intent: IntentActionItems, accounts: []string{"Contoso Ltd"}, dates: "2026-11-24/2026-11-25"},
	"agree to do":     {q: "What did we agree to do after the demo?", intent: IntentActionItems, meeting: "demo"},
	"follow-ups owed": {q: "what follow-ups do we owe Tailspin?", intent: IntentActionItems, accounts: []string{"Tailspin Toys"}},
	"tasks assigned": {q: "Which tasks were assigned in the Acme onboarding session?", intent: IntentActionItems,
		accounts: []string{"Acme Corp"}, meeting: "onboarding"},
	"takeaways kickoff": {q: "key takeaways from the acme kickoff", intent: IntentKeyPoints, accounts: []string{"Acme Corp"}, meeting: "kickoff"},
	"main insights quarter": {q: "what were the main insights from calls with Contoso in Q3 2025",
		intent: IntentKeyPoints, accounts: []string{"Contoso Ltd"}, dates: "2025-07-01/2025-10-01", agg: true},
	"highlights":     {q: "Highlights from the Cisco demo", intent: IntentKeyPoints, accounts: []string{"Cisco Systems"}, meeting: "demo"},
	"summarize call": {q: "Summarize the call with Fabrikam", intent: IntentBrief, accounts: []string{"Fabrikam Inc"}},
	"recap last week sync": {q: "recap of last week's sync with Contoso", intent: IntentBrief, accounts: []string{"Contoso Ltd"},
		meeting: "sync", dates: "2026-11-16/2026-11-23"},
	"what happened onboarding": {q: "What happened in the onboarding session with Tailspin Toys?", intent: IntentBrief,
		accounts: []string{"Tailspin Toys"}, meeting: "onboarding"},
	"what happened monday": {q: "what happened on Monday", intent: IntentBrief, dates: "2026-11-23/2026-11-24"},
	"tell me about":        {q: "Tell me about Contoso", intent: IntentBrief, accounts: []string{"Contoso Ltd"}},
	"brief discovery": {q: "Give me a brief of the discovery call with Wide World Importers", intent: IntentBrief,
		accounts: []string{"Wide World Importers"}, meeting: "discovery"},
	"what did champion say": {q: "what did the champion say about pricing", intent: IntentBrief, terms: "pricing"},
	"what did acme say review": {q: "What did Acme say about SOC 2 compliance in the security review?", intent: IntentBrief,
		accounts: []string{"Acme Corp"}, meeting: "security review", terms: "SOC 2 compliance"},
	"most common themes": {q: "most common themes with Fabrikam", intent: IntentTopics, accounts: []string{"Fabrikam Inc"}, agg: true},
	"topics came up demo": {q: "what topics came up in the demo with Contoso", intent: IntentTopics,
		accounts: []string{"Contoso Ltd"}, meeting: "demo"},
	"trends past weeks": {q: "What were the trends across all Acme calls over the past 2 weeks?", intent: IntentTopics,
		accounts: []string{"Acme Corp"}, dates: "2026-11-11/2026-11-26", agg: true},
	"objections next": {q: "pricing objections at Next over the last 30 days", intent: IntentTopics, accounts: []string{"Next"},
		dates: "2026-10-26/2026-11-26", terms: "pricing"},
	"champion": {q: "Who is the champion at Acme?", intent: IntentPeople, role: "champion", accounts: []string{"Acme Corp"}},
	"economic buyer deal": {q: "who's the economic buyer for the Fabrikam expansion deal", intent: IntentPeople,
		role: "economic buyer", accounts: []string{"Fabrikam Inc"}, deals: []string{"Fabrikam Expansion"}},
	"technical decision maker": {q: "who was the technical decision maker at Cisco", intent: IntentPeople,
		role: "technical evaluator", accounts: []string{"Cisco Systems"}},
	"who attended qbr":  {q: "who attended the QBR with acme corp.", intent: IntentPeople, accounts: []string{"Acme Corp"}, meeting: "QBR"},
	"participants sync": {q: "who were the participants in the weekly sync", intent: IntentPeople, meeting: "weekly sync"},
	"who was on yesterday": {q: "who was on the call with Johnson and Johnson yesterday", intent: IntentPeople,
		accounts: []string{"Johnson & Johnson"}, dates: "2026-11-24/2026-11-25"},
	"who from joined": {q: "Who from Fabrikam joined the pricing discussion?", intent: IntentPeople,
		accounts: []string{"Fabrikam Inc"}, meeting: "pricing discussion"},
	"decision makers plural": {q: "decision makers at Northwind", intent: IntentPeople, role: "decision maker",
		accounts: []string{"Northwind Traders"}},
	"next steps contoso": {q: "next steps with Contoso", intent: IntentNextSteps, accounts: []string{"Contoso Ltd"}},
	"whats next":         {q: "what's next with Fabrikam", intent: IntentNextSteps, accounts: []string{"Fabrikam Inc"}},
	"next steps renewal": {q: "Next steps for the renewal", intent: IntentNextSteps, terms: "renewal"},
	"title case next":    {q: "What Are The Next Steps With Next", intent: IntentNextSteps},
	"shouting":           {q: "ACME CORPORATION NEXT STEPS", intent: IntentNextSteps, accounts: []string{"Acme Corp"}},
	"who owns next steps": {q: "who owns the next steps after the Northwind demo", intent: IntentNextSteps,
		accounts: []string{"Northwind Traders"}, meeting: "demo"},
	"key points and next steps": {q: "What are the key points and next steps from the Contoso sync", intent: IntentKeyPoints,
		accounts: []string{"Contoso Ltd"}, meeting: "sync"},
	"outcome negotiation": {q: "What was the outcome of the negotiation with Northwind?", intent: IntentOutcome,
		accounts: []string{"Northwind Traders"}, meeting: "negotiation"},
	"how did it go":    {q: "how did the pricing call with acme go", intent: IntentOutcome, accounts: []string{"Acme Corp"}, meeting: "pricing"},
	"how did demo end": {q: "How did the Acme demo end?", intent: IntentOutcome, accounts: []string{"Acme Corp"}, meeting: "demo"},
	"what was decided": {q: "what was decided in the contract negotiation with The Home Depot", intent: IntentOutcome,
		accounts: []string{"The Home Depot"}, meeting: "contract negotiation"},
	"att outcome": {q: "AT&T renewal outcome", intent: IntentOutcome, accounts: []string{"AT&T"}, terms: "renewal"},
	"how long demo": {q: "how long was the demo with Contoso last Tuesday", intent: IntentDuration,
		accounts: []string{"Contoso Ltd"}, meeting: "demo", dates: "2026-11-24/2026-11-25"},
	"how many minutes": {q: "How many minutes was the weekly sync?", intent: IntentDuration, meeting: "weekly sync"},
	"duration qbr": {q: "duration of the Acme QBR in Q2", intent: IntentDuration, accounts: []string{"Acme Corp"},
		meeting: "QBR", dates: "2026-04-01/2026-07-01"},
	"competitors mentioned": {q: "Which competitors were mentioned in calls with Acme this month?", intent: IntentTrackers,
		accounts: []string{"Acme Corp"}, dates: "2026-11-01/2026-12-01", agg: true},
	"mention at all": {q: "Did they mention Salesforce at all?", intent: IntentTrackers, terms: "Salesforce"},
	"all action items quarter": {q: "all action items with Acme this quarter", intent: IntentActionItems,
		accounts: []string{"Acme Corp"}, dates: "2026-10-01/2027-01-01", agg: true},
	"all action items one demo": {q: "all the action items from the demo with Contoso", intent: IntentActionItems,
		accounts: []string{"Contoso Ltd"}, meeting: "demo"},
	"qbrs plural": {q: "QBRs with Acme in 2025", intent: IntentSearch, accounts: []string{"Acme Corp"}, meeting: "QBR",
		dates: "2025-01-01/2026-01-01", agg: true},
	"deal tail": {q: "what was discussed in the multi-year renewal with Acme", intent: IntentBrief,
		accounts: []string{"Acme Corp"}, deals: []string{"Acme Corp - Multi-year Renewal"}},
	"deal full name": {q: "Summarize the Acme Corp - Multi-year Renewal", intent: IntentBrief,
		accounts: []string{"Acme Corp"}, deals: []string{"Acme Corp - Multi-year Renewal"}},
	"deal colon": {q: "next steps on the Contoso security add-on", intent: IntentNextSteps,
		accounts: []string{"Contoso Ltd"}, deals: []string{"Contoso: Security Add-on"}},
	"deal by alias": {q: "Northwind renewal risks", intent: IntentSearch, accounts: []string{"Northwind Traders"},
		deals: []string{"Northwind Traders - Renewal"}, terms: "risks"},
	"account not deal": {q: "acme’s renewal timeline", intent: IntentSearch, accounts: []string{"Acme Corp"}, terms: "renewal timeline"},
	"kick-off range": {q: "who attended the kick-off with Contoso between May 1 and May 15", intent: IntentPeople,
		accounts: []string{"Contoso Ltd"}, meeting: "kick-off", dates: "2026-05-01/2026-05-16"},
	"before june": {q: "security questions from Contoso before June 1", intent: IntentSearch, accounts: []string{"Contoso Ltd"},
		dates: "/2026-06-01", terms: "security questions"},
	"since march": {q: "calls since March with Northwind", intent: IntentSearch, accounts: []string{"Northwind Traders"},
		dates: "2026-03-01/", agg: true},
	"calls in q2": {q: "calls in Q2", intent: IntentSearch, dates: "2026-04-01/2026-07-01", agg: true},
	"q2 2025 calls": {q: "Q2 2025 calls with Acme", intent: IntentSearch, accounts: []string{"Acme Corp"},
		dates: "2025-04-01/2025-07-01", agg: true},
	"q2 business review": {q: "action items from the Q2 business review with Acme", intent: IntentActionItems,
		accounts: []string{"Acme Corp"}, meeting: "Q2 business review"},
	"q2 planning no head": {q: "action items from Q2 planning", intent: IntentActionItems, meeting: "Q2 planning"},
	"q2 holdings":         {q: "the Q2 Holdings renewal", intent: IntentSearch, accounts: []string{"Q2 Holdings"}, terms: "renewal"},
	"us date":             {q: "what did we discuss on 5/12", intent: IntentBrief, dates: "2026-05-12/2026-05-13"},
	"december no year": {q: "December 3 call with acme", intent: IntentSearch, accounts: []string{"Acme Corp"},
		dates: "2025-12-03/2025-12-04"},
	"iso date":   {q: "notes from the 2026-05-12 demo", intent: IntentBrief, meeting: "demo", dates: "2026-05-12/2026-05-13"},
	"day month":  {q: "12 May standup", intent: IntentSearch, meeting: "standup", dates: "2026-05-12/2026-05-13"},
	"month year": {q: "demo recap May 2025", intent: IntentBrief, meeting: "demo", dates: "2025-05-01/2025-06-01"},
	"may modal":  {q: "may i see the recap from last month", intent: IntentBrief, dates: "2026-10-01/2026-11-01"},
	"last friday": {q: "What happened last Friday with Contoso?", intent: IntentBrief, accounts: []string{"Contoso Ltd"},
		dates: "2026-11-20/2026-11-21"},
	"weeks ago": {q: "action items from two weeks ago", intent: IntentActionItems, dates: "2026-11-09/2026-11-16"},
	"follow-up call": {q: "what did Acme say in the follow-up call", intent: IntentBrief, accounts: []string{"Acme Corp"},
		meeting: "follow-up"},
	"meeting titled": {q: "the meeting titled Budget Planning with Acme", intent: IntentSearch, accounts: []string{"Acme Corp"},
		meeting: "Budget Planning"},
	"quoted after head": {q: `who attended the call "Renewal Kickoff" with Acme?`, intent: IntentPeople,
		accounts: []string{"Acme Corp"}, meeting: "Renewal Kickoff"},
	"quoted meeting": {q: `key points from the "State of the Union" meeting`, intent: IntentKeyPoints, meeting: "State of the Union"},
	"diacritics": {q: "Muller calls in March", intent: IntentSearch, accounts: []string{"Müller GmbH"},
		dates: "2026-03-01/2026-04-01", agg: true},
	"elision possessive": {q: "L'Oreal's key points", intent: IntentKeyPoints, accounts: []string{"L'Oréal S.A."}},
	"home depot lower":   {q: "home depot next steps", intent: IntentNextSteps, accounts: []string{"The Home Depot"}},
	"summit capitalised": {q: "Summit Group pricing call", intent: IntentSearch, accounts: []string{"Summit Group"}, meeting: "pricing"},
	"summit lower":       {q: "calls with summit group", intent: IntentSearch, agg: true, terms: "summit group"},
	"summit alone":       {q: "Did Summit mention budget?", intent: IntentTrackers, terms: "Summit budget"},
	"monday.com":         {q: "calls with Monday.com about SSO", intent: IntentSearch, accounts: []string{"Monday.com"}, agg: true, terms: "SSO"},
	"acme not widgets":   {q: "Acme pricing", intent: IntentSearch, accounts: []string{"Acme Corp"}, terms: "pricing"},
	"acme widgets":       {q: "Acme Widgets pricing", intent: IntentSearch, accounts: []string{"Acme Widgets"}, terms: "pricing"},
	"how many calls": {q: "How many calls did we have with Acme in October?", intent: IntentSearch,
		accounts: []string{"Acme Corp"}, dates: "2026-10-01/2026-11-01", agg: true},
	"tldr": {q: "Give me the TL;DR of yesterday's standup", intent: IntentBrief, meeting: "standup",
		dates: "2026-11-24/2026-11-25"},
	"date preposition ends name": {q: "Were there any objections about price in Q4 calls?", intent: IntentTopics,
		dates: "2026-10-01/2027-01-01", agg: true, terms: "price"},
	"every call": {q: "summaries of every call with Northwind last quarter", intent: IntentBrief,
		accounts: []string{"Northwind Traders"}, dates: "2026-07-01/2026-10-01", agg: true},
	"champion and what they said": {q: "who is our champion at Contoso and what did they say about timing",
		intent: IntentPeople, role: "champion", accounts: []string{"Contoso Ltd"}, terms: "timing"},
	"economic buyer said": {q: "what did the economic buyer at Fabrikam say about budget", intent: IntentBrief,
		accounts: []string{"Fabrikam Inc"}, terms: "budget"},
	"next lower not account": {q: "calls next week with next", intent: IntentSearch, dates: "2026-11-30/2026-12-07", agg: true},
	"plain search":           {q: "pricing", intent: IntentSearch, terms: "pricing"},
	"search terms":           {q: "SOC 2 compliance questions", intent: IntentSearch, terms: "SOC 2 compliance questions"},
	"empty":                  {q: "", intent: IntentSearch},
	"review verb":            {q: "Review the action items from the last call", intent: IntentActionItems},
	"next week":              {q: "Next week's demo with Contoso", intent: IntentSearch, accounts: []string{"Contoso Ltd"}, meeting: "demo", dates: "2026-11-30/2026-12-07"},
}

func TestUnderstand(t *testing.T) {
	la := mustZone(t, "America/Los_Angeles")
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, la)
	cat := NewCatalog(testAccounts, testDeals)
	if len(questionCases) < 60 {
		t.Fatalf("only %d question cases, want at least 60", len(questionCases))
	}
	for name, tc := range questionCases {
		t.Run(name, func(t *testing.T) {
			checkQuestion(t, Understand(tc.q, now, la, cat), tc, la)
		})
	}
}

func checkQuestion(t *testing.T, got Meaning, want questionCase, loc *time.Location) {
	t.Helper()
	if got.Text != want.q {
		t.Errorf("Text = %q, want %q", got.Text, want.q)
	}
	if got.Intent != want.intent {
		t.Errorf("Intent = %q, want %q", got.Intent, want.intent)
	}
	if got.Role != want.role {
		t.Errorf("Role = %q, want %q", got.Role, want.role)
	}
	if !slices.Equal(got.Accounts, want.accounts) {
		t.Errorf("Accounts = %q, want %q", got.Accounts, want.accounts)
	}
	if !slices.Equal(got.Deals, want.deals) {
		t.Errorf("Deals = %q, want %q", got.Deals, want.deals)
	}
	if got.Meeting != want.meeting {
		t.Errorf("Meeting = %q, want %q", got.Meeting, want.meeting)
	}
	if r := rangeString(got.From, got.To, loc); r != want.dates {
		t.Errorf("range = %s (%q), want %s", r, got.DateText, want.dates)
	}
	if got.Aggregate != want.agg {
		t.Errorf("Aggregate = %v, want %v", got.Aggregate, want.agg)
	}
	if want.terms != "*" && got.Terms != want.terms {
		t.Errorf("Terms = %q, want %q", got.Terms, want.terms)
	}
}

// The same questions asked at the same wall-clock time in Berlin mean the
// same days, at Berlin midnights.
func TestUnderstandBerlin(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, berlin)
	cat := NewCatalog(testAccounts, testDeals)
	for name, tc := range questionCases {
		t.Run(name, func(t *testing.T) {
			got := Understand(tc.q, now, berlin, cat)
			checkQuestion(t, got, tc, berlin)
			for _, b := range []time.Time{got.From, got.To} {
				if !b.IsZero() && (b.In(berlin).Hour() != 0 || b.In(berlin).Minute() != 0) {
					t.Errorf("bound %v is not a Berlin midnight", b)
				}
			}
		})
	}
}

// One instant is two different days in two zones: the caller's zone decides
// what "today" is.
func TestUnderstandZoneDecidesToday(t *testing.T) {
	la, berlin := mustZone(t, "America/Los_Angeles"), mustZone(t, "Europe/Berlin")
	now := time.Date(2026, 11, 25, 23, 30, 0, 0, la) // 08:30 on the 26th in Berlin
	for _, tc := range []struct {
		loc  *time.Location
		want string
	}{
		{la, "2026-11-25/2026-11-26"},
		{berlin, "2026-11-26/2026-11-27"},
		{nil, "2026-11-26/2026-11-27"}, // UTC: 07:30 on the 26th
	} {
		got := Understand("calls today", now, tc.loc, nil)
		loc := tc.loc
		if loc == nil {
			loc = time.UTC
		}
		if r := rangeString(got.From, got.To, loc); r != tc.want {
			t.Errorf("in %v: range = %s, want %s", loc, r, tc.want)
		}
	}
}

func TestUnderstandWithoutCatalog(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	got := Understand("What are the action items from the Q2 planning meeting with Acme Corp on May 12?", now, nil, nil)
	if got.Intent != IntentActionItems || got.Meeting != "Q2 planning" || len(got.Accounts) != 0 {
		t.Errorf("got %+v, want action items, meeting Q2 planning, no accounts", got)
	}
	// Without a catalog the account's words are left to search.
	if got.Terms != "Acme Corp" {
		t.Errorf("Terms = %q, want %q", got.Terms, "Acme Corp")
	}
}

// Terms, Meeting and DateText are made of the question's own words.
func TestUnderstandPartsComeFromQuestion(t *testing.T) {
	la := mustZone(t, "America/Los_Angeles")
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, la)
	cat := NewCatalog(testAccounts, testDeals)
	for name, tc := range questionCases {
		got := Understand(tc.q, now, la, cat)
		checkFromQuestion(t, name, tc.q, got)
	}
}

func checkFromQuestion(t *testing.T, name, q string, got Meaning) {
	t.Helper()
	for _, w := range strings.Fields(got.Terms) {
		if !strings.Contains(q, w) {
			t.Errorf("%s: term %q is not in %q", name, w, q)
		}
	}
	for _, w := range strings.FieldsFunc(got.Meeting, func(r rune) bool { return r == ' ' || r == '-' || r == '/' }) {
		if !strings.Contains(q, w) {
			t.Errorf("%s: meeting word %q is not in %q", name, w, q)
		}
	}
	for _, d := range strings.Split(got.DateText, ", ") {
		if !strings.Contains(strings.ToValidUTF8(q, ""), d) {
			t.Errorf("%s: date text %q is not in %q", name, d, q)
		}
	}
}
