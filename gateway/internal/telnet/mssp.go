package telnet

import "bytes"

// MSSP (MUD Server Status Protocol, option 70) subnegotiation codes: the
// payload of IAC SB MSSP ... IAC SE is a list of MSSPVAR name MSSPVAL value
// [MSSPVAL value ...] (https://tintin.mudhalla.net/protocols/mssp/).
const (
	MSSPVAR byte = 1 // a variable's name follows
	MSSPVAL byte = 2 // one of its values follows
)

// Bounds on what ParseMSSP keeps, so a hostile or broken game cannot make
// the result grow with its input beyond a few tens of kilobytes.
const (
	// MaxMSSPVars is the most variables kept; later new names are
	// dropped (values of names already kept still count, up to their
	// own bound).
	MaxMSSPVars = 128
	// MaxMSSPValues is the most values kept for one variable.
	MaxMSSPValues = 16
	// MaxMSSPName is the longest variable name kept, in bytes; a longer
	// name is dropped with its values.
	MaxMSSPName = 64
	// MaxMSSPValue is the longest value kept, in bytes; a longer one is
	// cut to this length.
	MaxMSSPValue = 512
)

// MSSP is a parsed MSSP answer: variable names (in upper case) to their
// values, in the order they came. Well-known names include NAME, PLAYERS
// (the number online), UPTIME (the Unix time the game started), CODEBASE,
// CONTACT, WEBSITE and LANGUAGE.
type MSSP map[string][]string

// Get returns the first value of name, or "" when the game did not send
// it.
func (m MSSP) Get(name string) string {
	if v := m[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// ParseMSSP reads the payload of an MSSP subnegotiation (IAC IAC already
// unescaped, as Parser delivers it). It never fails: bytes before the first
// MSSPVAR are skipped, a value before any name and a name without a value
// are ignored, names are turned to upper case (ASCII) and a repeated name
// adds its values to the first. The result is bounded by MaxMSSPVars,
// MaxMSSPValues, MaxMSSPName and MaxMSSPValue whatever the input's length.
// Values are the game's bytes as sent, not checked for UTF-8: whoever
// shows them cleans them.
func ParseMSSP(data []byte) MSSP {
	m := MSSP{}
	name := ""                          // the variable values go to; "" drops them
	i := bytes.IndexByte(data, MSSPVAR) // skip junk before the first name
	if i < 0 {
		return m
	}
	for i < len(data) {
		code := data[i]
		i++
		end := i
		for end < len(data) && data[end] != MSSPVAR && data[end] != MSSPVAL {
			end++
		}
		field := data[i:end]
		i = end
		switch code {
		case MSSPVAR:
			name = ""
			if len(field) == 0 || len(field) > MaxMSSPName {
				continue
			}
			name = asciiUpper(field)
		case MSSPVAL:
			if name == "" {
				continue
			}
			vals, ok := m[name]
			if !ok && len(m) >= MaxMSSPVars {
				name = ""
				continue
			}
			if len(vals) >= MaxMSSPValues {
				continue
			}
			m[name] = append(vals, string(field[:min(len(field), MaxMSSPValue)]))
		}
	}
	return m
}

// MSSPVariable is one variable of an MSSP answer, for AppendMSSP.
type MSSPVariable struct {
	Name   string
	Values []string
}

// AppendMSSP appends IAC SB MSSP vars IAC SE to dst, in the order given:
// what a game sends after IAC DO MSSP. The bytes MSSP cannot carry in a
// name or value (MSSPVAR and MSSPVAL) are left out, IAC is doubled, and a
// variable without values is sent with one empty value.
func AppendMSSP(dst []byte, vars []MSSPVariable) []byte {
	dst = append(dst, IAC, SB, OptMSSP)
	text := func(s string) {
		for i := 0; i < len(s); i++ {
			switch b := s[i]; b {
			case MSSPVAR, MSSPVAL:
			case IAC:
				dst = append(dst, IAC, IAC)
			default:
				dst = append(dst, b)
			}
		}
	}
	for _, v := range vars {
		dst = append(dst, MSSPVAR)
		text(v.Name)
		if len(v.Values) == 0 {
			dst = append(dst, MSSPVAL)
		}
		for _, val := range v.Values {
			dst = append(dst, MSSPVAL)
			text(val)
		}
	}
	return append(dst, IAC, SE)
}

// asciiUpper returns b as a string with ASCII letters in upper case; other
// bytes, UTF-8 included, are kept as they are, so the length never changes.
func asciiUpper(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		out[i] = c
	}
	return string(out)
}
