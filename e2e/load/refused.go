package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"
)

// The refused scenario: does a flood of refused logins from one address
// cost anyone else? 100 players echo 10 times a second each, and a
// client on another address polls GET /api/session (what every page
// load and API call does: a session look-up) every 50 ms; after one
// phase alone, flooders clients on a third address send wrong passwords
// to /api/login as fast as they are answered, with the gateway's
// per-address limits as shipped, so all but the first few are refused
// (429) without a hash. It runs on each store: SQLite, the default, and
// PostgreSQL (Debian's, started for the run), where refusals once held a
// hot row's lock and queued everyone's connections behind it.

// refusedRate, when above 0, paces the refused scenario's flood at this
// many requests a second in all (-refused-rate): to compare systems at the
// same flood, rather than at as many as each can answer.
var refusedRate = 0

// The scenario's addresses: all loopback, so the gateway tells them apart.
const (
	refusedFloodAddr  = "127.0.0.2" // the flood
	refusedPollerAddr = "127.0.0.3" // the other address, polling its session
)

// refusedScenario runs the refused-login flood on store ("sqlite" or
// "postgres"); extra are more DRAWBRIDGE_* settings.
func refusedScenario(bin string, game *echoGame, store string, flooders int, phase time.Duration, extra ...string) ([]result, string, error) {
	env := extra
	if store == "postgres" {
		pgEnv, stop, err := startPostgres("refused-pg")
		if err != nil {
			return nil, "", err
		}
		defer stop()
		env = append(env, pgEnv...)
	}
	g, err := startGateway(bin, game.Addr(), env...)
	if err != nil {
		return nil, "", err
	}
	defer g.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*phase+5*time.Minute)
	defer cancel()
	players, err := connect(ctx, g, floodPlayers)
	if err != nil {
		return nil, "", err
	}
	defer closeAll(players)

	// The poller: its own session, from its own address.
	poller := g.clientFrom(refusedPollerAddr)
	if status, err := g.post(ctx, poller, "/api/guest", map[string]any{}); err != nil || status/100 != 2 {
		return nil, "", fmt.Errorf("poller's guest session: %d %v", status, err)
	}
	poll := func(stop <-chan struct{}) ([]time.Duration, int) {
		var lat []time.Duration
		errs := 0
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return lat, errs
			case <-t.C:
			}
			start := time.Now()
			status, err := g.get(ctx, poller, "/api/session")
			if err != nil || status != http.StatusOK {
				errs++
				continue
			}
			lat = append(lat, time.Since(start))
		}
	}

	var res []result
	fl := loginFlood{g: g, flooders: flooders, rate: refusedRate, src: refusedFloodAddr}
	for _, flood := range []bool{false, true} {
		when := map[bool]string{false: "before", true: "during"}[flood]
		var (
			pollLat  []time.Duration
			pollErrs int
		)
		echo := pacedPhase(ctx, g, players, fmt.Sprintf("refused %s: players, %s", store, when), phase, func(stop <-chan struct{}) {
			var wg sync.WaitGroup
			wg.Go(func() { pollLat, pollErrs = poll(stop) })
			if flood {
				wg.Go(func() { fl.run(ctx, stop) })
			}
			wg.Wait()
		})
		slices.Sort(pollLat)
		res = append(res, echo, result{name: fmt.Sprintf("refused %s: /api/session from another address, %s", store, when),
			players: 1, lat: pollLat, elapsed: echo.elapsed, errs: pollErrs})
	}
	ratio := func(i int, q float64) float64 {
		return float64(pct(res[i+2].lat, q)) / float64(max(1, pct(res[i].lat, q)))
	}
	paced := "as fast as answered"
	if refusedRate > 0 {
		paced = fmt.Sprintf("paced at %d/s", refusedRate)
	}
	return res, fmt.Sprintf("refused %s: %d clients on %s, %s, sent %s; 429 = refused by the address's limit, no hash); during the flood, p50/p99 were x%.2f/x%.2f of before for the players and x%.2f/x%.2f for /api/session from %s (aim: within x2)",
		store, flooders, refusedFloodAddr, paced, fl.summary(), ratio(0, 0.5), ratio(0, 0.99), ratio(1, 0.5), ratio(1, 0.99), refusedPollerAddr), nil
}
