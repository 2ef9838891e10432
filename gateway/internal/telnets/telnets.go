// Package telnets is the gateway's TLS telnet port: it lets classic MUD
// clients (TinTin++, Mudlet, MUSHclient, openssl s_client) reach the game
// over TLS, as stunnel in front of the game's telnet port would.
//
// It is a transparent byte pipe. Each accepted connection is a TLS server
// handshake (in the connection's own goroutine, bounded by
// HandshakeTimeout, so a slow client never holds up Accept), then a
// connection to the game (Config.Dial: the gateway's backend dialer, which
// may send the game a PROXY protocol header naming the client and wrap the
// connection in TLS), then two copiers, one each way, that move
// bytes untouched: the game's telnet negotiation reaches the client and
// the client's answers reach the game. Unlike the WebSocket bridge, the
// gateway does not speak telnet here; the client does.
//
// Closing follows the byte stream. When one side shuts its writing side
// (a TLS close_notify from the client, a FIN from the game), the other
// side's writing side is shut in turn and the other direction keeps
// flowing until it ends too, or until a grace period (as stunnel's
// TIMEOUTclose) runs out; then both connections close. A game's last
// words before it hangs up reach the client.
//
// Memory per connection is bounded: two fixed copy buffers from a pool,
// plus crypto/tls's own record buffers. Limits on connections, in all and
// per client address, and an idle timeout are configured in Config.
package telnets

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/crypto/acme"

	"github.com/drawbridge/drawbridge/gateway/internal/peer"
)

// Defaults for the zero values of Config.
const (
	DefaultMaxConns         = 1000
	DefaultMaxConnsPerAddr  = 20
	DefaultHandshakeTimeout = 10 * time.Second
	DefaultIdleTimeout      = time.Hour
	DefaultDialTimeout      = 10 * time.Second
)

// Messages a client reads before the connection closes. They are plain
// lines: the client talks telnet, not the gateway's wire protocol.
const (
	MsgTooMany  = "Too many connections; try again later.\r\n"
	MsgGameDown = "The game is not answering right now; try again later.\r\n"
)

const (
	// bufSize is each copier's buffer: one TLS record's worth of
	// plaintext, so one read from the client is at most one write to the
	// game, and a full buffer from the game is one record to the client.
	bufSize = 16 << 10
	// closeTimeout bounds how long the other direction may keep flowing
	// after one side has shut its writing side, as stunnel's TIMEOUTclose
	// (60 s) does: a client that keeps a half-closed connection open to a
	// game that hung up would otherwise hold a slot until IdleTimeout.
	closeTimeout = time.Minute
	// goodbyeTimeout bounds writing a last message to a client we turn
	// away, and then waiting for it to close, so the message is not lost
	// to a reset.
	goodbyeTimeout = 2 * time.Second
	// refuseSlots bounds the connections being turned away at one time
	// (each costs a TLS handshake to say why); past it, connections over
	// the limits are closed at once, without a word.
	refuseSlots = 64
)

