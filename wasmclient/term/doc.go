// Package term is Drawbridge's terminal model: an xterm-compatible VT
// parser, a screen of cells with an alternate screen and a scrollback ring,
// and the small amount of state the input side needs (cursor-key mode,
// bracketed paste, mouse modes).
//
// It imports only the standard library and knows nothing of how it is
// drawn: the Ebitengine renderer (wasmclient/ui) reads cells from it, and
// the accessible text mirror reads [Terminal.Text]. It is tested natively.
//
// # Feeding it
//
// [Terminal.Write] parses and applies any bytes, never fails and never
// panics. Parser state (a UTF-8 sequence, a CSI or OSC sequence) is kept
// across calls, so output may be split anywhere. Invalid UTF-8 shows as
// U+FFFD. Every sequence is bounded (32 parameters, 4 KiB of OSC text,
// counts clamped to the screen), so the work per input byte is bounded by
// the screen size and memory by the screen and scrollback sizes.
//
// The parser follows Paul Williams' DEC ANSI parser
// (vt100.net/emu/dec_ansi_parser) with the usual modern changes: ':'
// separates sub-parameters (SGR 38:2::r:g:b), C1 bytes are not controls
// (they are UTF-8 continuation bytes, and C1 code points are dropped), OSC
// ends with BEL or ST, and CAN/SUB abort a sequence without dispatching it.
// DCS, SOS, PM and APC strings are skipped.
//
// # Reading it
//
// The visible screen is [Terminal.Size] cells; row 0 is the top of the
// live screen. [Terminal.Line] returns a row's cells without copying;
// [Terminal.ScrollbackLine] returns history, 0 being the oldest line.
// Slices returned by Line and ScrollbackLine belong to the terminal: read
// them, do not change or keep them past the next Write or Resize (nor a
// ScrollbackLine slice past 127 more ScrollbackLine calls).
//
// A [Cell] with Width 2 is the left half of a wide (East Asian or emoji)
// character; the cell to its right has Width 0 and must be skipped when
// drawing. Combining marks (Mn, Me, ZWJ, variation selectors) never take a
// cell: they are stored in the Marks of the cell they follow, up to
// [MaxMarks] per cell, and drawn with it.
//
// # Links
//
// OSC 8 hyperlinks (ESC ] 8 ; params ; URI ST, BEL also ending it) give
// the characters printed while the link is open a [Cell.Link] id, and
// ESC ] 8 ; ; ST closes the link. [Terminal.LinkURI] resolves an id;
// [Terminal.RowLinks] and [Terminal.LineLinks] list a row's links as
// [Span]s for a renderer to underline and open. Only absolute http and
// https URLs with a host, mailto URIs and command links (the commands a
// game marks with MXP, see [ParseCommandLink]), in printable ASCII and at
// most 2 KiB long, open a link; anything else opens none and its text prints
// as usual. The parameters (id=...) are ignored.
//
// An unterminated OSC 8 never turns later text into links, by mistake or
// on purpose. An open link is closed by a line feed (LF, VT, FF, IND,
// NEL; so by CR LF), by RIS and DECSTR, and on switching between the
// main and alternate screens. An OSC 8 closes the open link as soon as
// its number is read, so one that does not end properly (CAN or SUB, an
// ESC that does not begin ST, more than the 4 KiB an OSC may hold) leaves
// no link open. A link does go on across an auto-wrap, a CR and SGR
// changes, as long text in a link needs.
//
// The ids index a table of the latest 4096 links (so at most 8 MiB of
// URIs). A cell whose link has lost its place in the table resolves to
// "", never to a newer link: every 30,720 new links, before ids can come
// round again, the terminal sweeps the cells it holds and clears the ids
// that lost their place. Links go into the scrollback with their cells.
//
// Plain URLs are found in the text when asked for, not stored: http://
// and https:// URLs, and www. names (www.example.org links to
// https://www.example.org), starting at a word boundary and made of the
// characters RFC 3986 allows plus letters and digits beyond ASCII (not
// wide ones), with a host of letters, digits, '-' and '.' and an optional
// port. A trailing . , ; : ! ? ' and a ) or ] without its opening one are
// left out; spaces, < > " and wide characters end a URL. URLs with a
// user name, an IP literal in brackets or a bad % escape, and URLs over
// 2 KiB, are not linked. RowLinks cuts a URL at the row's edge;
// LineLinks follows one that auto-wrapped onto other rows.
//
// # Scrollback
//
// Lines that scroll off the top of the main screen go into a ring of at
// most the scrollback size given to [New]. As in xterm, that includes a
// scroll region whose top is the top of the screen, so a game that keeps a
// status line at the bottom still builds history; lines leaving a region
// that starts lower down, lines removed by DL, and anything on the
// alternate screen are not kept. ED 3 clears the scrollback. A line that
// auto-wrapped onto the next keeps its trailing spaces; others lose them.
// A reflow (see below) lays the scrollback out again, so its lines may
// then be shorter than the screen is wide.
//
// The scrollback stores a line compactly, not as Cells: its text in UTF-8
// with the colours, attributes and link written only where they change
// (every Cell comes back exactly), so 10,000 lines of MUD output take
// about 1.6 MB rather than 10,000 screen widths of 28-byte Cells (40 MB
// at 141 columns). [Terminal.ScrollbackLine] decodes a line into a cache
// of the last 128 lines read, so drawing a screen of history decodes
// each row once.
//
// # Word wrap and resizing
//
// By default, as in xterm, a line wraps at the last column and
// [Terminal.Resize] clips and pads lines. With [Terminal.SetWordWrap] on
// (the web client's line mode), lines on the main screen wrap at word
// boundaries, and a change of width reflows the main screen and the
// scrollback, as xterm.js, kitty, foot and VTE reflow: rows carry a
// soft-wrap mark (Wrapped, ScrollbackWrapped), the rows a line wrapped
// over are one logical line, and Resize lays each out again at the new
// width, breaking after the last space that keeps a word whole (a word
// longer than a row still breaks). The blanks a moved word leaves are
// [WrapPad] cells, not text, so copying and [RowText] give the line as
// it was sent; wide characters move whole; links are in the cells and go
// with them. The alternate screen is never word wrapped nor reflowed.
// Either way rows leave and come back through the scrollback; see Resize
// for the rules.
//
// # Redrawing only what changed
//
// Every change marks the rows it touched. A renderer does:
//
//	if t.Dirty() {
//		for y := range rows {
//			if t.RowDirty(y) {
//				drawRow(y, t.Line(y))
//			}
//		}
//		t.ClearDirty()
//	}
//
// A cursor move counts as a change of the rows it left and entered, so a
// renderer that draws the cursor as part of its row needs nothing more.
// [Terminal.ScrollbackAdded] counts every line ever pushed into the
// scrollback, so a view scrolled into history can stay anchored.
//
// # Colours
//
// A [Color] is packed in 32 bits: the default colour (the zero value), an
// index into a 256-entry [Palette], or 24-bit RGB. [Color.Resolve] and
// [Palette.CellColors] turn it into a color.RGBA, the latter applying
// Inverse, Hidden, Faint and bold-is-bright.
//
// # Concurrency
//
// A Terminal is not safe for concurrent use, not even by readers only
// (LineLinks joins lines in a buffer of the terminal's). The client holds
// one mutex while it writes game output and while it draws.
package term
