package proxyproto

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"net"
	"net/netip"
	"strconv"
)

// AppendV1 appends a version 1 header for a TCP connection from src to dst
// and returns the extended buffer. When both are *net.TCPAddr with IP
// addresses it writes "PROXY TCP4 ..." or "PROXY TCP6 ..." (an IPv4
// address paired with an IPv6 one is written in its IPv4-mapped IPv6 form,
// and IPv6 zones are dropped, as the format has no room for them);
// otherwise it writes "PROXY UNKNOWN\r\n", which tells the receiver to use
// the connection's own endpoints. It does not allocate when b has MaxLen
// bytes of room.
func AppendV1(b []byte, src, dst net.Addr) []byte {
	s, d, ok := tcpPair(src, dst)
	if !ok {
		return append(b, "PROXY UNKNOWN\r\n"...)
	}
	return appendV1TCP(b, s, d)
}

// AppendV2 appends a version 2 header for a TCP connection from src to dst
// and returns the extended buffer. When both are *net.TCPAddr with IP
// addresses it writes a PROXY header with family TCP over IPv4 or IPv6
// (mixed families as in AppendV1); otherwise it writes a LOCAL header,
// which tells the receiver to use the connection's own endpoints, as
// HAProxy does for addresses it cannot express. It does not allocate when
// b has MaxLen bytes of room.
func AppendV2(b []byte, src, dst net.Addr) []byte {
	s, d, ok := tcpPair(src, dst)
	if !ok {
		return appendV2Fixed(b, Local, famUnspec, 0)
	}
	if s.Addr().Is4() {
		b = appendV2Fixed(b, Proxy, famTCP4, v2AddrLenInet)
	} else {
		b = appendV2Fixed(b, Proxy, famTCP6, v2AddrLenInet6)
	}
	return appendV2IP(b, s, d)
}

// Append appends h in its version's wire format and returns the extended
// buffer. It does not allocate when b has room.
//
// Version 1 can only say TCP: a Local header, or one whose addresses are
// not both TCP (UDP, Unix, unknown), is written as "PROXY UNKNOWN".
//
// Version 2 writes what h holds: a Local header (with no addresses and no
// TLVs), or a Proxy header with TCP, UDP or Unix addresses, or with none
// (family AF_UNSPEC). A TLV of type TypeCRC32C gets the checksum of the
// header computed here, whatever its Value.
//
// Append returns an error, and b unchanged, for an unknown version or
// command, TLVs where the format has none, addresses it cannot express,
// or a header longer than MaxV2Len.
func (h Header) Append(b []byte) ([]byte, error) {
	switch h.Version {
	case V1:
		if len(h.TLVs) > 0 {
			return b, errors.New("proxyproto: encode: a version 1 header has no TLVs")
		}
		switch h.Command {
		case Local:
			return append(b, "PROXY UNKNOWN\r\n"...), nil
		case Proxy:
			return AppendV1(b, h.Source, h.Destination), nil
		}
		return b, fmt.Errorf("proxyproto: encode: unknown command %d", h.Command)
	case V2:
		return h.appendV2(b)
	}
	return b, fmt.Errorf("proxyproto: encode: unknown version %d", h.Version)
}

