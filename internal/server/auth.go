package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"gongconnector/internal/config"
)

// Principal is an authenticated caller.
type Principal struct {
	// Identity is who the caller is in the directory (an e-mail, UPN or
	// object id): they see the calls that identity may see in Gong.
	Identity string
	// Role is config.RoleUser or config.RoleAdmin.
	Role string
	// Via says how the caller signed in, for logs: "token NAME" or "oidc".
	Via string
}

// IsAdmin reports whether the caller may use admin routes.
func (p Principal) IsAdmin() bool { return p.Role == config.RoleAdmin }

// Authentication errors; both are answered with 401.
var (
	ErrNoToken  = errors.New("sign in: send an Authorization: Bearer header with an API token or an OIDC access token")
	ErrBadToken = errors.New("the bearer token is not valid")
)

// Authenticator checks bearer tokens: the API tokens of the configuration
// (compared by SHA-256) and, when an issuer is configured, OIDC tokens
// validated against the issuer's discovery document and keys (issuer,
// audience, expiry, signature).
type Authenticator struct {
	tokens []config.APIToken
	hashes [][sha256.Size]byte
	oidc   *oidcVerifier
	log    *slog.Logger
}

// NewAuthenticator returns an authenticator for cfg. client fetches the
// issuer's documents (nil: http.DefaultClient).
func NewAuthenticator(cfg config.Server, client *http.Client, log *slog.Logger) *Authenticator {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Authenticator{log: log}
	for _, t := range cfg.Tokens {
		b, err := hex.DecodeString(t.SHA256)
		if err != nil || len(b) != sha256.Size {
			continue // config.Validate reports it
		}
		a.tokens = append(a.tokens, t)
		a.hashes = append(a.hashes, [sha256.Size]byte(b))
	}
	if cfg.OIDC.Issuer != "" {
		if client == nil {
			client = http.DefaultClient
		}
		a.oidc = &oidcVerifier{cfg: cfg.OIDC, client: client}
	}
	return a
}

// HashToken returns the hex SHA-256 of an API token, as the configuration
// stores it.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Authenticate returns the caller of r. Its errors wrap ErrNoToken or
// ErrBadToken and say why in words for the caller; they never hold the
// token.
func (a *Authenticator) Authenticate(r *http.Request) (Principal, error) {
	raw, ok := bearer(r)
	if !ok {
		return Principal{}, ErrNoToken
	}
	h := sha256.Sum256([]byte(raw))
	for i, want := range a.hashes {
		if subtle.ConstantTimeCompare(h[:], want[:]) == 1 {
			t := a.tokens[i]
			return Principal{Identity: t.Identity, Role: t.Role, Via: "token " + t.Name}, nil
		}
	}
	if a.oidc == nil || strings.Count(raw, ".") != 2 {
		return Principal{}, fmt.Errorf("%w: it is not one of the API tokens configured", ErrBadToken)
	}
	p, err := a.oidc.verify(r.Context(), raw)
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %s", ErrBadToken, err)
	}
	return p, nil
}

// bearer returns the token of an Authorization: Bearer header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// oidcVerifier validates OIDC tokens. The issuer's discovery document is
// read on first use, and again after a failure at most every
// oidcRetry, so that an issuer down at startup does not stop the server.
type oidcVerifier struct {
	cfg    config.OIDC
	client *http.Client

	mu       sync.Mutex
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	failedAt time.Time
	failure  error
}

const oidcRetry = 10 * time.Second

func (o *oidcVerifier) get(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	_, v, err := o.discover(ctx)
	return v, err
}

// discover returns the issuer's provider and the bearer-token verifier,
// reading the discovery document on first use.
func (o *oidcVerifier) discover(ctx context.Context) (*oidc.Provider, *oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.verifier != nil {
		return o.provider, o.verifier, nil
	}
	if o.failure != nil && time.Since(o.failedAt) < oidcRetry {
		return nil, nil, o.failure
	}
	// The provider keeps this context for fetching keys later: not the
	// request's, which ends with the request.
	pctx := oidc.ClientContext(context.WithoutCancel(ctx), o.client)
	provider, err := oidc.NewProvider(pctx, o.cfg.Issuer)
	if err != nil {
		o.failedAt, o.failure = time.Now(), fmt.Errorf("cannot read the OIDC issuer's discovery document (server.oidc.issuer %s): %w", o.cfg.Issuer, err)
		return nil, nil, o.failure
	}
	o.provider, o.verifier = provider, provider.Verifier(&oidc.Config{ClientID: o.cfg.Audience})
	o.failure = nil
	return o.provider, o.verifier, nil
}

func (o *oidcVerifier) verify(ctx context.Context, raw string) (Principal, error) {
	v, err := o.get(ctx)
	if err != nil {
		return Principal{}, err
	}
	tok, err := v.Verify(oidc.ClientContext(ctx, o.client), raw)
	if err != nil {
		return Principal{}, describeOIDC(err)
	}
	return o.principal(tok)
}

// principal reads the caller from a verified token's claims.
func (o *oidcVerifier) principal(tok *oidc.IDToken) (Principal, error) {
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return Principal{}, fmt.Errorf("its claims cannot be read: %w", err)
	}
	id, _ := claims[o.cfg.IdentityClaim].(string)
	if strings.TrimSpace(id) == "" {
		return Principal{}, fmt.Errorf("it has no %q claim to identify the caller (server.oidc.identity_claim)", o.cfg.IdentityClaim)
	}
	p := Principal{Identity: id, Role: config.RoleUser, Via: "oidc"}
	if o.cfg.AdminRole != "" {
		if roles, ok := claims["roles"].([]any); ok && slices.Contains(roles, any(o.cfg.AdminRole)) {
			p.Role = config.RoleAdmin
		}
	}
	if slices.ContainsFunc(o.cfg.Admins, func(a string) bool { return strings.EqualFold(a, id) }) {
		p.Role = config.RoleAdmin
	}
	return p, nil
}

// describeOIDC says why a token was refused, without the token.
func describeOIDC(err error) error {
	var expired *oidc.TokenExpiredError
	switch {
	case errors.As(err, &expired):
		return fmt.Errorf("it expired at %s", expired.Expiry.UTC().Format(time.RFC3339))
	case strings.Contains(err.Error(), "expected audience"):
		return errors.New("it is meant for another audience (aud) than server.oidc.audience")
	case strings.Contains(err.Error(), "issued by a different provider"):
		return errors.New("it comes from another issuer than server.oidc.issuer")
	case strings.Contains(err.Error(), "signature"):
		return errors.New("its signature does not match the issuer's keys")
	}
	return errors.New("it is malformed or cannot be verified")
}