// Config configures a Server. TLS and Dial are required; the other zero
// values mean their defaults.
type Config struct {
	// TLS is the server configuration for the handshake: certificates
	// (the gateway's certificate source), and, to require client
	// certificates (mTLS), ClientAuth and ClientCAs. The app builds it;
	// NextProtos is not needed, as telnet clients send no ALPN. It must
	// not set GetConfigForClient: every handshake on the port gets this
	// one config, so a client certificate it requires is required of
	// every client. Handshakes that offer ACME's acme-tls/1 fail
	// (ErrACME), whatever else they offer.
	TLS *tls.Config

	// Dial connects to the game for the client at address client (host:port,
	// as the accepted connection reports it: behind a proxyproto.Listener,
	// the address the balancer's header named). The game's address is
	// fixed by the operator's configuration; nothing the client sends
	// chooses it. The app passes backend.Dialer.Dial, which tells the game
	// the client's address in a PROXY protocol header when configured to;
	// what it returns must be ready for the client's bytes. A *tls.Conn or
	// a connection with CloseWrite half-closes toward the game when the
	// client does.
	Dial func(ctx context.Context, client string) (net.Conn, error)

	// MaxConns bounds the connections served at once, and
	// MaxConnsPerAddr those from one client address (players behind one
	// NAT share it, so it is not 1), where an IPv6 client's address is
	// its /64, as peer.Group counts. Zero means DefaultMaxConns and
	// DefaultMaxConnsPerAddr; negative means no limit. Past a limit the
	// client is told MsgTooMany right after the handshake and the
	// connection closes.
	MaxConns, MaxConnsPerAddr int

	// HandshakeTimeout bounds the TLS handshake. Zero means
	// DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
	// IdleTimeout closes a connection when no byte has moved either way
	// for this long, which also ends one stuck on a peer that takes no
	// data. Zero means DefaultIdleTimeout; negative disables it.
	IdleTimeout time.Duration
	// DialTimeout bounds Dial, all of it (a PROXY header, a TLS
	// handshake). Zero means DefaultDialTimeout.
	DialTimeout time.Duration

	// Logger receives one line when a connection starts and one when it
	// ends (or one when it is refused or its handshake fails). nil
	// discards.
	Logger *slog.Logger
}

