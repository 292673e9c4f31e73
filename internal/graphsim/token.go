package graphsim

import (
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const tokenLifetime = 3599 * time.Second

// baseURL is the scheme and host the request came to, for self links.
func baseURL(r *http.Request) string {
	scheme := "https"
	if r.TLS == nil {
		scheme = "http"
	}
	return scheme + "://" + r.Host
}

// openIDConfig serves the tenant's OpenID discovery document, which MSAL
// reads to find the token endpoint of a custom authority.
func (s *Sim) openIDConfig(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if !strings.EqualFold(tenant, s.tenant) {
		s.tokenError(w, http.StatusBadRequest, "invalid_tenant", 90002,
			fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", tenant))
		return
	}
	base := baseURL(r) + "/" + s.tenant
	writeJSON(w, http.StatusOK, map[string]any{
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              baseURL(r) + "/" + s.tenant + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                base + "/v2.0",
		"request_uri_parameter_supported":       false,
		"userinfo_endpoint":                     "https://graph.microsoft.com/oidc/userinfo",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid"},
		"kerberos_endpoint":                     base + "/kerberos",
		"tenant_region_scope":                   "NA",
		"cloud_instance_name":                   "microsoftonline.com",
		"cloud_graph_host_name":                 "graph.windows.net",
		"msgraph_host":                          "graph.microsoft.com",
		"rbac_url":                              "https://pas.windows.net",
	})
}

// token serves the client-credentials grant of the v2.0 token endpoint.
func (s *Sim) token(w http.ResponseWriter, r *http.Request) {
	s.counts.tokens.Add(1)
	tenant := r.PathValue("tenant")
	if !strings.EqualFold(tenant, s.tenant) {
		s.tokenError(w, http.StatusBadRequest, "invalid_request", 90002,
			fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", tenant))
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		s.tokenError(w, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
		return
	}
	if err := r.ParseForm(); err != nil {
		s.tokenError(w, http.StatusBadRequest, "invalid_request", 90014, "The request body could not be parsed.")
		return
	}
	f := r.PostForm
	if gt := f.Get("grant_type"); gt != "client_credentials" {
		s.tokenError(w, http.StatusBadRequest, "unsupported_grant_type", 70003, fmt.Sprintf("The app requested an unsupported grant type '%s'.", gt))
		return
	}
	clientID := f.Get("client_id")
	if clientID == "" {
		s.tokenError(w, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.")
		return
	}
	s.mu.Lock()
	app, ok := s.apps[strings.ToLower(clientID)]
	s.mu.Unlock()
	if !ok || app.ManagedIdentity {
		s.tokenError(w, http.StatusBadRequest, "unauthorized_client", 700016,
			fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, s.tenant))
		return
	}
	// MSAL adds the OpenID scopes to every request; Entra ignores them here.
	scope := f.Get("scope")
	var resources []string
	for _, sc := range strings.Fields(scope) {
		switch sc {
		case "openid", "profile", "offline_access", "email":
		default:
			resources = append(resources, sc)
		}
	}
	resource, ok := "", false
	if len(resources) == 1 {
		resource, ok = strings.CutSuffix(resources[0], "/.default")
	}
	if !ok {
		s.tokenError(w, http.StatusBadRequest, "invalid_scope", 1002012,
			fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scope))
		return
	}
	switch {
	case f.Get("client_secret") != "":
		if app.Secret == "" || subtle.ConstantTimeCompare([]byte(f.Get("client_secret")), []byte(app.Secret)) != 1 {
			s.tokenError(w, http.StatusUnauthorized, "invalid_client", 7000215,
				fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", app.ClientID))
			return
		}
	case f.Get("client_assertion") != "":
		if f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
			s.tokenError(w, http.StatusBadRequest, "invalid_request", 50027, "The client_assertion_type is not valid.")
			return
		}
		aud := baseURL(r) + r.URL.Path
		if code, msg := verifyAssertion(f.Get("client_assertion"), app, aud); code != 0 {
			s.tokenError(w, http.StatusUnauthorized, "invalid_client", code, msg)
			return
		}
	default:
		s.tokenError(w, http.StatusUnauthorized, "invalid_client", 7000216, "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.")
		return
	}
	tok := s.issue(app.ClientID, resource)
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type":     "Bearer",
		"expires_in":     int(tokenLifetime.Seconds()),
		"ext_expires_in": int(tokenLifetime.Seconds()),
		"access_token":   tok,
	})
}

// managedIdentityToken serves the App Service managed identity protocol
// (IDENTITY_ENDPOINT with an X-IDENTITY-HEADER secret, api-version 2019-08-01):
// the identity named by client_id, or else the first managed identity in
// Options.Apps as the system-assigned one.
func (s *Sim) managedIdentityToken(w http.ResponseWriter, r *http.Request) {
	s.counts.tokens.Add(1)
	h := r.Header.Get("X-IDENTITY-HEADER")
	if h == "" || s.identityHeader != "" && h != s.identityHeader {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"statusCode": 401, "message": "Unauthorized request: X-IDENTITY-HEADER is missing or wrong."})
		return
	}
	q := r.URL.Query()
	resource := strings.TrimSuffix(strings.TrimSuffix(q.Get("resource"), "/.default"), "/")
	if q.Get("api-version") == "" || resource == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"statusCode": 400, "message": "api-version and resource are required."})
		return
	}
	want := q.Get("client_id")
	var app *App
	s.mu.Lock()
	for _, a := range s.appOrder {
		if a.ManagedIdentity && (want == "" || strings.EqualFold(a.ClientID, want)) {
			app = a
			break
		}
	}
	s.mu.Unlock()
	if app == nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"statusCode": 400, "message": "No managed identity found for the specified client ID."})
		return
	}
	tok := s.issue(app.ClientID, resource)
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok,
		"expires_on":   strconv.FormatInt(time.Now().Add(tokenLifetime).Unix(), 10),
		"resource":     resource,
		"token_type":   "Bearer",
		"client_id":    app.ClientID,
	})
}

