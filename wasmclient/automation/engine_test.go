package automation

import (
	"errors"
	"fmt"
	"image/color"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
)

// clock is a fake clock for the rate limit.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func fixedClock() func() time.Time {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	return c.now
}

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{r, g, b, 255} }

var rgbNone = color.RGBA{}

// newEngine builds an engine from m with ";;" as the separator and a
// fixed clock, failing the test on any error.
func newEngine(t testing.TB, m Model) *Engine {
	t.Helper()
	FillIDs(&m)
	e, err := New(m, Options{Separator: ";;", Now: fixedClock()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

func TestExpand(t *testing.T) {
	aliases := []Alias{
		{Name: "kill", Enabled: true, Pattern: `^k (.+)$`, Commands: "kill $1"},
		{Name: "loot", Enabled: true, Pattern: `^lc$`, Commands: "get all corpse;;sacrifice corpse"},
		{Name: "say", Enabled: true, Pattern: `^s (.*)$`, Commands: "say $1"},
		{Name: "dollars", Enabled: true, Pattern: `^give (\d+)$`, Commands: "give $$$1 to $0 $x$"},
		{Name: "kk", Enabled: true, Pattern: `^kk$`, Commands: "k $0\nlc"}, // through other aliases
		{Name: "self", Enabled: true, Pattern: `^n$`, Commands: "n\nlook"}, // its own result does not loop
		{Name: "ping", Enabled: true, Pattern: `^ping$`, Commands: "pong"},
		{Name: "pong", Enabled: true, Pattern: `^pong$`, Commands: "ping;;done"},
		{Name: "twice a", Enabled: true, Pattern: `^both$`, Commands: "first"},
		{Name: "twice b", Enabled: true, Pattern: `^bo`, Commands: "second"},
		{Name: "off", Enabled: false, Pattern: `^off$`, Commands: "never"},
		{Name: "blocked", Enabled: true, Pattern: `^quit$`, Commands: ""},
		{Name: "groups", Enabled: true, Pattern: `^g(a)?(b)?$`, Commands: "[$1][$2][$9]"},
	}
	e := newEngine(t, Model{Aliases: aliases})
	cases := []struct {
		line string
		want []string
	}{
		{"", []string{""}},
		{";;", []string{""}},
		{"look", []string{"look"}},
		{"  look  ", []string{"  look  "}}, // one command is sent as typed, as dom.SplitCommands does
		{"k rat", []string{"kill rat"}},
		{"k rat;; lc ;;n", []string{"kill rat", "get all corpse", "sacrifice corpse", "n", "look"}},
		{"s hello;;there", []string{"say hello", "there"}},
		{"give 5", []string{"give $5 to give 5 $x$"}},
		{"kk", []string{"kill kk", "get all corpse", "sacrifice corpse"}},
		{"ping", []string{"ping", "done"}},
		{"pong", []string{"pong", "done"}},
		{"both", []string{"first", "second"}}, // every matching alias fires, as in Mudlet
		{"off", []string{"off"}},
		{"quit", nil},
		{"ga", []string{"[a][][]"}},
		{"k ", []string{"k "}},
	}
	for _, c := range cases {
		got, err := e.Expand(c.line)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("Expand(%q) = %q, %v; want %q", c.line, got, err, c.want)
		}
	}
}

// TestExpandCaptureCannotAddCommands: a capture holding the separator or
// a line break stays inside its command.
func TestExpandCaptureCannotAddCommands(t *testing.T) {
	e := newEngine(t, Model{
		Aliases:  []Alias{{Enabled: true, Pattern: `^echo (.*)$`, Commands: "say $1"}},
		Triggers: []Trigger{{Enabled: true, Match: Regex, Pattern: `(?s)^(\w+) says '(.*)'$`, Commands: "tell $1 you said: $2"}},
	})
	r := e.Line("Mallory says 'hi;;drop all\x00\r\nquit'")
	if want := []string{"tell Mallory you said: hi;;drop allquit"}; !slices.Equal(r.Commands, want) {
		t.Errorf("trigger sent %q, want %q", r.Commands, want)
	}
}

func TestExpandSeparatorOff(t *testing.T) {
	m := Model{Aliases: []Alias{{ID: "a", Enabled: true, Pattern: `^x$`, Commands: "a;;b\nc"}}}
	e, err := New(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := e.Expand("x;;x"); !slices.Equal(got, []string{"x;;x"}) {
		t.Errorf("Expand with no separator = %q", got)
	}
	if got, _ := e.Expand("x"); !slices.Equal(got, []string{"a;;b", "c"}) {
		t.Errorf("Expand with no separator = %q", got)
	}
}

// TestExpandBounds: aliases that multiply commands stop at MaxExpanded,
// and aliases that expand into many commands that expand into nothing
// stop at maxSteps; either way nothing is sent.
func TestExpandBounds(t *testing.T) {
	fan := strings.Repeat("x;;", 10)
	m := Model{Aliases: []Alias{
		{Enabled: true, Pattern: `^a$`, Commands: strings.ReplaceAll(fan, "x", "b")},
		{Enabled: true, Pattern: `^b$`, Commands: strings.ReplaceAll(fan, "x", "c")},
		{Enabled: true, Pattern: `^c$`, Commands: "d;;d"},
		{Enabled: true, Pattern: `^e$`, Commands: strings.ReplaceAll(fan, "x", "f")},
		{Enabled: true, Pattern: `^f$`, Commands: strings.ReplaceAll(fan, "x", "g")},
		{Enabled: true, Pattern: `^g$`, Commands: strings.ReplaceAll(fan, "x", "h")},
		{Enabled: true, Pattern: `^h$`, Commands: ""},
	}}
	e := newEngine(t, m)
	for _, line := range []string{"a", "look;;a", "e"} {
		got, err := e.Expand(line)
		if !errors.Is(err, ErrExpansion) || got != nil {
			t.Errorf("Expand(%q) = %d commands, %v; want ErrExpansion", line, len(got), err)
		}
	}
	// Aliases that double a command's length stop at MaxLineLen.
	var double []Alias
	for i := range 20 {
		double = append(double, Alias{Enabled: true, Pattern: fmt.Sprintf(`^(x+)%d$`, i), Commands: fmt.Sprintf("$1$1%d", i+1)})
	}
	d := newEngine(t, Model{Aliases: double})
	if got, err := d.Expand("x0"); !errors.Is(err, ErrExpansion) || !strings.Contains(err.Error(), "longer than 4096 bytes") {
		t.Errorf("doubling: %d commands, %v", len(got), err)
	}
	// The engine is usable afterwards.
	if got, err := e.Expand("c"); err != nil || !slices.Equal(got, []string{"d", "d"}) {
		t.Errorf("Expand(c) after errors = %q, %v", got, err)
	}
	// A typed line with many commands is not an alias expansion.
	long := strings.Repeat("n;;", 300)
	if got, err := e.Expand(long); err != nil || len(got) != 300 {
		t.Errorf("Expand(300 commands) = %d, %v", len(got), err)
	}
}

func TestLine(t *testing.T) {
	red, blue := rgb(0xff, 0, 0), rgb(0, 0, 0xff)
	triggers := []Trigger{
		{Name: "tell", Enabled: true, Pattern: "tells you", Highlight: &Highlight{FG: "red"}},
		{Name: "who", Enabled: true, Match: Regex, Pattern: `^(\S+) tells you '(.*)'$`, Highlight: &Highlight{BG: "#00f", Scope: ScopeGroups}, Notify: "$1: $2", Sound: SoundChime},
		{Name: "line", Enabled: true, Match: Regex, Pattern: `DEAD`, Highlight: &Highlight{FG: "red", Scope: ScopeLine}, Sound: SoundChime},
		{Name: "gold", Enabled: true, Pattern: "GOLD", IgnoreCase: true, Highlight: &Highlight{FG: "#0000ff", All: true}},
		{Name: "spam", Enabled: true, Match: Regex, Pattern: `^\[Auction\]`, Gag: true},
		{Name: "loot", Enabled: true, Match: Regex, Pattern: `^(.+) is DEAD!!$`, Commands: "get all corpse;;sacrifice $1"},
		{Name: "every", Enabled: true, Match: Regex, Pattern: `(\d+) coins?`, Highlight: &Highlight{FG: "#f00", Scope: ScopeGroups, All: true}},
		{Name: "off", Enabled: false, Pattern: "tells", Gag: true},
	}
	e := newEngine(t, Model{Triggers: triggers})
	cases := []struct {
		line string
		want Result
	}{
		{"nothing here", Result{}},
		{"Bob tells you 'hi'", Result{
			Highlights: []Span{{4, 13, red, rgbNone}, {0, 3, rgbNone, blue}, {15, 17, rgbNone, blue}},
			Sounds:     []string{SoundChime}, Notifications: []string{"Bob: hi"},
		}},
		{"The orc is DEAD!!", Result{
			Highlights: []Span{{0, 17, red, rgbNone}},
			Commands:   []string{"get all corpse", "sacrifice The orc"},
			Sounds:     []string{SoundChime},
		}},
		{"Gold, gold and GOLD", Result{Highlights: []Span{{0, 4, blue, rgbNone}, {6, 10, blue, rgbNone}, {15, 19, blue, rgbNone}}}},
		{"3 coins and 40 coins, 5 coin", Result{Highlights: []Span{{0, 1, red, rgbNone}, {12, 14, red, rgbNone}, {22, 23, red, rgbNone}}}},
		{"[Auction] a sword", Result{Gag: true}},
		// Offsets in bytes: "Æðelflæd" is 8 runes, 11 bytes.
		{"Æðelflæd tells you 'hæ'", Result{
			Highlights: []Span{{12, 21, red, rgbNone}, {0, 11, rgbNone, blue}, {23, 26, rgbNone, blue}},
			Sounds:     []string{SoundChime}, Notifications: []string{"Æðelflæd: hæ"},
		}},
		// Unicode folding: the Kelvin sign and long s fold to ASCII letters.
		{"\u212Aelvin's ſword", Result{}},
		{"a GOLD coin", Result{Highlights: []Span{{2, 6, blue, rgbNone}}}},
		{"a GOLD coin, ƓOLD, ɢold", Result{Highlights: []Span{{2, 6, blue, rgbNone}}}}, // letters that look alike but do not fold
	}
	for _, c := range cases {
		got := e.Line(c.line)
		if !sameResult(got, c.want) {
			t.Errorf("Line(%q) =\n %+v\nwant\n %+v", c.line, got, c.want)
		}
	}
}

func sameResult(a, b Result) bool {
	return a.Gag == b.Gag && slices.Equal(a.Highlights, b.Highlights) && slices.Equal(a.Commands, b.Commands) &&
		slices.Equal(a.Sounds, b.Sounds) && slices.Equal(a.Notifications, b.Notifications) && slices.Equal(a.Cuts, b.Cuts)
}

// TestLineFolding: a case-insensitive trigger matches letters that fold
// to its own outside ASCII, which the prefilter must not hide.
func TestLineFolding(t *testing.T) {
	e := newEngine(t, Model{Triggers: []Trigger{
		{Enabled: true, Pattern: "kiss", IgnoreCase: true, Gag: true},
		{Enabled: true, Match: Regex, Pattern: `(?i)mask`, Sound: SoundBeep},
	}})
	for line, gag := range map[string]bool{"a \u212Aiß": false, "a \u212Ai\u017Fs": true, "KISS": true, "kis s": false} {
		if got := e.Line(line).Gag; got != gag {
			t.Errorf("Line(%q).Gag = %v, want %v", line, got, gag)
		}
	}
	if got := e.Line("MA\u017F\u212A!").Sounds; !slices.Equal(got, []string{SoundBeep}) {
		t.Errorf("(?i)mask on MAſK: sounds %q", got)
	}
}

// TestLineLong: only MaxLineLen bytes are matched, cut at a rune
// boundary; a line highlight covers the whole line.
func TestLineLong(t *testing.T) {
	e := newEngine(t, Model{Triggers: []Trigger{
		{Name: "end", Enabled: true, Pattern: "END", Gag: true},
		{Name: "all", Enabled: true, Match: Regex, Pattern: `é`, Highlight: &Highlight{FG: "red", Scope: ScopeLine}},
	}})
	line := strings.Repeat("a", MaxLineLen-1) + "é" + strings.Repeat("b", 10) + "END"
	r := e.Line(line)
	if r.Gag {
		t.Errorf("matched past MaxLineLen")
	}
	if len(r.Highlights) != 0 {
		t.Errorf("é is cut off: %v", r.Highlights)
	}
	line = "é" + line
	r = e.Line(line)
	if want := []Span{{0, len(line), rgb(0xff, 0, 0), rgbNone}}; !slices.Equal(r.Highlights, want) {
		t.Errorf("highlights %v, want %v", r.Highlights, want)
	}
}

func TestGroups(t *testing.T) {
	m := Model{
		Groups: []Group{{Name: "combat", Enabled: false}, {Name: "chat", Enabled: true}},
		Aliases: []Alias{
			{Group: "combat", Enabled: true, Pattern: `^k$`, Commands: "kill"},
			{Group: "chat", Enabled: true, Pattern: `^s$`, Commands: "say"},
			{Group: "unlisted", Enabled: true, Pattern: `^u$`, Commands: "up"},
		},
		Triggers: []Trigger{{Group: "combat", Enabled: true, Pattern: "x", Gag: true}},
		Macros:   []Macro{{Group: "combat", Enabled: true, Key: "F1", Commands: "kill"}},
	}
	e := newEngine(t, m)
	if got, _ := e.Expand("k;;s;;u"); !slices.Equal(got, []string{"k", "say", "up"}) {
		t.Errorf("Expand = %q", got)
	}
	if e.Line("x").Gag {
		t.Errorf("a trigger of a disabled group fired")
	}
	if _, ok, _ := e.Key("F1"); ok {
		t.Errorf("a macro of a disabled group took F1")
	}
	m.Groups[0].Enabled = true
	e = newEngine(t, m)
	if got, _ := e.Expand("k"); !slices.Equal(got, []string{"kill"}) || !e.Line("x").Gag {
		t.Errorf("group turned on: Expand = %q", got)
	}
}

func TestKey(t *testing.T) {
	m := DefaultNumpadWalk()
	m.Groups[0].Enabled = true
	m.Macros = append(m.Macros,
		Macro{ID: "1", Enabled: true, Key: "ctrl+k", Commands: "kk;;$1$$"},
		Macro{ID: "2", Enabled: true, Key: "Control+KeyK", Commands: "second"},
		Macro{ID: "3", Enabled: false, Key: "F2", Commands: "off"},
		Macro{ID: "4", Enabled: true, Key: "F2", Commands: "on"},
	)
	m.Aliases = []Alias{{ID: "a", Enabled: true, Pattern: `^kk$`, Commands: "kill rat"}}
	e := newEngine(t, m)
	cases := []struct {
		combo string
		cmds  []string
		ok    bool
	}{
		{"Numpad8", []string{"n"}, true},
		{"NumpadAdd", []string{"u"}, true},
		{"Numpad5", []string{"look"}, true},
		{Combo("KeyK", true, false, false, false), []string{"kill rat", "$"}, true},
		{"CTRL+k", []string{"kill rat", "$"}, true},
		{"F2", []string{"on"}, true},
		{"F3", nil, false},
		{"Shift+Numpad8", nil, false},
		{"nonsense+", nil, false},
	}
	for _, c := range cases {
		cmds, ok, err := e.Key(c.combo)
		if err != nil || ok != c.ok || !slices.Equal(cmds, c.cmds) {
			t.Errorf("Key(%q) = %q, %v, %v; want %q, %v", c.combo, cmds, ok, err, c.cmds, c.ok)
		}
	}
}

// TestNewSkipsInvalid: New runs what compiles and names what does not.
func TestNewSkipsInvalid(t *testing.T) {
	m := Model{
		Aliases:  []Alias{{ID: "a", Name: "bad", Enabled: true, Pattern: `(`}, {ID: "b", Enabled: true, Pattern: `^x$`, Commands: "y"}},
		Triggers: []Trigger{{ID: "c", Name: "lookahead", Enabled: true, Match: Regex, Pattern: `a(?=b)`, Gag: true}, {ID: "d", Enabled: true, Pattern: "z", Gag: true}},
		Macros:   []Macro{{ID: "e", Name: "typing", Enabled: true, Key: "KeyA", Commands: "a"}},
	}
	e, err := New(m, Options{})
	if err == nil || e == nil {
		t.Fatalf("New = %v, %v; want an engine and an error", e, err)
	}
	for _, want := range []string{`alias "bad": pattern: error parsing regexp: missing closing )`, `trigger "lookahead": pattern: error parsing regexp: invalid or unsupported Perl syntax: ` + "`(?=`", `macro "typing": key:`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if got, _ := e.Expand("x"); !slices.Equal(got, []string{"y"}) || !e.Line("z").Gag {
		t.Errorf("the valid items do not run")
	}
}

// TestTriggerCommandsThroughAliases: a trigger's commands go through the
// aliases, as Mudlet's do.
func TestTriggerCommandsThroughAliases(t *testing.T) {
	e := newEngine(t, Model{
		Aliases:  []Alias{{Enabled: true, Pattern: `^heal$`, Commands: "quaff heal;;say phew"}},
		Triggers: []Trigger{{Name: "hurt", Enabled: true, Pattern: "You are bleeding", Commands: "heal"}},
	})
	if got := e.Line("You are bleeding.").Commands; !slices.Equal(got, []string{"quaff heal", "say phew"}) {
		t.Errorf("commands %q", got)
	}
}

// TestRateLimit: trigger commands pass 10 a second and 30 in 10
// seconds; a firing is cut whole, and the cut says which trigger.
func TestRateLimit(t *testing.T) {
	c := &clock{t: time.Unix(1e9, 0)}
	m := Model{Triggers: []Trigger{
		{ID: "1", Name: "one", Enabled: true, Pattern: "one", Commands: "a"},
		{ID: "2", Name: "three", Enabled: true, Pattern: "three", Commands: "a;;b;;c"},
		{ID: "3", Name: "eleven", Enabled: true, Pattern: "eleven", Commands: strings.Repeat("x;;", 11)},
	}}
	e, err := New(m, Options{Separator: ";;", Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	for range 10 {
		sent += len(e.Line("one").Commands)
	}
	r := e.Line("three")
	if sent != 10 || len(r.Commands) != 0 || len(r.Cuts) != 1 || r.Cuts[0].Trigger != "three" || r.Cuts[0].Commands != 3 {
		t.Fatalf("sent %d, then %+v; want 10 sent and three cut", sent, r)
	}
	c.advance(300 * time.Millisecond) // 3 tokens back
	if r := e.Line("three"); len(r.Commands) != 3 {
		t.Errorf("after 300ms: %+v", r)
	}
	if r := e.Line("one"); len(r.Commands) != 0 {
		t.Errorf("a fourth in 300ms: %+v", r)
	}
	// Over 10 seconds, at most 30 + 3 a second... and at most 10 in any second.
	for range 100 {
		c.advance(100 * time.Millisecond)
		sent += len(e.Line("one").Commands)
	}
	if r := e.Line("eleven"); len(r.Cuts) != 1 || !strings.Contains(r.Cuts[0].Reason.Error(), "more commands at once") {
		t.Errorf("eleven at once: %+v", r)
	}
	if sent > 10+30+30 {
		t.Errorf("sent %d in 10.3 s", sent)
	}
}

// TestTriggerLoop: two triggers that set each other off, against a game
// that echoes each command, are bounded by the rate limit.
func TestTriggerLoop(t *testing.T) {
	c := &clock{t: time.Unix(1e9, 0)}
	m := Model{Triggers: []Trigger{
		{ID: "a", Name: "A", Enabled: true, Pattern: "ping", Commands: "say pong"},
		{ID: "b", Name: "B", Enabled: true, Pattern: "pong", Commands: "say ping;;say ping"},
	}}
	e, err := New(m, Options{Separator: ";;", Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	queue := []string{"You say 'ping'"}
	sent, cut := 0, 0
	for step := 0; step < 100000 && len(queue) > 0; step++ {
		c.advance(time.Millisecond) // the game answers each command in a millisecond
		line := queue[0]
		queue = queue[1:]
		r := e.Line(line)
		sent += len(r.Commands)
		for _, cu := range r.Cuts {
			cut += cu.Commands
		}
		for _, cmd := range r.Commands {
			queue = append(queue, "You "+cmd)
		}
	}
	elapsed := c.t.Sub(time.Unix(1e9, 0))
	if len(queue) != 0 || sent > RatePer10Seconds+int(elapsed.Seconds()*RatePer10Seconds/10)+RatePerSecond || cut == 0 {
		t.Errorf("loop: %d sent, %d cut in %v, %d queued", sent, cut, elapsed, len(queue))
	}
}

// TestResultReuse: a Result's slices hold until the next Line.
func TestResultReuse(t *testing.T) {
	e := newEngine(t, Model{Triggers: []Trigger{{Enabled: true, Pattern: "x", Highlight: &Highlight{FG: "red"}}}})
	r1 := e.Line("x")
	want := slices.Clone(r1.Highlights)
	r2 := e.Line("ax")
	if len(r1.Highlights) != 1 || !slices.Equal(want, []Span{{0, 1, rgb(0xff, 0, 0), rgbNone}}) || r2.Highlights[0].Start != 1 {
		t.Errorf("results %v %v", r1, r2)
	}
	if r := e.Line("none"); len(r.Highlights) != 0 {
		t.Errorf("stale highlights %v", r.Highlights)
	}
}

func TestLineAllocs(t *testing.T) {
	m := benchModel(100, 20)
	e := newEngine(t, m)
	lines := mudLines(200)
	allocs := testing.AllocsPerRun(10, func() {
		for _, l := range lines {
			if r := e.Line(l); len(r.Commands) > 0 || len(r.Notifications) > 0 {
				return
			}
		}
	})
	// Matches that fire allocate (their submatch slices); lines that
	// match nothing allocate nothing.
	if allocs > 50 {
		t.Errorf("%v allocations for 200 lines", allocs)
	}
	quiet := "You are standing in a quiet meadow with nothing at all around."
	if a := testing.AllocsPerRun(100, func() { e.Line(quiet) }); a != 0 {
		t.Errorf("a line that matches nothing: %v allocations", a)
	}
}

// TestIndexFoldASCII: on ASCII text, the fast search of a substring that
// ignores case finds what (?i) finds.
func TestIndexFoldASCII(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const alphabet = "aAbBkKsS -.["
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	for range 20000 {
		lit, text := word(1+rng.IntN(3)), word(rng.IntN(12))
		re := regexp.MustCompile("(?i)" + regexp.QuoteMeta(lit))
		want := -1
		if loc := re.FindStringIndex(text); loc != nil {
			want = loc[0]
		}
		if got := indexFoldASCII(text, lowerString(lit)); got != want {
			t.Fatalf("indexFoldASCII(%q, %q) = %d, (?i) finds %d", text, lit, got, want)
		}
	}
}

// TestASCIIFolders: the runes outside ASCII that fold to an ASCII letter
// are the ones the prefilter knows, so it skips case-folded ASCII
// triggers on every other non-ASCII line without missing a match.
func TestASCIIFolders(t *testing.T) {
	var got []rune
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < 0x80 {
				got = append(got, r)
				break
			}
		}
	}
	if string(got) != asciiFolders {
		t.Fatalf("runes folding to ASCII: %q, the prefilter knows %q", string(got), asciiFolders)
	}
	e := newEngine(t, Model{Triggers: []Trigger{
		{ID: "1", Name: "sword", Enabled: true, Pattern: "sword", IgnoreCase: true, Sound: SoundBeep},
		{ID: "2", Name: "kelvin", Enabled: true, Pattern: `(?i)keep`, Match: Regex, Sound: SoundChime},
	}})
	for _, tc := range []struct {
		line string
		want string
	}{
		{"A SWORD, très fin", "beep"},
		{"a ſword", "beep"},
		{"the \u212aEEP é", "chime"},
		{"the keep, très vieux", "chime"},
		{"nothing here, très", ""},
	} {
		if got := strings.Join(e.Line(tc.line).Sounds, ","); got != tc.want {
			t.Errorf("Line(%q) sounds %q, want %q", tc.line, got, tc.want)
		}
	}
}
