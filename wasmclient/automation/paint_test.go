package automation

import (
	"bytes"
	"fmt"
	"image/color"
	"math/rand/v2"
	"testing"
	"unicode/utf8"

	"github.com/drawbridge/drawbridge/wasmclient/term"
)

// highlight is p as the terminal takes it.
func highlight(p Paint) term.Highlight {
	c := func(c color.RGBA) term.Color {
		if c.A == 0 {
			return term.DefaultColor
		}
		return term.RGB(c.R, c.G, c.B)
	}
	return term.Highlight{On: p.On, FG: c(p.FG), BG: c(p.BG)}
}

// show writes pieces to tm as the client does.
func show(tm *term.Terminal, pieces []Piece) {
	for _, p := range pieces {
		tm.SetHighlight(highlight(p.Paint))
		tm.Write(p.Bytes)
	}
	tm.SetHighlight(term.Highlight{})
}

// paintRef is the plainest painting: each character of raw's text
// written to the terminal alone, with its own highlight (every span over
// its first byte, the later over the earlier) set before it, and
// everything else as it is. raw's text starts at byte skip of the
// line's text. (A broken UTF-8 sequence's replacement character is
// printed when the byte after it arrives, so it takes the highlight in
// force then: the next character's, when that follows at once.)
func paintRef(tm *term.Terminal, raw []byte, spans []Span, skip int) {
	tb := skip // the text's byte at raw[i]
	for i := 0; i < len(raw); {
		if raw[i] == 0x1b {
			l := max(escLen(raw[i:]), 1)
			tm.Write(raw[i : i+l])
			i += l
			continue
		}
		if !textByte[raw[i]] {
			tm.Write(raw[i : i+1])
			i++
			continue
		}
		_, size := utf8.DecodeRune(raw[i:])
		var p Paint
		for _, sp := range spans {
			if sp.Start <= tb && tb < sp.End {
				p.add(sp)
			}
		}
		tm.SetHighlight(highlight(p))
		tm.Write(raw[i : i+size])
		i += size
		tb += size
	}
	tm.SetHighlight(term.Highlight{})
}

// checkPaint paints raw with spans, what Flush passed on of the line
// before it having the text shown, and fails unless the pieces are raw,
// cut, and a terminal shows them as it shows paintRef's (every cell, and
// the colours in force after them: a character written after shows
// them).
func checkPaint(t *testing.T, shown, raw []byte, spans []Span, sgr []byte) {
	t.Helper()
	var s Stream
	s.text = appendText(append([]byte(nil), shown...), raw, &s.segs)
	s.paintLine(raw, spans, len(shown))
	pieces := s.result()
	var joined []byte
	for _, p := range pieces {
		joined = append(joined, p.Bytes...)
	}
	if !bytes.Equal(joined, raw) {
		t.Fatalf("raw %q spans %+v shown %q: the pieces are %q, not the game's bytes", raw, spans, shown, joined)
	}
	ta, tb := term.New(30, 8, 50), term.New(30, 8, 50)
	for _, tm := range []*term.Terminal{ta, tb} {
		tm.Write(sgr)
	}
	show(ta, pieces)
	paintRef(tb, raw, spans, len(shown))
	if d := sameScreen(ta, tb); d != "" {
		t.Fatalf("raw %q spans %+v shown %q: pieces %s show otherwise than painting character by character: %s", raw, spans, shown, piecesOf(pieces), d)
	}
}

// edges returns where text's characters begin, and its end: where a
// span can begin or end (the regexp package decodes text as
// utf8.DecodeRune does).
func edges(text []byte) []int {
	var e []int
	for i := 0; i < len(text); {
		e = append(e, i)
		_, size := utf8.DecodeRune(text[i:])
		i += size
	}
	return append(e, len(text))
}

