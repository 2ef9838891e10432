package mxp

import "bytes"

// Defaults for zero Config fields.
const (
	// DefaultClient is CLIENT= in the answer to <VERSION>.
	DefaultClient = "Drawbridge"
	// DefaultMaxTag bounds one tag, '<' to '>'.
	DefaultMaxTag = 4096
	// DefaultMaxDepth bounds the elements open at once.
	DefaultMaxDepth = 64
	// DefaultMaxElements and DefaultMaxEntities bound the definitions
	// kept.
	DefaultMaxElements = 256
	DefaultMaxEntities = 512
	// DefaultMaxSendText bounds the text of a SEND (or A) held back until
	// its end, and the text of a VAR.
	DefaultMaxSendText = 1024
	// DefaultMaxExpand bounds how deep expansions (of defined elements and
	// entities) nest.
	DefaultMaxExpand = 8
)

// Fixed bounds.
const (
	maxDefBytes  = 64 << 10 // all definitions' names and values together
	expandBurst  = 32 << 10 // expansion credit at most
	expandRefill = 8        // expansion credit each input byte adds
	replyBurst   = 1024     // answer credit at most
	replyPer     = 4        // input bytes that earn a byte of answer credit
	maxOSC       = 4096     // an OSC's payload, as the browser's terminal bounds it
	maxCSI       = 64       // a CSI sequence held to see whether it is ESC [ n z
	maxCommands  = 32       // commands in one SEND (a menu's items)
	maxCommand   = 512      // bytes in one command, label or tooltip
	maxURI       = 2048     // bytes in a link's URI
	maxName      = 64       // bytes in an element's name
	maxAtts      = 32       // attributes of a defined element
)

// Config sets what a Filter says about itself and bounds what it keeps.
// The zero value works: zero fields take the defaults above.
type Config struct {
	// Client and Version are CLIENT= and VERSION= in the answer to
	// <VERSION>, e.g. "Drawbridge" and "1.2.3". Only letters, digits and
	// ".-_+" are kept; an empty Client is DefaultClient, an empty Version
	// leaves VERSION= out.
	Client, Version string
	// MaxTag bounds one tag in bytes: a longer one is shown as text.
	MaxTag int
	// MaxDepth bounds the elements open at once: further opens are
	// ignored.
	MaxDepth int
	// MaxElements and MaxEntities bound the definitions kept: further
	// new ones are ignored.
	MaxElements, MaxEntities int
	// MaxSendText bounds the text of a SEND or A held back to be its
	// command or address: past it the text goes out without a link.
	MaxSendText int
	// MaxExpand bounds how deep expansions of defined elements and
	// entities nest.
	MaxExpand int
}

// mode is a line mode.
type mode uint8

const (
	modeOpen mode = iota
	modeSecure
	modeLocked
)

// state is where the reader is.
type state uint8

const (
	stText    state = iota
	stEsc           // after ESC
	stCSI           // in ESC [ ...
	stOSC           // in ESC ] ...
	stOSCEsc        // after an ESC in an OSC: ST if '\' follows
	stTag           // after '<'
	stEntity        // after '&'
	stComment       // in <!-- ... --> on a secure line
)

// linkKind is what a SEND or A frame does about its link.
type linkKind uint8

const (
	linkNone    linkKind = iota
	linkStream           // the link is open: its text goes out as it comes
	linkCapture          // the text is held until the end, which makes the link
)

// frame is an open element.
type frame struct {
	id    tagID
	bi    *builtin // nil for a defined element
	el    *element // a defined element
	open  bool     // opened in open mode
	line  bool     // opened by a line tag (ESC [ n z, n 20-99): closes at the newline
	mask  uint8    // the style fields it changed
	saved style    // the style before it changed them
	link  linkKind
	url   bool // an A link, not a SEND
	prmpt bool // SEND PROMPT
	rec   bool // records its text (for &text; or VAR)
	para  bool
	hide  bool
	// recStart is where its text starts in Filter.rec; arena where its
	// strings start in Filter.arena, and the spans of href, hint and VAR's
	// name there.
	recStart, arena     int
	href, hint, varName span
}

