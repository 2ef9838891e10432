package main

import (
	"errors"

	"github.com/drawbridge/drawbridge/shared/i18n"
	"github.com/drawbridge/drawbridge/wasmclient/automation"
	"github.com/drawbridge/drawbridge/wasmclient/link"
	"github.com/drawbridge/drawbridge/wasmclient/profile"
)

// why says what went wrong, for the player, in msg's language: the
// errors the client knows get a sentence of the catalogue; anything else
// (a bug) its own text, after a sentence that says it was unexpected.
func why(msg *i18n.Catalog, err error) string {
	switch {
	case errors.Is(err, link.ErrNotConnected):
		return msg.T("client.error.not_connected")
	case errors.Is(err, link.ErrQueueFull):
		return msg.T("client.error.queue_full")
	case errors.Is(err, profile.ErrTooLarge):
		return msg.T("client.sync.too_large")
	}
	var ae *automation.Error
	var ie *automation.ItemError
	if errors.As(err, &ae) || errors.As(err, &ie) {
		return automation.Localize(msg, err) // an alias's or a key's problem
	}
	return msg.T("client.error.unexpected", "detail", err.Error())
}
