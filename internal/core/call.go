// Package core holds gongconnector's domain model: calls as we index them, the
// people and workspaces of a Gong tenant, crawl runs, and the coded errors that
// cross package boundaries. It imports nothing but the standard library.
package core

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"time"
)

// Call is one Gong call or meeting, normalized for indexing (PRODUCT.md §1).
// Private calls never become a Call.
type Call struct {
	ID            string        `json:"id"`
	Title         string        `json:"title"`
	URL           string        `json:"url"`
	Started       time.Time     `json:"started"`
	Duration      time.Duration `json:"duration"`
	WorkspaceID   string        `json:"workspace_id"`
	PrimaryUserID string        `json:"primary_user_id"`
	Direction     string        `json:"direction,omitempty"`
	Scope         string        `json:"scope,omitempty"`
	System        string        `json:"system,omitempty"`
	Language      string        `json:"language,omitempty"`
	Media         string        `json:"media,omitempty"`
	Purpose       string        `json:"purpose,omitempty"`

	Accounts []Account `json:"accounts,omitempty"`
	Deals    []Deal    `json:"deals,omitempty"`
	Parties  []Party   `json:"parties,omitempty"`

	Brief       string             `json:"brief,omitempty"`
	KeyPoints   []string           `json:"key_points,omitempty"`
	ActionItems []ActionItem       `json:"action_items,omitempty"`
	Highlights  []Highlight        `json:"highlights,omitempty"`
	Outline     []OutlineSection   `json:"outline,omitempty"`
	Topics      []Topic            `json:"topics,omitempty"`
	Trackers    []Tracker          `json:"trackers,omitempty"`
	Outcome     *Outcome           `json:"outcome,omitempty"`
	Transcript  []TranscriptPhrase `json:"transcript,omitempty"`
}

// Account is a CRM account attached to a call.
type Account struct {
	ID       string `json:"id,omitempty"`
	Name     string `json:"name"`
	Industry string `json:"industry,omitempty"`
	Website  string `json:"website,omitempty"`
}

// Deal is a CRM opportunity attached to a call.
type Deal struct {
	ID        string  `json:"id,omitempty"`
	Name      string  `json:"name"`
	Stage     string  `json:"stage,omitempty"`
	Amount    float64 `json:"amount,omitempty"`
	CloseDate string  `json:"close_date,omitempty"`
}

// Affiliation values of a party. Gong may send others; they are kept as is.
const (
	AffiliationInternal = "Internal"
	AffiliationExternal = "External"
	AffiliationUnknown  = "Unknown"
)

// Party is one participant of a call.
type Party struct {
	Name        string `json:"name,omitempty"`
	Email       string `json:"email,omitempty"`
	Title       string `json:"title,omitempty"`
	Affiliation string `json:"affiliation,omitempty"`
	// UserID is the Gong user behind the party, when Gong knows it.
	UserID    string `json:"user_id,omitempty"`
	SpeakerID string `json:"speaker_id,omitempty"`
}

// ActionItem is one action item Gong extracted from the call.
type ActionItem struct {
	Text      string  `json:"text"`
	SpeakerID string  `json:"speaker_id,omitempty"`
	Speaker   string  `json:"speaker,omitempty"`
	StartSec  float64 `json:"start_sec"`
}

// Highlight is a titled group of notable moments.
type Highlight struct {
	Title string          `json:"title"`
	Items []HighlightItem `json:"items,omitempty"`
}

// HighlightItem is one moment of a highlight.
type HighlightItem struct {
	Text     string  `json:"text"`
	StartSec float64 `json:"start_sec"`
}

// OutlineSection is one section of the call outline.
type OutlineSection struct {
	Section     string        `json:"section"`
	StartSec    float64       `json:"start_sec"`
	DurationSec float64       `json:"duration_sec"`
	Items       []OutlineItem `json:"items,omitempty"`
}

// OutlineItem is one line of an outline section.
type OutlineItem struct {
	Text     string  `json:"text"`
	StartSec float64 `json:"start_sec"`
}

// Topic is a subject discussed in the call, with the time spent on it.
type Topic struct {
	Name        string  `json:"name"`
	DurationSec float64 `json:"duration_sec"`
}

// Tracker is a keyword or smart tracker and how often it fired.
type Tracker struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Outcome is the call disposition Gong assigned.
type Outcome struct {
	ID       string `json:"id,omitempty"`
	Category string `json:"category,omitempty"`
	Name     string `json:"name,omitempty"`
}

