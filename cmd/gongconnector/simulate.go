package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"gongconnector/internal/gongsim"
)

// simFlags are the simulator's flags, shared by simulate and bench.
type simFlags struct {
	addr, key, secret, faults, now string
	seed                           int64
	calls, dailyLimit              int
	rate, speed                    float64
	timeline, memoize              bool
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
	fs.BoolVar(&f.memoize, "memoize", false, "answer a repeated request with the first answer (benchmarks: takes the simulator's own work out of a crawl's timing)")
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
	h := sim.Handler()
	if sf.memoize {
		h = memoize(h)
	}
	return serveUntilDone(ctx, l, h)
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

// memoize answers a request seen before (same method, URL and body) with the
// first answer it got, so that a second crawl of a frozen tenant measures
// the crawler alone, as against a remote Gong whose work is not ours.
func memoize(next http.Handler) http.Handler {
	type answer struct {
		status int
		header http.Header
		body   []byte
	}
	var mu sync.Mutex
	seen := map[string]*answer{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		key := r.Method + " " + r.URL.String() + "\n" + r.Header.Get("Authorization") + "\n" + string(body)
		mu.Lock()
		a := seen[key]
		mu.Unlock()
		if a == nil {
			rec := httptest.NewRecorder()
			r.Body = io.NopCloser(bytes.NewReader(body))
			next.ServeHTTP(rec, r)
			a = &answer{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
			if a.status == http.StatusOK {
				mu.Lock()
				seen[key] = a
				mu.Unlock()
			}
		}
		maps.Copy(w.Header(), a.header)
		w.WriteHeader(a.status)
		w.Write(a.body)
	})
}
