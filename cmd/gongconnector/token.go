package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"strings"

	"gongconnector/internal/config"
	"gongconnector/internal/server"
)

// token makes an API token: `token new --name NAME --identity EMAIL --role
// user|admin` prints the token once, and the entry for server.tokens that
// holds only its SHA-256.
func (p *program) token(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "new" {
		return fmt.Errorf("%w: want `token new --name NAME --identity EMAIL [--role user|admin]`", errUsage)
	}
	fs := flag.NewFlagSet("token new", flag.ContinueOnError)
	name := fs.String("name", "", "who or what uses the token (shown in logs)")
	identity := fs.String("identity", "", "the person the token acts as: it sees what they may see in Gong")
	role := fs.String("role", config.RoleUser, "user or admin")
	p.helpFlags(fs, "token new --name NAME --identity EMAIL [--role user|admin]")
	if _, err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(*name) == "":
		return fmt.Errorf("%w: --name is required (who or what uses the token)", errUsage)
	case strings.TrimSpace(*identity) == "":
		return fmt.Errorf("%w: --identity is required (the e-mail of the person the token acts as)", errUsage)
	case *role != config.RoleUser && *role != config.RoleAdmin:
		return fmt.Errorf("%w: --role must be user or admin", errUsage)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return fmt.Errorf("make a token: %w", err)
	}
	tok := "gc_" + base64.RawURLEncoding.EncodeToString(b)
	fmt.Fprintf(p.stdout, "Token (shown once; give it to %s and keep it secret):\n\n  %s\n\n", *name, tok)
	fmt.Fprintf(p.stdout, "Add this entry under server.tokens in the configuration (it holds only the token's SHA-256):\n\n")
	fmt.Fprintf(p.stdout, "    - name: %q\n      sha256: %s\n      identity: %q\n      role: %s\n", *name, server.HashToken(tok), *identity, *role)
	return nil
}
