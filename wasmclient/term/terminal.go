package term

// Size limits. New and Resize clamp to them so that a bad resize request
// cannot make the terminal allocate without bound.
const (
	// MaxCols is the largest number of columns.
	MaxCols = 1024
	// MaxRows is the largest number of rows.
	MaxRows = 1024
	// MaxScrollback is the largest number of scrollback lines.
	MaxScrollback = 1 << 20
)

// Parser bounds.
const (
	maxParams  = 32     // CSI parameters kept; more are dropped
	maxParam   = 0xffff // a larger parameter value is clamped
	maxInter   = 2      // intermediates; a sequence with more is ignored
	maxOSC     = 4096   // OSC payload bytes; a longer OSC is discarded
	maxTitle   = 1024   // bytes of window title kept
	defaultTab = 8
)

// CursorStyle is the cursor shape a program asked for with DECSCUSR.
type CursorStyle uint8

// The cursor styles, numbered as DECSCUSR numbers them.
const (
	CursorDefault           CursorStyle = iota // the renderer's choice
	CursorBlinkingBlock                        // 1
	CursorSteadyBlock                          // 2
	CursorBlinkingUnderline                    // 3
	CursorSteadyUnderline                      // 4
	CursorBlinkingBar                          // 5
	CursorSteadyBar                            // 6
)

// MouseMode is the mouse reporting a program asked for.
type MouseMode uint16

// The mouse modes, named by their DECSET numbers.
const (
	MouseOff    MouseMode = 0
	MouseX10    MouseMode = 9    // report presses only
	MouseNormal MouseMode = 1000 // presses and releases
	MouseButton MouseMode = 1002 // and motion while a button is down
	MouseAny    MouseMode = 1003 // and all motion
)

// Modes are the terminal modes the input side and the renderer need.
type Modes struct {
	// AppCursor (DECCKM): cursor keys send ESC O A rather than ESC [ A.
	AppCursor bool
	// AppKeypad (DECKPAM): the keypad sends application sequences.
	AppKeypad bool
	// NewLine (LNM): Enter sends CR LF, and LF from the game also returns.
	NewLine bool
	// BracketedPaste (2004): wrap pasted text in ESC [200~ and ESC [201~.
	BracketedPaste bool
	// FocusEvents (1004): send ESC [I and ESC [O on focus changes.
	FocusEvents bool
	// Mouse is the mouse reporting asked for; MouseOff means none.
	Mouse MouseMode
	// MouseSGR (1006): report the mouse in SGR form.
	MouseSGR bool
	// AltScreen: the alternate screen is shown (full-screen programs).
	AltScreen bool
	// ReverseVideo (DECSCNM): the whole screen is drawn inverted.
	ReverseVideo bool
	// CursorStyle is the cursor shape asked for with DECSCUSR.
	CursorStyle CursorStyle
}

// line is one row of cells.
type line struct {
	cells []Cell
	// wrapped is set when the text went on to the next line by auto-wrap
	// rather than a newline, so copy can join the two.
	wrapped bool
}

// maxPens is the depth of the XTPUSHSGR stack, as in xterm.
const maxPens = 10

// pen is the current colours and attributes given to printed characters.
type pen struct {
	fg, bg Color
	attr   Attr
}

// charset is a character set designated into G0-G3.
type charset uint8

const (
	charsetASCII charset = iota
	charsetDEC           // DEC special graphics: line drawing
	charsetUK            // '#' is '£'
)

// savedCursor is what DECSC saves.
type savedCursor struct {
	x, y     int
	pen      pen
	wrapNext bool
	origin   bool
	charsets [4]charset
	gl       int
	valid    bool
}

// Parser states, after Paul Williams' DEC ANSI parser. The DCS, SOS, PM
// and APC states are one: their contents are ignored.
const (
	stGround uint8 = iota
	stEscape
	stEscInter
	stCSIEntry
	stCSIParam
	stCSIInter
	stCSIIgnore
	stOSC
	stString
)

