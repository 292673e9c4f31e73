package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gongconnector/internal/config"
	"gongconnector/internal/server"
	"gongconnector/internal/sqlite"
)

// benchServe runs `serve` on the crawled index and loads it over loopback:
// clients searching and asking as random users through the HTTP API, with
// bearer tokens, while a full crawl (paced at Gong's 3 requests/s) runs.
// It does it twice and prints errors, latency percentiles and the resident
// memory after each run.
func (p *program) benchServe(ctx context.Context, w io.Writer, cfg *config.Config, db *sqlite.DB, clients int, d time.Duration) error {
	log := slog.New(slog.DiscardHandler)
	auth, m, err := p.accessFor(ctx, cfg, db, log, io.Discard)
	if err != nil {
		return err
	}
	// Up to 48 users who may see calls, each with a token.
	r := mrand.New(mrand.NewPCG(3, 4))
	entries := m.Entries()
	r.Shuffle(len(entries), func(i, j int) { entries[i], entries[j] = entries[j], entries[i] })
	var tokens []string
	sc := *cfg
	for _, e := range entries {
		if len(tokens) == 48 {
			break
		}
		if !e.InForce() {
			continue
		}
		if v := auth.Decide(e.Identity).Visibility; v.Nothing() {
			continue
		}
		tok := "gc_bench_" + randomToken()
		tokens = append(tokens, tok)
		sc.Server.Tokens = append(sc.Server.Tokens, config.APIToken{Name: fmt.Sprintf("user %d", len(tokens)),
			SHA256: server.HashToken(tok), Identity: e.Identity, Role: config.RoleUser})
	}
	if len(tokens) == 0 {
		return fmt.Errorf("no user of the tenant may see any call")
	}
	admin := "gc_bench_admin_" + randomToken()
	sc.Server.Tokens = append(sc.Server.Tokens, config.APIToken{Name: "admin", SHA256: server.HashToken(admin),
		Identity: sc.Server.Tokens[0].Identity, Role: config.RoleAdmin})
	// Only the crawls the benchmark starts, at Gong's pace.
	sc.Gong.Rate, sc.Crawl.FullInterval, sc.Crawl.IncrementalInterval = 3, 0, 0

	svc, err := p.newService(ctx, &sc, db, log, false)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- svc.run(sctx, l) }()
	defer func() { stop(); <-served }()
	base := "http://" + l.Addr().String()

	names, err := db.Names(ctx)
	if err != nil {
		return err
	}
	ops := loadOps(r, names.Accounts, 2000)
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConns: clients + 16, MaxIdleConnsPerHost: clients + 16}}
	send := func(method, path, token, body string) (int, []byte, error) {
		req, err := http.NewRequestWithContext(ctx, method, base+path, strings.NewReader(body))
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := hc.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, b, err
	}
	crawling := func() string {
		_, b, _ := send("GET", "/api/v1/status", admin, "")
		var st struct {
			Schedule struct{ Running string } `json:"schedule"`
		}
		json.Unmarshal(b, &st)
		return st.Schedule.Running
	}

	fmt.Fprintf(w, "\nserve under load: %d clients over loopback for %v, as %d users with bearer tokens, 1 request in 5 a question, while a full crawl runs (3 requests/s to the simulator)\n",
		clients, d, len(tokens))
	var rss []int
	for run := 1; run <= 2; run++ {
		if code, b, err := send("POST", "/api/v1/crawls", admin, `{"kind":"full"}`); err != nil || code != http.StatusAccepted {
			return fmt.Errorf("start the full crawl: %d %s %v", code, b, err)
		}
		time.Sleep(200 * time.Millisecond)
		during := crawling()
		var mu sync.Mutex
		lat := map[bool][]time.Duration{}
		var errs atomic.Int64
		var firstErr atomic.Value
		deadline := time.Now().Add(d)
		var wg sync.WaitGroup
		for c := range clients {
			wg.Go(func() {
				rc := mrand.New(mrand.NewPCG(uint64(c), uint64(run)))
				mine := map[bool][]time.Duration{}
				for time.Now().Before(deadline) && ctx.Err() == nil {
					op := ops[rc.IntN(len(ops))]
					tok := tokens[rc.IntN(len(tokens))]
					start := time.Now()
					var code int
					var err error
					if op.ask {
						q, _ := json.Marshal(server.AskRequest{Question: op.text})
						code, _, err = send("POST", "/api/v1/ask", tok, string(q))
					} else {
						code, _, err = send("GET", "/api/v1/search?q="+url.QueryEscape(op.text), tok, "")
					}
					mine[op.ask] = append(mine[op.ask], time.Since(start))
					if err != nil || code != http.StatusOK {
						errs.Add(1)
						firstErr.CompareAndSwap(nil, fmt.Sprintf("%d %v", code, err))
					}
				}
				mu.Lock()
				for k, v := range mine {
					lat[k] = append(lat[k], v...)
				}
				mu.Unlock()
			})
		}
		wg.Wait()
		after := crawling()
		now := currentRSS()
		rss = append(rss, now)
		fmt.Fprintf(w, "run %d (the full crawl was %s at the start, %s at the end):\n", run, crawlState(during, "not running"), crawlState(after, "finished"))
		fmt.Fprintf(w, "  %-34s %8s %9s %9s %9s %9s\n", "", "requests", "per sec", "p50", "p90", "p99")
		loadRow(w, "search", lat[false], d)
		loadRow(w, "ask", lat[true], d)
		fmt.Fprintf(w, "  errors: %d", errs.Load())
		if e := firstErr.Load(); e != nil {
			fmt.Fprintf(w, " (first: %s)", e)
		}
		fmt.Fprintf(w, "\n  resident memory after the run: %d MB (peak so far %s)\n", now/1024, peakRSS())
		// Let the crawl end before the next run starts its own.
		for end := time.Now().Add(5 * time.Minute); crawling() != "" && time.Now().Before(end); {
			time.Sleep(time.Second)
		}
	}
	fmt.Fprintf(w, "resident memory, second run against the first: %+d MB\n", (rss[1]-rss[0])/1024)
	return nil
}

func randomToken() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// crawlState describes the crawl running ("" for none).
func crawlState(running, none string) string {
	if running == "" {
		return none
	}
	return running + " running"
}

// currentRSS returns the process's resident memory in KB (Linux), 0 when
// unknown.
func currentRSS() int { return procStatusKB("VmRSS:") }

// procStatusKB reads a field of /proc/self/status in KB, 0 when unknown.
func procStatusKB(field string) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			if f := strings.Fields(v); len(f) > 0 {
				kb, _ := strconv.Atoi(f[0])
				return kb
			}
		}
	}
	return 0
}
