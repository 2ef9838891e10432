package telnet

import (
	"encoding/binary"
	"slices"
	"strings"
	"unicode/utf8"
)

// charmap is a single-byte legacy character set that a game may speak
// instead of UTF-8: bytes below 0x80 are ASCII, control characters
// included (in a terminal stream they are controls, never glyphs), and
// the upper half maps through high. Game output is decoded with it into
// UTF-8 for the player; player input is encoded with it for the game.
type charmap struct {
	// name is the charset's preferred IANA name, told to the game as the
	// MNES CHARSET variable.
	name string
	// aliases are the names (upper case) that mean this charset when a
	// game offers it over CHARSET (RFC 2066 uses the IANA registry).
	aliases []string
	// high maps the bytes 0x80 to 0xFF to runes.
	high *[128]rune
	// utf8 is high encoded, so decoding is a copy per byte.
	utf8 [128]utf8Seq
}

// utf8Seq is one rune's UTF-8 encoding: b[:n].
type utf8Seq struct {
	b [3]byte // the upper halves here are all in the BMP
	n uint8
}

func newCharmap(name string, aliases []string, high *[128]rune) *charmap {
	cm := &charmap{name: name, aliases: aliases, high: high}
	for i, r := range high {
		var buf [utf8.UTFMax]byte
		n := utf8.EncodeRune(buf[:], r)
		copy(cm.utf8[i].b[:], buf[:n])
		cm.utf8[i].n = uint8(n)
	}
	return cm
}

// latin1 is ISO-8859-1: every byte is the Unicode code point of the same
// number, so 0x80-0x9F are the C1 controls.
var latin1 = newCharmap("ISO-8859-1",
	[]string{"ISO-8859-1", "ISO_8859-1", "ISO8859-1", "ISO_8859-1:1987", "ISO-IR-100",
		"LATIN1", "LATIN-1", "L1", "IBM819", "CP819", "CSISOLATIN1"},
	&latin1High)

// cp437 is IBM code page 437, the character set of the IBM PC and of DOS
// BBSes and their ANSI art: accented letters, box drawing, shades, Greek
// and mathematical signs in the upper half.
var cp437 = newCharmap("IBM437",
	[]string{"IBM437", "CP437", "437", "IBM-437", "CSPC8CODEPAGE437"},
	&cp437High)

var latin1High = func() (t [128]rune) {
	for i := range t {
		t[i] = rune(0x80 + i)
	}
	return t
}()

// cp437High is the upper half of code page 437 as Unicode defines it
// (the IBM437 mapping; 0xFF is NO-BREAK SPACE).
var cp437High = [128]rune{
	// 0x80
	'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å',
	// 0x90
	'É', 'æ', 'Æ', 'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', '¢', '£', '¥', '₧', 'ƒ',
	// 0xA0
	'á', 'í', 'ó', 'ú', 'ñ', 'Ñ', 'ª', 'º', '¿', '⌐', '¬', '½', '¼', '¡', '«', '»',
	// 0xB0
	'░', '▒', '▓', '│', '┤', '╡', '╢', '╖', '╕', '╣', '║', '╗', '╝', '╜', '╛', '┐',
	// 0xC0
	'└', '┴', '┬', '├', '─', '┼', '╞', '╟', '╚', '╔', '╩', '╦', '╠', '═', '╬', '╧',
	// 0xD0
	'╨', '╤', '╥', '╙', '╘', '╒', '╓', '╫', '╪', '┘', '┌', '█', '▄', '▌', '▐', '▀',
	// 0xE0
	'α', 'ß', 'Γ', 'π', 'Σ', 'σ', 'µ', 'τ', 'Φ', 'Θ', 'Ω', 'δ', '∞', 'φ', 'ε', '∩',
	// 0xF0
	'≡', '±', '≥', '≤', '⌠', '⌡', '÷', '≈', '°', '∙', '·', '√', 'ⁿ', '²', '■', '\u00A0',
}

