// Package mcp offers search and answers as Model Context Protocol tools, for
// AI assistants (Copilot Studio, Claude, VS Code): search_calls, get_call,
// ask, list_action_items and topic_trends, each trimmed to the caller. The
// same server runs over stdio (one caller, fixed at start) and over
// streamable HTTP (the caller of each request, from its bearer token).
package mcp

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"gongconnector/internal/answer"
	"gongconnector/internal/core"
)

// Store is what the tools read.
type Store interface {
	Search(ctx context.Context, q core.Query) (core.SearchResult, error)
	Calls(ctx context.Context, ids []string) ([]*core.Call, error)
}

// Asker answers questions.
type Asker interface {
	Ask(ctx context.Context, r answer.Request) (*answer.Answer, error)
}

// Options configure the tools.
type Options struct {
	Store Store
	Asker Asker
	// Visibility returns what the caller of a tool call may see.
	Visibility func(ctx context.Context, req *sdk.CallToolRequest) (core.Visibility, error)
	// Version is the program's version, told to clients.
	Version string
	Logger  *slog.Logger
}

// New returns an MCP server with the tools.
func New(opts Options) *sdk.Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	t := &tools{opts: opts}
	s := sdk.NewServer(&sdk.Implementation{Name: "gongconnector", Title: "Gong calls", Version: cmp.Or(opts.Version, "dev")},
		&sdk.ServerOptions{Instructions: "Search and answer questions about the Gong sales calls and meetings the user may see: " +
			"briefs, key points, action items, topics, trackers, people, accounts and deals. Cite calls by their url."})
	readOnly := &sdk.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: new(false)}
	sdk.AddTool(s, &sdk.Tool{Name: "search_calls", Annotations: readOnly, Description: "Search the Gong calls the user may see. " +
		"The query takes words (all required), \"a phrase\", prefix*, a OR b, -excluded, fields account: deal: participant: topic: tracker: title:, " +
		"and filters workspace: from:YYYY-MM-DD to:YYYY-MM-DD. Returns the best matches with a snippet each."}, t.searchCalls)
	sdk.AddTool(s, &sdk.Tool{Name: "get_call", Annotations: readOnly, Description: "One call by id: its brief, key points, action items, " +
		"topics, trackers, participants, accounts and deals, and its url in Gong."}, t.getCall)
	sdk.AddTool(s, &sdk.Tool{Name: "ask", Annotations: readOnly, Description: "Answer a question in plain language from the calls the user may see, " +
		"with the calls used and cited passages (and their moment in the call). For example: \"What are the action items from the Q2 planning meeting with Acme Corp on May 12?\""}, t.ask)
	sdk.AddTool(s, &sdk.Tool{Name: "list_action_items", Annotations: readOnly, Description: "The action items of the calls the user may see, " +
		"newest call first, optionally for one account and a date range."}, t.listActionItems)
	sdk.AddTool(s, &sdk.Tool{Name: "topic_trends", Annotations: readOnly, Description: "How often each topic comes up in the calls the user may see, " +
		"overall and by month, optionally for one account and a date range."}, t.topicTrends)
	return s
}

type tools struct{ opts Options }

func (t *tools) visibility(ctx context.Context, req *sdk.CallToolRequest) (core.Visibility, error) {
	if t.opts.Visibility == nil {
		return core.Visibility{}, nil
	}
	return t.opts.Visibility(ctx, req)
}

// SearchIn is search_calls' input.
type SearchIn struct {
	Query string `json:"query" jsonschema:"what to search for, such as: acme pricing, or account:fabrikam topic:security from:2026-01-01"`
	Limit int    `json:"limit,omitempty" jsonschema:"how many calls to return, 1 to 25 (default 10)"`
}

// CallHit is one call found.
type CallHit struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	URL      string   `json:"url"`
	Started  string   `json:"started"`
	Accounts []string `json:"accounts"`
	Deals    []string `json:"deals"`
	Snippet  string   `json:"snippet"`
}

// SearchOut is search_calls' output.
type SearchOut struct {
	Total     int       `json:"total"`
	Estimated bool      `json:"estimated,omitempty"`
	Results   []CallHit `json:"results"`
}

