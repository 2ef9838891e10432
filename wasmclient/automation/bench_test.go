package automation

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/drawbridge/drawbridge/wasmclient/term"
)

// mudWords are what generated lines are made of, as in
// wasmclient/term's benchmarks.
var mudWords = strings.Fields("the a dragon cityguard temple square north east south west sword " +
	"shield hits misses you your gold coins lies here is standing fountain water " +
	"marble steps lead up gate orc goblin wizard casts fireball massacres scratches")

// mudLines returns n lines of a DikuMUD derivative's output, as text
// (what the terminal shows): an eighth prompts, an eighth room titles
// and exits, a sixteenth tells, a sixteenth chat, the rest lines of text
// about 70 columns wide. The same n gives the same lines.
func mudLines(n int) []string {
	rng := rand.New(rand.NewPCG(1, 2))
	w := func() string { return mudWords[rng.IntN(len(mudWords))] }
	var out []string
	for len(out) < n {
		switch rng.IntN(16) {
		case 0, 1:
			out = append(out, fmt.Sprintf("<%dhp %dm %dmv> ", rng.IntN(500), rng.IntN(300), rng.IntN(200)))
		case 2, 3:
			out = append(out, fmt.Sprintf("%s %s", strings.ToUpper(w()[:1])+w()[1:], w()), "[Exits: north east south]")
		case 4:
			who := []string{"Gandalf", "Bilbo", "Arwen", "Boromir"}[rng.IntN(4)]
			out = append(out, fmt.Sprintf("%s tells you '%s %s %s'", who, w(), w(), w()))
		case 5:
			out = append(out, fmt.Sprintf("[Gossip] %s: %s %s %s %s", []string{"Frodo", "Sam"}[rng.IntN(2)], w(), w(), w(), w()))
		default:
			var b strings.Builder
			for b.Len() < 70 {
				b.WriteString(w())
				b.WriteByte(' ')
			}
			out = append(out, strings.TrimSpace(b.String()))
		}
	}
	return out[:n]
}

// benchModel returns a model of realistic triggers and aliases: most
// triggers are substrings, about a third regular expressions (one with
// no literal to prefilter on), a few of them matching often (tells,
// chat about gold, names, fireballs, hits, low hit points).
func benchModel(triggers, aliases int) Model {
	base := []Trigger{
		{Match: Regex, Pattern: `^<(\d{1,2})hp `, Notify: "low: $1 hp", Sound: SoundAlert},
		{Match: Regex, Pattern: `^(\w+) tells you '(.*)'$`, Highlight: &Highlight{FG: "yellow", Scope: ScopeGroups}, Sound: SoundChime},
		{Pattern: "is DEAD!!", Commands: "get all corpse;;sacrifice corpse"},
		{Pattern: "You are hungry.", Commands: "eat bread"},
		{Pattern: "You are thirsty.", Commands: "drink water"},
		{Match: Regex, Pattern: `^\[Gossip\] (\w+): .*\bgold\b`, Highlight: &Highlight{FG: "#ffd700"}},
		{Pattern: "Gandalf", Highlight: &Highlight{FG: "cyan", All: true}},
		{Pattern: "fireball", IgnoreCase: true, Highlight: &Highlight{FG: "red"}},
		{Match: Regex, Pattern: `(?i)you feel (less|more) protected`, Sound: SoundBeep},
		{Match: Regex, Pattern: `^\d+ gold coins?`, Gag: true},
		{Match: Regex, Pattern: `^(\w+) (hits|misses|massacres) you`, Highlight: &Highlight{FG: "red", Scope: ScopeLine}},
		{Pattern: "[Auction]", Gag: true},
		{Match: Regex, Pattern: `\b(\d+) experience points`, Notify: "xp $1"},
		{Match: Regex, Pattern: `^[A-Z][a-z]+ [a-z]+$`, Highlight: &Highlight{FG: "cyan", Scope: ScopeLine}}, // room titles: no literal
		{Pattern: "You have been idle", Commands: "look"},
	}
	mobs := []string{"rabbit", "wolf", "bear", "troll", "ogre", "bandit", "spider", "skeleton", "zombie", "ghoul",
		"wyvern", "basilisk", "harpy", "kobold", "gnoll", "lizardman", "minotaur", "cyclops", "centaur", "dryad"}
	var m Model
	for i := range triggers {
		var t Trigger
		switch {
		case i < len(base):
			t = base[i]
		case i%3 == 0:
			mob := mobs[i%len(mobs)]
			t = Trigger{Match: Regex, Pattern: fmt.Sprintf(`^An? %s (arrives|leaves|attacks) (\w+)`, mob), Commands: "kill " + mob}
		case i%3 == 1:
			t = Trigger{Pattern: fmt.Sprintf("The %s stops fighting", mobs[i%len(mobs)]), Highlight: &Highlight{FG: "green"}}
		default:
			t = Trigger{Pattern: fmt.Sprintf("You receive %d", i), Gag: true}
		}
		t.ID, t.Name, t.Enabled = fmt.Sprint("t", i), fmt.Sprint("trigger ", i), true
		m.Triggers = append(m.Triggers, t)
	}
	for i := range aliases {
		m.Aliases = append(m.Aliases, Alias{ID: fmt.Sprint("a", i), Enabled: true, Pattern: fmt.Sprintf(`^a%d (.+)$`, i), Commands: "cast 'x' $1"})
	}
	return m
}

