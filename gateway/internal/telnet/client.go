package telnet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/drawbridge/drawbridge/gateway/internal/mxp"
)

// Defaults used by NewClient for zero Config fields.
const (
	// DefaultClientName is the first TTYPE answer: the client's name.
	DefaultClientName = "DRAWBRIDGE"
	// DefaultTerminalType is the second TTYPE answer.
	DefaultTerminalType = "XTERM-256COLOR"
	// DefaultMTTS is the MTTS bitfield sent when Config.MTTS is zero: ANSI,
	// VT100, UTF-8, 256 colours, truecolour, PROXY, since the gateway
	// carries many players from one address, and MNES, since it answers
	// NEW-ENVIRON with the MNES variables.
	DefaultMTTS = MTTSANSI | MTTSVT100 | MTTSUTF8 | MTTS256Colors | MTTSTrueColor | MTTSProxy | MTTSMNES
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
	// Charset is the character set the game speaks until CHARSET
	// negotiation says otherwise: "" or "utf-8" (the default), or one of
	// Charsets: "latin1" (ISO-8859-1, also spelled "iso-8859-1"),
	// "cp437" (IBM PC, for DOS-era BBS art), "koi8-r" (Russian), "gbk"
	// (GBK, which reads GB2312 too) and "gb18030" (Simplified Chinese),
	// "big5" (Traditional Chinese), "euc-kr" (Korean), "shift_jis" or
	// "sjis" (Japanese), the East Asian ones as the WHATWG Encoding
	// Standard defines them (what browsers use); case does not matter,
	// and an unknown name is logged and read as UTF-8 (see
	// KnownCharset). With a legacy charset the game's text is transcoded
	// to UTF-8 for the player and the player's input to the charset for
	// the game, '?' standing for what it cannot represent. The client tells the game the truth: MTTS
	// leaves out its UTF-8 bit and MNES CHARSET names the charset. If the
	// game offers UTF-8 over CHARSET (RFC 2066) the client accepts it and
	// from then on reads and writes UTF-8, and later MTTS and MNES answers
	// say UTF-8; offered only the configured charset, it accepts that and
	// goes on transcoding. With no charset configured, a game that offers
	// no UTF-8 but a charset the client transcodes gets the first such
	// accepted, and is read in it from then on.
	Charset string
	// MaxInflate bounds the bytes one Receive may inflate from the game's
	// compressed stream (MCCP2); past it the stream counts as a
	// decompression bomb and Receive fails with ErrCompression. Zero or
	// less means DefaultMaxInflate.
	MaxInflate int
	// NoMXP refuses MXP (telnet option 91), which the client otherwise
	// agrees to either way: the game's markup then reaches the player as
	// the text it is, and it is the game's to send none.
	NoMXP bool
	// Logger receives debug logs of negotiation; nil discards them.
	Logger *slog.Logger
}

// Sink receives what the game sends, decoded, for one player. Its methods
// are called from the goroutine that calls Client.Receive, never while the
// Client holds its lock, so a Sink may call SendLine, SendKeys or Resize.
type Sink interface {
	// Output receives terminal text for the player. It is always valid
	// UTF-8: a rune cut across two Receive calls is held back until it is
	// complete, invalid bytes are replaced by U+FFFD, and a legacy
	// charset is transcoded. p is valid only during the call, and whole
	// runes: a Sink may cut its frames between calls.
	//
	// Sizes: one call carries at most three bytes for each byte of the
	// Receive buffer, or, for a compressed stream, of 16 KiB of inflated
	// data, plus a held rune (4 bytes). But one Receive of compressed data
	// may make many calls, up to Config.MaxInflate of inflated text in
	// all: a Sink that frames what one Receive gives must split. With MXP
	// on, markup can make the text longer than what the game sent
	// (colours, links, definitions that expand): the Client then cuts it
	// into calls of at most 48 KiB (three bytes for each of 16 KiB), and
	// one Receive may make several.
	//
	// With MXP on, the text is what package mxp makes of the game's: SGR
	// for its styles, OSC 8 hyperlinks for its links, "mxp:send?..." URIs
	// for the commands it offers.
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
	// Compressing reports whether the game's stream is compressed (MCCP2)
	// right now.
	Compressing bool
	// CompressedIn counts the bytes of BytesIn that arrived compressed,
	// and Inflated the bytes they inflated to.
	CompressedIn, Inflated int64
	// Charset is the character set the game's text is read in now:
	// "UTF-8", "ISO-8859-1" or "IBM437".
	Charset string
}

