package account

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"time"
)

// RegistrationMode says who may create accounts.
type RegistrationMode string

// The registration modes.
const (
	// RegistrationOpen lets anyone register (subject to rate limits).
	// The empty mode means open.
	RegistrationOpen RegistrationMode = "open"
	// RegistrationClosed leaves account creation to administrators
	// (Service.CreateUser) and the console.
	RegistrationClosed RegistrationMode = "closed"
)

// Rate is at most N events per Per, counted in fixed windows. A zero Rate
// takes the default of the setting it is in; N < 0 turns the limit off.
type Rate struct {
	N   int           `toml:"n"`
	Per time.Duration `toml:"per"`
}

func (r Rate) off() bool { return r.N < 0 }

// Limits are the abuse controls. Zero fields take the defaults named.
type Limits struct {
	// LoginPerAddr caps the password hashes one address (an IPv4 address
	// or an IPv6 /64) can make the gateway compute, whatever the
	// account: logins, registrations, setup, password changes (two
	// hashes each) and resets all draw on it. Default 30 a minute.
	LoginPerAddr Rate `toml:"login_per_addr"`

	// RegisterPerAddr caps registrations (and setup attempts) from one
	// address. Only attempts with a valid name and password count, so a
	// player fumbling the password rules is not locked out. Default 10 an
	// hour.
	RegisterPerAddr Rate `toml:"register_per_addr"`

	// GuestPerAddr caps guest accounts made from one address. Default 20
	// an hour.
	GuestPerAddr Rate `toml:"guest_per_addr"`

	// PasswordChanges caps the password changes of one account (by its
	// player; an administrator's reset is not counted). Default 3 an
	// hour.
	PasswordChanges Rate `toml:"password_changes"`

	// BackoffBase and BackoffMax: after the n-th consecutive failed login
	// in a pool (a known device's own, or everyone else's on an account
	// name), the next attempt in that pool waits BackoffBase * 2^(n-1), at
	// most BackoffMax. Defaults 1s and 1m.
	BackoffBase time.Duration `toml:"backoff_base"`
	// BackoffMax caps the wait between attempts. Default 1m.
	BackoffMax time.Duration `toml:"backoff_max"`

	// LockoutAfter consecutive failures lock out, for LockoutFor, the
	// source they came from: a known device (a browser that logged in to
	// the account before), or for everyone else the source address (IPv4
	// address or IPv6 /64) on that name. The account itself is never
	// locked, so nobody can lock its owner out of their own browser.
	// Defaults 10 and 15m. Names that do not exist lock too, so a lockout
	// says nothing about which names exist.
	LockoutAfter int `toml:"lockout_after"`
	// LockoutFor is how long a lockout lasts. Default 15m.
	LockoutFor time.Duration `toml:"lockout_for"`

	// FailureMemory is how long failures are remembered: a name with no
	// failure for this long starts afresh. Default 1h.
	FailureMemory time.Duration `toml:"failure_memory"`
}

