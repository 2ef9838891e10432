// Package mdshell finds the shell commands in a Markdown document, for the
// tests that run the documentation (e2e/docs_test.go).
//
// It reads the subset of CommonMark (https://spec.commonmark.org/0.31.2/)
// that the project's documents use: fenced code blocks (section 4.5),
// opened by three or more backticks or tildes indented by at most three
// spaces more than the list item they sit in, with an info string whose
// first word is the block's language; and code spans (section 6.1),
// which may run over line breaks within a paragraph.
//
// The convention it implements:
//
//   - A fenced block whose language is sh, bash, shell or console holds
//     commands. In a console block only the lines that start with "$ "
//     are commands (the rest is their output); in the others every line
//     is, with backslash continuations joined and comments kept for the
//     shell.
//   - The line right before such a fence may be
//     <!-- not runnable here: REASON -->, which marks the block as not
//     run by the tests, for the reason given. The reason must not be
//     empty, and the marker must stand before a command block.
//   - Blocks of any other language (toml, ini, yaml, text, none) are not
//     commands.
//   - A code span whose first word is a known program (drawbridge, make,
//     curl, systemctl, ...) is an inline command; see InlineCommand.
package mdshell

import (
	"fmt"
	"regexp"
	"strings"
)

// Block is one fenced code block.
type Block struct {
	// Line is the 1-based line of the opening fence.
	Line int
	// Lang is the first word of the info string ("" for none).
	Lang string
	// Text is the block's content, with the fence's indentation removed,
	// ending in a newline unless empty.
	Text string
	// Marked is true when the line before the fence is a
	// "not runnable here" marker; Reason is its reason.
	Marked bool
	Reason string
}

// Shell reports whether the block holds commands.
func (b Block) Shell() bool { return IsShell(b.Lang) }

// IsShell reports whether a fence's language marks commands.
func IsShell(lang string) bool {
	switch lang {
	case "sh", "bash", "shell", "console":
		return true
	}
	return false
}

// Command is one command line of a block, its continuation lines joined.
type Command struct {
	// Line is the 1-based line in the document where the command starts.
	Line int
	// Text is the command as the shell reads it.
	Text string
}

