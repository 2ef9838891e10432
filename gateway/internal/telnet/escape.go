package telnet

import (
	"bytes"
	"unicode/utf8"
)

// AppendEscaped appends p to dst with every 255 doubled (IAC IAC), so no
// byte of p can be read as a telnet command.
func AppendEscaped(dst, p []byte) []byte {
	for {
		i := bytes.IndexByte(p, IAC)
		if i < 0 {
			return append(dst, p...)
		}
		dst = append(dst, p[:i+1]...)
		dst = append(dst, IAC)
		p = p[i+1:]
	}
}

// AppendSubneg appends IAC SB opt data IAC SE to dst, escaping IAC in data.
func AppendSubneg(dst []byte, opt byte, data []byte) []byte {
	dst = append(dst, IAC, SB, opt)
	dst = AppendEscaped(dst, data)
	return append(dst, IAC, SE)
}

// AppendNAWS appends the NAWS subnegotiation (RFC 1073) for a window of
// cols by rows, each clamped to 0..65535 and sent as a 16-bit big-endian
// value with 255 bytes escaped.
func AppendNAWS(dst []byte, cols, rows int) []byte {
	cols = min(max(cols, 0), 0xFFFF)
	rows = min(max(rows, 0), 0xFFFF)
	v := [4]byte{byte(cols >> 8), byte(cols), byte(rows >> 8), byte(rows)}
	return AppendSubneg(dst, OptNAWS, v[:])
}

// replacement is U+FFFD, the Unicode replacement character, in UTF-8.
const replacement = "\uFFFD"

// appendValidUTF8 appends p to dst with invalid UTF-8 replaced by U+FFFD,
// one per maximal subpart (Unicode's recommended practice): a truncated
// but otherwise valid sequence becomes a single U+FFFD, any other bad byte
// one each. This gives the same text whether or not a truncated sequence
// was cut across Receive calls and held back.
func appendValidUTF8(dst, p []byte) []byte {
	for len(p) > 0 {
		// Copy the valid run in one go.
		i := 0
		for i < len(p) {
			if p[i] < utf8.RuneSelf {
				i++
				continue
			}
			r, size := utf8.DecodeRune(p[i:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			i += size
		}
		dst = append(dst, p[:i]...)
		if i == len(p) {
			break
		}
		dst = append(dst, replacement...)
		p = p[i+invalidLen(p[i:]):]
	}
	return dst
}

// invalidLen returns the length of the maximal subpart at the start of p,
// which does not begin with a valid rune: the longest prefix (1 to 3
// bytes) that could still have started one.
func invalidLen(p []byte) int {
	n := 1
	for k := 1; k <= 3 && k <= len(p); k++ {
		if utf8.FullRune(p[:k]) {
			break
		}
		n = k
	}
	return n
}

// incompleteTail returns how many bytes at the end of p (0 to 3) are the
// valid start of a UTF-8 sequence whose remaining bytes have not arrived.
func incompleteTail(p []byte) int {
	for k := 1; k <= 3 && k <= len(p); k++ {
		c := p[len(p)-k]
		if c < utf8.RuneSelf {
			return 0
		}
		if utf8.RuneStart(c) {
			// A lead byte: hold back only a prefix that can still become
			// valid (FullRune is true for complete and for invalid ones).
			if utf8.FullRune(p[len(p)-k:]) {
				return 0
			}
			return k
		}
	}
	return 0
}
