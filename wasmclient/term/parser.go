package term

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// Write parses p and applies it to the screen. It never fails: it always
// returns len(p), nil. Sequences and UTF-8 characters split across calls
// are put together again. Answers to queries go to the responder, during
// the call.
func (t *Terminal) Write(p []byte) (int, error) {
	write(t, p)
	return len(p), nil
}

// WriteString is Write for a string, without copying it.
func (t *Terminal) WriteString(s string) (int, error) {
	write(t, s)
	return len(s), nil
}

// write feeds p to the state machine, with fast paths for runs of
// printable ASCII and of whole UTF-8 characters in the ground state.
func write[S ~string | ~[]byte](t *Terminal, p S) {
	for i := 0; i < len(p); {
		if t.state == stGround && t.u8need == 0 {
			j := i
			for j < len(p) && p[j]-0x20 < 0x5f {
				j++
			}
			if j > i {
				printASCII(t, p[i:j])
				i = j
				continue
			}
			if p[i] >= 0xc2 { // CJK and other non-ASCII text
				if n := printUTF8(t, p[i:]); n > 0 {
					i += n
					continue
				}
			}
		}
		t.step(p[i])
		i++
	}
}

// step feeds one byte to the state machine.
func (t *Terminal) step(b byte) {
	if t.state == stGround {
		t.ground(b)
		return
	}
	// Transitions from anywhere.
	switch b {
	case 0x18, 0x1a: // CAN, SUB: abort the sequence
		t.state = stGround
		t.oscPending = false
		return
	case 0x1b:
		t.oscPending = t.state == stOSC
		t.enterEscape()
		return
	}
	switch t.state {
	case stEscape:
		pending := t.oscPending
		t.oscPending = false
		switch {
		case b < 0x20:
			t.execute(b)
		case b < 0x30:
			t.collect(b)
			t.state = stEscInter
		case b == '[':
			t.enterCSI()
		case b == ']':
			t.state = stOSC
			t.osc = t.osc[:0]
			t.oscOver = false
			t.oscCmd = false
		case b == 'P', b == 'X', b == '^', b == '_': // DCS, SOS, PM, APC
			t.state = stString
		case b < 0x7f:
			t.state = stGround
			if b == '\\' && pending {
				t.oscDispatch()
				return
			}
			t.escDispatch(b)
		}
	case stEscInter:
		switch {
		case b < 0x20:
			t.execute(b)
		case b < 0x30:
			t.collect(b)
		case b < 0x7f:
			t.state = stGround
			t.escDispatch(b)
		}
	case stCSIEntry, stCSIParam:
		switch {
		case b < 0x20:
			t.execute(b)
		case b >= '0' && b <= '9':
			if t.cur < maxParam {
				t.cur = min(t.cur*10+int32(b-'0'), maxParam)
			}
			t.curStarted = true
			t.state = stCSIParam
		case b == ';', b == ':':
			t.pushParam()
			t.curSub = b == ':'
			t.curStarted = true
			t.state = stCSIParam
		case b >= 0x3c && b <= 0x3f:
			if t.state == stCSIEntry {
				t.priv = b
				t.state = stCSIParam
			} else {
				t.state = stCSIIgnore
			}
		case b < 0x30:
			t.collect(b)
			t.state = stCSIInter
		case b < 0x7f:
			t.state = stGround
			t.finishCSI(b)
		}
	case stCSIInter:
		switch {
		case b < 0x20:
			t.execute(b)
		case b < 0x30:
			t.collect(b)
		case b < 0x40:
			t.state = stCSIIgnore
		case b < 0x7f:
			t.state = stGround
			t.finishCSI(b)
		}
	case stCSIIgnore:
		switch {
		case b < 0x20:
			t.execute(b)
		case b >= 0x40 && b < 0x7f:
			t.state = stGround
		}
	case stOSC:
		switch {
		case b == 0x07: // BEL ends an OSC, as in xterm
			t.state = stGround
			t.oscDispatch()
		case b < 0x20:
			// ignored
		default:
			if b == ';' && !t.oscCmd {
				t.oscCmd = true
				t.oscCommandRead()
			}
			if len(t.osc) < maxOSC {
				t.osc = append(t.osc, b)
			} else {
				t.oscOver = true
			}
		}
	case stString:
		// DCS, SOS, PM and APC contents are ignored until ST.
	}
}

