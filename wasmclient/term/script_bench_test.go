package term

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// cjkMudOutput returns about n bytes of coloured MUD output as a Chinese
// MUD sends it: mudOutput's mix of prompts, room titles and coloured
// lines of text, the text in Chinese (wide characters, three bytes each
// in UTF-8) with ASCII numbers and prompts among it.
func cjkMudOutput(n int) []byte { return mudText(n, chineseMUD) }

var chineseMUD = mudLanguage{
	words: strings.Fields("長安城 北門 守衛 龍 劍 盾牌 你 的 金幣 站在 這裡 噴泉 清水 " +
		"大理石 台階 通往 城門 獸人 哥布林 法師 施放 火球術 擊中 錯過 屠殺 抓傷 " +
		"東 南 西 北 一把 一隻 正在 看著 天空 寺廟 廣場 商人 叫賣"),
	prompt: "\x1b[0;32m<\x1b[1;32m%d\x1b[0;32m氣血 \x1b[1;34m%d\x1b[0;34m內力 \x1b[1;33m%d\x1b[0;33m精神\x1b[0;32m> \x1b[0m\r\n",
	room:   "\x1b[1;36m%s%s\x1b[0m\r\n\x1b[32m[出口: north east south]\x1b[0m\r\n",
	word: func(b *strings.Builder, rng *rand.Rand, w string) int {
		b.WriteString(w)
		cols := 2 * utf8.RuneCountInString(w)
		if rng.IntN(4) == 0 {
			fmt.Fprintf(b, " %d ", rng.IntN(1000)) // numbers, in ASCII
			cols += 5
		}
		return cols
	},
	lineEnd: "，\x1b[0m\r\n",
}

// BenchmarkIngestScript compares the terminal's ingest of Chinese MUD
// output with Latin (mudOutput), the same amount of bytes and the same
// shape of output: the aim is that CJK stays within 20% of Latin in MB/s.
// Each also reports characters a second, as a CJK character is three
// bytes and two cells where a Latin one is one of each.
func BenchmarkIngestScript(b *testing.B) {
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"latin", mudOutput(benchSize)},
		{"cjk", cjkMudOutput(benchSize)},
	} {
		b.Run(c.name, func(b *testing.B) {
			tm := New(120, 40, 10000)
			writeChunks(tm, c.data) // fill the scrollback: the steady state
			writeChunks(tm, c.data)
			runes := utf8.RuneCount(c.data)
			b.SetBytes(int64(len(c.data)))
			b.ReportAllocs()
			for b.Loop() {
				writeChunks(tm, c.data)
			}
			b.ReportMetric(float64(runes)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrunes/s")
		})
	}
}

// TestCJKBenchmarkInput checks that the CJK benchmark's input is what it
// says: more wide characters than narrow, each drawn over two cells.
func TestCJKBenchmarkInput(t *testing.T) {
	data := cjkMudOutput(1 << 14)
	tm := New(120, 40, 1000)
	tm.Write(data)
	checkInvariants(t, tm)
	wide, narrow := 0, 0
	for y := range 40 {
		for _, c := range tm.Line(y) {
			switch {
			case c.Width == 2:
				wide++
			case c.Width == 1 && c.Rune != ' ' && c.Rune != 0:
				narrow++
			}
		}
	}
	if wide < narrow {
		t.Errorf("%d wide and %d narrow characters on screen, want more wide than narrow", wide, narrow)
	}
	if !strings.Contains(tm.Text(), "氣血") {
		t.Errorf("no prompt on screen:\n%s", tm.Text())
	}
}

// TestUTF8FastPath checks that runs of UTF-8 printed by the fast path
// (printUTF8) leave the terminal as the state machine does, fed one byte
// at a time: valid text of every length, and the cases the fast path
// leaves to the state machine (C1 controls, overlong forms, surrogates,
// runes above U+10FFFF, broken and unfinished sequences).
func TestUTF8FastPath(t *testing.T) {
	for _, in := range []string{
		"日本語のテキスト 🐉 é ü ß Ж ∑ 龍",
		"a\u0301 e\u0301\u0302 \U0002FFFD \U0010FFFD",
		"\xc2\x85 \xc2\x9f \xc2\xa0 \xc2\x80x",   // C1 controls as UTF-8, then NBSP
		"\xc0\xaf \xe0\x80\xaf \xf0\x80\x80\xaf", // overlong forms
		"\xed\xa0\x80 \xed\x9f\xbf",              // a surrogate, the last rune before them
		"\xf4\x90\x80\x80 \xf4\x8f\xbf\xbf",      // above U+10FFFF, U+10FFFF
		"日\xe6\x9c 本\xe6 語\xff\xfe 字",            // broken sequences
		"\x1b[31m龍\x1b[m\r\n金貨\x1b]0;タイトル\x07…",
		strings.Repeat("龍", 130), // past the end of a line
		"テキスト\xe6",               // unfinished at the end
	} {
		whole := New(20, 4, 10)
		whole.WriteString(in)
		checkInvariants(t, whole)
		bytewise := New(20, 4, 10)
		for i := range len(in) {
			bytewise.Write([]byte{in[i]})
		}
		if d := diffState(snapshot(bytewise), snapshot(whole)); d != "" {
			t.Errorf("%q: one Write differs from the state machine byte by byte: %s", in, d)
		}
	}
	// The fast path takes whole valid characters and stops before
	// anything else.
	for _, c := range []struct {
		in   string
		want int
	}{
		{"日本x", 6}, {"é\xc2\x85", 2}, {"🐉\xe6\x9c", 4}, {"\xe0\x80\xaf", 0}, {"x日", 0},
	} {
		if got := printUTF8(New(20, 4, 0), c.in); got != c.want {
			t.Errorf("printUTF8(%q) took %d bytes, want %d", c.in, got, c.want)
		}
	}
}
