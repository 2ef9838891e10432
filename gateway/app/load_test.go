package app

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// noEnv is an environment without variables.
var noEnv []string

// environ turns a map into "KEY=value" entries, as os.Environ gives them.
func environ(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	return out
}

func TestLoadFileThenEnv(t *testing.T) {
	path := writeFile(t, "d.toml", `
state_dir = "/srv/db"
[game]
backend = "mud.internal:4000"
dial_timeout = "3s"
[web]
domains = ["play.example.org"]
[players]
max = 50
`)
	env := map[string]string{
		"DRAWBRIDGE_PLAYERS_MAX":         "75",
		"DRAWBRIDGE_WEB_ORIGINS":         "a.example, b.example",
		"DRAWBRIDGE_LOG_LEVEL":           "debug",
		"DRAWBRIDGE_TELNETS_ADDR":        ":4001",
		"DRAWBRIDGE_WEB_HSTS_SUBDOMAINS": "true",
	}
	cfg, settings, err := Load(path, environ(env))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.StateDir != "/srv/db" || cfg.Game.Backend != "mud.internal:4000" || cfg.Game.DialTimeout != 3*time.Second {
		t.Fatalf("file values not applied: %+v", cfg)
	}
	if cfg.Players.Max != 75 {
		t.Fatalf("players.max = %d, want the environment's 75 over the file's 50", cfg.Players.Max)
	}
	if !slices.Equal(cfg.Web.Origins, []string{"a.example", "b.example"}) || cfg.Log.Level != "debug" || cfg.Telnets.Addr != ":4001" || !cfg.Web.HSTSSubdomains {
		t.Fatalf("environment values not applied: %+v", cfg)
	}
	if cfg.Players.MaxPerAddr != 20 {
		t.Fatalf("players.max_per_addr = %d, want the default kept", cfg.Players.MaxPerAddr)
	}
	// Defaults that depend on domains.
	if cfg.HTTPSAddress() != ":443" || cfg.HTTPAddress() != ":80" || cfg.TLSMode() != "acme" {
		t.Fatalf("with domains: %s %s %s, want :443 :80 acme", cfg.HTTPSAddress(), cfg.HTTPAddress(), cfg.TLSMode())
	}
	src := map[string]string{}
	for _, s := range settings {
		src[s.Name] = s.Source
	}
	for name, want := range map[string]string{"game.backend": "file", "players.max": "env", "log.level": "env", "players.max_per_addr": "default"} {
		if src[name] != want {
			t.Errorf("source of %s = %q, want %q", name, src[name], want)
		}
	}
}

