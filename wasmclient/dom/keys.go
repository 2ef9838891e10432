package dom

// KeyEvent is a key the player pressed while the game has character mode:
// the browser's KeyboardEvent.key name, or text typed through the input
// method (IME, a phone's keyboard, a paste), with the modifiers held.
type KeyEvent struct {
	Key              string // "ArrowUp", "Escape", "a", ...; empty when Text is set
	Text             string // text committed by typing, IME or paste
	Ctrl, Alt, Shift bool
}

// charModeKeys are the named keys the command line hands to the game in
// character mode rather than editing its own text with them.
var charModeKeys = map[string]bool{
	"Enter": true, "Backspace": true, "Tab": true, "Escape": true,
	"ArrowUp": true, "ArrowDown": true, "ArrowLeft": true, "ArrowRight": true,
	"Home": true, "End": true, "PageUp": true, "PageDown": true, "Insert": true, "Delete": true,
	"F1": true, "F2": true, "F3": true, "F4": true, "F5": true, "F6": true,
	"F7": true, "F8": true, "F9": true, "F10": true, "F11": true, "F12": true,
}

// TakeKey reports whether, in character mode, the command line passes a
// key press to the game itself (and keeps it from the input field):
// named keys, and Ctrl or Alt chords, except the paste chord so pasting
// still works (the text arrives as typed text). Plain characters are left
// to the field, whose input event carries them, IME compositions
// included.
func TakeKey(key string, ctrl, alt, meta bool) bool {
	if meta {
		return false // the system's own shortcuts
	}
	if charModeKeys[key] {
		return true
	}
	if ctrl && alt {
		return false // AltGr on many keyboards: a character is coming
	}
	if ctrl && (key == "v" || key == "V") {
		return false
	}
	return (ctrl || alt) && len([]rune(key)) == 1
}

// PlainKey returns the text of a key press that types one plain
// character (no Ctrl, Alt or Meta held; a printable character, not a
// named key such as "Shift", nor "Dead", "Process" or "Unidentified",
// which an input method or a phone's keyboard sends while it composes).
// In character mode the command line sends such a key to the game from
// its keydown and keeps it out of the field, as xterm.js does: letting
// the field take it first costs the browser an edit, a selection change
// and a layout for every key (about 10 ms on a machine without a GPU,
// make bench-client) before the key can go. Everything else still comes
// through the field's input event: IME compositions, pastes, AltGr
// characters, phone keyboards.
func PlainKey(key string, ctrl, alt, meta bool) (string, bool) {
	if ctrl || alt || meta {
		return "", false
	}
	r := []rune(key)
	if len(r) != 1 || r[0] < 0x20 || (r[0] >= 0x7f && r[0] < 0xa0) {
		return "", false
	}
	return key, true
}
