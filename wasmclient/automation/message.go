package automation

import (
	"errors"
	"regexp/syntax"
	"strings"

	"github.com/drawbridge/drawbridge/shared/i18n"
)

// The words of this package that a player reads (its errors and the
// notes of a Mudlet import) are messages of the catalogue, package i18n,
// file catalog/LANG/automation_errors.json, under the keys auto.err.*
// (errors), auto.note.* (import notes) and auto.kind.* (the names of
// kinds of item). Error() and Note.String() give them in English, the
// source language, as logs and tests read them; Localize and
// Note.Localize give them in the player's.

// Error is a problem a player reads, as a message of the catalogue: Key
// names it and Args fill its placeholders, as name, value pairs in the
// manner of i18n.Catalog.T ("max", 100); an error among the values is
// itself localized. Err, when set, is the problem it wraps: errors.Is and
// errors.As see it, and the message shows it as the placeholder {err}.
type Error struct {
	Key  string
	Args []any
	Err  error
}

// Error returns the message in English.
func (e *Error) Error() string { return Localize(source(), e) }

// Unwrap returns the problem wrapped (an ErrKey, a regexp/syntax error
// ...), or nil.
func (e *Error) Unwrap() error { return e.Err }

// newError returns the message key with its arguments.
func newError(key string, args ...any) *Error {
	return &Error{Key: key, Args: args}
}

// wrapError returns the message key, which shows err as {err}, with its
// other arguments.
func wrapError(key string, err error, args ...any) *Error {
	return &Error{Key: key, Args: args, Err: err}
}

func source() *i18n.Catalog { return i18n.For(i18n.Source) }

// Localize returns the text of an error of this package in msg's
// language (English when msg is nil): an *Error by its message, an
// *ItemError as its kind and name and its problem, a regexp syntax error
// by its code, each error of an errors.Join, and the part of an error
// wrapped by fmt.Errorf("...: %w") that comes from here. Anything else
// (an unexpected error, such as an encoding/json one) is its own text,
// in English.
func Localize(msg *i18n.Catalog, err error) string {
	if msg == nil {
		msg = source()
	}
	switch e := err.(type) {
	case nil:
		return ""
	case *Error:
		return msg.T(e.Key, localArgs(msg, e.Args, e.Err)...)
	case *ItemError:
		return e.localize(msg)
	case *syntax.Error:
		if key, ok := syntaxKeys[e.Code]; ok {
			return msg.T(key, "expr", e.Expr)
		}
		return e.Error()
	case interface{ Unwrap() []error }:
		// errors.Join's: the texts one a line. (fmt.Errorf with several
		// %w has its own text, kept.)
		errs := e.Unwrap()
		en := make([]string, 0, len(errs))
		out := make([]string, 0, len(errs))
		for _, x := range errs {
			if x != nil {
				en = append(en, x.Error())
				out = append(out, Localize(msg, x))
			}
		}
		if strings.Join(en, "\n") == err.Error() {
			return strings.Join(out, "\n")
		}
		return err.Error()
	}
	// A wrapper whose text ends with what it wraps ("context: " + inner):
	// the context stays as it is, the inner error is localized.
	if inner := errors.Unwrap(err); inner != nil {
		text, in := err.Error(), inner.Error()
		if prefix, ok := strings.CutSuffix(text, in); ok {
			return prefix + Localize(msg, inner)
		}
	}
	return err.Error()
}

// localArgs returns a message's arguments with each error among the
// values localized, and the wrapped error, if any, as "err".
func localArgs(msg *i18n.Catalog, args []any, err error) []any {
	out := make([]any, 0, len(args)+2)
	for i, v := range args {
		if e, ok := v.(error); ok && i%2 == 1 {
			v = Localize(msg, e)
		}
		out = append(out, v)
	}
	if err != nil {
		out = append(out, "err", Localize(msg, err))
	}
	return out
}

// kindKeys are the messages that name the kinds of ItemError and Note.
// Read-only.
var kindKeys = map[string]string{
	"alias":     "auto.kind.alias",
	"trigger":   "auto.kind.trigger",
	"macro":     "auto.kind.macro",
	"key":       "auto.kind.key",
	"group":     "auto.kind.group",
	"timer":     "auto.kind.timer",
	"button":    "auto.kind.button",
	"script":    "auto.kind.script",
	"variables": "auto.kind.variables",
	"settings":  "auto.kind.settings",
}

// kindName returns the name of a kind of item in msg's language (an
// unknown kind as it is).
func kindName(msg *i18n.Catalog, kind string) string {
	if key, ok := kindKeys[kind]; ok {
		return msg.T(key)
	}
	return kind
}

// syntaxKeys are the messages of the regexp/syntax error codes, every one
// of them (a test checks against the Go release's source). Read-only.
var syntaxKeys = map[syntax.ErrorCode]string{
	syntax.ErrInternalError:         "auto.err.regexp.internal",
	syntax.ErrInvalidCharClass:      "auto.err.regexp.char_class",
	syntax.ErrInvalidCharRange:      "auto.err.regexp.char_range",
	syntax.ErrInvalidEscape:         "auto.err.regexp.escape",
	syntax.ErrInvalidNamedCapture:   "auto.err.regexp.named_capture",
	syntax.ErrInvalidPerlOp:         "auto.err.regexp.perl_op",
	syntax.ErrInvalidRepeatOp:       "auto.err.regexp.repeat_op",
	syntax.ErrInvalidRepeatSize:     "auto.err.regexp.repeat_size",
	syntax.ErrInvalidUTF8:           "auto.err.regexp.utf8",
	syntax.ErrMissingBracket:        "auto.err.regexp.missing_bracket",
	syntax.ErrMissingParen:          "auto.err.regexp.missing_paren",
	syntax.ErrMissingRepeatArgument: "auto.err.regexp.repeat_argument",
	syntax.ErrTrailingBackslash:     "auto.err.regexp.trailing_backslash",
	syntax.ErrUnexpectedParen:       "auto.err.regexp.unexpected_paren",
	syntax.ErrNestingDepth:          "auto.err.regexp.nesting",
	syntax.ErrLarge:                 "auto.err.regexp.large",
}
