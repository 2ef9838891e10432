package telnet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"unicode/utf8"
)

// Defaults used by NewClient for zero Config fields.
const (
	// DefaultClientName is the first TTYPE answer: the client's name.
	DefaultClientName = "DRAWBRIDGE"
	// DefaultTerminalType is the second TTYPE answer.
	DefaultTerminalType = "XTERM-256COLOR"
	// DefaultMTTS is the MTTS bitfield sent when Config.MTTS is zero: ANSI,
	// VT100, UTF-8, 256 colours, truecolour, and PROXY, since the gateway
	// carries many players from one address.
	DefaultMTTS = MTTSANSI | MTTSVT100 | MTTSUTF8 | MTTS256Colors | MTTSTrueColor | MTTSProxy
	// DefaultClientVersion is CLIENT_VERSION in NEW-ENVIRON (MNES) when
	// Config.ClientVersion is empty.
	DefaultClientVersion = "1"
	// DefaultCols and DefaultRows are the window size sent over NAWS until
	// Resize says otherwise.
	DefaultCols = 80
	DefaultRows = 24
)

// maxTTYPE bounds one TTYPE answer. RFC 1091 names are at most 40
// characters; MUD client names with versions run a little longer.
const maxTTYPE = 64

// ErrLineBreak is returned by SendLine for a line with CR or LF inside it:
// a line is one command, and the caller splits pasted text into lines.
var ErrLineBreak = errors.New("telnet: line contains CR or LF")

// Config describes the telnet client the gateway presents to a game. The
// zero value works: empty fields take the defaults above.
type Config struct {
	// ClientName is the first TTYPE answer (MTTS), e.g. "DRAWBRIDGE".
	// Only printable ASCII is kept, at most 64 bytes.
	ClientName string
	// TerminalType is the second TTYPE answer, e.g. "XTERM-256COLOR".
	// Only printable ASCII is kept, at most 64 bytes.
	TerminalType string
	// ClientVersion is CLIENT_VERSION in NEW-ENVIRON (MNES).
	ClientVersion string
	// IPAddress is the player's own address, sent as IPADDRESS over
	// NEW-ENVIRON (MNES) so that a game can tell players apart although
	// they all connect from the gateway. Empty: not sent.
	IPAddress string
	// MTTS is the MTTS bitfield (MTTSANSI | ...) sent as "MTTS <n>" in the
	// third TTYPE answer; zero means DefaultMTTS.
	MTTS int
	// Cols and Rows are the initial window size for NAWS; zero means
	// DefaultCols and DefaultRows.
	Cols, Rows int
	// GMCPSupports is the package list sent in Core.Supports.Set when the
	// game turns GMCP on; nil means DefaultGMCPSupports.
	GMCPSupports []string
	// MaxSubneg bounds one subnegotiation from the game; zero means
	// DefaultMaxSubneg.
	MaxSubneg int
	// Logger receives debug logs of negotiation; nil discards them.
	Logger *slog.Logger
}

// Sink receives what the game sends, decoded, for one player. Its methods
// are called from the goroutine that calls Client.Receive, never while the
// Client holds its lock, so a Sink may call SendLine, SendKeys or Resize.
type Sink interface {
	// Output receives terminal text for the player. It is always valid
	// UTF-8: a rune cut across two Receive calls is held back until it is
	// complete, and invalid bytes are replaced by U+FFFD. p is valid only
	// during the call.
	Output(p []byte)
	// Prompt reports that the game marked a prompt (IAC GA, or IAC EOR).
	Prompt()
	// Echo reports who echoes the player's input: true once the game said
	// WILL ECHO and we agreed (the game echoes, so the player's input must
	// be masked and kept out of history, as for a password); false when it
	// stops, back to local echo. Echo starts false and is only called on a
	// change.
	Echo(remote bool)
	// GMCP receives one GMCP message from the game, "Package.Name json",
	// well-formed (see GMCPPackage), in stream order with the text. msg is
	// valid only during the call.
	GMCP(msg []byte)
}

