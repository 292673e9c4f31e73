package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"

	"gongconnector/internal/config"
	"gongconnector/internal/core"
	"gongconnector/internal/crawl"
	"gongconnector/internal/gong"
	"gongconnector/internal/sqlite"
)

func (p *program) crawl(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("crawl", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file")
	full := fs.Bool("full", false, "list every call in scope and delete what Gong no longer has")
	incr := fs.Bool("incremental", false, "pick up new and changed calls since the last crawl (the default)")
	perms := fs.Bool("permissions", false, "only refresh the permission snapshot")
	confirm := fs.Bool("confirm-deletions", false, "let this crawl delete more than crawl.delete_threshold of the index")
	debug := fs.Bool("v", false, "log every request retry and decision")
	p.helpFlags(fs, "crawl --config FILE [--full|--incremental|--permissions] [--confirm-deletions]")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	kind := core.CrawlIncremental
	switch {
	case *full && (*incr || *perms), *incr && *perms:
		return usageErr("choose one of --full, --incremental and --permissions")
	case *full:
		kind = core.CrawlFull
	case *perms:
		kind = core.CrawlPermissions
	}
	cfg, db, err := p.openIndex(ctx, *cfgPath)
	if err != nil {
		return err
	}
	log := p.logger(*debug)
	defer db.Close()
	run, err := p.runCrawl(ctx, cfg, db, log, kind, *confirm, p.stderr)
	p.printRun(p.stdout, run)
	if err != nil {
		return err
	}
	if run.Status == core.RunHeld {
		fmt.Fprintln(p.stderr, "gongconnector crawl: "+run.Message)
		return errHeld
	}
	return nil
}

// tuneGC lets the garbage collector run a third as often as Go's default
// while the heap stays under a soft limit, unless GOGC or GOMEMLIMIT say
// otherwise. A crawl decodes and discards a lot of JSON. Measured on a
// 200,000-call crawl: Go's defaults ~8,600 calls/s at 250 MB peak RSS;
// GOGC=300 under 175 MiB ~10,400 calls/s at 279 MB; GOGC=300 under 190 MiB
// ~10,700 calls/s at 292 MB, too close to the 300 MB budget.
func (p *program) tuneGC() {
	if p.getenv("GOGC") == "" {
		debug.SetGCPercent(300)
	}
	if p.getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(175 << 20)
	}
}

// isTerminal reports whether w is a terminal (and so may get colour and bars).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}

// runCrawl wires a Gong client and a crawler for cfg and runs one crawl, with
// a progress bar when progress is a terminal and log lines otherwise.
// After a crawl that refreshed the permission snapshot it refreshes the
// identity mapping; a failed mapping keeps the previous one and is logged.
func (p *program) runCrawl(ctx context.Context, cfg *config.Config, db *sqlite.DB, log *slog.Logger, kind string, confirm bool, progress io.Writer) (core.CrawlRun, error) {
	before, err := db.SnapshotTaken(ctx)
	if err != nil {
		return core.CrawlRun{}, err
	}
	run, err := p.runCrawlWith(ctx, cfg, db, log, kind, confirm, progress)
	if snap, serr := db.Snapshot(ctx); serr == nil && snap != nil && snap.Taken.After(before) {
		if _, merr := p.refreshIdentities(ctx, cfg, db, snap, log); merr != nil {
			log.Warn(merr.Error())
		}
	}
	return run, err
}

// runCrawlWith is runCrawl with crawler options adjusted (benchmarks).
func (p *program) runCrawlWith(ctx context.Context, cfg *config.Config, db *sqlite.DB, log *slog.Logger, kind string, confirm bool, progress io.Writer, mod ...func(*crawl.Options)) (core.CrawlRun, error) {
	p.tuneGC()
	used, _, err := db.APIRequestsOn(ctx, time.Now())
	if err != nil {
		return core.CrawlRun{}, err
	}
	client, err := gongClient(cfg, used, log)
	if err != nil {
		return core.CrawlRun{}, err
	}
	opts := crawl.Options{
		Workspaces:       cfg.Crawl.Workspaces,
		StartDate:        cfg.Crawl.StartDate.Time,
		Lookback:         cfg.Crawl.Lookback.D(),
		DeleteThreshold:  cfg.Crawl.DeleteThreshold,
		ConfirmDeletions: confirm,
		ContentRetry:     cfg.Crawl.ContentRetry.D(),
		Transcripts:      cfg.Crawl.Transcripts,
		CursorExpiredErr: gong.ErrCursorExpired,
		Logger:           log,
		Progress:         progressReporter(progress, kind, log),
	}
	for _, m := range mod {
		m(&opts)
	}
	log.Info("crawl starting", slog.String("kind", kind), slog.String("gong", client.BaseURL()), slog.String("index", db.Path()))
	return crawl.New(client, db, opts).Run(ctx, kind)
}

// progressReporter draws one bar on a terminal and logs a line every ten
// seconds otherwise.
func progressReporter(w io.Writer, kind string, log *slog.Logger) func(crawl.Progress) {
	if isTerminal(w) {
		var bar *progressbar.ProgressBar
		return func(pr crawl.Progress) {
			if bar == nil {
				bar = progressbar.NewOptions(pr.Total, progressbar.OptionSetWriter(w),
					progressbar.OptionSetDescription(kind+" crawl"), progressbar.OptionShowCount(),
					progressbar.OptionShowIts(), progressbar.OptionSetItsString("calls"),
					progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }))
			}
			if int64(pr.Total) != bar.GetMax64() {
				bar.ChangeMax(pr.Total)
			}
			bar.Set(pr.Seen)
		}
	}
	var last time.Time
	return func(pr crawl.Progress) {
		if time.Since(last) >= 10*time.Second {
			last = time.Now()
			log.Info("crawl progress", slog.Int("seen", pr.Seen), slog.Int("total", pr.Total))
		}
	}
}

func (p *program) printRun(w io.Writer, r core.CrawlRun) {
	if r.ID == 0 {
		return
	}
	d := r.Finished.Sub(r.Started).Round(time.Millisecond)
	if r.Finished.IsZero() {
		d = 0
	}
	fmt.Fprintf(w, "%s crawl %s in %s: %d calls seen, %d added, %d updated, %d deleted, %d skipped (private or out of scope); %d API requests, %d rate-limited\n",
		r.Kind, r.Status, d, r.Seen, r.Added, r.Updated, r.Deleted, r.Skipped, r.APIRequests, r.RateLimited)
	if r.Message != "" && r.Status != core.RunHeld {
		fmt.Fprintf(w, "  %s\n", r.Message)
	}
}
