package app

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
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
			Uptime    *int64  `json:"uptime"`
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
		gs.Uptime == nil || time.Since(time.Unix(*gs.Uptime, 0)) > time.Minute || gs.Codebase != "Drawbridge demo" {
		t.Errorf("got %+v, want the demo's MSSP answer", gs)
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
