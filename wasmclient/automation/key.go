package automation

import (
	"fmt"
	"strings"
)

// Key combinations are written as modifiers and a key joined by "+", the
// key named by its KeyboardEvent.code: the physical key, whatever the
// keyboard layout and whether NumLock is on. The canonical form puts the
// modifiers in the order Ctrl, Alt, Shift, Meta and spells every name as
// the tables below do: "Ctrl+Shift+KeyK", "Numpad8", "Alt+F4".

// keyCodes maps each key name ParseKey knows, lower-cased, to its
// KeyboardEvent.code. Read-only.
var keyCodes = func() map[string]string {
	m := map[string]string{}
	add := func(code string) { m[strings.ToLower(code)] = code }
	for c := 'A'; c <= 'Z'; c++ {
		add("Key" + string(c))
	}
	for c := '0'; c <= '9'; c++ {
		add("Digit" + string(c))
		add("Numpad" + string(c))
	}
	for i := 1; i <= 24; i++ {
		add(fmt.Sprintf("F%d", i))
	}
	for _, code := range []string{
		"NumpadAdd", "NumpadSubtract", "NumpadMultiply", "NumpadDivide",
		"NumpadDecimal", "NumpadEnter", "NumpadEqual", "NumpadComma",
		"ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight",
		"Home", "End", "PageUp", "PageDown", "Insert", "Delete",
		"Escape", "Tab", "Enter", "Backspace", "Space", "Pause",
		"Minus", "Equal", "BracketLeft", "BracketRight", "Backslash",
		"Semicolon", "Quote", "Backquote", "Comma", "Period", "Slash",
		"IntlBackslash", "ContextMenu",
	} {
		add(code)
	}
	return m
}()

// keyAliases are other names players write for keys. Read-only.
var keyAliases = map[string]string{
	"up": "ArrowUp", "down": "ArrowDown", "left": "ArrowLeft", "right": "ArrowRight",
	"esc": "Escape", "del": "Delete", "ins": "Insert", "return": "Enter",
	"pgup": "PageUp", "pgdn": "PageDown", "pgdown": "PageDown",
	"numpadplus": "NumpadAdd", "numpadminus": "NumpadSubtract",
	"numpadstar": "NumpadMultiply", "numpadslash": "NumpadDivide",
	"numpadperiod": "NumpadDecimal", "numpaddot": "NumpadDecimal",
}

// typingKeys are the keys that type text or edit the command line: a
// macro may take them only with Ctrl, Alt or Meta held (Shift types too).
func typingKey(code string) bool {
	switch {
	case strings.HasPrefix(code, "Key"), strings.HasPrefix(code, "Digit"):
		return true
	}
	switch code {
	case "Space", "Enter", "NumpadEnter", "Backspace",
		"Minus", "Equal", "BracketLeft", "BracketRight", "Backslash",
		"Semicolon", "Quote", "Backquote", "Comma", "Period", "Slash", "IntlBackslash":
		return true
	}
	return false
}

// ErrKey is wrapped by every error ParseKey returns, and by a macro's key
// that types (see Model.Validate).
var ErrKey error = newError("auto.err.key")

// ParseKey reads a key combination and returns it in canonical form. It
// takes any case ("ctrl+k"), the modifier names Ctrl (Control), Alt
// (Option), Shift and Meta (Cmd, Command, Super, Win), and besides the
// KeyboardEvent.code names a single letter or digit ("K" is KeyK, "5"
// Digit5), Num0-Num9 and Keypad0-Keypad9, and Up, Down, Left, Right,
// Esc, Del, Ins, Return, PgUp, PgDn, NumpadPlus and NumpadMinus. It does
// not judge whether a macro may take the key (see Model.Validate).
func ParseKey(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", wrapError("auto.err.key.empty", ErrKey)
	}
	if len(s) > 64 {
		return "", wrapError("auto.err.key.long", ErrKey)
	}
	parts := strings.Split(s, "+")
	var ctrl, alt, shift, meta bool
	for _, p := range parts[:len(parts)-1] {
		var flag *bool
		switch strings.ToLower(strings.TrimSpace(p)) {
		case "ctrl", "control":
			flag = &ctrl
		case "alt", "option":
			flag = &alt
		case "shift":
			flag = &shift
		case "meta", "cmd", "command", "super", "win":
			flag = &meta
		default:
			return "", wrapError("auto.err.key.modifier", ErrKey, "key", s, "modifier", strings.TrimSpace(p))
		}
		if *flag {
			return "", wrapError("auto.err.key.twice", ErrKey, "key", s, "modifier", strings.TrimSpace(p))
		}
		*flag = true
	}
	code, ok := keyCode(strings.TrimSpace(parts[len(parts)-1]))
	if !ok {
		return "", wrapError("auto.err.key.unknown", ErrKey, "key", s, "name", strings.TrimSpace(parts[len(parts)-1]))
	}
	return Combo(code, ctrl, alt, shift, meta), nil
}

