// Package question understands questions asked in plain language about calls,
// without a language model: which accounts, deals, meeting and dates they are
// about, what they ask for, and what is left to search for.
//
// Understanding is a sequence of claims on the question's words, the most
// specific first, so that a word means one thing:
//
//  1. Names (Catalog): stored account and deal names, compared after folding
//     case, diacritics and punctuation, without company suffixes (see
//     companySuffixes), possessives included. A name made only of ordinary
//     words ("Next", "Summit Group") needs evidence the question means it:
//     a capital letter where grammar puts none, quotes, or its suffix.
//  2. Dates (dates.go): relative to the caller's clock and zone; a date
//     without a year is the most recent one not in the future; "Q2" before a
//     meeting word is part of a meeting's name.
//  3. The meeting: the words before a head noun (meeting, call, review,
//     demo, sync, kickoff...) up to an article or a preposition, skipping
//     names and dates: "the Q2 planning meeting with Acme" is "Q2 planning".
//  4. What is asked for: phrasings of each intent, strong ones ("action
//     items", "how long") over weak ones ("who", "what happened"), the first
//     in the question among equals; the role for questions about people.
//  5. Whether the question spans calls: cues such as "repeatedly", "across",
//     "trends", plural meeting nouns, or "all"/"every" when no single meeting
//     is named.
//
// What no step claimed and is not a stop word is left in Terms, for full-text
// search.
package question

import (
	"slices"
	"strings"
	"time"
)

// Intent is what a question asks for.
type Intent string

// The intents a question can have.
const (
	IntentSearch      Intent = "search"       // unknown shape: fall back to search
	IntentActionItems Intent = "action_items" // action items, to-dos, follow-ups, tasks
	IntentKeyPoints   Intent = "key_points"   // key points, insights, takeaways, highlights, main points
	IntentBrief       Intent = "brief"        // summary, brief, recap, "what happened", "what was discussed"
	IntentTopics      Intent = "topics"       // topics, themes, "what comes up", "recurring", "trends"
	IntentPeople      Intent = "people"       // who attended, participants, roles: decision maker, champion, ...
	IntentNextSteps   Intent = "next_steps"   // next steps, what's next
	IntentOutcome     Intent = "outcome"      // outcome, result, how did it go or end
	IntentDuration    Intent = "duration"     // how long
	IntentTrackers    Intent = "trackers"     // trackers, mentions of competitors and tracked keywords
)

// Meaning is a question understood.
type Meaning struct {
	Text      string    // the question as asked
	Intent    Intent    // what is asked for
	Role      string    // for IntentPeople: the role asked for ("decision maker", "champion", ...), "" if none
	Accounts  []string  // stored account names the question mentions, best first
	Deals     []string  // stored deal names the question mentions, best first
	Meeting   string    // the words naming a meeting ("Q2 planning", "contract review"), "" if none
	From, To  time.Time // the date range asked about, [From, To) in the caller's zone; zero ends are open
	DateText  string    // the words that gave the range ("May 12", "last week")
	Aggregate bool      // the question spans calls ("repeatedly", "across", "trends", "calls")
	Terms     string    // the words left for full-text search
}

// use records what understood a word of the question.
type use uint8

const (
	unused use = iota
	usedName
	usedDate
	usedMeeting
	usedIntent
	usedCue
)