// Validate reports what is wrong with c, or nil.
func (c *Config) Validate() error {
	var errs []error
	if c.TLS == nil {
		errs = append(errs, errors.New("TLS config missing"))
	} else {
		if c.TLS.Certificates == nil && c.TLS.GetCertificate == nil {
			errs = append(errs, errors.New("TLS config has no certificate"))
		}
		if c.TLS.GetConfigForClient != nil {
			errs = append(errs, errors.New("TLS config sets GetConfigForClient: a config chosen per client could skip the client certificate check; give one config for every handshake"))
		}
	}
	if c.Dial == nil {
		errs = append(errs, errors.New("no Dial function"))
	}
	for _, d := range []struct {
		name string
		d    time.Duration
	}{{"HandshakeTimeout", c.HandshakeTimeout}, {"DialTimeout", c.DialTimeout}} {
		if d.d < 0 {
			errs = append(errs, fmt.Errorf("%s %v is negative", d.name, d.d))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("telnets config: %w", err)
	}
	return nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// limit turns a configured limit into a bound: 0 is def, negative none.
func limit(n, def int) int {
	switch {
	case n == 0:
		return def
	case n < 0:
		return int(^uint(0) >> 1)
	}
	return n
}

// ErrACME is why a handshake that offers the ALPN protocol acme-tls/1 (an
// ACME CA validating TLS-ALPN-01) fails: the TLS telnet port never
// answers ACME challenges, which belong on the HTTPS port, so neither a
// challenge certificate nor the challenge's exemption from client
// certificates can ever be had here.
var ErrACME = errors.New("the client offered ALPN " + acme.ALPNProto + " (an ACME TLS-ALPN-01 validation): the TLS telnet port answers no ACME challenges, they go to the HTTPS port")

// Server serves the TLS telnet port. Create it with New and run it with
// Serve; Conns may be called from any goroutine.
type Server struct {
	cfg              Config
	tls              *tls.Config // cfg.TLS, refusing acme-tls/1
	log              *slog.Logger
	maxConns         int
	maxPerAddr       int
	handshakeTimeout time.Duration
	idleTimeout      time.Duration // 0: none
	dialTimeout      atomic.Int64  // a time.Duration; SetDialTimeout changes it
	closeTimeout     time.Duration // tests shorten it
	goodbyeTimeout   time.Duration
	bufs             sync.Pool // *[bufSize]byte

	mu       sync.Mutex
	active   int            // connections admitted
	perAddr  map[string]int // admitted, by client address group (addrGroup)
	refusing int            // connections being turned away
}

// New returns a Server configured by cfg. Serve checks cfg.
func New(cfg Config) *Server {
	s := &Server{
		cfg:              cfg,
		log:              cfg.Logger,
		maxConns:         limit(cfg.MaxConns, DefaultMaxConns),
		maxPerAddr:       limit(cfg.MaxConnsPerAddr, DefaultMaxConnsPerAddr),
		handshakeTimeout: orDefault(cfg.HandshakeTimeout, DefaultHandshakeTimeout),
		idleTimeout:      orDefault(cfg.IdleTimeout, DefaultIdleTimeout),
		closeTimeout:     closeTimeout,
		goodbyeTimeout:   goodbyeTimeout,
		perAddr:          make(map[string]int),
	}
	if cfg.TLS != nil {
		s.tls = cfg.TLS.Clone()
		s.tls.GetConfigForClient = refuseACME // Validate refuses one of cfg's own
	}
	s.SetDialTimeout(cfg.DialTimeout)
	s.bufs.New = func() any { return new([bufSize]byte) }
	if s.idleTimeout < 0 {
		s.idleTimeout = 0
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// SetDialTimeout changes how long connecting to the game may take, for
// connections that start from now on (a configuration reload). Zero means
// DefaultDialTimeout.
func (s *Server) SetDialTimeout(d time.Duration) {
	s.dialTimeout.Store(int64(orDefault(d, DefaultDialTimeout)))
}

// Conns returns how many connections are being served (admitted within
// the limits, handshaking or piping).
func (s *Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active
}

// Serve accepts connections on ln, a plain TCP listener (or a
// proxyproto.Listener over one), and serves each in its own goroutine
// until ctx is done or ln fails. It closes ln. Before it returns, every
// connection it accepted is closed, without a word (a byte pipe has no
// way to say the gateway is restarting), and every goroutine it started
// has ended. It returns nil when ctx ended it, else the configuration or
// accept error. Serve may run on several listeners at once; they share
// the limits.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if err := s.cfg.Validate(); err != nil {
		ln.Close()
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		open    = make(map[net.Conn]struct{}) // accepted here and not yet done
		err     error
		backoff time.Duration
	)
	// The accept loop's own bound on goroutines, before anything is read:
	// admitted connections plus those being turned away.
	maxOpen := s.maxConns + refuseSlots
	if s.maxConns > maxOpen { // no limit: the sum overflowed
		maxOpen = s.maxConns
	}
	for {
		nc, aerr := ln.Accept()
		if aerr != nil {
			if ctx.Err() != nil {
				break
			}
			var te interface{ Temporary() bool }
			if errors.As(aerr, &te) && te.Temporary() {
				// Out of file descriptors and the like: wait and retry,
				// as net/http does.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.Warn("telnets: accept", "err", aerr, "retry_in", backoff)
				select {
				case <-time.After(backoff):
					continue
				case <-ctx.Done():
				}
				break
			}
			err = fmt.Errorf("telnets: accept: %w", aerr)
			break
		}
		backoff = 0
		mu.Lock()
		if len(open) >= maxOpen {
			mu.Unlock()
			// Do not ask for RemoteAddr: behind a proxyproto.Listener it
			// would wait for the header here, in the accept loop.
			s.log.Warn("telnets: refused", "reason", "too many connections open", "open", maxOpen, "said", false)
			nc.Close()
			continue
		}
		open[nc] = struct{}{}
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.serveConn(ctx, nc)
			mu.Lock()
			delete(open, nc)
			mu.Unlock()
		}()
	}
	ln.Close()
	cancel()
	// The context ends handshakes, dials and pipes; closing the accepted
	// connections also ends what does not watch it (a PROXY header read
	// behind a proxyproto.Listener).
	mu.Lock()
	for nc := range open {
		nc.Close()
	}
	mu.Unlock()
	wg.Wait()
	return err
}

// addrGroup returns the key of the per-address limit for a client
// address: its peer.Group, the IPv4 address or the IPv6 /64 (one
// subscriber's, whose addresses it picks at will). An IPv4-mapped IPv6
// address counts as IPv4.
func addrGroup(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok && t != nil {
		if ip, ok := netip.AddrFromSlice(t.IP); ok {
			return peer.GroupIP(ip)
		}
	}
	if a == nil {
		return peer.Group("")
	}
	return peer.Group(a.String())
}

// admit reserves a slot for a connection from addr, or reports whether it
// may be turned away with a message (false, true) or must be dropped
// (false, false).
func (s *Server) admit(addr string) (admitted, refusable bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.active < s.maxConns && s.perAddr[addr] < s.maxPerAddr {
		s.active++
		s.perAddr[addr]++
		return true, false
	}
	if s.refusing < refuseSlots {
		s.refusing++
		return false, true
	}
	return false, false
}

func (s *Server) release(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active--
	if s.perAddr[addr]--; s.perAddr[addr] <= 0 {
		delete(s.perAddr, addr)
	}
}

func (s *Server) refused() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refusing--
}

