package web

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/peer"
)

// The cap on connections before login. Every connection to the web
// listeners (pages, the API, a WebSocket not yet handed to a player's
// bridge) counts against Config.MaxConnsPerAddr for its address group
// (peer.Group: an IPv4 address or an IPv6 /64) from its first read until
// it closes, or until it becomes an authenticated player's WebSocket,
// which the hub's per-address player limit counts from then on. Past the
// cap a connection is turned away: a bounded number at a time
// (refuseSlots) are served just long enough to get a 429 that says why,
// the rest are closed at once. Connections from Config.TrustedProxies
// (reverse proxies that name the player in X-Forwarded-For) are not
// counted: they carry every player behind them. A connection from a load
// balancer that sent a PROXY header counts under the player's address the
// header names.

// DefaultMaxConnsPerAddr is Config.MaxConnsPerAddr's default: well above
// what browsers open (six connections per host over HTTP/1.1, one over
// HTTP/2), so that many players behind one NAT address share it.
const DefaultMaxConnsPerAddr = 128

const (
	// refuseSlots bounds the connections being turned away with a
	// message at one time (each costs a TLS handshake to say why); past
	// it, connections over the cap are closed at once, without a word.
	refuseSlots = 64
	// refuseTimeout bounds how long a connection being turned away may
	// stay: its TLS handshake, one request and the answer.
	refuseTimeout = 10 * time.Second
)

// MsgTooManyConns is what a connection over the per-address cap is told,
// with status 429.
const MsgTooManyConns = "Too many connections from your network address. Close some tabs, or try again in a moment."

// errConnRefused is what a connection dropped over the cap reads.
var errConnRefused = errors.New("web: too many connections from this address")

// ConnStats are the counters of the cap on connections before login, for
// metrics.
type ConnStats struct {
	// Open is the connections counted against the cap now.
	Open int
	// AddrsRefused is the address groups being turned away now.
	AddrsRefused int
	// Told counts connections turned away with a 429 that says why,
	// Dropped those closed at once because too many were being told.
	Told, Dropped int64
}

// connLimit is the cap on connections before login, shared by the
// listeners it wraps.
type connLimit struct {
	max     int
	proxies *proxies // whose connections are exempt
	log     *slog.Logger
	refuseT time.Duration // refuseTimeout; tests lengthen it

	mu            sync.Mutex
	groups        map[string]*connGroup
	open          int // counted, all groups
	refusing      int // being told, all groups
	addrsRefused  int // groups in a refusal episode
	told, dropped int64
}

// connGroup is one address group's count, and its refusal episode: from
// the first connection turned away until its count has fallen to half the
// cap, so that a flood is logged once, not once per connection.
type connGroup struct {
	open     int
	refusing bool
	since    time.Time
	refused  int64 // in this episode
}

// Connection states. They change under connLimit.mu; reads and writes
// look without it.
const (
	connNew      int32 = iota // not read from yet
	connCounted               // counts against its group
	connExempt                // from a trusted proxy
	connRefusing              // over the cap, being told
	connDropped               // over the cap, closed
	connDone                  // released: closed, or handed to a player's bridge
)

// limitConn is a connection under the cap. It is admitted on its first
// read or write, in the server's goroutine for it, since behind a PROXY
// listener learning its address reads the header.
type limitConn struct {
	net.Conn
	l     *connLimit
	once  sync.Once
	group string       // set on admission
	state atomic.Int32 // changed under l.mu
	timer *time.Timer  // ends a refused connection; under l.mu
}

func (l *connLimit) wrap(c net.Conn) *limitConn { return &limitConn{Conn: c, l: l} }

// Read reads from the connection, after admitting it.
func (c *limitConn) Read(p []byte) (int, error) {
	c.once.Do(c.admit)
	if c.dropped() {
		return 0, errConnRefused
	}
	return c.Conn.Read(p)
}

// Write writes to the connection, after admitting it.
func (c *limitConn) Write(p []byte) (int, error) {
	c.once.Do(c.admit)
	if c.dropped() {
		return 0, errConnRefused
	}
	return c.Conn.Write(p)
}

// Close closes the connection and releases its place under the cap.
func (c *limitConn) Close() error {
	c.release()
	return c.Conn.Close()
}

