package demo

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

var wrapCases = []struct {
	text  string
	width int
	want  []string
}{
	{"", 80, nil},
	{"   ", 80, nil},
	{"a b c", 80, []string{"a b c"}},
	{"aaa bbb ccc", 7, []string{"aaa bbb", "ccc"}},
	{"aaa bbb ccc", 6, []string{"aaa", "bbb", "ccc"}},
	{"aaa  bbb\n\tccc", 11, []string{"aaa bbb ccc"}},
	{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
	{"ab abcdefghij x", 4, []string{"ab", "abcd", "efgh", "ij x"}},
	{"abcd", 4, []string{"abcd"}},
	{"héllo wörld", 5, []string{"héllo", "wörld"}},
	{"héllo wörld", 11, []string{"héllo wörld"}},
	{"a b", 0, []string{"a", "b"}},
}

func TestWrap(t *testing.T) {
	for _, tc := range wrapCases {
		got := wrap(tc.text, tc.width)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) || len(got) != len(tc.want) {
			t.Errorf("wrap(%q, %d): got %q, want %q", tc.text, tc.width, got, tc.want)
		}
	}
}

// FuzzWrap checks that wrapped lines fit and keep every word.
func FuzzWrap(f *testing.F) {
	for _, tc := range wrapCases {
		f.Add(tc.text, tc.width)
	}
	f.Fuzz(func(t *testing.T, text string, width int) {
		width %= 300
		lines := wrap(text, width)
		for _, l := range lines {
			if n := utf8.RuneCountInString(l); n > max(width, 1) || n == 0 {
				t.Fatalf("got line %q of %d runes at width %d", l, n, width)
			}
		}
		if got, want := strings.Join(strings.Fields(strings.Join(lines, " ")), ""), strings.Join(strings.Fields(text), ""); got != want {
			t.Fatalf("got text %q, want %q", got, want)
		}
	})
}

func TestWorldExitsLead(t *testing.T) {
	w := newWorld()
	if len(w.rooms) < 4 {
		t.Fatalf("got %d rooms, want at least 4", len(w.rooms))
	}
	if w.rooms[w.start] == nil {
		t.Fatalf("start room %q does not exist", w.start)
	}
	for id, r := range w.rooms {
		for d, to := range r.exits {
			back := w.rooms[to]
			if back == nil {
				t.Errorf("%s: exit %v leads to missing room %q", id, d, to)
				continue
			}
			if back.exits[d.opposite()] != id {
				t.Errorf("%s: exit %v to %s has no way back %v", id, d, to, d.opposite())
			}
		}
	}
}

func TestParseDirection(t *testing.T) {
	for d := north; d < numDirections; d++ {
		for _, word := range []string{d.String(), d.String()[:1]} {
			got, ok := parseDirection(word)
			if !ok || got != d {
				t.Errorf("parseDirection(%q): got %v %v, want %v true", word, got, ok, d)
			}
		}
	}
	if _, ok := parseDirection("sideways"); ok {
		t.Errorf("parseDirection(sideways): got ok, want not ok")
	}
}

func TestValidName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"Al", true},
		{"alice", true},
		{"ABCDEFGHIJKLMNOPQRST", true},
		{"ABCDEFGHIJKLMNOPQRSTU", false},
		{"A", false},
		{"", false},
		{"al1ce", false},
		{"al ice", false},
		{"élise", false},
		{"bob\xff", false},
	}
	for _, tt := range tests {
		if got := validName(tt.name); got != tt.want {
			t.Errorf("validName(%q): got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hello", "hello"},
		{"  hi  ", "hi"},
		{"\x1b[2Jclear", "[2Jclear"},
		{"bell\a", "bell"},
		{"c1\u009bcsi", "c1csi"},
		{"bad\xffutf8", "bad\ufffdutf8"},
		{"héllo ☃", "héllo ☃"},
	}
	for _, tt := range tests {
		if got := cleanText(tt.in); got != tt.want {
			t.Errorf("cleanText(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}
