package app

import "testing"

// TestSiteURL: where players reach the site, by the configuration and by
// the listeners' own addresses, for the start-up log line and the reset
// links the command line prints.
func TestSiteURL(t *testing.T) {
	for _, c := range []struct {
		name            string
		mod             func(*Config)
		https, http     string
		fromConfig, got string
	}{
		{"the default", func(*Config) {}, "127.0.0.1:8443", "", "https://localhost:8443/", "https://localhost:8443/"},
		{"a port the system chose", func(c *Config) { c.Web.HTTPSAddr = "127.0.0.1:0" }, "127.0.0.1:40123", "", "https://localhost:0/", "https://localhost:40123/"},
		{"a public name", func(c *Config) { c.Web.Domains = []string{"play.example.org"} }, "[::]:8443", "", "https://play.example.org/", "https://play.example.org/"},
		{"a public name on its own port", func(c *Config) { c.Web.Domains = []string{"play.example.org"}; c.Web.HTTPSAddr = ":4443" }, "[::]:4443", "", "https://play.example.org:4443/", "https://play.example.org:4443/"},
		{"behind a web server, named", func(c *Config) {
			c.Web.Mode, c.Web.Domains, c.Web.BasePath = "proxied", []string{"mud.example.org"}, "/play/"
		}, "", "127.0.0.1:8080", "https://mud.example.org/play/", "https://mud.example.org/play/"},
		{"behind a web server, unnamed", func(c *Config) { c.Web.Mode, c.Web.HTTPAddr = "proxied", "127.0.0.1:8081" }, "", "127.0.0.1:8081", "http://127.0.0.1:8081/", "http://127.0.0.1:8081/"},
		{"behind a web server, on a socket", func(c *Config) { c.Web.Mode, c.Web.HTTPAddr = "proxied", "unix:/run/drawbridge/web.sock" }, "", "", "", ""},
	} {
		cfg := Default()
		c.mod(&cfg)
		if got := cfg.SiteURL(); got != c.fromConfig {
			t.Errorf("%s: SiteURL %q, want %q", c.name, got, c.fromConfig)
		}
		if got := cfg.siteURL(c.https, c.http); got != c.got {
			t.Errorf("%s: siteURL(%q, %q) %q, want %q", c.name, c.https, c.http, got, c.got)
		}
	}
}
