package term

// Highlight is colours the client lays over the game's where characters
// are printed: a trigger's highlight. The game's own colour changes
// (SGR) go on as ever beneath it, so nothing has to be restored when it
// ends, and the game's bytes reach the parser unchanged. Erasing, which
// is not printing, keeps the game's background.
type Highlight struct {
	// On lays the highlight; the zero Highlight lays none.
	On bool
	// FG and BG replace the game's colours; DefaultColor leaves that
	// side as the game set it. With neither set, the characters are
	// shown inverse.
	FG, BG Color
}

// SetHighlight lays h over what is printed from now on, until the next
// call (the zero Highlight: none). It is not a mode of the stream: a
// reset (RIS) keeps it, and it has no escape sequence.
func (t *Terminal) SetHighlight(h Highlight) { t.hl = h }

// Over returns the colours of a character the game gave fg and bg, with
// or without inverse, once h is laid over them.
func (h Highlight) Over(fg, bg Color, inverse bool) (Color, Color, bool) {
	switch {
	case !h.On:
	case h.FG == DefaultColor && h.BG == DefaultColor:
		inverse = true
	default:
		if h.FG != DefaultColor {
			fg = h.FG
		}
		if h.BG != DefaultColor {
			bg = h.BG
		}
		inverse = false // the game's inverse would swap the highlight's sides
	}
	return fg, bg, inverse
}

// ink is what printing gives a character: the pen, under the highlight.
func (t *Terminal) ink() pen {
	p := t.pen
	if t.hl.On {
		var inv bool
		p.fg, p.bg, inv = t.hl.Over(p.fg, p.bg, p.attr&Inverse != 0)
		p.attr &^= Inverse
		if inv {
			p.attr |= Inverse
		}
	}
	return p
}
