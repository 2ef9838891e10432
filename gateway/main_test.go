package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunCommandLine(t *testing.T) {
	env := func(string) string { return "" }
	tests := []struct {
		args      []string
		wantUsage bool
		wantErr   string
		wantOut   string
	}{
		{args: nil, wantUsage: true, wantErr: "no command"},
		{args: []string{"frobnicate"}, wantUsage: true, wantErr: `unknown command "frobnicate"`},
		{args: []string{"version"}, wantOut: "drawbridge dev"},
		{args: []string{"help"}, wantOut: "drawbridge serve"},
		{args: []string{"serve", "-nope"}, wantUsage: true, wantErr: "flag provided but not defined"},
		{args: []string{"serve", "extra"}, wantUsage: true, wantErr: `unexpected argument "extra"`},
		{args: []string{"serve", "-log-format", "xml"}, wantErr: "log.format"},
		{args: []string{"serve", "-log-level", "loud"}, wantErr: "log.level"},
		{args: []string{"serve", "-https-addr", "nope"}, wantErr: "web.https_addr"},
		{args: []string{"serve", "-config", "/nonexistent/drawbridge.toml"}, wantErr: "config file /nonexistent/drawbridge.toml: not found"},
		{args: []string{"config"}, wantUsage: true, wantErr: "config check"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tc.args, &out, &errOut, env)
			var usage usageError
			if tc.wantUsage != errors.As(err, &usage) {
				t.Fatalf("err %v: usage error %v, want %v", err, !tc.wantUsage, tc.wantUsage)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err %v, want it to mention %q", err, tc.wantErr)
			}
			if tc.wantErr == "" && err != nil {
				t.Fatalf("err %v", err)
			}
			if !strings.Contains(out.String(), tc.wantOut) {
				t.Fatalf("stdout %q, want %q", out.String(), tc.wantOut)
			}
		})
	}
}

func TestHelpFlagIsNotAnError(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"serve", "-h"}, &out, &errOut, func(string) string { return "" })
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err %v, want flag.ErrHelp", err)
	}
	if !strings.Contains(errOut.String(), "-backend") {
		t.Fatalf("help %q does not list -backend", errOut.String())
	}
}

func TestDefaultStateDir(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"STATE_DIRECTORY": "/var/lib/drawbridge:/other", "HOME": "/home/x"}, "/var/lib/drawbridge"},
		{map[string]string{"XDG_STATE_HOME": "/xdg", "HOME": "/home/x"}, "/xdg/drawbridge"},
		{map[string]string{"HOME": "/home/x"}, "/home/x/.local/state/drawbridge"},
		{map[string]string{}, "drawbridge-state"},
	}
	for _, tc := range tests {
		if got := defaultStateDir(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("defaultStateDir(%v) = %q, want %q", tc.env, got, tc.want)
		}
	}
}

func TestConfigCheckPrecedence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "drawbridge.toml")
	if err := os.WriteFile(path, []byte("state_dir = \""+dir+"\"\n[game]\nbackend = \"file:4000\"\n[players]\nmax = 5\n[log]\nlevel = \"warn\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DRAWBRIDGE_CONFIG": path, "DRAWBRIDGE_PLAYERS_MAX": "6", "DRAWBRIDGE_GAME_BACKEND": "env:4000"}
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"config", "check", "-backend", "flag:4000", "-domain", "play.example.org"}, &out, &errOut, func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("config check: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{
		"the configuration is valid",
		`backend = "flag:4000"  # from flag -backend`,
		"max = 6  # from environment DRAWBRIDGE_PLAYERS_MAX",
		`level = "warn"`,
		`domains = ["play.example.org"]  # from flag -domain`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestConfigCheckNamesBadSettings(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.toml")
	os.WriteFile(path, []byte("state_dir = \"/x\"\n[tls]\nmode = \"files\"\ncert_file = \"/nope/cert.pem\"\n"), 0o600)
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"config", "check", "-config", path}, &out, &errOut, func(string) string { return "" })
	if err == nil {
		t.Fatal("config check passed a config whose certificate file is missing")
	}
	for _, want := range []string{"tls.mode: files needs tls.cert_file and tls.key_file", "tls.cert_file: /nope/cert.pem: no such file or directory"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
