package account

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Device tokens, after OWASP's "Slow Down Online Guessing Attacks with
// Device Cookies" (Anton Dedov): a browser that logged in to an account
// carries a token, signed by the gateway, that says so. Its password
// attempts on that account are counted apart from everyone else's, so
// an attacker who makes a name back off or locks it out from elsewhere
// does not lock its owner out of their own browser; and a device whose
// own attempts fail repeatedly is locked out alone.
//
// A token is base64url(payload) "." base64url(MAC): the payload is a
// version byte, the account's ID, the issue time (Unix seconds) and 16
// random bytes that name the device in the limits (so a lockout of one
// device is not one of another); the MAC is HMAC-SHA-256 over the
// payload, cut to 128 bits, with a key the store keeps (SecretStore),
// the same on every node. Tokens hold nothing secret about the account
// and are useless without the password; a stolen one gives only what
// the device itself had: its own few attempts before its own lockout.
//
// A browser may be used for several accounts (players keep alts), so
// the cookie holds up to maxDeviceTokens tokens, most recent first,
// joined by "~".

// deviceSecretName is the SecretStore name of the key that signs device
// tokens.
const deviceSecretName = "device-token-key"

const (
	deviceTokenVersion = 1
	devicePayloadLen   = 1 + 8 + 8 + 16
	deviceMACLen       = 16
	maxDeviceTokens    = 8
	// maxDeviceCookie bounds what is parsed of a cookie the browser sends.
	maxDeviceCookie = 2048
)

// deviceToken is a parsed, verified device token.
type deviceToken struct {
	userID int64
	issued time.Time
	id     string // hex of the random part: the device's name in limit keys
	raw    string
}

// deviceKeys loads the signing key from the store once, and keeps it.
type deviceKeys struct {
	mu  sync.Mutex
	key []byte
}

// get returns the key, asking the store for it (storing a new one if it
// has none) the first time, or after a failure.
func (d *deviceKeys) get(ctx context.Context, st SecretStore) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.key != nil {
		return d.key, nil
	}
	fresh := make([]byte, 32)
	rand.Read(fresh)
	key, err := st.Secret(ctx, deviceSecretName, fresh)
	if err != nil {
		return nil, fmt.Errorf("device token key: %w", err)
	}
	if len(key) < 32 {
		return nil, fmt.Errorf("device token key: stored key has %d bytes, want 32", len(key))
	}
	d.key = key
	return key, nil
}

func deviceMAC(key, payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(payload)
	return m.Sum(nil)[:deviceMACLen]
}

// newDeviceToken issues a token for account userID at now.
func newDeviceToken(key []byte, userID int64, now time.Time) deviceToken {
	p := make([]byte, devicePayloadLen)
	p[0] = deviceTokenVersion
	binary.BigEndian.PutUint64(p[1:9], uint64(userID))
	binary.BigEndian.PutUint64(p[9:17], uint64(now.Unix()))
	rand.Read(p[17:])
	b64 := base64.RawURLEncoding
	return deviceToken{userID: userID, issued: time.Unix(now.Unix(), 0).UTC(), id: hex.EncodeToString(p[17:]),
		raw: b64.EncodeToString(p) + "." + b64.EncodeToString(deviceMAC(key, p))}
}

// parseDeviceToken verifies one token; ok is false for anything not
// signed by key, of another version, or malformed.
func parseDeviceToken(key []byte, raw string) (deviceToken, bool) {
	ps, ms, found := strings.Cut(raw, ".")
	if !found {
		return deviceToken{}, false
	}
	b64 := base64.RawURLEncoding
	p, err1 := b64.DecodeString(ps)
	m, err2 := b64.DecodeString(ms)
	if err1 != nil || err2 != nil || len(p) != devicePayloadLen || p[0] != deviceTokenVersion ||
		!hmac.Equal(m, deviceMAC(key, p)) {
		return deviceToken{}, false
	}
	return deviceToken{
		userID: int64(binary.BigEndian.Uint64(p[1:9])),
		issued: time.Unix(int64(binary.BigEndian.Uint64(p[9:17])), 0).UTC(),
		id:     hex.EncodeToString(p[17:]),
		raw:    raw,
	}, true
}

// deviceFor finds, in a device cookie's value, a valid token for account
// userID that has not outlived lifetime at now.
func deviceFor(key []byte, cookie string, userID int64, now time.Time, lifetime time.Duration) (deviceToken, bool) {
	if len(cookie) > maxDeviceCookie {
		cookie = cookie[:maxDeviceCookie]
	}
	for raw := range strings.SplitSeq(cookie, "~") {
		if t, ok := parseDeviceToken(key, raw); ok && t.userID == userID && now.Before(t.issued.Add(lifetime)) {
			return t, true
		}
	}
	return deviceToken{}, false
}

// withDevice returns the cookie value with t first and without any other
// token for t's account, or any token that is invalid or has expired,
// keeping at most maxDeviceTokens.
func withDevice(key []byte, cookie string, t deviceToken, now time.Time, lifetime time.Duration) string {
	out := []string{t.raw}
	if len(cookie) > maxDeviceCookie {
		cookie = cookie[:maxDeviceCookie]
	}
	for raw := range strings.SplitSeq(cookie, "~") {
		if len(out) == maxDeviceTokens {
			break
		}
		if o, ok := parseDeviceToken(key, raw); ok && o.userID != t.userID && now.Before(o.issued.Add(lifetime)) {
			out = append(out, raw)
		}
	}
	return strings.Join(out, "~")
}
