package telnet

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// mbText is real text in each multi-byte charset and in KOI8-R, with its
// bytes as the charsets' published tables give them (the WHATWG
// Encoding Standard's indexes; the Shift_JIS, Big5 and GBK lines include
// characters whose second byte is 0x5C, a backslash when read alone, and
// 0x40, an at sign).
var mbText = []struct {
	charset string
	bytes   string
	text    string
}{
	{"gbk", "\xd6\xd0\xce\xc4\x81\x40", "中文丂"},
	{"gb18030", "\xd6\xd0\xce\xc4\xa2\xe3\x81\x30\x84\x36\x94\x39\xfc\x36", "中文€¥😀"},
	{"big5", "\xa4\xa4\xa4\xe5\xb3\x5c", "中文許"},
	{"euc-kr", "\xc7\xd1\xb1\xb9\xbe\xee", "한국어"},
	{"shift_jis", "\x93\xfa\x96\x7b\x8c\xea\x83\x5c\x95\x5c", "日本語ソ表"},
	{"koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", "Привет"},
}

// mbGame is what a game in the charset sends: its text in colour, on
// lines of their own, with the ASCII around it.
func mbGame(b string) string {
	return "\x1b[1;33m" + b + "\x1b[0m\r\nsay " + b + "\\n\r\n> "
}

// TestMultibyteOutput reads each charset's text from a game, whole and
// cut at every byte (a character's first byte at the end of one read,
// its second, ASCII or not, at the start of the next), and one byte a
// read: the player gets the same UTF-8 every way.
func TestMultibyteOutput(t *testing.T) {
	for _, tc := range mbText {
		t.Run(tc.charset, func(t *testing.T) {
			in, want := mbGame(tc.bytes), mbGame(tc.text)
			if got := clientRun(t, tc.charset, [][]byte{[]byte(in)}).out; got != want {
				t.Fatalf("whole: got %q, want %q", got, want)
			}
			for cut := 1; cut < len(in); cut++ {
				if got := clientRun(t, tc.charset, [][]byte{[]byte(in[:cut]), []byte(in[cut:])}).out; got != want {
					t.Errorf("cut at %d: got %q, want %q", cut, got, want)
				}
			}
			var bytewise [][]byte
			for i := range len(in) {
				bytewise = append(bytewise, []byte{in[i]})
			}
			if got := clientRun(t, tc.charset, bytewise).out; got != want {
				t.Errorf("a byte a read: got %q, want %q", got, want)
			}
		})
	}
}

// TestMultibyteBroken checks what a game that breaks its charset gets:
// a first byte followed by an escape sequence loses only itself, one
// left at a prompt or at the end of the stream becomes U+FFFD there, and
// nothing is held across a prompt.
func TestMultibyteBroken(t *testing.T) {
	runExchanges(t, Config{Charset: "shift_jis"}, []exchange{
		{in: "\x83\x1b[31mred", output: "\ufffd\x1b[31mred"},
		{in: "hp 10\x93", output: "hp 10"}, // held: the next read may complete it
		{in: iac + ga + "ok", output: "\ufffd<P>ok"},
		{in: "\x93", output: ""},
		{in: "\xfa!", output: "日!"},
	})
	runExchanges(t, Config{Charset: "gb18030"}, []exchange{
		{in: "\x81\x30\x84", output: ""}, // three of a four-byte character
		{in: "\x36.", output: "¥."},
		{in: "\x81\x30\x84" + iac + ga, output: "\ufffd<P>"},
	})
	var w bytes.Buffer
	c := NewClient(Config{Charset: "big5"}, &w)
	s := &fakeSink{}
	if err := c.Receive([]byte("end\xa4"), s); err != nil {
		t.Fatal(err)
	}
	c.Flush(s)
	if got := s.log.String(); got != "end\ufffd" {
		t.Errorf("Big5 stream ending in a first byte: got %q, want %q", got, "end\ufffd")
	}
}

// TestMultibyteInput checks the player's text on its way to the game:
// each charset's characters in its bytes, '?' for what it cannot hold,
// and GB18030's four-byte form for what GBK lacks.
func TestMultibyteInput(t *testing.T) {
	for _, tc := range mbText {
		var w bytes.Buffer
		c := NewClient(Config{Charset: tc.charset}, &w)
		if err := c.SendLine([]byte("say " + tc.text + " ✓")); err != nil {
			t.Fatal(err)
		}
		want := "say " + tc.bytes + " ?\r\n"
		if tc.charset == "gb18030" {
			// GB18030 has every character: ✓ in its four-byte form.
			got := strings.TrimSuffix(strings.TrimPrefix(w.String(), "say "+tc.bytes+" "), "\r\n")
			if len(got) != 4 || got[0] < 0x81 || got[0] > 0x84 || string(gb18030.newDecoder().appendDecode(nil, []byte(got))) != "✓" {
				t.Errorf("gb18030 SendLine: ✓ went out as % x, want four bytes that read back as ✓", got)
			}
			continue
		}
		if got := w.String(); got != want {
			t.Errorf("%s SendLine: got %q, want %q", tc.charset, got, want)
		}
	}
	var w bytes.Buffer
	c := NewClient(Config{Charset: "gbk"}, &w)
	if err := c.SendKeys([]byte("é\xff😀")); err != nil {
		t.Fatal(err)
	}
	if got, want := w.String(), "\xa8\xa6??"; got != want {
		t.Errorf("GBK SendKeys: got %q, want %q", got, want)
	}
}