// Terminal is a terminal screen fed by Write: the live screen (main or
// alternate), the cursor and modes, the scrollback and the parser state.
// The zero value is not usable; call New.
type Terminal struct {
	cols, rows int
	screens    [2][]line // main, alternate
	active     int       // index in screens of the one shown

	sb scrollback

	// Change tracking: rows changed since ClearDirty, anything changed,
	// and where the cursor was at ClearDirty.
	dirty          []bool
	anyDirty       bool
	cleanX, cleanY int
	cleanVisible   bool

	// Cursor and what printing uses.
	x, y     int
	wrapNext bool // the last column was written: the next character wraps first
	pen      pen
	hl       Highlight    // laid over pen where characters are printed (SetHighlight)
	pens     [maxPens]pen // XTPUSHSGR stack
	npens    int
	charsets [4]charset
	gl       int // charset in GL: 0 (SI) or 1 (SO)
	saved    [2]savedCursor
	top, bot int // scroll region, inclusive
	tabs     []bool
	lastRune rune // for REP
	autowrap bool
	origin   bool
	insert   bool
	visible  bool
	modes    Modes

	// Parser.
	state      uint8
	u8need     uint8 // UTF-8 continuation bytes still expected
	u8lo, u8hi byte  // range the next continuation byte must be in
	u8cp       rune
	params     [maxParams]int32
	sub        [maxParams]bool // the parameter followed a ':'
	nparams    int
	cur        int32
	curSub     bool
	curStarted bool
	priv       byte // private marker of a CSI: one of < = > ?
	inter      [maxInter]byte
	ninter     int
	ignoreSeq  bool // too many intermediates
	osc        []byte
	oscOver    bool
	oscCmd     bool // the OSC's command number has been read
	oscPending bool // ESC seen in an OSC: ST if '\' follows

	// Hyperlinks (OSC 8): the table of targets and the id printed
	// characters get, 0 when no link is open.
	links   linkTable
	link    uint16
	linkBuf []Cell // LineLinks joins wrapped lines here

	blankRow []Cell // cols blank cells in the default colours, for erase

	// Word wrap and reflow of the main screen (wordwrap.go).
	wordWrap bool
	wordBuf  []Cell // the word moveWord moves

	respond func([]byte)
	resp    []byte
	bell    func()
	bells   int
	title   string
}

// New returns a terminal of cols x rows cells with room for scrollback
// lines of history. Sizes are clamped to [1, MaxCols], [1, MaxRows] and
// [0, MaxScrollback].
func New(cols, rows, scrollback int) *Terminal {
	cols, rows = clampSize(cols, rows)
	scrollback = max(0, min(scrollback, MaxScrollback))
	t := &Terminal{cols: cols, rows: rows}
	t.sb.max = scrollback
	for i := range t.screens {
		t.screens[i] = newLines(cols, rows)
	}
	t.dirty = make([]bool, rows)
	t.tabs = make([]bool, cols)
	t.blankRow = newBlankRow(cols)
	t.reset()
	return t
}

func clampSize(cols, rows int) (int, int) {
	return max(1, min(cols, MaxCols)), max(1, min(rows, MaxRows))
}

func newLines(cols, rows int) []line {
	cells := make([]Cell, cols*rows)
	fill(cells, blankCell(DefaultColor))
	lines := make([]line, rows)
	for i := range lines {
		lines[i].cells = cells[i*cols : (i+1)*cols : (i+1)*cols]
	}
	return lines
}

// newBlankRow returns cols blank cells in the default colours.
func newBlankRow(cols int) []Cell {
	cells := make([]Cell, cols)
	fill(cells, blankCell(DefaultColor))
	return cells
}

func fill(cells []Cell, c Cell) {
	for i := range cells {
		cells[i] = c
	}
}

// reset puts everything but the size, the scrollback, the handlers and
// the bell count back to the power-on state (RIS).
func (t *Terminal) reset() {
	for i := range t.screens {
		for j := range t.screens[i] {
			l := &t.screens[i][j]
			fill(l.cells, blankCell(DefaultColor))
			l.wrapped = false
		}
	}
	t.active = 0
	t.x, t.y = 0, 0
	t.wrapNext = false
	t.pen = pen{}
	t.npens = 0
	t.charsets = [4]charset{}
	t.gl = 0
	t.saved = [2]savedCursor{}
	t.top, t.bot = 0, t.rows-1
	t.resetTabs(0)
	t.lastRune = 0
	t.autowrap = true
	t.origin = false
	t.insert = false
	t.visible = true
	t.modes = Modes{}
	t.title = ""
	t.link = 0
	t.state = stGround
	t.u8need = 0
	t.markAll()
}

// resetTabs sets a tab stop every 8 columns from column from on.
func (t *Terminal) resetTabs(from int) {
	for i := from; i < len(t.tabs); i++ {
		t.tabs[i] = i > 0 && i%defaultTab == 0
	}
}

// SetResponder sets where the terminal's answers go: replies to device
// status reports (DSR), device attributes (DA) and size queries, which
// the client sends back to the game as input. It is called during Write
// and must not write to the terminal; p is only valid during the call.
// nil drops answers.
func (t *Terminal) SetResponder(f func(p []byte)) { t.respond = f }

// SetBell sets a function called, during Write, for each BEL the game
// sends. nil means none; Bells counts them either way.
func (t *Terminal) SetBell(f func()) { t.bell = f }

// Bells returns the number of BEL characters received since New.
func (t *Terminal) Bells() int { return t.bells }

// Title returns the window title the game last set with OSC 0 or 2,
// cleaned of control characters.
func (t *Terminal) Title() string { return t.title }

