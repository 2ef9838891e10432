package app

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/gateway/internal/bridge"
	"github.com/drawbridge/drawbridge/gateway/internal/cluster"
	"github.com/drawbridge/drawbridge/gateway/internal/store/postgres"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// A player plays and leaves: /metrics counts the dial, the bytes each
// way, what was negotiated and why the session ended.
func TestBridgeMetrics(t *testing.T) {
	g, _ := start(t, testConfig(t))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "wss://localhost:"+port(g.HTTPSAddr())+"/ws", &websocket.DialOptions{
		Subprotocols: []string{wire.Subprotocol},
		HTTPClient:   player(t, g, "Counted"),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	readUntil(ctx, t, ws, "What is your name?")
	ws.Close(websocket.StatusNormalClosure, "")
	for g.Players() != 0 {
		time.Sleep(10 * time.Millisecond)
	}

	resp, err := http.Get("http://" + g.AdminAddr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := string(b)
	for _, want := range []string{
		"drawbridge_players 0",
		"drawbridge_players_away 0",
		`drawbridge_game_dials_total{result="ok"} 1`,
		`drawbridge_sessions_ended_total{reason="player closed"} 1`,
		`drawbridge_telnet_negotiated_total{option="TTYPE"} 1`,
		`drawbridge_telnet_negotiated_total{option="NAWS"} 1`,
		`drawbridge_resumes_total{result="resumed"} 0`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	for _, dir := range []string{"to_game", "to_players"} {
		if strings.Contains(m, `drawbridge_bridge_bytes_total{direction="`+dir+`"} 0`) || !strings.Contains(m, `drawbridge_bridge_bytes_total{direction="`+dir+`"}`) {
			t.Errorf("no bytes counted %s", dir)
		}
	}
	if t.Failed() {
		for _, l := range strings.Split(m, "\n") {
			if strings.HasPrefix(l, "drawbridge_") {
				t.Log(l)
			}
		}
	}
}

// web.compression turns on permessage-deflate for browsers that offer it;
// play works through it.
func TestWebSocketCompression(t *testing.T) {
	for _, mode := range []string{"off", "frame", "stream"} {
		t.Run(mode, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.Web.Compression = mode
			g, _ := start(t, cfg)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			ws, resp, err := websocket.Dial(ctx, "wss://localhost:"+port(g.HTTPSAddr())+"/ws", &websocket.DialOptions{
				Subprotocols:    []string{wire.Subprotocol},
				HTTPClient:      player(t, g, "Squeezed"),
				CompressionMode: websocket.CompressionContextTakeover, // what browsers offer
			})
			if err != nil {
				t.Fatal(err)
			}
			defer ws.CloseNow()
			ext := resp.Header.Get("Sec-WebSocket-Extensions")
			if got, want := strings.Contains(ext, "permessage-deflate"), mode != "off"; got != want {
				t.Fatalf("extensions %q with web.compression %q", ext, mode)
			}
			if got, want := strings.Contains(ext, "server_no_context_takeover"), mode == "frame"; got != want {
				t.Fatalf("extensions %q with web.compression %q", ext, mode)
			}
			readUntil(ctx, t, ws, "What is your name?")
		})
	}
}

// readUntil reads Output frames from ws until their text holds want.
func readUntil(ctx context.Context, t *testing.T, ws *websocket.Conn, want string) {
	t.Helper()
	var text strings.Builder
	for !strings.Contains(text.String(), want) {
		_, b, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("read: %v (so far %q)", err, text.String())
		}
		if f, err := wire.Decode(b); err == nil && f.Type == wire.TypeOutput {
			text.Write(f.Data)
		}
	}
}

// TestClusterMetrics: on PostgreSQL the admin listener reports the pool,
// the relayed revocations and the sweep; on SQLite none of it.
func TestClusterMetrics(t *testing.T) {
	var sweeper atomic.Bool
	src := adminSources{
		players: func() bridge.Stats { return bridge.Stats{} },
		certs:   func() []certState { return nil },
		ready:   func() (bool, string) { return false, "starting" },
		cluster: func() clusterStats {
			return clusterStats{
				pool:        postgres.PoolStats{Acquired: 2, Idle: 3, Max: 10, Waits: 7},
				revocations: cluster.RevocationStats{Sent: 4, Received: 5, Dropped: 1},
				sweeper:     sweeper.Load(),
			}
		},
	}
	scrape := func(src adminSources) string {
		rec := httptest.NewRecorder()
		adminHandler(src, adminOptions{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://localhost/metrics", nil))
		return rec.Body.String()
	}
	sweeper.Store(true)
	m := scrape(src)
	for _, want := range []string{
		`drawbridge_store_connections{state="acquired"} 2`,
		`drawbridge_store_connections{state="idle"} 3`,
		"drawbridge_store_max_connections 10",
		"drawbridge_store_connection_waits_total 7",
		`drawbridge_cluster_revocations_total{result="sent"} 4`,
		`drawbridge_cluster_revocations_total{result="received"} 5`,
		`drawbridge_cluster_revocations_total{result="dropped"} 1`,
		"drawbridge_cluster_sweeper 1",
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	src.cluster = nil
	if m := scrape(src); strings.Contains(m, "drawbridge_store_") || strings.Contains(m, "drawbridge_cluster_") {
		t.Errorf("a gateway on SQLite reports cluster metrics")
	}
}

// adminGet asks the admin listener of g for path with the Host header
// host, and returns the status and body.
func adminGet(t *testing.T, g *Gateway, host, path string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+g.AdminAddr().String()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s with Host %q: %v", path, host, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestAdminListenerHosts: the admin listener answers requests for its
// loopback names and addresses, and refuses any other Host (a web page
// on the operator's machine that rebinds its own name to 127.0.0.1 would
// send its name); the profiler is off by default.
func TestAdminListenerHosts(t *testing.T) {
	g, _ := start(t, testConfig(t))
	p := port(g.AdminAddr())
	for _, host := range []string{"127.0.0.1:" + p, "localhost:" + p, "[::1]:" + p, "LocalHost.:" + p, "127.0.0.2:" + p, "localhost"} {
		if code, body := adminGet(t, g, host, "/metrics"); code != http.StatusOK || !strings.Contains(body, "drawbridge_players") {
			t.Errorf("Host %q: %d %.80q, want 200 and the metrics", host, code, body)
		}
	}
	for _, host := range []string{"evil.example:" + p, "evil.example", "localhost.evil.example:" + p, "app.localhost:" + p, "10.0.0.1:" + p} {
		for _, path := range []string{"/metrics", "/debug/pprof/", "/healthz"} {
			code, body := adminGet(t, g, host, path)
			if code != http.StatusMisdirectedRequest || !strings.Contains(body, "admin.hosts") || strings.Contains(body, "evil") {
				t.Errorf("Host %q, %s: %d %.80q, want 421 saying admin.hosts, without the Host", host, path, code, body)
			}
		}
	}
	if code, _ := adminGet(t, g, "127.0.0.1:"+p, "/debug/pprof/"); code != http.StatusNotFound {
		t.Errorf("/debug/pprof/ by default: %d, want 404", code)
	}
}

// TestAdminHostGuard: the names admin.addr and admin.hosts add, the
// address a request came in on, requests without a Host; the refusal is
// logged; admin.pprof turns the profiler on.
func TestAdminHostGuard(t *testing.T) {
	logs := &syncBuffer{}
	h := adminHandler(adminSources{
		players: func() bridge.Stats { return bridge.Stats{} },
		certs:   func() []certState { return nil },
		ready:   func() (bool, string) { return false, "starting" },
	}, adminOptions{
		addr:  "10.0.0.11:6060",
		hosts: []string{"Gw1.Internal.", "2001:DB8::7"},
		pprof: true,
		log:   slog.New(slog.NewTextHandler(logs, nil)),
	})
	tests := []struct {
		host  string
		local net.Addr // the address the request came in on
		want  int
	}{
		{"10.0.0.11:6060", nil, http.StatusOK},
		{"gw1.internal:6060", nil, http.StatusOK},
		{"GW1.internal", nil, http.StatusOK},
		{"[2001:db8::7]:6060", nil, http.StatusOK},
		{"", nil, http.StatusOK}, // HTTP/1.0, as HAProxy's health checks
		{"172.17.0.2:6060", &net.TCPAddr{IP: net.IPv4(172, 17, 0, 2), Port: 6060}, http.StatusOK},
		{"[::ffff:127.0.0.1]:6060", nil, http.StatusOK},
		{"172.17.0.3:6060", &net.TCPAddr{IP: net.IPv4(172, 17, 0, 2), Port: 6060}, http.StatusMisdirectedRequest},
		{"gw2.internal:6060", nil, http.StatusMisdirectedRequest},
		{"internal", nil, http.StatusMisdirectedRequest},
		{"10.0.0.12:6060", nil, http.StatusMisdirectedRequest},
	}
	for _, tc := range tests {
		r := httptest.NewRequest(http.MethodGet, "/debug/pprof/", nil)
		r.Host = tc.host
		if tc.local != nil {
			r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, tc.local))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != tc.want {
			t.Errorf("Host %q, local address %v: %d, want %d", tc.host, tc.local, rec.Code, tc.want)
		}
	}
	if l := logs.String(); !containsAll(l, "level=WARN", "admin: refused a request for another host", "admin.hosts", `host=gw2.internal:6060`) {
		t.Errorf("refusal not logged as wanted:\n%s", l)
	}
}

func TestValidateAdminHosts(t *testing.T) {
	for _, tc := range []struct {
		hosts []string
		want  string // "" for valid
	}{
		{[]string{"gw1.internal", "monitor", "10.0.0.11", "2001:db8::7"}, ""},
		{[]string{"gw1.internal:6060"}, "admin.hosts: \"gw1.internal:6060\": not a plain host name"},
		{[]string{"http://gw1.internal"}, "admin.hosts: \"http://gw1.internal\": not a plain host name"},
		{[]string{"*.internal"}, "wildcards"},
		{[]string{""}, "empty name"},
	} {
		c := testConfig(t)
		c.Admin.Hosts = tc.hosts
		err := c.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("admin.hosts %q: %v, want valid", tc.hosts, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("admin.hosts %q: %v, want an error saying %q", tc.hosts, err, tc.want)
		}
	}
}
