package web

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// The player's address and scheme come from forwarding headers only when
// the peer is a trusted proxy, and then from the right-most address that
// is not one: what a client writes itself (left of the first untrusted
// hop, or anything at all when it connects directly) never counts.
func TestProxiesClient(t *testing.T) {
	trusted := []string{"127.0.0.1", "10.0.0.0/8", "2001:db8:ffff::/48", "::ffff:192.0.2.200"}
	for _, tc := range []struct {
		name       string
		header     ProxyHeader
		remote     string
		tls        bool
		h          map[string][]string
		addr, prot string
	}{
		{"direct, no headers", "", "203.0.113.9:5000", true, nil, "203.0.113.9", "https"},
		{"spoofed XFF from an untrusted peer", "", "203.0.113.9:5000", false,
			map[string][]string{"X-Forwarded-For": {"198.51.100.1"}, "X-Forwarded-Proto": {"https"}}, "203.0.113.9", "http"},
		{"spoofed Forwarded from an untrusted peer", HeaderForwarded, "203.0.113.9:5000", false,
			map[string][]string{"Forwarded": {"for=198.51.100.1;proto=https"}}, "203.0.113.9", "http"},
		{"one trusted proxy", "", "127.0.0.1:40000", false,
			map[string][]string{"X-Forwarded-For": {"198.51.100.1"}, "X-Forwarded-Proto": {"https"}}, "198.51.100.1", "https"},
		{"a client's own XFF, appended to by the trusted proxy", "", "127.0.0.1:40000", false,
			map[string][]string{"X-Forwarded-For": {"6.6.6.6, 198.51.100.1"}, "X-Forwarded-Proto": {"https"}}, "198.51.100.1", "https"},
		{"two trusted hops", "", "127.0.0.1:40000", false,
			map[string][]string{"X-Forwarded-For": {"6.6.6.6, 198.51.100.1, 10.1.2.3"}, "X-Forwarded-Proto": {"https"}}, "198.51.100.1", "https"},
		{"hops split over header lines", "", "127.0.0.1:40000", false,
			map[string][]string{"X-Forwarded-For": {"6.6.6.6", "198.51.100.1, 10.1.2.3"}}, "198.51.100.1", "http"},
		{"an untrusted hop between trusted ones stops the walk", "", "127.0.0.1:40000", false,
			map[string][]string{"X-Forwarded-For": {"198.51.100.1, 203.0.113.50, 10.1.2.3"}}, "203.0.113.50", "http"},
		{"garbage written by a trusted hop: the proxy stands in", "", "127.0.0.1:40000", false,
			map[string][]string{"X-Forwarded-For": {"198.51.100.1, unix:"}}, "127.0.0.1", "http"},
		{"every hop trusted: the farthest", "", "127.0.0.1:40000", false,
			map[string][]string{"X-Forwarded-For": {"10.0.0.1, 10.0.0.2"}}, "10.0.0.1", "http"},
		{"IPv6 player through a trusted proxy", "", "127.0.0.1:40000", false,
			map[string][]string{"X-Forwarded-For": {"2001:db8:1:2::7"}, "X-Forwarded-Proto": {"https"}}, "2001:db8:1:2::7", "https"},
		{"IPv6 player in brackets with a port", "", "127.0.0.1:40000", false,
			map[string][]string{"X-Forwarded-For": {"[2001:db8:1:2::7]:4711"}}, "2001:db8:1:2::7", "http"},
		{"trusted IPv6 proxy range", "", "[2001:db8:ffff:1::5]:40000", false,
			map[string][]string{"X-Forwarded-For": {"198.51.100.1, 2001:db8:ffff:2::9"}}, "198.51.100.1", "http"},
		{"IPv6 peer outside the trusted range", "", "[2001:db8:fffe::5]:40000", false,
			map[string][]string{"X-Forwarded-For": {"198.51.100.1"}}, "2001:db8:fffe::5", "http"},
		{"IPv4-mapped peer of a trusted IPv4 entry", "", "[::ffff:192.0.2.200]:40000", false,
			map[string][]string{"X-Forwarded-For": {"198.51.100.1"}}, "198.51.100.1", "http"},
		{"IPv4-mapped player is unmapped", "", "127.0.0.1:40000", false,
			map[string][]string{"X-Forwarded-For": {"::ffff:198.51.100.1"}}, "198.51.100.1", "http"},
		{"X-Forwarded-Proto: the nearest proxy's value", "", "127.0.0.1:40000", false,
			map[string][]string{"X-Forwarded-For": {"198.51.100.1"}, "X-Forwarded-Proto": {"http, https"}}, "198.51.100.1", "https"},
		{"an unknown proto is not believed", "", "127.0.0.1:40000", true,
			map[string][]string{"X-Forwarded-For": {"198.51.100.1"}, "X-Forwarded-Proto": {"gopher"}}, "198.51.100.1", "https"},
		{"XFF mode ignores Forwarded", "", "127.0.0.1:40000", false,
			map[string][]string{"Forwarded": {"for=6.6.6.6;proto=https"}}, "127.0.0.1", "http"},
		{"Forwarded mode ignores XFF", HeaderForwarded, "127.0.0.1:40000", false,
			map[string][]string{"X-Forwarded-For": {"6.6.6.6"}, "X-Forwarded-Proto": {"https"}}, "127.0.0.1", "http"},
		{"Forwarded, one trusted proxy", HeaderForwarded, "127.0.0.1:40000", false,
			map[string][]string{"Forwarded": {`for=198.51.100.1;proto=https;by=127.0.0.1`}}, "198.51.100.1", "https"},
		{"Forwarded, quoted IPv6 with a port, mixed case", HeaderForwarded, "127.0.0.1:40000", false,
			map[string][]string{"Forwarded": {`For="[2001:db8:1:2::7]:4711";Proto=HTTPS`}}, "2001:db8:1:2::7", "https"},
		{"Forwarded, multiple hops and lines", HeaderForwarded, "127.0.0.1:40000", false,
			map[string][]string{"Forwarded": {`for=6.6.6.6;proto=http`, `for=198.51.100.1;proto=https, for=10.9.9.9;proto=http`}}, "198.51.100.1", "https"},
		{"Forwarded, the client's own element left of the proxy's", HeaderForwarded, "127.0.0.1:40000", false,
			map[string][]string{"Forwarded": {`for=6.6.6.6;proto=https, for=198.51.100.1;proto=http`}}, "198.51.100.1", "http"},
		{"Forwarded, an obfuscated node", HeaderForwarded, "127.0.0.1:40000", false,
			map[string][]string{"Forwarded": {`for=_hidden, for=10.1.1.1`}}, "10.1.1.1", "http"},
		{"Forwarded, unknown", HeaderForwarded, "127.0.0.1:40000", false,
			map[string][]string{"Forwarded": {`for=unknown`}}, "127.0.0.1", "http"},
		{"Forwarded, malformed: not believed", HeaderForwarded, "127.0.0.1:40000", false,
			map[string][]string{"Forwarded": {`for="198.51.100.1`}}, "127.0.0.1", "http"},
		{"Forwarded, a semicolon-less garble", HeaderForwarded, "127.0.0.1:40000", false,
			map[string][]string{"Forwarded": {`for=198.51.100.1 proto=https`}}, "127.0.0.1", "http"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := newProxies(trusted, tc.header)
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			for k, vs := range tc.h {
				for _, v := range vs {
					r.Header.Add(k, v)
				}
			}
			addr, scheme := p.client(r)
			if addr != tc.addr || scheme != tc.prot {
				t.Errorf("client = %q, %q; want %q, %q", addr, scheme, tc.addr, tc.prot)
			}
		})
	}
}

