package sdnotify

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// listen opens the service manager's side: a unixgram socket at name (a
// path, or @abstract).
func listen(t *testing.T, name string) *net.UnixConn {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// read returns the next datagram, failing after a generous deadline.
func read(t *testing.T, c *net.UnixConn) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("no message from the service: %v", err)
	}
	return string(buf[:n])
}

func TestSendToPathAndAbstractSockets(t *testing.T) {
	abstract := fmt.Sprintf("@drawbridge-sdnotify-test-%d", os.Getpid())
	for _, name := range []string{filepath.Join(t.TempDir(), "notify"), abstract} {
		t.Run(name, func(t *testing.T) {
			sock := listen(t, name)
			n, err := New(func(k string) string {
				if k == "NOTIFY_SOCKET" {
					return name
				}
				return ""
			})
			if err != nil || n == nil {
				t.Fatalf("New: %v, %v", n, err)
			}
			defer n.Close()
			if err := n.Send(Status("waiting\nfor a certificate"), Ready); err != nil {
				t.Fatal(err)
			}
			if got, want := read(t, sock), "STATUS=waiting for a certificate\nREADY=1"; got != want {
				t.Errorf("got %q, want %q", got, want)
			}
			if err := n.Send(Stopping); err != nil {
				t.Fatal(err)
			}
			if got := read(t, sock); got != "STOPPING=1" {
				t.Errorf("got %q, want STOPPING=1", got)
			}
		})
	}
}

func TestWithoutSocket(t *testing.T) {
	n, err := New(func(string) string { return "" })
	if n != nil || err != nil {
		t.Fatalf("New without NOTIFY_SOCKET: %v, %v; want nil, nil", n, err)
	}
	// A nil Notifier does nothing.
	if err := n.Send(Ready); err != nil {
		t.Error(err)
	}
	n.Watchdog(context.Background(), time.Second, nil, nil) // returns at once
	if err := n.Close(); err != nil {
		t.Error(err)
	}
}

func TestBadSocket(t *testing.T) {
	for _, v := range []string{"relative/path", filepath.Join(t.TempDir(), "nobody-listens")} {
		_, err := New(func(string) string { return v })
		if err == nil || !strings.Contains(err.Error(), "NOTIFY_SOCKET") {
			t.Errorf("NOTIFY_SOCKET=%s: got %v, want an error naming NOTIFY_SOCKET", v, err)
		}
	}
}

func TestWatchdogInterval(t *testing.T) {
	me := strconv.Itoa(os.Getpid())
	for _, c := range []struct {
		usec, pid string
		want      time.Duration
		wantErr   bool
	}{
		{"", "", 0, false},
		{"30000000", "", 15 * time.Second, false},
		{"30000000", me, 15 * time.Second, false},
		{"30000000", "1", 0, false}, // another process's watchdog
		{"0", "", 0, true},
		{"30s", "", 0, true},
		{"-5", "", 0, true},
	} {
		got, err := WatchdogInterval(func(k string) string {
			switch k {
			case "WATCHDOG_USEC":
				return c.usec
			case "WATCHDOG_PID":
				return c.pid
			}
			return ""
		})
		if got != c.want || (err != nil) != c.wantErr {
			t.Errorf("WATCHDOG_USEC=%q WATCHDOG_PID=%q: got %v, %v; want %v, error %v", c.usec, c.pid, got, err, c.want, c.wantErr)
		}
	}
}

func TestWatchdogPings(t *testing.T) {
	name := filepath.Join(t.TempDir(), "notify")
	sock := listen(t, name)
	n, err := New(func(string) string { return name })
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	failures := make(chan error, 1000)
	go func() { n.Watchdog(ctx, time.Millisecond, nil, func(err error) { failures <- err }); close(done) }()
	for range 3 {
		if got := read(t, sock); got != Watchdog {
			t.Fatalf("got %q, want %s", got, Watchdog)
		}
	}
	// The service manager's socket goes away and comes back (systemctl
	// daemon-reexec): the failures are reported, and the pings go on to
	// the new socket.
	sock.Close()
	os.Remove(name)
	select {
	case <-failures:
	case <-time.After(30 * time.Second):
		t.Fatal("no failed ping reported while the socket was gone")
	}
	sock = listen(t, name)
	if got := read(t, sock); got != Watchdog {
		t.Fatalf("after the socket came back: got %q, want %s", got, Watchdog)
	}
	cancel()
	<-done
}

func TestWatchdogSilentWhileUnhealthy(t *testing.T) {
	name := filepath.Join(t.TempDir(), "notify")
	sock := listen(t, name)
	n, err := New(func(string) string { return name })
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// alive waits for the test's answer, so the test knows what the
	// watchdog has been told before it looks at the socket.
	asks, answers := make(chan struct{}), make(chan bool)
	go n.Watchdog(ctx, time.Millisecond, func() bool {
		select {
		case asks <- struct{}{}:
			return <-answers
		case <-ctx.Done():
			return false
		}
	}, nil)
	for range 3 {
		<-asks
		answers <- false
	}
	<-asks // the watchdog waits: whatever it sent before is in the socket
	sock.SetReadDeadline(time.Now())
	if n, err := sock.Read(make([]byte, 64)); err == nil {
		t.Fatalf("a %d-byte message while alive said no", n)
	}
	answers <- true
	if got := read(t, sock); got != Watchdog {
		t.Fatalf("got %q, want %s", got, Watchdog)
	}
}
