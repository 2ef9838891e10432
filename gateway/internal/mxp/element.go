package mxp

import "bytes"

// token is one attribute of a tag: NAME=value, or a value alone
// (positional, name nil).
type token struct {
	name, val []byte
	quoted    bool
	used      bool // taken as a flag: not a positional value
}

// tokens reads the attributes of a tag, args being what follows its
// name, into dst. With decode, entities in values are replaced (all but
// &text;, which SEND and A fill in themselves).
func (f *Filter) tokens(dst []token, args []byte, decode bool) []token {
	dst = dst[:0]
	if decode {
		f.vals = f.vals[:0]
	}
	i := 0
	for i < len(args) {
		for i < len(args) && (args[i] == ' ' || args[i] == '\t') {
			i++
		}
		if i == len(args) {
			break
		}
		var t token
		if q := args[i]; q == '"' || q == '\'' {
			t.val, i = quoted(args, i)
			t.quoted = true
		} else {
			j := i
			for j < len(args) && args[j] != ' ' && args[j] != '\t' && args[j] != '=' {
				j++
			}
			word := args[i:j]
			i = j
			if i < len(args) && args[i] == '=' {
				t.name = word
				i++
				if i < len(args) && (args[i] == '"' || args[i] == '\'') {
					t.val, i = quoted(args, i)
					t.quoted = true
				} else {
					j := i
					for j < len(args) && args[j] != ' ' && args[j] != '\t' {
						j++
					}
					t.val, i = args[i:j], j
				}
			} else {
				t.val = word
			}
		}
		if decode {
			t.val = f.decode(t.val)
		}
		if len(dst) < f.maxTag/2 {
			dst = append(dst, t)
		}
	}
	return dst
}

// quoted reads the quoted value at args[i] and returns it and where the
// reading goes on. The tag reader made sure the quote closes.
func quoted(args []byte, i int) ([]byte, int) {
	q := args[i]
	end := bytes.IndexByte(args[i+1:], q)
	if end < 0 {
		return args[i+1:], len(args)
	}
	return args[i+1 : i+1+end], i + 2 + end
}

// decode replaces the entities in an attribute value, into f.vals:
// standard and numeric ones, and the game's (their value as it is, not
// read as MXP). &text; and unknown ones stay as typed.
func (f *Filter) decode(v []byte) []byte {
	if bytes.IndexByte(v, '&') < 0 || len(f.vals) > 4*f.maxTag {
		return v
	}
	start := len(f.vals)
	for len(v) > 0 {
		amp := bytes.IndexByte(v, '&')
		if amp < 0 {
			f.vals = append(f.vals, v...)
			break
		}
		f.vals = append(f.vals, v[:amp]...)
		v = v[amp:]
		n := 1
		for n < len(v) && n-1 < maxEntityName && entityNameByte(v[n], n-1) {
			n++
		}
		if n == 1 || n == len(v) || v[n] != ';' {
			f.vals = append(f.vals, v[:n]...)
			v = v[n:]
			continue
		}
		name := v[1:n]
		switch r, num := numericEntity(name); {
		case num:
			if r >= 0 {
				f.vals = appendRune(f.vals, r)
			}
		default:
			if r, ok := stdEntity(name); ok {
				f.vals = appendRune(f.vals, r)
			} else if val, ok := f.entities[string(name)]; ok && !equalFold(name, "text") {
				f.vals = append(f.vals, val...)
			} else {
				f.vals = append(f.vals, v[:n+1]...)
			}
		}
		v = v[n+1:]
	}
	return f.vals[start:len(f.vals):len(f.vals)]
}

// attr returns the attribute called name, or else the positional value
// number pos (from 0; -1 for none).
func attr(toks []token, name string, pos int) ([]byte, bool) {
	for i := range toks {
		if toks[i].name != nil && equalFold(toks[i].name, name) {
			return toks[i].val, true
		}
	}
	if pos < 0 {
		return nil, false
	}
	k := 0
	for i := range toks {
		if toks[i].name != nil || toks[i].used {
			continue
		}
		if k == pos {
			return toks[i].val, true
		}
		k++
	}
	return nil, false
}

