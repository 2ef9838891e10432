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
	"strconv"
	"strings"
	"sync/atomic"
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
	// memKB is its memory now in KiB. beginPeak starts a measurement
	// with its players connected, and peakKB is the peak since, where
	// the system keeps one (0 where not: memKB sampled is all there is).
	memKB() (int, error)
	beginPeak()
	peakKB() int
	stop()
}

// roundTripper is one connected player.
type roundTripper interface {
	// roundTrip sends line as the player's input and waits until the
	// game's echo of it is back whole.
	roundTrip(ctx context.Context, line []byte) (time.Duration, error)
	// listen sends line as the player's input and feeds the game's
	// output, its text only, to fc until fc is done.
	listen(ctx context.Context, line []byte, fc *floodCheck) error
	// wireBytes is how much the player has read from its TCP connection.
	wireBytes() int64
	Close()
}

// countingDialer dials loopback like loopbackDialer and adds what is read
// from each connection to n.
func countingDialer(n *atomic.Int64) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := loopbackDialer(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &countingConn{Conn: c, n: n}, nil
	}
}

// countingConn counts the bytes read from a connection.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.n.Add(int64(n))
	return n, err
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
	pids  []int // its processes, as of beginPeak
}

func (p *proxyProc) name() string       { return p.label }
func (p *proxyProc) cpu() time.Duration { return procCPU(p.cmd.Process.Pid) }
func (p *proxyProc) peakKB() int        { return 0 }

// beginPeak fixes the processes memKB sums from now on: with its players
// connected, the proxy forks no more, and sampling need not scan /proc.
func (p *proxyProc) beginPeak() { p.pids = p.group() }

// memKB is the proportional set size (PSS) of all the proxy's processes
// (its process group), so that pages a forked child shares with its
// parent count once, not in every process.
func (p *proxyProc) memKB() (int, error) {
	pids := p.pids
	if pids == nil {
		pids = p.group()
	}
	total := 0
	for _, pid := range pids {
		if kb, err := procKB(pid, "smaps_rollup", "Pss:"); err == nil {
			total += kb
		}
	}
	if total == 0 {
		return 0, fmt.Errorf("no memory figures for %s's processes", p.label)
	}
	return total, nil
}

// group lists the processes in the proxy's process group.
func (p *proxyProc) group() []int {
	var pids []int
	for _, q := range processes() {
		if q.pgrp == p.cmd.Process.Pid {
			pids = append(pids, q.pid)
		}
	}
	return pids
}

// proc is a process as /proc/PID/stat shows it.
type proc struct {
	pid, ppid, pgrp int
	comm            string
}

// processes lists the machine's processes; one that ends while they are
// read is left out.
func processes() []proc {
	entries, _ := os.ReadDir("/proc")
	var out []proc
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue // gone meanwhile
		}
		if p, ok := parseStat(string(b)); ok {
			p.pid = pid
			out = append(out, p)
		}
	}
	return out
}

// parseStat reads the command name, the parent's pid and the process
// group from a /proc/PID/stat line: "pid (comm) state ppid pgrp ...",
// comm holding any bytes, parentheses and spaces included.
func parseStat(s string) (proc, bool) {
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return proc{}, false
	}
	f := strings.Fields(s[end+1:])
	if len(f) < 3 {
		return proc{}, false
	}
	ppid, err1 := strconv.Atoi(f[1])
	pgrp, err2 := strconv.Atoi(f[2])
	if err1 != nil || err2 != nil {
		return proc{}, false
	}
	return proc{ppid: ppid, pgrp: pgrp, comm: s[open+1 : end]}, true
}

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
	wp := &wsRawPlayer{}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: p.tls, DialContext: countingDialer(&wp.rx)}}
	ws, _, err := websocket.Dial(ctx, "wss://localhost:"+port+"/", &websocket.DialOptions{
		HTTPClient:   hc,
		Subprotocols: []string{"binary"},
	})
	if err != nil {
		return nil, fmt.Errorf("websockify: %w", err)
	}
	ws.SetReadLimit(1 << 20)
	wp.ws = ws
	return wp, nil
}

// tcpPlayer speaks straight TCP through socat.
type tcpPlayer struct {
	c   net.Conn
	buf []byte
	rx  int64 // bytes read
}

func (p *tcpPlayer) wireBytes() int64 { return p.rx }

func (p *tcpPlayer) listen(ctx context.Context, line []byte, fc *floodCheck) error {
	p.buf = append(append(p.buf[:0], line...), '\r', '\n')
	if _, err := p.c.Write(p.buf); err != nil {
		return err
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(time.Minute)
	}
	p.c.SetReadDeadline(deadline)
	defer p.c.SetReadDeadline(time.Time{})
	in := make([]byte, 64<<10)
	for !fc.done() {
		n, err := p.c.Read(in)
		p.rx += int64(n)
		if ferr := fc.feed(in[:n]); ferr != nil {
			return ferr
		}
		if err != nil && !fc.done() {
			return err
		}
	}
	return nil
}

func (p *tcpPlayer) roundTrip(ctx context.Context, line []byte) (time.Duration, error) {
	start := time.Now()
	p.buf = append(append(p.buf[:0], line...), '\r', '\n')
	if _, err := p.c.Write(p.buf); err != nil {
		return 0, err
	}
	p.c.SetReadDeadline(time.Now().Add(time.Minute))
	n, err := io.ReadFull(p.c, p.buf)
	p.rx += int64(n)
	if err != nil {
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
	rx   atomic.Int64 // bytes read from the TCP connection
}

func (p *wsRawPlayer) wireBytes() int64 { return p.rx.Load() }

func (p *wsRawPlayer) listen(ctx context.Context, line []byte, fc *floodCheck) error {
	p.buf = append(append(p.buf[:0], line...), '\r', '\n')
	if err := p.ws.Write(ctx, websocket.MessageBinary, p.buf); err != nil {
		return err
	}
	if err := fc.feed(p.text); err != nil {
		return err
	}
	p.text = p.text[:0]
	for !fc.done() {
		_, r, err := p.ws.Reader(ctx)
		if err != nil {
			return err
		}
		if err := feedAll(r, fc, &p.buf); err != nil {
			return err
		}
	}
	return nil
}

// feedAll feeds a message's bytes to fc, through buf, without keeping
// the message whole.
func feedAll(r io.Reader, fc *floodCheck, buf *[]byte) error {
	if cap(*buf) < 32<<10 {
		*buf = make([]byte, 32<<10)
	}
	b := (*buf)[:cap(*buf)]
	for {
		n, err := r.Read(b)
		if ferr := fc.feed(b[:n]); ferr != nil {
			return ferr
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
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
