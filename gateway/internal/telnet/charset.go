package telnet

import "bytes"

// CHARSET (RFC 2066) subnegotiation codes.
const (
	CharsetREQUEST  byte = 1
	CharsetACCEPTED byte = 2
	CharsetREJECTED byte = 3
)

// charsetChoice is what an answer to a CHARSET REQUEST settled.
type charsetChoice uint8

const (
	charsetNone   charsetChoice = iota // no answer, or REJECTED: nothing changes
	charsetUTF8                        // ACCEPTED a name of UTF-8
	charsetLegacy                      // ACCEPTED a name of a legacy charset
)

// charsetAnswer answers a CHARSET REQUEST. UTF-8 comes first: the gateway
// hands players UTF-8, so when the game offers it the game's output is
// read as UTF-8 from then on. Failing that, when legacy (the charset
// configured for the game, nil for none) is offered, it is accepted: the
// game keeps speaking it and the gateway keeps transcoding. With none
// configured, the first charset offered that the gateway transcodes is
// accepted and returned: a game that offers no UTF-8 speaks one of those
// it offers, and the gateway reads it from then on. Anything else is
// REJECTED, so the game keeps its default (with a charset configured,
// the operator said what that is). data is the subnegotiation after the
// option byte; the answer is appended to dst. A request that is not one
// (ACCEPTED, REJECTED, translation tables) gets no answer.
func charsetAnswer(dst, data []byte, legacy legacyCharset) ([]byte, charsetChoice, legacyCharset) {
	if len(data) < 2 || data[0] != CharsetREQUEST {
		return dst, charsetNone, nil
	}
	list := data[1:]
	// "[TTABLE]" and a version byte may come first (RFC 2066 section 4).
	if rest, ok := bytes.CutPrefix(list, []byte("[TTABLE]")); ok {
		if len(rest) < 1 {
			return dst, charsetNone, nil
		}
		list = rest[1:]
	}
	reject := append(dst, IAC, SB, OptCharset, CharsetREJECTED, IAC, SE)
	if len(list) < 2 {
		return reject, charsetNone, nil
	}
	sep, names := list[0], list[1:]
	var fallback []byte
	var picked legacyCharset
	for name := range bytes.SplitSeq(names, []byte{sep}) {
		if isUTF8Name(name) {
			return appendAccepted(dst, name), charsetUTF8, nil
		}
		switch {
		case fallback != nil:
		case legacy != nil:
			if legacy.means(name) {
				fallback, picked = name, legacy
			}
		default:
			if cs := offeredCharset(name); cs != nil {
				fallback, picked = name, cs
			}
		}
	}
	if fallback != nil {
		return appendAccepted(dst, fallback), charsetLegacy, picked
	}
	return reject, charsetNone, nil
}

// legacyCharsets are the charsets the gateway transcodes, in the order
// charsetAnswer looks a game's offer up in.
var legacyCharsets = []legacyCharset{latin1, cp437, koi8r, gbk, gb18030, big5, euckr, shiftJIS}

// offeredCharset returns the legacy charset a name from the game means,
// or nil.
func offeredCharset(name []byte) legacyCharset {
	for _, cs := range legacyCharsets {
		if cs.means(name) {
			return cs
		}
	}
	return nil
}

// appendAccepted appends CHARSET ACCEPTED name, spelled as the game did.
func appendAccepted(dst, name []byte) []byte {
	dst = append(dst, IAC, SB, OptCharset, CharsetACCEPTED)
	dst = AppendEscaped(dst, name)
	return append(dst, IAC, SE)
}

// isUTF8Name reports whether a charset name from the game means UTF-8.
func isUTF8Name(name []byte) bool {
	n := bytes.ToUpper(bytes.TrimSpace(name))
	return bytes.Equal(n, []byte("UTF-8")) || bytes.Equal(n, []byte("UTF8"))
}