// flag reports whether the flag word name is among toks (unquoted, alone,
// or NAME=value), and marks it used so it is not a positional value.
func flag(toks []token, name string) bool {
	found := false
	for i := range toks {
		t := &toks[i]
		if t.name == nil && !t.quoted && equalFold(t.val, name) || t.name != nil && equalFold(t.name, name) {
			t.used, found = true, true
		}
	}
	return found
}

// equalFold compares ASCII letters without case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		if c := b[i]; c != s[i] && (!isLetter(c) || c|0x20 != s[i]|0x20) {
			return false
		}
	}
	return true
}

// upperName returns name in upper case, in f.upper; ok is false when it
// is too long to be an element's.
func (f *Filter) upperName(name []byte) ([]byte, bool) {
	if len(name) > len(f.upper) {
		return nil, false
	}
	for i, b := range name {
		if b >= 'a' && b <= 'z' {
			b -= 'a' - 'A'
		}
		f.upper[i] = b
	}
	return f.upper[:len(name)], true
}

// tag handles the complete tag in f.buf.
func (f *Filter) tag(depth int) {
	t := f.buf
	secure := f.secure()
	f.tempSecure = false
	closing := t[1] == '/'
	nameStart := 1
	if closing {
		nameStart = 2
	}
	name := t[nameStart:f.nameEnd]
	args := t[f.nameEnd : len(t)-1]
	if len(args) > 0 && args[len(args)-1] == '/' {
		args = args[:len(args)-1] // <BR/>
	}
	if len(name) >= 3 && string(name[:3]) == "!--" {
		return // a comment
	}
	upper, ok := f.upperName(name)
	if !ok {
		f.text(t)
		return
	}
	bi := lookupBuiltin(upper)
	var el *element
	if bi == nil || bi.definable {
		el = f.elements[string(upper)]
	}
	switch {
	case el == nil && bi == nil:
		f.text(t) // not MXP: a prompt's <100hp>, a player's <grin>
		return
	case el != nil && !secure && !el.open, el == nil && !secure && !bi.open:
		return // not allowed here: dropped
	case closing:
		f.closeTag(bi, el, secure)
	case el != nil:
		f.openElement(el, args, false, secure, depth)
	default:
		f.openBuiltin(bi, args, secure, depth)
	}
}

// closeTag closes the innermost open element that bi or el names (in
// open mode, one opened in open mode), and those opened after it.
func (f *Filter) closeTag(bi *builtin, el *element, secure bool) {
	for i := len(f.stack) - 1; i >= 0; i-- {
		fr := &f.stack[i]
		if !secure && !fr.open {
			continue
		}
		if el != nil && fr.el != nil && fr.el.name == el.name || el == nil && fr.bi != nil && (fr.bi == bi || fr.bi.id == bi.id && bi.id != tagIgnored && bi.id != tagHidden) {
			f.closeTo(i)
			return
		}
	}
}

