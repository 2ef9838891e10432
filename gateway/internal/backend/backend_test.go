package backend

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/drawbridge/drawbridge/gateway/internal/proxyproto"
	"github.com/drawbridge/drawbridge/gateway/internal/testpki"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const waitFor = 5 * time.Second

// game is a fake game on loopback: each connection goes to handle in a
// goroutine the test waits for.
type game struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

func startGame(t *testing.T, addr string, handle func(net.Conn)) *game {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	g := &game{ln: ln}
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			g.mu.Lock()
			g.conns = append(g.conns, c)
			g.mu.Unlock()
			g.wg.Add(1)
			go func() {
				defer g.wg.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(waitFor))
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		g.mu.Lock()
		for _, c := range g.conns {
			c.Close()
		}
		g.mu.Unlock()
		g.wg.Wait()
	})
	return g
}

func (g *game) addr() string { return g.ln.Addr().String() }

// bufConn reads through r, which has already taken bytes from Conn.
type bufConn struct {
	net.Conn
	r *bufio.Reader
}

func (c bufConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// pki is a CA the test trusts, a certificate it signed for the game, and
// a certificate for the game from another CA.
type pki struct {
	roots  *x509.CertPool
	caPEM  []byte
	server tls.Certificate // signed by the CA: 127.0.0.1, ::1, game.internal
	rogue  tls.Certificate // same names, another CA
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	ca, caKey := testpki.NewCA(t, "Game CA")
	other, otherKey := testpki.NewCA(t, "Other CA")
	names := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "game.internal"},
		DNSNames:    []string{"game.internal"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	p := &pki{roots: x509.NewCertPool(), caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw})}
	p.roots.AddCert(ca)
	tmpl := *names
	p.server = testpki.NewLeaf(t, ca, caKey, &tmpl)
	tmpl = *names
	p.rogue = testpki.NewLeaf(t, other, otherKey, &tmpl)
	return p
}

func serverTLS(cert tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
}

// echoLine reads n bytes and writes them back.
func echoN(c io.ReadWriter, n int) error {
	b := make([]byte, n)
	if _, err := io.ReadFull(c, b); err != nil {
		return err
	}
	_, err := c.Write(b)
	return err
}

// roundTrip writes msg on c and reads it back, as echoN returns it.
func roundTrip(t *testing.T, c net.Conn, msg string) {
	t.Helper()
	c.SetDeadline(time.Now().Add(waitFor))
	if _, err := io.WriteString(c, msg); err != nil {
		t.Fatalf("write: %v", err)
	}
	b := make([]byte, len(msg))
	if _, err := io.ReadFull(c, b); err != nil {
		t.Fatalf("read echo: %v", err)
	}
	if string(b) != msg {
		t.Fatalf("echo: got %q, want %q", b, msg)
	}
}

// norm prints an address with IPv4-mapped IPv6 addresses as IPv4, or
// "<nil>".
func norm(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok || ta == nil {
		return "<nil>"
	}
	ap := ta.AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()).String()
}

func ipv6Loopback(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	ln.Close()
}