func (t *tools) searchCalls(ctx context.Context, req *sdk.CallToolRequest, in SearchIn) (*sdk.CallToolResult, SearchOut, error) {
	in.Query = strings.TrimSpace(in.Query)
	if in.Query == "" || len(in.Query) > 1000 {
		return nil, SearchOut{}, fmt.Errorf("query must be 1 to 1000 characters")
	}
	if in.Limit == 0 {
		in.Limit = 10
	}
	if in.Limit < 1 || in.Limit > 25 {
		return nil, SearchOut{}, fmt.Errorf("limit must be from 1 to 25")
	}
	v, err := t.visibility(ctx, req)
	if err != nil {
		return nil, SearchOut{}, err
	}
	res, err := t.opts.Store.Search(ctx, core.Query{Text: in.Query, Limit: in.Limit, Visibility: v})
	if err != nil {
		return nil, SearchOut{}, toolError(err)
	}
	out := SearchOut{Total: res.Total, Estimated: res.Estimated, Results: []CallHit{}}
	for _, h := range res.Hits {
		out.Results = append(out.Results, CallHit{ID: h.ID, Title: h.Title, URL: h.URL, Started: h.Started.UTC().Format(time.RFC3339),
			Accounts: orEmpty(h.Accounts), Deals: orEmpty(h.Deals), Snippet: core.PlainSnippet(h.Snippet)})
	}
	return nil, out, nil
}

// GetCallIn is get_call's input.
type GetCallIn struct {
	ID string `json:"id" jsonschema:"the call's id, as search_calls returns it"`
}

// CallOut is a call as get_call returns it.
type CallOut struct {
	ID           string         `json:"id"`
	Title        string         `json:"title"`
	URL          string         `json:"url"`
	Started      string         `json:"started"`
	DurationMin  int            `json:"duration_minutes"`
	Accounts     []string       `json:"accounts"`
	Deals        []string       `json:"deals"`
	Participants []Participant  `json:"participants"`
	Brief        string         `json:"brief,omitempty"`
	KeyPoints    []string       `json:"key_points"`
	ActionItems  []ActionItem   `json:"action_items"`
	Topics       []string       `json:"topics"`
	Trackers     map[string]int `json:"trackers"`
}

// Participant is one party of a call.
type Participant struct {
	Name        string `json:"name"`
	Title       string `json:"title,omitempty"`
	Affiliation string `json:"affiliation,omitempty"`
}

// ActionItem is an action item with where it was said.
type ActionItem struct {
	Text string `json:"text"`
	// Speaker said it, at StartSec seconds into the call.
	Speaker  string  `json:"speaker,omitempty"`
	StartSec float64 `json:"start_sec,omitempty"`
	CallID   string  `json:"call_id,omitempty"`
	Call     string  `json:"call,omitempty"`
	CallURL  string  `json:"call_url,omitempty"`
	Started  string  `json:"started,omitempty"`
}

func (t *tools) getCall(ctx context.Context, req *sdk.CallToolRequest, in GetCallIn) (*sdk.CallToolResult, CallOut, error) {
	id := strings.TrimSpace(in.ID)
	if id == "" || len(id) > 64 {
		return nil, CallOut{}, fmt.Errorf("id must be a call id such as 7782342274025937895")
	}
	calls, err := t.visible(ctx, req, []string{id})
	if err != nil {
		return nil, CallOut{}, err
	}
	if len(calls) == 0 {
		// A call the caller may not see is one that does not exist.
		return nil, CallOut{}, fmt.Errorf("no call %s that you may see", id)
	}
	c := calls[0]
	out := CallOut{ID: c.ID, Title: c.Title, URL: c.URL, Started: c.Started.UTC().Format(time.RFC3339), DurationMin: int(c.Duration.Round(time.Minute) / time.Minute),
		Accounts: []string{}, Deals: []string{}, Participants: []Participant{}, Brief: c.Brief, KeyPoints: orEmpty(c.KeyPoints),
		ActionItems: []ActionItem{}, Topics: []string{}, Trackers: map[string]int{}}
	for _, a := range c.Accounts {
		out.Accounts = append(out.Accounts, a.Name)
	}
	for _, d := range c.Deals {
		out.Deals = append(out.Deals, d.Name)
	}
	for _, p := range c.Parties {
		out.Participants = append(out.Participants, Participant{Name: p.Name, Title: p.Title, Affiliation: p.Affiliation})
	}
	for _, a := range c.ActionItems {
		out.ActionItems = append(out.ActionItems, ActionItem{Text: a.Text, Speaker: a.Speaker, StartSec: a.StartSec})
	}
	for _, tp := range c.Topics {
		out.Topics = append(out.Topics, tp.Name)
	}
	for _, tr := range c.Trackers {
		out.Trackers[tr.Name] = tr.Count
	}
	return nil, out, nil
}

