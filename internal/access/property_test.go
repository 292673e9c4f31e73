package access_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gongconnector/internal/access"
	"gongconnector/internal/core"
	"gongconnector/internal/crawl"
	"gongconnector/internal/gong"
	"gongconnector/internal/sqlite"
)

// The property test: random tenants go through the real pipeline (Gong's
// API shapes over HTTP, the Gong client, the crawler, the SQLite index, the
// identity mapping, the access rules, the trimmed search), and every
// (tenant, user, query) result is compared with a brute-force oracle of
// PRODUCT.md §2 written here, separately from internal/access: it walks up
// manager chains where the package walks down, and reads calls as Gong sends
// them, not as the index keeps them.

// vocab are the words of call titles and briefs; none occurs in names or emails.
var vocab = []string{"zephyr", "quartz", "nebula", "quasar", "zenith", "zealot", "quiver", "nectar"}

type tUser struct {
	id, email string
	aliases   []string
	manager   string
	active    bool
	mapped    bool
}

type tProfile struct {
	id, ws, level string
	leads         []string // nil encodes JSON null
	members       []string
}

type tParty struct{ userID, email string }

type tCall struct {
	id, ws, host string
	parties      []tParty
	private      bool
	words        []string
}

type tenant struct {
	ws       []string
	users    []tUser
	profiles []tProfile
	calls    []tCall
}

func genTenant(r *rand.Rand, n int) *tenant {
	t := &tenant{}
	for i := range 1 + r.IntN(3) {
		t.ws = append(t.ws, fmt.Sprintf("%d", 7000000000000000000+n*10+i))
	}
	depth := map[string]int{}
	nUsers := 4 + r.IntN(24)
	for i := range nUsers {
		u := tUser{id: fmt.Sprintf("%d", 1000000000000000000+n*100+i), active: r.Float64() < 0.85, mapped: r.Float64() < 0.9}
		u.email = fmt.Sprintf("user%d.t%d@contoso.com", i, n)
		if r.Float64() < 0.3 {
			u.aliases = []string{fmt.Sprintf("U%d.T%d@Alias.Contoso.com", i, n)}
		}
		// A tree up to depth 8: a random earlier user as manager, or none.
		if i > 0 && r.Float64() < 0.85 {
			for range 5 {
				m := t.users[r.IntN(i)]
				if depth[m.id] < 7 {
					u.manager = m.id
					depth[u.id] = depth[m.id] + 1
					break
				}
			}
		}
		t.users = append(t.users, u)
	}
	levels := []string{"all", "managers-team", "report-to-them", "own", "none"}
	for wi, ws := range t.ws {
		var profiles []tProfile
		for p := range 2 + r.IntN(4) {
			pr := tProfile{id: fmt.Sprintf("%d", 5000000000000000000+n*100+wi*10+p), ws: ws, level: levels[r.IntN(len(levels))]}
			if r.Float64() < 0.5 {
				for range 1 + r.IntN(3) {
					if r.Float64() < 0.1 {
						pr.leads = append(pr.leads, "9999999999999999999") // a lead who left
					} else {
						pr.leads = append(pr.leads, t.users[r.IntN(len(t.users))].id)
					}
				}
			}
			profiles = append(profiles, pr)
		}
		for _, u := range t.users {
			if r.Float64() < 0.85 { // some users hold no profile here
				p := &profiles[r.IntN(len(profiles))]
				p.members = append(p.members, u.id)
			}
		}
		t.profiles = append(t.profiles, profiles...)
	}
	for c := range 10 + r.IntN(50) {
		call := tCall{id: fmt.Sprintf("%d", 3000000000000000000+n*1000+c), ws: t.ws[r.IntN(len(t.ws))], private: r.Float64() < 0.1}
		if r.Float64() < 0.9 {
			call.host = t.users[r.IntN(len(t.users))].id
		}
		for range r.IntN(4) {
			u := t.users[r.IntN(len(t.users))]
			switch x := r.Float64(); {
			case x < 0.5:
				call.parties = append(call.parties, tParty{userID: u.id, email: u.email})
			case x < 0.75 || len(u.aliases) == 0: // attended by email only, in another case
				call.parties = append(call.parties, tParty{email: strings.ToUpper(u.email)})
			default:
				call.parties = append(call.parties, tParty{email: strings.ToLower(u.aliases[0])})
			}
		}
		if r.Float64() < 0.7 {
			call.parties = append(call.parties, tParty{email: fmt.Sprintf("buyer%d@fabrikam.com", r.IntN(5))})
		}
		for range 1 + r.IntN(3) {
			call.words = append(call.words, vocab[r.IntN(len(vocab))])
		}
		t.calls = append(t.calls, call)
	}
	return t
}

