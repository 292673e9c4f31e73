package main

import (
	"bufio"
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"gongconnector/internal/config"
	"gongconnector/internal/core"
	"gongconnector/internal/crawl"
)

// bench measures a full crawl against a simulator running in a child
// process, so the figures (throughput, peak memory) are the crawler's own.
func (p *program) bench(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	calls := fs.Int("calls", 20000, "calls in the simulated tenant")
	seed := fs.Int64("seed", 1, "tenant seed")
	pacing := fs.Float64("pacing", 0, "requests per second on both sides (0 = pacing off; Gong's default is 3)")
	faults := fs.String("faults", "", "simulator fault injection spec")
	batch := fs.Int("batch", 0, "calls per crawl transaction (0 = the crawler's default)")
	replay := fs.Bool("replay", false, "crawl once to record the simulator's answers, then measure a second crawl that gets them replayed (the crawler's work alone)")
	cpuProfile := fs.String("cpuprofile", "", "write the crawler's CPU profile to this file (with --load and --data: the load's)")
	dataDir := fs.String("data", "", "directory for the index (default: a temporary directory, removed afterwards)")
	search := fs.Bool("search", false, "then compare trimmed with untrimmed searches for a rep, a manager and an all-access user; with --data, an index that already holds --calls calls is reused without crawling")
	rounds := fs.Int("rounds", 21, "runs of each search (with --search)")
	load := fs.Bool("load", false, "then run searches and questions from concurrent clients as random users (trimmed) and print latency percentiles, peak RSS and the ratio to bare FTS5; with --data, an index that already holds --calls calls is reused")
	clients := fs.Int("clients", 8, "concurrent clients (with --load)")
	duration := fs.Duration("duration", 30*time.Second, "how long the load runs (with --load)")
	serveLoad := fs.Bool("serve-load", false, "then run `serve` and load its HTTP API over loopback, twice, while a full crawl runs: errors, latency percentiles and resident memory (default 200 clients for 60s)")
	p.helpFlags(fs, "bench [--calls 20000] [--pacing 3] [--faults SPEC] [--search --data DIR]")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *serveLoad {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["clients"] {
			*clients = 200
		}
		if !set["duration"] {
			*duration = time.Minute
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	simArgs := []string{"simulate", "--addr", "127.0.0.1:0", "--seed", strconv.FormatInt(*seed, 10),
		"--calls", strconv.Itoa(*calls), "--rate", strconv.FormatFloat(*pacing, 'f', -1, 64), "--daily-limit", "0",
		"--timeline=false", "--speed", "0", "--access-key", "bench", "--access-key-secret", "bench-secret"}
	if *faults != "" {
		simArgs = append(simArgs, "--faults", *faults)
	}
	if *replay {
		simArgs = append(simArgs, "--memoize")
	}
	cmd := exec.CommandContext(ctx, exe, simArgs...)
	cmd.Stderr = p.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the simulator: %w", err)
	}
	defer cmd.Wait()
	defer cancel()
	url, err := simulatorURL(out)
	if err != nil {
		return err
	}
	go io.Copy(io.Discard, out)

	dir := *dataDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "gongconnector-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.Gong.BaseURL = url
	cfg.Gong.Rate = *pacing
	cfg.Gong.DailyBudget = -1
	cfg.Credentials = config.Credentials{AccessKey: "bench", AccessKeySecret: "bench-secret"}
	db, err := openStore(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if (*search || *load || *serveLoad) && *dataDir != "" {
		// An index crawled from a tenant of --calls calls holds fewer
		// (private calls are not stored): the crawl records the tenant's
		// size.
		tenant, _, _ := db.Setting(ctx, benchTenantSetting)
		if n, err := db.CountCalls(ctx); err == nil && (n >= *calls || tenant == strconv.Itoa(*calls)) {
			fmt.Fprintf(p.stdout, "reusing the index in %s (%d calls, from a tenant of %s)\n", dir, n, cmp.Or(tenant, "unknown size"))
			if *search {
				if err := benchSearch(ctx, p.stdout, db, *rounds); err != nil {
					return err
				}
			}
			if *load {
				stop, err := startCPUProfile(*cpuProfile)
				if err != nil {
					return err
				}
				defer stop()
				return benchLoad(ctx, p.stdout, db, *clients, *duration)
			}
			if *serveLoad {
				return p.benchServe(ctx, p.stdout, &cfg, db, *clients, *duration)
			}
			return nil
		}
	}
	log := slog.New(slog.DiscardHandler)
	if *replay {
		warm := cfg
		warm.DataDir = filepath.Join(dir, "warm-up")
		wdb, err := openStore(ctx, &warm)
		if err != nil {
			return err
		}
		_, err = p.runCrawl(ctx, &warm, wdb, log, core.CrawlFull, true, nil)
		wdb.Close()
		if err != nil {
			return fmt.Errorf("warm-up crawl: %w", err)
		}
		fmt.Fprintln(p.stdout, "warm-up crawl done: the measured crawl gets the simulator's answers replayed")
	}
	stop, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stop()
	start := time.Now()
	// The listing's own pace: from the first page stored to the last, leaving
	// out the permission refresh that precedes it.
	var firstAt, lastAt time.Time
	var firstSeen, lastSeen int
	run, err := p.runCrawlWith(ctx, &cfg, db, log, core.CrawlFull, true, nil, func(o *crawl.Options) {
		o.BatchCalls = *batch
		o.Progress = func(pr crawl.Progress) {
			if firstAt.IsZero() {
				firstAt, firstSeen = time.Now(), pr.Seen
			}
			lastAt, lastSeen = time.Now(), pr.Seen
		}
	})
	elapsed := time.Since(start)
	if err != nil {
		return err
	}
	indexed, err := db.CountCalls(ctx)
	if err != nil {
		return err
	}
	if err := db.SetSetting(ctx, benchTenantSetting, strconv.Itoa(*calls)); err != nil {
		return err
	}
	rate := float64(run.Seen) / elapsed.Seconds()
	pages := int(math.Ceil(float64(run.Seen) / 100))
	fmt.Fprintf(p.stdout, "full crawl: %d calls listed, %d indexed in %s\n", run.Seen, indexed, elapsed.Round(time.Millisecond))
	fmt.Fprintf(p.stdout, "throughput: %.0f calls/s\n", rate)
	if lastSeen > firstSeen {
		listing := float64(lastSeen-firstSeen) / lastAt.Sub(firstAt).Seconds()
		fmt.Fprintf(p.stdout, "listing pace: %.0f calls/s between the first and the last page", listing)
		if *pacing > 0 {
			fmt.Fprintf(p.stdout, ", %.1f%% of the theoretical %.0f calls/s at %g requests/s", 100*listing/(*pacing*100), *pacing*100, *pacing)
		}
		fmt.Fprintln(p.stdout)
	}
	fmt.Fprintf(p.stdout, "API requests: %d (ceil(calls/100) = %d extensive pages + %d others); 429s: %d\n", run.APIRequests, pages, run.APIRequests-pages, run.RateLimited)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(p.stdout, "peak RSS of the crawler: %s (Go heap now %d MB, Go runtime total %d MB)\n", peakRSS(), ms.HeapInuse>>20, ms.Sys>>20)
	if *search {
		if err := benchSearch(ctx, p.stdout, db, *rounds); err != nil {
			return err
		}
	}
	if *load {
		// The peak RSS then includes the crawl's: rerun with --data for
		// the serving process alone.
		return benchLoad(ctx, p.stdout, db, *clients, *duration)
	}
	if *serveLoad {
		return p.benchServe(ctx, p.stdout, &cfg, db, *clients, *duration)
	}
	return nil
}

// benchTenantSetting records, in an index bench crawled, how many calls
// the simulated tenant had.
const benchTenantSetting = "bench.tenant_calls"

// simulatorURL reads the child simulator's first line for its address.
func simulatorURL(r io.Reader) (string, error) {
	sc := bufio.NewScanner(r)
	if !sc.Scan() {
		return "", fmt.Errorf("the simulator exited before it listened")
	}
	line := sc.Text()
	i := strings.Index(line, "http://")
	if i < 0 {
		return "", fmt.Errorf("unexpected simulator output %q", line)
	}
	return strings.Fields(line[i:])[0], nil
}

// peakRSS reads the process's high-water mark of resident memory (Linux).
func peakRSS() string {
	if kb := procStatusKB("VmHWM:"); kb > 0 {
		return fmt.Sprintf("%d MB", kb/1024)
	}
	return "unknown"
}

// startCPUProfile writes a CPU profile to path until stop is called; with
// an empty path it does nothing.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