// ground handles a byte in the ground state: UTF-8 decoding, C0 controls
// and printing.
func (t *Terminal) ground(b byte) {
	if t.u8need > 0 {
		if b >= t.u8lo && b <= t.u8hi {
			t.u8cp = t.u8cp<<6 | rune(b&0x3f)
			t.u8lo, t.u8hi = 0x80, 0xbf
			t.u8need--
			// C1 controls sent as UTF-8 (U+0080-U+009F) are dropped:
			// they are neither acted on nor drawn.
			if t.u8need == 0 && (t.u8cp < 0x80 || t.u8cp >= 0xa0) {
				t.printRune(t.u8cp)
			}
			return
		}
		// The sequence broke off: one U+FFFD for it, then b on its own.
		t.u8need = 0
		t.printRune(utf8.RuneError)
	}
	switch {
	case b < 0x20:
		t.execute(b)
	case b < 0x7f:
		t.printRune(t.mapCharset(b))
	case b == 0x7f:
		// DEL is ignored.
	case b >= 0xc2 && b <= 0xdf:
		t.u8need, t.u8cp, t.u8lo, t.u8hi = 1, rune(b&0x1f), 0x80, 0xbf
	case b >= 0xe0 && b <= 0xef:
		t.u8need, t.u8cp, t.u8lo, t.u8hi = 2, rune(b&0x0f), 0x80, 0xbf
		switch b {
		case 0xe0:
			t.u8lo = 0xa0 // no overlong forms
		case 0xed:
			t.u8hi = 0x9f // no surrogates
		}
	case b >= 0xf0 && b <= 0xf4:
		t.u8need, t.u8cp, t.u8lo, t.u8hi = 3, rune(b&0x07), 0x80, 0xbf
		switch b {
		case 0xf0:
			t.u8lo = 0x90 // no overlong forms
		case 0xf4:
			t.u8hi = 0x8f // nothing above U+10FFFF
		}
	default:
		t.printRune(utf8.RuneError)
	}
}

// execute performs a C0 control.
func (t *Terminal) execute(b byte) {
	switch b {
	case 0x07: // BEL
		t.bells++
		if t.bell != nil {
			t.bell()
		}
	case 0x08: // BS
		t.wrapNext = false
		if t.x > 0 {
			t.x--
		}
	case 0x09: // HT
		t.tab(1)
	case 0x0a, 0x0b, 0x0c: // LF, VT, FF
		t.link = 0 // a link never runs past the end of a line
		t.index()
		if t.modes.NewLine {
			t.x = 0
		}
	case 0x0d: // CR
		t.x = 0
		t.wrapNext = false
	case 0x0e: // SO: G1 into GL
		t.gl = 1
	case 0x0f: // SI: G0 into GL
		t.gl = 0
	case 0x18, 0x1a: // CAN, SUB
		t.state = stGround
	case 0x1b:
		t.oscPending = false
		t.enterEscape()
	}
}

func (t *Terminal) enterEscape() {
	t.state = stEscape
	t.ninter = 0
	t.ignoreSeq = false
}

func (t *Terminal) enterCSI() {
	t.state = stCSIEntry
	t.nparams = 0
	t.cur = 0
	t.curSub = false
	t.curStarted = false
	t.priv = 0
	t.ninter = 0
	t.ignoreSeq = false
}

// collect keeps an intermediate byte.
func (t *Terminal) collect(b byte) {
	if t.ninter < maxInter {
		t.inter[t.ninter] = b
		t.ninter++
		return
	}
	t.ignoreSeq = true
}

