package dom

import (
	"reflect"
	"strings"
	"testing"
)

type mapStorage map[string]string

func (m mapStorage) Get(k string) string { return m[k] }
func (m mapStorage) Set(k, v string)     { m[k] = v }

func TestHistoryWalk(t *testing.T) {
	h := LoadHistory(nil, 10)
	for _, l := range []string{"look", "north", "north", "", "say hi"} {
		h.Add(l)
	}
	if got, want := h.Lines(), []string{"look", "north", "say hi"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("lines %q, want %q (no empties, no repeats)", got, want)
	}
	steps := []struct {
		up   bool
		want string
	}{
		{true, "say hi"}, {true, "north"}, {true, "look"}, {true, "look"},
		{false, "north"}, {false, "say hi"}, {false, "draft"}, {false, "draft"},
	}
	for i, s := range steps {
		var got string
		if s.up {
			got = h.Prev("draft")
		} else {
			got = h.Next()
		}
		if got != s.want {
			t.Fatalf("step %d: got %q, want %q", i, got, s.want)
		}
	}
}

func TestHistoryBoundedAndPersisted(t *testing.T) {
	store := mapStorage{}
	h := LoadHistory(store, 3)
	for _, l := range []string{"a", "b", "c", "d"} {
		h.Add(l)
	}
	if got, want := h.Lines(), []string{"b", "c", "d"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("lines %q, want %q", got, want)
	}
	again := LoadHistory(store, 2)
	if got, want := again.Lines(), []string{"c", "d"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("reloaded %q, want %q", got, want)
	}
}

func TestHistoryIgnoresBrokenStorage(t *testing.T) {
	store := mapStorage{historyKey: "{not json"}
	h := LoadHistory(store, 5)
	if len(h.Lines()) != 0 {
		t.Fatalf("got %q from broken storage, want empty", h.Lines())
	}
	h.Add(strings.Repeat("x", 3))
	if !strings.Contains(store[historyKey], "xxx") {
		t.Fatalf("storage %q, want the new line saved over the broken value", store[historyKey])
	}
}

func TestSecret(t *testing.T) {
	tests := map[string]bool{
		"connect Alice hunter2":    true,
		"  CO alice hunter2":       true,
		"create Bob pw":            true,
		"@password old=new":        true,
		"login alice":              true,
		"connect":                  false, // no argument: nothing secret
		"look":                     false,
		"say connect to me":        false,
		"connected players are...": false,
	}
	for line, want := range tests {
		if got := Secret(line); got != want {
			t.Errorf("Secret(%q) = %v, want %v", line, got, want)
		}
	}
}

func TestHideSecret(t *testing.T) {
	tests := []struct{ line, want string }{
		{"connect wizard potrzebie", "connect wizard ********"},
		{"  CO alice hunter2", "  CO alice ********"},
		{"conn\tAlice\thunter2", "conn\tAlice\t********"},
		{"create Bob correct horse battery", "create Bob ********"},
		{"login alice pw", "login alice ********"},
		{`connect "Some One" pw`, `connect "Some One" ********`},
		{`connect "Some One pw`, `connect ********`}, // unclosed quote: hide all after the command
		{"@password old=new", "@password ********"},
		{"password old new", "password ********"},
		{"@newpassword Bob=secret", "@newpassword Bob=********"},
		{"@newpassword Bob secret", "@newpassword Bob ********"},
		// Nothing to hide: no password in the line, or not a login command.
		{"connect wizard", "connect wizard"},
		{"connect wizard   ", "connect wizard   "},
		{"connect", "connect"},
		{"@newpassword Bob=", "@newpassword Bob="},
		{"look", "look"},
		{"say connect wizard potrzebie", "say connect wizard potrzebie"},
		{"connected players are here", "connected players are here"},
		{"", ""},
	}
	for _, tt := range tests {
		got := HideSecret(tt.line)
		if got != tt.want {
			t.Errorf("HideSecret(%q) = %q, want %q", tt.line, got, tt.want)
		}
		// Whatever is hidden, history keeps out too.
		if got != tt.line && !Secret(tt.line) {
			t.Errorf("HideSecret(%q) hides part of a line that Secret lets into the history", tt.line)
		}
	}
}

func TestHideSecrets(t *testing.T) {
	tests := []struct{ line, sep, want string }{
		{"connect wizard potrzebie;;look;;say hi", ";;", "connect wizard ********;;look;;say hi"},
		{"n ;; connect wizard pw ;;  look", ";;", "n ;; connect wizard ********;;  look"},
		{"connect wizard pw;;look", "", "connect wizard ********"}, // no separator: one command
		{"n ;; e", ";;", "n ;; e"},
	}
	for _, tt := range tests {
		if got := HideSecrets(tt.line, tt.sep); got != tt.want {
			t.Errorf("HideSecrets(%q, %q) = %q, want %q", tt.line, tt.sep, got, tt.want)
		}
	}
}
