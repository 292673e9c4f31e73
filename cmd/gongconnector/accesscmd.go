package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"gongconnector/internal/access"
	"gongconnector/internal/core"
	"gongconnector/internal/identity"
	"gongconnector/internal/sqlite"
)

// access explains who may see a call, or what a user may see.
func (p *program) access(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("access", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file")
	callID := fs.String("call", "", "the Gong call id to explain: who may see it, and why")
	user := fs.String("user", "", "the identity (email, UPN or object id) to explain: what they may see, and why")
	asJSON := fs.Bool("json", false, "print JSON")
	p.helpFlags(fs, "access --config FILE (--call ID | --user EMAIL) [--json]")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if (*callID == "") == (*user == "") {
		return usageErr("give one of --call ID and --user EMAIL")
	}
	cfg, db, err := p.openIndex(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer db.Close()
	auth, m, err := p.accessFor(ctx, cfg, db, p.logger(false), p.stderr)
	if err != nil {
		return err
	}
	if *callID != "" {
		return p.explainCall(ctx, db, auth, m, *callID, *asJSON)
	}
	return p.explainUser(ctx, db, auth, *user, *asJSON)
}

type callAccessJSON struct {
	CallID     string             `json:"call_id"`
	Title      string             `json:"title"`
	Workspace  string             `json:"workspace"`
	Identities []identityAccessJS `json:"identities"`
	// Unmapped are Gong users who may see the call in Gong but map to no
	// identity here, and so see nothing.
	Unmapped []identityAccessJS `json:"unmapped,omitempty"`
}

type identityAccessJS struct {
	Identity   string   `json:"identity"`
	GongUserID string   `json:"gong_user_id"`
	Name       string   `json:"name,omitempty"`
	Rule       string   `json:"rule"`
	Profile    string   `json:"profile,omitempty"`
	Path       []string `json:"path"`
	Reason     string   `json:"reason,omitempty"`
}

func (p *program) explainCall(ctx context.Context, db *sqlite.DB, auth *access.Authorizer, m *identity.Map, id string, asJSON bool) error {
	out, err := callAccess(ctx, db, auth, m, id)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(p.stdout, out)
	}
	w := p.stdout
	fmt.Fprintf(w, "%s\n%s · workspace %s\n\n", out.Title, out.CallID, out.Workspace)
	printCallAccess(w, out, m)
	return nil
}

// callAccess says who may see call id, and who would in Gong but may not
// here (unmapped, outside the audience).
func callAccess(ctx context.Context, db *sqlite.DB, auth *access.Authorizer, m *identity.Map, id string) (callAccessJSON, error) {
	c, err := db.Call(ctx, id)
	if core.ErrorCode(err) == core.ENotFound {
		c, err = nil, nil
	}
	if err != nil {
		return callAccessJSON{}, err
	}
	if c == nil {
		return callAccessJSON{}, core.Errorf(core.ENotFound, "call %s is not in the index (private calls are never indexed; a new call arrives with the next crawl)", id)
	}
	rules := auth.Rules()
	out := callAccessJSON{CallID: c.ID, Title: c.Title, Workspace: rules.WorkspaceName(c.WorkspaceID), Identities: []identityAccessJS{}}
	grants := rules.Explain(c.WorkspaceID, c.ParticipantKeys())
	if auth.Mode() == access.ModeEveryone {
		grants = grants[:0]
		for _, e := range m.Entries() {
			grants = append(grants, access.Access{UserID: e.GongUserID, Rule: access.ModeEveryone, Path: []string{e.GongUserID}})
		}
	}
	for _, a := range grants {
		e := m.ByGongID(a.UserID)
		line := identityAccessJS{GongUserID: a.UserID, Rule: a.Rule, Profile: a.Profile, Path: a.Path}
		if e != nil {
			line.Name = e.Name
		}
		if !e.InForce() {
			line.Reason = "not mapped to a directory identity"
			if e != nil {
				line.Reason = e.Reason
			}
			out.Unmapped = append(out.Unmapped, line)
			continue
		}
		line.Identity = e.Identity
		// The audience and the mode apply on top of Gong's rules.
		if d := auth.Decide(e.Identity); d.Visibility.Nothing() {
			line.Reason = d.Reason
			out.Unmapped = append(out.Unmapped, line)
			continue
		}
		out.Identities = append(out.Identities, line)
	}
	return out, nil
}

// printCallAccess is the rest of explainCall.
func printCallAccess(w io.Writer, out callAccessJSON, m *identity.Map) {
	if len(out.Identities) == 0 {
		fmt.Fprintln(w, "Nobody may see this call.")
	} else {
		fmt.Fprintf(w, "%d people may see this call:\n", len(out.Identities))
	}
	name := func(id string) string {
		if e := m.ByGongID(id); e != nil && e.Name != "" {
			return e.Name
		}
		return id
	}
	for _, l := range out.Identities {
		fmt.Fprintf(w, "  %-40s %s\n", l.Identity, describeRule(l, name))
	}
	if len(out.Unmapped) > 0 {
		fmt.Fprintf(w, "\n%d more would see it in Gong but see nothing here:\n", len(out.Unmapped))
		for _, l := range out.Unmapped {
			fmt.Fprintf(w, "  %-40s %s\n", cmp.Or(l.Name, l.GongUserID), l.Reason)
		}
	}
}

func describeRule(l identityAccessJS, name func(string) string) string {
	names := make([]string, len(l.Path))
	for i, id := range l.Path {
		names[i] = name(id)
	}
	switch l.Rule {
	case access.RuleParticipant:
		return "took part in the call"
	case access.RuleAll:
		return fmt.Sprintf("profile %q sees every call in the workspace", l.Profile)
	default:
		return fmt.Sprintf("profile %q (%s): %s", l.Profile, l.Rule, strings.Join(names, " → "))
	}
}

type userAccessJSON struct {
	Identity     string         `json:"identity"`
	GongUserID   string         `json:"gong_user_id,omitempty"`
	VisibleCalls int            `json:"visible_calls"`
	ByRule       map[string]int `json:"by_rule"`
	Workspaces   []wsAccessJSON `json:"workspaces,omitempty"`
	Reason       string         `json:"reason,omitempty"`
}

type wsAccessJSON struct {
	Workspace string `json:"workspace"`
	Profile   string `json:"profile,omitempty"`
	Level     string `json:"level"`
	Calls     int    `json:"calls"`
	Note      string `json:"note,omitempty"`
}

func (p *program) explainUser(ctx context.Context, db *sqlite.DB, auth *access.Authorizer, who string, asJSON bool) error {
	d := auth.Decide(who)
	out := userAccessJSON{Identity: d.Identity, GongUserID: d.GongUserID, ByRule: map[string]int{}, Reason: d.Reason}
	count := func(v core.Visibility) (int, error) { return db.CountVisible(ctx, v) }
	var err error
	if out.VisibleCalls, err = count(d.Visibility); err != nil {
		return err
	}
	switch {
	case d.Visibility.Nothing():
	case d.Visibility.Everything:
		out.ByRule["everyone"] = out.VisibleCalls
	default:
		rules := auth.Rules()
		own := rules.User(d.GongUserID).Keys()
		for _, ws := range rules.Workspaces() {
			g := rules.Grant(d.GongUserID, ws)
			line := wsAccessJSON{Workspace: rules.WorkspaceName(ws), Profile: g.Profile, Level: g.Level, Note: g.Note}
			switch g.Level {
			case core.LevelNone:
			case core.LevelAll:
				if line.Calls, err = count(core.Visibility{Workspaces: []string{ws}}); err != nil {
					return err
				}
				out.ByRule[access.RuleAll] += line.Calls
			default:
				mine, err := count(core.Visibility{Participants: map[string][]string{ws: own}})
				if err != nil {
					return err
				}
				if line.Calls, err = count(core.Visibility{Participants: map[string][]string{ws: d.Visibility.Participants[ws]}}); err != nil {
					return err
				}
				out.ByRule[access.RuleParticipant] += mine
				if line.Calls > mine {
					out.ByRule[g.Level] += line.Calls - mine
				}
			}
			out.Workspaces = append(out.Workspaces, line)
		}
	}
	if asJSON {
		return writeJSON(p.stdout, out)
	}
	w := p.stdout
	if out.Reason != "" {
		fmt.Fprintf(w, "%s may see no calls: %s.\n", who, out.Reason)
		return nil
	}
	fmt.Fprintf(w, "%s may see %d calls", who, out.VisibleCalls)
	if out.GongUserID != "" {
		fmt.Fprintf(w, " (Gong user %s)", out.GongUserID)
	}
	fmt.Fprintln(w, ".")
	rulesSeen := make([]string, 0, len(out.ByRule))
	for r := range out.ByRule {
		rulesSeen = append(rulesSeen, r)
	}
	slices.Sort(rulesSeen)
	for _, r := range rulesSeen {
		fmt.Fprintf(w, "  %-16s %d\n", r, out.ByRule[r])
	}
	if len(out.Workspaces) > 0 {
		fmt.Fprintln(w, "\nBy workspace:")
		for _, l := range out.Workspaces {
			fmt.Fprintf(w, "  %-28s %-15s %6d calls", l.Workspace, l.Level, l.Calls)
			if l.Profile != "" {
				fmt.Fprintf(w, "  profile %q", l.Profile)
			}
			if l.Note != "" {
				fmt.Fprintf(w, "  (%s)", l.Note)
			}
			fmt.Fprintln(w)
		}
	}
	return nil
}

// identities refreshes the identity mapping from the stored permission
// snapshot and prints the report.
func (p *program) identities(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("identities", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file")
	asJSON := fs.Bool("json", false, "print JSON")
	p.helpFlags(fs, "identities --config FILE [--json]")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, db, err := p.openIndex(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer db.Close()
	snap, err := storedSnapshot(ctx, cfg, db)
	if err != nil {
		return err
	}
	m, refreshErr := p.refreshIdentities(ctx, cfg, db, snap, p.logger(false))
	if m != nil {
		if *asJSON {
			if err := writeJSON(p.stdout, m); err != nil {
				return err
			}
		} else {
			printIdentities(p.stdout, m)
		}
	}
	if refreshErr != nil {
		return refreshErr
	}
	return nil
}

func printIdentities(w io.Writer, m *identity.Map) {
	counts := m.Counts()
	fmt.Fprintf(w, "%d Gong users, directory %s, mapped to %s (made %s):", len(m.Users), m.Directory, m.Target, m.Taken.UTC().Format("2006-01-02 15:04 UTC"))
	for _, s := range []identity.Status{identity.StatusMapped, identity.StatusInactive, identity.StatusNoMatch, identity.StatusSeveralMatches, identity.StatusRegexNoMatch, identity.StatusConflict} {
		if counts[s] > 0 {
			fmt.Fprintf(w, " %d %s", counts[s], strings.ReplaceAll(string(s), "_", " "))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	for _, e := range m.Entries() {
		id := e.Identity
		if id == "" {
			id = "-"
		}
		fmt.Fprintf(w, "  %-28s %-36s %-34s %s", cmp.Or(e.Name, e.GongUserID), e.Email, id, e.Status)
		if e.Status != identity.StatusMapped {
			fmt.Fprintf(w, ": %s", e.Reason)
		}
		fmt.Fprintln(w)
	}
}

// decideAs resolves --as for the search command: the local admin without
// it, the identity's trimmed view with it.
func (p *program) decideAs(ctx context.Context, cfgPath string, as string) (core.Visibility, string, error) {
	if as == "" {
		return core.Visibility{Everything: true}, "(searching as the local admin: every indexed call)", nil
	}
	cfg, db, err := p.openIndex(ctx, cfgPath)
	if err != nil {
		return core.Visibility{}, "", err
	}
	defer db.Close()
	auth, _, err := p.accessFor(ctx, cfg, db, p.logger(false), p.stderr)
	if err != nil {
		return core.Visibility{}, "", err
	}
	d := auth.Decide(as)
	if d.Visibility.Nothing() {
		return d.Visibility, fmt.Sprintf("(searching as %s, who may see no calls: %s)", as, d.Reason), nil
	}
	return d.Visibility, fmt.Sprintf("(searching as %s: only the calls they may see in Gong)", as), nil
}
