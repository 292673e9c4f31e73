package crawl_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"gongconnector/internal/core"
	"gongconnector/internal/crawl"
	"gongconnector/internal/gong"
	"gongconnector/internal/gongsim"
	"gongconnector/internal/sqlite"
)

// The crash test runs the crawler in a child process (this test binary,
// re-executed) so that it can be killed with SIGKILL for real.
const childEnv = "GONGCONNECTOR_CRAWL_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(runChild())
	}
	os.Exit(m.Run())
}

// runChild crawls GC_URL into GC_DB, as `gongconnector crawl` would.
func runChild() int {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, os.Getenv("GC_DB"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer db.Close()
	now, _ := time.Parse(time.RFC3339, os.Getenv("GC_NOW"))
	client, err := gong.New(gong.Options{BaseURL: os.Getenv("GC_URL"), AccessKey: testKey, AccessKeySecret: testSecret,
		Rate: -1, DailyBudget: -1, BackoffBase: time.Millisecond, BackoffMax: 10 * time.Millisecond, Now: func() time.Time { return now }})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	c := crawl.New(client, db, crawl.Options{Lookback: 24 * time.Hour, CursorExpiredErr: gong.ErrCursorExpired,
		BatchCalls: 150, Now: func() time.Time { return now }})
	if _, err := c.Run(ctx, os.Getenv("GC_KIND")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestKilledCrawlResumes kills the crawler with SIGKILL at random moments
// (at least 20 times: during listing, during writes, between batches),
// restarts it each time, and checks that the index ends identical to a clean
// crawl: nothing lost, nothing duplicated.
func TestKilledCrawlResumes(t *testing.T) {
	h := newHarness(t, gongsim.Options{Calls: 6000})
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "killed.db")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))

	var mu sync.Mutex
	var child *exec.Cmd
	start := func(kind string) *exec.Cmd {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"=1", "GC_DB="+dbPath, "GC_URL="+h.srv.URL,
			"GC_NOW="+h.sim.Now().Format(time.RFC3339), "GC_KIND="+kind)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		child = cmd
		mu.Unlock()
		return cmd
	}
	kills := 0
	for round := 0; kills < 24; round++ {
		if round > 200 {
			t.Fatalf("only %d kills landed in %d rounds", kills, round)
		}
		// Kill when the simulator has served a random number of this child's
		// requests: sometimes during the permission refresh, mostly while
		// pages are listed and batches written.
		target := h.requests.Load() + int64(1+rng.IntN(40))
		var once sync.Once
		killed := make(chan struct{})
		f := func(n int64, r *http.Request) {
			if n >= target {
				once.Do(func() {
					close(killed)
					mu.Lock()
					child.Process.Kill() // SIGKILL
					mu.Unlock()
				})
			}
		}
		h.onRequest.Store(&f)
		cmd := start(core.CrawlFull)
		err := cmd.Wait()
		h.onRequest.Store(nil)
		select {
		case <-killed:
			kills++
		default:
			if err != nil {
				t.Fatalf("crawler child failed without being killed: %v", err)
			}
			// It finished before the kill landed: begin a fresh full crawl
			// so later kills hit a crawl in progress again.
		}
	}
	// The last start runs to the end.
	if err := start(core.CrawlFull).Wait(); err != nil {
		t.Fatalf("final crawl: %v", err)
	}

	killedDB := openDB(t, dbPath)
	if r, err := killedDB.RunningRun(t.Context()); err != nil || r != nil {
		t.Fatalf("a run is still marked running: %+v %v", r, err)
	}
	clean := h.crawler(h.db, h.client())
	if _, err := clean.Run(t.Context(), core.CrawlFull); err != nil {
		t.Fatal(err)
	}
	sameCalls(t, fmt.Sprintf("after %d kills", kills), index(t, h.db), index(t, killedDB))
	truth, _ := h.truth(nil)
	sameCalls(t, "against Gong", truth, index(t, killedDB))
}
