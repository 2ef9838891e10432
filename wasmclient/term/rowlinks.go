package term

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is a link in a row of cells: columns [X0, X1) and its target.
type Span struct {
	X0, X1   int
	URI      string
	Explicit bool // true for an OSC 8 hyperlink, false for a URL found in the text
}

// RowLinks returns the links in a row of cells (from Line or
// ScrollbackLine): OSC 8 hyperlinks and plain URLs, left to right, not
// overlapping (OSC 8 wins). It appends to dst and returns it.
//
// An OSC 8 span is a run of cells with the same link. Plain URLs are
// found in the text between them, as described in the package
// documentation. RowLinks sees one row, so a URL that auto-wrapped is cut
// at the row's edge; [Terminal.LineLinks] follows it.
//
// It is meant to run on mouse hover: it allocates nothing but the strings
// of the plain URLs it finds, and nothing at all when dst has room and
// there are none.
func (t *Terminal) RowLinks(row []Cell, dst []Span) []Span {
	return t.appendLinks(dst, row, 0, len(row))
}

// LineLinks returns the links in line i of the whole text, numbered as
// one list: the scrollback's lines first (0 the oldest), then the visible
// screen's rows, so that screen row y is line ScrollbackLen()+y. It is
// RowLinks on that line, except that a plain URL that auto-wrapped from
// the lines above or onto the lines below (Wrapped, ScrollbackWrapped) is
// found whole: its span covers this line's part of it and its URI is all
// of it. On the alternate screen the scrollback does not continue onto
// row 0. Out of range, it returns dst as it is.
//
// Like RowLinks it allocates only the plain URLs' strings, once a buffer
// the terminal keeps for joining lines has grown (to at most a few
// thousand cells).
func (t *Terminal) LineLinks(i int, dst []Span) []Span {
	if i < 0 || i >= t.sb.n+t.rows {
		return dst
	}
	row := t.lineAt(i)
	// A URL reaching into line i starts or ends at most maxLinkURI cells
	// away (a cell is at least one byte of it).
	first, before := i, 0
	for before < maxLinkURI && first > 0 && t.joins(first-1) {
		first--
		before += len(t.lineAt(first))
	}
	last, after := i, 0
	for after < maxLinkURI && t.joins(last) {
		last++
		after += len(t.lineAt(last))
	}
	if first == last {
		return t.appendLinks(dst, row, 0, len(row))
	}
	buf := t.linkBuf[:0]
	w0 := 0
	for j := first; j <= last; j++ {
		if j == i {
			w0 = len(buf)
		}
		buf = append(buf, t.lineAt(j)...)
	}
	t.linkBuf = buf
	return t.appendLinks(dst, buf, w0, w0+len(row))
}

// lineAt returns line j as LineLinks numbers them; j must be in range.
func (t *Terminal) lineAt(j int) []Cell {
	if j < t.sb.n {
		return t.sb.at(j).cells
	}
	return t.screens[t.active][j-t.sb.n].cells
}

// joins reports whether line j, as LineLinks numbers them, auto-wrapped
// onto line j+1.
func (t *Terminal) joins(j int) bool {
	switch {
	case j+1 >= t.sb.n+t.rows:
		return false
	case j+1 < t.sb.n:
		return t.sb.at(j).wrapped
	case j+1 == t.sb.n:
		// The newest scrollback line went on onto the main screen's row 0.
		return t.active == 0 && t.sb.at(j).wrapped
	}
	return t.screens[t.active][j-t.sb.n].wrapped
}

// appendLinks appends the links found in cells that overlap the window
// of cells [w0, w1), cut to the window and counted from w0.
func (t *Terminal) appendLinks(dst []Span, cells []Cell, w0, w1 int) []Span {
	for x := 0; x < len(cells) && x < w1; {
		if uri := t.LinkURI(cells[x]); uri != "" {
			id := cells[x].Link
			end := x + 1
			for end < len(cells) && cells[end].Link == id {
				end++
			}
			dst = appendInWindow(dst, Span{X0: x, X1: end, URI: uri, Explicit: true}, w0, w1)
			x = end
			continue
		}
		end := x + 1
		for end < len(cells) && t.LinkURI(cells[end]) == "" {
			end++
		}
		dst = appendPlainLinks(dst, cells, x, end, w0, w1)
		x = end
	}
	return dst
}

