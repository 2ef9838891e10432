package proxyproto

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"testing/iotest"
)

// unhex decodes hex written with spaces for readability.
func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

func tcp(s string) *net.TCPAddr { return net.TCPAddrFromAddrPort(netip.MustParseAddrPort(s)) }
func udp(s string) *net.UDPAddr { return net.UDPAddrFromAddrPort(netip.MustParseAddrPort(s)) }

const sig = "0d0a0d0a 000d0a51 5549540a"

// withCRC sets the CRC32C value at off (the value's first byte) of b.
func withCRC(b []byte, off int) []byte {
	b = bytes.Clone(b)
	binary.BigEndian.PutUint32(b[off:], 0)
	binary.BigEndian.PutUint32(b[off:], crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
	return b
}

var (
	v2TCP4 = unhex(sig + "21 11 000c  7f000001 c0a8000b dc04 01bb")
	v2TCP6 = unhex(sig + "21 21 0024" +
		" 20010db8000000000000000000000001 20010db8000000000000000000000002 04d2 0050")
	v2UDP4 = unhex(sig + "21 12 000c  0a000001 0a000002 0035 0035")
	// A TCP4 header with an ALPN TLV ("h2"), an authority TLV and a CRC32C.
	v2TLV = withCRC(unhex(sig+"21 11 0021  7f000001 c0a8000b dc04 01bb"+
		" 01 0002 6832"+ // ALPN h2
		" 02 0006 67616d652e78"+ // authority game.x
		" 03 0004 00000000"), // CRC32C, filled in
		V2HeaderLen+12+5+9+3)
	v2Unix = func() []byte {
		b := unhex(sig + "21 31 00d8")
		src, dst := make([]byte, 108), make([]byte, 108)
		copy(src, "/run/proxy.sock")
		copy(dst, "/run/game.sock")
		return append(append(b, src...), dst...)
	}()
)

// readCases are the specification's examples and the ways to break them.
// rest is what must follow the header in the input.
var readCases = []struct {
	name    string
	in      []byte
	want    Header
	wantErr error // nil, ErrNoHeader, ErrMalformed, io.EOF or io.ErrUnexpectedEOF
}{
	// Version 1, from section 2.1 of the specification.
	{name: "v1 tcp4 spec example", in: []byte("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\n"),
		want: Header{Version: V1, Command: Proxy, Source: tcp("192.168.0.1:56324"), Destination: tcp("192.168.0.11:443")}},
	{name: "v1 tcp4 largest", in: []byte("PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n"),
		want: Header{Version: V1, Command: Proxy, Source: tcp("255.255.255.255:65535"), Destination: tcp("255.255.255.255:65535")}},
	{name: "v1 tcp6 largest", in: []byte("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"),
		want: Header{Version: V1, Command: Proxy, Source: tcp("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535"), Destination: tcp("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535")}},
	{name: "v1 tcp6 short", in: []byte("PROXY TCP6 2001:db8::1 ::1 0 23\r\n"),
		want: Header{Version: V1, Command: Proxy, Source: tcp("[2001:db8::1]:0"), Destination: tcp("[::1]:23")}},
	{name: "v1 tcp6 v4-mapped", in: []byte("PROXY TCP6 ::ffff:1.2.3.4 ::1 1 2\r\n"),
		want: Header{Version: V1, Command: Proxy, Source: tcp("[::ffff:1.2.3.4]:1"), Destination: tcp("[::1]:2")}},
	{name: "v1 unknown", in: []byte("PROXY UNKNOWN\r\n"), want: Header{Version: V1, Command: Local}},
	{name: "v1 unknown 107 bytes", in: []byte("PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"),
		want: Header{Version: V1, Command: Local}},
	{name: "v1 unknown with junk", in: []byte("PROXY UNKNOWN whatever \x01 goes\r\n"), want: Header{Version: V1, Command: Local}},

	{name: "v1 108 bytes", in: []byte("PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 655355\r\n"), wantErr: ErrMalformed},
	{name: "v1 no CRLF ever", in: []byte("PROXY TCP4 " + strings.Repeat("1", 200)), wantErr: ErrMalformed},
	{name: "v1 bare LF", in: []byte("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n"), wantErr: ErrMalformed},
	{name: "v1 lower case", in: []byte("PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n"), wantErr: ErrMalformed},
	{name: "v1 UNKNOWN glued", in: []byte("PROXY UNKNOWNX\r\n"), wantErr: ErrMalformed},
	{name: "v1 udp", in: []byte("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n"), wantErr: ErrMalformed},
	{name: "v1 double space", in: []byte("PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n"), wantErr: ErrMalformed},
	{name: "v1 trailing space", in: []byte("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n"), wantErr: ErrMalformed},
	{name: "v1 too few fields", in: []byte("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n"), wantErr: ErrMalformed},
	{name: "v1 tcp4 with ipv6", in: []byte("PROXY TCP4 ::1 ::1 1 2\r\n"), wantErr: ErrMalformed},
	{name: "v1 tcp6 with ipv4", in: []byte("PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n"), wantErr: ErrMalformed},
	{name: "v1 zone", in: []byte("PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n"), wantErr: ErrMalformed},
	{name: "v1 leading zero address", in: []byte("PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n"), wantErr: ErrMalformed},
	{name: "v1 port too big", in: []byte("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n"), wantErr: ErrMalformed},
	{name: "v1 port leading zero", in: []byte("PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n"), wantErr: ErrMalformed},
	{name: "v1 port sign", in: []byte("PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n"), wantErr: ErrMalformed},
	{name: "v1 port empty", in: []byte("PROXY TCP4 1.2.3.4 5.6.7.8  2\r\n"), wantErr: ErrMalformed},
	{name: "v1 truncated", in: []byte("PROXY TCP4 1.2.3.4"), wantErr: io.ErrUnexpectedEOF},
	{name: "v1 truncated prefix", in: []byte("PROX"), wantErr: io.ErrUnexpectedEOF},

	// Version 2, built by hand from section 2.2.
	{name: "v2 tcp4", in: append(bytes.Clone(v2TCP4), "after"...),
		want: Header{Version: V2, Command: Proxy, Source: tcp("127.0.0.1:56324"), Destination: tcp("192.168.0.11:443")}},
	{name: "v2 tcp6", in: v2TCP6,
		want: Header{Version: V2, Command: Proxy, Source: tcp("[2001:db8::1]:1234"), Destination: tcp("[2001:db8::2]:80")}},
	{name: "v2 udp4", in: v2UDP4,
		want: Header{Version: V2, Command: Proxy, Source: udp("10.0.0.1:53"), Destination: udp("10.0.0.2:53")}},
	{name: "v2 unix", in: v2Unix,
		want: Header{Version: V2, Command: Proxy, Source: &net.UnixAddr{Net: "unix", Name: "/run/proxy.sock"}, Destination: &net.UnixAddr{Net: "unix", Name: "/run/game.sock"}}},
	{name: "v2 tlvs and crc", in: v2TLV,
		want: Header{Version: V2, Command: Proxy, Source: tcp("127.0.0.1:56324"), Destination: tcp("192.168.0.11:443"),
			TLVs: []TLV{{TypeALPN, []byte("h2")}, {TypeAuthority, []byte("game.x")}, {TypeCRC32C, v2TLV[len(v2TLV)-4:]}}}},
	{name: "v2 local", in: unhex(sig + "20 00 0000"), want: Header{Version: V2, Command: Local}},
	{name: "v2 local ignores block", in: unhex(sig + "20 ff 0003 010203"), want: Header{Version: V2, Command: Local}},
	{name: "v2 proxy unspec", in: unhex(sig + "21 00 0000"), want: Header{Version: V2, Command: Proxy}},
	{name: "v2 proxy unspec with noop", in: unhex(sig + "21 00 0005 04 0002 0000"),
		want: Header{Version: V2, Command: Proxy, TLVs: []TLV{{TypeNoop, []byte{0, 0}}}}},
	{name: "v2 empty tlv", in: unhex(sig + "21 00 0003 e0 0000"),
		want: Header{Version: V2, Command: Proxy, TLVs: []TLV{{0xe0, []byte{}}}}},

	{name: "v2 version 1", in: unhex(sig + "11 11 000c 7f000001 c0a8000b dc04 01bb"), wantErr: ErrMalformed},
	{name: "v2 version 3", in: unhex(sig + "31 11 000c 7f000001 c0a8000b dc04 01bb"), wantErr: ErrMalformed},
	{name: "v2 command 2", in: unhex(sig + "22 11 000c 7f000001 c0a8000b dc04 01bb"), wantErr: ErrMalformed},
	{name: "v2 family 4", in: unhex(sig + "21 41 000c 7f000001 c0a8000b dc04 01bb"), wantErr: ErrMalformed},
	{name: "v2 transport 3", in: unhex(sig + "21 13 000c 7f000001 c0a8000b dc04 01bb"), wantErr: ErrMalformed},
	{name: "v2 inet transport unspec", in: unhex(sig + "21 10 000c 7f000001 c0a8000b dc04 01bb"), wantErr: ErrMalformed},
	{name: "v2 short block", in: unhex(sig + "21 11 000b 7f000001 c0a8000b dc04 01"), wantErr: ErrMalformed},
	{name: "v2 stray bytes", in: unhex(sig + "21 11 000e 7f000001 c0a8000b dc04 01bb 0100"), wantErr: ErrMalformed},
	{name: "v2 tlv overrun", in: unhex(sig + "21 11 0010 7f000001 c0a8000b dc04 01bb 01 0002 68"), wantErr: ErrMalformed},
	{name: "v2 bad crc", in: func() []byte { b := bytes.Clone(v2TLV); b[len(b)-1] ^= 1; return b }(), wantErr: ErrMalformed},
	{name: "v2 crc wrong size", in: unhex(sig + "21 00 0005 03 0002 0000"), wantErr: ErrMalformed},
	{name: "v2 truncated block", in: unhex(sig + "21 11 000c 7f000001"), wantErr: io.ErrUnexpectedEOF},
	{name: "v2 truncated fixed", in: unhex(sig + "21"), wantErr: io.ErrUnexpectedEOF},
	{name: "v2 truncated local", in: unhex(sig + "20 00 0004 00"), wantErr: io.ErrUnexpectedEOF},

	// Not a header at all.
	{name: "empty", in: nil, wantErr: io.EOF},
	{name: "telnet", in: []byte("\xff\xfd\x18"), wantErr: ErrNoHeader},
	{name: "http", in: []byte("GET / HTTP/1.1\r\n"), wantErr: ErrNoHeader},
	{name: "tls", in: []byte("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), wantErr: ErrNoHeader},
	{name: "P but not PROXY", in: []byte("PUT / HTTP/1.1\r\n"), wantErr: ErrNoHeader},
	{name: "CR LF line", in: []byte("\r\nhello\r\n\r\n"), wantErr: ErrNoHeader},
	{name: "v2 signature typo", in: unhex("0d0a0d0a 000d0a51 5549540b 2111000c"), wantErr: ErrNoHeader},
}

// sameHeader reports how got differs from want, or "" if it does not.
// Addresses compare by network and string, which treats an IPv4-mapped
// IPv6 address as the IPv4 one, as the protocol does.
func sameHeader(got, want Header) string {
	str := func(a net.Addr) string {
		if a == nil {
			return "<nil>"
		}
		return a.Network() + " " + a.String()
	}
	if got.Version != want.Version || got.Command != want.Command ||
		str(got.Source) != str(want.Source) || str(got.Destination) != str(want.Destination) {
		return fmt.Sprintf("got v%d %v %s -> %s, want v%d %v %s -> %s",
			got.Version, got.Command, str(got.Source), str(got.Destination),
			want.Version, want.Command, str(want.Source), str(want.Destination))
	}
	if len(got.TLVs) != len(want.TLVs) {
		return fmt.Sprintf("got %d TLVs, want %d", len(got.TLVs), len(want.TLVs))
	}
	for i := range got.TLVs {
		if got.TLVs[i].Type != want.TLVs[i].Type || !bytes.Equal(got.TLVs[i].Value, want.TLVs[i].Value) {
			return fmt.Sprintf("got TLV %d = %#02x %q, want %#02x %q", i,
				got.TLVs[i].Type, got.TLVs[i].Value, want.TLVs[i].Type, want.TLVs[i].Value)
		}
	}
	return ""
}

// readAll reads one header from in through a bufio.Reader of the given
// size, and returns it with the rest of the input.
func readAll(in []byte, size int, oneByte bool) (Header, []byte, error) {
	var src io.Reader = bytes.NewReader(in)
	if oneByte {
		src = iotest.OneByteReader(src)
	}
	br := bufio.NewReaderSize(src, size)
	h, err := Read(br)
	rest, _ := io.ReadAll(br)
	return h, rest, err
}

func TestRead(t *testing.T) {
	for _, tc := range readCases {
		t.Run(tc.name, func(t *testing.T) {
			for _, mode := range []struct {
				size    int
				oneByte bool
			}{{4096, false}, {16, false}, {16, true}} {
				h, rest, err := readAll(tc.in, mode.size, mode.oneByte)
				if tc.wantErr != nil {
					if !errors.Is(err, tc.wantErr) {
						t.Fatalf("buffer %d: got error %v, want %v", mode.size, err, tc.wantErr)
					}
					if errors.Is(err, ErrNoHeader) && !bytes.Equal(rest, tc.in) {
						t.Errorf("buffer %d: got %q left after ErrNoHeader, want all of %q", mode.size, rest, tc.in)
					}
					continue
				}
				if err != nil {
					t.Fatalf("buffer %d: got error %v, want none", mode.size, err)
				}
				if d := sameHeader(h, tc.want); d != "" {
					t.Errorf("buffer %d: %s", mode.size, d)
				}
				// The header ends where the specification says.
				if n := headerLen(tc.in); !bytes.Equal(rest, tc.in[n:]) {
					t.Errorf("buffer %d: got %q after the header, want %q", mode.size, rest, tc.in[n:])
				}
			}
		})
	}
}

// headerLen is the length of the valid header at the start of b, worked
// out independently of Read.
func headerLen(b []byte) int {
	if bytes.HasPrefix(b, []byte("PROXY ")) {
		return bytes.IndexByte(b, '\n') + 1
	}
	return V2HeaderLen + int(binary.BigEndian.Uint16(b[14:]))
}

func TestReadErrorsSayWhy(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"PROXY TCP4 1.2.3.4 5.6.7.8 99999 2\r\n", `port "99999"`},
		{"PROXY SCTP 1.2.3.4 5.6.7.8 1 2\r\n", `unknown protocol "SCTP"`},
		{"HELLO", `no PROXY protocol header: data starts with 'H'`},
		{string(unhex(sig + "21 11 000b")), "want at least 12"},
	}
	for _, tc := range tests {
		_, err := Read(bufio.NewReader(strings.NewReader(tc.in)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Read(%q): got error %v, want it to mention %s", tc.in, err, tc.want)
		}
	}
}

func TestReadLargeV2(t *testing.T) {
	// A header longer than the reader's buffer is read whole all the same,
	// with TLVs up to the 16-bit limit.
	value := bytes.Repeat([]byte{'x'}, 65535-12-3)
	h := Header{Version: V2, Command: Proxy, Source: tcp("1.2.3.4:5"), Destination: tcp("6.7.8.9:10"),
		TLVs: []TLV{{TypeUniqueID, value}}}
	b, err := h.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != MaxV2Len {
		t.Fatalf("got %d bytes, want %d", len(b), MaxV2Len)
	}
	got, rest, err := readAll(append(b, "next"...), 4096, false)
	if err != nil {
		t.Fatal(err)
	}
	if d := sameHeader(got, h); d != "" {
		t.Error(d)
	}
	if string(rest) != "next" {
		t.Errorf("got %q after the header, want %q", rest, "next")
	}
	// One more byte does not fit the length field.
	h.TLVs[0].Value = append(value, 'x')
	if _, err := h.Append(nil); err == nil {
		t.Errorf("Append of %d bytes: got no error, want one", MaxV2Len+1)
	}
}

func TestReadDoesNotKeepInput(t *testing.T) {
	// TLV values must not alias the reader's buffer, which is reused.
	in := bytes.Clone(v2TLV)
	br := bufio.NewReader(bytes.NewReader(in))
	h, err := Read(br)
	if err != nil {
		t.Fatal(err)
	}
	br.Reset(bytes.NewReader(bytes.Repeat([]byte{0}, 100)))
	br.Peek(100)
	if got := string(h.TLVs[1].Value); got != "game.x" {
		t.Errorf("got authority %q after the buffer was reused, want %q", got, "game.x")
	}
}

func TestAppendV1(t *testing.T) {
	tests := []struct {
		name     string
		src, dst net.Addr
		want     string
	}{
		{"tcp4", tcp("192.168.0.1:56324"), tcp("192.168.0.11:443"), "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n"},
		{"tcp6", tcp("[2001:db8::1]:1234"), tcp("[::1]:23"), "PROXY TCP6 2001:db8::1 ::1 1234 23\r\n"},
		{"16-byte ipv4", &net.TCPAddr{IP: net.ParseIP("10.0.0.1"), Port: 1}, &net.TCPAddr{IP: net.IPv4(10, 0, 0, 2), Port: 2}, "PROXY TCP4 10.0.0.1 10.0.0.2 1 2\r\n"},
		{"mixed families", tcp("10.0.0.1:1"), tcp("[::1]:2"), "PROXY TCP6 ::ffff:10.0.0.1 ::1 1 2\r\n"},
		{"zone dropped", tcp("[fe80::1%eth0]:1"), tcp("[fe80::2%eth0]:2"), "PROXY TCP6 fe80::1 fe80::2 1 2\r\n"},
		{"largest", tcp("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535"), tcp("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535"),
			"PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"},
		{"udp", udp("10.0.0.1:1"), udp("10.0.0.2:2"), "PROXY UNKNOWN\r\n"},
		{"nil", nil, nil, "PROXY UNKNOWN\r\n"},
		{"typed nil", (*net.TCPAddr)(nil), tcp("10.0.0.2:2"), "PROXY UNKNOWN\r\n"},
		{"no ip", &net.TCPAddr{Port: 1}, tcp("10.0.0.2:2"), "PROXY UNKNOWN\r\n"},
		{"pipe", pipeAddr{}, pipeAddr{}, "PROXY UNKNOWN\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := AppendV1([]byte("x"), tc.src, tc.dst)
			if string(got) != "x"+tc.want {
				t.Errorf("got %q, want %q", got, "x"+tc.want)
			}
			if len(got)-1 > MaxV1Len || len(got)-1 > MaxLen {
				t.Errorf("got %d bytes, more than MaxV1Len or MaxLen", len(got)-1)
			}
		})
	}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

func TestAppendV2(t *testing.T) {
	tests := []struct {
		name     string
		src, dst net.Addr
		want     []byte
	}{
		{"tcp4", tcp("127.0.0.1:56324"), tcp("192.168.0.11:443"), v2TCP4},
		{"tcp6", tcp("[2001:db8::1]:1234"), tcp("[2001:db8::2]:80"), v2TCP6},
		{"mixed families", tcp("10.0.0.1:1"), tcp("[::1]:2"), unhex(sig + "21 21 0024" +
			" 00000000000000000000ffff0a000001 00000000000000000000000000000001 0001 0002")},
		{"udp is local", udp("10.0.0.1:1"), udp("10.0.0.2:2"), unhex(sig + "20 00 0000")},
		{"nil is local", nil, nil, unhex(sig + "20 00 0000")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := AppendV2([]byte("x"), tc.src, tc.dst)
			if !bytes.Equal(got, append([]byte("x"), tc.want...)) {
				t.Errorf("got % x, want x % x", got, tc.want)
			}
			if len(got)-1 > MaxLen {
				t.Errorf("got %d bytes, more than MaxLen", len(got)-1)
			}
		})
	}
}

func TestHeaderAppendErrors(t *testing.T) {
	long := &net.UnixAddr{Net: "unix", Name: strings.Repeat("x", 109)}
	short := &net.UnixAddr{Net: "unix", Name: "/x"}
	tests := []struct {
		name string
		h    Header
	}{
		{"version 0", Header{Source: tcp("1.2.3.4:1"), Destination: tcp("1.2.3.4:2")}},
		{"version 3", Header{Version: 3}},
		{"command 2", Header{Version: V2, Command: 2}},
		{"v1 command 2", Header{Version: V1, Command: 2}},
		{"v1 tlvs", Header{Version: V1, Command: Proxy, TLVs: []TLV{{TypeNoop, nil}}}},
		{"v2 local tlvs", Header{Version: V2, Command: Local, TLVs: []TLV{{TypeNoop, nil}}}},
		{"mixed kinds", Header{Version: V2, Command: Proxy, Source: tcp("1.2.3.4:1"), Destination: udp("1.2.3.4:2")}},
		{"one nil", Header{Version: V2, Command: Proxy, Source: nil, Destination: udp("1.2.3.4:2")}},
		{"typed nil", Header{Version: V2, Command: Proxy, Source: (*net.TCPAddr)(nil), Destination: tcp("1.2.3.4:2")}},
		{"no ip", Header{Version: V2, Command: Proxy, Source: &net.TCPAddr{}, Destination: tcp("1.2.3.4:2")}},
		{"bad port", Header{Version: V2, Command: Proxy, Source: &net.UDPAddr{IP: net.IPv4(1, 2, 3, 4), Port: 70000}, Destination: udp("1.2.3.4:2")}},
		{"long path", Header{Version: V2, Command: Proxy, Source: long, Destination: short}},
		{"nul in path", Header{Version: V2, Command: Proxy, Source: &net.UnixAddr{Net: "unix", Name: "a\x00b"}, Destination: short}},
		{"unixpacket", Header{Version: V2, Command: Proxy, Source: &net.UnixAddr{Net: "unixpacket", Name: "a"}, Destination: &net.UnixAddr{Net: "unixpacket", Name: "b"}}},
		{"unix mixed", Header{Version: V2, Command: Proxy, Source: &net.UnixAddr{Net: "unix", Name: "a"}, Destination: &net.UnixAddr{Net: "unixgram", Name: "b"}}},
		{"other addr", Header{Version: V2, Command: Proxy, Source: pipeAddr{}, Destination: pipeAddr{}}},
		{"two crcs", Header{Version: V2, Command: Proxy, TLVs: []TLV{{TypeCRC32C, nil}, {TypeCRC32C, nil}}}},
		{"huge tlv", Header{Version: V2, Command: Proxy, TLVs: []TLV{{0xe0, make([]byte, 65536)}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.h.Append([]byte("x"))
			if err == nil {
				t.Fatalf("got % x and no error, want an error", b)
			}
			if string(b) != "x" {
				t.Errorf("got % x after an error, want the buffer unchanged", b)
			}
		})
	}
}

// roundTrips are headers that must read back as they were written.
var roundTrips = []Header{
	{Version: V1, Command: Proxy, Source: tcp("192.168.0.1:56324"), Destination: tcp("192.168.0.11:443")},
	{Version: V1, Command: Proxy, Source: tcp("[2001:db8::1]:0"), Destination: tcp("[::1]:65535")},
	{Version: V1, Command: Local},
	{Version: V2, Command: Proxy, Source: tcp("192.168.0.1:56324"), Destination: tcp("192.168.0.11:443")},
	{Version: V2, Command: Proxy, Source: tcp("[2001:db8::1]:0"), Destination: tcp("[::1]:65535")},
	{Version: V2, Command: Proxy, Source: udp("10.1.2.3:53"), Destination: udp("[::1]:53")},
	{Version: V2, Command: Proxy, Source: &net.UnixAddr{Net: "unixgram", Name: "@abstract"}, Destination: &net.UnixAddr{Net: "unixgram", Name: strings.Repeat("p", 108)}},
	{Version: V2, Command: Proxy, Source: &net.UnixAddr{Net: "unix"}, Destination: &net.UnixAddr{Net: "unix"}},
	{Version: V2, Command: Proxy},
	{Version: V2, Command: Local},
	{Version: V2, Command: Proxy, Source: tcp("1.2.3.4:5"), Destination: tcp("6.7.8.9:10"),
		TLVs: []TLV{{TypeALPN, []byte("h2")}, {TypeAuthority, []byte("game.example")}, {TypeUniqueID, []byte{1, 2, 3}}, {TypeNoop, []byte{}}, {0xee, bytes.Repeat([]byte{0xff}, 300)}}},
	{Version: V2, Command: Proxy, TLVs: []TLV{{TypeSSL, []byte{1, 0, 0, 0, 0}}}},
}

func TestRoundTrip(t *testing.T) {
	for i, h := range roundTrips {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			b, err := h.Append(nil)
			if err != nil {
				t.Fatal(err)
			}
			got, rest, err := readAll(append(b, "data"...), 4096, false)
			if err != nil {
				t.Fatalf("Read(% x): %v", b, err)
			}
			if d := sameHeader(got, h); d != "" {
				t.Error(d)
			}
			if string(rest) != "data" {
				t.Errorf("got %q after the header, want %q", rest, "data")
			}
		})
	}
}

