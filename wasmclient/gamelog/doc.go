// Package gamelog is the player's log of a session: what the game showed,
// its prompts and the commands the player sent, kept as lines with their
// colours and rendered as plain text or as a standalone HTML page. It
// imports only the standard library and wasmclient/term's palette, does no
// I/O of its own and is tested natively.
//
// # What is logged
//
// The client passes [Log.Write] the game's output as it arrives (the same
// bytes it gives the terminal), calls [Log.Prompt] when the game marks a
// prompt (telnet GA or EOR) and [Log.Input] with each command the player
// sends. Only the game's bytes go to Write: the client's local echo and
// notices, which the terminal shows too, do not (commands come through
// Input). The log reads the output as a terminal would, within one line:
//
//   - A line ends at LF (so at CR LF), and at VT, FF, IND and NEL.
//   - CR moves back to the line's start and BS one character back; what
//     is printed then overwrites what was there, as on the screen, so
//     "10%\r20%" logs "20%" (and "100%\r5%" logs "5%0%"). EL (CSI K)
//     erases within the line, so "\r\x1b[K" before a redraw works too.
//     A column is a character (a code point), however wide it is drawn.
//   - A tab moves on to the next multiple of 8 columns; the columns it
//     passes become spaces if text follows, so the log holds no tabs.
//   - SGR colours and attributes are kept: the 16 ANSI colours, the 256
//     indexed colours (38;5;n, 38:5:n), 24-bit colour (38;2;r;g;b,
//     38:2::r:g:b), bold, dim, italic, underline, inverse, hidden and
//     strikethrough. As in a terminal they hold until changed, across
//     lines. XTPUSHSGR and XTPOPSGR, DECSTR and RIS change them too.
//   - Every other control character, control sequence and escape
//     sequence is dropped, as are OSC, DCS, SOS, PM and APC strings: an
//     OSC 8 hyperlink logs its text without the link. Cursor addressing
//     means nothing in a log, so a full-screen program's drawing logs as
//     the text it printed, in the order it printed it.
//   - Invalid UTF-8 logs as U+FFFD; C1 control code points and DEL are
//     dropped.
//
// The parser is the terminal's state machine, cut down: it ends and
// aborts sequences on the same bytes, so text the terminal hid (inside
// an unterminated OSC, say) is not logged either. A sequence or a UTF-8
// character split between two writes is put together again; sequences
// are parsed as they come, not buffered, so an endless one holds no
// memory.
//
// Text the game sent before a prompt mark becomes a [Prompt] line; text
// it sent without a line feed before the player's command becomes a
// Prompt line too. A command is an [Input] line.
//
// # Passwords
//
// Passwords never reach the log. The game does not echo a password (it
// turns echo off to ask for one), so it never appears in the output; and
// the client must not pass Input what the player typed while the input
// was masked, and passes a login command as its local echo shows it, the
// password hidden (dom.HideSecret). Input cannot tell a password from a
// command, so this is the caller's duty.
//
// # Bounds
//
// A line holds at most [MaxLine] bytes of text; a longer one is cut.
// The kept lines take at most [Config.MaxBytes] (8 MiB by default),
// counting their text, their style runs and 48 bytes a line; when a new
// line would pass it, the oldest lines are dropped and the renderings
// say how many; the newest line is always kept. The line being received takes at most a few MiB more
// (64 KiB of characters each in a colour of its own). The work per input
// byte is bounded: overwriting and erasing cost in proportion to the
// bytes that asked for them, so a hostile game cannot make the log
// quadratic.
//
// A line is kept as its text once, followed by its style runs encoded
// compactly (about four bytes for each change of colour), not as cells
// or HTML. Lines are stored together, in strings of about 64 KiB, so
// that logging allocates once per 64 KiB rather than once a line (and a
// dropped line's memory goes with the last line of its string).
// [Log.TakeNew] hands out the finished lines with their text sharing
// that memory, for the client to store as it goes.
//
// # Formats
//
// [Log.WriteText] writes a header line, then each line and a command as
// "> " and the command:
//
//	-- Log started 2025-03-01 20:15:04 +0100 --
//	The Temple Square
//	[Exits: north east south]
//	<100hp 50m 80mv>
//	> look north
//
// [Log.WriteHTML] writes the same lines as a standalone HTML5 page, a
// <pre> on the palette's background, each coloured run a <span> with an
// inline style the log writes itself (property names and hex colours
// only) and each command a <span class="in">:
//
//	<span style="color:#00ffff;font-weight:bold">The Temple Square</span>
//	<span style="color:#00cd00">[Exits: north east south]</span>
//	<span class="in">&gt; look north</span>
//
// Everything from the game is escaped, and the page forbids scripts.
//
// # Concurrency
//
// A Log is not safe for concurrent use; the client calls it from the
// goroutine that feeds the terminal, or under the terminal's lock.
package gamelog
