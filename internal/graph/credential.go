package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"gongconnector/internal/core"
)

// DefaultAuthorityHost is the Microsoft Entra ID authority of the public cloud.
const DefaultAuthorityHost = "https://login.microsoftonline.com"

// Settings named in messages for the admin: the identity.entra keys of the
// configuration file, and the environment variables from which cmd reads
// the app's credential (never from the file).
const (
	settingTenantID        = "identity.entra.tenant_id"
	settingClientID        = "identity.entra.client_id"
	settingAuthorityHost   = "identity.entra.authority_host"
	settingGraphURL        = "identity.entra.graph_url"
	settingClientSecret    = "ENTRA_CLIENT_SECRET"
	settingCertificatePath = "ENTRA_CLIENT_CERTIFICATE_FILE"
	settingCertificatePass = "ENTRA_CLIENT_CERTIFICATE_PASSWORD"
	settingManagedIdentity = "ENTRA_MANAGED_IDENTITY"
)

// Credentials say how the app authenticates to Microsoft Entra ID. Exactly
// one way is used, in this order: ManagedIdentity, CertificatePath,
// ClientSecret.
type Credentials struct {
	TenantID string
	// ClientID is the app registration's application (client) id; with a
	// managed identity it selects a user-assigned identity (empty means the
	// system-assigned one).
	ClientID string
	// ClientSecret is the client secret value (ENTRA_CLIENT_SECRET); with
	// CertificatePath it is the password of a PFX file, if it has one.
	ClientSecret string
	// CertificatePath is a PEM file (certificate and unencrypted private key)
	// or a PFX/PKCS#12 file.
	CertificatePath string
	// ManagedIdentity uses the Azure managed identity of the host.
	ManagedIdentity bool
	// AuthorityHost is the Entra authority [DefaultAuthorityHost].
	AuthorityHost string
}

// microsoftAuthorities are the authority hosts of Microsoft's clouds; for
// any other host MSAL must not ask login.microsoftonline.com about it.
var microsoftAuthorities = map[string]bool{
	"login.microsoftonline.com":        true,
	"login.microsoft.com":              true,
	"login.windows.net":                true,
	"sts.windows.net":                  true,
	"login.microsoftonline.us":         true,
	"login.chinacloudapi.cn":           true,
	"login.partner.microsoftonline.cn": true,
}

