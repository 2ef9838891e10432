package proxyproto

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// listen returns a Listener on loopback that trusts 127.0.0.1 only when
// trusted is set, and closes it when the test ends.
func listen(t *testing.T, trusted bool, timeout time.Duration) *Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &Listener{Listener: ln, Timeout: timeout}
	if trusted {
		l.Trusted = TrustPrefixes(netip.MustParsePrefix("127.0.0.1/32"))
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// dialSend connects to l and writes data; the connection closes when the
// test ends.
func dialSend(t *testing.T, l net.Listener, data string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if data != "" {
		if _, err := io.WriteString(c, data); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func accept(t *testing.T, l net.Listener) net.Conn {
	t.Helper()
	c, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func readN(t *testing.T, c net.Conn, n int) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b := make([]byte, n)
	if _, err := io.ReadFull(c, b); err != nil {
		t.Fatalf("read: %v", err)
	}
	c.SetReadDeadline(time.Time{})
	return string(b)
}

func TestListenerTrusted(t *testing.T) {
	tests := []struct {
		name       string
		header     []byte
		wantRemote string // "" means the real peer
		wantLocal  string
	}{
		{"v1", []byte("PROXY TCP4 203.0.113.7 198.51.100.1 40000 4001\r\n"), "203.0.113.7:40000", "198.51.100.1:4001"},
		{"v2", AppendV2(nil, tcp("[2001:db8::7]:40000"), tcp("[2001:db8::1]:4001")), "[2001:db8::7]:40000", "[2001:db8::1]:4001"},
		{"v1 unknown", []byte("PROXY UNKNOWN\r\n"), "", ""},
		{"v2 local", AppendV2(nil, nil, nil), "", ""},
		{"v2 udp", mustAppend(Header{Version: V2, Command: Proxy, Source: udp("1.2.3.4:5"), Destination: udp("1.2.3.4:6")}), "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := listen(t, true, 0)
			client := dialSend(t, l, string(tc.header)+"hello")
			c := accept(t, l)
			pc, ok := c.(*Conn)
			if !ok {
				t.Fatalf("got %T from a trusted peer, want *Conn", c)
			}
			wantRemote, wantLocal := tc.wantRemote, tc.wantLocal
			if wantRemote == "" {
				wantRemote, wantLocal = client.LocalAddr().String(), client.RemoteAddr().String()
			}
			if got := c.RemoteAddr().String(); got != wantRemote {
				t.Errorf("RemoteAddr: got %s, want %s", got, wantRemote)
			}
			if got := c.LocalAddr().String(); got != wantLocal {
				t.Errorf("LocalAddr: got %s, want %s", got, wantLocal)
			}
			if got := readN(t, c, 5); got != "hello" {
				t.Errorf("got %q after the header, want %q", got, "hello")
			}
			// After the buffered bytes, reads go to the connection itself.
			io.WriteString(client, " again")
			if got := readN(t, c, 6); got != " again" {
				t.Errorf("got %q, want %q", got, " again")
			}
			if _, err := pc.Header(); err != nil {
				t.Errorf("Header: got error %v, want none", err)
			}
			if pc.NetConn() == nil {
				t.Error("NetConn: got nil")
			}
			// Writes and half-close reach the client.
			io.WriteString(c, "bye")
			if err := pc.CloseWrite(); err != nil {
				t.Errorf("CloseWrite: %v", err)
			}
			if b, err := io.ReadAll(client); string(b) != "bye" || err != nil {
				t.Errorf("client got %q, %v; want %q, nil", b, err, "bye")
			}
		})
	}
}

func mustAppend(h Header) []byte {
	b, err := h.Append(nil)
	if err != nil {
		panic(err)
	}
	return b
}

func TestListenerUntrustedUntouched(t *testing.T) {
	// A peer that is not trusted gets no header parsing: its header is
	// data, and its address is its own.
	const data = "PROXY TCP4 203.0.113.7 198.51.100.1 40000 4001\r\nhello"
	for _, name := range []string{"nil Trusted", "not in prefix"} {
		t.Run(name, func(t *testing.T) {
			l := listen(t, false, 0)
			if name == "not in prefix" {
				l.Trusted = TrustPrefixes(netip.MustParsePrefix("10.0.0.0/8"))
			}
			client := dialSend(t, l, data)
			c := accept(t, l)
			if _, ok := c.(*Conn); ok {
				t.Fatal("got *Conn from an untrusted peer, want the plain connection")
			}
			if got, want := c.RemoteAddr().String(), client.LocalAddr().String(); got != want {
				t.Errorf("RemoteAddr: got %s, want %s", got, want)
			}
			if got := readN(t, c, len(data)); got != data {
				t.Errorf("got %q, want %q", got, data)
			}
		})
	}
}

func TestListenerInvalidHeader(t *testing.T) {
	tests := []struct {
		name, data string
		want       error
	}{
		{"garbage", "GET / HTTP/1.1\r\n\r\n", ErrNoHeader},
		{"bad v1", "PROXY TCP4 1.2.3.4 5.6.7.8 1 99999\r\nhello", ErrMalformed},
		{"closed early", "PROXY TCP4 1.2.3.4", io.ErrUnexpectedEOF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := listen(t, true, 0)
			client := dialSend(t, l, tc.data)
			if tc.want == io.ErrUnexpectedEOF {
				client.(*net.TCPConn).CloseWrite()
			}
			c := accept(t, l)
			_, err := c.Read(make([]byte, 10))
			if !errors.Is(err, tc.want) {
				t.Fatalf("Read: got error %v, want %v", err, tc.want)
			}
			if _, err2 := c.Read(make([]byte, 10)); !errors.Is(err2, tc.want) {
				t.Errorf("second Read: got error %v, want %v again", err2, tc.want)
			}
			if _, herr := c.(*Conn).Header(); !errors.Is(herr, tc.want) {
				t.Errorf("Header: got error %v, want %v", herr, tc.want)
			}
			if got, want := c.RemoteAddr().String(), client.LocalAddr().String(); got != want {
				t.Errorf("RemoteAddr: got %s, want the real peer %s", got, want)
			}
		})
	}
}

func TestListenerTimeoutDoesNotBlockOthers(t *testing.T) {
	l := listen(t, true, 200*time.Millisecond)
	dialSend(t, l, "PROX") // stalls inside its header
	slow := accept(t, l)

	// Accept has not waited for the stalled header: the next connection is
	// served while the first is still waiting.
	dialSend(t, l, "PROXY TCP4 203.0.113.9 198.51.100.1 1 2\r\n")
	fast := accept(t, l)
	if got := fast.RemoteAddr().String(); got != "203.0.113.9:1" {
		t.Errorf("RemoteAddr: got %s, want 203.0.113.9:1", got)
	}

	start := time.Now()
	_, err := slow.Read(make([]byte, 1))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Read of a stalled header: got error %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("stalled header failed after %v, want about 200ms", d)
	}
}

