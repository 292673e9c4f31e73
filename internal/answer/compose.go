package answer

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"gongconnector/internal/core"
	"gongconnector/internal/question"
)

// Display limits of an answer.
const (
	maxListedCalls = 10 // calls listed by name
	maxItems       = 40 // items (action items, key points...) across calls
	maxTopics      = 10
	candidateCalls = 50 // matches read for a question about one meeting
)

// draft is an answer being written.
type draft struct {
	lines     []string
	citations []Citation
	calls     []*core.Call
}

func (d *draft) say(format string, args ...any) {
	d.lines = append(d.lines, fmt.Sprintf(format, args...))
}

// cite adds a passage of c; sec <= 0 is an unknown moment.
func (d *draft) cite(c *core.Call, text string, sec float64) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	for _, x := range d.citations {
		if x.CallID == c.ID && x.Text == text {
			return
		}
	}
	var at *float64
	if sec > 0 {
		at = &sec
	}
	d.citations = append(d.citations, Citation{CallID: c.ID, Text: text, StartTime: at})
}

// use records that the answer draws on c.
func (d *draft) use(c *core.Call) {
	if !slices.Contains(d.calls, c) {
		d.calls = append(d.calls, c)
	}
}

// answer retrieves the calls and writes the answer.
func (a *asking) answer() (*Answer, error) {
	ans := &Answer{Intent: string(a.q.Intent), Calls: []CallRef{}, Citations: []Citation{}}
	var r retrieved
	var err error
	oneMeeting := !a.q.Aggregate && (a.q.Meeting != "" || a.latest || a.dayAsked())
	narrowed := len(a.q.Accounts)+len(a.q.Deals) > 0 || a.q.Meeting != "" || len(a.termWords()) > 0
	switch {
	case oneMeeting && a.latest:
		// The newest of the matches: read many, they are ranked by relevance.
		r, err = a.retrieve(pageSize)
	case oneMeeting:
		r, err = a.retrieve(candidateCalls)
	case a.q.Intent == question.IntentSearch:
		r, err = a.retrieve(maxListedCalls)
	case !narrowed:
		r, err = a.recent(aggregateCalls)
	default:
		r, err = a.retrieve(aggregateCalls)
	}
	if err != nil {
		return nil, err
	}
	if len(r.calls) == 0 {
		ans.Answer = NothingFound
		return ans, nil
	}
	d := &draft{}
	switch {
	case oneMeeting && (len(r.calls) == 1 || a.latest):
		a.single(d, newestFirst(r.calls)[0])
	case oneMeeting:
		a.candidates(d, r)
	case a.q.Intent == question.IntentSearch:
		a.results(d, r)
	case len(r.calls) == 1:
		a.single(d, r.calls[0])
	default:
		a.across(d, r)
	}
	ans.Answer = strings.Join(d.lines, "\n")
	ans.Citations = append(ans.Citations, d.citations...)
	for _, c := range d.calls {
		ans.Calls = append(ans.Calls, CallRef{ID: c.ID, Title: c.Title, Started: c.Started, URL: c.URL, Accounts: accountNames(c)})
	}
	return ans, nil
}

// dayAsked reports whether the question names a day (or a shorter span):
// "the Acme call on May 12" is one meeting.
func (a *asking) dayAsked() bool {
	return !a.q.From.IsZero() && !a.q.To.IsZero() && a.q.To.Sub(a.q.From) <= 26*time.Hour
}

func accountNames(c *core.Call) []string {
	var out []string
	for _, x := range c.Accounts {
		out = append(out, x.Name)
	}
	return out
}

// day formats a call's date in the caller's zone.
func (a *asking) day(t time.Time) string { return t.In(a.loc).Format("Jan 2, 2006") }

// ref names a call in an answer: its title and date.
func (a *asking) ref(c *core.Call) string {
	title := c.Title
	if strings.TrimSpace(title) == "" {
		title = "Untitled call"
	}
	return fmt.Sprintf("%q (%s)", title, a.day(c.Started))
}