// pushParam ends the parameter being read.
func (t *Terminal) pushParam() {
	if t.nparams < maxParams {
		t.params[t.nparams] = t.cur
		t.sub[t.nparams] = t.curSub
		t.nparams++
	}
	t.cur = 0
	t.curSub = false
}

// param returns parameter i, or def if it is missing or 0.
func (t *Terminal) param(i, def int) int {
	if i < t.nparams && t.params[i] != 0 {
		return int(t.params[i])
	}
	return def
}

// escDispatch performs an escape sequence with final byte b.
func (t *Terminal) escDispatch(b byte) {
	if t.ignoreSeq {
		return
	}
	if t.ninter > 0 {
		switch t.inter[0] {
		case '(', ')', '*', '+': // designate G0-G3
			if t.ninter != 1 {
				return
			}
			cs := charsetASCII
			switch b {
			case '0':
				cs = charsetDEC
			case 'A':
				cs = charsetUK
			}
			t.charsets[t.inter[0]-'('] = cs
		case '#':
			if b == '8' && t.ninter == 1 {
				t.alignmentTest()
			}
		}
		return
	}
	switch b {
	case '7': // DECSC
		t.saveCursor()
	case '8': // DECRC
		t.restoreCursor()
	case 'D': // IND
		t.link = 0 // as LF
		t.index()
	case 'E': // NEL
		t.link = 0
		t.x = 0
		t.index()
	case 'H': // HTS
		t.tabs[t.x] = true
	case 'M': // RI
		t.reverseIndex()
	case 'Z': // DECID
		t.reply("\x1b[?62;22c")
	case 'c': // RIS
		t.reset()
	case '=': // DECKPAM
		t.modes.AppKeypad = true
	case '>': // DECKPNM
		t.modes.AppKeypad = false
	}
}

// finishCSI ends the parameters and dispatches the control sequence.
func (t *Terminal) finishCSI(final byte) {
	if t.curStarted {
		t.pushParam()
	}
	if t.ignoreSeq {
		return
	}
	if final != 'm' {
		// Only SGR takes sub-parameters; elsewhere they make the sequence
		// meaningless, so it is ignored.
		for i := range t.nparams {
			if t.sub[i] {
				return
			}
		}
	}
	if t.ninter > 0 {
		t.csiInter(final)
		return
	}
	switch t.priv {
	case 0:
		t.csi(final)
	case '?':
		t.csiPrivate(final)
	case '>':
		if final == 'c' && t.param(0, 0) == 0 { // DA2
			t.reply("\x1b[>1;10;0c")
		}
	}
}

