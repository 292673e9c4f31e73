package gongsim

import (
	"sort"
	"strings"

	"gongconnector/internal/gong"
)

// selector is a parsed contentSelector.
type selector struct {
	context                                                       string // None, Basic, Extended
	timings                                                       []string
	parties                                                       bool
	structure, topics, trackers, occurrences, poi, brief, outline bool
	highlights, outcome, keyPoints, speakers                      bool
}

func (sel *selector) anyContent() bool {
	return sel.structure || sel.topics || sel.trackers || sel.poi || sel.brief || sel.outline ||
		sel.highlights || sel.outcome || sel.keyPoints
}

func fullSelector() selector {
	return selector{context: "Extended", timings: []string{"Now"}, parties: true,
		structure: true, topics: true, trackers: true, poi: true, brief: true, outline: true,
		highlights: true, outcome: true, keyPoints: true}
}

// body is a call's generated content, before selection.
type body struct {
	brief      string
	keyPoints  []gong.KeyPoint
	kpSeg      []int // the segment each key point belongs to
	actions    []gong.ActionItem
	spoken     []spokenAction
	outline    []gong.OutlineSection
	highlights []gong.Highlight
	topics     []gong.NamedDuration
	outcome    *gong.CallOutcome
}

// spokenAction is how an action item is said in the transcript.
type spokenAction struct {
	seg     int
	speaker string
	text    string
	at      int
}

// extensive renders one call as POST /v2/calls/extensive returns it.
func (s *Sim) extensive(g *gen, ref int32, now int64, sel *selector) gong.ExtensiveCall {
	s.makePlan(g, ref)
	c := gong.ExtensiveCall{MetaData: s.meta(g, ref)}
	if sel.context == "Basic" || sel.context == "Extended" {
		if s.flags[ref]&flagNoContext == 0 {
			c.Context = s.contextObjects(g, sel)
		}
	}
	if sel.parties && len(g.parties) > 0 {
		c.Parties = s.renderParties(g, sel)
	}
	if sel.anyContent() {
		c.Content = s.content(g, ref, now, sel)
	}
	if sel.speakers && len(g.parties) > 0 {
		c.Interaction = s.speakers(g, ref)
	}
	return c
}

func (s *Sim) renderParties(g *gen, sel *selector) []gong.Party {
	out := make([]gong.Party, len(g.parties))
	a := &s.accounts[g.p.acct]
	for i := range g.parties {
		pi := &g.parties[i]
		pt := gong.Party{ID: gong.ID(pi.id), EmailAddress: pi.email, Name: pi.name, Title: pi.title,
			UserID: gong.ID(pi.userID), Affiliation: pi.affiliation, PhoneNumber: pi.phone, Methods: pi.methods}
		if pi.speaker != "" {
			sp := gong.ID(pi.speaker)
			pt.SpeakerID = &sp
		}
		if pi.contact >= 0 && (sel.context == "Basic" || sel.context == "Extended") {
			ct := &a.contacts[pi.contact]
			o := gong.ContextObject{ObjectType: "Contact", ObjectID: &ct.id, Timing: "Now"}
			if sel.context == "Extended" {
				o.Fields = ct.ctxFields
			}
			pt.Context = []gong.Context{{System: "Salesforce", Objects: []gong.ContextObject{o}}}
		}
		out[i] = pt
	}
	return out
}

func (s *Sim) speakers(g *gen, ref int32) *gong.Interaction {
	var sp []gong.Speaker
	d := float64(s.dur[ref])
	for i := range g.parties {
		pi := &g.parties[i]
		if pi.speaker == "" {
			continue
		}
		share := 0.45
		if i > 0 {
			share = 0.55 / float64(len(g.parties))
		}
		sp = append(sp, gong.Speaker{ID: gong.ID(pi.speaker), UserID: gong.ID(pi.userID), TalkTime: float64(int(d*share*10)) / 10})
	}
	return &gong.Interaction{Speakers: sp}
}

// layout splits the call into a setup, one segment per topic and a wrap-up.
func (s *Sim) layout(g *gen, ref int32, r *rnd) {
	d := int(s.dur[ref])
	setup := min(90, d/10)
	wrap := min(120, d/8)
	g.segs = g.segs[:0]
	var w [8]int
	total := 0
	for i := range g.p.topics {
		w[i] = 2 + r.intn(4)
		if g.p.hand != nil {
			w[i] = g.p.hand.topics[i].weight
		}
		total += w[i]
	}
	at := setup
	span := d - setup - wrap
	for i, t := range g.p.topics {
		l := span * w[i] / total
		g.segs = append(g.segs, segment{topic: t, start: at, end: at + l})
		at += l
	}
}

