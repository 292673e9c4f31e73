package gongsim

// The synthetic company whose Gong tenant is simulated.
const (
	companyName   = "Brightwave"
	companyDomain = "brightwave.io"
	legacyDomain  = "brightwave.com"
	gongHost      = "https://us-12345.app.gong.io"
)

var firstNames = []string{
	"Maya", "Liam", "Olivia", "Noah", "Emma", "Ethan", "Ava", "Lucas", "Sophia", "Mason",
	"Isabella", "Logan", "Mia", "James", "Amelia", "Aiden", "Harper", "Elijah", "Evelyn", "Oliver",
	"Abigail", "Jacob", "Emily", "Daniel", "Ella", "Henry", "Scarlett", "Jackson", "Grace", "Sebastian",
	"Chloe", "Samuel", "Victoria", "David", "Riley", "Joseph", "Aria", "Carter", "Lily", "Owen",
	"Zoe", "Wyatt", "Nora", "John", "Hannah", "Jack", "Layla", "Luke", "Priya", "Arjun",
	"Ananya", "Rohan", "Mei", "Wei", "Hiroshi", "Yuki", "Sofia", "Mateo", "Valentina", "Diego",
	"Camila", "Javier", "Lucia", "Andre", "Fatima", "Omar", "Leila", "Hassan", "Amara", "Kwame",
	"Nia", "Tariq", "Ingrid", "Lars", "Freya", "Anders", "Elena", "Marco", "Giulia", "Luca",
	"Claire", "Julien", "Amelie", "Felix", "Hanna", "Jonas", "Rachel", "Ben", "Tessa", "Caleb",
	"Naomi", "Isaac", "Ruth", "Adam", "Vera", "Simon", "Maren", "Declan", "Siobhan", "Connor",
	"Aisha", "Kofi", "Zara", "Ravi", "Deepa", "Sanjay", "Keiko", "Kenji", "Ines", "Pablo",
}

var lastNames = []string{
	"Chen", "Patel", "Garcia", "Nguyen", "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller",
	"Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
	"Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark",
	"Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres",
	"Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
	"Carter", "Roberts", "Kim", "Park", "Singh", "Shah", "Okafor", "Mensah", "Haddad", "Nakamura",
	"Tanaka", "Sato", "Larsen", "Johansson", "Becker", "Schmidt", "Rossi", "Bianchi", "Dubois", "Moreau",
	"O'Brien", "Murphy", "Kelly", "Walsh", "Novak", "Kowalski", "Ivanova", "Petrov", "Costa", "Silva",
	"Fischer", "Weber", "Bauer", "Hoffman", "Reyes", "Cruz", "Ortiz", "Morales", "Gupta", "Iyer",
	"Rao", "Khan", "Ali", "Hassan", "Abara", "Eze", "Lindqvist", "Berg", "Holm", "Fontaine",
	"Whitaker", "Prescott", "Langley", "Ashford", "Caldwell", "Brennan", "Sutton", "Hale", "Monroe", "Vance",
}

var workspaceDefs = []struct{ name, desc string }{
	{"North America Sales", "Commercial and enterprise sales teams in the US and Canada"},
	{"EMEA Sales", "Sales teams in Europe, the Middle East and Africa"},
	{"Customer Success", "Onboarding, adoption and renewals for existing customers"},
	{"APAC Sales", "Sales teams in Asia Pacific"},
	{"Partnerships", "Channel and technology partner managers"},
}

// Named accounts used by the example calls; random calls avoid the last one.
const (
	acctAcme      = 0
	acctContoso   = 1
	acctFabrikam  = 2
	acctNorthwind = 3
)

