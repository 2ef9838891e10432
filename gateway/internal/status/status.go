// Package status keeps the game's public status for the front page: a
// Prober connects to the game now and then as a MUD crawler does, asks
// for MSSP (the MUD Server Status Protocol, telnet option 70) and keeps
// what the game answered, NAME, PLAYERS, UPTIME and a few other public
// variables, together with whether the game answered at all and when it
// was last checked. A game that is down or does not speak MSSP is
// reported as such: the status never shows numbers it does not have.
//
// Every connection the gateway makes to the game tells whether it is
// reachable: players' dials go through Prober.Dial, which records each
// dial's outcome at once, so a game that went down shows as down with
// the first failed dial, not at the next check; and the first dial that
// works again starts a check at once, for the game's MSSP status.
//
// Each check is one short telnet connection, made as the gateway itself
// (the player address given to Dial is ""): it asks IAC DO MSSP at once,
// answers IAC WILL MSSP with DO MSSP, refuses every other option with the
// RFC 1143 Q method (so no MCCP, no echo games), waits up to Timeout for
// IAC SB MSSP ... IAC SE and hangs up. The game sees a connection that
// leaves without logging in, every Interval.
package status

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/drawbridge/drawbridge/gateway/internal/telnet"
)

// Defaults for Config.
const (
	// DefaultInterval is how often the game is checked.
	DefaultInterval = 5 * time.Minute
	// DefaultTimeout bounds one check: connecting, and waiting for the
	// MSSP answer.
	DefaultTimeout = 10 * time.Second
)

// Bounds on one check.
const (
	// maxRead bounds what one check reads from the game (banners,
	// negotiation) before giving up on an answer.
	maxRead = 1 << 20
	// maxText bounds each text kept from an answer, in characters.
	maxText = 100
	// maxPlayers is the largest player count believed.
	maxPlayers = 1_000_000
	// futureSlack is how far in the future an UPTIME may lie (clock skew
	// between the game's host and ours) and still be believed.
	futureSlack = time.Hour
)

// Config configures a Prober. Dial is required; the zero value of every
// other field works.
type Config struct {
	// Dial connects to the game. It is called with player "", the
	// gateway's own connection; the same function the bridge uses.
	Dial func(ctx context.Context, player string) (net.Conn, error)

	// Interval is the time between the starts of two checks. Zero means
	// DefaultInterval.
	Interval time.Duration

	// Timeout bounds one check, from dialling to the MSSP answer. Zero
	// means DefaultTimeout.
	Timeout time.Duration

	// Players returns how many players the gateway bridges right now,
	// for Snapshot.WebPlayers. nil reports 0.
	Players func() int

	// Logger receives an info line when the game's answers change (MSSP
	// seen, the game stops answering, and back) and a debug line per
	// check. nil discards.
	Logger *slog.Logger
}

// Game is what the game said about itself in MSSP, cleaned for showing:
// valid UTF-8 without control characters, at most 100 characters each.
type Game struct {
	// Name is the game's name (NAME); "" when not given.
	Name string
	// Players is the number of players online (PLAYERS), or -1 when the
	// game did not give a number.
	Players int
	// Started is when the game started (UPTIME, a Unix time); zero when
	// not given or not believable.
	Started time.Time
	// Codebase, Contact and Language are CODEBASE, CONTACT and LANGUAGE
	// as given; Website is WEBSITE when it is an http or https URL.
	Codebase, Contact, Website, Language string
}

// Snapshot is the status at one moment.
type Snapshot struct {
	// Checked is when the gateway last learnt whether the game is
	// reachable: the end of the last check, or the last dial through
	// Dial; zero before the first (checks off and no player yet).
	Checked time.Time
	// Reachable reports whether the last connection to the game (a
	// check's, or a player's through Dial) could be made.
	Reachable bool
	// MSSP reports whether the last check got an MSSP answer: only then
	// is Game current.
	MSSP bool
	// Game is the last MSSP answer ever received, possibly from an
	// earlier check than the last (see MSSP and Received); the zero Game
	// with Players -1 before any.
	Game Game
	// Received is when Game was received; zero when never.
	Received time.Time
	// WebPlayers is how many players the gateway bridges now.
	WebPlayers int
}

// Prober checks the game's status. Create it with New, run it with Run,
// read it with Snapshot from any goroutine.
type Prober struct {
	cfg Config
	log *slog.Logger
	// interval and timeout are cfg's, as SetTiming last set them;
	// retimed tells Run that the interval changed.
	interval, timeout atomic.Int64
	retimed           chan struct{}

	wake chan struct{} // a dial worked again: check now

	mu   sync.Mutex
	snap Snapshot // WebPlayers unused: read live
}

