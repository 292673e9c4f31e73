package gongsim

// actionTpl is an action item template; ours says whether the owner is on
// our side of the call (the host) or the customer's.
type actionTpl struct {
	ours bool
	text string
}

// lineTpl is a transcript line template and who says it.
type lineTpl struct {
	ours bool
	text string
}

// topicDef is everything the generator can say about one topic.
type topicDef struct {
	name      string
	brief     []string
	keyPoints []string
	actions   []actionTpl
	outline   []string
	lines     []lineTpl
	highlight string
}

var topicDefs = []topicDef{
	{name: "Pricing", highlight: "Pricing discussion",
		brief: []string{
			"On pricing, {contactFirst} pushed back on the per-seat list price and asked whether a {percent} discount was possible for a {seats}-seat commitment.",
			"The group spent a good part of the call on the proposal for {deal}, currently valued at {amount}, and {contactFirst} asked for a version with annual rather than multi-year payment terms.",
			"{hostFirst} explained the packaging of {module} and why platform pricing made more sense for {acct} than buying modules one at a time.",
			"{contactFirst} said the quote was within range but that {competitor} had come in lower, so {hostFirst} walked through the total cost of ownership.",
		},
		keyPoints: []string{
			"{acct} wants a {percent} discount in exchange for a {seats}-seat commitment.",
			"The current proposal for {deal} is {amount}; {contactFirst} asked for annual payment terms.",
			"{contactFirst} compared our quote with {competitor}'s and called ours the more complete offer.",
			"Pricing is acceptable if implementation services are bundled into year one.",
			"{acct} prefers platform pricing over per-module pricing.",
		},
		actions: []actionTpl{
			{true, "{ownerFirst} to send a revised quote for {seats} seats with annual payment terms by {due}."},
			{true, "{ownerFirst} to get approval for the {percent} discount from deal desk before {due}."},
			{false, "{ownerFirst} to share the budget envelope for {deal} with {hostFirst} by {due}."},
		},
		outline: []string{"Reviewed the proposal for {deal}", "Discussed a {percent} discount for a {seats}-seat commitment", "Compared total cost of ownership with {competitor}"},
		lines: []lineTpl{
			{false, "Honestly the list price is a bit higher than what we budgeted for."},
			{true, "If you can commit to {seats} seats, I think we can get closer to what you need."},
			{false, "{competitor} quoted us lower, so I need something to take back to finance."},
			{true, "Let me put together a version with annual payments and send it over."},
		}},
	{name: "Integrations", highlight: "Integration requirements",
		brief: []string{
			"{contactFirst} described how {acct} relies on {integration} and wanted to know how our connector keeps records in sync.",
			"Integrations came up repeatedly: the team needs {integration} and {integration2} to work on day one.",
			"{hostFirst} showed the {integration} connector and explained the sync frequency, field mapping and how conflicts are resolved.",
			"{contact2First} raised questions about the Connect API rate limits and whether webhooks could push updates into {integration2}.",
		},
		keyPoints: []string{
			"{integration} integration is a hard requirement for {acct}.",
			"{acct} also wants a two-way sync with {integration2}.",
			"{contact2First} needs API access for the data team's warehouse jobs.",
			"Custom field mapping for {integration} must be supported without professional services.",
			"Sync latency under fifteen minutes is acceptable to {acct}.",
		},
		actions: []actionTpl{
			{true, "{ownerFirst} to send the {integration} integration guide and field mapping template by {due}."},
			{true, "{ownerFirst} to set up a sandbox connected to {acctPoss} {integration} test instance."},
			{false, "{ownerFirst} to list the custom {integration} fields the team relies on by {due}."},
		},
		outline: []string{"Walked through the {integration} connector", "Reviewed the {integration2} sync requirements", "Discussed API limits and webhooks"},
		lines: []lineTpl{
			{false, "Everything we do lives in {integration}, so that integration has to be solid."},
			{true, "The connector syncs every few minutes and you control the field mapping."},
			{false, "Can it also push updates into {integration2}, or is it one way?"},
			{true, "It's two-way, and there are webhooks if your team wants to build on top."},
		}},
	{name: "Security", highlight: "Security and compliance",
		brief: []string{
			"{acctPoss} security team asked about SOC 2 Type II, SSO through Okta and where call recordings are stored.",
			"{contact2First} wanted to know how long data is retained and whether {acct} could choose EU data residency.",
			"Security review is a gating item: {contactFirst} said nothing moves to procurement until the questionnaire is complete.",
			"{hostFirst} covered encryption at rest and in transit, role-based access and the results of the latest penetration test.",
		},
		keyPoints: []string{
			"{acct} requires SOC 2 Type II and SSO before signing.",
			"Data residency in the EU is a requirement for part of {acctPoss} team.",
			"The security questionnaire must be completed before procurement starts.",
			"{contact2First} asked for the latest penetration test summary.",
			"Retention of recordings must be configurable to ninety days.",
		},
		actions: []actionTpl{
			{true, "{ownerFirst} to send the SOC 2 Type II report and the penetration test summary under NDA by {due}."},
			{true, "{ownerFirst} to complete {acctPoss} security questionnaire by {due}."},
			{false, "{ownerFirst} to confirm the SSO requirements with the identity team."},
		},
		outline: []string{"Reviewed SOC 2 and SSO requirements", "Discussed data residency and retention", "Agreed on the security questionnaire process"},
		lines: []lineTpl{
			{false, "Before anything else, our security team needs the SOC 2 report."},
			{true, "Absolutely, we're SOC 2 Type II and I can send it under NDA today."},
			{false, "We also need SSO through Okta and control over retention."},
			{true, "Both are supported; retention is configurable per workspace."},
		}},
	{name: "Implementation", highlight: "Implementation plan",
		brief: []string{
			"The teams discussed a phased rollout starting with {acctPoss} {focus} team and expanding to the rest of the organisation within {weeks} weeks.",
			"{hostFirst} proposed an implementation plan with a named project lead on each side and weekly status calls.",
			"{contactFirst} was concerned about how much of the team's time implementation would take during their busy season.",
			"Implementation was scoped at {weeks} weeks, with data migration and {integration} setup on the critical path.",
		},
		keyPoints: []string{
			"Rollout will be phased, starting with the {focus} team.",
			"Implementation is scoped at {weeks} weeks with weekly status calls.",
			"{acct} will name a project lead before kickoff.",
			"{integration} setup is on the critical path of the implementation.",
		},
		actions: []actionTpl{
			{true, "{ownerFirst} to share a draft implementation plan with milestones by {due}."},
			{false, "{ownerFirst} to name {acctPoss} project lead and admins by {due}."},
			{true, "{ownerFirst} to schedule the technical kickoff with {acctPoss} IT team."},
		},
		outline: []string{"Agreed on a phased rollout", "Reviewed the {weeks}-week implementation plan", "Identified owners on both sides"},
		lines: []lineTpl{
			{true, "We'd suggest starting with the {focus} team and expanding from there."},
			{false, "How much time will this take from my team each week?"},
			{true, "About two hours a week for the admin during the first month."},
		}},
	{name: "Competition", highlight: "Competitive landscape",
		brief: []string{
			"{acct} is also evaluating {competitor}, and {contactFirst} liked their forecasting view but found the setup heavy.",
			"{contactFirst} mentioned that a sister team uses {competitor}, which could make standardising on us harder.",
			"{hostFirst} differentiated on conversation intelligence depth and the {integration} integration compared with {competitor}.",
		},
		keyPoints: []string{
			"{acct} is also evaluating {competitor}.",
			"{contactFirst} sees our {integration} integration as stronger than {competitor}'s.",
			"A sister team at {acct} already uses {competitor}.",
		},
		actions: []actionTpl{
			{true, "{ownerFirst} to send the {competitor} comparison sheet and two reference customers by {due}."},
			{false, "{ownerFirst} to share the evaluation criteria the team is using."},
		},
		outline: []string{"Discussed the {competitor} evaluation", "Reviewed differentiators"},
		lines: []lineTpl{
			{false, "To be transparent, we're also talking to {competitor}."},
			{true, "That's helpful to know. Where do you feel they're stronger?"},
			{false, "Their forecasting screen looked nice, but the setup seemed heavy."},
		}},
	{name: "Budget", highlight: "Budget",
		brief: []string{
			"Budget for the project sits with {contactFirst}, who confirmed funds are allocated for this fiscal year.",
			"{contactFirst} said budget is tight this quarter and any spend above {amount} needs CFO approval.",
			"The group discussed whether the purchase could be split across two budget lines to get under the approval threshold.",
		},
		keyPoints: []string{
			"Budget is allocated for this fiscal year.",
			"Spend above {amount} requires CFO approval at {acct}.",
			"{contactFirst} owns the budget for this initiative.",
		},
		actions: []actionTpl{
			{false, "{ownerFirst} to confirm the approved budget with finance by {due}."},
			{true, "{ownerFirst} to prepare an ROI summary for {acctPoss} CFO."},
		},
		outline: []string{"Confirmed budget ownership", "Discussed approval thresholds"},
		lines: []lineTpl{
			{false, "The budget is there, but anything above {amount} goes to our CFO."},
			{true, "Understood. Would an ROI summary help with that conversation?"},
		}},
	{name: "Timeline", highlight: "Timeline",
		brief: []string{
			"{acct} wants to be live before {quarter} planning, which puts signature at the end of next month.",
			"The decision timeline slipped by two weeks because {contactFirst}'s leadership team is in offsite meetings.",
			"{contactFirst} outlined the decision process: a shortlist by {due}, then a final presentation to leadership.",
		},
		keyPoints: []string{
			"{acct} targets go-live before {quarter} planning.",
			"Decision expected after the leadership presentation.",
			"Timeline slipped by two weeks due to leadership availability.",
		},
		actions: []actionTpl{
			{true, "{ownerFirst} to send a mutual action plan working back from the go-live date by {due}."},
			{false, "{ownerFirst} to confirm the date of the leadership presentation."},
		},
		outline: []string{"Reviewed the decision timeline", "Agreed on a mutual action plan"},
		lines: []lineTpl{
			{false, "We really need this live before {quarter} planning starts."},
			{true, "Then let's work backwards from that and put a plan on paper."},
		}},
	{name: "Legal", highlight: "Contract and legal",
		brief: []string{
			"Legal review is under way; {acctPoss} counsel sent redlines on the limitation of liability and the data processing addendum.",
			"{contactFirst} asked whether {company} would accept {acctPoss} paper instead of our MSA.",
			"The teams agreed to a call between both legal teams to close the open points on the DPA.",
		},
		keyPoints: []string{
			"{acctPoss} legal team sent redlines on limitation of liability.",
			"The DPA needs updated sub-processor language.",
			"{acct} prefers to contract on its own paper.",
		},
		actions: []actionTpl{
			{true, "{ownerFirst} to return the MSA redlines from our legal team by {due}."},
			{false, "{ownerFirst} to set up a call between both legal teams by {due}."},
		},
		outline: []string{"Reviewed MSA redlines", "Discussed the DPA"},
		lines: []lineTpl{
			{false, "Our counsel had a few redlines on the liability cap."},
			{true, "I'll get those to our legal team and come back this week."},
		}},
	{name: "Onboarding", highlight: "Onboarding",
		brief: []string{
			"Onboarding is going well: {percent} of licensed users logged in during the first month.",
			"{contactFirst} asked for additional training sessions for new managers joining in {quarter}.",
			"{hostFirst} shared the onboarding checklist and offered office hours for {acctPoss} admins.",
		},
		keyPoints: []string{
			"{percent} of licensed users at {acct} are active after onboarding.",
			"New managers need a dedicated training session.",
			"Admin office hours will run weekly during onboarding.",
		},
		actions: []actionTpl{
			{true, "{ownerFirst} to schedule two manager training sessions by {due}."},
			{false, "{ownerFirst} to send the list of new managers who need training."},
		},
		outline: []string{"Reviewed onboarding progress", "Planned manager training"},
		lines: []lineTpl{
			{false, "Adoption has been good, but our new managers need training."},
			{true, "Let's set up two sessions just for them."},
		}},
	{name: "Product Roadmap", highlight: "Roadmap questions",
		brief: []string{
			"{contactFirst} asked about the roadmap for {module}, in particular multi-language support and custom dashboards.",
			"{hostFirst} previewed upcoming features for {module} and noted that roadmap items are not commitments.",
			"{acct} requested a feature to export coaching scorecards to {integration}, which {hostFirst} logged as a product request.",
		},
		keyPoints: []string{
			"{acct} is interested in upcoming {module} features.",
			"Multi-language support is important for {acctPoss} international teams.",
			"{acct} filed a feature request for scorecard export to {integration}.",
		},
		actions: []actionTpl{
			{true, "{ownerFirst} to file the {integration} export request with product and share the ticket by {due}."},
			{true, "{ownerFirst} to set up a roadmap session with our product manager."},
		},
		outline: []string{"Previewed the {module} roadmap", "Captured feature requests"},
		lines: []lineTpl{
			{false, "Is multi-language support on the roadmap for {module}?"},
			{true, "It is, though I can't commit to a date yet. I'll get you time with our PM."},
		}},
	{name: "Reporting", highlight: "Reporting needs",
		brief: []string{
			"{contactFirst} wants a weekly report on {focus} that leadership can read without logging in.",
			"The team reviewed dashboards for {focus}, and {contactFirst} asked for a view by region.",
			"Reporting was the main pain point: {acct} builds its {focus} reports by hand in spreadsheets today.",
		},
		keyPoints: []string{
			"{acct} builds {focus} reports by hand in spreadsheets today.",
			"Leadership wants a weekly emailed report.",
			"A regional breakdown of the dashboard is needed.",
		},
		actions: []actionTpl{
			{true, "{ownerFirst} to build a sample {focus} dashboard with {acctPoss} regions by {due}."},
			{false, "{ownerFirst} to send an example of the current spreadsheet report."},
		},
		outline: []string{"Reviewed current reporting", "Designed the {focus} dashboard"},
		lines: []lineTpl{
			{false, "Right now we build these reports by hand every Monday."},
			{true, "That's exactly what the {focus} dashboard replaces."},
		}},
	{name: "Data Migration", highlight: "Data migration",
		brief: []string{
			"{acct} wants two years of historical recordings migrated from their current vendor.",
			"{contact2First} asked how historical data would be mapped and how long a backfill would take.",
		},
		keyPoints: []string{
			"{acct} needs two years of historical data migrated.",
			"The backfill must finish before go-live.",
		},
		actions: []actionTpl{
			{true, "{ownerFirst} to send the migration runbook and a backfill estimate by {due}."},
			{false, "{ownerFirst} to export a sample of historical data for a test migration."},
		},
		outline: []string{"Scoped the historical data migration"},
		lines: []lineTpl{
			{false, "We have about two years of history we don't want to lose."},
			{true, "We can backfill that; I'll send you our runbook."},
		}},
	{name: "Support", highlight: "Support issues",
		brief: []string{
			"{contactFirst} raised two open support tickets about {integration} sync delays.",
			"Support response times were discussed, and {hostFirst} offered to escalate the open tickets.",
		},
		keyPoints: []string{
			"Two support tickets about {integration} sync delays are open.",
			"{acct} wants faster first responses on priority tickets.",
		},
		actions: []actionTpl{
			{true, "{ownerFirst} to escalate the open {integration} tickets and report back by {due}."},
		},
		outline: []string{"Reviewed open support tickets"},
		lines: []lineTpl{
			{false, "We still have two tickets open on the {integration} sync."},
			{true, "I'll escalate both today and get you an update."},
		}},
	{name: "Use Cases", highlight: "Use cases",
		brief: []string{
			"{contactFirst} described the main use case: giving managers visibility into {focus} without sitting in on every call.",
			"The team walked through three use cases: {focus}, rep coaching and deal reviews.",
			"{acctPoss} sales team of roughly {seats} reps struggles with inconsistent {focus}, which is driving the evaluation.",
		},
		keyPoints: []string{
			"The primary use case is {focus}.",
			"{acct} has about {seats} reps who would use the platform.",
			"Managers want visibility without joining every call.",
		},
		actions: []actionTpl{
			{true, "{ownerFirst} to send a recap of the agreed use cases and success criteria by {due}."},
			{false, "{ownerFirst} to share the team structure and rep counts."},
		},
		outline: []string{"Discussed {focus} as the primary use case", "Agreed on success criteria"},
		lines: []lineTpl{
			{false, "Our managers just don't have visibility into {focus} today."},
			{true, "That's the most common reason teams come to us."},
		}},
	{name: "Renewal", highlight: "Renewal",
		brief: []string{
			"{acctPoss} renewal is coming up, and {contactFirst} wants to add {seats} seats while moving to a two-year term.",
			"{contactFirst} flagged that renewal depends on showing adoption numbers to the CFO.",
		},
		keyPoints: []string{
			"{acct} plans to add {seats} seats at renewal.",
			"Renewal depends on adoption data for the CFO.",
		},
		actions: []actionTpl{
			{true, "{ownerFirst} to send an adoption report ahead of the renewal by {due}."},
			{false, "{ownerFirst} to confirm the seat count for the renewal."},
		},
		outline: []string{"Discussed renewal terms and seat count"},
		lines: []lineTpl{
			{false, "For the renewal, I'll need adoption numbers to show our CFO."},
			{true, "I'll pull a report together for you this week."},
		}},
}

