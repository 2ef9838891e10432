package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/drawbridge/drawbridge/e2e/pgserver"
)

// clusterNodes is how many gateway nodes the cluster scenario runs.
const clusterNodes = 2

// clusterConfig shapes the cluster scenario (the -cluster-* flags).
type clusterConfig struct {
	players int           // echoing players, split over the nodes
	rounds  int           // round trips each echoing player makes
	size    int           // bytes per round trip
	held    int           // idle players held, split over the nodes
	heldSet bool          // held was asked for, not the default
	hold    time.Duration // how long the held players are held
}

// clusterScenario runs two gateway nodes on one PostgreSQL, as a cluster
// behind a load balancer does, and drives players through both on one
// guest session: node 1 makes it, and the players of both nodes present
// its cookie, so node 2 accepting them shows the session is the cluster's.
// First cc.players players, split evenly, echo cc.rounds round trips each,
// all at once: a row per node and one for both. Then, on two fresh nodes
// (same database, same cookie: the session outlives the nodes that served
// it), cc.held players are connected, split evenly, and held for cc.hold:
// the line says how many each node holds and what they cost it.
func clusterScenario(bin string, game *echoGame, cc clusterConfig) ([]result, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cc.hold+20*time.Minute)
	defer cancel()
	store, closePG, err := startPostgres("cluster")
	if err != nil {
		return nil, "", err
	}
	defer closePG()

	// (a) echo.
	nodes, err := startNodes(bin, game, store)
	if err != nil {
		return nil, "", err
	}
	cookie, err := nodes[0].guestCookie(ctx)
	if err != nil {
		stopNodes(nodes)
		return nil, "", fmt.Errorf("node1: guest session: %w", err)
	}
	// A control: node 2 refuses a cookie it should not know, so its
	// taking node 1's is the shared session, not leniency.
	if p, err := dialPlayer(ctx, nodes[1], spoilCookie(cookie)); err == nil {
		p.Close()
		stopNodes(nodes)
		return nil, "", errors.New("node2 took a made-up session cookie")
	} else if !strings.Contains(err.Error(), "gateway error") {
		stopNodes(nodes)
		return nil, "", fmt.Errorf("node2, with a made-up session cookie: %w (want the gateway to refuse it)", err)
	}
	res, echoLine, err := clusterEcho(ctx, nodes, cookie, cc)
	stopNodes(nodes)
	if err != nil {
		return nil, "", err
	}

	// (b) held, on fresh nodes.
	nodes, err = startNodes(bin, game, store)
	if err != nil {
		return nil, "", err
	}
	defer stopNodes(nodes)
	heldLine, err := clusterHeld(ctx, nodes, cookie, cc)
	if err != nil {
		return nil, "", err
	}
	return res, echoLine + "\n\n" + heldLine, nil
}

// startPostgres starts a PostgreSQL server (Debian's package) for a
// scenario and returns the gateway settings that use it (the URL without
// the password, which goes in a file, as the gateway wants it) and how to
// stop it.
func startPostgres(scenario string) (store []string, stop func(), err error) {
	fmt.Fprintf(os.Stderr, "load: %s: starting PostgreSQL\n", scenario)
	pg, err := pgserver.Launch()
	if err != nil {
		return nil, nil, fmt.Errorf("start PostgreSQL: %w", err)
	}
	dir, err := os.MkdirTemp("", "drawbridge-load-pg-")
	if err == nil {
		var dbURL, password string
		if dbURL, password, err = splitPassword(pg.URL("postgres")); err == nil {
			pwFile := filepath.Join(dir, "pgpass")
			if err = os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err == nil {
				store = []string{
					"DRAWBRIDGE_STORE_POSTGRES_URL=" + dbURL,
					"DRAWBRIDGE_STORE_POSTGRES_PASSWORD_FILE=" + pwFile,
				}
			}
		}
	}
	stop = func() {
		if err := pg.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "load: %s: stop PostgreSQL: %v\n", scenario, err)
		}
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
	if err != nil {
		stop()
		return nil, nil, err
	}
	return store, stop, nil
}

// startNodes starts the cluster's gateway nodes one after the other (the
// first migrates the database) on the store settings.
func startNodes(bin string, game *echoGame, store []string) ([]*gatewayProc, error) {
	var nodes []*gatewayProc
	for i := range clusterNodes {
		g, err := startGateway(bin, game.Addr(), store...)
		if err != nil {
			stopNodes(nodes)
			return nil, fmt.Errorf("start node%d: %w", i+1, err)
		}
		nodes = append(nodes, g)
	}
	return nodes, nil
}

