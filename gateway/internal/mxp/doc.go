// Package mxp turns MXP, the MUD eXtension Protocol, into what a terminal
// shows: a streaming Filter over the game's text (already UTF-8) that
// reads the protocol's markup and writes plain text with ANSI SGR for
// styling and OSC 8 hyperlinks for links and commands. The player never
// sees a tag the filter understands; a game that does not speak MXP is
// not affected, since the telnet client runs the filter only once MXP is
// agreed (telnet option 91).
//
// The specification is Zuggsoft's, https://www.zuggsoft.com/zmud/mxp.htm
// (version 1.0; version 0.5 is in LDMud's doc/other/mxp.htm), with
// Mudlet's TMxpProcessor and MUSHclient's notes
// (https://www.gammon.com.au/forum/?id=222, "MXP modes") where it is
// vague. The tests replay the specification's examples.
//
// # Line modes
//
// ESC [ n z sets the mode of the line: 0 open, 1 secure, 2 locked, each
// until the next newline, after which the default mode is back; 3 resets
// (closes every open element, default and current mode open); 4 makes
// the next tag secure (it must follow at once); 5, 6 and 7 set the
// default mode (open, secure, locked) and the current one. 20 to 99 open,
// for the rest of the line, the element defined with TAG=n (as if its tag
// had come from a secure line: only the game sends escape sequences);
// 10-12 and 19 (the automapper's and the welcome text's) and any other
// number are consumed and ignored. The default mode is open when MXP
// starts. Switching from open to another mode, and a newline in open
// mode, close the elements opened in open mode.
//
// In open mode only the open elements work: B BOLD STRONG, I ITALIC EM,
// U UNDERLINE, S STRIKEOUT, C COLOR, H HIGH, FONT, NOBR, P, BR, SBR, H1
// to H6, and elements the game defined OPEN; any other MXP tag is
// dropped, neither shown nor obeyed. Secure mode allows everything. A
// locked line is not parsed at all: tags and entities are shown as
// sent. A tag whose name MXP does not know and the game did not define
// (a prompt such as <100hp 20mv>, a player's <grin>) is text, as are a
// '<' or '&' that cannot start a tag or entity and a tag cut by a
// control character, a newline among them, which is how Mudlet reads
// them too.
//
// # What the terminal gets
//
//   - B, I, U, S and H1-H6 (bold) become SGR attributes; C/COLOR and FONT
//     colours (the HTML colour names, #rrggbb and #rgb) become truecolour
//     SGR 38;2 and 48;2; H/HIGH brightens the colour (a basic ANSI colour
//     to its bright half, truecolour towards white, the default colour
//     by bold). Closing an element puts back the attributes it changed as
//     they were when it opened, whatever the game's own SGR did in
//     between, which the filter follows. FONT's face and size are
//     ignored. Closing an element closes the elements opened after it.
//   - BR is CR LF, SBR a space. NOBR swallows the next newline; inside a
//     P from a secure line newlines are spaces (CR is dropped in both
//     cases), though modes still change at them (a P from an open line
//     closes at its first newline, like any open element). Comments,
//     <!-- ... -->, are dropped; on a secure line they may span lines.
//   - SEND becomes an OSC 8 hyperlink (ESC ] 8 ; ; URI ESC \ text
//     ESC ] 8 ; ; ESC \) whose URI is a command link for the web client:
//     "mxp:send?" and then, URL-encoded as net/url encodes a url.Values
//     (keys sorted), c = each command of HREF ('|' separates a menu's),
//     l = the menu's labels (none, or one per command), t = the tooltip,
//     p = 1 for PROMPT (the command goes into the input line). Without
//     HREF the element's text is the command; &text; in HREF or HINT
//     stands for it. HINT with one entry more than HREF's commands gives
//     the tooltip and then the labels; with as many (a menu), the labels;
//     otherwise its first entry is the tooltip. For example
//     <SEND href="go north|look north" hint="Exits|Go|Look">north</SEND>
//     makes the URI mxp:send?c=go+north&c=look+north&l=Go&l=Look&t=Exits.
//     A command must be non-empty, at most 512 bytes and free of control
//     characters, at most 32 of them, and the URI printable ASCII of at
//     most 2048 bytes (else labels and tooltip are left out, and then the
//     link); a SEND that breaks these rules shows its text without a
//     link. A SEND whose text is needed is held until its end, at most
//     Config.MaxSendText bytes, and never across a newline or a prompt:
//     then its text goes out without a link.
//   - A makes an OSC 8 link to its HREF (with &text; filled in, or the
//     text itself without HREF), for http, https and mailto URLs only
//     (anything else: the text alone).
//   - Links do not nest: a SEND or A inside another link is text. A link
//     ends with its line, as in the terminal.
//   - <!ELEMENT>, <!ATTLIST>, <!ENTITY> and VAR define elements and
//     entities. A defined element expands to its definition, &name; of
//     its attributes (by name or position, ATT='a b=default') replaced;
//     the expansion is read with the rights of the tag that used it, so
//     an OPEN element used on an open line cannot make a link. Entities:
//     the XML five, nbsp, the HTML Latin-1 set and a few others,
//     &#nnn; and &#xhh; (ignored below 32, as the specification says,
//     and for DEL and the C1 controls), and the game's own, whose values
//     are read as MXP too. An unknown entity is shown as typed.
//   - VERSION is answered with ESC [ 1 z <VERSION MXP=1.0 CLIENT=name
//     VERSION=v> (with STYLE= once the game set one with <VERSION n>) and
//     SUPPORT with ESC [ 1 z <SUPPORTS +b -image ...>, which says for the
//     elements asked about (or all, asked about none) whether the filter
//     implements them, and with "name.*" their attributes.
//   - EXPIRE, SOUND, MUSIC, GAUGE, STAT, FRAME, IMAGE, FILTER, RELOCATE,
//     USER, PASSWORD, WELCOME, HR, SMALL and TT, and the mapper's RName,
//     RDesc, RExits and RNum (unless the game defines them): the tag is
//     dropped and its content shown. DEST (text for another window or a
//     cursor position) and SCRIPT: the tag and its content are dropped.
//
// # Safety
//
// The game's text is the attacker's in open mode: anything a player can
// say ends up there. So in a line that is not secure the game's raw OSC 8
// hyperlinks are dropped unless their URI is http, https or mailto, read
// as the browser's terminal reads them (C0 controls inside skipped, the
// command number "08" being 8): an open line cannot make a command link,
// and neither can a definition used there. Attribute values never reach
// an SGR (colours are parsed, then written as numbers) or a URI (which is
// percent-encoded). Definitions holding control characters are refused,
// so an expansion cannot change the line mode.
//
// Memory is bounded by Config: a tag longer than MaxTag is shown as text,
// elements nest at most MaxDepth deep (further opens are ignored), at most
// MaxElements and MaxEntities definitions of at most 64 KiB in all are
// kept, expansions nest at most MaxExpand deep. Work is bounded by input:
// expansions spend a credit that each input byte adds to, so a definition
// that expands itself, or a flood of short tags with long definitions,
// stops growing the output; answers to VERSION and SUPPORT spend a credit
// of their own (a byte of answer per four bytes read, after a first
// kilobyte), so a game cannot turn the client into a flood. Both credits
// count input bytes by position, so how the input is cut changes nothing.
//
// A game that does not speak MXP has no secure lines, so it makes no
// command links either: its text goes through a Guard, which drops any
// OSC 8 link of its that does not point to the web or mail (a raw
// mxp:send link, another player's text passed on with its escapes), and
// lets everything else through untouched.
package mxp