// Charsets are the values Config.Charset accepts besides "" and "utf-8"
// (or "utf8"), in the order the documentation lists them; case does not
// matter.
var Charsets = []string{"latin1", "iso-8859-1", "cp437", "koi8-r", "gbk", "gb18030", "big5", "euc-kr", "shift_jis", "sjis"}

// lookupCharset returns the legacy charset named by a Config.Charset
// value: nil for UTF-8 (and the empty string), ok false for a name it
// does not know.
func lookupCharset(name string) (cs legacyCharset, ok bool) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "utf-8", "utf8":
		return nil, true
	case "latin1", "iso-8859-1":
		return latin1, true
	case "cp437":
		return cp437, true
	case "koi8-r":
		return koi8r, true
	case "gbk":
		return gbk, true
	case "gb18030":
		return gb18030, true
	case "big5":
		return big5, true
	case "euc-kr":
		return euckr, true
	case "shift_jis", "sjis":
		return shiftJIS, true
	}
	return nil, false
}

// KnownCharset reports whether name is a value Config.Charset accepts:
// "" or "utf-8", or one of Charsets; case does not matter.
func KnownCharset(name string) bool {
	_, ok := lookupCharset(name)
	return ok
}

// means reports whether a charset name a game offered over CHARSET names
// this charset.
func (cm *charmap) means(name []byte) bool { return meansName(cm.aliases, name) }

// appendDecode appends p, read in this charset, to dst as UTF-8. Every
// byte is one character, so the result is always valid UTF-8 and no byte
// ever has to wait for the next read.
func (cm *charmap) appendDecode(dst, p []byte) []byte {
	// Room for the worst case, three bytes a byte, then plain stores.
	dst = slices.Grow(dst, 3*len(p))
	n := len(dst)
	dst = dst[:n+3*len(p)]
	for i := 0; i < len(p); {
		if b := p[i]; b >= 0x80 {
			e := &cm.utf8[b-0x80]
			dst[n], dst[n+1], dst[n+2] = e.b[0], e.b[1], e.b[2]
			n += int(e.n)
			i++
			continue
		}
		k := asciiPrefix(p[i:])
		n += copy(dst[n:], p[i:i+k])
		i += k
	}
	return dst[:n]
}

// asciiPrefix returns the length of the run of bytes below 0x80 at the
// start of p, eight bytes at a time while it can.
func asciiPrefix(p []byte) int {
	i := 0
	for ; i+8 <= len(p); i += 8 {
		if binary.LittleEndian.Uint64(p[i:])&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i < len(p); i++ {
		if p[i] >= 0x80 {
			break
		}
	}
	return i
}

// appendEncode appends UTF-8 text p to dst in this charset: a rune the
// charset cannot represent, and a byte that is not valid UTF-8, becomes
// '?'. The result is not IAC-escaped.
func (cm *charmap) appendEncode(dst, p []byte) []byte {
	return appendEncodeRunes(dst, p, func(dst []byte, r rune) []byte { return append(dst, cm.encodeRune(r)) })
}

// appendEncodeRunes appends UTF-8 text p to dst, ASCII as it is and each
// other rune (utf8.RuneError for a byte that is not valid UTF-8) as
// encode appends it.
func appendEncodeRunes(dst, p []byte, encode func(dst []byte, r rune) []byte) []byte {
	for len(p) > 0 {
		i := asciiPrefix(p)
		dst = append(dst, p[:i]...)
		if i == len(p) {
			break
		}
		r, size := utf8.DecodeRune(p[i:])
		dst = encode(dst, r)
		p = p[i+size:]
	}
	return dst
}

// encodeRune returns the byte for r, a rune of at least 0x80, or '?'.
func (cm *charmap) encodeRune(r rune) byte {
	if r == utf8.RuneError {
		return '?'
	}
	if cm == latin1 {
		if r < 0x100 {
			return byte(r)
		}
		return '?'
	}
	// Player input is short: a scan of 128 runes beats keeping a map.
	for i, h := range cm.high {
		if h == r {
			return byte(0x80 + i)
		}
	}
	return '?'
}
