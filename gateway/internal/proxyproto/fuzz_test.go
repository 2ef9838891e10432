package proxyproto

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/netip"
	"testing"
)

// FuzzRead checks that Read never panics, never reads past the limits,
// reads the same through a tiny buffer fed a byte at a time as through a
// large one, and that what it accepts writes back to bytes that read back
// the same.
func FuzzRead(f *testing.F) {
	for _, tc := range readCases {
		f.Add(tc.in)
	}
	for _, h := range roundTrips {
		b, err := h.Append(nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		h, rest, err := readAll(in, 4096, false)
		h2, rest2, err2 := readAll(in, 16, true)
		if (err == nil) != (err2 == nil) || (err == nil && !bytes.Equal(rest, rest2)) {
			t.Fatalf("large buffer: %v, %q left; byte at a time: %v, %q left", err, rest, err2, rest2)
		}
		for _, kind := range []error{ErrNoHeader, ErrMalformed, io.EOF, io.ErrUnexpectedEOF} {
			if errors.Is(err, kind) != errors.Is(err2, kind) {
				t.Fatalf("large buffer: %v; byte at a time: %v", err, err2)
			}
		}
		if err != nil {
			if errors.Is(err, ErrNoHeader) && !bytes.Equal(rest, in) {
				t.Fatalf("ErrNoHeader consumed input: %q left of %q", rest, in)
			}
			return
		}
		if d := sameHeader(h, h2); d != "" {
			t.Fatal(d)
		}
		consumed := len(in) - len(rest)
		switch h.Version {
		case V1:
			if consumed > MaxV1Len {
				t.Fatalf("v1 header of %d bytes", consumed)
			}
		case V2:
			if consumed > MaxV2Len {
				t.Fatalf("v2 header of %d bytes", consumed)
			}
		default:
			t.Fatalf("version %d", h.Version)
		}

		b1, err := h.Append(nil)
		if err != nil {
			t.Fatalf("Append of a header Read accepted: %v", err)
		}
		h3, rest3, err := readAll(b1, 4096, false)
		if err != nil || len(rest3) != 0 {
			t.Fatalf("Read(Append(h)) = %v with %q left, want h and nothing", err, rest3)
		}
		if d := sameHeader(h3, h); d != "" && !crcOnly(h3, h) {
			t.Fatalf("round trip: %s", d)
		}
		b2, err := h3.Append(nil)
		if err != nil || !bytes.Equal(b1, b2) {
			t.Fatalf("Append is not stable: % x, then % x (%v)", b1, b2, err)
		}
	})
}

// crcOnly reports whether a and b differ in CRC32C values only, which
// Append recomputes: a header that named an address in a longer form than
// needed (IPv4 mapped into IPv6) is written in the shorter one.
func crcOnly(a, b Header) bool {
	strip := func(h Header) Header {
		h.TLVs = append([]TLV(nil), h.TLVs...)
		for i := range h.TLVs {
			if h.TLVs[i].Type == TypeCRC32C {
				h.TLVs[i].Value = nil
			}
		}
		return h
	}
	return sameHeader(strip(a), strip(b)) == ""
}

// FuzzAppend checks that whatever addresses the gateway hands the
// encoders, the header they write reads back with the same addresses (or
// as UNKNOWN/LOCAL when they cannot be said), within MaxLen.
func FuzzAppend(f *testing.F) {
	f.Add([]byte{192, 168, 0, 1}, []byte{192, 168, 0, 11}, uint16(56324), uint16(443), false)
	f.Add(bytes.Repeat([]byte{0xff}, 16), bytes.Repeat([]byte{0xff}, 16), uint16(65535), uint16(65535), true)
	f.Add([]byte{10, 0, 0, 1}, append(make([]byte, 15), 1), uint16(1), uint16(2), true)
	f.Add(append(append(make([]byte, 10), 0xff, 0xff), 1, 2, 3, 4), []byte{5, 6, 7, 8}, uint16(0), uint16(0), false)
	f.Add([]byte{}, []byte{1, 2, 3}, uint16(1), uint16(2), true)
	f.Fuzz(func(t *testing.T, sip, dip []byte, sport, dport uint16, v2 bool) {
		src := &net.TCPAddr{IP: net.IP(sip), Port: int(sport)}
		dst := &net.TCPAddr{IP: net.IP(dip), Port: int(dport)}
		var b []byte
		if v2 {
			b = AppendV2(nil, src, dst)
		} else {
			b = AppendV1(nil, src, dst)
		}
		if len(b) > MaxLen {
			t.Fatalf("header of %d bytes, more than MaxLen", len(b))
		}
		h, rest, err := readAll(b, 4096, false)
		if err != nil || len(rest) != 0 {
			t.Fatalf("Read(%q) = %v, %q left", b, err, rest)
		}
		sa, ok1 := netip.AddrFromSlice(sip)
		da, ok2 := netip.AddrFromSlice(dip)
		if !ok1 || !ok2 {
			if h.Command != Local || h.Source != nil {
				t.Fatalf("got %v %v for addresses that cannot be said, want LOCAL/UNKNOWN", h.Command, h.Source)
			}
			return
		}
		want := func(a netip.Addr, port uint16) string {
			return netip.AddrPortFrom(a.Unmap().WithZone(""), port).String()
		}
		gs, gd := h.Source.(*net.TCPAddr).AddrPort(), h.Destination.(*net.TCPAddr).AddrPort()
		if got := netip.AddrPortFrom(gs.Addr().Unmap(), gs.Port()).String(); got != want(sa, sport) {
			t.Errorf("source: got %s, want %s", got, want(sa, sport))
		}
		if got := netip.AddrPortFrom(gd.Addr().Unmap(), gd.Port()).String(); got != want(da, dport) {
			t.Errorf("destination: got %s, want %s", got, want(da, dport))
		}
	})
}