// appendInWindow appends s, cut to the window [w0, w1) and counted from
// w0, if it overlaps the window.
func appendInWindow(dst []Span, s Span, w0, w1 int) []Span {
	if s.X1 <= w0 || s.X0 >= w1 {
		return dst
	}
	s.X0, s.X1 = max(s.X0, w0)-w0, min(s.X1, w1)-w0
	return append(dst, s)
}

// appendPlainLinks appends the plain URLs found in cells [x0, x1) that
// overlap the window [w0, w1), as appendInWindow does. Only those get a
// string.
func appendPlainLinks(dst []Span, cells []Cell, x0, x1, w0, w1 int) []Span {
	for x := x0; x < x1 && x < w1; x++ {
		r := cells[x].Rune
		if r != 'h' && r != 'H' && r != 'w' && r != 'W' {
			continue
		}
		end, ok := plainURL(cells, x0, x, x1)
		if ok && end > w0 {
			dst = appendInWindow(dst, Span{X0: x, X1: end, URI: urlString(cells[x:end])}, w0, w1)
		}
		x = end - 1
	}
	return dst
}

// plainURL reports whether a URL starts at cell x of row, within cells
// [x0, x1), and returns its end. Cells before x0 (an OSC 8 link) count as
// a word boundary. If there is no URL, end is where to look for the next
// one: past the run of URL characters that did not make one, so that
// every cell is looked at a bounded number of times however the text
// tries to make the search quadratic.
func plainURL(row []Cell, x0, x, x1 int) (end int, ok bool) {
	var host int // cell where the host starts
	switch {
	case matchCells(row[x:x1], "https://"):
		host = x + len("https://")
	case matchCells(row[x:x1], "http://"):
		host = x + len("http://")
	case matchCells(row[x:x1], "www."):
		host = x
	default:
		return x + 1, false
	}
	if x > x0 && !urlStartsAfter(&row[x-1], host == x) {
		return x + 1, false
	}
	run := host
	for run < x1 && urlCell(&row[run]) {
		run++
	}
	end = trimURL(row, x, run)
	if !validHost(row[host:end], host == x) || !validEscapes(row[host:end]) || urlLen(row[x:end], host == x) > maxLinkURI {
		return run, false
	}
	return end, true
}

// matchCells reports whether cells begin with the ASCII text s, letters
// in either case.
func matchCells(cells []Cell, s string) bool {
	if len(cells) < len(s) {
		return false
	}
	for i := range len(s) {
		c := &cells[i]
		if c.Width != 1 || c.Marks[0] != 0 || c.Rune >= utf8.RuneSelf || lowerASCII(byte(c.Rune)) != s[i] {
			return false
		}
	}
	return true
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// urlStartsAfter reports whether a URL may start after cell c: not in the
// middle of a word, and for a bare www. name not inside a longer name,
// path or address.
func urlStartsAfter(c *Cell, www bool) bool {
	r := c.Rune
	if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' {
		return false
	}
	return !www || (r != '.' && r != '-' && r != '/' && r != '@')
}

// urlCell reports whether c may be part of a plain URL: one narrow
// character that RFC 3986 allows (unreserved, reserved or '%'), or a
// letter or digit beyond ASCII with combining marks, as in an IRI.
// Wide characters end a URL, so that CJK text right after one is not
// taken into it.
func urlCell(c *Cell) bool {
	if c.Width != 1 {
		return false
	}
	r := c.Rune
	if c.Marks[0] == 0 && r < utf8.RuneSelf {
		return urlByte(byte(r))
	}
	if r == utf8.RuneError || !unicode.IsLetter(r) && !unicode.IsDigit(r) {
		return false
	}
	for _, m := range c.Marks {
		if m != 0 && !unicode.In(m, unicode.Mn, unicode.Me) {
			return false
		}
	}
	return true
}

// urlByte reports whether ASCII byte b may appear in a plain URL.
func urlByte(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("-._~:/?#[]@!$&'()*+,;=%", b) >= 0
}