// TestProxyHeader dials a game that reads the header with proxyproto.Read
// and checks what it names, for both versions, IPv4 and IPv6, players
// with and without a port, and the gateway's own connections.
func TestProxyHeader(t *testing.T) {
	tests := []struct {
		name, gameAddr, player string
		wantCmd                proxyproto.Command
		wantSrc                string // "" with wantCmd Local
	}{
		{"ipv4 with port", "127.0.0.1:0", "203.0.113.7:40000", proxyproto.Proxy, "203.0.113.7:40000"},
		{"ipv4 host only", "127.0.0.1:0", "203.0.113.7", proxyproto.Proxy, "203.0.113.7:0"},
		{"ipv6 player, ipv4 game", "127.0.0.1:0", "[2001:db8::7]:40000", proxyproto.Proxy, "[2001:db8::7]:40000"},
		{"ipv6 host only", "[::1]:0", "2001:db8::7", proxyproto.Proxy, "[2001:db8::7]:0"},
		{"ipv6 bracketed host", "[::1]:0", "[2001:db8::7]", proxyproto.Proxy, "[2001:db8::7]:0"},
		{"ipv6 both", "[::1]:0", "[2001:db8::7]:5555", proxyproto.Proxy, "[2001:db8::7]:5555"},
		{"ipv4-mapped player", "127.0.0.1:0", "[::ffff:203.0.113.7]:1", proxyproto.Proxy, "203.0.113.7:1"},
		{"gateway itself", "127.0.0.1:0", "", proxyproto.Local, ""},
		{"host name", "127.0.0.1:0", "player.example:40000", proxyproto.Local, ""},
		{"garbage", "127.0.0.1:0", "not an address", proxyproto.Local, ""},
	}
	for _, version := range []string{ProxyV1, ProxyV2} {
		for _, tc := range tests {
			t.Run(version+"/"+tc.name, func(t *testing.T) {
				if strings.HasPrefix(tc.gameAddr, "[") {
					ipv6Loopback(t)
				}
				headers := make(chan proxyproto.Header, 1)
				g := startGame(t, tc.gameAddr, func(c net.Conn) {
					br := bufio.NewReader(c)
					h, err := proxyproto.Read(br)
					if err != nil {
						t.Errorf("game: read PROXY header: %v", err)
						return
					}
					headers <- h
					echoN(bufConn{c, br}, 5)
				})
				d := &Dialer{Addr: g.addr(), Proxy: version, Timeout: waitFor}
				c, err := d.Dial(context.Background(), tc.player)
				if err != nil {
					t.Fatalf("Dial: %v", err)
				}
				defer c.Close()
				roundTrip(t, c, "hello") // nothing after the header but the player's bytes
				h := <-headers
				wantVersion := map[string]proxyproto.Version{ProxyV1: proxyproto.V1, ProxyV2: proxyproto.V2}[version]
				if h.Version != wantVersion || h.Command != tc.wantCmd {
					t.Errorf("got version %d command %v, want %d %v", h.Version, h.Command, wantVersion, tc.wantCmd)
				}
				if tc.wantCmd == proxyproto.Local {
					if h.Source != nil || h.Destination != nil {
						t.Errorf("LOCAL header with addresses %v -> %v", h.Source, h.Destination)
					}
					return
				}
				if got := norm(h.Source); got != tc.wantSrc {
					t.Errorf("source: got %s, want %s", got, tc.wantSrc)
				}
				if got, want := norm(h.Destination), norm(c.RemoteAddr()); got != want {
					t.Errorf("destination: got %s, want the game's address %s", got, want)
				}
			})
		}
	}
}

func TestPlainTCPSendsNothingFirst(t *testing.T) {
	first := make(chan string, 1)
	g := startGame(t, "127.0.0.1:0", func(c net.Conn) {
		b := make([]byte, 5)
		io.ReadFull(c, b)
		first <- string(b)
		c.Write(b)
	})
	c, err := (&Dialer{Addr: g.addr()}).Dial(context.Background(), "203.0.113.7:1")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, ok := c.(*net.TCPConn); !ok {
		t.Errorf("got %T, want *net.TCPConn", c)
	}
	roundTrip(t, c, "hello")
	if got := <-first; got != "hello" {
		t.Errorf("game's first bytes: got %q, want the player's %q", got, "hello")
	}
}

// tlsGame is a game that serves TLS with cert and echoes 5 bytes.
func tlsGame(t *testing.T, cert tls.Certificate) *game {
	return startGame(t, "127.0.0.1:0", func(c net.Conn) {
		tc := tls.Server(c, serverTLS(cert))
		if tc.Handshake() != nil {
			return
		}
		echoN(tc, 5)
		tc.Close()
	})
}

