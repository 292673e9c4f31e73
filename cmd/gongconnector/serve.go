package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sdkmcp "github.com/modelcontextprotocol/go-sdk/mcp"

	"gongconnector/internal/access"
	"gongconnector/internal/config"
	"gongconnector/internal/core"
	"gongconnector/internal/crawl"
	"gongconnector/internal/identity"
	"gongconnector/internal/mcp"
	"gongconnector/internal/server"
	"gongconnector/internal/sqlite"
)

func (p *program) serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file")
	addr := fs.String("addr", "", "address to listen on (default: server.listen of the configuration)")
	debug := fs.Bool("v", false, "debug logging")
	p.helpFlags(fs, "serve --config FILE [--addr HOST:PORT]")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := p.loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if *addr != "" {
		cfg.Server.Listen = *addr
	}
	log := p.logger(*debug)
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, err := p.newService(ctx, cfg, db, log, false)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (set server.listen or --addr)", cfg.Server.Listen, err)
	}
	url := "http://" + l.Addr().String() + "/"
	if len(cfg.Server.Tokens) == 0 && cfg.Server.OIDC.Issuer == "" {
		log.Warn("no sign-in is configured (server.tokens, server.oidc): every API request will be refused")
	}
	fmt.Fprintf(p.stdout, "Serving on %s (API: %sapi/v1/openapi.json). Press Ctrl-C to stop.\n", url, url)
	if p.ready != nil {
		p.ready("serve", url)
	}
	return svc.run(ctx, l)
}

// service is one serving process: the crawl schedule, the HTTP API and
// what decides who sees what, refreshed after each crawl.
type service struct {
	p       *program
	cfg     *config.Config
	db      *sqlite.DB
	log     *slog.Logger
	sched   *crawl.Scheduler
	metrics *server.Metrics
	handler http.Handler

	// access and people are replaced after a crawl refreshes the
	// permission snapshot; nil until one exists.
	access atomic.Pointer[access.Authorizer]
	people atomic.Pointer[identity.Map]
	// accessErr says why access is nil.
	accessErr atomic.Pointer[string]
	// mu guards cfg, which the setup page changes (see setup.go).
	mu sync.Mutex
	// pushNow asks the Microsoft 365 push loop for a push (graph.enabled).
	pushNow chan struct{}
}

func (p *program) newService(ctx context.Context, cfg *config.Config, db *sqlite.DB, log *slog.Logger, demo bool) (*service, error) {
	s := &service{p: p, cfg: cfg, db: db, log: log, metrics: server.NewMetrics(), pushNow: make(chan struct{}, 1)}
	// Browser sessions survive a restart when the key comes from the
	// environment.
	secret, err := config.Secret(p.getenv, "GONGCONNECTOR_SESSION_KEY")
	if err != nil {
		return nil, err
	}
	var sessionKey []byte
	if secret != "" {
		sessionKey = []byte(secret)
	} else if !demo {
		log.Info("browser sessions end when the server stops: set GONGCONNECTOR_SESSION_KEY to keep them")
	}
	s.refreshAccess(ctx)
	s.loadSetup(ctx)
	cfg = s.cfg

	last := func(kind string) time.Time {
		r, err := db.LastRun(ctx, kind, core.RunSucceeded)
		if err != nil || r == nil {
			return time.Time{}
		}
		return r.Started
	}
	s.sched = crawl.NewScheduler(s.crawl, crawl.ScheduleOptions{
		Full: cfg.Crawl.FullInterval.D(), Incremental: cfg.Crawl.IncrementalInterval.D(),
		LastFull: last(core.CrawlFull), LastIncremental: last(core.CrawlIncremental), Logger: log,
	})
	s.metrics.Gauges(
		func(ctx context.Context) (float64, error) { n, err := db.CountCalls(ctx); return float64(n), err },
		func(ctx context.Context) (float64, error) {
			if cfg.Gong.DailyBudget <= 0 {
				return -1, nil
			}
			used, _, err := db.APIRequestsOn(ctx, time.Now())
			return float64(max(cfg.Gong.DailyBudget-used, 0)), err
		})

	eng, err := answerEngine(cfg, db, log)
	if err != nil {
		return nil, err
	}

	tools := mcp.New(mcp.Options{Store: db, Asker: eng, Version: version, Logger: log,
		Visibility: func(_ context.Context, req *sdkmcp.CallToolRequest) (core.Visibility, error) {
			if req.Extra == nil || req.Extra.TokenInfo == nil {
				return core.Visibility{}, nil
			}
			v, _ := s.visibility(req.Extra.TokenInfo.UserID)
			return v, nil
		}})
	s.handler = server.New(server.Options{
		MCP:        tools,
		Store:      db,
		Asker:      eng,
		Auth:       server.NewAuthenticator(cfg.Server, nil, log),
		Visibility: s.visibility,
		Crawls:     s.sched,
		Status:     func(ctx context.Context) (any, error) { return readStatus(ctx, s.config(), db) },
		Identities: func(ctx context.Context) (any, error) {
			if m := s.people.Load(); m != nil {
				return m, nil
			}
			return nil, core.Errorf(core.EUnavailable, "%s", s.whyNoAccess())
		},
		ExplainCall: func(ctx context.Context, id string) (any, error) {
			a, m := s.access.Load(), s.people.Load()
			if a == nil || m == nil {
				return nil, core.Errorf(core.EUnavailable, "%s", s.whyNoAccess())
			}
			return callAccess(ctx, db, a, m, id)
		},
		Ready: func(ctx context.Context) error {
			if s.access.Load() == nil {
				return errors.New(s.whyNoAccess())
			}
			return nil
		},
		Setup:         s,
		Metrics:       s.metrics,
		Demo:          demo,
		DemoUsers:     s.demoUsers,
		SessionKey:    sessionKey,
		SecureCookies: strings.HasPrefix(cfg.Server.PublicURL, "https://"),
		PublicURL:     cfg.Server.PublicURL,
		Logger:        log,
	})
	return s, nil
}