// visible loads calls by id and keeps those the caller may see.
func (t *tools) visible(ctx context.Context, req *sdk.CallToolRequest, ids []string) ([]*core.Call, error) {
	v, err := t.visibility(ctx, req)
	if err != nil {
		return nil, err
	}
	calls, err := t.opts.Store.Calls(ctx, ids)
	if err != nil {
		return nil, toolError(err)
	}
	out := calls[:0]
	for _, c := range calls {
		if c != nil && v.Allows(c.WorkspaceID, c.ParticipantKeys()) {
			out = append(out, c)
		}
	}
	return out, nil
}

// AskIn is ask's input.
type AskIn struct {
	Question string `json:"question" jsonschema:"the question, such as: What topics come up repeatedly in calls with Fabrikam?"`
	TimeZone string `json:"time_zone,omitempty" jsonschema:"IANA time zone for dates in the question, such as Europe/Paris (default UTC)"`
}

func (t *tools) ask(ctx context.Context, req *sdk.CallToolRequest, in AskIn) (*sdk.CallToolResult, *answer.Answer, error) {
	in.Question = strings.TrimSpace(in.Question)
	if in.Question == "" || len(in.Question) > 1000 {
		return nil, nil, fmt.Errorf("question must be 1 to 1000 characters")
	}
	loc := time.UTC
	if in.TimeZone != "" {
		l, err := time.LoadLocation(in.TimeZone)
		if err != nil || strings.HasPrefix(in.TimeZone, "/") {
			return nil, nil, fmt.Errorf("time_zone %q is not a time zone such as Europe/Paris", in.TimeZone)
		}
		loc = l
	}
	v, err := t.visibility(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	a, err := t.opts.Asker.Ask(ctx, answer.Request{Question: in.Question, Visibility: v, Location: loc})
	if err != nil {
		return nil, nil, toolError(err)
	}
	return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: a.Answer}}}, a, nil
}

// ScopeIn narrows the calls list_action_items and topic_trends look at.
type ScopeIn struct {
	Account string `json:"account,omitempty" jsonschema:"only calls with this account, such as Acme Corp"`
	From    string `json:"from,omitempty" jsonschema:"only calls started on or after this day, YYYY-MM-DD"`
	To      string `json:"to,omitempty" jsonschema:"only calls started before this day, YYYY-MM-DD"`
	Limit   int    `json:"limit,omitempty" jsonschema:"how many calls to look at, newest first: 1 to 100 (default 25)"`
}

// query turns a scope into a search: every call, or an account's, in
// the dates.
func (s ScopeIn) query(v core.Visibility) (core.Query, error) {
	var parts []string
	if a := strings.TrimSpace(s.Account); a != "" {
		if len(a) > 200 {
			return core.Query{}, fmt.Errorf("account is longer than 200 characters")
		}
		parts = append(parts, `account:"`+strings.ReplaceAll(a, `"`, " ")+`"`)
	}
	for name, d := range map[string]string{"from": s.From, "to": s.To} {
		if d == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return core.Query{}, fmt.Errorf("%s must be a day as YYYY-MM-DD, not %q", name, d)
		}
		parts = append(parts, name+":"+d)
	}
	if s.Limit == 0 {
		s.Limit = 25
	}
	if s.Limit < 1 || s.Limit > 100 {
		return core.Query{}, fmt.Errorf("limit must be from 1 to 100")
	}
	slices.Sort(parts)
	return core.Query{Text: strings.Join(parts, " "), Limit: s.Limit, Visibility: v}, nil
}

