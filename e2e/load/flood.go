package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

var floodPlayers = 100

// floodScenario shows whether players already connected keep their echo
// latency while logins are flooded. 100 players make a round trip every
// 100 ms each; after one phase alone, flooders clients send wrong
// passwords for random names to /api/login, as fast as they are answered,
// for a second phase. The per-address login limit is lifted, as for a
// flood from many addresses, so every attempt reaches the password hash.
func floodScenario(bin string, game *echoGame, flooders int, phase time.Duration) ([]result, string, error) {
	g, err := startGateway(bin, game.Addr(),
		"DRAWBRIDGE_ACCOUNTS_LIMITS_LOGIN_PER_ADDR_N=100000000",
		"DRAWBRIDGE_ACCOUNTS_LIMITS_LOGIN_PER_ADDR_PER=1s")
	if err != nil {
		return nil, "", err
	}
	defer g.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*phase+5*time.Minute)
	defer cancel()
	n := floodPlayers
	players, err := connect(ctx, g, n)
	if err != nil {
		return nil, "", err
	}
	defer closeAll(players)

	var results []result
	measure := func(name string, during func(stop <-chan struct{})) {
		results = append(results, pacedPhase(ctx, g, players, name, phase, during))
	}

	measure("flood: before", nil)
	fl := loginFlood{g: g, flooders: flooders}
	measure("flood: during", func(stop <-chan struct{}) { fl.run(ctx, stop) })
	return results, fmt.Sprintf("flood: %d clients sent %s; 401 = hashed and refused, 503 = refused unhashed while the hash slots were full)",
		flooders, fl.summary()), nil
}

// loginFlood is flooders clients sending wrong passwords for made-up
// names to /api/login, each as fast as it is answered, or all together
// at rate requests a second if rate is above 0; from the loopback
// address src ("" for the default).
type loginFlood struct {
	g        *gatewayProc
	flooders int
	rate     int
	src      string

	mu       sync.Mutex
	statuses map[string]int // answers by HTTP status, or "error"
	attempts int64
	elapsed  time.Duration
}

// run floods until stop closes.
func (fl *loginFlood) run(ctx context.Context, stop <-chan struct{}) {
	fl.statuses = map[string]int{}
	start := time.Now()
	var wg sync.WaitGroup
	for f := range fl.flooders {
		wg.Go(func() {
			c := fl.g.clientFrom(fl.src)
			var pace <-chan time.Time
			if fl.rate > 0 {
				t := time.NewTicker(time.Duration(fl.flooders) * time.Second / time.Duration(fl.rate))
				defer t.Stop()
				pace = t.C
			}
			for i := 0; ; i++ {
				if pace != nil {
					select {
					case <-stop:
						return
					case <-pace:
					}
				} else {
					select {
					case <-stop:
						return
					default:
					}
				}
				status, err := fl.g.post(ctx, c, "/api/login", map[string]string{
					"name":     fmt.Sprintf("flood%dx%d", f, i),
					"password": "not the password at all",
				})
				key := fmt.Sprint(status)
				if err != nil {
					key = "error"
				}
				fl.mu.Lock()
				fl.attempts++
				fl.statuses[key]++
				fl.mu.Unlock()
			}
		})
	}
	wg.Wait()
	fl.elapsed = time.Since(start)
}

// summary says how many requests were sent, how fast they were
// answered, and with what, for the scenario's line.
func (fl *loginFlood) summary() string {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(fl.statuses)) {
		parts = append(parts, fmt.Sprintf("%s: %d", k, fl.statuses[k]))
	}
	return fmt.Sprintf("%d wrong logins in %v (%.0f/s answered; by HTTP status %s", fl.attempts, fl.elapsed.Round(time.Millisecond),
		float64(fl.attempts)/fl.elapsed.Seconds(), strings.Join(parts, ", "))
}

// pacedPhase has every player make a round trip of 64 bytes every 100
// ms (spread over the period) for phase, while during (if not nil) runs
// until its stop channel closes, and returns what the players saw, with
// the gateway's CPU over the phase.
func pacedPhase(ctx context.Context, g *gatewayProc, players []roundTripper, name string, phase time.Duration, during func(stop <-chan struct{})) result {
	n := len(players)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	lat := make([][]time.Duration, n)
	errs := make([]int, n)
	line := payload(64)
	for i, p := range players {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			// Spread the players over the period.
			time.Sleep(time.Duration(i) * time.Millisecond)
			for {
				select {
				case <-stop:
					return
				case <-t.C:
				}
				d, err := p.roundTrip(ctx, line)
				if err != nil {
					errs[i]++
					return
				}
				lat[i] = append(lat[i], d)
			}
		}()
	}
	if during != nil {
		wg.Add(1)
		go func() { defer wg.Done(); during(stop) }()
	}
	cpu0, start := g.cpu(), time.Now()
	time.Sleep(phase)
	close(stop)
	elapsed, cpu := time.Since(start), g.cpu()-cpu0
	wg.Wait()
	return newResult(name, n, lat, elapsed, cpu, errs)
}
