package telnet

import (
	"bytes"
	"io"
	"testing"
)

// mudText is typical game output: ANSI colours, CR LF, a prompt.
func mudText(size int) []byte {
	room := []byte("\x1b[1;36mThe Courtyard\x1b[0m\r\n" +
		"Cobblestones worn smooth by centuries of boots stretch between the gatehouse and the great hall. " +
		"A well stands in the middle, its rope frayed.\r\n" +
		"\x1b[32mExits: north south east\x1b[0m\r\n" +
		"\x1b[33mAlice says, \"Have you seen the tower?\"\x1b[0m\r\n" +
		"<\x1b[31m100hp\x1b[0m \x1b[34m50mp\x1b[0m> ")
	var b []byte
	for len(b) < size {
		b = append(b, room...)
		b = append(b, IAC, GA)
	}
	return b
}

// iacDense is input where most bytes are telnet: escapes, negotiation,
// subnegotiations with escaped bytes, prompts.
func iacDense(size int) []byte {
	unit := []byte("ab\xff\xffcd\xff\xfb\x01\xff\xfc\x01\xff\xfa\xc9Core.Ping \xff\xff{}\xff\xf0\xff\xf9x\r\x00y")
	var b []byte
	for len(b) < size {
		b = append(b, unit...)
	}
	return b
}

type discardHandler struct{}

func (discardHandler) Data([]byte)                 {}
func (discardHandler) Command(byte)                {}
func (discardHandler) Negotiate(byte, byte)        {}
func (discardHandler) Subnegotiation(byte, []byte) {}

func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct {
		name string
		in   []byte
	}{
		{"text", mudText(16 << 10)},
		{"iac-dense", iacDense(16 << 10)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var p Parser
			var h Handler = discardHandler{}
			b.SetBytes(int64(len(bc.in)))
			b.ReportAllocs()
			for b.Loop() {
				p.Parse(bc.in, h)
			}
		})
	}
}

// latin1Text is game text in ISO-8859-1, a few accented letters a line.
func latin1Text(size int) []byte {
	line := []byte("\x1b[33mL'\xe9p\xe9e du chevalier\x1b[0m est pos\xe9e l\xe0, pr\xe8s du ch\xe2teau.\r\n")
	return bytes.Repeat(line, size/len(line)+1)[:size]
}

// cp437Art is a BBS screen in code page 437: box drawing and shades.
func cp437Art(size int) []byte {
	line := []byte("\x1b[1;34m\xba\xb0\xb1\xb2\xdb\xdb\xb2\xb1\xb0 \x1b[37mWelcome to the BBS \x1b[34m\xb0\xb1\xb2\xdb\xba\r\n" +
		"\xc8\xcd\xcd\xcd\xcd\xcd\xcd\xcd\xcd\xcd\xcd\xcd\xcd\xcd\xcd\xcd\xcd\xcd\xcd\xcd\xcd\xcd\xcd\xbc\r\n")
	return bytes.Repeat(line, size/len(line)+1)[:size]
}

// gbkText is a Chinese MUD's room in GBK: 北大侠客行, 这里是扬州城的中央广场
// (the central square of Yangzhou), in colour.
func gbkText(size int) []byte {
	line := []byte("\x1b[1;36m\xb1\xb1\xb4\xf3\xcf\xc0\xbf\xcd\xd0\xd0\x1b[0m \xd5\xe2\xc0\xef\xca\xc7\xd1\xef\xd6\xdd\xb3\xc7\xb5\xc4\xd6\xd0\xd1\xeb\xb9\xe3\xb3\xa1 (north, south)\r\n")
	return cutRunes(bytes.Repeat(line, size/len(line)+1), size)
}

// sjisText is Japanese in Shift_JIS, with ソ and 表, whose second byte is
// 0x5C: 日本語のテキスト、ソ表.
func sjisText(size int) []byte {
	line := []byte("\x1b[32m\x93\xfa\x96\x7b\x8c\xea\x82\xcc\x83\x65\x83\x4c\x83\x58\x83\x67\x81\x41\x83\x5c\x95\x5c\x1b[0m\r\n")
	return cutRunes(bytes.Repeat(line, size/len(line)+1), size)
}

