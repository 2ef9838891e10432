package gamelog

import (
	icolor "image/color"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/drawbridge/drawbridge/wasmclient/term"
)

// headerTime is how the header writes times.
const headerTime = "2006-01-02 15:04:05 -0700"

// flushAt is how many bytes a rendering gathers before writing them.
const flushAt = 32 << 10

// output gathers a rendering and writes it in pieces, keeping the first
// error.
type output struct {
	w   io.Writer
	buf []byte
	err error
}

func (o *output) maybeFlush() {
	if len(o.buf) >= flushAt {
		o.flush()
	}
}

func (o *output) flush() {
	if o.err == nil && len(o.buf) > 0 {
		_, o.err = o.w.Write(o.buf)
	}
	o.buf = o.buf[:0]
}

// each calls fn for each kept line and then for the line still being
// received, if it has any text, until fn returns false.
func (l *Log) each(fn func(ln *line) bool) {
	l.seal()
	for i := l.head; i < len(l.lines); i++ {
		if !fn(&l.lines[i]) {
			return
		}
	}
	if ln, ok := l.partial(); ok {
		fn(&ln)
	}
}

// partial returns a copy of the line being received, as an Output line,
// and false if it has no text.
func (l *Log) partial() (line, bool) {
	c := &l.cur
	if c.empty() {
		return line{}, false
	}
	data, n := c.encode()
	ln := line{t: c.t.UnixNano(), data: string(data), n: int32(n), kind: Output}
	if c.cellMode {
		c.buf, c.runs, c.st = c.buf[:0], c.runs[:0], style{}
	} else {
		c.buf = c.buf[:n]
	}
	return ln, true
}

// appendHeader appends the header's text: when the log started and, if
// lines were dropped, how many and when the kept ones begin.
func (l *Log) appendHeader(dst []byte) []byte {
	dst = append(dst, "-- Log started "...)
	dst = l.start.AppendFormat(dst, headerTime)
	if l.dropped > 0 {
		dst = append(dst, "; "...)
		dst = strconv.AppendInt(dst, int64(l.dropped), 10)
		dst = append(dst, " earlier lines dropped"...)
		if l.head < len(l.lines) {
			dst = append(dst, ", kept from "...)
			dst = l.lineTime(&l.lines[l.head]).AppendFormat(dst, headerTime)
		}
	}
	return append(dst, " --"...)
}

// WriteText writes the log as plain UTF-8 text: a header line ("-- Log
// started 2006-01-02 15:04:05 -0700 --", saying also how many lines were
// dropped and when the kept ones begin, if any were), then each line
// followed by '\n', a command as "> " and the command, and last the line
// still being received, if it has any text. The text holds no escape
// sequences and no control characters but '\n'. A game's line may itself
// begin with "> "; Lines from TakeNew carry the Kind.
func (l *Log) WriteText(w io.Writer) error {
	o := output{w: w, buf: make([]byte, 0, 2*flushAt)}
	o.buf = append(l.appendHeader(o.buf), '\n')
	l.each(func(ln *line) bool {
		if ln.kind == Input {
			o.buf = append(o.buf, "> "...)
		}
		o.buf = append(o.buf, ln.text()...)
		o.buf = append(o.buf, '\n')
		o.maybeFlush()
		return o.err == nil
	})
	o.flush()
	return o.err
}

// WriteHTML writes the log as a standalone HTML5 document titled title
// (control characters dropped): the lines WriteText writes, in a <pre> in
// the default colours of Config.Palette, each run of text in a style
// other than the default in a <span style="..."> giving its colours and
// attributes (bold, italic, underline, strikethrough; inverse swaps the
// colours, dim blends the foreground halfway to the background, hidden
// text takes the background colour; blink is not shown), and each
// command in a <span class="in">. All text is escaped (& < > " '), and
// the styles hold only the log's own property names and hex colours, so
// the game's text cannot add markup. A Content-Security-Policy meta tag
// forbids scripts and every fetch.
func (l *Log) WriteHTML(w io.Writer, title string) error {
	o := output{w: w, buf: make([]byte, 0, 2*flushAt)}
	if title == "" {
		title = "Drawbridge log"
	}
	o.buf = append(o.buf, "<!doctype html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"+
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"+
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"+
		"<meta name=\"color-scheme\" content=\"dark\">\n<title>"...)
	o.buf = appendEscaped(o.buf, cleanInput(title))
	o.buf = append(o.buf, "</title>\n<style>\nhtml,body{margin:0;color:"...)
	o.buf = appendHex(o.buf, l.pal.Foreground)
	o.buf = append(o.buf, ";background:"...)
	o.buf = appendHex(o.buf, l.pal.Background)
	o.buf = append(o.buf, "}\n"+
		"pre{margin:0;padding:8px;font:14px/1.35 ui-monospace,SFMono-Regular,Menlo,Consolas,\"DejaVu Sans Mono\",monospace;white-space:pre-wrap;overflow-wrap:anywhere}\n"+
		".m{color:#8a8a8a;font-style:italic}\n"+
		".in{color:#9ccfff;background:#16263a}\n"+
		"</style>\n</head>\n<body>\n<pre><span class=\"m\">"...)
	o.buf = l.appendHeader(o.buf)
	o.buf = append(o.buf, "</span>\n"...)
	var css cssCache
	l.each(func(ln *line) bool {
		text := ln.text()
		if ln.kind == Input {
			o.buf = append(o.buf, "<span class=\"in\">&gt; "...)
			o.buf = appendEscaped(o.buf, text)
			o.buf = append(o.buf, "</span>\n"...)
		} else {
			rr := runReader{enc: ln.data[ln.n:]}
			pos, st := 0, style{}
			for {
				off, next, ok := rr.next()
				if !ok {
					break
				}
				o.buf = l.appendSpan(o.buf, &css, text[pos:off], st)
				pos, st = off, next
			}
			o.buf = l.appendSpan(o.buf, &css, text[pos:], st)
			o.buf = append(o.buf, '\n')
		}
		o.maybeFlush()
		return o.err == nil
	})
	o.buf = append(o.buf, "</pre>\n</body>\n</html>\n"...)
	o.flush()
	return o.err
}