// tokenKey signs the simulator's access tokens. It depends only on the
// tenant, so a token stays good across simulators of the same tenant, as
// MSAL may cache one process-wide.
func tokenKey(tenant string) []byte {
	k := sha256.Sum256([]byte("graphsim token key/" + strings.ToLower(tenant)))
	return k[:]
}

// issue returns a signed, self-contained access token.
func (s *Sim) issue(clientID, resource string) string {
	payload, _ := json.Marshal(issued{ClientID: clientID, Resource: strings.TrimSuffix(resource, "/"),
		Expires: time.Now().Add(tokenLifetime), Nonce: newID()})
	p := base64.RawURLEncoding.EncodeToString(payload)
	return "simtoken." + p + "." + s.sign(p)
}

func (s *Sim) sign(p string) string {
	m := hmac.New(sha256.New, s.tokenKey)
	m.Write([]byte(p))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// readToken checks a token's signature and returns what it says.
func (s *Sim) readToken(tok string) (issued, bool) {
	var t issued
	rest, ok := strings.CutPrefix(tok, "simtoken.")
	if !ok {
		return t, false
	}
	p, sig, ok := strings.Cut(rest, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.sign(p))) {
		return t, false
	}
	if err := decodeSegment(p, &t); err != nil {
		return t, false
	}
	return t, true
}

// tokenError writes an Entra token endpoint error body.
func (s *Sim) tokenError(w http.ResponseWriter, status int, code string, aadsts int, msg string) {
	trace, corr := newID(), newID()
	now := time.Now().UTC()
	writeJSON(w, status, map[string]any{
		"error": code,
		"error_description": fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s",
			aadsts, msg, trace, corr, now.Format("2006-01-02 15:04:05Z")),
		"error_codes":    []int{aadsts},
		"timestamp":      now.Format("2006-01-02 15:04:05Z"),
		"trace_id":       trace,
		"correlation_id": corr,
		"error_uri":      "https://login.microsoftonline.com/error?code=" + strconv.Itoa(aadsts),
	})
}

// verifyAssertion checks a client assertion JWT against the app's
// certificate; it returns an AADSTS code and message when it fails.
func verifyAssertion(jwt string, app *App, aud string) (int, string) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return 50012, "Client assertion is not a well-formed JWT."
	}
	var hdr struct {
		Alg     string `json:"alg"`
		X5t     string `json:"x5t"`
		X5tS256 string `json:"x5t#S256"`
	}
	var claims struct {
		Aud string `json:"aud"`
		Iss string `json:"iss"`
		Sub string `json:"sub"`
		Exp int64  `json:"exp"`
		Nbf int64  `json:"nbf"`
	}
	if err := decodeSegment(parts[0], &hdr); err != nil {
		return 50012, "Client assertion header could not be decoded."
	}
	if err := decodeSegment(parts[1], &claims); err != nil {
		return 50012, "Client assertion claims could not be decoded."
	}
	if app.Certificate == nil {
		return 700027, "Client assertion failed signature validation: no certificate is registered on the application."
	}
	cert := app.Certificate
	s1, s256 := sha1.Sum(cert.Raw), sha256.Sum256(cert.Raw)
	thumbOK := hdr.X5tS256 != "" && thumbEqual(hdr.X5tS256, s256[:]) || hdr.X5t != "" && thumbEqual(hdr.X5t, s1[:])
	if !thumbOK {
		return 700027, "The certificate with identifier used to sign the client assertion is not registered on application."
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return 700027, "Client assertion failed signature validation: only RSA certificates are supported."
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return 700027, "Client assertion failed signature validation."
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	switch hdr.Alg {
	case "PS256":
		err = rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
	case "RS256":
		err = rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig)
	default:
		return 700027, fmt.Sprintf("Client assertion uses an unsupported algorithm '%s'.", hdr.Alg)
	}
	if err != nil {
		return 700027, "Client assertion failed signature validation."
	}
	now := time.Now().Unix()
	switch {
	case !strings.EqualFold(claims.Aud, aud):
		return 700212, fmt.Sprintf("No matching federated identity record found for presented assertion audience '%s'.", claims.Aud)
	case !strings.EqualFold(claims.Iss, app.ClientID) || !strings.EqualFold(claims.Sub, app.ClientID):
		return 700021, "Client assertion application identifier doesn't match 'client_id' parameter."
	case claims.Exp < now:
		return 700024, "Client assertion is not within its valid time range."
	case claims.Nbf > now+300:
		return 700024, "Client assertion is not within its valid time range."
	}
	return 0, ""
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// thumbEqual compares a thumbprint sent in any base64 flavour with want.
func thumbEqual(got string, want []byte) bool {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(got); err == nil {
			return subtle.ConstantTimeCompare(b, want) == 1
		}
	}
	return false
}
