package main

import (
	"strings"
	"testing"
	"time"
)

// TestRefusedScenario runs a small refused-login flood on each store: the
// flood is answered (almost all 429s), and the players and the other
// address's session polls all succeed meanwhile.
func TestRefusedScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the gateway")
	}
	bin, game := gatewayAndGame(t)
	old := floodPlayers
	floodPlayers = 5
	defer func() { floodPlayers = old }()
	for _, store := range []string{"sqlite", "postgres"} {
		// A budget of one hash a minute: every attempt after the first is
		// refused, however slowly a busy machine hashes that one.
		res, line, err := refusedScenario(bin, game, store, 2, 2*time.Second, "DRAWBRIDGE_ACCOUNTS_LIMITS_LOGIN_PER_ADDR_N=1")
		if err != nil {
			t.Fatalf("%s: %v", store, err)
		}
		if len(res) != 4 {
			t.Fatalf("%s: %d rows, want 4 (players and polls, before and during)", store, len(res))
		}
		for _, r := range res {
			if r.errs != 0 || len(r.lat) == 0 {
				t.Errorf("%s: %s: %d round trips, %d errors; want some and none", store, r.name, len(r.lat), r.errs)
			}
		}
		if !strings.Contains(line, "429: ") {
			t.Errorf("%s: the flood was never refused by the address's limit: %s", store, line)
		}
		t.Log(line)
	}
}
