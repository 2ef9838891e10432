package automation

import (
	"strings"
	"unicode/utf8"
)

// SplitCommands splits a typed line at sep into commands, by the client's
// rules (wasmclient/dom.SplitCommands): a line without sep is one command
// as typed; otherwise each part is trimmed of spaces and empty parts are
// dropped; a line that is empty, or only separators, is one empty
// command (Enter alone). An empty sep splits nothing.
func SplitCommands(line, sep string) []string {
	if sep == "" || !strings.Contains(line, sep) {
		return []string{line}
	}
	var out []string
	for part := range strings.SplitSeq(line, sep) {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return []string{""}
	}
	return out
}

// A template is an alias's, trigger's or macro's Commands, compiled: the
// text is split into commands at line breaks and at the separator first,
// then each command's $n are filled in, so that text captured from the
// game can never add a command.
type template struct {
	cmds []cmdTemplate
}

// cmdTemplate is one command of a template: literal text and references
// to the match's groups, in order.
type cmdTemplate struct {
	segs []segment
	refs bool // any group references
	text string
}

// segment is literal text (group < 0) or group number group.
type segment struct {
	lit   string
	group int
}

// compileTemplate splits text into commands at "\n" (and "\r\n") and at
// sep, trims each of spaces and drops empty ones, and reads $0-$9 and $$
// in each.
func compileTemplate(text, sep string) template {
	var t template
	for line := range strings.SplitSeq(text, "\n") {
		parts := []string{line}
		if sep != "" {
			parts = strings.Split(line, sep)
		}
		for _, p := range parts {
			p = strings.TrimSpace(strings.TrimSuffix(p, "\r"))
			if p == "" {
				continue
			}
			t.cmds = append(t.cmds, compileCommand(p))
		}
	}
	return t
}

// compileCommand reads $0-$9 (a group of the match) and $$ (a dollar
// sign) in one command; a $ before anything else is itself.
func compileCommand(s string) cmdTemplate {
	c := cmdTemplate{text: s}
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			lit.WriteByte(s[i])
			continue
		}
		switch n := s[i+1]; {
		case n == '$':
			lit.WriteByte('$')
			i++
		case n >= '0' && n <= '9':
			if lit.Len() > 0 {
				c.segs = append(c.segs, segment{lit: lit.String(), group: -1})
				lit.Reset()
			}
			c.segs = append(c.segs, segment{group: int(n - '0')})
			c.refs = true
			i++
		default:
			lit.WriteByte('$')
		}
	}
	if lit.Len() > 0 || len(c.segs) == 0 {
		c.segs = append(c.segs, segment{lit: lit.String(), group: -1})
	}
	if !c.refs {
		c.text = c.segs[0].lit
	}
	return c
}

// expand returns the command with the groups of a match filled in: loc
// is a match's submatch index in subject (as regexp's FindSubmatchIndex
// returns); a group that did not take part, or that the pattern lacks, is
// empty. Control characters in captured text are dropped. The result is
// trimmed of spaces. It reports false, and builds nothing, when the
// command would be longer than MaxLineLen bytes.
func (c *cmdTemplate) expand(subject string, loc []int) (string, bool) {
	if !c.refs {
		return c.text, true
	}
	n := 0
	for _, s := range c.segs {
		if s.group < 0 {
			n += len(s.lit)
		} else if 2*s.group+1 < len(loc) && loc[2*s.group] >= 0 {
			n += loc[2*s.group+1] - loc[2*s.group]
		}
	}
	if n > MaxLineLen {
		return "", false
	}
	return strings.TrimSpace(c.build(subject, loc, n)), true
}

// build fills the template in, stopping once it has limit bytes.
func (c *cmdTemplate) build(subject string, loc []int, limit int) string {
	var b strings.Builder
	b.Grow(min(limit, 256))
	for _, s := range c.segs {
		if b.Len() >= limit {
			break
		}
		if s.group < 0 {
			b.WriteString(s.lit)
			continue
		}
		if 2*s.group+1 < len(loc) && loc[2*s.group] >= 0 {
			writeClean(&b, subject[loc[2*s.group]:loc[2*s.group+1]])
		}
	}
	return b.String()
}

// writeClean writes s without its control characters (C0, DEL and C1),
// which have no place in a command or a notification.
func writeClean(b *strings.Builder, s string) {
	for len(s) > 0 {
		i := strings.IndexFunc(s, isControl)
		if i < 0 {
			b.WriteString(s)
			return
		}
		b.WriteString(s[:i])
		_, size := utf8.DecodeRuneInString(s[i:])
		s = s[i+size:]
	}
}

func isControl(r rune) bool { return r < 0x20 || (r >= 0x7f && r < 0xa0) }

// expandText fills in a single-line template (a notification): $0-$9
// and $$ as in commands, control characters dropped, trimmed, at most
// max runes.
func expandText(c *cmdTemplate, subject string, loc []int, max int) string {
	s := strings.TrimSpace(c.build(subject, loc, max*utf8.UTFMax+1))
	n := 0
	for i := range s {
		if n == max {
			return s[:i]
		}
		n++
	}
	return s
}
