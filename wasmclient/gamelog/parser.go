package gamelog

import "unicode/utf8"

// The parser follows the terminal's (wasmclient/term), which follows
// Paul Williams' DEC ANSI parser, so that the log reads the stream as the
// terminal does: the same bytes end a sequence, CAN and SUB abort one, C0
// controls inside a control sequence still act, and an OSC or DCS string
// hides the text up to its end. It acts only on what a log keeps: SGR
// (and XTPUSHSGR, XTPOPSGR, DECSTR and RIS, which change the pen), EL, and
// the controls that move within a line or end it. Nothing is buffered, so
// a sequence split between writes costs nothing and an endless one holds
// no memory.

// The parser's states.
const (
	stGround = iota
	stEscape
	stEscInter
	stCSIEntry
	stCSIParam
	stCSIInter
	stCSIIgnore
	stOSC    // skipped up to BEL or ST
	stString // DCS, SOS, PM, APC: skipped up to ST
)

const (
	maxParams = 32     // CSI parameters kept; more are dropped
	maxParam  = 0xffff // a larger parameter value is clamped
	maxInter  = 2      // intermediates; a sequence with more is ignored
	maxPens   = 10     // depth of the XTPUSHSGR stack
)

// parser is the state of the escape-sequence parser and the pen.
type parser struct {
	state uint8

	// A UTF-8 sequence begun: bytes still needed, the code point so
	// far, and the range the next byte must be in.
	u8need     int8
	u8lo, u8hi byte
	u8cp       rune

	// The control sequence being read.
	params     [maxParams]int32
	sub        [maxParams]bool // params[i] is a sub-parameter (after ':')
	nparams    int
	acc        int32
	accSub     bool
	accStarted bool
	priv       byte
	inter      [maxInter]byte
	ninter     int
	ignoreSeq  bool

	pen   style // what SGR chose
	pens  [maxPens]style
	npens int
}

// step feeds one byte to the state machine.
func (l *Log) step(b byte) {
	if l.state == stGround {
		l.ground(b)
		return
	}
	switch b {
	case 0x18, 0x1a: // CAN, SUB: abort the sequence
		l.state = stGround
		return
	case 0x1b: // ends an OSC or string (ESC \ is ST) and begins anew
		l.enterEscape()
		return
	}
	switch l.state {
	case stEscape:
		switch {
		case b < 0x20:
			l.execute(b)
		case b < 0x30:
			l.collect(b)
			l.state = stEscInter
		case b == '[':
			l.enterCSI()
		case b == ']':
			l.state = stOSC
		case b == 'P', b == 'X', b == '^', b == '_':
			l.state = stString
		case b < 0x7f:
			l.state = stGround
			l.escDispatch(b)
		}
	case stEscInter:
		switch {
		case b < 0x20:
			l.execute(b)
		case b < 0x30:
			l.collect(b)
		case b < 0x7f:
			l.state = stGround
			l.escDispatch(b)
		}
	case stCSIEntry, stCSIParam:
		switch {
		case b < 0x20:
			l.execute(b)
		case b >= '0' && b <= '9':
			if l.acc < maxParam {
				l.acc = min(l.acc*10+int32(b-'0'), maxParam)
			}
			l.accStarted = true
			l.state = stCSIParam
		case b == ';', b == ':':
			l.pushParam()
			l.accSub = b == ':'
			l.accStarted = true
			l.state = stCSIParam
		case b >= 0x3c && b <= 0x3f:
			if l.state == stCSIEntry {
				l.priv = b
				l.state = stCSIParam
			} else {
				l.state = stCSIIgnore
			}
		case b < 0x30:
			l.collect(b)
			l.state = stCSIInter
		case b < 0x7f:
			l.state = stGround
			l.finishCSI(b)
		}
	case stCSIInter:
		switch {
		case b < 0x20:
			l.execute(b)
		case b < 0x30:
			l.collect(b)
		case b < 0x40:
			l.state = stCSIIgnore
		case b < 0x7f:
			l.state = stGround
			l.finishCSI(b)
		}
	case stCSIIgnore:
		switch {
		case b < 0x20:
			l.execute(b)
		case b >= 0x40 && b < 0x7f:
			l.state = stGround
		}
	case stOSC:
		if b == 0x07 { // BEL ends an OSC, as in xterm
			l.state = stGround
		}
	case stString:
		// Skipped up to ST, which the ESC case above begins.
	}
}