// trimURL drops from the end of the URL in cells [x0, end) what is more
// likely the sentence's than the URL's: . , ; : ! ? ' and a closing ) or ]
// without its opening one, as in "(see http://example.org/a)."
func trimURL(row []Cell, x0, end int) int {
	var paren, bracket int // opened minus closed
	for _, c := range row[x0:end] {
		switch c.Rune {
		case '(':
			paren++
		case ')':
			paren--
		case '[':
			bracket++
		case ']':
			bracket--
		}
	}
	for end > x0 {
		switch row[end-1].Rune {
		case '.', ',', ';', ':', '!', '?', '\'':
		case ')':
			if paren >= 0 {
				return end
			}
			paren++
		case ']':
			if bracket >= 0 {
				return end
			}
			bracket++
		default:
			return end
		}
		end--
	}
	return end
}

// validHost reports whether cells, which start with the host, start with
// a host name that net/url accepts and that looks like one: letters,
// digits, '-' and '.', beginning with a letter or digit, no empty label,
// and an optional port. A bare www. name needs a dot after "www." (www.example.org). User
// names, IP literals in brackets and anything else odd make no link.
func validHost(cells []Cell, www bool) bool {
	n := 0
	for n < len(cells) && !isCellRune(&cells[n], '/', '?', '#') {
		n++
	}
	name, port := cells[:n], cells[:0]
	for i := range name {
		if name[i].Rune == ':' {
			name, port = cells[:i], cells[i+1:n]
			break
		}
	}
	for _, c := range port {
		if c.Rune < '0' || c.Rune > '9' || c.Marks[0] != 0 {
			return false
		}
	}
	if len(name) == 0 || !isAlnumCell(&name[0]) {
		return false
	}
	dots := 0
	for i := range name {
		switch r := name[i].Rune; {
		case r == '.':
			if name[i-1].Rune == '.' {
				return false // an empty label
			}
			dots++
		case r == '-' || isAlnumCell(&name[i]):
		default:
			return false
		}
	}
	if www {
		last := name[len(name)-1].Rune
		return dots >= 2 && last != '.' && last != '-'
	}
	return true
}

func isCellRune(c *Cell, runes ...rune) bool {
	for _, r := range runes {
		if c.Rune == r {
			return true
		}
	}
	return false
}

// isAlnumCell reports whether c, a URL cell, is a letter or digit.
func isAlnumCell(c *Cell) bool {
	return unicode.IsLetter(c.Rune) || unicode.IsDigit(c.Rune)
}

// validEscapes reports whether every '%' in cells starts a %XX escape, as
// net/url requires in a path and fragment.
func validEscapes(cells []Cell) bool {
	for i := range cells {
		if cells[i].Rune != '%' {
			continue
		}
		if i+2 >= len(cells) || !isHexCell(&cells[i+1]) || !isHexCell(&cells[i+2]) {
			return false
		}
	}
	return true
}

func isHexCell(c *Cell) bool {
	r := c.Rune
	return c.Marks[0] == 0 && ('0' <= r && r <= '9' || 'a' <= r && r <= 'f' || 'A' <= r && r <= 'F')
}

// urlLen returns the length in bytes of the URL urlString makes.
func urlLen(cells []Cell, www bool) int {
	n := 0
	if www {
		n = len("https://")
	}
	for i := range cells {
		n += utf8.RuneLen(cells[i].Rune)
		for _, m := range cells[i].Marks {
			if m != 0 {
				n += utf8.RuneLen(m)
			}
		}
	}
	return n
}

// urlString returns the URL in cells, with https:// before a bare www.
// name, in one allocation.
func urlString(cells []Cell) string {
	www := lowerASCII(byte(cells[0].Rune)) == 'w'
	var b strings.Builder
	b.Grow(urlLen(cells, www))
	if www {
		b.WriteString("https://")
	}
	for i := range cells {
		b.WriteRune(cells[i].Rune)
		for _, m := range cells[i].Marks {
			if m != 0 {
				b.WriteRune(m)
			}
		}
	}
	return b.String()
}
