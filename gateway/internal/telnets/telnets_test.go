package telnets

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/drawbridge/drawbridge/gateway/internal/backend"
	"github.com/drawbridge/drawbridge/gateway/internal/proxyproto"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// IAC negotiation as a game would send it, and the answer a client would.
var (
	gameNegotiation   = []byte{255, 251, 1, 255, 251, 25, 255, 253, 31, 255, 250, 24, 1, 255, 240, 'H', 'i', 255, 255, '\r', '\n', 255, 249}
	clientNegotiation = []byte{255, 253, 1, 255, 252, 31, 255, 250, 31, 0, 80, 0, 24, 255, 240, 'l', 'o', 'o', 'k', '\r', '\n', 255, 255, 0}
)

func TestPipeBothWays(t *testing.T) {
	p := newPKI(t)
	g := startGame(t, func(c net.Conn) {
		c.Write(gameNegotiation)
		echo(c)
	})
	r := start(t, p, g, Config{}, nil)
	c := r.dial(nil)

	if got := readExactly(t, c, len(gameNegotiation)); !bytes.Equal(got, gameNegotiation) {
		t.Errorf("client got % x, want % x", got, gameNegotiation)
	}
	c.Write(clientNegotiation)
	if got := readExactly(t, c, len(clientNegotiation)); !bytes.Equal(got, clientNegotiation) {
		t.Errorf("echo got % x, want % x", got, clientNegotiation)
	}

	// Every byte value, and more than the buffers hold, both ways at once.
	big := make([]byte, 1<<20)
	rand.Read(big)
	for i := range 256 {
		big[i] = byte(i)
	}
	werr := make(chan error, 1)
	go func() {
		_, err := c.Write(big)
		werr <- err
	}()
	if got := readExactly(t, c, len(big)); !bytes.Equal(got, big) {
		t.Error("echo of 1 MiB differs from what was sent")
	}
	if err := <-werr; err != nil {
		t.Fatalf("write: %v", err)
	}
	if got := r.srv.Conns(); got != 1 {
		t.Errorf("Conns: got %d, want 1", got)
	}

	c.Close()
	line := r.logs.waitLine(t, "telnets: closed")
	for _, want := range []string{"reason=\"client closed\"", "bytes_in=1048600", "bytes_out=1048623", "duration=", `tls="TLS 1.3"`, "peer=127.0.0.1:"} {
		if !strings.Contains(line, want) {
			t.Errorf("end log line %q lacks %s", line, want)
		}
	}
	start := r.logs.waitLine(t, "telnets: connected")
	for _, want := range []string{"peer=127.0.0.1:", `tls="TLS 1.3"`, "cipher="} {
		if !strings.Contains(start, want) {
			t.Errorf("start log line %q lacks %s", start, want)
		}
	}
	r.waitConns(0)
}

// TestProxyProtocolToGame checks that the client's address reaches the
// game: telnets passes it to Dial, and the app's Dial (a backend.Dialer)
// puts it in the PROXY header.
func TestProxyProtocolToGame(t *testing.T) {
	for _, version := range []string{backend.ProxyV1, backend.ProxyV2} {
		t.Run(version, func(t *testing.T) {
			p := newPKI(t)
			headers := make(chan proxyproto.Header, 1)
			g := startGame(t, func(c net.Conn) {
				br := bufio.NewReader(c)
				h, err := proxyproto.Read(br)
				if err != nil {
					t.Errorf("game: read PROXY header: %v", err)
					return
				}
				headers <- h
				io.Copy(c, br) // echo what follows
			})
			d := &backend.Dialer{Addr: g.ln.Addr().String(), Proxy: version}
			r := start(t, p, g, Config{Dial: d.Dial}, nil)
			c := r.dial(nil)
			c.Write([]byte("hello"))
			if got := string(readExactly(t, c, 5)); got != "hello" {
				t.Errorf("echo: got %q, want %q", got, "hello")
			}
			h := <-headers
			wantVersion := map[string]proxyproto.Version{"v1": proxyproto.V1, "v2": proxyproto.V2}[version]
			if h.Version != wantVersion || h.Command != proxyproto.Proxy {
				t.Errorf("got version %d command %v, want %d PROXY", h.Version, h.Command, wantVersion)
			}
			if got, want := addrString(h.Source), c.LocalAddr().String(); got != want {
				t.Errorf("source: got %s, want the client's %s", got, want)
			}
			if got, want := addrString(h.Destination), g.ln.Addr().String(); got != want {
				t.Errorf("destination: got %s, want the game's %s", got, want)
			}
		})
	}
}

