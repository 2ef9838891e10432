package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/drawbridge/drawbridge/shared/i18n"
	"github.com/drawbridge/drawbridge/wasmclient/link"
)

// clientDirs are the packages whose words reach the player: the client,
// the page (DOM) and the terminal's drawing. Their Go files, for every
// GOOS (the browser's files are syscall/js ones), are read as source.
var clientDirs = []string{".", "dom", "ui", "link", "profile", "gamelog"}

type sourceFile struct {
	name string
	file *ast.File
	fset *token.FileSet
}

func clientSources(t *testing.T) []sourceFile {
	t.Helper()
	var out []sourceFile
	for _, dir := range clientDirs {
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, name, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, sourceFile{name, f, fset})
		}
	}
	return out
}

// sinks are the calls that show text to the player: the argument at the
// index given is what is shown.
var sinks = map[string]int{
	"notice":    0, // the client's notices in the terminal
	"setStatus": 1, // the status line
	"SetStatus": 1,
	"Toast":     0, // the bar's short messages
}

// domProps are the DOM properties and attributes whose value the player
// sees or hears.
var domProps = map[string]bool{"textContent": true, "innerText": true, "placeholder": true, "title": true,
	"aria-label": true, "aria-description": true, "alt": true, "value": false}

// TestNoVisibleStringBypassesTheCatalogue reads the client's source: text
// handed to a sink (a notice, the status line, a toast, a DOM text or
// label) must come from the message catalogue (msg.T), not from a string
// literal, a concatenation or fmt.Sprintf that holds words; and every
// key given to T must be in the catalogue. A string with words fails the
// test wherever it is built into what a sink shows.
func TestNoVisibleStringBypassesTheCatalogue(t *testing.T) {
	src := i18n.For(i18n.Source)
	keys := 0
	for _, sf := range clientSources(t) {
		ast.Inspect(sf.file, func(n ast.Node) bool {
			// The terminal's banners (ui.banner{text: ...}), drawn on the canvas.
			if cl, ok := n.(*ast.CompositeLit); ok {
				if id, ok := cl.Type.(*ast.Ident); ok && id.Name == "banner" {
					for _, el := range cl.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok {
							if w := wordsOutsideT(kv.Value); w != "" {
								t.Errorf("%s: a banner shows %q, which is not from the catalogue", sf.fset.Position(kv.Pos()), w)
							}
						}
					}
				}
				return true
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			name := callName(call)
			at := sf.fset.Position(call.Pos())
			if name == "T" && len(call.Args) > 0 {
				if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					key, _ := strconv.Unquote(lit.Value)
					keys++
					if !src.Has(key) {
						t.Errorf("%s: T(%q): not in the catalogue", at, key)
					}
				}
				return true
			}
			var shown ast.Expr
			if i, ok := sinks[name]; ok && len(call.Args) > i {
				shown = call.Args[i]
			}
			// js.Value's Set("textContent", x) and Call("setAttribute", "aria-label", x).
			if name == "Set" && len(call.Args) == 2 && domProps[stringLit(call.Args[0])] {
				shown = call.Args[1]
			}
			if name == "Call" && len(call.Args) == 3 && stringLit(call.Args[0]) == "setAttribute" && domProps[stringLit(call.Args[1])] {
				shown = call.Args[2]
			}
			if shown != nil {
				if w := wordsOutsideT(shown); w != "" {
					t.Errorf("%s: %s shows %q, which is not from the catalogue", at, name, w)
				}
			}
			return true
		})
	}
	if keys < 40 {
		t.Fatalf("found %d catalogue keys in the client's source: is the test reading it?", keys)
	}
}

// callName is the name of the function or method called.
func callName(c *ast.CallExpr) string {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

func stringLit(e ast.Expr) string {
	if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
		s, _ := strconv.Unquote(lit.Value)
		return s
	}
	return ""
}

// wordsOutsideT returns the first string literal in e that holds a word
// (two letters in a row) and is not inside a call of T; "" when none.
func wordsOutsideT(e ast.Expr) string {
	found := ""
	ast.Inspect(e, func(n ast.Node) bool {
		if found != "" {
			return false
		}
		if c, ok := n.(*ast.CallExpr); ok && callName(c) == "T" {
			// The key is not shown; the arguments are values, which are
			// checked where they are made.
			return false
		}
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			s, _ := strconv.Unquote(lit.Value)
			if hasWord(s) {
				found = s
			}
		}
		return true
	})
	return found
}

func hasWord(s string) bool {
	run := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			if run++; run >= 2 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// TestWordsOutsideT checks the checker on what it must find and pass.
func TestWordsOutsideT(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want bool
	}{
		{`"Connected"`, true},
		{`"Disconnected: " + reason`, true},
		{`fmt.Sprintf("Copied %d characters", n)`, true},
		{`c.msg.T("client.status.connected")`, false},
		{`c.msg.T("client.disconnected", "reason", r)`, false},
		{`" " + msg.T("client.scroll.more", "n", 3) + " "`, false},
		{`text`, false},
		{`"⏎ "`, false},
	} {
		e, err := parser.ParseExpr(tc.src)
		if err != nil {
			t.Fatal(err)
		}
		if got := wordsOutsideT(e) != ""; got != tc.want {
			t.Errorf("%s: found words %v, want %v", tc.src, got, tc.want)
		}
	}
}

// TestReasonsInTheCatalogue checks every reason the link can give.
func TestReasonsInTheCatalogue(t *testing.T) {
	for _, l := range i18n.Langs() {
		c := i18n.For(l)
		for _, r := range link.Reasons() {
			if !c.Has(r) {
				t.Errorf("%s: link reason %s is not in the catalogue", l, r)
			}
		}
		for _, s := range []string{"display", "automation", "history"} {
			if !c.Has("client.sync.section." + s) {
				t.Errorf("%s: the settings section %s has no name in the catalogue", l, s)
			}
		}
	}
}