// appendSpan appends text in style st.
func (l *Log) appendSpan(dst []byte, css *cssCache, text string, st style) []byte {
	if text == "" {
		return dst
	}
	if st == (style{}) {
		return appendEscaped(dst, text)
	}
	dst = append(dst, "<span style=\""...)
	dst = append(dst, css.get(l, st)...)
	dst = append(dst, "\">"...)
	dst = appendEscaped(dst, text)
	return append(dst, "</span>"...)
}

// cssCache remembers the CSS of the last few styles a rendering used:
// a MUD uses a handful.
type cssCache struct {
	st  [8]style
	css [8][]byte
	n   int
}

func (c *cssCache) get(l *Log, st style) []byte {
	for i := range min(c.n, len(c.st)) {
		if c.st[i] == st {
			return c.css[i]
		}
	}
	i := c.n % len(c.st)
	c.st[i], c.css[i] = st, l.appendCSS(c.css[i][:0], st)
	c.n++
	return c.css[i]
}

// appendCSS appends the declarations that draw st, its colours resolved
// by the terminal's own term.Palette.CellColors.
func (l *Log) appendCSS(dst []byte, st style) []byte {
	fg, bg := l.pal.CellColors(term.Cell{FG: st.fg, BG: st.bg, Attr: st.attr.termAttr()})
	// A default colour needs no declaration (the page's are the
	// palette's), unless an attribute moved a colour onto it.
	f := st.fg
	if l.pal.BoldBright && st.attr&attrBold != 0 {
		f = f.Bright()
	}
	fgSet := f != 0 || st.attr&(attrInverse|attrFaint|attrHidden) != 0
	bgSet := st.bg != 0 || st.attr&attrInverse != 0
	start := len(dst)
	add := func(decl string) {
		if len(dst) > start {
			dst = append(dst, ';')
		}
		dst = append(dst, decl...)
	}
	if fgSet {
		add("color:")
		dst = appendHex(dst, fg)
	}
	if bgSet {
		add("background:")
		dst = appendHex(dst, bg)
	}
	if st.attr&attrBold != 0 {
		add("font-weight:bold")
	}
	if st.attr&attrItalic != 0 {
		add("font-style:italic")
	}
	switch st.attr & (attrUnderline | attrStrike) {
	case attrUnderline:
		add("text-decoration:underline")
	case attrStrike:
		add("text-decoration:line-through")
	case attrUnderline | attrStrike:
		add("text-decoration:underline line-through")
	}
	return dst
}

// resolve returns the colour to draw c with; fg picks the default.
// appendHex appends c as #rrggbb.
func appendHex(dst []byte, c icolor.RGBA) []byte {
	const hex = "0123456789abcdef"
	return append(dst, '#', hex[c.R>>4], hex[c.R&15], hex[c.G>>4], hex[c.G&15], hex[c.B>>4], hex[c.B&15])
}

// escapes maps the bytes HTML text and attribute values must not hold
// to their entities.
var escapes = [256]string{'&': "&amp;", '<': "&lt;", '>': "&gt;", '"': "&#34;", '\'': "&#39;"}

// appendEscaped appends s with & < > " and ' escaped.
func appendEscaped(dst []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		if e := escapes[s[i]]; e != "" {
			dst = append(dst, s[last:i]...)
			dst = append(dst, e...)
			last = i + 1
		}
	}
	return append(dst, s[last:]...)
}

// Plain returns the text p shows, as a log keeps it: escape sequences
// and control characters removed, overwriting by CR, BS and EL done, tabs
// expanded, each line ended by '\n' except a last one p did not end.
// Nothing carries over between calls: it is for a piece of output on its
// own, such as text to search the stored lines for.
func Plain(p []byte) string {
	l := &Log{now: func() time.Time { return time.Unix(0, 0) }, max: math.MaxInt, loc: time.UTC}
	l.Write(p)
	l.seal()
	var b []byte
	for i := range l.lines {
		b = append(b, l.lines[i].text()...)
		b = append(b, '\n')
	}
	if ln, ok := l.partial(); ok {
		b = append(b, ln.text()...)
	}
	return string(b)
}
