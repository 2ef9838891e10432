package mxp

import (
	"bytes"
	"unicode/utf8"
)

// sendURI builds the command link of a SEND: "mxp:send?" and the query
// c (each command), l (labels), p=1 (PROMPT), t (tooltip), keys in that
// order and values escaped as net/url's QueryEscape does. text fills in
// &text;, and is the command when href is empty. It reports false when a
// command is empty, too long or holds a control character, when there
// are too many, or when even without labels and tooltip the URI is too
// long. The URI is in f.uri.
func (f *Filter) sendURI(href, hint, text []byte, prompt bool) ([]byte, bool) {
	cmds := text
	if len(href) > 0 {
		var ok bool
		if cmds, ok = fillText(f.x1[:0], href, text); !ok {
			return nil, false
		}
		f.x1 = cmds[:0]
	}
	hints, ok := fillText(f.x2[:0], hint, text)
	if !ok {
		hints = nil
	}
	f.x2 = hints[:0]
	n := bytes.Count(cmds, []byte{'|'}) + 1
	if n > maxCommands {
		return nil, false
	}
	for c := range bytes.SplitSeq(cmds, []byte{'|'}) {
		if len(bytes.TrimSpace(c)) == 0 || !linkText(c) {
			return nil, false
		}
	}
	// The hint: one more entry than commands gives the tooltip, then
	// labels; as many (a menu), labels; otherwise its first entry is the
	// tooltip.
	var tooltip, labels []byte
	if len(hints) > 0 {
		h := bytes.Count(hints, []byte{'|'}) + 1
		switch {
		case h == n+1:
			tooltip, labels, _ = bytes.Cut(hints, []byte{'|'})
		case h == n && n > 1:
			labels = hints
		default:
			tooltip, _, _ = bytes.Cut(hints, []byte{'|'})
		}
	}
	if !linkText(tooltip) {
		tooltip = nil
	}
	if labels != nil {
		for l := range bytes.SplitSeq(labels, []byte{'|'}) {
			if !linkText(l) {
				labels = nil
				break
			}
		}
	}
	for range 2 {
		u := append(f.uri[:0], "mxp:send?"...)
		u = appendList(u, "c=", cmds)
		if labels != nil {
			u = appendList(u, "&l=", labels)
		}
		if prompt {
			u = append(u, "&p=1"...)
		}
		if len(tooltip) > 0 {
			u = append(u, "&t="...)
			u = appendQueryEscape(u, tooltip)
		}
		f.uri = u
		if len(u) <= maxURI {
			return u, true
		}
		tooltip, labels = nil, nil // too long: try the commands alone
	}
	return nil, false
}

// appendList appends key=item for each '|'-separated item of list, with
// '&' between them (key carries the first one's).
func appendList(dst []byte, key string, list []byte) []byte {
	for i, item := 0, list; ; i++ {
		var rest []byte
		var more bool
		item, rest, more = bytes.Cut(item, []byte{'|'})
		if i == 0 {
			dst = append(dst, key...)
		} else {
			dst = append(dst, '&')
			dst = append(dst, key[len(key)-2:]...) // "c=" of "&c="
		}
		dst = appendQueryEscape(dst, item)
		if !more {
			return dst
		}
		item = rest
	}
}

// linkText reports whether s may be a command, label or tooltip: UTF-8 of
// at most maxCommand bytes without control characters (C0, DEL, C1).
func linkText(s []byte) bool {
	if len(s) > maxCommand || !utf8.Valid(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c == 0xC2 && i+1 < len(s) && s[i+1] < 0xA0 {
			return false
		}
	}
	return true
}

// fillText copies s to dst with each &text; (any case) replaced by text.
// It reports false when the result would pass what a link can hold.
func fillText(dst, s, text []byte) ([]byte, bool) {
	const limit = (maxCommands + 1) * (maxCommand + 1)
	for len(s) > 0 {
		amp := bytes.IndexByte(s, '&')
		if amp < 0 {
			dst = append(dst, s...)
			break
		}
		dst = append(dst, s[:amp]...)
		s = s[amp:]
		if len(s) >= 6 && equalFold(s[:6], "&text;") {
			dst = append(dst, text...)
			s = s[6:]
		} else {
			dst = append(dst, '&')
			s = s[1:]
		}
		if len(dst) > limit {
			return dst, false
		}
	}
	return dst, len(dst) <= limit
}

// appendQueryEscape appends s escaped as url.QueryEscape escapes it.
func appendQueryEscape(dst, s []byte) []byte {
	const hex = "0123456789ABCDEF"
	for _, c := range s {
		switch {
		case isLetter(c) || isDigit(c) || c == '-' || c == '_' || c == '.' || c == '~':
			dst = append(dst, c)
		case c == ' ':
			dst = append(dst, '+')
		default:
			dst = append(dst, '%', hex[c>>4], hex[c&15])
		}
	}
	return dst
}

// aURI builds the URI of an A link: its HREF (text filling in &text;, or
// being the URI when href is empty), for http, https and mailto only,
// with spaces and non-ASCII bytes percent-encoded. The URI is in f.uri.
func (f *Filter) aURI(href, text []byte) ([]byte, bool) {
	if len(href) == 0 {
		href = text
	} else {
		var ok bool
		if href, ok = fillText(f.x1[:0], href, text); !ok {
			return nil, false
		}
		f.x1 = href[:0]
	}
	href = bytes.TrimSpace(href)
	var scheme [8]byte
	k := 0
	for _, b := range href {
		if k == len(scheme) {
			break
		}
		scheme[k] = b | 0x20
		k++
	}
	s := string(scheme[:k])
	if !hasPrefix(s, "http://") && !hasPrefix(s, "https://") && !hasPrefix(s, "mailto:") {
		return nil, false
	}
	u := f.uri[:0]
	for _, c := range href {
		switch {
		case c < 0x20 || c == 0x7f:
			return nil, false
		case c == ' ' || c >= 0x80 || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`' || c == '{' || c == '|' || c == '}':
			u = append(u, '%', "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15])
		default:
			u = append(u, c)
		}
	}
	f.uri = u
	if len(u) > maxURI {
		return nil, false
	}
	return u, true
}
