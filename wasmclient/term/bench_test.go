package term

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// benchSize is the amount of generated output each benchmark writes.
const benchSize = 1 << 20

// mudOutput returns about n bytes of coloured MUD output: room titles,
// descriptions, exits, combat and chat lines with SGR colours, and
// prompts, as a DikuMUD derivative sends them.
func mudOutput(n int) []byte { return mudText(n, latinMUD) }

// mudLanguage is what a generated MUD's output is made of: its words,
// its prompt (a format for hit points, mana and moves), its room title
// and exits (a format for two words), how a word of text is written
// (returning the columns it took) and how a line of text ends.
type mudLanguage struct {
	words   []string
	prompt  string
	room    string
	word    func(b *strings.Builder, rng *rand.Rand, w string) (cols int)
	lineEnd string
}

var latinMUD = mudLanguage{
	words: strings.Fields("the a dragon cityguard temple square north east south west sword " +
		"shield hits misses you your gold coins lies here is standing fountain water " +
		"marble steps lead up gate orc goblin wizard casts fireball massacres scratches"),
	prompt: "\x1b[0;32m<\x1b[1;32m%d\x1b[0;32mhp \x1b[1;34m%d\x1b[0;34mm \x1b[1;33m%d\x1b[0;33mmv\x1b[0;32m> \x1b[0m\r\n",
	room:   "\x1b[1;36m%s %s\x1b[0m\r\n\x1b[32m[Exits: north east south]\x1b[0m\r\n",
	word: func(b *strings.Builder, _ *rand.Rand, w string) int {
		b.WriteString(w)
		b.WriteByte(' ')
		return len(w) + 1
	},
	lineEnd: "\x1b[0m\r\n",
}

// mudText returns about n bytes of coloured MUD output in lang: a mix of
// prompts, room titles with exits, and lines of text about 70 columns
// wide with colour changes among the words. The same n and language
// give the same bytes.
func mudText(n int, lang mudLanguage) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	words := lang.words
	colours := []string{"\x1b[0m", "\x1b[1;31m", "\x1b[32m", "\x1b[1;33m", "\x1b[34m", "\x1b[35m", "\x1b[1;36m", "\x1b[37m"}
	var b strings.Builder
	for b.Len() < n {
		switch rng.IntN(6) {
		case 0: // prompt
			fmt.Fprintf(&b, lang.prompt, rng.IntN(500), rng.IntN(300), rng.IntN(200))
		case 1: // room title and exits
			fmt.Fprintf(&b, lang.room, words[rng.IntN(len(words))], words[rng.IntN(len(words))])
		default: // a line of text, partly coloured
			col := 0
			for col < 70 {
				if rng.IntN(5) == 0 {
					b.WriteString(colours[rng.IntN(len(colours))])
				}
				col += lang.word(&b, rng, words[rng.IntN(len(words))])
			}
			b.WriteString(lang.lineEnd)
		}
	}
	return []byte(b.String())
}

// asciiOutput returns about n bytes of plain text lines.
func asciiOutput(n int) []byte {
	line := "   You are standing in the middle of the temple square. Huge marble steps\r\n"
	return []byte(strings.Repeat(line, n/len(line)+1))
}

// cursorOutput returns about n bytes of full-screen, cursor-addressed
// output on an 80x24 screen, as a roguelike draws: CUP, colours, short
// runs of map characters, line drawing, erases.
func cursorOutput(n int) []byte {
	rng := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	b.WriteString("\x1b[?1049h\x1b[H\x1b[2J")
	for b.Len() < n {
		switch rng.IntN(10) {
		case 0:
			fmt.Fprintf(&b, "\x1b[%d;1H\x1b[K", rng.IntN(24)+1)
		case 1:
			fmt.Fprintf(&b, "\x1b[%d;%dH\x0elqqqqk\x0f", rng.IntN(24)+1, rng.IntN(70)+1)
		default:
			fmt.Fprintf(&b, "\x1b[%d;%dH\x1b[%d;%dm%s\x1b[m", rng.IntN(24)+1, rng.IntN(76)+1,
				rng.IntN(2), 30+rng.IntN(8), strings.Repeat(".#@d$+"[rng.IntN(6):][:1], 1+rng.IntN(3)))
		}
	}
	return []byte("\x1b)0" + b.String())
}

