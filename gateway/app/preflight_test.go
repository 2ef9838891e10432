package app

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/drawbridge/drawbridge/e2e/pebble"
)

// testPreflightEnv resolves names from a table (a name not in it does
// not resolve) and says the host has addrs; listening and dialing are
// real, on loopback.
func testPreflightEnv(names map[string][]netip.Addr, addrs ...netip.Addr) preflightEnv {
	env := defaultPreflightEnv()
	env.lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
		if a, ok := names[host]; ok {
			return append([]netip.Addr(nil), a...), nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	env.interfaceAddrs = func() ([]netip.Addr, error) { return addrs, nil }
	env.loopbackOK = true
	return env
}

// loopbackOnly makes env's dials to addresses other than loopback fail
// at once: tests reach no network but loopback.
func loopbackOnly(env *preflightEnv) {
	dial := env.dial
	env.dial = func(ctx context.Context, addr string) (net.Conn, error) {
		if ap, err := netip.ParseAddrPort(addr); err != nil || !ap.Addr().IsLoopback() {
			return nil, errors.New("network unreachable (test: loopback only)")
		}
		return dial(ctx, addr)
	}
}

// preflightLines returns the output's line for check (the line after
// the status word begins with it), or "".
func preflightLines(out, check string) string {
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 1 && strings.HasPrefix(strings.TrimSpace(line[len(f[0]):]), check) {
			return line
		}
	}
	return ""
}

// TestPreflight runs the online checks against Pebble's directory with
// game.test resolving to loopback (this host) and its ports free, so
// the check listens and sees its own dials arrive; then with the
// gateway's port taken; then a name that does not resolve, one that
// points elsewhere, and a host behind NAT.
func TestPreflight(t *testing.T) {
	peb := pebble.Start(t, pebble.Options{})
	lo := netip.MustParseAddr("127.0.0.1")
	httpsPort, httpPort := freeLoopbackPort(t), freeLoopbackPort(t)
	cfg := testConfig(t)
	cfg.Web.Domains = []string{"game.test"}
	cfg.Web.HTTPSAddr = "127.0.0.1:" + strconv.Itoa(httpsPort)
	cfg.Web.HTTPAddr = "127.0.0.1:" + strconv.Itoa(httpPort)
	cfg.ACME.DirectoryURL = peb.DirectoryURL()
	cfg.ACMEHTTPClient = peb.HTTPClient()
	env := testPreflightEnv(map[string][]netip.Addr{"game.test": {lo}}, lo)

	var out strings.Builder
	if err := preflight(context.Background(), cfg, &out, env); err != nil {
		t.Fatalf("preflight: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"ok   dns game.test: resolves to 127.0.0.1",
		"ok   address game.test: 127.0.0.1 is an address of this host",
		"ok   reach game.test:" + strconv.Itoa(httpsPort) + " (web.https_addr): 127.0.0.1 reaches this host's",
		"ok   reach game.test:" + strconv.Itoa(httpPort) + " (web.http_addr): 127.0.0.1 reaches this host's",
		"ok   acme directory " + peb.DirectoryURL() + ": answers",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "FAIL") {
		t.Errorf("a check failed:\n%s", out.String())
	}

	// The gateway runs: the port is taken, and what listens answers.
	ln, err := net.Listen("tcp", cfg.Web.HTTPSAddr)
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = preflight(context.Background(), cfg, &out, env)
	ln.Close()
	if err != nil {
		t.Errorf("preflight with the port taken: %v\n%s", err, out.String())
	}
	if line := preflightLines(out.String(), "reach game.test:"+strconv.Itoa(httpsPort)); !strings.HasPrefix(line, "ok") || !strings.Contains(line, "already listens on") {
		t.Errorf("reach line with the gateway running: %q", line)
	}

	// A name that does not resolve, and one that points at another host.
	cfg.Web.Domains = []string{"game.test", "nowhere.test", "other.test"}
	env = testPreflightEnv(map[string][]netip.Addr{"game.test": {lo}, "other.test": {netip.MustParseAddr("192.0.2.7")}},
		lo, netip.MustParseAddr("203.0.113.9"))
	loopbackOnly(&env)
	out.Reset()
	err = preflight(context.Background(), cfg, &out, env)
	if err == nil {
		t.Errorf("preflight passed with a name that does not resolve:\n%s", out.String())
	}
	if line := preflightLines(out.String(), "dns nowhere.test"); !strings.HasPrefix(line, "FAIL") || !strings.Contains(line, "does not resolve") {
		t.Errorf("dns line for nowhere.test: %q", line)
	}
	if line := preflightLines(out.String(), "address other.test"); !strings.HasPrefix(line, "FAIL") || !strings.Contains(line, "not an address of this host") {
		t.Errorf("address line for other.test: %q", line)
	}
	if line := preflightLines(out.String(), "address game.test"); !strings.HasPrefix(line, "ok") {
		t.Errorf("address line for game.test: %q", line)
	}

	// Behind NAT: only private addresses; the public one cannot be known.
	cfg.Web.Domains = []string{"other.test"}
	env = testPreflightEnv(map[string][]netip.Addr{"other.test": {netip.MustParseAddr("192.0.2.7")}},
		lo, netip.MustParseAddr("192.168.1.20"))
	env.dial = func(ctx context.Context, addr string) (net.Conn, error) {
		return nil, errors.New("unreachable in this test")
	}
	out.Reset()
	preflight(context.Background(), cfg, &out, env)
	if line := preflightLines(out.String(), "address other.test"); !strings.HasPrefix(line, "WARN") || !strings.Contains(line, "behind NAT") {
		t.Errorf("address line behind NAT: %q\n%s", line, out.String())
	}

	// A CA that cannot be reached.
	cfg.ACMEHTTPClient = nil
	cfg.ACME.DirectoryURL = "https://127.0.0.1:" + strconv.Itoa(freeLoopbackPort(t)) + "/dir"
	cfg.Web.Domains = []string{"game.test"}
	env = testPreflightEnv(map[string][]netip.Addr{"game.test": {lo}}, lo)
	out.Reset()
	if err := preflight(context.Background(), cfg, &out, env); err == nil {
		t.Errorf("preflight passed with the CA down:\n%s", out.String())
	}
	if line := preflightLines(out.String(), "acme directory"); !strings.HasPrefix(line, "FAIL") || !strings.Contains(line, "unreachable") {
		t.Errorf("directory line with the CA down: %q", line)
	}
}

// TestPreflightLoopbackRefused: a public name that resolves to loopback
// fails: no CA can reach it.
func TestPreflightLoopbackRefused(t *testing.T) {
	lo := netip.MustParseAddr("127.0.0.1")
	cfg := testConfig(t)
	cfg.Web.Domains = []string{"game.test"}
	cfg.Web.HTTPSAddr, cfg.Web.HTTPAddr = "127.0.0.1:"+strconv.Itoa(freeLoopbackPort(t)), "off"
	cfg.TLS.Mode = "files" // no directory to ask
	cfg.TLS.CertFile, cfg.TLS.KeyFile = "/nonexistent.crt", "/nonexistent.key"
	env := testPreflightEnv(map[string][]netip.Addr{"game.test": {lo}}, lo)
	env.loopbackOK = false
	var out strings.Builder
	if err := preflight(context.Background(), cfg, &out, env); err == nil {
		t.Errorf("preflight passed for a name on loopback:\n%s", out.String())
	}
	if line := preflightLines(out.String(), "address game.test"); !strings.HasPrefix(line, "FAIL") || !strings.Contains(line, "loopback") {
		t.Errorf("address line: %q", line)
	}
}
