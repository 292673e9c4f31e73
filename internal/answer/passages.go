package answer

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"gongconnector/internal/core"
)

// sentences splits text into sentences: a sentence ends at '.', '!' or '?'
// followed by a space and a capital letter or digit. Abbreviations and
// decimals ("Dr. Kim", "$2.5M") do not end one in the common cases.
func sentences(text string) []string {
	var out []string
	start := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		j := i + 1
		for j < len(text) && (text[j] == '"' || text[j] == ')' || text[j] == '\'') {
			j++
		}
		if j >= len(text) || text[j] != ' ' {
			continue
		}
		next, _ := utf8.DecodeRuneInString(strings.TrimLeft(text[j:], " "))
		if !unicode.IsUpper(next) && !unicode.IsDigit(next) {
			continue
		}
		if c == '.' && abbreviation(text[start:i]) {
			continue
		}
		if s := strings.TrimSpace(text[start:j]); s != "" {
			out = append(out, s)
		}
		start = j
	}
	if s := strings.TrimSpace(text[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

// abbreviation reports whether text ends in a word that a period follows
// without ending the sentence.
func abbreviation(text string) bool {
	i := strings.LastIndexAny(text, " (")
	w := strings.ToLower(text[i+1:])
	switch w {
	case "mr", "mrs", "ms", "dr", "st", "vs", "jr", "sr", "e.g", "i.e", "approx", "no":
		return true
	}
	// An initial: "J. Smith". ("Inc." and "etc." may end a sentence.)
	return len(w) == 1 && unicode.IsLetter(rune(w[0]))
}

func firstSentence(text string) string {
	if s := sentences(text); len(s) > 0 {
		return s[0]
	}
	return ""
}

// wordSet is the lower-cased words of text.
func wordSet(text string) map[string]bool {
	set := map[string]bool{}
	for _, w := range words(strings.ToLower(text)) {
		set[w] = true
	}
	return set
}

// overlap is the share of a's words that b also has.
func overlap(a, b map[string]bool) float64 {
	if len(a) == 0 {
		return 0
	}
	n := 0
	for w := range a {
		if b[w] {
			n++
		}
	}
	return float64(n) / float64(len(a))
}

// momentOf finds when in the call a passage was said: the start of the
// highlight, outline item or action item that says the most of the same
// words, when it shares at least half of them; 0 when none does.
func momentOf(c *core.Call, passage string) float64 {
	p := wordSet(passage)
	best, at := 0.5, 0.0
	try := func(text string, sec float64) {
		if sec <= 0 {
			return
		}
		if o := overlap(p, wordSet(text)); o >= best {
			best, at = o, sec
		}
	}
	for _, h := range c.Highlights {
		for _, it := range h.Items {
			try(it.Text, it.StartSec)
		}
	}
	for _, s := range c.Outline {
		for _, it := range s.Items {
			try(it.Text, it.StartSec)
		}
	}
	for _, it := range c.ActionItems {
		try(it.Text, it.StartSec)
	}
	return at
}

// topicPassage returns what the call says about a topic: the outline
// section or item, key point or brief sentence that names it, or the topic
// with its time when none does.
func topicPassage(c *core.Call, topic string) (string, float64) {
	tw := words(strings.ToLower(topic))
	mentions := func(text string) bool {
		lt := strings.ToLower(text)
		for _, w := range tw {
			if !containsStem(lt, w) {
				return false
			}
		}
		return len(tw) > 0
	}
	for _, s := range c.Outline {
		if mentions(s.Section) {
			return s.Section, s.StartSec
		}
		for _, it := range s.Items {
			if mentions(it.Text) {
				return it.Text, it.StartSec
			}
		}
	}
	for _, kp := range c.KeyPoints {
		if mentions(kp) {
			return kp, momentOf(c, kp)
		}
	}
	for _, s := range sentences(c.Brief) {
		if mentions(s) {
			return s, momentOf(c, s)
		}
	}
	for _, t := range c.Topics {
		if t.Name == topic {
			return "Topic: " + topic + " (" + minutes(t.DurationSec) + ")", 0
		}
	}
	return "Topic: " + topic, 0
}

// containsStem reports whether text holds w or a word of its stem
// ("integrations" in "integrate").
func containsStem(text, w string) bool {
	if strings.Contains(text, w) {
		return true
	}
	if s := stemPrefix(w); s != "" {
		return strings.Contains(text, s)
	}
	return false
}

// step is a next step with its moment.
type step struct {
	text string
	sec  float64
}

// nextSteps returns the call's next steps: an outline section or highlight
// about next steps, the action items, and what the brief says will happen
// next ("they booked a follow-up for May 7").
func nextSteps(c *core.Call) []step {
	isNext := func(title string) bool {
		t := strings.ToLower(title)
		return strings.Contains(t, "next step") || strings.Contains(t, "next action") || strings.Contains(t, "way forward")
	}
	var steps []step
	for _, h := range c.Highlights {
		if isNext(h.Title) {
			for _, it := range h.Items {
				steps = append(steps, step{it.Text, it.StartSec})
			}
		}
	}
	for _, s := range c.Outline {
		if isNext(s.Section) {
			for _, it := range s.Items {
				steps = append(steps, step{it.Text, it.StartSec})
			}
		}
	}
	for _, it := range c.ActionItems {
		steps = append(steps, step{actionText(it), it.StartSec})
	}
	for _, s := range sentences(c.Brief) {
		if mentionsAny(s, nextCues) {
			steps = append(steps, step{s, momentOf(c, s)})
		}
	}
	// Gong may list an action item again under a "next steps" highlight.
	var out []step
	for _, s := range steps {
		if !slices.ContainsFunc(out, func(o step) bool { return o.text == s.text }) {
			out = append(out, s)
		}
	}
	return out
}

// nextCues are how a brief says what happens after the call.
var nextCues = []string{"next step", "next,", "follow up", "follow-up", "will follow", "will send", "will bring",
	"reconvene", "meet again", "booked", "booking", "scheduled", "agreed to", "plan to", "will schedule", "will share"}

// mentionsAny reports whether text contains one of the cues, ignoring case.
func mentionsAny(text string, cues []string) bool {
	lt := strings.ToLower(text)
	for _, c := range cues {
		if strings.Contains(lt, c) {
			return true
		}
	}
	return false
}

// competitionCues are how calls talk about competitors.
var competitionCues = []string{"competitor", "competing", "competition", "evaluating", "also looking at",
	"also considering", "alternative", "compared", "comparison", "versus", " vs", "current vendor",
	"switch from", "replace", "in the running", "incumbent"}

// trackerPassages cites what a call said about its trackers that fired:
// the sentences of its brief and key points about each tracker's subject
// (for a competitors tracker, the competitors named).
func (a *asking) trackerPassages(d *draft, c *core.Call, trackers []core.Tracker) {
	var said []string
	if a.aboutCompetitors() {
		// Competitors are named in calls where no tracker fired too.
		trackers = []core.Tracker{{Name: "Competitors", Count: 1}}
	}
	for _, t := range trackers {
		if t.Count == 0 {
			continue
		}
		var cues []string
		name := strings.ToLower(t.Name)
		if strings.HasPrefix(name, "compet") {
			cues = competitionCues
		} else if s := stemPrefix(name); s != "" {
			cues = []string{s}
		} else {
			cues = []string{name}
		}
		for _, s := range append(append([]string(nil), c.KeyPoints...), sentences(c.Brief)...) {
			if mentionsAny(s, cues) && !slices.Contains(said, s) {
				said = append(said, s)
			}
		}
	}
	if len(said) == 0 {
		return
	}
	d.use(c)
	d.say("What %s said:", a.ref(c))
	for _, s := range said[:min(len(said), 6)] {
		d.say("- %s", s)
		d.cite(c, s, momentOf(c, s))
	}
}

// passage is a sentence of a call, scored against a question.
type passage struct {
	call  *core.Call
	text  string
	sec   float64
	score float64
}

// bestPassages returns the sentences of the calls (brief, key points,
// action items, highlights) that share the most content words with the
// question, best first, at most n; none when no sentence shares any.
func (a *asking) bestPassages(calls []*core.Call, n int) []passage {
	qw := map[string]bool{}
	for _, w := range words(strings.ToLower(a.q.Terms + " " + a.q.Meeting)) {
		if !stopTerms[w] && len(w) > 1 {
			qw[w] = true
		}
	}
	if len(qw) == 0 {
		return nil
	}
	var out []passage
	for rank, c := range calls[:min(len(calls), 5)] {
		for _, p := range passages(c) {
			lt := strings.ToLower(p.text)
			score := 0.0
			for w := range qw {
				if containsStem(lt, w) {
					score++
				}
			}
			if score == 0 {
				continue
			}
			// Earlier calls ranked better; shorter passages are more to the point.
			score -= 0.1*float64(rank) + float64(len(p.text))/2000
			out = append(out, passage{call: c, text: p.text, sec: p.sec, score: score})
		}
		for _, it := range c.ActionItems {
			lt := strings.ToLower(it.Text)
			score := 0.0
			for w := range qw {
				if containsStem(lt, w) {
					score++
				}
			}
			if score > 0 {
				out = append(out, passage{call: c, text: it.Text, sec: it.StartSec, score: score - 0.1*float64(rank) - float64(len(it.Text))/2000})
			}
		}
	}
	slices.SortStableFunc(out, func(x, y passage) int { return cmp.Compare(y.score, x.score) })
	var best []passage
	for _, p := range out {
		if len(best) == n {
			break
		}
		if !slices.ContainsFunc(best, func(b passage) bool { return b.text == p.text }) {
			best = append(best, p)
		}
	}
	return best
}

// outcome answers how a call ended: Gong's disposition, the deals' stages
// and what the call says was agreed or decided.
func (a *asking) outcome(d *draft, c *core.Call, ref string) {
	said := false
	if o := c.Outcome; o != nil && (o.Name != "" || o.Category != "") {
		text := "Outcome: " + o.Name
		if o.Category != "" && o.Category != o.Name {
			text += " (" + o.Category + ")"
		}
		d.say("%s ended with the outcome %q.", ref, strings.TrimPrefix(text, "Outcome: "))
		d.cite(c, text, 0)
		said = true
	}
	for _, deal := range c.Deals {
		if deal.Stage != "" {
			d.say("The deal %s is at the stage %q.", deal.Name, deal.Stage)
			d.cite(c, "Deal "+deal.Name+": "+deal.Stage, 0)
			said = true
		}
	}
	var agreed []string
	for _, s := range append(append([]string(nil), c.KeyPoints...), sentences(c.Brief)...) {
		l := strings.ToLower(s)
		for _, cue := range []string{"agreed", "decided", "approved", "confirmed", "signed", "will sign", "can sign", "asked for", "chose", "selected"} {
			if strings.Contains(l, cue) {
				agreed = append(agreed, s)
				break
			}
		}
	}
	if len(agreed) > 0 {
		d.say("What was agreed:")
		for _, s := range agreed {
			d.say("- %s", s)
			d.cite(c, s, momentOf(c, s))
		}
		said = true
	}
	if !said {
		a.brief(d, c, ref)
	}
}

// aboutCompetitors reports whether the question asks about competitors
// ("which competitors came up"), not every tracker.
func (a *asking) aboutCompetitors() bool {
	return strings.Contains(strings.ToLower(a.q.Text), "compet")
}
