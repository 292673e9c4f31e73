package question

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var knownIntents = []Intent{IntentSearch, IntentActionItems, IntentKeyPoints, IntentBrief, IntentTopics, IntentPeople,
	IntentNextSteps, IntentOutcome, IntentDuration, IntentTrackers}

// FuzzUnderstand feeds any text to Understand and checks what must hold
// whatever the text: no panic, the same answer twice, known intents, stored
// names only, ranges that are ranges, and parts made of the question's words.
func FuzzUnderstand(f *testing.F) {
	for _, tc := range questionCases {
		f.Add(tc.q)
	}
	for _, s := range []string{
		"", " ", "\x00", "\xff\xfe", "a\xc0b", "’s", "'", `"`, `""""`, "&", " & ", "-", " - ", "....",
		"Q2", "q4 2025 planning", "5/", "/12", "2026-", "2026-13-45", "99/99/99", "May 32", "Feb 29 2027",
		"last 99999999999999999999 days", "last 0 days", "past 10000 years", "1 years ago",
		"between and", "from to", "since", "before", "the the the", "who who who",
		"東京の会議の要約", "Встреча с Acme вчера", "مكالمة مع Acme", "😀 action items 😀 Acme 😀",
		"ACME’S Q2 PLANNING MEETING ON MAY 12TH", "l.l.c. s.a. gmbh", "\"Next\" 'Next' «Next»",
		"meeting called", "the call '", "kick-off kick off kickoff", "Acme Corp - Multi-year Renewal - Renewal",
		strings.Repeat("Acme ", 300), strings.Repeat("renewal with Acme ", 200), strings.Repeat("x", 5000),
		"a\u0301\u0301\u0301", "\u200b\u200d\ufeff", "Ｑ２ ｐｌａｎｎｉｎｇ", "ǅ ǈ ǋ",
	} {
		f.Add(s)
	}
	loc := mustZone(f, "America/Los_Angeles")
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, loc)
	cat := NewCatalog(testAccounts, testDeals)
	f.Fuzz(func(t *testing.T, q string) {
		got := Understand(q, now, loc, cat)
		if again := Understand(q, now, loc, cat); !reflect.DeepEqual(got, again) {
			t.Fatalf("two answers for %q:\n%+v\n%+v", q, got, again)
		}
		if got.Text != q {
			t.Errorf("Text = %q, want the question %q", got.Text, q)
		}
		if !slices.Contains(knownIntents, got.Intent) {
			t.Errorf("unknown intent %q", got.Intent)
		}
		if got.Role != "" && got.Intent != IntentPeople {
			t.Errorf("Role %q with intent %q", got.Role, got.Intent)
		}
		for _, a := range got.Accounts {
			if !slices.Contains(testAccounts, a) {
				t.Errorf("account %q is not stored", a)
			}
		}
		for _, d := range got.Deals {
			if !slices.Contains(testDeals, d) {
				t.Errorf("deal %q is not stored", d)
			}
		}
		if !got.From.IsZero() && !got.To.IsZero() && !got.From.Before(got.To) {
			t.Errorf("From %v is not before To %v", got.From, got.To)
		}
		if (got.DateText == "") != (got.From.IsZero() && got.To.IsZero()) {
			t.Errorf("DateText %q with range %v..%v", got.DateText, got.From, got.To)
		}
		for _, s := range []string{got.Meeting, got.Terms, got.DateText} {
			if !utf8.ValidString(s) {
				t.Errorf("invalid UTF-8 in %q", s)
			}
		}
		checkFromQuestion(t, "fuzz", q, got)
		for _, tk := range tokenize(q) {
			if tk.start < 0 || tk.end > len(q) || tk.start > tk.end || q[tk.start:tk.end] != tk.raw {
				t.Fatalf("token %+v does not match its offsets in %q", tk, q)
			}
		}
		cat.FindAccounts(q)
		cat.FindDeals(q)
	})
}