// scopedCalls returns the newest calls of a scope that the caller may see.
func (t *tools) scopedCalls(ctx context.Context, req *sdk.CallToolRequest, in ScopeIn) ([]*core.Call, int, error) {
	v, err := t.visibility(ctx, req)
	if err != nil {
		return nil, 0, err
	}
	q, err := in.query(v)
	if err != nil {
		return nil, 0, err
	}
	if q.Text == "" {
		q.Text = "from:1970-01-01" // every call, newest first
	}
	res, err := t.opts.Store.Search(ctx, q)
	if err != nil {
		return nil, 0, toolError(err)
	}
	ids := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	calls, err := t.visible(ctx, req, ids)
	if err != nil {
		return nil, 0, err
	}
	slices.SortStableFunc(calls, func(a, b *core.Call) int { return b.Started.Compare(a.Started) })
	return calls, res.Total, nil
}

// ActionItemsOut is list_action_items' output.
type ActionItemsOut struct {
	// Calls is how many calls were looked at, of Matching.
	Calls       int          `json:"calls"`
	Matching    int          `json:"matching_calls"`
	ActionItems []ActionItem `json:"action_items"`
}

func (t *tools) listActionItems(ctx context.Context, req *sdk.CallToolRequest, in ScopeIn) (*sdk.CallToolResult, ActionItemsOut, error) {
	calls, total, err := t.scopedCalls(ctx, req, in)
	if err != nil {
		return nil, ActionItemsOut{}, err
	}
	out := ActionItemsOut{Calls: len(calls), Matching: total, ActionItems: []ActionItem{}}
	for _, c := range calls {
		for _, a := range c.ActionItems {
			out.ActionItems = append(out.ActionItems, ActionItem{Text: a.Text, Speaker: a.Speaker, StartSec: a.StartSec,
				CallID: c.ID, Call: c.Title, CallURL: c.URL, Started: c.Started.UTC().Format(time.RFC3339)})
		}
	}
	return nil, out, nil
}

// TopicCount is how many calls a topic came up in.
type TopicCount struct {
	Topic string `json:"topic"`
	Calls int    `json:"calls"`
}

// TopicTrendsOut is topic_trends' output.
type TopicTrendsOut struct {
	Calls    int                     `json:"calls"`
	Matching int                     `json:"matching_calls"`
	Topics   []TopicCount            `json:"topics"`
	ByMonth  map[string][]TopicCount `json:"by_month"`
}

func (t *tools) topicTrends(ctx context.Context, req *sdk.CallToolRequest, in ScopeIn) (*sdk.CallToolResult, TopicTrendsOut, error) {
	if in.Limit == 0 {
		in.Limit = 100
	}
	calls, total, err := t.scopedCalls(ctx, req, in)
	if err != nil {
		return nil, TopicTrendsOut{}, err
	}
	overall := map[string]int{}
	byMonth := map[string]map[string]int{}
	for _, c := range calls {
		month := c.Started.UTC().Format("2006-01")
		for _, tp := range c.Topics {
			overall[tp.Name]++
			if byMonth[month] == nil {
				byMonth[month] = map[string]int{}
			}
			byMonth[month][tp.Name]++
		}
	}
	out := TopicTrendsOut{Calls: len(calls), Matching: total, Topics: ranked(overall), ByMonth: map[string][]TopicCount{}}
	for m, counts := range byMonth {
		out.ByMonth[m] = ranked(counts)
	}
	return nil, out, nil
}

// ranked lists counts, most first, ties by name.
func ranked(counts map[string]int) []TopicCount {
	out := make([]TopicCount, 0, len(counts))
	for k, n := range counts {
		out = append(out, TopicCount{Topic: k, Calls: n})
	}
	slices.SortFunc(out, func(a, b TopicCount) int {
		return cmp.Or(cmp.Compare(b.Calls, a.Calls), strings.Compare(a.Topic, b.Topic))
	})
	return out
}

// toolError keeps an error's message for the caller and hides internal
// details.
func toolError(err error) error {
	if core.ErrorCode(err) == core.EInternal {
		return fmt.Errorf("internal error")
	}
	return fmt.Errorf("%s", core.ErrorMessage(err))
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