// TestMultibyteRoundTrip decodes every character of the Basic
// Multilingual Plane each charset encodes, and encodes it back.
func TestMultibyteRoundTrip(t *testing.T) {
	for _, cs := range []*multibyte{gbk, gb18030, big5, euckr, shiftJIS} {
		n := 0
		for r := rune(0x80); r < 0x10000; r++ {
			if r >= 0xd800 && r < 0xf900 { // surrogates; the private use area, whose mappings differ between editions of GB18030
				continue
			}
			b := cs.appendEncode(nil, utf8.AppendRune(nil, r))
			if string(b) == "?" {
				continue
			}
			n++
			got := cs.newDecoder().appendDecode(nil, b)
			if string(got) != string(r) {
				// Several byte sequences may decode to one character;
				// the encoder must pick one that decodes back to it.
				t.Errorf("%s: %U encodes to % x, which decodes to %q", cs.name, r, b, got)
			}
		}
		if n < 7000 {
			t.Errorf("%s encodes %d characters of the BMP, want thousands", cs.name, n)
		}
	}
}

// TestMultibyteNegotiation checks the names each charset answers to over
// CHARSET (RFC 2066): its IANA names and aliases, and GB2312, the older
// name Chinese games still offer, for GBK.
func TestMultibyteNegotiation(t *testing.T) {
	agree := exchange{in: iac + will + opt(OptCharset), sent: iac + do + opt(OptCharset)}
	tests := []struct {
		charset, offer, answer string
	}{
		{"gbk", ";GB2312", accepted("GB2312")},
		{"gbk", ";Big5;CP936", accepted("CP936")},
		{"gbk", ";GB18030", rejected},
		{"gb18030", ";GBK;GB18030", accepted("GB18030")},
		{"big5", ";big5", accepted("big5")},
		{"euc-kr", ";KS_C_5601-1987", accepted("KS_C_5601-1987")},
		{"shift_jis", ";EUC-JP;Shift_JIS", accepted("Shift_JIS")},
		{"shift_jis", ";Windows-31J", accepted("Windows-31J")},
		{"koi8-r", ";KOI8-U;KOI8-R", accepted("KOI8-R")},
		{"big5", ";Big5;UTF-8", accepted("UTF-8")},
	}
	for _, tt := range tests {
		t.Run(tt.charset+tt.offer, func(t *testing.T) {
			runExchanges(t, Config{Charset: tt.charset}, []exchange{agree, {in: charsetRequest(tt.offer), sent: tt.answer}})
		})
	}
	// A game with no charset configured that offers GBK (as GB2312) and
	// no UTF-8 is read in GBK from then on, and told so over MNES.
	c := runExchanges(t, Config{}, []exchange{
		agree,
		{in: charsetRequest(";US-ASCII;GB2312"), sent: accepted("GB2312")},
		{in: "\xd6\xd0\xce", output: "中"},
		{in: "\xc4", output: "文"},
	})
	if got := c.Stats().Charset; got != "GBK" {
		t.Errorf("after GB2312 was accepted, Stats().Charset %q, want GBK", got)
	}
	if got := mnesCharset(c); got != "GBK" || c.mode() != 1 {
		t.Errorf("after GB2312 was accepted, MNES CHARSET %q (mode %d), want GBK", got, c.mode())
	}
	var w bytes.Buffer
	c.w = &w
	if err := c.SendLine([]byte("文")); err != nil {
		t.Fatal(err)
	}
	if got := w.String(); got != "\xce\xc4\r\n" {
		t.Errorf("after GB2312 was accepted, SendLine(文) sent % x, want ce c4 0d 0a", got)
	}
	// After a switch to UTF-8, the start of a character held from
	// before it becomes U+FFFD, and UTF-8 is read as such.
	runExchanges(t, Config{Charset: "big5"}, []exchange{
		agree,
		{in: "\xa4", output: ""},
		{in: charsetRequest(";UTF-8"), sent: accepted("UTF-8")},
		{in: "中", output: "\ufffd中"},
	})
}

// TestMultibyteMNES checks that the game is told the charset's IANA name.
func TestMultibyteMNES(t *testing.T) {
	for _, tc := range []struct{ charset, name string }{
		{"gbk", "GBK"}, {"gb18030", "GB18030"}, {"big5", "Big5"}, {"euc-kr", "EUC-KR"}, {"sjis", "Shift_JIS"}, {"KOI8-R", "KOI8-R"},
	} {
		c := NewClient(Config{Charset: tc.charset}, &bytes.Buffer{})
		if got := c.Stats().Charset; got != tc.name {
			t.Errorf("%s: Stats().Charset %q, want %q", tc.charset, got, tc.name)
		}
		if mnes := mnesCharset(c); mnes != tc.name {
			t.Errorf("%s: MNES CHARSET %q, want %q", tc.charset, mnes, tc.name)
		}
	}
}

// mnesCharset is the CHARSET the client tells the game over MNES now.
func mnesCharset(c *Client) string {
	for _, v := range c.env[c.mode()] {
		if v.name == "CHARSET" {
			return v.value
		}
	}
	return ""
}