// csi performs a control sequence without private marker or intermediates.
func (t *Terminal) csi(final byte) {
	switch final {
	case '@': // ICH
		t.insertBlanks(t.param(0, 1))
	case 'A': // CUU
		t.moveRel(0, -t.param(0, 1))
	case 'B', 'e': // CUD, VPR
		t.moveRel(0, t.param(0, 1))
	case 'C', 'a': // CUF, HPR
		t.moveRel(t.param(0, 1), 0)
	case 'D': // CUB
		t.moveRel(-t.param(0, 1), 0)
	case 'E': // CNL
		t.moveRel(0, t.param(0, 1))
		t.x = 0
	case 'F': // CPL
		t.moveRel(0, -t.param(0, 1))
		t.x = 0
	case 'G', '`': // CHA, HPA
		t.moveTo(t.param(0, 1)-1, t.y)
	case 'H', 'f': // CUP, HVP
		t.moveTo(t.param(1, 1)-1, t.originY()+t.param(0, 1)-1)
	case 'I': // CHT
		t.tab(min(t.param(0, 1), t.cols))
	case 'J': // ED
		t.eraseDisplay(t.param(0, 0))
	case 'K': // EL
		t.eraseLine(t.param(0, 0))
	case 'L': // IL
		t.insertLines(t.param(0, 1))
	case 'M': // DL
		t.deleteLines(t.param(0, 1))
	case 'P': // DCH
		t.deleteChars(t.param(0, 1))
	case 'S': // SU
		t.scrollUp(t.top, t.bot, t.param(0, 1), true)
	case 'T': // SD; with more parameters it is xterm's mouse highlight
		if t.nparams <= 1 {
			t.scrollDown(t.top, t.bot, t.param(0, 1))
		}
	case 'X': // ECH
		t.wrapNext = false
		t.eraseCells(t.y, t.x, t.x+t.param(0, 1))
	case 'Z': // CBT
		t.backTab(min(t.param(0, 1), t.cols))
	case 'b': // REP
		t.repeat(t.param(0, 1))
	case 'c': // DA
		if t.param(0, 0) == 0 {
			t.reply("\x1b[?62;22c")
		}
	case 'd': // VPA
		t.moveTo(t.x, t.originY()+t.param(0, 1)-1)
	case 'g': // TBC
		switch t.param(0, 0) {
		case 0:
			t.tabs[t.x] = false
		case 3:
			clear(t.tabs)
		}
	case 'h', 'l': // SM, RM
		on := final == 'h'
		for i := range t.nparams {
			switch t.params[i] {
			case 4:
				t.insert = on
			case 20:
				t.modes.NewLine = on
				t.anyDirty = true
			}
		}
	case 'm':
		t.sgr()
	case 'n': // DSR
		switch t.param(0, 0) {
		case 5:
			t.reply("\x1b[0n")
		case 6:
			t.reportCursor("\x1b[")
		}
	case 'r': // DECSTBM
		top, bot := t.param(0, 1)-1, t.param(1, t.rows)-1
		bot = min(bot, t.rows-1)
		if top < bot {
			t.top, t.bot = top, bot
			t.moveTo(0, t.originY())
		}
	case 's': // SCOSC
		t.saveCursor()
	case 'u': // SCORC
		t.restoreCursor()
	case 't': // XTWINOPS: only the size report
		if t.param(0, 0) == 18 {
			t.resp = append(t.resp[:0], "\x1b[8;"...)
			t.resp = strconv.AppendInt(t.resp, int64(t.rows), 10)
			t.resp = append(t.resp, ';')
			t.resp = strconv.AppendInt(t.resp, int64(t.cols), 10)
			t.resp = append(t.resp, 't')
			t.send()
		}
	}
}

// originY is the row that row 1 of CUP and VPA means.
func (t *Terminal) originY() int {
	if t.origin {
		return t.top
	}
	return 0
}

// repeat prints the last printed character n more times (REP), at most a
// screenful.
func (t *Terminal) repeat(n int) {
	if t.lastRune == 0 {
		return
	}
	r := t.lastRune
	for range min(n, t.cols*t.rows) {
		t.printRune(r)
	}
}

// csiInter performs a control sequence with intermediates.
func (t *Terminal) csiInter(final byte) {
	if t.ninter != 1 || t.priv != 0 {
		return
	}
	switch {
	case t.inter[0] == '!' && final == 'p': // DECSTR
		t.softReset()
	case t.inter[0] == ' ' && final == 'q': // DECSCUSR
		if s := t.param(0, 0); s <= int(CursorSteadyBar) {
			t.modes.CursorStyle = CursorStyle(s)
			t.anyDirty = true
		}
	case t.inter[0] == '#' && final == '{': // XTPUSHSGR: save all of the pen
		if t.npens < maxPens {
			t.pens[t.npens] = t.pen
			t.npens++
		}
	case t.inter[0] == '#' && final == '}': // XTPOPSGR
		if t.npens > 0 {
			t.npens--
			t.pen = t.pens[t.npens]
		}
	}
}

// csiPrivate performs a control sequence with the '?' marker.
func (t *Terminal) csiPrivate(final byte) {
	switch final {
	case 'h', 'l':
		on := final == 'h'
		for i := range t.nparams {
			t.setPrivateMode(int(t.params[i]), on)
		}
	case 'J': // DECSED: no protected cells here, so as ED
		t.eraseDisplay(t.param(0, 0))
	case 'K': // DECSEL
		t.eraseLine(t.param(0, 0))
	case 'n':
		if t.param(0, 0) == 6 { // DECXCPR
			t.reportCursor("\x1b[?")
		}
	}
}

