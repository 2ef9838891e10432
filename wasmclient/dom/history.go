package dom

import (
	"encoding/json"
	"strings"
)

// Storage is where the command history persists between visits: the
// browser's localStorage in the client, a map in tests.
type Storage interface {
	Get(key string) string
	Set(key, value string)
}

// historyKey is the localStorage key of the command history.
const historyKey = "drawbridge.history"

// History is the command line's history: Up and Down walk it, Enter adds
// to it. Lines typed while the game masks input never enter it (the caller
// does not Add them). It persists to a Storage when one is given.
type History struct {
	lines []string
	max   int
	pos   int    // index while walking; len(lines) when not walking
	draft string // what was typed before walking started
	store Storage
}

// LoadHistory returns the history kept in store (nil: none), holding at
// most max lines.
func LoadHistory(store Storage, max int) *History {
	h := &History{max: max, store: store}
	if store != nil {
		var lines []string
		if err := json.Unmarshal([]byte(store.Get(historyKey)), &lines); err == nil {
			if len(lines) > max {
				lines = lines[len(lines)-max:]
			}
			h.lines = lines
		}
	}
	h.pos = len(h.lines)
	return h
}

// Add appends a submitted line. Empty lines and repeats of the last line
// are not stored.
func (h *History) Add(line string) {
	if line == "" || (len(h.lines) > 0 && h.lines[len(h.lines)-1] == line) {
		h.Reset()
		return
	}
	h.lines = append(h.lines, line)
	if len(h.lines) > h.max {
		h.lines = append(h.lines[:0], h.lines[len(h.lines)-h.max:]...)
	}
	h.Reset()
	if h.store != nil {
		if b, err := json.Marshal(h.lines); err == nil {
			h.store.Set(historyKey, string(b))
		}
	}
}

// Reset ends a walk through the history.
func (h *History) Reset() {
	h.pos = len(h.lines)
	h.draft = ""
}

// Prev returns the line before the current one (Up). current is what the
// command line holds now, kept as the draft when the walk starts.
func (h *History) Prev(current string) string {
	if h.pos == len(h.lines) {
		h.draft = current
	}
	if h.pos > 0 {
		h.pos--
	}
	if h.pos == len(h.lines) {
		return current
	}
	return h.lines[h.pos]
}

// Next returns the line after the current one (Down), and finally the
// draft the walk started from.
func (h *History) Next() string {
	if h.pos < len(h.lines) {
		h.pos++
	}
	if h.pos == len(h.lines) {
		return h.draft
	}
	return h.lines[h.pos]
}

// Lines returns the stored lines, oldest first.
func (h *History) Lines() []string { return h.lines }

// Secret reports whether a line looks like it carries a password, such as
// "connect name secret", so it is kept out of the saved history even when
// the game did not ask to mask it.
func Secret(line string) bool {
	// Commands that carry a password in clear on games that never mask
	// input: MUSH and MOO logins, character creation, password changes.
	secretCommands := [...]string{"connect", "conn", "co", "create", "login", "@password", "@newpassword", "password"}
	cmd, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
	for _, s := range secretCommands {
		if strings.EqualFold(cmd, s) && strings.TrimSpace(rest) != "" {
			return true
		}
	}
	return false
}