// stopNodes stops the nodes together: each waits for its players.
func stopNodes(nodes []*gatewayProc) {
	var wg sync.WaitGroup
	for _, g := range nodes {
		wg.Add(1)
		go func() { defer wg.Done(); g.Stop() }()
	}
	wg.Wait()
}

// connectNodes connects counts[i] players to nodes[i] on cookie, node by
// node, and returns them by node with how long each node took.
func connectNodes(ctx context.Context, nodes []*gatewayProc, cookie string, counts []int) ([][]roundTripper, []time.Duration, error) {
	players := make([][]roundTripper, len(nodes))
	took := make([]time.Duration, len(nodes))
	for i, g := range nodes {
		g.useCookie(cookie)
		start := time.Now()
		ps, err := connect(ctx, g, counts[i])
		if err != nil {
			for _, ps := range players[:i] {
				closeAll(ps)
			}
			return nil, nil, fmt.Errorf("node%d: %w", i+1, err)
		}
		players[i], took[i] = ps, time.Since(start)
	}
	return players, took, nil
}

// clusterEcho: cc.players players split over the nodes make cc.rounds
// closed-loop round trips each, all at once. A row per node and one for
// all, CPU per message being the nodes' own; the line adds PostgreSQL's
// CPU meanwhile (a bridge's traffic should not touch the database).
func clusterEcho(ctx context.Context, nodes []*gatewayProc, cookie string, cc clusterConfig) ([]result, string, error) {
	counts := split(cc.players, len(nodes))
	byNode, _, err := connectNodes(ctx, nodes, cookie, counts)
	if err != nil {
		return nil, "", err
	}
	all := slices.Concat(byNode...)
	defer closeAll(all)

	cpu0 := make([]time.Duration, len(nodes))
	for i, g := range nodes {
		cpu0[i] = g.cpu()
	}
	pg0, begin := pgCPU(), time.Now()
	lat, errs := echoRounds(ctx, all, cc.rounds, payload(cc.size))
	elapsed := time.Since(begin)
	pgUsed := pgCPU() - pg0

	var (
		res      []result
		first    int
		totalCPU time.Duration
	)
	for i, g := range nodes {
		n := counts[i]
		cpu := g.cpu() - cpu0[i]
		totalCPU += cpu
		res = append(res, newResult(fmt.Sprintf("cluster echo node%d", i+1), n, lat[first:first+n], elapsed, cpu, errs[first:first+n]))
		first += n
	}
	both := newResult("cluster echo both", cc.players, lat, elapsed, totalCPU, errs)
	res = append(res, both)
	perMsg := "-"
	if len(both.lat) > 0 {
		perMsg = (pgUsed / time.Duration(len(both.lat))).Round(100 * time.Nanosecond).String()
	}
	return res, fmt.Sprintf("cluster echo: %d players (%s by node) on one guest session got from node1 (node2 refused a made-up one), %d round trips of %d bytes each, in %v; PostgreSQL used %v of CPU meanwhile (%s per message)",
		cc.players, joinInts(counts), cc.rounds, cc.size, elapsed.Round(time.Millisecond), pgUsed, perMsg), nil
}

