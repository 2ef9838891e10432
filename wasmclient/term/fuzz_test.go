package term

import (
	"testing"
	"unicode/utf8"
)

// FuzzWrite feeds arbitrary output to terminals of arbitrary sizes and
// checks that Write never panics, that the invariants hold (links
// included: every link resolves to "" or an allowed URI, RowLinks spans
// are in bounds, ordered and valid), that output fed one byte at a time
// or split at a chosen point gives the same state as one Write, and that
// the terminal survives a resize afterwards.
func FuzzWrite(f *testing.F) {
	for _, tc := range screenCases() {
		f.Add([]byte(tc.in), uint8(tc.cols), uint8(tc.rows), uint16(len(tc.in)/2))
	}
	for _, tc := range sgrCases() {
		f.Add([]byte(tc.in+"x\r\n"), uint8(10), uint8(3), uint16(3))
	}
	for _, tc := range linkCases() {
		f.Add([]byte(tc.in), uint8(tc.cols), uint8(tc.rows), uint16(len(tc.in)/2))
	}
	f.Fuzz(func(t *testing.T, data []byte, cols, rows uint8, cut uint16) {
		c, r := int(cols%120)+1, int(rows%50)+1
		const scrollback = 16

		whole := New(c, r, scrollback)
		whole.Write(data)
		checkInvariants(t, whole)
		want := snapshot(whole)

		bytewise := New(c, r, scrollback)
		for i := range data {
			bytewise.Write(data[i : i+1])
		}
		if d := diffState(snapshot(bytewise), want); d != "" {
			t.Fatalf("byte at a time differs from one Write: %s", d)
		}

		at := int(cut) % (len(data) + 1)
		split := New(c, r, scrollback)
		split.Write(data[:at])
		split.WriteString(string(data[at:]))
		if d := diffState(snapshot(split), want); d != "" {
			t.Fatalf("split at %d differs from one Write: %s", at, d)
		}

		// Resize (both ways across the old size) and go on writing.
		whole.Resize(r, c)
		checkInvariants(t, whole)
		whole.Write(data)
		checkInvariants(t, whole)
		whole.Resize(c/2+1, r+7)
		checkInvariants(t, whole)
		_ = whole.Text()
		whole.ClearDirty()
	})
}

// FuzzRowLinks runs RowLinks on arbitrary text laid out as one row and
// checks the spans: in bounds, in order, and every URL found one that
// net/url parses as http or https with a host, made of the row's text.
func FuzzRowLinks(f *testing.F) {
	for _, tc := range linkCases() {
		f.Add(tc.in)
	}
	tm := New(10, 1, 0)
	var spans []Span
	f.Fuzz(func(t *testing.T, s string) {
		row := textRow([]byte(s))
		spans = tm.RowLinks(row, spans[:0])
		checkSpans(t, "text row", tm, row, spans, false)
	})
}

// textRow lays out the valid UTF-8 in p as a row of cells, wide
// characters taking two and marks joining the cell before, without
// interpreting controls: RowLinks gets text no terminal would produce.
func textRow(p []byte) []Cell {
	var row []Cell
	for _, r := range string(p) {
		if r == utf8.RuneError {
			continue
		}
		switch runeWidth(r) {
		case 0:
			if len(row) > 0 {
				i := len(row) - 1
				if row[i].Width == 0 {
					i--
				}
				if row[i].Marks[0] == 0 {
					row[i].Marks[0] = r
				}
			}
		case 2:
			row = append(row, Cell{Rune: r, Width: 2}, Cell{})
		default:
			row = append(row, Cell{Rune: r, Width: 1})
		}
	}
	return row
}
