package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/text/unicode/norm"
)

// HashParams are Argon2id's cost parameters. Every stored hash records
// its own, so changing them affects new hashes only; a stored hash weaker
// than the current parameters is re-hashed at its owner's next login.
type HashParams struct {
	// Memory is in KiB. One hash allocates this much for its duration.
	Memory uint32 `toml:"memory_kib"`
	// Time is the number of passes over the memory.
	Time uint32 `toml:"time"`
	// Threads is the parallelism (lanes). 1 keeps one hash on one core,
	// so concurrent logins spread over the cores instead.
	Threads uint8 `toml:"threads"`
	// SaltLen is the salt's length in bytes.
	SaltLen uint32 `toml:"salt_len"`
	// KeyLen is the length of the derived hash in bytes.
	KeyLen uint32 `toml:"key_len"`
}

// DefaultHashParams are the parameters new hashes use unless configured:
// m=46 MiB, t=2, p=1, measured at about 80 ms a hash on the 2-core
// machine this was tuned on (BenchmarkHash), inside the 50-100 ms a login
// can afford. OWASP's minimum is MinHashParams.
func DefaultHashParams() HashParams {
	return HashParams{Memory: 46 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// MinHashParams is the floor configuration cannot go below: OWASP's
// minimum for Argon2id, m=19 MiB, t=2, p=1, with a 128-bit salt and a
// 256-bit hash.
func MinHashParams() HashParams {
	return HashParams{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Upper bounds for parameters read from a stored hash, so a tampered or
// absurd hash cannot make one verification allocate gigabytes or run for
// minutes.
const (
	maxHashMemory  = 1 << 20 // KiB: 1 GiB
	maxHashTime    = 32
	maxHashThreads = 16
	maxBcryptCost  = 15
)

// Validate reports parameters below MinHashParams or above the bounds a
// stored hash may have.
func (p HashParams) Validate() error {
	m := MinHashParams()
	var errs []error
	if p.Memory < m.Memory || p.Memory > maxHashMemory {
		errs = append(errs, fmt.Errorf("argon2id memory %d KiB: want %d to %d", p.Memory, m.Memory, maxHashMemory))
	}
	if p.Time < m.Time || p.Time > maxHashTime {
		errs = append(errs, fmt.Errorf("argon2id time %d: want %d to %d", p.Time, m.Time, maxHashTime))
	}
	if p.Threads < m.Threads || p.Threads > maxHashThreads {
		errs = append(errs, fmt.Errorf("argon2id threads %d: want %d to %d", p.Threads, m.Threads, maxHashThreads))
	}
	if p.SaltLen < m.SaltLen || p.SaltLen > 64 {
		errs = append(errs, fmt.Errorf("argon2id salt length %d: want %d to 64", p.SaltLen, m.SaltLen))
	}
	if p.KeyLen < m.KeyLen || p.KeyLen > 64 {
		errs = append(errs, fmt.Errorf("argon2id key length %d: want %d to 64", p.KeyLen, m.KeyLen))
	}
	return errors.Join(errs...)
}

// weakerThan reports whether a hash made with p should be redone with q.
// Parallelism alone is not strength, so Threads is not compared.
func (p HashParams) weakerThan(q HashParams) bool {
	return p.Memory < q.Memory || p.Time < q.Time || p.KeyLen < q.KeyLen || p.SaltLen < q.SaltLen
}

// String is the parameter part of the PHC string.
func (p HashParams) String() string {
	return fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, p.Threads)
}

// encodePHC writes an Argon2id hash as a PHC string:
// $argon2id$v=19$m=...,t=...,p=...$salt$hash
func encodePHC(p HashParams, salt, key []byte) string {
	// PHC strings use standard base64 without padding.
	b64 := base64.RawStdEncoding
	return "$argon2id$v=" + strconv.Itoa(argon2.Version) + "$" + p.String() + "$" +
		b64.EncodeToString(salt) + "$" + b64.EncodeToString(key)
}

// decodePHC reads a PHC string encodePHC wrote (or another Argon2id
// implementation did), within the bounds above.
func decodePHC(s string) (p HashParams, salt, key []byte, err error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("not an argon2id PHC string")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("argon2id version %q not supported", parts[2])
	}
	var m, t, th uint64
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, perr := strconv.ParseUint(v, 10, 32)
		if perr != nil {
			return p, nil, nil, fmt.Errorf("argon2id parameter %q: %w", kv, perr)
		}
		switch k {
		case "m":
			m = n
		case "t":
			t = n
		case "p":
			th = n
		default:
			return p, nil, nil, fmt.Errorf("argon2id parameter %q unknown", k)
		}
	}
	if m == 0 || m > maxHashMemory || t == 0 || t > maxHashTime || th == 0 || th > maxHashThreads {
		return p, nil, nil, fmt.Errorf("argon2id parameters %s out of bounds", parts[3])
	}
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 || len(salt) > 64 {
		return p, nil, nil, errors.New("argon2id salt malformed")
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, errors.New("argon2id hash malformed")
	}
	p = HashParams{Memory: uint32(m), Time: uint32(t), Threads: uint8(th), SaltLen: uint32(len(salt)), KeyLen: uint32(len(key))}
	return p, salt, key, nil
}

// isBcrypt reports whether s looks like a bcrypt hash this package can
// verify ($2a$, $2b$ or $2y$).
func isBcrypt(s string) bool {
	return len(s) == 60 && (strings.HasPrefix(s, "$2a$") || strings.HasPrefix(s, "$2b$") || strings.HasPrefix(s, "$2y$"))
}

// CheckHash reports whether s is a password hash the Service can verify
// (Argon2id PHC within bounds, or bcrypt of cost at most 15): what
// ImportUser accepts.
func CheckHash(s string) error {
	switch {
	case strings.HasPrefix(s, "$argon2id$"):
		_, _, _, err := decodePHC(s)
		return err
	case isBcrypt(s):
		// x/crypto/bcrypt accepts only $2a$ and $2b$; $2y$ (PHP) is the
		// same algorithm.
		cost, err := bcrypt.Cost([]byte(bcryptCompat(s)))
		if err != nil {
			return fmt.Errorf("bcrypt hash: %w", err)
		}
		if cost > maxBcryptCost {
			return fmt.Errorf("bcrypt cost %d above %d", cost, maxBcryptCost)
		}
		return nil
	}
	return errors.New("unknown hash format (want $argon2id$ or $2a$/$2b$/$2y$)")
}

// bcryptCompat rewrites PHP's $2y$ prefix to the equivalent $2b$.
func bcryptCompat(s string) string {
	if strings.HasPrefix(s, "$2y$") {
		return "$2b$" + s[4:]
	}
	return s
}

// normalize is the form a password is hashed in: Unicode NFC, so the
// same password typed on two systems that compose accents differently
// still matches (NIST SP 800-63B 5.1.1.2). Nothing is trimmed.
func normalize(password string) string { return norm.NFC.String(password) }

// hasher hashes and verifies passwords, at most cap(slots) at a time, so
// a login flood queues instead of exhausting memory (each hash holds
// Memory KiB) or every core.
//
// A verification takes as long as the stored hash makes it: an account
// imported with a bcrypt hash, or with Argon2id parameters other than
// the current ones, would answer in a different time than a name with no
// account (which is checked against a dummy hash at the current
// parameters), and so tell an attacker which names exist. verify
// therefore pads those up to the time a verification at the current
// parameters takes (measured as they run). A stored hash slower than
// that (bcrypt above cost 11 or so) cannot be hidden this way; it is
// re-hashed at its owner's next login.
type hasher struct {
	params HashParams
	slots  chan struct{}
	wait   time.Duration
	dummy  string

	// now and sleep are the clock verify measures and pads with.
	now   func() time.Time
	sleep func(context.Context, time.Duration)

	mu  sync.Mutex
	ref time.Duration // how long a verification at the current parameters takes (moving average); 0 until known
}

func newHasher(p HashParams, concurrency int, wait time.Duration) *hasher {
	h := &hasher{params: p, slots: make(chan struct{}, concurrency), wait: wait, now: time.Now, sleep: sleepCtx}
	// A hash for unknown users to be checked against: same cost as a real
	// one, never matches anything.
	salt := make([]byte, p.SaltLen)
	key := make([]byte, p.KeyLen)
	rand.Read(salt)
	rand.Read(key)
	h.dummy = encodePHC(p, salt, key)
	return h
}

// acquire takes a hashing slot, waiting at most h.wait (ErrBusy) and
// never past ctx.
func (h *hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for a hashing slot: %w", ctx.Err())
	case <-t.C:
		return ErrBusy
	}
}

