package netport

import (
	"net"
	"strconv"
	"testing"
)

// The ports are below the ephemeral range, distinct, and bindable.
func TestFree(t *testing.T) {
	low, high := pool()
	seen := map[int]bool{}
	for range 50 {
		p, err := Free()
		if err != nil {
			t.Fatal(err)
		}
		if p < low || p >= high || seen[p] {
			t.Fatalf("port %d: outside %d-%d or handed out twice", p, low, high-1)
		}
		seen[p] = true
	}
	p, err := FreeTCPUDP()
	if err != nil {
		t.Fatal(err)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(p))
	if err != nil {
		t.Fatalf("FreeTCPUDP gave %d, not free for UDP: %v", p, err)
	}
	pc.Close()
}

// A port something listens on is never handed out.
func TestBindable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if bindable(ln.Addr().(*net.TCPAddr).Port, false) {
		t.Fatal("a port in use counted as bindable")
	}
}