// --- the oracle ---

func (t *tenant) user(id string) *tUser {
	for i := range t.users {
		if t.users[i].id == id {
			return &t.users[i]
		}
	}
	return nil
}

// tookPart: host, a party with their user id, or a party email that is one
// of their addresses.
func (t *tenant) tookPart(id string, c *tCall) bool {
	if c.host == id {
		return true
	}
	u := t.user(id)
	for _, p := range c.parties {
		if p.userID == id {
			return true
		}
		if u != nil && p.email != "" {
			for _, a := range append([]string{u.email}, u.aliases...) {
				if strings.EqualFold(a, p.email) {
					return true
				}
			}
		}
	}
	return false
}

// under reports whether x reports to root, directly or transitively.
func (t *tenant) under(x, root string) bool {
	seen := map[string]bool{}
	for u := t.user(x); u != nil && u.manager != "" && !seen[u.manager]; u = t.user(u.manager) {
		if u.manager == root {
			return true
		}
		seen[u.manager] = true
	}
	return false
}

// participants are every user id (known or not) that took part in c.
func (t *tenant) participants(c *tCall) []string {
	ids := []string{}
	if c.host != "" {
		ids = append(ids, c.host)
	}
	for _, p := range c.parties {
		if p.userID != "" {
			ids = append(ids, p.userID)
		}
	}
	for _, u := range t.users {
		if t.tookPart(u.id, c) {
			ids = append(ids, u.id)
		}
	}
	return ids
}

func (t *tenant) sees(id string, c *tCall) bool {
	u := t.user(id)
	if u == nil || !u.active || !u.mapped || c.private {
		return false
	}
	var prof []tProfile
	for _, p := range t.profiles {
		if p.ws == c.ws && slices.Contains(p.members, id) {
			prof = append(prof, p)
		}
	}
	if len(prof) != 1 {
		return false
	}
	p := prof[0]
	switch p.level {
	case "all":
		return true
	case "none":
		return false
	}
	if t.tookPart(id, c) {
		return true
	}
	for _, x := range t.participants(c) {
		switch p.level {
		case "report-to-them":
			if len(p.leads) == 0 && t.under(x, id) {
				return true
			}
			for _, l := range p.leads {
				if t.under(x, l) {
					return true
				}
			}
		case "managers-team":
			roots := p.leads
			if len(roots) == 0 {
				if u.manager == "" {
					continue
				}
				roots = []string{u.manager}
			}
			for _, l := range roots {
				if x == l || t.under(x, l) {
					return true
				}
			}
		}
	}
	return false
}

