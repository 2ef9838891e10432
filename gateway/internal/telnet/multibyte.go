package telnet

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	xcharmap "golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/transform"
)

// legacyCharset is a character set a game may speak instead of UTF-8:
// a single-byte one (charmap) or a multi-byte East Asian one (multibyte).
type legacyCharset interface {
	// ianaName is the charset's preferred IANA name, told to the game as
	// the MNES CHARSET variable.
	ianaName() string
	// means reports whether a charset name a game offered over CHARSET
	// (RFC 2066 uses the IANA registry) names this charset.
	means(name []byte) bool
	// newDecoder returns a decoder of the game's text, one per game
	// connection: a multi-byte charset's keeps the start of a character
	// cut by the end of a read.
	newDecoder() legacyDecoder
	// appendEncode appends UTF-8 text p to dst in this charset: a rune
	// the charset cannot represent, and a byte that is not valid UTF-8,
	// becomes '?'. The result is not IAC-escaped.
	appendEncode(dst, p []byte) []byte
}

// legacyDecoder decodes one game's text from a legacy charset.
type legacyDecoder interface {
	// appendDecode appends p, read in the charset, to dst as valid
	// UTF-8. Bytes at the end of p that begin a character are kept and
	// decoded with the next call's.
	appendDecode(dst, p []byte) []byte
	// held reports whether bytes are kept from the last call.
	held() bool
	// drop forgets the bytes kept, which will never complete a character
	// (a prompt ended the text, the stream ended, the charset changed),
	// appending U+FFFD for them to dst.
	drop(dst []byte) []byte
}

// The single-byte charsets decode every byte alone: nothing is held.
func (cm *charmap) ianaName() string           { return cm.name }
func (cm *charmap) newDecoder() legacyDecoder  { return cm }
func (cm *charmap) held() bool                 { return false }
func (cm *charmap) drop(dst []byte) []byte     { return dst }
func (cm *charmap) String() string             { return cm.name }
func (m *multibyte) String() string            { return m.name }
func (m *multibyte) ianaName() string          { return m.name }
func (m *multibyte) means(name []byte) bool    { return meansName(m.aliases, name) }
func (m *multibyte) newDecoder() legacyDecoder { return &mbDecoder{t: m.enc.NewDecoder()} }

// koi8r is KOI8-R, the Russian charset of Unix and of the Russian MUDs
// that predate UTF-8: Cyrillic in the upper half, box drawing below it.
var koi8r = newCharmap("KOI8-R", []string{"KOI8-R", "KOI8R", "CSKOI8R"}, highOf(xcharmap.KOI8R))

// highOf is the upper half of a single-byte charset as x/text maps it.
func highOf(cm *xcharmap.Charmap) *[128]rune {
	var t [128]rune
	for i := range t {
		t[i] = cm.DecodeByte(byte(0x80 + i))
	}
	return &t
}

// multibyte is an East Asian charset of one or two bytes a character
// (four in GB18030's extension), as the WHATWG Encoding Standard defines
// it (https://encoding.spec.whatwg.org/, what browsers read such pages
// with, and what golang.org/x/text implements). Bytes below 0x80 are
// ASCII when they begin a character, but the second byte of GBK, Big5
// and Shift_JIS characters may be one too (0x40-0x7E), so a character
// cut by the end of a read is held until the next.
type multibyte struct {
	name    string
	aliases []string
	enc     encoding.Encoding
}

