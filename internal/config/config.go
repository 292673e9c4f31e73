// Package config reads gongconnector's YAML configuration: strictly (an
// unknown or misspelt key is an error with its line), with defaults, and with
// Gong credentials taken from the environment, never from the file.
package config

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"gongconnector/internal/access"
	"gongconnector/internal/graph"
	"gongconnector/internal/identity"
)

// Config is the whole configuration of one connection.
type Config struct {
	// DisplayName names the connection in the UI and in Microsoft 365.
	DisplayName string `yaml:"display_name"`
	// DataDir holds the SQLite index; relative paths are relative to the
	// config file's directory.
	DataDir string `yaml:"data_dir"`
	Gong    Gong   `yaml:"gong"`
	Crawl   Crawl  `yaml:"crawl"`
	// Access is who sees what: Gong's rules or everyone, and the rollout audience.
	Access access.Config `yaml:"access"`
	// Identity maps Gong users to people in the organization's directory.
	Identity identity.Config `yaml:"identity"`
	// Answer configures question answering.
	Answer Answer `yaml:"answer"`
	// Server configures `serve`: where it listens and who may call it.
	Server Server `yaml:"server"`
	// Graph pushes the calls into Microsoft 365 through an external
	// connection of Microsoft Graph.
	Graph Graph `yaml:"graph"`

	// Credentials come from the environment; yaml:"-" keeps them out of files.
	Credentials Credentials `yaml:"-"`
	// Path is the file the config was read from.
	Path string `yaml:"-"`
}

// Gong configures the API client.
type Gong struct {
	BaseURL string `yaml:"base_url"`
	// Rate is requests per second for the tenant; 0 in the file means the default.
	Rate float64 `yaml:"rate"`
	// DailyBudget is the share of Gong's daily request limit this connector may
	// use, leaving the rest to other integrations.
	DailyBudget int `yaml:"daily_budget"`
}

// Crawl configures what is crawled and when.
type Crawl struct {
	// Workspaces limits the crawl to these workspaces (ids or names); empty means all.
	Workspaces []string `yaml:"workspaces"`
	// StartDate limits the crawl to calls started on or after it (YYYY-MM-DD).
	StartDate           Date     `yaml:"start_date"`
	Lookback            Duration `yaml:"lookback"`
	FullInterval        Duration `yaml:"full_interval"`
	IncrementalInterval Duration `yaml:"incremental_interval"`
	// DeleteThreshold is the largest share of the index (0-1) a crawl deletes
	// without an admin's confirmation.
	DeleteThreshold float64 `yaml:"delete_threshold"`
	// ContentRetry is how long after a call started the crawler keeps
	// re-fetching it while Gong has not yet published its AI content.
	ContentRetry Duration `yaml:"content_retry"`
	// Transcripts also indexes transcripts (off by default: large and costly).
	Transcripts bool `yaml:"transcripts"`
}

// Graph configures the push to Microsoft 365 (Copilot and Microsoft
// Search). It uses the app registration of identity.entra.
type Graph struct {
	// Enabled makes serve push after every crawl; `graph push` works
	// either way.
	Enabled bool `yaml:"enabled"`
	// ConnectionID is the external connection's id: 3 to 32 letters and
	// digits, unique in the tenant. Its display name is display_name.
	ConnectionID string `yaml:"connection_id"`
	// Description is shown to admins in the Microsoft 365 admin center.
	Description string `yaml:"description"`
	// ItemsPerSecond caps item writes; Graph allows 25 per connection.
	ItemsPerSecond float64 `yaml:"items_per_second"`
	// Concurrency is how many requests are in flight at once; Graph allows
	// 25 per connection.
	Concurrency int `yaml:"concurrency"`
}

// Answer configures question answering.
type Answer struct {
	// LLM is an optional OpenAI-compatible model that phrases answers from
	// the passages retrieved for the asker; off when BaseURL is empty.
	LLM LLM `yaml:"llm"`
}

