package app

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/bridge"
	"github.com/drawbridge/drawbridge/gateway/internal/peer"
	"github.com/drawbridge/drawbridge/gateway/internal/status"
	"github.com/drawbridge/drawbridge/gateway/internal/web"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// certState is what the admin listener reports of one certificate.
type certState struct {
	Name        string
	NotAfter    time.Time // zero when there is none yet
	LastError   string    // "" when the last attempt worked
	ProblemType string    // the ACME CA's problem type of the last failure; "" if none
	NextAttempt time.Time // zero when nothing is scheduled
}

// adminSources are what the metrics read, at scrape time.
type adminSources struct {
	players      func() bridge.Stats
	telnetsConns func() int             // nil without telnets
	game         func() status.Snapshot // nil when status checks are off
	certs        func() []certState
	cluster      func() clusterStats      // nil on SQLite
	ready        func() (bool, string)    // (*Gateway).Ready
	acmeFailures func() map[string]uint64 // nil outside ACME mode
	webConns     func() web.ConnStats
}

// adminOptions are the admin listener's settings.
type adminOptions struct {
	addr  string   // admin.addr: requests for its host are answered
	hosts []string // admin.hosts: more names it answers to
	pprof bool     // admin.pprof: serve Go's profiler
	log   *slog.Logger
	// live, when set, receives the settings above that a reload can
	// change (admin.hosts, admin.pprof); nil makes one of its own.
	live *adminLive
}

// adminLive is what a configuration reload changes in the admin
// listener's handler: the names it answers to and whether the profiler is
// served.
type adminLive struct {
	names atomic.Pointer[map[string]bool] // canonical (canonicalHost)
	pprof atomic.Bool
}

// set makes the handler answer for localhost, addr's host and hosts, and
// serve the profiler when pprof is set.
func (l *adminLive) set(addr string, hosts []string, pprof bool) {
	names := map[string]bool{"localhost": true}
	if host, _, err := net.SplitHostPort(addr); err == nil && host != "" {
		names[canonicalHost(host)] = true
	}
	for _, h := range hosts {
		names[canonicalHost(h)] = true
	}
	l.names.Store(&names)
	l.pprof.Store(pprof)
}