// setPrivateMode is DECSET (on) and DECRST.
func (t *Terminal) setPrivateMode(mode int, on bool) {
	switch mode {
	case 1:
		t.modes.AppCursor = on
	case 5:
		t.modes.ReverseVideo = on
		t.markAll()
	case 6:
		t.origin = on
		t.moveTo(0, t.originY())
	case 7:
		t.autowrap = on
		if !on {
			t.wrapNext = false
		}
	case 25:
		t.visible = on
	case 9, 1000, 1002, 1003:
		if on {
			t.modes.Mouse = MouseMode(mode)
		} else if t.modes.Mouse == MouseMode(mode) {
			t.modes.Mouse = MouseOff
		}
	case 1004:
		t.modes.FocusEvents = on
	case 1006:
		t.modes.MouseSGR = on
	case 2004:
		t.modes.BracketedPaste = on
	case 47:
		t.setAltScreen(on)
	case 1047:
		if !on && t.active == 1 {
			t.clearScreen()
		}
		t.setAltScreen(on)
	case 1048:
		if on {
			t.saveCursor()
		} else {
			t.restoreCursor()
		}
	case 1049:
		if on {
			if t.active == 0 {
				t.saveCursor()
				t.setAltScreen(true)
				t.clearScreen()
			}
		} else if t.active == 1 {
			t.setAltScreen(false)
			t.restoreCursor()
		}
	}
}

// softReset is DECSTR: modes and pen back to their defaults, the screen
// left as it is.
func (t *Terminal) softReset() {
	t.visible = true
	t.insert = false
	t.origin = false
	t.autowrap = true
	t.wrapNext = false
	t.pen = pen{}
	t.top, t.bot = 0, t.rows-1
	t.charsets = [4]charset{}
	t.gl = 0
	t.saved = [2]savedCursor{}
	t.link = 0
	t.modes.AppCursor = false
	t.modes.AppKeypad = false
	t.modes.CursorStyle = CursorDefault
	t.anyDirty = true
}

// reportCursor answers a cursor position report: prefix row;col R,
// counted from the scroll region's top in origin mode.
func (t *Terminal) reportCursor(prefix string) {
	t.resp = append(t.resp[:0], prefix...)
	t.resp = strconv.AppendInt(t.resp, int64(t.y-t.originY()+1), 10)
	t.resp = append(t.resp, ';')
	t.resp = strconv.AppendInt(t.resp, int64(t.x+1), 10)
	t.resp = append(t.resp, 'R')
	t.send()
}

// reply sends a fixed answer.
func (t *Terminal) reply(s string) {
	t.resp = append(t.resp[:0], s...)
	t.send()
}

func (t *Terminal) send() {
	if t.respond != nil {
		t.respond(t.resp)
	}
}

