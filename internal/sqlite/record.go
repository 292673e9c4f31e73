package sqlite

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	fastjson "github.com/goccy/go-json"

	"gongconnector/internal/core"
)

// record is a call as stored in one row of calls: the searchable text in
// columns (each list one item per line) and the rest as JSON in detail.
type record struct {
	title, accounts, deals, people, brief, keyPoints, actionItems, topics, trackers string
	detail                                                                          []byte
}

// text returns the indexed columns in call_fts order.
func (r *record) text() [9]string {
	return [9]string{r.title, r.accounts, r.deals, r.people, r.brief, r.keyPoints, r.actionItems, r.topics, r.trackers}
}

// detail is the JSON in calls.detail. Text that is already in a searchable
// column is cleared here, so it is stored once; a list whose items contain a
// line break cannot be split back from its column and keeps its text here
// (its name is then listed in Full).
type detail struct {
	StartedNanos  int                     `json:"started_ns,omitempty"`
	DurationNanos int64                   `json:"duration_ns,omitempty"`
	Accounts      []core.Account          `json:"accounts,omitempty"`
	Deals         []core.Deal             `json:"deals,omitempty"`
	Parties       []core.Party            `json:"parties,omitempty"`
	KeyPoints     int                     `json:"key_points,omitempty"` // how many; the text is in the column
	KeyPointsText []string                `json:"key_points_text,omitempty"`
	ActionItems   []core.ActionItem       `json:"action_items,omitempty"`
	Highlights    []core.Highlight        `json:"highlights,omitempty"`
	Outline       []core.OutlineSection   `json:"outline,omitempty"`
	Topics        []core.Topic            `json:"topics,omitempty"`
	Trackers      []core.Tracker          `json:"trackers,omitempty"`
	Outcome       *core.Outcome           `json:"outcome,omitempty"`
	Transcript    []core.TranscriptPhrase `json:"transcript,omitempty"`
	Full          []string                `json:"full,omitempty"`
}

// Names of lists in detail.Full.
const (
	listAccounts    = "accounts"
	listDeals       = "deals"
	listParties     = "parties"
	listKeyPoints   = "key_points"
	listActionItems = "action_items"
	listTopics      = "topics"
	listTrackers    = "trackers"
)

// lines joins items with "\n" and reports whether the join can be split back
// into exactly these items.
func lines(items []string) (string, bool) {
	ok := true
	for _, s := range items {
		if strings.Contains(s, "\n") {
			ok = false
		}
	}
	return strings.Join(items, "\n"), ok
}

// split returns the n lines of s; ok is false when s does not hold n lines.
func split(s string, n int) ([]string, bool) {
	if n == 0 {
		return nil, s == ""
	}
	parts := strings.SplitN(s, "\n", n+1)
	return parts, len(parts) == n
}

// encodeCall turns a call into its row.
// textColumn joins some text fields of every item, in order, into a
// searchable column and returns the items with those fields emptied, the
// column holding them once. When a text cannot be split back out of the
// column (ok false), the items are returned whole.
func textColumn[T any](items []T, fields func(*T) []*string) (col string, rest []T, ok bool) {
	var names []string
	for i := range items {
		for _, f := range fields(&items[i]) {
			names = append(names, *f)
		}
	}
	if col, ok = lines(names); !ok {
		return col, items, false
	}
	rest = make([]T, len(items))
	copy(rest, items)
	for i := range rest {
		for _, f := range fields(&rest[i]) {
			*f = ""
		}
	}
	return col, rest, true
}