// candidates answers a question about one meeting that several calls
// match: it says so, lists them, and answers from the most recent.
func (a *asking) candidates(d *draft, r retrieved) {
	calls := newestFirst(r.calls)
	what := "calls match this question"
	if a.q.Meeting != "" {
		what = fmt.Sprintf("meetings match %q", a.q.Meeting)
	}
	d.say("%d %s%s. The most recent is %s:", r.total, what, a.scope(), a.ref(calls[0]))
	a.single(d, calls[0])
	d.say("")
	d.say("The other matching meetings:")
	for _, c := range calls[1:min(len(calls), maxListedCalls)] {
		d.say("- %s", a.ref(c))
		d.use(c)
	}
	if r.total > maxListedCalls {
		d.say("- and %d more", r.total-maxListedCalls)
	}
	d.say("Ask about one of them by its date to get its answer.")
}

// scope describes what the question narrowed the calls to, for example
// " with Acme Corp between Apr 1 and Jun 30, 2026".
func (a *asking) scope() string {
	var s string
	if names := append(slices.Clone(a.q.Accounts), a.q.Deals...); len(names) > 0 {
		s += " with " + strings.Join(names, " and ")
	}
	if !a.q.From.IsZero() || !a.q.To.IsZero() {
		s += " " + a.dateRange()
	}
	return s
}

func (a *asking) dateRange() string {
	from, to := a.q.From, a.q.To
	switch {
	case from.IsZero():
		return "before " + a.day(to)
	case to.IsZero():
		return "since " + a.day(from)
	case to.Sub(from) <= 26*time.Hour:
		return "on " + a.day(from)
	default:
		return "between " + a.day(from) + " and " + a.day(to.Add(-time.Second))
	}
}