// Understand parses a question asked at now in loc (UTC when nil), finding
// the names cat knows (cat may be nil). It never fails: a question of an
// unknown shape is IntentSearch with its content words in Terms.
//
// The parts are found in an order that lets the more specific claim words
// first: names, then dates, then the meeting, then what is asked for, then
// whether it spans calls; what no part claimed and is not a stop word is
// left in Terms.
func Understand(q string, now time.Time, loc *time.Location, cat *Catalog) Meaning {
	if loc == nil {
		loc = time.UTC
	}
	out := Meaning{Text: q, Intent: IntentSearch}
	toks := tokenize(q)
	informative := caseInformative(toks)
	used := make([]use, len(toks))
	mark := func(start, end int, u use) {
		for k := max(start, 0); k < end && k < len(used); k++ {
			if used[k] == unused {
				used[k] = u
			}
		}
	}
	free := func(k int) bool { return k >= 0 && k < len(used) && used[k] == unused }

	if cat != nil {
		for _, m := range cat.matchAccounts(toks, informative) {
			mark(m.start, m.end, usedName)
			if !slices.Contains(out.Accounts, m.name) {
				out.Accounts = append(out.Accounts, m.name)
			}
		}
		for _, m := range cat.matchDeals(toks, informative) {
			mark(m.start, m.end, usedName)
			for _, e := range m.extra {
				mark(e[0], e[1], usedName)
			}
			if !slices.Contains(out.Deals, m.name) {
				out.Deals = append(out.Deals, m.name)
			}
		}
	}

	dp := newDateParser(toks, free, now, loc)
	if ms := dp.find(); len(ms) > 0 {
		texts := make([]string, 0, len(ms))
		for _, m := range ms {
			mark(m.lead, m.end, usedDate)
			texts = append(texts, strings.ToValidUTF8(q[toks[m.start].start:toks[m.end-1].end], ""))
		}
		out.From, out.To = combine(ms)
		out.DateText = strings.Join(texts, ", ")
	}

	// What is asked for is found twice: first so that the meeting's name
	// stops at it ("summarize demo" is not a meeting called "summarize"),
	// then on what the meeting left, since a meeting's name may use the
	// same words ("the follow-up call").
	asked := map[int]bool{}
	for _, m := range matchPhrases(toks, free, intentIndex) {
		for k := m.start; k < m.end; k++ {
			asked[k] = true
		}
	}
	mt := findMeeting(toks, used, asked, dp.qHeads)
	out.Meeting = mt.name
	for _, k := range mt.taken {
		mark(k, k+1, usedMeeting)
	}

	matches := matchPhrases(toks, free, intentIndex)
	matches = append(matches, gapPatterns(toks, free)...)
	best := -1
	for i, m := range matches {
		if best < 0 || m.strong && !matches[best].strong || m.strong == matches[best].strong && m.start < matches[best].start {
			best = i
		}
	}
	if best >= 0 {
		out.Intent = matches[best].intent
	}
	for _, m := range matches {
		// Words that qualify what is asked for go with it: "the main
		// insights", "any open action items".
		for k := m.start - 1; k >= 0 && m.start-k <= 2 && free(k) && intentQualifiers[toks[k].norm]; k-- {
			mark(k, k+1, usedIntent)
		}
		mark(m.start, m.end, usedIntent)
		for _, k := range m.more {
			mark(k, k+1, usedIntent)
		}
		if out.Intent == IntentPeople && out.Role == "" && m.role != "" {
			out.Role = m.role
		}
	}

	// Whether the question spans calls: cues may be words that also said
	// what is asked for ("recurring themes").
	cueFree := func(k int) bool { return k >= 0 && k < len(used) && (used[k] == unused || used[k] == usedIntent) }
	out.Aggregate = mt.plural
	for _, m := range matchPhrases(toks, cueFree, cueIndex) {
		if toks[m.start].norm == "all" && m.start > 0 && toks[m.start-1].norm == "at" {
			continue // "did they mention it at all"
		}
		// "every call" spans calls even though "call" is singular.
		quantifies := false
		for k := m.end; k < m.end+2 && k < len(toks); k++ {
			s := toks[k].stem
			quantifies = quantifies || genericHeads[s] || loneHeads[s] || specificHeads[s]
		}
		if m.strong || !mt.singular || quantifies {
			out.Aggregate = true
		}
		mark(m.start, m.end, usedCue)
	}

	var terms []string
	seen := map[string]bool{}
	for k, t := range toks {
		if used[k] != unused || stopWords[t.norm] || stopWords[t.stem] || len(t.norm) == 1 && !t.number {
			continue
		}
		// The verb of a request ("Review the notes", "please pull up") asks;
		// it is not something the calls must contain.
		if askingVerbs[t.norm] && (t.initial || k > 0 && (toks[k-1].norm == "please" || toks[k-1].norm == "you")) {
			continue
		}
		if !seen[t.norm] {
			seen[t.norm] = true
			terms = append(terms, t.raw)
		}
	}
	out.Terms = strings.Join(terms, " ")
	return out
}

