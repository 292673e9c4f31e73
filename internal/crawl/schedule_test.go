package crawl

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"gongconnector/internal/core"
)

// fakeCrawls records the crawls a scheduler runs; each takes `took` of
// (fake) time unless cancelled, and fails while fail is set.
type fakeCrawls struct {
	mu      sync.Mutex
	took    time.Duration
	fail    bool
	started []string // "kind@minutes since the start"
	stopped []string // kinds cancelled before their end
	t0      time.Time
}

func (f *fakeCrawls) run(ctx context.Context, kind string) (core.CrawlRun, error) {
	f.mu.Lock()
	f.started = append(f.started, kind+"@"+time.Since(f.t0).Round(time.Minute).String())
	took, fail := f.took, f.fail
	f.mu.Unlock()
	select {
	case <-time.After(took):
	case <-ctx.Done():
		f.mu.Lock()
		f.stopped = append(f.stopped, kind)
		f.mu.Unlock()
		return core.CrawlRun{Kind: kind, Status: core.RunFailed}, ctx.Err()
	}
	if fail {
		return core.CrawlRun{Kind: kind, Status: core.RunFailed}, errors.New("Gong is down")
	}
	return core.CrawlRun{Kind: kind, Status: core.RunSucceeded}, nil
}

func (f *fakeCrawls) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.started...)
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// scheduled runs a scheduler over fake time for d and returns what ran.
func scheduled(t *testing.T, f *fakeCrawls, opts ScheduleOptions, d time.Duration, during func(s *Scheduler)) []string {
	t.Helper()
	var got []string
	synctest.Test(t, func(t *testing.T) {
		f.t0 = time.Now()
		if opts.LastFull.Equal(time.Time{}.Add(1)) { // "one hour ago" marker
			opts.LastFull = f.t0.Add(-time.Hour)
		}
		s := NewScheduler(f.run, opts)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { s.Run(ctx); close(done) }()
		if during != nil {
			during(s)
		}
		time.Sleep(d - time.Since(f.t0))
		cancel()
		<-done
		got = f.log()
	})
	return got
}

func TestScheduleIntervals(t *testing.T) {
	for name, tc := range map[string]struct {
		opts ScheduleOptions
		took time.Duration
		d    time.Duration
		want []string
	}{
		"first start: a full crawl at once, then incrementals": {
			opts: ScheduleOptions{Full: 24 * time.Hour, Incremental: 15 * time.Minute},
			took: 5 * time.Minute, d: 50 * time.Minute,
			want: []string{"full@0s", "incremental@15m0s", "incremental@30m0s", "incremental@45m0s"},
		},
		"a restart keeps the rhythm of the last full crawl": {
			opts: ScheduleOptions{Full: 2 * time.Hour, Incremental: 30 * time.Minute, LastFull: time.Time{}.Add(1)},
			took: time.Minute, d: 95 * time.Minute,
			want: []string{"incremental@0s", "incremental@30m0s", "full@1h0m0s", "incremental@1h30m0s"},
		},
		"only incremental crawls scheduled": {
			opts: ScheduleOptions{Incremental: time.Hour},
			took: time.Minute, d: 150 * time.Minute,
			want: []string{"incremental@0s", "incremental@1h0m0s", "incremental@2h0m0s"},
		},
		"a crawl longer than its interval runs back to back, never twice at once": {
			opts: ScheduleOptions{Incremental: 15 * time.Minute},
			took: 20 * time.Minute, d: 50 * time.Minute,
			want: []string{"incremental@0s", "incremental@20m0s", "incremental@40m0s"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			got := scheduled(t, &fakeCrawls{took: tc.took}, tc.opts, tc.d, nil)
			if !equal(got, tc.want) {
				t.Errorf("ran %v, want %v", got, tc.want)
			}
		})
	}
}

func TestScheduleFailureRetries(t *testing.T) {
	f := &fakeCrawls{took: time.Minute, fail: true}
	var state ScheduleState
	got := scheduled(t, f, ScheduleOptions{Incremental: time.Hour, RetryAfter: 10 * time.Minute}, 25*time.Minute, func(s *Scheduler) {
		time.Sleep(5 * time.Minute)
		state = s.State()
	})
	if want := []string{"incremental@0s", "incremental@11m0s", "incremental@22m0s"}; !equal(got, want) {
		t.Errorf("ran %v, want %v (retried 10 minutes after each failure)", got, want)
	}
	if state.LastError != "Gong is down" || !state.LastIncremental.IsZero() {
		t.Errorf("state after a failure = %+v", state)
	}
}

