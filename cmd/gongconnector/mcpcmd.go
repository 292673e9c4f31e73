package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"sync"
	"time"

	sdkmcp "github.com/modelcontextprotocol/go-sdk/mcp"

	"gongconnector/internal/core"
	"gongconnector/internal/mcp"
)

// version is the module version the binary was built from ("dev" from a
// checkout).
var version = func() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}()

// mcpServe serves the MCP tools over stdio for one person: an assistant
// started by its user (Claude Desktop, VS Code) talks to it on stdin and
// stdout; logs go to stderr.
func (p *program) mcpServe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("mcp", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file")
	as := fs.String("as", "", "the person whose calls the tools may read (their e-mail in the directory)")
	debugLog := fs.Bool("v", false, "debug logging (to stderr)")
	p.helpFlags(fs, "mcp --config FILE --as EMAIL")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *as == "" {
		return fmt.Errorf("%w: --as is required: the tools see the calls that person may see in Gong", errUsage)
	}
	cfg, db, err := p.openIndex(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer db.Close()
	log := p.logger(*debugLog)
	eng, err := answerEngine(cfg, db, log)
	if err != nil {
		return err
	}
	// What the person may see is decided again at most every minute, so
	// that a long session follows the crawls of a running `serve`.
	var mu sync.Mutex
	var decided time.Time
	var visible core.Visibility
	visibility := func(ctx context.Context, _ *sdkmcp.CallToolRequest) (core.Visibility, error) {
		mu.Lock()
		defer mu.Unlock()
		if time.Since(decided) < time.Minute {
			return visible, nil
		}
		auth, _, err := p.accessFor(ctx, cfg, db, log, io.Discard)
		if err != nil {
			return core.Visibility{}, errors.New(describe(err))
		}
		visible, decided = auth.Decide(*as).Visibility, time.Now()
		return visible, nil
	}
	if _, err := visibility(ctx, nil); err != nil {
		return err
	}
	s := mcp.New(mcp.Options{Store: db, Asker: eng, Visibility: visibility, Version: version, Logger: log})
	log.Info("MCP tools on stdio", "as", *as)
	err = s.Run(ctx, &sdkmcp.IOTransport{Reader: io.NopCloser(p.stdin), Writer: nopWriteCloser{p.stdout}})
	if ctx.Err() != nil || errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
