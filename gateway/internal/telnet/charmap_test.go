package telnet

import (
	"bytes"
	"strconv"
	"sync"
	"testing"
	"unicode/utf8"

	xcharmap "golang.org/x/text/encoding/charmap"
)

// The CP437 table is the real one: x/text's IBM437 agrees on every byte
// of the upper half, and the lower half stays ASCII with its controls.
func TestCP437Table(t *testing.T) {
	for b := 0x80; b <= 0xFF; b++ {
		if got, want := cp437High[b-0x80], xcharmap.CodePage437.DecodeByte(byte(b)); got != want {
			t.Errorf("0x%02X: got %U, want %U", b, got, want)
		}
	}
	for b := range 0x80 {
		got := cp437.appendDecode(nil, []byte{byte(b)})
		if len(got) != 1 || got[0] != byte(b) {
			t.Errorf("0x%02X: got %q, want the byte itself", b, got)
		}
	}
	if got, want := latin1High[0xE9-0x80], xcharmap.ISO8859_1.DecodeByte(0xE9); got != want {
		t.Errorf("Latin-1 0xE9: got %U, want %U", got, want)
	}
}

// Every byte of both charsets decodes to valid UTF-8 and encodes back to
// itself.
func TestCharmapRoundTrip(t *testing.T) {
	for _, cm := range []*charmap{latin1, cp437, koi8r} {
		for b := range 256 {
			dec := cm.appendDecode(nil, []byte{byte(b)})
			if !utf8.Valid(dec) {
				t.Fatalf("%s 0x%02X: decodes to invalid UTF-8 %q", cm.name, b, dec)
			}
			if enc := cm.appendEncode(nil, dec); len(enc) != 1 || enc[0] != byte(b) {
				t.Errorf("%s 0x%02X: decodes to %q, which encodes to %q", cm.name, b, dec, enc)
			}
		}
	}
}

func TestLookupCharmap(t *testing.T) {
	tests := []struct {
		name  string
		want  legacyCharset
		known bool
	}{
		{"", nil, true},
		{"utf-8", nil, true},
		{"UTF8", nil, true},
		{"latin1", latin1, true},
		{"ISO-8859-1", latin1, true},
		{" cp437 ", cp437, true},
		{"CP437", cp437, true},
		{"KOI8-R", koi8r, true},
		{"gbk", gbk, true},
		{"GB18030", gb18030, true},
		{"Big5", big5, true},
		{"euc-kr", euckr, true},
		{"Shift_JIS", shiftJIS, true},
		{"sjis", shiftJIS, true},
		{"windows-1252", nil, false},
		{"euc-jp", nil, false},
	}
	for _, tt := range tests {
		got, ok := lookupCharset(tt.name)
		if got != tt.want || ok != tt.known || KnownCharset(tt.name) != tt.known {
			t.Errorf("lookupCharset(%q): got %v %v, want %v %v", tt.name, got, ok, tt.want, tt.known)
		}
	}
	for _, name := range Charsets {
		if cs, ok := lookupCharset(name); !ok || cs == nil {
			t.Errorf("Charsets lists %q, which names no legacy charset", name)
		}
	}
	// An unknown name reads UTF-8.
	runExchanges(t, Config{Charset: "windows-1252"}, []exchange{{in: "caf\xc3\xa9", output: "café"}})
}

// charsetCases are exchange scripts for games that speak a legacy charset.
var charsetCases = []struct {
	name  string
	cfg   Config
	steps []exchange
}{
	{"latin1 output", Config{Charset: "latin1"}, []exchange{
		{in: "caf\xe9 au lait, " + iac + iac + "t\xe9 \xa3" + "5\r\n", output: "café au lait, ÿté £5\r\n"},
		{in: "plain ascii \x1b[1mbold\x1b[0m", output: "plain ascii \x1b[1mbold\x1b[0m"},
		{in: "split \xc3", output: "split Ã"}, // one byte, one character: nothing is held
		{in: "\xa9", output: "©"},
	}},
	{"iso-8859-1 is latin1", Config{Charset: "ISO-8859-1"}, []exchange{
		{in: "\xe9", output: "é"},
	}},
	{"cp437 output", Config{Charset: "cp437"}, []exchange{
		{in: "\xc9\xcd\xcd\xbb\r\n\xba\xb0\xb1\xb2\xdb\xba\r\n\xc8\xcd\xcd\xbc", output: "╔══╗\r\n║░▒▓█║\r\n╚══╝"},
		// Controls stay controls (no ☺ for 0x01, no ⌂ for DEL).
		{in: "\x01\x07\x08\x1b[31m\x7f", output: "\x01\x07\x08\x1b[31m\x7f"},
		{in: "\x82\x9c\xe1\xe3\xf8 " + iac + iac, output: "é£ßπ° \u00a0"},
	}},
	{"latin1 prompt and GMCP stay as they are", Config{Charset: "latin1"}, []exchange{
		{in: iac + will + opt(OptGMCP), sent: iac + do + opt(OptGMCP) +
			iac + sb + opt(OptGMCP) + `Core.Hello {"client":"DRAWBRIDGE","version":"1"}` + iac + se +
			iac + sb + opt(OptGMCP) + `Core.Supports.Set ["Char 1","Char.Skills 1","Char.Items 1","Comm.Channel 1","Room 1"]` + iac + se},
		{in: "\xe9> " + iac + ga + iac + sb + opt(OptGMCP) + `Char.Name "Zoë"` + iac + se, output: `é> <P><G:Char.Name "Zoë">`},
	}},
}