// TranscriptPhrase is one sentence of the transcript.
type TranscriptPhrase struct {
	SpeakerID string `json:"speaker_id,omitempty"`
	StartMS   int64  `json:"start_ms"`
	EndMS     int64  `json:"end_ms"`
	Text      string `json:"text"`
}

// HasContent reports whether Gong's AI content has been published for the call.
// Gong publishes a call first and its brief, key points and action items later;
// a call without them is re-fetched by later crawls.
func (c *Call) HasContent() bool {
	return c.Brief != "" || len(c.KeyPoints) > 0 || len(c.ActionItems) > 0 || len(c.Topics) > 0
}

// Hash returns a digest of everything indexed about the call, so a crawl can
// tell an unchanged call from an edited one without rewriting it. Every field
// is written length-prefixed into one buffer (a test checks that each field
// counts); that is several times cheaper than hashing an encoding of it.
func (c *Call) Hash() string {
	b := make([]byte, 0, 4096)
	b = appendStrings(b, c.ID, c.Title, c.URL, c.WorkspaceID, c.PrimaryUserID, c.Direction, c.Scope,
		c.System, c.Language, c.Media, c.Purpose, c.Brief)
	b = binary.AppendVarint(b, c.Started.UnixNano())
	b = binary.AppendVarint(b, int64(c.Duration))
	b = binary.AppendUvarint(b, uint64(len(c.Accounts)))
	for _, a := range c.Accounts {
		b = appendStrings(b, a.ID, a.Name, a.Industry, a.Website)
	}
	b = binary.AppendUvarint(b, uint64(len(c.Deals)))
	for _, d := range c.Deals {
		b = appendStrings(b, d.ID, d.Name, d.Stage, d.CloseDate)
		b = appendFloat(b, d.Amount)
	}
	b = binary.AppendUvarint(b, uint64(len(c.Parties)))
	for _, p := range c.Parties {
		b = appendStrings(b, p.Name, p.Email, p.Title, p.Affiliation, p.UserID, p.SpeakerID)
	}
	b = appendStrings(b, c.KeyPoints...)
	b = binary.AppendUvarint(b, uint64(len(c.ActionItems)))
	for _, a := range c.ActionItems {
		b = appendStrings(b, a.Text, a.SpeakerID, a.Speaker)
		b = appendFloat(b, a.StartSec)
	}
	b = binary.AppendUvarint(b, uint64(len(c.Highlights)))
	for _, h := range c.Highlights {
		b = appendStrings(b, h.Title)
		b = binary.AppendUvarint(b, uint64(len(h.Items)))
		for _, it := range h.Items {
			b = appendStrings(b, it.Text)
			b = appendFloat(b, it.StartSec)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(c.Outline)))
	for _, o := range c.Outline {
		b = appendStrings(b, o.Section)
		b = appendFloat(appendFloat(b, o.StartSec), o.DurationSec)
		b = binary.AppendUvarint(b, uint64(len(o.Items)))
		for _, it := range o.Items {
			b = appendStrings(b, it.Text)
			b = appendFloat(b, it.StartSec)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(c.Topics)))
	for _, t := range c.Topics {
		b = appendStrings(b, t.Name)
		b = appendFloat(b, t.DurationSec)
	}
	b = binary.AppendUvarint(b, uint64(len(c.Trackers)))
	for _, t := range c.Trackers {
		b = appendStrings(b, t.Name)
		b = binary.AppendVarint(b, int64(t.Count))
	}
	if c.Outcome != nil {
		b = append(b, 1)
		b = appendStrings(b, c.Outcome.ID, c.Outcome.Category, c.Outcome.Name)
	} else {
		b = append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(c.Transcript)))
	for _, t := range c.Transcript {
		b = appendStrings(b, t.SpeakerID, t.Text)
		b = binary.AppendVarint(binary.AppendVarint(b, t.StartMS), t.EndMS)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// appendStrings appends a count and then each string, length-prefixed, so
// that no two different sequences encode alike.
func appendStrings(b []byte, ss ...string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

func appendFloat(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

// ParticipantUserIDs returns the Gong user ids that took part in the call as
// host or as a party, without duplicates.
func (c *Call) ParticipantUserIDs() []string {
	ids := make([]string, 0, len(c.Parties)+1)
	seen := make(map[string]bool, len(c.Parties)+1)
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	add(c.PrimaryUserID)
	for _, p := range c.Parties {
		add(p.UserID)
	}
	return ids
}