// clusterHeld: cc.held players split over the nodes are connected, held
// for cc.hold answering pings, and then each makes one round trip. Per
// node: how many it counts as connected (drawbridge_players) and how many
// answered after the hold; its RSS and Go heap per player, as the idle
// scenario measures them.
func clusterHeld(ctx context.Context, nodes []*gatewayProc, cookie string, cc clusterConfig) (string, error) {
	counts := split(cc.held, len(nodes))
	rss0 := make([]int, len(nodes))
	stats0 := make([]map[string]float64, len(nodes))
	for i, g := range nodes {
		var err error
		if rss0[i], err = g.rssKB(); err != nil {
			return "", err
		}
		if stats0[i], err = g.goStats(); err != nil {
			return "", err
		}
	}
	pg0 := pgCPU()
	byNode, took, err := connectNodes(ctx, nodes, cookie, counts)
	if err != nil {
		return "", err
	}
	pgConnect := pgCPU() - pg0
	all := slices.Concat(byNode...)
	defer closeAll(all)
	for _, p := range all {
		if p, ok := p.(*player); ok {
			p.answerPings(ctx)
		}
	}
	time.Sleep(cc.hold)

	rss1 := make([]int, len(nodes))
	stats1 := make([]map[string]float64, len(nodes))
	for i, g := range nodes {
		if rss1[i], err = g.rssKB(); err != nil {
			return "", err
		}
		if stats1[i], err = g.goStats(); err != nil {
			return "", err
		}
	}
	// Every player still reaches the game after the hold.
	_, errs := echoRounds(ctx, all, 1, payload(512))

	var b strings.Builder
	fmt.Fprintf(&b, "cluster held: %d players (%s by node) on the same guest session, on two fresh nodes on the same database, held %v; PostgreSQL used %v of CPU while they connected (%s per player)",
		cc.held, joinInts(counts), cc.hold, pgConnect, perPlayer(pgConnect, cc.held))
	var first, rssBefore, rssAfter, heldAll, okAll int
	for i := range nodes {
		n := counts[i]
		failed := sum(errs[first : first+n])
		first += n
		per := func(k string) float64 { return (stats1[i][k] - stats0[i][k]) / float64(max(1, n)) }
		held := int(stats1[i]["drawbridge_players"])
		rssBefore, rssAfter, heldAll, okAll = rssBefore+rss0[i], rssAfter+rss1[i], heldAll+held, okAll+n-failed
		fmt.Fprintf(&b, "\n  node%d: %d players connected in %v; after the hold it counts %d players connected and %d of %d answered a round trip of 512 bytes; RSS %d KiB before, %d KiB after: %.1f KiB per player; after a garbage collection, Go heap in use %.1f KiB (live %.1f KiB) and goroutine stacks %.1f KiB per player, in %.1f goroutines",
			i+1, n, took[i].Round(time.Millisecond), held, n-failed, n, rss0[i], rss1[i], float64(rss1[i]-rss0[i])/float64(max(1, n)),
			per("go_memstats_heap_inuse_bytes")/1024, per("go_memstats_heap_alloc_bytes")/1024,
			per("go_memstats_stack_inuse_bytes")/1024, per("go_goroutines"))
	}
	fmt.Fprintf(&b, "\n  both: %d players counted connected, %d of %d answered; RSS %d KiB before, %d KiB after: %.1f KiB per player",
		heldAll, okAll, cc.held, rssBefore, rssAfter, float64(rssAfter-rssBefore)/float64(max(1, cc.held)))
	return b.String(), nil
}

// split divides n into parts shares that differ by at most one, the
// larger first.
func split(n, parts int) []int {
	out := make([]int, parts)
	for i := range out {
		out[i] = n / parts
		if i < n%parts {
			out[i]++
		}
	}
	return out
}

// spoilCookie changes every character of each value in a Cookie header,
// keeping names and lengths: a session no node has made.
func spoilCookie(header string) string {
	parts := strings.Split(header, "; ")
	for i, p := range parts {
		name, value, _ := strings.Cut(p, "=")
		v := []byte(value)
		for j := range v {
			if v[j] == 'A' {
				v[j] = 'B'
			} else {
				v[j] = 'A'
			}
		}
		parts[i] = name + "=" + string(v)
	}
	return strings.Join(parts, "; ")
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, "+")
}

func perPlayer(d time.Duration, n int) string {
	if n == 0 {
		return "-"
	}
	return (d / time.Duration(n)).Round(time.Microsecond).String()
}

// splitPassword takes the password out of a postgres:// URL, for the
// gateway, which refuses a URL holding one and reads it from a file.
func splitPassword(raw string) (string, string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("PostgreSQL URL: %w", err)
	}
	if u.User == nil {
		return "", "", errors.New("PostgreSQL URL: no user")
	}
	pw, ok := u.User.Password()
	if !ok {
		return "", "", errors.New("PostgreSQL URL: no password")
	}
	u.User = url.User(u.User.Username())
	return u.String(), pw, nil
}

// pgCPU is the CPU time of the PostgreSQL server this process started:
// its postmaster (with the backends it has reaped) and its live children,
// the connections' backends among them. 0 if there is none.
func pgCPU() time.Duration {
	procs := processes()
	master := -1
	for _, p := range procs {
		if p.ppid == os.Getpid() && p.comm == "postgres" {
			master = p.pid
		}
	}
	if master < 0 {
		return 0
	}
	total := procCPU(master)
	for _, p := range procs {
		if p.ppid == master {
			total += procCPU(p.pid)
		}
	}
	return total
}
