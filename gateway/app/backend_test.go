package app

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/proxyproto"
	"github.com/drawbridge/drawbridge/gateway/internal/testpki"
)

// gameCA makes a CA in a PEM file, and a certificate it signed for a game
// at 127.0.0.1 and game.internal.
func gameCA(t *testing.T) (caFile string, cert tls.Certificate) {
	t.Helper()
	ca, caKey := testpki.NewCA(t, "Test Game CA")
	cert = testpki.NewLeaf(t, ca, caKey, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "game.internal"},
		DNSNames:    []string{"game.internal"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	caFile = filepath.Join(t.TempDir(), "game-ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return caFile, cert
}

// proxyTLSGame is a game behind TLS that reads a PROXY header first (as
// HAProxy's "accept-proxy ssl" would) and greets each connection with the
// address the header named.
func proxyTLSGame(t *testing.T, cert tls.Certificate) net.Listener {
	t.Helper()
	return serveGame(t, func(c net.Conn) {
		pc := proxyproto.NewConn(c, 5*time.Second)
		tc := tls.Server(pc, &tls.Config{Certificates: []tls.Certificate{cert}})
		tc.SetDeadline(time.Now().Add(10 * time.Second))
		if err := tc.Handshake(); err != nil {
			return // the gateway's status checks may hang up
		}
		h, err := pc.Header()
		if err != nil {
			fmt.Fprintf(tc, "bad header: %v\r\n", err)
			return
		}
		src := "none"
		if h.Source != nil {
			src = h.Source.String()
		}
		fmt.Fprintf(tc, "Hello %s %s\r\n", h.Command, src)
		io.Copy(io.Discard, tc)
	})
}

// serveGame listens on loopback as a game, runs handle for each
// connection (closing it afterwards), and at the test's end closes the
// listener and every connection and waits for the handlers.
func serveGame(t *testing.T, handle func(net.Conn)) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() {
				defer c.Close()
				handle(c)
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln
}

// TestGameBehindProxyHeaderAndTLS runs the real gateway in front of a
// game on "another host": PROXY v2 header, then TLS with a pinned CA. A
// telnets user and a web player each reach it, and the game sees each
// one's own address.
func TestGameBehindProxyHeaderAndTLS(t *testing.T) {
	caFile, cert := gameCA(t)
	game := proxyTLSGame(t, cert)
	cfg := testConfig(t)
	cfg.Game.Backend = game.Addr().String()
	cfg.Game.ProxyProtocol = "v2"
	cfg.Game.TLS = true
	cfg.Game.TLSCAFile = caFile // the server name defaults to 127.0.0.1, in the certificate
	cfg.Telnets.Addr = "127.0.0.1:0"
	g, _ := start(t, cfg)

	// A classic client on the TLS telnet port.
	c := dialTelnets(t, g)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	want := "Hello PROXY " + c.LocalAddr().String() + "\r\n"
	buf := make([]byte, len(want))
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != want {
		t.Fatalf("telnets client read %q, %v; want %q", buf, err, want)
	}

	// A web player, through the bridge.
	if got := webGreeting(t, g, player(t, g, "Traveller")); !strings.HasPrefix(got, "Hello PROXY 127.0.0.1:") {
		t.Errorf("web player saw %q, want the game to greet 127.0.0.1", got)
	}
}

// TestGameTLSUntrustedIsADialError checks that a game whose certificate
// the pinned CA did not sign is refused, and the telnets user is told
// the game is not answering.
func TestGameTLSUntrustedIsADialError(t *testing.T) {
	_, cert := gameCA(t)
	otherCA, _ := gameCA(t)
	game := proxyTLSGame(t, cert)
	cfg := testConfig(t)
	cfg.Game.Backend = game.Addr().String()
	cfg.Game.ProxyProtocol = "v1"
	cfg.Game.TLS = true
	cfg.Game.TLSCAFile = otherCA
	cfg.Telnets.Addr = "127.0.0.1:0"
	logs := &syncBuffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	g, _ := start(t, cfg)

	c := dialTelnets(t, g)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, _ := io.ReadAll(c)
	if !strings.Contains(string(b), "not answering") {
		t.Errorf("telnets client read %q, want to be told the game is not answering", b)
	}
	want := "game's certificate not signed by game.tls_ca_file (" + otherCA + ")"
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(logs.String(), want); {
		if time.Now().After(deadline) {
			t.Fatalf("log lacks %q:\n%s", want, logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// syncBuffer is a log destination goroutines share.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestLoadGameConnection reads the connection settings from a file and the
// environment, as the command does.
func TestLoadGameConnection(t *testing.T) {
	caFile, _ := gameCA(t)
	path := writeFile(t, "g.toml", `
state_dir = "/srv/db"
[game]
backend = "game.internal:4443"
proxy_protocol = "v2"
tls = true
tls_ca_file = "`+caFile+`"
`)
	env := map[string]string{"DRAWBRIDGE_GAME_TLS_SERVER_NAME": "mud.example"}
	cfg, _, err := Load(path, environ(env))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	g := cfg.Game
	if g.ProxyProtocol != "v2" || !g.TLS || g.TLSCAFile != caFile || g.TLSServerName != "mud.example" {
		t.Fatalf("got %+v", g)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	gw := &Gateway{cfg: cfg, log: slog.New(slog.DiscardHandler)}
	d, err := gw.gameDialer(&cfg.Game, cfg.Game.Backend)
	if err != nil {
		t.Fatalf("gameDialer: %v", err)
	}
	if d.Addr != "game.internal:4443" || d.Proxy != "v2" || d.Timeout != cfg.Game.DialTimeout || d.TLS == nil ||
		d.TLS.RootCAs == nil || d.TLS.ServerName != "mud.example" || !strings.Contains(d.RootsName, caFile) {
		t.Errorf("dialer %+v, TLS %+v", d, d.TLS)
	}
}

// dialTelnets connects a classic client to the gateway's TLS telnet port,
// trusting its certificate; the test closes it.
func dialTelnets(t *testing.T, g *Gateway) *tls.Conn {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(g.Certificate("localhost"))
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", g.TelnetsAddr().String(),
		&tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err != nil {
		t.Fatalf("telnets: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
