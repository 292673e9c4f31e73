package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"gongconnector/internal/gongsim"
)

// simFlags are the simulator's flags, shared by simulate and bench.
type simFlags struct {
	addr, key, secret, faults, now string
	seed                           int64
	calls, dailyLimit              int
	rate, speed                    float64
	timeline                       bool
}

func (f *simFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.addr, "addr", "127.0.0.1:7070", "loopback address to listen on")
	fs.Int64Var(&f.seed, "seed", 1, "seed of the synthetic tenant")
	fs.IntVar(&f.calls, "calls", 2000, "calls in the tenant (up to 1,000,000)")
	fs.StringVar(&f.key, "access-key", "", "require Basic auth with this access key")
	fs.StringVar(&f.secret, "access-key-secret", "", "and this secret")
	fs.Float64Var(&f.rate, "rate", 3, "requests per second before answering 429 (0 = unlimited)")
	fs.IntVar(&f.dailyLimit, "daily-limit", 10000, "requests per day before answering 429 (0 = unlimited)")
	fs.StringVar(&f.faults, "faults", "", "fault injection, e.g. 5xx=0.05,reset=0.02,slow=0.01,truncate=0.01,burst=5@200")
	fs.BoolVar(&f.timeline, "timeline", true, "change the tenant over time (new, edited, deleted, private and moved calls; permission changes)")
	fs.Float64Var(&f.speed, "speed", 1, "how fast the simulated clock runs against the wall clock (0 = frozen)")
	fs.StringVar(&f.now, "now", "", "start the simulated clock at this RFC 3339 time (default: now)")
}

func (f *simFlags) options() (gongsim.Options, error) {
	if (f.key == "") != (f.secret == "") {
		return gongsim.Options{}, usageErr("give both --access-key and --access-key-secret, or neither")
	}
	if f.calls < 0 || f.calls > 1_000_000 {
		return gongsim.Options{}, usageErr("--calls must be between 0 and 1,000,000")
	}
	faults, err := gongsim.ParseFaults(f.faults)
	if err != nil {
		return gongsim.Options{}, usageErr("--faults: %v", err)
	}
	opts := gongsim.Options{
		Seed: f.seed, Calls: f.calls, AccessKey: f.key, AccessKeySecret: f.secret,
		Rate: f.rate, DailyLimit: f.dailyLimit, Faults: faults, Timeline: f.timeline, Speed: f.speed,
	}
	if f.now != "" {
		t, err := time.Parse(time.RFC3339, f.now)
		if err != nil {
			return opts, usageErr("--now %q: want an RFC 3339 time such as 2026-05-20T12:00:00Z", f.now)
		}
		opts.Now = t
	}
	return opts, nil
}

// listenLoopback refuses anything but a loopback address: the simulator is
// a test double, never a service on a network.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, usageErr("--addr %q: want host:port, such as 127.0.0.1:7070", addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, usageErr("--addr %q: the simulator listens on loopback only (127.0.0.1 or [::1])", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return l, nil
}

func (p *program) simulate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	var sf simFlags
	sf.register(fs)
	p.helpFlags(fs, "simulate [--addr 127.0.0.1:7070] [--seed 1] [--calls 2000] [--access-key K --access-key-secret S] [--rate 3 --daily-limit 10000] [--faults SPEC]")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	opts, err := sf.options()
	if err != nil {
		return err
	}
	sim, err := gongsim.New(opts)
	if err != nil {
		return err
	}
	l, err := listenLoopback(sf.addr)
	if err != nil {
		return err
	}
	url := "http://" + l.Addr().String()
	fmt.Fprintf(p.stdout, "Gong simulator: %s (%d calls, seed %d, clock at %s)\n", url, sf.calls, sf.seed, sim.Now().Format(time.RFC3339))
	if p.ready != nil {
		p.ready("simulate", url)
	}
	return serveUntilDone(ctx, l, sim.Handler())
}

// serveUntilDone serves h on l until ctx ends, then shuts down gracefully.
func serveUntilDone(ctx context.Context, l net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
