package telnet

import "bytes"

// DefaultMaxSubneg is the longest subnegotiation payload a Parser keeps
// when its MaxSubneg is zero. MUD payloads (GMCP, MSSP, TTYPE) are far
// smaller; a longer one is almost certainly broken or hostile.
const DefaultMaxSubneg = 8 << 10

// Handler receives the events a Parser finds in a telnet byte stream. All
// methods are called synchronously from Parse, in stream order.
type Handler interface {
	// Data receives application data with IAC IAC already turned into a
	// single 255 and, unless Parser.Binary is set, CR NUL into CR. p is a
	// sub-slice of the buffer given to Parse wherever possible and is valid
	// only during the call. Data may be cut into pieces anywhere (at the
	// edges of the buffers given to Parse and around commands): the pieces
	// carry no meaning.
	Data(p []byte)
	// Command receives IAC followed by a byte that is not an option verb,
	// SB, SE or IAC: GA, EOR, NOP, AYT, ... and bytes no RFC defines.
	Command(cmd byte)
	// Negotiate receives IAC WILL/WONT/DO/DONT opt.
	Negotiate(verb, opt byte)
	// Subnegotiation receives IAC SB opt data IAC SE with IAC IAC in data
	// unescaped. data is valid only during the call.
	Subnegotiation(opt byte, data []byte)
}

// ParserStats counts what a Parser threw away, so the owner can log or
// export it.
type ParserStats struct {
	// Oversized counts subnegotiations discarded whole because their
	// payload was longer than MaxSubneg.
	Oversized int
	// Aborted counts subnegotiations cut short by IAC followed by a byte
	// other than IAC or SE; the byte after IAC is then handled as if the
	// subnegotiation had not been there (so IAC SB ... IAC WILL x still
	// delivers the WILL).
	Aborted int
}

type parserState uint8

const (
	psData  parserState = iota // application data
	psIAC                      // saw IAC in data
	psVerb                     // saw IAC WILL/WONT/DO/DONT, the option comes next
	psSBOpt                    // saw IAC SB, the option comes next
	psSB                       // inside a subnegotiation payload
	psSBIAC                    // saw IAC inside a subnegotiation payload
)

// Parser is the byte-level telnet state machine of RFC 854 and RFC 855,
// used by both ends: the gateway's Client toward a game and the demo
// game's server toward its players.
//
// A Parser keeps its state between calls to Parse, so a sequence may be
// split anywhere across buffers: feeding a stream byte by byte produces
// the same events as feeding it at once (Data pieces aside, which may be
// cut differently). The zero value is ready to use. A Parser is not safe
// for concurrent use.
//
// Receive-side CR handling (RFC 854 NVT rules, applied leniently): CR NUL
// becomes CR, CR LF passes unchanged, and CR followed by anything else
// passes too. Setting Binary (while the peer transmits in BINARY mode,
// RFC 856) turns this off so NUL bytes after CR are kept.
//
// Memory is bounded: the only buffer is the subnegotiation payload, which
// never grows beyond MaxSubneg. A longer subnegotiation is dropped whole
// (never delivered truncated) and counted in Stats.
//
// Compression (MCCP2): after IAC SB MCCP2 IAC SE the rest of the stream
// from the game is zlib data. The owner (Client) calls Stop from its
// Subnegotiation method when it sees that option; Parse then returns right
// after the SE with the number of bytes it consumed, and the owner feeds
// the remaining bytes, and everything after them, through a zlib reader
// whose output it parses with this same Parser. When the zlib stream ends,
// the owner goes back to parsing raw bytes from where the compressed data
// stopped.
type Parser struct {
	// MaxSubneg bounds the payload of one subnegotiation in bytes; zero or
	// less means DefaultMaxSubneg.
	MaxSubneg int
	// Binary turns off the CR NUL to CR translation: set it while the peer
	// sends in BINARY mode.
	Binary bool

	state  parserState
	verb   byte // WILL/WONT/DO/DONT in psVerb
	sbOpt  byte // option of the subnegotiation being collected
	sbOver bool // the payload outgrew MaxSubneg: drop it at SE
	lastCR bool // the last data byte delivered was CR
	stop   bool // Stop was called from a Handler method
	sb     []byte
	stats  ParserStats
}

// Stats returns how many subnegotiations the Parser dropped so far.
func (p *Parser) Stats() ParserStats { return p.stats }

// Stop makes Parse return right after the event being delivered, with
// the number of bytes it consumed; call it from a Handler method during
// Parse. The Parser's state stays consistent: the caller may hand the
// remaining bytes to Parse later (or, for MCCP2, decompress them first).
func (p *Parser) Stop() { p.stop = true }

