package proxyproto

import (
	"bufio"
	"bytes"
	"testing"
)

func BenchmarkAppendV1(b *testing.B) {
	src, dst := tcp("203.0.113.7:40000"), tcp("198.51.100.1:4001")
	buf := make([]byte, 0, MaxLen)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendV1(buf[:0], src, dst)
	}
}

func BenchmarkAppendV2(b *testing.B) {
	src, dst := tcp("[2001:db8::7]:40000"), tcp("[2001:db8::1]:4001")
	buf := make([]byte, 0, MaxLen)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendV2(buf[:0], src, dst)
	}
}

func BenchmarkRead(b *testing.B) {
	for _, bc := range []struct {
		name string
		in   []byte
	}{
		{"v1", []byte("PROXY TCP4 203.0.113.7 198.51.100.1 40000 4001\r\n")},
		{"v2", AppendV2(nil, tcp("[2001:db8::7]:40000"), tcp("[2001:db8::1]:4001"))},
		{"v2 tlvs", v2TLV},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := bytes.NewReader(bc.in)
			br := bufio.NewReader(r)
			b.SetBytes(int64(len(bc.in)))
			b.ReportAllocs()
			for b.Loop() {
				r.Reset(bc.in)
				br.Reset(r)
				if _, err := Read(br); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
