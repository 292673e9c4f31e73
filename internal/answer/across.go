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

// tallied is a value counted across calls: in how many calls, how much
// (minutes or mentions), and the newest call that has it.
type tallied struct {
	name   string
	calls  int
	amount float64
	newest *core.Call
}

// tally counts values across calls (newest first), once per call.
type tally struct {
	byName map[string]*tallied
	order  []*tallied
}

func (t *tally) add(c *core.Call, name string, amount float64) {
	key := strings.ToLower(strings.TrimSpace(name))
	if key == "" {
		return
	}
	if t.byName == nil {
		t.byName = map[string]*tallied{}
	}
	v, ok := t.byName[key]
	if !ok {
		v = &tallied{name: strings.TrimSpace(name), newest: c}
		t.byName[key] = v
		t.order = append(t.order, v)
	}
	if v.newest != c {
		if v.newest.Started.Before(c.Started) {
			v.newest = c
		}
	}
	v.amount += amount
}

// top returns the values in most calls first, then by amount.
func (t *tally) top(n int) []*tallied {
	out := slices.Clone(t.order)
	slices.SortStableFunc(out, func(x, y *tallied) int {
		if c := cmp.Compare(y.calls, x.calls); c != 0 {
			return c
		}
		return cmp.Compare(y.amount, x.amount)
	})
	return out[:min(n, len(out))]
}

// tallyCalls counts the values each call gives (to add, with an amount)
// across calls, once per call, and returns the top maxTopics.
func tallyCalls(calls []*core.Call, values func(c *core.Call, add func(name string, amount float64))) []*tallied {
	var t tally
	for _, c := range calls {
		seen := map[string]bool{}
		values(c, func(name string, amount float64) {
			key := strings.ToLower(strings.TrimSpace(name))
			if key == "" {
				return
			}
			t.add(c, name, amount)
			if !seen[key] {
				seen[key] = true
				t.byName[key].calls++
			}
		})
	}
	return t.top(maxTopics)
}

// across answers from several calls, with counts.
func (a *asking) across(d *draft, r retrieved) {
	calls := newestFirst(r.calls)
	// The answer's calls: newest first, whatever order they were cited in.
	defer func() { d.calls = newestFirst(d.calls) }()
	n := len(calls)
	scope := fmt.Sprintf("%s%s you can see", plural(n, "call"), a.scope())
	if r.total > n {
		scope = fmt.Sprintf("the %d best-matching of %d calls%s you can see", n, r.total, a.scope())
	}
	switch a.q.Intent {
	case question.IntentTopics:
		top := tallyCalls(calls, func(c *core.Call, add func(string, float64)) {
			for _, x := range c.Topics {
				add(x.Name, x.DurationSec)
			}
		})
		if len(top) == 0 {
			d.say("Gong recorded no topics in %s.", scope)
			a.listCalls(d, calls)
			return
		}
		parts := make([]string, len(top))
		for i, v := range top {
			parts[i] = fmt.Sprintf("%s (%s, %s)", v.name, plural(v.calls, "call"), minutes(v.amount))
		}
		d.say("Topics that come up most in %s: %s.", scope, strings.Join(parts, "; "))
		for _, v := range top {
			text, sec := topicPassage(v.newest, v.name)
			d.cite(v.newest, text, sec)
			d.use(v.newest)
		}
		a.listCalls(d, calls)
	case question.IntentTrackers:
		top := tallyCalls(calls, func(c *core.Call, add func(string, float64)) {
			for _, x := range c.Trackers {
				add(x.Name, float64(x.Count))
			}
		})
		if len(top) == 0 {
			d.say("No tracker fired in %s.", scope)
			a.listCalls(d, calls)
			return
		}
		parts := make([]string, len(top))
		for i, v := range top {
			parts[i] = fmt.Sprintf("%s (%s in %s)", v.name, plural(int(v.amount), "mention"), plural(v.calls, "call"))
			d.cite(v.newest, fmt.Sprintf("Tracker %s", v.name), 0)
			d.use(v.newest)
		}
		d.say("Trackers in %s: %s.", scope, strings.Join(parts, "; "))
		shown := 0
		for _, c := range calls {
			if shown == 5 && !a.aboutCompetitors() || shown == maxListedCalls {
				break
			}
			before := len(d.citations)
			a.trackerPassages(d, c, c.Trackers)
			if len(d.citations) > before {
				shown++
			}
		}
		if !a.aboutCompetitors() {
			a.listCalls(d, calls)
		}
	case question.IntentPeople:
		a.peopleAcross(d, calls, scope)
	case question.IntentDuration:
		var total time.Duration
		longest := calls[0]
		for _, c := range calls {
			total += c.Duration
			if c.Duration > longest.Duration {
				longest = c
			}
		}
		d.say("%s: %s in total, %s on average; the longest was %s at %s.", upperFirst(scope), duration(total),
			duration(total/time.Duration(n)), a.ref(longest), duration(longest.Duration))
		d.cite(longest, "Duration: "+duration(longest.Duration), 0)
		a.listCalls(d, calls)
	case question.IntentOutcome:
		top := tallyCalls(calls, func(c *core.Call, add func(string, float64)) {
			if c.Outcome != nil {
				add(c.Outcome.Name, 1)
			}
		})
		if len(top) > 0 {
			parts := make([]string, len(top))
			for i, v := range top {
				parts[i] = fmt.Sprintf("%s (%d)", v.name, v.calls)
			}
			d.say("Outcomes of %s: %s.", scope, strings.Join(parts, ", "))
		}
		d.say("Most recent:")
		for _, c := range calls[:min(5, n)] {
			d.use(c)
			o := "no outcome recorded"
			if c.Outcome != nil && c.Outcome.Name != "" {
				o = c.Outcome.Name
				d.cite(c, "Outcome: "+o, 0)
			}
			d.say("- %s: %s", a.ref(c), o)
		}
	default:
		a.itemsAcross(d, calls, scope)
	}
}