// openBuiltin obeys an opening tag of MXP's own.
func (f *Filter) openBuiltin(bi *builtin, args []byte, secure bool, depth int) {
	decode := bi.id != tagElement && bi.id != tagAttlist && bi.id != tagEntity
	f.toks = f.tokens(f.toks, args, decode)
	toks := f.toks
	fr := frame{id: bi.id, bi: bi, open: !secure}
	t := f.cur
	switch bi.id {
	case tagBold, tagHeading:
		t.attr |= attrBold
		fr.mask = attrBold
	case tagItalic:
		t.attr |= attrItalic
		fr.mask = attrItalic
	case tagUnderline:
		t.attr |= attrUnderline
		fr.mask = attrUnderline
	case tagStrike:
		t.attr |= attrStrike
		fr.mask = attrStrike
	case tagColor:
		if v, ok := attr(toks, "FORE", 0); ok {
			if c, ok := parseColor(v); ok {
				t.fg, fr.mask = c, fr.mask|maskFG
			}
		}
		if v, ok := attr(toks, "BACK", 1); ok {
			if c, ok := parseColor(v); ok {
				t.bg, fr.mask = c, fr.mask|maskBG
			}
		}
	case tagFont:
		// FONT FACE SIZE COLOR BACK; COLOR may be a list such as
		// "Red,Bold" (the specification's "Red,Blink").
		if v, ok := attr(toks, "COLOR", 2); ok {
			for len(v) > 0 {
				var item []byte
				item, v, _ = bytes.Cut(v, []byte{','})
				item = bytes.TrimSpace(item)
				if c, ok := parseColor(item); ok {
					t.fg, fr.mask = c, fr.mask|maskFG
					continue
				}
				for _, a := range [...]struct {
					name string
					bit  uint8
				}{{"bold", attrBold}, {"italic", attrItalic}, {"underline", attrUnderline}, {"strikeout", attrStrike}} {
					if equalFold(item, a.name) {
						t.attr, fr.mask = t.attr|a.bit, fr.mask|a.bit
					}
				}
			}
		}
		if v, ok := attr(toks, "BACK", 3); ok {
			if c, ok := parseColor(v); ok {
				t.bg, fr.mask = c, fr.mask|maskBG
			}
		}
	case tagHigh:
		if c, ok := brighter(t.fg); ok {
			t.fg, fr.mask = c, maskFG
		} else {
			t.attr |= attrBold
			fr.mask = attrBold
		}
	case tagNobr:
		f.nobr = true
		return
	case tagBR:
		f.text(p0("\r\n"))
		return
	case tagSBR:
		f.text(p0(" "))
		return
	case tagP:
		// In open mode a P ends at the newline, before it could join
		// lines: only a secure one does anything.
		fr.para = secure
		if f.push(fr) && secure {
			f.para++
		}
		return
	case tagHidden:
		fr.hide = true
		if f.push(fr) {
			f.hide++
		}
		return
	case tagSend, tagA:
		f.openLink(fr, toks)
		return
	case tagVar:
		name, ok := attr(toks, "NAME", 0)
		if !ok || !validEntityName(name) {
			return
		}
		if f.push(fr) {
			top := &f.stack[len(f.stack)-1]
			top.varName = f.keep(name)
			f.record(top)
		}
		return
	case tagVersion:
		if v, ok := attr(toks, "", 0); ok {
			f.styleVersion = cleanWord(string(v)) // <VERSION n> sets the style version
			return
		}
		f.answerVersion()
		return
	case tagSupport:
		f.answerSupport(toks)
		return
	case tagElement:
		f.defineElement(toks)
		return
	case tagAttlist:
		f.defineAttlist(toks)
		return
	case tagEntity:
		f.defineEntity(toks)
		return
	default: // tagIgnored
		return
	}
	if f.push(fr) {
		f.setStyle(t)
	}
}

// keep stores b in the arena for the top frame, returning its span.
func (f *Filter) keep(b []byte) span {
	lo := len(f.arena)
	f.arena = append(f.arena, b...)
	return span{lo, len(f.arena)}
}

// record makes fr record its text.
func (f *Filter) record(fr *frame) {
	fr.rec = true
	fr.recStart = len(f.rec)
	f.recorders++
}

// openLink opens a SEND or an A. A link whose URI is known now opens at
// once and its text streams; one that needs its text (no HREF, or
// &text; in it) holds the text until its end.
func (f *Filter) openLink(fr frame, toks []token) {
	fr.url = fr.id == tagA
	fr.prmpt = !fr.url && flag(toks, "PROMPT")
	href, _ := attr(toks, "HREF", 0)
	var hint []byte
	if !fr.url {
		hint, _ = attr(toks, "HINT", 1)
	}
	if f.linkOpen || f.hide > 0 {
		f.push(fr) // links do not nest: the text is only text
		return
	}
	if len(href) > 0 && !hasText(href) && !hasText(hint) {
		var uri []byte
		var ok bool
		if fr.url {
			uri, ok = f.aURI(href, nil)
		} else {
			uri, ok = f.sendURI(href, hint, nil, fr.prmpt)
		}
		if !ok || !f.push(fr) {
			return
		}
		f.stack[len(f.stack)-1].link = linkStream
		f.linkOpen = true
		f.raw(p0(oscOpen))
		f.raw(uri)
		f.raw(p0(oscEnd))
		return
	}
	if !f.push(fr) {
		return
	}
	top := &f.stack[len(f.stack)-1]
	top.link = linkCapture
	top.href = f.keep(href)
	top.hint = f.keep(hint)
	f.record(top)
	f.capturing, f.linkOpen = true, true
	f.held = f.held[:0]
}

