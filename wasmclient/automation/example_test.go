package automation_test

import (
	"fmt"
	"strings"

	"github.com/drawbridge/drawbridge/wasmclient/automation"
)

// The client builds an engine from the player's model and separator, and
// keeps one limiter for the session.
func Example() {
	m := automation.Model{
		Aliases: []automation.Alias{
			{ID: "a1", Name: "kill", Enabled: true, Pattern: `^k (.+)$`, Commands: "kill $1"},
		},
		Triggers: []automation.Trigger{
			{ID: "t1", Name: "tells", Enabled: true, Match: automation.Regex, Pattern: `^(\w+) tells you '(.*)'$`,
				Highlight: &automation.Highlight{FG: "yellow", Scope: automation.ScopeGroups}, Sound: automation.SoundChime, Notify: "$1: $2"},
			{ID: "t2", Name: "loot", Enabled: true, Pattern: "is DEAD!!", Commands: "get all corpse;;sacrifice corpse"},
		},
		Macros: []automation.Macro{
			{ID: "m1", Name: "north", Enabled: true, Key: "Numpad8", Commands: "n"},
		},
	}
	limiter := automation.NewLimiter(nil)
	e, err := automation.New(m, automation.Options{Separator: ";;", Limiter: limiter})
	if err != nil {
		fmt.Println(err)
	}

	cmds, _ := e.Expand("k rat;;look")
	fmt.Println(strings.Join(cmds, " | "))

	r := e.Line("Gandalf tells you 'run'")
	fmt.Println(r.Highlights[0].Start, r.Highlights[0].End, r.Sounds, r.Notifications)

	r = e.Line("The rat is DEAD!!")
	fmt.Println(strings.Join(r.Commands, " | "))

	cmds, ok, _ := e.Key(automation.Combo("Numpad8", false, false, false, false))
	fmt.Println(cmds, ok)
	// Output:
	// kill rat | look
	// 0 7 [chime] [Gandalf: run]
	// get all corpse | sacrifice corpse
	// [n] true
}

func ExampleParseKey() {
	for _, s := range []string{"ctrl+k", "shift+f5", "num8", "Alt+Ctrl+1", "Hyper+X"} {
		combo, err := automation.ParseKey(s)
		fmt.Println(combo, err)
	}
	// Output:
	// Ctrl+KeyK <nil>
	// Shift+F5 <nil>
	// Numpad8 <nil>
	// Ctrl+Alt+Digit1 <nil>
	//  bad key combination: "Hyper+X": unknown modifier "Hyper" (Ctrl, Alt, Shift or Meta)
}

func ExampleImportMudlet() {
	const pkg = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE MudletPackage>
<MudletPackage version="1.001">
	<AliasPackage>
		<Alias isActive="yes" isFolder="no">
			<name>kill</name>
			<script>send("kill " .. matches[2])</script>
			<command></command>
			<regex>^k (.+)$</regex>
		</Alias>
	</AliasPackage>
	<TimerPackage>
		<Timer isActive="yes" isFolder="no"><name>save</name><command>save</command><time>00:05:00.000</time></Timer>
	</TimerPackage>
</MudletPackage>`
	m, rep, err := automation.ImportMudlet(strings.NewReader(pkg))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s -> %s\n", m.Aliases[0].Pattern, m.Aliases[0].Commands)
	for _, n := range rep.Skipped {
		fmt.Println("skipped:", n)
	}
	// Output:
	// ^k (.+)$ -> kill $1
	// skipped: timer "save": timers are not supported
}