// LLM is an OpenAI-compatible chat completions endpoint.
type LLM struct {
	// BaseURL is the API root, such as https://api.openai.com/v1 or a local
	// server's http://127.0.0.1:11434/v1.
	BaseURL string `yaml:"base_url"`
	Model   string `yaml:"model"`
	// APIKeyEnv names the environment variable holding the API key (or a
	// file, through NAME_FILE); empty for servers that need none.
	APIKeyEnv string   `yaml:"api_key_env"`
	Timeout   Duration `yaml:"timeout"`
	// APIKey is read from APIKeyEnv; yaml:"-" keeps it out of files.
	APIKey string `yaml:"-"`
}

// Server configures the HTTP server of `serve`.
type Server struct {
	// Listen is the address to listen on, host:port.
	Listen string `yaml:"listen"`
	// PublicURL is where users reach the server (links, sign-in
	// redirects); default http://<listen>.
	PublicURL string `yaml:"public_url"`
	// Tokens are API tokens, each stored as the SHA-256 of the token.
	Tokens []APIToken `yaml:"tokens"`
	// OIDC accepts bearer tokens of an OpenID Connect issuer (Entra ID or
	// any other); off when Issuer is empty.
	OIDC OIDC `yaml:"oidc"`
}

// APIToken is one API token: `gongconnector token new` makes one.
type APIToken struct {
	// Name says who or what uses the token (shown in logs, never the token).
	Name string `yaml:"name"`
	// SHA256 is the hex SHA-256 of the token.
	SHA256 string `yaml:"sha256"`
	// Identity is the person the token acts as: it sees what they may see.
	Identity string `yaml:"identity"`
	// Role is user or admin.
	Role string `yaml:"role"`
}

// OIDC configures bearer tokens from an OpenID Connect issuer.
type OIDC struct {
	// Issuer is the issuer URL; its discovery document and keys are read
	// from Issuer/.well-known/openid-configuration.
	Issuer string `yaml:"issuer"`
	// Audience is the value the tokens' aud claim must hold.
	Audience string `yaml:"audience"`
	// IdentityClaim names the claim that identifies the caller: email,
	// upn, preferred_username or oid.
	IdentityClaim string `yaml:"identity_claim"`
	// AdminRole is a value of the roles claim that makes the caller an
	// admin; Admins lists admins by identity.
	AdminRole string   `yaml:"admin_role"`
	Admins    []string `yaml:"admins"`
	// ClientID turns on browser sign-in for the web UI (authorization code
	// with PKCE); ClientSecretEnv names the environment variable holding
	// the client secret (or NAME_FILE), empty for a public client.
	ClientID        string `yaml:"client_id"`
	ClientSecretEnv string `yaml:"client_secret_env"`
	// ClientSecret is read from ClientSecretEnv; yaml:"-" keeps it out of
	// files.
	ClientSecret string `yaml:"-"`
}

// Enabled reports whether a model is configured.
func (l LLM) Enabled() bool { return l.BaseURL != "" }

// Credentials are the Gong API key pair.
type Credentials struct {
	AccessKey       string
	AccessKeySecret string
}

// String never shows the secret.
func (c Credentials) String() string {
	if c.AccessKey == "" {
		return "(none)"
	}
	return "access key " + c.AccessKey + " with a secret"
}

// Default returns the configuration used when a file leaves a key out.
func Default() Config {
	return Config{
		DisplayName: "Gong",
		DataDir:     "data",
		Gong:        Gong{BaseURL: "https://api.gong.io", Rate: 3, DailyBudget: 10000},
		Crawl: Crawl{
			Lookback:            Duration(24 * time.Hour),
			FullInterval:        Duration(24 * time.Hour),
			IncrementalInterval: Duration(15 * time.Minute),
			DeleteThreshold:     0.10,
			ContentRetry:        Duration(7 * 24 * time.Hour),
		},
		Access:   access.DefaultConfig(),
		Identity: identity.DefaultConfig(),
		Server:   Server{Listen: "127.0.0.1:8080", OIDC: OIDC{IdentityClaim: "email"}},
		Graph: Graph{ConnectionID: "gongcalls", ItemsPerSecond: 25, Concurrency: 20,
			Description: "Calls and meetings recorded in Gong: briefs, key points, action items, topics, participants, accounts and deals."},
	}
}