// Config configures a Service. Zero fields take the defaults named; only
// Store is required.
type Config struct {
	// Store keeps everything. Required.
	Store Store `toml:"-"`

	// Log receives operational messages (store failures and the like);
	// nil discards them.
	Log *slog.Logger `toml:"-"`

	// Audit receives one record per security event, message "audit", with
	// the Event's fields as attributes. Give it a JSON handler. nil
	// discards (events are still stored).
	Audit *slog.Logger `toml:"-"`

	// Now is the clock; nil is time.Now. Tests inject one so they never
	// sleep.
	Now func() time.Time `toml:"-"`

	// Registration is open (the default) or closed.
	Registration RegistrationMode `toml:"registration"`

	// AllowGuests lets players in as throw-away guest accounts.
	AllowGuests bool `toml:"allow_guests"`

	// Policy decides which new passwords are acceptable; zero is the
	// standard level. Put the game's name in Policy.Words. Admins and
	// superusers always get at least the standard level.
	Policy Policy `toml:"password_policy"`

	// ReservedNames are refused at registration on top of the built-in
	// ones (admin, system, guest...): the game's NPCs, say.
	ReservedNames []string `toml:"reserved_names"`

	// Hash is the Argon2id cost of new hashes; zero is
	// DefaultHashParams. Never below MinHashParams.
	Hash HashParams `toml:"hash"`

	// MaxConcurrentHashes bounds password hashes running at once (each
	// holds Hash.Memory and a core); further logins queue. Default: half
	// the CPUs, at least 1, at most 4, so a login flood leaves cores to
	// the bridges and holds at most 4 x 46 MiB.
	MaxConcurrentHashes int `toml:"max_concurrent_hashes"`

	// HashWait is how long a login may queue for a hashing slot before
	// ErrBusy. Default 10s.
	HashWait time.Duration `toml:"hash_wait"`

	// IdleTimeout ends a session not used for this long. Default 24h.
	IdleTimeout time.Duration `toml:"idle_timeout"`

	// MaxLifetime ends a session this long after login, however active.
	// Default 14 days (336h).
	MaxLifetime time.Duration `toml:"max_lifetime"`

	// TouchEvery is how stale LastSeen may get before a use of the
	// session writes it again: most requests then cost no write. Default
	// 1m; must be well under IdleTimeout.
	TouchEvery time.Duration `toml:"touch_every"`

	// MaxSessionsPerUser caps one account's sessions; a login beyond it
	// ends the oldest. Default 10; negative means no cap.
	MaxSessionsPerUser int `toml:"max_sessions_per_user"`

	// GuestLifetime is how long a guest account lives; it is then purged
	// with its sessions. Default 24h.
	GuestLifetime time.Duration `toml:"guest_lifetime"`

	// SetupTokenLifetime is how long a first-start setup token is valid.
	// Default 1h.
	SetupTokenLifetime time.Duration `toml:"setup_token_lifetime"`

	// ResetLinkLifetime is how long a password reset link is valid.
	// Default 1h.
	ResetLinkLifetime time.Duration `toml:"reset_link_lifetime"`

	// DeviceLifetime is how long a browser stays a known device of an
	// account after its last login there (each login renews it). Default
	// 365 days (8760h).
	DeviceLifetime time.Duration `toml:"device_lifetime"`

	// Limits are the rate limits, backoff and lockout.
	Limits Limits `toml:"limits"`

	// SweepEvery is how often Run purges expired sessions, guests,
	// rate-limit state and old audit events. Default 1m.
	SweepEvery time.Duration `toml:"sweep_every"`

	// AuditRetention is how long audit events are kept. Default 365 days;
	// negative keeps them forever.
	AuditRetention time.Duration `toml:"audit_retention"`

	// OnRevoke is told about sessions that ended by anything but their
	// own idle use: logout, password change, role change, disable,
	// delete, expiry, an admin's revoke, the session cap, a guest purge.
	// The gateway closes the bridges of those sessions with
	// Revocation.Reason.Message(). It is called after the change is
	// committed, on the goroutine of the Service call (or of Run), possibly
	// from several at once: it must not block or call back into the
	// Service synchronously. nil ignores revocations.
	OnRevoke func(Revocation) `toml:"-"`
}

