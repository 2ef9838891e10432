package dom

import (
	"encoding/json"
	"math"
	"strings"
	"unicode/utf8"
)

// settingsKey is the localStorage key of the player's settings.
const settingsKey = "drawbridge.settings"

// Font sizes the player may choose, in CSS pixels.
const (
	MinFontSize     = 8
	MaxFontSize     = 40
	DefaultFontSize = 15
)

// MaxSeparator bounds the command separator, in characters.
const MaxSeparator = 4

// Settings are the player's choices, kept per browser.
type Settings struct {
	// LocalEcho writes each command the player sends into the terminal,
	// dimmed, as MUD clients do (line mode only; never while masked).
	LocalEcho bool `json:"localEcho"`
	// Separator splits one typed line into several commands ("n;;e"
	// sends n, then e). Empty turns command stacking off.
	Separator string `json:"separator"`
	// Announce speaks new output through the page's live region, for
	// screen readers; it also tells the game a screen reader is in use
	// (MTTS).
	Announce bool `json:"announce"`
	// Theme names the colour theme (the renderer's themes).
	Theme string `json:"theme"`
	// FontSize is the terminal's font size in CSS pixels.
	FontSize float64 `json:"fontSize"`
}

// DefaultSettings are what a player starts with.
func DefaultSettings() Settings {
	return Settings{LocalEcho: true, Separator: ";;", Theme: "default", FontSize: DefaultFontSize}
}

// Normalize returns s with every field inside its bounds: a font size
// clamped (and the default when missing), a separator without spaces or
// control characters and at most MaxSeparator characters (otherwise off),
// a theme name that is at least not empty.
func (s Settings) Normalize() Settings {
	if s.FontSize == 0 || math.IsNaN(s.FontSize) {
		s.FontSize = DefaultFontSize
	}
	s.FontSize = math.Round(min(max(s.FontSize, MinFontSize), MaxFontSize))
	if utf8.RuneCountInString(s.Separator) > MaxSeparator || strings.IndexFunc(s.Separator, func(r rune) bool {
		return r <= ' ' || r == 0x7f || r == utf8.RuneError
	}) >= 0 {
		s.Separator = ""
	}
	if s.Theme == "" {
		s.Theme = "default"
	}
	return s
}

// LoadSettings returns the settings kept in store, or the defaults for
// what is missing or unreadable (nil store: the defaults).
func LoadSettings(store Storage) Settings {
	s := DefaultSettings()
	if store != nil {
		// Fields absent from the stored JSON keep their defaults; a
		// corrupt value loses only itself.
		_ = json.Unmarshal([]byte(store.Get(settingsKey)), &s)
	}
	return s.Normalize()
}

// SaveSettings keeps s in store (nil: nowhere).
func SaveSettings(store Storage, s Settings) {
	if store == nil {
		return
	}
	if b, err := json.Marshal(s.Normalize()); err == nil {
		store.Set(settingsKey, string(b))
	}
}

// SplitCommands splits a typed line at sep into the commands to send, in
// order. Empty commands between separators are dropped, but a line that
// is empty (Enter alone: many games answer with a fresh prompt) stays one
// empty command. An empty sep splits nothing.
func SplitCommands(line, sep string) []string {
	if sep == "" || !strings.Contains(line, sep) {
		return []string{line}
	}
	var out []string
	for _, part := range strings.Split(line, sep) {
		if strings.TrimSpace(part) != "" {
			out = append(out, strings.TrimSpace(part))
		}
	}
	if len(out) == 0 {
		return []string{""}
	}
	return out
}