func (h *Header) appendV2(b []byte) ([]byte, error) {
	switch h.Command {
	case Local:
		if len(h.TLVs) > 0 {
			return b, errors.New("proxyproto: encode: a LOCAL header has no TLVs")
		}
		return appendV2Fixed(b, Local, famUnspec, 0), nil
	case Proxy:
	default:
		return b, fmt.Errorf("proxyproto: encode: unknown command %d", h.Command)
	}

	// Work out the family and check everything before writing anything.
	var (
		fam        byte
		addrLen    int
		s, d       netip.AddrPort
		sPath      string
		dPath      string
		addrsKnown = true
	)
	switch src := h.Source.(type) {
	case nil:
		if h.Destination != nil {
			return b, fmt.Errorf("proxyproto: encode: source nil, destination %T", h.Destination)
		}
		fam, addrsKnown = famUnspec, false
	case *net.TCPAddr:
		dst, ok := h.Destination.(*net.TCPAddr)
		if !ok || src == nil || dst == nil {
			return b, fmt.Errorf("proxyproto: encode: source %T, destination %T", h.Source, h.Destination)
		}
		if s, d, ok = ipPair(src.IP, src.Port, dst.IP, dst.Port); !ok {
			return b, fmt.Errorf("proxyproto: encode: TCP addresses %v and %v", src, dst)
		}
		fam = famTCP6
		if s.Addr().Is4() {
			fam = famTCP4
		}
	case *net.UDPAddr:
		dst, ok := h.Destination.(*net.UDPAddr)
		if !ok || src == nil || dst == nil {
			return b, fmt.Errorf("proxyproto: encode: source %T, destination %T", h.Source, h.Destination)
		}
		if s, d, ok = ipPair(src.IP, src.Port, dst.IP, dst.Port); !ok {
			return b, fmt.Errorf("proxyproto: encode: UDP addresses %v and %v", src, dst)
		}
		fam = famUDP6
		if s.Addr().Is4() {
			fam = famUDP4
		}
	case *net.UnixAddr:
		dst, ok := h.Destination.(*net.UnixAddr)
		if !ok || src == nil || dst == nil || src.Net != dst.Net {
			return b, fmt.Errorf("proxyproto: encode: source %v, destination %v", h.Source, h.Destination)
		}
		switch src.Net {
		case "unix":
			fam = famUnixStream
		case "unixgram":
			fam = famUnixDgram
		default:
			return b, fmt.Errorf("proxyproto: encode: Unix network %q", src.Net)
		}
		if !validPath(src.Name) || !validPath(dst.Name) {
			return b, fmt.Errorf("proxyproto: encode: Unix paths must be at most %d bytes without NUL", v2UnixPathLen)
		}
		sPath, dPath = src.Name, dst.Name
	default:
		return b, fmt.Errorf("proxyproto: encode: address type %T", h.Source)
	}
	switch fam {
	case famTCP4, famUDP4:
		addrLen = v2AddrLenInet
	case famTCP6, famUDP6:
		addrLen = v2AddrLenInet6
	case famUnixStream, famUnixDgram:
		addrLen = v2AddrLenUnix
	}
	n, crcs := addrLen, 0
	for _, t := range h.TLVs {
		if len(t.Value) > 65535 {
			return b, fmt.Errorf("proxyproto: encode: TLV %#02x of %d bytes", t.Type, len(t.Value))
		}
		if t.Type == TypeCRC32C {
			crcs++
			n += tlvHeaderLen + crc32cValueLen
			continue
		}
		n += tlvHeaderLen + len(t.Value)
	}
	if n > 65535 {
		return b, fmt.Errorf("proxyproto: encode: header of %d bytes, more than %d", V2HeaderLen+n, MaxV2Len)
	}
	if crcs > 1 {
		return b, errors.New("proxyproto: encode: more than one CRC32C TLV")
	}

	start := len(b)
	b = appendV2Fixed(b, Proxy, fam, n)
	switch {
	case !addrsKnown:
	case fam == famUnixStream || fam == famUnixDgram:
		b = appendPath(b, sPath)
		b = appendPath(b, dPath)
	default:
		b = appendV2IP(b, s, d)
	}
	crcAt := -1
	for _, t := range h.TLVs {
		if t.Type == TypeCRC32C {
			b = append(b, TypeCRC32C, 0, crc32cValueLen)
			crcAt = len(b)
			b = append(b, 0, 0, 0, 0)
			continue
		}
		b = append(b, t.Type)
		b = binary.BigEndian.AppendUint16(b, uint16(len(t.Value)))
		b = append(b, t.Value...)
	}
	if crcAt >= 0 {
		sum := crc32.Checksum(b[start:], crc32.MakeTable(crc32.Castagnoli))
		binary.BigEndian.PutUint32(b[crcAt:], sum)
	}
	return b, nil
}

