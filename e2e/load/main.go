// Command load drives players through a real Drawbridge gateway and
// reports what they see: round-trip latency, messages per second, the
// gateway's CPU per message and its memory per connected player, how
// players already connected fare while the login endpoint is flooded, and
// how fast a talkative game's output reaches its players.
//
// It builds the gateway (or takes -bin), runs it as its own process with
// the self-signed certificate, in front of an echo game it serves on
// loopback, and talks to it as browsers do: a guest session from
// /api/guest, then WebSockets with the drawbridge.v1 wire. Every loop is
// bounded by a count or a duration; everything listens on 127.0.0.1.
//
//	go run ./e2e/load                          # every scenario
//	go run ./e2e/load -scenarios echo1,flood   # some of them
//
// Scenarios:
//
//	echo1    1 player, 5000 round trips of 64 bytes
//	echo100  100 players, 500 round trips of 64 bytes each
//	echo500  500 players, 100 round trips of 512 bytes each
//	idle     -idle players connected and held for -hold; memory per player
//	flood    100 players echoing 10 times a second each, first alone and
//	         then while -flooders clients send wrong passwords to
//	         /api/login as fast as they are answered (the per-address
//	         limit lifted, so every attempt costs a hash)
//	refused  the same players, and a client on another address polling
//	         GET /api/session every 50 ms, first alone and then while
//	         -flooders clients on a third address send wrong passwords
//	         with the limits as shipped, so almost all are refused
//	         unhashed: does a flood of refusals cost anyone else? On
//	         SQLite; refused-pg runs it on PostgreSQL (started for the
//	         run; not in the default run). -refused-rate paces the flood,
//	         to compare systems at one rate
//	talk1    a talkative game: 1 player asks for -talk-size (50 MiB) of
//	         ANSI-coloured MUD output and takes it in; MiB/s, time to
//	         deliver, the system's memory peak and CPU per MiB
//	talk20   the same for 20 players at once, -talk-size each
//	cluster  two gateway nodes sharing one PostgreSQL (Debian's
//	         postgresql, started for the run), players on one guest
//	         session got from node 1 and used on both: -cluster-players
//	         players echoing -cluster-rounds round trips of 64 bytes,
//	         split over the nodes, then, on fresh nodes,
//	         -cluster-held players held for -hold; latency per node and
//	         overall, players held and memory per node. Not in the
//	         default run: it needs PostgreSQL, and adds about a minute
//	         and a half to a run that already takes a few minutes
//
// The echo and talk scenarios run through each of -systems in turn: the
// gateway, and websockify and socat bridging the same game for comparison.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("bin", "", "the gateway binary (default: build ./gateway into a temporary directory)")
	scenarios := flag.String("scenarios", "echo1,echo100,echo500,idle,flood,refused,talk1,talk20", "comma-separated scenarios to run")
	talkSize := flag.String("talk-size", "50MiB", "how much output each player asks the game for in the talk scenarios (KiB, MiB, GiB or bytes)")
	idle := flag.Int("idle", 10000, "players in the idle scenario")
	hold := flag.Duration("hold", 30*time.Second, "how long the idle and cluster scenarios hold their players")
	flooders := flag.Int("flooders", 32, "concurrent clients flooding /api/login in the flood and refused scenarios")
	phase := flag.Duration("phase", 10*time.Second, "length of each phase of the flood and refused scenarios")
	flag.IntVar(&floodPlayers, "flood-players", floodPlayers, "players echoing in the flood and refused scenarios")
	flag.IntVar(&refusedRate, "refused-rate", refusedRate, "paces the refused scenario's flood at this many requests a second in all; 0: as fast as they are answered")
	flag.StringVar(&compression, "compress", compression, "the gateway's web.compression toward the players, who offer permessage-deflate as browsers do: off, frame or stream")
	flag.BoolVar(&resumable, "resume", resumable, "drawbridge players say they can resume and acknowledge output, as the web client does; false measures without the replay buffer")
	cluster := clusterConfig{size: 64}
	flag.IntVar(&cluster.players, "cluster-players", 200, "players echoing in the cluster scenario, split evenly over its two nodes")
	flag.IntVar(&cluster.rounds, "cluster-rounds", 500, "round trips each echoing player makes in the cluster scenario")
	flag.IntVar(&cluster.held, "cluster-held", 2000, "idle players the cluster scenario holds, split evenly over its two nodes")
	systemList := flag.String("systems", "drawbridge,websockify,socat", "what the echo and talk scenarios go through: drawbridge, and websockify and socat (Debian packages) for comparison")
	flag.Parse()
	size, err := parseSize(*talkSize)
	if err != nil {
		fmt.Fprintf(os.Stderr, "load: -talk-size %s: %v\n", *talkSize, err)
		os.Exit(2)
	}

	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if cluster.players < clusterNodes || cluster.rounds < 1 || cluster.held < 0 {
		fmt.Fprintf(os.Stderr, "load: -cluster-players must be at least %d, -cluster-rounds at least 1, -cluster-held not negative\n", clusterNodes)
		os.Exit(2)
	}
	cluster.hold, cluster.heldSet = *hold, set["cluster-held"]
	systems = strings.Split(*systemList, ",")
	if err := run(*bin, strings.Split(*scenarios, ","), *idle, set["idle"], *hold, *flooders, *phase, size, cluster); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(bin string, scenarios []string, idle int, idleSet bool, hold time.Duration, flooders int, phase time.Duration, talkSize int, cluster clusterConfig) error {
	limit := raiseFileLimit()
	if slices.Contains(scenarios, "idle") {
		var err error
		if idle, err = fitFileLimit("idle", "-idle", idle, idleSet, limit); err != nil {
			return err
		}
	}
	if slices.Contains(scenarios, "cluster") {
		var err error
		if cluster.held, err = fitFileLimit("cluster", "-cluster-held", cluster.held, cluster.heldSet, limit); err != nil {
			return err
		}
	}
	if bin == "" {
		dir, err := os.MkdirTemp("", "drawbridge-load-bin-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "drawbridge")
		fmt.Fprintln(os.Stderr, "load: building the gateway")
		cmd := exec.Command("go", "build", "-o", bin, "./gateway")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build ./gateway (run from the repository's root): %v\n%s", err, out)
		}
	}
	game, err := startEchoGame()
	if err != nil {
		return err
	}
	defer game.Close()

	var (
		extra []string
		table string // the header of the table being printed
	)
	header := func(h string) {
		if h != table {
			if table != "" {
				fmt.Println()
			}
			fmt.Println(h)
			table = h
		}
	}
	for _, name := range scenarios {
		name = strings.TrimSpace(name)
		var (
			res  []result
			line string
			err  error
		)
		switch name {
		case "echo1", "echo100", "echo500":
			sc := echoScenarios[name]
			for _, sys := range systems {
				var r result
				if r, err = echoScenario(starter(sys, bin, game), name, sc.players, sc.rounds, sc.size); err != nil {
					break
				}
				res = append(res, r)
			}
			line = ratios(res)
		case "idle":
			line, err = idleScenario(bin, game, idle, hold)
		case "flood":
			res, line, err = floodScenario(bin, game, flooders, phase)
		case "refused":
			res, line, err = refusedScenario(bin, game, "sqlite", flooders, phase)
		case "refused-pg":
			res, line, err = refusedScenario(bin, game, "postgres", flooders, phase)
		case "cluster":
			res, line, err = clusterScenario(bin, game, cluster)
		case "talk1", "talk20":
			var talk []talkResult
			for _, sys := range systems {
				var r talkResult
				if r, err = talkScenario(starter(sys, bin, game), name, talkScenarios[name], talkSize, game.block); err != nil {
					break
				}
				if r.firstErr != nil {
					fmt.Fprintf(os.Stderr, "load: %s: %d players failed, the first: %v\n", r.name, r.errs, r.firstErr)
				}
				talk = append(talk, r)
			}
			if err == nil {
				header(talkHeader)
				for _, r := range talk {
					fmt.Println(r.row())
				}
				if !slices.Contains(extra, talkNote(talkSize)) {
					extra = append(extra, talkNote(talkSize))
				}
				line = talkRatios(talk)
			}
		default:
			err = fmt.Errorf("unknown scenario %q", name)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if len(res) > 0 {
			header(echoHeader)
		}
		for _, r := range res {
			fmt.Println(r.row())
		}
		if line != "" {
			extra = append(extra, line)
		}
	}
	for _, l := range extra {
		fmt.Println()
		fmt.Println(l)
	}
	return nil
}

// fitFileLimit bounds the n players a scenario holds at once by the
// open-file limit: each holds two descriptors in this process (its
// WebSocket and the echo game's end), and 128 are kept for the rest. When
// n was not asked for (set false) it returns what fits, rounded down to a
// hundred, and says so; when it was, an error.
func fitFileLimit(scenario, flagName string, n int, set bool, limit uint64) (int, error) {
	if uint64(2*n+128) <= limit {
		return n, nil
	}
	if set {
		return 0, fmt.Errorf("the %s scenario's %d players need %d open files, and the limit is %d: raise it (ulimit -n, as root) or pass a smaller %s", scenario, n, 2*n+128, limit, flagName)
	}
	fits := 0
	if limit > 128 {
		fits = int(limit-128) / 2 / 100 * 100
	}
	fmt.Fprintf(os.Stderr, "load: the open-file limit is %d (hard): the %s scenario holds %d players instead of %d\n", limit, scenario, fits, n)
	return fits, nil
}

// raiseFileLimit lifts the open-file limit for this process and the
// gateway, which inherits it: each idle player holds two descriptors here
// (its WebSocket and the echo game's end) and two in the gateway. As root
// it raises the hard limit too. It returns the limit in force.
func raiseFileLimit() uint64 {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) != nil {
		return 0
	}
	const want = 1 << 18
	if l.Max < want {
		up := syscall.Rlimit{Cur: want, Max: want}
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &up) == nil {
			return want
		}
	}
	l.Cur = l.Max
	syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l)
	return l.Cur
}

