package web

import (
	"net/http"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/status"
	"github.com/labstack/echo/v4"
)

// statusMaxAge is how long browsers and caches may keep GET /api/status:
// the status changes every few minutes at most, and a crowd opening the
// front page at once then costs one answer each few seconds.
const statusMaxAge = "public, max-age=5"

// statusJSON is GET /api/status's answer: the game's public status and
// the gateway's own count.
type statusJSON struct {
	Game    gameStatusJSON    `json:"game"`
	Gateway gatewayStatusJSON `json:"gateway"`
}

// gameStatusJSON is what the gateway knows of the game. Players,
// StartedAt and UptimeSeconds are null unless the last check got them
// over MSSP (and no connection failed since); Checked is when the
// gateway last learnt whether the game is reachable (a check, or a
// player's connection), null before it has, and Reachable then says
// nothing.
type gameStatusJSON struct {
	Name      string  `json:"name"`
	Reachable bool    `json:"reachable"`
	Checked   *string `json:"checked"`
	MSSP      bool    `json:"mssp"`
	Players   *int    `json:"players"`
	// StartedAt is when the game started (MSSP's UPTIME, a Unix time),
	// in RFC 3339.
	StartedAt *string `json:"started_at"`
	// UptimeSeconds is how long the game had been up at Checked.
	UptimeSeconds *int64 `json:"uptime_seconds"`
	Codebase      string `json:"codebase,omitempty"`
	Contact       string `json:"contact,omitempty"`
	Website       string `json:"website,omitempty"`
	Language      string `json:"language,omitempty"`
}

type gatewayStatusJSON struct {
	Players int `json:"players"`
}

// gameStatus serves GET /api/status. It needs no session: it is the front
// page's, shown before anyone logs in, and says only what the game itself
// publishes over MSSP.
func (s *Server) gameStatus(c echo.Context) error {
	snap := s.cfg.Status()
	c.Response().Header().Set("Cache-Control", statusMaxAge)
	return c.JSON(http.StatusOK, statusOf(snap, s.cfg.GameName))
}

// statusOf turns a snapshot into the answer. name is the configured game
// name, used when the game gave none.
func statusOf(snap status.Snapshot, name string) statusJSON {
	g := snap.Game
	out := statusJSON{
		Game: gameStatusJSON{
			Name:      name,
			Reachable: snap.Reachable,
			MSSP:      snap.MSSP,
			Codebase:  g.Codebase,
			Contact:   g.Contact,
			Website:   g.Website,
			Language:  g.Language,
		},
		Gateway: gatewayStatusJSON{Players: snap.WebPlayers},
	}
	if g.Name != "" {
		out.Game.Name = g.Name
	}
	if !snap.Checked.IsZero() {
		t := snap.Checked.UTC().Format(time.RFC3339)
		out.Game.Checked = &t
	}
	// Numbers only from an answer of the last check: a game that stopped
	// answering has no player count, whatever it said before.
	if snap.Reachable && snap.MSSP {
		if g.Players >= 0 {
			n := g.Players
			out.Game.Players = &n
		}
		if !g.Started.IsZero() {
			at := g.Started.UTC().Format(time.RFC3339)
			up := int64(max(snap.Checked.Sub(g.Started), 0) / time.Second)
			out.Game.StartedAt, out.Game.UptimeSeconds = &at, &up
		}
	}
	return out
}
