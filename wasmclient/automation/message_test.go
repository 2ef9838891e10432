package automation

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"testing"

	"github.com/drawbridge/drawbridge/shared/i18n"
)

// sampleErrors returns errors of every family the package gives: item
// by item, joined, of keys, regular expressions, JSON and Mudlet imports
// and merges.
func sampleErrors(t *testing.T) []error {
	t.Helper()
	var out []error
	bad := Model{
		Groups:  []Group{{Name: "g"}, {Name: "g"}},
		Aliases: []Alias{{ID: "a", Name: "k", Pattern: `^k (.+$`}, {Pattern: "x"}, {ID: "a", Name: "dup", Pattern: "x"}},
		Triggers: []Trigger{
			{ID: "t1", Name: "rep", Match: Regex, Pattern: `(\w+) \1`, Gag: true},
			{ID: "t2", Name: "colour", Pattern: "a", Highlight: &Highlight{FG: "mauve"}},
			{ID: "t3", Name: "scope", Pattern: "a", Highlight: &Highlight{FG: "red", Scope: "word"}},
			{ID: "t4", Name: "idle", Pattern: "a"},
			{ID: "t5", Name: "glob", Pattern: "a", Match: "glob", Gag: true},
			{ID: "t6", Name: "sound", Pattern: "a", Sound: "x.wav"},
			{ID: "t7", Name: "long", Pattern: "a", Notify: strings.Repeat("x", MaxCommandsLen+1)},
			{ID: "t8", Name: "big", Match: Regex, Pattern: `\pL{1000}`, Gag: true},
		},
		Macros: []Macro{{ID: "m1", Name: "m", Key: "Hyper+X", Commands: "x"}, {ID: "m2", Key: "q", Commands: "x"}, {ID: "m3", Name: "none", Key: "F1"}},
	}
	errs := bad.Validate()
	if len(errs) < 12 {
		t.Fatalf("the bad model gave %d errors: %v", len(errs), errs)
	}
	out = append(out, errs...)
	out = append(out, errors.Join(errs...))
	for _, k := range []string{"", strings.Repeat("x", 65), "Ctrl+Ctrl+K", "Ctrl+Nope"} {
		_, err := ParseKey(k)
		out = append(out, err)
	}
	for _, s := range []string{"", "{", "xyz", `[1]`, `{"version":"x"}`, `{}`, `{"version": 9}`, `{"version": -1}`, `{"version": 1} {}`,
		`{"version": 1, "aliases": [{"pattern": "("}, {"pattern": "a**"}]}`} {
		_, err := ImportJSON([]byte(s))
		out = append(out, err)
	}
	for _, s := range []string{"", `<MudletPackage version="2.0"/>`, `<MudletPackage><AliasPackage><Alias>`} {
		_, _, err := ImportMudlet(strings.NewReader(s))
		out = append(out, err)
	}
	many := Model{Groups: make([]Group, MaxGroups)}
	for i := range many.Groups {
		many.Groups[i].Name = fmt.Sprint(i)
	}
	_, _, err := Merge(many, Model{Groups: []Group{{Name: "one more"}}})
	out = append(out, err)
	_, err = syntax.Parse(`a{2,1}`, syntax.Perl)
	out = append(out, err, fmt.Errorf("load: %w", errs[0]))
	for i, err := range out {
		if err == nil {
			t.Fatalf("sample %d is no error", i)
		}
	}
	return out
}

// TestLocalizeEnglishIsError: in the source language an error reads as
// its Error() does, and so does a note its String().
func TestLocalizeEnglishIsError(t *testing.T) {
	en := i18n.For(i18n.Source)
	for _, err := range sampleErrors(t) {
		if got, want := Localize(en, err), err.Error(); got != want {
			t.Errorf("Localize(en) = %q, want %q", got, want)
		}
		if got, want := Localize(nil, err), err.Error(); got != want {
			t.Errorf("Localize(nil) = %q, want %q", got, want)
		}
	}
	_, rep, err := ImportMudlet(strings.NewReader(mudletSample(t)))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range append(rep.Skipped, rep.Changed...) {
		if n.Key == "" {
			t.Errorf("note %s has no key", n)
		}
		if got, want := n.Localize(en), n.String(); got != want {
			t.Errorf("Note.Localize(en) = %q, want %q", got, want)
		}
	}
	// A note made by hand, without a key, is its Why.
	if got, want := (Note{Kind: "timer", Name: "x", Why: "no"}).Localize(i18n.For("zh-Hans")), "定时器“x”：no"; got != want {
		t.Errorf("note without a key: %q, want %q", got, want)
	}
	// An error from elsewhere is its own text.
	if got := Localize(i18n.For("zh-Hans"), wrapRead(errors.New("disk on fire"))); got != "read: disk on fire" {
		t.Errorf("foreign error: %q", got)
	}
}

func wrapRead(err error) error { return fmt.Errorf("read: %w", err) }