// WithDefaults returns c with its zero fields set to the defaults, so a
// configuration can be shown as it will act.
func (c Config) WithDefaults() Config {
	set := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	setRate := func(r *Rate, n int, per time.Duration) {
		if r.N == 0 {
			r.N = n
		}
		if r.Per == 0 {
			r.Per = per
		}
	}
	if c.Log == nil {
		c.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Audit == nil {
		c.Audit = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Registration == "" {
		c.Registration = RegistrationOpen
	}
	if c.Hash == (HashParams{}) {
		c.Hash = DefaultHashParams()
	}
	if c.MaxConcurrentHashes == 0 {
		c.MaxConcurrentHashes = max(1, min(4, runtime.GOMAXPROCS(0)/2))
	}
	set(&c.HashWait, 10*time.Second)
	set(&c.IdleTimeout, 24*time.Hour)
	set(&c.MaxLifetime, 14*24*time.Hour)
	set(&c.TouchEvery, time.Minute)
	if c.MaxSessionsPerUser == 0 {
		c.MaxSessionsPerUser = 10
	}
	set(&c.GuestLifetime, 24*time.Hour)
	set(&c.SetupTokenLifetime, time.Hour)
	set(&c.ResetLinkLifetime, time.Hour)
	set(&c.DeviceLifetime, 365*24*time.Hour)
	l := &c.Limits
	setRate(&l.LoginPerAddr, 30, time.Minute)
	setRate(&l.RegisterPerAddr, 10, time.Hour)
	setRate(&l.GuestPerAddr, 20, time.Hour)
	setRate(&l.PasswordChanges, 3, time.Hour)
	set(&l.BackoffBase, time.Second)
	set(&l.BackoffMax, time.Minute)
	if l.LockoutAfter == 0 {
		l.LockoutAfter = 10
	}
	set(&l.LockoutFor, 15*time.Minute)
	set(&l.FailureMemory, time.Hour)
	set(&c.SweepEvery, time.Minute)
	set(&c.AuditRetention, 365*24*time.Hour)
	return c
}

// Validate reports every setting that cannot work, after defaults are
// applied to the zero fields, and a missing Store.
func (c Config) Validate() error {
	var errs []error
	if c.Store == nil {
		errs = append(errs, errors.New("account: a Store is required"))
	}
	return errors.Join(append(errs, c.ValidateSettings())...)
}

// ValidateSettings reports every setting that cannot work, after defaults
// are applied to the zero fields. Each error starts with the setting's
// name as in the config file, so a caller can put its section in front.
func (c Config) ValidateSettings() error {
	c = c.WithDefaults()
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Registration != RegistrationOpen && c.Registration != RegistrationClosed {
		bad("registration: %q: want open or closed", c.Registration)
	}
	if err := c.Policy.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Hash.Validate(); err != nil {
		bad("hash: %v", err)
	}
	if c.MaxConcurrentHashes < 1 || c.MaxConcurrentHashes > 64 {
		bad("max_concurrent_hashes: %d: want 1 to 64", c.MaxConcurrentHashes)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"hash_wait", c.HashWait}, {"idle_timeout", c.IdleTimeout}, {"max_lifetime", c.MaxLifetime},
		{"touch_every", c.TouchEvery}, {"guest_lifetime", c.GuestLifetime},
		{"setup_token_lifetime", c.SetupTokenLifetime}, {"reset_link_lifetime", c.ResetLinkLifetime}, {"sweep_every", c.SweepEvery}, {"device_lifetime", c.DeviceLifetime},
		{"limits.backoff_base", c.Limits.BackoffBase}, {"limits.backoff_max", c.Limits.BackoffMax},
		{"limits.lockout_for", c.Limits.LockoutFor}, {"limits.failure_memory", c.Limits.FailureMemory},
	} {
		if d.v < 0 {
			bad("%s: %v is negative", d.name, d.v)
		}
	}
	if c.TouchEvery*2 > c.IdleTimeout {
		bad("touch_every: %v must be at most half of idle_timeout %v", c.TouchEvery, c.IdleTimeout)
	}
	if c.IdleTimeout > c.MaxLifetime {
		bad("idle_timeout: %v exceeds max_lifetime %v", c.IdleTimeout, c.MaxLifetime)
	}
	if c.Limits.BackoffMax < c.Limits.BackoffBase {
		bad("limits.backoff_max: %v below limits.backoff_base %v", c.Limits.BackoffMax, c.Limits.BackoffBase)
	}
	if c.Limits.LockoutAfter < 1 {
		bad("limits.lockout_after: %d: want at least 1", c.Limits.LockoutAfter)
	}
	for _, r := range []struct {
		name string
		v    Rate
	}{
		{"limits.login_per_addr", c.Limits.LoginPerAddr}, {"limits.register_per_addr", c.Limits.RegisterPerAddr},
		{"limits.guest_per_addr", c.Limits.GuestPerAddr}, {"limits.password_changes", c.Limits.PasswordChanges},
	} {
		if !r.v.off() && r.v.Per <= 0 {
			bad("%s.per: must be positive", r.name)
		}
	}
	return errors.Join(errs...)
}
