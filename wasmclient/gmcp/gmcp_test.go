package gmcp

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// step is one message applied in a test and what it should do.
type step struct {
	msg     string
	changed Changed
	err     bool
}

var vitalsTests = []struct {
	name  string
	steps []step
	want  []Vital
}{
	{
		name: "IRE strings",
		steps: []step{{
			msg: `Char.Vitals {"hp":"4500","maxhp":"4500","mp":"3000","maxmp":"3200","ep":"15000","maxep":"15000",` +
				`"wp":"12000","maxwp":"12000","nl":"12","bal":"1","eq":"1","string":"H:4500/4500 M:3000/3200","charstats":["Bleed: 0"]}`,
			changed: Changed{Vitals: true},
		}},
		want: []Vital{{"HP", 4500, 4500}, {"MP", 3000, 3200}, {"EP", 15000, 15000}, {"WP", 12000, 12000}},
	},
	{
		name: "Aardwolf maxstats then vitals",
		steps: []step{
			{msg: `char.maxstats {"maxhp":"1000","maxmana":"800","maxmoves":"900","maxstr":"50"}`},
			{msg: `char.vitals {"hp":"900","mana":"700","moves":"850"}`, changed: Changed{Vitals: true}},
		},
		want: []Vital{{"HP", 900, 1000}, {"Mana", 700, 800}, {"Moves", 850, 900}},
	},
	{
		name: "Aardwolf vitals then maxstats",
		steps: []step{
			{msg: `char.vitals {"hp":900,"mana":700,"moves":850}`},
			{msg: `char.maxstats {"maxhp":1000,"maxmana":800,"maxmoves":900}`, changed: Changed{Vitals: true}},
		},
		want: []Vital{{"HP", 900, 1000}, {"Mana", 700, 800}, {"Moves", 850, 900}},
	},
	{
		name:  "generic numbers, sp and mv",
		steps: []step{{msg: `Char.Vitals {"mv":5,"maxmv":9,"sp":10,"maxsp":20,"hp":45,"maxhp":60}`, changed: Changed{Vitals: true}}},
		want:  []Vital{{"HP", 45, 60}, {"SP", 10, 20}, {"MV", 5, 9}},
	},
	{
		name:  "package name in any case, floats truncated, spaces in strings",
		steps: []step{{msg: `CHAR.VITALS {"HP":45.9,"MaxHP":" 60 ","mp":1e2,"maxmp":"1.5e2"}`, changed: Changed{Vitals: true}}},
		want:  []Vital{{"HP", 45, 60}, {"MP", 100, 150}},
	},
	{
		name: "updates keep other keys; a repeat changes nothing",
		steps: []step{
			{msg: `Char.Vitals {"hp":45,"maxhp":60,"mp":10,"maxmp":20}`, changed: Changed{Vitals: true}},
			{msg: `Char.Vitals {"hp":40}`, changed: Changed{Vitals: true}},
			{msg: `Char.Vitals {"hp":40}`},
			{msg: `Char.Vitals {}`},
		},
		want: []Vital{{"HP", 40, 60}, {"MP", 10, 20}},
	},
	{
		name:  "game-specific pairs after the usual ones, by name",
		steps: []step{{msg: `Char.Vitals {"rage":3,"maxrage":10,"blood":5,"maxblood":9,"hp":1,"maxhp":2,"xp_bar":1,"maxxp_bar":4}`, changed: Changed{Vitals: true}}},
		want:  []Vital{{"HP", 1, 2}, {"Blood", 5, 9}, {"Rage", 3, 10}, {"Xp bar", 1, 4}},
	},
	{
		name: "values that are not numbers are skipped",
		steps: []step{{msg: `Char.Vitals {"hp":"lots","maxhp":10,"mp":"NaN","maxmp":5,"ep":"Inf","maxep":1,"wp":"0x10","maxwp":1,` +
			`"sp":true,"maxsp":1,"mv":null,"maxmv":1,"a":[1],"maxa":1,"b":"1_000","maxb":1,"c":"5","maxc":"7"}`, changed: Changed{Vitals: true}}},
		want: []Vital{{"C", 5, 7}},
	},
	{
		name:  "huge values clamped",
		steps: []step{{msg: `Char.Vitals {"hp":1e300,"maxhp":"99999999999999999999","mp":-1e30,"maxmp":0}`, changed: Changed{Vitals: true}}},
		want:  []Vital{{"HP", valueLimit, valueLimit}, {"MP", -valueLimit, 0}},
	},
	{
		name:  "keys that are not short words are skipped",
		steps: []step{{msg: `Char.Vitals {"h\u001bp":1,"maxh\u001bp":2,"averyveryverylongkey":1,"maxaveryveryverylongkey":2,"max":3,"hp":1,"maxhp":2}`, changed: Changed{Vitals: true}}},
		want:  []Vital{{"HP", 1, 2}},
	},
}

