// Package proxyproto reads and writes the PROXY protocol header, versions 1
// (text) and 2 (binary), as HAProxy specifies it
// (https://www.haproxy.org/download/2.8/doc/proxy-protocol.txt).
//
// A proxy that relays a TCP connection sends the header first, so the
// server on the other side learns the address of the real client instead
// of the proxy's. The gateway writes it toward the game (AppendV1,
// AppendV2, Header.Append), so a game that reads it sees the player's
// address, and can read it on its own listeners behind a load balancer
// (Read, Listener), accepting it only from addresses it trusts: anyone
// who may send the header may claim any address.
//
// Encoding never allocates when dst has room. Decoding is strict and
// bounded: a version 1 header is at most 107 bytes and is read byte by
// byte, never past its CRLF; a version 2 header is at most 16 + 65,535
// bytes, and its TLVs (type-length-value extensions) are checked, exposed
// and, when a CRC32C TLV is present, verified. Garbage is rejected with
// ErrNoHeader or ErrMalformed, and nothing a peer sends makes it panic.
package proxyproto

import (
	"errors"
	"net"
	"strconv"
)

// Version is the PROXY protocol version of a header.
type Version uint8

// The two versions of the protocol.
const (
	// V1 is the human-readable text header: "PROXY TCP4 ...\r\n".
	V1 Version = 1
	// V2 is the binary header with a 12-byte signature.
	V2 Version = 2
)

// Command says whether a header carries the addresses of a proxied client.
type Command uint8

// Commands. The values are version 2's on the wire.
const (
	// Local means the connection carries no client's addresses: the proxy
	// made it on its own behalf (a health check, say), or the addresses
	// are unknown (version 1's UNKNOWN). The receiver uses the
	// connection's own endpoints. A Local header has no addresses.
	Local Command = 0
	// Proxy means the connection was relayed for the client whose
	// addresses the header carries. A version 2 Proxy header may still
	// carry no addresses (family AF_UNSPEC); the receiver then uses the
	// connection's own endpoints too.
	Proxy Command = 1
)

// String returns "LOCAL" or "PROXY", or the number of an unknown command.
func (c Command) String() string {
	switch c {
	case Local:
		return "LOCAL"
	case Proxy:
		return "PROXY"
	}
	return "Command(" + strconv.Itoa(int(c)) + ")"
}

// Sizes and limits of the wire formats.
const (
	// MaxV1Len is the longest version 1 header, CRLF included (the
	// specification's 107 bytes: "PROXY UNKNOWN" and two full IPv6
	// addresses and ports).
	MaxV1Len = 107
	// V2HeaderLen is the fixed part of a version 2 header: signature,
	// version and command, family, and length.
	V2HeaderLen = 16
	// MaxV2Len is the longest version 2 header: the fixed part and the
	// largest block its 16-bit length can announce.
	MaxV2Len = V2HeaderLen + 65535
	// MaxLen is room for any header AppendV1 or AppendV2 writes (the
	// longest, a version 1 TCP6 header, takes 104 bytes; a version 2
	// header with two IPv6 addresses 52).
	MaxLen = MaxV1Len
)

// Version 2 address block sizes, by family.
const (
	v2AddrLenInet  = 12  // 2 × 4-byte address + 2 × 2-byte port
	v2AddrLenInet6 = 36  // 2 × 16-byte address + 2 × 2-byte port
	v2AddrLenUnix  = 216 // 2 × 108-byte path
	v2UnixPathLen  = 108
)

// Version 2 family and transport byte values.
const (
	famUnspec      = 0x00
	famTCP4        = 0x11
	famUDP4        = 0x12
	famTCP6        = 0x21
	famUDP6        = 0x22
	famUnixStream  = 0x31
	famUnixDgram   = 0x32
	v2VersionNib   = 0x20
	v2CommandMask  = 0x0F
	tlvHeaderLen   = 3
	crc32cValueLen = 4
)

// v2Signature opens every version 2 header.
const v2Signature = "\r\n\r\n\x00\r\nQUIT\n"

// v1Prefix opens every version 1 header.
const v1Prefix = "PROXY "

// TLV types the specification defines. Others may appear; Read exposes
// them all and checks only the CRC32C one.
const (
	TypeALPN      byte = 0x01 // the application protocol the client negotiated
	TypeAuthority byte = 0x02 // the host name the client asked for (TLS SNI)
	TypeCRC32C    byte = 0x03 // a CRC32C checksum of the whole header
	TypeNoop      byte = 0x04 // padding, ignored
	TypeUniqueID  byte = 0x05 // an opaque connection ID of up to 128 bytes
	TypeSSL       byte = 0x20 // facts about the client's TLS connection
	TypeNetNS     byte = 0x30 // the network namespace the proxy accepted in
)

// TLV is one type-length-value extension of a version 2 header.
type TLV struct {
	// Type says what Value holds; see TypeALPN and the other constants.
	Type byte
	// Value is the TLV's content, at most 65,535 bytes.
	Value []byte
}

// Header is one PROXY protocol header.
//
// Source and Destination are the client's address and the address it
// connected to, as the proxy saw them: both *net.TCPAddr for a TCP
// connection, both *net.UDPAddr (version 2 only) for UDP, both
// *net.UnixAddr (version 2 only) for a Unix socket, or both nil when the
// addresses are unknown or the command is Local.
type Header struct {
	// Version is V1 or V2.
	Version Version
	// Command is Proxy, or Local when the connection carries no client.
	// A version 1 UNKNOWN header reads as Local.
	Command Command
	// Source is the client's address; nil when unknown.
	Source net.Addr
	// Destination is the address the client connected to; nil when
	// unknown.
	Destination net.Addr
	// TLVs are a version 2 header's extensions, in wire order. Version 1
	// headers and Local headers have none.
	TLVs []TLV
}

// Errors Read returns, wrapped with the detail; test with errors.Is.
var (
	// ErrNoHeader means the data does not start with a PROXY protocol
	// signature at all: the peer does not speak the protocol (or is not
	// the proxy it was thought to be).
	ErrNoHeader = errors.New("proxyproto: no PROXY protocol header")
	// ErrMalformed means the data starts like a header but breaks the
	// specification.
	ErrMalformed = errors.New("proxyproto: malformed header")
)