// phrase is a run of words with a meaning: an intent (with a role for
// people) or a cue that the question spans calls.
type phrase struct {
	words  []string // stems
	intent Intent
	strong bool // says what is asked for by itself ("action items"), unlike "who"
	role   string
}

// phraseMatch is a phrase found in a question; more lists words beyond
// [start, end) that belong to it (the verb of "how did the demo go").
type phraseMatch struct {
	phrase
	start, end int
	more       []int
}

// phraseSpec lists phrases separated by '|'.
type phraseSpec struct {
	intent Intent
	strong bool
	role   string
	list   string
}

// intentPhrases are the phrasings of each intent. Strong phrases say what is
// asked for; weak ones ("who", "what happened", a role) only when nothing
// strong does. Among equals the first in the question wins: it is usually
// the object of the question ("the key points and next steps").
var intentPhrases = []phraseSpec{
	{IntentActionItems, true, "", "action item|action items|action point|action points|to do|to dos|todo|todos|to do list|" +
		"follow up|follow ups|followup|followups|follow up items|task|tasks|deliverable|deliverables|commitment|commitments|" +
		"committed to|commit to|agreed to|agree to|promised|owe|owes|owed|assignment|assignments|assigned|homework|" +
		"open items|outstanding items|who is doing what|who does what|needs to be done|need to be done|need to do|needs to do|" +
		"responsibilities|who owns what"},
	{IntentKeyPoints, true, "", "key point|key points|main point|main points|important point|important points|key takeaway|" +
		"takeaway|takeaways|take away|take aways|key insight|insight|insights|highlight|highlights|key moment|key moments|" +
		"key thing|key things|main thing|main things|important thing|important things|learning|learnings|lesson|lessons|" +
		"key finding|finding|findings|stood out|stand out|notable|noteworthy|key detail|key details|main idea|main ideas|" +
		"key message|key messages|what did we learn|what we learned|what have we learned|learned|learnt"},
	{IntentBrief, true, "", "summary|summaries|summarize|summarise|summarized|summarised|summarizing|summarising|sum up|" +
		"sum it up|recap|recaps|overview|brief|briefing|rundown|run down|gist|tldr|tl dr|synopsis|notes|meeting notes|debrief"},
	{IntentBrief, false, "", "what happened|what happens|what was discussed|what were discussed|what got discussed|" +
		"what was said|what was covered|what got covered|what was talked about|tell me about|what about|catch me up|" +
		"fill me in|update on"},
	{IntentTopics, true, "", "topic|topics|theme|themes|subject|subjects|trend|trends|trending|recurring|come up|comes up|" +
		"came up|coming up|keep coming up|keeps coming up|pattern|patterns|most discussed|talked about most|discussed most|" +
		"concern|concerns|objection|objections|pain point|pain points|what do they talk about|what do we talk about|" +
		"talking points"},
	{IntentTopics, false, "", "brought up|bring up|brings up|raised"},
	{IntentPeople, true, "", "attendee|attendees|attended|attend|attending|participant|participants|participated|people|" +
		"who was on|who were on|who joined|who was there|who were there|who was present|who was in|who were in|who spoke|" +
		"who talked|speaker|speakers|stakeholder|stakeholders|contact|contacts|point of contact|who was involved|" +
		"who is involved|who are involved|who from|headcount"},
	{IntentPeople, false, "", "who|whom|joined|spoke|present"},
	{IntentPeople, false, "decision maker", "decision maker|decision makers|decisionmaker|decisionmakers|key decision maker|" +
		"final decision maker|who decides|who makes the decision|who makes decisions|final say"},
	{IntentPeople, false, "technical evaluator", "technical evaluator|technical evaluators|tech evaluator|technical buyer|" +
		"technical decision maker|technical contact|technical lead"},
	{IntentPeople, false, "economic buyer", "economic buyer|economic buyers|budget holder|budget owner|controls the budget|" +
		"holds the budget|signer|signatory|who signs|who will sign|who can sign"},
	{IntentPeople, false, "champion", "champion|champions|internal champion|advocate|internal advocate"},
	{IntentPeople, false, "executive sponsor", "executive sponsor|exec sponsor|sponsor|sponsors"},
	{IntentPeople, false, "influencer", "influencer|influencers"},
	{IntentPeople, false, "detractor", "detractor|detractors|skeptic|skeptics|naysayer|naysayers"},
	{IntentPeople, false, "gatekeeper", "gatekeeper|gatekeepers"},
	{IntentPeople, false, "end user", "end user|end users"},
	{IntentNextSteps, true, "", "next step|next steps|nextsteps|what next|whats next|what is next|what happens next|" +
		"what comes next|next action|next actions|path forward|way forward|going forward|plan forward|" +
		"where do we go from here|next move|next moves|plan of action"},
	{IntentOutcome, true, "", "outcome|outcomes|result|results|end result|verdict|conclusion|conclusions|concluded|" +
		"what was decided|decided|decide|decision|decisions|agreed on|agree on|did we win|did they sign|did it close|" +
		"closed won|closed lost|resolution|resolved|go anywhere|went anywhere|go well|went well|how did it go|how it went|" +
		"where did we land|where did it land|where did it end up|end up"},
	{IntentOutcome, false, "", "how was|how were|how is|won|lost|agreement"},
	{IntentDuration, true, "", "how long|duration|length|how many minutes|how many hours|how much time|lasted|" +
		"minutes long|hours long|run time|runtime"},
	{IntentTrackers, true, "", "tracker|trackers|tracked|competitor|competitors|competition|competitive|keyword|keywords|" +
		"mention of|mentions of|how many times mentioned"},
	{IntentTrackers, false, "", "mention|mentions|mentioned"},
}