func TestCRC32CComputedByAppend(t *testing.T) {
	h := Header{Version: V2, Command: Proxy, Source: tcp("127.0.0.1:56324"), Destination: tcp("192.168.0.11:443"),
		TLVs: []TLV{{TypeALPN, []byte("h2")}, {TypeAuthority, []byte("game.x")}, {TypeCRC32C, nil}}}
	got, err := h.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, v2TLV) {
		t.Errorf("got % x, want % x", got, v2TLV)
	}
}

func TestAppendDoesNotAllocate(t *testing.T) {
	src, dst := tcp("[2001:db8::1]:1234"), tcp("[2001:db8::2]:80")
	buf := make([]byte, 0, MaxLen)
	h := Header{Version: V2, Command: Proxy, Source: src, Destination: dst, TLVs: []TLV{{TypeCRC32C, nil}}}
	big := make([]byte, 0, 256)
	tests := []struct {
		name string
		f    func()
	}{
		{"AppendV1", func() { buf = AppendV1(buf[:0], src, dst) }},
		{"AppendV2", func() { buf = AppendV2(buf[:0], src, dst) }},
		{"Header.Append", func() { big, _ = h.Append(big[:0]) }},
	}
	for _, tc := range tests {
		if got := testing.AllocsPerRun(100, tc.f); got != 0 {
			t.Errorf("%s: got %v allocations, want 0", tc.name, got)
		}
	}
}

func TestCommandString(t *testing.T) {
	tests := []struct {
		c    Command
		want string
	}{{Local, "LOCAL"}, {Proxy, "PROXY"}, {7, "Command(7)"}}
	for _, tc := range tests {
		if got := tc.c.String(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}
