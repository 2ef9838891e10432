package www

import (
	"bytes"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/drawbridge/drawbridge/shared/i18n"
)

// shownAttrs are the attributes a player sees or hears.
var shownAttrs = []string{"aria-label", "aria-description", "aria-roledescription", "aria-valuetext", "title", "placeholder", "alt"}

// pages returns the names of the hand-written pages.
func pages(t *testing.T) []string {
	t.Helper()
	names, err := fs.Glob(FS(), "*.html")
	if err != nil || len(names) < 3 {
		t.Fatalf("pages: %v %v", names, err)
	}
	return names
}

// TestPagesTakeTheirWordsFromTheCatalogue reads every page: each text a
// player can see (text, and the attributes they see or hear) is marked
// with the key of its message (data-i18n, data-i18n-attr), the key is in
// the catalogue, and the English in the page is the catalogue's, so the
// page reads the same before www/i18n.js translates it. Text marked
// translate="no" is data (a name, the game's words), not a message.
func TestPagesTakeTheirWordsFromTheCatalogue(t *testing.T) {
	en := i18n.For(i18n.Source)
	marked := 0
	for _, name := range pages(t) {
		b, err := fs.ReadFile(FS(), name)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := html.Parse(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		var walk func(n *html.Node, covered bool)
		walk = func(n *html.Node, covered bool) {
			if n.Type == html.ElementNode {
				if attr(n, "translate") == "no" {
					// Data, text and attributes both (HTML's translate
					// covers the element's attributes too): a message
					// there would go unchecked.
					if attr(n, "data-i18n") != "" || attr(n, "data-i18n-attr") != "" {
						t.Errorf("%s: <%s translate=\"no\"> also carries a message", name, n.Data)
					}
					return
				}
				switch n.Data {
				case "script", "style":
					return
				case "noscript":
					// The parser keeps a noscript's content as text, as a
					// browser with scripting does: read it as markup.
					inner, err := html.ParseFragment(strings.NewReader(textOf(n)), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
					if err != nil {
						t.Fatal(err)
					}
					for _, c := range inner {
						walk(c, covered)
					}
					return
				}
				if key := attr(n, "data-i18n"); key != "" {
					covered = true
					marked++
					msg, ok := en.Message(key)
					if !ok {
						t.Errorf("%s: <%s data-i18n=%q>: no such message", name, n.Data, key)
					} else if got, want := norm(marked1(n)), norm(msg["other"]); got != want {
						t.Errorf("%s: <%s data-i18n=%q> says\n\t%q\nin the page, and\n\t%q\nin the catalogue", name, n.Data, key, got, want)
					}
				}
				keys := map[string]string{}
				for _, pair := range strings.Fields(attr(n, "data-i18n-attr")) {
					a, k, _ := strings.Cut(pair, ":")
					keys[a] = k
					marked++
				}
				for _, a := range shownAttrs {
					v, has := attrOK(n, a)
					k := keys[a]
					switch {
					case !has && k != "":
						t.Errorf("%s: <%s> translates %s, which it does not have", name, n.Data, a)
					case !has || !hasLetter(v):
					case k == "":
						t.Errorf("%s: <%s %s=%q> is not from the catalogue (data-i18n-attr)", name, n.Data, a, v)
					case !en.Has(k):
						t.Errorf("%s: <%s %s>: no message %q", name, n.Data, a, k)
					case norm(en.T(k)) != norm(v):
						t.Errorf("%s: <%s %s=%q>, and %q in the catalogue", name, n.Data, a, v, en.T(k))
					}
				}
			}
			if n.Type == html.TextNode && !covered && hasLetter(n.Data) {
				t.Errorf("%s: text %q is not from the catalogue", name, strings.TrimSpace(n.Data))
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, covered)
			}
		}
		walk(doc, false)
	}
	if marked < 50 {
		t.Fatalf("only %d marked texts in the pages: is the test reading them?", marked)
	}
}

// marked1 renders an element's content as its message is written: text as
// it is, the n-th child element as <n>its text</n>.
func marked1(n *html.Node) string {
	var b strings.Builder
	i := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			b.WriteString(c.Data)
		case html.ElementNode:
			fmt.Fprintf(&b, "<%d>%s</%d>", i, textOf(c), i)
			i++
		}
	}
	return b.String()
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func attr(n *html.Node, name string) string {
	v, _ := attrOK(n, name)
	return v
}

