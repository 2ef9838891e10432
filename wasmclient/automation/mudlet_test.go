package automation

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

func importProfile(t *testing.T) (Model, Report) {
	t.Helper()
	f, err := os.Open("testdata/mudlet/profile.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, rep, err := ImportMudlet(f)
	if err != nil {
		t.Fatalf("ImportMudlet: %v", err)
	}
	return m, rep
}

// TestImportMudletProfile checks each item of a hand-written profile
// (testdata/mudlet/profile.xml, written from Mudlet's XMLimport.cpp and
// packages in the wild): what maps, what is skipped and why.
func TestImportMudletProfile(t *testing.T) {
	m, rep := importProfile(t)
	if errs := m.Validate(); len(errs) > 0 {
		t.Fatalf("imported model does not validate: %v", errs)
	}
	if rep.Aliases != 3 || rep.Triggers != 6 || rep.Macros != 7 {
		t.Errorf("imported %d aliases, %d triggers, %d macros; want 3, 6, 7", rep.Aliases, rep.Triggers, rep.Macros)
	}
	wantGroups := []Group{{"Combat", true}, {"Chat/Tells", false}, {"Keypad", true}}
	if !slices.Equal(m.Groups, wantGroups) {
		t.Errorf("groups %v, want %v", m.Groups, wantGroups)
	}

	type alias struct{ name, group, pattern, cmds string }
	var aliases []alias
	for _, a := range m.Aliases {
		aliases = append(aliases, alias{a.Name, a.Group, a.Pattern, a.Commands})
	}
	wantAliases := []alias{
		{"kill", "Combat", "^k (.+)$", "kill $1"},                // send("kill " .. matches[2])
		{"buy", "Combat", "^bb$", "buy bread for $$5"},           // a command field is literal
		{"loot", "", "^lc$", "get all corpse\nsacrifice corpse"}, // two sends and a comment
	}
	if !slices.Equal(aliases, wantAliases) {
		t.Errorf("aliases\n%v\nwant\n%v", aliases, wantAliases)
	}

	byName := map[string]Trigger{}
	for _, tr := range m.Triggers {
		byName[tr.Name] = tr
	}
	checks := []struct {
		name string
		want Trigger
	}{
		{"Failed spells", Trigger{Group: "Combat", Enabled: true, Match: Regex, Pattern: "You lost your concentration while trying to cast (.+)",
			Highlight: &Highlight{FG: "#804002", BG: "#ffffff", Scope: ScopeGroups}}},
		{"Auto loot", Trigger{Group: "Combat", Enabled: true, Match: Substring, Pattern: "is DEAD!!", Commands: "get all corpse;;sacrifice corpse"}},
		{"Rescue", Trigger{Group: "Combat", Enabled: false, Match: Regex, Pattern: `^(\w+) screams in pain!$`, Commands: "rescue $1"}},
		{"Tell", Trigger{Group: "Chat/Tells", Enabled: true, Match: Regex, Pattern: `(?:^(\w+) tells you ')|(?:^(\w+) whispers to you ')`,
			Highlight: &Highlight{FG: "#00ff00", Scope: ScopeGroups, All: true}, Sound: SoundBeep}},
		{"Spam", Trigger{Group: "Chat/Tells", Enabled: true, Match: Regex, Pattern: `^\[Auction\]`, Gag: true}},
		{"Hungry", Trigger{Enabled: true, Match: Regex, Pattern: `^You are hungry\.$`, Commands: "eat bread"}},
	}
	if len(byName) != len(checks) {
		t.Errorf("triggers %v, want %d", m.Triggers, len(checks))
	}
	for _, c := range checks {
		got, ok := byName[c.name]
		if !ok {
			t.Errorf("trigger %q not imported", c.name)
			continue
		}
		got.ID, got.Name = "", ""
		if !sameTrigger(got, c.want) {
			t.Errorf("trigger %q:\n got %+v %+v\nwant %+v %+v", c.name, got, got.Highlight, c.want, c.want.Highlight)
		}
	}

	var keys []string
	for _, k := range m.Macros {
		keys = append(keys, fmt.Sprintf("%s %s %s: %s", k.Group, k.Name, k.Key, k.Commands))
	}
	wantKeys := []string{
		"Keypad north Numpad8: n",
		"Keypad south (NumLock off) Numpad2: s",
		"Keypad up NumpadAdd: u",
		" score F1: score",
		" kill target Ctrl+KeyK: kill target",
		" bag Alt+Digit1: look in bag",
		" shifted F5 Shift+F5: cast 'armor'",
	}
	if !slices.Equal(keys, wantKeys) {
		t.Errorf("macros\n%s\nwant\n%s", strings.Join(keys, "\n"), strings.Join(wantKeys, "\n"))
	}

	wantSkipped := map[string]string{
		`alias "target"`:            "its action is a Lua script",
		`alias "double"`:            "invalid escape sequence: `\\1`",
		`trigger "Repeated word"`:   "invalid escape sequence: `\\1`",
		`trigger "Not followed"`:    "invalid or unsupported Perl syntax: `(?!`",
		`trigger "Room capture"`:    "multi-line",
		`trigger "Low health"`:      "Lua function pattern",
		`trigger "Red text"`:        "colour pattern",
		`trigger "Channel filter"`:  "filter",
		`trigger "Gossip about me"`: `trigger chain "Channel filter"`,
		`key "plain letter"`:        "types text",
		`key "media key"`:           "key code 0x1000080",
		`key "spellup"`:             "Lua script",
		`timer "Keep alive"`:        "timers are not supported",
		`button "Score"`:            "buttons",
		`script "Helpers"`:          "Lua scripts are not supported",
		`variables`:                 "variables are not imported",
	}
	got := map[string]string{}
	for _, n := range rep.Skipped {
		key := n.Kind
		if n.Name != "" {
			key = fmt.Sprintf("%s %q", n.Kind, n.Name)
		}
		got[key] = n.Why
	}
	for k, why := range wantSkipped {
		if !strings.Contains(got[k], why) {
			t.Errorf("skipped %s: %q, want it to say %q", k, got[k], why)
		}
	}
	if len(got) != len(wantSkipped) {
		t.Errorf("skipped %v, want %d items", rep.Skipped, len(wantSkipped))
	}

	wantChanged := []string{
		`trigger "Tell": its 2 patterns are one regular expression`,
		`trigger "Tell": plays beep instead of the sound file`,
		`trigger "Hungry": fires on the matching line only`,
	}
	if len(rep.Changed) != len(wantChanged) {
		t.Errorf("changed %v, want %d notes", rep.Changed, len(wantChanged))
	}
	for i, w := range wantChanged {
		if i < len(rep.Changed) && !strings.HasPrefix(rep.Changed[i].String(), w) {
			t.Errorf("changed[%d] = %q, want %q...", i, rep.Changed[i], w)
		}
	}
}

// TestImportMudletRuns runs the imported profile: its aliases, triggers
// and keys do what they did in Mudlet.
func TestImportMudletRuns(t *testing.T) {
	m, _ := importProfile(t)
	for i := range m.Groups {
		m.Groups[i].Enabled = true // turn Chat/Tells on
	}
	e, err := New(m, Options{Separator: ";;", Now: fixedClock()})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := e.Expand("k rat;;bb;;lc"); !slices.Equal(got, []string{"kill rat", "buy bread for $5", "get all corpse", "sacrifice corpse"}) {
		t.Errorf("Expand = %q", got)
	}
	r := e.Line("The rat is DEAD!!")
	if !slices.Equal(r.Commands, []string{"get all corpse", "sacrifice corpse"}) {
		t.Errorf("Auto loot sent %q", r.Commands)
	}
	r = e.Line("Gandalf whispers to you 'hello'")
	if want := []Span{{0, 7, rgb(0, 0xff, 0), rgbNone}}; !slices.Equal(r.Highlights, want) || !slices.Equal(r.Sounds, []string{SoundBeep}) {
		t.Errorf("Tell: %+v, want highlights %+v and a beep", r, want)
	}
	if r := e.Line("[Auction] a sword"); !r.Gag {
		t.Errorf("Spam did not gag")
	}
	if cmds, ok, _ := e.Key("Numpad2"); !ok || !slices.Equal(cmds, []string{"s"}) {
		t.Errorf("Numpad2 = %q, %v", cmds, ok)
	}
}

func TestImportMudletErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "not a Mudlet package"},
		{"<html><body>hi</body></html>", "not a Mudlet package"},
		{"<MudletPackage version=\"2.000\"></MudletPackage>", "version 2.000 is newer"},
		{"<MudletPackage><AliasPackage><Alias>", "unexpected EOF"},
		{"<MudletPackage>" + strings.Repeat(" ", MaxMudletSize) + "</MudletPackage>", "larger than 16 MiB"},
	}
	for _, c := range cases {
		_, _, err := ImportMudlet(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ImportMudlet(%.40q) error %v, want %q", c.in, err, c.want)
		}
	}
	// An empty package is no error.
	m, rep, err := ImportMudlet(strings.NewReader(`<?xml version="1.0"?><!DOCTYPE MudletPackage><MudletPackage version="1.001"></MudletPackage>`))
	if err != nil || m.Items() != 0 || len(rep.Skipped) != 0 {
		t.Errorf("empty package: %v, %v, %v", m, rep, err)
	}
}

