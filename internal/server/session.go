package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// Browser sessions. A signed-in browser holds one cookie: the caller
// (identity, role), when the session ends, and the session's CSRF token,
// encoded and signed with HMAC-SHA256 under the server's session key. The
// server keeps no session state, so any replica of it accepts the cookie.
// Every form carries the CSRF token, and every POST from a browser is
// refused without it.

const (
	sessionCookie = "gc_session"
	// preCookie carries the CSRF token of a browser not signed in yet (the
	// sign-in forms), and the OIDC state, nonce and PKCE verifier.
	preCookie = "gc_pre"
	// sessionLife is how long a browser stays signed in.
	sessionLife = 8 * time.Hour
)

// session is what the session cookie holds.
type session struct {
	Identity string `json:"i"`
	Role     string `json:"r"`
	Expires  int64  `json:"e"` // unix seconds
	CSRF     string `json:"c"`
	Via      string `json:"v"` // "demo" or "oidc"
}

// pre is what the pre-session cookie holds.
type pre struct {
	CSRF     string `json:"c"`
	State    string `json:"s,omitempty"`
	Nonce    string `json:"n,omitempty"`
	Verifier string `json:"p,omitempty"`
	Next     string `json:"x,omitempty"` // where to go after sign-in
	Expires  int64  `json:"e"`
}

// sessions signs and reads cookies.
type sessions struct {
	key    []byte
	secure bool // cookies only over HTTPS
}

func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *sessions) seal(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	payload := base64.RawURLEncoding.EncodeToString(b)
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(payload))
	return payload + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), nil
}

var errBadCookie = errors.New("bad cookie")

func (s *sessions) open(value string, v any) error {
	payload, sig, ok := strings.Cut(value, ".")
	if !ok {
		return errBadCookie
	}
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(payload))
	want := mac.Sum(nil)
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, want) {
		return errBadCookie
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return errBadCookie
	}
	return json.Unmarshal(b, v)
}

func (s *sessions) set(w http.ResponseWriter, name string, v any, life time.Duration) error {
	value, err := s.seal(v)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(life / time.Second),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	return nil
}

func (s *sessions) clear(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

// current returns the browser's session, if it has a valid one.
func (s *sessions) current(r *http.Request) (session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	var ses session
	if s.open(c.Value, &ses) != nil || ses.Identity == "" || time.Now().Unix() >= ses.Expires {
		return session{}, false
	}
	return ses, true
}

// start signs a browser in.
func (s *sessions) start(w http.ResponseWriter, identity, role, via string) error {
	return s.set(w, sessionCookie, session{Identity: identity, Role: role, Via: via,
		Expires: time.Now().Add(sessionLife).Unix(), CSRF: randomString(18)}, sessionLife)
}

// preSession returns the browser's pre-session, making one when missing
// or expired.
func (s *sessions) preSession(w http.ResponseWriter, r *http.Request) pre {
	if c, err := r.Cookie(preCookie); err == nil {
		var p pre
		if s.open(c.Value, &p) == nil && p.CSRF != "" && time.Now().Unix() < p.Expires {
			return p
		}
	}
	p := pre{CSRF: randomString(18), Expires: time.Now().Add(time.Hour).Unix()}
	s.set(w, preCookie, p, time.Hour)
	return p
}

// validCSRF reports whether the form's token is want.
func validCSRF(r *http.Request, want string) bool {
	got := r.PostFormValue("csrf")
	return want != "" && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
