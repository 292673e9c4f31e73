// Package oidctest is a local OpenID Connect issuer for tests: a discovery
// document and a key set on a loopback httptest server, and tokens signed
// with its key (or with a key it does not publish).
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Issuer is a running test issuer.
type Issuer struct {
	URL    string
	key    *rsa.PrivateKey
	other  *rsa.PrivateKey
	server *httptest.Server

	// User is who signs in at /authorize: the claims of the ID token the
	// code is exchanged for (aud, nonce, iss and times are added).
	User Claims
	// ClientID and ClientSecret are the client /token accepts.
	ClientID, ClientSecret string

	mu    sync.Mutex
	codes map[string]grant
	t     testing.TB
}

// grant is an authorization code waiting to be exchanged.
type grant struct {
	clientID, redirect, challenge, nonce string
	claims                               Claims
}

// New starts an issuer; it stops with the test.
func New(t testing.TB) *Issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	iss := &Issuer{key: key, other: other, codes: map[string]grant{}, t: t}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", iss.authorize)
	mux.HandleFunc("POST /token", iss.token)
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                iss.URL,
			"jwks_uri":                              iss.URL + "/keys",
			"authorization_endpoint":                iss.URL + "/authorize",
			"token_endpoint":                        iss.URL + "/token",
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"response_types_supported":              []string{"code"},
			"subject_types_supported":               []string{"public"},
		})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	iss.server = httptest.NewServer(mux)
	iss.URL = iss.server.URL
	t.Cleanup(iss.server.Close)
	return iss
}

// authorize signs in User at once (no login page) and sends the browser
// back with a code, as an issuer does after its login page.
func (i *Issuer) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("response_type") != "code" || q.Get("client_id") != i.ClientID || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "bad authorization request: want response_type=code, the client id and a PKCE S256 challenge", http.StatusBadRequest)
		return
	}
	code := randomCode()
	i.mu.Lock()
	i.codes[code] = grant{clientID: q.Get("client_id"), redirect: q.Get("redirect_uri"), challenge: q.Get("code_challenge"), nonce: q.Get("nonce"), claims: i.User}
	i.mu.Unlock()
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	v := back.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token exchanges a code for an ID token, checking the client, the
// redirect URI and the PKCE verifier.
func (i *Issuer) token(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	i.mu.Lock()
	g, found := i.codes[r.PostForm.Get("code")]
	delete(i.codes, r.PostForm.Get("code")) // a code works once
	i.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case r.PostForm.Get("grant_type") != "authorization_code" || !found:
		writeTokenError(w, "invalid_grant")
	case id != i.ClientID || secret != i.ClientSecret || g.clientID != id:
		writeTokenError(w, "invalid_client")
	case g.redirect != r.PostForm.Get("redirect_uri"):
		writeTokenError(w, "invalid_grant")
	case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		writeTokenError(w, "invalid_grant") // PKCE
	default:
		c := Claims{"aud": i.ClientID, "sub": "user-1"}
		if g.nonce != "" {
			c["nonce"] = g.nonce
		}
		for k, v := range g.claims {
			c[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": "at-" + randomCode(), "token_type": "Bearer", "expires_in": 3600,
			"id_token": i.sign(i.t, i.key, c)})
	}
}

func writeTokenError(w http.ResponseWriter, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]string{"error": code})
}

func randomCode() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Claims are a token's claims; Token fills iss, iat and exp when missing.
type Claims map[string]any

// Token returns a token with claims, signed with the issuer's key, valid
// for an hour unless claims say otherwise.
func (i *Issuer) Token(t testing.TB, claims Claims) string {
	return i.sign(t, i.key, claims)
}

// ForeignToken is Token signed with a key the issuer does not publish.
func (i *Issuer) ForeignToken(t testing.TB, claims Claims) string {
	return i.sign(t, i.other, claims)
}

func (i *Issuer) sign(t testing.TB, key *rsa.PrivateKey, claims Claims) string {
	t.Helper()
	c := Claims{"iss": i.URL, "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}
	for k, v := range claims {
		c[k] = v
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := jwt.Signed(signer).Claims(map[string]any(c)).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
