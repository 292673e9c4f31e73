package question

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// mustNow is the tests' clock: Wednesday 2026-11-25 10:00 in Los Angeles.
func mustNow(t testing.TB) time.Time {
	return time.Date(2026, 11, 25, 10, 0, 0, 0, mustZone(t, "America/Los_Angeles"))
}

func TestDates(t *testing.T) {
	for _, zone := range []string{"America/Los_Angeles", "Europe/Berlin"} {
		loc := mustZone(t, zone)
		now := time.Date(2026, 11, 25, 10, 0, 0, 0, loc)
		for text, want := range map[string]string{
			"May 12":                     "2026-05-12/2026-05-13",
			"12 May":                     "2026-05-12/2026-05-13",
			"May 12th":                   "2026-05-12/2026-05-13",
			"the 12th of May":            "2026-05-12/2026-05-13",
			"May 12, 2025":               "2025-05-12/2025-05-13",
			"on 5/12":                    "2026-05-12/2026-05-13",
			"5/12/2025":                  "2025-05-12/2025-05-13",
			"5/12/25":                    "2025-05-12/2025-05-13",
			"2026-05-12":                 "2026-05-12/2026-05-13",
			"2025/12/31":                 "2025-12-31/2026-01-01",
			"yesterday":                  "2026-11-24/2026-11-25",
			"today":                      "2026-11-25/2026-11-26",
			"this morning":               "2026-11-25/2026-11-26",
			"last week":                  "2026-11-16/2026-11-23",
			"this week":                  "2026-11-23/2026-11-30",
			"next week":                  "2026-11-30/2026-12-07",
			"previous week":              "2026-11-16/2026-11-23",
			"last month":                 "2026-10-01/2026-11-01",
			"this month":                 "2026-11-01/2026-12-01",
			"last year":                  "2025-01-01/2026-01-01",
			"in Q2":                      "2026-04-01/2026-07-01",
			"Q2 2025":                    "2025-04-01/2025-07-01",
			"2025 Q2":                    "2025-04-01/2025-07-01",
			"Q1 '25":                     "2025-01-01/2025-04-01",
			"Q4":                         "2026-10-01/2027-01-01",
			"the second quarter of 2025": "2025-04-01/2025-07-01",
			"H1":                         "2026-01-01/2026-07-01",
			"first half of 2025":         "2025-01-01/2025-07-01",
			"last quarter":               "2026-07-01/2026-10-01",
			"this quarter":               "2026-10-01/2027-01-01",
			"in May":                     "2026-05-01/2026-06-01",
			"May 2025":                   "2025-05-01/2025-06-01",
			"in November":                "2026-11-01/2026-12-01",
			"in December":                "2025-12-01/2026-01-01",
			"since Jan":                  "2026-01-01/",
			"last May":                   "2026-05-01/2026-06-01",
			"last November":              "2025-11-01/2025-12-01",
			"in 2025":                    "2025-01-01/2026-01-01",
			"last 30 days":               "2026-10-26/2026-11-26",
			"past 2 weeks":               "2026-11-11/2026-11-26",
			"the past week":              "2026-11-18/2026-11-26",
			"last three months":          "2026-08-25/2026-11-26",
			"last couple of weeks":       "2026-11-11/2026-11-26",
			"since March":                "2026-03-01/",
			"before June 1":              "/2026-06-01",
			"prior to June 1":            "/2026-06-01",
			"after May 12":               "2026-05-13/",
			"until May 12":               "/2026-05-13",
			"December 3":                 "2025-12-03/2025-12-04",
			"November 25":                "2026-11-25/2026-11-26",
			"November 26":                "2025-11-26/2025-11-27",
			"February 29":                "2024-02-29/2024-03-01",
			"between May 1 and May 15":   "2026-05-01/2026-05-16",
			"from Dec 20 to Jan 5":       "2025-12-20/2026-01-06",
			"May 12-14":                  "2026-05-12/2026-05-15",
			"May 12 to 14":               "2026-05-12/2026-05-15",
			"Q2-Q3":                      "2026-04-01/2026-10-01",
			"in May and June":            "2026-05-01/2026-07-01",
			"since March before June":    "2026-03-01/2026-06-01",
			"Monday":                     "2026-11-23/2026-11-24",
			"on Wednesday":               "2026-11-25/2026-11-26",
			"last Wednesday":             "2026-11-18/2026-11-19",
			"last Friday":                "2026-11-20/2026-11-21",
			"this Friday":                "2026-11-27/2026-11-28",
			"3 days ago":                 "2026-11-22/2026-11-23",
			"a week ago":                 "2026-11-16/2026-11-23",
			"two months ago":             "2026-09-01/2026-10-01",
			"ytd":                        "2026-01-01/2026-11-26",
			"year to date":               "2026-01-01/2026-11-26",
			"Jan 5":                      "2026-01-05/2026-01-06",
			"mid-May":                    "2026-05-01/2026-06-01",
			// Not dates.
			"Q2 planning":        "",
			"the Q2 review":      "",
			"H2 kickoff":         "",
			"may I see it":       "",
			"the 5 people":       "",
			"2025 revenue":       "",
			"February 30":        "",
			"march forward":      "",
			"13/45":              "",
			"calls with Jan":     "",
			"last call":          "",
			"next steps":         "",
			"first call":         "",
			"the second meeting": "",
		} {
			got := Understand(text, now, loc, nil)
			if r := rangeString(got.From, got.To, loc); r != want {
				t.Errorf("%s: %q: range = %s (%q), want %s", zone, text, r, got.DateText, want)
			}
		}
	}
}