func matches(c *tCall, terms []string) bool {
	for _, term := range terms {
		prefix, isPrefix := strings.CutSuffix(term, "*")
		found := false
		for _, w := range c.words {
			if w == term || (isPrefix && strings.HasPrefix(w, prefix)) {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// --- Gong's API for one tenant ---

func (t *tenant) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	var body any
	switch r.URL.Path {
	case "/v2/workspaces":
		var ws []gong.Workspace
		for _, id := range t.ws {
			ws = append(ws, gong.Workspace{ID: gong.ID(id), Name: "Workspace " + id[len(id)-2:]})
		}
		body = gong.WorkspacesResponse{RequestID: "r", Workspaces: ws}
	case "/v2/users":
		var us []gong.User
		for _, u := range t.users {
			us = append(us, gong.User{ID: gong.ID(u.id), EmailAddress: u.email, EmailAliases: u.aliases, Active: u.active, ManagerID: gong.ID(u.manager), FirstName: "First", LastName: "Last"})
		}
		body = gong.UsersResponse{RequestID: "r", Records: gong.Records{TotalRecords: len(us), CurrentPageSize: len(us)}, Users: us}
	case "/v2/all-permission-profiles":
		var ps []gong.Profile
		for _, p := range t.profiles {
			if p.ws == r.URL.Query().Get("workspaceId") {
				level := &gong.AccessLevel{PermissionLevel: p.level}
				for _, l := range p.leads {
					level.TeamLeadIDs = append(level.TeamLeadIDs, gong.ID(l))
				}
				ps = append(ps, gong.Profile{ID: gong.ID(p.id), Name: "Profile " + p.level, CallsAccess: level})
			}
		}
		body = gong.ProfilesResponse{RequestID: "r", Profiles: ps}
	case "/v2/permission-profile/users":
		var us []gong.ProfileUser
		for _, p := range t.profiles {
			if p.id == r.URL.Query().Get("profileId") {
				for _, m := range p.members {
					us = append(us, gong.ProfileUser{ID: gong.ID(m)})
				}
			}
		}
		body = gong.ProfileUsersResponse{RequestID: "r", Users: us}
	case "/v2/calls/extensive":
		var calls []gong.ExtensiveCall
		start := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
		for i, c := range t.calls {
			x := gong.ExtensiveCall{MetaData: gong.CallMeta{
				ID: gong.ID(c.id), Title: strings.Join(c.words, " "), WorkspaceID: gong.ID(c.ws),
				PrimaryUserID: gong.ID(c.host), IsPrivate: c.private, URL: "https://app.gong.io/call?id=" + c.id,
				Started: gong.Time{Time: start.Add(time.Duration(i) * time.Hour)}, Duration: 1800,
			}}
			for _, p := range c.parties {
				x.Parties = append(x.Parties, gong.Party{UserID: gong.ID(p.userID), EmailAddress: p.email, Name: "Someone"})
			}
			x.Content = &gong.Content{Brief: "Discussed " + strings.Join(c.words, " and ") + "."}
			calls = append(calls, x)
		}
		body = gong.ExtensiveResponse{RequestID: "r", Records: gong.Records{TotalRecords: len(calls), CurrentPageSize: len(calls)}, Calls: calls}
	default:
		http.Error(w, `{"errors":["not found"]}`, http.StatusNotFound)
		return
	}
	json.NewEncoder(w).Encode(body)
}

// people maps emails of mapped users to their Gong ids, as an identity
// mapping would; unmapped users are missing from the directory.
type people map[string]string

func (p people) GongUser(identity string) (string, string) {
	if id, ok := p[strings.ToLower(identity)]; ok {
		return id, ""
	}
	return "", identity + " is not mapped"
}

func TestTrimmedSearchMatchesOracle(t *testing.T) {
	tenants := 80
	if testing.Short() {
		tenants = 10
	}
	cases, leaks, misses := 0, 0, 0
	for n := range tenants {
		r := rand.New(rand.NewPCG(uint64(n), 42))
		ten := genTenant(r, n)
		srv := httptest.NewServer(http.HandlerFunc(ten.serve))
		db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), fmt.Sprintf("t%d.db", n)))
		if err != nil {
			t.Fatal(err)
		}
		client, err := gong.New(gong.Options{BaseURL: srv.URL, AccessKey: "k", AccessKeySecret: "s", Rate: -1, DailyBudget: -1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := crawl.New(client, db, crawl.Options{}).Run(t.Context(), core.CrawlFull); err != nil {
			t.Fatalf("tenant %d: crawl: %v", n, err)
		}
		snap, err := db.Snapshot(t.Context())
		if err != nil || snap == nil {
			t.Fatalf("tenant %d: snapshot %v, %v", n, snap, err)
		}
		ppl := people{}
		for _, u := range ten.users {
			if u.mapped {
				ppl[u.email] = u.id
			}
		}
		auth := access.NewAuthorizer(access.New(snap), ppl, nil, access.ModeGong)

		for _, u := range ten.users {
			d := auth.Decide(u.email)
			for range 10 {
				terms := []string{vocab[r.IntN(len(vocab))]}
				switch x := r.Float64(); {
				case x < 0.3:
					terms = append(terms, vocab[r.IntN(len(vocab))])
				case x < 0.5:
					terms = []string{terms[0][:3] + "*"}
				}
				res, err := db.Search(t.Context(), core.Query{Text: strings.Join(terms, " "), Limit: 100, Visibility: d.Visibility})
				if err != nil {
					t.Fatal(err)
				}
				cases++
				got := map[string]bool{}
				for _, h := range res.Hits {
					got[h.ID] = true
				}
				want := 0
				for i := range ten.calls {
					c := &ten.calls[i]
					visible := ten.sees(u.id, c) && matches(c, terms)
					if visible {
						want++
					}
					switch {
					case got[c.id] && !visible:
						leaks++
						if leaks < 5 {
							t.Errorf("tenant %d: user %s (%s) sees call %s (ws %s, host %s, parties %+v) for %v; the oracle says no",
								n, u.id, u.email, c.id, c.ws, c.host, c.parties, terms)
						}
					case !got[c.id] && visible:
						misses++
						if misses < 5 {
							t.Errorf("tenant %d: user %s misses call %s (ws %s, host %s, parties %+v) for %v",
								n, u.id, c.id, c.ws, c.host, c.parties, terms)
						}
					}
				}
				if res.Total != want {
					t.Errorf("tenant %d: user %s, %v: total %d, want %d", n, u.id, terms, res.Total, want)
				}
			}
		}
		db.Close()
		srv.Close()
	}
	t.Logf("%d (tenant, user, query) cases over %d tenants: %d leaks, %d misses", cases, tenants, leaks, misses)
	if !testing.Short() && cases < 10000 {
		t.Errorf("only %d cases; want at least 10,000", cases)
	}
}
