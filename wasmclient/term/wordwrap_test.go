package term

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// newWrap returns a terminal with word wrap on.
func newWrap(cols, rows, scrollback int) *Terminal {
	tm := New(cols, rows, scrollback)
	tm.SetWordWrap(true)
	return tm
}

// physRows returns every row's text, the scrollback's then the screen's,
// trailing blank rows of the screen left out, with a '+' after a row that
// soft-wraps. Padding is not text, so it does not show.
func physRows(tm *Terminal) []string {
	var out []string
	add := func(cells []Cell, wrapped bool) {
		s := string(appendCells(nil, cells))
		if wrapped {
			s += "+"
		} else {
			s = strings.TrimRight(s, " ")
		}
		out = append(out, s)
	}
	for i := range tm.ScrollbackLen() {
		add(tm.ScrollbackLine(i), tm.ScrollbackWrapped(i))
	}
	_, rows := tm.Size()
	for y := range rows {
		add(tm.Line(y), tm.Wrapped(y))
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

func appendCells(dst []byte, cells []Cell) []byte {
	for _, c := range cells {
		dst = c.AppendUTF8(dst)
	}
	return dst
}

// logical returns the text as lines, rows that soft-wrap joined to the
// next as copying joins them, trailing spaces trimmed and trailing empty
// lines left out.
func logical(tm *Terminal) []string {
	var out []string
	var b []byte
	flush := func() {
		out = append(out, strings.TrimRight(string(b), " "))
		b = b[:0]
	}
	for i := range tm.ScrollbackLen() {
		b = appendCells(b, tm.ScrollbackLine(i))
		if !tm.ScrollbackWrapped(i) {
			flush()
		}
	}
	_, rows := tm.Size()
	for y := range rows {
		b = appendCells(b, tm.Line(y))
		if !tm.Wrapped(y) || y == rows-1 {
			flush()
		}
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// checkWordBreaks fails t if a soft wrap splits a word that would have
// fit on a row: the row ends in a word character, the next row starts
// with one, and the row has a space before it to break at.
func checkWordBreaks(t *testing.T, tm *Terminal) {
	t.Helper()
	type row struct {
		cells   []Cell
		wrapped bool
	}
	var all []row
	for i := range tm.ScrollbackLen() {
		all = append(all, row{tm.ScrollbackLine(i), tm.ScrollbackWrapped(i)})
	}
	_, rows := tm.Size()
	for y := range rows {
		all = append(all, row{tm.Line(y), tm.Wrapped(y)})
	}
	for i := 0; i+1 < len(all); i++ {
		if !all[i].wrapped {
			continue
		}
		cells := all[i].cells
		end := len(cells)
		for end > 0 && cells[end-1].Attr&WrapPad != 0 {
			end--
		}
		next := all[i+1].cells
		if end == 0 || len(next) == 0 || !wordCell(&cells[end-1]) || !wordCell(&next[0]) {
			continue
		}
		if slices.ContainsFunc(cells[:end], func(c Cell) bool { return !wordCell(&c) }) {
			t.Fatalf("row %d %q breaks a word before row %d %q; rows:\n%s", i, appendCells(nil, cells), i+1,
				appendCells(nil, next), strings.Join(physRows(tm), "\n"))
		}
	}
}

const mudLine = "You see a dusty road leading north. The innkeeper has reserved a room for the Phoneplayer."

func TestWordWrapBreaksAfterTheLastSpace(t *testing.T) {
	tm := newWrap(18, 6, 100)
	tm.WriteString("the quick brown fox jumped over the lazy dogs\r\n")
	want := []string{"the quick brown +", "fox jumped over +", "the lazy dogs"}
	if got := physRows(tm); !slices.Equal(got, want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
	// The word that moved is where the cursor went on: padding is not text.
	if c := tm.Cell(16, 1); c.Attr&WrapPad == 0 || c.Rune != ' ' {
		t.Fatalf("cell 16,1 = %+v, want padding", c)
	}
	if got := tm.Text(); got != "the quick brown\nfox jumped over\nthe lazy dogs\n\n\n" {
		t.Fatalf("Text() = %q", got)
	}
	// A word longer than the row still breaks, and so does a row of one word.
	tm = newWrap(10, 4, 100)
	tm.WriteString("a supercalifragilistic word\r\n")
	want = []string{"a +", "supercalif+", "ragilistic+", " word"}
	if got := physRows(tm); !slices.Equal(got, want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
	if got := logical(tm); !slices.Equal(got, []string{"a supercalifragilistic word"}) {
		t.Fatalf("logical %q", got)
	}
}

func TestWordWrapOffWrapsAtTheEdge(t *testing.T) {
	tm := New(18, 6, 100)
	tm.WriteString("the quick brown fox jumped over the lazy dogs\r\n")
	want := []string{"the quick brown fo+", "x jumped over the +", "lazy dogs"}
	if got := physRows(tm); !slices.Equal(got, want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
}

// TestWordWrapCursorMoves checks the cursor goes on after the moved word,
// mid-screen as at the bottom, and that a non-blank row below keeps the
// break at the edge rather than be overwritten.
func TestWordWrapCursorMoves(t *testing.T) {
	tm := newWrap(10, 5, 10)
	tm.WriteString("hello worl")
	if x, y, _ := tm.Cursor(); x != 9 || y != 0 {
		t.Fatalf("cursor %d,%d before the wrap", x, y)
	}
	tm.WriteString("d!")
	if x, y, _ := tm.Cursor(); x != 6 || y != 1 {
		t.Fatalf("cursor %d,%d after the wrap, want 6,1", x, y)
	}
	if got := physRows(tm); !slices.Equal(got, []string{"hello +", "world!"}) {
		t.Fatalf("rows %q", got)
	}

	tm = newWrap(10, 5, 10)
	tm.WriteString("\r\nXYZ\x1b[H")
	tm.WriteString("hello world")
	if got := physRows(tm); !slices.Equal(got, []string{"hello worl+", "dYZ"}) {
		t.Fatalf("rows %q: a row below with text must not take the word", got)
	}
}

func TestWordWrapCopyGivesTheLine(t *testing.T) {
	for _, cols := range []int{12, 20, 33, 45, 80, 100} {
		tm := newWrap(cols, 8, 100)
		tm.WriteString(mudLine + "\r\n> ")
		if got := logical(tm); !slices.Equal(got, []string{mudLine, ">"}) {
			t.Fatalf("%d columns: logical %q", cols, got)
		}
		checkWordBreaks(t, tm)
	}
}

func TestReflowBothWays(t *testing.T) {
	tm := newWrap(80, 10, 100)
	var lines []string
	for i := range 14 {
		l := fmt.Sprintf("%02d %s", i, mudLine)
		lines = append(lines, l)
		tm.WriteString(l + "\r\n")
	}
	tm.WriteString("> look")
	lines = append(lines, "> look")
	wide := physRows(tm)

	tm.Resize(45, 10)
	checkInvariants(t, tm)
	checkWordBreaks(t, tm)
	if got := logical(tm); !slices.Equal(got, lines) {
		t.Fatalf("after narrowing: %q\nwant %q", got, lines)
	}
	// The same as text written at 45 columns.
	direct := newWrap(45, 10, 100)
	for _, l := range lines[:len(lines)-1] {
		direct.WriteString(l + "\r\n")
	}
	direct.WriteString("> look")
	if got, want := physRows(tm), physRows(direct); !slices.Equal(got, want) {
		t.Fatalf("reflowed to 45:\n%s\nwritten at 45:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if x, y, _ := tm.Cursor(); x != 6 || y != 9 {
		t.Fatalf("cursor %d,%d, want 6,9 after the prompt", x, y)
	}
	// Wider again: the lines rejoin as they were.
	tm.Resize(80, 10)
	checkInvariants(t, tm)
	if got := physRows(tm); !slices.Equal(got, wide) {
		t.Fatalf("back at 80:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wide, "\n"))
	}
	tm.WriteString(" at me\r\n")
	if got := logical(tm); got[len(got)-1] != "> look at me" {
		t.Fatalf("typing after the resizes: last line %q", got[len(got)-1])
	}
}

// TestReflowKeepsATopScreenAtTheTop: a screen not yet filled keeps its
// text at the top, and nothing goes to the scrollback while it fits.
func TestReflowKeepsATopScreenAtTheTop(t *testing.T) {
	tm := newWrap(40, 10, 100)
	tm.WriteString("one two three four five six seven eight\r\nnine\r\n")
	tm.Resize(20, 10)
	if tm.ScrollbackLen() != 0 {
		t.Fatalf("%d scrollback lines", tm.ScrollbackLen())
	}
	want := []string{"one two three four +", "five six seven eight", "nine"}
	if got := physRows(tm); !slices.Equal(got, want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
	if x, y, _ := tm.Cursor(); x != 0 || y != 3 {
		t.Fatalf("cursor %d,%d, want 0,3", x, y)
	}
}

// TestReflowPendingWrap: a line that filled its row exactly, the wrap
// still pending, goes on after a reflow where it left off.
func TestReflowPendingWrap(t *testing.T) {
	tm := newWrap(10, 4, 10)
	tm.WriteString("0123456789")
	tm.Resize(5, 4)
	tm.Resize(10, 4)
	tm.WriteString("ab")
	if got := logical(tm); !slices.Equal(got, []string{"0123456789ab"}) {
		t.Fatalf("logical %q", got)
	}
}

func TestWordWrapWideCharacters(t *testing.T) {
	tm := newWrap(9, 4, 10)
	tm.WriteString("abcdefgh世x 漢字かな交じり\r\n")
	want := []string{"abcdefgh+", "世x 漢字+", "かな交じ+", "り"}
	if got := physRows(tm); !slices.Equal(got, want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
	if c := tm.ScrollbackLine(0)[8]; c.Attr&WrapPad == 0 {
		t.Fatalf("the last column before the wide character is %+v, want padding", c)
	}
	line := "abcdefgh世x 漢字かな交じり"
	if got := logical(tm); !slices.Equal(got, []string{line}) {
		t.Fatalf("logical %q", got)
	}
	for _, cols := range []int{10, 7, 2, 3, 40, 9} {
		tm.Resize(cols, 4)
		checkInvariants(t, tm)
		if got := logical(tm); !slices.Equal(got, []string{line}) {
			t.Fatalf("%d columns: logical %q", cols, got)
		}
	}
	if got := physRows(tm); !slices.Equal(got, want) {
		t.Fatalf("back at 9: rows %q, want %q", got, want)
	}
}

func TestReflowKeepsLinks(t *testing.T) {
	tm := newWrap(80, 6, 20)
	tm.WriteString("Read the \x1b]8;;https://example.org/help\x1b\\help pages about rooms\x1b]8;;\x1b\\ or see " +
		"https://example.org/a/very/long/path/that/will/not/fit/on/a/phone/screen/at/all now\r\n")
	tm.Resize(20, 6)
	checkInvariants(t, tm)
	// Every row with part of a link: the OSC 8 text ("help pages about
	// rooms", across a word wrap) and the plain URL (across a break in
	// the middle, being longer than a row) resolve whole.
	n := tm.ScrollbackLen()
	found := map[string]string{}
	_, rows := tm.Size()
	for i := range n + rows {
		cells := tm.lineAt(i)
		for _, s := range tm.LineLinks(i, nil) {
			found[s.URI] += string(appendCells(nil, cells[s.X0:s.X1]))
		}
	}
	if got := found["https://example.org/help"]; got != "help pages about rooms" {
		t.Fatalf("OSC 8 link text %q; found %q; rows %q", got, found, physRows(tm))
	}
	long := "https://example.org/a/very/long/path/that/will/not/fit/on/a/phone/screen/at/all"
	if got := found[long]; got != long {
		t.Fatalf("plain URL text %q; found %q; rows %q", got, found, physRows(tm))
	}
}

// TestAltScreenIsNotWordWrapped: full-screen programs get the plain
// xterm behaviour, and a resize clips their screen as it always did.
func TestAltScreenIsNotWordWrapped(t *testing.T) {
	in := "main screen line that is long enough to wrap\r\n\x1b[?1049h\x1b[Hthe quick brown fox jumped over"
	plain := New(20, 5, 10)
	wrap := newWrap(20, 5, 10)
	plain.WriteString(in)
	wrap.WriteString(in)
	if got, want := wrap.Text(), plain.Text(); got != want {
		t.Fatalf("alternate screen with word wrap:\n%s\nwithout:\n%s", got, want)
	}
	plain.Resize(12, 5)
	wrap.Resize(12, 5)
	checkInvariants(t, wrap)
	if got, want := wrap.Text(), plain.Text(); got != want {
		t.Fatalf("alternate screen resized with word wrap:\n%s\nwithout:\n%s", got, want)
	}
	// The main screen behind it did reflow, and comes back with the cursor.
	wrap.WriteString("\x1b[?1049l")
	if got := logical(wrap); !slices.Equal(got, []string{"main screen line that is long enough to wrap"}) {
		t.Fatalf("main screen after the alternate one: %q", got)
	}
	if x, y, _ := wrap.Cursor(); x != 0 || y != 4 {
		t.Fatalf("cursor %d,%d on the main screen, want 0,4 (below the 4 rows of the line)", x, y)
	}
}

// TestReflowScrollbackLimit: a narrower reflow that makes more rows than
// the scrollback holds drops the oldest, never the newest.
func TestReflowScrollbackLimit(t *testing.T) {
	tm := newWrap(80, 4, 6)
	for i := range 8 {
		fmt.Fprintf(tm, "%d %s\r\n", i, mudLine)
	}
	tm.Resize(30, 4)
	checkInvariants(t, tm)
	got := logical(tm)
	if last := got[len(got)-1]; last != "7 "+mudLine {
		t.Fatalf("last line %q", last)
	}
	if tm.ScrollbackLen() != 6 {
		t.Fatalf("%d scrollback lines, want 6", tm.ScrollbackLen())
	}
}

// FuzzReflow writes lines of words at one width, resizes through two
// others and back, and checks that no text was lost or reordered, that
// no word that fits is split, and that the rows are those of the text
// written at the final width.
func FuzzReflow(f *testing.F) {
	f.Add([]byte(mudLine+"\n"+mudLine), uint8(80), uint8(45), uint8(20))
	f.Add([]byte("a bb ccc dddd eeeee\n\n漢字 ab世界c https://x.org/abcdefghijklmnop"), uint8(7), uint8(3), uint8(11))
	f.Add([]byte("    indented text here\nx"), uint8(5), uint8(2), uint8(9))
	f.Fuzz(func(t *testing.T, data []byte, a, b, c uint8) {
		w0, w1, w2 := int(a%100)+2, int(b%100)+2, int(c%100)+2
		var lines []string
		for _, l := range strings.Split(string(data), "\n") {
			var sb strings.Builder
			for _, r := range l {
				// Printable text only: the test is about layout.
				if r >= ' ' && r != 0x7f && (r < 0x80 || r >= 0xa0) && r != 0xfffd && runeWidth(r) > 0 {
					sb.WriteRune(r)
				}
			}
			lines = append(lines, strings.TrimRight(sb.String(), " "))
		}
		if len(lines) > 30 {
			lines = lines[:30]
		}
		in := strings.Join(lines, "\r\n")
		for len(lines) > 0 && lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		tm := newWrap(w0, 6, 10000)
		tm.WriteString(in)
		check := func(when string) {
			t.Helper()
			checkInvariants(t, tm)
			checkWordBreaks(t, tm)
			if got := logical(tm); !slices.Equal(got, lines) {
				t.Fatalf("%s: text\n%q\nwant\n%q", when, got, lines)
			}
		}
		check(fmt.Sprintf("written at %d", w0))
		tm.Resize(w1, 6)
		check(fmt.Sprintf("reflowed %d to %d", w0, w1))
		tm.Resize(w2, 6)
		check(fmt.Sprintf("reflowed %d to %d", w1, w2))
		direct := newWrap(w2, 6, 10000)
		direct.WriteString(in)
		if got, want := physRows(tm), physRows(direct); !slices.Equal(got, want) {
			t.Fatalf("reflowed %d, %d, %d:\n%s\nwritten at %d:\n%s", w0, w1, w2, strings.Join(got, "\n"), w2, strings.Join(want, "\n"))
		}
	})
}

// FuzzWordWrapWrite feeds arbitrary output, controls and all, to a
// terminal with word wrap and checks the invariants after writes and
// resizes.
func FuzzWordWrapWrite(f *testing.F) {
	for _, tc := range screenCases() {
		f.Add([]byte(tc.in), uint8(tc.cols), uint8(tc.rows))
	}
	f.Add([]byte(mudLine+"\r\n\x1b[2Jx\x1b[5;1H"+mudLine), uint8(30), uint8(5))
	f.Fuzz(func(t *testing.T, data []byte, cols, rows uint8) {
		c, r := int(cols%120)+1, int(rows%50)+1
		tm := newWrap(c, r, 16)
		tm.Write(data)
		checkInvariants(t, tm)
		tm.Resize(r, c)
		checkInvariants(t, tm)
		tm.Write(data)
		checkInvariants(t, tm)
		tm.Resize(c/2+1, r+7)
		checkInvariants(t, tm)
		tm.Resize(c, r)
		checkInvariants(t, tm)
	})
}

// BenchmarkReflow turns a phone with a full scrollback: 10,000 lines of
// MUD text reflowed from 80 columns to 45 and back.
func BenchmarkReflow(b *testing.B) {
	tm := newWrap(80, 40, 10000)
	for i := range 10000 {
		fmt.Fprintf(tm, "%d %s\r\n", i, mudLine)
	}
	b.ReportAllocs()
	for b.Loop() {
		tm.Resize(45, 40)
		tm.Resize(80, 40)
	}
}
