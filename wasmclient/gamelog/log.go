package gamelog

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/drawbridge/drawbridge/wasmclient/term"
)

// The bounds of a log.
const (
	// MaxLine is the most bytes of text a line holds; a longer line is
	// cut into lines of at most MaxLine bytes.
	MaxLine = 64 << 10
	// DefaultMaxBytes is the bound of the kept lines when Config.MaxBytes
	// is 0.
	DefaultMaxBytes = 8 << 20
	// MinMaxBytes is the least Config.MaxBytes may be, so that the
	// longest line fits several times over.
	MinMaxBytes = 4 * MaxLine
	// lineCost is what a line costs beyond its text and runs, counted
	// against MaxBytes: its entry in the slice of lines (32 bytes) and
	// about the allocator's rounding of its text.
	lineCost = 48
	// chunkSize is about how many bytes of lines are gathered before
	// they are sealed into one string (see Log.seal).
	chunkSize = 64 << 10
)

// Config configures a Log. The zero Config works.
type Config struct {
	// MaxBytes bounds the kept lines: their text, their style runs
	// (about four bytes for each change of colour) and 48 bytes a line.
	// When a new line takes the total over it, the oldest lines are
	// dropped and the renderings say how many. 0 means DefaultMaxBytes;
	// less than MinMaxBytes means MinMaxBytes.
	MaxBytes int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Palette gives the colours of the HTML log: the 256 indexed
	// colours, the default foreground and background, and whether bold
	// ANSI colours are drawn bright. It is copied by New. nil means
	// term.DefaultPalette(): xterm's colours, light grey on black, bold
	// as bright, as the terminal draws by default.
	Palette *term.Palette
}

// Kind tells what a line is.
type Kind uint8

// The kinds of line.
const (
	// Output is a line of the game's output, ended by a line feed (or
	// cut at MaxLine).
	Output Kind = iota
	// Prompt is the game's output up to a prompt mark (Log.Prompt), or
	// up to a command the player sent (Log.Input) when the game sent no
	// line feed before it.
	Prompt
	// Input is a command the player sent.
	Input
)

// String returns "output", "prompt" or "input".
func (k Kind) String() string {
	switch k {
	case Output:
		return "output"
	case Prompt:
		return "prompt"
	case Input:
		return "input"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Line is a finished line, as TakeNew returns it.
type Line struct {
	// Time is when the line's first character arrived (the time of the
	// Write that brought it), or when it ended if it is empty; for
	// Input, when Input was called.
	Time time.Time
	// Text is the line's text without escape sequences, control
	// characters or a line ending: valid UTF-8, tabs expanded. For Input
	// it is the command without the "> " the renderings put before it.
	Text string
	// Kind is Output, Prompt or Input.
	Kind Kind
}

// line is a kept line.
type line struct {
	t    int64  // when, in Unix nanoseconds
	data string // the text, then its encoded style runs (see appendRun); "" until sealed
	n    int32  // the length of the text in data
	kind Kind
}

func (ln *line) text() string { return ln.data[:ln.n] }

// Log is a session's log: the game's output, its prompts and the
// player's commands, as lines with their colours. A Log is not safe for
// concurrent use.
type Log struct {
	now   func() time.Time
	max   int
	pal   term.Palette
	start time.Time
	loc   *time.Location // start's, for the lines' times

	// The kept lines are lines[head:]; the ones before were dropped.
	lines   []line
	head    int
	bytes   int // the cost of the kept lines
	dropped int // lines dropped, ever
	taken   int // the number (counting from 0 for the first line ever) of the next line TakeNew returns

	// Lines are not each given a string as they end: their data is
	// gathered in open, and every chunkSize bytes, or when they are read,
	// sealed into one string that they then share (one allocation, not
	// one a line). openEnds[i] is where the data of line openFrom+i
	// (counting every line ever) ends in open.
	open     []byte
	openEnds []int32
	openFrom int

	cur curLine
	hl  term.Highlight // laid over the pen where characters are printed

	// The time of the current Write, read from the clock when first
	// needed, so a Write reads it at most once.
	wnow   time.Time
	wnowOK bool

	parser
}

// New returns an empty log that started now.
func New(cfg Config) *Log {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	cfg.MaxBytes = max(cfg.MaxBytes, MinMaxBytes)
	if cfg.Palette == nil {
		cfg.Palette = term.DefaultPalette()
	}
	start := cfg.Now()
	return &Log{now: cfg.Now, max: cfg.MaxBytes, pal: *cfg.Palette, start: start, loc: start.Location()}
}

// Write logs p, a piece of the game's output: UTF-8 text with escape
// sequences and control characters, split anywhere (a sequence or a
// character begun at the end of p is finished by the next Write). It
// never fails; invalid UTF-8 is logged as U+FFFD.
func (l *Log) Write(p []byte) {
	l.wnowOK = false
	for i := 0; i < len(p); {
		if l.state == stGround && l.u8need == 0 {
			j := i
			for j < len(p) && p[j]-0x20 < 0x5f {
				j++
			}
			if j > i {
				l.printASCII(p[i:j])
				i = j
				continue
			}
			if p[i] == 0x1b {
				if n := l.csi(p[i:]); n > 0 {
					i += n
					continue
				}
			}
			if p[i] >= 0xc2 {
				if r, size := utf8.DecodeRune(p[i:]); size > 1 {
					if r >= 0xa0 { // C1 controls are dropped
						l.printRune(r)
					}
					i += size
					continue
				}
			}
		}
		l.step(p[i])
		i++
	}
}

// Prompt marks a prompt (the game's GA or EOR): the text since the last
// line ended becomes a Prompt line. It does nothing if there is none.
func (l *Log) Prompt() {
	l.wnowOK = false
	if !l.cur.empty() {
		l.endLine(Prompt)
	}
}

// Input logs cmd, a command the player sent, as an Input line; text the
// game sent since its last line ended first becomes a Prompt line.
// Control characters in cmd are dropped, invalid UTF-8 becomes U+FFFD
// and cmd is cut at MaxLine bytes.
//
// The caller must never pass what the player typed while the input was
// masked (a password), and should pass a login command as the local echo
// shows it (dom.HideSecret), since the log may be kept and saved.
func (l *Log) Input(cmd string) {
	l.wnowOK = false
	if !l.cur.empty() {
		l.endLine(Prompt)
	}
	s := cleanInput(cmd)
	l.open = append(l.open, s...)
	l.push(line{t: l.clock().UnixNano(), n: int32(len(s)), kind: Input}, len(s))
}

// cleanInput drops control characters, replaces invalid UTF-8 and cuts
// the result at MaxLine bytes.
func cleanInput(s string) string {
	clean := len(s) <= MaxLine
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 || (r >= 0x7f && r < 0xa0) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	b := make([]byte, 0, min(len(s), MaxLine))
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			continue
		}
		if len(b)+utf8.RuneLen(r) > MaxLine {
			break
		}
		b = utf8.AppendRune(b, r)
	}
	return string(b)
}