func TestVitals(t *testing.T) {
	for _, tt := range vitalsTests {
		t.Run(tt.name, func(t *testing.T) {
			var s State
			for _, st := range tt.steps {
				got, err := s.Apply([]byte(st.msg))
				if (err != nil) != st.err {
					t.Fatalf("Apply(%q): got error %v, want error %v", st.msg, err, st.err)
				}
				if got != st.changed {
					t.Errorf("Apply(%q): got %+v, want %+v", st.msg, got, st.changed)
				}
			}
			if got := s.Vitals(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got vitals %v, want %v", got, tt.want)
			}
		})
	}
}

var roomTests = []struct {
	name string
	msg  string
	want Room
}{
	{
		name: "IRE object exits, number num",
		msg:  `Room.Info {"num":123,"name":"A Dusty Road","area":"Ashtan","environment":"Road","coords":"1,2,3","map":"x","exits":{"w":122,"e":124,"n":125,"up":7}}`,
		want: Room{Num: "123", Name: "A Dusty Road", Area: "Ashtan", Exits: []string{"n", "e", "w", "u"}},
	},
	{
		name: "array exits, string num, lower-case package",
		msg:  `room.info {"num":"r-17","name":"Hall","area":"Keep","exits":["out","south","in","north","portal","down","Gate"]}`,
		want: Room{Num: "r-17", Name: "Hall", Area: "Keep", Exits: []string{"n", "s", "d", "in", "out", "Gate", "portal"}},
	},
	{
		name: "Aardwolf zone, every direction",
		msg:  `Room.Info {"num":32418,"name":"The Grand City of Aylor","zone":"aylor","terrain":"city","exits":{"nw":1,"sw":1,"ne":1,"se":1,"d":1,"u":1,"w":1,"e":1,"s":1,"n":1}}`,
		want: Room{Num: "32418", Name: "The Grand City of Aylor", Area: "aylor", Exits: []string{"n", "ne", "e", "se", "s", "sw", "w", "nw", "u", "d"}},
	},
	{
		name: "float and huge numbers",
		msg:  `Room.Info {"num":4.0e2,"name":"x"}`,
		want: Room{Num: "400", Name: "x"},
	},
	{
		name: "non-integer num kept as written",
		msg:  `Room.Info {"num":1.5}`,
		want: Room{Num: "1.5"},
	},
	{
		name: "fields of other types are absent",
		msg:  `Room.Info {"num":{"a":1},"name":7,"area":["x"],"exits":"n"}`,
		want: Room{},
	},
	{
		name: "colours, controls and bidi overrides stripped",
		msg:  `Room.Info {"num":1,"name":"\u001b[1;32mGreen\u001b[0m  Room\u0007\u202e","area":"\u001b]0;title\u0007Moat\t\nSide","exits":{"\u001b[31mn":1,"\u0000":2,"  ":3}}`,
		want: Room{Num: "1", Name: "Green Room", Area: "Moat Side", Exits: []string{"n"}},
	},
	{
		name: "keys in any case; duplicates collapse",
		msg:  `Room.Info {"Num":5,"NAME":"Up","exits":["u","up","UP","Up"]}`,
		want: Room{Num: "5", Name: "Up", Exits: []string{"u"}},
	},
}

func TestRoom(t *testing.T) {
	for _, tt := range roomTests {
		t.Run(tt.name, func(t *testing.T) {
			var s State
			if _, ok := s.Room(); ok {
				t.Fatal("got a room before any Room.Info")
			}
			ch, err := s.Apply([]byte(tt.msg))
			if err != nil || ch != (Changed{Room: true}) {
				t.Fatalf("Apply: got %+v, %v, want the room changed", ch, err)
			}
			got, ok := s.Room()
			if !ok || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got room %#v, %v, want %#v", got, ok, tt.want)
			}
			// The same room again changes nothing.
			if ch, err := s.Apply([]byte(tt.msg)); err != nil || ch != (Changed{}) {
				t.Errorf("Apply again: got %+v, %v, want nothing changed", ch, err)
			}
		})
	}
}

