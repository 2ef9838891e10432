package automation

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
)

// Version is the version of the model's JSON format this package writes
// and reads.
const Version = 1

// Model is everything the player has set up: groups, aliases, triggers
// and macros. It is plain data, serialised as JSON (see Export); an
// Engine is compiled from it. Order matters: aliases and triggers run in
// the order they are listed, and the first macro on a key wins.
type Model struct {
	// Version is the format's version, Version when written by Export.
	Version  int       `json:"version"`
	Groups   []Group   `json:"groups,omitempty"`
	Aliases  []Alias   `json:"aliases,omitempty"`
	Triggers []Trigger `json:"triggers,omitempty"`
	Macros   []Macro   `json:"macros,omitempty"`
}

// Group is a named set of items that is turned on and off as a whole.
// Every item names its group ("" is the default group); a group that is
// not listed in Model.Groups is enabled.
type Group struct {
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
}

// Alias rewrites a command the player types. Pattern is a Go (RE2)
// regular expression matched against the command; Commands is what is
// sent instead, with $0-$9 replaced by the match and its groups (see the
// package documentation for the syntax and the rules of expansion).
type Alias struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Group    string `json:"group,omitempty"`
	Enabled  bool   `json:"enabled"`
	Pattern  string `json:"pattern"`
	Commands string `json:"commands"`
}

// MatchType says how a trigger's pattern is matched.
type MatchType string

// The match types. The zero value, "", is Substring.
const (
	// Substring matches when the pattern occurs in the line as it is.
	Substring MatchType = "substring"
	// Regex matches a Go (RE2) regular expression.
	Regex MatchType = "regex"
)

// Trigger reacts to a line of the game's output. It fires at most once a
// line; what it does is any combination of its actions: Highlight, Gag,
// Commands, Sound and Notify.
type Trigger struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Group   string `json:"group,omitempty"`
	Enabled bool   `json:"enabled"`

	Pattern string    `json:"pattern"`
	Match   MatchType `json:"match"`
	// IgnoreCase matches letters in either case (Unicode simple folding).
	IgnoreCase bool `json:"ignoreCase,omitempty"`

	// Highlight colours the match, its groups or the whole line (nil:
	// no highlight).
	Highlight *Highlight `json:"highlight,omitempty"`
	// Gag hides the line.
	Gag bool `json:"gag,omitempty"`
	// Commands are sent when the trigger fires, as an alias's are, with
	// $0-$9 from the match; they are rate limited.
	Commands string `json:"commands,omitempty"`
	// Sound names one of the sounds the client plays (SoundBeep, ...).
	Sound string `json:"sound,omitempty"`
	// Notify is the text of a notification, with $0-$9, shown when the
	// page is hidden.
	Notify string `json:"notify,omitempty"`
}

// Scope says what a highlight colours.
type Scope string

// The highlight scopes. The zero value, "", is ScopeMatch.
const (
	// ScopeMatch colours the text the pattern matched.
	ScopeMatch Scope = "match"
	// ScopeGroups colours the text of each capture group that took part
	// in the match (the whole match when the pattern has no groups), as
	// Mudlet's highlight triggers do.
	ScopeGroups Scope = "groups"
	// ScopeLine colours the whole line.
	ScopeLine Scope = "line"
)

// Highlight is a trigger's colouring. A colour is "#rrggbb", "#rgb" or a
// CSS basic colour name (ColorNames); "" leaves that side as it is.
type Highlight struct {
	FG    string `json:"fg,omitempty"`
	BG    string `json:"bg,omitempty"`
	Scope Scope  `json:"scope,omitempty"`
	// All colours every match in the line, not only the first.
	All bool `json:"all,omitempty"`
}

// Macro sends commands when a key combination is pressed. Key is a
// combination in the form ParseKey reads ("F1", "Shift+F5", "Ctrl+KeyK",
// "Numpad8"); Commands are sent as an alias's are (without $n).
type Macro struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Group    string `json:"group,omitempty"`
	Enabled  bool   `json:"enabled"`
	Key      string `json:"key"`
	Commands string `json:"commands"`
}

// The sounds a trigger may play: short sounds the client has built in.
const (
	SoundBeep  = "beep"
	SoundChime = "chime"
	SoundAlert = "alert"
)

// validSound reports whether name is one of the built-in sounds.
func validSound(name string) bool {
	switch name {
	case SoundBeep, SoundChime, SoundAlert:
		return true
	}
	return false
}

// NewID returns a new random item ID: 16 hexadecimal digits.
func NewID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand's contract since Go 1.24)
	return hex.EncodeToString(b[:])
}

// An item written without "enabled" (by hand, or by an older tool) is
// enabled: the Unmarshal methods below start from Enabled: true.

// UnmarshalJSON decodes a group, enabled unless it says otherwise.
func (g *Group) UnmarshalJSON(b []byte) error {
	type plain Group
	p := plain{Enabled: true}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*g = Group(p)
	return nil
}

// UnmarshalJSON decodes an alias, enabled unless it says otherwise.
func (a *Alias) UnmarshalJSON(b []byte) error {
	type plain Alias
	p := plain{Enabled: true}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*a = Alias(p)
	return nil
}

// UnmarshalJSON decodes a trigger, enabled unless it says otherwise.
func (t *Trigger) UnmarshalJSON(b []byte) error {
	type plain Trigger
	p := plain{Enabled: true}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*t = Trigger(p)
	return nil
}

// UnmarshalJSON decodes a macro, enabled unless it says otherwise.
func (m *Macro) UnmarshalJSON(b []byte) error {
	type plain Macro
	p := plain{Enabled: true}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*m = Macro(p)
	return nil
}

// groupStates returns whether each listed group is enabled; groups not
// in the map are enabled.
func (m *Model) groupStates() map[string]bool {
	g := make(map[string]bool, len(m.Groups))
	for _, gr := range m.Groups {
		if _, seen := g[gr.Name]; !seen {
			g[gr.Name] = gr.Enabled
		}
	}
	return g
}

// groupEnabled reports whether group is on, given groupStates.
func groupEnabled(states map[string]bool, group string) bool {
	on, listed := states[group]
	return !listed || on
}

// Items returns the number of aliases, triggers and macros.
func (m *Model) Items() int { return len(m.Aliases) + len(m.Triggers) + len(m.Macros) }