// New returns a Prober for cfg. Until Run's first check ends, Snapshot
// reports nothing about the game.
func New(cfg Config) *Prober {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Prober{cfg: cfg, log: log, snap: Snapshot{Game: Game{Players: -1}}, retimed: make(chan struct{}, 1), wake: make(chan struct{}, 1)}
	p.SetTiming(cfg.Interval, cfg.Timeout)
	return p
}

// SetTiming changes the interval between checks and the timeout of one,
// for a configuration reload; zero or negative keeps the current value.
// The new interval counts from the start of the last check: a shorter
// one may start the next check at once.
func (p *Prober) SetTiming(interval, timeout time.Duration) {
	if interval > 0 {
		p.interval.Store(int64(interval))
		select {
		case p.retimed <- struct{}{}:
		default:
		}
	}
	if timeout > 0 {
		p.timeout.Store(int64(timeout))
	}
}

// Dial connects to the game with Config.Dial for a player, and records
// at once whether the game was reachable: a failed dial marks it not
// answering, a dial that works marks it reachable (and, if it was not,
// has Run check it now for its MSSP status). A dial the caller
// cancelled says nothing about the game and is not recorded; one that
// ran out of time is.
func (p *Prober) Dial(ctx context.Context, player string) (net.Conn, error) {
	conn, err := p.cfg.Dial(ctx, player)
	if err != nil && errors.Is(ctx.Err(), context.Canceled) {
		return conn, err
	}
	p.observe(err)
	return conn, err
}

// observe records the outcome of a player's dial.
func (p *Prober) observe(err error) {
	reachable := err == nil
	p.mu.Lock()
	prev := p.snap
	p.snap.Checked, p.snap.Reachable = time.Now(), reachable
	if !reachable {
		p.snap.MSSP = false // the numbers of an answer are no longer current
	}
	p.mu.Unlock()
	first := prev.Checked.IsZero()
	switch {
	case !reachable && (first || prev.Reachable):
		p.log.Info("the game is not answering; the front page says so", "err", err, "seen_by", "a player's connection")
	case reachable && (first || !prev.Reachable):
		p.log.Info("the game answers again; the front page says so", "seen_by", "a player's connection")
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

// Snapshot returns the current status.
func (p *Prober) Snapshot() Snapshot {
	p.mu.Lock()
	s := p.snap
	p.mu.Unlock()
	if p.cfg.Players != nil {
		s.WebPlayers = p.cfg.Players()
	}
	return s
}

// Run checks the game at once and then every Interval, one check at a
// time, until ctx ends; then it returns nil. A check in progress is cut
// short by ctx, and its result dropped.
func (p *Prober) Run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	var start time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-p.retimed:
			if !start.IsZero() {
				t.Reset(max(time.Duration(p.interval.Load())-time.Since(start), 0))
			}
			continue
		case <-t.C:
		case <-p.wake:
			t.Stop()
		}
		start = time.Now()
		p.check(ctx)
		t.Reset(max(time.Duration(p.interval.Load())-time.Since(start), 0))
	}
}

// check runs one probe and records its result.
func (p *Prober) check(ctx context.Context) {
	start := time.Now()
	m, reachable, err := p.probe(ctx)
	if ctx.Err() != nil {
		return // shutting down: what failed says nothing about the game
	}
	now := time.Now()
	p.mu.Lock()
	prev := p.snap
	if prev.Checked.After(start) && !prev.Reachable {
		// A player's dial failed while this check ran: the game went
		// down after the check got through, and that newer word stands.
		p.mu.Unlock()
		p.log.Debug("game status check outdated by a player's failed dial", "reachable", reachable, "err", err)
		return
	}
	p.snap.Checked, p.snap.Reachable, p.snap.MSSP = now, reachable, m != nil
	if m != nil {
		p.snap.Game, p.snap.Received = gameOf(m, now), now
	}
	cur := p.snap
	p.mu.Unlock()

	first := prev.Checked.IsZero()
	took := now.Sub(start).Round(time.Millisecond)
	p.log.Debug("game status checked", "reachable", reachable, "mssp", m != nil, "took", took, "err", err)
	switch {
	case !cur.Reachable && (first || prev.Reachable):
		p.log.Info("the game is not answering; the front page says so", "err", err)
	case cur.MSSP && (first || !prev.MSSP):
		p.log.Info("the game answers MSSP; the front page shows its status",
			"name", cur.Game.Name, "players", cur.Game.Players)
	case cur.Reachable && !cur.MSSP && (first || prev.MSSP || !prev.Reachable):
		p.log.Info("the game is reachable but gave no MSSP status; the front page shows only the gateway's players", "err", err)
	}
}

