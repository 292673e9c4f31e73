package mcp

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"gongconnector/internal/answer"
	"gongconnector/internal/core"
)

var testCalls = []*core.Call{
	{ID: "1", Title: "Acme Q2 planning", URL: "https://gong/1", WorkspaceID: "ws", Started: time.Date(2026, 5, 12, 15, 0, 0, 0, time.UTC), Duration: 50 * time.Minute,
		Accounts: []core.Account{{Name: "Acme Corp"}}, Parties: []core.Party{{Name: "Jane", UserID: "jane", Title: "AE"}},
		Brief: "Planning the rollout.", KeyPoints: []string{"Rollout in June"},
		ActionItems: []core.ActionItem{{Text: "Send the SOW", Speaker: "Jane", StartSec: 754}},
		Topics:      []core.Topic{{Name: "Pricing"}, {Name: "Timeline"}}, Trackers: []core.Tracker{{Name: "Competitors", Count: 2}}},
	{ID: "2", Title: "Acme security review", URL: "https://gong/2", WorkspaceID: "ws", Started: time.Date(2026, 4, 2, 15, 0, 0, 0, time.UTC),
		Accounts: []core.Account{{Name: "Acme Corp"}}, Parties: []core.Party{{Name: "Jane", UserID: "jane"}},
		ActionItems: []core.ActionItem{{Text: "Share the SOC 2 report"}}, Topics: []core.Topic{{Name: "Security"}, {Name: "Pricing"}}},
	{ID: "3", Title: "Fabrikam pricing", URL: "https://gong/3", WorkspaceID: "ws", Started: time.Date(2026, 5, 1, 15, 0, 0, 0, time.UTC),
		Accounts: []core.Account{{Name: "Fabrikam"}}, Parties: []core.Party{{Name: "Sam", UserID: "sam"}},
		ActionItems: []core.ActionItem{{Text: "Secret Fabrikam follow-up"}}, Topics: []core.Topic{{Name: "Pricing"}}},
}

// fakeStore matches on the title (or an account: filter) and trims.
type fakeStore struct{ queries []string }

func (f *fakeStore) Search(_ context.Context, q core.Query) (core.SearchResult, error) {
	f.queries = append(f.queries, q.Text)
	res := core.SearchResult{}
	for _, c := range testCalls {
		if !q.Visibility.Allows(c.WorkspaceID, c.ParticipantKeys()) {
			continue
		}
		text := strings.ToLower(q.Text)
		if acct, ok := strings.CutPrefix(text, `account:"`); ok {
			if !strings.HasPrefix(strings.ToLower(c.Accounts[0].Name), strings.Split(acct, `"`)[0]) {
				continue
			}
		} else if !strings.HasPrefix(text, "from:") && !strings.Contains(strings.ToLower(c.Title), strings.Fields(text)[0]) {
			continue
		}
		res.Total++
		res.Hits = append(res.Hits, core.Hit{ID: c.ID, Title: c.Title, URL: c.URL, Started: c.Started, Snippet: core.SnippetMarkStart + "acme" + core.SnippetMarkEnd})
	}
	return res, nil
}