// Commands returns the block's command lines: every non-blank,
// non-comment logical line, or in a console block the "$ " lines.
func (b Block) Commands() []Command {
	var out []Command
	lines := strings.Split(strings.TrimSuffix(b.Text, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line, n := lines[i], b.Line+1+i
		if b.Lang == "console" {
			if !strings.HasPrefix(line, "$ ") {
				continue
			}
			line = strings.TrimPrefix(line, "$ ")
		}
		for strings.HasSuffix(line, "\\") && i+1 < len(lines) {
			i++
			next := lines[i]
			if b.Lang == "console" {
				next = strings.TrimPrefix(next, "> ")
			}
			line = strings.TrimSuffix(line, "\\") + " " + strings.TrimSpace(next)
		}
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		out = append(out, Command{Line: n, Text: line})
	}
	return out
}

// Script returns what the shell runs for the block: the text itself, or
// for a console block its commands, one a line.
func (b Block) Script() string {
	if b.Lang != "console" {
		return b.Text
	}
	var sb strings.Builder
	for _, c := range b.Commands() {
		sb.WriteString(c.Text + "\n")
	}
	return sb.String()
}

// Span is one code span outside fenced blocks.
type Span struct {
	// Line is the 1-based line where the span starts.
	Line int
	// Text is the span's content, line breaks turned into spaces and the
	// one space of padding on both sides removed, as CommonMark does.
	Text string
}

// Doc is a parsed document.
type Doc struct {
	Name   string
	Blocks []Block
	Spans  []Span
}

// ShellBlocks returns the blocks that hold commands.
func (d *Doc) ShellBlocks() []Block {
	var out []Block
	for _, b := range d.Blocks {
		if b.Shell() {
			out = append(out, b)
		}
	}
	return out
}

// markerRE matches the marker line, capturing the reason.
var markerRE = regexp.MustCompile(`^\s*<!--\s*not runnable here:(.*?)-->\s*$`)

// fenceRE matches an opening or closing fence: up to three spaces of
// indentation beyond the list item's (the caller allows any here and
// checks the close against the open), the fence, the info string.
var fenceRE = regexp.MustCompile("^( *)(`{3,}|~{3,})(.*)$")

// Parse reads a Markdown document named name. It fails on a fence that
// is never closed, a marker without a reason, and a marker that does not
// stand right before a command block, naming the line.
func Parse(name string, src string) (*Doc, error) {
	d := &Doc{Name: name}
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	var para []int // line indexes of the paragraph being collected
	flush := func() {
		d.Spans = append(d.Spans, spans(lines, para)...)
		para = nil
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		m := fenceRE.FindStringSubmatch(line)
		if m == nil || (m[2][0] == '`' && strings.Contains(m[3], "`")) {
			if strings.TrimSpace(line) == "" {
				flush()
			} else if !markerRE.MatchString(line) {
				para = append(para, i)
			}
			continue
		}
		flush()
		indent, fence := len(m[1]), m[2]
		b := Block{Line: i + 1, Lang: firstWord(m[3])}
		if i > 0 {
			if mm := markerRE.FindStringSubmatch(lines[i-1]); mm != nil {
				b.Marked, b.Reason = true, strings.TrimSpace(mm[1])
				if b.Reason == "" {
					return nil, fmt.Errorf("%s:%d: the not-runnable marker gives no reason", name, i)
				}
				if !b.Shell() {
					return nil, fmt.Errorf("%s:%d: a not-runnable marker before a %q block, which is not a command block", name, i, b.Lang)
				}
			}
		}
		var body strings.Builder
		closed := false
		for i++; i < len(lines); i++ {
			c := fenceRE.FindStringSubmatch(lines[i])
			if c != nil && c[2][0] == fence[0] && len(c[2]) >= len(fence) && strings.TrimSpace(c[3]) == "" {
				closed = true
				break
			}
			l := lines[i]
			// Remove up to the fence's indentation (CommonMark 4.5).
			for k := 0; k < indent && strings.HasPrefix(l, " "); k++ {
				l = l[1:]
			}
			body.WriteString(l + "\n")
		}
		if !closed {
			return nil, fmt.Errorf("%s:%d: the %s fence is never closed", name, b.Line, fence)
		}
		b.Text = body.String()
		d.Blocks = append(d.Blocks, b)
	}
	flush()
	// A marker must stand right before a fence.
	for i, line := range lines {
		if markerRE.MatchString(line) && (i+1 >= len(lines) || fenceRE.FindStringSubmatch(lines[i+1]) == nil) {
			return nil, fmt.Errorf("%s:%d: a not-runnable marker not followed by a fence on the next line", name, i+1)
		}
	}
	return d, nil
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return strings.Trim(f[0], "{}.")
}

// spans finds the code spans of one paragraph, given as line indexes.
func spans(lines []string, para []int) []Span {
	if len(para) == 0 {
		return nil
	}
	// Join the paragraph, remembering where each line starts.
	var text strings.Builder
	starts := make([]int, len(para))
	for k, i := range para {
		starts[k] = text.Len()
		text.WriteString(lines[i] + "\n")
	}
	s := text.String()
	lineAt := func(off int) int {
		k := 0
		for k+1 < len(starts) && starts[k+1] <= off {
			k++
		}
		return para[k] + 1
	}
	var out []Span
	for off := 0; off < len(s); {
		if s[off] == '\\' {
			off += 2
			continue
		}
		if s[off] != '`' {
			off++
			continue
		}
		n := run(s, off)
		// Find a closing run of exactly n backticks.
		end := -1
		for j := off + n; j < len(s); {
			if s[j] != '`' {
				j++
				continue
			}
			m := run(s, j)
			if m == n {
				end = j
				break
			}
			j += m
		}
		if end < 0 {
			off += n // a literal run of backticks
			continue
		}
		body := strings.ReplaceAll(s[off+n:end], "\n", " ")
		if len(body) >= 2 && body[0] == ' ' && body[len(body)-1] == ' ' && strings.TrimSpace(body) != "" {
			body = body[1 : len(body)-1]
		}
		out = append(out, Span{Line: lineAt(off), Text: body})
		off = end + n
	}
	return out
}

// run is the length of the run of backticks at s[i].
func run(s string, i int) int {
	n := 0
	for i+n < len(s) && s[i+n] == '`' {
		n++
	}
	return n
}

// Programs are the first words that make a code span an inline command.
// A span that starts with one of them followed by a space is a command
// line; the bare word alone (`make`) or a file name (`drawbridge.toml`)
// is not.
var Programs = []string{
	"apt", "apt-get", "cat", "chown", "chmod", "cp", "curl", "dig", "docker",
	"drawbridge", "echo", "go", "groupadd", "haproxy", "install", "journalctl",
	"jq", "kill", "make", "mv", "nc", "nft", "openssl", "pg_dump", "pg_restore",
	"podman", "psql", "rm", "scp", "setcap", "socat", "sqlite3", "ss", "stat",
	"sudo", "systemctl", "systemd-analyze", "telnet", "ufw",
	"./bin/drawbridge", "/usr/local/bin/drawbridge",
}

// InlineCommand reports whether a code span is a command line.
func InlineCommand(span string) bool {
	s := strings.TrimSpace(span)
	for _, p := range Programs {
		if strings.HasPrefix(s, p+" ") {
			return true
		}
	}
	return false
}