func TestDateText(t *testing.T) {
	now := mustNow(t)
	for q, want := range map[string]string{
		"action items from the call on May 12?":    "May 12",
		"calls in Q2":                              "Q2",
		"what happened last week with Acme":        "last week",
		"calls since March":                        "since March",
		"recap of yesterday's call":                "yesterday",
		"calls between May 1 and May 15 with Acme": "between May 1 and May 15",
		"calls in May and June":                    "May, June",
	} {
		if got := Understand(q, now, now.Location(), nil).DateText; got != want {
			t.Errorf("DateText(%q) = %q, want %q", q, got, want)
		}
	}
}

// A week starts on Monday: asked on a Sunday, "this week" began six days
// before.
func TestWeekStartsMonday(t *testing.T) {
	loc := mustZone(t, "Europe/Berlin")
	sunday := time.Date(2026, 11, 29, 18, 0, 0, 0, loc)
	got := Understand("this week", sunday, loc, nil)
	if r := rangeString(got.From, got.To, loc); r != "2026-11-23/2026-11-30" {
		t.Errorf("this week on a Sunday = %s, want 2026-11-23/2026-11-30", r)
	}
	got = Understand("on Sunday", sunday, loc, nil)
	if r := rangeString(got.From, got.To, loc); r != "2026-11-29/2026-11-30" {
		t.Errorf("on Sunday, asked on a Sunday = %s, want today", r)
	}
}

// Asked in January, a date in December is last year's.
func TestNoYearInJanuary(t *testing.T) {
	loc := mustZone(t, "America/Los_Angeles")
	jan := time.Date(2027, 1, 10, 9, 0, 0, 0, loc)
	for text, want := range map[string]string{
		"December 3":              "2026-12-03/2026-12-04",
		"in December":             "2026-12-01/2027-01-01",
		"Q4":                      "2026-10-01/2027-01-01",
		"last month":              "2026-12-01/2027-01-01",
		"last quarter":            "2026-10-01/2027-01-01",
		"January 10":              "2027-01-10/2027-01-11",
		"January 11":              "2026-01-11/2026-01-12",
		"between Dec 1 and Jan 5": "2026-12-01/2027-01-06",
	} {
		got := Understand(text, jan, loc, nil)
		if r := rangeString(got.From, got.To, loc); r != want {
			t.Errorf("%q in January: range = %s, want %s", text, r, want)
		}
	}
}

// Ranges keep their days across a daylight-saving change: the bounds are
// midnights, not multiples of 24 hours.
func TestDatesAcrossDST(t *testing.T) {
	loc := mustZone(t, "America/Los_Angeles")
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, loc) // DST began on March 8
	got := Understand("last week", now, loc, nil)
	if r := rangeString(got.From, got.To, loc); r != "2026-03-02/2026-03-09" {
		t.Errorf("last week = %s, want 2026-03-02/2026-03-09", r)
	}
	if got.To.Sub(got.From) != 7*24*time.Hour-time.Hour {
		t.Errorf("last week lasts %v, want 167h (one hour lost to DST)", got.To.Sub(got.From))
	}
}

// In Santiago clocks skip from midnight to one on the first Sunday of
// September: that day starts at one.
func TestDayWithoutMidnight(t *testing.T) {
	loc := mustZone(t, "America/Santiago")
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, loc)
	got := Understand("calls on 2026-09-06", now, loc, nil)
	if r := rangeString(got.From, got.To, loc); r != "2026-09-06/2026-09-07" {
		t.Fatalf("range = %s, want 2026-09-06/2026-09-07", r)
	}
	if h := got.From.In(loc).Hour(); h != 1 {
		t.Errorf("the day starts at %v, want 01:00", got.From.In(loc))
	}
	if got.To.Sub(got.From) != 23*time.Hour {
		t.Errorf("the day lasts %v, want 23h", got.To.Sub(got.From))
	}
}

// dateTemplate makes a random date expression and says whether it names a
// date without a year (which must not be in the future) and whether it is
// open-ended.
type dateTemplate func(r *rand.Rand) (text string, noYear bool)

var monthList = []string{"January", "February", "March", "April", "May", "June", "July", "August",
	"September", "October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep",
	"Sept", "Oct", "Nov", "Dec"}