func TestTLSWithPinnedCA(t *testing.T) {
	p := newPKI(t)
	path := filepath.Join(t.TempDir(), "game-ca.pem")
	if err := os.WriteFile(path, p.caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	roots, err := LoadCAs(path)
	if err != nil {
		t.Fatalf("LoadCAs: %v", err)
	}
	g := tlsGame(t, p.server)
	for _, serverName := range []string{"", "game.internal"} { // "": 127.0.0.1 from Addr
		t.Run("name="+serverName, func(t *testing.T) {
			cfg := &tls.Config{RootCAs: roots, ServerName: serverName}
			d := &Dialer{Addr: g.addr(), TLS: cfg, Timeout: waitFor}
			c, err := d.Dial(context.Background(), "203.0.113.7:1")
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			defer c.Close()
			if cfg.ServerName != serverName {
				t.Errorf("Dial changed the caller's tls.Config: ServerName %q", cfg.ServerName)
			}
			tc, ok := c.(*tls.Conn)
			if !ok {
				t.Fatalf("got %T, want *tls.Conn", c)
			}
			if !tc.ConnectionState().HandshakeComplete {
				t.Error("Dial returned before the handshake completed")
			}
			roundTrip(t, c, "hello")
		})
	}
}

func TestTLSRefusesOtherCA(t *testing.T) {
	p := newPKI(t)
	rogue := tlsGame(t, p.rogue)
	d := &Dialer{Addr: rogue.addr(), TLS: &tls.Config{RootCAs: p.roots}, RootsName: "game.tls_ca_file (ca.pem)", Timeout: waitFor}
	_, err := d.Dial(context.Background(), "203.0.113.7:1")
	if err == nil {
		t.Fatal("Dial trusted a certificate from another CA")
	}
	if want := "game's certificate not signed by game.tls_ca_file (ca.pem)"; !strings.Contains(err.Error(), want) {
		t.Errorf("got %q, want it to say %q", err, want)
	}
	if !strings.Contains(err.Error(), "TLS with "+rogue.addr()+": ") {
		t.Errorf("got %q, want it to name the game's address", err)
	}
	var ua x509.UnknownAuthorityError
	if !errors.As(err, &ua) {
		t.Errorf("got %v, want an x509.UnknownAuthorityError inside", err)
	}

	// The system's roots do not know a test CA either.
	d = &Dialer{Addr: rogue.addr(), TLS: &tls.Config{}, Timeout: waitFor}
	if _, err := d.Dial(context.Background(), ""); err == nil || !strings.Contains(err.Error(), "not signed by the system's trusted CAs") {
		t.Errorf("system roots: got %v, want a certificate not signed by the system's trusted CAs", err)
	}

	good := tlsGame(t, p.server)
	d = &Dialer{Addr: good.addr(), TLS: &tls.Config{RootCAs: p.roots, ServerName: "other.example"}, Timeout: waitFor}
	if _, err := d.Dial(context.Background(), ""); err == nil || !strings.Contains(err.Error(), `game's certificate is not for the name "other.example"`) {
		t.Errorf("wrong name: got %v, want the name named", err)
	}

	plain := startGame(t, "127.0.0.1:0", func(c net.Conn) {
		c.Write([]byte{255, 251, 1, 'W', 'e', 'l', 'c', 'o', 'm', 'e', '\r', '\n'})
		io.Copy(io.Discard, c)
	})
	d = &Dialer{Addr: plain.addr(), TLS: &tls.Config{RootCAs: p.roots}, Timeout: waitFor}
	if _, err := d.Dial(context.Background(), ""); err == nil || !strings.Contains(err.Error(), "did not answer in TLS") {
		t.Errorf("plain telnet game: got %v, want it to say the game did not answer in TLS", err)
	}
}

// TestHeaderPrecedesTLS checks the order on the wire: the header, then the
// ClientHello, and that a game reading them so gets the player's address
// and a working TLS connection.
func TestHeaderPrecedesTLS(t *testing.T) {
	p := newPKI(t)
	for _, version := range []string{ProxyV1, ProxyV2} {
		t.Run(version, func(t *testing.T) {
			type seen struct {
				h    proxyproto.Header
				next byte
			}
			got := make(chan seen, 1)
			g := startGame(t, "127.0.0.1:0", func(c net.Conn) {
				br := bufio.NewReader(c)
				h, err := proxyproto.Read(br)
				if err != nil {
					t.Errorf("game: read PROXY header: %v", err)
					return
				}
				next, err := br.Peek(1)
				if err != nil {
					t.Errorf("game: read after header: %v", err)
					return
				}
				got <- seen{h, next[0]}
				tc := tls.Server(bufConn{c, br}, serverTLS(p.server))
				if err := tc.Handshake(); err != nil {
					t.Errorf("game: handshake: %v", err)
					return
				}
				echoN(tc, 5)
			})
			d := &Dialer{Addr: g.addr(), Proxy: version, TLS: &tls.Config{RootCAs: p.roots}, Timeout: waitFor}
			c, err := d.Dial(context.Background(), "198.51.100.9:4242")
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			defer c.Close()
			roundTrip(t, c, "hello")
			s := <-got
			if s.next != 0x16 { // a TLS handshake record
				t.Errorf("byte after the header: got %#x, want 0x16, the ClientHello's record", s.next)
			}
			if norm(s.h.Source) != "198.51.100.9:4242" || s.h.Command != proxyproto.Proxy {
				t.Errorf("header: %v from %v, want PROXY from 198.51.100.9:4242", s.h.Command, s.h.Source)
			}
		})
	}

	// The proxyproto package's own server side reads it the same way.
	headers := make(chan proxyproto.Header, 1)
	g := startGame(t, "127.0.0.1:0", func(c net.Conn) {
		pc := proxyproto.NewConn(c, waitFor)
		tc := tls.Server(pc, serverTLS(p.server))
		if err := tc.Handshake(); err != nil {
			t.Errorf("game: handshake: %v", err)
			return
		}
		h, _ := pc.Header()
		headers <- h
		echoN(tc, 5)
	})
	d := &Dialer{Addr: g.addr(), Proxy: ProxyV2, TLS: &tls.Config{RootCAs: p.roots}, Timeout: waitFor}
	c, err := d.Dial(context.Background(), "")
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer c.Close()
	roundTrip(t, c, "hello")
	if h := <-headers; h.Command != proxyproto.Local {
		t.Errorf("gateway's own connection: got %v, want LOCAL", h.Command)
	}
}

// TestDialGivesUp checks that Timeout and ctx end a dial stuck in the
// handshake, and that the connection is closed, not leaked.
func TestDialGivesUp(t *testing.T) {
	p := newPKI(t)
	closed := make(chan error, 3)
	g := startGame(t, "127.0.0.1:0", func(c net.Conn) {
		// Takes the ClientHello and never answers.
		_, err := io.Copy(io.Discard, c)
		closed <- err
	})
	waitClosed := func(t *testing.T) {
		t.Helper()
		select {
		case err := <-closed:
			if err != nil {
				t.Errorf("game's side ended with %v, want the gateway's close (EOF)", err)
			}
		case <-time.After(waitFor):
			t.Error("the gateway did not close the connection it gave up on")
		}
	}

	t.Run("timeout", func(t *testing.T) {
		d := &Dialer{Addr: g.addr(), Proxy: ProxyV2, TLS: &tls.Config{RootCAs: p.roots}, Timeout: 200 * time.Millisecond}
		start := time.Now()
		_, err := d.Dial(context.Background(), "203.0.113.7:1")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, want a deadline exceeded", err)
		}
		if el := time.Since(start); el > 2*time.Second {
			t.Errorf("Dial took %v with a 200ms timeout", el)
		}
		waitClosed(t)
	})
	t.Run("ctx deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		d := &Dialer{Addr: g.addr(), TLS: &tls.Config{RootCAs: p.roots}}
		if _, err := d.Dial(ctx, ""); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, want a deadline exceeded", err)
		}
		waitClosed(t)
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		d := &Dialer{Addr: g.addr(), Proxy: ProxyV1, TLS: &tls.Config{RootCAs: p.roots}, Timeout: waitFor}
		if _, err := d.Dial(ctx, "203.0.113.7"); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want canceled", err)
		}
		waitClosed(t)
	})
	t.Run("cancelled before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		d := &Dialer{Addr: g.addr(), Proxy: ProxyV2}
		if _, err := d.Dial(ctx, ""); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want canceled", err)
		}
	})
	t.Run("nobody listening", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		_, err = (&Dialer{Addr: addr, Timeout: waitFor}).Dial(context.Background(), "")
		if err == nil || !strings.HasPrefix(err.Error(), "dial tcp "+addr+": ") {
			t.Fatalf("got %v, want a dial error naming %s", err, addr)
		}
	})
}

