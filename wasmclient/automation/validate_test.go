package automation

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	long := strings.Repeat("x", MaxPatternLen+1)
	cases := []struct {
		name string
		m    Model
		want string
	}{
		{"bad regex", Model{Aliases: []Alias{{ID: "1", Name: "k", Pattern: `^k (.+$`}}}, `alias "k": pattern: error parsing regexp: missing closing ): ` + "`^k (.+$`"},
		{"backreference", Model{Triggers: []Trigger{{ID: "1", Name: "rep", Match: Regex, Pattern: `(\w+) \1`, Gag: true}}}, `trigger "rep": pattern: error parsing regexp: invalid escape sequence: ` + "`\\1`"},
		{"empty pattern", Model{Aliases: []Alias{{ID: "1"}}}, "alias #1: pattern: empty"},
		{"empty trigger", Model{Triggers: []Trigger{{ID: "1", Name: "t", Gag: true}}}, `trigger "t": pattern: empty`},
		{"long pattern", Model{Triggers: []Trigger{{ID: "1", Name: "t", Pattern: long, Gag: true}}}, "pattern: longer than 1000 bytes"},
		{"huge regex", Model{Triggers: []Trigger{{ID: "1", Name: "t", Match: Regex, Pattern: `\pL{600}\pN{600}`, Gag: true}}}, "too complex"},
		{"repeat", Model{Triggers: []Trigger{{ID: "1", Name: "t", Match: Regex, Pattern: `a{2000}`, Gag: true}}}, "invalid repeat count"},
		{"long commands", Model{Aliases: []Alias{{ID: "1", Name: "a", Pattern: "a", Commands: strings.Repeat("x", MaxCommandsLen+1)}}}, "commands: longer than 4000 bytes"},
		{"match type", Model{Triggers: []Trigger{{ID: "1", Name: "t", Pattern: "a", Match: "glob", Gag: true}}}, `match "glob": want "substring" or "regex"`},
		{"no action", Model{Triggers: []Trigger{{ID: "1", Name: "t", Pattern: "a"}}}, "does nothing"},
		{"bad colour", Model{Triggers: []Trigger{{ID: "1", Name: "t", Pattern: "a", Highlight: &Highlight{FG: "#12345"}}}}, `highlight: invalid colour "#12345"`},
		{"no colour", Model{Triggers: []Trigger{{ID: "1", Name: "t", Pattern: "a", Highlight: &Highlight{}}}}, "highlight: no colour"},
		{"scope", Model{Triggers: []Trigger{{ID: "1", Name: "t", Pattern: "a", Highlight: &Highlight{FG: "red", Scope: "word"}}}}, `scope "word"`},
		{"sound", Model{Triggers: []Trigger{{ID: "1", Name: "t", Pattern: "a", Sound: "/tmp/x.wav"}}}, `sound "/tmp/x.wav": want beep, chime or alert`},
		{"key", Model{Macros: []Macro{{ID: "1", Name: "m", Key: "Ctrl+Q+", Commands: "x"}}}, `macro "m": key: bad key combination`},
		{"typing key", Model{Macros: []Macro{{ID: "1", Name: "m", Key: "q", Commands: "x"}}}, "types text"},
		{"no commands", Model{Macros: []Macro{{ID: "1", Name: "m", Key: "F1"}}}, "commands: empty"},
		{"no ID", Model{Macros: []Macro{{Name: "m", Key: "F1", Commands: "x"}}}, `macro "m": no ID`},
		{"same ID", Model{Aliases: []Alias{{ID: "1", Pattern: "a"}}, Macros: []Macro{{ID: "1", Key: "F1", Commands: "x"}}}, `macro #1: ID "1" used twice`},
		{"long name", Model{Aliases: []Alias{{ID: "1", Name: strings.Repeat("é", MaxNameLen+1), Pattern: "a"}}}, "name longer than 100 characters"},
		{"group twice", Model{Groups: []Group{{Name: "g"}, {Name: "g"}}}, `group "g": listed twice`},
	}
	for _, c := range cases {
		errs := c.m.Validate()
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), c.want) {
			t.Errorf("%s: Validate = %v, want one error saying %q", c.name, errs, c.want)
			continue
		}
		var ie *ItemError
		if !errors.As(errs[0], &ie) {
			t.Errorf("%s: %T is not an *ItemError", c.name, errs[0])
		}
	}
}

func TestValidateLimits(t *testing.T) {
	var m Model
	for i := range MaxItems + 1 {
		m.Aliases = append(m.Aliases, Alias{ID: fmt.Sprint(i), Enabled: true, Pattern: "a"})
	}
	for i := range MaxGroups + 1 {
		m.Groups = append(m.Groups, Group{Name: fmt.Sprint(i)})
	}
	errs := m.Validate()
	if len(errs) != 2 || !strings.Contains(errs[0].Error(), "at most 500") || !strings.Contains(errs[1].Error(), "101 groups: at most 100") {
		t.Errorf("Validate = %v", errs)
	}
	// New uses the first MaxItems and says so.
	e, err := New(m, Options{})
	if err == nil || len(e.aliases) != MaxItems {
		t.Errorf("New: %d aliases, %v", len(e.aliases), err)
	}
}

// TestTotalProgram: all regular expressions together are bounded too.
func TestTotalProgram(t *testing.T) {
	var m Model
	for i := range 60 {
		m.Triggers = append(m.Triggers, Trigger{ID: fmt.Sprint(i), Enabled: true, Match: Regex, Pattern: `\pL{900}`, Gag: true})
	}
	errs := m.Validate()
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "too large together") {
		t.Errorf("Validate = %v", errs)
	}
	e, err := New(m, Options{})
	if err == nil || !strings.Contains(err.Error(), "too large together") || len(e.triggers) == 0 || len(e.triggers) >= 60 {
		t.Errorf("New: %d triggers, %v", len(e.triggers), err)
	}
}

// TestValidateDisabled: disabled items are checked too; New leaves them
// out without a word.
func TestValidateDisabled(t *testing.T) {
	m := Model{Aliases: []Alias{{ID: "1", Name: "off", Enabled: false, Pattern: "("}}}
	if errs := m.Validate(); len(errs) != 1 {
		t.Errorf("Validate = %v", errs)
	}
	if _, err := New(m, Options{}); err != nil {
		t.Errorf("New: %v", err)
	}
}