func TestRoomReplaced(t *testing.T) {
	var s State
	mustApply(t, &s, `Room.Info {"num":1,"name":"One","area":"A","exits":{"n":2}}`)
	ch := mustApply(t, &s, `Room.Info {"num":2,"name":"Two"}`)
	if !ch.Room || ch.Vitals {
		t.Errorf("got %+v, want only the room changed", ch)
	}
	got, _ := s.Room()
	if want := (Room{Num: "2", Name: "Two"}); !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v: a new room replaces the old one whole", got, want)
	}
	got.Exits = append(got.Exits, "mine")
	if again, _ := s.Room(); len(again.Exits) != 0 {
		t.Errorf("got exits %q, want the caller's slice to be its own", again.Exits)
	}
}

func mustApply(t *testing.T, s *State, msg string) Changed {
	t.Helper()
	ch, err := s.Apply([]byte(msg))
	if err != nil {
		t.Fatalf("Apply(%q): %v", msg, err)
	}
	return ch
}

var malformed = []string{
	`Char.Vitals`,
	`Char.Vitals `,
	`Char.Vitals {"hp":`,
	`Char.Vitals {"hp":1} {}`,
	`Char.Vitals [1,2]`,
	`Char.Vitals null`,
	`Char.Vitals "hp"`,
	`char.maxstats {maxhp:1}`,
	`Room.Info`,
	`Room.Info "x"`,
	`Room.Info {"num":1,}`,
	`Room.Info {"num":1}x`,
	"Room.Info {\"name\":\"\xff\"", // cut short
}

func TestMalformedChangesNothing(t *testing.T) {
	for _, msg := range malformed {
		var s State
		mustApply(t, &s, `Char.Vitals {"hp":1,"maxhp":2}`)
		mustApply(t, &s, `Room.Info {"num":1,"name":"One"}`)
		ch, err := s.Apply([]byte(msg))
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("Apply(%q): got error %v, want ErrMalformed", msg, err)
		}
		if ch != (Changed{}) {
			t.Errorf("Apply(%q): got %+v, want nothing changed", msg, ch)
		}
		if got := s.Vitals(); !reflect.DeepEqual(got, []Vital{{"HP", 1, 2}}) {
			t.Errorf("Apply(%q): got vitals %v, want them kept", msg, got)
		}
		if got, _ := s.Room(); got.Name != "One" {
			t.Errorf("Apply(%q): got room %#v, want it kept", msg, got)
		}
	}
}

func TestUnknownIgnored(t *testing.T) {
	for _, msg := range []string{
		``, ` `, `Core.Ping`, `Char.Vitalsx {"hp":1,"maxhp":2}`, `Char {"hp":1,"maxhp":2}`, `Room.Players [`,
		`Comm.Channel.Text {"text":"\u001b[2J"}`, `Char.Status {not json`, "\xff\xfe {", `Room.Info.Extra {"num":1}`,
		// Oversized, though a known package: ignored.
		`Char.Vitals {"hp":1,"maxhp":2,"pad":"` + strings.Repeat("x", MaxMessage) + `"}`,
	} {
		var s State
		ch, err := s.Apply([]byte(msg))
		if err != nil || ch != (Changed{}) {
			t.Errorf("Apply(%.40q): got %+v, %v, want it ignored", msg, ch, err)
		}
		if v := s.Vitals(); len(v) != 0 {
			t.Errorf("Apply(%.40q): got vitals %v", msg, v)
		}
		if _, ok := s.Room(); ok {
			t.Errorf("Apply(%.40q): got a room", msg)
		}
	}
}