// itemsAcross lists a per-call list (action items, key points, next steps,
// briefs) over calls, newest first, with the total count.
func (a *asking) itemsAcross(d *draft, calls []*core.Call, scope string) {
	type item struct {
		text string
		sec  float64
	}
	var what string
	itemsOf := func(c *core.Call) []item {
		var out []item
		switch a.q.Intent {
		case question.IntentActionItems:
			for _, it := range relevant(a, c.ActionItems, func(it core.ActionItem) string { return it.Text }) {
				out = append(out, item{actionText(it), it.StartSec})
			}
		case question.IntentKeyPoints:
			for _, kp := range relevant(a, c.KeyPoints, func(s string) string { return s }) {
				out = append(out, item{kp, momentOf(c, kp)})
			}
		case question.IntentNextSteps:
			for _, s := range nextSteps(c) {
				out = append(out, item{s.text, s.sec})
			}
		default:
			if s := firstSentences(c.Brief, 2); s != "" {
				out = append(out, item{s, 0})
			}
		}
		return out
	}
	switch a.q.Intent {
	case question.IntentActionItems:
		what = "action item"
	case question.IntentKeyPoints:
		what = "key point"
	case question.IntentNextSteps:
		what = "next step"
	default:
		what = "summary"
	}
	total, withItems := 0, 0
	per := make([][]item, len(calls))
	for i, c := range calls {
		per[i] = itemsOf(c)
		total += len(per[i])
		if len(per[i]) > 0 {
			withItems++
		}
	}
	if total == 0 {
		d.say("Gong recorded no %ss in %s.", what, scope)
		a.listCalls(d, calls)
		return
	}
	if what == "summary" {
		d.say("%s, newest first:", upperFirst(scope))
	} else {
		in := scope
		if withItems < len(calls) {
			in = fmt.Sprintf("%d of %s", withItems, scope)
		}
		d.say("%s in %s, newest first:", plural(total, what), in)
	}
	shown := 0
	for i, c := range calls {
		if len(per[i]) == 0 {
			continue
		}
		if shown >= maxItems {
			d.say("(%d more in older calls)", total-shown)
			break
		}
		d.use(c)
		d.say("%s:", a.ref(c))
		for _, it := range per[i] {
			if shown >= maxItems {
				break
			}
			d.say("- %s", it.text)
			d.cite(c, it.text, it.sec)
			shown++
		}
	}
}

// peopleAcross answers who took part in the calls, or who had a role.
func (a *asking) peopleAcross(d *draft, calls []*core.Call, scope string) {
	if role := a.q.Role; role != "" {
		type named struct {
			f     roleFinding
			c     *core.Call
			calls int
		}
		var found []*named
		byKey := map[string]*named{}
		for _, c := range calls {
			f, ok := findRole(c, role)
			if !ok {
				continue
			}
			k := personKey(f.party)
			if x, ok := byKey[k]; ok {
				x.calls++
				continue
			}
			x := &named{f: f, c: c, calls: 1}
			byKey[k] = x
			found = append(found, x)
		}
		if len(found) == 0 {
			d.say("Gong's notes in %s do not say who the %s is.", scope, role)
			a.listCalls(d, calls)
			return
		}
		if len(found) == 1 {
			x := found[0]
			d.say("%s is named the %s in %s (most recently %s).", personText(x.f.party), role, plural(x.calls, "call"), a.ref(x.c))
		} else {
			d.say("Named as %s in %s:", role, scope)
			for _, x := range found {
				d.say("- %s, in %s (most recently %s)", personText(x.f.party), plural(x.calls, "call"), a.ref(x.c))
			}
		}
		for _, x := range found {
			d.use(x.c)
			d.cite(x.c, x.f.passage, x.f.sec)
		}
		return
	}
	type person struct {
		p      core.Party
		calls  int
		newest *core.Call
	}
	var list []*person
	byKey := map[string]*person{}
	for _, c := range calls {
		seen := map[string]bool{}
		for _, p := range c.Parties {
			if p.Name == "" || p.Affiliation == core.AffiliationInternal {
				continue
			}
			k := personKey(p)
			if seen[k] {
				continue
			}
			seen[k] = true
			x, ok := byKey[k]
			if !ok {
				x = &person{p: p, newest: c}
				byKey[k] = x
				list = append(list, x)
			}
			x.calls++
		}
	}
	if len(list) == 0 {
		d.say("Gong lists no one from outside the company in %s.", scope)
		a.listCalls(d, calls)
		return
	}
	slices.SortStableFunc(list, func(x, y *person) int { return cmp.Compare(y.calls, x.calls) })
	parts := []string{}
	for _, x := range list[:min(len(list), 15)] {
		parts = append(parts, fmt.Sprintf("%s, %s", personText(x.p), plural(x.calls, "call")))
		d.cite(x.newest, "Participant: "+personText(x.p), 0)
		d.use(x.newest)
	}
	d.say("People who took part in %s, most frequent first: %s.", scope, strings.Join(parts, "; "))
}

// listCalls adds the calls an answer across calls read, up to a few.
func (a *asking) listCalls(d *draft, calls []*core.Call) {
	for _, c := range calls[:min(len(calls), maxListedCalls)] {
		d.use(c)
	}
}

func firstSentences(text string, n int) string {
	s := sentences(text)
	return strings.Join(s[:min(n, len(s))], " ")
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
