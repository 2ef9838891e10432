package app

import (
	"strings"
	"testing"
)

// The web settings that guard the WebSocket and the connections before
// login are validated with a message that names the setting.
func TestValidateWebGuards(t *testing.T) {
	checkValidate(t, []validateCase{
		{"origin host", func(c *Config) { c.Web.Origins = []string{"play.example.org", "*.example.org"} }, ""},
		{"origin https", func(c *Config) { c.Web.Origins = []string{"https://play.example.org"} }, ""},
		{"origin http", func(c *Config) { c.Web.Origins = []string{"http://play.example.org"} }, `web.origins: "http://play.example.org" can never match`},
		{"conn cap zero", func(c *Config) { c.Web.MaxConnsPerAddr = 0 }, "web.max_conns_per_addr: must not be 0"},
		{"conn cap off", func(c *Config) { c.Web.MaxConnsPerAddr = -1 }, ""},
		{"conn cap small", func(c *Config) { c.Web.MaxConnsPerAddr = 8 }, ""},
	})
}

// validateCase is a change to the default configuration and what
// Validate must say of it: "" for valid, else part of the error.
type validateCase struct {
	name   string
	mutate func(*Config)
	want   string
}

// checkValidate runs each case on Default(), with a temp state_dir.
func checkValidate(t *testing.T, cases []validateCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			c.StateDir = t.TempDir()
			tc.mutate(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate: %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Validate: %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// game.charset takes every charset the telnet client transcodes, in any
// case, and names them all when it is given another.
func TestValidateCharset(t *testing.T) {
	checkValidate(t, []validateCase{
		{"utf-8", func(c *Config) { c.Game.Charset = "utf-8" }, ""},
		{"gbk", func(c *Config) { c.Game.Charset = "gbk" }, ""},
		{"Shift_JIS", func(c *Config) { c.Game.Charset = "Shift_JIS" }, ""},
		{"KOI8-R", func(c *Config) { c.Game.Charset = "KOI8-R" }, ""},
		{"big5", func(c *Config) { c.Game.Charset = "big5" }, ""},
		{"unknown", func(c *Config) { c.Game.Charset = "euc-jp" },
			`game.charset: "euc-jp" is not one of utf-8, latin1, iso-8859-1, cp437, koi8-r, gbk, gb18030, big5, euc-kr, shift_jis, sjis`},
	})
}
