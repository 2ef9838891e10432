package main

import (
	"testing"

	"github.com/drawbridge/drawbridge/wasmclient/dom"
	"github.com/drawbridge/drawbridge/wasmclient/term"
)

func TestKeyBytes(t *testing.T) {
	normal, app := term.Modes{}, term.Modes{AppCursor: true}
	for _, c := range []struct {
		k    dom.KeyEvent
		m    term.Modes
		want string
	}{
		{dom.KeyEvent{Key: "ArrowUp"}, normal, "\x1b[A"},
		{dom.KeyEvent{Key: "ArrowUp"}, app, "\x1bOA"},
		{dom.KeyEvent{Key: "ArrowLeft"}, app, "\x1bOD"},
		{dom.KeyEvent{Key: "Enter"}, normal, "\r"},
		{dom.KeyEvent{Key: "Enter"}, term.Modes{NewLine: true}, "\r\n"},
		{dom.KeyEvent{Key: "Backspace"}, normal, "\x7f"},
		{dom.KeyEvent{Key: "Escape"}, normal, "\x1b"},
		{dom.KeyEvent{Key: "Tab", Shift: true}, normal, "\x1b[Z"},
		{dom.KeyEvent{Key: "c", Ctrl: true}, normal, "\x03"},
		{dom.KeyEvent{Key: "C", Ctrl: true}, normal, "\x03"},
		{dom.KeyEvent{Key: "[", Ctrl: true}, normal, "\x1b"},
		{dom.KeyEvent{Key: " ", Ctrl: true}, normal, "\x00"},
		{dom.KeyEvent{Key: "x", Alt: true}, normal, "\x1bx"},
		{dom.KeyEvent{Key: "ArrowDown", Alt: true}, normal, "\x1b\x1b[B"},
		{dom.KeyEvent{Key: "é"}, normal, "é"},
		{dom.KeyEvent{Key: "F5"}, normal, "\x1b[15~"},
		{dom.KeyEvent{Text: "日本"}, normal, "日本"},
		{dom.KeyEvent{Key: "Shift"}, normal, ""},
		{dom.KeyEvent{Key: "AudioVolumeUp"}, normal, ""},
		{dom.KeyEvent{Key: "1", Ctrl: true}, normal, ""},
	} {
		if got := string(keyBytes(c.k, c.m)); got != c.want {
			t.Errorf("keyBytes(%+v, app=%v) = %q, want %q", c.k, c.m.AppCursor, got, c.want)
		}
	}
}
