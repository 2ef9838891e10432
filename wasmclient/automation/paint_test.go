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

// paintRef is the plainest painting: each rune of raw's text written to
// the terminal alone, with its own highlight (every span over it, the
// later over the earlier) set before it, and everything else as it is.
// (A broken UTF-8 sequence's replacement character is printed when the
// byte after it arrives, so it takes the highlight in force then: the
// next rune's, when that follows at once.)
func paintRef(tm *term.Terminal, raw []byte, spans []Span, skip, n int) {
	ri := skip
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
			// Only the line's runes are painted: a UTF-8 sequence an
			// escape cut in two is two runes here, one in the text.
			if sp.Start <= ri && ri < sp.End && ri < skip+n {
				p.add(sp)
			}
		}
		tm.SetHighlight(highlight(p))
		tm.Write(raw[i : i+size])
		i += size
		ri++
	}
	tm.SetHighlight(term.Highlight{})
}

// checkPaint paints raw with spans (raw's text starting at rune skip of
// a line whose text is text), and fails unless the pieces are raw, cut,
// and a terminal shows them as it shows paintRef's (every cell, and
// the colours in force after them: a character written after shows
// them).
func checkPaint(t *testing.T, text, raw []byte, spans []Span, skip int, sgr []byte) {
	t.Helper()
	var s Stream
	s.text = text
	s.paintLine(raw, spans, skip)
	pieces := s.result()
	var joined []byte
	for _, p := range pieces {
		joined = append(joined, p.Bytes...)
	}
	if !bytes.Equal(joined, raw) {
		t.Fatalf("raw %q spans %+v skip %d: the pieces are %q, not the game's bytes", raw, spans, skip, joined)
	}
	ta, tb := term.New(30, 8, 50), term.New(30, 8, 50)
	for _, tm := range []*term.Terminal{ta, tb} {
		tm.Write(sgr)
	}
	show(ta, pieces)
	paintRef(tb, raw, spans, skip, utf8.RuneCount(text)-skip)
	if d := sameScreen(ta, tb); d != "" {
		t.Fatalf("raw %q spans %+v skip %d: pieces %s show otherwise than painting rune by rune: %s", raw, spans, skip, piecesOf(pieces), d)
	}
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
// as painting rune by rune, for random coloured lines (escape sequences,
// controls, accents, bytes that are not UTF-8) and random overlapping
// spans, few and many, some outside the line.
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
		text := appendText(append([]byte(nil), shown...), raw)
		skip := utf8.RuneCount(shown)
		runes := utf8.RuneCount(text)
		nspans := rng.IntN(4)
		if round%10 == 0 {
			nspans = maxCutSpans + rng.IntN(8) // the rune by rune way
		}
		var spans []Span
		for range nspans {
			a := rng.IntN(runes + 2)
			spans = append(spans, Span{Start: a, End: a + rng.IntN(runes+2), FG: colours[rng.IntN(len(colours))], BG: colours[rng.IntN(len(colours))]})
		}
		sgr := []byte(nil)
		if rng.IntN(2) == 0 {
			sgr = []byte("\x1b[32m")
		}
		checkPaint(t, text, raw, spans, skip, sgr)
	}
}

// FuzzPaintLine: the same, for any line and spans.
func FuzzPaintLine(f *testing.F) {
	f.Add([]byte("\x1b[32mA red dragon sleeps.\r\n"), 6, 12, 0, 0)
	f.Add([]byte("a drag\x1b[1mon\x1b[0m!\n"), 2, 8, 1, 4)
	f.Add([]byte("caf\xc3\xa9 \x1b[31m\xe2\x98\xba x\t y\r\n"), 0, 30, 3, 5)
	f.Fuzz(func(t *testing.T, raw []byte, s1, e1, s2, e2 int) {
		if len(raw) > 1<<12 {
			return
		}
		text := appendText(nil, raw)
		spans := []Span{{Start: s1, End: e1, FG: color.RGBA{R: 1, A: 255}}, {Start: s2, End: e2, BG: color.RGBA{B: 1, A: 255}}}
		checkPaint(t, text, raw, spans, 0, []byte("\x1b[1m"))
		skip := min(max(s2, 0), 3) // the runes shown before raw
		checkPaint(t, append([]byte("xyz")[:skip], text...), raw, spans[:1], skip, nil)
	})
}