func TestCharsetOutput(t *testing.T) {
	for _, tc := range charsetCases {
		t.Run(tc.name, func(t *testing.T) {
			runExchanges(t, tc.cfg, tc.steps)
		})
	}
}

func TestCharsetInput(t *testing.T) {
	tests := []struct {
		charset string
		line    string
		want    string // SendLine
		keys    string
		wantK   string // SendKeys
	}{
		{"", "café ÿ", "café ÿ\r\n", "é\r", "é\r\x00"},
		{"latin1", "café ÿ € 😀", "caf\xe9 \xff\xff ? ?\r\n", "é\rÿ", "\xe9\r\x00\xff\xff"},
		{"latin1", "bad \xff byte \xc3", "bad ? byte ?\r\n", "\x1b[A", "\x1b[A"},
		{"latin1", "say \xff\xfb\x01", "say ??\x01\r\n", "ÿ\xfb", "\xff\xff?"},
		{"cp437", "╔═╗ é ÿ\u00a0€", "\xc9\xcd\xbb \x82 \x98\xff\xff?\r\n", "\u00a0\r\n", "\xff\xff\r\n"},
		{"cp437", "plain ascii", "plain ascii\r\n", "q", "q"},
	}
	for _, tt := range tests {
		var w bytes.Buffer
		c := NewClient(Config{Charset: tt.charset}, &w)
		if err := c.SendLine([]byte(tt.line)); err != nil {
			t.Fatal(err)
		}
		if got := w.String(); got != tt.want {
			t.Errorf("%s SendLine(%q): got %q, want %q", tt.charset, tt.line, got, tt.want)
		}
		w.Reset()
		if err := c.SendKeys([]byte(tt.keys)); err != nil {
			t.Fatal(err)
		}
		if got := w.String(); got != tt.wantK {
			t.Errorf("%s SendKeys(%q): got %q, want %q", tt.charset, tt.keys, got, tt.wantK)
		}
	}
}

// charsetRequest is IAC SB CHARSET REQUEST list IAC SE.
func charsetRequest(list string) string {
	return iac + sb + opt(OptCharset) + "\x01" + list + iac + se
}

func accepted(name string) string { return iac + sb + opt(OptCharset) + "\x02" + name + iac + se }

var rejected = iac + sb + opt(OptCharset) + "\x03" + iac + se

func TestCharsetNegotiation(t *testing.T) {
	agree := exchange{in: iac + will + opt(OptCharset), sent: iac + do + opt(OptCharset)}
	tests := []struct {
		name    string
		charset string
		offer   string
		answer  string
		output  string // what "caf\xc3\xa9" reads as afterwards
		line    string // what SendLine("é") sends afterwards
	}{
		{"utf-8: UTF-8 offered", "", ";ISO-8859-1;UTF-8", accepted("UTF-8"), "café", "\xc3\xa9\r\n"},
		// Offered no UTF-8, with no charset configured: the first one the
		// gateway knows is what the game speaks.
		{"utf-8: legacy only", "", ";US-ASCII;ISO-8859-1;IBM437", accepted("ISO-8859-1"), "cafÃ©", "\xe9\r\n"},
		{"utf-8: unknown only", "", ";US-ASCII;KOI8-U", rejected, "café", "\xc3\xa9\r\n"},
		{"latin1: UTF-8 wins", "latin1", ";ISO-8859-1;utf-8", accepted("utf-8"), "café", "\xc3\xa9\r\n"},
		{"latin1: its own name", "latin1", ";US-ASCII;latin1", accepted("latin1"), "cafÃ©", "\xe9\r\n"},
		{"latin1: an IANA alias", "latin1", " ISO_8859-1:1987", accepted("ISO_8859-1:1987"), "cafÃ©", "\xe9\r\n"},
		{"latin1: other charsets", "latin1", ";IBM437;KOI8-R", rejected, "cafÃ©", "\xe9\r\n"},
		{"cp437: its own name", "cp437", ";ISO-8859-1;CP437", accepted("CP437"), "caf├⌐", "\x82\r\n"},
		{"cp437: IBM437", "cp437", ",IBM437", accepted("IBM437"), "caf├⌐", "\x82\r\n"},
		{"cp437: Latin-1 only", "cp437", ";ISO-8859-1", rejected, "caf├⌐", "\x82\r\n"},
		{"cp437: UTF-8", "cp437", ";CP437;UTF-8", accepted("UTF-8"), "café", "\xc3\xa9\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := runExchanges(t, Config{Charset: tt.charset}, []exchange{
				agree,
				{in: charsetRequest(tt.offer), sent: tt.answer},
				{in: "caf\xc3\xa9", output: tt.output},
			})
			var w bytes.Buffer
			c.w = &w
			if err := c.SendLine([]byte("é")); err != nil {
				t.Fatal(err)
			}
			if got := w.String(); got != tt.line {
				t.Errorf("SendLine(é): got %q, want %q", got, tt.line)
			}
		})
	}
}