// With no trusted proxies, no header is believed, even from loopback.
func TestProxiesNoneTrusted(t *testing.T) {
	p, err := newProxies(nil, "")
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "127.0.0.1:40000"
	r.Header.Set("X-Forwarded-For", "198.51.100.1")
	r.Header.Set("X-Forwarded-Proto", "https")
	if addr, scheme := p.client(r); addr != "127.0.0.1" || scheme != "http" {
		t.Errorf("client = %q, %q; want the peer's own 127.0.0.1, http", addr, scheme)
	}
}

func TestProxiesRefuseBadEntries(t *testing.T) {
	for _, s := range []string{"proxy.example", "10.0.0.0/33", "", "1.2.3"} {
		if _, err := newProxies([]string{s}, ""); err == nil || !strings.Contains(err.Error(), "trusted proxy") {
			t.Errorf("newProxies(%q) = %v, want an error naming the trusted proxy", s, err)
		}
	}
	if _, err := ParseProxyHeader("X-Real-IP"); err == nil {
		t.Error("ParseProxyHeader accepted X-Real-IP")
	}
	if h, err := ParseProxyHeader("Forwarded"); err != nil || h != HeaderForwarded {
		t.Errorf("ParseProxyHeader(Forwarded) = %q, %v", h, err)
	}
}

