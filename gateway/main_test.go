package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/drawbridge/drawbridge/gateway/internal/store/sqlite"
)

// TestMain keeps the tests from reading this machine's
// /etc/drawbridge/drawbridge.toml or using its /var/lib/drawbridge.
func TestMain(m *testing.M) {
	wellKnownConfig = "/nonexistent/drawbridge-test/drawbridge.toml"
	wellKnownStateDir = "/nonexistent/drawbridge-test/state"
	os.Exit(m.Run())
}

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
		env       map[string]string
		wellKnown bool
		want      string
	}{
		{env: map[string]string{"STATE_DIRECTORY": "/var/lib/drawbridge:/other", "HOME": "/home/x"}, want: "/var/lib/drawbridge"},
		{env: map[string]string{"STATE_DIRECTORY": "/srv/db", "HOME": "/root"}, wellKnown: true, want: "/srv/db"},
		{env: map[string]string{"XDG_STATE_HOME": "/xdg", "HOME": "/home/x"}, want: "/xdg/drawbridge"},
		{env: map[string]string{"HOME": "/home/x"}, want: "/home/x/.local/state/drawbridge"},
		// Relative values are ignored, as the XDG specification says.
		{env: map[string]string{"XDG_STATE_HOME": "xdg", "HOME": "/home/x"}, want: "/home/x/.local/state/drawbridge"},
		// The well-known config gets the service's directory, never
		// root's home.
		{env: map[string]string{"HOME": "/root"}, wellKnown: true, want: wellKnownStateDir},
		{env: map[string]string{}, wellKnown: true, want: wellKnownStateDir},
		{env: map[string]string{}, want: ""},
		{env: map[string]string{"HOME": "relative"}, want: ""},
	}
	for _, tc := range tests {
		got, why, err := defaultStateDir(func(k string) string { return tc.env[k] }, tc.wellKnown)
		if tc.want == "" {
			if err == nil || !strings.Contains(err.Error(), "state_dir") {
				t.Errorf("defaultStateDir(%v) = %q, %v; want an error naming state_dir", tc.env, got, err)
			}
			continue
		}
		if got != tc.want || err != nil || why == "" {
			t.Errorf("defaultStateDir(%v, well-known %v) = %q (%q), %v; want %q", tc.env, tc.wellKnown, got, why, err, tc.want)
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
	err := run(context.Background(), []string{"config", "check", "-backend", "flag:4000", "-domain", "play.example.org"}, strings.NewReader(""), &out, &errOut, envList(env))
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

// newDatabase makes the gateway's database in dir, as its first start does.
func newDatabase(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "drawbridge.db")
	db, err := sqlite.Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// The user and session commands work on the gateway's database, with
// their flags before, between and after the verb and its arguments.
func TestUserAndSessionCommands(t *testing.T) {
	dir := t.TempDir()
	newDatabase(t, dir)
	var env []string
	do := func(stdin string, args ...string) (string, error) {
		t.Helper()
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut, env)
		return out.String() + errOut.String(), err
	}
	if out, err := do("correct horse battery staple\n", "user", "add", "-role", "superuser", "-state-dir", dir, "Warden"); err != nil || !strings.Contains(out, "created Warden (superuser") {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	if out, err := do("password\n", "user", "add", "Weak", "-state-dir", dir); err == nil || !strings.Contains(err.Error(), "password refused") {
		t.Fatalf("weak password: %v\n%s", err, out)
	}
	if _, err := do("another fine passphrase\n", "user", "-state-dir", dir, "add", "Alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := do("", "-state-dir", dir, "user", "role", "Alice", "builder"); err == nil {
		t.Fatal("a flag before the command was taken for one")
	}
	if _, err := do("", "user", "role", "-state-dir", dir, "Alice", "builder"); err != nil {
		t.Fatal(err)
	}
	out, err := do("", "user", "list", "-state-dir", dir)
	if err != nil || !strings.Contains(out, "Alice") || !strings.Contains(out, "builder") || !strings.Contains(out, "Warden") {
		t.Fatalf("user list: %v\n%s", err, out)
	}
	if _, err := do("", "user", "disable", "Alice", "-state-dir", dir); err != nil {
		t.Fatal(err)
	}
	if out, _ := do("", "user", "list", "-name", "al", "-state-dir", dir); !strings.Contains(out, "disabled") || strings.Contains(out, "Warden") {
		t.Fatalf("user list -name al:\n%s", out)
	}
	// A reset link, under the site's address by this configuration (the
	// default: https on localhost:8443).
	out, err = do("", "user", "reset", "Alice", "-state-dir", dir)
	if link := regexp.MustCompile(`https://localhost:8443/reset\.html#([A-Za-z0-9_-]+)\n`).FindStringSubmatch(out); err != nil || link == nil || len(link[1]) != account.TokenLen || !strings.Contains(out, "valid until") {
		t.Fatalf("user reset: %v\n%s", err, out)
	}
	if out, err := do("", "session", "list", "-state-dir", dir); err != nil || !strings.Contains(out, "ACCOUNT") {
		t.Fatalf("session list: %v\n%s", err, out)
	}
	if out, err := do("", "session", "revoke", "-state-dir", dir, "-user", "Warden"); err != nil || !strings.Contains(out, "0 session(s) ended") {
		t.Fatalf("session revoke: %v\n%s", err, out)
	}
	// Each says which database it works on, and why that one.
	if out, _ := do("", "user", "list", "-state-dir", dir); !strings.Contains(out, "drawbridge: accounts in sqlite:"+filepath.Join(dir, "drawbridge.db")+" (no config file; state_dir from -state-dir)") {
		t.Errorf("user list did not say which database:\n%s", out)
	}

	// Errors name what was not found.
	for _, args := range [][]string{
		{"user", "passwd", "nobody"}, {"user", "role", "nobody", "admin"}, {"user", "disable", "nobody"},
		{"user", "enable", "nobody"}, {"user", "unlock", "nobody"}, {"user", "delete", "nobody"}, {"user", "reset", "nobody"},
		{"session", "list", "nobody"}, {"session", "revoke", "-user", "nobody"},
	} {
		out, err := do("a long enough passphrase\n", append(args, "-state-dir", dir)...)
		var usage usageError
		if err == nil || err.Error() != `no account named "nobody"` || errors.As(err, &usage) {
			t.Errorf("%s: %v, want the error no account named \"nobody\" (exit 1)\n%s", strings.Join(args, " "), err, out)
		}
	}
	if _, err := do("", "session", "revoke", "nosuchsession", "-state-dir", dir); err == nil || !strings.Contains(err.Error(), `"nosuchsession"`) {
		t.Errorf("session revoke of an unknown ID: %v, want an error naming it", err)
	}

	// Mistakes on the command line are usage errors, found before the
	// database is opened.
	for _, args := range [][]string{
		{"user"}, {"session"}, {"user", "frobnicate"}, {"user", "role", "Alice", "emperor"},
		{"user", "add", "-role", "emperor", "Bob"}, {"user", "list", "-role", "admin"},
		{"user", "add"}, {"user", "passwd", "a", "b"}, {"session", "revoke"},
		{"session", "revoke", "-user", "Alice", "someid"}, {"user", "add", "Bob", "-bogus", "x"},
	} {
		var usage usageError
		if _, err := do("", append(args, "-state-dir", "/nonexistent/state")...); !errors.As(err, &usage) {
			t.Errorf("%s: %v, want a usage error", strings.Join(args, " "), err)
		}
	}
}

// A mistake on the command line, a missing database, or no state
// directory creates nothing: once, the documented command made an empty
// database under $HOME/.local/state before it failed on -config.
func TestMistakesCreateNothing(t *testing.T) {
	home := t.TempDir()
	conf := filepath.Join(t.TempDir(), "drawbridge.toml")
	state := filepath.Join(t.TempDir(), "state")
	if err := os.WriteFile(conf, []byte("state_dir = \""+state+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + home}
	for _, args := range [][]string{
		{"user", "add", "-role", "superuser", "-bogus", "x", "alice"},
		{"user", "add", "-role", "superuser", "alice"}, // no database in $HOME's state dir
		{"user", "add", "-role", "superuser", "-config", conf, "alice"},
		{"user", "list", "-config", "/nonexistent/drawbridge.toml"},
		{"session", "list", "-config", conf},
		{"backup", "-config", conf, filepath.Join(home, "copy.db")},
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, strings.NewReader("a long enough passphrase\n"), &out, &errOut, env)
		if err == nil {
			t.Errorf("%s: no error", strings.Join(args, " "))
		}
		if err != nil && strings.Contains(strings.Join(args, " "), "-config "+conf) && !strings.Contains(err.Error(), filepath.Join(state, "drawbridge.db")) {
			t.Errorf("%s: %v, want the error to name the missing database", strings.Join(args, " "), err)
		}
	}
	for _, dir := range []string{home, state} {
		var made []string
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if p != dir {
				made = append(made, p)
			}
			return nil
		})
		if len(made) > 0 {
			t.Errorf("failed commands made %v", made)
		}
	}
	if _, err := os.Stat(state); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the state directory was made: %v", err)
	}
}