// demoUsers lists simulated people for the demo's sign-in picker: the one
// who sees the most calls (an admin here) and others who see some.
func (s *service) demoUsers(ctx context.Context) ([]server.DemoUser, error) {
	a, m := s.access.Load(), s.people.Load()
	if a == nil || m == nil {
		return nil, core.Errorf(core.EUnavailable, "%s", s.whyNoAccess())
	}
	var out []server.DemoUser
	for i, e := range m.Entries() {
		if i >= 200 || len(out) >= 24 {
			break
		}
		if !e.InForce() {
			continue
		}
		n, err := s.db.CountVisible(ctx, a.Decide(e.Identity).Visibility)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			out = append(out, server.DemoUser{Identity: e.Identity, Name: cmp.Or(e.Name, e.Identity), Calls: n})
		}
	}
	widest := 0
	for i, u := range out {
		if u.Calls > out[widest].Calls {
			widest = i
		}
	}
	if len(out) > 0 {
		out[widest].Admin = true
	}
	return out, nil
}

// refreshAccess rebuilds who sees what from the stored permission
// snapshot and identity mapping; on failure the previous one stays.
func (s *service) refreshAccess(ctx context.Context) {
	a, m, err := s.p.accessFor(ctx, s.config(), s.db, s.log, io.Discard)
	if err != nil {
		why := "who may see what is not known yet: " + describe(err)
		s.accessErr.Store(&why)
		s.log.Warn("access rules not loaded", slog.String("error", describe(err)))
		return
	}
	s.access.Store(a)
	s.people.Store(m)
}

func (s *service) whyNoAccess() string {
	if w := s.accessErr.Load(); w != nil {
		return *w
	}
	return "who may see what is not known yet: the first crawl has not finished"
}

// visibility is what identity may see now; nothing before the first
// permission snapshot.
func (s *service) visibility(identity string) (core.Visibility, string) {
	a := s.access.Load()
	if a == nil {
		return core.Visibility{}, s.whyNoAccess()
	}
	d := a.Decide(identity)
	return d.Visibility, d.Reason
}

// crawl is the scheduler's RunFunc: a crawl, its metrics, and fresh access
// rules when it took a new permission snapshot.
func (s *service) crawl(ctx context.Context, kind string) (core.CrawlRun, error) {
	start := time.Now()
	before, _ := s.db.SnapshotTaken(ctx)
	run, err := s.p.runCrawl(ctx, s.config(), s.db, s.log, kind, false, nil)
	s.metrics.ObserveCrawl(run, err, err != nil && ctx.Err() != nil, time.Since(start))
	if after, _ := s.db.SnapshotTaken(context.WithoutCancel(ctx)); after.After(before) || s.access.Load() == nil {
		s.refreshAccess(context.WithoutCancel(ctx))
	}
	s.askPush()
	return run, err
}

// askPush asks the push loop for a push; one already asked for covers it.
func (s *service) askPush() {
	select {
	case s.pushNow <- struct{}{}:
	default:
	}
}

// pushLoop pushes to Microsoft 365 when asked: at start (a push a killed
// process left unfinished resumes) and after every crawl. A push runs
// beside the crawls, never two at once; a failed one is retried by the
// next.
func (s *service) pushLoop(ctx context.Context) {
	s.askPush()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.pushNow:
		}
		if taken, err := s.db.SnapshotTaken(ctx); err == nil && taken.IsZero() {
			continue // nothing to push before the first crawl
		}
		rep, err := s.p.graphPush(ctx, s.config(), s.db, s.log, io.Discard)
		if ctx.Err() != nil {
			return
		}
		s.metrics.ObservePush(rep.Finished.Sub(rep.Started), err != nil, map[string]int{"item_put": rep.Pushed, "item_delete": rep.Deleted,
			"group_create": rep.GroupsCreated, "member_add": rep.MembersAdded, "member_remove": rep.MembersRemoved, "failed": rep.Failed})
		attrs := []any{slog.Int("pushed", rep.Pushed), slog.Int("deleted", rep.Deleted), slog.Int("failed", rep.Failed),
			slog.Int("members_added", rep.MembersAdded), slog.Int("members_removed", rep.MembersRemoved),
			slog.Duration("took", rep.Finished.Sub(rep.Started).Round(time.Millisecond))}
		if err != nil {
			s.log.Error("graph: push to Microsoft 365 failed; the next crawl retries it", append(attrs, slog.String("error", describe(err)))...)
			continue
		}
		s.log.Info("graph: pushed to Microsoft 365", attrs...)
	}
}

// run serves on l and runs the crawl schedule until ctx ends. Then it stops
// accepting requests, lets those under way finish (up to 10 s), stops the
// running crawl (it checkpoints) and returns; the caller closes the store.
func (s *service) run(ctx context.Context, l net.Listener) error {
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	wg.Go(func() { s.sched.Run(ctx) })
	if s.config().Graph.Enabled {
		wg.Go(func() { s.pushLoop(ctx) })
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
		err = fmt.Errorf("serve: %w", err)
	}
	s.log.Info("shutting down: finishing requests, checkpointing the crawl")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	stop() // the schedule, when the server failed first
	wg.Wait()
	return err
}
