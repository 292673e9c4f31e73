package question

import (
	"strconv"
	"strings"
	"time"
)

// Dates in questions are understood relative to the caller's clock and time
// zone. Every range is [from, to) between midnights in that zone; an open
// end ("since March", "before June 1") is the zero time.
//
// The rules:
//   - A date without a year is the most recent such date not in the future:
//     asked in November, "December 3" is last year's; "in May" and "Q2" are
//     this year's once they have begun. Weekdays likewise: "on Monday" is
//     today if today is Monday, else the Monday before.
//   - "last week", "last month", "last quarter", "last year" are the previous
//     calendar week (weeks start on Monday), month, quarter or year; "this
//     ..." the current one. "past week" and "last/past N days|weeks|months"
//     are rolling: the N units before today, and today so far.
//   - "5/12" is month/day, as in the United States; "2026-05-12" is ISO.
//   - "Q2" followed by a word that names a meeting (planning, review,
//     kickoff, QBR, business review, forecast, ...) is part of a meeting's
//     name ("the Q2 planning meeting"), unless a preposition makes it a time
//     ("in Q2 planning", "during Q2"). "Q2" alone, "Q2 2026", "in Q2" and
//     "Q2 calls" are date ranges. H1 and H2 follow the same rule.
//   - "May", "March" and abbreviated months are also ordinary words or names
//     ("may", "Jan"), so alone they are months only after a word that
//     introduces a date ("in May", "since Jan") or with a day or a year.
//   - Several expressions in one question: bounded ranges merge into the
//     range covering them ("in May and June"); open ones narrow it.

// dateSpan is one range a date expression means.
type dateSpan struct {
	from, to time.Time
	noYear   bool // the year was inferred, so a range may move it
}

// dateMatch is a date expression found in a question.
type dateMatch struct {
	lead       int // first token taken, prepositions included
	start, end int // tokens that said the range, for Meaning.DateText
	span       dateSpan
}

// dateParser reads date expressions from tokens that names did not take.
type dateParser struct {
	toks   []token
	free   func(int) bool
	loc    *time.Location
	today  time.Time // the start of today, in loc
	qHeads []int     // words after "Q2" that make it a meeting name
}

func newDateParser(toks []token, free func(int) bool, now time.Time, loc *time.Location) *dateParser {
	p := &dateParser{toks: toks, free: free, loc: loc}
	y, m, d := now.In(loc).Date()
	p.today = p.date(y, m, d)
	return p
}

// word is toks[k]'s folded spelling, or "" when k is out of range or taken.
func (p *dateParser) word(k int) string {
	if k < 0 || k >= len(p.toks) || !p.free(k) {
		return ""
	}
	return p.toks[k].norm
}

// find returns the date expressions in the question, in order.
func (p *dateParser) find() []dateMatch {
	var out []dateMatch
	for i := 0; i < len(p.toks); {
		m, ok := p.parseAt(i)
		if !ok {
			i++
			continue
		}
		// Prepositions and articles before the expression are taken too, but
		// are not what said the range.
		m.lead = m.start
		for k := m.start - 1; k >= 0 && m.start-k <= 3 && leadWords[p.word(k)]; k-- {
			m.lead = k
		}
		out = append(out, m)
		i = m.end
	}
	return out
}

var leadWords = wordSet("in on during over within for throughout of the at from between")

// modifiers turn a date into an open or a joined range.
var modifiers = map[string]string{
	"since": "since", "after": "after", "before": "before", "until": "until", "till": "until",
	"til": "until", "through": "until", "thru": "until", "from": "from", "between": "between",
}

// connectors join the two dates of a range ("from May 1 to May 15").
var connectors = wordSet("to until till through thru and")

