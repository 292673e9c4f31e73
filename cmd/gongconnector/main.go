// Command gongconnector crawls a Gong tenant into a permission-aware index
// and serves search over it. Run `gongconnector help` for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"gongconnector/internal/config"
	"gongconnector/internal/core"
	"gongconnector/internal/gong"
	"gongconnector/internal/sqlite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	p := &program{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	os.Exit(p.run(ctx, os.Args[1:]))
}

// program is the whole command line; tests build one with their own streams
// and environment.
type program struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// ready, when set, is told the address a long-running command listens on.
	ready func(name, addr string)
	// graphHTTP, when set, carries the requests to Microsoft Entra ID and
	// Graph (tests: a client that trusts the test double's certificate).
	graphHTTP *http.Client
	// schemaPoll, when set, is how often graph setup polls the schema's
	// provisioning [15s].
	schemaPoll time.Duration
	// pushUnlimited lifts the push's item rate (benchmarks against the
	// test double).
	pushUnlimited bool
}

// exit codes
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
	exitHeld   = 3
)

var commands = []struct {
	name, summary string
	run           func(p *program, ctx context.Context, args []string) error
}{
	{"demo", "start the Gong simulator, crawl it and serve search on localhost", (*program).demo},
	{"simulate", "serve a simulated Gong API on loopback", (*program).simulate},
	{"crawl", "crawl Gong into the index (--full or --incremental)", (*program).crawl},
	{"search", "search the index (--as EMAIL: only what that person may see)", (*program).search},
	{"ask", "answer a question in plain language, with citations (--as EMAIL: from what they may see)", (*program).ask},
	{"access", "who may see a call and why (--call), or what a person may see (--user)", (*program).access},
	{"identities", "map Gong users to directory identities and report failures", (*program).identities},
	{"serve", "run the crawl schedule and serve the API (and the web UI) over HTTP", (*program).serve},
	{"mcp", "serve the MCP tools over stdio, as one person (--as EMAIL)", (*program).mcpServe},
	{"token", "`token new` makes an API token for server.tokens", (*program).token},
	{"status", "show crawls, counts and API budget", (*program).status},
	{"graph", "push the calls to Microsoft 365: graph setup, graph push, graph status (--fake: a local Graph)", (*program).graphCmd},
	{"config", "`config init` writes a commented example configuration", (*program).config},
	{"eval", "measure search and answers on the built-in question set (recall@10, MRR, accuracy)", (*program).eval},
	{"bench", "measure crawl throughput against the simulator", (*program).bench},
}

func (p *program) run(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		p.usage(p.stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(p, ctx, args[1:])
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, flag.ErrHelp):
			return exitOK
		case errors.Is(err, errUsage):
			fmt.Fprintf(p.stderr, "gongconnector %s: %v\n", c.name, strings.TrimPrefix(err.Error(), errUsage.Error()+": "))
			return exitUsage
		case errors.Is(err, errHeld):
			return exitHeld
		default:
			fmt.Fprintf(p.stderr, "gongconnector %s: %s\n", c.name, describe(err))
			return exitFailed
		}
	}
	fmt.Fprintf(p.stderr, "gongconnector: unknown command %q\n\n", args[0])
	p.usage(p.stderr)
	return exitUsage
}

func (p *program) usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: gongconnector COMMAND [flags]")
	fmt.Fprintln(w)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun `gongconnector COMMAND -h` for a command's flags.")
}

// errUsage marks errors in how a command was invoked.
var errUsage = errors.New("usage")

// errHeld means a crawl finished but held back deletions; the message was printed.
var errHeld = errors.New("deletions held back")

func usageErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

// describe words an error for an admin: the coded message first, then the
// underlying cause when it adds something.
func describe(err error) string {
	var ce *core.Error
	if errors.As(err, &ce) {
		if ce.Err != nil && !strings.Contains(ce.Message, ce.Err.Error()) {
			return ce.Message + "\n  cause: " + ce.Err.Error()
		}
		return ce.Message
	}
	return err.Error()
}

// parseFlags parses flags wherever they appear among the positional
// arguments, so `search acme --json` works as well as `search --json acme`.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageErr("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// helpFlags prints a command's flags when -h is given.
func (p *program) helpFlags(fs *flag.FlagSet, usage string) {
	fs.Usage = func() {
		fmt.Fprintf(p.stdout, "Usage: gongconnector %s\n\n", usage)
		fs.SetOutput(p.stdout)
		fs.PrintDefaults()
	}
}

func (p *program) logger(debug bool) *slog.Logger {
	level := slog.LevelInfo
	if debug {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(p.stderr, &slog.HandlerOptions{Level: level}))
}

// loadConfig reads --config; a missing flag is a usage error.
func (p *program) loadConfig(path string) (*config.Config, error) {
	if path == "" {
		if env := p.getenv("GONGCONNECTOR_CONFIG"); env != "" {
			path = env
		} else {
			return nil, usageErr("--config FILE is required (write one with `gongconnector config init`)")
		}
	}
	return config.Load(path, p.getenv)
}

// dbFile is where a data dir keeps its index.
func dbFile(dataDir string) string { return filepath.Join(dataDir, "gongconnector.db") }

// openIndex loads the configuration at path and opens its index.
func (p *program) openIndex(ctx context.Context, path string) (*config.Config, *sqlite.DB, error) {
	cfg, err := p.loadConfig(path)
	if err != nil {
		return nil, nil, err
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return cfg, db, nil
}

func openStore(ctx context.Context, cfg *config.Config) (*sqlite.DB, error) {
	return sqlite.Open(ctx, dbFile(cfg.DataDir))
}

// gongClient builds the Gong client for cfg, with today's usage so far so the
// daily budget holds across processes.
func gongClient(cfg *config.Config, usedToday int, log *slog.Logger) (*gong.Client, error) {
	rate := cfg.Gong.Rate
	if rate == 0 {
		rate = -1 // gong.rate: 0 turns pacing off (simulators and benchmarks)
	}
	return gong.New(gong.Options{
		BaseURL:         cfg.Gong.BaseURL,
		AccessKey:       cfg.Credentials.AccessKey,
		AccessKeySecret: cfg.Credentials.AccessKeySecret,
		Rate:            rate,
		DailyBudget:     cfg.Gong.DailyBudget,
		UsedToday:       usedToday,
		Logger:          log,
	})
}
