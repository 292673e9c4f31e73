package answer

import (
	"strings"

	"gongconnector/internal/core"
)

// roleCues are the words by which Gong's notes name a role, the role's own
// name first. Gong has no field for buying roles: who is the decision maker
// is said in the brief, the key points or the highlights.
var roleCues = map[string][]string{
	"decision maker":      {"decision maker", "decision-maker", "final sign-off", "final signoff", "final say", "final decision", "signs off", "sign off on", "makes the decision", "decides"},
	"economic buyer":      {"economic buyer", "budget holder", "owns the budget", "approves the budget", "controls the budget", "signs", "signature"},
	"champion":            {"champion", "advocate", "internal sponsor", "pushing internally"},
	"technical evaluator": {"technical evaluator", "technical buyer", "technical requirement", "technical question", "technical dependency", "architecture"},
	"executive sponsor":   {"executive sponsor", "exec sponsor", "sponsor"},
	"influencer":          {"influencer", "influences", "influence"},
	"detractor":           {"detractor", "skeptic", "skeptical", "pushed back", "objected", "concerned"},
	"gatekeeper":          {"gatekeeper", "gatekeeps", "controls access"},
	"end user":            {"end user", "end-user", "will use", "daily user"},
}

// roleFinding is a party named in a passage about a role.
type roleFinding struct {
	party   core.Party
	passage string
	sec     float64
	rank    int // index of the cue in roleCues: lower is surer
}

// passages returns the call's texts that can name a role, surest first.
func passages(c *core.Call) []step {
	var out []step
	for _, kp := range c.KeyPoints {
		out = append(out, step{kp, momentOf(c, kp)})
	}
	for _, h := range c.Highlights {
		for _, it := range h.Items {
			out = append(out, step{it.Text, it.StartSec})
		}
	}
	for _, s := range sentences(c.Brief) {
		out = append(out, step{s, momentOf(c, s)})
	}
	for _, s := range c.Outline {
		out = append(out, step{s.Section, s.StartSec})
		for _, it := range s.Items {
			out = append(out, step{it.Text, it.StartSec})
		}
	}
	return out
}

// findRole returns who the call's notes say has the role: the party named
// nearest the role's cue in the surest passage.
func findRole(c *core.Call, role string) (roleFinding, bool) {
	cues := roleCues[role]
	if len(cues) == 0 {
		cues = []string{role}
	}
	var best roleFinding
	found := false
	for _, p := range passages(c) {
		lt := strings.ToLower(p.text)
		for rank, cue := range cues {
			if found && rank >= best.rank {
				break
			}
			at := strings.Index(lt, cue)
			if at < 0 {
				continue
			}
			party, ok := nearestParty(c, p.text, at)
			if !ok {
				continue
			}
			best, found = roleFinding{party: party, passage: p.text, sec: p.sec, rank: rank}, true
			break
		}
	}
	return best, found
}

// nearestParty returns the party whose name appears in text closest to the
// byte offset at (customers before our own people at equal distance).
func nearestParty(c *core.Call, text string, at int) (core.Party, bool) {
	lt := strings.ToLower(text)
	bestDist := -1
	var best core.Party
	for _, p := range c.Parties {
		for _, name := range nameForms(p.Name) {
			i := strings.Index(lt, name)
			if i < 0 {
				continue
			}
			dist := i - at
			if dist < 0 {
				dist = at - (i + len(name))
			}
			dist = max(dist, 0)
			if p.Affiliation == core.AffiliationInternal {
				dist++ // a tie goes to the customer
			}
			if bestDist < 0 || dist < bestDist {
				bestDist, best = dist, p
			}
			break
		}
	}
	return best, bestDist >= 0
}

// nameForms are the lower-cased ways a passage names a person: the full
// name, then the first name alone when it is long enough not to be a word.
func nameForms(name string) []string {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		return nil
	}
	forms := []string{name}
	if first, _, ok := strings.Cut(name, " "); ok && len(first) >= 3 {
		forms = append(forms, first+" ")
	}
	return forms
}

// personText is a party's name and title.
func personText(p core.Party) string {
	if p.Title != "" {
		return p.Name + " (" + p.Title + ")"
	}
	return p.Name
}

// people answers who took part in a call, or who had a role in it.
func (a *asking) people(d *draft, c *core.Call, ref string) {
	if role := a.q.Role; role != "" {
		if f, ok := findRole(c, role); ok {
			d.say("%s was the %s in %s.", personText(f.party), role, ref)
			d.cite(c, f.passage, f.sec)
			return
		}
		d.say("Gong's notes for %s do not say who the %s was.", ref, role)
		if p, ok := mostSenior(c); ok {
			d.say("The most senior person on the customer's side was %s.", personText(p))
			d.cite(c, "Participant: "+personText(p), 0)
		}
		return
	}
	var theirs, ours []string
	for _, p := range c.Parties {
		if p.Name == "" {
			continue
		}
		if p.Affiliation == core.AffiliationInternal {
			ours = append(ours, personText(p))
		} else {
			theirs = append(theirs, personText(p))
		}
		d.cite(c, "Participant: "+personText(p), 0)
	}
	if len(theirs)+len(ours) == 0 {
		d.say("Gong lists no participants for %s.", ref)
		return
	}
	d.say("Participants in %s:", ref)
	if len(theirs) > 0 {
		d.say("- %s: %s", customerSide(c), strings.Join(theirs, ", "))
	}
	if len(ours) > 0 {
		d.say("- Our side: %s", strings.Join(ours, ", "))
	}
}

func customerSide(c *core.Call) string {
	if len(c.Accounts) > 0 {
		return c.Accounts[0].Name
	}
	return "Their side"
}

// seniority ranks a job title: C-level first, then presidents, VPs,
// heads and directors, managers, the rest.
func seniority(title string) int {
	t := " " + strings.ToLower(title) + " "
	switch {
	case strings.Contains(t, "chief ") || strings.Contains(t, " ceo ") || strings.Contains(t, " cfo ") ||
		strings.Contains(t, " cio ") || strings.Contains(t, " cto ") || strings.Contains(t, " coo ") || strings.Contains(t, "founder"):
		return 5
	case strings.Contains(t, "president") && !strings.Contains(t, "vice"):
		return 4
	case strings.Contains(t, " vp ") || strings.Contains(t, "vice president") || strings.Contains(t, "svp") || strings.Contains(t, "evp"):
		return 3
	case strings.Contains(t, "head of") || strings.Contains(t, "director"):
		return 2
	case strings.Contains(t, "manager") || strings.Contains(t, "lead"):
		return 1
	}
	return 0
}

// mostSenior returns the customer's most senior participant.
func mostSenior(c *core.Call) (core.Party, bool) {
	best, rank := core.Party{}, -1
	for _, p := range c.Parties {
		if p.Affiliation == core.AffiliationInternal || p.Name == "" {
			continue
		}
		if r := seniority(p.Title); r > rank {
			best, rank = p, r
		}
	}
	return best, rank >= 0
}

// personKey identifies a person across calls.
func personKey(p core.Party) string {
	if p.Email != "" {
		return strings.ToLower(p.Email)
	}
	return strings.ToLower(p.Name)
}