var famousAccounts = []struct{ name, domain, industry string }{
	{"Acme Corp", "acme.com", "Manufacturing"},
	{"Contoso Ltd", "contoso.com", "Professional Services"},
	{"Fabrikam Inc", "fabrikam.com", "Retail"},
	{"Northwind Traders", "northwindtraders.com", "Wholesale Distribution"},
	{"Globex Corporation", "globex.com", "Energy"},
	{"Initech", "initech.com", "Software"},
	{"Umbrella Health", "umbrellahealth.com", "Healthcare"},
	{"Wayne Enterprises", "wayne-ent.com", "Conglomerate"},
	{"Stark Industries", "starkindustries.com", "Aerospace & Defense"},
	{"Hooli", "hooli.xyz", "Internet Software & Services"},
	{"Vandelay Industries", "vandelay.com", "Import & Export"},
	{"Tailspin Toys", "tailspintoys.com", "Consumer Goods"},
	{"Woodgrove Bank", "woodgrovebank.com", "Financial Services"},
	{"Litware Inc", "litware.com", "Software"},
	{"Adventure Works", "adventure-works.com", "Sporting Goods"},
	{"Proseware Inc", "proseware.com", "Education Technology"},
	{"Wide World Importers", "wideworldimporters.com", "Logistics"},
	{"Coho Winery", "cohowinery.com", "Food & Beverage"},
	{"Lamna Healthcare", "lamnahealthcare.com", "Healthcare"},
	{"Trey Research", "treyresearch.net", "Biotechnology"},
	{"Blue Yonder Airlines", "blueyonderairlines.com", "Airlines"},
	{"Alpine Ski House", "alpineskihouse.com", "Hospitality"},
	{"Margie's Travel", "margiestravel.com", "Travel"},
	{"Relecloud", "relecloud.com", "Cloud Services"},
	{"Southridge Video", "southridgevideo.com", "Media"},
	{"Graphic Design Institute", "graphicdesigninstitute.com", "Education"},
	{"Humongous Insurance", "humongousinsurance.com", "Insurance"},
	{"City Power & Light", "cpandl.com", "Utilities"},
	{"Fourth Coffee", "fourthcoffee.com", "Food & Beverage"},
	{"Wingtip Toys", "wingtiptoys.com", "Consumer Goods"},
	{"Datum Corporation", "adatum.com", "Information Technology"},
	{"Bellows College", "bellowscollege.edu", "Higher Education"},
	{"Cyberdyne Systems", "cyberdyne.com", "Robotics"},
	{"Soylent Foods", "soylentfoods.com", "Food & Beverage"},
	{"Massive Dynamic", "massivedynamic.com", "Technology"},
	{"Pied Piper", "piedpiper.com", "Software"},
	{"Oscorp", "oscorp.com", "Chemicals"},
	{"Gringotts Financial", "gringottsfinancial.com", "Banking"},
	{"Dunder Mifflin", "dundermifflin.com", "Paper & Office Supplies"},
	{"Sterling Cooper", "sterlingcooper.com", "Advertising"},
	{"Monarch Freight", "monarchfreight.com", "Transportation"},
	{"Evergreen Dental Group", "evergreendental.com", "Healthcare"},
	{"Halcyon Biotech", "halcyonbio.com", "Biotechnology"},
	{"Ridgeline Outdoor", "ridgelineoutdoor.com", "Retail"},
}

var acctAdjectives = []string{
	"Blue", "Silver", "Granite", "Summit", "Harbor", "Cedar", "Pioneer", "Atlas", "Beacon", "Crescent",
	"Falcon", "Golden", "Iron", "Keystone", "Lakeside", "Meridian", "North Star", "Oak", "Prairie", "Quantum",
	"Redwood", "Sierra", "Trident", "Union", "Vertex", "Willow", "Apex", "Bright Path", "Coastal", "Delta",
}

var acctNouns = []string{
	"Harbor", "Peak", "River", "Bridge", "Ridge", "Valley", "Stone", "Field", "Point", "Gate",
	"Forge", "Crest", "Grove", "Haven", "Mesa", "Park", "Shore", "Spring", "Trail", "Works",
}

var acctSectors = []struct{ suffix, industry string }{
	{"Logistics", "Logistics"}, {"Health", "Healthcare"}, {"Capital", "Financial Services"},
	{"Foods", "Food & Beverage"}, {"Systems", "Information Technology"}, {"Energy", "Energy"},
	{"Manufacturing", "Manufacturing"}, {"Labs", "Biotechnology"}, {"Retail Group", "Retail"},
	{"Insurance", "Insurance"}, {"Analytics", "Software"}, {"Telecom", "Telecommunications"},
	{"Construction", "Construction"}, {"Media", "Media"}, {"Pharma", "Pharmaceuticals"},
	{"Hotels", "Hospitality"}, {"Aerospace", "Aerospace & Defense"}, {"Education", "Education"},
	{"Motors", "Automotive"}, {"Partners", "Professional Services"},
}