// Lines returns the number of lines kept, not counting a line still
// being received.
func (l *Log) Lines() int { return len(l.lines) - l.head }

// TakeNew returns the lines finished since the last call (all of them on
// the first), for the client to store as they come. A line dropped
// before it was taken (more than MaxBytes of lines between two calls) is
// not returned. The Text of each Line shares memory with the log:
// holding one keeps alive the string of up to 64 KiB of lines it is
// stored in.
func (l *Log) TakeNew() []Line {
	l.seal()
	total := l.dropped + l.Lines()
	from := max(l.taken, l.dropped)
	l.taken = total
	if from >= total {
		return nil
	}
	out := make([]Line, 0, total-from)
	for _, ln := range l.lines[l.head+from-l.dropped:] {
		out = append(out, Line{Time: l.lineTime(&ln), Text: ln.text(), Kind: ln.kind})
	}
	return out
}

// lineTime returns when ln was received, in the location of the log's
// start.
func (l *Log) lineTime(ln *line) time.Time { return time.Unix(0, ln.t).In(l.loc) }

// clock returns the time of the current call, reading the clock once.
func (l *Log) clock() time.Time {
	if !l.wnowOK {
		l.wnow, l.wnowOK = l.now(), true
	}
	return l.wnow
}

// stamp gives the current line its time if it has none.
func (l *Log) stamp() {
	if !l.cur.hasT {
		l.cur.t, l.cur.hasT = l.clock(), true
	}
}

// endLine keeps the current line as a line of kind k and starts another.
func (l *Log) endLine(k Kind) {
	c := &l.cur
	data, n := c.encode()
	t := c.t
	if !c.hasT {
		t = l.clock()
	}
	l.open = append(l.open, data...)
	l.push(line{t: t.UnixNano(), n: int32(n), kind: k}, len(data))
	c.reset()
}

// push keeps ln, whose size bytes of data were just appended to open,
// dropping the oldest lines to keep within MaxBytes; the newest line is
// always kept.
func (l *Log) push(ln line, size int) {
	l.openEnds = append(l.openEnds, int32(len(l.open)))
	l.lines = append(l.lines, ln)
	l.bytes += size + lineCost
	for l.bytes > l.max && l.head < len(l.lines)-1 {
		if l.dropped >= l.openFrom {
			l.seal() // so that the line to drop has its data, and its size
		}
		l.bytes -= len(l.lines[l.head].data) + lineCost
		l.lines[l.head] = line{}
		l.head++
		l.dropped++
	}
	// Move the kept lines down once the dropped ones are half the
	// slice, so that dropping is amortised O(1) and the slice does not
	// grow without bound.
	if l.head > 0 && l.head >= len(l.lines)/2 {
		n := copy(l.lines, l.lines[l.head:])
		clear(l.lines[n:])
		l.lines = l.lines[:n]
		l.head = 0
	}
	if len(l.open) >= chunkSize {
		l.seal()
	}
}

