package e2e

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/drawbridge/drawbridge/gateway/app"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// telnetdGame is what telnetd runs on the pseudo-terminal instead of
// login(1): a small line game that shows what telnetd made of the
// negotiation. telnetd passes the peer it sees (%h) and the terminal type
// it settled on (%T); TERM, the variables it accepted over NEW-ENVIRON and
// the pty's window size (set from NAWS) are in its environment and tty.
// After its goodbye it lingers a moment: telnetd tears the session down as
// soon as its child exits, dropping pty output it has not read yet.
const telnetdGame = `#!/bin/sh
echo "game: peer=<$1> ttype=<$2>"
echo "env: TERM=<$TERM> IPADDRESS=<$IPADDRESS> CLIENT_NAME=<$CLIENT_NAME>"
echo "Bienvenue au café ✓"
while printf 'cmd> ' && read -r line; do
	case $line in
	size*) echo "$line=<$(stty size)>" ;;
	quit) echo "Goodbye"; sleep 0.5; exit 0 ;;
	*) echo "you typed <$line>" ;;
	esac
done
`

// startTelnetd serves GNU inetutils' telnetd (package inetutils-telnetd, a
// telnet server nobody here wrote) on a loopback port, as inetd would: the
// test accepts each connection and hands it to a fresh telnetd as its
// standard input and output. telnetd negotiates TTYPE (cycling until it
// finds a terminal terminfo knows), NEW-ENVIRON, NAWS, ECHO, SGA and the
// options the gateway refuses, then runs telnetdGame on a pty.
func startTelnetd(t *testing.T) string {
	t.Helper()
	const telnetd = "/usr/sbin/telnetd"
	if _, err := os.Stat(telnetd); err != nil {
		t.Fatal("telnetd is not installed: apt-get install inetutils-telnetd (.ci/run does)")
	}
	game := filepath.Join(t.TempDir(), "game.sh")
	if err := os.WriteFile(game, []byte(telnetdGame), 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{"-E", game + " %h %T"}
	// Since Debian's fix for CVE-2026-24061 telnetd drops every variable
	// from the client that --accept-env does not name; older builds take
	// them all and do not know the flag.
	if help, _ := exec.Command(telnetd, "--help").CombinedOutput(); bytes.Contains(help, []byte("--accept-env")) {
		args = append(args, "--accept-env=IPADDRESS", "--accept-env=CLIENT_NAME")
	}
	// telnetd reports trouble on standard error before it has a session,
	// and to syslog after; a file, not a pipe, so that nothing waits on it.
	stderr, err := os.Create(filepath.Join(filepath.Dir(game), "telnetd.stderr"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		procs []*os.Process
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f, err := c.(*net.TCPConn).File()
			c.Close()
			if err != nil {
				t.Errorf("telnetd connection: %v", err)
				continue
			}
			cmd := exec.Command(telnetd, args...)
			cmd.Stdin, cmd.Stdout, cmd.Stderr = f, f, stderr
			err = cmd.Start()
			f.Close()
			if err != nil {
				t.Errorf("start telnetd: %v", err)
				continue
			}
			mu.Lock()
			procs = append(procs, cmd.Process)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd.Wait()
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, p := range procs {
			// Usually gone already: the gateway closed its connection.
			// The game, in a session of its own on telnetd's pty, gets
			// SIGHUP when telnetd closes the pty.
			p.Kill()
		}
		mu.Unlock()
		wg.Wait()
		stderr.Close()
		if b, _ := os.ReadFile(stderr.Name()); t.Failed() && len(b) > 0 {
			t.Logf("telnetd's standard error:\n%s", b)
		}
	})
	return ln.Addr().String()
}

// TestTelnetdThroughTheGateway plays a game run by GNU inetutils' telnetd
// through the gateway: telnetd's negotiation completes (it asks for much
// the gateway refuses), output arrives, input and remote echo work, and
// telnetd took the gateway's answers: the terminal type from the TTYPE
// cycle in TERM, the player's address (not the gateway's) from MNES
// IPADDRESS in the environment, and the player's window from NAWS on the
// pty, before and after a resize.
func TestTelnetdThroughTheGateway(t *testing.T) {
	t.Parallel()
	addr := startTelnetd(t)
	gw := startGateway(t, false, func(c *app.Config) {
		c.Game.Backend = addr
		c.Accounts.AllowGuests = true
		// The player comes through a proxy the gateway trusts, so its
		// address differs from the gateway's own, which telnetd sees.
		c.Web.TrustedProxies = []string{"127.0.0.1/32"}
	})
	const playerIP = "203.0.113.7"
	p := guestPlayerWith(t, gw, http.Header{"X-Forwarded-For": {playerIP}})
	p.send(wire.Frame{Type: wire.TypeResize, Cols: 132, Rows: 40})

	m := p.waitFor(regexp.MustCompile(`game: peer=<([^>]*)> ttype=<([^>]*)>\s+env: TERM=<([^>]*)> IPADDRESS=<([^>]*)> CLIENT_NAME=<([^>]*)>`))
	t.Logf("telnetd: peer %q, terminal type %q, TERM %q, IPADDRESS %q, CLIENT_NAME %q", m[1], m[2], m[3], m[4], m[5])
	// The TTYPE cycle: telnetd asks again while terminfo does not know the
	// answer, so it passes the client name "DRAWBRIDGE" and settles on the
	// terminal type, lower-cased.
	if m[2] != "xterm-256color" || m[3] != "xterm-256color" {
		t.Errorf("telnetd settled on terminal type %q, TERM %q; want xterm-256color from the TTYPE cycle", m[2], m[3])
	}
	if m[4] != playerIP {
		t.Errorf("IPADDRESS in telnetd's environment is %q, want the player's %s", m[4], playerIP)
	}
	if m[1] != "localhost" && m[1] != "127.0.0.1" {
		t.Errorf("telnetd's peer is %q, want the gateway's loopback address", m[1])
	}
	if m[5] != "DRAWBRIDGE" {
		t.Errorf("CLIENT_NAME in telnetd's environment is %q, want DRAWBRIDGE", m[5])
	}
	// Output passes 8-bit: the game's UTF-8 arrives whole.
	p.waitFor(regexp.MustCompile(`Bienvenue au café ✓\r\ncmd> $`))

	// The window from NAWS is the pty's: stty reads it.
	p.send(wire.Frame{Type: wire.TypeLine, Data: []byte("size 1")})
	m = p.waitFor(regexp.MustCompile(`size 1=<(\d+) (\d+)>`))
	if m[1] != "40" || m[2] != "132" {
		t.Errorf("telnetd's pty is %sx%s, want the player's 132x40 from NAWS", m[2], m[1])
	}
	p.send(wire.Frame{Type: wire.TypeResize, Cols: 100, Rows: 30})
	p.send(wire.Frame{Type: wire.TypeLine, Data: []byte("size 2")})
	m = p.waitFor(regexp.MustCompile(`size 2=<(\d+) (\d+)>`))
	if m[1] != "30" || m[2] != "100" {
		t.Errorf("after a resize telnetd's pty is %sx%s, want 100x30", m[2], m[1])
	}

	// telnetd echoes: it says WILL ECHO, the player's client is told to
	// stop echoing, and the pty echoes the line back once.
	if len(p.echo) == 0 || !p.echo[len(p.echo)-1] {
		t.Errorf("Echo frames %v, want the game echoing (telnetd says WILL ECHO)", p.echo)
	}
	// Non-ASCII input arrives whole: the gateway agrees to BINARY, so
	// telnetd does not strip the eighth bit of input (ISTRIP), which would
	// turn a player's UTF-8 into control characters (✓ into ^\, SIGQUIT).
	const line = "Héllo ✓ from the web"
	p.send(wire.Frame{Type: wire.TypeLine, Data: []byte(line)})
	p.waitFor(regexp.MustCompile(`you typed <` + regexp.QuoteMeta(line) + `>`))
	if n := strings.Count(p.text.String(), line); n != 2 {
		t.Errorf("the line arrived %d times, want twice: the pty's echo and the game's answer", n)
	}

	p.send(wire.Frame{Type: wire.TypeLine, Data: []byte("quit")})
	p.waitFor(regexp.MustCompile(`Goodbye`))
	p.until("the game closing", func() bool {
		return len(p.status) > 0 && p.status[len(p.status)-1] == wire.StatusGameClosed
	})
}
