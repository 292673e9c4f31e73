// Package identity maps Gong users to people in the organization's directory
// (PRODUCT.md §3): which directory user each Gong user is, which Gong user a
// signed-in person is, and who belongs to an audience of users and groups.
//
// Every rule fails closed: a Gong user who cannot be mapped to exactly one
// directory user, or who shares a directory user with another Gong user, is
// mapped to nobody and sees nothing; the report says why.
package identity

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"gongconnector/internal/core"
)

// Directories the identity section can name.
const (
	// DirectoryEmail treats every email address as a person: the caller's
	// verified email is the identity. It has no groups.
	DirectoryEmail = "email"
	// DirectoryFile reads users and groups from a CSV or JSON file.
	DirectoryFile = "file"
	// DirectoryEntra looks people up in Microsoft Entra ID through Microsoft Graph.
	DirectoryEntra = "entra"
)

// Config is the `identity:` section of the configuration file.
type Config struct {
	// Directory is email (the default), file or entra.
	Directory string `yaml:"directory"`
	// File is the CSV or JSON file of users and groups for directory: file.
	// The caller resolves a relative path against the config file's directory.
	File    string  `yaml:"file"`
	Entra   Entra   `yaml:"entra"`
	Mapping Mapping `yaml:"mapping"`
}

// Entra holds the settings of the Microsoft Entra directory; the client that
// uses them lives in another package.
type Entra struct {
	TenantID string `yaml:"tenant_id"`
	// ClientID is the app registration's application (client) id. How the
	// app proves it (secret, certificate, managed identity) comes from the
	// environment, never from this file.
	ClientID string `yaml:"client_id"`
	// GraphURL is the Microsoft Graph endpoint, https://graph.microsoft.com/v1.0 by default.
	GraphURL string `yaml:"graph_url"`
	// AuthorityHost is where tokens are requested, https://login.microsoftonline.com by default.
	AuthorityHost string `yaml:"authority_host"`
}

// Mapping says how a Gong user becomes a directory identity.
type Mapping struct {
	// Target is the directory attribute the mapping resolves to and that
	// becomes the user's identity: upn (the default), mail, object_id or external_id.
	Target core.Attribute `yaml:"target"`
	// Properties, when listed, replace the default mapping (Gong email and
	// aliases matched to UPN or mail) with Template filled from these
	// properties' regular expression outputs.
	Properties []Property `yaml:"properties"`
	// Template builds the target value: {0} is the output of the first
	// property, {1} of the second, and so on; e.g. {0}.{1}@contoso.com.
	Template string `yaml:"template"`
}

// Property is one input of a custom mapping.
type Property struct {
	// Property is the Gong user property read: id (the Gong user id), email,
	// first_name, last_name or title.
	Property string `yaml:"property"`
	// Regex is a Go (RE2) regular expression applied to the property's value.
	// Its output is the first capture group when it has groups, else the whole
	// match. Empty means the whole value.
	Regex string `yaml:"regex"`
}

// Defaults of the Entra settings.
const (
	DefaultGraphURL      = "https://graph.microsoft.com/v1.0"
	DefaultAuthorityHost = "https://login.microsoftonline.com"
)

// DefaultConfig returns the section used when the file leaves keys out: the
// email directory and the default mapping to UPN.
func DefaultConfig() Config {
	return Config{
		Directory: DirectoryEmail,
		Entra:     Entra{GraphURL: DefaultGraphURL, AuthorityHost: DefaultAuthorityHost},
		Mapping:   Mapping{Target: core.AttrUPN},
	}
}

// Validate returns every problem in the section, worded for the admin who
// edits the file, or nil.
func (c Config) Validate() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	switch c.Directory {
	case DirectoryEmail, DirectoryEntra:
	case DirectoryFile:
		if strings.TrimSpace(c.File) == "" {
			add("identity.file is required when identity.directory is file: name a CSV or JSON file of users and groups")
		}
	case "":
		add("identity.directory is empty: use email, file or entra")
	default:
		add("identity.directory %q is not known: use email, file or entra", c.Directory)
	}
	if c.Directory != DirectoryFile && c.File != "" {
		// A file that is silently ignored would leave the admin wondering why
		// groups do not resolve.
		add("identity.file %q is only read when identity.directory is file (it is %q)", c.File, c.Directory)
	}
	if c.Directory == DirectoryEntra {
		if strings.TrimSpace(c.Entra.TenantID) == "" {
			add("identity.entra.tenant_id is required when identity.directory is entra: copy the Directory (tenant) ID from the app registration in the Entra admin center")
		}
		if strings.TrimSpace(c.Entra.ClientID) == "" {
			add("identity.entra.client_id is required when identity.directory is entra: copy the Application (client) ID from the app registration")
		}
		if !isSecureURL(c.Entra.GraphURL) {
			add("identity.entra.graph_url %q must be an https URL such as %s", c.Entra.GraphURL, DefaultGraphURL)
		}
		if !isSecureURL(c.Entra.AuthorityHost) {
			add("identity.entra.authority_host %q must be an https URL such as %s", c.Entra.AuthorityHost, DefaultAuthorityHost)
		}
	}
	problems = append(problems, mappingProblems(c.Mapping)...)
	if c.Directory == DirectoryEmail && c.Mapping.Target == core.AttrExternalID {
		add("identity.mapping.target external_id needs a file or entra directory: the email directory knows only addresses")
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// isSecureURL accepts https, and plain http only to this machine (a local
// test double): tokens must not cross a network in clear.
func isSecureURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		h := u.Hostname()
		return h == "localhost" || h == "127.0.0.1" || h == "::1"
	}
	return false
}
