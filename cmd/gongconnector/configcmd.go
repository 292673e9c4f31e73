package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"

	"gongconnector/internal/config"
)

func (p *program) config(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("config", flag.ContinueOnError)
	out := fset.String("o", "gongconnector.yaml", "file to write")
	force := fset.Bool("force", false, "overwrite an existing file")
	p.helpFlags(fset, "config init [-o FILE] [--force] | config check --config FILE")
	cfgPath := fset.String("config", "", "configuration file to check (config check)")
	rest, err := parseFlags(fset, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageErr("say `config init` or `config check`")
	}
	switch rest[0] {
	case "init":
		if *out == "-" {
			_, err := p.stdout.Write(config.Example())
			return err
		}
		flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
		if *force {
			flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
		}
		f, err := os.OpenFile(*out, flags, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s exists; use --force to overwrite it", *out)
		}
		if err != nil {
			return err
		}
		if _, err := f.Write(config.Example()); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(p.stdout, "Wrote %s. Set GONG_ACCESS_KEY and GONG_ACCESS_KEY_SECRET, then run:\n  gongconnector crawl --config %s --full\n", *out, *out)
		return nil
	case "check":
		cfg, err := p.loadConfig(*cfgPath)
		if err != nil {
			return err
		}
		fmt.Fprintf(p.stdout, "%s is valid. Gong at %s; index in %s; credentials: %s\n", cfg.Path, cfg.Gong.BaseURL, cfg.DataDir, cfg.Credentials)
		return nil
	default:
		return usageErr("unknown config action %q: want init or check", rest[0])
	}
}