var topicIndex = func() map[string]int {
	m := make(map[string]int, len(topicDefs))
	for i, t := range topicDefs {
		m[t.name] = i
	}
	return m
}()

// Opening sentences of a brief; {goal} is the call kind's goal phrase.
var briefOpenings = []string{
	"{host} met with {contact} ({contactTitle}) and the {acct} team to {goal}.",
	"In this {noun}, {hostFirst} met with {contactFirst} from {acct} to {goal}.",
	"{contactFirst}, {contactTitle} at {acct}, joined {hostFirst} for a {noun} to {goal}.",
	"The purpose of this {noun} with {acct} was to {goal}.",
	"{hostFirst} led a {noun} with {acct}, where {contact} and {contact2} joined to {goal}.",
	"{acct} and {company} met to {goal}; {contactFirst} represented {acct}.",
}

var briefRisks = []string{
	"The main risk is timing, since {contactFirst} has not yet secured sign-off from leadership.",
	"One open concern is whether {acctPoss} IT team has capacity this quarter.",
	"{contactFirst} was positive overall but wants to see references from similar companies.",
	"There is some internal resistance at {acct} from teams that prefer their current tools.",
	"Engagement was strong, though the economic buyer has not joined a call yet.",
	"The deal looks healthy, but {competitor} is still in the running.",
}

