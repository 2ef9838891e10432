package ui

import (
	"github.com/drawbridge/drawbridge/wasmclient/term"

	"github.com/drawbridge/drawbridge/shared/i18n"
)

// Links. The terminal finds them (term.Terminal.LineLinks: OSC 8
// hyperlinks and plain http, https and www. URLs); the view underlines
// the one under the mouse and shows its target in a banner before any
// click, so a player sees where a link goes. OSC 8 links, whose text
// need not look like a link at all, also carry a dotted underline all the
// time.

// hoverLink is the link under the pointer.
type hoverLink struct {
	ok   bool
	line int64
	span term.Span
}

// same reports whether h and o are the same link.
func (h hoverLink) same(o hoverLink) bool {
	return h.ok == o.ok && (!h.ok || h.line == o.line && h.span == o.span)
}

// linkAt returns the link covering column col of line i of t (numbered
// as term.Terminal.LineLinks numbers them: the scrollback, then the
// screen), using buf for LineLinks' result; it returns buf for reuse. A
// URL that wrapped across lines is found whole.
func linkAt(t *term.Terminal, i, col int, buf []term.Span) (term.Span, []term.Span, bool) {
	if cols, _ := t.Size(); col < 0 || col >= cols {
		return term.Span{}, buf, false
	}
	buf = t.LineLinks(i, buf[:0])
	for _, s := range buf {
		if s.X0 <= col && col < s.X1 {
			return s, buf, true
		}
	}
	return term.Span{}, buf, false
}

// linkBanner returns the banner that shows a link's target in width
// columns: " → uri ". A target too long is shortened in the middle, so
// its scheme and host, which say where it goes, stay visible along with
// its end. A command link (MXP) shows what a click does instead: its
// hint and the command it sends, and how to open its menu if it has one.
func linkBanner(msg *i18n.Catalog, uri string, width int) string {
	if c, ok := term.ParseCommandLink(uri); ok {
		return commandBanner(msg, c, width)
	}
	const pre, post = " → ", " "
	r := []rune(uri)
	room := width - len([]rune(pre)) - len(post)
	if room < 5 {
		room = 5
	}
	if len(r) > room {
		head := max((room-1)*2/3, min(hostEnd(r), room-1))
		tail := room - 1 - head
		r = append(append(r[:head:head], '…'), r[len(r)-tail:]...)
	}
	return pre + string(r) + post
}

// hostEnd returns the index in uri just past its scheme and host.
func hostEnd(uri []rune) int {
	i := 0
	for j := 0; j+2 < len(uri); j++ {
		if uri[j] == ':' && uri[j+1] == '/' && uri[j+2] == '/' {
			i = j + 3
			break
		}
	}
	for i < len(uri) && uri[i] != '/' && uri[i] != '?' && uri[i] != '#' {
		i++
	}
	return i
}

// commandBanner is linkBanner for a command link: " hint: ⏎ command "
// (or "✎ command" for one that goes to the command line), and
// " · right-click or long-press: N choices" for a menu, cut at the end
// to width columns.
func commandBanner(msg *i18n.Catalog, c term.CommandLink, width int) string {
	mark := "⏎ "
	if c.Prompt {
		mark = "✎ "
	}
	s := mark + c.Commands[0]
	if c.Hint != "" {
		s = msg.T("client.link.with_hint", "hint", c.Hint, "action", s)
	}
	if n := len(c.Commands); n > 1 {
		s = msg.T("client.link.with_menu", "action", s, "n", n)
	}
	s = " " + s + " "
	r := []rune(s)
	if width >= 5 && len(r) > width {
		r = append(r[:width-2:width-2], '…', ' ')
	}
	return string(r)
}
