package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/drawbridge/drawbridge/shared/i18n"
	"github.com/drawbridge/drawbridge/wasmclient/automation"
	"github.com/drawbridge/drawbridge/wasmclient/link"
	"github.com/drawbridge/drawbridge/wasmclient/profile"
)

func TestWhySaysItInThePlayersLanguage(t *testing.T) {
	zh := i18n.For("zh-Hans")
	for _, tc := range []struct {
		err  error
		want string
	}{
		{link.ErrNotConnected, zh.T("client.error.not_connected")},
		{fmt.Errorf("send: %w", link.ErrQueueFull), zh.T("client.error.queue_full")},
		{profile.ErrTooLarge, zh.T("client.sync.too_large")},
	} {
		if got := why(zh, tc.err); got != tc.want {
			t.Errorf("why(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
	// An alias's or a key's problem, in the automation's words.
	_, err := automation.ParseKey("Ctrl+Nothing")
	if err == nil {
		t.Fatal("a key that does not exist was taken")
	}
	if got := why(zh, err); got != automation.Localize(zh, err) || !strings.ContainsFunc(got, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
		t.Errorf("why(%v) = %q, want the automation's Chinese", err, got)
	}
	// Anything else is a bug: said so, with the detail.
	if got := why(zh, errors.New("boom")); got != zh.T("client.error.unexpected", "detail", "boom") {
		t.Errorf("an unexpected error gave %q", got)
	}
}