// results answers a question of no known shape: the passages of the best
// matches that share the most words with it, then the matches.
func (a *asking) results(d *draft, r retrieved) {
	if best := a.bestPassages(r.calls, 3); len(best) > 0 {
		d.say("From %s:", a.ref(best[0].call))
		for _, p := range best {
			if p.call != best[0].call {
				d.say("From %s:", a.ref(p.call))
			}
			d.say("- %s", p.text)
			d.cite(p.call, p.text, p.sec)
			d.use(p.call)
		}
		d.say("")
	}
	if r.total == 1 {
		d.say("1 call matches:")
	} else {
		d.say("%d calls match; the best %d:", r.total, len(r.calls))
	}
	for _, c := range r.calls {
		d.use(c)
		s := firstSentence(c.Brief)
		d.say("- %s%s", a.ref(c), prefixed(": ", s))
		d.cite(c, s, 0)
	}
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

// single answers from one call.
func (a *asking) single(d *draft, c *core.Call) {
	d.use(c)
	ref := a.ref(c)
	switch a.q.Intent {
	case question.IntentActionItems:
		if len(c.ActionItems) == 0 {
			d.say("Gong recorded no action items for %s.", ref)
			return
		}
		d.say("Action items from %s:", ref)
		for _, it := range c.ActionItems {
			d.say("- %s", actionText(it))
			d.cite(c, it.Text, it.StartSec)
		}
	case question.IntentKeyPoints:
		points := c.KeyPoints
		if len(points) == 0 {
			for _, h := range c.Highlights {
				for _, it := range h.Items {
					points = append(points, it.Text)
				}
			}
		}
		if len(points) == 0 {
			a.brief(d, c, ref)
			return
		}
		d.say("Key points from %s:", ref)
		for _, p := range points {
			d.say("- %s", p)
			d.cite(c, p, momentOf(c, p))
		}
	case question.IntentTopics:
		if len(c.Topics) == 0 {
			d.say("Gong recorded no topics for %s.", ref)
			return
		}
		topics := slices.Clone(c.Topics)
		slices.SortStableFunc(topics, func(x, y core.Topic) int { return cmp.Compare(y.DurationSec, x.DurationSec) })
		parts := make([]string, len(topics))
		for i, t := range topics {
			parts[i] = fmt.Sprintf("%s (%s)", t.Name, minutes(t.DurationSec))
		}
		d.say("Topics discussed in %s, by time spent: %s.", ref, strings.Join(parts, ", "))
		for _, t := range topics {
			text, sec := topicPassage(c, t.Name)
			d.cite(c, text, sec)
		}
	case question.IntentPeople:
		a.people(d, c, ref)
	case question.IntentNextSteps:
		steps := nextSteps(c)
		if len(steps) == 0 {
			d.say("Gong recorded no next steps for %s.", ref)
			return
		}
		d.say("Next steps from %s:", ref)
		for _, s := range steps {
			d.say("- %s", s.text)
			d.cite(c, s.text, s.sec)
		}
	case question.IntentOutcome:
		a.outcome(d, c, ref)
	case question.IntentDuration:
		text := fmt.Sprintf("%s lasted %s.", ref, duration(c.Duration))
		d.say("%s", text)
		d.cite(c, fmt.Sprintf("Duration: %s", duration(c.Duration)), 0)
	case question.IntentTrackers:
		if len(c.Trackers) == 0 {
			d.say("No tracker fired in %s.", ref)
			return
		}
		trackers := slices.Clone(c.Trackers)
		slices.SortStableFunc(trackers, func(x, y core.Tracker) int { return cmp.Compare(y.Count, x.Count) })
		parts := make([]string, len(trackers))
		for i, t := range trackers {
			parts[i] = fmt.Sprintf("%s (%s)", t.Name, plural(t.Count, "mention"))
			d.cite(c, fmt.Sprintf("Tracker %s: %s", t.Name, plural(t.Count, "mention")), 0)
		}
		d.say("Trackers in %s: %s.", ref, strings.Join(parts, ", "))
		a.trackerPassages(d, c, trackers)
	default:
		a.brief(d, c, ref)
	}
}

func (a *asking) brief(d *draft, c *core.Call, ref string) {
	if strings.TrimSpace(c.Brief) == "" {
		d.say("Gong has not published a brief for %s yet.", ref)
		return
	}
	d.say("%s: %s", ref, c.Brief)
	for _, s := range sentences(c.Brief) {
		d.cite(c, s, momentOf(c, s))
	}
	if len(c.KeyPoints) > 0 {
		d.say("Key points:")
		for _, p := range c.KeyPoints {
			d.say("- %s", p)
			d.cite(c, p, momentOf(c, p))
		}
	}
}

// relevant keeps the items that mention the question's leftover words
// ("action items about pricing"), or all of them when none does.
func relevant[T any](a *asking, items []T, text func(T) string) []T {
	terms := a.termWords()
	if len(terms) == 0 {
		return items
	}
	var out []T
	for _, it := range items {
		t := strings.ToLower(text(it))
		for _, w := range terms {
			if strings.Contains(t, strings.ToLower(w)) {
				out = append(out, it)
				break
			}
		}
	}
	if len(out) == 0 {
		return items
	}
	return out
}

func actionText(it core.ActionItem) string {
	if it.Speaker == "" || strings.Contains(it.Text, strings.Fields(it.Speaker)[0]) {
		return it.Text
	}
	return it.Text + " (" + it.Speaker + ")"
}

func minutes(sec float64) string {
	m := int(sec/60 + 0.5)
	if m < 1 {
		return "under a minute"
	}
	return plural(m, "min")
}

func duration(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	if m < 60 {
		return plural(m, "minute")
	}
	if m%60 == 0 {
		return plural(m/60, "hour")
	}
	return fmt.Sprintf("%s %s", plural(m/60, "hour"), plural(m%60, "minute"))
}

func plural(n int, unit string) string {
	if n == 1 || unit == "min" {
		return fmt.Sprintf("%d %s", n, unit)
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
