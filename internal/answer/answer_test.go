package answer

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"gongconnector/internal/core"
	"gongconnector/internal/gongsim"
)

// The four questions of PRODUCT.md §5.
var exampleQuestions = map[string]string{
	gongsim.ExampleAcme:      "What are the action items from the Q2 planning meeting with Acme Corp on May 12?",
	gongsim.ExampleContoso:   "What were the key insights from the Demo discussion meeting with Contoso Ltd?",
	gongsim.ExampleFabrikam:  "What topics come up repeatedly in calls with Fabrikam Inc?",
	gongsim.ExampleNorthwind: "Who was the decision maker in the contract review meeting with Northwind Traders?",
}

func ask(t *testing.T, e *Engine, v core.Visibility, q string) *Answer {
	t.Helper()
	a, err := e.Ask(t.Context(), Request{Question: q, Visibility: v})
	if err != nil {
		t.Fatalf("Ask(%q): %v", q, err)
	}
	return a
}

// callText is everything a call says, for checking citations against.
func callText(c *core.Call) string {
	parts := []string{c.Title, c.Brief}
	parts = append(parts, c.KeyPoints...)
	for _, it := range c.ActionItems {
		parts = append(parts, it.Text)
	}
	for _, h := range c.Highlights {
		parts = append(parts, h.Title)
		for _, it := range h.Items {
			parts = append(parts, it.Text)
		}
	}
	for _, s := range c.Outline {
		parts = append(parts, s.Section)
		for _, it := range s.Items {
			parts = append(parts, it.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// checkCitations: every citation is from a call the answer lists and says
// what that call says (or names its participant, topic, tracker, outcome).
func checkCitations(t *testing.T, tn *tenant, q string, a *Answer) {
	t.Helper()
	if len(a.Citations) == 0 {
		t.Errorf("%q: no citations", q)
	}
	listed := map[string]bool{}
	for _, c := range a.Calls {
		listed[c.ID] = true
	}
	for _, cit := range a.Citations {
		c := tn.calls[cit.CallID]
		if !listed[cit.CallID] || c == nil {
			t.Errorf("%q: citation of call %s, which the answer does not list", q, cit.CallID)
			continue
		}
		synthesized := false
		for _, p := range []string{"Participant: ", "Topic: ", "Tracker ", "Outcome: ", "Deal ", "Duration: "} {
			synthesized = synthesized || strings.HasPrefix(cit.Text, p)
		}
		if !synthesized && !strings.Contains(callText(c), cit.Text) {
			t.Errorf("%q: citation %q is not in call %s", q, cit.Text, c.ID)
		}
		if cit.StartTime != nil && (*cit.StartTime <= 0 || *cit.StartTime > c.Duration.Seconds()) {
			t.Errorf("%q: citation at %vs, outside the %v call", q, *cit.StartTime, c.Duration)
		}
	}
}

// unrelatedRep returns an active user who may see only their own calls in
// the call's workspace and took no part in it.
func unrelatedRep(t *testing.T, tn *tenant, c *core.Call) string {
	t.Helper()
	keys := c.ParticipantKeys()
	for _, u := range tn.sim.Users() {
		id := string(u.ID)
		if !u.Active || tn.rules.Grant(id, c.WorkspaceID).Level != core.LevelOwn {
			continue
		}
		v, _ := tn.rules.Visibility(id)
		if !v.Nothing() && !v.Allows(c.WorkspaceID, keys) {
			return id
		}
	}
	t.Fatalf("no unrelated rep for call %s", c.ID)
	return ""
}

// TestExampleQuestions: asked by the host of the example call, each question
// of PRODUCT.md §5 is answered from the right call with its facts and
// citations; asked by an unrelated rep, it finds nothing.
func TestExampleQuestions(t *testing.T) {
	tn := demoTenant(t)
	e := tn.engine()
	for key, q := range exampleQuestions {
		t.Run(key, func(t *testing.T) {
			ids := tn.exampleIDs(key)
			c := tn.calls[ids[len(ids)-1]]
			a := ask(t, e, tn.visibility(t, c.PrimaryUserID), q)
			t.Logf("%s\n%s", q, a.Answer)
			if len(a.Calls) == 0 || !slices.Contains(ids, a.Calls[0].ID) {
				t.Fatalf("answer draws on %v, want the example call %v first", a.Calls, ids)
			}
			checkCitations(t, tn, q, a)
			switch key {
			case gongsim.ExampleAcme:
				if a.Intent != "action_items" {
					t.Errorf("intent %q", a.Intent)
				}
				for _, it := range c.ActionItems {
					if !strings.Contains(a.Answer, it.Text) {
						t.Errorf("action item %q missing", it.Text)
					}
					if !slices.ContainsFunc(a.Citations, func(x Citation) bool {
						return x.Text == it.Text && x.StartTime != nil && *x.StartTime == it.StartSec
					}) {
						t.Errorf("action item %q not cited at %vs", it.Text, it.StartSec)
					}
				}
			case gongsim.ExampleContoso:
				for _, kp := range c.KeyPoints {
					if !strings.Contains(a.Answer, kp) {
						t.Errorf("key point %q missing", kp)
					}
				}
			case gongsim.ExampleFabrikam:
				// Topics by the number of calls they come up in, counted here
				// from the calls themselves.
				count := map[string]int{}
				for _, id := range ids {
					for _, tp := range tn.calls[id].Topics {
						count[tp.Name]++
					}
				}
				pos := map[string]int{}
				for n, k := range count {
					want := fmt.Sprintf("%s (%d call", n, k)
					if pos[n] = strings.Index(a.Answer, want); pos[n] < 0 {
						t.Errorf("answer lacks %q", want)
					}
				}
				order := slices.SortedFunc(maps.Keys(pos), func(x, y string) int { return cmp.Compare(pos[x], pos[y]) })
				for i := 1; i < len(order); i++ {
					if count[order[i]] > count[order[i-1]] {
						t.Errorf("topic %s (%d calls) after %s (%d calls)", order[i], count[order[i]], order[i-1], count[order[i-1]])
					}
				}
				for _, id := range ids {
					if !slices.ContainsFunc(a.Calls, func(r CallRef) bool { return r.ID == id }) {
						t.Errorf("Fabrikam call %s not among the answer's calls", id)
					}
				}
			case gongsim.ExampleNorthwind:
				var dana core.Party
				for _, p := range c.Parties {
					if p.Name == "Dana Whitfield" {
						dana = p
					}
				}
				if dana.Title == "" || !strings.Contains(a.Answer, "Dana Whitfield ("+dana.Title+")") {
					t.Errorf("answer does not name Dana Whitfield with her title %q", dana.Title)
				}
			}

			rep := unrelatedRep(t, tn, c)
			hidden := ask(t, e, tn.visibility(t, rep), q)
			if hidden.Answer != NothingFound || len(hidden.Calls) != 0 || len(hidden.Citations) != 0 {
				t.Errorf("unrelated rep %s gets %q with %d calls", rep, hidden.Answer, len(hidden.Calls))
			}
		})
	}
}

// TestNothingFoundSameWords: a question about an account whose calls the
// caller may not see gets exactly the answer of a question about an
// account that does not exist.
func TestNothingFoundSameWords(t *testing.T) {
	tn := demoTenant(t)
	e := tn.engine()
	nw := tn.calls[tn.exampleIDs(gongsim.ExampleNorthwind)[0]]
	v := tn.visibility(t, unrelatedRep(t, tn, nw))
	// An account with calls, none of which the rep may see.
	seen := map[string]bool{}
	for _, c := range tn.calls {
		if v.Allows(c.WorkspaceID, c.ParticipantKeys()) {
			for _, x := range c.Accounts {
				seen[x.Name] = true
			}
		}
	}
	hiddenAccount := ""
	for _, c := range tn.calls {
		for _, x := range c.Accounts {
			if !seen[x.Name] && (hiddenAccount == "" || x.Name < hiddenAccount) {
				hiddenAccount = x.Name
			}
		}
	}
	if hiddenAccount == "" {
		t.Fatal("the rep sees a call of every account")
	}
	for _, shape := range []string{
		"Who was the decision maker in the contract review meeting with %s?",
		"What topics come up repeatedly in calls with %s?",
		"Summarize the last call with %s",
	} {
		hidden := ask(t, e, v, fmt.Sprintf(shape, hiddenAccount))
		absent := ask(t, e, v, fmt.Sprintf(shape, "Quillmark Textiles"))
		if hidden.Answer != absent.Answer || len(hidden.Calls) != len(absent.Calls) || len(hidden.Citations) != len(absent.Citations) {
			t.Errorf("%q: hidden account answers %q, absent account %q", shape, hidden.Answer, absent.Answer)
		}
		if hidden.Answer != NothingFound {
			t.Errorf("%q: %q, want nothing found", shape, hidden.Answer)
		}
	}
	if a := ask(t, e, core.Visibility{}, exampleQuestions[gongsim.ExampleAcme]); a.Answer != NothingFound {
		t.Errorf("a caller who sees nothing gets %q", a.Answer)
	}
}

// TestAnswersStayVisible: whatever is asked, by whoever, every call an
// answer names or cites is one the caller may see.
func TestAnswersStayVisible(t *testing.T) {
	tn := demoTenant(t)
	e := tn.engine()
	names, err := tn.db.Names(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	accounts := names.Accounts[:min(8, len(names.Accounts))]
	shapes := []string{
		"What are the action items from calls with %s?",
		"key points from the last meeting with %s",
		"What topics come up repeatedly with %s?",
		"who attended calls with %s",
		"Who is the champion at %s?",
		"how long were the calls with %s last month",
		"what was the outcome of the %s demo",
		"trackers mentioned by %s",
		"%s pricing",
	}
	var users []string
	for _, u := range tn.sim.Users() {
		if u.Active {
			users = append(users, string(u.ID))
		}
	}
	users = users[:min(len(users), 25)]
	checked := 0
	for _, uid := range users {
		v, _ := tn.rules.Visibility(uid)
		for i, acct := range accounts {
			q := fmt.Sprintf(shapes[(i+len(uid))%len(shapes)], acct)
			a := ask(t, e, v, q)
			for _, r := range a.Calls {
				c := tn.calls[r.ID]
				if c == nil || !v.Allows(c.WorkspaceID, c.ParticipantKeys()) {
					t.Fatalf("user %s asking %q gets call %s, which they may not see", uid, q, r.ID)
				}
			}
			for _, cit := range a.Citations {
				if !slices.ContainsFunc(a.Calls, func(r CallRef) bool { return r.ID == cit.CallID }) {
					t.Fatalf("user %s asking %q: citation of unlisted call %s", uid, q, cit.CallID)
				}
			}
			if len(a.Calls) == 0 && a.Answer != NothingFound {
				t.Errorf("%q: no calls but answer %q", q, a.Answer)
			}
			checked++
		}
	}
	t.Logf("%d answers checked", checked)
}

// TestSeveralCandidates: a meeting name several calls share gets an answer
// that says so, lists them and answers from the most recent.
func TestSeveralCandidates(t *testing.T) {
	tn := demoTenant(t)
	e := tn.engine()
	byTitle := map[string][]*core.Call{}
	for _, c := range tn.calls {
		if len(c.Accounts) == 1 && strings.HasPrefix(c.Title, c.Accounts[0].Name+" ") && len(c.KeyPoints) > 0 {
			byTitle[c.Title] = append(byTitle[c.Title], c)
		}
	}
	var title string
	for k, cs := range byTitle {
		if len(cs) >= 2 && len(cs) <= 5 && (title == "" || k < title) {
			title = k
		}
	}
	if title == "" {
		t.Fatal("the tenant has no title shared by several calls of one account")
	}
	calls := newestFirst(byTitle[title])
	account := calls[0].Accounts[0].Name
	meeting := strings.TrimSpace(strings.TrimPrefix(title, account))
	q := fmt.Sprintf("What were the key points of the %s meeting with %s?", meeting, account)
	a := ask(t, e, core.Visibility{Everything: true}, q)
	t.Logf("%s\n%s", q, a.Answer)
	if !strings.Contains(a.Answer, "meetings match") {
		t.Errorf("answer does not say that several meetings match")
	}
	if len(a.Calls) < len(calls) || a.Calls[0].ID != calls[0].ID {
		t.Errorf("answer lists %d calls starting with %s; want %d, newest (%s) first", len(a.Calls), a.Calls[0].ID, len(calls), calls[0].ID)
	}
	for _, kp := range calls[0].KeyPoints {
		if !strings.Contains(a.Answer, kp) {
			t.Errorf("the newest meeting's key point %q is missing", kp)
		}
	}
	checkCitations(t, tn, q, a)
}