// Client speaks telnet to a game for one player. It decodes what the game
// sends into a Sink, answers negotiation on its own, and encodes what the
// player types so that the player can never inject telnet commands.
//
// Options: it agrees to ECHO, SGA and EOR from the game (Him), and to SGA,
// NAWS, TTYPE (with the MTTS cycle) and NEW-ENVIRON (the MNES variables,
// the player's IPADDRESS among them) on its own side (Us), to CHARSET
// either way, where it accepts UTF-8, else the configured legacy charset
// (Config.Charset), to BINARY either way, to GMCP from the game, answered with Core.Hello and
// Core.Supports.Set, to MCCP2 (COMPRESS2) from the game, whose
// compressed stream it inflates, and to MXP either way (IAC WILL MXP, or
// the IAC DO MXP some games send), unless Config.NoMXP. Everything else
// is refused with the RFC 1143 Q method. The Client never starts a
// negotiation: it answers what the game asks, so games that do not speak
// telnet see no IAC bytes.
//
// MXP: from the moment the option is agreed (as Mudlet does: games
// differ on whether IAC SB MXP IAC SE follows, which starts MXP too) to
// the moment it is turned off, the game's text, after charset decoding,
// goes through an mxp.Filter before the Sink, and its answers to
// <VERSION> and <SUPPORT> go to the game as lines, in the game's charset.
// A prompt mark (GA, EOR) ends what the filter holds (a tag cut short is
// text); MXP turning off, or Flush, closes what it has open.
//
// Compression (MCCP2): after IAC SB COMPRESS2 IAC SE everything from the
// game is a zlib stream, up to the stream's end, after which it is plain
// telnet again (and the game may compress again later). The switch may
// fall anywhere in a Receive buffer: the Parser stops right after the SE
// (Parser.Stop) and the rest of the buffer goes through the inflater,
// whose output is parsed by the same Parser, in chunks of at most 16 KiB.
// A corrupt stream, or one inflating to more than Config.MaxInflate in
// one Receive, makes Receive fail with ErrCompression. The inflater, its
// buffers and its coroutine (about 70 KiB) exist only while the stream is
// compressed: Flush, or the Client's collection, releases one cut short.
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

	// Set by NewClient; charset, mtts[1] and env[1] change only when a
	// game with no charset configured picks one over CHARSET, by the
	// Receive goroutine under mu.
	ttypes  [2][]byte     // ClientName, TerminalType
	mtts    [2][]byte     // "MTTS n", reading UTF-8 [0] or the legacy charset [1]
	env     [2]environ    // likewise; [1] only with a legacy charset
	hello   []byte        // the GMCP Core.Hello and Core.Supports.Set, ready to send
	charset legacyCharset // the configured legacy charset; nil for UTF-8
	// legacyEnv sets mtts[1] and env[1] for a legacy charset: at start
	// for the configured one, or when the game picks one over CHARSET.
	legacyEnv func(legacyCharset)

	maxInflate int

	// Owned by the goroutine in Receive.
	parser Parser
	sink   Sink
	h      clientHandler
	hold   [4]byte // start of a UTF-8 sequence cut by the end of a Receive
	nhold  int
	fix    []byte // scratch for replacing invalid UTF-8
	repl   [3]byte
	dirty  bool // replies were queued in out during this Receive

	mx      *mxp.Filter // set while MXP is on
	guard   mxp.Guard   // while MXP is off: no command links (mxp.Guard)
	mxCfg   mxp.Config
	mxOut   []byte // scratch for the filter's output
	mxReply []byte // and its answers

	z            *inflater       // set while the game's stream is compressed
	zclean       runtime.Cleanup // stops z if the Client is dropped mid-stream
	zstart       bool            // the Parser stopped after IAC SB COMPRESS2 IAC SE
	zerr         error           // the compressed stream failed: sticky
	budget       int             // bytes the current Receive may still inflate
	compressedIn int64
	inflated     int64

	mu        sync.Mutex // guards everything below, and writes to w
	neg       Negotiator
	out       []byte // bytes waiting to be written to w
	err       error  // first write error, sticky
	ttypeStep int    // answers given in the current TTYPE cycle
	cols      int
	rows      int
	nawsSent  bool // the current size went out over NAWS
	stats     Stats
	// legacy is the charset the game speaks now: Config.Charset's, or nil
	// once the game and the client agreed on UTF-8 (or if none was
	// configured). Changed only by the Receive goroutine, under mu, so
	// that goroutine may read it without.
	legacy legacyCharset
	// dec decodes charset (nil without one); it keeps the start of a
	// character cut by the end of a read.
	dec legacyDecoder
	tx  []byte // scratch for player input in the legacy charset
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
	cm, ok := lookupCharset(cfg.Charset)
	if !ok {
		c.log.Warn("unknown charset for the game, reading UTF-8", "charset", cfg.Charset)
	}
	c.charset, c.legacy = cm, cm
	if cm != nil {
		c.dec = cm.newDecoder()
	}
	// What the client says about itself follows the charset it reads:
	// with a legacy one, MTTS has no UTF-8 bit and MNES CHARSET names it,
	// until the game accepts UTF-8 over CHARSET. Without one, MTTS is
	// sent as configured.
	mttsUTF8, mttsLegacy := mtts, mtts&^MTTSUTF8
	if cm != nil {
		mttsUTF8 |= MTTSUTF8
	}
	c.ttypes = [2][]byte{name, term}
	version := cleanTTYPE(cfg.ClientVersion, DefaultClientVersion)
	c.mtts[0] = mttsLine(mttsUTF8)
	c.env[0] = newEnviron("UTF-8", name, version, term, cfg.IPAddress, mttsUTF8)
	c.legacyEnv = func(cs legacyCharset) {
		c.mtts[1] = mttsLine(mttsLegacy)
		c.env[1] = newEnviron(cs.ianaName(), name, version, term, cfg.IPAddress, mttsLegacy)
	}
	if cm != nil { // mode() is 1 only then: every player need not carry it
		c.legacyEnv(cm)
	}
	c.maxInflate = cfg.MaxInflate
	if c.maxInflate <= 0 {
		c.maxInflate = DefaultMaxInflate
	}
	c.stats.Charset = c.charsetName()
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
	c.neg.Allow(Him, OptMSDP, true)
	c.neg.Allow(Him, OptMCCP2, true)
	// BINARY (RFC 856) both ways: 8-bit data without the CR NUL rule. A
	// game that is refused it may strip the high bit of what the player
	// types (telnetd sets istrip), which breaks every non-ASCII letter.
	c.neg.Allow(Us, OptBinary, true)
	c.neg.Allow(Him, OptBinary, true)
	if !cfg.NoMXP {
		// Games offer MXP with WILL; some ask with DO. Either way the
		// text carries it.
		c.neg.Allow(Him, OptMXP, true)
		c.neg.Allow(Us, OptMXP, true)
		c.mxCfg = mxp.Config{Client: string(name), Version: string(version)}
	}
	return c
}

