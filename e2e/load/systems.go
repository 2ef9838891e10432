package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/coder/websocket"
)

// system is what the players go through to the echo game: the gateway,
// or websockify or socat for comparison.
type system interface {
	name() string
	dial(ctx context.Context) (roundTripper, error)
	cpu() time.Duration // of its processes, reaped children included
	stop()
}

// roundTripper is one connected player.
type roundTripper interface {
	// roundTrip sends line as the player's input and waits until the
	// game's echo of it is back whole.
	roundTrip(ctx context.Context, line []byte) (time.Duration, error)
	Close()
}

// procCPU is a process's user and system CPU time, with that of its
// children that have exited and been waited for.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 15 {
		return 0
	}
	var total int64
	for _, i := range []int{11, 12, 13, 14} { // utime stime cutime cstime
		var v int64
		fmt.Sscan(f[i], &v)
		total += v
	}
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(total) * time.Second / ticks
}

// proxyProc is a comparison proxy run as a command.
type proxyProc struct {
	label string
	cmd   *exec.Cmd
	dir   string
	addr  string
	tls   *tls.Config // nil: plain TCP
	ws    bool
	out   strings.Builder
}

func (p *proxyProc) name() string       { return p.label }
func (p *proxyProc) cpu() time.Duration { return procCPU(p.cmd.Process.Pid) }

func (p *proxyProc) stop() {
	if p.cmd.Process != nil {
		// Both proxies fork: end the whole process group.
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	if p.dir != "" {
		os.RemoveAll(p.dir)
	}
}

// startProxy runs argv (with {addr} replaced by the listening address)
// and waits until it accepts connections.
func startProxy(label string, argv []string, p *proxyProc) (*proxyProc, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	p.label, p.addr = label, addr
	_, port, _ := net.SplitHostPort(addr)
	for i := range argv {
		argv[i] = strings.ReplaceAll(strings.ReplaceAll(argv[i], "{addr}", addr), "{port}", port)
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return nil, fmt.Errorf("%s is needed for the comparison (Debian: apt-get install %s): %w", argv[0], argv[0], err)
	}
	p.cmd = exec.Command(path, argv[1:]...)
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return p, nil
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("%s did not start listening: %v\n%s", label, err, p.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startWebsockify runs Debian's websockify over TLS in front of game, with
// a certificate made for the run.
func startWebsockify(game string) (system, error) {
	dir, err := os.MkdirTemp("", "drawbridge-load-websockify-")
	if err != nil {
		return nil, err
	}
	cfg, err := writeSelfSigned(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	p := &proxyProc{dir: dir, tls: cfg, ws: true}
	return startProxy("websockify", []string{"websockify", "--cert", filepath.Join(dir, "cert.pem"), "--key", filepath.Join(dir, "key.pem"), "--ssl-only", "{addr}", game}, p)
}

// startSocat runs socat as a plain TCP proxy in front of game: the floor,
// no WebSocket and no TLS.
func startSocat(game string) (system, error) {
	return startProxy("socat", []string{"socat", "TCP-LISTEN:{port},bind=127.0.0.1,fork,reuseaddr,backlog=4096", "TCP:" + game}, &proxyProc{})
}

func (p *proxyProc) dial(ctx context.Context) (roundTripper, error) {
	if !p.ws {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", p.addr)
		if err != nil {
			return nil, err
		}
		return &tcpPlayer{c: c}, nil
	}
	_, port, _ := net.SplitHostPort(p.addr)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: p.tls, DialContext: loopbackDialer}}
	ws, _, err := websocket.Dial(ctx, "wss://localhost:"+port+"/", &websocket.DialOptions{
		HTTPClient:   hc,
		Subprotocols: []string{"binary"},
	})
	if err != nil {
		return nil, fmt.Errorf("websockify: %w", err)
	}
	ws.SetReadLimit(1 << 20)
	return &wsRawPlayer{ws: ws}, nil
}

// tcpPlayer speaks straight TCP through socat.
type tcpPlayer struct {
	c   net.Conn
	buf []byte
}

func (p *tcpPlayer) roundTrip(ctx context.Context, line []byte) (time.Duration, error) {
	start := time.Now()
	p.buf = append(append(p.buf[:0], line...), '\r', '\n')
	if _, err := p.c.Write(p.buf); err != nil {
		return 0, err
	}
	p.c.SetReadDeadline(time.Now().Add(time.Minute))
	if _, err := io.ReadFull(p.c, p.buf); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

func (p *tcpPlayer) Close() { p.c.Close() }

// wsRawPlayer speaks websockify's binary WebSocket: the game's bytes as
// they are, telnet and all.
type wsRawPlayer struct {
	ws   *websocket.Conn
	buf  []byte
	text []byte
}

func (p *wsRawPlayer) roundTrip(ctx context.Context, line []byte) (time.Duration, error) {
	start := time.Now()
	p.buf = append(append(p.buf[:0], line...), '\r', '\n')
	if err := p.ws.Write(ctx, websocket.MessageBinary, p.buf); err != nil {
		return 0, err
	}
	for len(p.text) < len(p.buf) {
		_, b, err := p.ws.Read(ctx)
		if err != nil {
			return 0, err
		}
		p.text = append(p.text, b...)
	}
	d := time.Since(start)
	if string(p.text[:len(line)]) != string(line) {
		return d, errors.New("the echo came back changed")
	}
	p.text = append(p.text[:0], p.text[len(p.buf):]...)
	return d, nil
}

func (p *wsRawPlayer) Close() { p.ws.Close(websocket.StatusNormalClosure, "") }

// writeSelfSigned makes an ECDSA certificate for localhost in dir
// (cert.pem, key.pem) and returns a client config that trusts it.
func writeSelfSigned(dir string) (*tls.Config, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		return nil, err
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{RootCAs: pool, ServerName: "localhost"}, nil
}