var briefClosings = []string{
	"The call ended with agreement on next steps, and {hostFirst} will follow up by {due}.",
	"Next, {hostFirst} will send a recap and the two sides will meet again next week.",
	"Both sides agreed to reconvene on {due} to review progress.",
	"{contactFirst} will bring the findings to the buying group, and {hostFirst} will follow up by {due}.",
	"They closed by booking a follow-up with {contact2} for {due}.",
	"Overall the call moved {deal} forward, with clear owners for each open item.",
}

var internalBriefOpenings = []string{
	"{host} and {mgr} reviewed the {acct} opportunity to {goal}.",
	"Internal review of {deal}: {hostFirst} walked {mgr} through the latest on {acct}.",
}

var fillerLines = []lineTpl{
	{true, "Thanks everyone for joining today."},
	{false, "Thanks for having us."},
	{true, "Can everyone see my screen?"},
	{false, "Yes, that looks good."},
	{true, "Before we dive in, let me recap where we left off."},
	{false, "That makes sense to me."},
	{true, "Any questions on that before we move on?"},
	{false, "No, that's clear."},
	{true, "Great, I'll send a recap after the call."},
	{false, "Sounds good, talk soon."},
}

var highlightTitles = []string{"Next steps", "Key moments", "Questions raised"}

var structureSets = [][]string{
	{"Call Setup", "Discussion", "Next Steps"},
	{"Call Setup", "Product Demo", "Q&A", "Next Steps"},
	{"Introductions", "Discovery", "Discussion", "Wrap-Up"},
}