// tcpPair returns src and dst as address-port pairs of one family, or false
// unless both are *net.TCPAddr with valid IPs and ports.
func tcpPair(src, dst net.Addr) (s, d netip.AddrPort, ok bool) {
	sa, ok1 := src.(*net.TCPAddr)
	da, ok2 := dst.(*net.TCPAddr)
	if !ok1 || !ok2 || sa == nil || da == nil {
		return s, d, false
	}
	return ipPair(sa.IP, sa.Port, da.IP, da.Port)
}

// ipPair converts two IP addresses and ports to one family: IPv4 when both
// are IPv4 (IPv4-mapped IPv6 counts as IPv4), else IPv6 with any IPv4
// address mapped. Zones are dropped.
func ipPair(sip net.IP, sport int, dip net.IP, dport int) (s, d netip.AddrPort, ok bool) {
	sa, ok1 := netip.AddrFromSlice(sip)
	da, ok2 := netip.AddrFromSlice(dip)
	if !ok1 || !ok2 || sport < 0 || sport > 65535 || dport < 0 || dport > 65535 {
		return s, d, false
	}
	sa, da = sa.Unmap(), da.Unmap()
	if sa.Is4() && da.Is4() {
		return netip.AddrPortFrom(sa, uint16(sport)), netip.AddrPortFrom(da, uint16(dport)), true
	}
	sa, da = netip.AddrFrom16(sa.As16()), netip.AddrFrom16(da.As16()) // also drops zones
	return netip.AddrPortFrom(sa, uint16(sport)), netip.AddrPortFrom(da, uint16(dport)), true
}

func appendV1TCP(b []byte, s, d netip.AddrPort) []byte {
	b = append(b, v1Prefix...)
	if s.Addr().Is4() {
		b = append(b, "TCP4 "...)
	} else {
		b = append(b, "TCP6 "...)
	}
	b = s.Addr().AppendTo(b)
	b = append(b, ' ')
	b = d.Addr().AppendTo(b)
	b = append(b, ' ')
	b = strconv.AppendUint(b, uint64(s.Port()), 10)
	b = append(b, ' ')
	b = strconv.AppendUint(b, uint64(d.Port()), 10)
	return append(b, '\r', '\n')
}

// appendV2Fixed appends the 16-byte fixed part of a version 2 header whose
// block (addresses and TLVs) is n bytes.
func appendV2Fixed(b []byte, cmd Command, fam byte, n int) []byte {
	b = append(b, v2Signature...)
	b = append(b, v2VersionNib|byte(cmd), fam)
	return binary.BigEndian.AppendUint16(b, uint16(n))
}

// appendV2IP appends the address block of an IPv4 or IPv6 pair.
func appendV2IP(b []byte, s, d netip.AddrPort) []byte {
	if s.Addr().Is4() {
		sa, da := s.Addr().As4(), d.Addr().As4()
		b = append(b, sa[:]...)
		b = append(b, da[:]...)
	} else {
		sa, da := s.Addr().As16(), d.Addr().As16()
		b = append(b, sa[:]...)
		b = append(b, da[:]...)
	}
	b = binary.BigEndian.AppendUint16(b, s.Port())
	return binary.BigEndian.AppendUint16(b, d.Port())
}

// appendPath appends a Unix socket path NUL-padded to 108 bytes.
func appendPath(b []byte, p string) []byte {
	b = append(b, p...)
	for range v2UnixPathLen - len(p) {
		b = append(b, 0)
	}
	return b
}

// validPath reports whether p fits a version 2 Unix address and reads
// back the same (no NUL, which ends the path on the wire).
func validPath(p string) bool {
	if len(p) > v2UnixPathLen {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] == 0 {
			return false
		}
	}
	return true
}