func attrOK(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

func hasLetter(s string) bool { return strings.ContainsFunc(s, unicode.IsLetter) }

var space = regexp.MustCompile(`\s+`)

func norm(s string) string { return strings.TrimSpace(space.ReplaceAllString(s, " ")) }

// TestScriptsTakeTheirWordsFromTheCatalogue reads the pages' scripts:
// every key given to t() is in the catalogue, and no string literal holds
// words (two words of letters with a space between, or a sentence),
// except where a line says why it is not shown to the player
// ("// not shown: ..."). Keys, CSS selectors, event and element names
// have no spaces, so they pass.
func TestScriptsTakeTheirWordsFromTheCatalogue(t *testing.T) {
	en := i18n.For(i18n.Source)
	key := regexp.MustCompile(`\bt\(\s*["']([^"']+)["']`)
	// A quoted literal; template literals are read without their ${...}.
	literal := regexp.MustCompile("\"(?:[^\"\\\\\\n]|\\\\.)*\"|'(?:[^'\\\\\\n]|\\\\.)*'|`[^`]*`")
	words := regexp.MustCompile(`\p{L}{2,}[ \x{00a0}]+\p{L}{2,}|^\p{Lu}\p{L}+[.…!?]$`)
	// CSS selectors and the like: not words.
	selector := regexp.MustCompile(`^[#.\[]|[\[\]>=]|^use strict$`)
	names, err := fs.Glob(FS(), "*.js")
	if err != nil {
		t.Fatal(err)
	}
	keys := 0
	for _, name := range names {
		b, err := fs.ReadFile(FS(), name)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			code, comment, _ := strings.Cut(line, "//")
			if strings.HasPrefix(strings.TrimSpace(line), "*") || strings.HasPrefix(strings.TrimSpace(line), "/*") {
				continue // a doc comment
			}
			if strings.Contains(code, "import ") || strings.Contains(code, "console.") || strings.Contains(comment, "not shown:") {
				continue
			}
			for _, m := range key.FindAllStringSubmatch(code, -1) {
				keys++
				if strings.HasSuffix(m[1], ".") { // a family of keys, t("front.reason." + code)
					if !slices.ContainsFunc(en.Keys(), func(k string) bool { return strings.HasPrefix(k, m[1]) }) {
						t.Errorf("%s:%d: t(%q...): no such messages", name, i+1, m[1])
					}
					continue
				}
				if !en.Has(m[1]) {
					t.Errorf("%s:%d: t(%q): no such message", name, i+1, m[1])
				}
			}
			for _, lit := range literal.FindAllString(code, -1) {
				s := regexp.MustCompile(`\$\{[^}]*\}`).ReplaceAllString(lit[1:len(lit)-1], " ")
				if s = strings.TrimSpace(s); words.MatchString(s) && !selector.MatchString(s) {
					t.Errorf("%s:%d: %s holds words that are not from the catalogue", name, i+1, lit)
				}
			}
		}
	}
	if keys < 50 {
		t.Fatalf("only %d t() keys in the scripts: is the test reading them?", keys)
	}
}

// TestI18nScriptKnowsTheLanguages keeps www/i18n.js's list of languages
// the catalogue's.
func TestI18nScriptKnowsTheLanguages(t *testing.T) {
	b, err := fs.ReadFile(FS(), "i18n.js")
	if err != nil {
		t.Fatal(err)
	}
	want := `export const languages = ["` + strings.Join(i18n.Langs(), `", "`) + `"];`
	if !bytes.Contains(b, []byte(want)) {
		t.Fatalf("i18n.js does not say %s", want)
	}
	if !bytes.Contains(b, []byte(`export const pseudo = "`+i18n.Pseudo+`";`)) {
		t.Fatalf("i18n.js does not name the pseudo-language %s", i18n.Pseudo)
	}
}
