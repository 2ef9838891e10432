// Package wire defines the frames the Drawbridge gateway and its browser
// client exchange over a WebSocket. Both sides import it, so the format has
// one definition; it imports only the standard library so it compiles for
// the gateway and for js/wasm alike.
//
// # Transport
//
// The WebSocket subprotocol is [Subprotocol] ("drawbridge.v1"); a gateway
// refuses any other with a policy-violation close. Every WebSocket message is
// one binary frame of at most [MaxFrameSize] bytes. The first byte is the
// frame [Type], the rest is the payload, laid out per type as below. All
// integers are big-endian. Text is UTF-8.
//
// # Gateway to player (types 0x01-0x3f)
//
//	Output  0x01  text...          terminal output, already converted to UTF-8,
//	                               with ANSI escape sequences; never telnet
//	Prompt  0x02  (empty)          the game marked the output so far as a prompt (GA/EOR)
//	Echo    0x03  flag             1: the game echoes; mask input, keep it out of history
//	                               0: the player's side echoes (the normal state)
//	Status  0x04  state text...    connection state (see [Status]) and a human detail
//	Error   0x05  code:u16 text... an error (see [ErrorCode]) with a message for the player;
//	                               for ErrorUnauthorized, a [LoginReason] instead
//	GMCP    0x06  pkg[ json]       a GMCP message from the game: package, a space, JSON
//	Resume  0x07  seq:u64 token... this game connection can be resumed with token; seq
//	                               is the number of the next numbered frame
//	Resumed 0x08  seq:u64          a resume succeeded; numbered frames from seq follow
//	Pong    0x09  seq:u64          the answer to the player's Ping with the same seq
//
// # Player to gateway (types 0x40-0x7f)
//
//	Line    0x41  text...          one line of input, no CR or LF, sent to the game with CR LF
//	Keys    0x42  bytes...         raw keys for character mode (arrows, Ctrl keys)
//	Resize  0x43  cols:u16 rows:u16  the terminal's size, forwarded to the game by NAWS
//	Hello   0x44  caps:u32 text... the client's capabilities and its name/version
//	GMCPIn  0x45  pkg[ json]       a GMCP message for the game (allow-listed by the gateway)
//	Ack     0x46  seq:u64          the client has received the numbered frames before seq
//	Ping    0x47  seq:u64          asks the gateway for a Pong: a browser cannot send
//	                               WebSocket pings, and a phone back from the background
//	                               must learn whether its socket still reaches the gateway
//
// # Resuming a game connection
//
// The frames that carry the game's own stream (Output, Prompt, Echo, GMCP;
// see [Type.Numbered]) are numbered implicitly: the first after a
// connection to the game opens is 0, and each side counts them. A gateway
// that can keep the game connection through a dropped WebSocket sends a
// Resume frame with a token and the number of the next numbered frame.
// The client acknowledges what it received with Ack frames now and then,
// which lets the gateway forget it. After a drop, the client opens a new
// WebSocket with the query parameters [ResumeParam] (the token) and
// [SeqParam] (the number of numbered frames it holds). If the gateway
// still holds that game connection, it answers Resumed with the number of
// the first frame it replays (greater than the client's count when output
// was lost past the gateway's buffer), replays the frames the client
// missed, in order, and then continues; a token is good for one resume,
// and a new Resume frame follows. Otherwise it opens a fresh game
// connection as if no token had been sent, starting with Status
// connecting, and numbering starts again from 0.
//
// A token does not take the game connection from a client that is still
// connected on it: a copy of the token (a duplicated browser tab copies
// the page's storage) gets a fresh game connection instead, and the
// connected client gets a new Resume frame, since the token it held is
// spent. A client must therefore accept a Resume frame at any time and
// keep the latest one.
//
// How a client closes its WebSocket tells the gateway whether it may come
// back: a normal closure (1000) is the player leaving, and ends the game
// connection; going away (1001, which browsers send for a page that is
// reloaded, discarded or closed), [CloseReconnecting], and a connection
// that broke without a close keep the game connection for a resume until
// the gateway's grace period ends. Gateways before this rule ended the
// game connection on 1001; clients need no change for it.
//
// A receiver must treat a frame it cannot decode as a protocol error, except
// that a client should ignore frames whose type is unknown to it
// ([ErrUnknownType]) so that gateways can add types within v1.
//
// # Encoding and decoding
//
// [Append] encodes a frame onto a caller's buffer and [Decode] parses one
// without copying: the decoded Data aliases the input. Neither allocates, so
// a bridge can encode every output frame into one reused buffer. Decode
// accepts only canonical encodings, so Append(Decode(b)) == b for every b
// that decodes.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Subprotocol is the WebSocket subprotocol of this version of the wire.
const Subprotocol = "drawbridge.v1"

