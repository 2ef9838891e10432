package main

import (
	"unicode/utf8"

	"github.com/drawbridge/drawbridge/wasmclient/dom"
	"github.com/drawbridge/drawbridge/wasmclient/term"
)

// keyBytes returns what an xterm sends for k, given the terminal's modes
// (cursor keys in application mode send ESC O A rather than ESC [ A), or
// nil for a key that sends nothing (a lone modifier, an unknown name).
func keyBytes(k dom.KeyEvent, m term.Modes) []byte {
	if k.Text != "" {
		return []byte(k.Text)
	}
	var b []byte
	if k.Alt {
		b = append(b, 0x1b) // Meta sends ESC first, as xterm's metaSendsEscape
	}
	if seq := specialKey(k, m); seq != "" {
		return append(b, seq...)
	}
	r, size := utf8.DecodeRuneInString(k.Key)
	if size != len(k.Key) || r == utf8.RuneError {
		return nil // a named key this client does not send (F13, AudioVolumeUp, ...)
	}
	if k.Ctrl {
		c, ok := ctrlByte(r)
		if !ok {
			return nil
		}
		return append(b, c)
	}
	return utf8.AppendRune(b, r)
}

// ctrlByte is the control character Ctrl+r types: Ctrl+A is 0x01, Ctrl+[
// is ESC, Ctrl+Space and Ctrl+@ are NUL, Ctrl+? is DEL.
func ctrlByte(r rune) (byte, bool) {
	switch {
	case r >= 'a' && r <= 'z':
		return byte(r-'a') + 1, true
	case r >= '@' && r <= '_':
		return byte(r - '@'), true
	case r == ' ':
		return 0, true
	case r == '?':
		return 0x7f, true
	}
	return 0, false
}

// specialKey is the sequence of a named key, "" when k is not one.
func specialKey(k dom.KeyEvent, m term.Modes) string {
	csi := "\x1b["
	if m.AppCursor {
		csi = "\x1bO"
	}
	switch k.Key {
	case "Enter":
		if m.NewLine {
			return "\r\n"
		}
		return "\r"
	case "Backspace":
		if k.Ctrl {
			return "\x08"
		}
		return "\x7f"
	case "Tab":
		if k.Shift {
			return "\x1b[Z"
		}
		return "\t"
	case "Escape":
		return "\x1b"
	case "ArrowUp":
		return csi + "A"
	case "ArrowDown":
		return csi + "B"
	case "ArrowRight":
		return csi + "C"
	case "ArrowLeft":
		return csi + "D"
	case "Home":
		return csi + "H"
	case "End":
		return csi + "F"
	case "Insert":
		return "\x1b[2~"
	case "Delete":
		return "\x1b[3~"
	case "PageUp":
		return "\x1b[5~"
	case "PageDown":
		return "\x1b[6~"
	case "F1":
		return "\x1bOP"
	case "F2":
		return "\x1bOQ"
	case "F3":
		return "\x1bOR"
	case "F4":
		return "\x1bOS"
	case "F5":
		return "\x1b[15~"
	case "F6":
		return "\x1b[17~"
	case "F7":
		return "\x1b[18~"
	case "F8":
		return "\x1b[19~"
	case "F9":
		return "\x1b[20~"
	case "F10":
		return "\x1b[21~"
	case "F11":
		return "\x1b[23~"
	case "F12":
		return "\x1b[24~"
	}
	return ""
}
