package server

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Browser sign-in with the organization's OpenID Connect issuer: the
// authorization code flow with PKCE (S256), a state against forged
// callbacks and a nonce against replayed ID tokens, all three kept in the
// signed pre-session cookie. The ID token is checked like a bearer token
// (issuer, audience = client id, expiry, signature) and names the caller
// by the same identity claim and admin rules.

// browserOIDC reports whether browser sign-in with OIDC is configured.
func (s *Server) browserOIDC() bool {
	return s.opts.Auth != nil && s.opts.Auth.oidc != nil && s.opts.Auth.oidc.cfg.ClientID != ""
}

// oauthConfig is the OAuth client of the web UI.
func (s *Server) oauthConfig(ctx context.Context, r *http.Request) (*oauth2.Config, *oidc.Provider, error) {
	o := s.opts.Auth.oidc
	prov, _, err := o.discover(ctx)
	if err != nil {
		return nil, nil, err
	}
	base := strings.TrimSuffix(s.opts.PublicURL, "/")
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, Endpoint: prov.Endpoint(),
		RedirectURL: base + "/signin/callback", Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}, prov, nil
}

func (s *Server) signinOIDC(w http.ResponseWriter, r *http.Request) {
	if !s.browserOIDC() {
		s.message(w, r, http.StatusNotFound, "Not found", "Browser sign-in is not configured (server.oidc.client_id).")
		return
	}
	ctx := oidc.ClientContext(r.Context(), s.opts.Auth.oidc.client)
	conf, _, err := s.oauthConfig(ctx, r)
	if err != nil {
		s.message(w, r, http.StatusServiceUnavailable, "Sign-in unavailable", err.Error())
		return
	}
	p := s.sessions.preSession(w, r)
	p.State, p.Nonce, p.Verifier = randomString(18), randomString(18), oauth2.GenerateVerifier()
	p.Next = safeNext(r.URL.Query().Get("next"))
	p.Expires = time.Now().Add(10 * time.Minute).Unix()
	if err := s.sessions.set(w, preCookie, p, 10*time.Minute); err != nil {
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, conf.AuthCodeURL(p.State, oidc.Nonce(p.Nonce), oauth2.S256ChallengeOption(p.Verifier)), http.StatusFound)
}

func (s *Server) signinCallback(w http.ResponseWriter, r *http.Request) {
	if !s.browserOIDC() {
		s.message(w, r, http.StatusNotFound, "Not found", "Browser sign-in is not configured (server.oidc.client_id).")
		return
	}
	fail := func(status int, text string) {
		s.log.Info("browser sign-in refused", slog.String("why", text))
		s.message(w, r, status, "Sign-in failed", text+" Try signing in again.")
	}
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		fail(http.StatusUnauthorized, "The identity provider refused the sign-in ("+e+": "+q.Get("error_description")+").")
		return
	}
	var p pre
	c, err := r.Cookie(preCookie)
	if err != nil || s.sessions.open(c.Value, &p) != nil || p.State == "" || time.Now().Unix() >= p.Expires {
		fail(http.StatusBadRequest, "The sign-in took too long or did not start here.")
		return
	}
	if q.Get("state") == "" || q.Get("state") != p.State {
		fail(http.StatusBadRequest, "The sign-in response does not belong to this browser's sign-in (state).")
		return
	}
	o := s.opts.Auth.oidc
	ctx := oidc.ClientContext(r.Context(), o.client)
	conf, prov, err := s.oauthConfig(ctx, r)
	if err != nil {
		fail(http.StatusServiceUnavailable, err.Error())
		return
	}
	tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(p.Verifier))
	if err != nil {
		fail(http.StatusUnauthorized, "The identity provider did not accept the sign-in code.")
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		fail(http.StatusUnauthorized, "The identity provider sent no ID token.")
		return
	}
	idTok, err := prov.Verifier(&oidc.Config{ClientID: o.cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		fail(http.StatusUnauthorized, "The ID token is not valid: "+describeOIDC(err).Error()+".")
		return
	}
	if idTok.Nonce != p.Nonce {
		fail(http.StatusUnauthorized, "The ID token was not issued for this sign-in (nonce).")
		return
	}
	who, err := o.principal(idTok)
	if err != nil {
		fail(http.StatusUnauthorized, "The ID token does not say who you are: "+err.Error()+".")
		return
	}
	if err := s.sessions.start(w, who.Identity, who.Role, "oidc"); err != nil {
		s.error(w, r, err)
		return
	}
	s.sessions.clear(w, preCookie)
	s.log.Info("signed in", slog.String("caller", who.Identity), slog.String("via", "oidc"))
	http.Redirect(w, r, safeNext(p.Next), http.StatusSeeOther)
}
