package mxp

import "unicode/utf8"

// stdEntities are the entities MXP takes from HTML, sorted by name (case
// matters): XML's five, nbsp, HTML's Latin-1 set and a few common others.
var stdEntities = [...]struct {
	name string
	r    rune
}{
	{"AElig", 198},
	{"Aacute", 193},
	{"Acirc", 194},
	{"Agrave", 192},
	{"Aring", 197},
	{"Atilde", 195},
	{"Auml", 196},
	{"Ccedil", 199},
	{"ETH", 208},
	{"Eacute", 201},
	{"Ecirc", 202},
	{"Egrave", 200},
	{"Euml", 203},
	{"Iacute", 205},
	{"Icirc", 206},
	{"Igrave", 204},
	{"Iuml", 207},
	{"Ntilde", 209},
	{"Oacute", 211},
	{"Ocirc", 212},
	{"Ograve", 210},
	{"Oslash", 216},
	{"Otilde", 213},
	{"Ouml", 214},
	{"THORN", 222},
	{"Uacute", 218},
	{"Ucirc", 219},
	{"Ugrave", 217},
	{"Uuml", 220},
	{"Yacute", 221},
	{"aacute", 225},
	{"acirc", 226},
	{"acute", 180},
	{"aelig", 230},
	{"agrave", 224},
	{"amp", 38},
	{"apos", 39},
	{"aring", 229},
	{"atilde", 227},
	{"auml", 228},
	{"brvbar", 166},
	{"bull", 8226},
	{"ccedil", 231},
	{"cedil", 184},
	{"cent", 162},
	{"clubs", 9827},
	{"copy", 169},
	{"curren", 164},
	{"darr", 8595},
	{"deg", 176},
	{"diams", 9830},
	{"divide", 247},
	{"eacute", 233},
	{"ecirc", 234},
	{"egrave", 232},
	{"eth", 240},
	{"euml", 235},
	{"euro", 8364},
	{"frac12", 189},
	{"frac14", 188},
	{"frac34", 190},
	{"ge", 8805},
	{"gt", 62},
	{"harr", 8596},
	{"hearts", 9829},
	{"hellip", 8230},
	{"iacute", 237},
	{"icirc", 238},
	{"iexcl", 161},
	{"igrave", 236},
	{"infin", 8734},
	{"iquest", 191},
	{"iuml", 239},
	{"laquo", 171},
	{"larr", 8592},
	{"ldquo", 8220},
	{"le", 8804},
	{"lsquo", 8216},
	{"lt", 60},
	{"macr", 175},
	{"mdash", 8212},
	{"micro", 181},
	{"middot", 183},
	{"minus", 8722},
	{"nbsp", 160},
	{"ndash", 8211},
	{"ne", 8800},
	{"not", 172},
	{"ntilde", 241},
	{"oacute", 243},
	{"ocirc", 244},
	{"ograve", 242},
	{"ordf", 170},
	{"ordm", 186},
	{"oslash", 248},
	{"otilde", 245},
	{"ouml", 246},
	{"para", 182},
	{"plusmn", 177},
	{"pound", 163},
	{"quot", 34},
	{"raquo", 187},
	{"rarr", 8594},
	{"rdquo", 8221},
	{"reg", 174},
	{"rsquo", 8217},
	{"sect", 167},
	{"shy", 173},
	{"spades", 9824},
	{"sup1", 185},
	{"sup2", 178},
	{"sup3", 179},
	{"szlig", 223},
	{"thorn", 254},
	{"times", 215},
	{"trade", 8482},
	{"uacute", 250},
	{"uarr", 8593},
	{"ucirc", 251},
	{"ugrave", 249},
	{"uml", 168},
	{"uuml", 252},
	{"yacute", 253},
	{"yen", 165},
	{"yuml", 255},
}

// stdEntity looks up a standard entity by name.
func stdEntity(name []byte) (rune, bool) {
	lo, hi := 0, len(stdEntities)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if stdEntities[m].name < string(name) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(stdEntities) && stdEntities[lo].name == string(name) {
		return stdEntities[lo].r, true
	}
	return 0, false
}

// maxEntityName bounds an entity's name, '&' and ';' not counted.
const maxEntityName = 32

// numericEntity decodes the name of &#nnn; or &#xhh; ("#nnn", "#xhh").
// ok is false when name is not a number; r is -1 for a number that
// stands for nothing: below 32 (the specification ignores those), DEL,
// a C1 control, a surrogate or beyond Unicode.
func numericEntity(name []byte) (r rune, ok bool) {
	if len(name) < 2 || name[0] != '#' {
		return 0, false
	}
	digits, base := name[1:], rune(10)
	if digits[0] == 'x' || digits[0] == 'X' {
		digits, base = digits[1:], 16
	}
	if len(digits) == 0 {
		return 0, false
	}
	var v rune
	for _, b := range digits {
		var d byte
		switch {
		case base == 10 && b >= '0' && b <= '9':
			d = b - '0'
		case base == 16:
			var hex bool
			if d, hex = hexDigit(b); !hex {
				return 0, false
			}
		default:
			return 0, false
		}
		if v = v*base + rune(d); v > utf8.MaxRune {
			v = utf8.MaxRune + 1 // keep it from wrapping
		}
	}
	if v < 32 || (v >= 0x7F && v < 0xA0) || !utf8.ValidRune(v) {
		return -1, true
	}
	return v, true
}

// entityNameByte reports whether b may be byte i of an entity's name:
// letters, '_' and '#' first; letters, digits, '_', '-' and '.' after.
func entityNameByte(b byte, i int) bool {
	switch {
	case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b == '_':
		return true
	case i == 0:
		return b == '#'
	}
	return b >= '0' && b <= '9' || b == '-' || b == '.'
}
