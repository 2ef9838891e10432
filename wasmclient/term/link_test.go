package term

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"
)

// TestCellSize pins the size of a Cell, which the scrollback's memory is
// proportional to; cell.go documents it.
func TestCellSize(t *testing.T) {
	if got := unsafe.Sizeof(Cell{}); got != 28 {
		t.Errorf("unsafe.Sizeof(Cell{}) = %d, want 28 (update the Cell documentation if this changes on purpose)", got)
	}
}

// spanText describes a span for test output: "X0-X1 osc8|url URI".
func spanText(s Span) string {
	kind := "url"
	if s.Explicit {
		kind = "osc8"
	}
	return fmt.Sprintf("%d-%d %s %s", s.X0, s.X1, kind, s.URI)
}

// screenLinks lists the links on the visible screen, "y:X0-X1 kind URI".
func screenLinks(tm *Terminal) []string {
	var out []string
	_, rows := tm.Size()
	for y := range rows {
		for _, s := range tm.RowLinks(tm.Line(y), nil) {
			out = append(out, fmt.Sprintf("%d:%s", y, spanText(s)))
		}
	}
	return out
}

// linkCase is output and the links wanted on the screen after it.
type linkCase struct {
	name       string
	cols, rows int
	in         string
	want       []string
}

// linkCases are the hyperlink table cases; the fuzz test is seeded with
// them.
func linkCases() []linkCase {
	long := "http://example.org/" + strings.Repeat("a", maxLinkURI-len("http://example.org/"))
	return []linkCase{
		// OSC 8.
		{name: "ST", cols: 20, rows: 2, in: "\x1b]8;;http://example.org/\x1b\\link\x1b]8;;\x1b\\ x", want: []string{"0:0-4 osc8 http://example.org/"}},
		{name: "BEL", cols: 20, rows: 2, in: "a\x1b]8;;https://example.org\x07link\x1b]8;;\x07", want: []string{"0:1-5 osc8 https://example.org"}},
		{name: "parameters ignored", cols: 20, rows: 2, in: "\x1b]8;id=42:x=y;https://a.org/\x07ab\x1b]8;;\x07", want: []string{"0:0-2 osc8 https://a.org/"}},
		{name: "URI with semicolons", cols: 20, rows: 2, in: "\x1b]8;;http://a.org/x;y;z\x07ab\x1b]8;;\x07", want: []string{"0:0-2 osc8 http://a.org/x;y;z"}},
		{name: "mailto", cols: 20, rows: 2, in: "\x1b]8;;mailto:wiz@mud.example\x07mail\x1b]8;;\x07", want: []string{"0:0-4 osc8 mailto:wiz@mud.example"}},
		{name: "scheme in capitals", cols: 20, rows: 2, in: "\x1b]8;;HTTPS://a.org\x07ab\x1b]8;;\x07", want: []string{"0:0-2 osc8 HTTPS://a.org"}},
		{name: "two links", cols: 20, rows: 2, in: "\x1b]8;;http://a.org\x07ab\x1b]8;;http://b.org\x07cd\x1b]8;;\x07e", want: []string{"0:0-2 osc8 http://a.org", "0:2-4 osc8 http://b.org"}},
		{name: "SGR reset keeps the link", cols: 20, rows: 2, in: "\x1b]8;;http://a.org\x07\x1b[1ma\x1b[mb\x1b]8;;\x07c", want: []string{"0:0-2 osc8 http://a.org"}},
		{name: "a title keeps the link", cols: 20, rows: 2, in: "\x1b]8;;http://a.org\x07a\x1b]2;t\x07b\x1b]8;;\x07c", want: []string{"0:0-2 osc8 http://a.org"}},
		{name: "wide characters", cols: 20, rows: 2, in: "\x1b]8;;http://a.org\x07龍x\x1b]8;;\x07", want: []string{"0:0-3 osc8 http://a.org"}},
		{name: "auto-wrap keeps the link", cols: 5, rows: 3, in: "\x1b]8;;http://a.org\x07abcdefg\x1b]8;;\x07h", want: []string{"0:0-5 osc8 http://a.org", "1:0-2 osc8 http://a.org"}},
		{name: "CR keeps the link", cols: 10, rows: 2, in: "\x1b]8;;http://a.org\x07ab\rX", want: []string{"0:0-2 osc8 http://a.org"}},
		{name: "erased cells lose the link", cols: 10, rows: 2, in: "\x1b]8;;http://a.org\x07abc\x1b[2G\x1b[K", want: []string{"0:0-1 osc8 http://a.org"}},
		{name: "overwritten cells lose the link", cols: 10, rows: 2, in: "\x1b]8;;http://a.org\x07abc\x1b]8;;\x07\rX", want: []string{"0:1-3 osc8 http://a.org"}},
		{name: "command", cols: 20, rows: 2, in: "\x1b]8;;mxp:send?c=go+north&t=North\x1b\\north\x1b]8;;\x1b\\", want: []string{"0:0-5 osc8 mxp:send?c=go+north&t=North"}},
		{name: "longest URI", cols: 10, rows: 2, in: "\x1b]8;;" + long + "\x07ab", want: []string{"0:0-2 osc8 " + long}},

		// What opens no link: the text prints all the same.
		{name: "javascript", cols: 10, rows: 2, in: "\x1b]8;;javascript:alert(1)\x07ab", want: nil},
		{name: "file", cols: 10, rows: 2, in: "\x1b]8;;file:///etc/passwd\x07ab", want: nil},
		{name: "data", cols: 10, rows: 2, in: "\x1b]8;;data:text/html,x\x07ab", want: nil},
		{name: "ftp", cols: 10, rows: 2, in: "\x1b]8;;ftp://a.org/\x07ab", want: nil},
		{name: "no host", cols: 10, rows: 2, in: "\x1b]8;;http:///x\x07ab\x1b]8;;http:x\x07cd", want: nil},
		{name: "relative", cols: 10, rows: 2, in: "\x1b]8;;/etc/passwd\x07ab", want: nil},
		{name: "command without a command", cols: 10, rows: 2, in: "\x1b]8;;mxp:send?t=x\x07ab", want: nil},
		{name: "command with a line break", cols: 10, rows: 2, in: "\x1b]8;;mxp:send?c=a%0Ab\x07ab", want: nil},
		{name: "other mxp links", cols: 10, rows: 2, in: "\x1b]8;;mxp:image?c=a\x07ab", want: nil},
		{name: "empty mailto", cols: 10, rows: 2, in: "\x1b]8;;mailto:\x07ab", want: nil},
		{name: "space", cols: 10, rows: 2, in: "\x1b]8;;http://a.org/a b\x07ab", want: nil},
		{name: "not ASCII", cols: 10, rows: 2, in: "\x1b]8;;http://a.org/é\x07ab", want: nil},
		{name: "bad escape", cols: 10, rows: 2, in: "\x1b]8;;http://a.org/%zz\x07ab", want: nil},
		{name: "too long", cols: 10, rows: 2, in: "\x1b]8;;" + long + "a\x07ab", want: nil},
		{name: "no URI field", cols: 10, rows: 2, in: "\x1b]8;http://a.org\x07ab", want: nil},
		{name: "a bad URI closes the open link", cols: 10, rows: 2, in: "\x1b]8;;http://a.org\x07ab\x1b]8;;javascript:x\x07cd", want: []string{"0:0-2 osc8 http://a.org"}},

		// An unterminated OSC 8 never turns later text into links.
		{name: "CAN aborts", cols: 20, rows: 2, in: "\x1b]8;;http://a.org\x18after", want: nil},
		{name: "SUB aborts", cols: 20, rows: 2, in: "\x1b]8;;http://a.org\x1aafter", want: nil},
		{name: "ESC other than ST aborts", cols: 20, rows: 2, in: "\x1b]8;;http://a.org\x1b[mafter", want: nil},
		{name: "an aborted OSC 8 closes the open link", cols: 20, rows: 2, in: "\x1b]8;;http://a.org\x07in\x1b]8;;http://b.org\x18out", want: []string{"0:0-2 osc8 http://a.org"}},
		{name: "an aborted close closes", cols: 20, rows: 2, in: "\x1b]8;;http://a.org\x07in\x1b]8;\x1b[mout", want: []string{"0:0-2 osc8 http://a.org"}},
		{name: "overflow", cols: 20, rows: 2, in: "\x1b]8;;http://a.org/" + strings.Repeat("x", maxOSC) + "\x07after", want: nil},
		{name: "overflow closes the open link", cols: 20, rows: 2, in: "\x1b]8;;http://a.org\x07in\x1b]8;;http://b.org/" + strings.Repeat("x", maxOSC) + "\x07out", want: []string{"0:0-2 osc8 http://a.org"}},
		{name: "LF closes", cols: 10, rows: 3, in: "\x1b]8;;http://a.org\x07ab\r\ncd", want: []string{"0:0-2 osc8 http://a.org"}},
		{name: "bare LF closes", cols: 10, rows: 3, in: "\x1b]8;;http://a.org\x07ab\ncd", want: []string{"0:0-2 osc8 http://a.org"}},
		{name: "VT and FF close", cols: 10, rows: 3, in: "\x1b]8;;http://a.org\x07a\vb\x1b]8;;http://a.org\x07c\fd", want: []string{"0:0-1 osc8 http://a.org", "1:2-3 osc8 http://a.org"}},
		{name: "NEL and IND close", cols: 10, rows: 3, in: "\x1b]8;;http://a.org\x07a\x1bEb\x1b]8;;http://a.org\x07c\x1bDd", want: []string{"0:0-1 osc8 http://a.org", "1:1-2 osc8 http://a.org"}},
		{name: "RIS closes", cols: 10, rows: 2, in: "\x1b]8;;http://a.org\x07\x1bcab", want: nil},
		{name: "DECSTR closes", cols: 10, rows: 2, in: "\x1b]8;;http://a.org\x07\x1b[!pab", want: nil},
		{name: "switching screens closes", cols: 10, rows: 2, in: "\x1b]8;;http://a.org\x07\x1b[?1049hab", want: nil},
		{name: "switching back closes", cols: 10, rows: 2, in: "\x1b[?1049h\x1b]8;;http://a.org\x07x\x1b[?1049lab", want: nil},

		// Plain URLs.
		{name: "plain", cols: 40, rows: 2, in: "see http://example.org/a.", want: []string{"0:4-24 url http://example.org/a"}},
		{name: "plain https in capitals", cols: 40, rows: 2, in: "HTTPS://EXAMPLE.ORG", want: []string{"0:0-19 url HTTPS://EXAMPLE.ORG"}},
		{name: "balanced parentheses", cols: 60, rows: 2, in: "(https://en.wikipedia.org/wiki/Foo_(bar)).", want: []string{"0:1-40 url https://en.wikipedia.org/wiki/Foo_(bar)"}},
		{name: "unbalanced closing", cols: 60, rows: 2, in: "[http://a.org/x] <http://b.org/y> 'http://c.org'", want: []string{"0:1-15 url http://a.org/x", "0:18-32 url http://b.org/y", "0:35-47 url http://c.org"}},
		{name: "trailing punctuation", cols: 60, rows: 2, in: "http://a.org/x?!, http://b.org:;", want: []string{"0:0-14 url http://a.org/x", "0:18-30 url http://b.org"}},
		{name: "query and fragment", cols: 60, rows: 2, in: "http://a.org:4000/p?q=1&r=%41#f", want: []string{"0:0-31 url http://a.org:4000/p?q=1&r=%41#f"}},
		{name: "www", cols: 60, rows: 2, in: "visit www.mud.example.org, or WWW.A.ORG/x", want: []string{"0:6-25 url https://www.mud.example.org", "0:30-41 url https://WWW.A.ORG/x"}},
		{name: "IRI", cols: 60, rows: 2, in: "https://de.wikipedia.org/wiki/Drachenhöhle!", want: []string{"0:0-42 url https://de.wikipedia.org/wiki/Drachenhöhle"}},
		{name: "combining mark in a path", cols: 60, rows: 2, in: "http://a.org/e\u0301", want: []string{"0:0-14 url http://a.org/e\u0301"}},
		{name: "wide text ends a URL", cols: 60, rows: 2, in: "https://a.org/x東京", want: []string{"0:0-15 url https://a.org/x"}},
		{name: "not inside a word", cols: 60, rows: 2, in: "xhttp://a.org foo.www.b.org u@www.c.org /www.d.org", want: nil},
		{name: "not a URL", cols: 80, rows: 2, in: "http:// http://. www.mud http://-a.org http://a.org:8x/ http://u@a.org/ http://[::1]/ http://a.org/100% www.a.", want: nil},
		{name: "not a URL either", cols: 120, rows: 2, in: "www..org http://a..org http://a.org:8\u0301 http://a.org/%e\u0301a <http://٣www.https://,;B1'%e\u0301a1", want: nil},
		{name: "OSC 8 wins", cols: 60, rows: 2, in: "\x1b]8;;http://a.org\x07http://b.org\x1b]8;;\x07 http://c.org", want: []string{"0:0-12 osc8 http://a.org", "0:13-25 url http://c.org"}},
		{name: "plain right after OSC 8", cols: 60, rows: 2, in: "\x1b]8;;http://a.org\x07X\x1b]8;;\x07http://b.org", want: []string{"0:0-1 osc8 http://a.org", "0:1-13 url http://b.org"}},
		{name: "plain up to an OSC 8", cols: 60, rows: 2, in: "http://b.org/\x1b]8;;http://a.org\x07X", want: []string{"0:0-13 url http://b.org/", "0:13-14 osc8 http://a.org"}},
	}
}

