// Package telnet is the gateway's telnet side, toward the game: a
// byte-level parser for RFC 854/855 streams, an RFC 1143 option
// negotiator, and a Client that speaks telnet to a game for one player.
//
// The pieces stack:
//
//   - Parser turns a byte stream into events (data, commands, option
//     negotiation, subnegotiation) through a Handler. It is an explicit
//     state machine whose state survives between calls, so a sequence cut
//     anywhere by TCP gives the same events, and its memory is bounded.
//     The demo game uses it for the server side too.
//   - Negotiator keeps the state of every option on both sides with the
//     Q method of RFC 1143, so negotiation never loops and requests we do
//     not want are refused.
//   - Client puts both together for the bridge: game bytes in, clean UTF-8
//     text, prompt marks and echo changes out to a Sink; player lines and
//     keys in, escaped telnet out. A player can never inject a telnet
//     command: every 255 byte from the player is doubled.
//
// Compression (MCCP2) sits between the two: where the game starts it, the
// Parser stops (Parser.Stop), and the rest of the stream goes through an
// inflater whose output the same Parser reads, until the zlib stream
// ends. Legacy charsets (Latin-1, CP437, KOI8-R, and the multi-byte GBK,
// GB18030, Big5, EUC-KR and Shift_JIS of the WHATWG Encoding Standard,
// https://encoding.spec.whatwg.org/; see Config.Charset) are transcoded
// at the Client's edges: game text to UTF-8 before the Sink, holding
// the start of a multi-byte character cut by the end of a read, and
// player input from UTF-8 before IAC escaping.
//
// MSDP (option 69, https://tintin.mudhalla.net/protocols/msdp/) is
// agreed to when the game offers it: the Client asks it to REPORT the
// generic variables the web client shows (MSDPReported) and hands what
// the game sends to the Sink as "MSDP over GMCP", one GMCP message
// "MSDP {json}" a subnegotiation (MSDPToJSON, with nesting bounded).
//
// MXP (the MUD eXtension Protocol, option 91,
// https://www.zuggsoft.com/zmud/mxp.htm) is agreed to whichever way the
// game asks (WILL or DO) unless Config.NoMXP: while it is on, the game's
// text goes through package mxp's Filter, which turns its markup into
// SGR styling and OSC 8 links (its <SEND> commands become "mxp:send?..."
// links the web client offers the player), and its answers to <VERSION>
// and <SUPPORT> go back to the game as lines. MTTS has no bit for MXP (16
// is mouse tracking): a game learns of MXP from the negotiation.
//
// MSSP is read by ParseMSSP, for the gateway's status checks (package
// status) and the demo game; the Client itself refuses MSSP, which is for
// crawlers, not players.
package telnet