// cuePhrases say a question spans calls. Strong cues always do; weak ones
// ("all", "every") only when no single meeting is named: "all the action
// items from the demo" is one call.
var cuePhrases = []phraseSpec{
	{"", true, "", "repeatedly|recurring|recur|recurs|across|trend|trends|trending|most common|common|commonly|frequent|" +
		"frequently|often|usually|typically|overall|consistently|always|generally|in general|over time|pattern|patterns|" +
		"again and again|time and again|how often|how many times|keep coming up|keeps coming up|most frequent|multiple|" +
		"several|various|aggregate|each time|every time"},
	{"", false, "", "all|every|each"},
}

var (
	intentIndex = buildPhrases(intentPhrases)
	cueIndex    = buildPhrases(cuePhrases)
)

// buildPhrases indexes phrases by their first word, longest first, so that
// the longest phrase at a position wins ("decision maker" over "decision").
func buildPhrases(specs []phraseSpec) map[string][]phrase {
	idx := map[string][]phrase{}
	for _, s := range specs {
		for _, text := range strings.Split(s.list, "|") {
			toks := tokenize(text)
			if len(toks) == 0 {
				continue
			}
			words := make([]string, len(toks))
			for i, t := range toks {
				words[i] = t.stem
			}
			idx[words[0]] = append(idx[words[0]], phrase{words: words, intent: s.intent, strong: s.strong, role: s.role})
		}
	}
	for _, ps := range idx {
		slices.SortStableFunc(ps, func(a, b phrase) int { return len(b.words) - len(a.words) })
	}
	return idx
}

// matchPhrases finds phrases in toks left to right, the longest at each
// position, using only words ok allows and not across sentence punctuation.
func matchPhrases(toks []token, ok func(int) bool, idx map[string][]phrase) []phraseMatch {
	var out []phraseMatch
	for i := 0; i < len(toks); {
		found := false
		if ok(i) {
			for _, ph := range idx[toks[i].stem] {
				end := i + len(ph.words)
				if end > len(toks) || !sameSentence(toks, i, end) {
					continue
				}
				fits := true
				for k, w := range ph.words {
					if !ok(i+k) || toks[i+k].stem != w {
						fits = false
						break
					}
				}
				if fits {
					out = append(out, phraseMatch{phrase: ph, start: i, end: end})
					i, found = end, true
					break
				}
			}
		}
		if !found {
			i++
		}
	}
	return out
}