var contactTitles = []string{
	"VP Finance", "Chief Financial Officer", "Head of IT", "Procurement Manager", "Director of Operations",
	"IT Security Lead", "RevOps Manager", "Chief Revenue Officer", "Sales Operations Analyst", "Legal Counsel",
	"Head of Engineering", "Data Platform Lead", "VP of Sales", "Director of Customer Experience", "CIO",
	"Senior Buyer", "Enablement Manager", "Director of IT Infrastructure", "Controller", "Chief Operating Officer",
	"Head of Sales Enablement", "Systems Administrator", "Director of Procurement", "VP of Operations",
}

var dealKinds = []string{"New Business", "Expansion", "Renewal", "Platform Upgrade", "Pilot", "Multi-year Renewal"}

var stages = []struct {
	name string
	prob int
}{
	{"Prospecting", 10}, {"Qualification", 20}, {"Needs Analysis", 30}, {"Value Proposition", 40},
	{"Proposal/Price Quote", 60}, {"Negotiation/Review", 80}, {"Closed Won", 100}, {"Closed Lost", 0},
}

var competitors = []string{"Callyst", "SignalPeak", "Convoline", "Tallyhub", "Revlytics", "Chorda"}

var integrations = []string{
	"Salesforce", "HubSpot", "Snowflake", "Slack", "Microsoft Teams", "Okta", "Workday",
	"NetSuite", "Zendesk", "Jira", "SAP", "Marketo", "ServiceNow", "Azure AD",
}

var modules = []string{"Insights", "Forecast", "Engage", "Data Hub", "Connect API", "Coaching"}

var weekdays = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}

var numberWords = []string{"two", "three", "four", "five", "six", "eight", "ten", "twelve"}

// Tracker definitions, per workspace; each call's trackers are drawn from them.
var trackerDefs = []struct {
	name     string
	keywords []string
	topic    string
}{
	{"Competitors", nil, "Competition"}, // keywords are the competitor names
	{"Pricing", []string{"price", "pricing", "discount", "quote", "list price"}, "Pricing"},
	{"Budget", []string{"budget", "spend", "fiscal year", "funding"}, "Budget"},
	{"Security", []string{"SOC 2", "SSO", "encryption", "penetration test", "GDPR"}, "Security"},
	{"Integrations", []string{"API", "integration", "connector", "sync", "webhook"}, "Integrations"},
	{"Next Steps", []string{"next step", "follow up", "send over", "schedule"}, "Next Steps"},
	{"Objections", []string{"concern", "too expensive", "not sure", "pushback"}, ""},
	{"Legal", []string{"MSA", "redlines", "DPA", "contract", "terms"}, "Legal"},
	{"Timeline", []string{"deadline", "go-live", "by the end of", "timeline"}, "Timeline"},
}

// Call kinds: what a call is about. A call's title, topics, structure and
// outcome follow from its kind.
type callKindDef struct {
	name     string
	noun     string   // "discovery call"
	goals    []string // "to ..." phrases for the brief
	titles   []string // title templates
	topics   []string // topic names likely in this kind of call
	purpose  string
	outcomes []int // indexes into outcomes
	phone    bool  // a dialer call rather than a video meeting
	internal bool  // no external parties
	minDur   int   // minutes
	maxDur   int
	weight   int
}

