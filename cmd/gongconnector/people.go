package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"gongconnector/internal/access"
	"gongconnector/internal/config"
	"gongconnector/internal/core"
	"gongconnector/internal/graph"
	"gongconnector/internal/identity"
	"gongconnector/internal/sqlite"
)

// identityMapKey is the settings key of the stored identity mapping.
const identityMapKey = "identity_map"

// storedMap is the identity mapping as kept in the index: the map and the
// settings it was made with, so that a changed identity section is noticed.
type storedMap struct {
	Settings string        `json:"settings"`
	Map      *identity.Map `json:"map"`
}

// identitySettings fingerprints what a mapping depends on.
func identitySettings(cfg *config.Config) string {
	b, _ := json.Marshal(cfg.Identity)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

func loadMap(ctx context.Context, db *sqlite.DB) (*storedMap, error) {
	v, ok, err := db.Setting(ctx, identityMapKey)
	if err != nil || !ok {
		return nil, err
	}
	var s storedMap
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		return nil, fmt.Errorf("read the stored identity mapping: %w", err)
	}
	return &s, nil
}

// directory opens the directory the identity section names.
func (p *program) directory(cfg *config.Config, log *slog.Logger) (identity.Directory, error) {
	switch cfg.Identity.Directory {
	case identity.DirectoryFile:
		return identity.LoadFile(cfg.Identity.File)
	case identity.DirectoryEntra:
		c, err := p.entraClient(cfg, "identity.directory is entra", log)
		if err != nil {
			return nil, err
		}
		return graph.NewDirectory(c), nil
	default:
		return identity.EmailDirectory{}, nil
	}
}

// refreshIdentities maps the snapshot's Gong users to directory identities
// and stores the result. On any failure (a bad mapping, an unreachable
// directory) the previous mapping stays in force and the error says so.
func (p *program) refreshIdentities(ctx context.Context, cfg *config.Config, db *sqlite.DB, snap *core.PermissionSnapshot, log *slog.Logger) (*identity.Map, error) {
	prev, err := loadMap(ctx, db)
	if err != nil {
		log.Warn("ignoring an unreadable stored identity mapping", "err", err)
		prev = nil
	}
	var prevMap *identity.Map
	if prev != nil {
		prevMap = prev.Map
	}
	keep := func(err error) (*identity.Map, error) {
		if prevMap != nil {
			return prevMap, fmt.Errorf("identity mapping not refreshed: %w; the mapping made %s stays in force",
				err, prevMap.Taken.UTC().Format(time.RFC3339))
		}
		return nil, fmt.Errorf("identity mapping failed: %w", err)
	}
	mapper, err := identity.Compile(cfg.Identity.Mapping)
	if err != nil {
		return keep(err)
	}
	dir, err := p.directory(cfg, log)
	if err != nil {
		return keep(err)
	}
	m, err := identity.Resolve(ctx, snap.Users, dir, mapper, prevMap)
	if err != nil {
		return keep(err)
	}
	b, err := json.Marshal(storedMap{Settings: identitySettings(cfg), Map: m})
	if err != nil {
		return keep(err)
	}
	if err := db.SetSetting(ctx, identityMapKey, string(b)); err != nil {
		return keep(err)
	}
	return m, nil
}

