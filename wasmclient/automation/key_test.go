package automation

import (
	"errors"
	"strings"
	"testing"
)

func TestParseKey(t *testing.T) {
	cases := []struct{ in, want string }{
		{"F1", "F1"},
		{"f12", "F12"},
		{"Shift+F5", "Shift+F5"},
		{"ctrl+k", "Ctrl+KeyK"},
		{"Ctrl+K", "Ctrl+KeyK"},
		{"control + keyk", "Ctrl+KeyK"},
		{"shift+ctrl+alt+meta+x", "Ctrl+Alt+Shift+Meta+KeyX"},
		{"cmd+option+1", "Alt+Meta+Digit1"},
		{"Numpad8", "Numpad8"},
		{"num8", "Numpad8"},
		{"KP5", "Numpad5"},
		{"keypad0", "Numpad0"},
		{"numpadadd", "NumpadAdd"},
		{"NumpadPlus", "NumpadAdd"},
		{"up", "ArrowUp"},
		{"Alt+Esc", "Alt+Escape"},
		{"pgdn", "PageDown"},
		{"  Ctrl+Enter ", "Ctrl+Enter"},
		{"Ctrl+Digit5", "Ctrl+Digit5"},
		{"Ctrl+5", "Ctrl+Digit5"},
		{"Ctrl+Slash", "Ctrl+Slash"},
	}
	for _, c := range cases {
		got, err := ParseKey(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseKey(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
		// The canonical form reads back as itself.
		if again, err := ParseKey(got); again != got || err != nil {
			t.Errorf("ParseKey(%q) = %q, %v; not canonical", got, again, err)
		}
	}
	bad := []struct{ in, why string }{
		{"", "empty"},
		{"Hyper+K", `unknown modifier "Hyper"`},
		{"Ctrl+Ctrl+K", "Ctrl given twice"},
		{"Ctrl+", `unknown key ""`},
		{"F25", `unknown key "F25"`},
		{"ShiftLeft", "unknown key"},
		{"Ctrl+Plus", "unknown key"},
		{"é", "unknown key"},
		{strings.Repeat("Ctrl+", 20) + "K", "too long"},
	}
	for _, c := range bad {
		got, err := ParseKey(c.in)
		if err == nil || !errors.Is(err, ErrKey) || !strings.Contains(err.Error(), c.why) {
			t.Errorf("ParseKey(%q) = %q, %v; want an error saying %q", c.in, got, err, c.why)
		}
	}
}

func TestMacroKeys(t *testing.T) {
	for _, ok := range []string{"F1", "Numpad8", "NumpadAdd", "ArrowUp", "Ctrl+KeyK", "Alt+Digit1", "Meta+Space", "Ctrl+Enter", "Escape", "Shift+F5", "Delete"} {
		if _, err := checkMacroKey(ok); err != nil {
			t.Errorf("checkMacroKey(%q): %v", ok, err)
		}
	}
	for _, typing := range []string{"KeyA", "Shift+KeyA", "Digit1", "Space", "Enter", "NumpadEnter", "Backspace", "Shift+Slash", "Minus"} {
		if _, err := checkMacroKey(typing); err == nil || !strings.Contains(err.Error(), "types text") {
			t.Errorf("checkMacroKey(%q) = %v, want a typing-key error", typing, err)
		}
	}
}

func TestCombo(t *testing.T) {
	if got := Combo("KeyK", true, true, true, true); got != "Ctrl+Alt+Shift+Meta+KeyK" {
		t.Errorf("Combo = %q", got)
	}
	if got := Combo("Numpad8", false, false, false, false); got != "Numpad8" {
		t.Errorf("Combo = %q", got)
	}
}

func TestDefaultNumpadWalk(t *testing.T) {
	m := DefaultNumpadWalk()
	if errs := m.Validate(); len(errs) > 0 {
		t.Fatalf("Validate: %v", errs)
	}
	if len(m.Groups) != 1 || m.Groups[0].Enabled {
		t.Errorf("groups %v: want one, disabled", m.Groups)
	}
	want := map[string]string{
		"Numpad8": "n", "Numpad2": "s", "Numpad4": "w", "Numpad6": "e",
		"Numpad7": "nw", "Numpad9": "ne", "Numpad1": "sw", "Numpad3": "se",
		"Numpad5": "look", "NumpadAdd": "u", "NumpadSubtract": "d",
	}
	if len(m.Macros) != len(want) {
		t.Errorf("%d macros, want %d", len(m.Macros), len(want))
	}
	for _, k := range m.Macros {
		if want[k.Key] != k.Commands || k.Group != m.Groups[0].Name || !k.Enabled {
			t.Errorf("macro %+v", k)
		}
	}
	// Off until the group is turned on.
	e := newEngine(t, m)
	if _, ok, _ := e.Key("Numpad8"); ok {
		t.Errorf("Numpad8 taken while the group is off")
	}
}
