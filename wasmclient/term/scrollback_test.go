package term

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// randomCells returns n cells of every kind the terminal makes and some
// it never does: ASCII and other runes, invalid ones (negative,
// surrogates, past U+10FFFF, 0), wide characters with their right halves
// and without, stray right halves, marks (also a 0 before a mark), and
// colours, attributes and links changing in runs or at every cell.
func randomCells(r *rand.Rand, n int) []Cell {
	colors := []Color{DefaultColor, 1 | 1<<24, 9 | 1<<24, 200 | 1<<24, Color(r.Uint32()), 0xFFFFFFFF}
	var st Cell
	cells := make([]Cell, 0, n)
	for len(cells) < n {
		if r.IntN(6) == 0 {
			st.FG = colors[r.IntN(len(colors))]
			st.BG = colors[r.IntN(len(colors))]
			st.Attr = Attr(r.IntN(1 << 10))
			if r.IntN(20) == 0 {
				st.Attr = Attr(r.Uint32())
			}
			st.Link = uint16(r.IntN(3))
			if r.IntN(20) == 0 {
				st.Link = uint16(r.Uint32())
			}
		}
		c := Cell{FG: st.FG, BG: st.BG, Attr: st.Attr, Link: st.Link, Width: 1}
		switch k := r.IntN(20); {
		case k < 10:
			c.Rune = rune(' ' + r.IntN(95))
		case k < 12:
			c.Rune = rune(0xA0 + r.IntN(0x2000))
		case k < 14: // a wide character and its right half
			c.Rune, c.Width = rune(0x4E00+r.IntN(0x5000)), 2
			right := Cell{FG: c.FG, BG: c.BG, Attr: c.Attr, Link: c.Link}
			if r.IntN(4) == 0 { // a right half that differs from its left
				right.FG = colors[r.IntN(len(colors))]
				right.Marks[0] = 0x301
			}
			cells = append(cells, c, right)
			continue
		case k < 15: // marks
			c.Rune = 'e'
			c.Marks[0] = 0x301
			if r.IntN(2) == 0 {
				c.Marks[1] = 0x200D
			}
			if r.IntN(4) == 0 {
				c.Marks[0] = 0
			}
		case k < 16: // invalid runes
			c.Rune = []rune{0, -1, 0xD800, 0x110000, -0x80000000, 0x7FFFFFFF}[r.IntN(6)]
		case k < 17: // odd widths
			c.Rune, c.Width = rune('a'+r.IntN(26)), uint8(r.IntN(256))
		case k < 18: // a wide character at the end or with no right half
			c.Rune, c.Width = 0x1F600, 2
		default:
			c.Rune = ' '
		}
		if r.IntN(30) == 0 {
			c.Marks[r.IntN(MaxMarks)] = rune(r.Uint32())
		}
		cells = append(cells, c)
	}
	return cells[:n]
}

// TestScrollbackRoundTrip checks that lines of random cells come back
// from the scrollback exactly as pushed (but for trailing blanks of lines
// that did not wrap).
func TestScrollbackRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 15))
	s := scrollback{max: 50}
	var pushed [][]Cell
	var wrapped []bool
	for i := range 2000 {
		cells := randomCells(r, r.IntN(300))
		w := r.IntN(3) == 0
		s.push(cells, w)
		want := cells
		if !w {
			end := len(want)
			for end > 0 && want[end-1].isBlank() {
				end--
			}
			want = want[:end]
		}
		pushed = append(pushed, slices.Clone(want))
		wrapped = append(wrapped, w)
		// Read the newest and, now and then, the whole ring.
		if got := s.cellsAt(s.n - 1); !slices.Equal(got, want) {
			t.Fatalf("line %d: got\n%v\nwant\n%v", i, got, want)
		}
		if i%97 == 0 {
			for j := range s.n {
				k := len(pushed) - s.n + j
				if got := s.at(j); !slices.Equal(got.cells, pushed[k]) || got.wrapped != wrapped[k] || s.wrappedAt(j) != wrapped[k] {
					t.Fatalf("after %d lines, line %d (pushed %d) differs", i+1, j, k)
				}
			}
		}
	}
}

