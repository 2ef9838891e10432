package telnet

import "strconv"

// NEW-ENVIRON (RFC 1572) subnegotiation codes.
const (
	EnvIS      byte = 0 // the list that follows is the client's answer
	EnvSEND    byte = 1 // the server asks for the variables listed (all, if none)
	EnvINFO    byte = 2 // unsolicited update
	EnvVAR     byte = 0 // a well-known variable's name follows
	EnvVALUE   byte = 1 // its value follows
	EnvESC     byte = 2 // the next byte is data, not a code
	EnvUSERVAR byte = 3 // a user variable's name follows
)

// maxEnvRequested bounds how many variables one SEND may ask about: a game
// cannot make the answer grow without bound.
const maxEnvRequested = 32

// environ is the client's side of MNES (the MUD New-Environ Standard):
// the variables a game may ask for over NEW-ENVIRON, in the order they
// are sent when the game asks for all of them.
type environ []envVar

type envVar struct{ name, value string }

// newEnviron lists the MNES variables; empty values are left out.
// charset is the name of the character set the game's text is read in,
// "UTF-8" unless a legacy charset is configured.
func newEnviron(charset string, name, version, term []byte, ip string, mtts int) environ {
	var e environ
	for _, v := range []envVar{
		{"CHARSET", charset},
		{"CLIENT_NAME", string(name)},
		{"CLIENT_VERSION", string(version)},
		{"IPADDRESS", string(cleanTTYPE(ip, ""))},
		{"MTTS", strconv.Itoa(mtts)},
		{"TERMINAL_TYPE", string(term)},
	} {
		if v.value != "" {
			e = append(e, v)
		}
	}
	return e
}

// lookup returns the value of the variable named name.
func (e environ) lookup(name string) (string, bool) {
	for _, v := range e {
		if v.name == name {
			return v.value, true
		}
	}
	return "", false
}

// envRequest is one variable a game asked for.
type envRequest struct {
	kind byte // EnvVAR or EnvUSERVAR
	name string
}

// parseEnvSend reads the list after SEND: VAR or USERVAR markers, each
// followed by a name with ESC escapes. An empty list asks for everything.
func parseEnvSend(p []byte) []envRequest {
	var reqs []envRequest
	var cur []byte
	kind, open := byte(0), false
	done := func() {
		if open && len(reqs) < maxEnvRequested {
			reqs = append(reqs, envRequest{kind, string(cur)})
		}
		cur = cur[:0]
	}
	for i := 0; i < len(p); i++ {
		switch b := p[i]; b {
		case EnvVAR, EnvUSERVAR:
			done()
			kind, open = b, true
		case EnvESC:
			if i+1 < len(p) {
				i++
				cur = append(cur, p[i])
			}
		default:
			if b != EnvVALUE { // a VALUE in a SEND is meaningless: skip it
				cur = append(cur, b)
			}
		}
	}
	done()
	return reqs
}

// appendEnvIS appends the IS answer to a SEND with reqs: every variable
// asked for, a known one with its value and an unknown one without (RFC
// 1572), or all known ones for an empty request.
func (e environ) appendEnvIS(dst []byte, reqs []envRequest) []byte {
	dst = append(dst, IAC, SB, OptNewEnviron, EnvIS)
	if len(reqs) == 0 {
		for _, v := range e {
			dst = appendEnvVar(dst, EnvVAR, v.name, v.value, true)
		}
	} else {
		for _, r := range reqs {
			v, ok := e.lookup(r.name)
			dst = appendEnvVar(dst, r.kind, r.name, v, ok && r.kind == EnvVAR)
		}
	}
	return append(dst, IAC, SE)
}

// appendEnvVar appends kind, the escaped name and, if has, VALUE and the
// escaped value. IAC bytes are doubled.
func appendEnvVar(dst []byte, kind byte, name, value string, has bool) []byte {
	dst = append(dst, kind)
	dst = appendEnvText(dst, name)
	if has {
		dst = append(dst, EnvVALUE)
		dst = appendEnvText(dst, value)
	}
	return dst
}

func appendEnvText(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch b := s[i]; b {
		case EnvVAR, EnvVALUE, EnvESC, EnvUSERVAR:
			dst = append(dst, EnvESC, b)
		case IAC:
			dst = append(dst, IAC, IAC)
		default:
			dst = append(dst, b)
		}
	}
	return dst
}