// Size returns the screen size in cells.
func (t *Terminal) Size() (cols, rows int) { return t.cols, t.rows }

// Modes returns the modes the input side and renderer need.
func (t *Terminal) Modes() Modes {
	m := t.modes
	m.AltScreen = t.active == 1
	return m
}

// Cursor returns the cursor position on the visible screen and whether the
// game wants it shown (DECTCEM). After a character was written in the
// last column the cursor stays on that column until the next one wraps.
func (t *Terminal) Cursor() (x, y int, visible bool) { return t.x, t.y, t.visible }

// Cell returns the cell at column x of visible row y, or a blank cell if
// x, y is off the screen.
func (t *Terminal) Cell(x, y int) Cell {
	if x < 0 || y < 0 || x >= t.cols || y >= t.rows {
		return blankCell(DefaultColor)
	}
	return t.screens[t.active][y].cells[x]
}

// Line returns visible row y, cols cells long, or nil if y is off the
// screen. The slice is the terminal's own: do not change it or keep it past
// the next Write or Resize.
func (t *Terminal) Line(y int) []Cell {
	if y < 0 || y >= t.rows {
		return nil
	}
	return t.screens[t.active][y].cells
}

// Wrapped reports whether visible row y was continued on the next row by
// auto-wrap (not by a newline), so copying can join the two.
func (t *Terminal) Wrapped(y int) bool {
	if y < 0 || y >= t.rows {
		return false
	}
	return t.screens[t.active][y].wrapped
}

// ScrollbackLen returns the number of lines in the scrollback.
func (t *Terminal) ScrollbackLen() int { return t.sb.n }

// ScrollbackLine returns scrollback line i, 0 being the oldest, or nil if
// there is no such line. Trailing blank cells are not stored (but for a
// line that auto-wrapped onto the next, which is kept whole), and a line
// keeps the width the screen had when it scrolled off, so its length may
// differ from cols: draw missing cells as blanks. The slice is the
// terminal's own, a line decoded into a cache of the last 128 read: do not
// change it or keep it past the next Write or Resize, nor past 127 more
// calls of ScrollbackLine.
func (t *Terminal) ScrollbackLine(i int) []Cell {
	if i < 0 || i >= t.sb.n {
		return nil
	}
	return t.sb.at(i).cells
}

// ScrollbackWrapped reports whether scrollback line i was continued on the
// next line by auto-wrap.
func (t *Terminal) ScrollbackWrapped(i int) bool {
	if i < 0 || i >= t.sb.n {
		return false
	}
	return t.sb.wrappedAt(i)
}

// ScrollbackAdded returns the number of lines ever pushed into the
// scrollback, including those since dropped from the ring. A view scrolled
// back into history adds the change to its offset to stay on the same text.
// Resize can take lines back out of the scrollback (see Resize), so a view
// should also re-anchor after a resize.
func (t *Terminal) ScrollbackAdded() uint64 { return t.sb.added }

// Dirty reports whether anything visible changed since the last
// ClearDirty: cells, the cursor, modes, the title or the size.
func (t *Terminal) Dirty() bool {
	return t.anyDirty || t.cursorMoved()
}

// RowDirty reports whether visible row y changed since the last
// ClearDirty. The rows the cursor left and entered count as changed.
func (t *Terminal) RowDirty(y int) bool {
	if y < 0 || y >= t.rows {
		return false
	}
	if t.dirty[y] {
		return true
	}
	return t.cursorMoved() && (y == t.y || y == t.cleanY)
}

// DirtyRows appends the indexes of the rows RowDirty reports to dst and
// returns it.
func (t *Terminal) DirtyRows(dst []int) []int {
	if !t.Dirty() {
		return dst
	}
	for y := range t.rows {
		if t.RowDirty(y) {
			dst = append(dst, y)
		}
	}
	return dst
}

// ClearDirty marks everything as drawn.
func (t *Terminal) ClearDirty() {
	clear(t.dirty)
	t.anyDirty = false
	t.cleanX, t.cleanY, t.cleanVisible = t.x, t.y, t.visible
}

func (t *Terminal) cursorMoved() bool {
	return t.x != t.cleanX || t.y != t.cleanY || t.visible != t.cleanVisible
}

// markAll marks every row changed.
func (t *Terminal) markAll() {
	for i := range t.dirty {
		t.dirty[i] = true
	}
	t.anyDirty = true
}

// markRows marks rows [from, to] changed.
func (t *Terminal) markRows(from, to int) {
	for i := from; i <= to; i++ {
		t.dirty[i] = true
	}
	t.anyDirty = true
}