func TestBounds(t *testing.T) {
	var b strings.Builder
	b.WriteString(`Char.Vitals {`)
	for i := range 100 {
		fmt.Fprintf(&b, `"v%02d":%d,"maxv%02d":100,`, i, i, i)
	}
	b.WriteString(`"hp":1,"maxhp":2}`)
	var s State
	mustApply(t, &s, b.String())
	v := s.Vitals()
	if len(v) != MaxVitals {
		t.Fatalf("got %d vitals, want %d", len(v), MaxVitals)
	}
	if len(s.cur) > maxKeys || len(s.max) > maxKeys {
		t.Errorf("got %d values and %d maxima kept, want at most %d", len(s.cur), len(s.max), maxKeys)
	}
	// hp sorts after the v keys but was let in; updates to known keys
	// still land when the State is full.
	if v[0] != (Vital{"HP", 1, 2}) {
		t.Errorf("got first vital %v, want HP 1/2", v[0])
	}
	mustApply(t, &s, `Char.Vitals {"hp":2,"new":1,"maxnew":1}`)
	if v := s.Vitals(); v[0] != (Vital{"HP", 2, 2}) || strings.Contains(fmt.Sprint(v), "New") {
		t.Errorf("got %v, want HP updated and no new key", v)
	}

	b.Reset()
	b.WriteString(`Room.Info {"name":"` + strings.Repeat("é", 500) + `","area":"` + strings.Repeat("a ", 500) + `","exits":{`)
	for i := range 100 {
		fmt.Fprintf(&b, `"exit%03d":1,`, i)
	}
	b.WriteString(`"` + strings.Repeat("z", 100) + `":1,"n":2}}`)
	mustApply(t, &s, b.String())
	r, _ := s.Room()
	if len(r.Exits) != MaxExits || r.Exits[0] != "n" || r.Exits[1] != "exit000" {
		t.Errorf("got %d exits starting %q, want %d starting n, exit000", len(r.Exits), r.Exits[:2], MaxExits)
	}
	if r.Name != strings.Repeat("é", MaxNameLen) {
		t.Errorf("got name %q, want %d runes", r.Name, MaxNameLen)
	}
	if want := strings.TrimSpace(strings.Repeat("a ", MaxNameLen/2)); r.Area != want {
		t.Errorf("got area %q, want %q: no trailing space after a cut", r.Area, want)
	}
}

func TestClean(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"plain", 80, "plain"},
		{"  lead and trail \r\n", 80, "lead and trail"},
		{"a\tb\nc  d", 80, "a b c d"},
		{"\x1b[1;31mred\x1b[0m", 80, "red"},
		{"\x1b[1;31", 80, ""},          // unfinished CSI: all of it
		{"\x1b[12\x07x", 80, "x"},      // a control ends a CSI
		{"\x1b]2;t\x1b\\ok", 80, "ok"}, // OSC with ST
		{"\x1b]2;t\x07ok", 80, "ok"},   // OSC with BEL
		{"\x1b]2;never ends", 80, ""},
		{"\x1bMx\x1b", 80, "x"},
		{"\x1b\u00e9x", 80, "x"}, // ESC and a whole rune
		{"a\x00b\x7fc\u009bd", 80, "abcd"},
		{"a\u0085b", 80, "a b"}, // NEL is a line break
		{"\u202eevil\u2066", 80, "evil"},
		{"bad\xffutf8", 80, "bad\ufffdutf8"},
		{"日本語のテキスト", 4, "日本語の"},
		{"ab cd", 3, "ab"}, // no trailing space at the cut
		{"ab cd", 4, "ab c"},
		{"abc", 0, ""},
	} {
		if got := clean(tt.in, tt.n); got != tt.want {
			t.Errorf("clean(%q, %d): got %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestHello(t *testing.T) {
	msgs := Hello()
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	pkg, body, _ := strings.Cut(string(msgs[0]), " ")
	// Core.Hello never reaches the game from a player, and Set would
	// replace the gateway's list: only Add is useful.
	if pkg != "Core.Supports.Add" {
		t.Errorf("got package %q, want Core.Supports.Add", pkg)
	}
	var list []string
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatalf("got body %q: %v", body, err)
	}
	if want := []string{"Char 1", "Char.Vitals 1", "Room 1", "Room.Info 1"}; !reflect.DeepEqual(list, want) {
		t.Errorf("got %q, want %q", list, want)
	}
	msgs[0][0] = 'X'
	if Hello()[0][0] != 'C' {
		t.Error("got a shared slice, want a fresh one each call")
	}
}