func addrString(a net.Addr) string {
	if a == nil {
		return "<nil>"
	}
	return a.String()
}

func TestBehindProxyListener(t *testing.T) {
	// How the app will use both packages behind a load balancer: the
	// telnets listener trusts the balancer's PROXY header, and the game
	// gets the client the header named.
	p := newPKI(t)
	headers := make(chan proxyproto.Header, 1)
	g := startGame(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		h, err := proxyproto.Read(br)
		if err != nil {
			t.Errorf("game: read PROXY header: %v", err)
			return
		}
		headers <- h
		io.Copy(c, br)
	})
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &proxyproto.Listener{
		Listener: inner,
		Trusted:  proxyproto.TrustPrefixes(netip.MustParsePrefix("127.0.0.0/8")),
		Timeout:  time.Second,
	}
	d := &backend.Dialer{Addr: g.ln.Addr().String(), Proxy: backend.ProxyV2}
	r := startOn(t, ln, p, g, Config{Dial: d.Dial, MaxConnsPerAddr: 1}, nil)

	// The balancer: a TCP connection that starts with a header, then TLS.
	dialVia := func(client string) *tls.Conn {
		nc, err := net.Dial("tcp", r.addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		nc.Write(proxyproto.AppendV1(nil, net.TCPAddrFromAddrPort(netip.MustParseAddrPort(client)), net.TCPAddrFromAddrPort(netip.MustParseAddrPort("198.51.100.1:992"))))
		c := tls.Client(nc, p.clientTLS())
		if err := c.Handshake(); err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := dialVia("203.0.113.7:40000")
	c.Write([]byte("hi"))
	if got := string(readExactly(t, c, 2)); got != "hi" {
		t.Errorf("echo: got %q, want %q", got, "hi")
	}
	h := <-headers
	if got := addrString(h.Source); got != "203.0.113.7:40000" {
		t.Errorf("game saw source %s, want 203.0.113.7:40000", got)
	}
	r.logs.waitLine(t, "telnets: connected", "peer=203.0.113.7:40000")

	// The per-address limit counts the real clients, not the balancer.
	c2 := dialVia("203.0.113.8:40000")
	c2.Write([]byte("ok"))
	if got := string(readExactly(t, c2, 2)); got != "ok" {
		t.Errorf("second client: got %q, want %q", got, "ok")
	}
	c3 := dialVia("203.0.113.7:40001")
	if got, _ := readToEOF(c3); string(got) != MsgTooMany {
		t.Errorf("third client, same address as the first: got %q, want %q", got, MsgTooMany)
	}
}

// TestPerAddrLimitIPv6Prefix: the per-address limit counts an IPv6
// client by its /64, which one subscriber holds whole (and picks
// addresses in at will), and an IPv4 client by its address.
func TestPerAddrLimitIPv6Prefix(t *testing.T) {
	p := newPKI(t)
	g := startGame(t, echo)
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &proxyproto.Listener{
		Listener: inner,
		Trusted:  proxyproto.TrustPrefixes(netip.MustParsePrefix("127.0.0.0/8")),
		Timeout:  time.Second,
	}
	r := startOn(t, ln, p, g, Config{MaxConnsPerAddr: 2}, nil)

	// The balancer: a TCP connection that starts with a header naming
	// the client, then TLS.
	dialVia := func(client, front string) *tls.Conn {
		nc, err := net.Dial("tcp", r.addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		nc.Write(proxyproto.AppendV1(nil, net.TCPAddrFromAddrPort(netip.MustParseAddrPort(client)), net.TCPAddrFromAddrPort(netip.MustParseAddrPort(front))))
		c := tls.Client(nc, p.clientTLS())
		if err := c.Handshake(); err != nil {
			t.Fatal(err)
		}
		return c
	}
	admitted := func(c *tls.Conn) bool {
		c.Write([]byte("x"))
		c.SetReadDeadline(time.Now().Add(waitFor))
		b := make([]byte, len(MsgTooMany))
		n, _ := io.ReadAtLeast(c, b, 1)
		return string(b[:n]) == "x"
	}
	const front6, front4 = "[2001:db8:ffff::1]:992", "198.51.100.1:992"
	tests := []struct {
		client, front string
		want          bool
	}{
		{"[2001:db8:1:2::a]:40000", front6, true},
		{"[2001:db8:1:2:ffff:ffff:ffff:ffff]:40001", front6, true},
		{"[2001:db8:1:2::b]:40002", front6, false}, // a third address of the same /64
		{"[2001:db8:1:3::a]:40003", front6, true},  // the next /64 is another subscriber
		{"203.0.113.7:40004", front4, true},
		{"203.0.113.7:40005", front4, true},
		{"203.0.113.7:40006", front4, false},
		{"203.0.113.8:40007", front4, true}, // IPv4 neighbours are not grouped
	}
	for _, tc := range tests {
		if got := admitted(dialVia(tc.client, tc.front)); got != tc.want {
			t.Errorf("client %s: admitted %v, want %v", tc.client, got, tc.want)
		}
	}
}

func TestMutualTLS(t *testing.T) {
	p := newPKI(t)
	g := startGame(t, func(c net.Conn) {
		c.Write([]byte("Welcome\r\n"))
		echo(c)
	})
	r := start(t, p, g, Config{TLS: p.mTLS()}, nil)

	t.Run("no certificate", func(t *testing.T) {
		c, err := r.tryDial(nil, nil)
		if err == nil {
			// TLS 1.3: the client finishes before the server checks; the
			// refusal arrives on the first read.
			_, err = readToEOF(c)
		}
		if err == nil || !strings.Contains(err.Error(), "certificate required") {
			t.Errorf("got error %v, want the server to require a certificate", err)
		}
		r.logs.waitLine(t, "telnets: handshake failed", "client didn't provide a certificate")
	})
	t.Run("certificate from another CA", func(t *testing.T) {
		// Go's client only offers a certificate from a CA the server
		// names; send it anyway, as another client might.
		cfg := p.clientTLS()
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &p.rogue, nil }
		c, err := r.tryDial(cfg, nil)
		if err == nil {
			_, err = readToEOF(c)
		}
		if err == nil || !strings.Contains(err.Error(), "unknown certificate authority") {
			t.Errorf("got error %v, want the certificate refused", err)
		}
		r.logs.waitLine(t, "telnets: handshake failed", "certificate signed by unknown authority")
	})
	if n := g.count(); n != 0 {
		t.Errorf("game got %d connections from refused clients, want 0", n)
	}
	t.Run("certificate from the client CA", func(t *testing.T) {
		c := r.dial(p.clientTLS(p.client))
		if got := string(readExactly(t, c, 9)); got != "Welcome\r\n" {
			t.Errorf("got %q, want the game's welcome", got)
		}
		r.logs.waitLine(t, "telnets: connected", "client_cert=\"CN=alice,O=Players\"")
	})
}

// TestRefusesACME: a handshake that offers acme-tls/1 fails, whatever
// else it offers and whatever certificate it brings, and says why at
// warning level; the game never hears of it.
func TestRefusesACME(t *testing.T) {
	p := newPKI(t)
	g := startGame(t, func(c net.Conn) {
		c.Write([]byte("Welcome\r\n"))
		echo(c)
	})
	r := start(t, p, g, Config{TLS: p.mTLS()}, nil)
	for _, protos := range [][]string{{"acme-tls/1"}, {"telnet", "acme-tls/1"}} {
		cfg := p.clientTLS(p.client)
		cfg.NextProtos = protos
		c, err := r.tryDial(cfg, nil)
		if err == nil {
			got, _ := readToEOF(c)
			t.Errorf("ALPN %q: connected, read %q; want the handshake refused", protos, got)
		}
	}
	r.logs.waitLine(t, "level=WARN", "telnets: handshake failed", "acme-tls/1", "answers no ACME challenges")
	if n := g.count(); n != 0 {
		t.Errorf("game got %d connections, want 0", n)
	}
	// The same client without acme-tls/1 plays.
	c := r.dial(p.clientTLS(p.client))
	if got := string(readExactly(t, c, 9)); got != "Welcome\r\n" {
		t.Errorf("got %q, want the game's welcome", got)
	}
}

func TestLimits(t *testing.T) {
	p := newPKI(t)
	g := startGame(t, echo)

	t.Run("total", func(t *testing.T) {
		r := start(t, p, g, Config{MaxConns: 2}, nil)
		c1, c2 := r.dial(nil), r.dial(nil)
		r.waitConns(2)
		c3 := r.dial(nil)
		got, err := readToEOF(c3)
		if string(got) != MsgTooMany || err != nil {
			t.Errorf("third client: got %q, %v; want %q and a clean close", got, err, MsgTooMany)
		}
		c3.Close()
		r.logs.waitLine(t, "telnets: refused", "too many connections")
		for _, c := range []*tls.Conn{c1, c2} {
			c.Write([]byte("x"))
			if got := string(readExactly(t, c, 1)); got != "x" {
				t.Errorf("admitted client: got %q, want %q", got, "x")
			}
		}
		c1.Close()
		r.waitConns(1)
		c4 := r.dial(nil)
		c4.Write([]byte("y"))
		if got := string(readExactly(t, c4, 1)); got != "y" {
			t.Errorf("client after one left: got %q, want %q", got, "y")
		}
		c2.Close()
		c4.Close()
		r.waitConns(0)
	})
	t.Run("per address", func(t *testing.T) {
		r := start(t, p, g, Config{MaxConnsPerAddr: 1}, nil)
		r.dial(nil)
		r.waitConns(1)
		c2 := r.dial(nil)
		if got, _ := readToEOF(c2); string(got) != MsgTooMany {
			t.Errorf("second client from 127.0.0.1: got %q, want %q", got, MsgTooMany)
		}
		// Another address is still welcome.
		other := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}
		c3, err := r.tryDial(nil, other)
		if err != nil {
			t.Skipf("cannot dial from 127.0.0.2: %v", err)
		}
		c3.Write([]byte("z"))
		if got := string(readExactly(t, c3, 1)); got != "z" {
			t.Errorf("client from 127.0.0.2: got %q, want %q", got, "z")
		}
	})
	t.Run("none", func(t *testing.T) {
		r := start(t, p, g, Config{MaxConns: -1, MaxConnsPerAddr: -1}, nil)
		for range 30 {
			r.dial(nil)
		}
		r.waitConns(30)
	})
}

