package automation

import (
	"bytes"
	"image/color"
	"math/rand/v2"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/drawbridge/drawbridge/wasmclient/term"
)

// paintLineRef is the first paintLine, which looked up each rune's
// highlight and wrote every colour change at once: the reference the
// faster one must look the same as on a terminal, in no more bytes.
func (s *Stream) paintLineRef(raw []byte, spans []Span, skip int) {
	n := utf8.RuneCount(s.text) - skip
	if cap(s.paint) < n {
		s.paint = make([]paint, n)
	}
	s.paint = s.paint[:n]
	clear(s.paint)
	for _, sp := range spans {
		for i := max(sp.Start-skip, 0); i < min(sp.End-skip, n); i++ {
			s.paint[i].add(sp)
		}
	}
	var cur paint // the highlight in force in what was passed on
	ri := 0       // runes of text passed
	from := 0     // raw[from:i] is still to be copied out
	for i := 0; i < len(raw); {
		b := raw[i]
		if b == 0x1b {
			if l := escLen(raw[i:]); l > 0 {
				seq := raw[i : i+l]
				s.out = append(s.out, raw[from:i+l]...)
				i += l
				from = i
				if isSGR(seq) {
					s.trackSGR(seq)
					if cur.on {
						s.out = appendPaint(s.out, cur) // the game's colour inside a span: the span wins
					}
				}
				continue
			}
		}
		size := 1
		if b >= utf8.RuneSelf {
			_, size = utf8.DecodeRune(raw[i:])
		}
		switch {
		case b >= ' ' && b != 0x7f || b == '\t':
			want := paint{}
			if ri < n {
				want = s.paint[ri]
			}
			if want != cur {
				s.out = append(s.out, raw[from:i]...)
				from = i
				if cur.on {
					s.out = append(s.out, "\x1b[0m"...)
					s.out = append(s.out, s.sgr...)
				}
				if want.on {
					s.out = appendPaint(s.out, want)
				}
				cur = want
			}
			ri++
		case cur.on && (b == '\r' || b == '\n'):
			s.out = append(s.out, raw[from:i]...)
			from = i
			s.out = append(s.out, "\x1b[0m"...)
			s.out = append(s.out, s.sgr...)
			cur = paint{}
		}
		i += size
	}
	s.out = append(s.out, raw[from:]...)
	if cur.on {
		s.out = append(s.out, "\x1b[0m"...)
		s.out = append(s.out, s.sgr...)
	}
}

// checkPaint paints raw with spans (raw's text starting at rune skip of
// a line whose text is text) both ways, from the same colour state, and
// fails when a terminal shows them differently (every cell, its
// character and colours, and the colours in force after them) or the
// colour state after them differs.
func checkPaint(t *testing.T, text, raw []byte, spans []Span, skip int, sgr []byte) {
	t.Helper()
	var a, b Stream
	a.text, b.text = text, text
	a.sgr, b.sgr = append([]byte(nil), sgr...), append([]byte(nil), sgr...)
	a.paintLine(raw, spans, skip)
	b.paintLineRef(raw, spans, skip)
	if !bytes.Equal(a.sgr, b.sgr) || !sameScreen(sgr, a.out, b.out) {
		t.Fatalf("raw %q spans %+v skip %d:\ngot  %q (state %q)\nwant %q (state %q)", raw, spans, skip, a.out, a.sgr, b.out, b.sgr)
	}
	if len(a.out) > len(b.out) {
		t.Fatalf("raw %q spans %+v skip %d: %d bytes, the reference %d:\ngot  %q\nwant %q", raw, spans, skip, len(a.out), len(b.out), a.out, b.out)
	}
}

// sameScreen reports whether two outputs, after the colour state sgr,
// leave a terminal the same, including the colours in force after them
// (a character written after shows them).
func sameScreen(sgr, a, b []byte) bool {
	render := func(out []byte) *term.Terminal {
		tm := term.New(30, 8, 50)
		tm.Write(append([]byte("\x1b[0m"), sgr...))
		tm.Write(out)
		tm.Write([]byte("Z\x1b[KZ"))
		return tm
	}
	ta, tb := render(a), render(b)
	if ta.ScrollbackLen() != tb.ScrollbackLen() {
		return false
	}
	for i := range ta.ScrollbackLen() {
		if !slices.Equal(ta.ScrollbackLine(i), tb.ScrollbackLine(i)) {
			return false
		}
	}
	for y := range 8 {
		if !slices.Equal(ta.Line(y), tb.Line(y)) {
			return false
		}
	}
	return true
}

// TestPaintLineSameAsPerRune: painting by the spans' ends, writing only
// the colour changes that show, looks the same as painting rune by rune,
// for random coloured lines (escape sequences, controls, accents, bytes
// that are not UTF-8) and random overlapping spans, few and many, some
// outside the line.
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
		checkPaint(t, text, raw, spans[:1], min(max(s2, 0), 3, utf8.RuneCount(text)), nil) // skip: the runes shown
	})
}
