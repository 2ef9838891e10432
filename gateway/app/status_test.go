package app

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/gateway/internal/demo"
	"github.com/drawbridge/drawbridge/shared/wire"
)

func TestValidateStatusInterval(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string // "" for valid
	}{
		{5 * time.Minute, ""},
		{30 * time.Second, ""},
		{-time.Second, ""}, // off
		{0, "game.status_interval: must be at least 30s"},
		{29 * time.Second, "game.status_interval: must be at least 30s"},
	} {
		c := Default()
		c.StateDir = t.TempDir()
		c.Game.StatusInterval = tc.d
		err := c.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: got %v, want valid", tc.d, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: got %v, want %q", tc.d, err, tc.want)
		}
	}
}

// The gateway checks the demo game at start: /api/status and the admin
// metrics show its MSSP answer.
func TestGameStatus(t *testing.T) {
	g, _ := start(t, testConfig(t))
	c := client(g)
	defer c.CloseIdleConnections()
	var st struct {
		Game struct {
			Name      string  `json:"name"`
			Reachable bool    `json:"reachable"`
			Checked   *string `json:"checked"`
			MSSP      bool    `json:"mssp"`
			Players   *int    `json:"players"`
			StartedAt *string `json:"started_at"`
			Uptime    *int64  `json:"uptime_seconds"`
			Codebase  string  `json:"codebase"`
		} `json:"game"`
		Gateway struct {
			Players int `json:"players"`
		} `json:"gateway"`
	}
	deadline := time.Now().Add(10 * time.Second)
	for st.Game.Checked == nil {
		if time.Now().After(deadline) {
			t.Fatal("the game was not checked within 10 s of start")
		}
		resp, err := c.Get("https://localhost:" + port(g.HTTPSAddr()) + "/api/status")
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/status: %d, %v", resp.StatusCode, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	gs := st.Game
	if gs.Name != "Drawbridge Demo" || !gs.Reachable || !gs.MSSP || gs.Players == nil || *gs.Players != 0 ||
		gs.Uptime == nil || *gs.Uptime < 0 || *gs.Uptime > 60 || gs.Codebase != "Drawbridge demo" {
		t.Errorf("got %+v, want the demo's MSSP answer", gs)
	}
	if gs.StartedAt == nil {
		t.Fatalf("started_at is null")
	}
	if at, err := time.Parse(time.RFC3339, *gs.StartedAt); err != nil || time.Since(at) > time.Minute {
		t.Errorf("started_at = %q (%v), want the demo's start in RFC 3339", *gs.StartedAt, err)
	}

	resp, err := http.Get("http://" + g.AdminAddr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"drawbridge_game_reachable 1", "drawbridge_game_mssp 1", "drawbridge_game_players 0", "drawbridge_game_status_checked_timestamp_seconds "} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// With the checks off, /api/status still tells the gateway's players and
// claims nothing about the game.
func TestGameStatusOff(t *testing.T) {
	cfg := testConfig(t)
	cfg.Game.StatusInterval = -1
	g, _ := start(t, cfg)
	c := client(g)
	defer c.CloseIdleConnections()
	time.Sleep(100 * time.Millisecond)
	resp, err := c.Get("https://localhost:" + port(g.HTTPSAddr()) + "/api/status")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `"checked":null`; !strings.Contains(string(b), want) || !strings.Contains(string(b), `"gateway":{"players":0}`) {
		t.Errorf("got %s, want no check and the gateway's players", b)
	}
}

// gameStatusOf asks g's /api/status and returns the game's part.
func gameStatusOf(t *testing.T, c *http.Client, g *Gateway) (reachable bool, checked *string) {
	t.Helper()
	resp, err := c.Get("https://localhost:" + port(g.HTTPSAddr()) + "/api/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Game struct {
			Reachable bool    `json:"reachable"`
			Checked   *string `json:"checked"`
		} `json:"game"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st.Game.Reachable, st.Game.Checked
}

// TestGameDownSeenByPlayersDial: the game's listener closes; the next
// player's connection, failing to reach it, makes /api/status and
// drawbridge_game_reachable say so at once, not at the next check five
// minutes later; a game back on its address is seen by the next dial.
func TestGameDownSeenByPlayersDial(t *testing.T) {
	gameLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := gameLn.Addr().String()
	serveGame := func(ln net.Listener) (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			demo.New(demo.Config{}).Serve(ctx, ln)
		}()
		return func() { cancel(); ln.Close(); <-done }
	}
	stopGame := serveGame(gameLn)
	defer func() { stopGame() }()

	cfg := testConfig(t)
	cfg.Game.Backend = addr
	cfg.Game.StatusInterval = time.Hour // no check will come to the rescue
	g, _ := start(t, cfg)
	c := client(g)
	defer c.CloseIdleConnections()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if ok, checked := gameStatusOf(t, c, g); ok && checked != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first check did not find the game within 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}

	playOnce := func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		ws, _, err := websocket.Dial(ctx, "wss://localhost:"+port(g.HTTPSAddr())+"/ws", &websocket.DialOptions{
			Subprotocols: []string{wire.Subprotocol},
			HTTPClient:   player(t, g, "P"+strconv.FormatInt(time.Now().UnixNano()%1e9, 36)),
		})
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer ws.CloseNow()
		// The first frame comes once the gateway has dialed the game:
		// its output, or the status saying it is not answering.
		if _, _, err := ws.Read(ctx); err != nil && websocket.CloseStatus(err) == -1 {
			t.Fatalf("read: %v", err)
		}
	}

	// The player's first frame may come before the dial has ended: poll
	// (no check is due for an hour, so only the dial can change it).
	waitStatus := func(want bool, what string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			ok, _ := gameStatusOf(t, c, g)
			if ok == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("/api/status: reachable = %v 20 s after %s, want %v", ok, what, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	stopGame()
	playOnce()
	waitStatus(false, "a player's dial to the closed game")
	if _, m := adminGet(t, g, "localhost", "/metrics"); !strings.Contains(m, "drawbridge_game_reachable 0") {
		t.Error("drawbridge_game_reachable is not 0 after a player's dial failed")
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on the game's address again: %v", err)
	}
	stopGame = serveGame(ln)
	playOnce()
	waitStatus(true, "a player's dial to the game back on its address")
}
