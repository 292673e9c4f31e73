package graph

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"gongconnector/internal/core"
	"gongconnector/internal/graphsim"
)

// lookupWith looks up one user through a directory authenticated with c.
func lookupWith(t *testing.T, e *env, c Credentials) error {
	t.Helper()
	cred, err := NewTokenCredential(c, e.srv.Client())
	if err != nil {
		return err
	}
	client := NewClient(e.srv.URL+"/v1.0", cred, e.srv.Client(), nil)
	client.Retry = fastRetry
	got, err := NewDirectory(client).Lookup(t.Context(), core.AttrUPN, []string{"bob@contoso.com"})
	if err == nil && len(got["bob@contoso.com"]) != 1 {
		t.Errorf("lookup found %v, want bob", got)
	}
	return err
}

func TestTokenErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, graphsim.Options{})
	tests := map[string]struct {
		change   func(*Credentials)
		wantCode string
		wants    []string
	}{
		"ok": {change: func(*Credentials) {}},
		"wrong secret": {change: func(c *Credentials) { c.ClientSecret = "wrong-" + testSecret + "-wrong" },
			wantCode: core.EUnauthorized, wants: []string{"rejected the client secret: check ENTRA_CLIENT_SECRET", "AADSTS7000215"}},
		"unknown tenant": {change: func(c *Credentials) { c.TenantID = "00000000-0000-0000-0000-000000000000" },
			wantCode: core.EUnauthorized, wants: []string{"does not know tenant", "check identity.entra.tenant_id", "AADSTS90002"}},
		"unknown client id": {change: func(c *Credentials) { c.ClientID = "99999999-0000-0000-0000-000000000000" },
			wantCode: core.EUnauthorized, wants: []string{"no application with that client id", "check identity.entra.client_id", "AADSTS700016"}},
		"no tenant": {change: func(c *Credentials) { c.TenantID = "" },
			wantCode: core.EInvalid, wants: []string{"identity.entra.tenant_id is not set"}},
		"tenant with a path": {change: func(c *Credentials) { c.TenantID = "../common" },
			wantCode: core.EInvalid, wants: []string{"identity.entra.tenant_id", "is not a tenant id"}},
		"no client id": {change: func(c *Credentials) { c.ClientID = "" },
			wantCode: core.EInvalid, wants: []string{"identity.entra.client_id is not set"}},
		"no credential": {change: func(c *Credentials) { c.ClientSecret = "" },
			wantCode: core.EInvalid, wants: []string{"set ENTRA_CLIENT_SECRET, ENTRA_CLIENT_CERTIFICATE_FILE or ENTRA_MANAGED_IDENTITY=true"}},
		"plain http authority": {change: func(c *Credentials) { c.AuthorityHost = "http://login.example" },
			wantCode: core.EInvalid, wants: []string{"identity.entra.authority_host", "is not an https URL"}},
		"missing certificate": {change: func(c *Credentials) { c.CertificatePath = filepath.Join(t.TempDir(), "nope.pem") },
			wantCode: core.EInvalid, wants: []string{"cannot read ENTRA_CLIENT_CERTIFICATE_FILE", "no such file"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c := e.creds
			tc.change(&c)
			err := lookupWith(t, e, c)
			if tc.wantCode == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			assertErr(t, err, tc.wants...)
			if got := core.ErrorCode(err); got != tc.wantCode {
				t.Errorf("code = %s, want %s", got, tc.wantCode)
			}
		})
	}
}

// writeCertificate writes a new self-signed certificate and its key as PEM
// and returns the path and the certificate.
func writeCertificate(t *testing.T) (string, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "graph test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	data := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk})...)
	path := filepath.Join(t.TempDir(), "app.pem")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, cert
}