// errNoMSSP is a check's error when the game refused MSSP.
var errNoMSSP = errors.New("the game refused MSSP (WONT MSSP)")

// probe connects to the game and waits for its MSSP answer. It returns
// the answer (nil without one), whether the game was reached, and what
// went wrong.
func (p *Prober) probe(ctx context.Context) (telnet.MSSP, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(p.timeout.Load()))
	defer cancel()
	conn, err := p.cfg.Dial(ctx, "")
	if err != nil {
		return nil, false, fmt.Errorf("dial game: %w", err)
	}
	defer conn.Close()
	// The context ends the check: its deadline bounds every read and
	// write, and a cancellation closes the connection.
	if d, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	s := &session{conn: conn}
	s.neg.Allow(telnet.Him, telnet.OptMSSP, true)
	// Ask first: many games answer a DO MSSP without offering it.
	if !s.send(s.neg.Enable(nil, telnet.Him, telnet.OptMSSP)) {
		return nil, true, fmt.Errorf("ask the game for MSSP: %w", s.err)
	}
	buf := make([]byte, 4096)
	read := 0
	for s.mssp == nil && s.err == nil && !s.refused {
		n, rerr := conn.Read(buf)
		read += n
		s.parser.Parse(buf[:n], s)
		switch {
		case s.mssp != nil:
		case rerr != nil:
			if ctx.Err() != nil {
				rerr = fmt.Errorf("no MSSP answer within %s", time.Duration(p.timeout.Load()))
			}
			return nil, true, rerr
		case read > maxRead:
			return nil, true, fmt.Errorf("no MSSP answer in the first %d bytes", maxRead)
		}
	}
	switch {
	case s.mssp != nil:
		return s.mssp, true, nil
	case s.refused:
		return nil, true, errNoMSSP
	}
	return nil, true, fmt.Errorf("answer the game: %w", s.err)
}

// session is one check's telnet state: the parser's handler.
type session struct {
	conn    net.Conn
	parser  telnet.Parser
	neg     telnet.Negotiator
	mssp    telnet.MSSP // the answer, once it came
	refused bool        // the game said WONT MSSP
	err     error       // a write failed
}

// send writes b to the game, keeping the first error.
func (s *session) send(b []byte) bool {
	if len(b) == 0 || s.err != nil {
		return s.err == nil
	}
	_, s.err = s.conn.Write(b)
	return s.err == nil
}

// Data is the game's text: not read.
func (s *session) Data([]byte) {}

// Command is a telnet command from the game: nothing to do.
func (s *session) Command(byte) {}

// Negotiate answers the game's option requests with the Q method: yes to
// WILL MSSP, no to everything else.
func (s *session) Negotiate(verb, opt byte) {
	reply, _ := s.neg.Receive(nil, verb, opt)
	s.send(reply)
	if opt == telnet.OptMSSP && verb == telnet.WONT && !s.neg.Enabled(telnet.Him, telnet.OptMSSP) {
		s.refused = true
		s.parser.Stop()
	}
}

// Subnegotiation takes the MSSP answer.
func (s *session) Subnegotiation(opt byte, data []byte) {
	if opt == telnet.OptMSSP && s.mssp == nil {
		s.mssp = telnet.ParseMSSP(data)
		s.parser.Stop()
	}
}

// gameOf keeps the public variables of m, cleaned.
func gameOf(m telnet.MSSP, now time.Time) Game {
	g := Game{
		Name:     clean(m.Get("NAME")),
		Players:  -1,
		Codebase: clean(m.Get("CODEBASE")),
		Contact:  clean(m.Get("CONTACT")),
		Language: clean(m.Get("LANGUAGE")),
	}
	if n, err := strconv.Atoi(strings.TrimSpace(m.Get("PLAYERS"))); err == nil && n >= 0 && n <= maxPlayers {
		g.Players = n
	}
	if t, err := strconv.ParseInt(strings.TrimSpace(m.Get("UPTIME")), 10, 64); err == nil && t > 0 {
		if start := time.Unix(t, 0); !start.After(now.Add(futureSlack)) {
			g.Started = start
		}
	}
	if w := clean(m.Get("WEBSITE")); w != "" {
		if u, err := url.Parse(w); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			g.Website = w
		}
	}
	return g
}

// clean makes a game's text safe to show: valid UTF-8, no control or
// format characters (no escape sequences, no bidi overrides), spaces
// collapsed, at most maxText characters.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	n, space := 0, false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if n == maxText {
			break
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
			if n == maxText {
				break
			}
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