func mudletSample(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "mudlet", "profile.xml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestLocalizeChinese: the player's language, all the way down.
func TestLocalizeChinese(t *testing.T) {
	zh := i18n.For("zh-Hans")
	errs := (&Model{
		Aliases: []Alias{{ID: "1", Name: "k", Pattern: `^k (.+$`}},
		Macros:  []Macro{{ID: "2", Key: "Hyper+X", Commands: "x"}},
	}).Validate()
	if len(errs) != 2 {
		t.Fatalf("errors %v", errs)
	}
	_, keyErr := ParseKey("Ctrl+Ctrl+K")
	_, reErr := syntax.Parse(`(\w+) \1`, syntax.Perl)
	_, jsonErr := ImportJSON([]byte(`{"version": 1, "triggers": [{"pattern": "a", "sound": "x"}]}`))
	_, rep, err := ImportMudlet(strings.NewReader(`<MudletPackage><TimerPackage><Timer><name>save</name></Timer></TimerPackage>
		<TriggerPackage><Trigger isActive="yes"><name>Tell</name><mCommand>x</mCommand><mStayOpen>1</mStayOpen>
		<regexCodeList><string>a</string><string>b</string></regexCodeList><regexCodePropertyList><integer>0</integer><integer>0</integer></regexCodePropertyList>
		</Trigger></TriggerPackage><VariablePackage/></MudletPackage>`))
	if err != nil || len(rep.Skipped) != 2 || len(rep.Changed) != 2 {
		t.Fatalf("import: %v %+v", err, rep)
	}
	for _, c := range []struct{ got, want string }{
		{Localize(zh, errs[0]), "别名“k”：匹配模式：正则表达式有误：缺少右括号 )：`^k (.+$`"},
		{Localize(zh, errs[1]), "第 1 个快捷键：按键：组合键无效：“Hyper+X”：未知的修饰键“Hyper”（应为 Ctrl、Alt、Shift 或 Meta）"},
		{Localize(zh, keyErr), "组合键无效：“Ctrl+Ctrl+K”：Ctrl 写了两次"},
		{Localize(zh, reErr), "正则表达式有误：无效的转义序列：`\\1`"},
		{Localize(zh, jsonErr), "导入失败：第 1 个触发器：声音“x”：应为 beep、chime 或 alert"},
		{rep.Skipped[0].Localize(zh), "定时器“save”：不支持定时器"},
		{rep.Skipped[1].Localize(zh), "变量：不导入 Lua 变量"},
		{rep.Changed[0].Localize(zh), "触发器“Tell”：它的 2 个匹配模式合成了一个正则表达式，每个是其中一个分支"},
		{rep.Changed[1].Localize(zh), "触发器“Tell”：只在匹配的那一行触发（不支持它 1 行的触发长度）"},
		{strings.Join(rep.Localize(zh), "\n"), "已跳过：定时器“save”：不支持定时器\n已跳过：变量：不导入 Lua 变量\n" +
			"有改动：触发器“Tell”：它的 2 个匹配模式合成了一个正则表达式，每个是其中一个分支\n有改动：触发器“Tell”：只在匹配的那一行触发（不支持它 1 行的触发长度）"},
		{rep.Localize(nil)[0], `Skipped: timer "save": timers are not supported`},
	} {
		if c.got != c.want {
			t.Errorf("got  %s\nwant %s", c.got, c.want)
		}
	}
	// English counts.
	if got, want := rep.Changed[1].String(), `trigger "Tell": fires on the matching line only (its fire length of 1 line is not supported)`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// Localizing keeps the errors what they are.
	var se *syntax.Error
	if !errors.Is(errs[1], ErrKey) || !errors.Is(keyErr, ErrKey) || !errors.As(errs[0], &se) || se.Code != syntax.ErrMissingParen {
		t.Errorf("errors.Is/As lost: %v %v %v", errs[0], errs[1], keyErr)
	}
	// Nothing of the sample, in Chinese, is left in English: no word of
	// three letters or more outside what the player or the file wrote,
	// the regular expressions, and names (JSON, Ctrl, ...).
	allowed := map[string]bool{"MiB": true, "JSON": true, "Drawbridge": true, "Mudlet": true, "MudletPackage": true, "XML": true, "Lua": true,
		"UTF": true, "Perl": true, "Ctrl": true, "Alt": true, "Shift": true, "Meta": true, "KeyboardEvent": true, "code": true,
		"KeyA": true, "Digit1": true, "Numpad8": true, "ArrowUp": true, "rrggbb": true, "rgb": true, "red": true,
		"beep": true, "chime": true, "alert": true, "substring": true, "regex": true, "match": true, "groups": true, "line": true,
		"unexpected": true, "EOF": true, "disk": true, "fire": true, "read": true, "load": true, "version": true}
	word := regexp.MustCompile(`[A-Za-z]{3,}[A-Za-z0-9]*`)
	for _, err := range sampleErrors(t) {
		text := Localize(zh, err)
		// What is between quotes or backquotes is the player's.
		text = regexp.MustCompile("“[^”]*”|`[^`]*`").ReplaceAllString(text, "")
		for _, w := range word.FindAllString(text, -1) {
			if !allowed[w] {
				t.Errorf("English %q left in %q", w, Localize(zh, err))
				break
			}
		}
	}
}

// TestSyntaxErrorCodes: every error code of regexp/syntax in this Go
// release, read from its source, has a message.
func TestSyntaxErrorCodes(t *testing.T) {
	pkg, err := build.Import("regexp/syntax", "", build.FindOnly)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	codes := map[string]syntax.ErrorCode{}
	for _, name := range []string{"parse.go"} {
		f, err := parser.ParseFile(fset, filepath.Join(pkg.Dir, name), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "ErrorCode" {
					continue
				}
				for i, n := range vs.Names {
					lit := vs.Values[i].(*ast.BasicLit)
					v, _ := strconv.Unquote(lit.Value)
					codes[n.Name] = syntax.ErrorCode(v)
				}
			}
		}
	}
	if len(codes) < 16 {
		t.Fatalf("found %d error codes in %s: is the test reading it?", len(codes), pkg.Dir)
	}
	for name, code := range codes {
		key, ok := syntaxKeys[code]
		if !ok {
			t.Errorf("syntax.%s (%q) has no message: add it to syntaxKeys and the catalogue", name, code)
			continue
		}
		e := &syntax.Error{Code: code, Expr: "(?x"}
		for _, l := range i18n.Langs() {
			if !i18n.For(l).Has(key) {
				t.Errorf("%s: %s (syntax.%s) is not in the catalogue", l, key, name)
			}
		}
		if got := Localize(i18n.For(i18n.Source), e); got != e.Error() {
			t.Errorf("syntax.%s in English: %q, want Go's %q", name, got, e.Error())
		}
		if got := Localize(i18n.For("zh-Hans"), e); got == e.Error() || !strings.Contains(got, "(?x") {
			t.Errorf("syntax.%s in Chinese: %q", name, got)
		}
	}
	if len(syntaxKeys) != len(codes) {
		t.Errorf("syntaxKeys has %d codes, Go %d", len(syntaxKeys), len(codes))
	}
	// An unknown code (a later Go's) is shown as Go writes it.
	e := &syntax.Error{Code: "new trouble", Expr: "x"}
	if got := Localize(i18n.For("zh-Hans"), e); got != e.Error() {
		t.Errorf("unknown code: %q", got)
	}
}

