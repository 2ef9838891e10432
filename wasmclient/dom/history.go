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

// Add appends a submitted line and reports whether it was stored: empty
// lines and repeats of the last line are not.
func (h *History) Add(line string) bool {
	if line == "" || (len(h.lines) > 0 && h.lines[len(h.lines)-1] == line) {
		h.Reset()
		return false
	}
	h.lines = append(h.lines, line)
	h.Set(h.lines)
	return true
}

// Set replaces the lines (oldest first; the newest max are kept), ends
// any walk, and saves them.
func (h *History) Set(lines []string) {
	if len(lines) > h.max {
		lines = lines[len(lines)-h.max:]
	}
	h.lines = append(h.lines[:0:0], lines...)
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
	cmd, args := splitCommand(line)
	_, ok := secretCommand(cmd)
	return ok && args < len(line)
}

// splitCommand returns the first word of line and where the words after
// it begin (len(line) when there are none).
func splitCommand(line string) (cmd string, args int) {
	i := skipBlanks(line, 0)
	end := i
	for end < len(line) && !isBlank(line[end]) {
		end++
	}
	return line[i:end], skipBlanks(line, end)
}

// secretArgs says where a password is in the arguments of a command that
// carries one.
type secretArgs int

const (
	// nameThenPassword: connect NAME PASSWORD. A name with spaces is
	// quoted, as MUSHes take it: connect "Some One" PASSWORD.
	nameThenPassword secretArgs = iota
	// allPassword: @password OLD=NEW (MUSH), @password OLD NEW (MOO).
	allPassword
	// nameEqualsPassword: @newpassword NAME=PASSWORD (MUSH wizards).
	nameEqualsPassword
)

// secretCommand reports whether cmd is one of the commands that carry a
// password in clear on games that never mask input (MUSH and MOO logins,
// character creation, password changes), and where it is.
func secretCommand(cmd string) (secretArgs, bool) {
	switch strings.ToLower(cmd) {
	case "connect", "conn", "co", "create", "login":
		return nameThenPassword, true
	case "@password", "password":
		return allPassword, true
	case "@newpassword":
		return nameEqualsPassword, true
	}
	return 0, false
}

// secretMask stands for a password in the local echo: always as long, so
// that it does not tell the password's length either.
const secretMask = "********"

// HideSecret returns line as the local echo shows it: a login command's
// password (the commands Secret knows) replaced by asterisks, as in
// "connect wizard ********"; the rest, and any other line, as typed. Only
// the echo is changed: the game is sent the line itself.
func HideSecret(line string) string {
	if i := passwordAt(line); i >= 0 {
		return line[:i] + secretMask
	}
	return line
}

// HideSecrets is HideSecret for a line the player typed, which the
// separator (Settings.Separator; "" for none) may split into several
// commands (SplitCommands): each command's password is hidden, and the
// rest is kept as typed.
func HideSecrets(line, separator string) string {
	if separator == "" {
		return HideSecret(line)
	}
	parts := strings.Split(line, separator)
	for i, p := range parts {
		parts[i] = HideSecret(p)
	}
	return strings.Join(parts, separator)
}

// passwordAt returns where the password begins in line, a command Secret
// knows followed by its arguments, or -1 when line has none.
func passwordAt(line string) int {
	cmd, i := splitCommand(line)
	kind, ok := secretCommand(cmd)
	if !ok {
		return -1
	}
	if i == len(line) {
		return -1 // the command alone: the game will ask
	}
	switch kind {
	case allPassword:
		return i
	case nameEqualsPassword:
		if eq := strings.IndexByte(line[i:], '='); eq >= 0 {
			if i+eq+1 == len(line) {
				return -1
			}
			return i + eq + 1
		}
	}
	// A name, then the password.
	if line[i] == '"' {
		q := strings.IndexByte(line[i+1:], '"')
		if q < 0 {
			return i // an unclosed quote: where the password is is unclear
		}
		i += q + 2
	} else {
		for i < len(line) && !isBlank(line[i]) {
			i++
		}
	}
	i = skipBlanks(line, i)
	if i == len(line) {
		return -1 // a name alone: the game will ask for the password
	}
	return i
}

func isBlank(b byte) bool { return b == ' ' || b == '\t' }

func skipBlanks(s string, i int) int {
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	return i
}
