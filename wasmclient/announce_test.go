package main

import (
	"testing"

	"github.com/drawbridge/drawbridge/wasmclient/term"
)

func TestAnnouncerSpeaksEachLineOnce(t *testing.T) {
	tm := term.New(40, 5, 100)
	var a announcer
	say := func(out string, prompt bool) string {
		tm.WriteString(out)
		return a.collect(tm, prompt)
	}
	steps := []struct {
		out    string
		prompt bool
		want   string
	}{
		{"Welcome!\r\nThe square.\r\n", false, "Welcome!\nThe square."},
		{"", false, ""},             // nothing new: nothing said, not the same again
		{"HP 10> ", true, "HP 10>"}, // a prompt is read while open
		{"", true, ""},              // and not twice
		{"look\r\n", false, "look"}, // its line completes: only the rest
		{"A fountain.\r\nExits: north\r\n", false, "A fountain.\nExits: north"},
		// Lines scrolled into the scrollback before the next collect are
		// still read, in order.
		{"1\r\n2\r\n3\r\n4\r\n5\r\n6\r\n7\r\n", false, "1\n2\n3\n4\n5\n6\n7"},
		// A cleared screen (cursor home) is not re-read.
		{"\x1b[2J\x1b[H", false, ""},
		{"fresh\r\n", false, "fresh"},
	}
	for i, s := range steps {
		if got := say(s.out, s.prompt); got != s.want {
			t.Fatalf("step %d (%q): announced %q, want %q", i, s.out, got, s.want)
		}
	}
}

func TestAnnouncerQuietOnAltScreenAndBoundedInFloods(t *testing.T) {
	tm := term.New(40, 5, 1000)
	var a announcer
	tm.WriteString("\x1b[?1049h\x1b[2;3Hmaze\r\n")
	if got := a.collect(tm, true); got != "" {
		t.Fatalf("alternate screen announced %q", got)
	}
	tm.WriteString("\x1b[?1049lback\r\n")
	if got := a.collect(tm, false); got != "back" {
		t.Fatalf("after the alternate screen announced %q, want back", got)
	}
	for range 300 {
		tm.WriteString("flood line\r\n")
	}
	tm.WriteString("last\r\n")
	got := a.collect(tm, false)
	if n := len(splitLines(got)); n != maxAnnounceLines {
		t.Fatalf("a flood announced %d lines, want the last %d", n, maxAnnounceLines)
	}
	if lines := splitLines(got); lines[len(lines)-1] != "last" {
		t.Fatalf("a flood's announcement ends %q, want the latest line", lines[len(lines)-1])
	}
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
