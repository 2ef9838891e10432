package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// gatewayProc is the gateway under load: the real binary in its own
// process, so that its memory and CPU are its own.
type gatewayProc struct {
	cmd    *exec.Cmd
	dir    string
	base   string // https://localhost:PORT
	admin  string // http://127.0.0.1:PORT
	tls    *tls.Config
	stderr bytes.Buffer

	cookieMu sync.Mutex
	cookie   string // the guest session every load player shares
}

func (g *gatewayProc) name() string { return "drawbridge" }
func (g *gatewayProc) stop()        { g.Stop() }

// dial connects a player on the load's guest session, getting that
// session first if need be.
func (g *gatewayProc) dial(ctx context.Context) (roundTripper, error) {
	g.cookieMu.Lock()
	if g.cookie == "" {
		c, err := g.guestCookie(ctx)
		if err != nil {
			g.cookieMu.Unlock()
			return nil, err
		}
		g.cookie = c
	}
	cookie := g.cookie
	g.cookieMu.Unlock()
	return dialPlayer(ctx, g, cookie)
}

// useCookie makes the gateway's players use cookie, a session got
// elsewhere (from another node of a cluster), instead of getting their own.
func (g *gatewayProc) useCookie(cookie string) {
	g.cookieMu.Lock()
	g.cookie = cookie
	g.cookieMu.Unlock()
}

// freePort returns a loopback address nobody listens on now.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startGateway runs bin serving the echo game at backend, with guests on
// (the load's players share one guest session) and the per-address
// limits raised: every load player comes from 127.0.0.1. extra are more
// DRAWBRIDGE_* settings.
func startGateway(bin, backend string, extra ...string) (*gatewayProc, error) {
	dir, err := os.MkdirTemp("", "drawbridge-load-")
	if err != nil {
		return nil, err
	}
	https, err := freePort()
	if err != nil {
		return nil, err
	}
	admin, err := freePort()
	if err != nil {
		return nil, err
	}
	g := &gatewayProc{dir: dir, admin: "http://" + admin}
	_, port, _ := net.SplitHostPort(https)
	g.base = "https://localhost:" + port
	g.cmd = exec.Command(bin, "serve")
	g.cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"DRAWBRIDGE_STATE_DIR=" + dir,
		"DRAWBRIDGE_GAME_BACKEND=" + backend,
		"DRAWBRIDGE_WEB_HTTPS_ADDR=" + https,
		"DRAWBRIDGE_WEB_HTTP_ADDR=off",
		"DRAWBRIDGE_ADMIN_ADDR=" + admin,
		"DRAWBRIDGE_ADMIN_PPROF=true", // goStats asks the profiler for a GC
		"DRAWBRIDGE_LOG_LEVEL=warn",
		"DRAWBRIDGE_ACCOUNTS_ALLOW_GUESTS=true",
		"DRAWBRIDGE_PLAYERS_MAX=100000",
		"DRAWBRIDGE_PLAYERS_MAX_PER_ADDR=100000",
		"DRAWBRIDGE_PLAYERS_MAX_PER_ACCOUNT=100000",
		"DRAWBRIDGE_WEB_MAX_CONNS_PER_ADDR=100000",
		"DRAWBRIDGE_WEB_COMPRESSION=" + compression,
	}, extra...)
	// The Go runtime's memory settings pass through, to measure what
	// they trade.
	for _, k := range []string{"GOGC", "GOMEMLIMIT"} {
		if v, ok := os.LookupEnv(k); ok {
			g.cmd.Env = append(g.cmd.Env, k+"="+v)
		}
	}
	g.cmd.Stderr = &g.stderr
	if err := g.cmd.Start(); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(g.admin + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) || g.cmd.ProcessState != nil {
			g.Stop()
			return nil, fmt.Errorf("the gateway did not become ready: %v\n%s", err, g.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	pem, err := os.ReadFile(filepath.Join(dir, "selfsigned.crt"))
	if err != nil {
		g.Stop()
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		g.Stop()
		return nil, errors.New("the gateway's self-signed certificate does not parse")
	}
	g.tls = &tls.Config{RootCAs: pool, ServerName: "localhost"}
	return g, nil
}

// client is an HTTP client for the gateway's API, as the front door uses it.
func (g *gatewayProc) client() *http.Client { return g.clientFrom("") }

// clientFrom is client, with its connections made from the loopback
// address src ("" lets the system choose, 127.0.0.1): the gateway's
// per-address limits then tell the clients apart.
func (g *gatewayProc) clientFrom(src string) *http.Client {
	jar, _ := cookiejar.New(nil)
	dial := loopbackDialer
	if src != "" {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
		dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			return loopbackDial(ctx, &d, addr)
		}
	}
	return &http.Client{
		Jar:     jar,
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig:     g.tls,
			MaxIdleConnsPerHost: 64,
			DialContext:         dial,
		},
	}
}