var dateTemplates = []dateTemplate{
	func(r *rand.Rand) (string, bool) {
		return fmt.Sprintf("on %s %d", monthList[r.IntN(len(monthList))], 1+r.IntN(31)), true
	},
	func(r *rand.Rand) (string, bool) {
		return fmt.Sprintf("%d %s", 1+r.IntN(31), monthList[r.IntN(len(monthList))]), true
	},
	func(r *rand.Rand) (string, bool) {
		return fmt.Sprintf("in %s", monthList[r.IntN(len(monthList))]), true
	},
	func(r *rand.Rand) (string, bool) { return fmt.Sprintf("on %d/%d", 1+r.IntN(12), 1+r.IntN(31)), true },
	func(r *rand.Rand) (string, bool) { return fmt.Sprintf("in Q%d", 1+r.IntN(4)), true },
	func(r *rand.Rand) (string, bool) {
		return []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}[r.IntN(7)], true
	},
	func(r *rand.Rand) (string, bool) { return fmt.Sprintf("Q%d %d", 1+r.IntN(4), 2015+r.IntN(15)), false },
	func(r *rand.Rand) (string, bool) {
		return fmt.Sprintf("%d-%02d-%02d", 2015+r.IntN(15), 1+r.IntN(12), 1+r.IntN(31)), false
	},
	func(r *rand.Rand) (string, bool) {
		return fmt.Sprintf("%s %d, %d", monthList[r.IntN(len(monthList))], 1+r.IntN(31), 2015+r.IntN(15)), false
	},
	func(r *rand.Rand) (string, bool) {
		return []string{"last", "this", "next", "past", "previous"}[r.IntN(5)] + " " +
			[]string{"day", "week", "month", "quarter", "year"}[r.IntN(5)], false
	},
	func(r *rand.Rand) (string, bool) {
		return fmt.Sprintf("last %d %s", 1+r.IntN(400), []string{"days", "weeks", "months", "quarters", "years"}[r.IntN(5)]), false
	},
	func(r *rand.Rand) (string, bool) {
		return fmt.Sprintf("%d %s ago", 1+r.IntN(50), []string{"days", "weeks", "months", "quarters", "years"}[r.IntN(5)]), false
	},
	func(r *rand.Rand) (string, bool) {
		return []string{"since", "before", "after", "until"}[r.IntN(4)] + " " + monthList[r.IntN(len(monthList))] +
			fmt.Sprintf(" %d", 1+r.IntN(28)), false
	},
	func(r *rand.Rand) (string, bool) {
		a, b := 1+r.IntN(28), 1+r.IntN(28)
		return fmt.Sprintf("between %s %d and %s %d", monthList[r.IntN(len(monthList))], a, monthList[r.IntN(len(monthList))], b), false
	},
	func(r *rand.Rand) (string, bool) {
		return []string{"today", "yesterday", "ytd", "this morning"}[r.IntN(4)], false
	},
}

// TestDateProperties checks, for random expressions asked at random times in
// zones with and without daylight saving (Santiago's skips midnight), that
// every range is a range between starts of days, and that a date without a
// year is not in the future.
func TestDateProperties(t *testing.T) {
	zones := []*time.Location{time.UTC, mustZone(t, "America/Los_Angeles"), mustZone(t, "Europe/Berlin"),
		mustZone(t, "Asia/Kolkata"), mustZone(t, "Pacific/Auckland"), mustZone(t, "Australia/Lord_Howe"),
		mustZone(t, "America/Santiago"), mustZone(t, "Pacific/Kiritimati")}
	r := rand.New(rand.NewPCG(7, 11))
	start := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	span := time.Date(2032, 1, 1, 0, 0, 0, 0, time.UTC).Unix() - start
	found := 0
	for i := 0; i < 20000; i++ {
		loc := zones[r.IntN(len(zones))]
		now := time.Unix(start+r.Int64N(span), 0).In(loc)
		text, noYear := dateTemplates[r.IntN(len(dateTemplates))](r)
		got := Understand(text, now, loc, nil)
		if got.From.IsZero() && got.To.IsZero() {
			continue // an impossible day, such as "Feb 30"
		}
		found++
		if !got.From.IsZero() && !got.To.IsZero() && !got.From.Before(got.To) {
			t.Errorf("%q at %v: From %v is not before To %v", text, now, got.From, got.To)
		}
		for _, b := range []time.Time{got.From, got.To} {
			if b.IsZero() {
				continue
			}
			// The first instant of its day: midnight, or where a clock
			// change skips midnight, the change.
			if b.In(loc).Day() == b.Add(-time.Nanosecond).In(loc).Day() {
				t.Errorf("%q at %v in %v: bound %v does not start a day", text, now, loc, b)
			}
		}
		if noYear && got.From.After(now) {
			t.Errorf("%q at %v in %v: From %v is in the future", text, now, loc, got.From)
		}
		if got.DateText == "" {
			t.Errorf("%q: a range without DateText", text)
		}
	}
	if found < 15000 {
		t.Errorf("only %d of 20000 expressions gave a range", found)
	}
}