func TestLoadErrorsNameTheSetting(t *testing.T) {
	tests := []struct {
		name, file string
		env        map[string]string
		want       string
	}{
		{"unknown key", "[game]\nbackned = \"x:1\"\n", nil, "unknown setting(s) game.backned"},
		{"unknown section", "[gmae]\nbackend = \"x:1\"\n", nil, "unknown setting(s) gmae"},
		{"moved to game", "[telnets]\nproxy_protocol = \"v2\"\n", nil, "unknown setting(s) telnets.proxy_protocol (moved to game.proxy_protocol)"},
		{"moved env", "", map[string]string{"DRAWBRIDGE_TELNETS_PROXY_PROTOCOL": "v2"}, "DRAWBRIDGE_TELNETS_PROXY_PROTOCOL: the setting moved to game.proxy_protocol (DRAWBRIDGE_GAME_PROXY_PROTOCOL)"},
		{"wrong type", "[players]\nmax = \"many\"\n", nil, "players.max"},
		{"bad duration", "[game]\ndial_timeout = \"soon\"\n", nil, "dial_timeout"},
		{"syntax", "[game\n", nil, "At line 2"},
		{"bad env int", "", map[string]string{"DRAWBRIDGE_PLAYERS_MAX": "lots"}, "DRAWBRIDGE_PLAYERS_MAX (setting players.max)"},
		{"bad env duration", "", map[string]string{"DRAWBRIDGE_PLAYERS_IDLE_TIMEOUT": "1 hour"}, "players.idle_timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "c.toml", tc.file)
			_, _, err := Load(path, environ(tc.env))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
	if _, _, err := Load(filepath.Join(t.TempDir(), "missing.toml"), noEnv); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("missing file: got %v, want not found", err)
	}
}

func TestValidateNamesEverySetting(t *testing.T) {
	ok := Default()
	ok.StateDir = t.TempDir()
	if err := ok.Validate(); err != nil {
		t.Fatalf("defaults with a state dir: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "nope.pem")
	gameCAFile, _ := gameCA(t)
	notPEM := writeFile(t, "not.pem", "hello")
	keyOnly := writeFile(t, "key.pem", "-----BEGIN EC PRIVATE KEY-----\nAQID\n-----END EC PRIVATE KEY-----\n")
	remote := func(c *Config) { c.Game.Backend = "game.internal:4443" }
	tests := []struct {
		name   string
		mutate func(*Config)
		want   []string
	}{
		{"no state dir", func(c *Config) { c.StateDir = "" }, []string{"state_dir"}},
		{"bad https", func(c *Config) { c.Web.HTTPSAddr = "8443" }, []string{"web.https_addr"}},
		{"bad port", func(c *Config) { c.Web.HTTPAddr = ":99999" }, []string{"web.http_addr"}},
		{"http off is fine", func(c *Config) { c.Web.HTTPAddr = "off" }, nil},
		{"backend without host", func(c *Config) { c.Game.Backend = ":4000" }, []string{"game.backend"}},
		{"demo addr ignored with backend", func(c *Config) { c.Game.Backend = "game:4000"; c.Game.DemoAddr = "junk" }, nil},
		{"ip as domain", func(c *Config) { c.Web.Domains = []string{"203.0.113.7"} }, []string{"web.domains"}},
		{"url as domain", func(c *Config) { c.Web.Domains = []string{"https://play.example.org"} }, []string{"web.domains"}},
		{"acme without domains", func(c *Config) { c.TLS.Mode = "acme" }, []string{"tls.mode"}},
		{"unknown mode", func(c *Config) { c.TLS.Mode = "letsencrypt" }, []string{"tls.mode"}},
		{"files without files", func(c *Config) { c.TLS.Mode = "files" }, []string{"tls.mode"}},
		{"missing cert file", func(c *Config) { c.TLS.Mode = "files"; c.TLS.CertFile, c.TLS.KeyFile = missing, missing }, []string{"tls.cert_file", "tls.key_file", "no such file"}},
		{"tls 1.1", func(c *Config) { c.TLS.MinVersion = "1.1" }, []string{"tls.min_version"}},
		{"insecure cipher", func(c *Config) { c.TLS.CipherSuites = []string{"TLS_RSA_WITH_RC4_128_SHA"} }, []string{"tls.cipher_suites", "insecure"}},
		{"tls13 cipher", func(c *Config) { c.TLS.CipherSuites = []string{"TLS_AES_128_GCM_SHA256"} }, []string{"tls.cipher_suites", "TLS 1.3"}},
		{"good cipher", func(c *Config) { c.TLS.CipherSuites = []string{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"} }, nil},
		{"acme http url", func(c *Config) { c.Web.Domains = []string{"a.example"}; c.ACME.DirectoryURL = "http://ca.example/dir" }, []string{"acme.directory_url"}},
		{"half an eab", func(c *Config) { c.Web.Domains = []string{"a.example"}; c.ACME.EABKeyID = "kid" }, []string{"acme.eab_key_id"}},
		{"bad proxy", func(c *Config) { c.Web.TrustedProxies = []string{"10.0.0.0/33"} }, []string{"web.trusted_proxies"}},
		{"game proxy protocol", func(c *Config) { remote(c); c.Game.ProxyProtocol = "v3" }, []string{"game.proxy_protocol", `"v3" is not`}},
		{"game proxy v2", func(c *Config) { remote(c); c.Game.ProxyProtocol = "v2" }, nil},
		{"proxy to the demo", func(c *Config) { c.Game.ProxyProtocol = "v1" }, []string{"game.proxy_protocol: needs game.backend"}},
		{"tls to the demo", func(c *Config) { c.Game.TLS = true }, []string{"game.tls: needs game.backend"}},
		{"ca file without tls", func(c *Config) { remote(c); c.Game.TLSCAFile = gameCAFile }, []string{"game.tls_ca_file: is set but game.tls is false"}},
		{"server name without tls", func(c *Config) { remote(c); c.Game.TLSServerName = "game.internal" }, []string{"game.tls_server_name: is set but game.tls is false"}},
		{"tls with pinned ca", func(c *Config) {
			remote(c)
			c.Game.ProxyProtocol, c.Game.TLS, c.Game.TLSCAFile, c.Game.TLSServerName = "v2", true, gameCAFile, "10.0.0.5"
		}, nil},
		{"tls with system roots", func(c *Config) { remote(c); c.Game.TLS = true }, nil},
		{"tls ca file missing", func(c *Config) { remote(c); c.Game.TLS, c.Game.TLSCAFile = true, missing }, []string{"game.tls_ca_file", missing, "file not found"}},
		{"tls ca file not pem", func(c *Config) { remote(c); c.Game.TLS, c.Game.TLSCAFile = true, notPEM }, []string{"game.tls_ca_file", "no PEM certificate found"}},
		{"tls ca file key only", func(c *Config) { remote(c); c.Game.TLS, c.Game.TLSCAFile = true, keyOnly }, []string{"game.tls_ca_file", "no PEM certificate found"}},
		{"tls server name url", func(c *Config) { remote(c); c.Game.TLS, c.Game.TLSServerName = true, "https://game.internal" }, []string{"game.tls_server_name"}},
		{"tls server name ipv6", func(c *Config) { remote(c); c.Game.TLS, c.Game.TLSServerName = true, "2001:db8::5" }, nil},
		{"zero players", func(c *Config) { c.Players.Max = 0; c.Players.MaxPerAddr = 0; c.Players.MaxPerAccount = 0 }, []string{"players.max:", "players.max_per_addr", "players.max_per_account"}},
		{"status timeout zero", func(c *Config) { c.Game.StatusTimeout = 0 }, []string{"game.status_timeout"}},
		{"status timeout long", func(c *Config) { c.Game.StatusTimeout = 3 * time.Minute }, []string{"game.status_timeout", "more than half"}},
		{"status timeout with checks off", func(c *Config) { c.Game.StatusInterval = -1; c.Game.StatusTimeout = time.Hour }, nil},
		{"resume grace zero", func(c *Config) { c.Players.ResumeGrace = 0 }, []string{"players.resume_grace"}},
		{"resume off", func(c *Config) { c.Players.ResumeGrace = -1 }, nil},
		{"resume buffer small", func(c *Config) { c.Players.ResumeBuffer = 1000 }, []string{"players.resume_buffer", "1000 bytes"}},
		{"gmcp core hello", func(c *Config) { c.Game.GMCPFromPlayers = []string{"Core.Hello"} }, []string{"game.gmcp_from_players", "Core.Hello"}},
		{"gmcp junk", func(c *Config) { c.Game.GMCPFromPlayers = []string{"Char.Items.Inv {}"} }, []string{"game.gmcp_from_players", "not a GMCP message name"}},
		{"gmcp none", func(c *Config) { c.Game.GMCPFromPlayers = []string{} }, nil},
		{"log", func(c *Config) { c.Log.Format = "xml"; c.Log.Level = "loud" }, []string{"log.format", "log.level"}},
		{"several at once", func(c *Config) { c.Game.DialTimeout = 0; c.ShutdownTimeout = -1 }, []string{"game.dial_timeout", "shutdown_timeout"}},
		{"postgres", func(c *Config) { c.Store.PostgresURL = "postgres://drawbridge@db.internal/drawbridge" }, nil},
		{"postgres key value", func(c *Config) { c.Store.PostgresURL = "host=db.internal user=drawbridge dbname=drawbridge" }, nil},
		{"postgres password in url", func(c *Config) { c.Store.PostgresURL = "postgres://drawbridge:hunter2@db/drawbridge" }, []string{"store.postgres_url", "holds a password", "postgres_password_file"}},
		{"postgres password in query", func(c *Config) { c.Store.PostgresURL = "postgres://db/drawbridge?password=hunter2" }, []string{"store.postgres_url", "holds a password"}},
		{"postgres password key value", func(c *Config) { c.Store.PostgresURL = "host=db password=hunter2" }, []string{"store.postgres_url", "holds a password"}},
		{"postgres password spaced", func(c *Config) { c.Store.PostgresURL = "host=db password = hunter2" }, []string{"store.postgres_url", "holds a password"}},
		{"postgres not a url", func(c *Config) { c.Store.PostgresURL = "db.internal" }, []string{"store.postgres_url", "neither"}},
		{"postgres and sqlite", func(c *Config) { c.Store.PostgresURL, c.Store.SQLitePath = "postgres://db/d", "/x.db" }, []string{"store.sqlite_path", "set one"}},
		{"postgres settings without url", func(c *Config) { c.Store.PostgresMaxConns, c.Store.PostgresPasswordFile = 5, "/etc/pw" }, []string{"store.postgres_max_conns", "store.postgres_password_file", "SQLite"}},
		{"postgres password file missing", func(c *Config) {
			c.Store.PostgresURL, c.Store.PostgresPasswordFile = "postgres://db/d", "/nonexistent/pw"
		}, []string{"store.postgres_password_file", "/nonexistent/pw"}},
		{"postgres bounds", func(c *Config) {
			c.Store.PostgresURL, c.Store.PostgresMaxConns, c.Store.PostgresStatementTimeout = "postgres://db/d", -1, -time.Second
		}, []string{"store.postgres_max_conns", "store.postgres_statement_timeout"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.mutate(&c)
			err := c.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("got nil, want errors naming %v", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %s", err, w)
				}
			}
		})
	}
}

func TestWriteTOMLRoundTripsAndSaysWhere(t *testing.T) {
	path := writeFile(t, "c.toml", "[game]\nbackend = \"mud:4000\"\n")
	cfg, settings, err := Load(path, []string{"DRAWBRIDGE_PLAYERS_MAX=7"})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := cfg.WriteTOML(&out, settings); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{`backend = "mud:4000"  # from file`, "max = 7  # from environment DRAWBRIDGE_PLAYERS_MAX", `dial_timeout = "10s"`} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	// What it prints is itself a valid config file giving the same values.
	again, _, err := Load(writeFile(t, "again.toml", s), noEnv)
	if err != nil {
		t.Fatalf("printed config does not load: %v\n%s", err, s)
	}
	if again.Game.Backend != "mud:4000" || again.Players.Max != 7 || again.Game.DialTimeout != cfg.Game.DialTimeout {
		t.Fatalf("printed config gives %+v", again)
	}
}

// TestExampleConfigCoversEverySetting keeps deploy/drawbridge.toml, the
// operator's documented example, in step with Config: it loads, and names
// every setting.
func TestExampleConfigCoversEverySetting(t *testing.T) {
	path := filepath.Join("..", "..", "deploy", "drawbridge.toml")
	_, settings, err := Load(path, noEnv)
	if err != nil {
		t.Fatalf("the example config does not load: %v", err)
	}
	for _, s := range settings {
		if s.Source != "file" {
			t.Errorf("deploy/drawbridge.toml does not document %s", s.Name)
		}
	}
}

func TestEnvNames(t *testing.T) {
	env := Env()
	for _, want := range []string{"DRAWBRIDGE_STATE_DIR", "DRAWBRIDGE_GAME_BACKEND", "DRAWBRIDGE_WEB_DOMAINS", "DRAWBRIDGE_ACME_EAB_HMAC_FILE"} {
		if !slices.Contains(env, want) {
			t.Errorf("Env() lacks %s", want)
		}
	}
}

func TestDurationsNeedAUnit(t *testing.T) {
	tests := []struct {
		name, file string
		env        map[string]string
		want       []string
	}{
		{"file integer", "[game]\ndial_timeout = 10\n", nil,
			[]string{"config file", "game.dial_timeout", `10 has no unit: write "10s"`}},
		{"file string", "[game]\ndial_timeout = \"10\"\n", nil,
			[]string{"config file", "game.dial_timeout", `"10" has no unit: write "10s"`}},
		{"file float", "[players]\nidle_timeout = 1.5\n", nil,
			[]string{"players.idle_timeout", `write "1.5s"`}},
		{"file zero", "shutdown_timeout = 0\n", nil,
			[]string{"shutdown_timeout", `write "0s"`}},
		{"file nested", "[accounts.limits.login_per_addr]\nper = 60\n", nil,
			[]string{"accounts.limits.login_per_addr.per", `write "60s"`}},
		{"env", "", map[string]string{"DRAWBRIDGE_GAME_DIAL_TIMEOUT": "10"},
			[]string{"DRAWBRIDGE_GAME_DIAL_TIMEOUT (setting game.dial_timeout)", `"10" has no unit: write "10s"`}},
		{"env not a number", "", map[string]string{"DRAWBRIDGE_GAME_DIAL_TIMEOUT": "ten"},
			[]string{"DRAWBRIDGE_GAME_DIAL_TIMEOUT", `"ten" is not a duration`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "c.toml", tc.file)
			cfg, _, err := Load(path, environ(tc.env))
			if err == nil {
				t.Fatalf("got no error (game.dial_timeout = %s), want one", cfg.Game.DialTimeout)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q, want it to mention %q", err, w)
				}
			}
		})
	}
	// With units they load, as before.
	path := writeFile(t, "ok.toml", "[game]\ndial_timeout = \"1m30s\"\n[players]\nidle_timeout = \"-1s\"\n")
	cfg, _, err := Load(path, []string{"DRAWBRIDGE_GAME_STATUS_TIMEOUT=1.5s"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Game.DialTimeout != 90*time.Second || cfg.Players.IdleTimeout != -time.Second || cfg.Game.StatusTimeout != 1500*time.Millisecond {
		t.Fatalf("got %s %s %s, want 1m30s -1s 1.5s", cfg.Game.DialTimeout, cfg.Players.IdleTimeout, cfg.Game.StatusTimeout)
	}
}

func TestUnknownEnvVariables(t *testing.T) {
	_, _, err := Load("", []string{
		"HOME=/root",
		"DRAWBRIDGE_WEB_DOMAIN=play.example.org",
		"DRAWBRIDGE_GAME_BACKEND=127.0.0.1:4000",
		"DRAWBRIDGE_NONSENSE_ENTIRELY=1",
		"DRAWBRIDGE_CONFIG=/etc/drawbridge/drawbridge.toml",
		"DRAWBRIDGE_CHROMIUM=/usr/bin/chromium",
		"DRAWBRIDGE_EMPTY=",
	})
	if err == nil {
		t.Fatal("got no error for DRAWBRIDGE_WEB_DOMAIN, want one")
	}
	got := err.Error()
	for _, want := range []string{
		"DRAWBRIDGE_WEB_DOMAIN: no such setting; did you mean DRAWBRIDGE_WEB_DOMAINS?",
		"DRAWBRIDGE_NONSENSE_ENTIRELY: no such setting",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("got %q, want it to mention %q", got, want)
		}
	}
	for _, allowed := range []string{"DRAWBRIDGE_CONFIG", "DRAWBRIDGE_CHROMIUM", "DRAWBRIDGE_EMPTY", "DRAWBRIDGE_GAME_BACKEND", "HOME"} {
		if strings.Contains(got, allowed+":") {
			t.Errorf("%s was refused: %q", allowed, got)
		}
	}
	if strings.Contains(got, "NONSENSE_ENTIRELY: no such setting; did you mean") {
		t.Errorf("suggested a setting for a name nothing like one: %q", got)
	}
}
