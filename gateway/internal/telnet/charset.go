package telnet

import "bytes"

// CHARSET (RFC 2066) subnegotiation codes.
const (
	CharsetREQUEST  byte = 1
	CharsetACCEPTED byte = 2
	CharsetREJECTED byte = 3
)

// charsetAnswer answers a CHARSET REQUEST: ACCEPTED UTF-8 when the game
// offers it (the gateway hands players UTF-8 and reads the game's output
// as UTF-8), REJECTED otherwise, so the game keeps its default. data is
// the subnegotiation after the option byte; the answer is appended to dst.
// A request that is not one (ACCEPTED, REJECTED, translation tables) gets
// no answer.
func charsetAnswer(dst, data []byte) []byte {
	if len(data) < 2 || data[0] != CharsetREQUEST {
		return dst
	}
	list := data[1:]
	// "[TTABLE]" and a version byte may come first (RFC 2066 section 4).
	if rest, ok := bytes.CutPrefix(list, []byte("[TTABLE]")); ok {
		if len(rest) < 1 {
			return dst
		}
		list = rest[1:]
	}
	if len(list) < 2 {
		return append(dst, IAC, SB, OptCharset, CharsetREJECTED, IAC, SE)
	}
	sep, names := list[0], list[1:]
	for name := range bytes.SplitSeq(names, []byte{sep}) {
		if isUTF8Name(name) {
			dst = append(dst, IAC, SB, OptCharset, CharsetACCEPTED)
			dst = AppendEscaped(dst, name)
			return append(dst, IAC, SE)
		}
	}
	return append(dst, IAC, SB, OptCharset, CharsetREJECTED, IAC, SE)
}

// isUTF8Name reports whether a charset name from the game means UTF-8.
func isUTF8Name(name []byte) bool {
	n := bytes.ToUpper(bytes.TrimSpace(name))
	return bytes.Equal(n, []byte("UTF-8")) || bytes.Equal(n, []byte("UTF8"))
}