// After UTF-8, a later request that offers only the configured charset
// switches back to it.
func TestCharsetBackToLegacy(t *testing.T) {
	c := runExchanges(t, Config{Charset: "latin1"}, []exchange{
		{in: iac + do + opt(OptCharset), sent: iac + will + opt(OptCharset)},
		{in: charsetRequest(";UTF-8") + "\xe2\x82", sent: accepted("UTF-8")},
		{in: charsetRequest(";ISO-8859-1") + "\xe9", sent: accepted("ISO-8859-1"), output: "\ufffdé"},
	})
	if got := c.Stats().Charset; got != "ISO-8859-1" {
		t.Errorf("got Stats.Charset %q, want ISO-8859-1", got)
	}
}

// MTTS and MNES tell the game the charset the client reads.
func TestCharsetIdentity(t *testing.T) {
	ttype := iac + sb + opt(OptTTYPE) + "\x01" + iac + se
	ttypeIs := func(s string) string { return iac + sb + opt(OptTTYPE) + "\x00" + s + iac + se }
	envSend := iac + sb + opt(OptNewEnviron) + "\x01\x00CHARSET\x00MTTS" + iac + se
	envIs := func(cs string, mtts int) string {
		return iac + sb + opt(OptNewEnviron) + "\x00\x00CHARSET\x01" + cs + "\x00MTTS\x01" + strconv.Itoa(mtts) + iac + se
	}
	setup := exchange{
		in:   iac + do + opt(OptTTYPE) + iac + do + opt(OptNewEnviron) + iac + will + opt(OptCharset) + ttype + ttype,
		sent: iac + will + opt(OptTTYPE) + iac + will + opt(OptNewEnviron) + iac + do + opt(OptCharset) + ttypeIs("DRAWBRIDGE") + ttypeIs("XTERM-256COLOR"),
	}
	tests := []struct {
		charset, name  string
		mtts           int
		before, after  int // MTTS before and after UTF-8 is accepted
		beforeCS, offr string
	}{
		{"", "UTF-8", 0, DefaultMTTS, DefaultMTTS, "UTF-8", ";UTF-8"},
		{"", "UTF-8 as configured", 137, 137, 137, "UTF-8", ";UTF-8"},
		{"latin1", "latin1", 0, DefaultMTTS &^ MTTSUTF8, DefaultMTTS, "ISO-8859-1", ";UTF-8"},
		{"latin1", "latin1 with MTTS set", 137 | MTTSUTF8, 137, 137 | MTTSUTF8, "ISO-8859-1", ";UTF-8"},
		{"cp437", "cp437", 0, DefaultMTTS &^ MTTSUTF8, DefaultMTTS, "IBM437", ";UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mtts := func(n int) string { return ttypeIs("MTTS " + strconv.Itoa(n)) }
			runExchanges(t, Config{Charset: tt.charset, MTTS: tt.mtts}, []exchange{
				setup,
				{in: ttype, sent: mtts(tt.before)},
				{in: envSend, sent: envIs(tt.beforeCS, tt.before)},
				{in: charsetRequest(tt.offr), sent: accepted("UTF-8")},
				{in: ttype, sent: mtts(tt.after)},
				{in: envSend, sent: envIs("UTF-8", tt.after)},
			})
		})
	}
}

// A charset switch in Receive races with nothing in SendLine; run with
// -race.
func TestCharsetConcurrent(t *testing.T) {
	c := NewClient(Config{Charset: "cp437"}, &bytes.Buffer{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		s := &fakeSink{}
		_ = c.Receive([]byte(iac+will+opt(OptCharset)), s)
		for range 200 {
			_ = c.Receive([]byte(charsetRequest(";UTF-8")+"\xe9"+charsetRequest(";CP437")+"\xe9"), s)
		}
	}()
	go func() {
		defer wg.Done()
		for range 200 {
			_ = c.SendLine([]byte("é"))
			_ = c.Stats()
		}
	}()
	wg.Wait()
}

// Transcoding reuses one buffer: no allocation per Receive once warm.
func TestCharsetReceiveAllocs(t *testing.T) {
	for _, cs := range []string{"latin1", "cp437"} {
		c := NewClient(Config{Charset: cs}, &bytes.Buffer{})
		text := []byte("\xc9\xcd\xbb caf\xe9 \x1b[1m\xb0\xb1\xb2\x1b[0m\r\n> " + iac + ga)
		_ = c.Receive(text, nopSink{})
		if allocs := testing.AllocsPerRun(100, func() { _ = c.Receive(text, nopSink{}) }); allocs != 0 {
			t.Errorf("%s: got %v allocs per Receive, want 0", cs, allocs)
		}
	}
}
