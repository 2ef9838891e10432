package i18n

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestLangsShipped(t *testing.T) {
	got := Langs()
	if want := []string{"en", "zh-Hans"}; !slices.Equal(got, want) {
		t.Fatalf("Langs() = %v, want %v", got, want)
	}
	for _, l := range got {
		if pluralRule(l) == nil {
			t.Errorf("%s has no plural rule: add its CLDR rule to pluralRule", l)
		}
	}
}

// tags finds the <n> and </n> marks of a message.
var tags = regexp.MustCompile(`</?\d+>`)

// forms returns the plural categories a language's rule can give, tried
// on the integers that tell them apart in the shipped languages.
func forms(lang string) []string {
	rule := pluralRule(lang)
	var out []string
	for _, n := range []float64{0, 1, 2, 3, 5, 11, 21, 100, 1.5} {
		if f := rule(n); !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}

// TestEveryLanguageComplete checks each shipped language against the
// source: the same keys, in each message the same placeholders and the
// same <n> marks, and, for a message that counts, every plural form the
// language's rule can choose.
func TestEveryLanguageComplete(t *testing.T) {
	src := For(Source)
	for _, l := range Langs() {
		c := For(l)
		if c.Lang() != l {
			t.Fatalf("For(%q) gave %q", l, c.Lang())
		}
		for _, k := range src.Keys() {
			sm, _ := src.Message(k)
			m, ok := c.Message(k)
			if !ok {
				t.Errorf("%s: %s is missing", l, k)
				continue
			}
			want := Placeholders(sm["other"])
			wantTags := tags.FindAllString(sm["other"], -1)
			for form, text := range m {
				if got := Placeholders(text); !slices.Equal(got, want) && !(form == "one" && slices.Equal(withoutN(want), withoutN(got))) {
					t.Errorf("%s: %s (%s): placeholders %v, want %v", l, k, form, got, want)
				}
				if got := tags.FindAllString(text, -1); !slices.Equal(sortCopy(got), sortCopy(wantTags)) {
					t.Errorf("%s: %s (%s): marks %v, want %v", l, k, form, got, wantTags)
				}
				if strings.TrimSpace(text) == "" {
					t.Errorf("%s: %s (%s) is empty", l, k, form)
				}
			}
			if len(sm) > 1 {
				for _, f := range forms(l) {
					if _, ok := m[f]; !ok {
						t.Errorf("%s: %s counts, and lacks the plural form %q", l, k, f)
					}
				}
			}
		}
		for _, k := range c.Keys() {
			if !src.Has(k) {
				t.Errorf("%s: %s is not in the source (%s)", l, k, Source)
			}
		}
	}
}

func withoutN(names []string) []string {
	return slices.DeleteFunc(slices.Clone(names), func(s string) bool { return s == "n" })
}

func sortCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// TestMessagesWellFormed checks what the pages and the client rely on:
// braces only around placeholder names, marks paired and in order, no
// markup besides them, no control characters.
func TestMessagesWellFormed(t *testing.T) {
	brace := regexp.MustCompile(`\{[A-Za-z0-9_]+\}`)
	mark := regexp.MustCompile(`<(\d+)>[^<]*</(\d+)>`)
	for _, l := range Langs() {
		c := For(l)
		for _, k := range c.Keys() {
			m, _ := c.Message(k)
			for form, text := range m {
				if rest := brace.ReplaceAllString(text, ""); strings.ContainsAny(rest, "{}") {
					t.Errorf("%s: %s (%s): a brace that is not a placeholder: %q", l, k, form, text)
				}
				for _, sm := range mark.FindAllStringSubmatch(text, -1) {
					if sm[1] != sm[2] {
						t.Errorf("%s: %s (%s): mark <%s> closed by </%s>", l, k, form, sm[1], sm[2])
					}
				}
				if rest := mark.ReplaceAllString(text, ""); strings.ContainsAny(rest, "<>") {
					t.Errorf("%s: %s (%s): markup besides <n>..</n>: %q", l, k, form, text)
				}
				if strings.ContainsFunc(text, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
					t.Errorf("%s: %s (%s): a control character", l, k, form)
				}
			}
		}
	}
}

func TestT(t *testing.T) {
	en, zh := For("en"), For("zh-Hans")
	for _, tc := range []struct {
		c    *Catalog
		key  string
		args []any
		want string
	}{
		{en, "client.status.connected", nil, "Connected"},
		{zh, "client.status.connected", nil, "已连接"},
		{en, "client.copy.done", []any{"n", 1}, "Copied 1 character"},
		{en, "client.copy.done", []any{"n", 3}, "Copied 3 characters"},
		{en, "client.copy.done", []any{"n", 0}, "Copied 0 characters"},
		{zh, "client.copy.done", []any{"n", 1}, "已复制 1 个字符"},
		{en, "client.notice.send_failed", []any{"why", "x"}, "Could not send that line: x"},
		// A placeholder without its argument stays, so it shows.
		{en, "client.notice.send_failed", nil, "Could not send that line: {why}"},
		// A key nowhere is itself.
		{zh, "no.such.key", nil, "no.such.key"},
		{For("xx-Unknown"), "client.status.connected", nil, "Connected"},
		{For("ZH-hans"), "client.status.connected", nil, "已连接"},
		{For(Pseudo), "client.copy.done", []any{"n", 2}, PseudoOpen + "Copied 2 characters" + PseudoClose},
	} {
		if got := tc.c.T(tc.key, tc.args...); got != tc.want {
			t.Errorf("%s T(%q, %v) = %q, want %q", tc.c.Lang(), tc.key, tc.args, got, tc.want)
		}
	}
}

func TestFallbackToSource(t *testing.T) {
	c := &Catalog{lang: "zz", msgs: map[string]Message{}, plural: pluralRule("en"), back: For(Source)}
	if got := c.T("client.status.connected"); got != "Connected" {
		t.Fatalf("a missing message gave %q, want the source's", got)
	}
	var page struct {
		Lang     string         `json:"lang"`
		Messages map[string]any `json:"messages"`
	}
	if err := json.Unmarshal(c.JSON(), &page); err != nil {
		t.Fatal(err)
	}
	if page.Lang != "zz" || page.Messages["client.status.connected"] != "Connected" {
		t.Fatalf("JSON() = %s..., want the source filling the gaps", c.JSON()[:80])
	}
}

func TestJSONForThePages(t *testing.T) {
	for _, l := range append(Langs(), Pseudo) {
		var page struct {
			Lang     string                     `json:"lang"`
			Messages map[string]json.RawMessage `json:"messages"`
		}
		if err := json.Unmarshal(For(l).JSON(), &page); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		if page.Lang != l || len(page.Messages) != len(For(Source).Keys()) {
			t.Fatalf("%s: lang %q with %d messages, want %d", l, page.Lang, len(page.Messages), len(For(Source).Keys()))
		}
		if len(forms(l)) == 1 {
			continue // one form only: a plain string
		}
		var fs map[string]string
		if err := json.Unmarshal(page.Messages["client.copy.done"], &fs); err != nil || fs["other"] == "" {
			t.Fatalf("%s: a plural message is %s, want its forms", l, page.Messages["client.copy.done"])
		}
	}
}

func TestParseFileRefuses(t *testing.T) {
	for _, bad := range []string{
		`{"Upper.case": "x"}`,
		`{"a..b": "x"}`,
		`{"a": 3}`,
		`{"a": {"one": "x"}}`,
		`{"a": {"other": "x", "several": "y"}}`,
		`not json`,
	} {
		if _, err := parseFile([]byte(bad)); err == nil {
			t.Errorf("parseFile(%s) took it", bad)
		}
	}
}

func TestPlaceholders(t *testing.T) {
	if got := Placeholders("{a} and {b_2} and {a} and {not a name} {"); !slices.Equal(got, []string{"a", "b_2"}) {
		t.Fatalf("Placeholders = %v", got)
	}
}

func BenchmarkT(b *testing.B) {
	c := For("zh-Hans")
	for b.Loop() {
		_ = c.T("client.status.waiting", "reason", "x", "n", 5)
	}
}

func TestPick(t *testing.T) {
	for _, tc := range []struct {
		prefs []string
		want  string
	}{
		{[]string{"zh-CN"}, "zh-Hans"},
		{[]string{"zh"}, "zh-Hans"},
		{[]string{"zh-Hans-SG"}, "zh-Hans"},
		{[]string{"zh-TW", "en"}, "en"},
		{[]string{"zh-Hant"}, "zh-Hans"},
		{[]string{"en-GB", "zh"}, "en"},
		{[]string{"fr", "zh-CN"}, "zh-Hans"},
		{[]string{"fr", "de"}, "en"},
		{nil, "en"},
		{[]string{"EN-xa"}, Pseudo},
		{[]string{"zh_CN"}, "zh-Hans"},
	} {
		if got := Pick(tc.prefs); got != tc.want {
			t.Errorf("Pick(%q) = %q, want %q", tc.prefs, got, tc.want)
		}
	}
}