// charsetName is the name of the charset the game's text is read in now.
func (c *Client) charsetName() string {
	if c.legacy != nil {
		return c.legacy.ianaName()
	}
	return "UTF-8"
}

func mttsLine(mtts int) []byte { return strconv.AppendInt([]byte("MTTS "), int64(mtts), 10) }

// mode indexes mtts and env: 1 while the game's text is read in the
// legacy charset, else 0.
func (c *Client) mode() int {
	if c.legacy != nil {
		return 1
	}
	return 0
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
// cannot overtake it. It returns an error when a write to w failed (now
// or before), and one wrapping ErrCompression when the game's compressed
// stream is corrupt (now or before: the rest of the stream cannot be
// read); what was decoded before the failure has gone to s. Call it from
// one goroutine; s must not be nil.
func (c *Client) Receive(p []byte, s Sink) error {
	if c.zerr != nil {
		return c.zerr
	}
	c.sink = s
	c.budget = c.maxInflate
	zerr := c.receive(p)
	c.sink = nil
	c.dirty = false

	c.mu.Lock()
	defer c.mu.Unlock()
	c.stats.BytesIn += int64(len(p))
	c.stats.Parser = c.parser.Stats()
	c.stats.Compressing = c.z != nil
	c.stats.CompressedIn, c.stats.Inflated = c.compressedIn, c.inflated
	err := c.flushLocked()
	if zerr != nil {
		c.zerr = zerr
		return zerr
	}
	return err
}

// receive parses p, switching to and from the inflater where the game
// starts and ends compression.
func (c *Client) receive(p []byte) error {
	for {
		if c.z == nil {
			n := c.parser.Parse(p, &c.h)
			p = p[n:]
			if !c.zstart {
				return nil // Parse stops only for compression
			}
			c.zstart = false
			c.startInflate()
		}
		if len(p) == 0 {
			return nil
		}
		var err error
		if p, err = c.inflate(p); err != nil || c.z != nil {
			return err
		}
		// The zlib stream ended: p is plain telnet again.
	}
}

// startInflate begins a compressed stream.
func (c *Client) startInflate() {
	z := newInflater()
	c.z = z
	c.zclean = runtime.AddCleanup(c, func(stop func()) { stop() }, z.stop)
	c.log.Debug("the game started compression (MCCP2)")
}

// endInflate releases the inflater, if any.
func (c *Client) endInflate() {
	if c.z == nil {
		return
	}
	c.zclean.Stop()
	c.z.stop()
	c.z = nil
}

// inflate feeds compressed bytes p to the inflater and parses what comes
// out, at most inflateChunk bytes at a time. It returns the bytes after
// the end of the zlib stream if it ended (c.z is then nil), else nil with
// all of p consumed.
func (c *Client) inflate(p []byte) ([]byte, error) {
	z := c.z
	z.in = p
	for {
		r, more := z.next()
		switch {
		case !more:
			rest := z.in
			c.compressedIn += int64(len(p) - len(rest))
			c.endInflate()
			c.log.Debug("the game ended compression (MCCP2)")
			return rest, nil
		case r.hungry:
			c.compressedIn += int64(len(p))
			z.in = nil // p belongs to the caller
			return nil, nil
		case r.err != nil:
			c.compressedIn += int64(len(p) - len(z.in))
			c.endInflate()
			return nil, fmt.Errorf("%w: %w", ErrCompression, r.err)
		}
		if c.budget -= len(r.out); c.budget < 0 {
			c.compressedIn += int64(len(p) - len(z.in))
			c.endInflate()
			return nil, fmt.Errorf("%w: it inflates to more than %d bytes from one read of %d", ErrCompression, c.maxInflate, len(p))
		}
		c.inflated += int64(len(r.out))
		c.parser.Parse(r.out, &c.h)
	}
}

// SendLine sends one line the player typed, terminated by CR LF, with
// every 255 byte doubled (after transcoding, when the game speaks a legacy
// charset: ÿ is 255 in Latin-1). A single trailing CR LF, LF or CR is
// taken as the terminator and dropped; any other CR or LF in line is
// refused with ErrLineBreak and nothing is sent, so one input cannot
// become several commands behind the caller's back.
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
	line = c.encodeLocked(line)
	c.out = AppendEscaped(c.out, line)
	c.out = append(c.out, '\r', '\n')
	return c.flushLocked()
}