// CloseReconnecting is the WebSocket close code a client sends when it
// drops a connection that stopped answering (its Ping went unanswered)
// to reconnect at once: unlike a normal closure (1000), which is the
// player leaving, the gateway keeps the game connection for a resume, as
// it does for going away (1001).
const CloseReconnecting = 4000

// MaxFrameSize bounds a whole frame, type byte included. WebSocket readers
// on both sides set their read limit to it.
const MaxFrameSize = 64 << 10

// MaxPayload is the largest payload a frame can carry.
const MaxPayload = MaxFrameSize - 1

// Limits of a Resize frame: terminals outside them are refused rather than
// passed to a game that might allocate a screen of that size.
const (
	MaxCols = 1000
	MaxRows = 1000
)

// Type is the first byte of a frame.
type Type byte

// Frame types. Values 0x01-0x3f travel from the gateway to the player,
// 0x40-0x7f from the player to the gateway.
const (
	TypeOutput  Type = 0x01
	TypePrompt  Type = 0x02
	TypeEcho    Type = 0x03
	TypeStatus  Type = 0x04
	TypeError   Type = 0x05
	TypeGMCP    Type = 0x06
	TypeResume  Type = 0x07
	TypeResumed Type = 0x08
	TypePong    Type = 0x09

	TypeLine   Type = 0x41
	TypeKeys   Type = 0x42
	TypeResize Type = 0x43
	TypeHello  Type = 0x44
	TypeGMCPIn Type = 0x45
	TypeAck    Type = 0x46
	TypePing   Type = 0x47
)

// Query parameters of the WebSocket URL that ask to resume a game
// connection: the token from a Resume frame, and the count of numbered
// frames received, in decimal.
const (
	ResumeParam = "resume"
	SeqParam    = "seq"
)

// CapsParam is the query parameter of the WebSocket URL that carries the
// client's capabilities (Caps, in decimal) as its Hello frame will. The
// gateway needs them before it connects to the game, which may ask what
// the terminal can do (MTTS: screen reader, truecolour) before the Hello
// frame arrives.
const CapsParam = "caps"

// MaxTokenLen bounds a resume token.
const MaxTokenLen = 128

// String returns the frame type's name, for logs.
func (t Type) String() string {
	switch t {
	case TypeOutput:
		return "output"
	case TypePrompt:
		return "prompt"
	case TypeEcho:
		return "echo"
	case TypeStatus:
		return "status"
	case TypeError:
		return "error"
	case TypeGMCP:
		return "gmcp"
	case TypeLine:
		return "line"
	case TypeKeys:
		return "keys"
	case TypeResize:
		return "resize"
	case TypeHello:
		return "hello"
	case TypeGMCPIn:
		return "gmcp-in"
	case TypeResume:
		return "resume"
	case TypeResumed:
		return "resumed"
	case TypeAck:
		return "ack"
	case TypePing:
		return "ping"
	case TypePong:
		return "pong"
	}
	return fmt.Sprintf("type(0x%02x)", byte(t))
}

// Numbered reports whether frames of type t carry the game's stream and
// are counted for resuming: Output, Prompt, Echo and GMCP.
func (t Type) Numbered() bool {
	return t == TypeOutput || t == TypePrompt || t == TypeEcho || t == TypeGMCP
}

// FromGateway reports whether frames of type t travel from the gateway to
// the player.
func (t Type) FromGateway() bool { return t >= 0x01 && t <= 0x3f }

// FromPlayer reports whether frames of type t travel from the player to the
// gateway.
func (t Type) FromPlayer() bool { return t >= 0x40 && t <= 0x7f }