func (p *dateParser) parseAt(i int) (dateMatch, bool) {
	mod, j := "", i
	if m, ok := modifiers[p.word(i)]; ok {
		mod, j = m, i+1
	} else if p.word(i) == "prior" && p.word(i+1) == "to" {
		mod, j = "before", i+2
	}
	first, e, ok := p.core(j)
	if !ok {
		return dateMatch{}, false
	}
	// A second date joined to the first makes a range.
	if mod != "since" && mod != "after" && mod != "before" && mod != "until" {
		next, e2, ok2 := dateSpan{}, 0, false
		if w := p.word(e); connectors[w] && (w != "and" || mod == "between") {
			next, e2, ok2 = p.core(e + 1)
		} else if e < len(p.toks) && strings.ContainsAny(p.toks[e].sep, "-–—") {
			next, e2, ok2 = p.core(e)
		}
		if ok2 {
			if !next.to.After(first.from) {
				if next.noYear {
					next.from, next.to = p.shift(next.from, 1, 0, 0), p.shift(next.to, 1, 0, 0)
				} else if first.noYear {
					first.from, first.to = p.shift(first.from, -1, 0, 0), p.shift(first.to, -1, 0, 0)
				}
			}
			span := dateSpan{from: minTime(first.from, next.from), to: maxTime(first.to, next.to)}
			start := i
			if mod == "" {
				start = j
			}
			return dateMatch{start: start, end: e2, span: span}, true
		}
	}
	m := dateMatch{start: i, end: e, span: first}
	switch mod {
	case "since":
		m.span = dateSpan{from: first.from}
	case "after":
		m.span = dateSpan{from: first.to}
	case "before":
		m.span = dateSpan{to: first.from}
	case "until":
		m.span = dateSpan{to: first.to}
	case "from", "between":
		// Alone, "from yesterday's call" means the day itself.
		m.start = j
	}
	return m, true
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// core parses one date expression starting at token j.
func (p *dateParser) core(j int) (dateSpan, int, bool) {
	switch w := p.word(j); w {
	case "":
		return dateSpan{}, 0, false
	case "today", "tonight":
		return p.dayRange(p.today), j + 1, true
	case "yesterday":
		return p.dayRange(p.shift(p.today, 0, 0, -1)), j + 1, true
	case "ytd":
		return dateSpan{from: p.date(p.today.Year(), 1, 1), to: p.shift(p.today, 0, 0, 1)}, j + 1, true
	case "qtd":
		return dateSpan{from: p.calendar(unitQuarter, 0).from, to: p.shift(p.today, 0, 0, 1)}, j + 1, true
	case "mtd":
		return dateSpan{from: p.calendar(unitMonth, 0).from, to: p.shift(p.today, 0, 0, 1)}, j + 1, true
	case "year", "quarter", "month":
		if p.word(j+1) == "to" && p.word(j+2) == "date" {
			u, _ := unitOf(w)
			return dateSpan{from: p.calendar(u, 0).from, to: p.shift(p.today, 0, 0, 1)}, j + 3, true
		}
	}
	for _, parse := range []func(int) (dateSpan, int, bool){
		p.relative, p.ago, p.numeric, p.monthFirst, p.dayFirst, p.weekday, p.quarter, p.yearAlone,
	} {
		if s, e, ok := parse(j); ok {
			return s, e, true
		}
	}
	return dateSpan{}, 0, false
}

// date is the start of a day in loc: its midnight, or where a clock change
// skips midnight (as in Santiago), the first instant of the day.
func (p *dateParser) date(y int, m time.Month, d int) time.Time {
	y, m, d = time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Date() // normalise "month 13"
	t := time.Date(y, m, d, 0, 0, 0, 0, p.loc)
	if ty, tm, td := t.Date(); ty != y || tm != m || td != d {
		if _, end := t.ZoneBounds(); !end.IsZero() {
			t = end.In(p.loc)
		}
	}
	return t
}

// shift moves t's day by a number of years, months and days, landing on the
// start of the day; calendar arithmetic, not multiples of 24 hours.
func (p *dateParser) shift(t time.Time, years, months, days int) time.Time {
	y, m, d := t.In(p.loc).Date()
	return p.date(y+years, m+time.Month(months), d+days)
}

func (p *dateParser) dayRange(t time.Time) dateSpan {
	return dateSpan{from: t, to: p.shift(t, 0, 0, 1)}
}

func (p *dateParser) monthRange(y int, m time.Month) dateSpan {
	return dateSpan{from: p.date(y, m, 1), to: p.date(y, m+1, 1)}
}

// weekStart is the Monday of t's week.
func (p *dateParser) weekStart(t time.Time) time.Time {
	return p.shift(t, 0, 0, -((int(t.In(p.loc).Weekday()) + 6) % 7))
}

type unit int

const (
	unitDay unit = iota
	unitWeek
	unitMonth
	unitQuarter
	unitYear
)

func unitOf(w string) (unit, bool) {
	switch stem(w) {
	case "day":
		return unitDay, true
	case "week", "wk":
		return unitWeek, true
	case "month", "mo", "mth":
		return unitMonth, true
	case "quarter", "qtr":
		return unitQuarter, true
	case "year", "yr":
		return unitYear, true
	}
	return 0, false
}

// calendar is the calendar unit containing today, moved by dir units.
func (p *dateParser) calendar(u unit, dir int) dateSpan {
	t := p.today
	switch u {
	case unitDay:
		return p.dayRange(p.shift(t, 0, 0, dir))
	case unitWeek:
		s := p.shift(p.weekStart(t), 0, 0, 7*dir)
		return dateSpan{from: s, to: p.shift(s, 0, 0, 7)}
	case unitMonth:
		return p.monthRange(t.Year(), t.Month()+time.Month(dir))
	case unitQuarter:
		q := (int(t.Month())-1)/3 + dir
		s := p.date(t.Year(), time.Month(3*q+1), 1)
		return dateSpan{from: s, to: p.shift(s, 0, 3, 0)}
	default:
		s := p.date(t.Year()+dir, 1, 1)
		return dateSpan{from: s, to: p.shift(s, 1, 0, 0)}
	}
}

// back is today moved back n units.
func (p *dateParser) back(n int, u unit) time.Time {
	switch u {
	case unitDay:
		return p.shift(p.today, 0, 0, -n)
	case unitWeek:
		return p.shift(p.today, 0, 0, -7*n)
	case unitMonth:
		return p.shift(p.today, 0, -n, 0)
	case unitQuarter:
		return p.shift(p.today, 0, -3*n, 0)
	default:
		return p.shift(p.today, -n, 0, 0)
	}
}

var numberWords = map[string]int{
	"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
	"thirty": 30, "sixty": 60, "ninety": 90, "couple": 2, "few": 3,
}

// count reads a count of units: "30", "two", "a", "a couple of", "few".
func (p *dateParser) count(k int) (int, int, bool) {
	w := p.word(k)
	if (w == "a" || w == "an") && (p.word(k+1) == "couple" || p.word(k+1) == "few") {
		k, w = k+1, p.word(k+1)
	}
	n, ok := numberWords[w]
	if !ok && isDigits(w) && len(w) <= 4 {
		n, _ = strconv.Atoi(w)
		ok = n > 0
	}
	if !ok {
		return 0, 0, false
	}
	if w == "couple" && p.word(k+1) == "of" {
		k++
	}
	return n, k + 1, true
}

// relative reads "last week", "this quarter", "past 30 days", "last Friday",
// "last May", "this morning".
func (p *dateParser) relative(j int) (dateSpan, int, bool) {
	dir, rolling := 0, false
	switch p.word(j) {
	case "last", "previous", "prior", "preceding":
		dir = -1
	case "past":
		dir, rolling = -1, true
	case "this", "current":
	case "next", "coming", "upcoming":
		dir = 1
	default:
		return dateSpan{}, 0, false
	}
	k := j + 1
	if dir < 0 {
		if n, k2, ok := p.count(k); ok && p.word(k) != "a" && p.word(k) != "an" {
			if u, ok := unitOf(p.word(k2)); ok {
				return dateSpan{from: p.back(n, u), to: p.shift(p.today, 0, 0, 1)}, k2 + 1, true
			}
			return dateSpan{}, 0, false
		}
	}
	w := p.word(k)
	if u, ok := unitOf(w); ok && !strings.HasSuffix(w, "s") {
		if rolling {
			return dateSpan{from: p.back(1, u), to: p.shift(p.today, 0, 0, 1)}, k + 1, true
		}
		return p.calendar(u, dir), k + 1, true
	}
	if wd, ok := weekdayNames[w]; ok {
		ws := p.weekStart(p.today)
		d := p.shift(ws, 0, 0, (int(wd)+6)%7) // this week's
		switch {
		case dir < 0:
			d = p.shift(p.today, 0, 0, -((int(p.today.Weekday())-int(wd)+6)%7 + 1))
		case dir > 0:
			d = p.shift(p.today, 0, 0, (int(wd)-int(p.today.Weekday())+6)%7+1)
		}
		return p.dayRange(d), k + 1, true
	}
	if m, ok := monthNames[w]; ok {
		y := p.today.Year()
		switch {
		case dir < 0 && m >= p.today.Month():
			y--
		case dir > 0 && m <= p.today.Month():
			y++
		}
		return p.monthRange(y, m), k + 1, true
	}
	if dir == 0 && (w == "morning" || w == "afternoon" || w == "evening") {
		return p.dayRange(p.today), k + 1, true
	}
	return dateSpan{}, 0, false
}

// ago reads "3 days ago", "a week ago", "two months ago": the day, week,
// month, quarter or year that many units back.
func (p *dateParser) ago(j int) (dateSpan, int, bool) {
	n, k, ok := p.count(j)
	if !ok {
		return dateSpan{}, 0, false
	}
	u, ok := unitOf(p.word(k))
	if !ok || p.word(k+1) != "ago" {
		return dateSpan{}, 0, false
	}
	t := p.back(n, u)
	switch u {
	case unitDay:
		return p.dayRange(t), k + 2, true
	case unitWeek:
		s := p.weekStart(t)
		return dateSpan{from: s, to: p.shift(s, 0, 0, 7)}, k + 2, true
	case unitMonth:
		return p.monthRange(t.Year(), t.Month()), k + 2, true
	case unitQuarter:
		s := p.date(t.Year(), time.Month((int(t.Month())-1)/3*3+1), 1)
		return dateSpan{from: s, to: p.shift(s, 0, 3, 0)}, k + 2, true
	default:
		return dateSpan{from: p.date(t.Year(), 1, 1), to: p.date(t.Year()+1, 1, 1)}, k + 2, true
	}
}

// number is toks[k] as a number when it is free and made of at most
// maxDigits digits.
func (p *dateParser) number(k, maxDigits int) (int, bool) {
	w := p.word(k)
	if !isDigits(w) || len(w) > maxDigits {
		return 0, false
	}
	n, err := strconv.Atoi(w)
	return n, err == nil
}

// yearAt reads a year: four digits from 1970 to 2199, or two digits after an
// apostrophe ("Q2 '25").
func (p *dateParser) yearAt(k int) (int, bool) {
	w := p.word(k)
	if !isDigits(w) {
		return 0, false
	}
	n, _ := strconv.Atoi(w)
	switch {
	case len(w) == 4 && n >= 1970 && n < 2200:
		return n, true
	case len(w) == 2 && strings.ContainsFunc(p.toks[k].sep, isApostrophe):
		return 2000 + n, true
	}
	return 0, false
}

// dayAt reads a day of the month: "12", "12th", "1st".
func (p *dateParser) dayAt(k int) (d int, ordinal, ok bool) {
	w := p.word(k)
	for _, s := range []string{"st", "nd", "rd", "th"} {
		if strings.HasSuffix(w, s) && len(w) > 2 {
			w, ordinal = strings.TrimSuffix(w, s), true
			break
		}
	}
	if !isDigits(w) || len(w) > 2 {
		return 0, false, false
	}
	d, _ = strconv.Atoi(w)
	return d, ordinal, d >= 1 && d <= 31
}

func validDay(y int, m time.Month, d int) bool {
	return m >= 1 && m <= 12 && d >= 1 && d <= time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// dayOf is the given day of the given year, or without a year the most
// recent such day that is not in the future (February 29 looks back to the
// last leap year).
func (p *dateParser) dayOf(y int, m time.Month, d int) (dateSpan, bool) {
	if y != 0 {
		if !validDay(y, m, d) {
			return dateSpan{}, false
		}
		return p.dayRange(p.date(y, m, d)), true
	}
	for y := p.today.Year(); y > p.today.Year()-8; y-- {
		if validDay(y, m, d) && !p.date(y, m, d).After(p.today) {
			s := p.dayRange(p.date(y, m, d))
			s.noYear = true
			return s, true
		}
	}
	return dateSpan{}, false
}

// monthOf is the given month, or without a year the most recent one that
// has begun.
func (p *dateParser) monthOf(y int, m time.Month) dateSpan {
	if y != 0 {
		return p.monthRange(y, m)
	}
	y = p.today.Year()
	if m > p.today.Month() {
		y--
	}
	s := p.monthRange(y, m)
	s.noYear = true
	return s
}

// numeric reads "2026-05-12", "2026/05/12", "5/12" and "5/12/2026" (US
// order: month first).
func (p *dateParser) numeric(j int) (dateSpan, int, bool) {
	a, ok := p.number(j, 4)
	if !ok || j+2 > len(p.toks) {
		return dateSpan{}, 0, false
	}
	sep := func(k int) string {
		if k >= len(p.toks) {
			return ""
		}
		return strings.TrimSpace(p.toks[k].sep)
	}
	if len(p.word(j)) == 4 {
		m, ok1 := p.number(j+1, 2)
		d, ok2 := p.number(j+2, 2)
		if s := sep(j + 1); ok1 && ok2 && (s == "-" || s == "/" || s == ".") && sep(j+2) == s {
			if r, ok := p.dayOf(a, time.Month(m), d); ok {
				return r, j + 3, true
			}
		}
		return dateSpan{}, 0, false
	}
	d, ok := p.number(j+1, 2)
	if !ok || sep(j+1) != "/" {
		return dateSpan{}, 0, false
	}
	y, e := 0, j+2
	if sep(j+2) == "/" {
		if n, ok := p.number(j+2, 4); ok && (len(p.word(j+2)) == 2 || len(p.word(j+2)) == 4) {
			y, e = n, j+3
			if y < 100 {
				y += 2000
			}
		}
	}
	r, ok := p.dayOf(y, time.Month(a), d)
	return r, e, ok
}

// monthNames maps month names and abbreviations to months.
var monthNames = map[string]time.Month{
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
	"may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
	"september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
	"december": 12, "dec": 12,
}

// plainMonths are month names that mean nothing else in a question.
var plainMonths = wordSet("january february april june july august september october november december")

// dateIntro are words after which a month or a year is a date.
var dateIntro = wordSet("in on during since before after until till through thru from of between and to " +
	"early mid late last this next throughout for over by around end beginning start year")

// monthFirst reads "May 12", "May 12th, 2025", "May 12-14", "May 2025" and
// "May".
func (p *dateParser) monthFirst(j int) (dateSpan, int, bool) {
	w := p.word(j)
	m, ok := monthNames[w]
	if !ok {
		return dateSpan{}, 0, false
	}
	introduced := dateIntro[p.word(j-1)]
	if d, ordinal, ok := p.dayAt(j + 1); ok {
		e, y := j+2, 0
		if n, ok := p.yearAt(e); ok {
			y, e = n, e+1
		}
		// "may 2 ..." is rarely a date: the modal verb needs more evidence.
		ambiguous := w == "may" || w == "march" || w == "mar"
		if ambiguous && !introduced && !ordinal && y == 0 && !p.toks[j].capital {
			return dateSpan{}, 0, false
		}
		r, ok := p.dayOf(y, m, d)
		if !ok {
			return dateSpan{}, 0, false
		}
		// "May 12-14", "May 12 to 14": a span of days in one month.
		if y == 0 && e < len(p.toks) {
			k := e
			if connectors[p.word(k)] && p.word(k) != "and" {
				k++
			} else if !strings.ContainsAny(p.toks[k].sep, "-–—") {
				k = -1
			}
			if d2, _, ok := p.dayAt(k); k > 0 && ok && d2 > d && validDay(r.from.Year(), m, d2) {
				r.to = p.date(r.from.Year(), m, d2+1)
				e = k + 1
			}
		}
		return r, e, true
	}
	if y, ok := p.yearAt(j + 1); ok {
		return p.monthOf(y, m), j + 2, true
	}
	if !plainMonths[w] && !introduced {
		return dateSpan{}, 0, false
	}
	return p.monthOf(0, m), j + 1, true
}

// dayFirst reads "12 May", "12th of May 2025", "the 3rd of June".
func (p *dateParser) dayFirst(j int) (dateSpan, int, bool) {
	d, _, ok := p.dayAt(j)
	if !ok {
		return dateSpan{}, 0, false
	}
	k := j + 1
	if p.word(k) == "of" {
		k++
	}
	m, ok := monthNames[p.word(k)]
	if !ok {
		return dateSpan{}, 0, false
	}
	y, e := 0, k+1
	if n, ok := p.yearAt(e); ok {
		y, e = n, e+1
	}
	r, ok := p.dayOf(y, m, d)
	return r, e, ok
}

var weekdayNames = map[string]time.Weekday{
	"monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday, "thursday": time.Thursday,
	"friday": time.Friday, "saturday": time.Saturday, "sunday": time.Sunday,
}

// weekday reads "Monday": the most recent Monday, today included.
func (p *dateParser) weekday(j int) (dateSpan, int, bool) {
	wd, ok := weekdayNames[p.word(j)]
	if !ok {
		return dateSpan{}, 0, false
	}
	back := (int(p.today.Weekday()) - int(wd) + 7) % 7
	s := p.dayRange(p.shift(p.today, 0, 0, -back))
	s.noYear = true
	return s, j + 1, true
}

// meetingAfterQuarter are words that, after "Q2", name a meeting rather than
// a time: "Q2 planning", "Q2 business review", "Q2 kickoff".
var meetingAfterQuarter = wordSet("planning plan review kickoff kick qbr ebr business forecast forecasting " +
	"pipeline roadmap strategy sync offsite okr goal target budget budgeting meeting call session update " +
	"readout checkin check commit demo workshop retro retrospective board summit all")

// quarterIntro are words that make "Q2" a time even before a meeting word.
var quarterIntro = wordSet("in during within throughout since before after until till through thru between")

// quarter reads "Q2", "Q2 2025", "Q2 '25", "2025 Q2", "second quarter (of
// 2025)", "H1", "first half of 2025".
func (p *dateParser) quarter(j int) (dateSpan, int, bool) {
	w := p.word(j)
	y, k := 0, j+1
	if n, ok := p.yearAt(j); ok && len(w) == 4 {
		if q := p.word(j + 1); len(q) == 2 && (q[0] == 'q' || q[0] == 'h') {
			y, k, w, j = n, j+2, q, j+1
		}
	}
	var n, months int
	switch {
	case len(w) == 2 && w[0] == 'q' && w[1] >= '1' && w[1] <= '4':
		n, months = int(w[1]-'0'), 3
	case len(w) == 2 && w[0] == 'h' && (w[1] == '1' || w[1] == '2'):
		n, months = int(w[1]-'0'), 6
	default:
		if ord, ok := ordinals[w]; ok {
			switch stem(p.word(j + 1)) {
			case "quarter":
				if ord <= 4 {
					n, months, k = ord, 3, j+2
				}
			case "half":
				if ord <= 2 {
					n, months, k = ord, 6, j+2
				}
			}
		}
		if n == 0 {
			return dateSpan{}, 0, false
		}
		if p.word(k) == "of" || p.word(k) == "in" {
			if yy, ok := p.yearAt(k + 1); ok {
				y, k = yy, k+2
			}
		}
	}
	if y == 0 {
		if yy, ok := p.yearAt(k); ok {
			y, k = yy, k+1
		}
	}
	// The Q2 rule: a meeting word after the quarter makes it a name.
	if len(w) == 2 {
		next := p.word(k)
		// "Q2 planning", "the Q2 meeting"; but "Q2 calls" are the calls of Q2.
		if meetingAfterQuarter[stem(next)] && !(genericHeads[stem(next)] && next != stem(next)) &&
			!quarterIntro[p.word(j-1)] && !(y != 0 && j > 0 && quarterIntro[p.word(j-2)]) {
			p.qHeads = append(p.qHeads, k)
			return dateSpan{}, 0, false
		}
	}
	first := time.Month((n-1)*months + 1)
	noYear := y == 0
	if noYear {
		y = p.today.Year()
		if first > p.today.Month() {
			y--
		}
	}
	s := p.date(y, first, 1)
	return dateSpan{from: s, to: p.shift(s, 0, months, 0), noYear: noYear}, k, true
}

var ordinals = map[string]int{
	"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
}

// yearAlone reads "in 2025", "during 2025", "since 2024": a bare number is a
// year only after a word that introduces a date.
func (p *dateParser) yearAlone(j int) (dateSpan, int, bool) {
	y, ok := p.yearAt(j)
	if !ok || len(p.word(j)) != 4 || !dateIntro[p.word(j-1)] {
		return dateSpan{}, 0, false
	}
	return dateSpan{from: p.date(y, 1, 1), to: p.date(y+1, 1, 1)}, j + 1, true
}

// combine merges the ranges of several date expressions: bounded ranges by
// the range covering them, open ones narrowing the result. A contradiction
// keeps the bounded ranges, or else the first expression.
func combine(ms []dateMatch) (from, to time.Time) {
	var bf, bt, lower, upper time.Time
	bounded := false
	for _, m := range ms {
		s := m.span
		switch {
		case !s.from.IsZero() && !s.to.IsZero():
			if !bounded {
				bf, bt, bounded = s.from, s.to, true
			} else {
				bf, bt = minTime(bf, s.from), maxTime(bt, s.to)
			}
		case !s.from.IsZero():
			lower = maxTime(lower, s.from)
		case !s.to.IsZero():
			if upper.IsZero() || s.to.Before(upper) {
				upper = s.to
			}
		}
	}
	if bounded {
		from, to = maxTime(bf, lower), bt
		if !upper.IsZero() && upper.Before(to) {
			to = upper
		}
		if !from.Before(to) {
			return bf, bt
		}
		return from, to
	}
	if !lower.IsZero() && !upper.IsZero() && !lower.Before(upper) {
		return ms[0].span.from, ms[0].span.to
	}
	return lower, upper
}
