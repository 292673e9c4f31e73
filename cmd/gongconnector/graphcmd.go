package main

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"gongconnector/internal/access"
	"gongconnector/internal/config"
	"gongconnector/internal/core"
	"gongconnector/internal/graph"
	"gongconnector/internal/identity"
	"gongconnector/internal/push"
	"gongconnector/internal/sqlite"
)

// Settings keys of the Microsoft 365 push.
const (
	graphSetupKey    = "graph.setup"
	graphLastPushKey = "graph.last_push"
)

// graphSetupState is what `graph setup` did last: for which connection
// (Graph address, tenant, connection id) and which schema.
type graphSetupState struct {
	Target string    `json:"target"`
	Schema string    `json:"schema"`
	At     time.Time `json:"at"`
}

// lastPush is the report of the last push, with the people it shared with.
type lastPush struct {
	push.Report
	People     int `json:"people"`
	Unresolved int `json:"unresolved"`
}

// loadSetupState reads what graph setup did last; the zero state when it
// never ran (or its record cannot be read: setup runs again).
func loadSetupState(ctx context.Context, db *sqlite.DB) (graphSetupState, error) {
	var st graphSetupState
	v, ok, err := db.Setting(ctx, graphSetupKey)
	if err == nil && ok {
		_ = json.Unmarshal([]byte(v), &st)
	}
	return st, err
}

func graphTarget(cfg *config.Config) string {
	e := cfg.Identity.Entra
	return strings.TrimRight(e.GraphURL, "/") + "|" + strings.ToLower(e.TenantID) + "|" + strings.ToLower(cfg.Graph.ConnectionID)
}

