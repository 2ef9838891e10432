package automation

import (
	"strconv"
	"strings"
)

// luaScript recognises the Lua scripts of Mudlet items that only send
// commands, which are common enough to be worth importing:
//
//	send("kill " .. matches[2])
//	send("get all corpse", false); send('sacrifice corpse')
//	deleteLine()  -- a trigger's gag
//
// The script may hold only calls of send(EXPR) and expandAlias(EXPR),
// with an optional second argument true or false, and of deleteLine()
// when gag is allowed; EXPR joins with .. string literals in double or
// single quotes (escapes \\ \" \' only) and matches[N] (1-10, which
// becomes $N-1); statements may end with ; and lines may hold -- comments.
// It returns the commands, one a line, with $ written $$, and whether the
// script called deleteLine; ok is false for anything else.
func luaScript(src string, allowGag bool) (cmds string, gag, ok bool) {
	p := luaParser{s: src}
	var out []string
	for {
		p.skipSpace()
		if p.i == len(p.s) {
			break
		}
		name := p.ident()
		switch name {
		case "send", "expandAlias":
			if !p.eat('(') {
				return "", false, false
			}
			cmd, ok := p.expr()
			if !ok {
				return "", false, false
			}
			p.skipSpace()
			if p.eat(',') {
				p.skipSpace()
				if b := p.ident(); b != "true" && b != "false" {
					return "", false, false
				}
			}
			p.skipSpace()
			if !p.eat(')') {
				return "", false, false
			}
			out = append(out, cmd)
		case "deleteLine":
			if !allowGag || !p.eat('(') || !p.eat(')') {
				return "", false, false
			}
			gag = true
		default:
			return "", false, false
		}
	}
	if len(out) == 0 && !gag {
		return "", false, false
	}
	return strings.Join(out, "\n"), gag, true
}

type luaParser struct {
	s string
	i int
}

// skipSpace skips blanks, line breaks, semicolons and -- comments (not
// --[[ block comments, which the caller then fails on).
func (p *luaParser) skipSpace() {
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';':
			p.i++
		case strings.HasPrefix(p.s[p.i:], "--") && !strings.HasPrefix(p.s[p.i:], "--["):
			if j := strings.IndexByte(p.s[p.i:], '\n'); j >= 0 {
				p.i += j
			} else {
				p.i = len(p.s)
			}
		default:
			return
		}
	}
}

func (p *luaParser) ident() string {
	j := p.i
	for j < len(p.s) && (p.s[j] == '_' || p.s[j] >= 'a' && p.s[j] <= 'z' || p.s[j] >= 'A' && p.s[j] <= 'Z' || j > p.i && p.s[j] >= '0' && p.s[j] <= '9') {
		j++
	}
	id := p.s[p.i:j]
	p.i = j
	return id
}

func (p *luaParser) eat(c byte) bool {
	p.skipInline()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// skipInline skips blanks within a statement.
func (p *luaParser) skipInline() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// expr reads string literals and matches[N] joined with .., as a command
// template.
func (p *luaParser) expr() (string, bool) {
	var b strings.Builder
	for {
		p.skipInline()
		if p.i == len(p.s) {
			return "", false
		}
		switch c := p.s[p.i]; c {
		case '"', '\'':
			lit, ok := p.str(c)
			if !ok {
				return "", false
			}
			b.WriteString(strings.ReplaceAll(lit, "$", "$$"))
		default:
			if p.ident() != "matches" || !p.eat('[') {
				return "", false
			}
			p.skipInline()
			j := p.i
			for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
				p.i++
			}
			n, err := strconv.Atoi(p.s[j:p.i])
			if err != nil || n < 1 || n > 10 || !p.eat(']') {
				return "", false
			}
			b.WriteString("$" + strconv.Itoa(n-1))
		}
		p.skipInline()
		if !strings.HasPrefix(p.s[p.i:], "..") {
			return b.String(), true
		}
		p.i += 2
	}
}

// str reads a quoted string literal without line breaks or control
// characters.
func (p *luaParser) str(q byte) (string, bool) {
	var b strings.Builder
	for p.i++; p.i < len(p.s); p.i++ {
		c := p.s[p.i]
		switch {
		case c == q:
			p.i++
			return b.String(), true
		case c == '\\':
			if p.i+1 == len(p.s) {
				return "", false
			}
			p.i++
			switch e := p.s[p.i]; e {
			case '\\', '"', '\'':
				b.WriteByte(e)
			default:
				return "", false
			}
		case c < 0x20 || c == 0x7f:
			return "", false
		default:
			b.WriteByte(c)
		}
	}
	return "", false
}
