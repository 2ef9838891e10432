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

func BenchmarkClientReceive(b *testing.B) {
	for _, bc := range []struct {
		name string
		in   []byte
	}{
		{"text", mudText(16 << 10)},
		{"utf8", bytes.Repeat([]byte("Ünïcödé ☃ text — «quoted» 😀\r\n"), 512)},
		{"iac-dense", iacDense(16 << 10)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := NewClient(Config{}, io.Discard)
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