func TestRefusalSlotsBounded(t *testing.T) {
	// Each connection turned away with a message costs a handshake, so
	// only refuseSlots are at a time; past them, connections over a limit
	// are closed at once.
	tests := []struct {
		name    string
		cfg     Config
		wantLog string
	}{
		// Over the per-address limit: dropped once the slots are full.
		{"per address", Config{MaxConnsPerAddr: 1}, "said=false"},
		// Over the total: the accept loop stops at MaxConns+refuseSlots
		// open connections, before anything is read.
		{"total", Config{MaxConns: 1}, "too many connections open"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPKI(t)
			g := startGame(t, echo)
			r := start(t, p, g, tc.cfg, nil)
			r.dial(nil)
			r.waitConns(1)
			// Fill every refusal slot with connections that stay silent
			// before their handshake.
			for range refuseSlots {
				nc, err := net.Dial("tcp", r.addr)
				if err != nil {
					t.Fatal(err)
				}
				defer nc.Close()
			}
			deadline := time.Now().Add(waitFor)
			for {
				r.srv.mu.Lock()
				n := r.srv.refusing
				r.srv.mu.Unlock()
				if n == refuseSlots {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("refusing: got %d, want %d", n, refuseSlots)
				}
				time.Sleep(5 * time.Millisecond)
			}
			nc, err := net.Dial("tcp", r.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			nc.SetReadDeadline(time.Now().Add(waitFor))
			if n, err := nc.Read(make([]byte, 1)); err == nil {
				t.Errorf("connection past the refusal slots: read %d bytes, want it closed", n)
			}
			r.logs.waitLine(t, "telnets: refused", tc.wantLog)
		})
	}
}

