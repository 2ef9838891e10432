package telnets

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/testpki"
)

const waitFor = 5 * time.Second

// pki is a throwaway certificate authority for the server and another for
// clients, made fresh for each test.
type pki struct {
	serverCAs  *x509.CertPool // trusts the server certificate
	server     tls.Certificate
	clientCAs  *x509.CertPool  // for ClientCAs
	client     tls.Certificate // signed by the client CA
	rogue      tls.Certificate // a client certificate from a CA nobody trusts
	serverCAPE string          // path of the server CA's PEM file
}

func newPKI(t testing.TB) *pki {
	t.Helper()
	serverCA, serverCAKey := testpki.NewCA(t, "Test Server CA")
	clientCA, clientCAKey := testpki.NewCA(t, "Test Client CA")
	rogueCA, rogueCAKey := testpki.NewCA(t, "Rogue CA")
	p := &pki{
		serverCAs: x509.NewCertPool(),
		clientCAs: x509.NewCertPool(),
		server: testpki.NewLeaf(t, serverCA, serverCAKey, &x509.Certificate{
			Subject:     pkix.Name{CommonName: "localhost"},
			DNSNames:    []string{"localhost"},
			IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}),
		client: testpki.NewLeaf(t, clientCA, clientCAKey, &x509.Certificate{
			Subject:     pkix.Name{CommonName: "alice", Organization: []string{"Players"}},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}),
		rogue: testpki.NewLeaf(t, rogueCA, rogueCAKey, &x509.Certificate{
			Subject:     pkix.Name{CommonName: "mallory"},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}),
	}
	p.serverCAs.AddCert(serverCA)
	p.clientCAs.AddCert(clientCA)
	p.serverCAPE = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p.serverCAPE, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: serverCA.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// serverTLS is the kind of tls.Config the app passes: a certificate, TLS
// 1.2 at least.
func (p *pki) serverTLS() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{p.server}, MinVersion: tls.VersionTLS12}
}

// mTLS is serverTLS requiring a client certificate from the client CA.
func (p *pki) mTLS() *tls.Config {
	c := p.serverTLS()
	c.ClientAuth = tls.RequireAndVerifyClientCert
	c.ClientCAs = p.clientCAs
	return c
}

func (p *pki) clientTLS(certs ...tls.Certificate) *tls.Config {
	return &tls.Config{RootCAs: p.serverCAs, ServerName: "localhost", Certificates: certs}
}

// game is a fake game: a TCP listener whose connections are handed to
// handle, each in a goroutine the game waits for.
type game struct {
	ln       net.Listener
	mu       sync.Mutex
	conns    []net.Conn
	accepted int
	wg       sync.WaitGroup
}

func startGame(t testing.TB, handle func(net.Conn)) *game {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
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
			g.accepted++
			g.mu.Unlock()
			g.wg.Add(1)
			go func() {
				defer g.wg.Done()
				defer c.Close()
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

func (g *game) dial(ctx context.Context, _ string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", g.ln.Addr().String())
}

func (g *game) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.accepted
}

// echo is a game that copies back what it reads.
func echo(c net.Conn) { io.Copy(c, c) }

// logBuffer collects log output for tests to search.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// waitLine waits for a log line containing every one of parts and returns
// it.
func (l *logBuffer) waitLine(t testing.TB, parts ...string) string {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		for line := range strings.SplitSeq(l.String(), "\n") {
			ok := true
			for _, p := range parts {
				ok = ok && strings.Contains(line, p)
			}
			if ok {
				return line
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q; got:\n%s", parts, l.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// rig is a telnets Server on loopback in front of a game.
type rig struct {
	t    testing.TB
	pki  *pki
	srv  *Server
	addr string
	logs *logBuffer
	stop func() // cancels Serve and checks it returned nil
}

// start runs a Server with cfg on 127.0.0.1; missing TLS, Dial and Logger
// come from p, g and a fresh log buffer. tune may change the Server before
// it starts. The Server stops when the test ends, if not before.
func start(t testing.TB, p *pki, g *game, cfg Config, tune func(*Server)) *rig {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return startOn(t, ln, p, g, cfg, tune)
}

func startOn(t testing.TB, ln net.Listener, p *pki, g *game, cfg Config, tune func(*Server)) *rig {
	t.Helper()
	r := &rig{t: t, pki: p, addr: ln.Addr().String(), logs: &logBuffer{}}
	if cfg.TLS == nil {
		cfg.TLS = p.serverTLS()
	}
	if cfg.Dial == nil {
		cfg.Dial = g.dial
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	r.srv = New(cfg)
	if tune != nil {
		tune(r.srv)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- r.srv.Serve(ctx, ln) }()
	var once sync.Once
	r.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-errc:
				if err != nil {
					t.Errorf("Serve: got %v, want nil", err)
				}
			case <-time.After(waitFor):
				t.Errorf("Serve did not return within %v of cancel", waitFor)
			}
		})
	}
	t.Cleanup(r.stop)
	return r
}

// dial connects a TLS client to the rig and finishes the handshake; the
// connection closes when the test ends.
func (r *rig) dial(cfg *tls.Config) *tls.Conn {
	r.t.Helper()
	c, err := r.tryDial(cfg, nil)
	if err != nil {
		r.t.Fatalf("dial telnets: %v", err)
	}
	return c
}

func (r *rig) tryDial(cfg *tls.Config, local net.Addr) (*tls.Conn, error) {
	if cfg == nil {
		cfg = r.pki.clientTLS()
	}
	d := &net.Dialer{Timeout: waitFor, LocalAddr: local}
	nc, err := d.Dial("tcp", r.addr)
	if err != nil {
		return nil, err
	}
	r.t.Cleanup(func() { nc.Close() })
	c := tls.Client(nc, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := c.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// waitConns waits until the server serves n connections.
func (r *rig) waitConns(n int) {
	r.t.Helper()
	deadline := time.Now().Add(waitFor)
	for r.srv.Conns() != n {
		if time.Now().After(deadline) {
			r.t.Fatalf("Conns: got %d, want %d", r.srv.Conns(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// readExactly reads n bytes within waitFor.
func readExactly(t testing.TB, c net.Conn, n int) []byte {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(waitFor))
	defer c.SetReadDeadline(time.Time{})
	b := make([]byte, n)
	if got, err := io.ReadFull(c, b); err != nil {
		t.Fatalf("read %d bytes: got %d (%q), %v", n, got, b[:got], err)
	}
	return b
}

// readToEOF reads until the peer closes, within waitFor, and returns what
// came and the error that ended it (nil for a clean end of stream).
func readToEOF(c net.Conn) ([]byte, error) {
	c.SetReadDeadline(time.Now().Add(waitFor))
	defer c.SetReadDeadline(time.Time{})
	return io.ReadAll(c)
}
