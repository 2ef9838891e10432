package proxyproto

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/netip"
)

// Read reads one PROXY protocol header, version 1 or 2, from r, and leaves
// r at the first byte after it. r must come from bufio.NewReader or
// bufio.NewReaderSize.
//
// The specification requires a receiver to expect the header, not guess
// whether one is there, so data that does not start with a signature is an
// error (ErrNoHeader); when that is the error, Read has consumed nothing.
// A header that breaks the specification gives ErrMalformed with the
// detail; a stream that ends inside a header gives io.ErrUnexpectedEOF,
// and one that ends before it io.EOF, each wrapped.
//
// Read never reads past a version 1 header's CRLF, nor past the 107 bytes
// one may take. A version 2 header is read whole once its fixed part is
// valid: at most 65,535 more bytes, taken from r's buffer when they fit
// and allocated otherwise.
func Read(r *bufio.Reader) (Header, error) {
	first, err := r.Peek(1)
	if err != nil {
		return Header{}, fmt.Errorf("proxyproto: read header: %w", err)
	}
	switch first[0] {
	case v1Prefix[0]:
		return readV1(r)
	case v2Signature[0]:
		return readV2(r)
	}
	return Header{}, fmt.Errorf("%w: data starts with %q", ErrNoHeader, first[0])
}

// truncated wraps a read error inside a header, turning io.EOF into
// io.ErrUnexpectedEOF.
func truncated(v Version, err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("proxyproto: read v%d header: %w", v, err)
}

func malformed(v Version, format string, args ...any) error {
	return fmt.Errorf("%w: v%d: %s", ErrMalformed, v, fmt.Sprintf(format, args...))
}

// prefixMismatch reports whether got cannot be the start of want.
func prefixMismatch(got []byte, want string) bool {
	n := min(len(got), len(want))
	return string(got[:n]) != want[:n]
}

func readV1(r *bufio.Reader) (Header, error) {
	p, err := r.Peek(len(v1Prefix))
	if prefixMismatch(p, v1Prefix) {
		return Header{}, fmt.Errorf("%w: data starts with %q", ErrNoHeader, p)
	}
	if err != nil {
		return Header{}, truncated(V1, err)
	}
	var line [MaxV1Len]byte
	n := 0
	for {
		c, err := r.ReadByte()
		if err != nil {
			return Header{}, truncated(V1, err)
		}
		if n == len(line) {
			return Header{}, malformed(V1, "no CRLF within %d bytes", MaxV1Len)
		}
		line[n] = c
		n++
		if c == '\n' {
			break
		}
	}
	return parseV1(line[:n])
}

// parseV1 parses a whole version 1 line, "PROXY " and CRLF included.
func parseV1(line []byte) (Header, error) {
	if len(line) < len(v1Prefix)+2 || line[len(line)-2] != '\r' {
		return Header{}, malformed(V1, "line does not end in CRLF")
	}
	body := line[len(v1Prefix) : len(line)-2]
	proto, rest, _ := bytes.Cut(body, []byte{' '})
	var want4 bool
	switch string(proto) {
	case "UNKNOWN":
		// The receiver must ignore whatever follows, up to the CRLF.
		return Header{Version: V1, Command: Local}, nil
	case "TCP4":
		want4 = true
	case "TCP6":
	default:
		return Header{}, malformed(V1, "unknown protocol %q", proto)
	}
	var f [4][]byte
	for i := range f {
		var ok bool
		f[i], rest, ok = bytes.Cut(rest, []byte{' '})
		if ok != (i < len(f)-1) {
			return Header{}, malformed(V1, "want 5 fields separated by single spaces")
		}
	}
	sa, err := parseV1Addr(f[0], want4)
	if err != nil {
		return Header{}, err
	}
	da, err := parseV1Addr(f[1], want4)
	if err != nil {
		return Header{}, err
	}
	sp, err := parseV1Port(f[2])
	if err != nil {
		return Header{}, err
	}
	dp, err := parseV1Port(f[3])
	if err != nil {
		return Header{}, err
	}
	return Header{
		Version:     V1,
		Command:     Proxy,
		Source:      net.TCPAddrFromAddrPort(netip.AddrPortFrom(sa, sp)),
		Destination: net.TCPAddrFromAddrPort(netip.AddrPortFrom(da, dp)),
	}, nil
}