func schemaVersion() string {
	b, _ := json.Marshal(graph.CallSchema())
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

func (p *program) graphCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("graph", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file")
	fake := fs.Bool("fake", false, "serve the Microsoft Graph test double on loopback (no subcommand)")
	listen := fs.String("listen", "127.0.0.1:0", "with --fake: the address to listen on")
	dir := fs.String("dir", "", "with --fake: where to write its certificate and credentials [a temporary directory]")
	debug := fs.Bool("v", false, "debug logging")
	p.helpFlags(fs, "graph setup|push|status --config FILE\n       gongconnector graph --fake [--config FILE] [--listen ADDR] [--dir DIR]")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	log := p.logger(*debug)
	if *fake {
		if len(rest) > 0 {
			return usageErr("--fake serves the test double; run setup, push and status from another shell against it")
		}
		return p.graphFake(ctx, *cfgPath, *listen, *dir, log)
	}
	if len(rest) != 1 {
		return usageErr("say what to do: graph setup, graph push or graph status (or graph --fake)")
	}
	cfg, db, err := p.openIndex(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer db.Close()
	switch rest[0] {
	case "setup":
		client, err := p.entraClient(cfg, "pushing to Microsoft 365 needs the app registration of identity.entra", log)
		if err != nil {
			return err
		}
		if err := p.graphSetup(ctx, cfg, db, client, log, p.stdout); err != nil {
			return err
		}
		fmt.Fprintf(p.stdout, "Next: gongconnector graph push --config %s\n", cfg.Path)
		return nil
	case "push":
		rep, err := p.graphPush(ctx, cfg, db, log, p.stdout)
		p.printPush(rep)
		return err
	case "status":
		return p.graphStatus(ctx, cfg, db, log)
	}
	return usageErr("unknown graph subcommand %q: want setup, push or status", rest[0])
}

// graphSetup creates or updates the connection and registers the schema,
// waiting while Graph provisions it (minutes). A connection other than
// the one pushed to before starts with nothing pushed.
func (p *program) graphSetup(ctx context.Context, cfg *config.Config, db *sqlite.DB, client *graph.Client, log *slog.Logger, out io.Writer) error {
	want := graph.Connection{ID: cfg.Graph.ConnectionID, Name: cfg.DisplayName, Description: cfg.Graph.Description, ContentCategory: "meetingTranscripts"}
	conn, err := client.EnsureConnection(ctx, want)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Connection %s (%q) at %s: %s\n", conn.ID, conn.Name, client.BaseURL(), cmp.Or(conn.State, "created"))
	fmt.Fprintln(out, "Registering the schema; Microsoft Graph takes a few minutes to provision it...")
	if err := client.RegisterSchema(ctx, want.ID, graph.CallSchema(), p.graphPoll()); err != nil {
		return err
	}
	prev, err := loadSetupState(ctx, db)
	if err != nil {
		return err
	}
	if prev.Target != graphTarget(cfg) {
		if prev.Target != "" {
			log.Info("graph: a new connection: every call will be pushed to it", "connection", want.ID)
		}
		if err := db.ResetPush(ctx); err != nil {
			return err
		}
	}
	b, _ := json.Marshal(graphSetupState{Target: graphTarget(cfg), Schema: schemaVersion(), At: time.Now().UTC()})
	if err := db.SetSetting(ctx, graphSetupKey, string(b)); err != nil {
		return err
	}
	fmt.Fprintf(out, "Schema registered: %d properties.\n", len(graph.CallSchema().Properties))
	return nil
}

// graphPoll is how often setup asks whether the schema is provisioned.
func (p *program) graphPoll() time.Duration {
	if p.schemaPoll > 0 {
		return p.schemaPoll
	}
	return 15 * time.Second
}

// graphPush sets the connection up if it was not (or was for another
// connection or schema), then pushes what changed. The report is stored
// for graph status even when the push failed.
func (p *program) graphPush(ctx context.Context, cfg *config.Config, db *sqlite.DB, log *slog.Logger, out io.Writer) (lastPush, error) {
	client, err := p.entraClient(cfg, "pushing to Microsoft 365 needs the app registration of identity.entra", log)
	if err != nil {
		return lastPush{}, err
	}
	st, err := loadSetupState(ctx, db)
	if err != nil {
		return lastPush{}, err
	}
	if st.Target != graphTarget(cfg) || st.Schema != schemaVersion() {
		if err := p.graphSetup(ctx, cfg, db, client, log, out); err != nil {
			return lastPush{}, err
		}
	}
	a, unresolved, err := p.pushAccess(ctx, cfg, db, client, log)
	if err != nil {
		return lastPush{}, err
	}
	pusher := &push.Pusher{Store: db, Graph: client, Connection: cfg.Graph.ConnectionID, Schema: graph.CallSchema(),
		ItemsPerSecond: cfg.Graph.ItemsPerSecond, Concurrency: cfg.Graph.Concurrency, Log: log}
	if p.pushUnlimited {
		pusher.ItemsPerSecond = -1
	}
	rep, err := pusher.Push(ctx, a)
	last := lastPush{Report: rep, People: len(a.People), Unresolved: unresolved}
	if b, merr := json.Marshal(last); merr == nil {
		if serr := db.SetSetting(context.WithoutCancel(ctx), graphLastPushKey, string(b)); serr != nil {
			err = errors.Join(err, serr)
		}
	}
	return last, err
}

// pushAccess is who may see which item in Microsoft 365: everyone in the
// tenant (the everyone mode without an audience), the audience's people
// (everyone mode with one), or each mapped Gong user through the groups
// of what Gong lets them see. People are Entra object ids: the mapped
// directory user's with the entra directory, else the Entra user whose
// UPN or mail is the identity. It also returns how many people with
// access could not be found in Entra ID.
func (p *program) pushAccess(ctx context.Context, cfg *config.Config, db *sqlite.DB, client *graph.Client, log *slog.Logger) (push.Access, int, error) {
	if cfg.Access.Mode == access.ModeEveryone && len(cfg.Access.Audience) == 0 {
		t := cfg.Identity.Entra.TenantID
		if !graph.IsGUID(t) {
			return push.Access{}, 0, core.Errorf(core.EInvalid, "access.mode everyone grants the calls to the whole tenant in Microsoft 365: identity.entra.tenant_id must be the tenant's id (a GUID), not %q", t)
		}
		return push.Access{EveryoneTenant: strings.ToLower(t)}, 0, nil
	}
	type person struct {
		user       *core.DirectoryUser
		identity   string
		visibility core.Visibility
	}
	var people []person
	if cfg.Access.Mode == access.ModeEveryone {
		dir, err := p.directory(cfg, log)
		if err != nil {
			return push.Access{}, 0, fmt.Errorf("rollout audience: %w", err)
		}
		aud, err := identity.ResolveAudience(ctx, dir, cfg.Access.Audience)
		if err != nil {
			return push.Access{}, 0, fmt.Errorf("rollout audience (access.audience): %w", err)
		}
		for _, u := range aud.Users() {
			people = append(people, person{user: &u, identity: cmp.Or(u.UPN, u.Mail), visibility: core.Visibility{Everything: true}})
		}
	} else {
		auth, m, err := p.accessFor(ctx, cfg, db, log, p.stderr)
		if err != nil {
			return push.Access{}, 0, err
		}
		for _, e := range m.Entries() {
			if !e.InForce() {
				continue
			}
			d := auth.Decide(e.Identity)
			if d.Visibility.Nothing() {
				continue
			}
			people = append(people, person{user: e.User, identity: e.Identity, visibility: d.Visibility})
		}
	}
	var a push.Access
	ids := map[string]string{} // identity → Entra object id
	var lookup []string
	for _, pr := range people {
		switch {
		case cfg.Identity.Directory == identity.DirectoryEntra && pr.user != nil && pr.user.ID != "":
			ids[pr.identity] = pr.user.ID
		case cfg.Identity.Mapping.Target == core.AttrObjectID && graph.IsGUID(pr.identity):
			ids[pr.identity] = pr.identity // mapped to Entra object ids already
		case pr.identity != "":
			lookup = append(lookup, pr.identity)
		}
	}
	if len(lookup) > 0 {
		dir := graph.NewDirectory(client)
		for _, attr := range []core.Attribute{core.AttrUPN, core.AttrMail} {
			var missing []string
			for _, v := range lookup {
				if ids[v] == "" {
					missing = append(missing, v)
				}
			}
			if len(missing) == 0 {
				break
			}
			found, err := dir.Lookup(ctx, attr, missing)
			if err != nil {
				return push.Access{}, 0, fmt.Errorf("find the people who may see calls in Microsoft Entra ID: %w", err)
			}
			byKey := make(map[string][]core.DirectoryUser, len(found))
			for k, us := range found {
				byKey[strings.ToLower(k)] = us
			}
			for _, v := range missing {
				if us := byKey[strings.ToLower(v)]; len(us) == 1 { // several: ambiguous, nobody
					ids[v] = us[0].ID
				}
			}
		}
	}
	unresolved := 0
	for _, pr := range people {
		id := ids[pr.identity]
		if id == "" {
			unresolved++
			continue
		}
		a.People = append(a.People, push.Person{EntraID: id, Visibility: pr.visibility})
	}
	if unresolved > 0 {
		log.Warn("graph: people who may see calls are not in Microsoft Entra ID and see none in Microsoft 365", "people", unresolved)
	}
	return a, unresolved, nil
}

func (p *program) printPush(r lastPush) {
	if r.Started.IsZero() {
		return
	}
	fmt.Fprintf(p.stdout, "Pushed %d calls, deleted %d, %d failed; %d external groups made, %d members added, %d removed; %d people with access (%s).\n",
		r.Pushed, r.Deleted, r.Failed, r.GroupsCreated, r.MembersAdded, r.MembersRemoved, r.People, r.Finished.Sub(r.Started).Round(time.Millisecond))
	if r.Unresolved > 0 {
		fmt.Fprintf(p.stdout, "%d people who may see calls were not found in Microsoft Entra ID: they see none in Microsoft 365 (gongconnector identities lists them).\n", r.Unresolved)
	}
}

// readPushStatus reads the push state from the index: it asks Graph
// nothing.
func readPushStatus(ctx context.Context, cfg *config.Config, db *sqlite.DB) (*m365Status, error) {
	m := &m365Status{Connection: cfg.Graph.ConnectionID}
	st, err := loadSetupState(ctx, db)
	if err != nil {
		return nil, err
	}
	if st.Target == graphTarget(cfg) {
		m.SetUp = st.At.Format(time.RFC3339)
	}
	n, err := db.PushCounts(ctx)
	if err != nil {
		return nil, err
	}
	m.Items, m.Pending, m.Groups, m.Members = n.Items, &n.Queued, n.Groups, n.Members
	if v, ok, err := db.Setting(ctx, graphLastPushKey); err == nil && ok {
		var r lastPush
		if json.Unmarshal([]byte(v), &r) == nil {
			m.LastPush = &r
		}
	}
	return m, nil
}

func (p *program) graphStatus(ctx context.Context, cfg *config.Config, db *sqlite.DB, log *slog.Logger) error {
	w := p.stdout
	m, err := readPushStatus(ctx, cfg, db)
	if err != nil {
		return err
	}
	st, _ := loadSetupState(ctx, db) // read above; m says so if it failed
	switch {
	case st.Target == "":
		fmt.Fprintf(w, "Connection %s: not set up (gongconnector graph setup --config %s)\n", cfg.Graph.ConnectionID, cfg.Path)
	case m.SetUp == "":
		fmt.Fprintf(w, "Connection %s: the configuration names another connection than the one set up; the next push sets it up and pushes every call\n", cfg.Graph.ConnectionID)
	default:
		fmt.Fprintf(w, "Connection %s: set up %s", cfg.Graph.ConnectionID, m.SetUp)
		if client, err := p.entraClient(cfg, "reading the connection needs the app registration of identity.entra", log); err == nil {
			var conn graph.Connection
			if err := client.GetJSON(ctx, "/external/connections/"+cfg.Graph.ConnectionID, graph.PermConnection, &conn); err != nil {
				fmt.Fprintf(w, "; Microsoft Graph could not be asked: %s", describe(err))
			} else {
				fmt.Fprintf(w, "; state in Microsoft 365: %s", conn.State)
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "Items: %d pushed; %d calls changed, added or deleted since\n", m.Items, *m.Pending)
	fmt.Fprintf(w, "External groups: %d, with %d memberships\n", m.Groups, m.Members)
	if r := m.LastPush; r != nil {
		fmt.Fprintf(w, "Last push: %s, ", r.Started.UTC().Format(time.RFC3339))
		p.printPush(*r)
		if r.Error != "" {
			fmt.Fprintf(w, "It failed: %s\n", r.Error)
		}
	}
	return nil
}
