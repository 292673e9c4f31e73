package gongsim

import (
	"sort"
	"strings"
	"testing"
	"time"

	"gongconnector/internal/gong"
)

func accountOf(c gong.ExtensiveCall) string {
	for _, x := range c.Context {
		for _, o := range x.Objects {
			if o.ObjectType != "Account" {
				continue
			}
			for _, f := range o.Fields {
				if f.Name == "Name" {
					return f.String()
				}
			}
		}
	}
	return ""
}

func TestExampleCalls(t *testing.T) {
	ts := newTestServer(t, Options{Calls: 2000})
	ex := ExampleCalls(ts.sim)
	users := map[gong.ID]gong.User{}
	for _, u := range ts.sim.Users() {
		users[u.ID] = u
	}
	fetch := func(t *testing.T, id string) gong.ExtensiveCall {
		t.Helper()
		c, r := ts.extensiveByID(id)
		if r.status != 200 {
			t.Fatalf("call %s: status %d %s", id, r.status, r.body)
		}
		if c.MetaData.IsPrivate || len(c.Parties) < 3 || len(c.Context) == 0 || c.Content == nil ||
			c.Content.Brief == "" || len(c.Content.KeyPoints) < 3 || c.Content.PointsOfInterest == nil {
			t.Errorf("call %s (%s) lacks parties, context or content", id, c.MetaData.Title)
		}
		host := users[c.MetaData.PrimaryUserID]
		if !host.Active || host.ManagerID == "" || !users[host.ManagerID].Active {
			t.Errorf("call %s: host %s %s is not an ordinary active rep", id, host.FirstName, host.LastName)
		}
		speakers := map[gong.ID]bool{}
		for _, p := range c.Parties {
			if p.SpeakerID != nil {
				speakers[*p.SpeakerID] = true
			}
		}
		for _, a := range c.Content.PointsOfInterest.ActionItems {
			if !speakers[a.SpeakerID] {
				t.Errorf("call %s: action item %q has no speaking owner", id, a.Snippet)
			}
		}
		if strings.ContainsAny(c.Content.Brief+c.MetaData.Title, "{}") {
			t.Errorf("call %s: unexpanded placeholder in %q", id, c.Content.Brief)
		}
		return c
	}

	t.Run("acme", func(t *testing.T) {
		c := fetch(t, ex[ExampleAcme])
		if !strings.Contains(c.MetaData.Title, "Q2 planning") || accountOf(c) != "Acme Corp" {
			t.Errorf("title %q, account %q", c.MetaData.Title, accountOf(c))
		}
		if want := time.Date(2026, 5, 12, 15, 0, 0, 0, time.UTC); !c.MetaData.Started.Equal(want) {
			t.Errorf("started %s, want %s", c.MetaData.Started, want)
		}
		ai := c.Content.PointsOfInterest.ActionItems
		if len(ai) < 3 {
			t.Fatalf("%d action items", len(ai))
		}
		for _, a := range ai {
			if !strings.Contains(a.Snippet, "May ") {
				t.Errorf("action item %q has no date", a.Snippet)
			}
		}
	})
	t.Run("contoso", func(t *testing.T) {
		c := fetch(t, ex[ExampleContoso])
		if !strings.Contains(c.MetaData.Title, "Demo discussion") || accountOf(c) != "Contoso Ltd" {
			t.Errorf("title %q, account %q", c.MetaData.Title, accountOf(c))
		}
		if age := testNow.Sub(c.MetaData.Started.Time); age < 0 || age > 120*24*time.Hour {
			t.Errorf("started %s: want within the last few months", c.MetaData.Started)
		}
	})
	t.Run("fabrikam", func(t *testing.T) {
		ids := strings.Split(ex[ExampleFabrikam], ",")
		if len(ids) < 8 || len(ids) > 12 {
			t.Fatalf("%d Fabrikam calls", len(ids))
		}
		count := map[string]int{}
		var last time.Time
		for _, id := range ids {
			c := fetch(t, id)
			if accountOf(c) != "Fabrikam Inc" {
				t.Errorf("call %s: account %q", id, accountOf(c))
			}
			if c.MetaData.Started.Before(last) || testNow.Sub(c.MetaData.Started.Time) > 365*24*time.Hour {
				t.Errorf("call %s started %s: want oldest first, within the past year", id, c.MetaData.Started)
			}
			last = c.MetaData.Started.Time
			for _, tp := range c.Content.Topics {
				count[tp.Name]++
			}
		}
		names := make([]string, 0, len(count))
		for n := range count {
			names = append(names, n)
		}
		sort.Slice(names, func(i, j int) bool { return count[names[i]] > count[names[j]] })
		if names[0] != "Integrations" || names[1] != "Security" || names[2] != "Pricing" ||
			count["Integrations"] == count["Security"] || count["Security"] == count["Pricing"] || count["Pricing"] == count[names[3]] {
			t.Errorf("topic counts %v: want Integrations > Security > Pricing > the rest", count)
		}
		// No other call in the tenant is with Fabrikam, so the ranking is clear.
		n := 0
		ts.sim.Truth(func(c gong.ExtensiveCall) bool {
			if accountOf(c) == "Fabrikam Inc" {
				n++
			}
			return true
		})
		if n != len(ids) {
			t.Errorf("%d calls with Fabrikam in the tenant, %d examples", n, len(ids))
		}
	})
	t.Run("northwind", func(t *testing.T) {
		c := fetch(t, ex[ExampleNorthwind])
		if !strings.Contains(c.MetaData.Title, "Contract review") || accountOf(c) != "Northwind Traders" {
			t.Errorf("title %q, account %q", c.MetaData.Title, accountOf(c))
		}
		found := false
		for _, p := range c.Parties {
			if p.Name == "Dana Whitfield" && p.Title == "VP of Procurement" && p.Affiliation == "External" && p.SpeakerID != nil {
				found = true
			}
		}
		if !found {
			t.Errorf("Dana Whitfield, VP of Procurement, is not an external party: %+v", c.Parties)
		}
		if !strings.Contains(c.Content.Brief, "Dana Whitfield, VP of Procurement, has final sign-off") {
			t.Errorf("brief does not name the decision maker: %q", c.Content.Brief)
		}
	})
	t.Run("transcripts echo the content", func(t *testing.T) {
		r := ts.do("POST", "/v2/calls/transcript", map[string]any{"filter": map[string]any{"callIds": []string{ex[ExampleNorthwind]}}})
		var tr gong.TranscriptResponse
		r.decode(t, &tr)
		var text strings.Builder
		for _, m := range tr.CallTranscripts[0].Transcript {
			for _, s := range m.Sentences {
				if s.End <= s.Start {
					t.Errorf("sentence %q ends before it starts", s.Text)
				}
				text.WriteString(s.Text + " ")
			}
		}
		if !strings.Contains(text.String(), "Dana Whitfield") {
			t.Errorf("transcript does not mention the decision maker")
		}
	})
}