// Status is the state of the player's connection to the game, carried by a
// Status frame.
type Status byte

// Connection states, in the order a session normally goes through them.
const (
	StatusConnecting        Status = 1 // the gateway is dialling the game
	StatusConnected         Status = 2 // the game answered; output follows
	StatusGameClosed        Status = 3 // the game closed the connection
	StatusGatewayRestarting Status = 4 // the gateway is shutting down; reconnect later
)

// String returns the state's name, for logs and the client's status line.
func (s Status) String() string {
	switch s {
	case StatusConnecting:
		return "connecting"
	case StatusConnected:
		return "connected"
	case StatusGameClosed:
		return "game closed"
	case StatusGatewayRestarting:
		return "gateway restarting"
	}
	return fmt.Sprintf("status(%d)", byte(s))
}

func (s Status) valid() bool { return s >= StatusConnecting && s <= StatusGatewayRestarting }

// ErrorCode classifies an Error frame so a client can react without parsing
// the message.
type ErrorCode uint16

// Error codes.
const (
	ErrorProtocol        ErrorCode = 1 // the peer sent a frame that does not decode
	ErrorGameUnreachable ErrorCode = 2 // the gateway could not connect to the game
	ErrorInternal        ErrorCode = 3 // something failed inside the gateway; see its log
	ErrorIdle            ErrorCode = 4 // the connection was idle too long
	ErrorUnauthorized    ErrorCode = 5 // no valid session; log in again. The text is a LoginReason
	ErrorLimit           ErrorCode = 6 // a limit was reached (too many connections, too fast)
)

// LoginReason says why the player must log in again: the text of an
// Error frame with code ErrorUnauthorized is one of these codes, never a
// sentence. A client shows a sentence of its own for each (the web client
// sends the player to the front door with /?reason=CODE, and the front
// door has one per code), so no text a link could carry is ever shown to
// a player as the gateway's; a code a client does not know means
// ReasonLogin.
type LoginReason string

// The login reasons.
const (
	ReasonLogin           LoginReason = "login"            // no valid session
	ReasonExpired         LoginReason = "expired"          // the session ran out (idle or absolute timeout)
	ReasonEnded           LoginReason = "ended"            // ended elsewhere: revoked, or the account disabled or deleted
	ReasonLogout          LoginReason = "logout"           // the player logged out
	ReasonReplaced        LoginReason = "replaced"         // the browser logged in again
	ReasonPasswordChanged LoginReason = "password_changed" // the password was changed or reset
	ReasonRoleChanged     LoginReason = "role_changed"     // an administrator changed the account's role
	ReasonDisabled        LoginReason = "disabled"         // an administrator disabled the account
	ReasonDeleted         LoginReason = "deleted"          // the account was deleted
	ReasonRevoked         LoginReason = "revoked"          // ended by the owner on another device, or by an administrator
	ReasonSessionLimit    LoginReason = "session_limit"    // too many sessions: the oldest ended
	ReasonGuestExpired    LoginReason = "guest_expired"    // the guest visit is over
)

// LoginReasons returns every LoginReason, for clients that check they have
// a sentence for each.
func LoginReasons() []LoginReason {
	return []LoginReason{ReasonLogin, ReasonExpired, ReasonEnded, ReasonLogout, ReasonReplaced,
		ReasonPasswordChanged, ReasonRoleChanged, ReasonDisabled, ReasonDeleted, ReasonRevoked, ReasonSessionLimit, ReasonGuestExpired}
}

// Caps is the bit set of client capabilities sent in a Hello frame.
type Caps uint32

// Client capabilities.
const (
	CapTruecolor    Caps = 1 << 0 // 24-bit colour SGR sequences are drawn
	CapUTF8         Caps = 1 << 1 // output is shown as UTF-8
	CapScreenReader Caps = 1 << 2 // the player turned on the screen-reader mirror
	CapCharMode     Caps = 1 << 3 // the client can send raw keys (TypeKeys)
	CapResume       Caps = 1 << 4 // the client counts numbered frames, acknowledges them and resumes
)