// speakerOf returns the speaker id for our side or theirs.
func (g *gen) speakerOf(ours bool, alt bool) (string, int) {
	first := -1
	for i := range g.parties {
		pi := &g.parties[i]
		if pi.speaker == "" || pi.ours != ours {
			continue
		}
		if first < 0 {
			first = i
			if !alt {
				break
			}
			continue
		}
		return pi.speaker, i
	}
	if first >= 0 {
		return g.parties[first].speaker, first
	}
	if len(g.parties) > 0 && g.parties[0].speaker != "" && !ours {
		return g.parties[0].speaker, 0
	}
	return "", -1
}

// makeBody generates every AI part of the call. The draws do not depend on
// the selection, so a call reads the same whatever is selected.
func (s *Sim) makeBody(g *gen, ref int32) *body {
	ver := s.versions[ref]
	r := newRnd(s.seed, saltContent+uint64(ver)<<8, uint64(ref))
	s.setVars(g, &r)
	s.layout(g, ref, &r)
	b := &body{}
	p := &g.p
	d := int(s.dur[ref])
	for _, sg := range g.segs {
		b.topics = append(b.topics, gong.NamedDuration{Name: topicDefs[sg.topic].name, Duration: float64(sg.end - sg.start)})
	}
	if p.hand != nil && ver == 0 {
		s.handBody(g, b)
	} else {
		s.genericBody(g, b, &r)
	}
	// Outline: one section per topic.
	for i, sg := range g.segs {
		t := &topicDefs[sg.topic]
		sec := gong.OutlineSection{Section: t.highlight, StartTime: float64(sg.start), Duration: float64(sg.end - sg.start)}
		n := 1
		if r.chance(0.3) {
			n = 2
		}
		for k := range n {
			tpl := t.outline[(k+int(ver))%len(t.outline)]
			sec.Items = append(sec.Items, gong.OutlineItem{Text: g.expand(tpl), StartTime: float64(sg.start + (sg.end-sg.start)*k/n + 5)})
		}
		if p.hand != nil && ver == 0 && i < len(p.hand.outline) {
			sec.Items = []gong.OutlineItem{{Text: p.hand.outline[i], StartTime: float64(sg.start + 5)}}
		}
		b.outline = append(b.outline, sec)
	}
	// Highlights: next steps and the first topic.
	if len(b.actions) > 0 {
		h := gong.Highlight{Title: "Next steps"}
		for _, a := range b.actions[:min(2, len(b.actions))] {
			h.Items = append(h.Items, gong.HighlightItem{Text: a.Snippet, StartTimes: []float64{a.SnippetStartTime}})
		}
		b.highlights = append(b.highlights, h)
	}
	if len(b.keyPoints) > 0 && len(g.segs) > 0 && (len(b.highlights) == 0 || r.chance(0.5)) {
		h := gong.Highlight{Title: topicDefs[g.segs[0].topic].highlight}
		for i, kp := range b.keyPoints {
			if len(h.Items) < 2 && (i >= len(b.kpSeg) || b.kpSeg[i] == 0) {
				h.Items = append(h.Items, gong.HighlightItem{Text: kp.Text, StartTimes: []float64{float64(g.segs[0].start + 20*(i+1))}})
			}
		}
		b.highlights = append(b.highlights, h)
	}
	if d > 0 && b.outcome == nil {
		o := outcomes[pick(&r, p.kd.outcomes)]
		b.outcome = &gong.CallOutcome{ID: o.id, Category: o.category, Name: o.name}
	}
	return b
}

