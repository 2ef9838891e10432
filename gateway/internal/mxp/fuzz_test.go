package mxp

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// pieces cuts b into pieces at rune starts, whose lengths come from cuts
// (each byte one length, 0 meaning 1), the rest as the last piece: text
// comes to the filter in whole runes.
func pieces(b, cuts []byte) [][]byte {
	var out [][]byte
	for _, c := range cuts {
		if len(b) == 0 {
			break
		}
		n := min(max(int(c), 1), len(b))
		for n < len(b) && !utf8.RuneStart(b[n]) {
			n++
		}
		out = append(out, b[:n])
		b = b[n:]
	}
	if len(b) > 0 {
		out = append(out, b)
	}
	return out
}

// result is what one run of a Filter gave.
type result struct {
	out, reply, flushed []byte
}

func runPieces(t *testing.T, in [][]byte) result {
	f := New(Config{Version: "1"})
	var r result
	for _, p := range in {
		n := len(r.out)
		r.out, r.reply = f.Append(r.out, r.reply, p)
		if !utf8.Valid(r.out[n:]) {
			t.Fatalf("Append(%q) gave invalid UTF-8 %q", p, r.out[n:])
		}
	}
	checkBounds(t, f)
	r.flushed = f.Flush(nil)
	if !utf8.Valid(r.flushed) {
		t.Fatalf("Flush gave invalid UTF-8 %q", r.flushed)
	}
	return r
}

// secureMark finds what lets a game make command links: a secure line,
// secure by default, or a secure tag.
var secureMark = regexp.MustCompile("\x1b\\[0*[146]z")

// FuzzFilter checks that the filter never panics, writes valid UTF-8 in
// whole runes, keeps within its bounds, gives the same however the text is
// cut, answers and writes within bounds of what it read, and makes no
// command link for a game that never used a secure line.
func FuzzFilter(f *testing.F) {
	for _, tc := range filterCases {
		f.Add([]byte(tc.in), []byte{3, 1, 4, 1, 5, 9, 2, 6})
	}
	f.Add([]byte(secure+"<!EL a '<a><a>&b;'><!EN b '&b;&b;<send>x</send>'>"+secure+"<a>"), []byte{7})
	f.Add([]byte("\x1b]8;;mx\x01p:send?c=x\x1b\\y\x1b]08;;MXP:x\x07"), []byte{2})
	f.Fuzz(func(t *testing.T, in, cuts []byte) {
		in = bytes.ToValidUTF8(in, []byte("\uFFFD"))
		whole := runPieces(t, [][]byte{in})
		cut := runPieces(t, pieces(in, cuts))
		if !bytes.Equal(whole.out, cut.out) || !bytes.Equal(whole.reply, cut.reply) || !bytes.Equal(whole.flushed, cut.flushed) {
			t.Fatalf("cut: got %q %q %q, want %q %q %q", cut.out, cut.reply, cut.flushed, whole.out, whole.reply, whole.flushed)
		}
		all := append(whole.out, whole.flushed...)
		if n := len(in); len(all) > 100*n+(512<<10) || len(whole.reply) > n/replyPer+replyBurst {
			t.Fatalf("got %d bytes out and %d answered for %d in", len(all), len(whole.reply), n)
		}
		if !secureMark.Match(in) && hasCommandLink(all) {
			t.Fatalf("a command link from a game that never went secure: %q gave %q", in, all)
		}
		if i := danglingEsc(all); i >= 0 {
			t.Fatalf("an ESC the terminal would stay in across a control, at %d: %q gave %q", i, in, all)
		}
		for line := range strings.SplitSeq(string(whole.reply), "\n") {
			if line != "" && (!strings.HasPrefix(line, "\x1b[1z<") || !strings.HasSuffix(line, ">") || strings.ContainsAny(line[1:], "\x1b\r")) {
				t.Fatalf("odd answer %q", line)
			}
		}
	})
}

// hasCommandLink reports whether out opens an OSC 8 hyperlink with the
// mxp scheme, read as the browser's terminal reads an OSC: C0 controls
// inside are skipped, BEL or ESC \ end it, CAN, SUB and any other ESC
// abort it; the command number is one to five digits; the scheme's case
// does not matter. Every ESC ] is taken as the start of one.
func hasCommandLink(out []byte) bool {
	for i := 0; i+1 < len(out); i++ {
		if out[i] != 0x1b || out[i+1] != ']' {
			continue
		}
		var payload []byte
		j := i + 2
		for ; j < len(out); j++ {
			c := out[j]
			if c == 0x07 || c == 0x1b || c == 0x18 || c == 0x1a {
				break
			}
			if c >= 0x20 {
				payload = append(payload, c)
			}
		}
		switch {
		case j == len(out), out[j] == 0x18, out[j] == 0x1a:
			continue
		case out[j] == 0x1b && (j+1 == len(out) || out[j+1] != '\\'):
			continue
		}
		num, rest, ok := strings.Cut(string(payload), ";")
		if !ok || len(num) == 0 || len(num) > 5 || strings.Trim(num, "0123456789") != "" {
			continue
		}
		if n, _ := strconv.Atoi(num); n != 8 {
			continue
		}
		if _, uri, ok := strings.Cut(rest, ";"); ok && strings.HasPrefix(strings.ToLower(uri), "mxp:") {
			return true
		}
	}
	return false
}

func TestHasCommandLink(t *testing.T) {
	tests := []struct {
		out  string
		want bool
	}{
		{link("mxp:send?c=x"), true},
		{"\x1b]8;;MXP:x\x07", true},
		{"\x1b]008;x;m\x01xp:y\x07", true},
		{link("https://x.org"), false},
		{"\x1b]8;;mxp:x", false},
		{"\x1b]8;;mxp:x\x1b[", false},
		{"\x1b]8;;mxp:x\x18\x07", false},
		{"\x1b]18;;mxp:x\x07", false},
		{"\x1b]8;mxp:x\x07", false},
	}
	for _, tt := range tests {
		if got := hasCommandLink([]byte(tt.out)); got != tt.want {
			t.Errorf("hasCommandLink(%q) = %v, want %v", tt.out, got, tt.want)
		}
	}
}

// danglingEsc returns where out has an ESC followed by a control other
// than ESC (which starts afresh) or a byte past ASCII, which a terminal
// would carry its escape state across, out of step with the filter; -1
// when there is none.
func danglingEsc(out []byte) int {
	for i, b := range out {
		if b != 0x1b || i+1 == len(out) {
			continue
		}
		if n := out[i+1]; n != 0x1b && (n < 0x20 || n >= 0x7f) {
			return i
		}
	}
	return -1
}
