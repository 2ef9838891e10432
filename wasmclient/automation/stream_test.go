package automation

import (
	"strings"
	"testing"
	"time"
)

func streamEngine(t *testing.T, triggers ...Trigger) *Engine {
	t.Helper()
	for i := range triggers {
		triggers[i].ID, triggers[i].Enabled = NewID(), true
		if triggers[i].Name == "" {
			triggers[i].Name = triggers[i].Pattern
		}
	}
	e, err := New(Model{Version: Version, Triggers: triggers}, Options{Separator: ";;", Now: func() time.Time { return time.Unix(0, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestStreamHighlight(t *testing.T) {
	e := streamEngine(t, Trigger{Pattern: "dragon", Match: Substring, Highlight: &Highlight{FG: "#ff0000"}})
	s := NewStream(e)
	got := string(s.Write([]byte("\x1b[32mA red dragon sleeps.\r\nNothing here.\r\n")))
	want := "\x1b[32mA red \x1b[38;2;255;0;0mdragon\x1b[0m\x1b[32m sleeps.\r\nNothing here.\r\n"
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	// The game's colour inside the span: the span wins again after it.
	// The game's reset at the span's end ends the highlight: nothing to
	// write again, nothing to restore.
	got = string(s.Write([]byte("a drag\x1b[1mon\x1b[0m!\n")))
	want = "a \x1b[38;2;255;0;0mdrag\x1b[1m\x1b[38;2;255;0;0mon\x1b[0m!\n"
	if got != want {
		t.Fatalf("inner SGR: got  %q\nwant %q", got, want)
	}
}

func TestStreamGag(t *testing.T) {
	e := streamEngine(t, Trigger{Pattern: "spam", Gag: true})
	s := NewStream(e)
	if got := string(s.Write([]byte("keep\r\nsome spam here\r\nkeep too\r\n"))); got != "keep\r\nkeep too\r\n" {
		t.Fatalf("got %q", got)
	}
	// A line cut between frames: held until its end, then gagged whole.
	if got := string(s.Write([]byte("more sp"))); got != "" {
		t.Fatalf("a line's start was shown before its end: %q", got)
	}
	if got := string(s.Write([]byte("am\r\nok\r\n"))); got != "ok\r\n" {
		t.Fatalf("got %q", got)
	}
	// A start that had to be shown (Flush, at a prompt) is erased.
	s.Write([]byte("spa"))
	if got := string(s.Flush()); got != "spa" {
		t.Fatalf("flush %q", got)
	}
	if got := string(s.Write([]byte("m!\n"))); got != "\r\x1b[2K" {
		t.Fatalf("got %q, want the shown part erased", got)
	}
}

func TestStreamSplitLines(t *testing.T) {
	var fired []string
	e := streamEngine(t, Trigger{Pattern: `^(\w+) tells you`, Match: Regex, Commands: "reply got it, $1", Highlight: &Highlight{BG: "#0000ff", Scope: ScopeLine}})
	s := NewStream(e)
	s.Fire = func(r *Result) { fired = append(fired, r.Commands...) }
	in := "Bob tells you: hi\r\nAnn tells you: yo\r\n"
	var out strings.Builder
	for i := range len(in) { // a byte at a time
		out.Write(s.Write([]byte{in[i]}))
	}
	if strings.Join(fired, "|") != "reply got it, Bob|reply got it, Ann" {
		t.Fatalf("fired %q", fired)
	}
	if got := out.String(); strings.Count(got, "\x1b[48;2;0;0;255m") != 2 || !strings.Contains(got, "Bob tells you: hi") {
		t.Fatalf("output %q", got)
	}
}

func TestStreamNoTriggers(t *testing.T) {
	s := NewStream(nil)
	in := "plain\r\nand a prompt> "
	got := string(s.Write([]byte(in)))
	got += string(s.Flush())
	if got != in {
		t.Fatalf("got %q, want %q", got, in)
	}
}

func TestStreamHeldBound(t *testing.T) {
	s := NewStream(streamEngine(t, Trigger{Pattern: "x", Sound: SoundBeep}))
	long := strings.Repeat("y", maxHeld+1)
	if got := s.Write([]byte(long)); len(got) != len(long) {
		t.Fatalf("a line without an end past %d bytes was held: %d shown", maxHeld, len(got))
	}
}

func TestStreamSGRStateBounded(t *testing.T) {
	s := NewStream(nil)
	for range 1000 {
		s.Write([]byte("\x1b[1m\x1b[32ma\n"))
	}
	if len(s.sgr) > maxSGRState {
		t.Fatalf("SGR state grew to %d bytes", len(s.sgr))
	}
	s.Write([]byte("\x1b[0mb\n"))
	if len(s.sgr) != 0 {
		t.Fatalf("a reset left %q", s.sgr)
	}
}

func FuzzStream(f *testing.F) {
	f.Add([]byte("\x1b[31mA dragon\x1b[0m here\r\nspam\r\n"), 3)
	f.Add([]byte("\x1b]8;;http://a\x07dragon\x1b]8;;\x07\n"), 1)
	e := streamEngine(&testing.T{}, Trigger{Pattern: "dragon", Highlight: &Highlight{FG: "#f00"}},
		Trigger{Pattern: "spam", Gag: true}, Trigger{Pattern: `(\w+) here`, Match: Regex, Highlight: &Highlight{BG: "#00f", Scope: ScopeGroups, All: true}})
	f.Fuzz(func(t *testing.T, in []byte, cut int) {
		s := NewStream(e)
		if cut < 0 || cut > len(in) {
			cut = len(in) / 2
		}
		out := append([]byte(nil), s.Write(in[:cut])...)
		out = append(out, s.Write(in[cut:])...)
		out = append(out, s.Flush()...)
		// Bounded growth: each rune may gain two colour changes.
		if len(out) > 80*len(in)+64 {
			t.Fatalf("%d bytes out of %d in", len(out), len(in))
		}
	})
}

// TestStreamFlushHoldsAnUnfinishedEscape: a flush between the two halves
// of an escape sequence holds the first, so the triggers see the line's
// text and the terminal a whole sequence.
func TestStreamFlushHoldsAnUnfinishedEscape(t *testing.T) {
	var fired []string
	e := streamEngine(t, Trigger{Pattern: "^You are hit", Match: Regex, Sound: SoundBeep}, Trigger{Pattern: "spam", Gag: true})
	s := NewStream(e)
	s.Fire = func(r *Result) { fired = append(fired, r.Sounds...) }
	out := string(s.Write([]byte("hello\r\n\x1b[")))
	out += string(s.Flush())
	out += string(s.Write([]byte("31mYou are hit\r\nspam\r\nHello\r\n")))
	if out != "hello\r\n\x1b[31mYou are hit\r\nHello\r\n" || len(fired) != 1 {
		t.Fatalf("got %q, fired %v", out, fired)
	}
	for _, tc := range []struct {
		p    string
		want bool
	}{{"\x1b", true}, {"\x1b[", true}, {"\x1b[31", true}, {"\x1b[31m", false}, {"\x1b]8;;x", true}, {"\x1b]8;;x\x07", false}, {"\x1b]8;;x\x1b\\", false}, {"\x1bc", false}} {
		if got := unfinished([]byte(tc.p)); got != tc.want {
			t.Errorf("unfinished(%q) = %v", tc.p, got)
		}
	}
}

// TestStreamResultOwnsItsStrings: the Stream hands Line its reused
// buffer, not a copy, so no string of a Result may point into the line:
// what Fire kept must stay as it was when the next lines arrive.
func TestStreamResultOwnsItsStrings(t *testing.T) {
	e := streamEngine(t,
		Trigger{Pattern: `^(\w+) tells you '(.*)'$`, Match: Regex, Commands: "$2;;reply $1", Notify: "$0"},
		Trigger{Pattern: "tells", Commands: "$0"})
	s := NewStream(e)
	var kept []string
	s.Fire = func(r *Result) {
		kept = append(kept, r.Commands...)
		kept = append(kept, r.Notifications...)
	}
	s.Write([]byte("Bob tells you 'hi'\r\n"))
	want := []string{"hi", "reply Bob", "tells", "Bob tells you 'hi'"}
	if strings.Join(kept, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, want %q", kept, want)
	}
	s.Write([]byte("XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\r\n"))
	s.Write([]byte("Ann tells you 'yo'\r\n"))
	if got := strings.Join(kept[:len(want)], "|"); got != strings.Join(want, "|") {
		t.Fatalf("what Fire kept changed: %q, want %q", kept[:len(want)], want)
	}
}
