package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/gateway/app"
)

// lockedBuffer is a log destination the gateway's goroutines share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serve runs drawbridge serve in environ until the test ends, and returns
// its log once its control socket answers.
func serve(t *testing.T, environ []string) *lockedBuffer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-log-level", "warn"}, strings.NewReader(""), io.Discard, logs, environ)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	cfg, _, err := configure("test", nil, io.Discard, environ)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, err := app.RequestReload(context.Background(), cfg.StateDir)
		if err == nil {
			return logs
		}
		if !strings.Contains(err.Error(), "no gateway is running") || time.Now().After(deadline) {
			t.Fatalf("waiting for the gateway: %v\nlogs:\n%s", err, logs.String())
		}
	}
}

// drawbridge reload makes a gateway started with drawbridge serve read its
// file, environment and flags again, prints what changed, and fails with
// the reasons when the configuration is invalid.
func TestReloadCommand(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "drawbridge.toml")
	write := func(name string, max int, level string) {
		t.Helper()
		body := fmt.Sprintf("state_dir = %q\n[game]\nname = %q\ndemo_addr = \"127.0.0.1:0\"\n"+
			"[web]\nhttps_addr = \"127.0.0.1:0\"\nhttp_addr = \"off\"\n[admin]\naddr = \"off\"\n"+
			"[players]\nmax = %d\n[log]\nlevel = %q\n", dir, name, max, level)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("Demo", 50, "info")
	environ := []string{"DRAWBRIDGE_CONFIG=" + path, "DRAWBRIDGE_PLAYERS_MAX_PER_ADDR=7"}

	logs := serve(t, environ)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"reload"}, strings.NewReader(""), &out, io.Discard, environ); err != nil || !strings.Contains(out.String(), "reloaded; nothing changed") {
		t.Fatalf("first reload: %v, %q; want nothing changed", err, out.String())
	}
	reload := func() (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), []string{"reload"}, strings.NewReader(""), &out, io.Discard, environ)
		return out.String(), err
	}

	// The file changes: a live setting, one that needs a restart, and
	// the log level, which the flag given at start still overrides.
	write("Renamed", 60, "debug")
	said, err := reload()
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	for _, want := range []string{"reloaded; applied: players.max\n", "need a restart (systemctl restart drawbridge): game.name\n"} {
		if !strings.Contains(said, want) {
			t.Errorf("reload said %q, want %q", said, want)
		}
	}

	// Only a setting that needs a restart changes: the first line must
	// not say "nothing changed" above the line that names it.
	write("Renamed again", 60, "debug")
	said, err = reload()
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	for _, want := range []string{"reloaded; nothing to apply live\n", "need a restart (systemctl restart drawbridge): game.name\n"} {
		if !strings.Contains(said, want) || strings.Contains(said, "nothing changed") {
			t.Errorf("reload said %q, want %q and not \"nothing changed\"", said, want)
		}
	}

	// An invalid file: refused, with the reason, and a non-zero exit.
	write("Renamed", 0, "info")
	if _, err := reload(); err == nil || !strings.Contains(err.Error(), "players.max: must not be 0") {
		t.Fatalf("reload of an invalid file: %v, want an error naming players.max", err)
	}
	if l := logs.String(); !strings.Contains(l, "changed settings need a restart") || strings.Contains(l, "level=DEBUG") {
		t.Fatalf("logs:\n%s", l)
	}
}

// deploy/logrotate, run by the real logrotate: the audit file is moved
// away, the postrotate reload (SIGHUP here, as the unit's ExecReload
// sends) makes the gateway open a new one at the configured path, which
// logrotate itself does not create (nocreate).
func TestLogrotateSnippet(t *testing.T) {
	bin, err := exec.LookPath("logrotate")
	if err != nil {
		t.Fatal("logrotate is not installed (Debian: apt-get install logrotate; .ci/run installs it)")
	}
	// SIGHUP goes to the test's channel too, so that one arriving before
	// serve listens for it cannot end the test process.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	dir := t.TempDir()
	audit := filepath.Join(dir, "audit.log")
	path := filepath.Join(dir, "drawbridge.toml")
	body := fmt.Sprintf("state_dir = %q\n[game]\ndemo_addr = \"127.0.0.1:0\"\n[web]\nhttps_addr = \"127.0.0.1:0\"\nhttp_addr = \"off\"\n"+
		"[admin]\naddr = \"off\"\n[log]\naudit_file = %q\n", dir, audit)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	environ := []string{"DRAWBRIDGE_CONFIG=" + path}
	logs := serve(t, environ)
	// An event in the trail, so that it is not empty (notifempty).
	if err := run(context.Background(), []string{"user", "add", "Alice"}, strings.NewReader("correct horse battery staple\n"), io.Discard, io.Discard, environ); err != nil {
		t.Fatal(err)
	}

	snippet, err := os.ReadFile(filepath.Join("..", "deploy", "logrotate"))
	if err != nil {
		t.Fatal(err)
	}
	conf := string(snippet)
	if !strings.Contains(conf, "/var/log/drawbridge/audit.log") {
		t.Fatal("deploy/logrotate does not rotate /var/log/drawbridge/audit.log")
	}
	// What systemctl would do, without systemd: reload runs the unit's
	// ExecReload (drawbridge reload), kill sends the signal to the main
	// process (the gateway runs in this one).
	conf = strings.ReplaceAll(conf, "/var/log/drawbridge/audit.log", audit)
	conf = strings.ReplaceAll(conf, "systemctl reload drawbridge.service", binary(t)+" reload -config "+path)
	conf = strings.ReplaceAll(conf, "systemctl kill --signal=HUP --kill-whom=main drawbridge.service", fmt.Sprintf("kill -HUP %d", os.Getpid()))
	if i := strings.Index(conf, "postrotate"); i < 0 || strings.Contains(conf[i:], "systemctl") {
		t.Fatalf("deploy/logrotate runs a systemctl command this test does not know:\n%s", conf)
	}
	// Someone is halfway through editing the config when logrotate runs:
	// the reload is refused, and the trail must move to the new file all
	// the same.
	if err := os.WriteFile(path, []byte(body+"[players]\nmax = 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	confPath := filepath.Join(dir, "logrotate.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-f", "-s", filepath.Join(dir, "logrotate.state"), confPath).CombinedOutput(); err != nil {
		t.Fatalf("logrotate: %v\n%s", err, out)
	}
	if b, err := os.ReadFile(audit + ".1"); err != nil || !strings.Contains(string(b), "Alice") {
		t.Fatalf("the rotated file: %v, %q; want Alice's event", err, b)
	}
	// The gateway runs in this process: its open files show which file
	// it writes the trail to.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		open := openFiles(t)
		if open[audit] && !open[audit+".1"] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after logrotate's reload the gateway holds %v open, want %s and not the rotated one\nlogs:\n%s", open, audit, logs.String())
		}
	}
	if st, err := os.Stat(audit); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the new audit file: %v, mode %v; want 0600", err, st.Mode().Perm())
	}
}

// openFiles lists the files this process holds open (Linux).
func openFiles(t *testing.T) map[string]bool {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	open := map[string]bool{}
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil {
			open[target] = true
		}
	}
	return open
}