func TestLinks(t *testing.T) {
	for _, tc := range linkCases() {
		t.Run(tc.name, func(t *testing.T) {
			tm := New(tc.cols, tc.rows, 10)
			tm.WriteString(tc.in)
			checkInvariants(t, tm)
			checkLinks(t, tm)
			if got := screenLinks(tm); !slices.Equal(got, tc.want) {
				t.Errorf("links = %q, want %q", got, tc.want)
			}
			// Byte at a time gives the same links.
			bw := New(tc.cols, tc.rows, 10)
			for i := range len(tc.in) {
				bw.WriteString(tc.in[i : i+1])
			}
			if got := screenLinks(bw); !slices.Equal(got, tc.want) {
				t.Errorf("byte at a time: links = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestLinkTextPrints checks that OSC 8, valid or not, changes nothing but
// links: the text is what it is without it.
func TestLinkTextPrints(t *testing.T) {
	tm := New(40, 3, 0)
	tm.WriteString("\x1b]8;;javascript:x\x07a\x1b]8;;http://a.org\x07b\x1b]8;;\x07c")
	if got, want := tm.Text(), "abc\n\n"; got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
}

func TestLinksGoToScrollback(t *testing.T) {
	tm := New(10, 2, 10)
	tm.WriteString("\x1b]8;;http://a.org\x07abc\x1b]8;;\x07 \x1b]8;;http://b.org\x07 \x1b]8;;\x07\r\n1\r\n2\r\n")
	if tm.ScrollbackLen() != 2 {
		t.Fatalf("ScrollbackLen() = %d, want 2", tm.ScrollbackLen())
	}
	var got []string
	for _, s := range tm.RowLinks(tm.ScrollbackLine(0), nil) {
		got = append(got, spanText(s))
	}
	// The linked space at the end is not trimmed away as a blank.
	if want := []string{"0-3 osc8 http://a.org", "4-5 osc8 http://b.org"}; !slices.Equal(got, want) {
		t.Errorf("scrollback links = %q, want %q", got, want)
	}
	// They come back with the line when the screen grows.
	tm.Resize(10, 4)
	if got := screenLinks(tm); len(got) != 2 || got[0] != "0:0-3 osc8 http://a.org" {
		t.Errorf("links after a resize = %q", got)
	}
}

// TestLinkSameURIReused checks that a link reopened with the same URI, as
// a game that links every line sends it, takes no new table entry.
func TestLinkSameURIReused(t *testing.T) {
	tm := New(20, 5, 100)
	for range 100 {
		tm.WriteString("\x1b]8;;http://a.org\x07x\x1b]8;;\x07\r\n")
	}
	if got := len(tm.links.entries); got != 1 {
		t.Errorf("table entries = %d, want 1", got)
	}
	if got := tm.LinkURI(tm.ScrollbackLine(0)[0]); got != "http://a.org" {
		t.Errorf("oldest line's link = %q, want http://a.org", got)
	}
}

// writeLinks writes n lines, each with a link to http://n.example/i, i
// counting from first.
func writeLinks(tm *Terminal, first, n int) {
	var b []byte
	for i := first; i < first+n; i++ {
		b = fmt.Appendf(b[:0], "\x1b]8;;http://n.example/%d\x07L\x1b]8;;\x07\r\n", i)
		tm.Write(b)
	}
}

// TestLinkTableBounded checks that the table holds the latest maxLinks
// links, that older cells resolve to nothing rather than to a newer URI,
// and that ids coming round never give an old cell a new link.
func TestLinkTableBounded(t *testing.T) {
	tm := New(10, 2, linkIDs+10)
	writeLinks(tm, 0, maxLinks)
	first := func() Cell { return tm.ScrollbackLine(0)[0] }
	if got := tm.LinkURI(first()); got != "http://n.example/0" {
		t.Fatalf("first link = %q, want http://n.example/0", got)
	}
	writeLinks(tm, maxLinks, 1)
	if got := tm.LinkURI(first()); got != "" {
		t.Errorf("first link after %d more = %q, want \"\"", maxLinks, got)
	}
	if got := tm.LinkURI(tm.ScrollbackLine(1)[0]); got != "http://n.example/1" {
		t.Errorf("second link = %q, want http://n.example/1", got)
	}
	if got := len(tm.links.entries); got != maxLinks {
		t.Errorf("table entries = %d, want %d", got, maxLinks)
	}
	// Go all the way round the ids: id 1 is issued again, and the first
	// cell, which had it, must not resolve to the new link.
	writeLinks(tm, maxLinks+1, linkIDs-maxLinks)
	if tm.links.last != 1 {
		t.Fatalf("last id = %d, want 1 (ids came round)", tm.links.last)
	}
	if got := tm.LinkURI(first()); got != "" {
		t.Errorf("first link after the ids came round = %q, want \"\" (it was swept: id %d)", got, first().Link)
	}
	newest := tm.Line(0)[0]
	if got, want := tm.LinkURI(newest), fmt.Sprintf("http://n.example/%d", linkIDs); got != want {
		t.Errorf("newest link = %q, want %q", got, want)
	}
	checkLinks(t, tm)
}

// TestRowLinksAllocations checks that RowLinks allocates only the strings
// of the plain URLs it finds.
func TestRowLinksAllocations(t *testing.T) {
	tm := New(80, 2, 0)
	tm.WriteString("\x1b]8;;http://a.org\x07link\x1b]8;;\x07 plain text, no URL: a.org www www. http:\r\n")
	tm.WriteString("http://b.org/x and www.c.org")
	dst := make([]Span, 0, 8)
	tests := []struct {
		y    int
		want float64
	}{{0, 0}, {1, 2}}
	for _, tt := range tests {
		got := testing.AllocsPerRun(100, func() { dst = tm.RowLinks(tm.Line(tt.y), dst[:0]) })
		if got != tt.want {
			t.Errorf("row %d: %v allocations, want %v", tt.y, got, tt.want)
		}
	}
}

// TestRowLinksBounds feeds RowLinks rows the terminal never makes: longer
// than a screen and a URL over the length bound.
func TestRowLinksBounds(t *testing.T) {
	tm := New(10, 1, 0)
	row := func(s string) []Cell {
		var cells []Cell
		for _, r := range s {
			cells = append(cells, Cell{Rune: r, Width: 1})
		}
		return cells
	}
	fits := "http://a.org/" + strings.Repeat("a", maxLinkURI-len("http://a.org/"))
	if got := tm.RowLinks(row(fits), nil); len(got) != 1 || got[0].URI != fits {
		t.Errorf("URL of %d bytes: %d spans, want it", len(fits), len(got))
	}
	if got := tm.RowLinks(row(fits+"a"), nil); len(got) != 0 {
		t.Errorf("URL of %d bytes: %v, want none", len(fits)+1, got)
	}
	if got := tm.RowLinks(nil, nil); len(got) != 0 {
		t.Errorf("RowLinks(nil) = %v", got)
	}
	// A cell from another terminal, or one out of range, resolves to "".
	for _, id := range []uint16{1, linkIDs, linkIDs + 1, 0xffff} {
		if got := tm.LinkURI(Cell{Link: id}); got != "" {
			t.Errorf("LinkURI(id %d) = %q, want \"\"", id, got)
		}
	}
}

// checkLinks fails t if a cell's link resolves to anything but "" or an
// allowed URI, or if RowLinks breaks its promises on any row.
func checkLinks(t testing.TB, tm *Terminal) {
	t.Helper()
	var spans []Span
	check := func(where string, row []Cell) {
		for x, c := range row {
			if uri := tm.LinkURI(c); uri != "" && !validLinkURI([]byte(uri)) {
				t.Fatalf("%s cell %d: link %q is not an allowed URI", where, x, uri)
			}
		}
		spans = tm.RowLinks(row, spans[:0])
		checkSpans(t, where, tm, row, spans, false)
	}
	for s := range tm.screens {
		for y, l := range tm.screens[s] {
			check(fmt.Sprintf("screen %d row %d", s, y), l.cells)
		}
	}
	for i := range tm.ScrollbackLen() {
		check(fmt.Sprintf("scrollback line %d", i), tm.ScrollbackLine(i))
	}
	for i := range tm.ScrollbackLen() + len(tm.screens[0]) {
		spans = tm.LineLinks(i, spans[:0])
		checkSpans(t, fmt.Sprintf("LineLinks(%d)", i), tm, tm.lineAt(i), spans, true)
	}
}

// checkSpans checks the spans RowLinks returned for row: in bounds, in
// order, not overlapping, explicit ones matching the cells' links, plain
// ones valid URLs made of the cells' text, or containing it if the spans
// came from LineLinks (wrapped set).
func checkSpans(t testing.TB, where string, tm *Terminal, row []Cell, spans []Span, wrapped bool) {
	t.Helper()
	prev := 0
	for _, s := range spans {
		if s.X0 < prev || s.X0 >= s.X1 || s.X1 > len(row) {
			t.Fatalf("%s: span %s out of order or bounds (row of %d)", where, spanText(s), len(row))
		}
		prev = s.X1
		if s.Explicit {
			for x := s.X0; x < s.X1; x++ {
				if got := tm.LinkURI(row[x]); got != s.URI {
					t.Fatalf("%s: span %s covers cell %d linked to %q", where, spanText(s), x, got)
				}
			}
			continue
		}
		for x := s.X0; x < s.X1; x++ {
			if tm.LinkURI(row[x]) != "" {
				t.Fatalf("%s: plain span %s overlaps an OSC 8 link at %d", where, spanText(s), x)
			}
		}
		if err := checkPlainURL(s.URI); err != nil {
			t.Fatalf("%s: span %s: %v", where, spanText(s), err)
		}
		text := RowText(row[s.X0:s.X1])
		if wrapped && strings.Contains(s.URI, text) {
			continue
		}
		if s.URI != text && s.URI != "https://"+text {
			t.Fatalf("%s: span %s: URI is not the text %q", where, spanText(s), text)
		}
	}
}

// checkPlainURL checks a URL found in the text as a browser will get it.
func checkPlainURL(s string) error {
	if !utf8.ValidString(s) || len(s) > maxLinkURI {
		return fmt.Errorf("invalid UTF-8 or too long")
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return fmt.Errorf("control character or space %U", r)
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" || u.User != nil {
		return fmt.Errorf("scheme %q host %q opaque %q user %v", u.Scheme, u.Host, u.Opaque, u.User)
	}
	return nil
}

// allLineLinks lists LineLinks for every line, "i:X0-X1 kind URI".
func allLineLinks(tm *Terminal) []string {
	var out []string
	_, rows := tm.Size()
	for i := range tm.ScrollbackLen() + rows {
		for _, s := range tm.LineLinks(i, nil) {
			out = append(out, fmt.Sprintf("%d:%s", i, spanText(s)))
		}
	}
	return out
}

func TestLineLinks(t *testing.T) {
	tests := []struct {
		name       string
		cols, rows int
		in         string
		want       []string
	}{
		{
			name: "a URL wrapped over three rows", cols: 10, rows: 4, in: "see http://example.org/abc def",
			want: []string{"0:4-10 url http://example.org/abc", "1:0-10 url http://example.org/abc", "2:0-6 url http://example.org/abc"},
		},
		{
			name: "from the scrollback onto the screen", cols: 10, rows: 2, in: "xx\r\nsee http://example.org/abc def",
			want: []string{"1:4-10 url http://example.org/abc", "2:0-10 url http://example.org/abc", "3:0-6 url http://example.org/abc"},
		},
		{
			name: "a space at the wrap is kept in the scrollback", cols: 10, rows: 2, in: "123456789 http://a.org\r\nz",
			want: []string{"1:0-10 url http://a.org", "2:0-2 url http://a.org"},
		},
		{
			name: "a newline is not a wrap", cols: 10, rows: 4, in: "see http:/\r\n/example.org",
			want: nil,
		},
		{
			name: "the main screen continues the history", cols: 10, rows: 2, in: "xxxx http://a.org\r\nz",
			want: []string{"0:5-10 url http://a.org", "1:0-7 url http://a.org"},
		},
		{
			name: "the alternate screen does not", cols: 10, rows: 2, in: "xxxx http://a.org\r\nz\x1b[?1049h\x1b[H//b.org",
			want: nil,
		},
		{
			name: "the trailing punctuation on the next row is trimmed", cols: 10, rows: 3, in: "(http://a.org/x).",
			want: []string{"0:1-10 url http://a.org/x", "1:0-5 url http://a.org/x"},
		},
		{
			name: "OSC 8 across a wrap", cols: 5, rows: 3, in: "ab\x1b]8;;http://a.org\x07cdefg\x1b]8;;\x07 http://b.org",
			want: []string{"0:2-5 osc8 http://a.org", "1:0-2 osc8 http://a.org", "1:3-5 url http://b.org", "2:0-5 url http://b.org", "3:0-5 url http://b.org"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm := New(tt.cols, tt.rows, 10)
			tm.WriteString(tt.in)
			checkInvariants(t, tm)
			if got := allLineLinks(tm); !slices.Equal(got, tt.want) {
				t.Errorf("LineLinks = %q, want %q", got, tt.want)
			}
		})
	}
	tm := New(10, 2, 0)
	dst := []Span{{X0: 1}}
	if got := tm.LineLinks(-1, dst); len(got) != 1 {
		t.Errorf("LineLinks(-1) changed dst: %v", got)
	}
	if got := tm.LineLinks(2, dst); len(got) != 1 {
		t.Errorf("LineLinks(2) changed dst: %v", got)
	}
}

// TestLineLinksAllocations checks that LineLinks, once its buffer has
// grown, allocates only the string of the URL on the line asked for.
func TestLineLinksAllocations(t *testing.T) {
	tm := New(10, 6, 0)
	tm.WriteString("http://a.org/0123456789 see http://b.org/0123456789")
	dst := make([]Span, 0, 8)
	dst = tm.LineLinks(1, dst[:0])
	got := testing.AllocsPerRun(100, func() { dst = tm.LineLinks(1, dst[:0]) })
	if got != 1 || len(dst) != 1 || dst[0].URI != "http://a.org/0123456789" {
		t.Errorf("LineLinks(1) = %v with %v allocations, want one URL and 1 allocation", dst, got)
	}
}