// Load reads and validates the file at path and takes credentials from the
// environment through getenv (os.Getenv in production).
func Load(path string, getenv func(string) string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	cfg, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	cfg.Path = path
	if !filepath.IsAbs(cfg.DataDir) {
		cfg.DataDir = filepath.Join(filepath.Dir(path), cfg.DataDir)
	}
	if cfg.Identity.File != "" && !filepath.IsAbs(cfg.Identity.File) {
		cfg.Identity.File = filepath.Join(filepath.Dir(path), cfg.Identity.File)
	}
	cfg.Credentials, err = CredentialsFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	if o := &cfg.Server.OIDC; o.ClientSecretEnv != "" {
		if o.ClientSecret, err = Secret(getenv, o.ClientSecretEnv); err != nil {
			return nil, err
		}
		if o.ClientSecret == "" {
			return nil, fmt.Errorf("config %s: server.oidc.client_secret_env names %s, which is not set (nor %s_FILE)", path, o.ClientSecretEnv, o.ClientSecretEnv)
		}
	}
	if l := &cfg.Answer.LLM; l.Enabled() && l.APIKeyEnv != "" {
		if l.APIKey, err = Secret(getenv, l.APIKeyEnv); err != nil {
			return nil, err
		}
		if l.APIKey == "" {
			return nil, fmt.Errorf("config %s: answer.llm.api_key_env names %s, which is not set (nor %s_FILE)", path, l.APIKeyEnv, l.APIKeyEnv)
		}
	}
	return cfg, nil
}