// systems are what the echo scenarios run through, by name.
var systems = []string{"drawbridge"}

// starter returns how to start the named system in front of game.
func starter(name, bin string, game *echoGame) func() (system, error) {
	return func() (system, error) {
		switch name {
		case "drawbridge":
			return startGateway(bin, game.Addr())
		case "websockify":
			return startWebsockify(game.Addr())
		case "socat":
			return startSocat(game.Addr())
		}
		return nil, fmt.Errorf("unknown system %q", name)
	}
}

// ratios compares the gateway's row with the others': throughput as
// gateway/other, p99 as other/gateway (above 1: the gateway is better).
func ratios(res []result) string {
	if len(res) < 2 || !strings.HasSuffix(res[0].name, " drawbridge") {
		return ""
	}
	gw := res[0]
	var parts []string
	for _, o := range res[1:] {
		tput := float64(len(gw.lat)) / gw.elapsed.Seconds() / (float64(len(o.lat)) / o.elapsed.Seconds())
		parts = append(parts, fmt.Sprintf("vs %s: throughput x%.2f, p99 x%.2f", o.name, tput, float64(pct(o.lat, 0.99))/float64(max(1, pct(gw.lat, 0.99)))))
	}
	return gw.name + " " + strings.Join(parts, "; ")
}