func (s *Sim) genericBody(g *gen, b *body, r *rnd) {
	p := &g.p
	// Brief: an opening, two or three topic sentences, maybe a risk, a close.
	var sb strings.Builder
	open := briefOpenings
	if p.kd.internal {
		open = internalBriefOpenings
	}
	tpl := pick(r, open)
	if len(p.contacts) < 2 && strings.Contains(tpl, "{contact2}") {
		tpl = open[0]
	}
	sb.WriteString(g.expand(tpl))
	nt := min(len(g.segs), 2+r.intn(2))
	for _, sg := range g.segs[:nt] {
		sb.WriteByte(' ')
		sb.WriteString(g.expand(pick(r, topicDefs[sg.topic].brief)))
	}
	if r.chance(0.5) {
		sb.WriteByte(' ')
		sb.WriteString(g.expand(pick(r, briefRisks)))
	}
	sb.WriteByte(' ')
	sb.WriteString(g.expand(pick(r, briefClosings)))
	b.brief = sb.String()
	defer sortActions(b)

	// Key points, round-robin over the topics.
	nk := 3 + r.intn(4)
	if p.kd.phone {
		nk = 3
	}
	off := r.intn(8)
	for i := 0; i < nk && len(g.segs) > 0; i++ {
		t := &topicDefs[g.segs[i%len(g.segs)].topic]
		kp := t.keyPoints[(off+i/len(g.segs))%len(t.keyPoints)]
		b.keyPoints = append(b.keyPoints, gong.KeyPoint{Text: g.expand(kp)})
		b.kpSeg = append(b.kpSeg, i%len(g.segs))
	}

	// Action items, each owned by someone who spoke.
	na := 1 + r.intn(5)
	if p.kd.phone {
		na = 1 + r.intn(2)
	}
	off = r.intn(4)
	for i := 0; i < na && len(g.segs) > 0; i++ {
		si := i % len(g.segs)
		sg := g.segs[si]
		t := &topicDefs[sg.topic]
		at := t.actions[(off+i/len(g.segs))%len(t.actions)]
		ours := at.ours
		spk, pi := g.speakerOf(ours, r.chance(0.3))
		if pi < 0 && !ours {
			ours = true
			spk, pi = g.speakerOf(true, false)
		}
		owner := g.v[vHostFirst]
		if pi >= 0 {
			owner = firstName(g.parties[pi].name)
		} else if !ours {
			owner = g.v[vContactFirst]
		}
		g.v[vOwnerFirst] = owner
		text := g.expand(at.text)
		start := sg.start + (sg.end-sg.start)*2/3 + r.intn(20)
		b.actions = append(b.actions, gong.ActionItem{SnippetStartTime: float64(start), SnippetEndTime: float64(start + 6 + r.intn(12)),
			SpeakerID: gong.ID(spk), Snippet: text})
		b.spoken = append(b.spoken, spokenAction{seg: si, speaker: spk, text: spokenForm(text, owner), at: start})
	}
}

// sortActions orders action items by time, as Gong lists them.
func sortActions(b *body) {
	sort.Sort(byStart{b})
}

type byStart struct{ b *body }

func (x byStart) Len() int { return len(x.b.actions) }
func (x byStart) Less(i, j int) bool {
	return x.b.actions[i].SnippetStartTime < x.b.actions[j].SnippetStartTime
}
func (x byStart) Swap(i, j int) {
	x.b.actions[i], x.b.actions[j] = x.b.actions[j], x.b.actions[i]
	x.b.spoken[i], x.b.spoken[j] = x.b.spoken[j], x.b.spoken[i]
}

func firstName(full string) string {
	if i := strings.IndexByte(full, ' '); i > 0 {
		return full[:i]
	}
	return full
}

// spokenForm turns "Maya to send X by Friday." into "I'll send X by Friday."
func spokenForm(text, owner string) string {
	if rest, ok := strings.CutPrefix(text, owner+" to "); ok {
		return "I'll " + rest
	}
	return text
}

// content renders the content object for the selection. Trackers and
// structure exist from publication; the AI parts only from contentAt.
func (s *Sim) content(g *gen, ref int32, now int64, sel *selector) *gong.Content {
	b := s.makeBody(g, ref)
	c := &gong.Content{}
	r := newRnd(s.seed, saltTrackers, uint64(ref))
	d := int(s.dur[ref])
	if sel.structure {
		set := structureSets[r.intn(len(structureSets))]
		left := d
		for i, name := range set {
			l := left
			if i < len(set)-1 {
				l = d * (1 + r.intn(3)) / (len(set) * 2)
				left -= l
			}
			c.Structure = append(c.Structure, gong.NamedDuration{Name: name, Duration: float64(l)})
		}
	}
	if sel.trackers {
		c.Trackers = s.callTrackers(g, ref, &r, sel.occurrences)
	}
	if s.contentAt(ref) > now {
		return c
	}
	if sel.topics {
		c.Topics = b.topics
	}
	if sel.poi && len(b.actions) > 0 {
		c.PointsOfInterest = &gong.PointsOfInterest{ActionItems: b.actions}
	}
	if sel.brief {
		c.Brief = b.brief
	}
	if sel.outline {
		c.Outline = b.outline
	}
	if sel.highlights {
		c.Highlights = b.highlights
	}
	if sel.outcome {
		c.CallOutcome = b.outcome
	}
	if sel.keyPoints {
		c.KeyPoints = b.keyPoints
	}
	return c
}