var (
	// gbk is GBK (Windows code page 936), Simplified Chinese; the
	// GB2312 of older games is its subset, so a game that offers GB2312
	// over CHARSET is read as GBK.
	gbk = &multibyte{"GBK", []string{"GBK", "CP936", "MS936", "WINDOWS-936", "CSGBK",
		"GB2312", "GB_2312-80", "EUC-CN", "EUCCN", "CSGB2312", "X-GBK"}, simplifiedchinese.GBK}
	// gb18030 is GB18030, GBK's superset that encodes every Unicode
	// character (four bytes for those outside GBK).
	gb18030 = &multibyte{"GB18030", []string{"GB18030", "CSGB18030"}, simplifiedchinese.GB18030}
	// big5 is Big5, Traditional Chinese, with the Hong Kong
	// supplementary characters the WHATWG standard includes.
	big5 = &multibyte{"Big5", []string{"BIG5", "BIG-5", "CN-BIG5", "CSBIG5", "BIG5-HKSCS", "X-X-BIG5"}, traditionalchinese.Big5}
	// euckr is EUC-KR, Korean, with the Unified Hangul Code extension
	// (Windows code page 949) the WHATWG standard includes.
	euckr = &multibyte{"EUC-KR", []string{"EUC-KR", "EUCKR", "CSEUCKR", "KS_C_5601-1987", "KS_C_5601-1989",
		"KSC5601", "KSC_5601", "CP949", "UHC", "WINDOWS-949"}, korean.EUCKR}
	// shiftJIS is Shift_JIS, Japanese, as Windows code page 932
	// (Windows-31J) extends it.
	shiftJIS = &multibyte{"Shift_JIS", []string{"SHIFT_JIS", "SHIFT-JIS", "SJIS", "MS_KANJI", "CSSHIFTJIS",
		"WINDOWS-31J", "CSWINDOWS31J", "CP932", "MS932"}, japanese.ShiftJIS}
)

// meansName reports whether name, as a game offered it, is one of
// aliases (upper case).
func meansName(aliases []string, name []byte) bool {
	n := strings.ToUpper(string(bytes.TrimSpace(name)))
	for _, a := range aliases {
		if n == a {
			return true
		}
	}
	return false
}

// mbDecoder decodes one game's text from a multibyte charset.
type mbDecoder struct {
	t     *encoding.Decoder
	keep  [4]byte // the start of a character cut by the end of a read
	nkeep int
	src   []byte // scratch: the kept bytes and the next read's
}

func (d *mbDecoder) held() bool { return d.nkeep > 0 }

func (d *mbDecoder) drop(dst []byte) []byte {
	if d.nkeep == 0 {
		return dst
	}
	d.nkeep = 0
	d.t.Reset()
	return utf8.AppendRune(dst, utf8.RuneError)
}

func (d *mbDecoder) appendDecode(dst, p []byte) []byte {
	src := p
	if d.nkeep > 0 {
		d.src = append(append(d.src[:0], d.keep[:d.nkeep]...), p...)
		src = d.src
		d.nkeep = 0
	}
	for len(src) > 0 {
		k := asciiPrefix(src)
		dst = append(dst, src[:k]...)
		src = src[k:]
		if len(src) == 0 {
			break
		}
		// The rest through the decoder, which passes ASCII through
		// itself and stops only at the end, or at a character cut there.
		dst = slices.Grow(dst, 3*len(src)+utf8.UTFMax)
		nDst, nSrc, err := d.t.Transform(dst[len(dst):cap(dst)], src, false)
		dst = dst[:len(dst)+nDst]
		src = src[nSrc:]
		switch {
		case err == nil:
		case errors.Is(err, transform.ErrShortSrc):
			// The start of a character, at most 3 bytes (GB18030's
			// four-byte form); anything longer is not one.
			if len(src) > len(d.keep)-1 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
				src = src[1:]
				d.t.Reset()
				continue
			}
			d.nkeep = copy(d.keep[:], src)
			src = nil
		default:
			// ErrShortDst cannot happen with three bytes out for each in;
			// a decoder error loses nothing but the byte it stopped at.
			dst = utf8.AppendRune(dst, utf8.RuneError)
			src = src[1:]
			d.t.Reset()
		}
	}
	if cap(d.src) > 64<<10 {
		d.src = nil
	}
	return dst
}

// appendEncode appends UTF-8 text p to dst in the charset, '?' for a rune
// it cannot represent and for a byte that is not valid UTF-8.
func (m *multibyte) appendEncode(dst, p []byte) []byte {
	enc := m.enc.NewEncoder()
	return appendEncodeRunes(dst, p, func(dst []byte, r rune) []byte {
		if r == utf8.RuneError {
			return append(dst, '?')
		}
		var rb [utf8.UTFMax]byte
		var buf [8]byte
		enc.Reset()
		n, _, err := enc.Transform(buf[:], rb[:utf8.EncodeRune(rb[:], r)], true)
		if err != nil || n == 0 {
			return append(dst, '?')
		}
		return append(dst, buf[:n]...)
	})
}