// TestImportMudletLimits: past MaxItems items are skipped and said so;
// folders nested deeper than maxMudletDepth are not followed.
func TestImportMudletLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("<MudletPackage><AliasPackage>")
	for i := range MaxItems + 3 {
		fmt.Fprintf(&b, `<Alias isActive="yes" isFolder="no"><name>a%d</name><regex>^a%d$</regex><command>x</command></Alias>`, i, i)
	}
	b.WriteString("</AliasPackage><KeyPackage>")
	for range maxMudletDepth + 2 {
		b.WriteString(`<KeyGroup isActive="yes" isFolder="yes"><name>g</name>`)
	}
	for range maxMudletDepth + 2 {
		b.WriteString(`</KeyGroup>`)
	}
	b.WriteString("</KeyPackage></MudletPackage>")
	m, rep, err := ImportMudlet(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Aliases) != MaxItems || len(rep.Skipped) != 3+1 || !strings.Contains(rep.Skipped[0].Why, "limit of 500") {
		t.Errorf("imported %d aliases, skipped %v", len(m.Aliases), rep.Skipped)
	}
	if errs := m.Validate(); len(errs) > 0 {
		t.Errorf("Validate: %v", errs[0])
	}
}

func TestQtKeyCombo(t *testing.T) {
	cases := []struct {
		code, mods int64
		want       string
	}{
		{qtF1, 0, "F1"},
		{qtF1 + 11, 0, "F12"},
		{qtF1 + 4, qtShift, "Shift+F5"},
		{'K', qtCtrl, "Ctrl+KeyK"},
		{'1', qtAlt, "Alt+Digit1"},
		{'8', qtKeypad, "Numpad8"},
		{'5', qtKeypad | qtShift, "Shift+Numpad5"},
		{qtDown, qtKeypad, "Numpad2"},
		{qtHome, qtKeypad, "Numpad7"},
		{qtClear, qtKeypad, "Numpad5"},
		{'+', qtKeypad, "NumpadAdd"},
		{'-', qtKeypad, "NumpadSubtract"},
		{qtEnter, qtKeypad, "NumpadEnter"},
		{qtUp, 0, "ArrowUp"},
		{qtBacktab, 0, "Shift+Tab"},
		{qtEscape, qtCtrl | qtAlt, "Ctrl+Alt+Escape"},
		{'a', qtMeta, "Meta+KeyA"},
		{'/', 0, "Slash"},
	}
	for _, c := range cases {
		got, err := qtKeyCombo(c.code, c.mods)
		if err != nil || got != c.want {
			t.Errorf("qtKeyCombo(%#x, %#x) = %q, %v; want %q", c.code, c.mods, got, err, c.want)
		}
	}
	for _, code := range []int64{0x01000080, '+', 0x01000024 /* CapsLock */, -1} {
		if got, err := qtKeyCombo(code, 0); err == nil {
			t.Errorf("qtKeyCombo(%#x, 0) = %q, want an error", code, got)
		}
	}
}

