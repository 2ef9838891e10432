package automation

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func sampleModel() Model {
	return Model{
		Version: Version,
		Groups:  []Group{{Name: "combat", Enabled: true}, {Name: "chat", Enabled: false}},
		Aliases: []Alias{{ID: "a1", Name: "kill", Group: "combat", Enabled: true, Pattern: `^k (.+)$`, Commands: "kill $1"}},
		Triggers: []Trigger{
			{ID: "t1", Name: "tell", Group: "chat", Enabled: true, Pattern: `^(\w+) tells you`, Match: Regex, IgnoreCase: true,
				Highlight: &Highlight{FG: "#ffff00", BG: "navy", Scope: ScopeGroups, All: true}, Sound: SoundChime, Notify: "$1 tells you"},
			{ID: "t2", Name: "loot", Enabled: false, Pattern: "is DEAD!!", Match: Substring, Gag: true, Commands: "get all corpse"},
		},
		Macros: []Macro{{ID: "m1", Name: "north", Enabled: true, Key: "Numpad8", Commands: "n"}},
	}
}

func TestJSONRoundTrip(t *testing.T) {
	m := sampleModel()
	b, err := Export(m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ImportJSON(b)
	if err != nil {
		t.Fatalf("ImportJSON: %v\n%s", err, b)
	}
	if !reflect.DeepEqual(got, m) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, m)
	}
	b2, _ := Export(got)
	if string(b) != string(b2) {
		t.Errorf("export not stable:\n%s\n%s", b, b2)
	}
}

// TestJSONFormat pins the format: the field names and the version.
func TestJSONFormat(t *testing.T) {
	b, _ := Export(Model{Triggers: []Trigger{{ID: "t", Name: "n", Enabled: true, Pattern: "p", Match: Substring, Highlight: &Highlight{FG: "red"}}}})
	want := `{
  "version": 1,
  "triggers": [
    {
      "id": "t",
      "name": "n",
      "enabled": true,
      "pattern": "p",
      "match": "substring",
      "highlight": {
        "fg": "red"
      }
    }
  ]
}
`
	if string(b) != want {
		t.Errorf("Export =\n%s\nwant\n%s", b, want)
	}
}

func TestImportJSON(t *testing.T) {
	// Hand-written: no IDs, no "enabled" (on), no "match" (substring).
	m, err := ImportJSON([]byte(`{"version": 1,
		"groups": [{"name": "g"}],
		"aliases": [{"pattern": "^x$", "commands": "y"}],
		"triggers": [{"pattern": "hungry", "commands": "eat", "group": "g"}, {"pattern": "x", "gag": true, "enabled": false}],
		"macros": [{"key": "f1", "commands": "score"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if m.Aliases[0].ID == "" || m.Triggers[0].ID == "" || m.Macros[0].ID == "" || m.Aliases[0].ID == m.Triggers[0].ID {
		t.Errorf("IDs not filled in: %+v", m)
	}
	if !m.Groups[0].Enabled || !m.Aliases[0].Enabled || !m.Triggers[0].Enabled || m.Triggers[1].Enabled || !m.Macros[0].Enabled {
		t.Errorf("enabled defaults: %+v", m)
	}
	e := newEngine(t, m)
	if got := e.Line("You are hungry.").Commands; len(got) != 1 || got[0] != "eat" {
		t.Errorf("trigger without match type: %q", got)
	}

	bad := []struct{ in, want string }{
		{`{}`, "no version"},
		{`{"version": 2}`, "version 2 is newer"},
		{`{"version": -1}`, "bad version"},
		{`[1]`, "not a JSON object"},
		{`{"version": 1} {}`, "more than one JSON value"},
		{`{"version": 1, "aliases": [{"pattern": "("}]}`, "alias #1: pattern: error parsing regexp"},
		{`{"version": 1, "triggers": [{"pattern": "a"}, {"pattern": "b", "gag": true, "highlight": {"fg": "mauve"}}]}`, "trigger #1: does nothing"},
		{`{"version": 1, "aliases": [{"id": "x", "pattern": "a"}, {"id": "x", "pattern": "b"}]}`, `ID "x" used twice`},
		{strings.Repeat(" ", MaxJSONSize+1), "larger than 4 MiB"},
	}
	for _, c := range bad {
		if _, err := ImportJSON([]byte(c.in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ImportJSON(%.50q) error %v, want %q", c.in, err, c.want)
		}
	}
	// Every problem is listed.
	_, err = ImportJSON([]byte(`{"version": 1, "triggers": [{"pattern": "a"}, {"pattern": "b", "gag": true, "highlight": {"fg": "mauve"}}]}`))
	if err == nil || !strings.Contains(err.Error(), `trigger #2: highlight: invalid colour "mauve"`) {
		t.Errorf("error %v lacks the second trigger's problem", err)
	}
}

func TestMerge(t *testing.T) {
	dst := sampleModel()
	src := Model{
		Groups: []Group{{Name: "combat", Enabled: false}, {Name: "walk", Enabled: false}},
		Aliases: []Alias{
			{ID: "a1", Name: "kill", Group: "combat", Enabled: true, Pattern: `^k (.+)$`, Commands: "kill $1"}, // the same
			{ID: "a1", Name: "kick", Enabled: true, Pattern: `^kk$`, Commands: "kick"},                         // ID taken
		},
		Triggers: []Trigger{dst.Triggers[0]}, // the same, highlight and all
		Macros:   []Macro{{ID: "new", Name: "south", Enabled: true, Key: "Numpad2", Commands: "s"}},
	}
	src.Triggers[0].ID = "other"
	before, _ := json.Marshal(dst)
	out, rep, err := Merge(dst, src)
	if err != nil {
		t.Fatal(err)
	}
	want := MergeReport{Aliases: 1, Macros: 1, Groups: 1, Duplicates: 2, NewIDs: 1}
	if rep != want {
		t.Errorf("report %+v, want %+v", rep, want)
	}
	if after, _ := json.Marshal(dst); string(after) != string(before) {
		t.Errorf("Merge changed dst")
	}
	if len(out.Aliases) != 2 || out.Aliases[1].ID == "a1" || out.Aliases[1].Name != "kick" || len(out.Macros) != 2 || out.Macros[1].ID != "new" {
		t.Errorf("merged %+v", out)
	}
	if len(out.Groups) != 3 || !out.Groups[0].Enabled || out.Groups[2] != (Group{Name: "walk"}) {
		t.Errorf("groups %+v: combat keeps its state, walk is added", out.Groups)
	}
	if errs := out.Validate(); len(errs) > 0 {
		t.Errorf("merged model: %v", errs)
	}
	// Merging the numpad set twice adds it once.
	out, _, _ = Merge(out, DefaultNumpadWalk())
	out2, rep, _ := Merge(out, DefaultNumpadWalk())
	if rep.Macros != 0 || rep.Duplicates != 11 || len(out2.Macros) != len(out.Macros) {
		t.Errorf("numpad twice: %+v", rep)
	}
	// Too many items: an error, and dst back.
	var big Model
	for i := range MaxItems {
		big.Aliases = append(big.Aliases, Alias{ID: NewID(), Pattern: "a", Commands: strings.Repeat("x", i)})
	}
	got, _, err := Merge(dst, big)
	if err == nil || !reflect.DeepEqual(got, dst) {
		t.Errorf("Merge past MaxItems: %v", err)
	}
}