// unicodeOutput returns about n bytes of mixed-script text: accented
// Latin, CJK (wide) and combining marks.
func unicodeOutput(n int) []byte {
	line := "Drachenhöhle: 龍が現れた! Le dragon crache du feu. e\u0301 \x1b[33m金貨\x1b[m\r\n"
	return []byte(strings.Repeat(line, n/len(line)+1))
}

// writeChunks writes data in 4 KiB pieces, as WebSocket frames bring it.
func writeChunks(tm *Terminal, data []byte) {
	for len(data) > 0 {
		n := min(len(data), 4096)
		tm.Write(data[:n])
		data = data[n:]
	}
}

func BenchmarkWrite(b *testing.B) {
	cases := []struct {
		name string
		data []byte
	}{
		{"mud", mudOutput(benchSize)},
		{"ascii", asciiOutput(benchSize)},
		{"cursor", cursorOutput(benchSize)},
		{"unicode", unicodeOutput(benchSize)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			tm := New(80, 24, 10000)
			// Warm up: fill the scrollback ring so that the loop measures
			// the steady state.
			writeChunks(tm, c.data)
			writeChunks(tm, c.data)
			b.SetBytes(int64(len(c.data)))
			b.ReportAllocs()
			for b.Loop() {
				writeChunks(tm, c.data)
			}
		})
	}
}

// BenchmarkFrame measures what a renderer does each frame after some
// output: find the dirty rows and read them.
func BenchmarkFrame(b *testing.B) {
	tm := New(80, 24, 1000)
	data := mudOutput(2048)
	var rows []int
	for range 1000 { // fill the scrollback: measure the steady state
		tm.Write(data)
	}
	b.ReportAllocs()
	for b.Loop() {
		tm.Write(data)
		rows = tm.DirtyRows(rows[:0])
		for _, y := range rows {
			for _, c := range tm.Line(y) {
				_ = c.Rune
			}
		}
		tm.ClearDirty()
	}
}

func BenchmarkText(b *testing.B) {
	tm := New(80, 24, 0)
	tm.Write(mudOutput(4096))
	b.ReportAllocs()
	for b.Loop() {
		_ = tm.Text()
	}
}

// TestBenchmarkInputs checks that the generated inputs are sane, so that
// the benchmarks measure what they claim.
func TestBenchmarkInputs(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string // text expected somewhere on the screen or in history
	}{
		{"mud", mudOutput(1 << 14), "hp"},
		{"ascii", asciiOutput(1 << 12), "temple square"},
		{"cursor", cursorOutput(1 << 14), "┌────┐"},
		{"unicode", unicodeOutput(1 << 12), "龍が現れた"},
	}
	for _, tt := range tests {
		tm := New(80, 24, 100)
		tm.Write(tt.data)
		checkInvariants(t, tm)
		all := tm.Text()
		for i := range tm.ScrollbackLen() {
			all += RowText(tm.ScrollbackLine(i))
		}
		if !strings.Contains(all, tt.want) {
			t.Errorf("%s: output does not contain %q", tt.name, tt.want)
		}
	}
}

// BenchmarkRowLinks measures what a renderer does on mouse hover: the
// links of one 80-column row with an OSC 8 link and a plain URL, of a
// line with a URL wrapped onto it, and of text made to look like many
// URLs that are not (a 1024-column row wrapped over 4 rows).
func BenchmarkRowLinks(b *testing.B) {
	tm := New(80, 24, 100)
	tm.WriteString("The \x1b]8;;https://mud.example.org/help\x07help pages\x1b]8;;\x07 are at https://mud.example.org/wiki, or ask.\r\n")
	tm.WriteString(strings.Repeat("x", 60) + " https://mud.example.org/a/long/path/that/wraps/onto/the/next/row\r\n")
	var dst []Span
	b.Run("row", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			dst = tm.RowLinks(tm.Line(0), dst[:0])
		}
	})
	b.Run("wrapped", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			dst = tm.LineLinks(tm.ScrollbackLen()+2, dst[:0])
		}
	})
	hostile := New(MaxCols, 4, 0)
	hostile.WriteString(strings.Repeat("www.-http://-", 4*MaxCols/13))
	b.Run("hostile", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			dst = hostile.LineLinks(1, dst[:0])
		}
	})
}
