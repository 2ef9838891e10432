package mxp

import "bytes"

// Guard keeps a game that does not speak MXP (the option is off, refused
// by game.mxp = false, or never offered) from making command links: an
// OSC 8 hyperlink in its text may point only where an open line's may
// (http, https and mailto, see allowedOSC); any other, such as the
// mxp:send links the Filter makes of a secure line's <SEND>, is dropped
// whole before it reaches the terminal. Without it a game's raw OSC 8
// mxp:send (or another player's text the game passes on with its
// escapes) would be a command the player's click sends, and only a
// secure line may make those.
//
// Everything else passes as it is, at once. The Guard reads escapes as
// the web client's terminal (wasmclient/term) does, so that the two agree
// on where an OSC starts and ends: an OSC starts at ESC ] (the ESC from
// any state; C0 controls between the two are executed, bytes from 0x7f
// ignored), ends at BEL or ESC \, and is abandoned by CAN, SUB or an ESC
// followed by anything but \. From its ] an OSC is held until it ends (at
// most maxOSC bytes of payload; a longer one is dropped, as the terminal
// drops it). Its ESC has gone before: an OSC dropped is replaced by a CAN,
// which ends the terminal's escape as if neither had come.
type Guard struct {
	st  guardState
	buf []byte // the OSC held, from its ]
	n   int    // payload bytes, controls not counted
}

type guardState uint8

const (
	gText   guardState = iota
	gEsc               // after an ESC: the terminal is in its escape state
	gOSC               // in an OSC, held
	gOSCEsc            // an ESC in an OSC
	gOver              // in an OSC too long: dropped to its end
)

// can is the control that ends a terminal's escape (or OSC) with nothing
// done.
const can = 0x18

// Pass reports whether p goes through as it is, and if so takes it as
// read: no OSC can start in it (it holds no ']', a byte never part of a
// UTF-8 sequence) and none is held. Most of a game's text passes, and is
// then given on without a copy.
func (g *Guard) Pass(p []byte) bool {
	if g.st > gEsc || bytes.IndexByte(p, ']') >= 0 {
		return false
	}
	g.st = escapeAfter(p, g.st)
	return true
}

// escapeAfter returns the state after p, from st (gText or gEsc), when p
// starts no OSC: gEsc when the terminal is left in its escape state (an
// ESC, then only controls other than CAN and SUB, and bytes from 0x7f).
func escapeAfter(p []byte, st guardState) guardState {
	for i := len(p) - 1; i >= 0; i-- {
		switch b := p[i]; {
		case b == 0x1b:
			return gEsc
		case b == 0x18 || b == 0x1a || b >= 0x20 && b < 0x7f:
			return gText
		}
	}
	return st // nothing in p ends or starts an escape
}

// Append appends p, guarded, to dst and returns it.
func (g *Guard) Append(dst, p []byte) []byte {
	for len(p) > 0 {
		switch g.st {
		case gText, gEsc:
			i := bytes.IndexByte(p, ']')
			if i < 0 {
				g.st = escapeAfter(p, g.st)
				return append(dst, p...)
			}
			g.st = escapeAfter(p[:i], g.st)
			dst = append(dst, p[:i]...)
			p = p[i:]
			if g.st == gText {
				dst = append(dst, ']')
				p = p[1:]
				continue
			}
			g.buf = append(g.buf[:0], ']')
			g.n = 0
			g.st = gOSC
			p = p[1:]
			continue
		}
		b := p[0]
		p = p[1:]
		switch g.st {
		case gOSC, gOver:
			switch {
			case b == 0x07:
				dst = g.end(dst, []byte{b})
			case b == 0x1b:
				if g.st == gOSC {
					g.st = gOSCEsc
				} else {
					dst = append(dst, b) // the terminal had dropped it: a new escape
					g.st = gEsc
				}
			case b == 0x18 || b == 0x1a:
				dst = append(dst, b)
				g.st = gText
			case g.st == gOver:
			case b < 0x20:
				g.buf = append(g.buf, b) // the terminal ignores it
				if len(g.buf) > 2*maxOSC {
					dst = g.drop(dst)
					g.st = gOver
				}
			default:
				if g.n++; g.n > maxOSC {
					dst = g.drop(dst)
					g.st = gOver
				} else {
					g.buf = append(g.buf, b)
				}
			}
		case gOSCEsc:
			if b == '\\' {
				dst = g.end(dst, []byte{0x1b, b})
				continue
			}
			// The OSC is abandoned, and the ESC starts an escape of its
			// own: the terminal's, it has, from the first ESC.
			g.st = gEsc
			dst = append(dst, 0x1b)
			p = append([]byte{b}, p...)
		}
	}
	return dst
}

// end finishes the OSC held, ended by term: it goes on if it may, or a
// CAN in its place.
func (g *Guard) end(dst, term []byte) []byte {
	switch {
	case g.st == gOver:
		// Dropped already; the terminator ends the terminal's OSC, which
		// it no longer is in.
	case allowedOSC(g.buf[1:]):
		dst = append(append(dst, g.buf...), term...)
	default:
		dst = g.drop(dst)
	}
	g.st = gText
	if cap(g.buf) > 2*maxOSC+8 {
		g.buf = nil
	}
	return dst
}

// drop ends the terminal's escape for the OSC held, which goes no
// further.
func (g *Guard) drop(dst []byte) []byte {
	g.buf = g.buf[:0]
	return append(dst, can)
}

// End gives what the Guard holds, as the stream ends or MXP starts: an
// unfinished OSC is dropped (a CAN in its place), as the terminal would
// drop it. The Guard starts afresh.
func (g *Guard) End(dst []byte) []byte {
	if g.st == gOSC || g.st == gOSCEsc {
		dst = g.drop(dst)
	}
	g.st = gText
	return dst
}
