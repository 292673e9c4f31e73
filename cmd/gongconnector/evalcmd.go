package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"gongconnector/internal/access"
	"gongconnector/internal/answer"
	"gongconnector/internal/config"
	"gongconnector/internal/core"
	"gongconnector/internal/crawl"
	"gongconnector/internal/eval"
	"gongconnector/internal/gongsim"
	"gongconnector/internal/sqlite"
)

// eval measures search and answers on the evaluation set: it crawls the
// set's simulated tenant into a fresh index, asks every question as the
// case says, and prints recall@10, MRR and answer accuracy.
func (p *program) eval(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	dataDir := fs.String("data", "", "directory for the tenant's index (default: a temporary one, removed after)")
	questions := fs.String("questions", "", "a question set in the format of internal/eval/questions.yaml (default: the built-in set)")
	verbose := fs.Bool("v", false, "print every case, not only the misses")
	p.helpFlags(fs, "eval [--questions FILE] [-v]")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	data := eval.Questions
	if *questions != "" {
		b, err := os.ReadFile(*questions)
		if err != nil {
			return usageErr("--questions: %v", err)
		}
		data = b
	}
	cases, err := eval.Load(data)
	if err != nil {
		return err
	}
	dir := *dataDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "gongconnector-eval-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	env, done, err := p.evalTenant(ctx, dir)
	if err != nil {
		return err
	}
	defer done()
	started := time.Now()
	rep, err := eval.Run(ctx, *env, cases)
	if err != nil {
		return err
	}
	t := eval.Tenant()
	fmt.Fprintf(p.stdout, "Evaluation over the simulated tenant (seed %d, %d calls, clock %s) in %v\n",
		t.Seed, t.Calls, t.Now.Format(time.RFC3339), time.Since(started).Round(time.Millisecond))
	rep.Print(p.stdout, *verbose)
	return nil
}

// evalSystem is what the evaluation measures: the index's search and the
// answer engine over it.
type evalSystem struct {
	*sqlite.DB
	*answer.Engine
}

// evalTenant starts the evaluation's simulated tenant on loopback, crawls
// it into an index in dir, and returns the environment to run cases in.
func (p *program) evalTenant(ctx context.Context, dir string) (*eval.Env, func(), error) {
	opts := eval.Tenant()
	opts.AccessKey, opts.AccessKeySecret = randomHex(8), randomHex(16)
	sim, err := gongsim.New(opts)
	if err != nil {
		return nil, nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("start the Gong simulator: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { serveUntilDone(ctx, l, sim.Handler()) })
	stop := func() { cancel(); wg.Wait() }

	cfgPath := filepath.Join(dir, "gongconnector.yaml")
	text := fmt.Sprintf("data_dir: .\ngong:\n  base_url: http://%s\n  rate: 0\n", l.Addr())
	if err := os.WriteFile(cfgPath, []byte(text), 0o600); err != nil {
		stop()
		return nil, nil, err
	}
	cfg, err := config.Load(cfgPath, func(k string) string {
		return map[string]string{"GONG_ACCESS_KEY": opts.AccessKey, "GONG_ACCESS_KEY_SECRET": opts.AccessKeySecret}[k]
	})
	if err != nil {
		stop()
		return nil, nil, err
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		stop()
		return nil, nil, err
	}
	done := func() { db.Close(); stop() }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := p.runCrawlWith(ctx, cfg, db, log, core.CrawlFull, true, nil, func(o *crawl.Options) { o.Now = sim.Now }); err != nil {
		done()
		return nil, nil, fmt.Errorf("crawl the evaluation tenant: %w", err)
	}
	var calls []*core.Call
	if err := db.EachCall(ctx, func(c *core.Call) error { calls = append(calls, c); return nil }); err != nil {
		done()
		return nil, nil, err
	}
	snap, err := db.Snapshot(ctx)
	if err != nil || snap == nil {
		done()
		return nil, nil, fmt.Errorf("the evaluation crawl stored no permission snapshot: %v", err)
	}
	rules := access.New(snap)
	users := slices.Clone(snap.Users)
	slices.SortFunc(users, func(a, b core.User) int { return strings.Compare(a.ID, b.ID) })
	visibility := func(as string, c *core.Call) (core.Visibility, error) {
		switch as {
		case eval.AsAdmin:
			return core.Visibility{Everything: true}, nil
		}
		keys := c.ParticipantKeys()
		if as == eval.AsHost {
			// The host, or when the host cannot sign in (inactive in
			// Gong), another of our people on the call who may see it.
			if v, _ := rules.Visibility(c.PrimaryUserID); v.Allows(c.WorkspaceID, keys) {
				return v, nil
			}
			for _, u := range users {
				took := slices.ContainsFunc(u.Keys(), func(k string) bool { return slices.Contains(keys, k) })
				if v, _ := rules.Visibility(u.ID); took && v.Allows(c.WorkspaceID, keys) {
					return v, nil
				}
			}
			// Nobody on the call can sign in: someone who may see it
			// through their team (a manager), not an all-access user.
			for _, u := range users {
				if v, _ := rules.Visibility(u.ID); v.Allows(c.WorkspaceID, keys) && len(v.Participants[c.WorkspaceID]) > 0 {
					return v, nil
				}
			}
			return core.Visibility{}, fmt.Errorf("no participant of call %s may see it", c.ID)
		}
		for _, u := range users {
			if !u.Active || rules.Grant(u.ID, c.WorkspaceID).Level != core.LevelOwn {
				continue
			}
			if v, _ := rules.Visibility(u.ID); !v.Nothing() && !v.Allows(c.WorkspaceID, keys) {
				return v, nil
			}
		}
		return core.Visibility{}, fmt.Errorf("no rep of workspace %s who may not see call %s", c.WorkspaceID, c.ID)
	}
	eng := answer.New(db, answer.WithClock(sim.Now))
	return &eval.Env{System: evalSystem{db, eng}, Calls: calls, Visibility: visibility, Now: opts.Now}, done, nil
}