// csi reads a whole control sequence of parameters alone (the SGR
// sequences that make up most of a MUD's escapes) at the start of s, as
// step would byte by byte but faster, and returns its length; 0 means
// step must read s.
func (l *Log) csi(s []byte) int {
	if len(s) < 3 || s[1] != '[' {
		return 0
	}
	k := 2
	for k < len(s) && k < 64 && (s[k]-'0' < 10 || s[k] == ';' || s[k] == ':') {
		k++
	}
	if k == len(s) || s[k] < 0x40 || s[k] > 0x7e {
		return 0
	}
	l.enterCSI()
	for _, b := range s[2:k] {
		if b <= '9' {
			if l.acc < maxParam {
				l.acc = min(l.acc*10+int32(b-'0'), maxParam)
			}
		} else {
			l.pushParam()
			l.accSub = b == ':'
		}
		l.accStarted = true
	}
	l.state = stGround
	l.finishCSI(s[k])
	return k + 1
}

// ground handles a byte in the ground state: UTF-8 decoding, C0 controls
// and printing.
func (l *Log) ground(b byte) {
	if l.u8need > 0 {
		if b >= l.u8lo && b <= l.u8hi {
			l.u8cp = l.u8cp<<6 | rune(b&0x3f)
			l.u8lo, l.u8hi = 0x80, 0xbf
			l.u8need--
			if l.u8need == 0 && l.u8cp >= 0xa0 { // C1 controls are dropped
				l.printRune(l.u8cp)
			}
			return
		}
		// The sequence broke off: one U+FFFD for it, then b on its own.
		l.u8need = 0
		l.printRune(utf8.RuneError)
	}
	switch {
	case b < 0x20:
		l.execute(b)
	case b < 0x7f:
		l.printRune(rune(b))
	case b == 0x7f:
		// DEL is dropped.
	case b >= 0xc2 && b <= 0xdf:
		l.u8need, l.u8cp, l.u8lo, l.u8hi = 1, rune(b&0x1f), 0x80, 0xbf
	case b >= 0xe0 && b <= 0xef:
		l.u8need, l.u8cp, l.u8lo, l.u8hi = 2, rune(b&0x0f), 0x80, 0xbf
		switch b {
		case 0xe0:
			l.u8lo = 0xa0 // no overlong forms
		case 0xed:
			l.u8hi = 0x9f // no surrogates
		}
	case b >= 0xf0 && b <= 0xf4:
		l.u8need, l.u8cp, l.u8lo, l.u8hi = 3, rune(b&0x07), 0x80, 0xbf
		switch b {
		case 0xf0:
			l.u8lo = 0x90 // no overlong forms
		case 0xf4:
			l.u8hi = 0x8f // nothing above U+10FFFF
		}
	default:
		l.printRune(utf8.RuneError)
	}
}

// execute performs a C0 control; those not listed are dropped.
func (l *Log) execute(b byte) {
	switch b {
	case 0x08: // BS
		l.backspace()
	case 0x09: // HT
		l.tab()
	case 0x0a, 0x0b, 0x0c: // LF, VT, FF
		l.endLine(Output)
	case 0x0d: // CR
		l.carriageReturn()
	case 0x1b:
		l.enterEscape()
	}
}

func (l *Log) enterEscape() {
	l.state = stEscape
	l.ninter = 0
	l.ignoreSeq = false
}

func (l *Log) enterCSI() {
	l.state = stCSIEntry
	l.nparams = 0
	l.acc = 0
	l.accSub = false
	l.accStarted = false
	l.priv = 0
	l.ninter = 0
	l.ignoreSeq = false
}

// collect keeps an intermediate byte.
func (l *Log) collect(b byte) {
	if l.ninter < maxInter {
		l.inter[l.ninter] = b
		l.ninter++
		return
	}
	l.ignoreSeq = true
}

// pushParam ends the parameter being read.
func (l *Log) pushParam() {
	if l.nparams < maxParams {
		l.params[l.nparams] = l.acc
		l.sub[l.nparams] = l.accSub
		l.nparams++
	}
	l.acc = 0
	l.accSub = false
}

// escDispatch performs an escape sequence with final byte b.
func (l *Log) escDispatch(b byte) {
	if l.ignoreSeq || l.ninter > 0 {
		return // character set designations and the like
	}
	switch b {
	case 'D', 'E': // IND, NEL: as LF
		l.endLine(Output)
	case 'c': // RIS
		l.pen, l.npens = style{}, 0
	}
}

