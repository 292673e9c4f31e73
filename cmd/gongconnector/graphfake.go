package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"gongconnector/internal/graphsim"
)

// The test double's tenant and app registration.
const (
	fakeTenant = "6d1c5f3a-2b4e-4c8d-9a7f-0e1b2c3d4e5f"
	fakeClient = "a4b3c2d1-0f9e-4d8c-8b7a-6f5e4d3c2b1a"
)

// graphFake serves the Microsoft Graph test double (internal/graphsim) on
// loopback over TLS until ctx ends: Entra ID tokens for one app that holds
// the connector's permissions, a directory with a user for every Gong user
// of the index (when cfgPath is given), and the connectors API with its
// limits. It writes its certificate and the app's credentials into dir and
// says how to point gongconnector at it.
func (p *program) graphFake(ctx context.Context, cfgPath, listen, dir string, logger *slog.Logger) error {
	var users []graphsim.User
	if cfgPath != "" {
		cfg, db, err := p.openIndex(ctx, cfgPath)
		if err != nil {
			return err
		}
		snap, err := db.Snapshot(ctx)
		db.Close()
		if err != nil {
			return err
		}
		if snap != nil {
			for _, u := range snap.Users {
				if u.Email == "" {
					continue
				}
				users = append(users, graphsim.User{ID: fakeObjectID(u.Email), UserPrincipalName: strings.ToLower(u.Email),
					Mail: strings.ToLower(u.Email), OtherMails: u.Aliases, DisplayName: strings.TrimSpace(u.FirstName + " " + u.LastName),
					GivenName: u.FirstName, Surname: u.LastName})
			}
		}
		logger.Info("graph double: directory from the index", "users", len(users), "config", cfg.Path)
	}
	secretBytes := make([]byte, 18)
	if _, err := rand.Read(secretBytes); err != nil {
		return err
	}
	secret := "fake~" + hex.EncodeToString(secretBytes)
	sim := graphsim.New(graphsim.Options{TenantID: fakeTenant, ItemLimits: true, ProvisionPolls: 1, Users: users,
		Apps: []graphsim.App{{ClientID: fakeClient, Secret: secret, Roles: []string{graphsim.PermConnectionOwnedBy,
			graphsim.PermItemOwnedBy, graphsim.PermUserReadAll, graphsim.PermGroupMemberReadAll}}}})
	l, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", listen, err)
	}
	srv := httptest.NewUnstartedServer(sim)
	srv.Listener.Close()
	srv.Listener = l
	srv.Config.ErrorLog = log.New(p.stderr, "graph double: ", 0)
	srv.StartTLS()
	defer srv.Close()

	if dir == "" {
		if dir, err = os.MkdirTemp("", "gongconnector-graph-"); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	certFile := filepath.Join(dir, "graph-double.pem")
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(certFile, cert, 0o600); err != nil {
		return err
	}
	envFile := filepath.Join(dir, "graph-double.env")
	env := fmt.Sprintf("export ENTRA_CLIENT_SECRET=%s\nexport SSL_CERT_FILE=%s\n", secret, certFile)
	if err := os.WriteFile(envFile, []byte(env), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(p.stdout, `Microsoft Graph test double on %[1]s (tenant %[2]s, %[3]d directory users).
Point gongconnector at it with these settings:

identity:
  entra:
    tenant_id: %[2]s
    client_id: %[4]s
    graph_url: %[1]s/v1.0
    authority_host: %[1]s

and its credential and certificate in the environment:

  . %[5]s

Searches (POST /v1.0/search/query) run as the user whose object id is in
the %[6]s header. Press Ctrl-C to stop; the double keeps nothing.
`, srv.URL, fakeTenant, len(users), fakeClient, envFile, graphsim.SearchUserHeader)
	if p.ready != nil {
		p.ready("graph", srv.URL)
	}
	<-ctx.Done()
	return nil
}

// fakeObjectID is the double's object id of the user with an email.
func fakeObjectID(email string) string {
	h := sha256.Sum256([]byte(strings.ToLower(email)))
	x := hex.EncodeToString(h[:16])
	return x[:8] + "-" + x[8:12] + "-4" + x[13:16] + "-8" + x[17:20] + "-" + x[20:32]
}