type span struct{ lo, hi int }

// element is a defined element.
type element struct {
	name        string // upper case
	def         []byte
	atts        []att
	open, empty bool
	tag         int // line tag, 20-99, or 0
	size        int // bytes counted in Filter.defBytes
}

// att is an attribute of a defined element: its upper-case name and
// default value.
type att struct{ name, def string }

// Filter reads MXP from a game's text for one connection. It is not safe
// for concurrent use.
type Filter struct {
	maxTag, maxDepth, maxElements, maxEntities, maxSendText, maxExpand int

	client, version string

	mode, defMode mode
	tempSecure    bool // ESC [ 4 z: the next tag is secure
	elevate       int  // expansions running with secure rights

	st       state
	buf      []byte // the construct being read, from its first byte
	quote    byte   // in a tag: the open quote, or 0
	nameEnd  int    // in a tag: len(buf) when the name ended, 0 before
	tokStart bool   // in a tag: a quote here opens a value
	oscLen   int    // in an OSC: payload bytes, controls not counted
	oscOver  bool   // the OSC is too long: the terminal drops it

	cur       style
	stack     []frame
	arena     []byte
	rec       []byte // text recorded for the frames with rec
	recOver   bool
	recorders int
	held      []byte // output held for a link being captured
	capturing bool
	linkOpen  bool
	hide      int
	para      int
	nobr      bool
	cr        bool // a CR waits to see whether LF follows

	elements     map[string]*element
	lineTags     [80]*element
	entities     map[string][]byte
	defBytes     int
	styleVersion string

	// The credits for expansions and answers grow with the input: read
	// counts the bytes of earlier Appends, pos where the reader is (set
	// at depth 0), paid up to where they were last topped up. Counting by
	// position makes them the same however the input is cut.
	credit, replyCredit int
	read, pos, paid     int64

	out, reply []byte // during Append: where output and answers go

	upper [maxName]byte
	toks  []token
	toks2 []token
	vals  []byte
	exp   [][]byte // expansion text, one buffer per depth
	xbuf  []byte
	sgr   []byte
	uri   []byte
	x1    []byte
	x2    []byte
	line  []byte
}