// Frame is one decoded frame. Which fields are meaningful depends on Type;
// the others are zero.
type Frame struct {
	Type Type

	// Data is the payload text or bytes: Output and Line text, Keys,
	// the detail of a Status, the message of an Error, the client name of a
	// Hello, the "package json" of GMCP frames, the token of a Resume. After Decode it aliases the
	// decoded buffer.
	Data []byte

	Status Status    // TypeStatus
	Code   ErrorCode // TypeError
	Echo   bool      // TypeEcho: true when the game echoes and input must be masked
	Cols   int       // TypeResize
	Rows   int       // TypeResize
	Caps   Caps      // TypeHello
	Seq    uint64    // TypeResume, TypeResumed, TypeAck: a numbered frame's number; TypePing, TypePong: the probe's number
}

// Errors returned by Decode and Append. Decode wraps them with detail;
// test with errors.Is.
var (
	ErrEmpty       = errors.New("wire: empty frame")
	ErrTooLarge    = errors.New("wire: frame too large")
	ErrUnknownType = errors.New("wire: unknown frame type")
	ErrMalformed   = errors.New("wire: malformed frame")
)

// Append encodes f onto dst and returns the extended buffer. It checks what
// Decode checks, so a frame that Append accepts always decodes to itself.
// With enough capacity in dst it does not allocate.
func Append(dst []byte, f *Frame) ([]byte, error) {
	if err := check(f); err != nil {
		return dst, err
	}
	dst = append(dst, byte(f.Type))
	switch f.Type {
	case TypePrompt:
	case TypeEcho:
		var b byte
		if f.Echo {
			b = 1
		}
		dst = append(dst, b)
	case TypeStatus:
		dst = append(dst, byte(f.Status))
		dst = append(dst, f.Data...)
	case TypeError:
		dst = binary.BigEndian.AppendUint16(dst, uint16(f.Code))
		dst = append(dst, f.Data...)
	case TypeResize:
		dst = binary.BigEndian.AppendUint16(dst, uint16(f.Cols))
		dst = binary.BigEndian.AppendUint16(dst, uint16(f.Rows))
	case TypeHello:
		dst = binary.BigEndian.AppendUint32(dst, uint32(f.Caps))
		dst = append(dst, f.Data...)
	case TypeResume, TypeResumed, TypeAck, TypePing, TypePong:
		dst = binary.BigEndian.AppendUint64(dst, f.Seq)
		dst = append(dst, f.Data...)
	default: // Output, Line, Keys, GMCP, GMCPIn
		dst = append(dst, f.Data...)
	}
	return dst, nil
}

// AppendOutput appends an Output frame carrying text. It is the bridge's hot
// path: text must be valid UTF-8 of at most MaxPayload bytes, which the
// caller guarantees by construction, so it is not checked again here.
func AppendOutput(dst, text []byte) []byte {
	dst = append(dst, byte(TypeOutput))
	return append(dst, text...)
}

// Decode parses one frame. The returned Data aliases b. Errors wrap
// ErrEmpty, ErrTooLarge, ErrUnknownType or ErrMalformed.
func Decode(b []byte) (Frame, error) {
	if len(b) == 0 {
		return Frame{}, ErrEmpty
	}
	if len(b) > MaxFrameSize {
		return Frame{}, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(b), MaxFrameSize)
	}
	f := Frame{Type: Type(b[0])}
	p := b[1:]
	switch f.Type {
	case TypeOutput, TypeLine, TypeKeys, TypeGMCP, TypeGMCPIn:
		f.Data = p
	case TypePrompt:
		if len(p) != 0 {
			return Frame{}, malformed(f.Type, "payload must be empty")
		}
	case TypeEcho:
		if len(p) != 1 || p[0] > 1 {
			return Frame{}, malformed(f.Type, "payload must be one byte, 0 or 1")
		}
		f.Echo = p[0] == 1
	case TypeStatus:
		if len(p) < 1 {
			return Frame{}, malformed(f.Type, "missing state")
		}
		f.Status, f.Data = Status(p[0]), p[1:]
	case TypeError:
		if len(p) < 2 {
			return Frame{}, malformed(f.Type, "missing code")
		}
		f.Code, f.Data = ErrorCode(binary.BigEndian.Uint16(p)), p[2:]
	case TypeResize:
		if len(p) != 4 {
			return Frame{}, malformed(f.Type, "payload must be 4 bytes")
		}
		f.Cols = int(binary.BigEndian.Uint16(p))
		f.Rows = int(binary.BigEndian.Uint16(p[2:]))
	case TypeHello:
		if len(p) < 4 {
			return Frame{}, malformed(f.Type, "missing capabilities")
		}
		f.Caps, f.Data = Caps(binary.BigEndian.Uint32(p)), p[4:]
	case TypeResume, TypeResumed, TypeAck, TypePing, TypePong:
		if len(p) < 8 {
			return Frame{}, malformed(f.Type, "missing sequence number")
		}
		f.Seq, f.Data = binary.BigEndian.Uint64(p), p[8:]
	default:
		return Frame{}, fmt.Errorf("%w: 0x%02x", ErrUnknownType, b[0])
	}
	if f.Data != nil && len(f.Data) == 0 {
		f.Data = nil
	}
	if err := check(&f); err != nil {
		return Frame{}, err
	}
	return f, nil
}