// finishCSI ends the parameters and dispatches the control sequence.
func (l *Log) finishCSI(final byte) {
	if l.accStarted {
		l.pushParam()
	}
	if l.ignoreSeq {
		return
	}
	if final != 'm' {
		// Only SGR takes sub-parameters; elsewhere they make the
		// sequence meaningless, so it is ignored.
		for i := range l.nparams {
			if l.sub[i] {
				return
			}
		}
	}
	if l.ninter > 0 {
		if l.ninter != 1 || l.priv != 0 {
			return
		}
		switch {
		case l.inter[0] == '!' && final == 'p': // DECSTR
			l.pen, l.npens = style{}, 0
		case l.inter[0] == '#' && final == '{': // XTPUSHSGR
			if l.npens < maxPens {
				l.pens[l.npens] = l.pen
				l.npens++
			}
		case l.inter[0] == '#' && final == '}': // XTPOPSGR
			if l.npens > 0 {
				l.npens--
				l.pen = l.pens[l.npens]
			}
		}
		return
	}
	if l.priv != 0 {
		return
	}
	switch final {
	case 'm':
		l.sgr()
	case 'K': // EL
		if l.nparams == 0 {
			l.eraseLine(0)
		} else {
			l.eraseLine(int(l.params[0]))
		}
	}
}

// sgr performs Select Graphic Rendition, as the terminal does.
func (l *Log) sgr() {
	if l.nparams == 0 {
		l.pen = style{}
		return
	}
	pen := &l.pen
	for i := 0; i < l.nparams; {
		p := l.params[i]
		// The sub-parameters of p are those after it introduced by ':'.
		j := i + 1
		for j < l.nparams && l.sub[j] {
			j++
		}
		subs := l.params[i+1 : j]
		switch {
		case p == 0:
			*pen = style{}
		case p == 1:
			pen.attr |= attrBold
		case p == 2:
			pen.attr |= attrFaint
		case p == 3:
			pen.attr |= attrItalic
		case p == 4:
			pen.attr &^= attrUnderline
			if len(subs) == 0 || subs[0] != 0 { // 4:1 to 4:5 are kinds of underline
				pen.attr |= attrUnderline
			}
		case p == 7:
			pen.attr |= attrInverse
		case p == 8:
			pen.attr |= attrHidden
		case p == 9:
			pen.attr |= attrStrike
		case p == 21: // double underline
			pen.attr |= attrUnderline
		case p == 22:
			pen.attr &^= attrBold | attrFaint
		case p == 23:
			pen.attr &^= attrItalic
		case p == 24:
			pen.attr &^= attrUnderline
		case p == 27:
			pen.attr &^= attrInverse
		case p == 28:
			pen.attr &^= attrHidden
		case p == 29:
			pen.attr &^= attrStrike
		case p >= 30 && p <= 37:
			pen.fg = indexed(uint8(p - 30))
		case p == 39:
			pen.fg = 0
		case p >= 40 && p <= 47:
			pen.bg = indexed(uint8(p - 40))
		case p == 49:
			pen.bg = 0
		case p >= 90 && p <= 97:
			pen.fg = indexed(uint8(p - 90 + 8))
		case p >= 100 && p <= 107:
			pen.bg = indexed(uint8(p - 100 + 8))
		case p == 38, p == 48, p == 58:
			var c color
			var ok bool
			if len(subs) > 0 {
				c, ok = colonColor(subs)
			} else {
				var used int
				c, ok, used = semicolonColor(l.params[j:l.nparams])
				j += used
			}
			if ok {
				switch p {
				case 38:
					pen.fg = c
				case 48:
					pen.bg = c
				}
				// 58, the underline colour, is read so that its
				// arguments are not taken for attributes, and dropped.
			}
		}
		// 5 and 6 (blink), 25, and the rest are ignored.
		i = j
	}
}

// colonColor reads an extended colour's sub-parameters: 5:n, 2:r:g:b or
// 2:colourspace:r:g:b.
func colonColor(s []int32) (color, bool) {
	switch {
	case s[0] == 5 && len(s) >= 2:
		return indexed(uint8(min(s[1], 255))), true
	case s[0] == 2 && len(s) >= 5:
		return rgb(s[2], s[3], s[4]), true
	case s[0] == 2 && len(s) == 4:
		return rgb(s[1], s[2], s[3]), true
	}
	return 0, false
}

// semicolonColor reads an extended colour from the parameters after 38,
// 48 or 58: 5;n or 2;r;g;b. It returns how many it used; a malformed one
// uses them all, so that the rest is not taken for attributes.
func semicolonColor(s []int32) (c color, ok bool, used int) {
	switch {
	case len(s) >= 2 && s[0] == 5:
		return indexed(uint8(min(s[1], 255))), true, 2
	case len(s) >= 4 && s[0] == 2:
		return rgb(s[1], s[2], s[3]), true, 4
	}
	return 0, false, len(s)
}