func TestListenerDeadlines(t *testing.T) {
	t.Run("header deadline is lifted", func(t *testing.T) {
		l := listen(t, true, 100*time.Millisecond)
		client := dialSend(t, l, "PROXY UNKNOWN\r\n")
		c := accept(t, l)
		c.RemoteAddr() // reads the header
		time.Sleep(200 * time.Millisecond)
		io.WriteString(client, "late")
		// readN sets its own deadline; read without one here.
		b := make([]byte, 4)
		if _, err := io.ReadFull(c, b); err != nil || string(b) != "late" {
			t.Errorf("got %q, %v after the header timeout passed, want %q, nil", b, err, "late")
		}
	})
	t.Run("earlier caller deadline applies to the header", func(t *testing.T) {
		l := listen(t, true, time.Hour)
		dialSend(t, l, "")
		c := accept(t, l)
		c.SetDeadline(time.Now().Add(100 * time.Millisecond))
		start := time.Now()
		_, err := c.Read(make([]byte, 1))
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("got error %v, want a deadline error", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("deadline hit after %v, want about 100ms", d)
		}
	})
	t.Run("caller deadline set before header survives it", func(t *testing.T) {
		l := listen(t, true, time.Hour)
		dialSend(t, l, "PROXY UNKNOWN\r\n")
		c := accept(t, l)
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		c.RemoteAddr()
		start := time.Now()
		_, err := c.Read(make([]byte, 1))
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("got error %v, want a deadline error", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("deadline hit after %v, want under 300ms", d)
		}
	})
	t.Run("close ends a header read", func(t *testing.T) {
		l := listen(t, true, time.Hour)
		dialSend(t, l, "")
		c := accept(t, l)
		done := make(chan error, 1)
		go func() {
			_, err := c.Read(make([]byte, 1))
			done <- err
		}()
		time.Sleep(50 * time.Millisecond)
		c.Close()
		select {
		case err := <-done:
			if err == nil {
				t.Error("got no error from Read after Close")
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Read did not return after Close")
		}
	})
}

func TestNewConn(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := NewConn(a, time.Second)
	go io.WriteString(b, "PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\nx")
	if got := c.RemoteAddr().String(); got != "192.0.2.1:1" {
		t.Errorf("got %s, want 192.0.2.1:1", got)
	}
	if got := readN(t, c, 1); got != "x" {
		t.Errorf("got %q, want %q", got, "x")
	}
	if err := c.CloseWrite(); err == nil {
		t.Error("CloseWrite on a pipe: got no error, want one")
	}
}

func TestTrustPrefixes(t *testing.T) {
	trusted := TrustPrefixes(netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32"), netip.Prefix{})
	tests := []struct {
		addr net.Addr
		want bool
	}{
		{tcp("10.1.2.3:4"), true},
		{tcp("11.1.2.3:4"), false},
		{&net.TCPAddr{IP: net.ParseIP("::ffff:10.0.0.1"), Port: 1}, true},
		{tcp("[2001:db8::5]:1"), true},
		{tcp("[2001:db9::5]:1"), false},
		{udp("10.9.9.9:53"), true},
		{&net.UnixAddr{Name: "/x", Net: "unix"}, false},
		{(*net.TCPAddr)(nil), false},
		{nil, false},
	}
	for _, tc := range tests {
		if got := trusted(tc.addr); got != tc.want {
			t.Errorf("trusted(%v): got %v, want %v", tc.addr, got, tc.want)
		}
	}
}
