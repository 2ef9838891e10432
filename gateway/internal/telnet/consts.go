package telnet

import "strconv"

// Telnet commands (RFC 854), each sent after IAC. EOR comes from RFC 885.
const (
	EOR  byte = 239 // end of record: a prompt mark once the EOR option is on (RFC 885)
	SE   byte = 240 // end of subnegotiation
	NOP  byte = 241 // no operation
	DM   byte = 242 // data mark (the data part of a Synch)
	BRK  byte = 243 // break
	IP   byte = 244 // interrupt process
	AO   byte = 245 // abort output
	AYT  byte = 246 // are you there
	EC   byte = 247 // erase character
	EL   byte = 248 // erase line
	GA   byte = 249 // go ahead: MUDs use it to mark a prompt
	SB   byte = 250 // start of subnegotiation
	WILL byte = 251 // sender wants to enable, or confirms, an option on its side
	WONT byte = 252 // sender refuses, or disables, an option on its side
	DO   byte = 253 // sender asks the receiver to enable an option on the receiver's side
	DONT byte = 254 // sender asks the receiver to disable an option on the receiver's side
	IAC  byte = 255 // interpret as command; doubled (IAC IAC) it is the data byte 255
)

// Subnegotiation verbs shared by TTYPE (RFC 1091), NEW-ENVIRON (RFC 1572)
// and others: IAC SB opt SEND IAC SE asks, IAC SB opt IS ... IAC SE answers.
const (
	IS   byte = 0
	SEND byte = 1
)

// Telnet option codes, from the IANA registry and the MUD protocols that
// took codes of their own.
const (
	OptBinary      byte = 0   // RFC 856: 8-bit transmission, no CR NUL rules
	OptEcho        byte = 1   // RFC 857: the side that WILLs it echoes the other's input
	OptSGA         byte = 3   // RFC 858: suppress go-ahead
	OptStatus      byte = 5   // RFC 859
	OptTimingMark  byte = 6   // RFC 860
	OptLogout      byte = 18  // RFC 727
	OptTTYPE       byte = 24  // RFC 1091 terminal type, extended by MTTS
	OptEOR         byte = 25  // RFC 885: IAC EOR marks the end of a record (a prompt)
	OptNAWS        byte = 31  // RFC 1073: negotiate about window size
	OptTSpeed      byte = 32  // RFC 1079 terminal speed
	OptLFlow       byte = 33  // RFC 1372 remote flow control
	OptLinemode    byte = 34  // RFC 1184
	OptXDisplayLoc byte = 35  // RFC 1096 X display location
	OptEnviron     byte = 36  // RFC 1408 (old environment option)
	OptAuth        byte = 37  // RFC 2941 authentication
	OptEncrypt     byte = 38  // RFC 2946 encryption
	OptNewEnviron  byte = 39  // RFC 1572, used by MNES
	OptCharset     byte = 42  // RFC 2066
	OptMSDP        byte = 69  // MUD server data protocol
	OptMSSP        byte = 70  // MUD server status protocol
	OptMCCP1       byte = 85  // MUD client compression v1 (obsolete)
	OptMCCP2       byte = 86  // MUD client compression v2: server to client zlib
	OptMCCP3       byte = 87  // MUD client compression v3: client to server zlib
	OptMSP         byte = 90  // MUD sound protocol
	OptMXP         byte = 91  // MUD extension protocol
	OptZMP         byte = 93  // zenith MUD protocol
	OptATCP        byte = 200 // Achaea telnet client protocol
	OptGMCP        byte = 201 // generic MUD communication protocol
	OptExtended    byte = 255 // RFC 861 extended options list
)

// MTTS capability bits, sent by the client as "MTTS <sum>" in the third
// TTYPE answer (https://tintin.mudhalla.net/protocols/mtts/).
const (
	MTTSANSI            = 1    // common ANSI colour codes
	MTTSVT100           = 2    // common VT100 codes
	MTTSUTF8            = 4    // the client uses UTF-8
	MTTS256Colors       = 8    // xterm 256 colour codes
	MTTSMouseTracking   = 16   // xterm mouse tracking
	MTTSOSCColorPalette = 32   // OSC colour palette
	MTTSScreenReader    = 64   // the player uses a screen reader
	MTTSProxy           = 128  // the client is a proxy: many players may share one address
	MTTSTrueColor       = 256  // 24-bit colour with semicolon notation
	MTTSMNES            = 512  // MUD New-Environ Standard
	MTTSMSLP            = 1024 // MUD server link protocol
	MTTSSSL             = 2048 // the client supports TLS
)

// CmdName returns the name of a telnet command byte for logs, such as
// "GA" or "WILL"; bytes that are not commands come back as their decimal
// value.
func CmdName(b byte) string {
	switch b {
	case EOR:
		return "EOR"
	case SE:
		return "SE"
	case NOP:
		return "NOP"
	case DM:
		return "DM"
	case BRK:
		return "BRK"
	case IP:
		return "IP"
	case AO:
		return "AO"
	case AYT:
		return "AYT"
	case EC:
		return "EC"
	case EL:
		return "EL"
	case GA:
		return "GA"
	case SB:
		return "SB"
	case WILL:
		return "WILL"
	case WONT:
		return "WONT"
	case DO:
		return "DO"
	case DONT:
		return "DONT"
	case IAC:
		return "IAC"
	}
	return strconv.Itoa(int(b))
}

// OptName returns the name of a telnet option code for logs, such as
// "NAWS" or "GMCP"; unknown codes come back as their decimal value.
func OptName(opt byte) string {
	switch opt {
	case OptBinary:
		return "BINARY"
	case OptEcho:
		return "ECHO"
	case OptSGA:
		return "SGA"
	case OptStatus:
		return "STATUS"
	case OptTimingMark:
		return "TIMING-MARK"
	case OptLogout:
		return "LOGOUT"
	case OptTTYPE:
		return "TTYPE"
	case OptEOR:
		return "EOR"
	case OptNAWS:
		return "NAWS"
	case OptTSpeed:
		return "TSPEED"
	case OptLFlow:
		return "LFLOW"
	case OptLinemode:
		return "LINEMODE"
	case OptXDisplayLoc:
		return "XDISPLOC"
	case OptEnviron:
		return "ENVIRON"
	case OptAuth:
		return "AUTHENTICATION"
	case OptEncrypt:
		return "ENCRYPT"
	case OptNewEnviron:
		return "NEW-ENVIRON"
	case OptCharset:
		return "CHARSET"
	case OptMSDP:
		return "MSDP"
	case OptMSSP:
		return "MSSP"
	case OptMCCP1:
		return "MCCP1"
	case OptMCCP2:
		return "MCCP2"
	case OptMCCP3:
		return "MCCP3"
	case OptMSP:
		return "MSP"
	case OptMXP:
		return "MXP"
	case OptZMP:
		return "ZMP"
	case OptATCP:
		return "ATCP"
	case OptGMCP:
		return "GMCP"
	case OptExtended:
		return "EXOPL"
	}
	return strconv.Itoa(int(opt))
}
