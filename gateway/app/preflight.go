package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/edge"
)

// preflightTimeout bounds each network step of Preflight.
const preflightTimeout = 10 * time.Second

// preflightEnv is what Preflight touches of the machine and the network;
// tests replace parts of it (a resolver that maps test names to
// loopback, say).
type preflightEnv struct {
	lookup         func(ctx context.Context, host string) ([]netip.Addr, error)
	interfaceAddrs func() ([]netip.Addr, error)
	listen         func(addr string) (net.Listener, error)
	dial           func(ctx context.Context, addr string) (net.Conn, error)
	// loopbackOK accepts names that resolve to loopback addresses as
	// this host's (tests); a real CA could never reach them.
	loopbackOK bool
}

func defaultPreflightEnv() preflightEnv {
	var d net.Dialer
	return preflightEnv{
		lookup: func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		},
		interfaceAddrs: func() ([]netip.Addr, error) {
			addrs, err := net.InterfaceAddrs()
			if err != nil {
				return nil, err
			}
			var out []netip.Addr
			for _, a := range addrs {
				if p, err := netip.ParsePrefix(a.String()); err == nil {
					out = append(out, p.Addr().Unmap())
				}
			}
			return out, nil
		},
		listen: func(addr string) (net.Listener, error) { return net.Listen("tcp", addr) },
		dial:   func(ctx context.Context, addr string) (net.Conn, error) { return d.DialContext(ctx, "tcp", addr) },
	}
}

// Preflight checks, from this machine, what an ACME CA will need to
// issue the configured names' certificates, before the gateway is
// started (drawbridge config check -online): each name in web.domains
// resolves (A/AAAA), to one of this host's addresses; the HTTPS and
// HTTP listeners' ports are reachable on those addresses; and the ACME
// directory answers. It writes one line per check to w, starting "ok",
// "WARN" (cannot be known from here: a host behind NAT does not know its
// public address) or "FAIL" with the reason, and returns an error when
// a check failed.
//
// Reachability is tested by listening on the configured address (when
// it is free) and dialing the name's resolved addresses on its port: a
// connection that arrives proves that the address leads to this host.
// When the gateway already listens there, the dial shows that something
// answers. A router that does not loop connections from inside back to
// its own public address (no hairpin NAT) makes this check fail here
// while the CA, outside, would get through: the reason says so.
func Preflight(ctx context.Context, cfg Config, w io.Writer) error {
	return preflight(ctx, cfg, w, defaultPreflightEnv())
}

func preflight(ctx context.Context, cfg Config, w io.Writer, env preflightEnv) error {
	p := &preflightRun{w: w, env: env}
	domains := cfg.Web.Domains
	if len(domains) == 0 {
		p.ok("domains", "none configured (web.domains): no name to check; certificates are not from ACME")
	}
	local, err := env.interfaceAddrs()
	if err != nil {
		p.fail("host addresses", "cannot list this host's addresses: %v", err)
	}
	public := slices.ContainsFunc(local, isPublic)
	var ports []preflightPort
	if _, port, err := net.SplitHostPort(cfg.HTTPSAddress()); err == nil {
		ports = append(ports, preflightPort{setting: "web.https_addr", addr: cfg.HTTPSAddress(), port: port, challenge: edge.ChallengeTLSALPN01, want: "443"})
	}
	if a := cfg.HTTPAddress(); a != "" {
		if _, port, err := net.SplitHostPort(a); err == nil {
			ports = append(ports, preflightPort{setting: "web.http_addr", addr: a, port: port, challenge: edge.ChallengeHTTP01, want: "80"})
		}
	}

	for _, name := range domains {
		lctx, cancel := context.WithTimeout(ctx, preflightTimeout)
		addrs, err := env.lookup(lctx, name)
		cancel()
		if err != nil || len(addrs) == 0 {
			if err == nil {
				err = errors.New("no A or AAAA records")
			}
			p.fail("dns "+name, "does not resolve: %v; the CA's validation would fail with a dns problem: add an A (and AAAA) record pointing at this host", err)
			continue
		}
		for i := range addrs {
			addrs[i] = addrs[i].Unmap()
		}
		p.ok("dns "+name, "resolves to %s", joinAddrs(addrs))

		var mine, loop []netip.Addr
		for _, a := range addrs {
			if a.IsLoopback() {
				loop = append(loop, a)
			}
			if slices.Contains(local, a) && (!a.IsLoopback() || env.loopbackOK) {
				mine = append(mine, a)
			}
		}
		switch {
		case len(loop) > 0 && !env.loopbackOK:
			p.fail("address "+name, "resolves to the loopback address %s: no CA can reach that; point the name at this host's public address", joinAddrs(loop))
		case len(mine) > 0:
			p.ok("address "+name, "%s is an address of this host", joinAddrs(mine))
		case !public:
			p.warn("address "+name, "%s is not an address of this host, which has only private addresses (%s): it is behind NAT and cannot know its public address; make sure the router forwards ports 80 and 443 from %s to it",
				joinAddrs(addrs), joinAddrs(local), joinAddrs(addrs))
		default:
			p.fail("address "+name, "resolves to %s, which is not an address of this host (%s): the CA would validate another machine", joinAddrs(addrs), joinAddrs(local))
		}
		for _, pp := range ports {
			p.reach(ctx, name, addrs, pp)
		}
	}

	if cfg.TLSMode() == "acme" {
		p.directory(ctx, cfg)
	}
	if p.failed > 0 {
		return fmt.Errorf("%d online check(s) failed", p.failed)
	}
	return nil
}

