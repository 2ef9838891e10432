package automation

import (
	"bytes"
	"fmt"
	"image/color"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/drawbridge/drawbridge/wasmclient/term"
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

// pieces writes what a Stream passed on as text, a highlighted piece
// as {fg/bg:bytes} (- for a side left as the game set it).
func piecesOf(ps []Piece) string {
	var b strings.Builder
	side := func(c color.RGBA) string {
		if c.A == 0 {
			return "-"
		}
		return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)
	}
	for _, p := range ps {
		if p.Paint.On {
			fmt.Fprintf(&b, "{%s/%s:%s}", side(p.Paint.FG), side(p.Paint.BG), p.Bytes)
		} else {
			b.Write(p.Bytes)
		}
	}
	return b.String()
}

func TestStreamHighlight(t *testing.T) {
	e := streamEngine(t, Trigger{Pattern: "dragon", Match: Substring, Highlight: &Highlight{FG: "#ff0000"}})
	s := NewStream(e)
	got := piecesOf(s.Write([]byte("\x1b[32mA red dragon sleeps.\r\nNothing here.\r\n")))
	want := "\x1b[32mA red {#ff0000/-:dragon} sleeps.\r\nNothing here.\r\n"
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	// The game's colours inside the span go on unchanged: the terminal
	// lays the highlight over them.
	got = piecesOf(s.Write([]byte("a drag\x1b[1mon\x1b[0m!\n")))
	want = "a {#ff0000/-:drag\x1b[1mon\x1b[0m}!\n"
	if got != want {
		t.Fatalf("inner SGR: got  %q\nwant %q", got, want)
	}
	// On the terminal: the span's colour, the game's bold inside it, and
	// the game's green back after it.
	tm := term.New(40, 2, 0)
	show(tm, s.Write([]byte("\x1b[32mA red dragon sleeps.\r\n")))
	row := tm.Line(0)
	red := term.RGB(255, 0, 0)
	for x, c := range row[:20] {
		inSpan := x >= 6 && x < 12
		if (c.FG == red) != inSpan || !inSpan && c.FG != term.Indexed(2) {
			t.Fatalf("cell %d %q: %v", x, c.Rune, c.FG)
		}
	}
}

func TestStreamGag(t *testing.T) {
	e := streamEngine(t, Trigger{Pattern: "spam", Gag: true})
	s := NewStream(e)
	if got := piecesOf(s.Write([]byte("keep\r\nsome spam here\r\nkeep too\r\n"))); got != "keep\r\nkeep too\r\n" {
		t.Fatalf("got %q", got)
	}
	// A line cut between frames: held until its end, then gagged whole.
	if got := piecesOf(s.Write([]byte("more sp"))); got != "" {
		t.Fatalf("a line's start was shown before its end: %q", got)
	}
	if got := piecesOf(s.Write([]byte("am\r\nok\r\n"))); got != "ok\r\n" {
		t.Fatalf("got %q", got)
	}
	// A start that had to be shown (Flush, at a prompt) is erased.
	s.Write([]byte("spa"))
	if got := piecesOf(s.Flush()); got != "spa" {
		t.Fatalf("flush %q", got)
	}
	if got := piecesOf(s.Write([]byte("m!\n"))); got != "\r\x1b[2K" {
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
		out.WriteString(piecesOf(s.Write([]byte{in[i]})))
	}
	if strings.Join(fired, "|") != "reply got it, Bob|reply got it, Ann" {
		t.Fatalf("fired %q", fired)
	}
	if got := out.String(); got != "{-/#0000ff:Bob tells you: hi\r\n}{-/#0000ff:Ann tells you: yo\r\n}" {
		t.Fatalf("output %q", got)
	}
}

func TestStreamNoTriggers(t *testing.T) {
	s := NewStream(nil)
	in := "plain\r\nand a prompt> "
	got := piecesOf(s.Write([]byte(in)))
	got += piecesOf(s.Flush())
	if got != in {
		t.Fatalf("got %q, want %q", got, in)
	}
}

func TestStreamHeldBound(t *testing.T) {
	s := NewStream(streamEngine(t, Trigger{Pattern: "x", Sound: SoundBeep}))
	long := strings.Repeat("y", maxHeld+1)
	if got := piecesOf(s.Write([]byte(long))); len(got) != len(long) {
		t.Fatalf("a line without an end past %d bytes was held: %d shown", maxHeld, len(got))
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
		var out []byte
		n := 0
		take := func(ps []Piece) { // valid until the next call
			for _, p := range ps {
				out = append(out, p.Bytes...)
			}
			n += len(ps)
		}
		take(s.Write(in[:cut]))
		take(s.Write(in[cut:]))
		take(s.Flush())
		// The game's bytes, less gagged lines, plus an erase for each
		// line cut by the flush; in pieces no more than its runes and
		// two per line.
		if len(out) > len(in)+len("\r\x1b[2K") {
			t.Fatalf("%d bytes out of %d in", len(out), len(in))
		}
		if n > utf8.RuneCount(in)+2*bytes.Count(in, []byte("\n"))+3 {
			t.Fatalf("%d pieces out of %d bytes", n, len(in))
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
	out := piecesOf(s.Write([]byte("hello\r\n\x1b[")))
	out += piecesOf(s.Flush())
	out += piecesOf(s.Write([]byte("31mYou are hit\r\nspam\r\nHello\r\n")))
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