// sgr performs Select Graphic Rendition.
func (t *Terminal) sgr() {
	if t.nparams == 0 {
		t.pen = pen{}
		return
	}
	for i := 0; i < t.nparams; {
		p := t.params[i]
		// The sub-parameters of p are those after it introduced by ':'.
		j := i + 1
		for j < t.nparams && t.sub[j] {
			j++
		}
		subs := t.params[i+1 : j]
		switch {
		case p == 0:
			t.pen = pen{}
		case p == 1:
			t.pen.attr |= Bold
		case p == 2:
			t.pen.attr |= Faint
		case p == 3:
			t.pen.attr |= Italic
		case p == 4:
			t.pen.attr &^= Underline | DoubleUnderline
			switch {
			case len(subs) == 0:
				t.pen.attr |= Underline
			case subs[0] == 0:
			case subs[0] == 2:
				t.pen.attr |= DoubleUnderline
			default:
				t.pen.attr |= Underline
			}
		case p == 5, p == 6:
			t.pen.attr |= Blink
		case p == 7:
			t.pen.attr |= Inverse
		case p == 8:
			t.pen.attr |= Hidden
		case p == 9:
			t.pen.attr |= Strike
		case p == 21:
			t.pen.attr = t.pen.attr&^Underline | DoubleUnderline
		case p == 22:
			t.pen.attr &^= Bold | Faint
		case p == 23:
			t.pen.attr &^= Italic
		case p == 24:
			t.pen.attr &^= Underline | DoubleUnderline
		case p == 25:
			t.pen.attr &^= Blink
		case p == 27:
			t.pen.attr &^= Inverse
		case p == 28:
			t.pen.attr &^= Hidden
		case p == 29:
			t.pen.attr &^= Strike
		case p >= 30 && p <= 37:
			t.pen.fg = Indexed(uint8(p - 30))
		case p == 39:
			t.pen.fg = DefaultColor
		case p >= 40 && p <= 47:
			t.pen.bg = Indexed(uint8(p - 40))
		case p == 49:
			t.pen.bg = DefaultColor
		case p >= 90 && p <= 97:
			t.pen.fg = Indexed(uint8(p - 90 + 8))
		case p >= 100 && p <= 107:
			t.pen.bg = Indexed(uint8(p - 100 + 8))
		case p == 38, p == 48, p == 58:
			var c Color
			var ok bool
			if len(subs) > 0 {
				c, ok = colonColor(subs)
			} else {
				var used int
				c, ok, used = semicolonColor(t.params[j:t.nparams])
				j += used
			}
			if ok {
				switch p {
				case 38:
					t.pen.fg = c
				case 48:
					t.pen.bg = c
				}
				// 58, the underline colour, is parsed so its arguments
				// are not taken for attributes, and dropped.
			}
		}
		i = j
	}
}

// colonColor reads an extended colour's sub-parameters: 5:n, 2:r:g:b or
// 2:colourspace:r:g:b.
func colonColor(s []int32) (Color, bool) {
	switch {
	case s[0] == 5 && len(s) >= 2:
		return Indexed(uint8(min(s[1], 255))), true
	case s[0] == 2 && len(s) >= 5:
		return rgbParams(s[2], s[3], s[4]), true
	case s[0] == 2 && len(s) == 4:
		return rgbParams(s[1], s[2], s[3]), true
	}
	return 0, false
}

// semicolonColor reads an extended colour from the parameters after 38,
// 48 or 58: 5;n or 2;r;g;b. It returns how many it used; a malformed one
// uses them all, so that the rest is not taken for attributes.
func semicolonColor(s []int32) (c Color, ok bool, used int) {
	switch {
	case len(s) >= 2 && s[0] == 5:
		return Indexed(uint8(min(s[1], 255))), true, 2
	case len(s) >= 4 && s[0] == 2:
		return rgbParams(s[1], s[2], s[3]), true, 4
	}
	return 0, false, len(s)
}

func rgbParams(r, g, b int32) Color {
	return RGB(uint8(min(r, 255)), uint8(min(g, 255)), uint8(min(b, 255)))
}

// oscDispatch performs an operating system command: the title and
// hyperlinks.
func (t *Terminal) oscDispatch() {
	if t.oscOver {
		return
	}
	s := t.osc
	semi := bytes.IndexByte(s, ';')
	if semi < 0 {
		return
	}
	n, ok := oscCommand(s[:semi])
	if !ok {
		return
	}
	switch n {
	case 0, 2:
		t.setTitle(s[semi+1:])
	case 8:
		t.hyperlink(s[semi+1:])
	}
}

// setTitle keeps the printable part of a title, at most maxTitle bytes.
func (t *Terminal) setTitle(p []byte) {
	if string(p) == t.title {
		return
	}
	b := make([]byte, 0, min(len(p), maxTitle))
	for len(p) > 0 {
		r, size := utf8.DecodeRune(p)
		p = p[size:]
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			continue
		}
		if len(b)+utf8.RuneLen(r) > maxTitle {
			break
		}
		b = utf8.AppendRune(b, r)
	}
	t.title = string(b)
	t.anyDirty = true
}