// The Unix socket a web server reaches the gateway on: its peers are
// trusted, and exempt from the per-address cap.
func TestProxiesUnixSocket(t *testing.T) {
	p, err := newProxies(nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if !p.exempt(&net.UnixAddr{Name: "@", Net: "unix"}) {
		t.Error("a Unix socket peer is counted against the per-address cap")
	}
	if p.exempt(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}) {
		t.Error("an untrusted TCP peer is exempt")
	}

	fb := &fakeBridge{served: make(chan string, 1)}
	h, err := New(Config{Static: fstest.MapFS{"index.html": {Data: []byte("x")}}, Bridge: fb})
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "http.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	ws, _, err := websocket.Dial(ctx, "ws://play.example/ws", &websocket.DialOptions{
		HTTPClient: client, Subprotocols: []string{wire.Subprotocol},
		HTTPHeader: http.Header{"Origin": {"https://play.example"}, "X-Forwarded-For": {"2001:db8::42"}, "X-Forwarded-Proto": {"https"}},
	})
	if err != nil {
		t.Fatalf("websocket over the Unix socket: %v", err)
	}
	defer ws.CloseNow()
	if got := <-fb.served; got != "2001:db8::42" {
		t.Errorf("player's address %q, want 2001:db8::42 from the web server's X-Forwarded-For", got)
	}

	// Without a header naming the player there is no address to limit,
	// audit or tell the game: refused, saying what the web server lacks.
	for _, hdr := range []http.Header{{}, {"X-Forwarded-For": {"unknown"}}} {
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://play.example/", nil)
		req.Header = hdr
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "must name the player in its x-forwarded-for header") {
			t.Errorf("request on the socket with %v: %s %q, want 400 saying the header is missing", hdr, resp.Status, body)
		}
	}
	// The API answers as the API does, with a code for the page.
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://play.example/api/status", nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body errorJSON
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusBadRequest || body.Code != codeNoPlayerAddress || body.Error == "" {
		t.Errorf("API request on the socket without the header: %s %+v %v, want 400 with code %s", resp.Status, body, err, codeNoPlayerAddress)
	}
}

// Behind a trusted proxy on plain HTTP, the https page's WebSocket is
// accepted (the proxy says the browser used https) and the bridge gets
// the player's address from the header; the very same request from a
// peer that is not trusted is refused, and its header is not believed.
func TestWebSocketBehindProxy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trusted []string
		ok      bool
	}{
		{"trusted proxy", []string{"127.0.0.1"}, true},
		{"untrusted peer", []string{"192.0.2.1"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fb := &fakeBridge{served: make(chan string, 1)}
			h, err := New(Config{Static: fstest.MapFS{"index.html": {Data: []byte("x")}}, Bridge: fb, TrustedProxies: tc.trusted})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			host := strings.TrimPrefix(srv.URL, "http://")
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			ws, _, err := websocket.Dial(ctx, "ws://"+host+"/ws", &websocket.DialOptions{
				Subprotocols: []string{wire.Subprotocol},
				HTTPHeader:   http.Header{"Origin": {"https://" + host}, "X-Forwarded-For": {"6.6.6.6, 198.51.100.7"}, "X-Forwarded-Proto": {"https"}},
			})
			if !tc.ok {
				if err == nil {
					ws.CloseNow()
					t.Fatal("an https origin over plain HTTP was accepted from an untrusted peer")
				}
				return
			}
			if err != nil {
				t.Fatalf("websocket through the trusted proxy: %v", err)
			}
			defer ws.CloseNow()
			if got := <-fb.served; got != "198.51.100.7" {
				t.Errorf("player's address %q, want 198.51.100.7", got)
			}
		})
	}
}

// FuzzForwarded: the parsers of X-Forwarded-For and Forwarded never
// panic, and whatever a trusted proxy's headers say, the player's
// address is an IP address (or the peer's own) and the scheme http or
// https.
func FuzzForwarded(f *testing.F) {
	for _, s := range []string{
		"198.51.100.1", "6.6.6.6, 198.51.100.1, 10.1.2.3", "[2001:db8::7]:4711", "unix:", "",
		`for=198.51.100.1;proto=https;by=127.0.0.1`, `For="[2001:db8:1:2::7]:4711";Proto=HTTPS`,
		`for=6.6.6.6;proto=http, for=198.51.100.1`, `for=_hidden, for=10.1.1.1`, `for="198.51.100.1`,
		`for=198.51.100.1 proto=https`, `for="a\"b", for=1.2.3.4;`, `;;,,==`,
	} {
		f.Add(s, "https")
	}
	p, err := newProxies([]string{"127.0.0.1", "10.0.0.0/8"}, "")
	if err != nil {
		f.Fatal(err)
	}
	pf, _ := newProxies([]string{"127.0.0.1", "10.0.0.0/8"}, HeaderForwarded)
	f.Fuzz(func(t *testing.T, header, proto string) {
		for _, px := range []*proxies{p, pf} {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = "127.0.0.1:40000"
			r.Header.Set("X-Forwarded-For", header)
			r.Header.Set("X-Forwarded-Proto", proto)
			r.Header.Set("Forwarded", header)
			addr, scheme := px.client(r)
			if ip, ok := parseNode(addr); !ok || ip.String() != addr {
				t.Errorf("client(%q) = address %q, not an IP address", header, addr)
			}
			if scheme != "http" && scheme != "https" {
				t.Errorf("client(%q, %q) = scheme %q", header, proto, scheme)
			}
		}
	})
}
