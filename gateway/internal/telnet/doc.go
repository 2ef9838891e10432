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
// What is left for later, and where it goes: MCCP2 (Parser.Stop marks the
// spot where the stream turns into zlib data, see Parser), GMCP, MSSP,
// CHARSET and NEW-ENVIRON (subnegotiations in the Client's handler, each
// allowed in NewClient once implemented), BINARY (the CR handling already
// follows the option's state).
package telnet
