package main

import (
	"strings"

	"github.com/drawbridge/drawbridge/wasmclient/term"
)

// maxAnnounceLines bounds what one announcement reads out: after a flood,
// only the most recent lines are spoken (the rest stay in the mirror and
// the scrollback), or a screen reader would be busy for minutes.
const maxAnnounceLines = 50

// announcer finds the text that is new since the last announcement, for
// the page's ARIA live region, so a screen reader speaks each line of the
// game's output once: completed lines as they complete, and a prompt (a
// line the game left open and marked with GA/EOR) when it arrives. When
// that prompt's line later completes (the player's command was echoed on
// it), only the rest of the line is spoken.
//
// Lines are numbered absolutely: the scrollback's count of lines ever
// added plus the row on screen. The cursor's line is the first line not
// yet complete. Output that moves the cursor up (a cleared screen, a
// redraw) is not re-read; full-screen programs on the alternate screen
// are not announced at all, their screen is in the mirror.
type announcer struct {
	next    uint64 // the first line not yet announced in full
	partial string // the part of line next already announced (a prompt)
}

// collect returns the text to announce, lines joined with newlines, and
// marks it announced; "" when nothing is new. prompt says a prompt
// arrived since the last call, so the open line is read too.
func (a *announcer) collect(t *term.Terminal, prompt bool) string {
	if t.Modes().AltScreen {
		// The main screen's lines wait where they are (the alternate
		// screen keeps no scrollback), so reading resumes on return.
		return ""
	}
	cur := a.cursorLine(t)
	if cur < a.next || cur-a.next > 10*maxAnnounceLines {
		a.skipTo(cur) // the screen was cleared or redrawn, or a flood
	}
	var b strings.Builder
	from := a.next
	if cur-from > maxAnnounceLines {
		from = cur - maxAnnounceLines
		a.partial = ""
	}
	for l := from; l < cur; l++ {
		text, ok := a.lineText(t, l)
		if !ok {
			continue
		}
		if l == a.next && a.partial != "" {
			text = strings.TrimPrefix(text, a.partial)
		}
		add(&b, text)
	}
	if cur != a.next {
		a.next, a.partial = cur, ""
	}
	if prompt {
		if text, ok := a.lineText(t, cur); ok && text != a.partial {
			add(&b, strings.TrimPrefix(text, a.partial))
			a.partial = text
		}
	}
	return b.String()
}

// skipTo marks everything before line l announced.
func (a *announcer) skipTo(l uint64) { a.next, a.partial = l, "" }

// skipCurrent marks everything up to the cursor announced: the client
// wrote it itself (the local echo of a command the player just typed).
func (a *announcer) skipCurrent(t *term.Terminal) { a.skipTo(a.cursorLine(t)) }

func (a *announcer) cursorLine(t *term.Terminal) uint64 {
	_, y, _ := t.Cursor()
	return t.ScrollbackAdded() + uint64(y)
}

// lineText returns line l's text, trimmed; false when it is gone (pushed
// out of the scrollback) or not there.
func (a *announcer) lineText(t *term.Terminal, l uint64) (string, bool) {
	added := t.ScrollbackAdded()
	if l >= added {
		_, rows := t.Size()
		y := int(l - added)
		if y >= rows {
			return "", false
		}
		return strings.TrimSpace(term.RowText(t.Line(y))), true
	}
	back := added - l
	if back > uint64(t.ScrollbackLen()) {
		return "", false
	}
	return strings.TrimSpace(term.RowText(t.ScrollbackLine(t.ScrollbackLen() - int(back)))), true
}

// add appends a non-empty line to b.
func add(b *strings.Builder, text string) {
	if text = strings.TrimSpace(text); text == "" {
		return
	}
	if b.Len() > 0 {
		b.WriteByte('\n')
	}
	b.WriteString(text)
}