func (h *hasher) release() { <-h.slots }

// hash returns the PHC string of password with the current parameters.
func (h *hasher) hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	salt := make([]byte, h.params.SaltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(normalize(password)), salt, h.params.Time, h.params.Memory, h.params.Threads, h.params.KeyLen)
	return encodePHC(h.params, salt, key), nil
}

// verify reports whether password matches encoded, and whether encoded
// should be replaced by a fresh hash (bcrypt, or weaker parameters than
// the current ones). An empty or unreadable encoded costs the same as a
// real check and never matches, so timing does not tell a missing
// account from a wrong password. err is only for a full hashing queue or
// a cancelled ctx.
func (h *hasher) verify(ctx context.Context, password, encoded string) (ok, rehash bool, err error) {
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	start := h.now()
	ok, rehash, current := h.check(password, encoded)
	took := h.now().Sub(start)
	var pad time.Duration
	if current {
		h.observe(took)
	} else {
		pad = h.reference() - took
	}
	h.release()
	if pad > 0 {
		h.sleep(ctx, pad) // outside the slot: waiting costs no core
	}
	return ok, rehash, nil
}

// check is verify's work. current reports whether it ran Argon2id at
// the current parameters (the stored hash's, or the dummy's).
func (h *hasher) check(password, encoded string) (ok, rehash, current bool) {
	if isBcrypt(encoded) && CheckHash(encoded) == nil {
		enc := []byte(bcryptCompat(encoded))
		ok = bcrypt.CompareHashAndPassword(enc, []byte(normalize(password))) == nil
		if !ok && normalize(password) != password {
			// The system the hash came from may not have normalised.
			ok = bcrypt.CompareHashAndPassword(enc, []byte(password)) == nil
		}
		return ok, ok, false
	}
	p, salt, key, derr := decodePHC(encoded)
	if derr != nil {
		p, salt, key, _ = decodePHC(h.dummy)
	}
	got := argon2.IDKey([]byte(normalize(password)), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	ok = subtle.ConstantTimeCompare(got, key) == 1 && derr == nil
	return ok, ok && p.weakerThan(h.params), p == h.params
}

// observe adds the time of a verification at the current parameters to
// the reference.
func (h *hasher) observe(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ref == 0 {
		h.ref = d
	} else {
		h.ref += (d - h.ref) / 4
	}
}

// reference is how long a verification at the current parameters takes,
// measuring one against the dummy hash if none ran yet.
func (h *hasher) reference() time.Duration {
	h.mu.Lock()
	ref := h.ref
	h.mu.Unlock()
	if ref == 0 {
		start := h.now()
		h.check("", h.dummy)
		h.observe(h.now().Sub(start))
		h.mu.Lock()
		ref = h.ref
		h.mu.Unlock()
	}
	return ref
}

// sleepCtx waits for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
