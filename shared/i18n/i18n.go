// Package i18n is Drawbridge's message catalogue: every word the pages
// (www/) and the terminal client (wasmclient/) show a player, in each
// language shipped, in one place that both sides read. The gateway serves
// a language's catalogue to the pages as JSON (i18n/LANG.json, read by
// www/i18n.js); the client, which imports this package, reads it here.
//
// # Files
//
// catalog/LANG/*.json holds the messages of language LANG (a BCP 47 tag:
// "en", "zh-Hans"), one file per part of the product (front.json for the
// front door, client.json for the terminal, and so on) so that each file
// stays readable. A language is the union of its files; a key appears in
// one file only. English is the source: every other language has exactly
// its keys (a test checks both ways, and the placeholders and tags of
// each message).
//
// # Messages
//
// A key names what the message is for ("client.status.connecting"). Its
// value is the text, or, for a message that counts something, an object
// of CLDR plural forms ("one", "few", "other", ...; "other" is required),
// chosen by the count passed as the argument n, under the language's
// plural rules (CLDR, https://cldr.unicode.org/index/cldr-spec/plural-rules:
// English has one and other, Chinese only other).
//
// Inside a message:
//
//	{name}       is replaced by the argument name (text, or a number);
//	             a name is letters, digits and _
//	<0>..</0>    (pages only) marks the text of the element's n-th child
//	             element, so that a sentence with a link or a <code> in it
//	             is one message; see www/i18n.js
//
// Nothing else is special; a message never holds markup of its own, so a
// translation cannot inject any (the pages set text, never HTML).
//
// # Picking a language
//
// The page picks: www/i18n.js matches the browser's preferred languages
// (navigator.languages, or ?lang= for a translator's preview) against
// [Langs], and sets the document's lang, which the client reads. The
// pseudo-language [Pseudo] ("en-XA", as Android and Chromium name theirs)
// is English with every message bracketed, so that a test can see any
// text on screen that did not come from here.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

//go:embed catalog
var files embed.FS

// Source is the language every other is translated from, and the one a
// missing message falls back to.
const Source = "en"

// Pseudo is the pseudo-language for tests and translators: the source with
// each message between [PseudoOpen] and [PseudoClose].
const Pseudo = "en-XA"

// The brackets of [Pseudo]'s messages. They are not ASCII, so no text of
// the source holds them.
const (
	PseudoOpen  = "⟦"
	PseudoClose = "⟧"
)

// Message is one message: its plural forms, "other" always among them
// (a message that counts nothing has only "other").
type Message map[string]string

// Catalog is one language's messages.
type Catalog struct {
	lang string
	msgs map[string]Message
	// plural returns the CLDR plural category of a count in this language.
	plural func(n float64) string
	back   *Catalog // where a missing message is looked up next (nil for the source)
}

var (
	loadOnce sync.Once
	catalogs map[string]*Catalog
	langs    []string // Langs, made once
	loadErr  error
)

func load() {
	catalogs = make(map[string]*Catalog)
	dirs, err := fs.ReadDir(files, "catalog")
	if err != nil {
		loadErr = err
		return
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		c, err := readLang(d.Name())
		if err != nil {
			loadErr = err
			return
		}
		catalogs[c.lang] = c
	}
	src := catalogs[Source]
	if src == nil {
		loadErr = fmt.Errorf("i18n: no catalogue for the source language %s", Source)
		return
	}
	for _, c := range catalogs {
		if c != src {
			c.back = src
		}
	}
	pseudo := &Catalog{lang: Pseudo, msgs: make(map[string]Message, len(src.msgs)), plural: src.plural}
	for k, m := range src.msgs {
		pm := make(Message, len(m))
		for form, text := range m {
			pm[form] = PseudoOpen + text + PseudoClose
		}
		pseudo.msgs[k] = pm
	}
	catalogs[Pseudo] = pseudo
	for l := range catalogs {
		if l != Source && l != Pseudo {
			langs = append(langs, l)
		}
	}
	sort.Strings(langs)
	langs = append([]string{Source}, langs...)
}

