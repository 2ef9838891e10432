package web

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/text/language"

	"github.com/drawbridge/drawbridge/shared/i18n"
)

// A page in the player's language
//
// The pages (www/*.html) are written in English, each text marked with the
// key of its message in the catalogue (shared/i18n): data-i18n="key" for an
// element's text, data-i18n-attr="aria-label:key ..." for its attributes.
// In the browser, www/i18n.js puts the player's language in; the gateway
// does the same once at start for every language shipped, and serves the
// page in the language the browser asks for (Accept-Language, picked as
// i18n.Pick picks), so a page arrives translated: no English shows before
// the script runs, and a browser without scripts reads the noscript text
// in its language too. The script still runs, and changes nothing unless
// the tab chose another language (?lang=).

// pageVariant is one language's copy of a page.
type pageVariant struct {
	body []byte
	etag string
}

// translatePages makes every language's copy of the HTML pages.
func (s *static) translatePages() error {
	for name, f := range s.files {
		if !strings.HasSuffix(name, ".html") {
			continue
		}
		src := f.body
		if src == nil {
			b, err := s.readFile(name)
			if err != nil {
				return err
			}
			src = b
		}
		f.variants = make(map[string]pageVariant)
		for _, lang := range i18n.Langs() {
			if lang == i18n.Source {
				continue // the page as written
			}
			out, err := translatePage(src, i18n.For(lang))
			if err != nil {
				return fmt.Errorf("translate %s into %s: %w", name, lang, err)
			}
			sum := sha256.Sum256(out)
			f.variants[lang] = pageVariant{body: out, etag: etag(sum[:])}
		}
	}
	return nil
}

// pageLang returns the language a request asks a page in: ?lang= first
// (a translator's preview), then the browser's Accept-Language.
func pageLang(r *http.Request) string {
	var prefs []string
	if q := r.URL.Query().Get("lang"); q != "" {
		prefs = append(prefs, q)
	}
	if tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language")); err == nil {
		for _, t := range tags {
			prefs = append(prefs, t.String())
		}
	}
	return i18n.Pick(prefs)
}

// marks finds a message's <n>text</n> marks.
var marks = regexp.MustCompile(`<(\d+)>([^<]*)</(\d+)>`)

// translatePage returns page with its marked texts in cat's language, and
// its lang, as www/i18n.js's apply does.
func translatePage(page []byte, cat *i18n.Catalog) ([]byte, error) {
	// Scripting off: a noscript's content is parsed as markup, to be
	// translated, and written back as it was.
	doc, err := html.ParseWithOptions(bytes.NewReader(page), html.ParseOptionEnableScripting(false))
	if err != nil {
		return nil, err
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if n.Data == "html" {
				setAttr(n, "lang", cat.Lang())
			}
			if key := getAttr(n, "data-i18n"); key != "" {
				setText(n, cat.T(key))
			}
			for _, pair := range strings.Fields(getAttr(n, "data-i18n-attr")) {
				if a, k, ok := strings.Cut(pair, ":"); ok && a != "" && k != "" {
					setAttr(n, a, cat.T(k))
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	var b bytes.Buffer
	if err := html.Render(&b, doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// setText replaces n's content by a message; <i>text</i> in it is n's i-th
// child element, with text as its content.
func setText(n *html.Node, msg string) {
	var kids []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			kids = append(kids, c)
		}
	}
	for n.FirstChild != nil {
		n.RemoveChild(n.FirstChild)
	}
	text := func(s string) {
		if s != "" {
			n.AppendChild(&html.Node{Type: html.TextNode, Data: s})
		}
	}
	at := 0
	for _, m := range marks.FindAllStringSubmatchIndex(msg, -1) {
		text(msg[at:m[0]])
		open, inner, closing := msg[m[2]:m[3]], msg[m[4]:m[5]], msg[m[6]:m[7]]
		if idx, err := strconv.Atoi(open); err == nil && open == closing && idx < len(kids) && kids[idx].Parent == nil {
			k := kids[idx]
			for k.FirstChild != nil {
				k.RemoveChild(k.FirstChild)
			}
			k.AppendChild(&html.Node{Type: html.TextNode, Data: inner})
			n.AppendChild(k)
		} else {
			text(inner)
		}
		at = m[1]
	}
	text(msg[at:])
}

func getAttr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func setAttr(n *html.Node, key, val string) {
	for i, a := range n.Attr {
		if a.Key == key {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}