// echoScenarios are the closed-loop echo scenarios by name.
var echoScenarios = map[string]struct{ players, rounds, size int }{
	"echo1":   {1, 5000, 64},
	"echo100": {100, 500, 64},
	"echo500": {500, 100, 512},
}

// connect starts n players through sys, a few at a time.
func connect(ctx context.Context, sys system, n int) ([]roundTripper, error) {
	players := make([]roundTripper, n)
	errs := make([]error, n)
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	for i := range players {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			players[i], errs[i] = sys.dial(ctx)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, p := range players {
			if p != nil {
				p.Close()
			}
		}
		return nil, fmt.Errorf("connecting %d players: %w", n, firstLine(err))
	}
	return players, nil
}

func firstLine(err error) error {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return errors.New(s)
}

// payload is a printable line of n bytes.
func payload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + byte(i%26)
	}
	return b
}

// echoScenario: n players each make rounds closed-loop round trips of size
// bytes, all at once, through the system start starts.
func echoScenario(start func() (system, error), name string, n, rounds, size int) (result, error) {
	sys, err := start()
	if err != nil {
		return result{}, err
	}
	defer sys.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	players, err := connect(ctx, sys, n)
	if err != nil {
		return result{}, err
	}

	cpu0, begin := sys.cpu(), time.Now()
	lat, errs := echoRounds(ctx, players, rounds, payload(size))
	elapsed := time.Since(begin)
	// Proxies that fork a process per connection count its CPU once it
	// has exited and been reaped.
	closeAll(players)
	time.Sleep(300 * time.Millisecond)
	return newResult(name+" "+sys.name(), n, lat, elapsed, sys.cpu()-cpu0, errs), nil
}