// encodeLocked returns player text p in the charset the game speaks:
// p itself for UTF-8, else a transcoded copy in c.tx.
func (c *Client) encodeLocked(p []byte) []byte {
	if c.legacy == nil || asciiPrefix(p) == len(p) {
		return p
	}
	if cap(c.tx) > 64<<10 {
		c.tx = nil // a huge paste should not pin its buffer for the session
	}
	c.tx = c.legacy.appendEncode(c.tx[:0], p)
	return c.tx
}

// SendKeys sends raw keys (character mode), transcoded like SendLine's
// text, with every 255 byte doubled. A CR not followed by LF within p goes
// out as CR NUL (RFC 854), unless we transmit in BINARY mode.
func (c *Client) SendKeys(p []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	p = c.encodeLocked(p)
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
	if c.mx != nil {
		c.mxOut = c.mx.Flush(c.mxOut[:0])
		c.deliver(c.sink, c.mxOut)
	}
	c.sink.Prompt()
}

// Flush sends what Receive holds back (the start of a rune cut by the end
// of a read) as U+FFFD, and what the MXP filter holds, its colours and
// links closed, and releases the inflater if the game's stream was
// compressed. Call it when the game's stream ends, from the goroutine
// that calls Receive, so the last bytes are not silently lost; Receive
// fails after a Flush that cut a compressed stream short.
func (c *Client) Flush(s Sink) {
	c.dropHeld(s)
	if c.mx != nil {
		c.mxOut = c.mx.End(c.mxOut[:0])
		c.deliver(s, c.mxOut)
	}
	if c.z != nil {
		c.endInflate()
		c.zerr = errFlushed
		c.mu.Lock()
		c.stats.Compressing = false
		c.mu.Unlock()
	}
}