// serveConn serves one accepted connection to its end and closes it.
func (s *Server) serveConn(ctx context.Context, nc net.Conn) {
	defer nc.Close()
	start := time.Now()
	remote := nc.RemoteAddr() // behind a proxyproto.Listener, reads the header
	addr := addrGroup(remote)
	log := s.log.With("peer", remote.String())

	admitted, refusable := s.admit(addr)
	if !admitted {
		reason := "too many connections"
		if !refusable {
			log.Warn("telnets: refused", "reason", reason, "said", false)
			return
		}
		defer s.refused()
		tc, err := s.handshake(ctx, nc)
		if err != nil {
			log.Warn("telnets: refused", "reason", reason, "said", false, "err", err)
			return
		}
		s.goodbye(ctx, tc, MsgTooMany)
		log.Warn("telnets: refused", "reason", reason, "said", true,
			"tls", tls.VersionName(tc.ConnectionState().Version))
		return
	}
	defer s.release(addr)

	tc, err := s.handshake(ctx, nc)
	if err != nil {
		level := slog.LevelInfo
		if errors.Is(err, ErrACME) {
			// A CA's validation sent here (a balancer forwarding 443 to
			// this port, a DNS record pointing at it) or a probe for the
			// challenge's exemption from client certificates.
			level = slog.LevelWarn
		}
		log.Log(ctx, level, "telnets: handshake failed", "err", err, "duration", time.Since(start).Round(time.Millisecond))
		return
	}
	cs := tc.ConnectionState()
	attrs := []any{"tls", tls.VersionName(cs.Version), "cipher", tls.CipherSuiteName(cs.CipherSuite)}
	if cs.ServerName != "" {
		attrs = append(attrs, "sni", cs.ServerName)
	}
	if len(cs.PeerCertificates) > 0 {
		attrs = append(attrs, "client_cert", cs.PeerCertificates[0].Subject.String())
	}
	log = log.With(attrs...)
	log.Info("telnets: connected")

	p := &pipe{s: s, client: tc, raw: nc}
	end := p.run(ctx, remote)
	level := slog.LevelInfo
	if end.err != nil && end.reason != reasonShutdown {
		level = slog.LevelWarn
	}
	attrs = []any{"reason", end.reason, "err", end.err,
		"bytes_in", p.in.Load(), "bytes_out", p.out.Load(),
		"duration", time.Since(start).Round(time.Millisecond)}
	if werr, ok := p.gameWriteErr.Load().(error); ok {
		// The game hung up while the client was still typing.
		attrs = append(attrs, "dropped_input_after", werr.Error())
	}
	log.Log(context.Background(), level, "telnets: closed", attrs...)
}

// refuseACME fails a handshake that offers acme-tls/1, with ErrACME; any
// other goes on with the server's config.
func refuseACME(hello *tls.ClientHelloInfo) (*tls.Config, error) {
	if slices.Contains(hello.SupportedProtos, acme.ALPNProto) {
		return nil, ErrACME
	}
	return nil, nil
}

// handshake runs the TLS server handshake within HandshakeTimeout.
func (s *Server) handshake(ctx context.Context, nc net.Conn) (*tls.Conn, error) {
	tc := tls.Server(nc, s.tls)
	hctx, cancel := context.WithTimeout(ctx, s.handshakeTimeout)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		return nil, fmt.Errorf("tls handshake: %w", err)
	}
	return tc, nil
}

