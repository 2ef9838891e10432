package account

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// MaxSettingsBytes bounds a settings document, as sent: room for display
// settings, aliases, triggers, macros and a long command history, and
// small enough that a write costs the store little.
const MaxSettingsBytes = 256 << 10

// Settings is an account's client settings: a JSON object the web client
// defines (display settings, aliases, triggers, macros, command history)
// and the gateway keeps opaque, so that a player's phone and laptop share
// them. Each write makes a new version, and a write names the version it
// replaces (compare-and-swap): two devices cannot silently undo each
// other's changes.
type Settings struct {
	// Version counts the writes: 0 when nothing is stored, 1 after the
	// first write, one more after each.
	Version int64
	// Updated is the time of the last write; zero when nothing is stored.
	Updated time.Time
	// Doc is the JSON object; nil when nothing is stored.
	Doc []byte
}

// SettingsStore keeps each account's client settings, deleted with the
// account.
type SettingsStore interface {
	// Settings returns the settings of the account userID: a zero
	// Settings if none are stored (or there is no such account).
	Settings(ctx context.Context, userID int64) (Settings, error)

	// PutSettings stores doc as the settings of the account userID, if
	// version is the version stored now (0: none stored yet), and
	// returns them with Version version+1 and Updated now. Otherwise it
	// stores nothing and returns the settings as they are, with
	// ErrVersionConflict (wrapped or not). Check and write are atomic:
	// of concurrent puts with the same version, on any node, exactly one
	// succeeds. ErrNotFound if there is no such account. The store keeps
	// doc byte for byte, up to at least MaxSettingsBytes.
	PutSettings(ctx context.Context, userID, version int64, doc []byte, now time.Time) (Settings, error)
}

// Settings returns the client settings of account u: the one Authenticate
// returned for the request's session. Guests have none kept here
// (ErrGuestSettings): their client keeps its settings in the browser.
func (s *Service) Settings(ctx context.Context, u User) (Settings, error) {
	if u.Guest {
		return Settings{}, ErrGuestSettings
	}
	st, err := s.store.Settings(ctx, u.ID)
	if err != nil {
		return Settings{}, fmt.Errorf("settings of %q: %w", u.Name, err)
	}
	return st, nil
}

// PutSettings replaces the client settings of account u (the one
// Authenticate returned) with doc, if version is the version stored now
// (0 when none are), and returns the new version. doc must be a JSON
// object (ErrInvalidSettings) of at most MaxSettingsBytes
// (ErrSettingsTooLarge); it is stored without insignificant whitespace.
// A stale version stores nothing and returns the current settings with
// ErrVersionConflict: another device wrote first, and the client merges
// and tries again. Guests get ErrGuestSettings.
//
// Writes are not audited: settings give no rights and hold no
// credentials, a client writes them often (its command history is in
// them), and the audit trail is for security events. They are logged at
// debug level.
func (s *Service) PutSettings(ctx context.Context, u User, version int64, doc []byte) (Settings, error) {
	if u.Guest {
		return Settings{}, ErrGuestSettings
	}
	if version < 0 {
		return Settings{}, ErrInvalidSettingsVersion
	}
	if len(doc) > MaxSettingsBytes {
		return Settings{}, ErrSettingsTooLarge
	}
	doc, err := settingsDoc(doc)
	if err != nil {
		return Settings{}, err
	}
	st, err := s.store.PutSettings(ctx, u.ID, version, doc, s.now())
	if errors.Is(err, ErrVersionConflict) {
		s.log.Debug("settings write refused: stale version", "user_id", u.ID, "version", version, "current", st.Version)
		return st, ErrVersionConflict
	} else if err != nil {
		return Settings{}, fmt.Errorf("put settings of %q: %w", u.Name, err)
	}
	s.log.Debug("settings written", "user_id", u.ID, "version", st.Version, "bytes", len(doc))
	return st, nil
}

// settingsDoc checks that doc is a JSON object in UTF-8 and returns it
// compacted.
func settingsDoc(doc []byte) ([]byte, error) {
	trimmed := bytes.TrimLeft(doc, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' || !utf8.Valid(doc) || !json.Valid(doc) {
		return nil, ErrInvalidSettings
	}
	var b bytes.Buffer
	b.Grow(len(doc))
	if err := json.Compact(&b, doc); err != nil {
		return nil, ErrInvalidSettings
	}
	return b.Bytes(), nil
}
