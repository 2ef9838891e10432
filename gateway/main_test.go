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
	var env []string
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
			err := run(context.Background(), tc.args, strings.NewReader(""), &out, &errOut, env)
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
	err := run(context.Background(), []string{"serve", "-h"}, strings.NewReader(""), &out, &errOut, nil)
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
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"config", "check", "-backend", "flag:4000", "-domain", "play.example.org"}, strings.NewReader(""), &out, &errOut, []string{"DRAWBRIDGE_CONFIG=" + path, "DRAWBRIDGE_PLAYERS_MAX=6", "DRAWBRIDGE_GAME_BACKEND=env:4000"})
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
	err := run(context.Background(), []string{"config", "check", "-config", path}, strings.NewReader(""), &out, &errOut, nil)
	if err == nil {
		t.Fatal("config check passed a config whose certificate file is missing")
	}
	for _, want := range []string{"tls.mode: files needs tls.cert_file and tls.key_file", "tls.cert_file: /nope/cert.pem: no such file or directory"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// The user and session commands work on the gateway's database.
func TestUserAndSessionCommands(t *testing.T) {
	dir := t.TempDir()
	env := []string{"DRAWBRIDGE_STATE_DIR=" + dir}
	do := func(stdin string, args ...string) (string, error) {
		t.Helper()
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut, env)
		return out.String() + errOut.String(), err
	}
	if out, err := do("correct horse battery staple\n", "user", "add", "-role", "superuser", "Warden"); err != nil || !strings.Contains(out, "created Warden (superuser") {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	if out, err := do("password\n", "user", "add", "Weak"); err == nil || !strings.Contains(err.Error(), "password refused") {
		t.Fatalf("weak password: %v\n%s", err, out)
	}
	if _, err := do("another fine passphrase\n", "user", "add", "Alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := do("", "user", "role", "Alice", "builder"); err != nil {
		t.Fatal(err)
	}
	out, err := do("", "user", "list")
	if err != nil || !strings.Contains(out, "Alice") || !strings.Contains(out, "builder") || !strings.Contains(out, "Warden") {
		t.Fatalf("user list: %v\n%s", err, out)
	}
	if _, err := do("", "user", "disable", "Alice"); err != nil {
		t.Fatal(err)
	}
	if out, _ := do("", "user", "list", "-name", "al"); !strings.Contains(out, "disabled") {
		t.Fatalf("disabled account not shown as such:\n%s", out)
	}
	if _, err := do("", "user", "role", "Alice", "emperor"); err == nil {
		t.Fatal("an unknown role was accepted")
	}
	if _, err := do("", "user", "delete", "Nobody"); err == nil {
		t.Fatal("deleting an unknown account succeeded")
	}
	if out, err := do("", "session", "list"); err != nil || !strings.Contains(out, "ACCOUNT") {
		t.Fatalf("session list: %v\n%s", err, out)
	}
	if out, err := do("", "session", "revoke", "-user", "Warden"); err != nil || !strings.Contains(out, "0 session(s) ended") {
		t.Fatalf("session revoke: %v\n%s", err, out)
	}
	var usage usageError
	if _, err := do("", "user"); !errors.As(err, &usage) {
		t.Fatalf("user with no command: %v, want a usage error", err)
	}
}
