package crawl_test

import (
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"gongconnector/internal/core"
	"gongconnector/internal/crawl"
	"gongconnector/internal/gong"
	"gongconnector/internal/gongsim"
	"gongconnector/internal/sqlite"
)

// clock is the frozen start of every test tenant.
var clock = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

const testKey, testSecret = "test-key", "test-secret"

// harness is a simulated Gong tenant on loopback, a client for it and an index.
type harness struct {
	t   testing.TB
	sim *gongsim.Sim
	srv *httptest.Server
	db  *sqlite.DB
	// requests counts every request the simulator received; onRequest, when
	// set, sees each one before it is served.
	requests  atomic.Int64
	onRequest atomic.Pointer[func(n int64, r *http.Request)]
}

func newHarness(t testing.TB, opts gongsim.Options) *harness {
	t.Helper()
	if opts.Seed == 0 {
		opts.Seed = 7
	}
	if opts.Now.IsZero() {
		opts.Now = clock
	}
	opts.AccessKey, opts.AccessKeySecret = testKey, testSecret
	sim, err := gongsim.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, sim: sim}
	inner := sim.Handler()
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := h.requests.Add(1)
		if f := h.onRequest.Load(); f != nil {
			(*f)(n, r)
		}
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(h.srv.Close)
	h.db = openDB(t, filepath.Join(t.TempDir(), "index.db"))
	return h
}

func openDB(t testing.TB, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func (h *harness) client(mod ...func(*gong.Options)) *gong.Client {
	o := gong.Options{
		BaseURL: h.srv.URL, AccessKey: testKey, AccessKeySecret: testSecret, Rate: -1, DailyBudget: -1,
		MaxAttempts: 12, BackoffBase: time.Millisecond, BackoffMax: 20 * time.Millisecond,
		Now: h.sim.Now,
	}
	for _, m := range mod {
		m(&o)
	}
	c, err := gong.New(o)
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

func (h *harness) crawler(db *sqlite.DB, src crawl.Source, mod ...func(*crawl.Options)) *crawl.Crawler {
	o := crawl.Options{
		Lookback: 24 * time.Hour, CursorExpiredErr: gong.ErrCursorExpired, Now: h.sim.Now,
		BatchCalls: 300,
	}
	for _, m := range mod {
		m(&o)
	}
	return crawl.New(src, db, o)
}

// crawl runs one crawl of kind with a fresh client and fails the test on error.
func (h *harness) crawl(kind string, mod ...func(*crawl.Options)) core.CrawlRun {
	h.t.Helper()
	run, err := h.crawler(h.db, h.client(), mod...).Run(h.t.Context(), kind)
	if err != nil {
		h.t.Fatalf("%s crawl: %v", kind, err)
	}
	return run
}

// truth is what Gong lists right now: non-private calls normalized, and the
// number of calls listed including private ones.
func (h *harness) truth(inScope func(*core.Call) bool) (calls map[string]*core.Call, listed int) {
	calls = map[string]*core.Call{}
	h.sim.Truth(func(x gong.ExtensiveCall) bool {
		listed++
		if x.MetaData.IsPrivate {
			return true
		}
		c := x.Normalize()
		if inScope == nil || inScope(c) {
			calls[c.ID] = c
		}
		return true
	})
	return calls, listed
}

// index reads every call in db.
func index(t testing.TB, db *sqlite.DB) map[string]*core.Call {
	t.Helper()
	out := map[string]*core.Call{}
	err := db.EachCall(t.Context(), func(c *core.Call) error {
		if _, dup := out[c.ID]; dup {
			t.Errorf("call %s stored twice", c.ID)
		}
		out[c.ID] = c
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameCalls fails the test unless want and got hold the same calls with the
// same content.
func sameCalls(t testing.TB, what string, want, got map[string]*core.Call) {
	t.Helper()
	var missing, extra, differ []string
	for id, w := range want {
		g, ok := got[id]
		switch {
		case !ok:
			missing = append(missing, id)
		case g.Hash() != w.Hash():
			differ = append(differ, id)
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			extra = append(extra, id)
		}
	}
	if len(missing)+len(extra)+len(differ) > 0 {
		slices.Sort(missing)
		slices.Sort(extra)
		slices.Sort(differ)
		t.Fatalf("%s: %d calls wanted, %d stored; missing %d %v; unexpected %d %v; different content %d %v",
			what, len(want), len(got), len(missing), head(missing), len(extra), head(extra), len(differ), head(differ))
	}
}

func head(s []string) []string { return s[:min(len(s), 5)] }

// recentCall picks a non-private call started in [from, to).
func (h *harness) callsBetween(from, to time.Time) []*core.Call {
	calls, _ := h.truth(nil)
	var out []*core.Call
	for _, id := range slices.Sorted(maps.Keys(calls)) {
		c := calls[id]
		if !c.Started.Before(from) && c.Started.Before(to) {
			out = append(out, c)
		}
	}
	return out
}

func ctxCancelledAfter(parent context.Context, h *harness, requests int64) context.Context {
	ctx, cancel := context.WithCancel(parent)
	start := h.requests.Load()
	f := func(n int64, r *http.Request) {
		if n-start >= requests {
			cancel()
		}
	}
	h.onRequest.Store(&f)
	context.AfterFunc(ctx, func() { h.onRequest.Store(nil) })
	return ctx
}

// newStatic serves one fixed answer to every request.
func newStatic(t testing.TB, status int, body string) string {
	return newFunc(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		w.Write([]byte(body))
	})
}

func newFunc(t testing.TB, f http.HandlerFunc) string {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv.URL
}
