package term

// printUTF8 prints the run of complete, valid multi-byte UTF-8 characters
// at the start of p (RFC 3629, section 4: no overlong forms, no
// surrogates, nothing above U+10FFFF) and returns how many bytes it took.
// It stops at anything else (ASCII, a C1 control sent as UTF-8, a broken
// or unfinished sequence), which the state machine then handles byte by
// byte as before, so the result is the same as stepping through the run;
// it only skips the per-byte state machine for the bulk of CJK and other
// non-Latin text, which would otherwise cost it three or four steps a
// character (BenchmarkIngestScript).
func printUTF8[S ~string | ~[]byte](t *Terminal, p S) int {
	i := 0
	for i < len(p) {
		b := p[i]
		var r rune
		var n int
		switch {
		case b >= 0xc2 && b <= 0xdf:
			if i+1 >= len(p) || !cont(p[i+1], 0x80, 0xbf) {
				return i
			}
			r, n = rune(b&0x1f)<<6|rune(p[i+1]&0x3f), 2
			if r < 0xa0 {
				return i // a C1 control: the state machine drops it
			}
		case b >= 0xe0 && b <= 0xef:
			lo, hi := byte(0x80), byte(0xbf)
			switch b {
			case 0xe0:
				lo = 0xa0 // no overlong forms
			case 0xed:
				hi = 0x9f // no surrogates
			}
			if i+2 >= len(p) || !cont(p[i+1], lo, hi) || !cont(p[i+2], 0x80, 0xbf) {
				return i
			}
			r, n = rune(b&0x0f)<<12|rune(p[i+1]&0x3f)<<6|rune(p[i+2]&0x3f), 3
		case b >= 0xf0 && b <= 0xf4:
			lo, hi := byte(0x80), byte(0xbf)
			switch b {
			case 0xf0:
				lo = 0x90 // no overlong forms
			case 0xf4:
				hi = 0x8f // nothing above U+10FFFF
			}
			if i+3 >= len(p) || !cont(p[i+1], lo, hi) || !cont(p[i+2], 0x80, 0xbf) || !cont(p[i+3], 0x80, 0xbf) {
				return i
			}
			r, n = rune(b&0x07)<<18|rune(p[i+1]&0x3f)<<12|rune(p[i+2]&0x3f)<<6|rune(p[i+3]&0x3f), 4
		default:
			return i
		}
		t.printRune(r)
		i += n
	}
	return i
}

// cont reports whether b is a continuation byte in [lo, hi].
func cont(b, lo, hi byte) bool { return b >= lo && b <= hi }