func TestHandshakeTimeout(t *testing.T) {
	p := newPKI(t)
	g := startGame(t, echo)
	r := start(t, p, g, Config{HandshakeTimeout: 200 * time.Millisecond}, nil)

	nc, err := net.Dial("tcp", r.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	begin := time.Now()

	// A silent connection does not hold up the others.
	c := r.dial(nil)
	c.Write([]byte("q"))
	if got := string(readExactly(t, c, 1)); got != "q" {
		t.Errorf("got %q, want %q", got, "q")
	}

	nc.SetReadDeadline(time.Now().Add(waitFor))
	if _, err := nc.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("silent connection: got %v, want it closed", err)
	}
	if d := time.Since(begin); d > 3*time.Second {
		t.Errorf("silent connection closed after %v, want about 200ms", d)
	}
	r.logs.waitLine(t, "telnets: handshake failed")
}

func TestIdleTimeout(t *testing.T) {
	p := newPKI(t)
	g := startGame(t, echo)
	const idle = 300 * time.Millisecond
	r := start(t, p, g, Config{IdleTimeout: idle}, nil)

	t.Run("traffic keeps it open", func(t *testing.T) {
		c := r.dial(nil)
		for range 6 {
			time.Sleep(idle / 3)
			c.Write([]byte("."))
			if got := string(readExactly(t, c, 1)); got != "." {
				t.Fatalf("got %q, want %q", got, ".")
			}
		}
		c.Close()
	})
	t.Run("silence closes it", func(t *testing.T) {
		c := r.dial(nil)
		begin := time.Now()
		got, _ := readToEOF(c)
		if len(got) != 0 {
			t.Errorf("got %q before the close, want nothing", got)
		}
		if d := time.Since(begin); d < idle-50*time.Millisecond || d > 3*time.Second {
			t.Errorf("closed after %v, want about %v", d, idle)
		}
		r.logs.waitLine(t, "telnets: closed", `reason="idle timeout"`)
	})
}