// accessFor builds what decides who sees what: the stored permission
// snapshot, the identity mapping (refreshed when missing, older than the
// snapshot or made with other settings) and the rollout audience.
func (p *program) accessFor(ctx context.Context, cfg *config.Config, db *sqlite.DB, log *slog.Logger, warn io.Writer) (*access.Authorizer, *identity.Map, error) {
	snap, err := storedSnapshot(ctx, cfg, db)
	if err != nil {
		return nil, nil, err
	}
	stored, err := loadMap(ctx, db)
	if err != nil {
		fmt.Fprintln(warn, "warning:", err)
	}
	var m *identity.Map
	if stored != nil && stored.Map != nil && stored.Settings == identitySettings(cfg) && !stored.Map.Taken.Before(snap.Taken) {
		m = stored.Map
	} else {
		m, err = p.refreshIdentities(ctx, cfg, db, snap, log)
		if err != nil {
			if m == nil {
				return nil, nil, err
			}
			fmt.Fprintln(warn, "warning:", err)
		}
	}
	var aud access.Audience
	if len(cfg.Access.Audience) > 0 {
		dir, err := p.directory(cfg, log)
		if err != nil {
			return nil, nil, fmt.Errorf("rollout audience: %w", err)
		}
		a, err := identity.ResolveAudience(ctx, dir, cfg.Access.Audience)
		if err != nil {
			// Fail closed: an audience that cannot be read admits nobody.
			return nil, nil, fmt.Errorf("rollout audience (access.audience): %w", err)
		}
		aud = audience{m: m, a: a}
	}
	return access.NewAuthorizer(access.New(snap), people{m}, aud, cfg.Access.Mode), m, nil
}

// storedSnapshot returns the permission snapshot, or says how to take one.
func storedSnapshot(ctx context.Context, cfg *config.Config, db *sqlite.DB) (*core.PermissionSnapshot, error) {
	snap, err := db.Snapshot(ctx)
	if err == nil && snap == nil {
		err = core.Errorf(core.ENotFound, "no permission snapshot yet: run gongconnector crawl --permissions --config %s", cfg.Path)
	}
	return snap, err
}

// people adapts the identity map to what access needs.
type people struct{ m *identity.Map }

func (p people) GongUser(id string) (string, string) {
	e, why := p.m.Caller(id)
	if e == nil {
		return "", why
	}
	return e.GongUserID, ""
}

// audience admits a signed-in identity that names an audience member, or
// that maps to a Gong user whose directory user is one.
type audience struct {
	m *identity.Map
	a *identity.Audience
}

func (a audience) Contains(id string) bool {
	if a.a.ContainsIdentity(id) {
		return true
	}
	e, _ := a.m.Caller(id)
	return e != nil && a.a.Contains(e)
}

// entraClient is a Microsoft Graph client with the app registration in
// identity.entra and a secret or certificate from the environment:
// ENTRA_CLIENT_SECRET(_FILE) or ENTRA_CLIENT_CERTIFICATE_FILE (with
// ENTRA_CLIENT_CERTIFICATE_PASSWORD), or ENTRA_MANAGED_IDENTITY=true. why
// says what needs it, for the error when no credential is set.
func (p *program) entraClient(cfg *config.Config, why string, log *slog.Logger) (*graph.Client, error) {
	secret, err := config.Secret(p.getenv, "ENTRA_CLIENT_SECRET")
	if err != nil {
		return nil, err
	}
	cert := p.getenv("ENTRA_CLIENT_CERTIFICATE_FILE")
	if cert != "" {
		secret = p.getenv("ENTRA_CLIENT_CERTIFICATE_PASSWORD")
	}
	managed := p.getenv("ENTRA_MANAGED_IDENTITY") == "true"
	if secret == "" && cert == "" && !managed {
		return nil, core.Errorf(core.EInvalid, "%s but no credential is set: set ENTRA_CLIENT_SECRET (or ENTRA_CLIENT_SECRET_FILE), ENTRA_CLIENT_CERTIFICATE_FILE, or ENTRA_MANAGED_IDENTITY=true", why)
	}
	e := cfg.Identity.Entra
	cred, err := graph.NewTokenCredential(graph.Credentials{
		TenantID: e.TenantID, ClientID: e.ClientID, ClientSecret: secret, CertificatePath: cert,
		ManagedIdentity: managed, AuthorityHost: e.AuthorityHost,
	}, p.graphHTTP)
	if err != nil {
		return nil, err
	}
	return graph.NewClient(e.GraphURL, cred, p.graphHTTP, log), nil
}