// New returns a Filter in open mode, the default when MXP starts.
func New(cfg Config) *Filter {
	f := &Filter{
		maxTag:      orDefault(cfg.MaxTag, DefaultMaxTag),
		maxDepth:    orDefault(cfg.MaxDepth, DefaultMaxDepth),
		maxElements: orDefault(cfg.MaxElements, DefaultMaxElements),
		maxEntities: orDefault(cfg.MaxEntities, DefaultMaxEntities),
		maxSendText: orDefault(cfg.MaxSendText, DefaultMaxSendText),
		maxExpand:   orDefault(cfg.MaxExpand, DefaultMaxExpand),
		client:      cleanWord(cfg.Client),
		version:     cleanWord(cfg.Version),
		credit:      expandBurst,
		replyCredit: replyBurst,
	}
	f.maxTag = max(f.maxTag, 16)
	if f.client == "" {
		f.client = DefaultClient
	}
	return f
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// cleanWord keeps the letters, digits and ".-_+" of s, at most 32 bytes:
// a value that goes unquoted into a tag.
func cleanWord(s string) string {
	b := make([]byte, 0, min(len(s), 32))
	for i := 0; i < len(s) && len(b) < 32; i++ {
		if c := s[i]; isLetter(c) || isDigit(c) || c == '.' || c == '-' || c == '_' || c == '+' {
			b = append(b, c)
		}
	}
	return string(b)
}

// Append filters p, game text in whole UTF-8 runes, and appends what the
// player sees to dst. Answers for the game (to VERSION and SUPPORT) are
// appended to reply, each a line ending in "\n" alone, without CR: send
// each as a line (telnet adds CR LF). It returns both.
//
// What cannot be decided yet (a tag, entity or escape sequence cut by the
// end of p, a SEND whose text makes its command) is held for the next
// call, bounded by Config.
func (f *Filter) Append(dst, reply, p []byte) (out, replyOut []byte) {
	f.out, f.reply = dst, reply
	f.feed(p, 0)
	f.read += int64(len(p))
	out, replyOut = f.out, f.reply
	f.out, f.reply = nil, nil
	return out, replyOut
}

// Flush is for a prompt (telnet GA or EOR): the prompt ends the text, so
// a tag, entity or comment left unfinished will not be finished and is
// appended to dst as the text it is, and a SEND held for its text goes
// out without a link. Escape sequences cut short are kept: they may
// still end.
func (f *Filter) Flush(dst []byte) []byte {
	f.out = dst
	f.flush()
	out := f.out
	f.out = nil
	return out
}

func (f *Filter) flush() {
	if f.cr {
		f.cr = false
		if !f.nobr && f.para == 0 {
			f.text(p0("\r"))
		}
	}
	if f.st == stTag || f.st == stEntity || f.st == stComment {
		f.text(f.buf)
		f.st = stText
		f.tempSecure = false
	}
	if f.capturing {
		f.abandonCapture()
	}
}

// End is for MXP ending (the option turned off, or the connection): it
// does what Flush does, closes every open element (restoring colours and
// closing links) and appends what it holds of an escape sequence, except
// an unfinished OSC outside a secure line, which is dropped. The modes go
// back to open; definitions are kept. A Filter may be used again after
// End, as when MXP starts anew.
func (f *Filter) End(dst []byte) []byte {
	f.out = dst
	f.flush()
	f.closeTo(0)
	switch f.st {
	case stEsc, stCSI:
		f.raw(f.buf)
	case stOSC, stOSCEsc:
		if f.mode == modeSecure && !f.oscOver {
			f.raw(f.buf)
		}
	}
	f.st = stText
	f.mode, f.defMode, f.tempSecure, f.nobr = modeOpen, modeOpen, false, false
	out := f.out
	f.out = nil
	return out
}

// Bytes that stop a run of plain text, by mode, and whether newlines
// matter now (see lineSensitive).
var (
	scanParse      = [256]bool{'<': true, '&': true, 0x1b: true}
	scanParseLine  = [256]bool{'<': true, '&': true, 0x1b: true, '\n': true, '\r': true}
	scanLocked     = [256]bool{0x1b: true}
	scanLockedLine = [256]bool{0x1b: true, '\n': true, '\r': true}
)

// lineSensitive reports whether a newline would change anything: a mode
// to go back to, elements to close, NOBR or P to honour.
func (f *Filter) lineSensitive() bool {
	return f.mode != f.defMode || len(f.stack) > 0 || f.nobr || f.para > 0 || f.capturing || f.tempSecure || f.cr
}

// secure reports whether a tag read now has secure rights.
func (f *Filter) secure() bool {
	return f.mode == modeSecure || f.tempSecure || f.elevate > 0
}

// feed reads p; depth is how deep in expansions it is.
func (f *Filter) feed(p []byte, depth int) {
	n0 := len(p)
	for len(p) > 0 {
		if depth == 0 {
			f.pos = f.read + int64(n0-len(p))
		}
		b := p[0]
		switch f.st {
		case stText:
			if f.cr {
				// A CR waits for the next byte: CR LF is a newline (the
				// CR's fate is the newline's, NOBR or P may swallow it),
				// a CR alone is text (but not inside P or before NOBR's
				// newline).
				f.cr = false
				if b == '\n' {
					p = p[1:]
					f.newline(true)
					continue
				}
				if !f.nobr && f.para == 0 {
					f.text(p0("\r"))
				}
			}
			if f.tempSecure && b != '<' {
				f.tempSecure = false
			}
			var tbl *[256]bool
			switch {
			case f.mode == modeLocked && !f.tempSecure && f.lineSensitive():
				tbl = &scanLockedLine
			case f.mode == modeLocked && !f.tempSecure:
				tbl = &scanLocked
			case f.lineSensitive():
				tbl = &scanParseLine
			default:
				tbl = &scanParse
			}
			i := 0
			for i < len(p) && !tbl[p[i]] {
				i++
			}
			if i > 0 {
				f.text(p[:i])
				p = p[i:]
				continue
			}
			p = p[1:]
			switch b {
			case '<':
				f.buf = append(f.buf[:0], b)
				f.st, f.quote, f.nameEnd, f.tokStart = stTag, 0, 0, false
			case '&':
				f.buf = append(f.buf[:0], b)
				f.st = stEntity
			case 0x1b:
				f.buf = append(f.buf[:0], b)
				if n := wholeCSI(p); n > 0 {
					// The usual case, a whole CSI sequence at hand: read
					// at once.
					f.buf = append(f.buf, p[:n-1]...)
					final := p[n-1]
					p = p[n:]
					f.csi(final, depth)
					continue
				}
				f.st = stEsc
			case '\n':
				f.newline(false)
			case '\r':
				f.cr = true
			}
		case stEsc:
			switch {
			case b == '[':
				f.buf = append(f.buf, b)
				f.st = stCSI
				p = p[1:]
			case b == ']':
				f.buf = append(f.buf, b)
				f.st, f.oscLen, f.oscOver = stOSC, 0, false
				p = p[1:]
			case b == 0x1b:
				// ESC ESC: the second starts afresh, in the terminal too;
				// the first is dropped (alone, it could be followed by a
				// control, which the terminal would carry its escape
				// state across).
				p = p[1:]
			case b < 0x20 || b >= 0x7f:
				// Not an escape sequence: the ESC is dropped and b read
				// afresh. Passed on, it would leave the terminal in its
				// escape state across b (a terminal executes a control
				// there and stays), so that a later "]" would start an
				// OSC this filter never saw: an open line's own link.
				f.st = stText
			default:
				f.buf = append(f.buf, b)
				f.raw(f.buf)
				f.st = stText
				p = p[1:]
			}
		case stCSI:
			i := 0
			for i < len(p) && p[i] >= 0x20 && p[i] <= 0x3f && len(f.buf)+i < maxCSI {
				i++
			}
			if i > 0 {
				f.buf = append(f.buf, p[:i]...)
				p = p[i:]
				continue
			}
			switch {
			case b >= 0x40 && b <= 0x7e:
				f.st = stText
				p = p[1:]
				f.csi(b, depth)
			default:
				// A control, or too long: the sequence is dropped (passed
				// on, it would leave the terminal inside it while this
				// filter reads text), and b is read afresh.
				f.st = stText
			}
		case stOSC:
			p = p[1:]
			switch {
			case b == 0x07:
				f.buf = append(f.buf, b)
				f.st = stText
				f.osc(1)
			case b == 0x1b:
				f.st = stOSCEsc
			case b == 0x18 || b == 0x1a:
				f.st = stText // CAN, SUB: the terminal drops the OSC
			case f.oscOver:
			case b < 0x20:
				if len(f.buf) < 2*maxOSC {
					f.buf = append(f.buf, b) // the terminal skips it
				} else {
					f.oscOver = true
				}
			default:
				if f.oscLen++; f.oscLen > maxOSC {
					f.oscOver = true
				} else {
					f.buf = append(f.buf, b)
				}
			}
		case stOSCEsc:
			if b == '\\' {
				p = p[1:]
				f.buf = append(f.buf, 0x1b, b)
				f.st = stText
				f.osc(2)
				continue
			}
			// The ESC ended the OSC unfinished, which the terminal drops,
			// and starts a sequence of its own.
			f.buf = append(f.buf[:0], 0x1b)
			f.st = stEsc
		case stTag:
			p = f.tagByte(p, depth)
		case stComment:
			switch {
			case b < 0x20 && b != '\t' && b != '\r' && b != '\n' || b == 0x7f || len(f.buf) >= f.maxTag:
				f.text(f.buf) // cut short: it was text after all
				f.st = stText
				continue
			case b == '\n':
				f.lineEnd()
			}
			f.buf = append(f.buf, b)
			p = p[1:]
			if b == '>' && bytes.HasSuffix(f.buf, []byte("-->")) && len(f.buf) >= 7 {
				f.st = stText
			}
		case stEntity:
			n := len(f.buf) - 1
			switch {
			case b == ';' && n > 0:
				f.buf = append(f.buf, b)
				f.st = stText
				p = p[1:]
				f.entity(depth)
			case n < maxEntityName && entityNameByte(b, n):
				f.buf = append(f.buf, b)
				p = p[1:]
			default:
				f.text(f.buf) // not an entity: text, and b is read afresh
				f.st = stText
			}
		}
	}
}

// wholeCSI returns the length of the CSI sequence p starts with after its
// ESC ('[', parameters and intermediates, final byte), or 0 when p does
// not hold a whole one of at most maxCSI bytes.
func wholeCSI(p []byte) int {
	if len(p) < 2 || p[0] != '[' {
		return 0
	}
	for i := 1; i < len(p) && i < maxCSI; i++ {
		switch b := p[i]; {
		case b >= 0x40 && b <= 0x7e:
			return i + 1
		case b < 0x20 || b > 0x3f:
			return 0
		}
	}
	return 0
}

// p0 turns a constant into a byte slice without allocating.
func p0(s string) []byte {
	switch s {
	case "\r":
		return crBytes[:]
	case "\n":
		return lfBytes[:]
	case " ":
		return spBytes[:]
	case "\r\n":
		return crlfBytes[:]
	}
	return []byte(s)
}

var (
	crBytes   = [1]byte{'\r'}
	lfBytes   = [1]byte{'\n'}
	spBytes   = [1]byte{' '}
	crlfBytes = [2]byte{'\r', '\n'}
)

// tagByte reads the first byte of p into the tag being read, and returns
// what is left to read (p itself when the byte must be read afresh).
func (f *Filter) tagByte(p []byte, depth int) []byte {
	// Runs of bytes that change nothing go in at once.
	if room := f.maxTag - len(f.buf); f.nameEnd > 0 && room > 0 {
		i, n := 0, min(len(p), room)
		if f.quote != 0 {
			for i < n && p[i] != f.quote && p[i] >= 0x20 && p[i] != 0x7f {
				i++
			}
		} else {
			for i < n && plainTagByte(p[i]) {
				i++
			}
			if i > 0 {
				f.tokStart = false
			}
		}
		if i > 0 {
			f.buf = append(f.buf, p[:i]...)
			return p[i:]
		}
	}
	b := p[0]
	if b < 0x20 && b != '\t' || b == 0x7f || len(f.buf) >= f.maxTag {
		// A control character (a newline among them) cuts a tag, and a
		// tag may not go on forever: what was read is text.
		f.abortTag()
		return p
	}
	if f.nameEnd == 0 {
		n := len(f.buf) - 1 // bytes of the name so far, '/' included
		switch {
		case tagNameByte(b, n, f.buf):
			f.buf = append(f.buf, b)
			if n == 2 && string(f.buf) == "<!--" && f.secure() {
				f.st = stComment // a comment may span lines
				f.tempSecure = false
			}
			return p[1:]
		case (b == ' ' || b == '\t' || b == '>' || b == '/') && n > 0 && f.buf[n] != '/' && f.buf[n] != '!':
			f.nameEnd, f.tokStart = len(f.buf), true
			return p // read afresh as the start of the attributes
		}
		f.abortTag()
		return p
	}
	if f.quote != 0 {
		f.buf = append(f.buf, b)
		if b == f.quote {
			f.quote, f.tokStart = 0, false
		}
		return p[1:]
	}
	switch b {
	case '>':
		f.buf = append(f.buf, b)
		f.st = stText
		f.tag(depth)
		return p[1:]
	case '<':
		f.abortTag() // Mudlet does the same: the new '<' starts afresh
		return p
	case '"', '\'':
		if f.tokStart {
			f.quote = b
		}
	case ' ', '\t', '=':
		f.tokStart = true
	default:
		f.tokStart = false
	}
	f.buf = append(f.buf, b)
	return p[1:]
}

// plainTagByte reports whether b, among a tag's attributes and outside
// quotes, needs no thought: not a control, space, '<', '>', '=' or quote.
func plainTagByte(b byte) bool {
	return b > ' ' && b != '<' && b != '>' && b != '=' && b != '"' && b != '\'' && b != 0x7f
}

// abortTag gives up the tag being read: it is text.
func (f *Filter) abortTag() {
	f.text(f.buf)
	f.st = stText
	f.tempSecure = false
}

// tagNameByte reports whether b may be byte n of a tag's name (name being
// '<' and the name so far): a letter, '/' or '!' first, a letter after
// '/', then letters, digits, '-', '_' and '.'.
func tagNameByte(b byte, n int, name []byte) bool {
	switch {
	case isLetter(b):
		return true
	case n == 0:
		return b == '/' || b == '!'
	case n == 1 && name[1] == '/':
		return false
	}
	return isDigit(b) || b == '-' || b == '_' || b == '.'
}

func isLetter(b byte) bool { return b|0x20 >= 'a' && b|0x20 <= 'z' }
func isDigit(b byte) bool  { return b >= '0' && b <= '9' }

// csi handles the end of a CSI sequence, final being its final byte:
// ESC [ n z sets the line mode, everything else goes to the terminal (and
// SGR is followed, to restore colours).
func (f *Filter) csi(final byte, depth int) {
	params := f.buf[2:]
	if final == 'z' && allDigits(params) {
		if len(params) > 0 && len(params) <= 3 {
			n := 0
			for _, d := range params {
				n = n*10 + int(d-'0')
			}
			f.lineMode(n, depth)
		}
		return
	}
	f.buf = append(f.buf, final)
	f.raw(f.buf)
	if final == 'm' && f.hide == 0 {
		f.cur.applySGR(params)
	}
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

// lineMode obeys ESC [ n z.
func (f *Filter) lineMode(n, depth int) {
	switch n {
	case 0:
		f.setMode(modeOpen)
	case 1:
		f.setMode(modeSecure)
	case 2:
		f.setMode(modeLocked)
	case 3:
		f.closeTo(0)
		f.mode, f.defMode, f.tempSecure, f.nobr = modeOpen, modeOpen, false, false
	case 4:
		f.tempSecure = true
	case 5:
		f.setMode(modeOpen)
		f.defMode = modeOpen
	case 6:
		f.setMode(modeSecure)
		f.defMode = modeSecure
	case 7:
		f.setMode(modeLocked)
		f.defMode = modeLocked
	default:
		if n >= 20 && n <= 99 {
			if el := f.lineTags[n-20]; el != nil {
				f.openElement(el, nil, true, true, depth)
			}
		}
	}
}

// setMode changes the current mode; leaving open mode closes the
// elements opened in it.
func (f *Filter) setMode(m mode) {
	if f.mode == modeOpen && m != modeOpen {
		f.closeFrames(func(fr *frame) bool { return fr.open })
	}
	f.mode = m
}

// osc handles a complete OSC in f.buf, ended by a terminator of n bytes.
// Outside a secure line an OSC 8 hyperlink goes through only to an http,
// https or mailto URI (or closing one); the URI is read as the browser's
// terminal reads it, C0 controls skipped.
func (f *Filter) osc(n int) {
	if f.oscOver {
		return
	}
	if f.mode != modeSecure && !allowedOSC(f.buf[2:len(f.buf)-n]) {
		return
	}
	f.raw(f.buf)
}

// allowedOSC reports whether an OSC payload may go to the terminal from a
// line that is not secure.
func allowedOSC(payload []byte) bool {
	// The command number: up to the first ';', one to five digits.
	field, num, digits := 0, 0, 0
	uriStart := -1
	for i, b := range payload {
		if b < 0x20 {
			continue
		}
		if b == ';' {
			field++
			if field == 1 && (digits == 0 || digits > 5 || num != 8) {
				return true // not an OSC 8
			}
			if field == 2 {
				uriStart = i + 1
				break
			}
			continue
		}
		if field == 0 {
			if !isDigit(b) {
				return true
			}
			digits++
			num = min(num*10+int(b-'0'), 1<<20)
		}
	}
	if uriStart < 0 {
		return true // no URI: the terminal makes nothing of it
	}
	var uri [8]byte
	k := 0
	for _, b := range payload[uriStart:] {
		if b < 0x20 {
			continue
		}
		if k == len(uri) {
			break
		}
		uri[k] = b | 0x20 // lower case for the letters that matter
		k++
	}
	s := string(uri[:k])
	return k == 0 || hasPrefix(s, "http://") || hasPrefix(s, "https://") || hasPrefix(s, "mailto:")
}

func hasPrefix(s, prefix string) bool { return len(s) >= len(prefix) && s[:len(prefix)] == prefix }

// topUp adds to the credits what the input read since the last top-up
// earns.
func (f *Filter) topUp() {
	d := f.pos - f.paid
	f.paid = f.pos
	f.credit = int(min(int64(f.credit)+expandRefill*d, expandBurst))
	f.replyCredit = int(min(int64(f.replyCredit)+f.pos/replyPer-(f.pos-d)/replyPer, replyBurst))
}

// text sends visible text: to the link being captured or the output, and
// to the recording of the frames that want their text.
func (f *Filter) text(b []byte) {
	if f.hide > 0 {
		return
	}
	if f.recorders > 0 && !f.recOver {
		if len(f.rec)+len(b) > f.maxSendText {
			f.recOver = true
		} else {
			f.rec = append(f.rec, b...)
		}
	}
	f.raw(b)
}

// raw sends bytes that are not text (escape sequences) where text goes.
func (f *Filter) raw(b []byte) {
	if f.hide > 0 {
		return
	}
	if f.capturing {
		if len(f.held)+len(b) <= f.maxSendText {
			f.held = append(f.held, b...)
			return
		}
		f.abandonCapture()
	}
	f.out = append(f.out, b...)
}

// setStyle takes the terminal to style t.
func (f *Filter) setStyle(t style) {
	if f.hide > 0 || t == f.cur {
		return
	}
	f.sgr = appendSGR(f.sgr[:0], f.cur, t)
	f.cur = t
	f.raw(f.sgr)
}

// newline handles a newline from the game, LF or (cr) CR LF.
func (f *Filter) newline(cr bool) {
	f.lineEnd()
	switch {
	case f.nobr:
		f.nobr = false
	case f.para > 0:
		f.text(p0(" "))
	case cr:
		f.text(p0("\r\n"))
	default:
		f.text(p0("\n"))
	}
}

// lineEnd does what the end of a line does to modes and elements: the
// elements opened in open mode (on an open line) and by a line tag close,
// a link still held for its text goes without (a command is one line),
// a link still open ends, and the line's mode gives way to the default.
func (f *Filter) lineEnd() {
	if f.mode == modeOpen {
		f.closeFrames(func(fr *frame) bool { return fr.open })
	}
	f.closeFrames(func(fr *frame) bool { return fr.line })
	if f.capturing {
		f.abandonCapture()
	}
	if f.linkOpen {
		// The terminal ends a link at a line feed anyway; a SEND not
		// closed on its line does not keep later ones from being links.
		for i := range f.stack {
			if fr := &f.stack[i]; fr.link == linkStream {
				fr.link = linkNone
			}
		}
		f.raw(oscCloseBytes[:])
		f.linkOpen = false
	}
	f.mode, f.tempSecure = f.defMode, false
}

// closeFrames closes the lowest frame for which match is true, and every
// frame above it.
func (f *Filter) closeFrames(match func(*frame) bool) {
	for i := range f.stack {
		if match(&f.stack[i]) {
			f.closeTo(i)
			return
		}
	}
}

// push opens a frame, saving the style; false when too many are open.
func (f *Filter) push(fr frame) bool {
	if len(f.stack) >= f.maxDepth {
		return false
	}
	fr.saved = f.cur
	fr.arena = len(f.arena)
	f.stack = append(f.stack, fr)
	return true
}

// closeTo closes the frames from the top down to frame i, i included:
// links end, VAR sets its entity, and the style fields they changed go
// back to what they were.
func (f *Filter) closeTo(i int) {
	if i >= len(f.stack) {
		return
	}
	t := f.cur
	for len(f.stack) > i {
		fr := &f.stack[len(f.stack)-1]
		switch fr.link {
		case linkStream:
			f.raw(oscCloseBytes[:])
			f.linkOpen = false
		case linkCapture:
			f.finishCapture(fr)
		}
		if fr.rec {
			if fr.id == tagVar && !f.recOver {
				// The value is text: kept escaped, so that where it is
				// used it is read as the text it was.
				v := f.x2[:0]
				for _, c := range f.rec[fr.recStart:] {
					switch c {
					case '<':
						v = append(v, "&lt;"...)
					case '&':
						v = append(v, "&amp;"...)
					default:
						v = append(v, c)
					}
				}
				f.x2 = v
				f.setEntity(f.arena[fr.varName.lo:fr.varName.hi], v, false, false)
			}
			if f.recorders--; f.recorders == 0 {
				f.rec, f.recOver = f.rec[:0], false
			}
		}
		if fr.para {
			f.para--
		}
		if fr.hide {
			f.hide--
		}
		t = merge(t, fr.saved, fr.mask)
		f.arena = f.arena[:fr.arena]
		f.stack = f.stack[:len(f.stack)-1]
	}
	f.setStyle(t)
}

const (
	oscOpen  = "\x1b]8;;"
	oscEnd   = "\x1b\\"
	oscClose = "\x1b]8;;\x1b\\"
)

var oscCloseBytes = [...]byte{0x1b, ']', '8', ';', ';', 0x1b, '\\'}

// abandonCapture gives up the link being captured: its text goes out as
// it is.
func (f *Filter) abandonCapture() {
	for i := len(f.stack) - 1; i >= 0; i-- {
		if fr := &f.stack[i]; fr.link == linkCapture {
			fr.link = linkNone
			break
		}
	}
	f.capturing, f.linkOpen = false, false
	f.out = append(f.out, f.held...)
	f.held = f.held[:0]
}

// finishCapture ends the link of fr, whose text has been captured: the
// link is made now, the text known.
func (f *Filter) finishCapture(fr *frame) {
	f.capturing, f.linkOpen = false, false
	var uri []byte
	ok := !f.recOver
	if ok {
		href := f.arena[fr.href.lo:fr.href.hi]
		hint := f.arena[fr.hint.lo:fr.hint.hi]
		text := f.rec[fr.recStart:]
		if fr.url {
			uri, ok = f.aURI(href, text)
		} else {
			uri, ok = f.sendURI(href, hint, text, fr.prmpt)
		}
	}
	if ok {
		f.out = append(f.out, oscOpen...)
		f.out = append(f.out, uri...)
		f.out = append(f.out, oscEnd...)
	}
	f.out = append(f.out, f.held...)
	if ok {
		f.out = append(f.out, oscClose...)
	}
	f.held = f.held[:0]
	fr.link = linkNone
}