func TestGameDown(t *testing.T) {
	p := newPKI(t)
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := dead.Addr().String()
	dead.Close()
	r := start(t, p, nil, Config{Dial: func(ctx context.Context, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}}, nil)
	c := r.dial(nil)
	got, err := readToEOF(c)
	if string(got) != MsgGameDown || err != nil {
		t.Errorf("got %q, %v; want %q and a clean close", got, err, MsgGameDown)
	}
	c.Close()
	r.logs.waitLine(t, "telnets: closed", `reason="game unreachable"`, "connection refused")
	r.waitConns(0)
}

func TestGameClosesWithFinalOutput(t *testing.T) {
	p := newPKI(t)
	final := make([]byte, 1<<20+123)
	rand.Read(final)
	copy(final[len(final)-9:], "GOODBYE\r\n")

	t.Run("game hangs up after a lot of output", func(t *testing.T) {
		g := startGame(t, func(c net.Conn) { c.Write(final) })
		r := start(t, p, g, Config{}, nil)
		c := r.dial(nil)
		got, err := readToEOF(c)
		if err != nil || !bytes.Equal(got, final) {
			t.Errorf("got %d bytes ending %q, %v; want all %d ending GOODBYE and a clean close", len(got), got[max(0, len(got)-9):], err, len(final))
		}
		c.Close()
		r.logs.waitLine(t, "telnets: closed", `reason="game closed"`, "bytes_out=1048699")
	})
	t.Run("game hangs up while the client types", func(t *testing.T) {
		// The game says goodbye and closes with the client's input
		// unread; the gateway's writes to it fail, and it keeps reading
		// the client until the client closes instead of resetting the
		// connection under the goodbye.
		g := startGame(t, func(c net.Conn) {
			io.ReadFull(c, make([]byte, 4))
			c.Write([]byte("bye!"))
		})
		r := start(t, p, g, Config{}, nil)
		c := r.dial(nil)
		c.Write([]byte("quit"))
		stop := make(chan struct{})
		typed := make(chan struct{})
		go func() {
			defer close(typed)
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := c.Write(bytes.Repeat([]byte("more"), 1024)); err != nil {
					return
				}
				time.Sleep(time.Millisecond)
			}
		}()
		got, err := readToEOF(c)
		close(stop)
		<-typed
		if string(got) != "bye!" || err != nil {
			t.Errorf("got %q, %v; want %q and a clean close", got, err, "bye!")
		}
		c.Close()
		r.logs.waitLine(t, "telnets: closed", `reason="game closed"`)
	})
}