var (
	auxiliaries = wordSet("did do does doe has have had")
	endVerbs    = wordSet("go goe went gone going end ended ending turn turned land landed wrap wrapped finish finished")
	whatAux     = wordSet("did do does doe was were have has had got")
	sayingVerbs = wordSet("say said discuss discussed talk talked cover covered happen happened share shared " +
		"present presented show showed demo demoed learn learned hear heard")
)

// gapWindow is how far the verb of a gap pattern may be from its question
// word: "how did the Q2 planning meeting with Acme go" has six words between.
const gapWindow = 8

// gapPatterns finds the phrasings whose words are apart: "how did the Acme
// demo go" (outcome) and "what did the champion say" (brief).
func gapPatterns(toks []token, ok func(int) bool) []phraseMatch {
	var out []phraseMatch
	for i := 0; i+2 < len(toks); i++ {
		if !ok(i) || !ok(i+1) {
			continue
		}
		var verbs map[string]bool
		var p phrase
		switch {
		case toks[i].stem == "how" && auxiliaries[toks[i+1].stem]:
			verbs, p = endVerbs, phrase{intent: IntentOutcome, strong: true}
		case toks[i].stem == "what" && whatAux[toks[i+1].stem]:
			verbs, p = sayingVerbs, phrase{intent: IntentBrief}
		default:
			continue
		}
		for k := i + 2; k < len(toks) && k <= i+gapWindow && sameSentence(toks, k-1, k+1); k++ {
			if ok(k) && verbs[toks[k].stem] {
				more := []int{k}
				if ok(k+1) && (toks[k+1].norm == "about" || toks[k+1].norm == "out" || toks[k+1].norm == "up") {
					more = append(more, k+1)
				}
				out = append(out, phraseMatch{phrase: p, start: i, end: i + 2, more: more})
				break
			}
		}
	}
	return out
}

// Words that head a meeting's name. Generic ones are not part of the name
// ("the Q2 planning meeting" is "Q2 planning"); "discussion" is, but not
// alone; specific ones are a name by themselves ("the demo").
var (
	genericHeads  = wordSet("meeting call session conversation chat touchpoint appointment")
	loneHeads     = wordSet("discussion")
	specificHeads = wordSet("demo demonstration review sync kickoff standup qbr ebr workshop presentation onboarding " +
		"walkthrough negotiation pitch interview training retro retrospective webinar huddle offsite checkin catchup " +
		"intro introduction readout")
	// compoundHeads are heads spelled in two or three words ("kick-off").
	compoundHeads = wordSet("kick_off check_in catch_up stand_up deep_dive touch_base walk_through read_out one_on_one 1_on_1")
	// compoundWords may precede a head as one modifier ("follow-up call").
	compoundWords = wordSet("follow_up close_out wrap_up sign_off hand_off go_live kick_off check_in catch_up deep_dive")
	// verbSubjects before "demo", "review" or "sync" make it a verb.
	verbSubjects = wordSet("we they i you he she to did do does can could will would should please let lets must might")
	// objects after such a word make it a verb too ("review the notes").
	objects     = wordSet("the a an our their my your his her its them us it this that these those me him")
	articleLike = wordSet("the a an this that our their my your his her its last latest first next recent previous same")
	namedWords  = wordSet("called titled named entitled")
)

// meeting is the meeting a question names.
type meeting struct {
	name     string
	taken    []int // words that named it, heads included
	plural   bool  // a plural head: the question is about several calls
	singular bool  // a singular head: the question is about one call
}

// compoundAt reports a compound from set ending at token k: its length or 0.
func compoundAt(toks []token, used []use, k int, set map[string]bool) int {
	for n := 3; n >= 2; n-- {
		s := k - n + 1
		if s < 0 || !sameSentence(toks, s, k+1) {
			continue
		}
		words := make([]string, 0, n)
		ok := true
		for i := s; i <= k; i++ {
			if used[i] != unused {
				ok = false
				break
			}
			words = append(words, toks[i].norm)
		}
		if ok && set[strings.Join(words, "_")] {
			return n
		}
	}
	return 0
}