// goodbye writes a last line to a client, shuts the writing side, and
// waits a moment for the client to close, reading and dropping what it
// still sends, so the line is not lost to a reset.
func (s *Server) goodbye(ctx context.Context, tc *tls.Conn, msg string) {
	stop := context.AfterFunc(ctx, func() { tc.NetConn().Close() })
	defer stop()
	tc.SetDeadline(time.Now().Add(s.goodbyeTimeout))
	if _, err := io.WriteString(tc, msg); err != nil {
		return
	}
	closeWrite(tc)
	var buf [512]byte
	for {
		if _, err := tc.Read(buf[:]); err != nil {
			return
		}
	}
}

// closeWrite shuts the writing side of a connection: for TLS, a
// close_notify alert and then the TCP FIN under it (for clients that wait
// for the FIN); for TCP, the FIN. A connection that cannot half-close is
// left alone; it closes with the pipe.
func closeWrite(c net.Conn) error {
	if tc, ok := c.(*tls.Conn); ok {
		err := tc.CloseWrite()
		if cw, ok := tc.NetConn().(interface{ CloseWrite() error }); ok {
			err = errors.Join(err, cw.CloseWrite())
		}
		return err
	}
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// Reasons a connection ended, for the log.
const (
	reasonClientClosed = "client closed"
	reasonGameClosed   = "game closed"
	reasonGameDown     = "game unreachable"
	reasonClientError  = "client connection failed"
	reasonGameError    = "game connection failed"
	reasonIdle         = "idle timeout"
	reasonCloseTimeout = "half-closed too long"
	reasonShutdown     = "shutdown"
)

// end says why a connection ended.
type end struct {
	reason string
	err    error
}

// pipe is one client's connection to the game.
type pipe struct {
	s      *Server
	client *tls.Conn
	raw    net.Conn // under client
	game   net.Conn

	clientDone atomic.Bool // the client shut its writing side
	// firstClosed is the reason of the side that shut its writing side
	// first, set before the other side is told, so the other side's
	// answer (the game hanging up when the client does) cannot look first.
	firstClosed atomic.Value
	// gameWriteErr is why a write to the game failed, for the log.
	gameWriteErr atomic.Value
	base         time.Time    // when piping started
	last         atomic.Int64 // when the last byte moved, in nanoseconds since base
	in           atomic.Int64 // bytes from the client to the game
	out          atomic.Int64 // bytes from the game to the client
}

// result is how one direction ended: err nil when its source shut its
// writing side and everything before was delivered.
type result struct {
	toGame bool
	err    error
}

// run connects to the game and pipes until both directions end, or
// something ends them; then both connections are closed.
func (p *pipe) run(ctx context.Context, client net.Addr) end {
	s := p.s
	dctx, cancel := context.WithTimeout(ctx, time.Duration(s.dialTimeout.Load()))
	game, err := s.cfg.Dial(dctx, client.String())
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return end{reasonShutdown, nil}
		}
		s.goodbye(ctx, p.client, MsgGameDown)
		return end{reasonGameDown, fmt.Errorf("dial game: %w", err)}
	}
	p.game = game
	defer game.Close()

	p.base = time.Now()
	p.touch()
	results := make(chan result, 2)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); results <- result{true, p.clientToGame()} }()
	go func() { defer wg.Done(); results <- result{false, p.gameToClient()} }()

	// The first to end decides the reason; ending closes both connections,
	// which fails the copiers' reads and writes, and they return.
	var (
		e       end
		aborted bool
	)
	abort := func(reason string, err error) {
		if aborted {
			return
		}
		aborted, e = true, end{reason, err}
		p.raw.Close()
		game.Close()
	}
	var idle, closing *time.Timer
	var idleC, closeC <-chan time.Time
	if s.idleTimeout > 0 {
		idle = time.NewTimer(s.idleTimeout)
		defer idle.Stop()
		idleC = idle.C
	}
	done := ctx.Done()
	for pending := 2; pending > 0; {
		select {
		case r := <-results:
			pending--
			switch {
			case aborted:
				// The aftermath of closing the connections.
			case r.err != nil && r.toGame:
				abort(reasonClientError, r.err)
			case r.err != nil:
				abort(reasonGameError, r.err)
			case pending == 1:
				// One side shut its writing side and the other has been
				// told; the other direction may finish, within
				// closeTimeout.
				e.reason, _ = p.firstClosed.Load().(string)
				closing = time.NewTimer(s.closeTimeout)
				defer closing.Stop()
				closeC = closing.C
			}
		case <-idleC:
			if since := p.sinceLast(); since < s.idleTimeout {
				idle.Reset(s.idleTimeout - since)
				continue
			}
			idleC = nil
			abort(reasonIdle, nil)
		case <-closeC:
			closeC = nil
			abort(reasonCloseTimeout, nil)
		case <-done:
			done = nil
			abort(reasonShutdown, nil)
		}
	}
	wg.Wait()
	p.raw.Close()
	return e
}

