package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"gongconnector/internal/config"
	"gongconnector/internal/core"
	"gongconnector/internal/sqlite"
)

// statusJSON is the documented `status --json` shape.
type statusJSON struct {
	CallsIndexed          int             `json:"calls_indexed"`
	LastCrawl             *runJSON        `json:"last_crawl"`
	LastFull              *runJSON        `json:"last_full_crawl"`
	LastIncremental       *runJSON        `json:"last_incremental_crawl"`
	APIRequestsToday      int             `json:"api_requests_today"`
	RateLimitedToday      int             `json:"rate_limited_today"`
	DailyBudget           int             `json:"daily_budget"`
	PermissionSnapshotAge string          `json:"permission_snapshot_taken,omitempty"`
	Recent                []core.CrawlRun `json:"recent_crawls"`
	// Microsoft365 is the push to Microsoft 365, when graph.enabled.
	Microsoft365 *m365Status `json:"microsoft365,omitempty"`
}

// m365Status is the state of the push to Microsoft 365.
type m365Status struct {
	Connection string `json:"connection"`
	// SetUp is when graph setup last ran for this connection (empty: not).
	SetUp string `json:"set_up,omitempty"`
	Items int    `json:"items_pushed"`
	// Pending is the calls changed, added or deleted since the last push.
	Pending  *int      `json:"calls_to_push"`
	Groups   int       `json:"external_groups"`
	Members  int       `json:"memberships"`
	LastPush *lastPush `json:"last_push,omitempty"`
}

type runJSON struct {
	ID          int64  `json:"id"`
	Kind        string `json:"kind"`
	Status      string `json:"status"`
	Started     string `json:"started"`
	Finished    string `json:"finished,omitempty"`
	APIRequests int    `json:"api_requests"`
	Seen        int    `json:"calls_seen"`
	Added       int    `json:"calls_added"`
	Updated     int    `json:"calls_updated"`
	Deleted     int    `json:"calls_deleted"`
	Skipped     int    `json:"calls_skipped"`
	RateLimited int    `json:"rate_limited"`
	Errors      int    `json:"errors"`
	Message     string `json:"message,omitempty"`
}

func toRunJSON(r *core.CrawlRun) *runJSON {
	if r == nil {
		return nil
	}
	out := &runJSON{ID: r.ID, Kind: r.Kind, Status: r.Status, Started: r.Started.UTC().Format(time.RFC3339),
		APIRequests: r.APIRequests, Seen: r.Seen, Added: r.Added, Updated: r.Updated, Deleted: r.Deleted,
		Skipped: r.Skipped, RateLimited: r.RateLimited, Errors: r.Errors, Message: r.Message}
	if !r.Finished.IsZero() {
		out.Finished = r.Finished.UTC().Format(time.RFC3339)
	}
	return out
}

func (p *program) status(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file")
	asJSON := fs.Bool("json", false, "print JSON")
	p.helpFlags(fs, "status --config FILE [--json]")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, db, err := p.openIndex(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := readStatus(ctx, cfg, db)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(p.stdout, st)
	}
	w := p.stdout
	fmt.Fprintf(w, "Index: %s\nCalls indexed: %d\n", db.Path(), st.CallsIndexed)
	fmt.Fprintf(w, "Gong API requests today (UTC): %d of a budget of %d (%d rate-limited)\n", st.APIRequestsToday, st.DailyBudget, st.RateLimitedToday)
	if st.PermissionSnapshotAge != "" {
		fmt.Fprintf(w, "Permission snapshot taken: %s\n", st.PermissionSnapshotAge)
	}
	if m := st.Microsoft365; m != nil {
		fmt.Fprintf(w, "Microsoft 365 (connection %s): %d calls pushed, %d to push; %d external groups (gongconnector graph status for more)\n",
			m.Connection, m.Items, *m.Pending, m.Groups)
	}
	if len(st.Recent) == 0 {
		fmt.Fprintln(w, "No crawl has run yet: run `gongconnector crawl --config FILE --full`.")
		return nil
	}
	fmt.Fprintln(w, "\nRecent crawls:")
	for _, r := range st.Recent {
		p.printRun(w, r)
	}
	return nil
}

func readStatus(ctx context.Context, cfg *config.Config, db *sqlite.DB) (*statusJSON, error) {
	st := &statusJSON{DailyBudget: cfg.Gong.DailyBudget}
	var err error
	if st.CallsIndexed, err = db.CountCalls(ctx); err != nil {
		return nil, err
	}
	if st.APIRequestsToday, st.RateLimitedToday, err = db.APIRequestsOn(ctx, time.Now()); err != nil {
		return nil, err
	}
	if st.Recent, err = db.Runs(ctx, 10); err != nil {
		return nil, err
	}
	if len(st.Recent) > 0 {
		st.LastCrawl = toRunJSON(&st.Recent[0])
	}
	for kind, dst := range map[string]**runJSON{core.CrawlFull: &st.LastFull, core.CrawlIncremental: &st.LastIncremental} {
		r, err := db.LastRun(ctx, kind)
		if err != nil {
			return nil, err
		}
		*dst = toRunJSON(r)
	}
	taken, err := db.SnapshotTaken(ctx)
	if err != nil {
		return nil, err
	}
	if !taken.IsZero() {
		st.PermissionSnapshotAge = taken.UTC().Format(time.RFC3339)
	}
	if cfg.Graph.Enabled {
		if st.Microsoft365, err = readPushStatus(ctx, cfg, db); err != nil {
			return nil, err
		}
	}
	return st, nil
}
