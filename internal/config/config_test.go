package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestExampleParses(t *testing.T) {
	cfg, err := Parse(Example())
	if err != nil {
		t.Fatalf("the example written by `config init` does not parse: %v", err)
	}
	if cfg.Gong.DailyBudget != 8000 || cfg.Crawl.Lookback.D() != 24*time.Hour || cfg.Crawl.ContentRetry.D() != 7*24*time.Hour {
		t.Errorf("example values: %+v", cfg)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr []string // substrings of the error; empty = must parse
		check   func(t *testing.T, c *Config)
	}{
		{"empty file takes defaults", ``, nil, func(t *testing.T, c *Config) {
			if c.Gong.Rate != 3 || c.Gong.DailyBudget != 10000 || c.Crawl.IncrementalInterval.D() != 15*time.Minute || c.Crawl.DeleteThreshold != 0.1 {
				t.Errorf("defaults: %+v", c)
			}
		}},
		{"full file", "data_dir: /var/lib/gc\ngong:\n  base_url: http://127.0.0.1:7070\n  rate: 10\ncrawl:\n  workspaces: [Sales, \"123\"]\n  start_date: 2024-03-01\n  lookback: 36h\n", nil, func(t *testing.T, c *Config) {
			if c.Gong.BaseURL != "http://127.0.0.1:7070" || len(c.Crawl.Workspaces) != 2 || c.Crawl.StartDate.Format(time.DateOnly) != "2024-03-01" || c.Crawl.Lookback.D() != 36*time.Hour {
				t.Errorf("got %+v", c)
			}
		}},
		{"misspelt key names its line", "gong:\n  base_url: https://api.gong.io\n  rtae: 3\n", []string{"[3:3]", "rtae"}, nil},
		{"unknown top-level key", "data_dir: x\ncrawler:\n  lookback: 1h\n", []string{"crawler", "[2:1]"}, nil},
		{"credentials are not accepted in the file", "gong:\n  access_key: abc\n", []string{"access_key"}, nil},
		{"bad duration names its line", "crawl:\n  lookback: a day\n", []string{"[2:", "crawl.lookback", "15m"}, nil},
		{"comments only", "# nothing\n", nil, func(t *testing.T, c *Config) {
			if c.Gong.Rate != 3 {
				t.Errorf("defaults lost: %+v", c)
			}
		}},
		{"bad date", "crawl:\n  start_date: 03/01/2024\n", []string{"YYYY-MM-DD"}, nil},
		{"bad URL", "gong:\n  base_url: api.gong.io\n", []string{"gong.base_url"}, nil},
		{"bad threshold", "crawl:\n  delete_threshold: 10\n", []string{"delete_threshold"}, nil},
		{"not YAML", "gong: [unclosed\n", []string{"gong"}, nil},
		{"wrong type", "gong:\n  rate: fast\n", []string{"rate"}, nil},
		{"server with tokens and OIDC", "server:\n  listen: :9090\n  tokens:\n    - name: bot\n      sha256: " + strings.Repeat("ab", 32) +
			"\n      identity: jane@contoso.com\n      role: admin\n  oidc:\n    issuer: https://login.microsoftonline.com/t/v2.0\n    audience: api://gc\n    identity_claim: upn\n", nil,
			func(t *testing.T, c *Config) {
				if c.Server.Listen != ":9090" || len(c.Server.Tokens) != 1 || c.Server.Tokens[0].Role != RoleAdmin || c.Server.OIDC.IdentityClaim != "upn" {
					t.Errorf("server: %+v", c.Server)
				}
			}},
		{"server defaults", "", nil, func(t *testing.T, c *Config) {
			if c.Server.Listen != "127.0.0.1:8080" || c.Server.OIDC.IdentityClaim != "email" || c.Server.OIDC.Issuer != "" {
				t.Errorf("server defaults: %+v", c.Server)
			}
		}},
		{"graph defaults", "", nil, func(t *testing.T, c *Config) {
			if c.Graph.Enabled || c.Graph.ConnectionID != "gongcalls" || c.Graph.ItemsPerSecond != 25 || c.Graph.Concurrency != 20 {
				t.Errorf("graph %+v", c.Graph)
			}
		}},
		{"bad graph section", "graph:\n  enabled: true\n  connection_id: gong-calls\n  items_per_second: 100\n  concurrency: 0\n",
			[]string{"graph.connection_id", "letters and digits", "items_per_second 100", "graph.concurrency 0", "identity.entra (tenant_id and client_id)"}, nil},
		{"reserved connection id", "graph:\n  connection_id: SharePoint\n", []string{"reserved"}, nil},
		{"bad listen address", "server:\n  listen: 8080\n", []string{"server.listen", "host:port"}, nil},
		{"token that is not a hash", "server:\n  tokens:\n    - name: bot\n      sha256: gc_secret\n      identity: a@b.c\n      role: user\n", []string{"server.tokens[0] (bot)", "64 hex digits"}, nil},
		{"token without identity, bad role, twice", "server:\n  tokens:\n    - name: bot\n      sha256: " + strings.Repeat("ab", 32) + "\n      role: root\n    - name: bot\n      sha256: " + strings.Repeat("AB", 32) + "\n      identity: x@y.z\n      role: user\n",
			[]string{"needs the identity", `role "root" must be user or admin`, "name is used twice", "listed twice"}, nil},
		{"OIDC without audience, plain http", "server:\n  oidc:\n    issuer: http://idp.contoso.com\n    identity_claim: name\n", []string{"server.oidc.issuer", "server.oidc.audience", "identity_claim"}, nil},
		{"OIDC issuer on loopback may be http", "server:\n  oidc:\n    issuer: http://127.0.0.1:5556\n    audience: gc\n", nil, func(t *testing.T, c *Config) {}},
		{"OIDC settings without issuer", "server:\n  oidc:\n    audience: gc\n", []string{"no issuer"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.yaml))
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				tt.check(t, c)
				return
			}
			if err == nil {
				t.Fatalf("want an error mentioning %q", tt.wantErr)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestLoadCredentialsAndDataDir(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gc.yaml")
	os.WriteFile(path, []byte("data_dir: idx\n"), 0o600)
	secretFile := filepath.Join(dir, "secret")
	os.WriteFile(secretFile, []byte("s3cr3t\n"), 0o600)
	env := map[string]string{"GONG_ACCESS_KEY": "AK", "GONG_ACCESS_KEY_SECRET_FILE": secretFile}
	c, err := Load(path, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Credentials.AccessKey != "AK" || c.Credentials.AccessKeySecret != "s3cr3t" {
		t.Errorf("credentials = %+v", c.Credentials)
	}
	if c.DataDir != filepath.Join(dir, "idx") {
		t.Errorf("data dir = %q", c.DataDir)
	}
	if s := c.Credentials.String(); strings.Contains(s, "s3cr3t") {
		t.Errorf("credentials print their secret: %s", s)
	}
	env["GONG_ACCESS_KEY_SECRET_FILE"] = filepath.Join(dir, "missing")
	if _, err := Load(path, func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "GONG_ACCESS_KEY_SECRET_FILE") {
		t.Errorf("missing secret file: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "nope.yaml"), os.Getenv); err == nil {
		t.Error("missing config file: want an error")
	}
}