func TestHalfClose(t *testing.T) {
	p := newPKI(t)

	t.Run("client first", func(t *testing.T) {
		// The client says it is done (close_notify); the game reads to the
		// end, then answers, and the answer still reaches the client.
		g := startGame(t, func(c net.Conn) {
			b, _ := io.ReadAll(c)
			c.Write([]byte("you said " + string(b)))
		})
		r := start(t, p, g, Config{}, nil)
		c := r.dial(nil)
		c.Write([]byte("last words"))
		if err := c.CloseWrite(); err != nil {
			t.Fatal(err)
		}
		got, err := readToEOF(c)
		if string(got) != "you said last words" || err != nil {
			t.Errorf("got %q, %v; want %q and a clean close", got, err, "you said last words")
		}
		r.logs.waitLine(t, "telnets: closed", `reason="client closed"`)
	})
	t.Run("game first", func(t *testing.T) {
		// The game shuts its writing side and keeps reading: the client
		// sees the end of the stream and can still send.
		received := make(chan string, 1)
		g := startGame(t, func(c net.Conn) {
			c.Write([]byte("done talking"))
			c.(*net.TCPConn).CloseWrite()
			b, _ := io.ReadAll(c)
			received <- string(b)
		})
		r := start(t, p, g, Config{}, nil)
		c := r.dial(nil)
		got, err := readToEOF(c)
		if string(got) != "done talking" || err != nil {
			t.Errorf("got %q, %v; want %q and the end of the stream", got, err, "done talking")
		}
		c.Write([]byte("still here"))
		c.CloseWrite()
		select {
		case got := <-received:
			if got != "still here" {
				t.Errorf("game got %q, want %q", got, "still here")
			}
		case <-time.After(waitFor):
			t.Fatal("game got nothing after its half-close")
		}
		r.logs.waitLine(t, "telnets: closed", `reason="game closed"`)
	})
	t.Run("other side never finishes", func(t *testing.T) {
		g := startGame(t, func(c net.Conn) {
			c.Write([]byte("bye"))
			c.(*net.TCPConn).CloseWrite()
			io.Copy(io.Discard, c)
		})
		r := start(t, p, g, Config{}, func(s *Server) { s.closeTimeout = 200 * time.Millisecond })
		c := r.dial(nil)
		if got, _ := readToEOF(c); string(got) != "bye" {
			t.Errorf("got %q, want %q", got, "bye")
		}
		// The client never closes its side: the gateway closes after
		// closeTimeout.
		r.logs.waitLine(t, "telnets: closed", `reason="half-closed too long"`)
		r.waitConns(0)
	})
}