// The documented command: flags after the verb, the config naming the
// state directory; and without -config, $DRAWBRIDGE_CONFIG, then the
// well-known config file, as the service reads it.
func TestCommandsFindTheServicesConfig(t *testing.T) {
	defer func(c, d string) { wellKnownConfig, wellKnownStateDir = c, d }(wellKnownConfig, wellKnownStateDir)
	state := t.TempDir()
	db := newDatabase(t, state)
	conf := filepath.Join(t.TempDir(), "drawbridge.toml")
	if err := os.WriteFile(conf, []byte("state_dir = \""+state+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	do := func(env map[string]string, stdin string, args ...string) (string, string, error) {
		t.Helper()
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut, envList(env))
		return out.String(), errOut.String(), err
	}
	noEnv := map[string]string{"HOME": home}
	if out, _, err := do(noEnv, "correct horse battery staple\n", "user", "add", "-role", "superuser", "-config", conf, "alice"); err != nil || !strings.Contains(out, "created alice (superuser") {
		t.Fatalf("the documented command: %v\n%s", err, out)
	}
	_, stderr, err := do(map[string]string{"HOME": home, "DRAWBRIDGE_CONFIG": conf}, "", "user", "list")
	if err != nil || !strings.Contains(stderr, "accounts in sqlite:"+db+" (config "+conf+" from $DRAWBRIDGE_CONFIG; state_dir from the config file)") {
		t.Fatalf("with $DRAWBRIDGE_CONFIG: %v\n%s", err, stderr)
	}
	// No config file at all: said so, not an empty name.
	_, stderr, err = do(noEnv, "", "user", "list", "-config", "", "-state-dir", filepath.Dir(db))
	if err != nil || !strings.Contains(stderr, "accounts in sqlite:"+db+" (no config file: -config ''; state_dir from -state-dir)") {
		t.Fatalf("with -config '': %v\n%s", err, stderr)
	}

	// The well-known file, when it exists.
	wellKnownConfig = conf
	out, stderr, err := do(noEnv, "", "user", "list")
	if err != nil || !strings.Contains(out, "alice") || !strings.Contains(stderr, "(config "+conf+", the default config file; state_dir from the config file)") {
		t.Fatalf("with the well-known config: %v\n%s%s", err, out, stderr)
	}
	// -config '' reads none: then $HOME's state directory, which has no database.
	if _, _, err := do(noEnv, "", "user", "list", "-config", ""); err == nil || !strings.Contains(err.Error(), filepath.Join(home, ".local", "state", "drawbridge", "drawbridge.db")) {
		t.Fatalf("-config '': %v", err)
	}
	// A well-known config without state_dir means the service's directory.
	bare := filepath.Join(t.TempDir(), "drawbridge.toml")
	os.WriteFile(bare, nil, 0o600)
	wellKnownConfig, wellKnownStateDir = bare, state
	if _, stderr, err := do(noEnv, "", "user", "list"); err != nil || !strings.Contains(stderr, "state_dir: the default with the default config file") {
		t.Fatalf("well-known config without state_dir: %v\n%s", err, stderr)
	}
	// config check says where state_dir came from.
	if out, _, err := do(noEnv, "", "config", "check"); err != nil || !strings.Contains(out, "state_dir = \""+state+"\"  # from the default with the default config file") {
		t.Fatalf("config check: %v\n%s", err, out)
	}
	// No HOME, no config: an error naming state_dir, never a relative path.
	wellKnownConfig = filepath.Join(t.TempDir(), "none.toml")
	if _, _, err := do(map[string]string{}, "", "config", "check"); err == nil || !strings.Contains(err.Error(), "state_dir: not set") {
		t.Fatalf("config check with no HOME: %v", err)
	}
}

// drawbridge backup copies a live database; the copy opens and holds the
// accounts. It never overwrites a file. On PostgreSQL it points at
// pg_dump and fails.
func TestBackup(t *testing.T) {
	state := t.TempDir()
	newDatabase(t, state)
	var env []string
	do := func(stdin string, args ...string) (string, error) {
		t.Helper()
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut, env)
		return out.String() + errOut.String(), err
	}
	if _, err := do("correct horse battery staple\n", "user", "add", "-state-dir", state, "alice"); err != nil {
		t.Fatal(err)
	}
	// The gateway's own connection stays open, as while it runs.
	live, err := sqlite.OpenExisting(context.Background(), filepath.Join(state, "drawbridge.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	dst := filepath.Join(t.TempDir(), "copy.db")
	out, err := do("", "backup", dst, "-state-dir", state)
	if err != nil || !strings.Contains(out, "wrote "+dst) {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	if out, err := do("", "backup", "-state-dir", state, dst); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("backup over an existing file: %v\n%s", err, out)
	}
	copied, err := sqlite.OpenExisting(context.Background(), dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer copied.Close()
	if u, err := copied.UserByName(context.Background(), "alice"); err != nil || u.Name != "alice" {
		t.Fatalf("alice in the copy: %+v, %v", u, err)
	}
	var usage usageError
	if _, err := do("", "backup", "-state-dir", state); !errors.As(err, &usage) {
		t.Errorf("backup without FILE: %v, want a usage error", err)
	}

	conf := filepath.Join(t.TempDir(), "pg.toml")
	os.WriteFile(conf, []byte("state_dir = \""+state+"\"\n[store]\npostgres_url = \"postgres://drawbridge@db.internal:5432/drawbridge?sslmode=disable\"\n"), 0o600)
	out, err = do("", "backup", "-config", conf, filepath.Join(t.TempDir(), "pg.db"))
	if err == nil || !strings.Contains(err.Error(), "pg_dump") || !strings.Contains(err.Error(), "postgres://drawbridge@db.internal:5432/drawbridge") {
		t.Fatalf("backup on PostgreSQL: %v\n%s", err, out)
	}
}

// -h and --help anywhere print the help and succeed; user -h lists each
// verb on a line of its own.
func TestHelp(t *testing.T) {
	var env []string
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"user", "-h"}, []string{"\n  add [-role ROLE] NAME ", "\n  passwd NAME ", "\n  disable NAME ", "\n  enable NAME ", "-config FILE"}},
		{[]string{"user", "--help"}, []string{"\n  import [-role ROLE] NAME "}},
		{[]string{"session", "-h"}, []string{"\n  list [NAME] ", "\n  revoke ID... | -user NAME "}},
		{[]string{"user", "add", "-h"}, []string{"Usage: drawbridge user add [-role ROLE] NAME", "-role ROLE"}},
		{[]string{"user", "add", "alice", "-config", "/nonexistent", "-h"}, []string{"Usage: drawbridge user add"}},
		{[]string{"help", "session"}, []string{"\n  revoke "}},
		{[]string{"--help"}, []string{"drawbridge backup", "drawbridge completion bash|zsh"}},
		{[]string{"config", "-h"}, []string{"Usage: drawbridge config check"}},
		{[]string{"completion", "--help"}, []string{"Usage: drawbridge completion bash|zsh"}},
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), tc.args, strings.NewReader(""), &out, &errOut, env)
		if err != nil {
			t.Errorf("%s: %v", strings.Join(tc.args, " "), err)
		}
		for _, w := range tc.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: help lacks %q:\n%s", strings.Join(tc.args, " "), w, out.String())
			}
		}
		if strings.Contains(out.String()+errOut.String(), "help requested") {
			t.Errorf("%s: says help requested", strings.Join(tc.args, " "))
		}
	}
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}, {"-v"}} {
		var out bytes.Buffer
		if err := run(context.Background(), args, strings.NewReader(""), &out, io.Discard, env); err != nil || out.String() != "drawbridge dev\n" {
			t.Errorf("%s: %q, %v", args[0], out.String(), err)
		}
	}
}

// Every command the usage and completion list exists, and takes -h.
func TestCommandsTableMatchesRun(t *testing.T) {
	for _, c := range commands() {
		args := append(strings.Fields(c.name), "-h")
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, strings.NewReader(""), &out, &errOut, nil)
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%s: %v\n%s", strings.Join(args, " "), err, errOut.String())
		}
		if out.Len()+errOut.Len() == 0 {
			t.Errorf("%s: printed nothing", strings.Join(args, " "))
		}
	}
}

// envList turns a map into "KEY=value" entries, as os.Environ gives them.
func envList(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	return out
}