// keyCode returns the KeyboardEvent.code a key name stands for.
func keyCode(name string) (string, bool) {
	if name == "" {
		return "", false
	}
	lower := strings.ToLower(name)
	if code, ok := keyCodes[lower]; ok {
		return code, true
	}
	if code, ok := keyAliases[lower]; ok {
		return code, true
	}
	if len(name) == 1 {
		switch c := name[0]; {
		case c >= 'a' && c <= 'z':
			return "Key" + string(c-'a'+'A'), true
		case c >= 'A' && c <= 'Z':
			return "Key" + string(c), true
		case c >= '0' && c <= '9':
			return "Digit" + string(c), true
		}
	}
	for _, prefix := range []string{"num", "keypad", "kp"} {
		if d, ok := strings.CutPrefix(lower, prefix); ok && len(d) == 1 && d[0] >= '0' && d[0] <= '9' {
			return "Numpad" + d, true
		}
	}
	return "", false
}

// Combo returns the canonical combination of a key, by its
// KeyboardEvent.code, and the modifiers held: what the client builds
// from a keydown event to look a macro up. It does not check code.
func Combo(code string, ctrl, alt, shift, meta bool) string {
	if !ctrl && !alt && !shift && !meta {
		return code
	}
	var b strings.Builder
	if ctrl {
		b.WriteString("Ctrl+")
	}
	if alt {
		b.WriteString("Alt+")
	}
	if shift {
		b.WriteString("Shift+")
	}
	if meta {
		b.WriteString("Meta+")
	}
	b.WriteString(code)
	return b.String()
}

// checkMacroKey parses a macro's key and refuses keys that type: a
// letter, digit, space, punctuation, Enter or Backspace without Ctrl,
// Alt or Meta would take the key from the command line.
func checkMacroKey(s string) (string, error) {
	combo, err := ParseKey(s)
	if err != nil {
		return "", err
	}
	mods, code := splitCombo(combo)
	if typingKey(code) && !strings.Contains(mods, "Ctrl+") && !strings.Contains(mods, "Alt+") && !strings.Contains(mods, "Meta+") {
		return "", wrapError("auto.err.key.typing", ErrKey, "key", combo)
	}
	return combo, nil
}

// splitCombo splits a canonical combination into its modifiers (each
// followed by "+") and its key.
func splitCombo(combo string) (mods, code string) {
	i := strings.LastIndexByte(combo, '+')
	return combo[:i+1], combo[i+1:]
}

// DefaultNumpadWalk returns the classic numeric keypad walking macros as a
// model of their own, in a group "Numpad walking" that starts disabled:
// the client merges it into the player's model (Merge), and the player
// turns the group on. Keypad 8, 2, 4, 6 go n, s, w, e; 7, 9, 1, 3 go nw,
// ne, sw, se; 5 looks; + and - go up and down. (KeyboardEvent.code names
// the keypad's keys whether NumLock is on or off.)
func DefaultNumpadWalk() Model {
	const group = "Numpad walking"
	keys := []struct{ code, cmd, name string }{
		{"Numpad8", "n", "north"}, {"Numpad2", "s", "south"},
		{"Numpad4", "w", "west"}, {"Numpad6", "e", "east"},
		{"Numpad7", "nw", "northwest"}, {"Numpad9", "ne", "northeast"},
		{"Numpad1", "sw", "southwest"}, {"Numpad3", "se", "southeast"},
		{"Numpad5", "look", "look"},
		{"NumpadAdd", "u", "up"}, {"NumpadSubtract", "d", "down"},
	}
	m := Model{Version: Version, Groups: []Group{{Name: group, Enabled: false}}}
	for _, k := range keys {
		m.Macros = append(m.Macros, Macro{
			ID: "numpad-walk-" + strings.ToLower(k.code), Name: k.name, Group: group,
			Enabled: true, Key: k.code, Commands: k.cmd,
		})
	}
	return m
}
