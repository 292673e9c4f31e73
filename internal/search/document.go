package search

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	fastjson "github.com/goccy/go-json"

	"gongconnector/internal/core"
)

// Document is a call as both backends store it: the searchable text in one
// field per Fields entry (each list one item per line) and the structured
// rest as JSON in Detail. Both backends index the same text, so a query
// matches the same calls in either.
type Document struct {
	Title, Accounts, Deals, People, Brief, KeyPoints, ActionItems, Topics, Trackers string
	Detail                                                                          []byte
}

// Text returns the searchable fields in Fields order.
func (r *Document) Text() [9]string {
	return [9]string{r.Title, r.Accounts, r.Deals, r.People, r.Brief, r.KeyPoints, r.ActionItems, r.Topics, r.Trackers}
}

// detail is the JSON in Document.Detail. Text that is already in a searchable
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

// EncodeCall turns a call into its document.
func EncodeCall(c *core.Call) (Document, error) {
	r := Document{Title: c.Title, Brief: c.Brief}
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

	if r.Accounts, d.Accounts, ok = textColumn(c.Accounts, func(a *core.Account) []*string { return []*string{&a.Name} }); !ok {
		keep(listAccounts)
	}
	if r.Deals, d.Deals, ok = textColumn(c.Deals, func(x *core.Deal) []*string { return []*string{&x.Name} }); !ok {
		keep(listDeals)
	}
	if r.People, d.Parties, ok = textColumn(c.Parties, func(p *core.Party) []*string { return []*string{&p.Name, &p.Title, &p.Email} }); !ok {
		keep(listParties)
	}

	if r.KeyPoints, ok = lines(c.KeyPoints); ok {
		d.KeyPoints = len(c.KeyPoints)
	} else {
		d.KeyPointsText = c.KeyPoints
		keep(listKeyPoints)
	}

	if r.ActionItems, d.ActionItems, ok = textColumn(c.ActionItems, func(a *core.ActionItem) []*string { return []*string{&a.Text} }); !ok {
		keep(listActionItems)
	}
	if r.Topics, d.Topics, ok = textColumn(c.Topics, func(t *core.Topic) []*string { return []*string{&t.Name} }); !ok {
		keep(listTopics)
	}
	if r.Trackers, d.Trackers, ok = textColumn(c.Trackers, func(t *core.Tracker) []*string { return []*string{&t.Name} }); !ok {
		keep(listTrackers)
	}

	b, err := fastjson.Marshal(&d)
	if err != nil {
		return r, err
	}
	r.Detail = b
	return r, nil
}

// DecodeCall fills the parts of c kept in its document; the plain metadata
// (id, workspace, start, duration, ...) is the caller's.
func DecodeCall(c *core.Call, r Document) error {
	var d detail
	if len(r.Detail) > 0 {
		if err := json.Unmarshal(r.Detail, &d); err != nil {
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
	c.Title, c.Brief = r.Title, r.Brief
	c.Started = c.Started.Add(time.Duration(d.StartedNanos))
	c.Duration += time.Duration(d.DurationNanos)
	c.Highlights, c.Outline, c.Outcome, c.Transcript = d.Highlights, d.Outline, d.Outcome, d.Transcript

	c.Accounts = d.Accounts
	if !full(listAccounts) {
		names, ok := split(r.Accounts, len(d.Accounts))
		if !ok {
			return bad(listAccounts)
		}
		for i := range c.Accounts {
			c.Accounts[i].Name = names[i]
		}
	}
	c.Deals = d.Deals
	if !full(listDeals) {
		names, ok := split(r.Deals, len(d.Deals))
		if !ok {
			return bad(listDeals)
		}
		for i := range c.Deals {
			c.Deals[i].Name = names[i]
		}
	}
	c.Parties = d.Parties
	if !full(listParties) {
		names, ok := split(r.People, 3*len(d.Parties))
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
		names, ok := split(r.KeyPoints, d.KeyPoints)
		if !ok {
			return bad(listKeyPoints)
		}
		c.KeyPoints = names
	}
	c.ActionItems = d.ActionItems
	if !full(listActionItems) {
		names, ok := split(r.ActionItems, len(d.ActionItems))
		if !ok {
			return bad(listActionItems)
		}
		for i := range c.ActionItems {
			c.ActionItems[i].Text = names[i]
		}
	}
	c.Topics = d.Topics
	if !full(listTopics) {
		names, ok := split(r.Topics, len(d.Topics))
		if !ok {
			return bad(listTopics)
		}
		for i := range c.Topics {
			c.Topics[i].Name = names[i]
		}
	}
	c.Trackers = d.Trackers
	if !full(listTrackers) {
		names, ok := split(r.Trackers, len(d.Trackers))
		if !ok {
			return bad(listTrackers)
		}
		for i := range c.Trackers {
			c.Trackers[i].Name = names[i]
		}
	}
	return nil
}