// TestTLSGameBehindProxyHeader runs telnets in front of a game on another
// host as the app sets it up: backend.Dialer sends a PROXY v2 header, then
// TLS with a pinned CA. The game learns the client's address, and closing
// still follows the byte stream through both TLS layers.
func TestTLSGameBehindProxyHeader(t *testing.T) {
	p := newPKI(t)
	type seen struct {
		h    proxyproto.Header
		said string
	}
	got := make(chan seen, 1)
	g := startGame(t, func(c net.Conn) {
		pc := proxyproto.NewConn(c, waitFor)
		tc := tls.Server(pc, p.serverTLS())
		tc.SetDeadline(time.Now().Add(waitFor))
		b, err := io.ReadAll(tc) // to the client's close_notify, relayed
		if err != nil {
			return // the untrusted case below: the gateway hung up
		}
		h, _ := pc.Header()
		got <- seen{h, string(b)}
		tc.Write([]byte("you said " + string(b)))
		tc.Close()
	})
	d := &backend.Dialer{
		Addr:  g.ln.Addr().String(),
		Proxy: backend.ProxyV2,
		TLS:   &tls.Config{RootCAs: p.serverCAs, ServerName: "localhost"},
	}
	r := start(t, p, g, Config{Dial: d.Dial}, nil)
	c := r.dial(nil)
	c.Write([]byte("look"))
	if err := c.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if b, err := readToEOF(c); string(b) != "you said look" || err != nil {
		t.Errorf("client got %q, %v; want %q and a clean close", b, err, "you said look")
	}
	var s seen
	select {
	case s = <-got:
	case <-time.After(waitFor):
		t.Fatal("the game never got the client's end of stream")
	}
	if s.said != "look" {
		t.Errorf("game got %q, want %q", s.said, "look")
	}
	if s.h.Command != proxyproto.Proxy || addrString(s.h.Source) != c.LocalAddr().String() {
		t.Errorf("game's header: %v from %s, want PROXY from the client's %s", s.h.Command, addrString(s.h.Source), c.LocalAddr())
	}
	r.logs.waitLine(t, "telnets: closed", `reason="client closed"`)

	// A game whose certificate the gateway does not trust is a game that
	// is not answering, to the client; the log says why.
	d2 := *d
	d2.TLS = &tls.Config{RootCAs: p.clientCAs, ServerName: "localhost"}
	d2.RootsName = "game.tls_ca_file"
	r2 := start(t, p, g, Config{Dial: d2.Dial}, nil)
	if b, _ := readToEOF(r2.dial(nil)); string(b) != MsgGameDown {
		t.Errorf("untrusted game: client got %q, want %q", b, MsgGameDown)
	}
	r2.logs.waitLine(t, "telnets: closed", `reason="game unreachable"`, "not signed by game.tls_ca_file")
}