var callKinds = []callKindDef{
	{name: "discovery", noun: "discovery call", weight: 16, minDur: 25, maxDur: 50, purpose: "Discovery",
		goals:    []string{"understand how {acct} runs its sales process today", "qualify the opportunity and map the buying group", "learn what prompted {acct} to look at new tooling this quarter"},
		titles:   []string{"Discovery call - {acct}", "{acct} <> {company} | Discovery", "Intro: {acct} / {company}", "{contactFirst} <> {hostFirst} - intro call", "{acct} discovery - {focus}"},
		topics:   []string{"Use Cases", "Budget", "Timeline", "Integrations", "Competition", "Reporting"},
		outcomes: []int{0, 1, 2}},
	{name: "demo", noun: "product demo", weight: 14, minDur: 35, maxDur: 60, purpose: "Demo Call",
		goals:    []string{"show {acct} how {module} handles their {focus} workflow", "walk the {acct} team through a tailored demo of {module}", "demo the {module} module against the use cases {contactFirst} shared"},
		titles:   []string{"{company} demo for {acct}", "{acct} | Product demo - {module}", "{module} walkthrough with {acct}", "Demo: {focus} at {acct}"},
		topics:   []string{"Use Cases", "Integrations", "Reporting", "Security", "Product Roadmap", "Pricing"},
		outcomes: []int{0, 1, 3}},
	{name: "technical", noun: "technical deep dive", weight: 8, minDur: 45, maxDur: 75, purpose: "Technical Review",
		goals:    []string{"review the {integration} integration architecture with {acctPoss} engineers", "answer {acctPoss} technical questions about data flows and APIs", "validate that {module} fits {acctPoss} {integration} setup"},
		titles:   []string{"{acct} technical deep dive: {integration}", "{acct} / {company} - Architecture review", "{integration} integration review - {acct}"},
		topics:   []string{"Integrations", "Security", "Data Migration", "Implementation", "Product Roadmap"},
		outcomes: []int{1, 3}},
	{name: "pricing", noun: "pricing discussion", weight: 8, minDur: 30, maxDur: 55, purpose: "Negotiation",
		goals:    []string{"walk {acct} through the proposal for {deal}", "discuss pricing options and contract length for {deal}", "work through {contactFirst}'s pushback on the quote"},
		titles:   []string{"{acct} <> {company} | Pricing review", "{deal} - proposal walkthrough", "{acct} commercial discussion", "Pricing follow-up with {acct}"},
		topics:   []string{"Pricing", "Budget", "Legal", "Timeline", "Competition"},
		outcomes: []int{1, 4, 5}},
	{name: "security", noun: "security review", weight: 5, minDur: 30, maxDur: 60, purpose: "Security Review",
		goals:    []string{"go through {acctPoss} security questionnaire", "answer the infosec team's questions before procurement", "review SSO, data residency and retention requirements with {acct}"},
		titles:   []string{"{acct} security review", "InfoSec questionnaire walkthrough - {acct}", "{acct} | SSO and data residency"},
		topics:   []string{"Security", "Integrations", "Legal", "Implementation"},
		outcomes: []int{1, 3}},
	{name: "kickoff", noun: "implementation kickoff", weight: 6, minDur: 40, maxDur: 70, purpose: "Kickoff",
		goals:    []string{"kick off the implementation with {acct}", "agree on the rollout plan and owners for {acct}", "plan the first {weeks} weeks of {acctPoss} rollout"},
		titles:   []string{"{acct} implementation kickoff", "Kickoff: {acct} x {company}", "{acct} onboarding plan"},
		topics:   []string{"Implementation", "Onboarding", "Timeline", "Integrations", "Data Migration"},
		outcomes: []int{1, 3}},
	{name: "checkin", noun: "check-in", weight: 10, minDur: 20, maxDur: 45, purpose: "Customer Check-in",
		goals:    []string{"check in on adoption at {acct}", "review open support issues and adoption with {acct}", "catch up on how {acctPoss} teams are using {module}"},
		titles:   []string{"{acct} bi-weekly check-in", "{acct} / {company} sync", "Weekly sync - {acct}", "{contactFirst} / {hostFirst} check-in"},
		topics:   []string{"Onboarding", "Support", "Reporting", "Product Roadmap", "Integrations"},
		outcomes: []int{1, 3}},
	{name: "qbr", noun: "quarterly business review", weight: 6, minDur: 45, maxDur: 75, purpose: "QBR",
		goals:    []string{"review last quarter's results with {acct} leadership", "present adoption metrics and the plan for next quarter to {acct}", "align with {acct} on goals for {quarter}"},
		titles:   []string{"{acct} QBR - {quarter}", "{quarter} business review: {acct}", "{acct} executive business review"},
		topics:   []string{"Reporting", "Renewal", "Product Roadmap", "Use Cases", "Budget"},
		outcomes: []int{1, 3}},
	{name: "renewal", noun: "renewal discussion", weight: 6, minDur: 25, maxDur: 50, purpose: "Renewal",
		goals:    []string{"discuss {acctPoss} upcoming renewal", "review seat counts and terms ahead of {acctPoss} renewal", "talk through the renewal of {deal}"},
		titles:   []string{"{acct} renewal discussion", "{deal} - renewal planning", "{acct} <> {company} | Renewal"},
		topics:   []string{"Renewal", "Pricing", "Budget", "Legal", "Competition"},
		outcomes: []int{1, 4, 5}},
	{name: "exec", noun: "executive alignment meeting", weight: 4, minDur: 30, maxDur: 45, purpose: "Executive Alignment",
		goals:    []string{"align executives at {acct} and {company} on the partnership", "confirm executive sponsorship for {deal}", "connect {acctPoss} leadership with ours ahead of the decision"},
		titles:   []string{"{acct} executive alignment", "Exec sync: {acct} / {company}", "{acct} leadership meeting"},
		topics:   []string{"Use Cases", "Timeline", "Budget", "Product Roadmap"},
		outcomes: []int{1, 3}},
	{name: "procurement", noun: "procurement call", weight: 4, minDur: 25, maxDur: 50, purpose: "Procurement",
		goals:    []string{"work through {acctPoss} procurement steps", "review redlines on the MSA with {acctPoss} legal team", "agree on paper process and signatures for {deal}"},
		titles:   []string{"{acct} procurement sync", "MSA redlines - {acct}", "{acct} legal and procurement"},
		topics:   []string{"Legal", "Pricing", "Security", "Timeline"},
		outcomes: []int{1, 4}},
	{name: "cold", noun: "prospecting call", weight: 9, minDur: 2, maxDur: 12, purpose: "Prospecting", phone: true,
		goals:    []string{"introduce {company} to {contactFirst} at {acct}", "book a first meeting with {acct}", "follow up on {contactFirst}'s download of our {focus} guide"},
		titles:   []string{"Call with {contact}", "Outbound call - {acct}", "{contactFirst} ({acct}) - follow-up call"},
		topics:   []string{"Use Cases", "Timeline", "Competition"},
		outcomes: []int{0, 2, 6, 7}},
	{name: "internal", noun: "internal deal review", weight: 4, minDur: 20, maxDur: 45, purpose: "Internal", internal: true,
		goals:    []string{"review the {acct} opportunity and agree on a strategy", "prepare for the next meeting with {acct}", "inspect the {deal} forecast"},
		titles:   []string{"Deal review: {deal}", "{acct} account planning", "Pipeline review - {acct}"},
		topics:   []string{"Pricing", "Timeline", "Competition", "Budget"},
		outcomes: []int{3}},
}

var outcomes = []struct{ id, category, name string }{
	{"MEETING_BOOKED", "Answered", "Meeting booked"},
	{"NEXT_STEPS_AGREED", "Answered", "Next steps agreed"},
	{"CALL_BACK_LATER", "Answered", "Call back later"},
	{"FOLLOW_UP", "Answered", "Follow-up scheduled"},
	{"PROPOSAL_SENT", "Answered", "Proposal requested"},
	{"NEGOTIATION", "Answered", "In negotiation"},
	{"NO_ANSWER", "Not answered", "No answer"},
	{"LEFT_VOICEMAIL", "Not answered", "Left voicemail"},
}

var focusAreas = []string{
	"pipeline reporting", "forecasting", "rep coaching", "deal inspection", "onboarding",
	"customer health", "territory planning", "call review",
}

var systems = []struct {
	name, media string
	phone       bool
}{
	{"Zoom", "Video", false}, {"Zoom", "Video", false}, {"Microsoft Teams", "Video", false},
	{"Google Meet", "Video", false}, {"Webex", "Video", false},
	{"Outreach", "Audio", true}, {"Aircall", "Audio", true}, {"RingCentral", "Audio", true},
}
