package push

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"gongconnector/internal/core"
	"gongconnector/internal/graph"
)

// itemFormat changes whenever Item builds items differently: a new format
// makes every call a candidate for the next push.
const itemFormat = "item-v1"

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
	return graph.Item{ID: ItemID(c.ID), ACL: acl, Properties: props, Content: Content(c, workspaceName)}
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
// and Copilot reads. It holds what the local index searches (title,
// accounts, deals, people, brief, key points, action items, topics,
// trackers) and what Copilot answers from besides (highlights, outline,
// outcome, transcript), in labelled sections.
func Content(c *core.Call, workspaceName string) string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("%s", title(c))
	var meta []string
	if !c.Started.IsZero() {
		meta = append(meta, c.Started.UTC().Format("Monday 2 January 2006 15:04 MST"))
	}
	if c.Duration > 0 {
		meta = append(meta, fmt.Sprintf("%d minutes", int(math.Round(c.Duration.Minutes()))))
	}
	if workspaceName != "" {
		meta = append(meta, "workspace "+workspaceName)
	}
	if len(meta) > 0 {
		line("%s", strings.Join(meta, ", "))
	}
	if names := accountNames(c); len(names) > 0 {
		line("Accounts: %s", strings.Join(names, "; "))
	}
	if names := dealNames(c); len(names) > 0 {
		line("Deals: %s", strings.Join(names, "; "))
	}
	if len(c.Parties) > 0 {
		line("\nParticipants:")
		for _, p := range c.Parties {
			var parts []string
			for _, s := range []string{p.Name, p.Title, p.Email} {
				if s = strings.TrimSpace(s); s != "" {
					parts = append(parts, s)
				}
			}
			if len(parts) > 0 {
				line("- %s", strings.Join(parts, ", "))
			}
		}
	}
	if c.Brief != "" {
		line("\nBrief:\n%s", c.Brief)
	}
	if len(c.KeyPoints) > 0 {
		line("\nKey points:")
		for _, k := range c.KeyPoints {
			line("- %s", k)
		}
	}
	if len(c.ActionItems) > 0 {
		line("\nAction items:")
		for _, a := range c.ActionItems {
			if a.Speaker != "" {
				line("- %s (%s, at %s)", a.Text, a.Speaker, clock(a.StartSec))
			} else {
				line("- %s (at %s)", a.Text, clock(a.StartSec))
			}
		}
	}
	if len(c.Highlights) > 0 {
		line("\nHighlights:")
		for _, h := range c.Highlights {
			line("%s:", h.Title)
			for _, it := range h.Items {
				line("- %s (at %s)", it.Text, clock(it.StartSec))
			}
		}
	}
	if len(c.Outline) > 0 {
		line("\nOutline:")
		for _, o := range c.Outline {
			line("%s (at %s):", o.Section, clock(o.StartSec))
			for _, it := range o.Items {
				line("- %s", it.Text)
			}
		}
	}
	if len(c.Topics) > 0 {
		var ts []string
		for _, t := range c.Topics {
			ts = append(ts, t.Name)
		}
		line("\nTopics: %s", strings.Join(ts, "; "))
	}
	if len(c.Trackers) > 0 {
		var ts []string
		for _, t := range c.Trackers {
			ts = append(ts, fmt.Sprintf("%s (%d)", t.Name, t.Count))
		}
		line("Trackers: %s", strings.Join(ts, "; "))
	}
	if c.Outcome != nil && c.Outcome.Name != "" {
		line("Outcome: %s", c.Outcome.Name)
	}
	if len(c.Transcript) > 0 {
		line("\nTranscript:")
		for _, t := range c.Transcript {
			line("[%s] %s", clock(float64(t.StartMS)/1000), t.Text)
		}
	}
	return b.String()
}

// clock writes seconds into a call as m:ss or h:mm:ss.
func clock(sec float64) string {
	s := int(sec)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