// Parse decodes and validates YAML over the defaults.
func Parse(b []byte) (*Config, error) {
	cfg := Default()
	if err := yaml.UnmarshalWithOptions(b, &cfg, yaml.Strict()); err != nil {
		if where := locateTextField(b); where != "" {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		return nil, errors.New(yaml.FormatError(err, false, true))
	}
	if reflect.DeepEqual(cfg, Config{}) {
		cfg = Default() // a file of comments only decodes as null
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// textFields are the keys decoded through UnmarshalText, whose errors the
// YAML library reports without a position.
var textFields = map[string]func([]byte) error{
	"crawl.start_date":           func(b []byte) error { return new(Date).UnmarshalText(b) },
	"crawl.lookback":             func(b []byte) error { return new(Duration).UnmarshalText(b) },
	"crawl.full_interval":        func(b []byte) error { return new(Duration).UnmarshalText(b) },
	"crawl.incremental_interval": func(b []byte) error { return new(Duration).UnmarshalText(b) },
	"crawl.content_retry":        func(b []byte) error { return new(Duration).UnmarshalText(b) },
	"answer.llm.timeout":         func(b []byte) error { return new(Duration).UnmarshalText(b) },
}

// locateTextField returns "[line:col] key" for the first text field whose
// value does not parse, or "".
func locateTextField(b []byte) string {
	keys := make([]string, 0, len(textFields))
	for k := range textFields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		p, err := yaml.PathString("$." + key)
		if err != nil {
			continue
		}
		node, err := p.ReadNode(bytes.NewReader(b))
		if err != nil || node == nil {
			continue
		}
		val := strings.Trim(node.String(), `"'`)
		if textFields[key]([]byte(val)) != nil {
			pos := node.GetToken().Position
			return fmt.Sprintf("[%d:%d] %s", pos.Line, pos.Column, key)
		}
	}
	return ""
}

// Validate checks values that decode but make no sense.
func (c *Config) Validate() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if u, err := url.Parse(c.Gong.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add("gong.base_url %q must be an http(s) URL such as https://us-12345.api.gong.io", c.Gong.BaseURL)
	}
	if c.Gong.Rate < 0 || c.Gong.Rate > 100 {
		add("gong.rate %v must be between 0 and 100 requests per second (Gong allows 3 by default)", c.Gong.Rate)
	}
	if c.Gong.DailyBudget < 0 {
		add("gong.daily_budget %d must not be negative", c.Gong.DailyBudget)
	}
	if c.DataDir == "" {
		add("data_dir must not be empty")
	}
	if c.Crawl.Lookback < 0 {
		add("crawl.lookback must not be negative")
	}
	if c.Crawl.FullInterval != 0 && c.Crawl.FullInterval.D() < time.Hour {
		add("crawl.full_interval %s is shorter than an hour; a full crawl lists every call", c.Crawl.FullInterval)
	}
	if c.Crawl.IncrementalInterval != 0 && c.Crawl.IncrementalInterval.D() < time.Minute {
		add("crawl.incremental_interval %s is shorter than a minute", c.Crawl.IncrementalInterval)
	}
	if c.Crawl.DeleteThreshold < 0 || c.Crawl.DeleteThreshold > 1 {
		add("crawl.delete_threshold %v must be a share between 0 and 1 (0.10 = 10%%)", c.Crawl.DeleteThreshold)
	}
	for i, w := range c.Crawl.Workspaces {
		if strings.TrimSpace(w) == "" {
			add("crawl.workspaces[%d] is empty", i)
		}
	}
	if l := c.Answer.LLM; l.Enabled() {
		if u, err := url.Parse(l.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("answer.llm.base_url %q must be an http(s) URL such as https://api.openai.com/v1", l.BaseURL)
		}
		if strings.TrimSpace(l.Model) == "" {
			add("answer.llm.model must name the model to use (for example gpt-4o-mini)")
		}
		if l.Timeout < 0 {
			add("answer.llm.timeout must not be negative")
		}
	} else if l.Model != "" || l.APIKeyEnv != "" {
		add("answer.llm has a model or key but no base_url; set base_url to turn the model on, or remove the section")
	}
	c.Server.validate(add)
	c.validateGraph(add)
	for _, err := range []error{c.Access.Validate(), c.Identity.Validate()} {
		if err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

func (c *Config) validateGraph(add func(string, ...any)) {
	g := c.Graph
	if err := graph.ValidConnectionID(g.ConnectionID); err != nil {
		add("graph.connection_id: %v", err)
	}
	if n := len([]rune(c.DisplayName)); n == 0 || n > 128 {
		add("display_name must be 1 to 128 characters: it names the connection in Microsoft 365")
	}
	if len([]rune(g.Description)) > 1000 {
		add("graph.description is longer than 1,000 characters")
	}
	if g.ItemsPerSecond <= 0 || g.ItemsPerSecond > 25 {
		add("graph.items_per_second %v must be more than 0 and at most 25, Graph's limit per connection", g.ItemsPerSecond)
	}
	if g.Concurrency < 1 || g.Concurrency > 25 {
		add("graph.concurrency %d must be 1 to 25, Graph's limit per connection", g.Concurrency)
	}
	if g.Enabled && (strings.TrimSpace(c.Identity.Entra.TenantID) == "" || strings.TrimSpace(c.Identity.Entra.ClientID) == "") {
		add("graph.enabled needs the app registration in identity.entra (tenant_id and client_id), with the ExternalConnection.ReadWrite.OwnedBy, ExternalItem.ReadWrite.OwnedBy and User.Read.All application permissions")
	}
}

// Roles of callers.
const (
	RoleUser  = "user"
	RoleAdmin = "admin"
)

// IdentityClaims are the claims an OIDC token may identify its caller by.
var IdentityClaims = []string{"email", "upn", "preferred_username", "oid"}

func (s *Server) validate(add func(string, ...any)) {
	if _, port, err := net.SplitHostPort(s.Listen); err != nil || port == "" {
		add("server.listen %q must be host:port, such as 127.0.0.1:8080 or :8080", s.Listen)
	}
	if s.PublicURL != "" {
		if u, err := url.Parse(s.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("server.public_url %q must be an http(s) URL such as https://gong-search.contoso.com", s.PublicURL)
		}
	}
	names, hashes := map[string]bool{}, map[string]bool{}
	for i, t := range s.Tokens {
		where := fmt.Sprintf("server.tokens[%d]", i)
		if t.Name != "" {
			where += " (" + t.Name + ")"
		}
		if strings.TrimSpace(t.Name) == "" {
			add("%s needs a name saying who uses it", where)
		} else if names[t.Name] {
			add("%s: the name is used twice", where)
		}
		names[t.Name] = true
		if b, err := hex.DecodeString(t.SHA256); err != nil || len(b) != sha256.Size {
			add("%s: sha256 must be the 64 hex digits of the token's SHA-256 (gongconnector token new prints it)", where)
		} else if hashes[strings.ToLower(t.SHA256)] {
			add("%s: the same token is listed twice", where)
		}
		hashes[strings.ToLower(t.SHA256)] = true
		if strings.TrimSpace(t.Identity) == "" {
			add("%s needs the identity (e-mail) the token acts as", where)
		}
		if t.Role != RoleUser && t.Role != RoleAdmin {
			add("%s: role %q must be user or admin", where, t.Role)
		}
	}
	o := s.OIDC
	if o.Issuer == "" {
		if o.Audience != "" || o.AdminRole != "" || len(o.Admins) > 0 || o.ClientID != "" {
			add("server.oidc has settings but no issuer; set issuer to accept OIDC tokens, or remove the section")
		}
		return
	}
	if u, err := url.Parse(o.Issuer); err != nil || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) || u.Host == "" {
		add("server.oidc.issuer %q must be an https URL such as https://login.microsoftonline.com/<tenant>/v2.0 (http only on loopback)", o.Issuer)
	}
	if strings.TrimSpace(o.Audience) == "" {
		add("server.oidc.audience must be set: the aud claim tokens for this server carry (for Entra ID, the app's client id or api://... URI)")
	}
	if o.ClientSecretEnv != "" && o.ClientID == "" {
		add("server.oidc.client_secret_env is set without client_id; set client_id to turn on browser sign-in")
	}
	if !slices.Contains(IdentityClaims, o.IdentityClaim) {
		add("server.oidc.identity_claim %q must be one of %s", o.IdentityClaim, strings.Join(IdentityClaims, ", "))
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CredentialsFromEnv reads GONG_ACCESS_KEY and GONG_ACCESS_KEY_SECRET, or the
// files named by GONG_ACCESS_KEY_FILE and GONG_ACCESS_KEY_SECRET_FILE.
func CredentialsFromEnv(getenv func(string) string) (Credentials, error) {
	var c Credentials
	var err error
	if c.AccessKey, err = Secret(getenv, "GONG_ACCESS_KEY"); err != nil {
		return c, err
	}
	if c.AccessKeySecret, err = Secret(getenv, "GONG_ACCESS_KEY_SECRET"); err != nil {
		return c, err
	}
	return c, nil
}

// Secret reads the environment variable name, or the file named by
// name_FILE; "" when neither is set.
func Secret(getenv func(string) string, name string) (string, error) {
	if v := getenv(name); v != "" {
		return strings.TrimSpace(v), nil
	}
	f := getenv(name + "_FILE")
	if f == "" {
		return "", nil
	}
	b, err := os.ReadFile(f)
	if err != nil {
		return "", fmt.Errorf("read %s_FILE: %w", name, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// Duration is a time.Duration written as "90m", "24h" or "7d".
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// UnmarshalText accepts Go durations and a whole number of days ("7d").
func (d *Duration) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return fmt.Errorf("duration %q: want a number of days such as 7d, or a Go duration such as 36h", s)
		}
		*d = Duration(time.Duration(n) * 24 * time.Hour)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: want a duration such as 15m, 24h or 7d", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the Go form.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Date is a calendar day (UTC midnight), written YYYY-MM-DD.
type Date struct{ time.Time }

// UnmarshalText accepts YYYY-MM-DD or an RFC 3339 time.
func (d *Date) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "" {
		d.Time = time.Time{}
		return nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		d.Time = t
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("date %q: want YYYY-MM-DD, such as 2024-01-31", s)
	}
	d.Time = t.UTC()
	return nil
}

// MarshalText writes YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return nil, nil
	}
	return []byte(d.Format(time.DateOnly)), nil
}

//go:embed example.yaml
var example []byte

// Example returns the commented example written by `config init`.
func Example() []byte { return example }
