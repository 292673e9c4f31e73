package crawl

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"gongconnector/internal/core"
)

// RunFunc runs one crawl of a kind (core.CrawlFull or core.CrawlIncremental)
// to its end, or until ctx is cancelled, when it checkpoints and returns.
type RunFunc func(ctx context.Context, kind string) (core.CrawlRun, error)

// ScheduleOptions configure a Scheduler.
type ScheduleOptions struct {
	// Full and Incremental are the intervals between crawls of each kind;
	// 0 schedules none of that kind (on-demand runs still work).
	Full, Incremental time.Duration
	// LastFull and LastIncremental are when crawls of each kind last
	// succeeded (zero: never), so that a restart keeps the rhythm.
	LastFull, LastIncremental time.Time
	// RetryAfter is how long after a failed scheduled crawl it is tried
	// again, when sooner than its interval (default 10 minutes).
	RetryAfter time.Duration
	Logger     *slog.Logger
}

// Scheduler runs full and incremental crawls on their intervals and on
// demand, one at a time. A full crawl takes precedence: it runs first when
// both are due, an on-demand full crawl stops a running incremental one
// (which checkpoints), and an incremental crawl is not started while a full
// one runs, since the full one lists everything. Paused, it runs nothing.
type Scheduler struct {
	run  RunFunc
	opts ScheduleOptions
	log  *slog.Logger

	mu        sync.Mutex
	paused    bool
	running   string             // kind of the crawl running now, "" for none
	startedAt time.Time          // when it started
	cancel    context.CancelFunc // stops the running crawl
	requested string             // an on-demand crawl waiting to run
	lastTry   map[string]time.Time
	lastOK    map[string]time.Time
	lastRun   *core.CrawlRun
	lastErr   string
	wake      chan struct{}
}

// Errors of Start, for the API to report.
var (
	ErrPaused      = errors.New("crawls are paused; resume them first")
	ErrFullRunning = errors.New("a full crawl is running; it lists everything an incremental crawl would")
	ErrUnknownKind = errors.New("the kind of crawl must be full or incremental")
)

// NewScheduler returns a scheduler; Run starts it.
func NewScheduler(run RunFunc, opts ScheduleOptions) *Scheduler {
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = 10 * time.Minute
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{
		run: run, opts: opts, log: log,
		lastTry: map[string]time.Time{core.CrawlFull: opts.LastFull, core.CrawlIncremental: opts.LastIncremental},
		lastOK:  map[string]time.Time{core.CrawlFull: opts.LastFull, core.CrawlIncremental: opts.LastIncremental},
		wake:    make(chan struct{}, 1),
	}
}

// ScheduleState is what the scheduler is doing, for status pages.
type ScheduleState struct {
	Paused bool `json:"paused"`
	// Running is the kind of the crawl running now, "" for none.
	Running         string    `json:"running,omitempty"`
	RunningSince    time.Time `json:"running_since,omitzero"`
	Requested       string    `json:"requested,omitempty"`
	NextFull        time.Time `json:"next_full,omitzero"`
	NextIncremental time.Time `json:"next_incremental,omitzero"`
	LastFull        time.Time `json:"last_full,omitzero"`
	LastIncremental time.Time `json:"last_incremental,omitzero"`
	// LastError is the last crawl's failure, in an admin's words.
	LastError string `json:"last_error,omitempty"`
}

// State returns the scheduler's state now.
func (s *Scheduler) State() ScheduleState {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := ScheduleState{
		Paused: s.paused, Running: s.running, RunningSince: s.startedAt, Requested: s.requested,
		LastFull: s.lastOK[core.CrawlFull], LastIncremental: s.lastOK[core.CrawlIncremental], LastError: s.lastErr,
	}
	if !s.paused {
		now := time.Now()
		st.NextFull, _ = s.nextLocked(core.CrawlFull, now)
		st.NextIncremental, _ = s.nextLocked(core.CrawlIncremental, now)
	}
	return st
}

// Start asks for a crawl of kind now. It runs as soon as the running crawl
// ends, except that a full crawl stops a running incremental one.
func (s *Scheduler) Start(kind string) error {
	if kind != core.CrawlFull && kind != core.CrawlIncremental {
		return ErrUnknownKind
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.paused:
		return ErrPaused
	case kind == core.CrawlIncremental && (s.running == core.CrawlFull || s.requested == core.CrawlFull):
		return ErrFullRunning
	}
	if s.requested != core.CrawlFull {
		s.requested = kind
	}
	if kind == core.CrawlFull && s.running == core.CrawlIncremental && s.cancel != nil {
		s.log.Info("stopping the incremental crawl for a full crawl")
		s.cancel()
	}
	s.poke()
	return nil
}

