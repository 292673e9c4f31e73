package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gongconnector/internal/gong"
	"gongconnector/internal/gongsim"
)

// searchIDs runs `search --as` and returns the ids found.
func searchIDs(t *testing.T, env map[string]string, cfg, as string, query ...string) []string {
	t.Helper()
	args := append([]string{"search", "--config", cfg, "--json", "--limit", "100"}, query...)
	if as != "" {
		args = append(args, "--as", as)
	}
	code, out, errOut := cli(t, env, args...)
	if code != 0 {
		t.Fatalf("search %v exit %d: %s", args, code, errOut)
	}
	var res struct {
		Results []struct{ ID string } `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("search --json: %v\n%s", err, out)
	}
	var ids []string
	for _, r := range res.Results {
		ids = append(ids, r.ID)
	}
	return ids
}

// TestExampleCallsTrimmed: each example question's call is found by its
// host, by the host's manager (a participant) and by the manager's manager
// (through their profile), and not by a rep of the same workspace who sees
// only their own calls.
func TestExampleCallsTrimmed(t *testing.T) {
	cfg, env, sim := tenant(t, 600)
	if code, out, errOut := cli(t, env, "crawl", "--config", cfg, "--full"); code != 0 {
		t.Fatalf("crawl exit %d: %s %s", code, out, errOut)
	}
	users := map[string]gong.User{}
	for _, u := range sim.Users() {
		users[string(u.ID)] = u
	}
	calls := map[string]gong.ExtensiveCall{}
	sim.Truth(func(x gong.ExtensiveCall) bool {
		calls[string(x.MetaData.ID)] = x
		return true
	})
	profileOf := func(user, ws string) string {
		for _, p := range sim.Profiles(ws) {
			if slices.Contains(p.MemberIDs, user) {
				return p.Profile.CallsAccess.PermissionLevel
			}
		}
		return ""
	}
	queries := map[string][]string{
		gongsim.ExampleAcme:      {"Acme", "planning"},
		gongsim.ExampleContoso:   {"Contoso", "demo"},
		gongsim.ExampleFabrikam:  {"Fabrikam"},
		gongsim.ExampleNorthwind: {"Northwind", "contract"},
	}
	for key, ids := range gongsim.ExampleCalls(sim) {
		for _, id := range strings.Split(ids, ",") {
			x := calls[id]
			ws := string(x.MetaData.WorkspaceID)
			host := users[string(x.MetaData.PrimaryUserID)]
			manager := users[string(host.ManagerID)]
			director := users[string(manager.ManagerID)]
			found := func(u gong.User) bool {
				return slices.Contains(searchIDs(t, env, cfg, u.EmailAddress, queries[key]...), id)
			}
			if !found(host) {
				t.Errorf("%s: host %s does not find call %s", key, host.EmailAddress, id)
			}
			if lvl := profileOf(string(manager.ID), ws); manager.Active && lvl != "" && lvl != "none" {
				if !found(manager) {
					t.Errorf("%s: the host's manager %s (%s) does not find call %s", key, manager.EmailAddress, lvl, id)
				}
			} else {
				t.Logf("%s: the host's manager has level %q (active %v) in the workspace; not checked", key, lvl, manager.Active)
			}
			if lvl := profileOf(string(director.ID), ws); director.Active && (lvl == "all" || lvl == "report-to-them") {
				if !found(director) {
					t.Errorf("%s: the manager's manager %s (%s) does not find call %s", key, director.EmailAddress, lvl, id)
				}
			}
			// An unrelated rep: own calls only, not a party of this call.
			var rep *gong.User
			for _, u := range sim.Users() {
				if u.Active && profileOf(string(u.ID), ws) == "own" && u.ID != host.ID && u.ID != manager.ID {
					took := false
					for _, p := range x.Parties {
						took = took || p.UserID == u.ID || strings.EqualFold(p.EmailAddress, u.EmailAddress)
					}
					if !took {
						rep = &u
						break
					}
				}
			}
			if rep == nil {
				t.Fatalf("%s: no unrelated rep with own-calls access in workspace %s", key, ws)
			}
			if found(*rep) {
				t.Errorf("%s: unrelated rep %s finds call %s", key, rep.EmailAddress, id)
			}
			if got := searchIDs(t, env, cfg, "", queries[key]...); !slices.Contains(got, id) {
				t.Errorf("%s: the local admin does not find call %s", key, id)
			}
		}
	}
}

// TestAccessCommands checks the admin's explanations against each other:
// every identity `access --call` lists finds the call with `search --as`, and
// `access --user` counts what they may see.
func TestAccessCommands(t *testing.T) {
	cfg, env, sim := tenant(t, 400)
	if code, _, errOut := cli(t, env, "crawl", "--config", cfg, "--full"); code != 0 {
		t.Fatalf("crawl: %s", errOut)
	}
	id := gongsim.ExampleCalls(sim)[gongsim.ExampleAcme]
	code, out, errOut := cli(t, env, "access", "--config", cfg, "--call", id, "--json")
	if code != 0 {
		t.Fatalf("access --call exit %d: %s", code, errOut)
	}
	var who struct {
		CallID     string `json:"call_id"`
		Identities []struct {
			Identity   string   `json:"identity"`
			GongUserID string   `json:"gong_user_id"`
			Rule       string   `json:"rule"`
			Path       []string `json:"path"`
		} `json:"identities"`
	}
	if err := json.Unmarshal([]byte(out), &who); err != nil {
		t.Fatalf("access --call --json: %v\n%s", err, out)
	}
	if who.CallID != id || len(who.Identities) < 2 {
		t.Fatalf("access --call: %+v", who)
	}
	rules := map[string]bool{}
	for i, w := range who.Identities {
		rules[w.Rule] = true
		if w.Identity == "" || w.GongUserID == "" || len(w.Path) == 0 {
			t.Errorf("identity %d is incomplete: %+v", i, w)
		}
		if i < 6 && !slices.Contains(searchIDs(t, env, cfg, w.Identity, "Acme", "planning"), id) {
			t.Errorf("%s may see the call by %s but does not find it", w.Identity, w.Rule)
		}
	}
	for _, r := range []string{"participant", "all"} {
		if !rules[r] {
			t.Errorf("no identity sees the call by rule %s: %v", r, rules)
		}
	}

	code, out, _ = cli(t, env, "access", "--config", cfg, "--user", who.Identities[0].Identity, "--json")
	var mine struct {
		Identity     string         `json:"identity"`
		VisibleCalls int            `json:"visible_calls"`
		ByRule       map[string]int `json:"by_rule"`
		Reason       string         `json:"reason"`
	}
	if err := json.Unmarshal([]byte(out), &mine); err != nil || code != 0 {
		t.Fatalf("access --user: %v %d\n%s", err, code, out)
	}
	sum := 0
	for _, n := range mine.ByRule {
		sum += n
	}
	if mine.VisibleCalls == 0 || sum != mine.VisibleCalls || mine.Reason != "" {
		t.Errorf("access --user: %+v (by_rule sums to %d)", mine, sum)
	}

	code, out, _ = cli(t, env, "access", "--config", cfg, "--user", "stranger@example.com")
	if code != 0 || !strings.Contains(out, "may see no calls") || !strings.Contains(out, "not mapped") {
		t.Errorf("access --user for a stranger: %d %q", code, out)
	}
	code, _, errOut = cli(t, env, "access", "--config", cfg, "--call", "123")
	if code != 1 || !strings.Contains(errOut, "not in the index") {
		t.Errorf("access --call for an unknown call: %d %q", code, errOut)
	}

	code, out, _ = cli(t, env, "identities", "--config", cfg)
	if code != 0 || !strings.Contains(out, "Gong users, directory email") {
		t.Errorf("identities: %d %q", code, out)
	}
}

// TestIdentityMappingBadInput: a broken mapping is refused with a clear
// message and the mapping in force stays.
func TestIdentityMappingBadInput(t *testing.T) {
	cfg, env, _ := tenant(t, 200)
	if code, _, errOut := cli(t, env, "crawl", "--config", cfg, "--full"); code != 0 {
		t.Fatalf("crawl: %s", errOut)
	}
	base, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(cfg)
	// A file directory where one address names two people.
	people := "id,upn,mail\n1,a@brightwave.io,x@brightwave.io\n2,b@brightwave.io,x@brightwave.io\n"
	if err := os.WriteFile(filepath.Join(dir, "people.csv"), []byte(people), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct{ section, want string }{
		"malformed regex":  {"identity:\n  mapping:\n    properties:\n      - property: first_name\n        regex: '(\\w+'\n    template: '{0}@x.com'\n", "does not compile"},
		"missing group":    {"identity:\n  mapping:\n    properties:\n      - property: first_name\n    template: '{0}.{1}@x.com'\n", "{1}"},
		"unreachable":      {"identity:\n  directory: file\n  file: missing.csv\n", "missing.csv"},
		"unknown property": {"identity:\n  mapping:\n    properties:\n      - property: shoe_size\n    template: '{0}'\n", "shoe_size"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(cfg, append(append([]byte{}, base...), tt.section...), 0o600); err != nil {
				t.Fatal(err)
			}
			code, _, errOut := cli(t, env, "identities", "--config", cfg)
			if code == 0 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want a failure naming %q", code, errOut, tt.want)
			}
		})
	}
	// The mapping made by the crawl is still in force.
	if err := os.WriteFile(cfg, base, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := cli(t, env, "identities", "--config", cfg, "--json"); code != 0 || !strings.Contains(out, `"status": "mapped"`) {
		t.Errorf("identities after the bad configs: %d", code)
	}
}

// TestDirectoryWithTwoUsersForOneEmail: a file directory that starts
// answering two people for one Gong user's email reports it, and that
// user's previous mapping stays in force.
func TestDirectoryWithTwoUsersForOneEmail(t *testing.T) {
	cfg, env, sim := tenant(t, 200)
	if code, _, errOut := cli(t, env, "crawl", "--config", cfg, "--full"); code != 0 {
		t.Fatalf("crawl: %s", errOut)
	}
	host := ""
	id := gongsim.ExampleCalls(sim)[gongsim.ExampleAcme]
	sim.Truth(func(x gong.ExtensiveCall) bool {
		if string(x.MetaData.ID) == id {
			host = string(x.MetaData.PrimaryUserID)
		}
		return host == ""
	})
	var email string
	var rows []string
	for _, u := range sim.Users() {
		if string(u.ID) == host {
			email = u.EmailAddress
		}
		rows = append(rows, fmt.Sprintf("obj-%s,%s,%s", u.ID, u.EmailAddress, u.EmailAddress))
	}
	dir := filepath.Dir(cfg)
	people := filepath.Join(dir, "people.csv")
	write := func(extra string) {
		csv := "id,upn,mail\n" + strings.Join(rows, "\n") + "\n" + extra
		if err := os.WriteFile(people, []byte(csv), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	base, _ := os.ReadFile(cfg)
	if err := os.WriteFile(cfg, append(base, "identity:\n  directory: file\n  file: people.csv\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	write("")
	if code, _, errOut := cli(t, env, "identities", "--config", cfg); code != 0 {
		t.Fatalf("identities with a clean directory: %d %s", code, errOut)
	}
	write("impostor,someone.else@brightwave.io," + email + "\n")
	code, out, _ := cli(t, env, "identities", "--config", cfg, "--json")
	if code != 0 {
		t.Fatalf("identities: exit %d", code)
	}
	var m struct {
		Users []struct {
			GongUserID string `json:"gong_user_id"`
			Identity   string `json:"identity"`
			Status     string `json:"status"`
			Reason     string `json:"reason"`
		} `json:"users"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	for _, e := range m.Users {
		if e.GongUserID == host {
			if e.Status != "several_matches" || !strings.Contains(e.Reason, "previous mapping") || !strings.EqualFold(e.Identity, email) {
				t.Errorf("the host's entry: %+v", e)
			}
		}
	}
	if !slices.Contains(searchIDs(t, env, cfg, email, "Acme", "planning"), id) {
		t.Errorf("%s no longer finds their call after the directory turned ambiguous", email)
	}
}