func TestValidate(t *testing.T) {
	tests := []struct {
		d    Dialer
		want string // "" for valid
	}{
		{Dialer{Addr: "127.0.0.1:4000"}, ""},
		{Dialer{Addr: "mud.internal:4000", Proxy: ProxyV2, Timeout: time.Second, TLS: &tls.Config{}}, ""},
		{Dialer{Addr: "mud.internal"}, `addr "mud.internal" is not host:port`},
		{Dialer{Addr: ""}, `addr "" is not host:port`},
		{Dialer{Addr: "a:1", Proxy: "v3"}, `proxy "v3"`},
		{Dialer{Addr: "a:1", Timeout: -1}, "timeout -1ns is negative"},
	}
	for _, tc := range tests {
		err := tc.d.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%+v: got %v, want valid", tc.d, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%+v: got %v, want an error mentioning %s", tc.d, err, tc.want)
		}
	}
	if _, err := (&Dialer{Addr: "127.0.0.1:1", Proxy: "v3"}).Dial(context.Background(), ""); err == nil || !strings.Contains(err.Error(), `proxy "v3"`) {
		t.Errorf("Dial with Proxy v3: got %v, want it refused", err)
	}
}

func TestParsePlayer(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" for not an address
	}{
		{"203.0.113.7:40000", "203.0.113.7:40000"},
		{"203.0.113.7", "203.0.113.7:0"},
		{"[2001:db8::1]:5", "[2001:db8::1]:5"},
		{"2001:db8::1", "[2001:db8::1]:0"},
		{"[2001:db8::1]", "[2001:db8::1]:0"},
		{"[fe80::1%eth0]:5", "[fe80::1%eth0]:5"},
		{"", ""},
		{"localhost:5", ""},
		{"203.0.113.7:99999", ""},
		{"pipe", ""},
	}
	for _, tc := range tests {
		a, ok := ParsePlayer(tc.in)
		got := ""
		if ok {
			got = a.String()
		}
		if got != tc.want {
			t.Errorf("ParsePlayer(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLoadCAs(t *testing.T) {
	p := newPKI(t)
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	keyOnly := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: []byte{1, 2, 3}})
	broken := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("not DER")})
	tests := []struct {
		name, path, want string
	}{
		{"good", write("good.pem", p.caPEM), ""},
		{"two with a key between", write("two.pem", append(append(append([]byte{}, p.caPEM...), keyOnly...), p.caPEM...)), ""},
		{"missing", filepath.Join(dir, "missing.pem"), "file not found"},
		{"empty", write("empty.pem", nil), "no PEM certificate found"},
		{"key only", write("key.pem", keyOnly), "no PEM certificate found"},
		{"broken certificate", write("broken.pem", append(append([]byte{}, p.caPEM...), broken...)), "certificate 2:"},
		{"a directory", dir, "CA file " + dir},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pool, err := LoadCAs(tc.path)
			if tc.want == "" {
				if err != nil || pool == nil {
					t.Fatalf("got %v, want a pool", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.path) {
				t.Fatalf("got %v, want an error naming %s and saying %q", err, tc.path, tc.want)
			}
		})
	}
}