// cutRunes cuts text, whose lines end in CR LF, after the last whole line
// that fits in size bytes.
func cutRunes(text []byte, size int) []byte {
	return text[:bytes.LastIndex(text[:size], []byte("\r\n"))+2]
}

func BenchmarkClientReceive(b *testing.B) {
	for _, bc := range []struct {
		name    string
		charset string
		in      []byte
	}{
		{"text", "", mudText(16 << 10)},
		{"utf8", "", bytes.Repeat([]byte("Ünïcödé ☃ text — «quoted» 😀\r\n"), 512)},
		{"iac-dense", "", iacDense(16 << 10)},
		// The transcoding output path: legacy bytes to UTF-8.
		{"latin1-ascii", "latin1", mudText(16 << 10)},
		{"latin1", "latin1", latin1Text(16 << 10)},
		{"cp437", "cp437", cp437Art(16 << 10)},
		{"gbk", "gbk", gbkText(16 << 10)},
		{"shift_jis", "shift_jis", sjisText(16 << 10)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := NewClient(Config{Charset: bc.charset}, io.Discard)
			b.SetBytes(int64(len(bc.in)))
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Receive(bc.in, nopSink{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSendLine(b *testing.B) {
	c := NewClient(Config{}, io.Discard)
	line := []byte("say Hello there, how are you doing today?")
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if err := c.SendLine(line); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientReceiveMCCP2 measures the compressed path: a game that
// compresses 1 MiB of text, inflated and parsed in 16 KiB reads, the
// inflater's setup included. Bytes are the inflated size.
func BenchmarkClientReceiveMCCP2(b *testing.B) {
	text := mudText(1 << 20)
	in := append([]byte(willMCCP+iac+sb+opt(OptMCCP2)+iac+se), zlibOf(text)...)
	var reads [][]byte
	for p := in; len(p) > 0; {
		n := min(len(p), 16<<10)
		reads = append(reads, p[:n])
		p = p[n:]
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		c := NewClient(Config{}, io.Discard)
		for _, r := range reads {
			if err := c.Receive(r, nopSink{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkSendLineLatin1(b *testing.B) {
	c := NewClient(Config{Charset: "latin1"}, io.Discard)
	line := []byte("say Très bien, à demain, ÿ compris!")
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if err := c.SendLine(line); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientReceiveMXP measures game text through the MXP filter:
// plain text (the fast path), and text marked up with MXP.
func BenchmarkClientReceiveMXP(b *testing.B) {
	room := "\x1b[1z<RName>The Courtyard</RName>\r\n" +
		"Cobblestones worn smooth by centuries of boots stretch between the gatehouse and the <B>great hall</B>. " +
		"A <Item>well</Item> stands in the middle, its <I>rope</I> frayed &amp; grey.\r\n" +
		"\x1b[1z<RExits>Exits: <Ex>north</Ex> <Ex>south</Ex> <SEND href=\"east\" hint=\"Go east\">east</SEND></RExits>\r\n" +
		"<C yellow>Alice says, &quot;Have you seen the tower?&quot;</C>\r\n" +
		"<\x1b[31m100hp\x1b[0m \x1b[34m50mp\x1b[0m> " + iac + ga
	defs := iac + will + opt(OptMXP) + "\x1b[1z<!ELEMENT RName '<FONT COLOR=Red><B>'><!ELEMENT RExits '<FONT COLOR=Blue>'>" +
		"<!ELEMENT Ex '<SEND>'><!ELEMENT Item '<send href=\"look &text;|get &text;\" hint=\"&text;|Look|Get\">'>\r\n"
	for _, bc := range []struct {
		name string
		in   []byte
	}{
		{"text", mudText(16 << 10)},
		{"markup", bytes.Repeat([]byte(room), (16<<10)/len(room))},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := NewClient(Config{}, io.Discard)
			if err := c.Receive([]byte(defs), nopSink{}); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(bc.in)))
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Receive(bc.in, nopSink{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
