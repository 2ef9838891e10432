package automation

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzImportMudlet: any input imports or fails without a panic, and what
// it imports validates and builds an engine.
func FuzzImportMudlet(f *testing.F) {
	profile, err := os.ReadFile("testdata/mudlet/profile.xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(profile)
	f.Add([]byte(`<MudletPackage version="1.001"><AliasPackage><Alias isActive="yes" isFolder="no"><name>a</name><regex>^a (.*)$</regex><script>send("b " .. matches[2])</script></Alias></AliasPackage></MudletPackage>`))
	f.Add([]byte(`<MudletPackage><KeyPackage><Key isActive="yes"><keyCode>56</keyCode><keyModifier>536870912</keyModifier><command>n</command></Key></KeyPackage></MudletPackage>`))
	f.Add([]byte(`<MudletPackage><TriggerPackage><TriggerGroup isFolder="yes" isActive="no"><name>g</name><Trigger isActive="yes" isColorizerTrigger="yes"><name>t</name><mFgColor>#fff</mFgColor><regexCodeList><string>x</string><string>y(</string></regexCodeList><regexCodePropertyList><integer>0</integer><integer>1</integer></regexCodePropertyList></Trigger></TriggerGroup></TriggerPackage></MudletPackage>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, rep, err := ImportMudlet(bytes.NewReader(data))
		if err != nil {
			return
		}
		if errs := m.Validate(); len(errs) > 0 {
			t.Fatalf("imported model does not validate: %v", errs)
		}
		if _, err := New(m, Options{Separator: ";;"}); err != nil {
			t.Fatalf("New: %v", err)
		}
		if rep.Aliases != len(m.Aliases) || rep.Triggers != len(m.Triggers) || rep.Macros != len(m.Macros) {
			t.Fatalf("report %+v for %d, %d, %d", rep, len(m.Aliases), len(m.Triggers), len(m.Macros))
		}
	})
}

// FuzzLine: for any pattern, as a substring and as a regular expression,
// and any line, Line does not panic, gives spans inside the line, gives
// the same result with the prefilter as without, and no prefilter turns
// away a line the pattern matches (checkMayMatch).
func FuzzLine(f *testing.F) {
	f.Add("tells you", "Bob tells you 'hi'", false)
	f.Add(`^(\w+) tells you '(.*)'$`, "Bob tells you 'hi'", false)
	f.Add("kiss", "a \u212Ai\u017Fs", true)
	f.Add(`(?i)ärger|mask`, "MA\u017F\u212A ÄRGER", false)
	f.Add(`(\d+) coins?`, "3 coins and 40 coins", true)
	f.Add("é", strings.Repeat("a", MaxLineLen-1)+"é", false)
	f.Add(`x*`, "\xff\xfe x", false)
	f.Add(`(MAULS|DECIMATES)`, "a MAULS b DECIMATES", false)
	f.Add(`\b(north|south)east\b`, "northeast, southeasterly", true)
	f.Add(`a|ab`, "xab ab a", false)
	f.Add(`[\x{FFFD}é]x`, "caf\xc3\xa9x \xc3x", false)
	f.Add(`^<(\d+)/(\d+)hp`, "<12/30hp <1hp", false)
	f.Add(`(?m)^x|\By`, "yx\nxyy", true)
	f.Fuzz(func(t *testing.T, pattern, line string, ignoreCase bool) {
		var m Model
		for i, match := range []MatchType{Substring, Regex} {
			for j, scope := range []Scope{ScopeMatch, ScopeGroups, ScopeLine} {
				tr := Trigger{ID: string(rune('a' + 3*i + j)), Enabled: true, Pattern: pattern, Match: match, IgnoreCase: ignoreCase,
					Highlight: &Highlight{FG: "red", Scope: scope, All: j != 2}, Commands: "say $1 $0", Notify: "$2$0"}
				if _, err := checkTrigger(&tr); err == nil {
					m.Triggers = append(m.Triggers, tr)
				}
			}
		}
		with, err := New(m, Options{Separator: ";;", Now: fixedClock()})
		if err != nil {
			t.Fatal(err)
		}
		without, _ := New(m, Options{Separator: ";;", Now: fixedClock()})
		noPrefilter(without)
		a := with.Line(line)
		for _, s := range a.Highlights {
			if s.Start < 0 || s.End <= s.Start || s.End > len(line) {
				t.Fatalf("span %+v outside a line of %d bytes", s, len(line))
			}
			// At characters' edges, as the regexp package decodes them.
			if e := edges([]byte(line)); !slices.Contains(e, s.Start) || !slices.Contains(e, s.End) {
				t.Fatalf("span %+v cuts a character of %q", s, line)
			}
		}
		for _, n := range a.Notifications {
			if utf8.RuneCountInString(n) > MaxNotifyLen {
				t.Fatalf("notification of %d runes", utf8.RuneCountInString(n))
			}
		}
		checkMayMatch(t, with, line)
		if b := without.Line(line); !sameResult(a, b) {
			t.Fatalf("with the prefilter %+v\nwithout %+v", a, b)
		}
	})
}

// FuzzExpand: any alias and any typed line expand without a panic, into
// a bounded number of commands of bounded length.
func FuzzExpand(f *testing.F) {
	f.Add(`^k (.+)$`, "kill $1;;grin", "k rat;;look")
	f.Add(`^(.*)$`, "$1$1$1;;$0", "abc")
	f.Add(`x`, "x;;x;;x;;x", "xx;;x")
	f.Fuzz(func(t *testing.T, pattern, commands, line string) {
		m := Model{Aliases: []Alias{
			{ID: "1", Enabled: true, Pattern: pattern, Commands: commands},
			{ID: "2", Enabled: true, Pattern: `^(.+)(.)$`, Commands: "$1;;$2$2"},
		}}
		e, _ := New(m, Options{Separator: ";;"})
		cmds, err := e.Expand(line)
		if err != nil {
			return
		}
		typed := len(SplitCommands(line, ";;"))
		if len(cmds) > typed*MaxExpanded {
			t.Fatalf("%d commands from %d typed", len(cmds), typed)
		}
		for _, c := range cmds {
			if len(c) > MaxLineLen && len(c) > len(line) {
				t.Fatalf("a command of %d bytes", len(c))
			}
		}
	})
}
