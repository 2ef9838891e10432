package mxp

import "bytes"

// defineElement obeys <!ELEMENT name 'definition' ATT='a b=default' TAG=n
// FLAG=... OPEN EMPTY DELETE>. A definition holding a control character
// is refused (an expansion must not change the line mode), as are one of
// MXP's own names and any past the bounds.
func (f *Filter) defineElement(toks []token) {
	open := flag(toks, "OPEN")
	empty := flag(toks, "EMPTY")
	del := flag(toks, "DELETE")
	name, ok := attr(toks, "", 0)
	if !ok || !validTagName(name) {
		return
	}
	upper, ok := f.upperName(name)
	if !ok {
		return
	}
	if bi := lookupBuiltin(upper); bi != nil && !bi.definable {
		return
	}
	old := f.elements[string(upper)]
	if del {
		if old != nil {
			f.dropElement(old)
		}
		return
	}
	def, _ := attr(toks, "", 1)
	atts, _ := attr(toks, "ATT", -1)
	tagNum := 0
	if v, ok := attr(toks, "TAG", -1); ok && len(v) == 2 && allDigits(v) {
		tagNum = int(v[0]-'0')*10 + int(v[1]-'0')
	}
	if hasControl(def) || hasControl(atts) {
		return
	}
	el := &element{name: string(upper), def: bytes.Clone(def), open: open, empty: empty}
	if tagNum >= 20 {
		el.tag = tagNum
	}
	f.toks2 = f.tokens(f.toks2, atts, false)
	el.atts = attList(f.toks2)
	el.size = len(el.name) + len(el.def)
	for _, a := range el.atts {
		el.size += len(a.name) + len(a.def)
	}
	f.storeElement(el, old)
}

// attList turns the tokens of an attribute list ("col=red back flags")
// into attributes.
func attList(toks []token) []att {
	var atts []att
	for _, t := range toks {
		if len(atts) == maxAtts {
			break
		}
		name, def := t.name, []byte(nil)
		if name == nil {
			name = t.val
		} else {
			def = t.val
		}
		if !validTagName(name) {
			continue
		}
		atts = append(atts, att{name: string(bytes.ToUpper(name)), def: string(def)})
	}
	return atts
}

// storeElement keeps el in place of old (nil for a new name), within the
// bounds.
func (f *Filter) storeElement(el, old *element) {
	oldSize := 0
	if old != nil {
		oldSize = old.size
	} else if len(f.elements) >= f.maxElements {
		return
	}
	if f.defBytes-oldSize+el.size > maxDefBytes {
		return
	}
	if old != nil {
		f.dropElement(old)
	}
	if f.elements == nil {
		f.elements = make(map[string]*element)
	}
	f.elements[el.name] = el
	f.defBytes += el.size
	if el.tag != 0 {
		f.lineTags[el.tag-20] = el
	}
}

// dropElement forgets el.
func (f *Filter) dropElement(el *element) {
	delete(f.elements, el.name)
	f.defBytes -= el.size
	if el.tag != 0 && f.lineTags[el.tag-20] == el {
		f.lineTags[el.tag-20] = nil
	}
}

// defineAttlist obeys <!ATTLIST name 'a b=default'> (or the attributes
// not quoted): the element's attributes are replaced.
func (f *Filter) defineAttlist(toks []token) {
	name, ok := attr(toks, "", 0)
	if !ok {
		return
	}
	upper, ok := f.upperName(name)
	if !ok {
		return
	}
	old := f.elements[string(upper)]
	if old == nil {
		return
	}
	var atts []att
	if list, ok := attr(toks, "", 1); ok && len(toks) == 2 && toks[1].quoted {
		if hasControl(list) {
			return
		}
		f.toks2 = f.tokens(f.toks2, list, false)
		atts = attList(f.toks2)
	} else {
		atts = attList(toks[1:])
	}
	el := *old
	el.atts = atts
	el.size = len(el.name) + len(el.def)
	for _, a := range el.atts {
		el.size += len(a.name) + len(a.def)
	}
	f.storeElement(&el, old)
}

// defineEntity obeys <!ENTITY name value DESC=... PRIVATE PUBLISH DELETE
// ADD REMOVE>. ADD and REMOVE treat the value as a list of items
// separated by '|'. The value is kept as sent and read as MXP where the
// entity is used.
func (f *Filter) defineEntity(toks []token) {
	del := flag(toks, "DELETE")
	add := flag(toks, "ADD")
	remove := flag(toks, "REMOVE")
	flag(toks, "PRIVATE")
	flag(toks, "PUBLISH")
	name, ok := attr(toks, "", 0)
	if !ok {
		return
	}
	if del {
		if v, ok := f.entities[string(name)]; ok {
			f.defBytes -= len(name) + len(v)
			delete(f.entities, string(name))
		}
		return
	}
	value, _ := attr(toks, "", 1)
	f.setEntity(name, value, add, remove)
}

// setEntity sets the entity name to value, or adds value to its list, or
// removes it from its list; names that are not valid, or a standard
// entity's, values holding control characters or too long, and new names
// past the bounds are refused.
func (f *Filter) setEntity(name, value []byte, add, remove bool) {
	if !validEntityName(name) || hasControl(value) {
		return
	}
	if _, std := stdEntity(name); std {
		return
	}
	old, exists := f.entities[string(name)]
	var v []byte
	switch {
	case add && len(old) > 0:
		v = append(append(append(v, old...), '|'), value...)
	case remove:
		for item := range bytes.SplitSeq(old, []byte{'|'}) {
			if !bytes.Equal(item, value) {
				if v != nil {
					v = append(v, '|')
				}
				v = append(v, item...)
			}
		}
	default:
		v = bytes.Clone(value)
	}
	if v == nil {
		v = []byte{}
	}
	if len(v) > f.maxTag {
		return
	}
	size := len(name) + len(v)
	oldSize := 0
	if exists {
		oldSize = len(name) + len(old)
	} else if len(f.entities) >= f.maxEntities {
		return
	}
	if f.defBytes-oldSize+size > maxDefBytes {
		return
	}
	if f.entities == nil {
		f.entities = make(map[string][]byte)
	}
	f.entities[string(name)] = v
	f.defBytes += size - oldSize
}

// validTagName reports whether name may name an element or attribute: a
// letter, then letters, digits, '-', '_' and '.', at most maxName bytes.
func validTagName(name []byte) bool {
	if len(name) == 0 || len(name) > maxName || !isLetter(name[0]) {
		return false
	}
	for _, b := range name[1:] {
		if !isLetter(b) && !isDigit(b) && b != '-' && b != '_' && b != '.' {
			return false
		}
	}
	return true
}

// validEntityName reports whether name may name an entity: what an
// entity reference can hold, not a number.
func validEntityName(name []byte) bool {
	if len(name) == 0 || len(name) > maxEntityName || name[0] == '#' {
		return false
	}
	for i, b := range name {
		if !entityNameByte(b, i) {
			return false
		}
	}
	return true
}

// hasControl reports whether b holds a control character other than tab.
func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' || c == 0x7f {
			return true
		}
	}
	return false
}
