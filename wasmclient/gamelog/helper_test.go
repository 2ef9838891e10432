package gamelog

import (
	"bytes"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// testStart is when test logs start.
var testStart = time.Date(2025, 3, 1, 20, 15, 4, 0, time.FixedZone("", 3600))

// clock is a fake clock: each reading is a second after the last.
type clock struct{ t time.Time }

func (c *clock) now() time.Time {
	t := c.t
	c.t = c.t.Add(time.Second)
	return t
}

// newTestLog returns a log on a fake clock that starts at testStart.
func newTestLog() *Log {
	c := &clock{t: testStart}
	return New(Config{Now: c.now})
}

// String shows a style in test failures: "{fg=1 bg=#0a0b0c bold}".
func (st style) String() string {
	var parts []string
	col := func(c color) string {
		switch c.Kind() {
		case 1:
			return strconv.Itoa(int(uint8(c)))
		case 2:
			return "#" + strconv.FormatUint(uint64(c&0xffffff)|1<<24, 16)[1:]
		}
		return "default"
	}
	if st.fg != 0 {
		parts = append(parts, "fg="+col(st.fg))
	}
	if st.bg != 0 {
		parts = append(parts, "bg="+col(st.bg))
	}
	names := []string{"bold", "faint", "italic", "underline", "inverse", "hidden", "strike"}
	for i, n := range names {
		if st.attr&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// show returns a line as tests spell it: its kind's initial, ':', and its
// text with each change of style written where it happens.
func show(ln *line) string {
	var b strings.Builder
	b.WriteString(ln.kind.String()[:1] + ":")
	text := ln.text()
	rr := runReader{enc: ln.data[ln.n:]}
	pos := 0
	for {
		off, st, ok := rr.next()
		if !ok {
			break
		}
		b.WriteString(text[pos:off])
		b.WriteString(st.String())
		pos = off
	}
	b.WriteString(text[pos:])
	return b.String()
}

// dump returns every line of l as show spells it, the line still being
// received last, its kind shown as '~'.
func dump(l *Log) []string {
	l.seal()
	var out []string
	for i := l.head; i < len(l.lines); i++ {
		out = append(out, show(&l.lines[i]))
	}
	if ln, ok := l.partial(); ok {
		out = append(out, "~"+show(&ln)[1:])
	}
	return out
}

func textOf(t testing.TB, l *Log) string {
	t.Helper()
	var b bytes.Buffer
	if err := l.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func htmlOf(t testing.TB, l *Log, title string) string {
	t.Helper()
	var b bytes.Buffer
	if err := l.WriteHTML(&b, title); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// checkText checks what WriteText wrote: valid UTF-8 without control
// characters other than '\n', ending with '\n'.
func checkText(t testing.TB, text string) {
	t.Helper()
	if !utf8.ValidString(text) {
		t.Fatalf("WriteText wrote invalid UTF-8: %q", text)
	}
	for i, r := range text {
		if r != '\n' && (r < 0x20 || (r >= 0x7f && r < 0xa0)) {
			t.Fatalf("WriteText wrote control character %U at %d: %q", r, i, text)
		}
	}
	if !strings.HasSuffix(text, "\n") {
		t.Fatalf("WriteText did not end with a line feed: %q", text)
	}
}

var (
	// tagRE matches the only tags a rendering may hold within the <pre>.
	tagRE = regexp.MustCompile(`<span style="[a-z0-9#:; -]+">|<span class="(?:m|in)">|</span>`)
	// headRE matches the document up to the <pre>.
	headRE = regexp.MustCompile(`^<!doctype html>\n<html>\n<head>\n<meta charset="utf-8">\n` +
		`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">\n` +
		`<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
		`<meta name="color-scheme" content="dark">\n` +
		`<title>([^<>"']*)</title>\n<style>\n[^<>]*</style>\n</head>\n<body>\n<pre>`)
)

// checkHTML checks what WriteHTML wrote against what WriteText wrote for
// the same log: the fixed head with title escaped, within the <pre> only
// the spans the renderer makes, not nested, and the text, once the spans
// are removed and entities decoded, equal to the plain text.
func checkHTML(t testing.TB, doc, text, title string) {
	t.Helper()
	if strings.Contains(strings.ToLower(doc), "<script") {
		t.Fatalf("WriteHTML wrote <script: %q", doc)
	}
	if !utf8.ValidString(doc) {
		t.Fatalf("WriteHTML wrote invalid UTF-8: %q", doc)
	}
	m := headRE.FindStringSubmatchIndex(doc)
	if m == nil {
		t.Fatalf("WriteHTML's head is not the expected one: %q", doc[:min(len(doc), 600)])
	}
	wantTitle := cleanInput(title)
	if title == "" {
		wantTitle = "Drawbridge log"
	}
	if got := html.UnescapeString(doc[m[2]:m[3]]); got != wantTitle {
		t.Fatalf("got title %q, want %q", got, wantTitle)
	}
	const tail = "</pre>\n</body>\n</html>\n"
	if !strings.HasSuffix(doc, tail) {
		t.Fatalf("WriteHTML's document does not end with %q: %q", tail, doc[max(0, len(doc)-100):])
	}
	body := doc[m[1] : len(doc)-len(tail)]
	open := false
	for _, tag := range tagRE.FindAllString(body, -1) {
		closing := tag == "</span>"
		if closing != open {
			t.Fatalf("spans nested or unbalanced at %q in %q", tag, body)
		}
		open = !closing
	}
	if open {
		t.Fatalf("span left open in %q", body)
	}
	stripped := tagRE.ReplaceAllString(body, "")
	if i := strings.IndexAny(stripped, `<>"'`); i >= 0 {
		t.Fatalf("unescaped %q in the text of %q", stripped[i], body)
	}
	if got := html.UnescapeString(stripped); got != text {
		t.Fatalf("the HTML's text differs from WriteText's:\n got %q\nwant %q", got, text)
	}
}

// checkBounds checks the log's memory bounds.
func checkBounds(t testing.TB, l *Log) {
	t.Helper()
	if l.Lines() > 1 && l.bytes > l.max {
		t.Fatalf("kept %d bytes, bound %d", l.bytes, l.max)
	}
	sum, start := 0, int32(0)
	for i, end := range l.openEnds {
		if n := l.openFrom + i; n >= l.dropped {
			sum += int(end - start)
		}
		start = end
	}
	if len(l.open) > chunkSize+12*MaxLine || len(l.openEnds) != l.dropped+l.Lines()-l.openFrom {
		t.Fatalf("%d bytes of %d lines not sealed; %d dropped, %d kept, the first unsealed %d", len(l.open), len(l.openEnds), l.dropped, l.Lines(), l.openFrom)
	}
	for i := l.head; i < len(l.lines); i++ {
		ln := &l.lines[i]
		sum += len(ln.data) + lineCost
		if ln.n > MaxLine {
			t.Fatalf("line %d holds %d bytes, more than MaxLine", i, ln.n)
		}
	}
	if sum != l.bytes {
		t.Fatalf("counted %d bytes, the lines hold %d", l.bytes, sum)
	}
	c := &l.cur
	if c.cellMode && (c.cellBytes > MaxLine || len(c.cells) > MaxLine || len(c.buf) != 0) {
		t.Fatalf("current line: %d bytes in %d cells, %d in buf", c.cellBytes, len(c.cells), len(c.buf))
	}
	if !c.cellMode && (len(c.buf) > MaxLine || c.ncols > len(c.buf)) {
		t.Fatalf("current line: %d bytes, %d columns", len(c.buf), c.ncols)
	}
	if c.col > MaxLine {
		t.Fatalf("cursor at column %d", c.col)
	}
	if len(l.lines) > 2*l.Lines()+2 {
		t.Fatalf("%d entries hold %d lines", len(l.lines), l.Lines())
	}
}