// check validates the fields of f that Decode's layout does not already
// constrain. Append and Decode share it so they accept the same frames.
func check(f *Frame) error {
	if 1+headerLen(f.Type)+len(f.Data) > MaxFrameSize {
		return fmt.Errorf("%w: %s payload of %d bytes", ErrTooLarge, f.Type, len(f.Data))
	}
	switch f.Type {
	case TypeOutput, TypeKeys:
		// Output is trusted to be UTF-8 (the gateway converts it and the
		// client's terminal shows stray bytes as U+FFFD); keys are bytes.
	case TypePrompt, TypeEcho, TypeResize:
		if len(f.Data) != 0 {
			return malformed(f.Type, "carries no text")
		}
		if f.Type == TypeResize && (f.Cols < 1 || f.Cols > MaxCols || f.Rows < 1 || f.Rows > MaxRows) {
			return malformed(f.Type, fmt.Sprintf("size %dx%d outside 1x1..%dx%d", f.Cols, f.Rows, MaxCols, MaxRows))
		}
	case TypeStatus:
		if !f.Status.valid() {
			return malformed(f.Type, fmt.Sprintf("unknown state %d", f.Status))
		}
		return checkText(f.Type, f.Data)
	case TypeError, TypeHello:
		return checkText(f.Type, f.Data)
	case TypeResumed, TypeAck, TypePing, TypePong:
		if len(f.Data) != 0 {
			return malformed(f.Type, "carries no text")
		}
	case TypeResume:
		if len(f.Data) == 0 || len(f.Data) > MaxTokenLen || !tokenChars(f.Data) {
			return malformed(f.Type, "token must be 1 to 128 URL-safe characters")
		}
	case TypeLine:
		if err := checkText(f.Type, f.Data); err != nil {
			return err
		}
		for _, c := range f.Data {
			if c == '\r' || c == '\n' || c == 0 {
				return malformed(f.Type, "line contains CR, LF or NUL")
			}
		}
	case TypeGMCP, TypeGMCPIn:
		if err := checkText(f.Type, f.Data); err != nil {
			return err
		}
		if len(f.Data) == 0 || f.Data[0] == ' ' {
			return malformed(f.Type, "missing package name")
		}
	default:
		return fmt.Errorf("%w: 0x%02x", ErrUnknownType, byte(f.Type))
	}
	return nil
}

// headerLen is the number of payload bytes before Data for frames of type t.
func headerLen(t Type) int {
	switch t {
	case TypeStatus:
		return 1
	case TypeError:
		return 2
	case TypeHello:
		return 4
	case TypeResume, TypeResumed, TypeAck, TypePing, TypePong:
		return 8
	}
	return 0
}

// tokenChars reports whether b holds only characters that travel in a URL
// query unescaped: letters, digits, '-' and '_' (base64url).
func tokenChars(b []byte) bool {
	for _, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func checkText(t Type, p []byte) error {
	if !utf8.Valid(p) {
		return malformed(t, "text is not valid UTF-8")
	}
	return nil
}

func malformed(t Type, why string) error {
	return fmt.Errorf("%w: %s: %s", ErrMalformed, t, why)
}