func parseV1Addr(b []byte, want4 bool) (netip.Addr, error) {
	a, err := netip.ParseAddr(string(b))
	switch {
	case err != nil:
		return netip.Addr{}, malformed(V1, "address %q: %v", b, err)
	case want4 && !a.Is4():
		return netip.Addr{}, malformed(V1, "TCP4 with address %q", b)
	case !want4 && !a.Is6():
		return netip.Addr{}, malformed(V1, "TCP6 with address %q", b)
	case a.Zone() != "":
		return netip.Addr{}, malformed(V1, "address %q has a zone", b)
	}
	return a, nil
}

// parseV1Port parses a decimal port, 0 to 65535, without sign or leading
// zeros.
func parseV1Port(b []byte) (uint16, error) {
	if len(b) == 0 || len(b) > 5 || (len(b) > 1 && b[0] == '0') {
		return 0, malformed(V1, "port %q", b)
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, malformed(V1, "port %q", b)
		}
		n = n*10 + int(c-'0')
	}
	if n > 65535 {
		return 0, malformed(V1, "port %q", b)
	}
	return uint16(n), nil
}

func readV2(r *bufio.Reader) (Header, error) {
	p, err := r.Peek(V2HeaderLen)
	if prefixMismatch(p, v2Signature) {
		return Header{}, fmt.Errorf("%w: data starts with %q", ErrNoHeader, p[:min(len(p), len(v2Signature))])
	}
	if err != nil {
		return Header{}, truncated(V2, err)
	}
	var fixed [V2HeaderLen]byte
	copy(fixed[:], p)
	cmd, n, err := checkV2Fixed(fixed)
	if err != nil {
		return Header{}, err
	}
	if cmd == Local {
		// The receiver must discard the block, family included.
		if _, err := r.Discard(V2HeaderLen + n); err != nil {
			return Header{}, truncated(V2, err)
		}
		return Header{Version: V2, Command: Local}, nil
	}
	if V2HeaderLen+n <= r.Size() {
		full, err := r.Peek(V2HeaderLen + n)
		if err != nil {
			return Header{}, truncated(V2, err)
		}
		h, err := parseV2(full)
		r.Discard(V2HeaderLen + n) // cannot fail: the bytes are buffered
		return h, err
	}
	full := make([]byte, V2HeaderLen+n)
	if _, err := io.ReadFull(r, full); err != nil {
		return Header{}, truncated(V2, err)
	}
	return parseV2(full)
}

// checkV2Fixed checks the version, command and family of a version 2
// header and returns its command and block length. A Local header's family
// is not checked: the receiver must ignore it.
func checkV2Fixed(fixed [V2HeaderLen]byte) (Command, int, error) {
	vc, fam := fixed[12], fixed[13]
	n := int(binary.BigEndian.Uint16(fixed[14:]))
	if vc&^v2CommandMask != v2VersionNib {
		return 0, 0, malformed(V2, "version %d", vc>>4)
	}
	cmd := Command(vc & v2CommandMask)
	switch cmd {
	case Local:
		return cmd, n, nil
	case Proxy:
	default:
		return 0, 0, malformed(V2, "unknown command %#x", byte(cmd))
	}
	addrLen, ok := v2AddrLen(fam)
	if !ok {
		return 0, 0, malformed(V2, "unknown family and transport %#02x", fam)
	}
	if n < addrLen {
		return 0, 0, malformed(V2, "block of %d bytes for family %#02x, want at least %d", n, fam, addrLen)
	}
	return cmd, n, nil
}

// v2AddrLen returns the address block size of a family and transport byte.
func v2AddrLen(fam byte) (int, bool) {
	switch fam {
	case famUnspec:
		return 0, true
	case famTCP4, famUDP4:
		return v2AddrLenInet, true
	case famTCP6, famUDP6:
		return v2AddrLenInet6, true
	case famUnixStream, famUnixDgram:
		return v2AddrLenUnix, true
	}
	return 0, false
}