// Reset returns the Parser to its initial state, as for a new connection,
// keeping MaxSubneg, Binary and the counters.
func (p *Parser) Reset() {
	p.state = psData
	p.sb = p.sb[:0]
	p.sbOver = false
	p.lastCR = false
	p.stop = false
}

func (p *Parser) maxSubneg() int {
	if p.MaxSubneg > 0 {
		return p.MaxSubneg
	}
	return DefaultMaxSubneg
}

// Parse consumes b, calling h for every event found, and returns the
// number of bytes consumed: len(b) unless a Handler method called Stop.
// A sequence cut at the end of b is completed by the next call.
func (p *Parser) Parse(b []byte, h Handler) int {
	p.stop = false
	i := 0
	run := -1 // start in b of data not yet given to h.Data, or -1
	for i < len(b) {
		switch p.state {
		case psData:
			if run < 0 {
				run = i
			}
			end := len(b)
			if j := bytes.IndexByte(b[i:], IAC); j >= 0 {
				end = i + j
			}
			if !p.Binary {
				// Drop each NUL that follows a CR. NUL is rare in game
				// text, so IndexByte keeps this a vectorised scan.
				for k := i; k < end; {
					z := bytes.IndexByte(b[k:end], 0)
					if z < 0 {
						break
					}
					z += k
					prevCR := p.lastCR
					if z > i {
						prevCR = b[z-1] == '\r'
					}
					if prevCR {
						p.lastCR = false
						if z > run {
							h.Data(b[run:z])
						}
						run = z + 1
						if p.stop {
							return z + 1
						}
					}
					k = z + 1
				}
			}
			if end > i {
				p.lastCR = b[end-1] == '\r'
			}
			i = end
			if i == len(b) {
				break
			}
			// b[i] is IAC.
			if i > run {
				h.Data(b[run:i])
				if p.stop {
					return i
				}
			}
			run = -1
			p.state = psIAC
			p.lastCR = false
			i++

		case psIAC:
			c := b[i]
			i++
			switch {
			case c == IAC:
				run = i - 1 // the second IAC is the data byte 255
				p.state = psData
			case c >= WILL:
				p.verb = c
				p.state = psVerb
			case c == SB:
				p.state = psSBOpt
			case c == SE:
				// SE outside a subnegotiation: nothing to end.
				p.state = psData
			default:
				p.state = psData
				h.Command(c)
				if p.stop {
					return i
				}
			}

		case psVerb:
			c := b[i]
			i++
			p.state = psData
			h.Negotiate(p.verb, c)
			if p.stop {
				return i
			}

		case psSBOpt:
			p.sbOpt = b[i]
			p.sb = p.sb[:0]
			p.sbOver = false
			p.state = psSB
			i++

		case psSB:
			end := len(b)
			if j := bytes.IndexByte(b[i:], IAC); j >= 0 {
				end = i + j
			}
			p.appendSB(b[i:end])
			i = end
			if i < len(b) {
				p.state = psSBIAC
				i++
			}

		case psSBIAC:
			c := b[i]
			switch c {
			case IAC:
				p.appendSB(b[i : i+1])
				p.state = psSB
				i++
			case SE:
				p.state = psData
				i++
				if p.sbOver {
					p.stats.Oversized++
					break
				}
				h.Subnegotiation(p.sbOpt, p.sb)
				if p.stop {
					return i
				}
			default:
				// IAC x inside SB: the peer never ended the subnegotiation.
				// Drop it and handle x as a command after IAC, so a
				// missing SE cannot swallow the rest of the stream.
				p.stats.Aborted++
				p.state = psIAC
			}
		}
	}
	if run >= 0 && run < len(b) {
		h.Data(b[run:])
	}
	return len(b)
}

// appendSB adds s to the subnegotiation payload, or marks the payload
// oversized when it would outgrow MaxSubneg. The buffer's capacity never
// exceeds MaxSubneg.
func (p *Parser) appendSB(s []byte) {
	if p.sbOver || len(s) == 0 {
		return
	}
	limit := p.maxSubneg()
	n := len(p.sb) + len(s)
	if n > limit {
		p.sbOver = true
		return
	}
	if n > cap(p.sb) {
		c := max(2*cap(p.sb), n, 64)
		c = min(c, limit)
		grown := make([]byte, len(p.sb), c)
		copy(grown, p.sb)
		p.sb = grown
	}
	p.sb = append(p.sb, s...)
}
