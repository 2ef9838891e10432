package telnets

import (
	"io"
	"net"
	"testing"
)

// BenchmarkPipe measures the byte pipe: a TLS client writes 16 KiB through
// the gateway to an echo game and reads it back, on loopback.
func BenchmarkPipe(b *testing.B) {
	p := newPKI(b)
	g := startGame(b, echo)
	r := start(b, p, g, Config{}, nil)
	c := r.dial(nil)
	msg := make([]byte, 16<<10)
	back := make([]byte, len(msg))
	b.SetBytes(int64(2 * len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, back); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConnect measures a whole connection: TCP connect, TLS 1.3
// handshake, game dial, one line each way, close.
func BenchmarkConnect(b *testing.B) {
	p := newPKI(b)
	g := startGame(b, func(c net.Conn) { c.Write([]byte("hi\r\n")); echo(c) })
	r := start(b, p, g, Config{MaxConnsPerAddr: -1}, nil)
	cfg := p.clientTLS()
	buf := make([]byte, 4)
	b.ReportAllocs()
	for b.Loop() {
		c, err := r.tryDial(cfg, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
		c.Write(buf)
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}