// hasText reports whether s holds &text; (in any case).
func hasText(s []byte) bool {
	for i := bytes.IndexByte(s, '&'); i >= 0; {
		if len(s)-i >= 6 && equalFold(s[i:i+6], "&text;") {
			return true
		}
		j := bytes.IndexByte(s[i+1:], '&')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// openElement opens a defined element: a frame for it (unless EMPTY),
// then its definition, with &name; of its attributes filled in, read with
// the rights of the tag (secure or not). line is true for a line tag.
func (f *Filter) openElement(el *element, args []byte, line, secure bool, depth int) {
	if !el.empty && !f.push(frame{id: tagCustom, el: el, open: !secure, line: line}) {
		return
	}
	if len(el.def) == 0 {
		return
	}
	var vals [maxAtts][]byte
	if len(args) > 0 {
		f.toks = f.tokens(f.toks, args, true)
		pos := 0
		for i := range f.toks {
			tk := &f.toks[i]
			k := -1
			if tk.name != nil {
				for j := range el.atts {
					if equalFold(tk.name, el.atts[j].name) {
						k = j
						break
					}
				}
			} else {
				k = pos
				pos++
			}
			if k >= 0 && k < len(el.atts) && (len(tk.val) > 0 || !tk.quoted) {
				vals[k] = tk.val
			}
		}
	}
	// The expansion: &att; replaced, everything else as it is.
	x := f.xbuf[:0]
	d := el.def
	for len(d) > 0 {
		amp := bytes.IndexByte(d, '&')
		if amp < 0 {
			x = append(x, d...)
			break
		}
		x = append(x, d[:amp]...)
		d = d[amp:]
		semi := bytes.IndexByte(d, ';')
		k := -1
		if semi > 1 {
			for j := range el.atts {
				if equalFold(d[1:semi], el.atts[j].name) {
					k = j
					break
				}
			}
		}
		if k < 0 {
			x = append(x, '&')
			d = d[1:]
			continue
		}
		if vals[k] != nil {
			x = append(x, vals[k]...)
		} else {
			x = append(x, el.atts[k].def...)
		}
		d = d[semi+1:]
		if len(x) > 2*f.maxTag {
			f.xbuf = x[:0]
			return // too big to be a sensible expansion
		}
	}
	f.xbuf = x
	f.expand(x, depth, secure)
}

// expand reads b, the expansion of an element or entity, as MXP, with
// secure rights if secure. It reports false, having done nothing, when
// expansions nest too deep or the credit for them is spent.
func (f *Filter) expand(b []byte, depth int, secure bool) bool {
	f.topUp()
	if depth+1 > f.maxExpand || len(b) > f.credit {
		return false
	}
	f.credit -= len(b)
	for len(f.exp) <= depth {
		f.exp = append(f.exp, nil)
	}
	f.exp[depth] = append(f.exp[depth][:0], b...)
	elevate := secure && !f.secure()
	if elevate {
		f.elevate++
	}
	f.st = stText
	f.feed(f.exp[depth], depth+1)
	// What the expansion left unfinished ends with it.
	switch f.st {
	case stTag, stEntity, stComment:
		f.text(f.buf)
	case stEsc, stCSI:
		f.raw(f.buf)
	}
	f.st = stText
	if elevate {
		f.elevate--
	}
	return true
}

// entity handles the complete entity in f.buf.
func (f *Filter) entity(depth int) {
	name := f.buf[1 : len(f.buf)-1]
	if r, ok := numericEntity(name); ok {
		if r >= 0 {
			var b [4]byte
			f.text(appendRune(b[:0], r))
		}
		return
	}
	if r, ok := stdEntity(name); ok {
		var b [4]byte
		f.text(appendRune(b[:0], r))
		return
	}
	if v, ok := f.entities[string(name)]; ok && f.expand(v, depth, false) {
		return
	}
	f.text(f.buf) // unknown: as typed
}

// appendRune appends the UTF-8 encoding of r.
func appendRune(dst []byte, r rune) []byte {
	switch {
	case r < 0x80:
		return append(dst, byte(r))
	case r < 0x800:
		return append(dst, 0xC0|byte(r>>6), 0x80|byte(r)&0x3F)
	case r < 0x10000:
		return append(dst, 0xE0|byte(r>>12), 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
	}
	return append(dst, 0xF0|byte(r>>18), 0x80|byte(r>>12)&0x3F, 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
}