func TestScheduleOnDemand(t *testing.T) {
	f := &fakeCrawls{took: 10 * time.Minute}
	var errs []error
	got := scheduled(t, f, ScheduleOptions{Incremental: time.Hour, LastIncremental: time.Time{}}, 40*time.Minute, func(s *Scheduler) {
		time.Sleep(2 * time.Minute) // the first incremental crawl is running
		if st := s.State(); st.Running != core.CrawlIncremental {
			t.Errorf("running %q, want the incremental crawl", st.Running)
		}
		errs = append(errs, s.Start(core.CrawlFull)) // stops it, runs now
		time.Sleep(time.Minute)
		errs = append(errs, s.Start(core.CrawlIncremental)) // a full one is running
		errs = append(errs, s.Start("weekly"))
	})
	if want := []string{"incremental@0s", "full@2m0s"}; !equal(got, want) {
		t.Errorf("ran %v, want %v", got, want)
	}
	if !equal(f.stopped, []string{core.CrawlIncremental}) {
		t.Errorf("stopped %v, want the incremental crawl", f.stopped)
	}
	if errs[0] != nil || !errors.Is(errs[1], ErrFullRunning) || !errors.Is(errs[2], ErrUnknownKind) {
		t.Errorf("Start errors %v", errs)
	}
}

func TestSchedulePause(t *testing.T) {
	f := &fakeCrawls{took: 10 * time.Minute}
	var paused ScheduleState
	var startErr error
	got := scheduled(t, f, ScheduleOptions{Incremental: 15 * time.Minute}, 70*time.Minute, func(s *Scheduler) {
		time.Sleep(5 * time.Minute)
		s.Pause() // stops the first crawl
		time.Sleep(40 * time.Minute)
		paused = s.State()
		startErr = s.Start(core.CrawlFull)
		s.Resume() // the incremental crawl is long overdue: at once
	})
	if want := []string{"incremental@0s", "incremental@45m0s", "incremental@1h0m0s"}; !equal(got, want) {
		t.Errorf("ran %v, want %v", got, want)
	}
	if !paused.Paused || paused.Running != "" || !errors.Is(startErr, ErrPaused) {
		t.Errorf("while paused: state %+v, Start: %v", paused, startErr)
	}
}

// TestScheduleStopWaits: Run returns only after the running crawl has
// returned, having seen its context cancelled.
func TestScheduleStopWaits(t *testing.T) {
	f := &fakeCrawls{took: time.Hour}
	scheduled(t, f, ScheduleOptions{Full: 24 * time.Hour}, 10*time.Minute, nil)
	if !equal(f.stopped, []string{core.CrawlFull}) {
		t.Errorf("stopped %v, want the full crawl stopped by the shutdown", f.stopped)
	}
}

// TestScheduleSetIntervals: new intervals apply from the next crawl.
func TestScheduleSetIntervals(t *testing.T) {
	f := &fakeCrawls{took: time.Minute}
	got := scheduled(t, f, ScheduleOptions{Incremental: time.Hour}, 50*time.Minute, func(s *Scheduler) {
		time.Sleep(5 * time.Minute)
		s.SetIntervals(0, 20*time.Minute)
	})
	if want := []string{"incremental@0s", "incremental@20m0s", "incremental@40m0s"}; !equal(got, want) {
		t.Errorf("ran %v, want %v", got, want)
	}
}

// TestScheduleFirstCrawlOnRealClock: a scheduler that never ran starts a
// full crawl at once on the real clock, where time moves between two
// readings (fake time hid a scheduler that waited forever for it).
func TestScheduleFirstCrawlOnRealClock(t *testing.T) {
	ran := make(chan string, 4)
	s := NewScheduler(func(ctx context.Context, kind string) (core.CrawlRun, error) {
		ran <- kind
		return core.CrawlRun{Kind: kind, Status: core.RunSucceeded}, nil
	}, ScheduleOptions{Full: 24 * time.Hour, Incremental: 15 * time.Minute})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	select {
	case kind := <-ran:
		if kind != core.CrawlFull {
			t.Errorf("the first crawl is %s, want full", kind)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a scheduler that never ran started no crawl in 10 s")
	}
}
