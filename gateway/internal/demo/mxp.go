package demo

import (
	"html"
	"strings"

	"github.com/drawbridge/drawbridge/gateway/internal/telnet"
)

// MXP (the MUD eXtension Protocol, Zuggsoft's specification, telnet
// option 91). The game offers WILL MXP; a client that agrees (DO MXP) is
// sent IAC SB MXP IAC SE, which starts MXP, and a <VERSION> request,
// whose answer whoami reports. In MXP mode the room's exits are <SEND>
// links that walk, and the things in a room are <SEND> menus (look at
// it, point at it), on secure lines (ESC [ 1 z). Without MXP the same
// lines are plain text.

// MXP line-mode sequences (the specification's "line tags").
const (
	mxpSecure = "\x1b[1z" // this line is secure: tags such as SEND are obeyed
	mxpOpen   = "\x1b[0z" // back to open mode for the rest of the line
)

// mxpOn reports whether the client agreed to MXP.
func (ss *session) mxpOn() bool { return ss.neg.Enabled(telnet.Us, telnet.OptMXP) }

// startMXP starts MXP mode and asks the client for its version.
func (ss *session) startMXP() {
	ss.pend = telnet.AppendSubneg(ss.pend, telnet.OptMXP, nil)
	ss.pend = append(ss.pend, mxpSecure+"<VERSION>"+mxpOpen...)
}

// mxpReply takes a line the client sent in answer to an MXP request
// (ESC [ 1 z <VERSION ...> or <SUPPORTS ...>): it is not a command. It
// reports whether line was one.
func (ss *session) mxpReply(line string) bool {
	rest, ok := strings.CutPrefix(line, mxpSecure)
	if !ok {
		return false
	}
	if tag, ok := strings.CutPrefix(rest, "<VERSION "); ok {
		ss.mxpVersion = cleanText(strings.TrimSuffix(tag, ">"))
	}
	return true
}

// mxpSend returns text as a <SEND> link: one command, or a menu of
// several, with a hint. The game's own words go into the tag, so only
// entities need escaping.
func mxpSend(text, hint string, cmds ...string) string {
	esc := html.EscapeString
	href := make([]string, len(cmds))
	for i, c := range cmds {
		href[i] = esc(c)
	}
	return `<SEND href="` + strings.Join(href, "|") + `" hint="` + esc(hint) + `">` + esc(text) + `</SEND>`
}

// exitsLine is the room's exits line: SEND links with MXP.
func (ss *session) exitsLine(r *room) string {
	exits := r.exitList()
	if !ss.mxpOn() {
		return ansiExits + "Exits: " + strings.Join(exits, ", ") + ansiReset
	}
	for i, e := range exits {
		exits[i] = mxpSend(e, "Go "+e, e)
	}
	return mxpSecure + ansiExits + "Exits: " + strings.Join(exits, ", ") + ansiReset
}

// thingsLine is the line that lists what can be looked at in the room,
// "" for none: SEND menus with MXP.
func (ss *session) thingsLine(r *room) string {
	if len(r.things) == 0 {
		return ""
	}
	names := make([]string, len(r.things))
	for i, t := range r.things {
		names[i] = t.name
		if ss.mxpOn() {
			// One more hint than commands: the first is the tooltip, the
			// others label the menu's items.
			names[i] = mxpSend(t.name, "The "+t.name+"|Look at it|Point at it",
				"look "+t.name, "emote points at the "+t.name+".")
		}
	}
	line := "You notice: " + strings.Join(names, ", ") + "."
	if ss.mxpOn() {
		line = mxpSecure + line
	}
	return line
}