// NewTokenCredential returns a credential for c. httpClient carries the
// token requests (nil means azcore's default). Errors of the returned
// credential are worded for an admin and never contain the secret.
func NewTokenCredential(c Credentials, httpClient *http.Client) (azcore.TokenCredential, error) {
	if c.AuthorityHost == "" {
		c.AuthorityHost = DefaultAuthorityHost
	}
	authority, err := url.Parse(strings.TrimRight(c.AuthorityHost, "/"))
	if err != nil || authority.Scheme != "https" || authority.Host == "" {
		return nil, core.Errorf(core.EInvalid, "%s %q is not an https URL such as %s", settingAuthorityHost, c.AuthorityHost, DefaultAuthorityHost)
	}
	opts := azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: authority.String() + "/"}}
	if httpClient != nil {
		opts.Transport = httpClient
	}
	discoveryOff := !microsoftAuthorities[strings.ToLower(authority.Hostname())]
	w := &entraCredential{authority: authority.String(), tenant: c.TenantID, secret: c.ClientSecret}

	if c.ManagedIdentity {
		mo := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: opts}
		if c.ClientID != "" {
			mo.ID = azidentity.ClientID(c.ClientID)
		}
		w.kind, w.secret = "managed identity", ""
		cred, err := azidentity.NewManagedIdentityCredential(mo)
		if err != nil {
			return nil, core.Errorf(core.EInvalid, "cannot use the managed identity of this host (%s): %s", settingManagedIdentity, redact(err.Error(), c.ClientSecret))
		}
		w.inner = cred
		return w, nil
	}

	if c.TenantID == "" {
		return nil, core.Errorf(core.EInvalid, "%s is not set: give the directory (tenant) id of your Microsoft Entra ID", settingTenantID)
	}
	if !validTenant(c.TenantID) {
		return nil, core.Errorf(core.EInvalid, "%s %q is not a tenant id (a GUID) or a domain such as contoso.onmicrosoft.com", settingTenantID, c.TenantID)
	}
	if c.ClientID == "" {
		return nil, core.Errorf(core.EInvalid, "%s is not set: give the application (client) id of the app registration", settingClientID)
	}

	switch {
	case c.CertificatePath != "":
		data, err := os.ReadFile(c.CertificatePath)
		if err != nil {
			return nil, core.Errorf(core.EInvalid, "cannot read %s %q: %s", settingCertificatePath, c.CertificatePath, pathError(err))
		}
		certs, key, err := azidentity.ParseCertificates(data, nil)
		if err != nil && c.ClientSecret != "" {
			certs, key, err = azidentity.ParseCertificates(data, []byte(c.ClientSecret))
		}
		if err != nil {
			return nil, core.Errorf(core.EInvalid, "%s %q holds no usable certificate and private key (a PEM file with both, or a PFX file whose password is %s): %s",
				settingCertificatePath, c.CertificatePath, settingCertificatePass, redact(err.Error(), c.ClientSecret))
		}
		w.kind = "certificate"
		cred, err := azidentity.NewClientCertificateCredential(c.TenantID, c.ClientID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: discoveryOff})
		if err != nil {
			return nil, core.Errorf(core.EInvalid, "cannot use the certificate in %s: %s", settingCertificatePath, redact(err.Error(), c.ClientSecret))
		}
		w.inner = cred
	case c.ClientSecret != "":
		w.kind = "client secret"
		cred, err := azidentity.NewClientSecretCredential(c.TenantID, c.ClientID, c.ClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: discoveryOff})
		if err != nil {
			return nil, core.Errorf(core.EInvalid, "cannot use the client secret: %s", redact(err.Error(), c.ClientSecret))
		}
		w.inner = cred
	default:
		return nil, core.Errorf(core.EInvalid, "no Microsoft Entra ID credential is configured: set %s, %s or %s=true", settingClientSecret, settingCertificatePath, settingManagedIdentity)
	}
	return w, nil
}

var tenantPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]*$`)

func validTenant(t string) bool { return len(t) <= 256 && tenantPattern.MatchString(t) }

func pathError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// entraCredential turns azidentity's errors into messages that say which
// setting to check, without the secret.
type entraCredential struct {
	inner     azcore.TokenCredential
	kind      string
	authority string
	tenant    string
	secret    string
}

// GetToken implements azcore.TokenCredential.
func (e *entraCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	tok, err := e.inner.GetToken(ctx, opts)
	if err != nil {
		return tok, e.explain(ctx, err)
	}
	return tok, nil
}

// tokenError is the error body of the Entra token endpoint.
type tokenError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
	Codes       []int  `json:"error_codes"`
}

var (
	aadstsPattern     = regexp.MustCompile(`AADSTS(\d+)`)
	aadstsDescription = regexp.MustCompile(`AADSTS\d+: [^"\r\n]*`)
)