// touch records that a byte moved, for the idle timeout. The clock is the
// monotonic one, so a wall-clock step does not end connections.
func (p *pipe) touch() { p.last.Store(int64(time.Since(p.base))) }

// sinceLast returns how long ago the last byte moved.
func (p *pipe) sinceLast() time.Duration {
	return time.Since(p.base) - time.Duration(p.last.Load())
}

// clientToGame copies the client's bytes to the game until the client
// shuts its writing side, then shuts the game's.
//
// A failed write to the game means the game has gone, most likely after
// its last words (a game that hangs up with the client's input unread
// resets the connection). Those words are still to be read on the other
// side, so this direction does not end the pipe: it keeps reading, and
// dropping, what the client sends until the client closes too, so that
// closing on unread input does not reset the client's connection under
// the game's last words. Dropped bytes do not count as activity for the
// idle timeout, and closeTimeout bounds the wait once the game's side has
// ended.
func (p *pipe) clientToGame() error {
	buf := p.s.bufs.Get().(*[bufSize]byte)
	defer p.s.bufs.Put(buf)
	draining := false
	for {
		n, rerr := p.client.Read(buf[:])
		if n > 0 && !draining {
			p.touch()
			w, werr := p.game.Write(buf[:n])
			p.in.Add(int64(w))
			if werr != nil {
				p.gameWriteErr.Store(werr)
				draining = true
			}
		}
		if rerr != nil {
			if !errors.Is(rerr, io.EOF) {
				return fmt.Errorf("read from client: %w", rerr)
			}
			p.clientDone.Store(true)
			p.firstClosed.CompareAndSwap(nil, reasonClientClosed)
			if !draining {
				closeWrite(p.game)
			}
			return nil
		}
	}
}

// gameToClient copies the game's bytes to the client until the game shuts
// its writing side, then shuts the client's.
func (p *pipe) gameToClient() error {
	buf := p.s.bufs.Get().(*[bufSize]byte)
	defer p.s.bufs.Put(buf)
	for {
		n, rerr := p.game.Read(buf[:])
		if n > 0 {
			p.touch()
			w, werr := p.client.Write(buf[:n])
			p.out.Add(int64(w))
			if werr != nil {
				if p.clientDone.Load() {
					// The client left after shutting its writing side; what
					// the game still says has nowhere to go.
					return nil
				}
				return fmt.Errorf("write to client: %w", werr)
			}
		}
		if rerr != nil {
			// A reset is how a game that closes with the client's input
			// unread hangs up; for the client it is the end of the
			// stream all the same, after the game's last words.
			if !errors.Is(rerr, io.EOF) && !errors.Is(rerr, syscall.ECONNRESET) {
				return fmt.Errorf("read from game: %w", rerr)
			}
			p.firstClosed.CompareAndSwap(nil, reasonGameClosed)
			closeWrite(p.client)
			return nil
		}
	}
}