// Stats is a snapshot of a Client's counters, for logs and metrics.
type Stats struct {
	// Parser counts subnegotiations from the game that were dropped.
	Parser ParserStats
	// BytesIn and BytesOut count bytes received from and sent to the game.
	BytesIn, BytesOut int64
}

// Client speaks telnet to a game for one player. It decodes what the game
// sends into a Sink, answers negotiation on its own, and encodes what the
// player types so that the player can never inject telnet commands.
//
// Options: it agrees to ECHO, SGA and EOR from the game (Him), and to SGA,
// NAWS, TTYPE (with the MTTS cycle) and NEW-ENVIRON (the MNES variables,
// the player's IPADDRESS among them) on its own side (Us), to CHARSET
// either way, where it accepts UTF-8 and nothing else, and to GMCP from
// the game, answered with Core.Hello and Core.Supports.Set. Everything
// else is refused with the RFC 1143 Q method. The Client never starts a negotiation: it answers
// what the game asks, so games that do not speak telnet see no IAC bytes.
//
// Concurrency: Receive must be called from one goroutine at a time (the
// one reading from the game). SendLine, SendKeys, Resize, Enabled and
// Stats may be called from any goroutine, concurrently with Receive: a
// mutex guards the negotiation state and serialises every write to w, so
// bytes sent to the game never interleave. Writes happen while holding
// that mutex; if w blocks (a game that stops reading), the callers block
// too, so w should carry a write deadline. After a write fails every
// method returns that error; the Client is then done.
type Client struct {
	w   io.Writer
	log *slog.Logger

	// Set once by NewClient.
	ttypes [3][]byte // ClientName, TerminalType, "MTTS n"
	env    environ   // the MNES variables
	hello  []byte    // the GMCP Core.Hello and Core.Supports.Set, ready to send

	// Owned by the goroutine in Receive.
	parser Parser
	sink   Sink
	h      clientHandler
	hold   [4]byte // start of a UTF-8 sequence cut by the end of a Receive
	nhold  int
	fix    []byte // scratch for replacing invalid UTF-8
	repl   [3]byte
	dirty  bool // replies were queued in out during this Receive

	mu        sync.Mutex // guards everything below, and writes to w
	neg       Negotiator
	out       []byte // bytes waiting to be written to w
	err       error  // first write error, sticky
	ttypeStep int    // answers given in the current TTYPE cycle
	cols      int
	rows      int
	nawsSent  bool // the current size went out over NAWS
	stats     Stats
}

// NewClient returns a Client with cfg that writes everything meant for the
// game to w (usually the game connection).
func NewClient(cfg Config, w io.Writer) *Client {
	c := &Client{w: w, log: cfg.Logger}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	name := cleanTTYPE(cfg.ClientName, DefaultClientName)
	term := cleanTTYPE(cfg.TerminalType, DefaultTerminalType)
	mtts := cfg.MTTS
	if mtts <= 0 {
		mtts = DefaultMTTS
	}
	c.ttypes = [3][]byte{name, term, strconv.AppendInt([]byte("MTTS "), int64(mtts), 10)}
	version := cleanTTYPE(cfg.ClientVersion, DefaultClientVersion)
	c.env = newEnviron(name, version, term, cfg.IPAddress, mtts)
	c.hello = gmcpHello(string(name), string(version), cfg.GMCPSupports)
	c.cols, c.rows = cfg.Cols, cfg.Rows
	if c.cols <= 0 {
		c.cols = DefaultCols
	}
	if c.rows <= 0 {
		c.rows = DefaultRows
	}
	c.parser.MaxSubneg = cfg.MaxSubneg
	c.h.c = c
	copy(c.repl[:], replacement)

	c.neg.Allow(Him, OptEcho, true)
	c.neg.Allow(Him, OptSGA, true)
	c.neg.Allow(Him, OptEOR, true)
	c.neg.Allow(Us, OptSGA, true)
	c.neg.Allow(Us, OptNAWS, true)
	c.neg.Allow(Us, OptTTYPE, true)
	c.neg.Allow(Us, OptNewEnviron, true)
	c.neg.Allow(Us, OptCharset, true)
	c.neg.Allow(Him, OptCharset, true)
	c.neg.Allow(Him, OptGMCP, true)
	return c
}