// loopbackDialer dials localhost as 127.0.0.1: the gateway listens there.
func loopbackDialer(ctx context.Context, network, addr string) (net.Conn, error) {
	return loopbackDial(ctx, &net.Dialer{}, addr)
}

func loopbackDial(ctx context.Context, d *net.Dialer, addr string) (net.Conn, error) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	return d.DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", port))
}

// post sends a JSON request to the account API as the page would, and
// returns the answer's status.
func (g *gatewayProc) post(ctx context.Context, c *http.Client, path string, body any) (int, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, err
	}
	return g.do(ctx, c, http.MethodPost, path, bytes.NewReader(b))
}

// get sends a GET to the API as the page would, and returns the answer's
// status.
func (g *gatewayProc) get(ctx context.Context, c *http.Client, path string) (int, error) {
	return g.do(ctx, c, http.MethodGet, path, nil)
}

// do sends a same-origin request, as the page's fetch does, reads the
// answer whole and returns its status.
func (g *gatewayProc) do(ctx context.Context, c *http.Client, method, path string, body io.Reader) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, g.base+path, body)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Origin", g.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// guestCookie gets a guest session and returns its cookie header.
func (g *gatewayProc) guestCookie(ctx context.Context) (string, error) {
	c := g.client()
	status, err := g.post(ctx, c, "/api/guest", map[string]any{})
	if err != nil {
		return "", err
	}
	if status/100 != 2 {
		return "", fmt.Errorf("POST /api/guest: %d", status)
	}
	req, _ := http.NewRequest(http.MethodGet, g.base+"/", nil)
	var parts []string
	for _, ck := range c.Jar.Cookies(req.URL) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	if len(parts) == 0 {
		return "", errors.New("POST /api/guest set no cookie")
	}
	return strings.Join(parts, "; "), nil
}

// rssKB is the gateway's resident memory in KiB, from /proc.
func (g *gatewayProc) rssKB() (int, error) { return procKB(g.cmd.Process.Pid, "status", "VmRSS:") }

func (g *gatewayProc) memKB() (int, error) { return g.rssKB() }

// beginPeak starts the gateway's resident-memory peak (VmHWM) over from
// its RSS now (proc(5): clear_refs).
func (g *gatewayProc) beginPeak() {
	os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", g.cmd.Process.Pid), []byte("5"), 0)
}

// peakKB is the gateway's resident-memory peak in KiB since beginPeak, or
// 0 if it cannot be read.
func (g *gatewayProc) peakKB() int {
	kb, _ := procKB(g.cmd.Process.Pid, "status", "VmHWM:")
	return kb
}

// procKB reads a "Name:   N kB" line from a file of /proc/pid.
func procKB(pid int, file, name string) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, file))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/%s", name, pid, file)
}

// goStats reads the gateway's Go runtime figures, and its count of
// players (drawbridge_players), from its /metrics, just after a garbage
// collection.
func (g *gatewayProc) goStats() (map[string]float64, error) {
	// A heap profile with gc=1 makes the gateway collect garbage first,
	// so the figures are what it holds, not what it has yet to free.
	resp, err := http.Get(g.admin + "/debug/pprof/heap?gc=1")
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /debug/pprof/heap: %s", resp.Status)
	}
	resp, err = http.Get(g.admin + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		name, val, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		switch name {
		case "go_goroutines", "go_memstats_heap_alloc_bytes", "go_memstats_heap_inuse_bytes", "go_memstats_stack_inuse_bytes",
			"drawbridge_players":
			if v, err := strconv.ParseFloat(val, 64); err == nil {
				out[name] = v
			}
		}
	}
	return out, nil
}

// cpu is the gateway's CPU time so far.
func (g *gatewayProc) cpu() time.Duration { return procCPU(g.cmd.Process.Pid) }

// Stop stops the gateway gracefully and removes its state.
func (g *gatewayProc) Stop() {
	if g.cmd.Process != nil && g.cmd.ProcessState == nil {
		g.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { g.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			g.cmd.Process.Kill()
			<-done
		}
	}
	os.RemoveAll(g.dir)
}