func (f *fakeStore) Calls(_ context.Context, ids []string) ([]*core.Call, error) {
	var out []*core.Call
	for _, id := range ids {
		for _, c := range testCalls {
			if c.ID == id {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

type fakeAsker struct{}

func (fakeAsker) Ask(_ context.Context, r answer.Request) (*answer.Answer, error) {
	a := &answer.Answer{Answer: "Answered in " + r.Location.String(), Intent: "action_items", Calls: []answer.CallRef{}, Citations: []answer.Citation{}}
	for _, c := range testCalls {
		if r.Visibility.Allows(c.WorkspaceID, c.ParticipantKeys()) {
			a.Calls = append(a.Calls, answer.CallRef{ID: c.ID})
		}
	}
	return a, nil
}

// session connects a client to the tools as jane, who took part in calls
// 1 and 2.
func session(t *testing.T) *sdk.ClientSession {
	t.Helper()
	jane := core.Visibility{Participants: map[string][]string{"ws": {core.UserKey("jane")}}}
	s := New(Options{Store: &fakeStore{}, Asker: fakeAsker{},
		Visibility: func(context.Context, *sdk.CallToolRequest) (core.Visibility, error) { return jane, nil }})
	st, ct := sdk.NewInMemoryTransports()
	ctx := t.Context()
	if _, err := s.Connect(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "test"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func call(t *testing.T, cs *sdk.ClientSession, tool string, args map[string]any) (string, bool) {
	t.Helper()
	res, err := cs.CallTool(t.Context(), &sdk.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	var text []string
	for _, c := range res.Content {
		if tc, ok := c.(*sdk.TextContent); ok {
			text = append(text, tc.Text)
		}
	}
	if res.StructuredContent != nil {
		b, _ := json.Marshal(res.StructuredContent)
		text = append(text, string(b))
	}
	return strings.Join(text, "\n"), res.IsError
}

func TestToolsListed(t *testing.T) {
	cs := session(t)
	res, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
		schema, _ := json.Marshal(tool.InputSchema)
		if tool.Description == "" || !strings.Contains(string(schema), `"type":"object"`) {
			t.Errorf("%s: description %q, schema %s", tool.Name, tool.Description, schema)
		}
	}
	slices.Sort(names)
	if want := []string{"ask", "get_call", "list_action_items", "search_calls", "topic_trends"}; !slices.Equal(names, want) {
		t.Errorf("tools %v, want %v", names, want)
	}
}

func TestToolsTrimmed(t *testing.T) {
	cs := session(t)
	for _, tc := range []struct {
		tool   string
		args   map[string]any
		want   []string
		reject []string
	}{
		{"search_calls", map[string]any{"query": "acme"}, []string{`"total":2`, "Acme Q2 planning", "https://gong/1"}, []string{"\x02"}},
		{"search_calls", map[string]any{"query": "fabrikam"}, []string{`"total":0`}, []string{"Fabrikam pricing"}},
		{"get_call", map[string]any{"id": "1"}, []string{"Send the SOW", "Rollout in June", `"duration_minutes":50`, `"Competitors":2`, "AE"}, nil},
		{"ask", map[string]any{"question": "action items with Acme?", "time_zone": "Europe/Paris"}, []string{"Answered in Europe/Paris", `"id":"1"`, `"id":"2"`}, []string{`"id":"3"`}},
		{"list_action_items", map[string]any{}, []string{"Send the SOW", "Share the SOC 2 report", `"call_url":"https://gong/1"`, `"start_sec":754`}, []string{"Secret Fabrikam"}},
		{"list_action_items", map[string]any{"account": "Acme Corp", "from": "2026-05-01"}, []string{"Send the SOW"}, []string{"Secret Fabrikam"}},
		{"topic_trends", map[string]any{}, []string{`"topics":[{"calls":2,"topic":"Pricing"}`, `"2026-04":[{"calls":1,"topic":"Pricing"},{"calls":1,"topic":"Security"}]`}, nil},
	} {
		got, isErr := call(t, cs, tc.tool, tc.args)
		if isErr {
			t.Errorf("%s %v: error %s", tc.tool, tc.args, got)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s %v: %s\nlacks %q", tc.tool, tc.args, got, w)
			}
		}
		for _, r := range tc.reject {
			if strings.Contains(got, r) {
				t.Errorf("%s %v: %s\nholds %q", tc.tool, tc.args, got, r)
			}
		}
	}
	// A hidden call is one that does not exist.
	hidden, isErr := call(t, cs, "get_call", map[string]any{"id": "3"})
	missing, _ := call(t, cs, "get_call", map[string]any{"id": "4"})
	if !isErr || strings.Contains(hidden, "Fabrikam") || strings.ReplaceAll(hidden, "3", "4") != missing {
		t.Errorf("hidden call: %v %q; missing call: %q", isErr, hidden, missing)
	}
}

func TestToolsBadInput(t *testing.T) {
	cs := session(t)
	for _, tc := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"search_calls", map[string]any{"query": " "}, "query must be"},
		{"search_calls", map[string]any{"query": "x", "limit": 99}, "limit must be"},
		{"get_call", map[string]any{"id": ""}, "id must be"},
		{"ask", map[string]any{"question": ""}, "question must be"},
		{"ask", map[string]any{"question": "x", "time_zone": "Nowhere/City"}, "not a time zone"},
		{"list_action_items", map[string]any{"from": "May 1"}, "YYYY-MM-DD"},
		{"topic_trends", map[string]any{"limit": 1000}, "limit must be"},
	} {
		got, isErr := call(t, cs, tc.tool, tc.args)
		if !isErr || !strings.Contains(got, tc.want) {
			t.Errorf("%s %v: error %v %q, want one saying %q", tc.tool, tc.args, isErr, got, tc.want)
		}
	}
	// A missing required argument is refused by the schema.
	res, err := cs.CallTool(t.Context(), &sdk.CallToolParams{Name: "search_calls", Arguments: map[string]any{"limit": 3}})
	if err == nil && !res.IsError {
		t.Errorf("search_calls without query was accepted")
	}
}
