package mxp

import (
	"bytes"
	"testing"
)

// plainText is typical game output without MXP: ANSI colours, CR LF.
func plainText(size int) []byte {
	room := []byte("\x1b[1;36mThe Courtyard\x1b[0m\r\n" +
		"Cobblestones worn smooth by centuries of boots stretch between the gatehouse and the great hall. " +
		"A well stands in the middle, its rope frayed.\r\n" +
		"\x1b[32mExits: north south east\x1b[0m\r\n" +
		"\x1b[33mAlice says, \"Have you seen the tower?\"\x1b[0m\r\n" +
		"<\x1b[31m100hp\x1b[0m \x1b[34m50mp\x1b[0m> ")
	return bytes.Repeat(room, size/len(room)+1)[:size/len(room)*len(room)+len(room)]
}

// mxpDefs are what a game sends once, on a secure line.
const mxpDefs = "\x1b[6z<!ELEMENT RName '<FONT COLOR=Red><B>' FLAG=\"RoomName\">" +
	"<!ELEMENT RExits '<FONT COLOR=Blue>' FLAG='RoomExit'><!ELEMENT Ex '<SEND>'>" +
	"<!ELEMENT Item '<send href=\"look &text;|get &text;\" hint=\"&text;|Look|Get\">'>\x1b[5z\r\n"

// mxpText is the same room marked up with MXP, as an MXP game sends it:
// secure lines, defined elements, SEND links and menus, entities.
func mxpText(size int) []byte {
	room := []byte("\x1b[1z<RName>The Courtyard</RName>\r\n" +
		"Cobblestones worn smooth by centuries of boots stretch between the gatehouse and the <B>great hall</B>. " +
		"A <Item>well</Item> stands in the middle, its <I>rope</I> frayed &amp; grey.\r\n" +
		"\x1b[1z<RExits>Exits: <Ex>north</Ex> <Ex>south</Ex> <SEND href=\"east\" hint=\"Go east\">east</SEND></RExits>\r\n" +
		"<C yellow>Alice says, &quot;Have you seen the tower?&quot;</C>\r\n" +
		"<\x1b[31m100hp\x1b[0m \x1b[34m50mp\x1b[0m> ")
	return bytes.Repeat(room, size/len(room)+1)
}

func BenchmarkFilter(b *testing.B) {
	for _, bc := range []struct {
		name string
		defs string
		in   []byte
	}{
		{"prose", "", bytes.Repeat([]byte("The well's rope is frayed; a bucket hangs from it, dripping. "+
			"Moss grows between the stones of its low wall.\r\n"), 150)},
		{"plain", "", plainText(16 << 10)},
		{"mxp", mxpDefs, mxpText(16 << 10)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := New(Config{})
			out, _ := f.Append(nil, nil, []byte(bc.defs))
			b.SetBytes(int64(len(bc.in)))
			b.ReportAllocs()
			for b.Loop() {
				out, _ = f.Append(out[:0], nil, bc.in)
			}
		})
	}
}