// parseV2 parses a whole PROXY-command version 2 header whose fixed part
// checkV2Fixed accepted. TLV values are copied out of full.
func parseV2(full []byte) (Header, error) {
	fam := full[13]
	addrLen, _ := v2AddrLen(fam)
	block := full[V2HeaderLen:]
	h := Header{Version: V2, Command: Proxy}
	switch fam {
	case famTCP4, famUDP4:
		s := netip.AddrPortFrom(netip.AddrFrom4([4]byte(block[0:4])), binary.BigEndian.Uint16(block[8:]))
		d := netip.AddrPortFrom(netip.AddrFrom4([4]byte(block[4:8])), binary.BigEndian.Uint16(block[10:]))
		h.Source, h.Destination = ipAddrs(fam == famTCP4, s, d)
	case famTCP6, famUDP6:
		s := netip.AddrPortFrom(netip.AddrFrom16([16]byte(block[0:16])), binary.BigEndian.Uint16(block[32:]))
		d := netip.AddrPortFrom(netip.AddrFrom16([16]byte(block[16:32])), binary.BigEndian.Uint16(block[34:]))
		h.Source, h.Destination = ipAddrs(fam == famTCP6, s, d)
	case famUnixStream, famUnixDgram:
		network := "unix"
		if fam == famUnixDgram {
			network = "unixgram"
		}
		h.Source = &net.UnixAddr{Net: network, Name: unixPath(block[:v2UnixPathLen])}
		h.Destination = &net.UnixAddr{Net: network, Name: unixPath(block[v2UnixPathLen:v2AddrLenUnix])}
	}
	tlvs, err := parseTLVs(full, V2HeaderLen+addrLen)
	if err != nil {
		return Header{}, err
	}
	h.TLVs = tlvs
	return h, nil
}

func ipAddrs(tcp bool, s, d netip.AddrPort) (net.Addr, net.Addr) {
	if tcp {
		return net.TCPAddrFromAddrPort(s), net.TCPAddrFromAddrPort(d)
	}
	return net.UDPAddrFromAddrPort(s), net.UDPAddrFromAddrPort(d)
}

// unixPath returns a NUL-padded path up to its first NUL.
func unixPath(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// parseTLVs checks and copies the TLVs of full from off on, and verifies a
// CRC32C TLV if there is one.
func parseTLVs(full []byte, off int) ([]TLV, error) {
	rest := full[off:]
	count, crcAt := 0, -1
	for i := 0; i < len(rest); {
		if len(rest)-i < tlvHeaderLen {
			return nil, malformed(V2, "%d stray bytes after the TLVs", len(rest)-i)
		}
		typ, n := rest[i], int(binary.BigEndian.Uint16(rest[i+1:]))
		if n > len(rest)-i-tlvHeaderLen {
			return nil, malformed(V2, "TLV %#02x of %d bytes overruns the header", typ, n)
		}
		if typ == TypeCRC32C {
			if n != crc32cValueLen || crcAt >= 0 {
				return nil, malformed(V2, "CRC32C TLV of %d bytes, or more than one", n)
			}
			crcAt = off + i + tlvHeaderLen
		}
		count++
		i += tlvHeaderLen + n
	}
	if crcAt >= 0 {
		tab := crc32.MakeTable(crc32.Castagnoli)
		var zero [crc32cValueLen]byte
		sum := crc32.Update(0, tab, full[:crcAt])
		sum = crc32.Update(sum, tab, zero[:])
		sum = crc32.Update(sum, tab, full[crcAt+crc32cValueLen:])
		if want := binary.BigEndian.Uint32(full[crcAt:]); sum != want {
			return nil, malformed(V2, "CRC32C %#08x, header sums to %#08x", want, sum)
		}
	}
	if count == 0 {
		return nil, nil
	}
	vals := bytes.Clone(rest)
	tlvs := make([]TLV, 0, count)
	for i := 0; i < len(vals); {
		typ, n := vals[i], int(binary.BigEndian.Uint16(vals[i+1:]))
		tlvs = append(tlvs, TLV{Type: typ, Value: vals[i+tlvHeaderLen : i+tlvHeaderLen+n : i+tlvHeaderLen+n]})
		i += tlvHeaderLen + n
	}
	return tlvs, nil
}
