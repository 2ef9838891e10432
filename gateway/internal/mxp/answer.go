package mxp

import "bytes"

// maxSupportArgs bounds the elements one SUPPORT asks about that are
// answered.
const maxSupportArgs = 64

// answer queues line for the game if the answer credit allows.
func (f *Filter) answer(line []byte) {
	f.topUp()
	if len(line)+1 > f.replyCredit {
		return
	}
	f.replyCredit -= len(line) + 1
	f.reply = append(f.reply, line...)
	f.reply = append(f.reply, '\n')
}

// answerVersion answers <VERSION>, as a secure line.
func (f *Filter) answerVersion() {
	l := append(f.line[:0], "\x1b[1z<VERSION MXP=1.0"...)
	if f.styleVersion != "" {
		l = append(l, " STYLE="...)
		l = append(l, f.styleVersion...)
	}
	l = append(l, " CLIENT="...)
	l = append(l, f.client...)
	if f.version != "" {
		l = append(l, " VERSION="...)
		l = append(l, f.version...)
	}
	l = append(l, '>')
	f.line = l
	f.answer(l)
}

// answerSupport answers <SUPPORT ...> with <SUPPORTS ...>, as a secure
// line: +name for what the filter implements, -name for what it does not,
// for each element asked about ("name", "name.attribute" or "name.*"), or
// for every element MXP defines when none is.
func (f *Filter) answerSupport(toks []token) {
	l := append(f.line[:0], "\x1b[1z<SUPPORTS"...)
	asked := 0
	for _, t := range toks {
		if t.name != nil {
			continue
		}
		if asked++; asked > maxSupportArgs {
			break
		}
		l = f.appendSupport(l, t.val)
	}
	if asked == 0 {
		for i := range builtins {
			if bi := &builtins[i]; !bi.quiet {
				l = appendSign(l, bi.impl, []byte(bi.name), nil)
			}
		}
	}
	l = append(l, '>')
	f.line = l
	f.answer(l)
}

// appendSupport appends the answer about one element asked about.
func (f *Filter) appendSupport(l, arg []byte) []byte {
	if len(arg) == 0 || len(arg) > 2*maxName {
		return l
	}
	for _, c := range arg {
		if !isLetter(c) && !isDigit(c) && c != '.' && c != '*' && c != '!' && c != '-' && c != '_' {
			return l
		}
	}
	name, at, dotted := bytes.Cut(arg, []byte{'.'})
	var bi *builtin
	if upper, ok := f.upperName(name); ok {
		bi = lookupBuiltin(upper)
	}
	impl := bi != nil && bi.impl
	switch {
	case !dotted:
		return appendSign(l, impl, name, nil)
	case string(at) == "*":
		if !impl || len(bi.attrs) == 0 {
			return appendSign(l, impl, name, nil)
		}
		for i, a := range bi.attrs {
			l = appendSign(l, i < bi.nimpl, name, []byte(a))
		}
		return l
	}
	ok := false
	if impl {
		for _, a := range bi.attrs[:bi.nimpl] {
			ok = ok || equalFold(at, a)
		}
	}
	return appendSign(l, ok, name, at)
}

// appendSign appends " +name" or " -name", with ".attr" if attr is not
// nil, in lower case.
func appendSign(l []byte, yes bool, name, attr []byte) []byte {
	if yes {
		l = append(l, " +"...)
	} else {
		l = append(l, " -"...)
	}
	l = appendLower(l, name)
	if attr != nil {
		l = append(l, '.')
		l = appendLower(l, attr)
	}
	return l
}

func appendLower(dst, s []byte) []byte {
	for _, c := range s {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
