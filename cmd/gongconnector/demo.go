package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"gongconnector/internal/config"
	"gongconnector/internal/core"
	"gongconnector/internal/gongsim"
	"gongconnector/internal/server"
	"gongconnector/internal/sqlite"
)

func (p *program) demo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "address to serve search on")
	dataDir := fs.String("data", "demo-data", "directory for the demo's index")
	seed := fs.Int64("seed", 1, "seed of the simulated tenant")
	calls := fs.Int("calls", 2000, "calls in the simulated tenant")
	every := fs.Duration("incremental", time.Minute, "how often to run an incremental crawl while serving")
	debug := fs.Bool("v", false, "debug logging")
	p.helpFlags(fs, "demo [--addr 127.0.0.1:8080] [--data DIR]")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	log := p.logger(*debug)

	// 1. A simulated Gong tenant on a loopback port, with its own key pair.
	key, secret := randomHex(8), randomHex(16)
	sim, err := gongsim.New(gongsim.Options{Seed: *seed, Calls: *calls, AccessKey: key, AccessKeySecret: secret,
		Rate: demoRate, DailyLimit: 10000, Timeline: true, Speed: 1})
	if err != nil {
		return err
	}
	simL, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("start the Gong simulator: %w", err)
	}
	simURL := "http://" + simL.Addr().String()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := serveUntilDone(ctx, simL, sim.Handler()); err != nil {
			log.Error("Gong simulator stopped", slog.String("error", err.Error()))
		}
	})
	defer wg.Wait()
	defer cancel()
	fmt.Fprintf(p.stdout, "Gong simulator: %s (%d calls, seed %d)\n", simURL, *calls, *seed)

	// 2. A configuration pointing at it; credentials stay in this process.
	if err := os.MkdirAll(*dataDir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", *dataDir, err)
	}
	cfgPath := filepath.Join(*dataDir, "gongconnector.yaml")
	cfgText := fmt.Sprintf("# Written by `gongconnector demo`; the simulator's address changes each run.\ndisplay_name: Gong (demo)\ndata_dir: .\ngong:\n  base_url: %s\n  rate: %d\n", simURL, demoRate)
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", cfgPath, err)
	}
	cfg, err := config.Load(cfgPath, func(k string) string {
		switch k {
		case "GONG_ACCESS_KEY":
			return key
		case "GONG_ACCESS_KEY_SECRET":
			return secret
		}
		return ""
	})
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()

	// 3. A full crawl, then the schedule's incremental crawls while serving.
	run, err := p.runCrawl(ctx, cfg, db, log, core.CrawlFull, true, p.stderr)
	p.printRun(p.stdout, run)
	if err != nil {
		return err
	}
	cfg.Crawl.IncrementalInterval = config.Duration(*every)

	// 4. An API token for the simulated user who sees the most calls,
	// made an admin; it lives as long as this process.
	token := "gc_demo_" + randomHex(16)
	who, err := p.widestIdentity(ctx, cfg, db, log)
	if err != nil {
		return err
	}
	cfg.Server.Tokens = []config.APIToken{{Name: "demo", SHA256: server.HashToken(token), Identity: who, Role: config.RoleAdmin}}
	svc, err := p.newService(ctx, cfg, db, log, true)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve on %s: %w (choose another with --addr)", *addr, err)
	}
	url := "http://" + l.Addr().String() + "/"
	fmt.Fprintf(p.stdout, "\nDemo ready: open %s\n  API (as %s, an admin): curl -H 'Authorization: Bearer %s' '%sapi/v1/search?q=acme'\n  Press Ctrl-C to stop.\n", url, who, token, url)
	if p.ready != nil {
		p.ready("demo", url)
	}
	return svc.run(ctx, l)
}

// widestIdentity returns the mapped identity who may see the most calls
// (of up to 300 users looked at).
func (p *program) widestIdentity(ctx context.Context, cfg *config.Config, db *sqlite.DB, log *slog.Logger) (string, error) {
	auth, m, err := p.accessFor(ctx, cfg, db, log, io.Discard)
	if err != nil {
		return "", err
	}
	best, most := "", -1
	for i, e := range m.Entries() {
		if i >= 300 {
			break
		}
		if !e.InForce() {
			continue
		}
		n, err := db.CountVisible(ctx, auth.Decide(e.Identity).Visibility)
		if err != nil {
			return "", err
		}
		if n > most {
			best, most = e.Identity, n
		}
	}
	if best == "" {
		return "", fmt.Errorf("no simulated user is mapped to an identity")
	}
	return best, nil
}

// demoRate paces the demo at 10 requests/s on both sides, faster than
// Gong's 3 so that the demo starts in seconds.
const demoRate = 10

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