func TestShutdown(t *testing.T) {
	p := newPKI(t)
	g := startGame(t, echo)
	var dials atomic.Int32
	dialing := make(chan struct{})
	r := start(t, p, g, Config{Dial: func(ctx context.Context, _ string) (net.Conn, error) {
		if dials.Add(1) == 1 {
			// The first dial hangs until the gateway stops.
			close(dialing)
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return g.dial(ctx, "")
	}}, nil)

	stuckDial := r.dial(nil) // its game dial hangs
	<-dialing
	var piping []*tls.Conn
	for range 3 {
		c := r.dial(nil)
		c.Write([]byte("a"))
		readExactly(t, c, 1)
		piping = append(piping, c)
	}
	handshaking, err := net.Dial("tcp", r.addr) // never says hello
	if err != nil {
		t.Fatal(err)
	}
	defer handshaking.Close()
	r.waitConns(5)

	begin := time.Now()
	r.stop()
	if d := time.Since(begin); d > 2*time.Second {
		t.Errorf("Serve took %v to return, want it prompt", d)
	}
	if got := r.srv.Conns(); got != 0 {
		t.Errorf("Conns after Serve returned: got %d, want 0", got)
	}
	for i, c := range append(piping, stuckDial) {
		if got, _ := readToEOF(c); len(got) != 0 {
			t.Errorf("client %d got %q at shutdown, want nothing (a byte pipe says nothing)", i, got)
		}
	}
	handshaking.SetReadDeadline(time.Now().Add(waitFor))
	if _, err := handshaking.Read(make([]byte, 1)); err == nil {
		t.Error("handshaking connection still open after shutdown")
	}
	if _, err := net.DialTimeout("tcp", r.addr, time.Second); err == nil {
		t.Error("listener still accepts after shutdown")
	}
	r.logs.waitLine(t, "telnets: closed", `reason=shutdown`)
}

func TestServeRejectsBadConfig(t *testing.T) {
	p := newPKI(t)
	dial := func(context.Context, string) (net.Conn, error) { return nil, errors.New("no") }
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no TLS", Config{Dial: dial}, "TLS config missing"},
		{"no certificate", Config{TLS: &tls.Config{}, Dial: dial}, "no certificate"},
		{"config per client", Config{TLS: &tls.Config{
			Certificates:       p.serverTLS().Certificates,
			GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) { return nil, nil },
		}, Dial: dial}, "GetConfigForClient"},
		{"no Dial", Config{TLS: p.serverTLS()}, "no Dial function"},
		{"negative timeout", Config{TLS: p.serverTLS(), Dial: dial, DialTimeout: -1}, "DialTimeout -1ns is negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.cfg.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate: got %v, want an error mentioning %s", err, tc.want)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			// Bounded, so that a config wrongly taken for good fails the
			// test instead of serving until it times out.
			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			defer cancel()
			if err := New(tc.cfg).Serve(ctx, ln); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Serve: got %v, want an error mentioning %s", err, tc.want)
			}
			if _, err := ln.Accept(); err == nil {
				t.Error("Serve left the listener open")
			}
		})
	}
	good := Config{TLS: p.serverTLS(), Dial: dial, MaxConns: -1, IdleTimeout: -1}
	if err := good.Validate(); err != nil {
		t.Errorf("Validate(%+v): got %v, want nil", good, err)
	}
}

func TestServeReturnsAcceptError(t *testing.T) {
	p := newPKI(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close() // Accept fails at once, and not because ctx ended
	s := New(Config{TLS: p.serverTLS(), Dial: func(context.Context, string) (net.Conn, error) { return nil, errors.New("no") }})
	if err := s.Serve(context.Background(), ln); !errors.Is(err, net.ErrClosed) {
		t.Errorf("got %v, want the accept error", err)
	}
}

func TestAddrGroup(t *testing.T) {
	tests := []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 5}, "10.0.0.1"},
		{&net.TCPAddr{IP: net.ParseIP("::ffff:10.0.0.1"), Port: 5}, "10.0.0.1"},
		{&net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 5}, "2001:db8::/64"},
		{&net.TCPAddr{IP: net.ParseIP("2001:db8:0:0:ffff::2"), Port: 6}, "2001:db8::/64"},
		{&net.TCPAddr{IP: net.ParseIP("fe80::1"), Port: 5, Zone: "eth0"}, "fe80::/64"},
		{&net.UnixAddr{Name: "/run/x.sock", Net: "unix"}, "other:/run/x.sock"},
		{nil, "other:"},
	}
	for _, tc := range tests {
		if got := addrGroup(tc.addr); got != tc.want {
			t.Errorf("addrGroup(%v): got %q, want %q", tc.addr, got, tc.want)
		}
	}
}