// findMeeting finds the words that name a meeting: the words before a head
// noun ("Q2 planning" in "the Q2 planning meeting"), up to an article, a
// preposition or another word that cannot be part of a name (stopWords and
// what the question asks for, in asked), skipping account names and dates;
// or the words after "called" or in quotes after the head. qHeads are the
// words the Q2 rule made heads.
func findMeeting(toks []token, used []use, asked map[int]bool, qHeads []int) meeting {
	var mt meeting
	forced := map[int]bool{}
	for _, k := range qHeads {
		forced[k] = true
	}
	// headLen is the length of the head ending at k: 1 for a word, 2 or 3
	// for a compound, 0 for none.
	headLen := func(k int) int {
		if used[k] != unused {
			return 0
		}
		n := 0
		switch s := toks[k].stem; {
		case genericHeads[s] || loneHeads[s] || forced[k]:
			return 1
		case specificHeads[s]:
			n = 1
		default:
			n = compoundAt(toks, used, k, compoundHeads)
		}
		if n == 0 {
			return 0
		}
		// A specific head can be a verb: "we demoed", "review the notes".
		prev, next := "", ""
		if k-n >= 0 {
			prev = toks[k-n].norm
		}
		if k+1 < len(toks) {
			next = toks[k+1].norm
		}
		if verbSubjects[prev] || objects[next] && !articleLike[prev] {
			return 0
		}
		return n
	}
	for k := 0; k < len(toks); k++ {
		n := headLen(k)
		if n == 0 {
			continue
		}
		// The group: adjacent heads ("demo discussion meeting"); the last is
		// the anchor.
		first := k - n + 1
		for k+1 < len(toks) && sameSentence(toks, k, k+2) && headLen(k+1) == 1 {
			k++
		}
		anchor := toks[k]
		plural := anchor.norm != anchor.stem && !forced[k]
		if plural {
			mt.plural = true
		} else {
			mt.singular = true
		}
		if mt.name != "" {
			continue
		}
		var name []int
		var taken []int
		for i := first; i <= k; i++ {
			taken = append(taken, i)
			if !genericHeads[toks[i].stem] {
				name = append(name, i)
			}
		}
		// Backward, over the words that modify the head.
		words := 0
		for i := first - 1; i >= 0 && first-i <= 10 && words < 6; i-- {
			if !nameContinues(toks, i+1) {
				break
			}
			if used[i] == usedName || used[i] == usedDate {
				// Names and dates inside a meeting's name are skipped ("the
				// Acme Q2 kickoff"), but a date's preposition ends it: "price
				// in Q4 calls" names no meeting.
				if stopWords[toks[i].norm] {
					break
				}
				continue
			}
			if used[i] != unused {
				break
			}
			if toks[i].quoted {
				name, words = append(name, i), words+1
				continue
			}
			if c := compoundAt(toks, used, i, compoundWords); c > 0 {
				for j := i - c + 1; j <= i; j++ {
					name = append(name, j)
				}
				words += c
				i -= c - 1
				continue
			}
			if stopWords[toks[i].norm] || stopWords[toks[i].stem] || asked[i] {
				break
			}
			name, words = append(name, i), words+1
		}
		// Forward: "the meeting called Pricing Review", "the call 'Renewal'".
		if j := k + 1; j < len(toks) && used[j] == unused && nameContinues(toks, j) {
			start := j
			if namedWords[toks[j].norm] {
				taken = append(taken, j)
				start = j + 1
			}
			for i := start; i < len(toks) && i-start < 6 && used[i] == unused && (i == start || nameContinues(toks, i)); i++ {
				if toks[i].quoted || start > j && !stopWords[toks[i].norm] && !asked[i] {
					name = append(name, i)
					continue
				}
				break
			}
		}
		slices.Sort(name)
		onlyLone := true
		for _, i := range name {
			if !loneHeads[toks[i].stem] {
				onlyLone = false
			}
		}
		if len(name) == 0 || onlyLone {
			continue
		}
		mt.name = meetingText(toks, name, k)
		mt.taken = append(taken, name...)
	}
	return mt
}

// nameContinues reports whether toks[k] continues the meeting name that
// toks[k-1] is part of: no punctuation between them but quotes and dashes.
func nameContinues(toks []token, k int) bool {
	return k < len(toks) && !strings.ContainsAny(toks[k].sep, ".,;:?!()[]{}\n")
}