func TestCertificateCredential(t *testing.T) {
	t.Parallel()
	pemPath, pemCert := writeCertificate(t)
	otherPath, _ := writeCertificate(t)
	// testdata/app.pfx holds a throwaway key, made with
	// openssl pkcs12 -export -legacy -passout pass:pfx-pass.
	pfx, err := os.ReadFile("testdata/app.pfx")
	if err != nil {
		t.Fatal(err)
	}
	pfxCerts, _, err := azidentity.ParseCertificates(pfx, []byte("pfx-pass"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, graphsim.Options{Apps: []graphsim.App{
		{ClientID: testClient, Secret: testSecret},
		{ClientID: "pem-app", Certificate: pemCert},
		{ClientID: "pfx-app", Certificate: pfxCerts[0]},
	}})
	tests := map[string]struct {
		creds Credentials
		wants []string
	}{
		"PEM": {creds: Credentials{ClientID: "pem-app", CertificatePath: pemPath}},
		"PFX": {creds: Credentials{ClientID: "pfx-app", CertificatePath: "testdata/app.pfx", ClientSecret: "pfx-pass"}},
		"PFX with the wrong password": {creds: Credentials{ClientID: "pfx-app", CertificatePath: "testdata/app.pfx", ClientSecret: "nope"},
			wants: []string{"ENTRA_CLIENT_CERTIFICATE_FILE", "holds no usable certificate"}},
		"certificate not registered": {creds: Credentials{ClientID: "pem-app", CertificatePath: otherPath},
			wants: []string{"rejected the certificate: check ENTRA_CLIENT_CERTIFICATE_FILE", "AADSTS700027"}},
		"not a certificate": {creds: Credentials{ClientID: "pem-app", CertificatePath: "client_test.go"},
			wants: []string{"ENTRA_CLIENT_CERTIFICATE_FILE", "holds no usable certificate"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c := tc.creds
			c.TenantID, c.AuthorityHost = testTenant, e.srv.URL
			err := lookupWith(t, e, c)
			if len(tc.wants) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			assertErr(t, err, tc.wants...)
		})
	}
}

// TestManagedIdentity uses the App Service protocol (IDENTITY_ENDPOINT and
// IDENTITY_HEADER), which azidentity picks up from the environment.
func TestManagedIdentity(t *testing.T) {
	e := newEnv(t, graphsim.Options{IdentityHeader: "identity-header-secret", Apps: []graphsim.App{
		{ClientID: "system-assigned", ManagedIdentity: true},
		{ClientID: "user-assigned", ManagedIdentity: true, Roles: []string{}},
	}})
	t.Setenv("IDENTITY_ENDPOINT", e.srv.URL+"/msi/token")
	t.Setenv("IDENTITY_HEADER", "identity-header-secret")
	if err := lookupWith(t, e, Credentials{ManagedIdentity: true}); err != nil {
		t.Fatalf("system-assigned: %v", err)
	}
	// The user-assigned identity has no permission: the token works, Graph says 403.
	err := lookupWith(t, e, Credentials{ManagedIdentity: true, ClientID: "user-assigned"})
	assertErr(t, err, "User.Read.All")
	// MSAL caches managed identity tokens process-wide, so ask for an
	// identity that has none yet.
	t.Setenv("IDENTITY_HEADER", "wrong")
	err = lookupWith(t, e, Credentials{ManagedIdentity: true, ClientID: "system-assigned"})
	assertErr(t, err, "cannot get a token from the managed identity of this host", "ENTRA_MANAGED_IDENTITY")
}

func TestExplainTokenError(t *testing.T) {
	e := &entraCredential{kind: "client secret", authority: "https://login.example", tenant: "contoso.onmicrosoft.com", secret: testSecret}
	response := func(status int, body string) error {
		return &azidentity.AuthenticationFailedError{RawResponse: &http.Response{StatusCode: status, Body: io.NopCloser(strings.NewReader(body))}}
	}
	tests := map[string]struct {
		err      error
		wantCode string
		wants    []string
	}{
		"network": {err: errors.New("dial tcp 10.0.0.1:443: connect: connection refused; secret " + testSecret),
			wantCode: core.EUnavailable, wants: []string{"cannot get a token from Microsoft Entra ID at https://login.example: check identity.entra.authority_host and the network", "connection refused", "[redacted]"}},
		"tenant only as text": {err: errors.New(`http call(https://login.example/x/v2.0/.well-known/openid-configuration)(GET) error: reply status code was 400: {"error":"invalid_tenant","error_description":"AADSTS90002: Tenant 'x' not found."}`),
			wantCode: core.EUnauthorized, wants: []string{`does not know tenant "contoso.onmicrosoft.com": check identity.entra.tenant_id`, "AADSTS90002: Tenant 'x' not found."}},
		"expired secret": {err: response(401, `{"error":"invalid_client","error_description":"AADSTS7000222: The provided client secret keys are expired.\r\nTrace ID: 1","error_codes":[7000222]}`),
			wantCode: core.EUnauthorized, wants: []string{"the client secret has expired", "ENTRA_CLIENT_SECRET", "HTTP 401 invalid_client: AADSTS7000222: The provided client secret keys are expired."}},
		"other invalid_client": {err: response(401, `{"error":"invalid_client","error_description":"AADSTS1: something"}`),
			wantCode: core.EUnauthorized, wants: []string{"rejected the app's credentials: check identity.entra.client_id and ENTRA_CLIENT_SECRET"}},
		"server error": {err: response(503, `{"error":"temporarily_unavailable","error_description":"AADSTS90033: A transient error has occurred."}`),
			wantCode: core.EUnavailable, wants: []string{"Microsoft Entra ID at https://login.example is failing (HTTP 503); try again later"}},
		"not JSON": {err: response(502, `<html>bad gateway</html>`),
			wantCode: core.EUnavailable, wants: []string{"is failing (HTTP 502)"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := e.explain(t.Context(), tc.err)
			assertErr(t, err, tc.wants...)
			if got := core.ErrorCode(err); got != tc.wantCode {
				t.Errorf("code = %s, want %s", got, tc.wantCode)
			}
		})
	}
}
