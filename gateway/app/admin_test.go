package app

import (
	"context"
	"io"
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
		ready:   &atomic.Bool{},
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
		adminHandler(src).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
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