// cleanTTYPE keeps the printable ASCII of s, at most maxTTYPE bytes, or
// returns def when nothing is left.
func cleanTTYPE(s, def string) []byte {
	b := make([]byte, 0, min(len(s), maxTTYPE))
	for i := 0; i < len(s) && len(b) < maxTTYPE; i++ {
		if c := s[i]; c >= 0x20 && c < 0x7F {
			b = append(b, c)
		}
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return []byte(def)
	}
	return b
}

// Receive decodes bytes from the game: text goes to s.Output, prompt
// marks to s.Prompt, echo changes to s.Echo. Negotiation answers are
// written to w before Receive returns, and before s hears of anything
// that followed them in the stream: once the player sees a password
// prompt, the game already has our DO ECHO, so input typed in answer
// cannot overtake it. It returns an error only when a write to w failed
// (now or before). Call it from one goroutine; s must not be nil.
func (c *Client) Receive(p []byte, s Sink) error {
	c.sink = s
	c.parser.Parse(p, &c.h)
	c.sink = nil
	c.dirty = false

	c.mu.Lock()
	defer c.mu.Unlock()
	c.stats.BytesIn += int64(len(p))
	c.stats.Parser = c.parser.Stats()
	return c.flushLocked()
}

// SendLine sends one line the player typed, terminated by CR LF, with
// every 255 byte doubled. A single trailing CR LF, LF or CR is taken as the
// terminator and dropped; any other CR or LF in line is refused with
// ErrLineBreak and nothing is sent, so one input cannot become several
// commands behind the caller's back.
func (c *Client) SendLine(line []byte) error {
	switch {
	case bytes.HasSuffix(line, []byte("\r\n")):
		line = line[:len(line)-2]
	case bytes.HasSuffix(line, []byte("\n")), bytes.HasSuffix(line, []byte("\r")):
		line = line[:len(line)-1]
	}
	if bytes.IndexByte(line, '\r') >= 0 || bytes.IndexByte(line, '\n') >= 0 {
		return ErrLineBreak
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	c.out = AppendEscaped(c.out, line)
	c.out = append(c.out, '\r', '\n')
	return c.flushLocked()
}

// SendKeys sends raw keys (character mode) with every 255 byte doubled. A
// CR not followed by LF within p goes out as CR NUL (RFC 854), unless we
// transmit in BINARY mode.
func (c *Client) SendKeys(p []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	binary := c.neg.Enabled(Us, OptBinary)
	for i, b := range p {
		switch {
		case b == IAC:
			c.out = append(c.out, IAC, IAC)
		case b == '\r' && !binary && (i+1 == len(p) || p[i+1] != '\n'):
			c.out = append(c.out, '\r', 0)
		default:
			c.out = append(c.out, b)
		}
	}
	return c.flushLocked()
}

// SendGMCP sends one GMCP message ("Package.Name json") to the game if
// the game turned GMCP on; otherwise it drops it and returns nil. The
// caller decides which packages a player may send.
func (c *Client) SendGMCP(msg []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	if !c.neg.Enabled(Him, OptGMCP) {
		return nil
	}
	c.out = appendGMCP(c.out, msg)
	return c.flushLocked()
}

// Resize records the player's window size (clamped to 0..65535; zero or
// less keeps the current value) and, if NAWS is on and the size changed,
// sends it to the game.
func (c *Client) Resize(cols, rows int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	if cols > 0 {
		cols = min(cols, 0xFFFF)
	} else {
		cols = c.cols
	}
	if rows > 0 {
		rows = min(rows, 0xFFFF)
	} else {
		rows = c.rows
	}
	if cols == c.cols && rows == c.rows && c.nawsSent {
		return nil
	}
	c.cols, c.rows = cols, rows
	c.nawsSent = false
	c.sendNAWSLocked()
	return c.flushLocked()
}

// Enabled reports whether opt is enabled on our side (we said WILL and the
// game agreed, or the reverse) and on the game's side.
func (c *Client) Enabled(opt byte) (us, him bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.neg.Enabled(Us, opt), c.neg.Enabled(Him, opt)
}

// Stats returns the Client's counters.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// sendNAWSLocked queues the window size if NAWS is on.
func (c *Client) sendNAWSLocked() {
	if !c.neg.Enabled(Us, OptNAWS) {
		return
	}
	c.out = AppendNAWS(c.out, c.cols, c.rows)
	c.nawsSent = true
}

// flushLocked writes the queued bytes to w.
func (c *Client) flushLocked() error {
	if c.err != nil {
		c.out = c.out[:0]
		return c.err
	}
	if len(c.out) == 0 {
		return nil
	}
	n, err := c.w.Write(c.out)
	c.stats.BytesOut += int64(n)
	if err == nil && n < len(c.out) {
		err = io.ErrShortWrite
	}
	c.out = c.out[:0]
	if cap(c.out) > 64<<10 {
		c.out = nil // a huge paste should not pin its buffer for the session
	}
	if err != nil {
		c.err = fmt.Errorf("telnet: write to game: %w", err)
	}
	return c.err
}

// flushReplies writes the replies queued so far in this Receive, so they
// reach the game before the Sink can react to later events. Write errors
// stay sticky and are returned by Receive.
func (c *Client) flushReplies() {
	if !c.dirty {
		return
	}
	c.dirty = false
	c.mu.Lock()
	_ = c.flushLocked()
	c.mu.Unlock()
}

// clientHandler is the Client's Parser Handler; a separate type keeps
// these methods out of the Client's API.
type clientHandler struct{ c *Client }

// Data forwards game text to the Sink as valid UTF-8.
func (h *clientHandler) Data(p []byte) { h.c.output(p) }

// Command turns GA and EOR into prompt marks; other commands (NOP, AYT,
// DM, unknown ones) are ignored.
func (h *clientHandler) Command(cmd byte) {
	c := h.c
	if cmd != GA && cmd != EOR {
		return
	}
	c.flushReplies()
	c.dropHeld(c.sink) // the prompt ends the text: what is held will never complete
	c.sink.Prompt()
}

// Flush sends what Receive holds back (the start of a rune cut by the end
// of a read) as U+FFFD. Call it when the game's stream ends, from the
// goroutine that calls Receive, so the last bytes are not silently lost.
func (c *Client) Flush(s Sink) { c.dropHeld(s) }

func (c *Client) dropHeld(s Sink) {
	if c.nhold > 0 {
		c.nhold = 0
		s.Output(c.repl[:])
	}
}

// Negotiate runs the Q method and reacts to options turning on or off.
func (h *clientHandler) Negotiate(verb, opt byte) {
	c := h.c
	c.mu.Lock()
	var ch Change
	n := len(c.out)
	c.out, ch = c.neg.Receive(c.out, verb, opt)
	side := Us
	if verb == WILL || verb == WONT {
		side = Him
	}
	if ch != Unchanged && side == Us {
		switch opt {
		case OptNAWS:
			c.nawsSent = false
			c.sendNAWSLocked()
		case OptTTYPE:
			// MTTS: a DONT TTYPE (as before a copyover) restarts the cycle.
			c.ttypeStep = 0
		}
	}
	if ch == TurnedOn && side == Him && opt == OptGMCP {
		c.out = append(c.out, c.hello...)
	}
	if len(c.out) != n {
		c.dirty = true
	}
	c.mu.Unlock()

	if c.log.Enabled(context.Background(), slog.LevelDebug) {
		c.log.Debug("telnet negotiation", "verb", CmdName(verb), "option", OptName(opt), "side", side.String(), "change", ch.String())
	}
	if ch == Unchanged || side != Him {
		return
	}
	switch opt {
	case OptEcho:
		c.flushReplies()
		c.sink.Echo(ch == TurnedOn)
	case OptBinary:
		c.parser.Binary = ch == TurnedOn
	}
}

// Subnegotiation passes GMCP messages to the sink and answers TTYPE
// SEND, NEW-ENVIRON SEND and CHARSET REQUEST; others are ignored.
func (h *clientHandler) Subnegotiation(opt byte, data []byte) {
	c := h.c
	c.mu.Lock()
	if opt == OptGMCP {
		on := c.neg.Enabled(Him, OptGMCP)
		c.mu.Unlock()
		if _, ok := GMCPPackage(data); on && ok {
			c.flushReplies()
			c.sink.GMCP(data)
		} else if on {
			c.log.Debug("dropped malformed GMCP from the game", "bytes", len(data))
		}
		return
	}
	defer c.mu.Unlock()
	n := len(c.out)
	switch {
	case opt == OptTTYPE && len(data) == 1 && data[0] == SEND && c.neg.Enabled(Us, OptTTYPE):
		// MTTS cycle: name, terminal type, "MTTS n", "MTTS n" again (the
		// repeat tells the game the list ended), then from the start (RFC
		// 1091 lists are cyclic).
		ans := c.ttypes[min(c.ttypeStep, 2)]
		c.ttypeStep = (c.ttypeStep + 1) % 4
		c.out = append(c.out, IAC, SB, OptTTYPE, IS)
		c.out = AppendEscaped(c.out, ans)
		c.out = append(c.out, IAC, SE)
	case opt == OptNewEnviron && len(data) > 0 && data[0] == EnvSEND && c.neg.Enabled(Us, OptNewEnviron):
		c.out = c.env.appendEnvIS(c.out, parseEnvSend(data[1:]))
	case opt == OptCharset && (c.neg.Enabled(Us, OptCharset) || c.neg.Enabled(Him, OptCharset)):
		c.out = charsetAnswer(c.out, data)
	}
	if len(c.out) != n {
		c.dirty = true
	}
}

// output gives p to the Sink as valid UTF-8, holding back an incomplete
// sequence at its end until the next call.
func (c *Client) output(p []byte) {
	c.flushReplies()
	if c.nhold > 0 {
		p = c.completeHeld(p)
	}
	t := incompleteTail(p)
	body := p[:len(p)-t]
	if len(body) > 0 {
		if utf8.Valid(body) {
			c.sink.Output(body)
		} else {
			c.fix = appendValidUTF8(c.fix[:0], body)
			c.sink.Output(c.fix)
			if cap(c.fix) > 256<<10 {
				c.fix = nil // do not pin a buffer sized for one odd burst
			}
		}
	}
	if t > 0 {
		c.nhold = copy(c.hold[:], p[len(p)-t:])
	}
}

// completeHeld adds bytes from p to the held sequence until it is a whole
// rune (sent as is) or cannot become one (sent as U+FFFD), and returns the
// rest of p.
func (c *Client) completeHeld(p []byte) []byte {
	for len(p) > 0 {
		c.hold[c.nhold] = p[0]
		seq := c.hold[:c.nhold+1]
		if r, size := utf8.DecodeRune(seq); r != utf8.RuneError || size > 1 {
			c.nhold = 0
			c.sink.Output(seq)
			return p[1:]
		}
		if utf8.FullRune(seq) {
			// p[0] cannot continue the sequence: replace what was held
			// and let p[0] be read afresh.
			c.nhold = 0
			c.sink.Output(c.repl[:])
			return p
		}
		c.nhold++
		p = p[1:]
	}
	return p
}
