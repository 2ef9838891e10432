package gamelog

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// mudOutput returns about n bytes of coloured MUD output, as a DikuMUD
// derivative sends it: room titles and exits, lines of text about 70
// columns wide with a colour change every few words (now and then a
// 256-colour or 24-bit one), chat lines, and prompts ended by CR LF. The
// same n gives the same bytes.
func mudOutput(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("the a dragon cityguard temple square north east south west sword " +
		"shield hits misses you your gold coins lies here is standing fountain water " +
		"marble steps lead up gate orc goblin wizard casts fireball massacres scratches")
	colours := []string{"\x1b[0m", "\x1b[1;31m", "\x1b[32m", "\x1b[1;33m", "\x1b[34m", "\x1b[35m",
		"\x1b[1;36m", "\x1b[37m", "\x1b[38;5;208m", "\x1b[38;2;200;160;40m"}
	var b strings.Builder
	for b.Len() < n {
		switch rng.IntN(7) {
		case 0: // prompt
			fmt.Fprintf(&b, "\x1b[0;32m<\x1b[1;32m%d\x1b[0;32mhp \x1b[1;34m%d\x1b[0;34mm \x1b[1;33m%d\x1b[0;33mmv\x1b[0;32m> \x1b[0m\r\n",
				rng.IntN(500), rng.IntN(300), rng.IntN(200))
		case 1: // room title and exits
			fmt.Fprintf(&b, "\x1b[1;36m%s %s\x1b[0m\r\n\x1b[32m[Exits: north east south]\x1b[0m\r\n",
				words[rng.IntN(len(words))], words[rng.IntN(len(words))])
		case 2: // chat
			fmt.Fprintf(&b, "\x1b[1;35m[Gossip] Zed: \x1b[0;35m%s %s %s!\x1b[0m\r\n",
				words[rng.IntN(len(words))], words[rng.IntN(len(words))], words[rng.IntN(len(words))])
		default: // a line of text, partly coloured
			col := 0
			for col < 70 {
				if rng.IntN(4) == 0 {
					b.WriteString(colours[rng.IntN(len(colours))])
				}
				w := words[rng.IntN(len(words))]
				b.WriteString(w)
				b.WriteByte(' ')
				col += len(w) + 1
			}
			b.WriteString("\x1b[0m\r\n")
		}
	}
	return []byte(b.String())
}

const benchSize = 5 << 20

// hostileOutput returns about n bytes meant to make the log work hard
// for each byte: long lines rewritten from their start, erased to the
// cursor over and over, and tabbed across.
func hostileOutput(n int) []byte {
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(strings.Repeat("x", MaxLine-10) + "\r")
		b.WriteString(strings.Repeat("\t", MaxLine/16) + strings.Repeat("\x1b[1K", 20000))
		b.WriteString("\ry" + strings.Repeat("\x1b[1K\x08", 2000) + "\x1b[K\r\n")
	}
	return []byte(b.String())
}

// BenchmarkWrite logs 5 MiB of output in 4 KiB writes, as it arrives:
// MUD output into a new log with room for it all (fresh) and into a log
// kept at 1 MiB, so that old lines are dropped all along (full); and
// hostileOutput, which must not be much slower.
func BenchmarkWrite(b *testing.B) {
	mud, hostile := mudOutput(benchSize), hostileOutput(benchSize)
	for _, bc := range []struct {
		name     string
		data     []byte
		maxBytes int
	}{{"fresh", mud, 16 << 20}, {"full", mud, 1 << 20}, {"hostile", hostile, 1 << 20}} {
		data := bc.data
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				l := New(Config{MaxBytes: bc.maxBytes})
				for p := data; len(p) > 0; {
					k := min(len(p), 4096)
					l.Write(p[:k])
					p = p[k:]
				}
			}
		})
	}
}

// BenchmarkRender renders a log of 5 MiB of MUD output as text and as
// HTML; MB/s is of the output read.
func BenchmarkRender(b *testing.B) {
	data := mudOutput(benchSize)
	l := New(Config{MaxBytes: 16 << 20})
	l.Write(data)
	b.Run("text", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if err := l.WriteText(io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("html", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if err := l.WriteHTML(io.Discard, "bench"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestBenchSizes reports, for the README, what 5 MiB of MUD output
// keeps and renders to.
func TestBenchSizes(t *testing.T) {
	if testing.Short() {
		t.Skip("sizes only")
	}
	data := mudOutput(benchSize)
	l := New(Config{MaxBytes: 16 << 20})
	l.Write(data)
	var text, page strings.Builder
	if err := l.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := l.WriteHTML(&page, ""); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d bytes of output: %d lines kept in %d bytes (counted); text %d bytes, HTML %d bytes",
		len(data), l.Lines(), l.bytes, text.Len(), page.Len())
}