// keyArgs are the functions that take a message key, and where.
var keyArgs = map[string]int{"newError": 0, "wrapError": 0, "skip": 2, "change": 2, "unsupported": 3}

// TestKeysInCatalogue reads the package's source: every message key it
// uses (a string literal "auto.…") is in every shipped language, every
// key given to a constructor or as a Key is such a literal (or the
// parameter key passing one on), and every message of the package's
// catalogue file is used.
func TestKeysInCatalogue(t *testing.T) {
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checkKey := func(e ast.Expr) {
			switch x := e.(type) {
			case *ast.BasicLit:
				if s, _ := strconv.Unquote(x.Value); x.Kind == token.STRING && strings.HasPrefix(s, "auto.") {
					return
				}
			case *ast.Ident:
				if x.Name == "key" {
					return
				}
			}
			t.Errorf("%s: a message key that is not a literal \"auto.…\"", fset.Position(e.Pos()))
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.BasicLit:
				if s, err := strconv.Unquote(x.Value); err == nil && x.Kind == token.STRING && strings.HasPrefix(s, "auto.") {
					used[s] = true
				}
			case *ast.CallExpr:
				name := ""
				switch fn := x.Fun.(type) {
				case *ast.Ident:
					name = fn.Name
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				}
				if i, ok := keyArgs[name]; ok && len(x.Args) > i {
					checkKey(x.Args[i])
				}
			case *ast.CompositeLit:
				if id, ok := x.Type.(*ast.Ident); ok && (id.Name == "Error" || id.Name == "Note") {
					for _, el := range x.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok && kv.Key.(*ast.Ident).Name == "Key" {
							checkKey(kv.Value)
						}
					}
				}
			}
			return true
		})
	}
	if len(used) < 80 {
		t.Fatalf("found %d keys in the source: is the test reading it?", len(used))
	}
	for _, l := range i18n.Langs() {
		c := i18n.For(l)
		for k := range used {
			if !c.Has(k) {
				t.Errorf("%s: %s is not in the catalogue", l, k)
			}
		}
	}
	b, err := os.ReadFile(filepath.Join("..", "..", "shared", "i18n", "catalog", i18n.Source, "automation_errors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file map[string]any
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	for k := range file {
		if !used[k] {
			t.Errorf("%s is in automation_errors.json but nothing here uses it", k)
		}
	}
	t.Logf("%d keys", len(used))
}