// errFlushed is returned by Receive after Flush ended a compressed stream.
var errFlushed = errors.New("telnet: Receive after Flush ended the compressed stream")

// dropHeld sends what is held back, as U+FFFD: the start of a UTF-8
// rune, and of a legacy charset's character.
func (c *Client) dropHeld(s Sink) {
	c.dropHeldUTF8(s)
	c.dropHeldLegacy(s)
}

func (c *Client) dropHeldUTF8(s Sink) {
	if c.nhold > 0 {
		c.nhold = 0
		c.emit(s, c.repl[:])
	}
}

func (c *Client) dropHeldLegacy(s Sink) {
	if c.dec != nil && c.dec.held() {
		c.emit(s, c.dec.drop(nil))
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
	if ch == TurnedOn && side == Him && opt == OptMSDP {
		c.out = AppendMSDPCommand(c.out, "REPORT", MSDPReported...)
	}
	if len(c.out) != n {
		c.dirty = true
	}
	mxpOn := c.neg.Enabled(Us, OptMXP) || c.neg.Enabled(Him, OptMXP)
	c.mu.Unlock()

	if opt == OptMXP && ch != Unchanged {
		c.setMXP(mxpOn)
	}

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

// Subnegotiation passes GMCP messages to the sink, and MSDP ones as MSDP
// over GMCP, answers TTYPE SEND,
// NEW-ENVIRON SEND and CHARSET REQUEST, and stops the Parser where
// COMPRESS2 starts compression; others are ignored.
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
	if opt == OptMSDP {
		// To the sink as MSDP over GMCP: one "MSDP {json}" message,
		// which the web client reads with the GMCP it understands.
		on := c.neg.Enabled(Him, OptMSDP)
		c.mu.Unlock()
		if !on {
			return
		}
		js, err := MSDPToJSON(data)
		if err != nil {
			c.log.Debug("dropped malformed MSDP from the game", "bytes", len(data))
			return
		}
		c.flushReplies()
		c.sink.GMCP(append([]byte("MSDP "), js...))
		return
	}
	defer c.mu.Unlock()
	n := len(c.out)
	switch {
	case opt == OptTTYPE && len(data) == 1 && data[0] == SEND && c.neg.Enabled(Us, OptTTYPE):
		// MTTS cycle: name, terminal type, "MTTS n", "MTTS n" again (the
		// repeat tells the game the list ended), then from the start (RFC
		// 1091 lists are cyclic).
		ans := c.mtts[c.mode()]
		if c.ttypeStep < 2 {
			ans = c.ttypes[c.ttypeStep]
		}
		c.ttypeStep = (c.ttypeStep + 1) % 4
		c.out = append(c.out, IAC, SB, OptTTYPE, IS)
		c.out = AppendEscaped(c.out, ans)
		c.out = append(c.out, IAC, SE)
	case opt == OptNewEnviron && len(data) > 0 && data[0] == EnvSEND && c.neg.Enabled(Us, OptNewEnviron):
		c.out = c.env[c.mode()].appendEnvIS(c.out, parseEnvSend(data[1:]))
	case opt == OptCharset && (c.neg.Enabled(Us, OptCharset) || c.neg.Enabled(Him, OptCharset)):
		var choice charsetChoice
		var picked legacyCharset
		c.out, choice, picked = charsetAnswer(c.out, data, c.charset)
		from := c.charsetName()
		switch {
		case choice == charsetUTF8 && c.legacy != nil:
			c.legacy = nil
		case choice == charsetLegacy && picked != c.charset:
			// A game with no charset configured, offering only legacy
			// ones: the one picked is what it speaks from now on.
			c.charset, c.legacy = picked, picked
			c.dec = picked.newDecoder()
			c.legacyEnv(picked)
		case choice == charsetLegacy && c.legacy == nil:
			c.legacy = c.charset // output drops a UTF-8 rune left incomplete
		}
		if to := c.charsetName(); to != from {
			c.log.Debug("the game's charset changed over CHARSET", "from", from, "to", to)
		}
		c.stats.Charset = c.charsetName()
	case opt == OptMXP:
		// IAC SB MXP IAC SE starts MXP: it is on from the agreement
		// already, so there is nothing more to do (see Client).
	case opt == OptMCCP2:
		// IAC SB COMPRESS2 IAC SE: what follows the SE is zlib data.
		// Ignored unless the option is on, and inside a compressed stream.
		if len(data) == 0 && c.neg.Enabled(Him, OptMCCP2) && c.z == nil {
			c.zstart = true
			c.parser.Stop()
		}
	}
	if len(c.out) != n {
		c.dirty = true
	}
}

// output gives p to the Sink as valid UTF-8, transcoded from the legacy
// charset if the game speaks one, else holding back an incomplete UTF-8
// sequence at its end until the next call.
func (c *Client) output(p []byte) {
	c.flushReplies()
	if c.legacy != nil {
		c.dropHeldUTF8(c.sink) // from before a switch away from UTF-8
		if !c.dec.held() && asciiPrefix(p) == len(p) {
			c.emit(c.sink, p)
			return
		}
		c.fix = c.dec.appendDecode(c.fix[:0], p)
		if len(c.fix) > 0 {
			c.emit(c.sink, c.fix)
		}
		if cap(c.fix) > 256<<10 {
			c.fix = nil
		}
		return
	}
	c.dropHeldLegacy(c.sink) // from before a switch to UTF-8
	if c.nhold > 0 {
		p = c.completeHeld(p)
	}
	t := incompleteTail(p)
	body := p[:len(p)-t]
	if len(body) > 0 {
		if utf8.Valid(body) {
			c.emit(c.sink, body)
		} else {
			c.fix = appendValidUTF8(c.fix[:0], body)
			c.emit(c.sink, c.fix)
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
			c.emit(c.sink, seq)
			return p[1:]
		}
		if utf8.FullRune(seq) {
			// p[0] cannot continue the sequence: replace what was held
			// and let p[0] be read afresh.
			c.nhold = 0
			c.emit(c.sink, c.repl[:])
			return p
		}
		c.nhold++
		p = p[1:]
	}
	return p
}