// readLang reads and checks the files of one language.
func readLang(lang string) (*Catalog, error) {
	c := &Catalog{lang: lang, msgs: make(map[string]Message), plural: pluralRule(lang)}
	dir := path.Join("catalog", lang)
	ents, err := fs.ReadDir(files, dir)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		if e.IsDir() || path.Ext(e.Name()) != ".json" {
			continue
		}
		name := path.Join(dir, e.Name())
		b, err := fs.ReadFile(files, name)
		if err != nil {
			return nil, err
		}
		msgs, err := parseFile(b)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		for k, m := range msgs {
			if _, dup := c.msgs[k]; dup {
				return nil, fmt.Errorf("i18n: %s: key %q is already in another file of %s", name, k, lang)
			}
			c.msgs[k] = m
		}
	}
	return c, nil
}

// parseFile reads one catalogue file: an object of keys to a string or
// an object of plural forms.
func parseFile(b []byte) (map[string]Message, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	out := make(map[string]Message, len(raw))
	for k, v := range raw {
		if !validKey(k) {
			return nil, fmt.Errorf("key %q: want dotted lower-case words (a-z, 0-9, _)", k)
		}
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			out[k] = Message{"other": s}
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(v, &forms); err != nil {
			return nil, fmt.Errorf("key %q: want a string or an object of plural forms", k)
		}
		if _, ok := forms["other"]; !ok {
			return nil, fmt.Errorf("key %q: plural forms without \"other\"", k)
		}
		for form := range forms {
			if !pluralCategory[form] {
				return nil, fmt.Errorf("key %q: %q is not a CLDR plural category", k, form)
			}
		}
		out[k] = forms
	}
	return out, nil
}

var pluralCategory = map[string]bool{"zero": true, "one": true, "two": true, "few": true, "many": true, "other": true}

