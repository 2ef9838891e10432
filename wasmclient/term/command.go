package term

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// Command links. A game that speaks MXP marks commands the player can
// click (<SEND>: an exit, an item's menu). The gateway turns each into
// an OSC 8 hyperlink whose URI has the scheme "mxp" and the opaque part
// "send", followed by a query (URL-encoded, as net/url encodes it):
//
//	c  a command, one or more, in order: a click sends the first, and
//	   several make a menu
//	l  the menu's labels: none, or one per command
//	t  the tooltip shown when the pointer is over the link
//	p  "1": the command goes into the command line instead of being sent
//
// For example mxp:send?c=go+north&c=look+north&l=Go&l=Look&t=Exits.
// The terminal makes a link of such a URI only when it parses as a
// CommandLink, so a renderer never meets one it cannot use.

// CommandScheme is the scheme of command links.
const CommandScheme = "mxp"

// Bounds of a command link, beyond the 2 KiB of any link's URI.
const (
	// MaxLinkCommands is the most commands (menu items) one link holds.
	MaxLinkCommands = 32
	// MaxLinkCommand is the longest command or label, in bytes.
	MaxLinkCommand = 512
)

// CommandLink is a parsed command link.
type CommandLink struct {
	Commands []string // at least one
	Labels   []string // nil, or one per command
	Hint     string   // the tooltip; may be empty
	Prompt   bool     // put the command into the command line, do not send it
}

// Label returns the menu label of command i: its label, or the command.
func (c CommandLink) Label(i int) string {
	if i < len(c.Labels) && c.Labels[i] != "" {
		return c.Labels[i]
	}
	return c.Commands[i]
}

// ParseCommandLink parses a command link's URI. It reports false for any
// other URI, and for one that breaks the rules: no command, too many,
// labels that do not match the commands, a command or label that is
// empty (commands only), too long, not UTF-8 or holds a control
// character (a command is one line for the game).
func ParseCommandLink(uri string) (CommandLink, bool) {
	rest, ok := strings.CutPrefix(uri, CommandScheme+":send?")
	if !ok {
		return CommandLink{}, false
	}
	q, err := url.ParseQuery(rest)
	if err != nil {
		return CommandLink{}, false
	}
	for k := range q {
		switch k {
		case "c", "l", "t", "p":
		default:
			return CommandLink{}, false
		}
	}
	c := CommandLink{Commands: q["c"], Labels: q["l"], Hint: q.Get("t"), Prompt: q.Get("p") == "1"}
	n := len(c.Commands)
	if n == 0 || n > MaxLinkCommands || (len(c.Labels) != 0 && len(c.Labels) != n) || len(q["t"]) > 1 || len(q["p"]) > 1 {
		return CommandLink{}, false
	}
	for _, s := range c.Commands {
		if s == "" || !linkText(s) {
			return CommandLink{}, false
		}
	}
	for _, s := range c.Labels {
		if !linkText(s) {
			return CommandLink{}, false
		}
	}
	if !linkText(c.Hint) {
		return CommandLink{}, false
	}
	return c, true
}

// linkText reports whether s may be a command, label or hint: UTF-8, at
// most MaxLinkCommand bytes, no control characters.
func linkText(s string) bool {
	if len(s) > MaxLinkCommand || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return false
		}
	}
	return true
}