// FuzzLineEncoding checks that any cells round-trip through the line
// encoding; the fuzzer's bytes are the cells.
func FuzzLineEncoding(f *testing.F) {
	f.Add([]byte("hello"))
	f.Add([]byte{0xff, 0xfe, 0xfd, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28})
	f.Fuzz(func(t *testing.T, b []byte) {
		const size = int(unsafe.Sizeof(Cell{}))
		var cells []Cell
		for len(b) >= size {
			cells = append(cells, *(*Cell)(unsafe.Pointer(&b[0])))
			b = b[size:]
		}
		// Padding bytes are not part of the value: normalise them.
		for i := range cells {
			c := cells[i]
			cells[i] = Cell{Rune: c.Rune, FG: c.FG, BG: c.BG, Attr: c.Attr, Link: c.Link, Width: c.Width, Marks: c.Marks}
		}
		// Cells read as above alone seldom make the cheap cases: add
		// them, in the first cell's style.
		if len(cells) > 0 {
			st := cells[0]
			for i := range len(b) {
				c := Cell{FG: st.FG, BG: st.BG, Attr: st.Attr, Link: st.Link, Width: 1, Rune: rune(b[i])}
				if b[i] >= 0x80 {
					c.Rune, c.Width = 0x3000+rune(b[i]), 2
					cells = append(cells, c)
					c = Cell{FG: st.FG, BG: st.BG, Attr: st.Attr, Link: st.Link}
				}
				cells = append(cells, c)
			}
		}
		enc := encodeLine(nil, cells)
		if got := decodeLine(nil, enc); !slices.Equal(got, cells) {
			t.Fatalf("got\n%v\nwant\n%v", got, cells)
		}
	})
}

// TestScrollbackRing checks that a full ring drops its oldest lines, that
// popNewest, clear and replace change what at returns (the cache of
// decoded lines follows them), and that lines read long ago are still
// read right once the cache has moved on.
func TestScrollbackRing(t *testing.T) {
	text := func(i int) []Cell {
		var cells []Cell
		for _, r := range fmt.Sprintf("line %d", i) {
			cells = append(cells, Cell{Rune: r, Width: 1, FG: Color(i)})
		}
		return cells
	}
	const keep = 300
	s := scrollback{max: keep}
	for i := range 1000 {
		s.push(text(i), false)
		if i%50 == 0 { // read some, so the cache holds lines the ring drops
			for j := range s.n {
				s.at(j)
			}
		}
	}
	if s.n != keep || s.added != 1000 || len(s.buf) != keep {
		t.Fatalf("n %d, added %d, %d slots; want %d, 1000, %d", s.n, s.added, len(s.buf), keep, keep)
	}
	check := func(what string, first int) {
		t.Helper()
		for j := range s.n {
			if got, want := s.cellsAt(j), text(first+j); !slices.Equal(got, want) {
				t.Fatalf("%s: line %d = %q, want %q", what, j, RowText(got), RowText(want))
			}
		}
	}
	check("full ring", 1000-keep)
	check("full ring, read again", 1000-keep)

	cells, wrapped := s.popNewest()
	if !slices.Equal(cells, text(999)) || wrapped {
		t.Fatalf("popNewest = %q, %v; want %q, false", RowText(cells), wrapped, "line 999")
	}
	s.push(text(5000), true)
	if got := s.at(s.n - 1); !slices.Equal(got.cells, text(5000)) || !got.wrapped {
		t.Fatalf("after popNewest and push, newest = %q (wrapped %v), want %q (wrapped)", RowText(got.cells), got.wrapped, "line 5000")
	}

	s.replace(3, text(7))
	if got := RowText(s.cellsAt(3)); got != "line 7" {
		t.Fatalf("after replace, line 3 = %q, want %q", got, "line 7")
	}

	s.clear()
	if s.n != 0 {
		t.Fatalf("after clear, n = %d", s.n)
	}
	for i := range 10 {
		s.push(text(i), false)
	}
	check("after clear", 0)

	s.max = 0 // as a terminal with no scrollback
	s.clear()
	s.push(text(1), false)
	if s.n != 0 {
		t.Errorf("a scrollback of 0 lines holds %d", s.n)
	}
}