func validKey(k string) bool {
	if k == "" || k[0] == '.' || k[len(k)-1] == '.' || strings.Contains(k, "..") {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// pluralRule returns the CLDR cardinal plural rule of the shipped
// languages (CLDR 46 plurals.xml): English "one" for exactly 1, Chinese,
// Japanese and Korean "other" always. A language added to the catalogue
// adds its rule here (a test checks that every shipped language has one).
func pluralRule(lang string) func(float64) string {
	switch base(lang) {
	case "en":
		return func(n float64) string {
			if n == 1 {
				return "one"
			}
			return "other"
		}
	case "zh", "ja", "ko":
		return func(float64) string { return "other" }
	}
	return nil
}

func base(lang string) string {
	b, _, _ := strings.Cut(lang, "-")
	return strings.ToLower(b)
}

func catalogue() map[string]*Catalog {
	loadOnce.Do(load)
	if loadErr != nil {
		// The catalogue is embedded and its tests read it: a broken one
		// never ships.
		panic(loadErr)
	}
	return catalogs
}

// Langs returns the languages shipped (not [Pseudo]), the source first.
func Langs() []string {
	catalogue()
	return slices.Clone(langs)
}

// For returns the catalogue of lang (one of [Langs], or [Pseudo]); any
// other tag gets the source's.
func For(lang string) *Catalog {
	cs := catalogue()
	if c, ok := cs[lang]; ok {
		return c
	}
	for l, c := range cs {
		if strings.EqualFold(l, lang) {
			return c
		}
	}
	return cs[Source]
}

// Lang returns the catalogue's language tag.
func (c *Catalog) Lang() string { return c.lang }

// Keys returns every key of the catalogue, sorted.
func (c *Catalog) Keys() []string {
	out := make([]string, 0, len(c.msgs))
	for k := range c.msgs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Has reports whether the catalogue itself (not its fallback) has key.
func (c *Catalog) Has(key string) bool {
	_, ok := c.msgs[key]
	return ok
}

// Message returns key's message in this catalogue, without fallback.
func (c *Catalog) Message(key string) (Message, bool) {
	m, ok := c.msgs[key]
	return m, ok
}

// T returns the message key with its placeholders filled from args,
// given as name, value pairs as log/slog takes them: T("x", "n", 3,
// "name", "Bob"). A message with plural forms is chosen by the argument
// n. A key this language lacks is looked up in the source, and a key
// nowhere is returned as it is (so a missing message shows, and a test
// finds it, rather than showing nothing).
func (c *Catalog) T(key string, args ...any) string {
	m, ok := c.msgs[key]
	for cc := c.back; !ok && cc != nil; cc = cc.back {
		m, ok = cc.msgs[key]
	}
	if !ok {
		return key
	}
	text := m["other"]
	if len(m) > 1 {
		if n, ok := number(arg(args, "n")); ok {
			if t, ok := m[c.plural(n)]; ok {
				text = t
			}
		}
	}
	if !strings.Contains(text, "{") {
		return text
	}
	return fill(text, args)
}

// arg returns the value of the argument named name, or nil.
func arg(args []any, name string) any {
	for i := 0; i+1 < len(args); i += 2 {
		if s, ok := args[i].(string); ok && s == name {
			return args[i+1]
		}
	}
	return nil
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// fill replaces each {name} in text by its argument; a placeholder without
// an argument is left as it is.
func fill(text string, args []any) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			b.WriteString(text)
			return b.String()
		}
		name := text[i+1 : i+j]
		b.WriteString(text[:i])
		if v := arg(args, name); v != nil && validName(name) {
			b.WriteString(format(v))
		} else {
			b.WriteString(text[i : i+j+1])
		}
		text = text[i+j+1:]
	}
}

func format(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// Placeholders returns the names of the placeholders in text, sorted and
// without repeats.
func Placeholders(text string) []string {
	seen := map[string]bool{}
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			break
		}
		if name := text[i+1 : i+j]; validName(name) {
			seen[name] = true
		}
		text = text[i+j+1:]
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// JSON returns the catalogue as the pages read it: an object of keys to a
// string or an object of plural forms, with the language's messages only
// (the source's fill any gap, so a page never shows a key).
func (c *Catalog) JSON() []byte {
	out := map[string]any{}
	add := func(cat *Catalog) {
		for k, m := range cat.msgs {
			if _, ok := out[k]; ok {
				continue
			}
			if len(m) == 1 {
				out[k] = m["other"]
			} else {
				out[k] = m
			}
		}
	}
	for cc := c; cc != nil; cc = cc.back {
		add(cc)
	}
	b, err := json.Marshal(map[string]any{"lang": c.lang, "messages": out})
	if err != nil {
		panic(err) // strings only
	}
	return b
}

// Pick returns the language to use for a list of BCP 47 tags, most
// preferred first (navigator.languages, or an Accept-Language header's
// tags in order): the first that names a shipped language (or [Pseudo]);
// Chinese in Traditional script (zh-Hant, zh-TW, zh-HK, zh-MO) only when
// nothing else matches, since only Simplified is shipped; else the
// source. www/i18n.js's pick does the same (a browser test compares
// them).
func Pick(prefs []string) string {
	catalogue()
	traditional := false
	for _, raw := range prefs {
		tag := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(raw)), "_", "-")
		if tag == strings.ToLower(Pseudo) {
			return Pseudo
		}
		parts := strings.Split(tag, "-")
		if parts[0] == "zh" {
			rest := parts[1:]
			if slices.Contains(rest, "hant") || (!slices.Contains(rest, "hans") &&
				slices.ContainsFunc(rest, func(s string) bool { return s == "tw" || s == "hk" || s == "mo" })) {
				traditional = true
				continue
			}
			return "zh-Hans"
		}
		for _, l := range langs {
			if strings.ToLower(l) == parts[0] {
				return l
			}
		}
	}
	if traditional {
		return "zh-Hans"
	}
	return Source
}
