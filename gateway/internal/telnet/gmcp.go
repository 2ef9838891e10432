package telnet

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// DefaultGMCPSupports is what Core.Supports.Set offers a game when
// Config.GMCPSupports is nil: the common IRE/Aardwolf packages a web
// client can show.
var DefaultGMCPSupports = []string{"Char 1", "Char.Skills 1", "Char.Items 1", "Comm.Channel 1", "Room 1"}

// GMCPPackage returns the package name of a GMCP message ("Char.Vitals"
// of `Char.Vitals {"hp":10}`), and false when msg is not a well-formed
// message: valid UTF-8, a non-empty name of printable ASCII without
// spaces, then optionally a space and the JSON.
func GMCPPackage(msg []byte) (string, bool) {
	if !utf8.Valid(msg) {
		return "", false
	}
	name, _, _ := bytes.Cut(msg, []byte{' '})
	if len(name) == 0 || len(name) > 128 {
		return "", false
	}
	for _, b := range name {
		if b <= ' ' || b >= 0x7F {
			return "", false
		}
	}
	return string(name), true
}

// appendGMCP appends msg as one GMCP subnegotiation.
func appendGMCP(dst, msg []byte) []byte {
	dst = append(dst, IAC, SB, OptGMCP)
	dst = AppendEscaped(dst, msg)
	return append(dst, IAC, SE)
}

// gmcpHello is what the client says once the game turns GMCP on:
// Core.Hello with its name and version, and Core.Supports.Set.
func gmcpHello(name, version string, supports []string) []byte {
	hello, _ := json.Marshal(map[string]string{"client": name, "version": version})
	if supports == nil {
		supports = DefaultGMCPSupports
	}
	set, _ := json.Marshal(supports)
	out := appendGMCP(nil, append([]byte("Core.Hello "), hello...))
	return appendGMCP(out, append([]byte("Core.Supports.Set "), set...))
}