// TestScrollbackMemory checks the memory bound: 10,000 lines of coloured
// MUD output at 141 columns are held in little more than their text's
// bytes (a screen-wide line of Cells is 141 x 28 bytes), and a line of
// wide characters in about their UTF-8.
func TestScrollbackMemory(t *testing.T) {
	const keep, cols = 10000, 141
	tm := New(cols, 34, keep)
	var b strings.Builder
	text := 0
	for i := range keep + 100 {
		line := fmt.Sprintf("\x1b[1;33m[Gossip]\x1b[m \x1b[36mSomeone\x1b[m says, 'line %d of the flood, with a \x1b[31mred\x1b[m word and some more text to read.'", i)
		b.WriteString(line + "\r\n")
		if i < keep {
			text += len(line)
		}
	}
	tm.Write([]byte(b.String()))
	if tm.ScrollbackLen() != keep {
		t.Fatalf("ScrollbackLen() = %d", tm.ScrollbackLen())
	}
	// The escape sequences are about as long as the style changes that
	// replace them, so the text with its escapes is a fair bound, with two
	// chunks: the newest one's unused end and the oldest one's lines that
	// were dropped.
	if got, limit := tm.sb.heldBytes(), text+2*chunkSize; got > limit {
		t.Errorf("%d lines held in %d bytes (%.0f a line), more than the %d bytes of their text and escapes and two chunks",
			keep, got, float64(got)/keep, limit)
	}
	slot := int(unsafe.Sizeof(sbLine{}))
	perLine := float64(tm.sb.heldBytes()+keep*slot) / keep
	t.Logf("%.0f bytes a line, with its slot; %d chunks, %d free", perLine, len(tm.sb.chunks), len(tm.sb.free))

	// A wide character and its right half take 4 bytes (3 of UTF-8).
	wide := New(cols, 34, 1000)
	wide.Write([]byte(strings.Repeat(strings.Repeat("漢字", 35)+"\r\n", 1100)))
	if got, limit := wide.sb.heldBytes(), 1000*70*4*21/20+chunkSize; got > limit {
		t.Errorf("1000 lines of 70 wide characters held in %d bytes, more than %d", got, limit)
	}
}

// BenchmarkScrollbackPush measures storing a line of MUD output.
func BenchmarkScrollbackPush(b *testing.B) {
	tm := New(141, 34, 100)
	tm.Write([]byte("\x1b[1;33m[Gossip]\x1b[m \x1b[36mSomeone\x1b[m says, 'a line of the flood, with a \x1b[31mred\x1b[m word and some more text to read.'\r\n"))
	row := slices.Clone(tm.Line(0))
	s := scrollback{max: 10000}
	b.ReportAllocs()
	for b.Loop() {
		s.push(row, false)
	}
}

// BenchmarkScrollbackRead measures decoding a line that is not cached.
func BenchmarkScrollbackRead(b *testing.B) {
	tm := New(141, 34, 1000)
	for range 1000 {
		tm.Write([]byte("\x1b[1;33m[Gossip]\x1b[m \x1b[36mSomeone\x1b[m says, 'a line of the flood, with a \x1b[31mred\x1b[m word and some more text to read.'\r\n"))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		tm.ScrollbackLine(i)
		i = (i + sbCacheSize + 1) % tm.ScrollbackLen()
	}
}