// SetIntervals changes the intervals between scheduled crawls (0: none of
// that kind); the next crawls are due by the new ones.
func (s *Scheduler) SetIntervals(full, incremental time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.Full, s.opts.Incremental = full, incremental
	s.poke()
}

// Pause stops the running crawl (it checkpoints, and resumes from there
// later) and runs nothing until Resume.
func (s *Scheduler) Pause() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.paused = true
	s.requested = ""
	if s.cancel != nil {
		s.cancel()
	}
	s.poke()
}

// Resume undoes Pause: crawls that fell due meanwhile run now.
func (s *Scheduler) Resume() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.paused = false
	s.poke()
}

func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// nextLocked returns when a scheduled crawl of kind is next due, and
// whether one is scheduled at all.
func (s *Scheduler) nextLocked(kind string, now time.Time) (time.Time, bool) {
	every := s.opts.Incremental
	if kind == core.CrawlFull {
		every = s.opts.Full
	}
	if every <= 0 {
		return time.Time{}, false
	}
	ok, try := s.lastOK[kind], s.lastTry[kind]
	if ok.IsZero() && try.IsZero() {
		// Never run: due now. (Not time.Now(), a moment after the caller's
		// now, which would never be due.)
		return now, true
	}
	next := ok.Add(every)
	if try.After(ok) { // the last attempt failed
		next = try.Add(min(every, s.opts.RetryAfter))
	}
	return next, true
}

// due returns the crawl to run now ("" for none) and, when none, how long
// until the next one is due (0 for none scheduled).
func (s *Scheduler) due(now time.Time) (string, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.paused {
		return "", 0
	}
	if k := s.requested; k != "" {
		s.requested = ""
		return k, 0
	}
	var wait time.Duration
	for _, kind := range []string{core.CrawlFull, core.CrawlIncremental} {
		next, ok := s.nextLocked(kind, now)
		if !ok {
			continue
		}
		if !next.After(now) {
			return kind, 0
		}
		if d := next.Sub(now); wait == 0 || d < wait {
			wait = d
		}
	}
	return "", wait
}

// Run runs crawls until ctx is cancelled; then it stops the running crawl,
// which checkpoints, waits for it and returns.
func (s *Scheduler) Run(ctx context.Context) {
	for {
		kind, wait := s.due(time.Now())
		if kind == "" {
			var timer <-chan time.Time
			var t *time.Timer
			if wait > 0 {
				t = time.NewTimer(wait)
				timer = t.C
			}
			select {
			case <-ctx.Done():
			case <-s.wake:
			case <-timer:
			}
			if t != nil {
				t.Stop()
			}
			if ctx.Err() != nil {
				return
			}
			continue
		}
		s.runOne(ctx, kind)
		if ctx.Err() != nil {
			return
		}
	}
}

func (s *Scheduler) runOne(ctx context.Context, kind string) {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	s.mu.Lock()
	s.running, s.startedAt, s.cancel = kind, start, cancel
	s.lastTry[kind] = start
	s.mu.Unlock()

	s.log.Info("crawl starting", slog.String("kind", kind))
	run, err := s.run(rctx, kind)

	s.mu.Lock()
	defer s.mu.Unlock()
	s.running, s.startedAt, s.cancel = "", time.Time{}, nil
	s.lastRun = &run
	switch {
	case err == nil:
		s.lastOK[kind] = start
		s.lastErr = ""
		if kind == core.CrawlFull {
			// A full crawl lists everything an incremental one would.
			s.lastOK[core.CrawlIncremental] = start
			s.lastTry[core.CrawlIncremental] = start
		}
		s.log.Info("crawl finished", slog.String("kind", kind), slog.Int("added", run.Added),
			slog.Int("updated", run.Updated), slog.Int("deleted", run.Deleted), slog.Duration("took", time.Since(start)))
	case rctx.Err() != nil && ctx.Err() == nil:
		// Stopped for a full crawl or a pause: not a failure, and due
		// again as it was.
		s.lastTry[kind] = s.lastOK[kind]
		s.log.Info("crawl stopped; it resumes from its checkpoint", slog.String("kind", kind))
	case ctx.Err() != nil:
		s.lastTry[kind] = s.lastOK[kind]
	default:
		s.lastTry[kind] = time.Now() // retried RetryAfter from now
		s.lastErr = err.Error()
		s.log.Error("crawl failed", slog.String("kind", kind), slog.String("error", err.Error()))
	}
}