// adminHandler serves /healthz (the process answers), /readyz (it serves
// players: listeners up and a certificate to present), /metrics
// (Prometheus), from a registry of its own rather than the global one,
// and with opt.pprof Go's profiler; only to requests for the listener's
// own names (hostGuard).
func adminHandler(src adminSources, opt adminOptions) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newBridgeCollector(src.players),
		newCertCollector(src.certs),
		newWebConnCollector(src.webConns),
	)
	if src.acmeFailures != nil {
		reg.MustRegister(newACMECollector(src.acmeFailures, src.certs))
	}
	if src.telnetsConns != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "drawbridge_telnets_connections",
			Help: "Classic clients connected through the TLS telnet port.",
		}, func() float64 { return float64(src.telnetsConns()) }))
	}

	if src.game != nil {
		reg.MustRegister(newGameCollector(src.game))
	}
	if src.cluster != nil {
		reg.MustRegister(newClusterCollector(src.cluster))
	}

	live := opt.live
	if live == nil {
		live = new(adminLive)
	}
	live.set(opt.addr, opt.hosts, opt.pprof)
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	// Go's profiler, for operators chasing CPU or memory (go tool
	// pprof http://127.0.0.1:6060/debug/pprof/heap). Off by default
	// (404): the listener has no authentication, and a profile shows the
	// command line, and costs CPU to take.
	profiler := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if !live.pprof.Load() {
				http.NotFound(w, r)
				return
			}
			h(w, r)
		}
	}
	mux.HandleFunc("GET /debug/pprof/", profiler(pprof.Index))
	mux.HandleFunc("GET /debug/pprof/cmdline", profiler(pprof.Cmdline))
	mux.HandleFunc("GET /debug/pprof/profile", profiler(pprof.Profile))
	mux.HandleFunc("GET /debug/pprof/symbol", profiler(pprof.Symbol))
	mux.HandleFunc("GET /debug/pprof/trace", profiler(pprof.Trace))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if ok, why := src.ready(); !ok {
			http.Error(w, "not ready: "+why, http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	return newHostGuard(live, opt.log, mux)
}

// hostGuard passes on only requests for the admin listener's own names,
// and answers the rest 421 Misdirected Request. The listener has no
// authentication and relies on being reachable only from the machine (or
// a private network), but a web page open on an operator's workstation
// can point a name of its own at 127.0.0.1 (DNS rebinding) and read what
// the listener answers, as the browser thinks it same-origin; the Host
// header still carries that name. Answered are:
//
//   - localhost, and not its subdomains: RFC 6761 lets resolvers answer
//     *.localhost from DNS, where an attacker's resolver could rebind it;
//   - IP addresses that are loopback (127.0.0.0/8, ::1) or the one the
//     request came in on (a listener on all interfaces, asked by address);
//     a browser sends an address only for a URL that names it;
//   - the host of admin.addr, and the names in admin.hosts;
//   - requests without a Host (HTTP/1.0, as HAProxy's health checks): no
//     browser sends one.
type hostGuard struct {
	live *adminLive // the names
	next http.Handler
	log  *slog.Logger
}

func newHostGuard(live *adminLive, log *slog.Logger, next http.Handler) *hostGuard {
	g := &hostGuard{live: live, next: next, log: log}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	return g
}

// msgMisdirected is the body of a refusal. It does not repeat the Host.
const msgMisdirected = "421 misdirected request: the admin listener answers only requests for localhost, " +
	"a loopback address, its own address, or a name in admin.hosts\n"

func (g *hostGuard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if g.allowed(r) {
		g.next.ServeHTTP(w, r)
		return
	}
	g.log.Warn("admin: refused a request for another host; if the name is yours, add it to admin.hosts",
		"host", peer.Truncate(r.Host, 100), "remote", r.RemoteAddr, "path", peer.Truncate(r.URL.Path, 100))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Connection", "close")
	w.WriteHeader(http.StatusMisdirectedRequest)
	fmt.Fprint(w, msgMisdirected)
}

func (g *hostGuard) allowed(r *http.Request) bool {
	if r.Host == "" {
		return true
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = canonicalHost(host)
	if (*g.live.names.Load())[host] {
		return true
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	if ip.IsLoopback() {
		return true
	}
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	lip, ok := peer.IP(local.String())
	return ok && lip == ip
}

// canonicalHost is a host name lower case without a trailing dot, or an
// IP address in its canonical form (IPv4-mapped unmapped, no zone), so
// that one name is written one way.
func canonicalHost(h string) string {
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	if ip, ok := peer.IP(h); ok {
		return ip.String()
	}
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// certCollector exports each certificate's state at scrape time.
type certCollector struct {
	certs                    func() []certState
	expiry, failing, nextTry *prometheus.Desc
}

func newCertCollector(certs func() []certState) *certCollector {
	return &certCollector{
		certs: certs,
		expiry: prometheus.NewDesc("drawbridge_certificate_expiry_timestamp_seconds",
			"When the certificate served for a name expires (Unix time); absent until there is one.", []string{"name"}, nil),
		failing: prometheus.NewDesc("drawbridge_certificate_renewal_failing",
			"1 while the last attempt to obtain or renew the name's certificate failed.", []string{"name"}, nil),
		nextTry: prometheus.NewDesc("drawbridge_certificate_next_attempt_timestamp_seconds",
			"When the next attempt to obtain the name's certificate is due (Unix time), while one is scheduled.", []string{"name"}, nil),
	}
}

func (c *certCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.expiry
	ch <- c.failing
	ch <- c.nextTry
}

func (c *certCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.certs() {
		if !s.NotAfter.IsZero() {
			gauge(ch, c.expiry, float64(s.NotAfter.Unix()), s.Name)
		}
		gauge(ch, c.failing, bit(s.LastError != ""), s.Name)
		if !s.NextAttempt.IsZero() {
			gauge(ch, c.nextTry, float64(s.NextAttempt.Unix()), s.Name)
		}
	}
}

// acmeCollector exports failed ACME attempts by the CA's problem type,
// and the problem of each name whose last attempt failed.
type acmeCollector struct {
	failures      func() map[string]uint64
	certs         func() []certState
	total, failed *prometheus.Desc
}

func newACMECollector(failures func() map[string]uint64, certs func() []certState) *acmeCollector {
	return &acmeCollector{
		failures: failures,
		certs:    certs,
		total: prometheus.NewDesc("drawbridge_acme_failures_total",
			"Failed attempts to obtain or renew a certificate, by the ACME CA's problem type "+
				"(RFC 8555 section 6.7, without its urn:ietf:params:acme:error: prefix: dns, connection, unauthorized, rateLimited, ...; "+
				"\"none\" when the CA gave none, e.g. it could not be reached).", []string{"type"}, nil),
		failed: prometheus.NewDesc("drawbridge_acme_last_error_info",
			"1 for each name whose last certificate attempt failed, labelled with the CA's problem type (\"none\" if it gave none); "+
				"the detail is in the log and /readyz.", []string{"name", "type"}, nil),
	}
}

func (c *acmeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.total
	ch <- c.failed
}

func (c *acmeCollector) Collect(ch chan<- prometheus.Metric) {
	for typ, n := range c.failures() {
		counter(ch, c.total, int64(n), problemLabel(typ))
	}
	for _, s := range c.certs() {
		if s.LastError != "" {
			gauge(ch, c.failed, 1, s.Name, problemLabel(s.ProblemType))
		}
	}
}

// problemLabel is an ACME problem type as a metric label.
func problemLabel(typ string) string {
	if typ == "" {
		return "none"
	}
	return typ
}

// bridgeCollector exports the web players' bridges, from one snapshot of
// the hub per scrape.
type bridgeCollector struct {
	stats                                     func() bridge.Stats
	players, away, resumes, bytes, dials, end *prometheus.Desc
	negotiated                                *prometheus.Desc
}

func newBridgeCollector(stats func() bridge.Stats) *bridgeCollector {
	return &bridgeCollector{
		stats: stats,
		players: prometheus.NewDesc("drawbridge_players",
			"Players connected through the web client, those away waiting for a resume included.", nil, nil),
		away: prometheus.NewDesc("drawbridge_players_away",
			"Players whose WebSocket dropped and whose game connection is held for a resume.", nil, nil),
		resumes: prometheus.NewDesc("drawbridge_resumes_total",
			"Clients that came back with a resume token, by result: resumed (same game connection) or failed (token unknown, used or expired).", []string{"result"}, nil),
		bytes: prometheus.NewDesc("drawbridge_bridge_bytes_total",
			"Bytes the bridges wrote, by direction: to_game (telnet) and to_players (wire frames).", []string{"direction"}, nil),
		dials: prometheus.NewDesc("drawbridge_game_dials_total",
			"Connections to the game for web players, by result: ok, refused, timeout, tls, error.", []string{"result"}, nil),
		end: prometheus.NewDesc("drawbridge_sessions_ended_total",
			"Web players' sessions that ended, by reason (as in the log's session ended line).", []string{"reason"}, nil),
		negotiated: prometheus.NewDesc("drawbridge_telnet_negotiated_total",
			"Ended sessions in which the game and the gateway agreed on a telnet option, by option.", []string{"option"}, nil),
	}
}

func (c *bridgeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.players, c.away, c.resumes, c.bytes, c.dials, c.end, c.negotiated} {
		ch <- d
	}
}

func (c *bridgeCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	gauge(ch, c.players, float64(st.Players))
	gauge(ch, c.away, float64(st.Away))
	counter(ch, c.resumes, st.Resumed, "resumed")
	counter(ch, c.resumes, st.ResumeFailed, "failed")
	counter(ch, c.bytes, st.BytesToGame, "to_game")
	counter(ch, c.bytes, st.BytesToPlayers, "to_players")
	for k, v := range st.Dials {
		counter(ch, c.dials, v, k)
	}
	for k, v := range st.Ends {
		counter(ch, c.end, v, k)
	}
	for k, v := range st.Negotiated {
		counter(ch, c.negotiated, v, k)
	}
}

// gameCollector exports what the status checks learnt of the game.
type gameCollector struct {
	snap                              func() status.Snapshot
	reachable, mssp, players, checked *prometheus.Desc
}

func newGameCollector(snap func() status.Snapshot) *gameCollector {
	return &gameCollector{
		snap: snap,
		reachable: prometheus.NewDesc("drawbridge_game_reachable",
			"1 when the last status check connected to the game.", nil, nil),
		mssp: prometheus.NewDesc("drawbridge_game_mssp",
			"1 when the game answered the last status check with MSSP.", nil, nil),
		players: prometheus.NewDesc("drawbridge_game_players",
			"Players online by the game's own MSSP count, all clients; absent unless the last check got one.", nil, nil),
		checked: prometheus.NewDesc("drawbridge_game_status_checked_timestamp_seconds",
			"When the last status check of the game ended (Unix time); absent before the first.", nil, nil),
	}
}

func (c *gameCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.reachable
	ch <- c.mssp
	ch <- c.players
	ch <- c.checked
}

func (c *gameCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.snap()
	if s.Checked.IsZero() {
		return
	}
	gauge(ch, c.checked, float64(s.Checked.Unix()))
	gauge(ch, c.reachable, bit(s.Reachable))
	gauge(ch, c.mssp, bit(s.MSSP))
	if s.Reachable && s.MSSP && s.Game.Players >= 0 {
		gauge(ch, c.players, float64(s.Game.Players))
	}
}

// clusterCollector exports the node's share of the cluster on
// PostgreSQL: its connection pool, the revocations it relayed, and
// whether it runs the cluster's sweep.
type clusterCollector struct {
	stats                                 func() clusterStats
	conns, maxConns, waits, revs, sweeper *prometheus.Desc
}

func newClusterCollector(stats func() clusterStats) *clusterCollector {
	return &clusterCollector{
		stats: stats,
		conns: prometheus.NewDesc("drawbridge_store_connections",
			"PostgreSQL connections in this node's pool, by state: acquired (in use) or idle.", []string{"state"}, nil),
		maxConns: prometheus.NewDesc("drawbridge_store_max_connections",
			"The pool's cap, store.postgres_max_conns.", nil, nil),
		waits: prometheus.NewDesc("drawbridge_store_connection_waits_total",
			"Requests that had to wait for a free connection: a pool too small for the load when it climbs.", nil, nil),
		revs: prometheus.NewDesc("drawbridge_cluster_revocations_total",
			"Revocation messages between nodes, by result: sent, received (from other nodes, acted on) or dropped (not sent; the other nodes' periodic check ends those bridges).", []string{"result"}, nil),
		sweeper: prometheus.NewDesc("drawbridge_cluster_sweeper",
			"1 on the node that runs the cluster's account sweep, 0 on the others.", nil, nil),
	}
}

func (c *clusterCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.conns, c.maxConns, c.waits, c.revs, c.sweeper} {
		ch <- d
	}
}

func (c *clusterCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	gauge(ch, c.conns, float64(st.pool.Acquired), "acquired")
	gauge(ch, c.conns, float64(st.pool.Idle), "idle")
	gauge(ch, c.maxConns, float64(st.pool.Max))
	counter(ch, c.waits, st.pool.Waits)
	counter(ch, c.revs, st.revocations.Sent, "sent")
	counter(ch, c.revs, st.revocations.Received, "received")
	counter(ch, c.revs, st.revocations.Dropped, "dropped")
	gauge(ch, c.sweeper, bit(st.sweeper))
}

// gauge sends one gauge sample.
func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

// counter sends one counter sample.
func counter(ch chan<- prometheus.Metric, d *prometheus.Desc, v int64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
}

// bit is a true/false gauge's value.
func bit(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
