package server

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gongconnector/internal/config"
	"gongconnector/internal/oidctest"
)

func TestAuthenticate(t *testing.T) {
	iss := oidctest.New(t)
	const token = "gc_test-token-for-jane"
	cfg := config.Server{
		Tokens: []config.APIToken{
			{Name: "jane's script", SHA256: HashToken(token), Identity: "jane@contoso.com", Role: config.RoleUser},
			{Name: "ops", SHA256: HashToken("gc_ops"), Identity: "ops@contoso.com", Role: config.RoleAdmin},
		},
		OIDC: config.OIDC{Issuer: iss.URL, Audience: "api://gc", IdentityClaim: "preferred_username",
			AdminRole: "GongConnector.Admin", Admins: []string{"Boss@Contoso.com"}},
	}
	a := NewAuthenticator(cfg, nil, nil)
	user := oidctest.Claims{"aud": "api://gc", "preferred_username": "sam@contoso.com"}
	with := func(extra oidctest.Claims) oidctest.Claims {
		c := oidctest.Claims{}
		for k, v := range user {
			c[k] = v
		}
		for k, v := range extra {
			c[k] = v
		}
		return c
	}
	for name, tc := range map[string]struct {
		header  string
		want    Principal
		wantErr error
		why     string // in the error
	}{
		"API token":             {header: "Bearer " + token, want: Principal{Identity: "jane@contoso.com", Role: config.RoleUser, Via: "token jane's script"}},
		"admin API token":       {header: "bearer gc_ops", want: Principal{Identity: "ops@contoso.com", Role: config.RoleAdmin, Via: "token ops"}},
		"no header":             {wantErr: ErrNoToken},
		"basic auth":            {header: "Basic amFuZTpwdw==", wantErr: ErrNoToken},
		"empty bearer":          {header: "Bearer ", wantErr: ErrNoToken},
		"unknown API token":     {header: "Bearer gc_guess", wantErr: ErrBadToken, why: "not one of the API tokens"},
		"OIDC user":             {header: "Bearer " + iss.Token(t, user), want: Principal{Identity: "sam@contoso.com", Role: config.RoleUser, Via: "oidc"}},
		"OIDC admin by role":    {header: "Bearer " + iss.Token(t, with(oidctest.Claims{"roles": []string{"Reader", "GongConnector.Admin"}})), want: Principal{Identity: "sam@contoso.com", Role: config.RoleAdmin, Via: "oidc"}},
		"OIDC admin by name":    {header: "Bearer " + iss.Token(t, with(oidctest.Claims{"preferred_username": "boss@contoso.com"})), want: Principal{Identity: "boss@contoso.com", Role: config.RoleAdmin, Via: "oidc"}},
		"other audience":        {header: "Bearer " + iss.Token(t, with(oidctest.Claims{"aud": "api://other"})), wantErr: ErrBadToken, why: "another audience"},
		"expired":               {header: "Bearer " + iss.Token(t, with(oidctest.Claims{"exp": time.Now().Add(-time.Minute).Unix()})), wantErr: ErrBadToken, why: "expired"},
		"other issuer":          {header: "Bearer " + iss.Token(t, with(oidctest.Claims{"iss": "https://evil.example"})), wantErr: ErrBadToken, why: "another issuer"},
		"signed by another key": {header: "Bearer " + iss.ForeignToken(t, user), wantErr: ErrBadToken, why: "signature"},
		"no identity claim":     {header: "Bearer " + iss.Token(t, oidctest.Claims{"aud": "api://gc", "email": "sam@contoso.com"}), wantErr: ErrBadToken, why: `no "preferred_username" claim`},
		"garbage JWT":           {header: "Bearer a.b.c", wantErr: ErrBadToken, why: "malformed"},
	} {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/api/v1/search", nil)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			got, err := a.Authenticate(r)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.why) {
					t.Fatalf("error %v, want %v saying %q", err, tc.wantErr, tc.why)
				}
				if tc.header != "" && len(tc.header) > 12 && strings.Contains(err.Error(), strings.TrimPrefix(tc.header, "Bearer ")) {
					t.Errorf("the error repeats the token: %v", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// TestAuthenticateIssuerDown: with the issuer unreachable, OIDC tokens are
// refused with a message naming the issuer, and API tokens still work.
func TestAuthenticateIssuerDown(t *testing.T) {
	a := NewAuthenticator(config.Server{
		Tokens: []config.APIToken{{Name: "bot", SHA256: HashToken("gc_bot"), Identity: "bot@contoso.com", Role: config.RoleUser}},
		OIDC:   config.OIDC{Issuer: "http://127.0.0.1:1", Audience: "gc", IdentityClaim: "email"},
	}, nil, nil)
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer x.y.z")
	if _, err := a.Authenticate(r); !errors.Is(err, ErrBadToken) || !strings.Contains(err.Error(), "server.oidc.issuer http://127.0.0.1:1") {
		t.Errorf("issuer down: %v", err)
	}
	r.Header.Set("Authorization", "Bearer gc_bot")
	if p, err := a.Authenticate(r); err != nil || p.Identity != "bot@contoso.com" {
		t.Errorf("API token with the issuer down: %+v, %v", p, err)
	}
}
