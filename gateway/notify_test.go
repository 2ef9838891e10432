package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/e2e/netport"
)

// syncBuffer is a bytes.Buffer the gateway's logger and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// freeAddr is a loopback address nothing listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	p, err := netport.Free()
	if err != nil {
		t.Fatal(err)
	}
	return "127.0.0.1:" + strconv.Itoa(p)
}

// notifySocket is systemd's side of NOTIFY_SOCKET: a unixgram socket at
// name (a path or an @abstract name) whose messages the test reads.
type notifySocket struct {
	t    *testing.T
	conn *net.UnixConn
	seen []string // every line read so far
}

func listenNotify(t *testing.T, name string) *notifySocket {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &notifySocket{t: t, conn: c}
}

// until reads messages until a line that starts with prefix, and returns
// the line; it fails after a generous deadline.
func (s *notifySocket) until(prefix string) string {
	s.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	buf := make([]byte, 4096)
	for {
		s.conn.SetReadDeadline(deadline)
		n, err := s.conn.Read(buf)
		if err != nil {
			s.t.Fatalf("no %s from the gateway: %v; got %q", prefix, err, s.seen)
		}
		for _, line := range strings.Split(string(buf[:n]), "\n") {
			s.seen = append(s.seen, line)
			if strings.HasPrefix(line, prefix) {
				return line
			}
		}
	}
}

func (s *notifySocket) saw(line string) bool {
	for _, l := range s.seen {
		if l == line {
			return true
		}
	}
	return false
}

// serveForTest runs drawbridge serve with env until the returned cancel
// is called; wait waits for it to return.
func serveForTest(t *testing.T, env map[string]string, args ...string) (cancel func(), wait func() error, logs *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs = &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve"}, args...), strings.NewReader(""), logs, logs, envList(env))
	}()
	t.Cleanup(cancel)
	return cancel, func() error { return <-done }, logs
}

// healthEnv runs drawbridge health with env.
func healthCheck(env map[string]string) (string, error) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"health"}, strings.NewReader(""), &out, &out, envList(env))
	return out.String(), err
}

// With a certificate to serve (self-signed), the gateway tells systemd
// READY=1, and health says ready; the watchdog is pinged while it runs,
// and STOPPING=1 comes when the shutdown begins.
func TestNotifyReadyWatchdogStopping(t *testing.T) {
	sockPath := filepath.Join(t.TempDir(), "notify")
	sock := listenNotify(t, sockPath)
	// The admin listener on every address, as in a container: readiness
	// is asked on loopback, which its host check answers ([::] is not).
	_, port, _ := net.SplitHostPort(freeAddr(t))
	env := map[string]string{
		"DRAWBRIDGE_STATE_DIR":      t.TempDir(),
		"DRAWBRIDGE_ADMIN_ADDR":     ":" + port,
		"DRAWBRIDGE_GAME_DEMO_ADDR": "127.0.0.1:0",
		"NOTIFY_SOCKET":             sockPath,
		"WATCHDOG_USEC":             "200000", // pings every 100ms
	}
	cancel, wait, logs := serveForTest(t, env, "-https-addr", "127.0.0.1:0", "-http-addr", "off")
	sock.until("READY=1")
	// READY=1 came when /readyz said ready.
	if out, err := healthCheck(env); err != nil || strings.TrimSpace(out) != "ready" {
		t.Fatalf("health after READY=1: %v, %q\n%s", err, out, logs)
	}
	sock.until("WATCHDOG=1")
	sock.until("WATCHDOG=1")
	cancel()
	sock.until("STOPPING=1")
	if err := wait(); err != nil {
		t.Fatalf("serve: %v\n%s", err, logs)
	}
	if !sock.saw("STATUS=serving players") {
		t.Errorf("no STATUS=serving players in %q", sock.seen)
	}
}

// Without a certificate (ACME, the CA unreachable), the gateway is not
// ready: systemd is told why in STATUS=, never READY=1, and health fails
// with the reason; STOPPING=1 still comes on shutdown. The socket is an
// abstract one, as systemd's own.
func TestNotifyNotReadyWithoutCertificate(t *testing.T) {
	abstract := fmt.Sprintf("@drawbridge-notify-test-%d", os.Getpid())
	sock := listenNotify(t, abstract)
	env := map[string]string{
		"DRAWBRIDGE_STATE_DIR":          t.TempDir(),
		"DRAWBRIDGE_ADMIN_ADDR":         freeAddr(t),
		"DRAWBRIDGE_GAME_DEMO_ADDR":     "127.0.0.1:0",
		"DRAWBRIDGE_ACME_DIRECTORY_URL": "https://" + freeAddr(t) + "/dir",
		"NOTIFY_SOCKET":                 abstract,
	}
	cancel, wait, logs := serveForTest(t, env, "-domain", "play.example.test", "-https-addr", "127.0.0.1:0", "-http-addr", "127.0.0.1:0")
	status := sock.until("STATUS=not ready")
	if !strings.Contains(status, "play.example.test") {
		t.Errorf("status %q does not name the domain without a certificate", status)
	}
	out, err := healthCheck(env)
	if err == nil || !strings.Contains(err.Error(), "certificate for play.example.test") || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("health without a certificate: %v, %q; want the reason", err, out)
	}
	cancel()
	sock.until("STOPPING=1")
	if err := wait(); err != nil {
		t.Fatalf("serve: %v\n%s", err, logs)
	}
	if sock.saw("READY=1") {
		t.Errorf("READY=1 without a certificate: %q", sock.seen)
	}
}

// health fails with the reason when nothing listens, and when the admin
// listener is off.
func TestHealthWithoutGateway(t *testing.T) {
	addr := freeAddr(t)
	_, err := healthCheck(map[string]string{"DRAWBRIDGE_STATE_DIR": t.TempDir(), "DRAWBRIDGE_ADMIN_ADDR": addr})
	if err == nil || !strings.Contains(err.Error(), "does not answer") || !strings.Contains(err.Error(), addr) {
		t.Errorf("health with nothing at %s: %v", addr, err)
	}
	_, err = healthCheck(map[string]string{"DRAWBRIDGE_STATE_DIR": t.TempDir(), "DRAWBRIDGE_ADMIN_ADDR": "off"})
	if err == nil || !strings.Contains(err.Error(), "admin.addr is off") {
		t.Errorf("health with admin.addr off: %v", err)
	}
}

func TestAdminBaseURL(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:9100": "http://127.0.0.1:9100",
		":9100":          "http://127.0.0.1:9100",
		"0.0.0.0:9100":   "http://127.0.0.1:9100",
		"[::]:9100":      "http://[::1]:9100",
		"[::1]:9100":     "http://[::1]:9100",
	} {
		if got, err := adminBaseURL(addr); got != want || err != nil {
			t.Errorf("adminBaseURL(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
}