// BenchmarkLine runs Line over generated MUD lines with 0 and 100
// triggers (and 20 aliases, which lines do not touch), and with the
// prefilters off, to show what they save. Bytes are the lines' text.
func BenchmarkLine(b *testing.B) {
	lines := mudLines(4096)
	size := 0
	for _, l := range lines {
		size += len(l)
	}
	for _, c := range []struct {
		name      string
		triggers  int
		prefilter bool
	}{{"0", 0, true}, {"100", 100, true}, {"100-noprefilter", 100, false}} {
		b.Run(c.name, func(b *testing.B) {
			e := newEngine(b, benchModel(c.triggers, 20))
			if !c.prefilter {
				noPrefilter(e)
			}
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				for _, l := range lines {
					e.Line(l)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines)), "ns/line")
		})
	}
}

// BenchmarkLineWorst is a pathological trigger: a regular expression
// near MaxProgram that no literal filters, keeps hundreds of threads
// alive over a line of MaxLineLen bytes and never matches. It bounds
// what one line can cost per trigger; MaxTotalProgram bounds the sum.
func BenchmarkLineWorst(b *testing.B) {
	m := Model{Triggers: []Trigger{{ID: "w", Enabled: true, Match: Regex, Pattern: `[a-y]{0,450}[xz]`, Gag: true}}}
	e := newEngine(b, m)
	line := strings.Repeat("a", MaxLineLen)
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		e.Line(line)
	}
}

// noPrefilter turns the engine's prefilters off (the literals, the first
// bytes, the fast search of a substring that ignores case): every
// trigger runs its own pattern on every line.
func noPrefilter(e *Engine) {
	e.scan = nil
	for i := range e.triggers {
		t := &e.triggers[i]
		t.always, t.hint, t.foldLit, t.alts, t.also, t.need, t.subs = true, nil, "", nil, nil, 0, t.re != nil
		e.always[i>>6] |= 1 << (i & 63)
	}
}

// BenchmarkIngest is what the client does with a flood of output: the
// terminal takes the coloured text (80x24, 10,000 lines of scrollback,
// as term's BenchmarkWrite) and the engine each line's text, with 0 and
// 100 triggers. The aim: 100 triggers cost under 10% of the ingest.
func BenchmarkIngest(b *testing.B) {
	lines := mudLines(4096)
	var coloured strings.Builder
	ends := make([]int, len(lines)) // where each line's bytes end in data
	for i, l := range lines {
		fmt.Fprintf(&coloured, "\x1b[%dm%s\x1b[0m\r\n", 31+i%7, l)
		ends[i] = coloured.Len()
	}
	data := []byte(coloured.String())
	for _, n := range []int{0, 100} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			e := newEngine(b, benchModel(n, 20))
			tm := term.New(80, 24, 10000)
			tm.Write(data)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				start := 0
				for i, l := range lines {
					// The terminal takes a line's bytes, then the engine its text.
					tm.Write(data[start:ends[i]])
					e.Line(l)
					start = ends[i]
				}
			}
		})
	}
}

// BenchmarkStream is the web client's ingest as far as this package goes:
// Stream.Write over 4 KiB messages of coloured output, with no engine and
// with the model of the client benchmark's automation run (make
// bench-client, e2e/clientbench: 100 triggers that highlight a good part
// of the lines, 20 aliases). testdata/clientbench holds that model
// (benchModel there, as JSON) and the first 128 KiB of that benchmark's
// stream (mudStream(1, 128<<10)); TestBenchModelSnapshot in
// e2e/clientbench checks that they are still its. Bytes are the stream's.
func BenchmarkStream(b *testing.B) {
	js, err := os.ReadFile("testdata/clientbench/model.json")
	if err != nil {
		b.Fatal(err)
	}
	stream, err := os.ReadFile("testdata/clientbench/stream.txt")
	if err != nil {
		b.Fatal(err)
	}
	m, err := ImportJSON(js)
	if err != nil {
		b.Fatal(err)
	}
	var chunks [][]byte
	for rest := stream; len(rest) > 0; {
		n := min(4<<10, len(rest))
		for n < len(rest) && !utf8.RuneStart(rest[n]) {
			n--
		}
		chunks, rest = append(chunks, rest[:n]), rest[n:]
	}
	lines := strings.Count(string(stream), "\n")
	for _, c := range []struct {
		name string
		m    *Model
	}{{"none", nil}, {"model", &m}} {
		b.Run(c.name, func(b *testing.B) {
			var e *Engine
			if c.m != nil {
				e = newEngine(b, *c.m)
			}
			b.SetBytes(int64(len(stream)))
			b.ReportAllocs()
			for b.Loop() {
				s := NewStream(e)
				for _, p := range chunks {
					s.Write(p)
				}
				s.Flush()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lines), "ns/line")
		})
	}
	// The engine alone (Engine.Line on each line's text, no painting):
	// the part of "model" no Stream can save. Bytes are still the
	// stream's, so that the three compare.
	b.Run("engine-only", func(b *testing.B) {
		e := newEngine(b, m)
		var texts []string
		for l := range strings.Lines(string(stream)) {
			texts = append(texts, string(appendText(nil, []byte(l), nil)))
		}
		b.SetBytes(int64(len(stream)))
		b.ReportAllocs()
		for b.Loop() {
			for _, t := range texts {
				e.Line(t)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(texts)), "ns/line")
	})
}