// meetingText writes the name's words as the question spelled them, joined
// as they were when adjacent ("follow-up") and by a space otherwise; a
// plural head is made singular ("the QBRs" name QBR meetings).
func meetingText(toks []token, name []int, anchor int) string {
	var b strings.Builder
	for n, i := range name {
		raw := toks[i].raw
		if i == anchor && toks[i].norm != toks[i].stem && (strings.HasSuffix(raw, "s") || strings.HasSuffix(raw, "S")) {
			raw = raw[:len(raw)-1]
		}
		if n > 0 {
			sep := toks[i].sep
			if name[n-1] != i-1 || (sep != "-" && sep != "/" && sep != "") {
				sep = " "
			}
			b.WriteString(sep)
		}
		b.WriteString(raw)
	}
	return strings.Trim(b.String(), " ")
}

// intentQualifiers are adjectives that qualify what is asked for.
var intentQualifiers = wordSet("main key important biggest big top major critical primary notable most open outstanding " +
	"specific concrete clear any all overall general quick short brief detailed full complete")

// askingVerbs open requests.
var askingVerbs = wordSet("review describe explain provide pull fetch display check identify name compile extract gather " +
	"bring grab show give list find get summarize summarise recap tell outline highlight")

// stopWords are words with no content for search: function words, question
// words, the verbs of asking, and the nouns every call has.
var stopWords = wordSet(`
a about above across after again against all also am among amongst an and any anyone anything are around as at away
be because been before being below between both but by
can cannot could did didnt do does doesnt doing done dont down during
each either else even ever every everything few for from further
get gets getting give given go goes going got gotten
had hadnt has hasnt have havent having he her here hers herself him himself his how however
i id if im in into is isnt it its itself ive just
let lets like many may me might more most much must my myself
no nor not now of off on once one only or other others our ours ourselves out over own
please quite rather really said same say says saying see shall she should shouldnt show so some something such
tell than that thats the their theirs them themselves then there these they theyre this those though through throughout thus to too toward towards
under until up upon us very
want was wasnt we were werent weve what whats whatever when whenever where which while who whom whos whose why will with within without wont would wouldnt
yet you your youre yours yourself yourselves
list find know need needs look looking share discuss discussed discussing talk talked talking mention mentioned
happen happened happens come came make made take took think thought give gave
thing things stuff lot lots bit kind sort basically actually anyway ok okay thanks thank hello hi hey yes
recent recently latest lately last first next previous earlier later ago new
call calls meeting meetings conversation conversations session sessions chat chats
account accounts customer customers client clients company companies deal deals opportunity opportunities
`)

// vocabulary is every word this package gives a meaning to, for
// isCommonWord: a company called "Outcome" or "Monday" must not be read into
// every question that uses the word.
var vocabulary = buildVocabulary()

func buildVocabulary() map[string]bool {
	v := map[string]bool{}
	for _, specs := range [][]phraseSpec{intentPhrases, cuePhrases} {
		for _, s := range specs {
			for _, text := range strings.Split(s.list, "|") {
				for _, t := range tokenize(text) {
					v[t.norm], v[t.stem] = true, true
				}
			}
		}
	}
	for _, set := range []map[string]bool{genericHeads, loneHeads, specificHeads, meetingAfterQuarter, leadWords,
		connectors, dateIntro, dealWords, namedWords, endVerbs, sayingVerbs, auxiliaries} {
		for w := range set {
			v[w] = true
		}
	}
	for _, set := range []map[string]bool{compoundHeads, compoundWords} {
		for w := range set {
			for _, p := range strings.Split(w, "_") {
				v[p] = true
			}
		}
	}
	for w := range numberWords {
		v[w] = true
	}
	for w := range modifiers {
		v[w] = true
	}
	for w := range ordinals {
		v[w] = true
	}
	for _, w := range strings.Fields("day days week weeks month months quarter quarters year years today tonight yesterday " +
		"tomorrow morning afternoon evening ytd qtd mtd past previous prior preceding current coming upcoming half") {
		v[w] = true
	}
	return v
}
