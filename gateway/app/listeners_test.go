package app

import (
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Two listeners on one address cannot both start; config check says so,
// naming both settings.
func TestValidateListenersOverlap(t *testing.T) {
	checkValidate(t, []validateCase{
		{"defaults", func(c *Config) {}, ""},
		{"all hosts takes loopback", func(c *Config) { c.Web.HTTPSAddr = ":8443"; c.Admin.Addr = "127.0.0.1:8443" },
			`admin.addr: "127.0.0.1:8443" overlaps web.https_addr (":8443")`},
		{"default http port", func(c *Config) { c.Admin.Addr = "127.0.0.1:8080" },
			`admin.addr: "127.0.0.1:8080" overlaps web.http_addr (":8080")`},
		{"http off frees its port", func(c *Config) { c.Web.HTTPAddr = "off"; c.Admin.Addr = "127.0.0.1:8080" }, ""},
		{"admin off", func(c *Config) { c.Admin.Addr = "off"; c.Telnets.Addr = "127.0.0.1:6060" }, ""},
		{"same address", func(c *Config) { c.Telnets.Addr = "127.0.0.1:4000" },
			`game.demo_addr: "127.0.0.1:4000" overlaps telnets.addr ("127.0.0.1:4000")`},
		{"demo addr unused with a backend", func(c *Config) { c.Game.Backend = "game:4000"; c.Telnets.Addr = "127.0.0.1:4000" }, ""},
		{"IPv6 any", func(c *Config) { c.Telnets.Addr = "[::]:4001"; c.Admin.Addr = "10.0.0.11:4001" },
			`admin.addr: "10.0.0.11:4001" overlaps telnets.addr ("[::]:4001")`},
		{"same port other hosts", func(c *Config) { c.Telnets.Addr = "10.0.0.11:4001"; c.Admin.Addr = "127.0.0.1:4001" }, ""},
		{"port zero", func(c *Config) {
			c.Web.HTTPSAddr, c.Web.HTTPAddr, c.Admin.Addr, c.Game.DemoAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
		}, ""},
		{"https on the domains' default", func(c *Config) { c.Web.Domains = []string{"play.example.org"}; c.Telnets.Addr = "0.0.0.0:443" },
			`telnets.addr: "0.0.0.0:443" overlaps web.https_addr (":443")`},
	})
}

// The audit file's directory must exist: the gateway creates the file,
// not the directories above it.
func TestValidateAuditFileDirectory(t *testing.T) {
	dir := t.TempDir()
	notDir := writeFile(t, "plain", "")
	for _, tc := range []struct {
		path, want string
	}{
		{filepath.Join(dir, "audit.log"), ""},
		{filepath.Join(dir, "missing", "audit.log"), "log.audit_file: the directory " + filepath.Join(dir, "missing") + ": no such file or directory"},
		{filepath.Join(notDir, "audit.log"), "log.audit_file: " + notDir + " is not a directory"},
	} {
		c := Default()
		c.StateDir = t.TempDir()
		c.Log.AuditFile = tc.path
		err := c.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: Validate: %v, want nil", tc.path, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: Validate: %v, want an error with %q", tc.path, err, tc.want)
		}
	}
}

// The admin listener's default port stays out of Prometheus' own ports
// (9090-9094) and its exporters' range (9100-9999, 9100 being
// node_exporter's), which hosts that are monitored already use.
func TestAdminDefaultPortIsFree(t *testing.T) {
	host, port, err := net.SplitHostPort(Default().Admin.Addr)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(port)
	if n >= 9090 && n <= 9999 || host != "127.0.0.1" {
		t.Fatalf("admin.addr defaults to %s, want loopback and a port outside 9090-9999", Default().Admin.Addr)
	}
}