func encodeCall(c *core.Call) (record, error) {
	r := record{title: c.Title, brief: c.Brief}
	d := detail{
		StartedNanos:  c.Started.Nanosecond(),
		DurationNanos: int64(c.Duration % time.Second),
		Highlights:    c.Highlights,
		Outline:       c.Outline,
		Outcome:       c.Outcome,
		Transcript:    c.Transcript,
	}
	var ok bool
	keep := func(list string) { d.Full = append(d.Full, list) }

	if r.accounts, d.Accounts, ok = textColumn(c.Accounts, func(a *core.Account) []*string { return []*string{&a.Name} }); !ok {
		keep(listAccounts)
	}
	if r.deals, d.Deals, ok = textColumn(c.Deals, func(x *core.Deal) []*string { return []*string{&x.Name} }); !ok {
		keep(listDeals)
	}
	if r.people, d.Parties, ok = textColumn(c.Parties, func(p *core.Party) []*string { return []*string{&p.Name, &p.Title, &p.Email} }); !ok {
		keep(listParties)
	}

	if r.keyPoints, ok = lines(c.KeyPoints); ok {
		d.KeyPoints = len(c.KeyPoints)
	} else {
		d.KeyPointsText = c.KeyPoints
		keep(listKeyPoints)
	}

	if r.actionItems, d.ActionItems, ok = textColumn(c.ActionItems, func(a *core.ActionItem) []*string { return []*string{&a.Text} }); !ok {
		keep(listActionItems)
	}
	if r.topics, d.Topics, ok = textColumn(c.Topics, func(t *core.Topic) []*string { return []*string{&t.Name} }); !ok {
		keep(listTopics)
	}
	if r.trackers, d.Trackers, ok = textColumn(c.Trackers, func(t *core.Tracker) []*string { return []*string{&t.Name} }); !ok {
		keep(listTrackers)
	}

	b, err := fastjson.Marshal(&d)
	if err != nil {
		return r, err
	}
	r.detail = b
	return r, nil
}

// decodeCall fills the parts of c kept in the record; the plain metadata
// columns are the caller's.
func decodeCall(c *core.Call, r record) error {
	var d detail
	if len(r.detail) > 0 {
		if err := json.Unmarshal(r.detail, &d); err != nil {
			return fmt.Errorf("decode detail of call %s: %w", c.ID, err)
		}
	}
	full := func(list string) bool {
		for _, l := range d.Full {
			if l == list {
				return true
			}
		}
		return false
	}
	bad := func(list string) error {
		return fmt.Errorf("decode call %s: column %s does not match its detail", c.ID, list)
	}
	c.Title, c.Brief = r.title, r.brief
	c.Started = c.Started.Add(time.Duration(d.StartedNanos))
	c.Duration += time.Duration(d.DurationNanos)
	c.Highlights, c.Outline, c.Outcome, c.Transcript = d.Highlights, d.Outline, d.Outcome, d.Transcript

	c.Accounts = d.Accounts
	if !full(listAccounts) {
		names, ok := split(r.accounts, len(d.Accounts))
		if !ok {
			return bad(listAccounts)
		}
		for i := range c.Accounts {
			c.Accounts[i].Name = names[i]
		}
	}
	c.Deals = d.Deals
	if !full(listDeals) {
		names, ok := split(r.deals, len(d.Deals))
		if !ok {
			return bad(listDeals)
		}
		for i := range c.Deals {
			c.Deals[i].Name = names[i]
		}
	}
	c.Parties = d.Parties
	if !full(listParties) {
		names, ok := split(r.people, 3*len(d.Parties))
		if !ok {
			return bad(listParties)
		}
		for i := range c.Parties {
			c.Parties[i].Name, c.Parties[i].Title, c.Parties[i].Email = names[3*i], names[3*i+1], names[3*i+2]
		}
	}
	if full(listKeyPoints) {
		c.KeyPoints = d.KeyPointsText
	} else {
		names, ok := split(r.keyPoints, d.KeyPoints)
		if !ok {
			return bad(listKeyPoints)
		}
		c.KeyPoints = names
	}
	c.ActionItems = d.ActionItems
	if !full(listActionItems) {
		names, ok := split(r.actionItems, len(d.ActionItems))
		if !ok {
			return bad(listActionItems)
		}
		for i := range c.ActionItems {
			c.ActionItems[i].Text = names[i]
		}
	}
	c.Topics = d.Topics
	if !full(listTopics) {
		names, ok := split(r.topics, len(d.Topics))
		if !ok {
			return bad(listTopics)
		}
		for i := range c.Topics {
			c.Topics[i].Name = names[i]
		}
	}
	c.Trackers = d.Trackers
	if !full(listTrackers) {
		names, ok := split(r.trackers, len(d.Trackers))
		if !ok {
			return bad(listTrackers)
		}
		for i := range c.Trackers {
			c.Trackers[i].Name = names[i]
		}
	}
	return nil
}
