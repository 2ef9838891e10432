package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
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

	ctx, cancel := context.WithCancel(context.Background())
	var logs lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-log-level", "warn"}, strings.NewReader(""), io.Discard, &logs, environ)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	reload := func() (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), []string{"reload"}, strings.NewReader(""), &out, io.Discard, environ)
		return out.String(), err
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		out, err := reload()
		if err == nil {
			if !strings.Contains(out, "reloaded; nothing changed") {
				t.Fatalf("first reload: %q, want nothing changed", out)
			}
			break
		}
		if !strings.Contains(err.Error(), "no gateway is running") || time.Now().After(deadline) {
			t.Fatalf("reload: %v\nlogs:\n%s", err, logs.String())
		}
	}

	// The file changes: a live setting, one that needs a restart, and
	// the log level, which the flag given at start still overrides.
	write("Renamed", 60, "debug")
	out, err := reload()
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	for _, want := range []string{"reloaded; applied: players.max\n", "need a restart (systemctl restart drawbridge): game.name\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("reload said %q, want %q", out, want)
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
