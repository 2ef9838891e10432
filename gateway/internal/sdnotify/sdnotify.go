// Package sdnotify tells systemd how a Type=notify service is doing: the
// sd_notify protocol, spoken directly rather than through libsystemd.
//
// The protocol (sd_notify(3),
// https://www.freedesktop.org/software/systemd/man/latest/sd_notify.html):
// the service manager passes the path of a datagram socket in
// $NOTIFY_SOCKET, an AF_UNIX path or, when it starts with '@', a Linux
// abstract socket name; the service sends it newline-separated
// VARIABLE=value assignments, one datagram per message. This package
// sends READY=1 (startup finished), STOPPING=1 (shutdown began), STATUS=
// (a line for systemctl status) and WATCHDOG=1 (keep-alive, at least once
// per $WATCHDOG_USEC microseconds when the unit sets WatchdogSec=; only
// for the process $WATCHDOG_PID names, when set). Without $NOTIFY_SOCKET,
// as outside systemd, a Notifier is nil and every send does nothing.
package sdnotify

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Messages systemd understands, for Send.
const (
	Ready    = "READY=1"
	Stopping = "STOPPING=1"
	Watchdog = "WATCHDOG=1"
)

// Status is the STATUS= message: one line systemctl status shows.
func Status(s string) string {
	return "STATUS=" + strings.ReplaceAll(s, "\n", " ")
}

// Notifier sends messages to the service manager. A nil *Notifier is
// valid and sends nothing.
type Notifier struct {
	mu   sync.Mutex
	addr *net.UnixAddr
	conn *net.UnixConn
}

// New connects to the socket $NOTIFY_SOCKET names, read through getenv.
// It returns nil and no error when the variable is unset (not started by
// systemd, or not Type=notify).
func New(getenv func(string) string) (*Notifier, error) {
	path := getenv("NOTIFY_SOCKET")
	if path == "" {
		return nil, nil
	}
	if path[0] != '/' && path[0] != '@' {
		return nil, fmt.Errorf("NOTIFY_SOCKET %q: want an absolute path or an @abstract name", path)
	}
	// Go turns a leading '@' into the abstract namespace's NUL byte.
	addr := &net.UnixAddr{Name: path, Net: "unixgram"}
	conn, err := net.DialUnix("unixgram", nil, addr)
	if err != nil {
		return nil, fmt.Errorf("NOTIFY_SOCKET %s: %w", path, err)
	}
	return &Notifier{addr: addr, conn: conn}, nil
}

// Send sends the messages in one datagram, as sd_notify does. When the
// socket fails (the service manager made a new one: a daemon-reexec), it
// connects again once and resends, as sd_notify, which connects for
// every message, would.
func (n *Notifier) Send(msgs ...string) error {
	if n == nil || len(msgs) == 0 {
		return nil
	}
	msg := []byte(strings.Join(msgs, "\n"))
	n.mu.Lock()
	defer n.mu.Unlock()
	_, err := n.conn.Write(msg)
	if err == nil {
		return nil
	}
	if conn, derr := net.DialUnix("unixgram", nil, n.addr); derr == nil {
		n.conn.Close()
		n.conn = conn
		if _, err = conn.Write(msg); err == nil {
			return nil
		}
	}
	return fmt.Errorf("sd_notify: %w", err)
}

// Close closes the socket.
func (n *Notifier) Close() error {
	if n == nil {
		return nil
	}
	return n.conn.Close()
}

// WatchdogInterval is how often the service must send WATCHDOG=1: half of
// $WATCHDOG_USEC, as sd_watchdog_enabled(3) advises, or 0 when the
// watchdog is off or meant for another process ($WATCHDOG_PID).
func WatchdogInterval(getenv func(string) string) (time.Duration, error) {
	v := getenv("WATCHDOG_USEC")
	if v == "" {
		return 0, nil
	}
	if pid := getenv("WATCHDOG_PID"); pid != "" && pid != strconv.Itoa(os.Getpid()) {
		return 0, nil
	}
	usec, err := strconv.ParseUint(v, 10, 63)
	if err != nil || usec == 0 {
		return 0, fmt.Errorf("WATCHDOG_USEC %q: want a positive number of microseconds", v)
	}
	return time.Duration(usec) * time.Microsecond / 2, nil
}

// Watchdog sends WATCHDOG=1 every interval until ctx is done, while
// alive reports the process healthy (nil alive: always). A process that
// stops answering stops pinging, and systemd restarts it. A ping that
// cannot be sent is reported to failed (when not nil) and the pings go
// on: one lost datagram must not get a healthy process killed.
func (n *Notifier) Watchdog(ctx context.Context, interval time.Duration, alive func() bool, failed func(error)) {
	if n == nil || interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if alive == nil || alive() {
			if err := n.Send(Watchdog); err != nil && failed != nil {
				failed(err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
