package push

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"regexp"
	"strings"
	"time"

	"gongconnector/internal/core"
	"gongconnector/internal/graph"
)

// itemFormat changes whenever Item builds items differently: a new format
// makes every call a candidate for the next push.
const itemFormat = "item-v2"

var plainItemID = regexp.MustCompile(`^[A-Za-z0-9]{1,128}$`)

// ItemID is the external item id of a call: Gong's id, which is digits,
// or for any other id a digest of it, since item ids are letters and
// digits only.
func ItemID(callID string) string {
	if plainItemID.MatchString(callID) {
		return callID
	}
	sum := sha256.Sum256([]byte(callID))
	return "h" + hex.EncodeToString(sum[:20])
}

// Item builds the external item of a call in the schema of
// graph.CallSchema: what users ask about as properties, the call's
// content as the item's text, and acl as its ACL.
func Item(c *core.Call, workspaceName string, indexedAt time.Time, acl []graph.ACE) graph.Item {
	props := map[string]any{}
	setString := func(name, v string) {
		if v = strings.TrimSpace(v); v != "" {
			props[name] = v
		}
	}
	setList := func(name string, vs []string) {
		var out []string
		for _, v := range vs {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
		if len(out) > 0 {
			props[name] = out
		}
	}
	setString("title", title(c))
	setString("url", c.URL)
	setList("accounts", accountNames(c))
	setList("deals", dealNames(c))
	setList("participants", participantNames(c))
	setString("host", hostName(c))
	if !c.Started.IsZero() {
		props["started"] = c.Started.UTC().Format(time.RFC3339)
	}
	if !indexedAt.IsZero() {
		props["lastModified"] = indexedAt.UTC().Format(time.RFC3339)
	}
	if c.Duration > 0 {
		props["durationMinutes"] = int64(math.Round(c.Duration.Minutes()))
	}
	var topics, trackers []string
	for _, t := range c.Topics {
		topics = append(topics, t.Name)
	}
	for _, t := range c.Trackers {
		if t.Count > 0 {
			trackers = append(trackers, t.Name)
		}
	}
	setList("topics", topics)
	setList("trackers", trackers)
	if c.Outcome != nil {
		setString("outcome", c.Outcome.Name)
	}
	setString("workspace", workspaceName)
	return graph.Item{ID: ItemID(c.ID), ACL: acl, Properties: props, Content: Content(c)}
}

func title(c *core.Call) string {
	if t := strings.TrimSpace(c.Title); t != "" {
		return t
	}
	if c.Started.IsZero() {
		return "Untitled call"
	}
	return "Call on " + c.Started.UTC().Format("2 January 2006")
}

func accountNames(c *core.Call) []string {
	var out []string
	for _, a := range c.Accounts {
		out = append(out, a.Name)
	}
	return out
}

func dealNames(c *core.Call) []string {
	var out []string
	for _, d := range c.Deals {
		out = append(out, d.Name)
	}
	return out
}

// participantNames are the parties' names, or their emails when Gong has
// no name.
func participantNames(c *core.Call) []string {
	var out []string
	for _, p := range c.Parties {
		if n := strings.TrimSpace(p.Name); n != "" {
			out = append(out, n)
		} else if e := strings.TrimSpace(p.Email); e != "" {
			out = append(out, e)
		}
	}
	return out
}

func hostName(c *core.Call) string {
	for _, p := range c.Parties {
		if p.UserID != "" && p.UserID == c.PrimaryUserID {
			return strings.TrimSpace(p.Name)
		}
	}
	return ""
}

// Content is the text of a call's item: what Microsoft Search searches
// and Copilot reads. It holds exactly the text the local index searches —
// title, accounts, deals, participants (name, job title, email), brief,
// key points, action items, topics and trackers — so that the same words
// find the same calls in Microsoft 365 as in gongconnector's own search.
// Sections are set apart by blank lines and list marks, never by words
// of our own, which would match queries the call does not. What users ask
// about besides (dates, duration, host, outcome, workspace) is in the
// item's properties.
func Content(c *core.Call) string {
	var b strings.Builder
	section := func(lines ...string) {
		var kept []string
		for _, l := range lines {
			if l = strings.TrimSpace(l); l != "" {
				kept = append(kept, l)
			}
		}
		if len(kept) == 0 {
			return
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		for _, l := range kept {
			b.WriteString(l)
			b.WriteString("\n")
		}
	}
	section(c.Title, strings.Join(accountNames(c), "; "), strings.Join(dealNames(c), "; "))
	var people []string
	for _, p := range c.Parties {
		var parts []string
		for _, s := range []string{p.Name, p.Title, p.Email} {
			if s = strings.TrimSpace(s); s != "" {
				parts = append(parts, s)
			}
		}
		people = append(people, strings.Join(parts, ", "))
	}
	section(people...)
	section(c.Brief)
	section(bullets(c.KeyPoints)...)
	var actions []string
	for _, a := range c.ActionItems {
		actions = append(actions, a.Text)
	}
	section(bullets(actions)...)
	var topics, trackers []string
	for _, t := range c.Topics {
		topics = append(topics, t.Name)
	}
	for _, t := range c.Trackers {
		trackers = append(trackers, t.Name)
	}
	section(strings.Join(topics, "; "), strings.Join(trackers, "; "))
	return b.String()
}

func bullets(items []string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, "- "+it)
		}
	}
	return out
}