// preflightPort is a listener the CA connects to.
type preflightPort struct {
	setting, addr, port string
	challenge           string // the challenge the CA validates on it
	want                string // the port the CA connects to
}

// preflightRun writes the checks' lines and counts failures.
type preflightRun struct {
	w      io.Writer
	env    preflightEnv
	failed int
}

func (p *preflightRun) line(status, check, format string, args ...any) {
	fmt.Fprintf(p.w, "%-4s %s: %s\n", status, check, fmt.Sprintf(format, args...))
}
func (p *preflightRun) ok(check, format string, args ...any) { p.line("ok", check, format, args...) }
func (p *preflightRun) warn(check, format string, args ...any) {
	p.line("WARN", check, format, args...)
}
func (p *preflightRun) fail(check, format string, args ...any) {
	p.failed++
	p.line("FAIL", check, format, args...)
}

// reach checks that the name's addresses lead to pp's listener: it
// listens on pp.addr if it is free, dials each address on pp's port and
// sees the connection arrive.
func (p *preflightRun) reach(ctx context.Context, name string, addrs []netip.Addr, pp preflightPort) {
	check := fmt.Sprintf("reach %s:%s (%s)", name, pp.port, pp.setting)
	note := ""
	if pp.port != pp.want {
		note = fmt.Sprintf("; the CA connects to port %s for %s: forward it to %s", pp.want, pp.challenge, pp.port)
	}
	ln, lerr := p.env.listen(pp.addr)
	running := errors.Is(lerr, syscall.EADDRINUSE)
	if lerr != nil && !running {
		p.fail(check, "cannot listen on %s to test it: %v (run the check as the service's user, or with the gateway running)%s", pp.addr, lerr, note)
		return
	}
	token := ""
	arrived := make(chan string, 1)
	if ln != nil {
		defer ln.Close()
		b := make([]byte, 8)
		rand.Read(b)
		token = hex.EncodeToString(b)
		go func() { // ends when ln is closed
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.SetReadDeadline(time.Now().Add(preflightTimeout))
				buf := make([]byte, len(token))
				_, err = io.ReadFull(c, buf)
				c.Close()
				if err == nil {
					select {
					case arrived <- string(buf):
					default:
					}
				}
			}
		}()
	}
	var bad []string
	for _, a := range addrs {
		target := net.JoinHostPort(a.String(), pp.port)
		dctx, cancel := context.WithTimeout(ctx, preflightTimeout)
		c, err := p.env.dial(dctx, target)
		cancel()
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s: %v", target, err))
			continue
		}
		if ln == nil { // the gateway (or something) listens: it answers
			c.Close()
			continue
		}
		_, err = c.Write([]byte(token))
		c.Close()
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s: %v", target, err))
			continue
		}
		select {
		case got := <-arrived:
			if got != token {
				bad = append(bad, target+": another connection arrived")
			}
		case <-time.After(preflightTimeout):
			bad = append(bad, target+": connected, but not to this host's listener (another machine answers on that address)")
		case <-ctx.Done():
			bad = append(bad, target+": "+ctx.Err().Error())
		}
	}
	switch {
	case len(bad) > 0:
		p.fail(check, "%s (if the address is the router's and the router cannot loop connections from inside back in, test from outside)%s", strings.Join(bad, "; "), note)
	case running:
		p.ok(check, "%s answers on %s: something already listens on %s (the gateway, if it runs; if not, another server holds the port: see ss -ltnp)%s", joinAddrs(addrs), pp.port, pp.addr, note)
	default:
		p.ok(check, "%s reaches this host's %s%s", joinAddrs(addrs), pp.addr, note)
	}
}

// directory checks that the ACME directory answers with a newOrder URL.
func (p *preflightRun) directory(ctx context.Context, cfg Config) {
	dirURL := cfg.ACME.DirectoryURL
	if dirURL == "" {
		dirURL = DefaultDirectoryURL
	}
	check := "acme directory " + dirURL
	client := cfg.ACMEHTTPClient
	if client == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		if cfg.ACME.CAFile != "" {
			pool, err := edge.LoadClientCAs(cfg.ACME.CAFile)
			if err != nil {
				p.fail(check, "acme.ca_file: %v", err)
				return
			}
			t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		}
		defer t.CloseIdleConnections()
		client = &http.Client{Transport: t}
	}
	rctx, cancel := context.WithTimeout(ctx, preflightTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, dirURL, nil)
	if err != nil {
		p.fail(check, "%v", err)
		return
	}
	res, err := client.Do(req)
	if err != nil {
		p.fail(check, "unreachable: %v", err)
		return
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	var dir struct {
		NewOrder string `json:"newOrder"`
	}
	if res.StatusCode != http.StatusOK {
		p.fail(check, "answered %s", res.Status)
		return
	}
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&dir); err != nil || dir.NewOrder == "" {
		p.fail(check, "answered, but not with an ACME directory (no newOrder URL)")
		return
	}
	p.ok(check, "answers")
}

// isPublic reports whether a is a global unicast address outside the
// private, shared (CGNAT) and link-local ranges.
func isPublic(a netip.Addr) bool {
	cgnat := netip.MustParsePrefix("100.64.0.0/10")
	return a.IsGlobalUnicast() && !a.IsPrivate() && !cgnat.Contains(a)
}

func joinAddrs(addrs []netip.Addr) string {
	s := make([]string, len(addrs))
	for i, a := range addrs {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}