// CloseWrite shuts the writing side when the connection under it can
// (TCP), as net/http does before closing a plain-HTTP connection so that
// its last answer is not lost to a reset.
func (c *limitConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

func (c *limitConn) dropped() bool { return c.state.Load() == connDropped }

// refused reports whether the connection is over the cap and is to be
// told so.
func (c *limitConn) refused() bool { return c.state.Load() == connRefusing }

// admit decides the connection's fate: counted, exempt, told or dropped.
func (c *limitConn) admit() {
	addr := c.Conn.RemoteAddr() // behind a PROXY listener, the header's
	var s string
	if addr != nil {
		s = addr.String()
	}
	l := c.l
	exempt := l.proxies.exempt(addr)
	group := peer.Group(s)

	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case c.state.Load() != connNew:
		return // closed before its first read
	case exempt:
		c.state.Store(connExempt)
		return
	}
	c.group = group
	g := l.groups[group]
	if g == nil {
		g = &connGroup{}
		l.groups[group] = g
	}
	if g.open < l.max {
		g.open++
		l.open++
		c.state.Store(connCounted)
		return
	}
	if !g.refusing {
		g.refusing, g.since, g.refused = true, time.Now(), 0
		l.addrsRefused++
		l.log.Warn("refusing connections from an address: too many open before login",
			"addr", group, "open", g.open, "max", l.max, "setting", "web.max_conns_per_addr")
	}
	g.refused++
	if l.refusing < refuseSlots {
		l.refusing++
		l.told++
		c.state.Store(connRefusing)
		c.timer = time.AfterFunc(l.refuseT, func() { c.Close() })
		return
	}
	l.dropped++
	c.state.Store(connDropped)
	c.Conn.Close()
}

// release gives back the connection's place under the cap: it closed, or
// it became an authenticated player's WebSocket.
func (c *limitConn) release() {
	l := c.l
	l.mu.Lock()
	defer l.mu.Unlock()
	switch c.state.Load() {
	case connCounted:
		g := l.groups[c.group]
		g.open--
		l.open--
		if g.refusing && g.open <= l.max/2 {
			g.refusing = false
			l.addrsRefused--
			l.log.Info("no longer refusing connections from an address",
				"addr", c.group, "open", g.open, "refused", g.refused, "for", time.Since(g.since).Round(time.Second))
		}
		if g.open == 0 && !g.refusing {
			delete(l.groups, c.group)
		}
	case connRefusing:
		l.refusing--
		c.timer.Stop()
	}
	c.state.Store(connDone)
}

// stats returns the cap's counters.
func (l *connLimit) stats() ConnStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return ConnStats{Open: l.open, AddrsRefused: l.addrsRefused, Told: l.told, Dropped: l.dropped}
}

// limitListener wraps the connections of a listener in the cap.
type limitListener struct {
	net.Listener
	l *connLimit
}

// Accept waits for the next connection. It does not read from it.
func (ln *limitListener) Accept() (net.Conn, error) {
	c, err := ln.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return ln.l.wrap(c), nil
}

// connKey is the request context's key for the connection under the cap.
type connKey struct{}

// limitedConn returns the connection a request came on, if it is under
// the cap.
func limitedConn(ctx context.Context) *limitConn {
	c, _ := ctx.Value(connKey{}).(*limitConn)
	return c
}

// LimitConns puts srv's connections from ln under the cap on connections
// before login (Config.MaxConnsPerAddr): srv must serve the returned
// listener (under its TLS, for HTTPS). It sets srv.ConnContext and wraps
// srv.Handler so that a connection over the cap is answered 429 with
// MsgTooManyConns and closed. Several servers may share the cap (the
// HTTPS and the HTTP listeners). With no cap configured it returns ln
// and leaves srv alone.
func (s *Server) LimitConns(srv *http.Server, ln net.Listener) net.Listener {
	if s.conns == nil {
		return ln
	}
	prev := srv.ConnContext
	srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		if prev != nil {
			ctx = prev(ctx, c)
		}
		if tc, ok := c.(*tls.Conn); ok {
			c = tc.NetConn()
		}
		if lc, ok := c.(*limitConn); ok {
			ctx = context.WithValue(ctx, connKey{}, lc)
		}
		return ctx
	}
	next := srv.Handler
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c := limitedConn(r.Context()); c != nil && c.refused() {
			w.Header().Set("Connection", "close")
			w.Header().Set("Retry-After", strconv.Itoa(int(refuseTimeout/time.Second)))
			http.Error(w, MsgTooManyConns, http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
	return &limitListener{Listener: ln, l: s.conns}
}

// ConnStats returns the counters of the cap on connections before login;
// zero when there is no cap.
func (s *Server) ConnStats() ConnStats {
	if s.conns == nil {
		return ConnStats{}
	}
	return s.conns.stats()
}

// newConnLimit returns the cap for cfg, or nil when there is none.
func newConnLimit(cfg *Config, proxies *proxies, log *slog.Logger) *connLimit {
	max := cfg.MaxConnsPerAddr
	switch {
	case max < 0:
		return nil
	case max == 0:
		max = DefaultMaxConnsPerAddr
	}
	return &connLimit{max: max, proxies: proxies, log: log, refuseT: refuseTimeout, groups: make(map[string]*connGroup)}
}

// handOff takes the connection of an authenticated player's WebSocket out
// of the cap: the hub's per-address player limit counts it from now on.
func handOff(ctx context.Context) {
	if c := limitedConn(ctx); c != nil {
		c.release()
	}
}