// seal gives the lines whose data is in open their data, in one string.
func (l *Log) seal() {
	if len(l.openEnds) == 0 {
		return
	}
	chunk := string(l.open)
	start := int32(0)
	for i, end := range l.openEnds {
		if n := l.openFrom + i; n >= l.dropped {
			l.lines[l.head+n-l.dropped].data = chunk[start:end]
		}
		start = end
	}
	l.openFrom += len(l.openEnds)
	l.open, l.openEnds = l.open[:0], l.openEnds[:0]
	if cap(l.open) > 4*chunkSize {
		l.open = nil // a long line made it large
	}
}

// SetHighlight lays h over the colours of what is logged from now on,
// as term.Terminal.SetHighlight does on screen (a trigger's highlight):
// the log keeps what the player saw.
func (l *Log) SetHighlight(h term.Highlight) { l.hl = h }

// ink is the style a printed character gets: the pen, under the
// highlight (term.Highlight's rules).
func (l *Log) ink() style {
	st := l.pen
	if l.hl.On {
		var inv bool
		st.fg, st.bg, inv = l.hl.Over(st.fg, st.bg, st.attr&attrInverse != 0)
		st.attr &^= attrInverse
		if inv {
			st.attr |= attrInverse
		}
	}
	return st
}

// printASCII logs a run of printable ASCII.
func (l *Log) printASCII(s []byte) {
	c := &l.cur
	for len(s) > 0 {
		if c.cellMode || c.col != c.ncols {
			for _, b := range s {
				l.printRune(rune(b))
			}
			return
		}
		room := MaxLine - len(c.buf)
		if room == 0 {
			l.endLine(Output)
			continue
		}
		k := min(room, len(s))
		l.stamp()
		c.setStyle(l.ink())
		c.buf = append(c.buf, s[:k]...)
		c.ncols += k
		c.col = c.ncols
		s = s[k:]
	}
}

// printRune logs one character at the cursor.
func (l *Log) printRune(r rune) {
	c := &l.cur
	size := utf8.RuneLen(r)
	if !c.cellMode && c.col < c.ncols {
		c.toCells()
	}
	if !c.cellMode {
		pad := c.col - c.ncols
		if len(c.buf)+pad+size > MaxLine {
			if c.ncols > 0 {
				l.endLine(Output)
			}
			c.col, pad = 0, 0
		}
		l.stamp()
		if pad > 0 { // the cursor was moved on by tabs
			c.setStyle(style{})
			for range pad {
				c.buf = append(c.buf, ' ')
			}
			c.ncols += pad
		}
		c.setStyle(l.ink())
		c.buf = utf8.AppendRune(c.buf, r)
		c.ncols++
		c.col = c.ncols
		return
	}
	pad, old := 0, 0
	if c.col < len(c.cells) {
		old = utf8.RuneLen(c.cells[c.col].r)
	} else {
		pad = c.col - len(c.cells)
	}
	if c.cellBytes+pad+size-old > MaxLine {
		if len(c.cells) > 0 {
			l.endLine(Output)
		} else {
			c.col = 0
		}
		l.printRune(r)
		return
	}
	l.stamp()
	for range pad {
		c.cells = append(c.cells, cell{r: ' '})
	}
	c.cellBytes += pad
	if c.col < len(c.cells) {
		c.cells[c.col] = cell{r: r, st: l.ink()}
		c.blank = min(c.blank, c.col)
	} else {
		c.cells = append(c.cells, cell{r: r, st: l.ink()})
	}
	c.cellBytes += size - old
	c.col++
}

// The cursor movements that stay within the line.

func (l *Log) carriageReturn() { l.cur.col = 0 }

func (l *Log) backspace() { l.cur.col = max(l.cur.col-1, 0) }

// tab moves the cursor to the next multiple of 8. Like a terminal's, it
// writes nothing: the columns it passes over at the end of the line
// become spaces only if something is written after them.
func (l *Log) tab() { l.cur.col = min((l.cur.col+8)&^7, MaxLine) }

// eraseLine is EL: 0 erases from the cursor to the end of the line, 1
// from its start to the cursor, 2 all of it. Erased characters at the
// end are removed, others become spaces; the cursor does not move.
func (l *Log) eraseLine(mode int) {
	c := &l.cur
	if mode > 2 || c.empty() || (mode == 0 && !c.cellMode && c.col >= c.ncols) {
		return
	}
	if !c.cellMode {
		c.toCells()
	}
	switch mode {
	case 0:
		if c.col < len(c.cells) {
			for _, x := range c.cells[c.col:] {
				c.cellBytes -= utf8.RuneLen(x.r)
			}
			c.cells = c.cells[:c.col]
			c.blank = min(c.blank, c.col)
		}
	case 1:
		end := min(c.col+1, len(c.cells))
		if end == len(c.cells) {
			c.cells, c.cellBytes, c.blank = c.cells[:0], 0, 0
			return
		}
		// Cells before c.blank are blank already: an EL 1 repeated
		// where the cursor stands costs nothing more.
		for i := c.blank; i < end; i++ {
			c.cellBytes += 1 - utf8.RuneLen(c.cells[i].r)
			c.cells[i] = cell{r: ' '}
		}
		c.blank = max(c.blank, end)
	case 2:
		c.cells, c.cellBytes, c.blank = c.cells[:0], 0, 0
	}
}