// echoRounds has every player make rounds closed-loop round trips of
// line, all at once, and returns each player's latencies and errors (a
// player stops at its first error).
func echoRounds(ctx context.Context, players []roundTripper, rounds int, line []byte) ([][]time.Duration, []int) {
	lat := make([][]time.Duration, len(players))
	errs := make([]int, len(players))
	var wg sync.WaitGroup
	for i, p := range players {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat[i] = make([]time.Duration, 0, rounds)
			for range rounds {
				d, err := p.roundTrip(ctx, line)
				if err != nil {
					if os.Getenv("LOADDEBUG") != "" {
						fmt.Fprintln(os.Stderr, "round trip:", err)
					}
					errs[i]++
					return
				}
				lat[i] = append(lat[i], d)
			}
		}()
	}
	wg.Wait()
	return lat, errs
}

// echoHeader heads the table of round-trip scenarios.
const echoHeader = "| scenario | players | round trips | msg/s | p50 | p99 | CPU per msg | errors |\n|---|---|---|---|---|---|---|---|"

// result is what one scenario, or one phase of it, measured.
type result struct {
	name    string
	players int
	lat     []time.Duration // every round trip's, sorted
	elapsed time.Duration
	cpu     time.Duration // of the system under load (gateway or proxy)
	errs    int
}

func newResult(name string, players int, lat [][]time.Duration, elapsed, cpu time.Duration, errs []int) result {
	all := slices.Concat(lat...)
	slices.Sort(all)
	return result{name, players, all, elapsed, cpu, sum(errs)}
}

// row is the result as a line of the README's table.
func (r result) row() string {
	perMsg := "-"
	if len(r.lat) > 0 && r.cpu > 0 {
		perMsg = (r.cpu / time.Duration(len(r.lat))).Round(100 * time.Nanosecond).String()
	}
	return fmt.Sprintf("| %s | %d | %d | %.0f | %v | %v | %s | %d |", r.name, r.players, len(r.lat),
		float64(len(r.lat))/r.elapsed.Seconds(), pct(r.lat, 0.50), pct(r.lat, 0.99), perMsg, r.errs)
}

func pct(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))].Round(time.Microsecond)
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

func closeAll(players []roundTripper) {
	var wg sync.WaitGroup
	for _, p := range players {
		wg.Add(1)
		go func() { defer wg.Done(); p.Close() }()
	}
	wg.Wait()
}

// idleScenario connects n players, holds them for hold, checks each still
// answers, and reports the gateway's memory per player.
func idleScenario(bin string, game *echoGame, n int, hold time.Duration) (string, error) {
	g, err := startGateway(bin, game.Addr())
	if err != nil {
		return "", err
	}
	defer g.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), hold+10*time.Minute)
	defer cancel()
	before, err := g.rssKB()
	if err != nil {
		return "", err
	}
	stats0, err := g.goStats()
	if err != nil {
		return "", err
	}
	start := time.Now()
	players, err := connect(ctx, g, n)
	if err != nil {
		return "", err
	}
	defer closeAll(players)
	connected := time.Since(start)
	for _, p := range players {
		if p, ok := p.(*player); ok {
			p.answerPings(ctx)
		}
	}
	time.Sleep(hold)
	after, err := g.rssKB()
	if err != nil {
		return "", err
	}
	stats1, err := g.goStats()
	if err != nil {
		return "", err
	}
	per := func(k string) float64 { return (stats1[k] - stats0[k]) / float64(n) }
	// Every player still reaches the game after the hold.
	errs := make([]int, len(players))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 256)
	// 512 bytes: above the compression thresholds, so with web.compression
	// on, each player's compressor is in use afterwards.
	line := payload(512)
	for i, p := range players {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if _, err := p.roundTrip(ctx, line); err != nil {
				errs[i]++
			}
		}()
	}
	wg.Wait()
	// What the players cost once each has sent and received a line (the
	// compressor's window, with web.compression "stream").
	active, err := g.rssKB()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("idle: %d players connected in %v, held %v; gateway RSS %d KiB before, %d KiB after: %.1f KiB per player (TLS, wire, telnet to the game); after a garbage collection, Go heap in use %.1f KiB (live %.1f KiB) and goroutine stacks %.1f KiB per player, in %.1f goroutines; %d of them failed a round trip of 512 bytes after the hold, after which RSS is %.1f KiB per player (web.compression %q)",
		n, connected.Round(time.Millisecond), hold, before, after, float64(after-before)/float64(n),
		per("go_memstats_heap_inuse_bytes")/1024, per("go_memstats_heap_alloc_bytes")/1024,
		per("go_memstats_stack_inuse_bytes")/1024, per("go_goroutines"), sum(errs),
		float64(active-before)/float64(n), compression), nil
}