func (s *Sim) callTrackers(g *gen, ref int32, r *rnd, occ bool) []gong.Tracker {
	var out []gong.Tracker
	onTopic := func(name string) (segment, bool) {
		for _, sg := range g.segs {
			if topicDefs[sg.topic].name == name {
				return sg, true
			}
		}
		return segment{}, false
	}
	for _, td := range s.trackers[s.ws[ref]] {
		sg, ok := onTopic(td.topic)
		if !ok {
			if !r.chance(0.15) {
				continue
			}
			sg = segment{start: 0, end: int(s.dur[ref])}
		}
		kw := td.keywords
		if td.name == "Competitors" {
			kw = []string{competitors[g.p.competitor]}
		}
		tr := gong.Tracker{ID: gong.ID(td.id), Name: td.name, Type: "KEYWORD"}
		np := min(len(kw), 1+r.intn(2))
		for k := range np {
			ph := gong.TrackerPhrase{Phrase: kw[(k+r.intn(len(kw)))%len(kw)], Count: 1 + r.intn(3)}
			if !ok {
				ph.Count = r.intn(2)
			}
			if occ {
				for j := range ph.Count {
					spk, _ := g.speakerOf(j%2 == 0, false)
					o := gong.Occurrence{StartTime: float64(sg.start+r.intn(max(sg.end-sg.start, 1))) + 0.5, SpeakerID: gong.ID(spk)}
					ph.Occurrences = append(ph.Occurrences, o)
					tr.Occurrences = append(tr.Occurrences, o)
				}
			}
			tr.Count += ph.Count
			tr.Phrases = append(tr.Phrases, ph)
		}
		out = append(out, tr)
	}
	return out
}

// transcript renders the call's transcript: greetings, each topic's lines,
// the action items as said by their owners, and a goodbye.
func (s *Sim) transcript(g *gen, ref int32) []gong.Monologue {
	s.makePlan(g, ref)
	b := s.makeBody(g, ref)
	r := newRnd(s.seed, saltContent+77, uint64(ref))
	ours, _ := g.speakerOf(true, false)
	theirs, _ := g.speakerOf(false, false)
	if len(g.parties) == 0 {
		ours = numID(hash3(s.seed, uint64(ref), 1))
		theirs = numID(hash3(s.seed, uint64(ref), 2))
	}
	if theirs == "" {
		theirs = ours
	}
	var mons []gong.Monologue
	say := func(spk string, topic *string, at int, text string) {
		startMS := int64(at) * 1000
		end := startMS + int64(1500+60*len(text))
		sent := gong.Sentence{Start: startMS, End: end, Text: text}
		if n := len(mons); n > 0 && string(mons[n-1].SpeakerID) == spk && mons[n-1].Topic == topic {
			mons[n-1].Sentences = append(mons[n-1].Sentences, sent)
			return
		}
		mons = append(mons, gong.Monologue{SpeakerID: gong.ID(spk), Topic: topic, Sentences: []gong.Sentence{sent}})
	}
	who := func(isOurs bool) string {
		if isOurs {
			return ours
		}
		return theirs
	}
	at := 2
	for _, l := range fillerLines[:4] {
		say(who(l.ours), nil, at, g.expand(l.text))
		at += 4 + r.intn(4)
	}
	for si, sg := range g.segs {
		t := &topicDefs[sg.topic]
		name := t.name
		at = max(at, sg.start)
		step := max((sg.end-sg.start)/(len(t.lines)+2), 4)
		for _, l := range t.lines {
			say(who(l.ours), &name, at, g.expand(l.text))
			at += step
		}
		if si < len(b.keyPoints) {
			say(ours, &name, at, "So the key point for us: "+b.keyPoints[si].Text)
			at += step
		}
		for _, sa := range b.spoken {
			if sa.seg == si {
				spk := sa.speaker
				if spk == "" {
					spk = ours
				}
				say(spk, &name, max(at, sa.at), sa.text)
				at = max(at, sa.at) + 8
			}
		}
	}
	for _, l := range fillerLines[6:] {
		say(who(l.ours), nil, at, l.text)
		at += 3 + r.intn(3)
	}
	return mons
}
