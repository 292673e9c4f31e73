// Package crawl copies a Gong tenant into the index: full crawls that list
// every call in scope and delete what Gong no longer has, and incremental
// crawls that pick up what is new or changed within a look-back window
// (PRODUCT.md §4). Progress is checkpointed in the same transaction as the
// calls it covers, so a killed crawl resumes where it stopped.
package crawl

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"gongconnector/internal/core"
)

// Source is Gong as the crawler needs it.
type Source interface {
	// FetchCallPage fetches one page and returns its cursor before decoding
	// it, so that the next page can be on its way while this one is decoded.
	FetchCallPage(ctx context.Context, f core.CallFilter, cursor string) (core.RawPage, error)
	PermissionSnapshot(ctx context.Context) (core.PermissionSnapshot, error)
	Usage() (requests, rateLimited int64)
}

// Store is the index as the crawler needs it.
type Store interface {
	CreateRun(ctx context.Context, run core.CrawlRun) (core.CrawlRun, error)
	UpdateRun(ctx context.Context, run core.CrawlRun) error
	RunningRun(ctx context.Context) (*core.CrawlRun, error)
	LastRun(ctx context.Context, kind string, status ...string) (*core.CrawlRun, error)
	ApplyBatch(ctx context.Context, b core.Batch) (core.BatchResult, error)
	CountCalls(ctx context.Context) (int, error)
	CountUnseen(ctx context.Context, s core.Sweep) (int, error)
	DeleteUnseen(ctx context.Context, s core.Sweep) (int, error)
	// IncompleteCalls lists calls without AI content started in [since, until).
	IncompleteCalls(ctx context.Context, since, until time.Time, limit int) ([]string, error)
	SaveSnapshot(ctx context.Context, s core.PermissionSnapshot) error
	Snapshot(ctx context.Context) (*core.PermissionSnapshot, error)
}

// Options configure a Crawler.
type Options struct {
	// Workspaces limits crawls to these workspaces, by id or name; empty = all.
	Workspaces []string
	// StartDate limits crawls to calls started on or after it.
	StartDate time.Time
	// Lookback is how far before the last crawl an incremental crawl re-lists.
	Lookback time.Duration
	// DeleteThreshold is the largest share of the index a crawl deletes
	// without ConfirmDeletions.
	DeleteThreshold float64
	// ConfirmDeletions lets this crawl delete past the threshold.
	ConfirmDeletions bool
	// ResumeWithin is how recent a failed full crawl must be to be resumed
	// rather than started over [24h].
	ResumeWithin time.Duration
	// ContentRetry is how long after a call's start an incomplete call is re-fetched.
	ContentRetry time.Duration
	Transcripts  bool
	// BatchCalls and BatchInterval bound how much is listed between two
	// commits [2000 calls, 2s]. Larger batches index faster (fewer, larger
	// full-text segments) and hold more memory.
	BatchCalls    int
	BatchInterval time.Duration
	// CursorExpiredErr is the Source's error for an expired pagination cursor
	// (matched with errors.Is); the listing then restarts from where it got to.
	CursorExpiredErr error
	// Progress, when set, is told how far the crawl got after each batch.
	Progress func(Progress)
	Logger   *slog.Logger
	Now      func() time.Time
}

// Progress is what a progress bar shows.
type Progress struct {
	Kind  string
	Seen  int
	Total int // Gong's count of calls to list, as known so far
}

// Crawler runs crawls of one Gong tenant into one store. One crawl runs at a time.
type Crawler struct {
	src   Source
	store Store
	opts  Options
	log   *slog.Logger
}

// New returns a crawler.
func New(src Source, store Store, opts Options) *Crawler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BatchCalls <= 0 {
		opts.BatchCalls = 2000
	}
	if opts.BatchInterval <= 0 {
		opts.BatchInterval = 2 * time.Second
	}
	if opts.DeleteThreshold == 0 {
		opts.DeleteThreshold = 0.10
	}
	if opts.ContentRetry == 0 {
		opts.ContentRetry = 7 * 24 * time.Hour
	}
	if opts.ResumeWithin == 0 {
		opts.ResumeWithin = 24 * time.Hour
	}
	return &Crawler{src: src, store: store, opts: opts, log: opts.Logger}
}

