package gong

import (
	"strconv"
	"strings"
	"time"

	"gongconnector/internal/core"
)

// Normalize turns an extensive call into the call we index (PRODUCT.md §1).
// The caller must drop private calls before (metaData.isPrivate).
func (x *ExtensiveCall) Normalize() *core.Call {
	m := &x.MetaData
	c := &core.Call{
		ID:            string(m.ID),
		Title:         strings.TrimSpace(m.Title),
		URL:           m.URL,
		Started:       m.Started.UTC(),
		Duration:      time.Duration(m.Duration * float64(time.Second)),
		WorkspaceID:   string(m.WorkspaceID),
		PrimaryUserID: string(m.PrimaryUserID),
		Direction:     m.Direction,
		Scope:         m.Scope,
		System:        m.System,
		Language:      m.Language,
		Media:         m.Media,
	}
	if c.Started.IsZero() {
		c.Started = m.Scheduled.UTC()
	}
	if m.Purpose != nil {
		c.Purpose = *m.Purpose
	}
	c.Accounts, c.Deals = crmObjects(x.Context)

	speakers := make(map[ID]string, len(x.Parties))
	for _, p := range x.Parties {
		party := core.Party{
			Name:        strings.TrimSpace(p.Name),
			Email:       strings.TrimSpace(p.EmailAddress),
			Title:       strings.TrimSpace(p.Title),
			Affiliation: p.Affiliation,
			UserID:      string(p.UserID),
		}
		if p.SpeakerID != nil {
			party.SpeakerID = string(*p.SpeakerID)
			speakers[*p.SpeakerID] = party.Name
		}
		// Gong's action items name the speaker by party id in some payloads.
		if p.ID != "" {
			if _, ok := speakers[p.ID]; !ok {
				speakers[p.ID] = party.Name
			}
		}
		c.Parties = append(c.Parties, party)
	}

	if ct := x.Content; ct != nil {
		c.Brief = strings.TrimSpace(ct.Brief)
		for _, k := range ct.KeyPoints {
			if t := strings.TrimSpace(k.Text); t != "" {
				c.KeyPoints = append(c.KeyPoints, t)
			}
		}
		if ct.PointsOfInterest != nil {
			for _, a := range ct.PointsOfInterest.ActionItems {
				t := strings.TrimSpace(a.Snippet)
				if t == "" {
					continue
				}
				c.ActionItems = append(c.ActionItems, core.ActionItem{
					Text: t, SpeakerID: string(a.SpeakerID), Speaker: speakers[a.SpeakerID], StartSec: a.SnippetStartTime,
				})
			}
		}
		for _, h := range ct.Highlights {
			hl := core.Highlight{Title: h.Title}
			for _, it := range h.Items {
				item := core.HighlightItem{Text: it.Text}
				if len(it.StartTimes) > 0 {
					item.StartSec = it.StartTimes[0]
				}
				hl.Items = append(hl.Items, item)
			}
			c.Highlights = append(c.Highlights, hl)
		}
		for _, o := range ct.Outline {
			sec := core.OutlineSection{Section: o.Section, StartSec: o.StartTime, DurationSec: o.Duration}
			for _, it := range o.Items {
				sec.Items = append(sec.Items, core.OutlineItem{Text: it.Text, StartSec: it.StartTime})
			}
			c.Outline = append(c.Outline, sec)
		}
		for _, t := range ct.Topics {
			if t.Name != "" {
				c.Topics = append(c.Topics, core.Topic{Name: t.Name, DurationSec: t.Duration})
			}
		}
		for _, t := range ct.Trackers {
			if t.Name != "" {
				c.Trackers = append(c.Trackers, core.Tracker{Name: t.Name, Count: t.Count})
			}
		}
		if o := ct.CallOutcome; o != nil && (o.ID != "" || o.Name != "") {
			c.Outcome = &core.Outcome{ID: o.ID, Category: o.Category, Name: o.Name}
		}
	}
	return c
}

// crmObjects extracts accounts and deals from call-level CRM context. When
// Gong sends an object once per timing, the current ("Now") values win.
func crmObjects(ctx []Context) ([]core.Account, []core.Deal) {
	var accounts []core.Account
	var deals []core.Deal
	seen := map[string]int{} // type+id or type+name -> index
	for _, sys := range ctx {
		for _, o := range sys.Objects {
			typ := strings.ToLower(o.ObjectType)
			if typ != "account" && typ != "opportunity" {
				continue
			}
			id := ""
			if o.ObjectID != nil {
				id = *o.ObjectID
			}
			f := fieldsByName(o.Fields)
			name := strings.TrimSpace(f["name"])
			if name == "" {
				continue
			}
			key := typ + "\x00" + id
			if id == "" {
				key += name
			}
			idx, dup := seen[key]
			if dup && !strings.EqualFold(o.Timing, "Now") {
				continue
			}
			switch typ {
			case "account":
				a := core.Account{ID: id, Name: name, Industry: f["industry"], Website: f["website"]}
				if dup {
					accounts[idx] = a
				} else {
					seen[key] = len(accounts)
					accounts = append(accounts, a)
				}
			case "opportunity":
				d := core.Deal{ID: id, Name: name, Stage: f["stagename"], CloseDate: f["closedate"]}
				if v, err := strconv.ParseFloat(f["amount"], 64); err == nil {
					d.Amount = v
				}
				if dup {
					deals[idx] = d
				} else {
					seen[key] = len(deals)
					deals = append(deals, d)
				}
			}
		}
	}
	return accounts, deals
}

// fieldsByName maps lower-cased field names to text values; Gong's examples
// use both "Name" and "name".
func fieldsByName(fields []ContextField) map[string]string {
	m := make(map[string]string, len(fields))
	for _, f := range fields {
		m[strings.ToLower(f.Name)] = f.String()
	}
	return m
}

// UserFromAPI converts a Gong user to the domain user.
func UserFromAPI(u User) core.User {
	out := core.User{
		ID:        string(u.ID),
		Email:     strings.TrimSpace(u.EmailAddress),
		FirstName: u.FirstName,
		LastName:  u.LastName,
		Title:     u.Title,
		ManagerID: string(u.ManagerID),
		Active:    u.Active,
	}
	for _, a := range u.EmailAliases {
		if a = strings.TrimSpace(a); a != "" {
			out.Aliases = append(out.Aliases, a)
		}
	}
	return out
}

// ProfileFromAPI reduces a permission profile of workspace ws to what
// decides call visibility. A profile without callsAccess grants none.
func ProfileFromAPI(p Profile, ws string) core.Profile {
	prof := core.Profile{ID: string(p.ID), WorkspaceID: ws, Name: p.Name, CallsLevel: core.LevelNone}
	if p.CallsAccess != nil {
		prof.CallsLevel = strings.TrimSpace(p.CallsAccess.PermissionLevel)
		for _, id := range p.CallsAccess.TeamLeadIDs {
			prof.TeamLeadIDs = append(prof.TeamLeadIDs, string(id))
		}
	}
	return prof
}