// Text returns the visible screen as plain text: rows joined by '\n',
// trailing spaces trimmed, wide characters once, combining marks kept.
func (t *Terminal) Text() string {
	b := make([]byte, 0, t.rows*(t.cols+1))
	for y, l := range t.screens[t.active] {
		if y > 0 {
			b = append(b, '\n')
		}
		b = appendRowText(b, l.cells)
	}
	return string(b)
}

// Resize changes the screen size, clamped as in New. With word wrap on
// (see [Terminal.SetWordWrap]) a change of columns first reflows the main
// screen and the scrollback (see reflowMain), and the cursor stays on its
// character; the alternate screen is clipped and padded as below. With
// word wrap off, nothing reflows:
//
//   - Columns: every line, on both screens, is cut or padded with blanks
//     on the right; a wide character cut in half becomes a blank.
//     Scrollback lines are kept as they were.
//   - Fewer rows: the rows below the cursor go first, blank or not; if
//     that is not enough, rows from the top go into the scrollback (from
//     the main screen; the alternate screen's are dropped), so the cursor
//     row stays on screen.
//   - More rows: on the main screen, lines come back from the scrollback
//     above the existing ones, as many as there are; the rest are blank
//     rows at the bottom.
//
// The scroll region is reset to the whole screen, tab stops are kept and
// extended, the cursor stays on its row and every row is marked changed.
func (t *Terminal) Resize(cols, rows int) {
	cols, rows = clampSize(cols, rows)
	if cols == t.cols && rows == t.rows {
		return
	}
	pending := false
	if cols != t.cols {
		if t.wordWrap && cols >= 2 {
			pending = t.reflowResize(cols)
		}
		for s := range t.screens {
			if s == 0 && t.wordWrap && cols >= 2 {
				continue
			}
			for i := range t.screens[s] {
				t.screens[s][i].cells = resizeCells(t.screens[s][i].cells, cols)
			}
		}
		tabs := make([]bool, cols)
		copy(tabs, t.tabs)
		old := len(t.tabs)
		t.tabs = tabs
		if cols > old {
			t.resetTabs(old)
		}
		t.blankRow = newBlankRow(cols)
		t.cols = cols
	}
	if rows != t.rows {
		// The cursor row each screen must keep on screen: the live cursor
		// for the shown screen, the saved one (DECSC, 1049) for the other.
		for s := range t.screens {
			cy := &t.y
			if s != t.active {
				cy = &t.saved[s].y
			}
			t.screens[s] = t.resizeRows(t.screens[s], rows, cy, s == 0)
		}
		t.rows = rows
		t.dirty = make([]bool, rows)
	}
	t.top, t.bot = 0, t.rows-1
	t.x = min(t.x, t.cols-1)
	t.y = max(0, min(t.y, t.rows-1))
	t.wrapNext = pending && t.x == t.cols-1
	for i := range t.saved {
		t.saved[i].x = min(t.saved[i].x, t.cols-1)
		t.saved[i].y = max(0, min(t.saved[i].y, t.rows-1))
	}
	t.markAll()
}

// resizeCells returns cells cut or padded to cols.
func resizeCells(cells []Cell, cols int) []Cell {
	out := make([]Cell, cols)
	n := copy(out, cells)
	fill(out[n:], blankCell(DefaultColor))
	if out[cols-1].Width == 2 {
		out[cols-1] = blankCell(out[cols-1].BG)
	}
	if out[0].Width == 0 {
		out[0] = blankCell(out[0].BG)
	}
	return out
}

// resizeRows changes the number of rows of one screen as Resize
// describes, keeping row *cy on screen and updating it.
func (t *Terminal) resizeRows(lines []line, rows int, cy *int, main bool) []line {
	old := len(lines)
	y := max(0, min(*cy, old-1))
	if rows < old {
		excess := old - rows
		below := min(excess, old-1-y) // rows under the cursor go first
		lines = lines[:old-below]
		push := len(lines) - rows
		for i := range push {
			if main {
				t.sb.push(lines[i].cells, lines[i].wrapped)
			}
		}
		out := make([]line, rows)
		copy(out, lines[push:])
		*cy = y - push
		return out
	}
	out := make([]line, 0, rows)
	pull := 0
	if main && t.active == 0 {
		pull = min(rows-old, t.sb.n)
	}
	for range pull {
		out = append(out, line{})
	}
	for i := pull - 1; i >= 0; i-- {
		cells, wrapped := t.sb.popNewest()
		if wrapped && len(cells) < t.cols {
			// Padding, not text: see WrapPad.
			out[i] = line{cells: padRow(cells, t.cols, true), wrapped: true}
			continue
		}
		out[i] = line{cells: resizeCells(cells, t.cols), wrapped: wrapped}
	}
	out = append(out, lines...)
	for len(out) < rows {
		cells := make([]Cell, t.cols)
		fill(cells, blankCell(DefaultColor))
		out = append(out, line{cells: cells})
	}
	*cy = y + pull
	return out
}