// Run runs a crawl of the given kind (core.CrawlFull or core.CrawlIncremental)
// and returns its record. A full crawl that a killed process left unfinished
// is resumed first, whatever kind was asked for: a full crawl takes precedence.
func (c *Crawler) Run(ctx context.Context, kind string) (core.CrawlRun, error) {
	switch kind {
	case core.CrawlFull, core.CrawlIncremental, core.CrawlPermissions:
	default:
		return core.CrawlRun{}, core.Errorf(core.EInvalid, "unknown crawl kind %q (want full, incremental or permissions)", kind)
	}
	scope := c.scope()
	left, err := c.store.RunningRun(ctx)
	if err != nil {
		return core.CrawlRun{}, fmt.Errorf("crawl: look for an unfinished run: %w", err)
	}
	if left != nil {
		if left.Kind == core.CrawlFull && left.Scope == scope {
			c.log.Info("resuming the full crawl a stopped process left unfinished",
				slog.Int64("run", left.ID), slog.Time("checkpoint", left.Checkpoint))
			return c.execute(ctx, *left)
		}
		left.Status = core.RunInterrupted
		left.Finished = c.opts.Now().UTC()
		left.Message = "the process stopped before this crawl finished; a later crawl covered its window"
		if err := c.store.UpdateRun(ctx, *left); err != nil {
			return core.CrawlRun{}, fmt.Errorf("crawl: close unfinished run %d: %w", left.ID, err)
		}
	}
	now := c.opts.Now().UTC().Truncate(time.Second)
	if kind == core.CrawlFull {
		// A full crawl that failed part-way (Gong down, the budget spent)
		// goes on from its checkpoint rather than listing everything again:
		// at a million calls a listing costs a day of Gong's API budget.
		last, err := c.store.LastRun(ctx, core.CrawlFull)
		if err != nil {
			return core.CrawlRun{}, fmt.Errorf("crawl: find the last full crawl: %w", err)
		}
		if last != nil && last.Status == core.RunFailed && last.Scope == scope &&
			now.Sub(last.Started) < c.opts.ResumeWithin && (last.Stage > 0 || !last.Checkpoint.IsZero()) {
			c.log.Info("resuming the full crawl that failed part-way", slog.Int64("run", last.ID), slog.Time("checkpoint", last.Checkpoint))
			last.Status, last.Finished, last.Message = core.RunRunning, time.Time{}, ""
			if err := c.store.UpdateRun(ctx, *last); err != nil {
				return core.CrawlRun{}, fmt.Errorf("crawl: reopen run %d: %w", last.ID, err)
			}
			return c.execute(ctx, *last)
		}
	}
	run := core.CrawlRun{Kind: kind, Status: core.RunRunning, Started: now, WindowTo: now, WindowFrom: c.opts.StartDate.UTC(), Scope: scope}
	if kind == core.CrawlIncremental {
		last, err := c.lastListing(ctx)
		if err != nil {
			return core.CrawlRun{}, err
		}
		if last == nil {
			c.log.Info("no earlier crawl: this incremental crawl lists every call in scope")
		} else if from := last.WindowTo.Add(-c.opts.Lookback); from.After(run.WindowFrom) {
			run.WindowFrom = from
		}
	}
	run, err = c.store.CreateRun(ctx, run)
	if err != nil {
		return core.CrawlRun{}, fmt.Errorf("crawl: record the run: %w", err)
	}
	return c.execute(ctx, run)
}

// scope describes what the crawl lists, as configured: a run is resumed only
// under the same scope.
func (c *Crawler) scope() string {
	ws := make([]string, 0, len(c.opts.Workspaces))
	for _, w := range c.opts.Workspaces {
		ws = append(ws, strings.ToLower(strings.TrimSpace(w)))
	}
	slices.Sort(ws)
	from := ""
	if !c.opts.StartDate.IsZero() {
		from = c.opts.StartDate.UTC().Format(time.RFC3339)
	}
	return "workspaces=" + strings.Join(ws, ",") + ";from=" + from
}

// lastListing finds the newest full or incremental run that listed its whole
// window (succeeded, or held only for its deletions).
func (c *Crawler) lastListing(ctx context.Context) (*core.CrawlRun, error) {
	var best *core.CrawlRun
	for _, k := range []string{core.CrawlFull, core.CrawlIncremental} {
		r, err := c.store.LastRun(ctx, k, core.RunSucceeded, core.RunHeld)
		if err != nil {
			return nil, fmt.Errorf("crawl: find the last %s crawl: %w", k, err)
		}
		if r != nil && (best == nil || r.ID > best.ID) {
			best = r
		}
	}
	return best, nil
}

// execute runs (or resumes) a recorded run to its end and records the outcome.
func (c *Crawler) execute(ctx context.Context, run core.CrawlRun) (core.CrawlRun, error) {
	st := &state{c: c, run: run}
	st.reqBase, st.limBase = c.src.Usage()
	err := st.crawl(ctx)
	st.run.Finished = c.opts.Now().UTC()
	switch {
	case err == nil && st.run.Status == core.RunRunning:
		st.run.Status = core.RunSucceeded
	case err != nil && ctx.Err() != nil:
		// Stopped from outside (shutdown): leave the run resumable.
		st.run.Status = core.RunInterrupted
		if st.run.Kind == core.CrawlFull {
			st.run.Status = core.RunRunning
			st.run.Finished = time.Time{}
		}
		st.run.Message = "stopped before it finished; progress is kept"
	case err != nil:
		st.run.Status = core.RunFailed
		st.run.Errors++
		st.run.Message = core.ErrorMessage(err)
	}
	// Record the outcome even when ctx is cancelled, so status tells the truth.
	wctx := context.WithoutCancel(ctx)
	if ferr := st.flushUsage(wctx); ferr != nil && err == nil {
		err = ferr
	}
	if uerr := c.store.UpdateRun(wctx, st.run); uerr != nil && err == nil {
		err = fmt.Errorf("crawl: record the outcome: %w", uerr)
	}
	c.log.Info("crawl finished", slog.String("kind", st.run.Kind), slog.String("status", st.run.Status),
		slog.Int("seen", st.run.Seen), slog.Int("added", st.run.Added), slog.Int("updated", st.run.Updated),
		slog.Int("deleted", st.run.Deleted), slog.Int("skipped", st.run.Skipped), slog.Int("api_requests", st.run.APIRequests))
	return st.run, err
}