func TestLuaScript(t *testing.T) {
	cases := []struct {
		src     string
		gagOK   bool
		cmds    string
		gag, ok bool
	}{
		{`send("look")`, false, "look", false, true},
		{`send ( 'look' , true ) ;`, false, "look", false, true},
		{`send("kill " .. matches[2])`, false, "kill $1", false, true},
		{`send(matches[1]..matches[10])`, false, "$0$9", false, true},
		{`send("give $5 to " .. matches[2] .. " now")`, false, "give $$5 to $1 now", false, true},
		{"send(\"a\")\nexpandAlias(\"b\") -- two\n\n", false, "a\nb", false, true},
		{`send("say \"hi\" \\ there")`, false, `say "hi" \ there`, false, true},
		{`deleteLine()`, true, "", true, true},
		{`deleteLine(); send("x")`, true, "x", true, true},
		{`deleteLine()`, false, "", false, false},
		{``, false, "", false, false},
		{`-- only a comment`, false, "", false, false},
		{`send(target)`, false, "", false, false},
		{`send("a" .. target)`, false, "", false, false},
		{`send(matches[11])`, false, "", false, false},
		{`send(matches[0])`, false, "", false, false},
		{`send("a\nb")`, false, "", false, false},
		{`send("a)`, false, "", false, false},
		{`send("a", maybe)`, false, "", false, false},
		{`if x then send("a") end`, false, "", false, false},
		{`--[[ block ]] send("a")`, false, "", false, false},
		{`send[[a]]`, false, "", false, false},
		{`sendAll("a", "b")`, false, "", false, false},
		{`send("a") x`, false, "", false, false},
	}
	for _, c := range cases {
		cmds, gag, ok := luaScript(c.src, c.gagOK)
		if cmds != c.cmds || gag != c.gag || ok != c.ok {
			t.Errorf("luaScript(%q) = %q, %v, %v; want %q, %v, %v", c.src, cmds, gag, ok, c.cmds, c.gag, c.ok)
		}
	}
}
