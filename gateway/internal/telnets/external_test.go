package telnets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/demo"
)

// External clients get this long to do their part.
const externalTimeout = 30 * time.Second

// findTool looks for an executable on PATH and in /usr/games (where Debian
// puts tt++), and fails the test naming the package to install: CI
// installs these, so a missing one is a broken setup, not a reason to
// skip.
func findTool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	p := filepath.Join("/usr/games", name)
	if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
		return p
	}
	t.Fatalf("%s not found on PATH or in /usr/games: install the Debian package %s (apt-get install %s)", name, debianPackage, debianPackage)
	return ""
}

// startDemo runs the built-in demo game on loopback until the test ends.
func startDemo(t *testing.T) *game {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- demo.New(demo.Config{}).Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("demo Serve: %v", err)
		}
	})
	return &game{ln: ln}
}

// syncBuffer is a bytes.Buffer safe for a process's output copier and the
// test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits until the buffer contains want, or the context ends.
func (s *syncBuffer) waitFor(ctx context.Context, want string) error {
	for !strings.Contains(s.String(), want) {
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %q: %w", want, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// command prepares an external process bounded by ctx: killed when ctx
// ends (each test cancels it on the way out), its pipes given up a moment
// later.
func command(ctx context.Context, path string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.WaitDelay = 2 * time.Second
	return cmd
}

func TestOpenSSLClient(t *testing.T) {
	openssl := findTool(t, "openssl", "openssl")
	p := newPKI(t)
	r := start(t, p, startDemo(t), Config{}, nil)

	ctx, cancel := context.WithTimeout(context.Background(), externalTimeout)
	defer cancel()
	// -verify_return_error and -verify_hostname: the client checks the
	// gateway's certificate against the test CA, as a careful user would.
	// -crlf: a typed LF goes out as CR LF, as telnet wants.
	cmd := command(ctx, openssl, "s_client",
		"-connect", r.addr, "-servername", "localhost",
		"-CAfile", p.serverCAPE, "-verify_return_error", "-verify_hostname", "localhost",
		"-brief", "-crlf")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start openssl: %v", err)
	}
	waited := false
	defer func() {
		if !waited {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()

	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf(format+"\nstdout:\n%s\nstderr:\n%s", append(args, stdout.String(), stderr.String())...)
	}
	if err := stdout.waitFor(ctx, "What is your name?"); err != nil {
		fail("banner: %v", err)
	}
	if !strings.Contains(stdout.String(), "Welcome to the") {
		fail("banner lacks the welcome line")
	}
	if _, err := stdin.Write([]byte("Tester\n")); err != nil {
		fail("write name: %v", err)
	}
	if err := stdout.waitFor(ctx, "A new adventurer! Choose a password for Tester."); err != nil {
		fail("answer: %v", err)
	}
	// The demo's telnet negotiation reached the client untouched: IAC
	// WILL EOR (or GA prompts) and DO NAWS.
	if out := stdout.String(); !strings.Contains(out, "\xff\xfd\x1f") || !strings.Contains(out, "\xff\xfb\x19") {
		fail("no IAC DO NAWS and IAC WILL EOR in the output")
	}
	// End of input: s_client closes the connection and exits.
	stdin.Close()
	err = cmd.Wait()
	waited = true
	if err != nil && ctx.Err() != nil {
		fail("openssl did not exit after its input ended: %v", err)
	}
	r.logs.waitLine(t, "telnets: closed", `reason="client closed"`)
}

func TestTinTinClient(t *testing.T) {
	tt := findTool(t, "tt++", "tintin++")
	p := newPKI(t)
	r := start(t, p, startDemo(t), Config{}, nil)
	_, port, _ := net.SplitHostPort(r.addr)

	dir := t.TempDir()
	logPath := filepath.Join(dir, "session.log")
	// Log the session, answer the name prompt, and leave once the game
	// has answered; give up after a while in any case. TinTin++ trusts the
	// certificate on first use (it keeps it under $HOME/.tintin/ssl).
	script := strings.Join([]string{
		"#event {SESSION CONNECTED} {#log overwrite {" + logPath + "}}",
		"#event {SESSION DISCONNECTED} {#end}",
		"#action {What is your name?} {#send {Tintin}}",
		"#action {Choose a password for Tintin} {#delay {0.5} {#zap}}",
		"#delay {20} {#end}",
		"#ssl {demo} {127.0.0.1} {" + port + "}",
		"",
	}, "\n")
	scriptPath := filepath.Join(dir, "script.tin")
	if err := os.WriteFile(scriptPath, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), externalTimeout)
	defer cancel()
	// -G: no greeting; -H: no terminal needed (its "nohup" mode).
	cmd := command(ctx, tt, "-G", "-H", scriptPath)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "TERM=xterm")
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	logged, _ := os.ReadFile(logPath)
	if ctx.Err() != nil {
		t.Fatalf("tt++ did not finish within %v: %v\noutput:\n%s\nsession log:\n%s", externalTimeout, err, out.String(), logged)
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("run tt++: %v", err)
	}
	for _, want := range []string{"Welcome to the", "A new adventurer! Choose a password for Tintin."} {
		if !bytes.Contains(logged, []byte(want)) {
			t.Errorf("session log lacks %q\nsession log:\n%s\ntt++ output:\n%s", want, logged, out.String())
		}
	}
	r.logs.waitLine(t, "telnets: connected", "tls=")
	r.logs.waitLine(t, "telnets: closed", "bytes_in=")
}
