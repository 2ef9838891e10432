package dom

import (
	"reflect"
	"testing"
)

func TestSettingsRoundTripAndDefaults(t *testing.T) {
	store := mapStorage{}
	if got := LoadSettings(store); got != DefaultSettings() {
		t.Fatalf("empty storage gave %+v, want the defaults", got)
	}
	if got := LoadSettings(nil); got != DefaultSettings() {
		t.Fatalf("no storage gave %+v, want the defaults", got)
	}
	want := Settings{LocalEcho: false, Separator: ";", Announce: true, Theme: "high-contrast", FontSize: 22}
	SaveSettings(store, want)
	if got := LoadSettings(store); got != want {
		t.Fatalf("loaded %+v, want %+v", got, want)
	}
}

func TestSettingsSurviveBadStorage(t *testing.T) {
	for _, stored := range []string{
		"not json",
		`{"fontSize": "huge"}`,
		`[1,2,3]`,
	} {
		got := LoadSettings(mapStorage{settingsKey: stored})
		if got.FontSize != DefaultFontSize || got.Theme != "default" {
			t.Errorf("%q loaded %+v, want usable defaults", stored, got)
		}
	}
	// A field the client does not know, and one known field, kept.
	got := LoadSettings(mapStorage{settingsKey: `{"announce": true, "future": 1}`})
	if !got.Announce || !got.LocalEcho {
		t.Errorf("got %+v, want announce on and the other defaults", got)
	}
}

func TestSettingsNormalize(t *testing.T) {
	for _, c := range []struct {
		in, want Settings
	}{
		{Settings{FontSize: 2, Separator: ";;"}, Settings{FontSize: MinFontSize, Separator: ";;", Theme: "default"}},
		{Settings{FontSize: 99, Separator: "; ;"}, Settings{FontSize: MaxFontSize, Separator: "", Theme: "default"}},
		{Settings{FontSize: 16.4, Separator: "\x1b", Theme: "x"}, Settings{FontSize: 16, Separator: "", Theme: "x"}},
		{Settings{FontSize: 16, Separator: "|||||"}, Settings{FontSize: 16, Separator: "", Theme: "default"}},
	} {
		if got := c.in.Normalize(); got != c.want {
			t.Errorf("Normalize(%+v) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestSplitCommands(t *testing.T) {
	for _, c := range []struct {
		line, sep string
		want      []string
	}{
		{"n;;e;;look", ";;", []string{"n", "e", "look"}},
		{"say a; b", ";;", []string{"say a; b"}},
		{"say a; b", ";", []string{"say a", "b"}},
		{"n;; ;;e;;", ";;", []string{"n", "e"}},
		{";;", ";;", []string{""}},
		{"", ";;", []string{""}},
		{"n;;e", "", []string{"n;;e"}},
	} {
		if got := SplitCommands(c.line, c.sep); !reflect.DeepEqual(got, c.want) {
			t.Errorf("SplitCommands(%q, %q) = %q, want %q", c.line, c.sep, got, c.want)
		}
	}
}

// TestPlainKey: one printable character with no modifier goes from its
// keydown; named keys, chords and what input methods send do not.
func TestPlainKey(t *testing.T) {
	for _, c := range []struct {
		key             string
		ctrl, alt, meta bool
		want            string
	}{
		{"a", false, false, false, "a"},
		{"A", false, false, false, "A"},
		{" ", false, false, false, " "},
		{"é", false, false, false, "é"},
		{"日", false, false, false, "日"},
		{"🐉", false, false, false, "🐉"},
		{"a", true, false, false, ""}, // a chord: TakeKey's
		{"@", true, true, false, ""},  // AltGr: through the field
		{"c", false, false, true, ""}, // the system's
		{"Shift", false, false, false, ""},
		{"Dead", false, false, false, ""}, // a dead key starts a composition
		{"Process", false, false, false, ""},
		{"Unidentified", false, false, false, ""}, // a phone keyboard
		{"\u0085", false, false, false, ""},       // a C1 control
		{"\x7f", false, false, false, ""},
	} {
		got, ok := PlainKey(c.key, c.ctrl, c.alt, c.meta)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("PlainKey(%q, ctrl=%v, alt=%v, meta=%v) = %q, %v, want %q", c.key, c.ctrl, c.alt, c.meta, got, ok, c.want)
		}
	}
}

func TestTakeKey(t *testing.T) {
	for _, c := range []struct {
		key             string
		ctrl, alt, meta bool
		want            bool
	}{
		{"ArrowUp", false, false, false, true},
		{"Enter", false, false, false, true},
		{"a", false, false, false, false},
		{"c", true, false, false, true},
		{"v", true, false, false, false},
		{"x", false, true, false, true},
		{"@", true, true, false, false},
		{"c", false, false, true, false},
		{"Shift", false, false, false, false},
		{"Unidentified", true, false, false, false},
	} {
		if got := TakeKey(c.key, c.ctrl, c.alt, c.meta); got != c.want {
			t.Errorf("TakeKey(%q, ctrl=%v, alt=%v, meta=%v) = %v, want %v", c.key, c.ctrl, c.alt, c.meta, got, c.want)
		}
	}
}