// state is one crawl in progress.
type state struct {
	c   *Crawler
	run core.CrawlRun
	// scope is the workspace ids in scope; nil means every workspace.
	scope            []string
	reqBase, limBase int64 // Source usage when this process took the run over
	reqDone, limDone int64 // usage already written to the store
	total            int
}

func (s *state) crawl(ctx context.Context) error {
	c := s.c
	snap, err := s.refreshPermissions(ctx)
	if err != nil {
		return err
	}
	if s.run.Kind == core.CrawlPermissions {
		return nil
	}
	if s.scope, err = resolveWorkspaces(c.opts.Workspaces, snap); err != nil {
		return err
	}
	listings := s.listings()
	for i := s.run.Stage; i < len(listings); i++ {
		from := s.run.WindowFrom
		if s.run.Stage == i && !s.run.Checkpoint.IsZero() && s.run.Checkpoint.After(from) {
			from = s.run.Checkpoint
		}
		f := core.CallFilter{From: from, To: s.run.WindowTo, WorkspaceID: listings[i], Transcripts: c.opts.Transcripts}
		if err := s.list(ctx, f, i); err != nil {
			return err
		}
		if i+1 < len(listings) {
			s.run.Stage, s.run.Checkpoint = i+1, time.Time{}
			if err := s.commit(ctx, nil, nil, nil); err != nil {
				return err
			}
		}
	}
	if s.run.Kind == core.CrawlIncremental {
		if err := s.refetchIncomplete(ctx); err != nil {
			return err
		}
	}
	return s.sweep(ctx)
}

// listings are the workspace filters listed one after another: one listing
// of everything, or one per workspace in scope.
func (s *state) listings() []string {
	if s.scope == nil {
		return []string{""}
	}
	return s.scope
}

// refreshPermissions takes a new permission snapshot. A failure keeps the
// previous snapshot and is reported, unless Gong refused the credentials.
func (s *state) refreshPermissions(ctx context.Context) (*core.PermissionSnapshot, error) {
	snap, err := s.c.src.PermissionSnapshot(ctx)
	if err == nil && (len(snap.Workspaces) == 0 || len(snap.Users) == 0) {
		// Every tenant has workspaces and users: an empty answer is a broken
		// one, and must not replace what we know.
		err = core.Errorf(core.EUnavailable, "Gong listed %d workspaces and %d users", len(snap.Workspaces), len(snap.Users))
	}
	if err == nil {
		if err := s.c.store.SaveSnapshot(ctx, snap); err != nil {
			return nil, fmt.Errorf("crawl: save the permission snapshot: %w", err)
		}
		return &snap, nil
	}
	if ctx.Err() != nil || core.ErrorCode(err) == core.EUnauthorized || core.ErrorCode(err) == core.ENotFound {
		return nil, err
	}
	prev, perr := s.c.store.Snapshot(ctx)
	if perr != nil || prev == nil {
		return nil, fmt.Errorf("crawl: could not read Gong's permissions and no earlier snapshot exists: %w", err)
	}
	s.run.Errors++
	s.run.Message = "permission refresh failed, the previous snapshot of " + prev.Taken.Format(time.RFC3339) + " stays in force: " + core.ErrorMessage(err)
	s.c.log.Warn("permission refresh failed; keeping the previous snapshot", slog.Time("taken", prev.Taken), slog.String("error", err.Error()))
	return prev, nil
}

// resolveWorkspaces maps configured names or ids to ids.
func resolveWorkspaces(want []string, snap *core.PermissionSnapshot) ([]string, error) {
	if len(want) == 0 {
		return nil, nil
	}
	var ids, unknown []string
	for _, w := range want {
		w = strings.TrimSpace(w)
		found := ""
		for _, ws := range snap.Workspaces {
			if ws.ID == w || strings.EqualFold(ws.Name, w) {
				found = ws.ID
				break
			}
		}
		if found == "" {
			unknown = append(unknown, w)
		} else if !slices.Contains(ids, found) {
			ids = append(ids, found)
		}
	}
	if len(unknown) > 0 {
		var names []string
		for _, ws := range snap.Workspaces {
			names = append(names, fmt.Sprintf("%q (%s)", ws.Name, ws.ID))
		}
		return nil, core.Errorf(core.EInvalid, "crawl.workspaces names %s, which Gong does not have; its workspaces are %s",
			strings.Join(unknown, ", "), strings.Join(names, ", "))
	}
	slices.Sort(ids)
	return ids, nil
}

func (s *state) inScope(workspaceID string) bool {
	return s.scope == nil || slices.Contains(s.scope, workspaceID)
}