func (e *entraCredential) explain(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("get a token from Microsoft Entra ID: %w", ctx.Err())
	}
	if e.kind == "managed identity" {
		return &core.Error{Code: core.EUnauthorized,
			Message: fmt.Sprintf("cannot get a token from the managed identity of this host: check that the host has a managed identity with access to Microsoft Graph (%s, and %s for a user-assigned identity)", settingManagedIdentity, settingClientID),
			Err:     errors.New(firstLine(redact(err.Error(), e.secret)))}
	}
	var te tokenError
	status := 0
	var afe *azidentity.AuthenticationFailedError
	if errors.As(err, &afe) && afe.RawResponse != nil {
		status = afe.RawResponse.StatusCode
		body, _ := runtime.Payload(afe.RawResponse)
		_ = json.Unmarshal(body, &te)
	} else if m := aadstsDescription.FindString(err.Error()); m != "" {
		// An answer that reached us only as text, such as a failed
		// discovery of the authority.
		te.Description = m
	} else {
		return &core.Error{Code: core.EUnavailable,
			Message: fmt.Sprintf("cannot get a token from Microsoft Entra ID at %s: check %s and the network", e.authority, settingAuthorityHost),
			Err:     errors.New(shortCause(redact(err.Error(), e.secret)))}
	}
	code := 0
	if len(te.Codes) > 0 {
		code = te.Codes[0]
	} else if m := aadstsPattern.FindStringSubmatch(te.Description); m != nil {
		code, _ = strconv.Atoi(m[1])
	}
	desc := firstSentence(redact(te.Description, e.secret))
	var cause error
	switch {
	case status != 0 && te.Error != "":
		cause = fmt.Errorf("HTTP %d %s: %s", status, te.Error, desc)
	case status != 0:
		cause = fmt.Errorf("HTTP %d", status)
	default:
		cause = errors.New(desc)
	}
	msg := ""
	switch code {
	case 7000215:
		msg = fmt.Sprintf("Microsoft Entra ID rejected the client secret: check %s (it must be the secret's value, not its id)", settingClientSecret)
	case 7000222:
		msg = fmt.Sprintf("the client secret has expired: create a new one for the app registration and set %s", settingClientSecret)
	case 700016:
		msg = fmt.Sprintf("Microsoft Entra ID has no application with that client id in tenant %s: check %s and %s", e.tenant, settingClientID, settingTenantID)
	case 90002, 900023, 90013:
		msg = fmt.Sprintf("Microsoft Entra ID does not know tenant %q: check %s", e.tenant, settingTenantID)
	case 700027, 700023, 50012, 700024:
		msg = fmt.Sprintf("Microsoft Entra ID rejected the certificate: check %s and that the certificate is uploaded to the app registration", settingCertificatePath)
	case 7000216:
		msg = fmt.Sprintf("no credential was sent: set %s or %s", settingClientSecret, settingCertificatePath)
	case 1002012, 70011:
		msg = "Microsoft Entra ID rejected the requested scope (this is a bug: the scope must end in /.default)"
	case 7000112, 700022:
		msg = fmt.Sprintf("the application is disabled in Microsoft Entra ID: enable it or check %s", settingClientID)
	default:
		switch {
		case te.Error == "invalid_client":
			msg = fmt.Sprintf("Microsoft Entra ID rejected the app's credentials: check %s and %s (or %s)", settingClientID, settingClientSecret, settingCertificatePath)
		case te.Error == "invalid_tenant" || te.Error == "invalid_request" && strings.Contains(strings.ToLower(te.Description), "tenant"):
			msg = fmt.Sprintf("Microsoft Entra ID does not know tenant %q: check %s", e.tenant, settingTenantID)
		case status >= 500:
			return &core.Error{Code: core.EUnavailable, Message: fmt.Sprintf("Microsoft Entra ID at %s is failing (HTTP %d); try again later", e.authority, status), Err: cause}
		default:
			msg = fmt.Sprintf("Microsoft Entra ID refused a token (%s): check %s, %s and the credential", te.Error, settingTenantID, settingClientID)
		}
	}
	return &core.Error{Code: core.EUnauthorized, Message: msg, Err: cause}
}

// redact removes the secret from s, should any library have echoed it.
func redact(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "[redacted]")
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// firstSentence keeps an AADSTS description up to its trace ids.
func firstSentence(s string) string {
	for _, cut := range []string{"\r\n", "\n", " Trace ID:"} {
		s, _, _ = strings.Cut(s, cut)
	}
	return strings.TrimSpace(s)
}

// shortCause keeps the useful line of an azidentity error without the
// troubleshooting link.
func shortCause(s string) string {
	s, _, _ = strings.Cut(s, "To troubleshoot")
	s = strings.Join(strings.Fields(s), " ")
	return strings.TrimSuffix(s, ".")
}