// sameScreen returns "" when two terminals show the same, with the
// colours in force after, else where they differ first.
func sameScreen(ta, tb *term.Terminal) string {
	for _, tm := range []*term.Terminal{ta, tb} {
		tm.Write([]byte("Z\x1b[KZ"))
	}
	if ta.ScrollbackLen() != tb.ScrollbackLen() {
		return fmt.Sprintf("%d lines of scrollback, and %d", ta.ScrollbackLen(), tb.ScrollbackLen())
	}
	diff := func(where string, a, b []term.Cell) string {
		for x := range min(len(a), len(b)) {
			if a[x] != b[x] {
				return fmt.Sprintf("%s, column %d: %q %v/%v %v, and %q %v/%v %v", where, x, a[x].Rune, a[x].FG, a[x].BG, a[x].Attr, b[x].Rune, b[x].FG, b[x].BG, b[x].Attr)
			}
		}
		return ""
	}
	for i := range ta.ScrollbackLen() {
		if d := diff(fmt.Sprint("scrollback line ", i), ta.ScrollbackLine(i), tb.ScrollbackLine(i)); d != "" {
			return d
		}
	}
	for y := range 8 {
		if d := diff(fmt.Sprint("row ", y), ta.Line(y), tb.Line(y)); d != "" {
			return d
		}
	}
	return ""
}

// TestPaintLineSameAsPerRune: painting by the spans' ends looks the same
// as painting character by character, for random coloured lines (escape
// sequences, controls, accents, bytes that are not UTF-8) and random
// overlapping spans, few and many, some past the line.
func TestPaintLineSameAsPerRune(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"a", "b", "word ", "é", "☺", "龍", "\t", "\r", "\x7f", "\x01", "\xff", "\xc3",
		"\x1b[31m", "\x1b[0m", "\x1b[1;33m", "\x1b[m", "\x1b[2K", "\x1b]8;;x\x07", "\x1b(", "\x1b"}
	colours := []color.RGBA{{}, {R: 255, A: 255}, {G: 255, A: 255}, {B: 9, A: 255}}
	for round := range 5000 {
		var raw []byte
		for range rng.IntN(30) {
			raw = append(raw, pieces[rng.IntN(len(pieces))]...)
		}
		if rng.IntN(2) == 0 {
			raw = append(raw, "\r\n"...)
		}
		shown := []byte(nil)
		for range rng.IntN(3) {
			shown = append(shown, pieces[rng.IntN(4)]...)
		}
		e := edges(appendText(append([]byte(nil), shown...), raw, nil))
		e = append(e, e[len(e)-1]+1, e[len(e)-1]+5) // past the line
		nspans := rng.IntN(4)
		if round%10 == 0 {
			nspans = maxCutSpans + rng.IntN(8) // the byte by byte way
		}
		var spans []Span
		for range nspans {
			a := rng.IntN(len(e))
			b := a + rng.IntN(len(e)-a)
			spans = append(spans, Span{Start: e[a], End: e[b], FG: colours[rng.IntN(len(colours))], BG: colours[rng.IntN(len(colours))]})
		}
		sgr := []byte(nil)
		if rng.IntN(2) == 0 {
			sgr = []byte("\x1b[32m")
		}
		checkPaint(t, shown, raw, spans, sgr)
	}
}

// FuzzPaintLine: the same, for any line and spans (at characters' edges,
// as the engine's are).
func FuzzPaintLine(f *testing.F) {
	f.Add([]byte("\x1b[32mA red dragon sleeps.\r\n"), 6, 12, 0, 0)
	f.Add([]byte("a drag\x1b[1mon\x1b[0m!\n"), 2, 8, 1, 4)
	f.Add([]byte("caf\xc3\xa9 \x1b[31m\xe2\x98\xba x\t y\r\n"), 0, 30, 3, 5)
	f.Fuzz(func(t *testing.T, raw []byte, s1, e1, s2, e2 int) {
		if len(raw) > 1<<12 {
			return
		}
		for _, shown := range [][]byte{nil, []byte("x\xc3\xa9")} {
			e := edges(appendText(append([]byte(nil), shown...), raw, nil))
			at := func(i int) int { return e[min(max(i, 0), len(e)-1)] }
			spans := []Span{{Start: at(s1), End: at(e1), FG: color.RGBA{R: 1, A: 255}}, {Start: at(s2), End: at(e2), BG: color.RGBA{B: 1, A: 255}}}
			checkPaint(t, shown, raw, spans, []byte("\x1b[1m"))
		}
	})
}
