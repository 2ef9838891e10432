package account

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Hashes made by the reference implementation (the argon2 command of
// Debian's argon2 package), so ours interoperates with other Argon2id
// implementations in both directions.
const (
	refHashStaple = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$QKHrg5tayLGcN+Y0HVPNaBqykOVLUxlMkZycXE1uWRM"
	refHashHunter = "$argon2id$v=19$m=32768,t=3,p=2$c29tZXNhbHRTT01FU0FMVA$nL8Wi0MlyZ2v19p7llwOcjJhinbVZFmT481TiSNdFu4"
)

func testHasher(p HashParams) *hasher { return newHasher(p, 2, time.Second) }

func TestVerifyReferenceHashes(t *testing.T) {
	h := testHasher(MinHashParams())
	for _, tc := range []struct {
		hash, password string
		want           bool
	}{
		{refHashStaple, "correct horse battery staple", true},
		{refHashStaple, "correct horse battery stapler", false},
		{refHashHunter, "hunter2", true},
		{refHashHunter, "Hunter2", false},
	} {
		ok, _, err := h.verify(context.Background(), tc.password, tc.hash)
		if err != nil {
			t.Fatal(err)
		}
		if ok != tc.want {
			t.Errorf("verify(%q, %.30s...): got %v, want %v", tc.password, tc.hash, ok, tc.want)
		}
	}
}

func TestHashRoundTrip(t *testing.T) {
	p := MinHashParams()
	h := testHasher(p)
	enc, err := h.hash(context.Background(), "ein Passwort mit Ümlaut")
	if err != nil {
		t.Fatal(err)
	}
	if want := "$argon2id$v=19$m=19456,t=2,p=1$"; !strings.HasPrefix(enc, want) {
		t.Errorf("hash: got %q, want prefix %q", enc, want)
	}
	got, salt, key, err := decodePHC(enc)
	if err != nil {
		t.Fatal(err)
	}
	if got != p || len(salt) != 16 || len(key) != 32 {
		t.Errorf("decodePHC: got %+v, salt %d, key %d bytes; want %+v, 16, 32", got, len(salt), len(key), p)
	}
	again, _ := h.hash(context.Background(), "ein Passwort mit Ümlaut")
	if again == enc {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	// NFC normalisation: the decomposed form (U + combining diaeresis)
	// matches the composed one.
	for _, tc := range []struct {
		pw   string
		want bool
	}{
		{"ein Passwort mit Ümlaut", true},
		{"ein Passwort mit U\u0308mlaut", true},
		{"ein Passwort mit Umlaut", false},
		{"ein Passwort mit Ümlaut ", false},
	} {
		ok, rehash, err := h.verify(context.Background(), tc.pw, enc)
		if err != nil {
			t.Fatal(err)
		}
		if ok != tc.want || rehash {
			t.Errorf("verify(%q): got %v, rehash %v; want %v, false", tc.pw, ok, rehash, tc.want)
		}
	}
}

func TestVerifyRehash(t *testing.T) {
	ctx := context.Background()
	weak := MinHashParams()
	strong := weak
	strong.Memory += 1024
	weakHash, _ := testHasher(weak).hash(ctx, "pw")
	strongHash, _ := testHasher(strong).hash(ctx, "pw")
	bcryptHash, _ := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	threads := weak
	threads.Threads = 2
	threadsHash, _ := testHasher(threads).hash(ctx, "pw")
	for _, tc := range []struct {
		name    string
		current HashParams
		stored  string
		rehash  bool
	}{
		{"same", weak, weakHash, false},
		{"weaker memory", strong, weakHash, true},
		{"stronger than current", weak, strongHash, false},
		{"more time", HashParams{Memory: weak.Memory, Time: 3, Threads: 1, SaltLen: 16, KeyLen: 32}, weakHash, true},
		{"only threads differ", weak, threadsHash, false},
		{"bcrypt", weak, string(bcryptHash), true},
	} {
		ok, rehash, err := testHasher(tc.current).verify(ctx, "pw", tc.stored)
		if err != nil || !ok {
			t.Fatalf("%s: verify: %v, %v", tc.name, ok, err)
		}
		if rehash != tc.rehash {
			t.Errorf("%s: rehash got %v, want %v", tc.name, rehash, tc.rehash)
		}
		if ok, rehash, _ := testHasher(tc.current).verify(ctx, "wrong", tc.stored); ok || rehash {
			t.Errorf("%s: wrong password: got ok %v, rehash %v; want false, false", tc.name, ok, rehash)
		}
	}
}

func TestVerifyBcryptVariants(t *testing.T) {
	ctx := context.Background()
	h := testHasher(MinHashParams())
	b, _ := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	for _, prefix := range []string{"$2a$", "$2b$", "$2y$"} {
		enc := prefix + string(b[4:])
		if err := CheckHash(enc); err != nil {
			t.Errorf("CheckHash(%s...): %v", prefix, err)
		}
		if ok, _, _ := h.verify(ctx, "s3cret", enc); !ok {
			t.Errorf("verify bcrypt %s: got false, want true", prefix)
		}
		if ok, _, _ := h.verify(ctx, "s3cre", enc); ok {
			t.Errorf("verify bcrypt %s with a wrong password: got true", prefix)
		}
	}
}

func TestVerifyUnusableHashes(t *testing.T) {
	h := testHasher(MinHashParams())
	for _, enc := range []string{
		"",
		"garbage",
		"$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$QKHrg5tayLGcN+Y0HVPNaBqykOVLUxlMkZycXE1uWRM",
		"$argon2id$v=16$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$QKHrg5tayLGcN+Y0HVPNaBqykOVLUxlMkZycXE1uWRM",
		"$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$QKHrg5tayLGcN+Y0HVPNaBqykOVLUxlMkZycXE1uWRM",
		"$argon2id$v=19$m=19456,t=2,p=1$!!$QKHrg5tayLGcN+Y0HVPNaBqykOVLUxlMkZycXE1uWRM",
		h.dummy,
	} {
		ok, rehash, err := h.verify(context.Background(), "", enc)
		if ok || rehash || err != nil {
			t.Errorf("verify against %.40q: got %v, %v, %v; want false, false, nil", enc, ok, rehash, err)
		}
	}
}

func TestCheckHash(t *testing.T) {
	b10, _ := bcrypt.GenerateFromPassword([]byte("x"), bcrypt.MinCost)
	for _, tc := range []struct {
		hash string
		ok   bool
	}{
		{refHashStaple, true},
		{refHashHunter, true},
		{string(b10), true},
		{"$2b$16$" + string(b10[7:]), false}, // cost above 15
		{"$argon2id$v=19$m=19456,t=99,p=1$c2FsdHNhbHRzYWx0c2FsdA$QKHrg5tayLGcN+Y0HVPNaBqykOVLUxlMkZycXE1uWRM", false},
		{"$argon2id$v=19$m=19456,t=2,p=1,x=1$c2FsdHNhbHRzYWx0c2FsdA$QKHrg5tayLGcN+Y0HVPNaBqykOVLUxlMkZycXE1uWRM", false},
		{"$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$QKHrg5tayLGcN+Y0HVPNaBqykOVLUxlMkZycXE1uWRM", false}, // salt 4 bytes
		{"5f4dcc3b5aa765d61d8327deb882cf99", false},                                                  // md5: not accepted
		{"", false},
	} {
		if err := CheckHash(tc.hash); (err == nil) != tc.ok {
			t.Errorf("CheckHash(%.40q): got %v, want ok %v", tc.hash, err, tc.ok)
		}
	}
}

func TestHashParamsValidate(t *testing.T) {
	min := MinHashParams()
	for _, tc := range []struct {
		name string
		mod  func(*HashParams)
		ok   bool
	}{
		{"minimum", func(*HashParams) {}, true},
		{"default", func(p *HashParams) { *p = DefaultHashParams() }, true},
		{"memory below OWASP", func(p *HashParams) { p.Memory = 19*1024 - 1 }, false},
		{"one pass", func(p *HashParams) { p.Time = 1 }, false},
		{"no threads", func(p *HashParams) { p.Threads = 0 }, false},
		{"short salt", func(p *HashParams) { p.SaltLen = 8 }, false},
		{"short key", func(p *HashParams) { p.KeyLen = 16 }, false},
		{"absurd memory", func(p *HashParams) { p.Memory = 1<<20 + 1 }, false},
	} {
		p := min
		tc.mod(&p)
		if err := p.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate got %v, want ok %v", tc.name, err, tc.ok)
		}
	}
	if d := DefaultHashParams(); d.weakerThan(min) {
		t.Errorf("DefaultHashParams %v is weaker than the minimum %v", d, min)
	}
}

func TestHasherBound(t *testing.T) {
	h := newHasher(MinHashParams(), 1, 20*time.Millisecond)
	h.slots <- struct{}{} // the only slot is taken
	if _, err := h.hash(context.Background(), "pw"); !errors.Is(err, ErrBusy) {
		t.Errorf("hash with no free slot: got %v, want ErrBusy", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := h.verify(ctx, "pw", refHashStaple); !errors.Is(err, context.Canceled) {
		t.Errorf("verify with a cancelled context: got %v, want context.Canceled", err)
	}
	<-h.slots
	if _, err := h.hash(context.Background(), "pw"); err != nil {
		t.Errorf("hash with a free slot: %v", err)
	}
	if len(h.slots) != 0 {
		t.Errorf("slots held after hashing: got %d, want 0", len(h.slots))
	}
}

// BenchmarkHash measures one Argon2id hash at the minimum and default
// parameters: the cost of a login or registration. The default is tuned
// so that this is 50-100 ms on the gateway's machine.
func BenchmarkHash(b *testing.B) {
	for _, tc := range []struct {
		name string
		p    HashParams
	}{
		{"min-m19456-t2-p1", MinHashParams()},
		{"default-m47104-t2-p1", DefaultHashParams()},
	} {
		b.Run(tc.name, func(b *testing.B) {
			h := newHasher(tc.p, 1, time.Minute)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := h.hash(context.Background(), "correct horse battery staple"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestVerifyPadsOtherHashes: an imported bcrypt hash, or an Argon2id one
// at other parameters, is checked in the time a check at the current
// parameters takes, so an imported account answers a wrong password in
// the same time as a name with no account (checked against the dummy).
func TestVerifyPadsOtherHashes(t *testing.T) {
	bc, err := bcrypt.GenerateFromPassword([]byte("hunter2hunter2"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	h := testHasher(MinHashParams())
	var (
		tick   time.Time
		slept  []time.Duration
		ctx    = context.Background()
		weaker = "$argon2id$v=19$m=8192,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$QKHrg5tayLGcN+Y0HVPNaBqykOVLUxlMkZycXE1uWRM"
	)
	// Each reading of the clock is a millisecond after the last: every
	// check "takes" 1 ms, whatever it really took.
	h.now = func() time.Time { tick = tick.Add(time.Millisecond); return tick }
	h.sleep = func(_ context.Context, d time.Duration) { slept = append(slept, d) }
	h.ref = 80 * time.Millisecond // as if measured at the current parameters
	for _, tc := range []struct {
		name, hash string
		wantPad    bool
	}{
		{"no account (the dummy)", "", false},
		{"current parameters", mustHash(t, h, "hunter2hunter2"), false},
		{"bcrypt", string(bc), true},
		{"argon2id at other parameters", weaker, true},
	} {
		slept = nil
		h.ref = 80 * time.Millisecond
		if _, _, err := h.verify(ctx, "wrong password", tc.hash); err != nil {
			t.Fatal(err)
		}
		switch {
		case tc.wantPad && (len(slept) != 1 || slept[0] != 79*time.Millisecond):
			t.Errorf("%s: padded %v, want one wait of 79ms (80ms a check, less the 1ms it took)", tc.name, slept)
		case !tc.wantPad && len(slept) != 0:
			t.Errorf("%s: padded %v, want no wait", tc.name, slept)
		}
	}
	// Checks at the current parameters keep the reference up to date.
	h.ref = 0
	h.verify(ctx, "x", "")
	if h.ref != time.Millisecond {
		t.Errorf("reference after one check: %v, want 1ms", h.ref)
	}
}

func mustHash(t *testing.T, h *hasher, pw string) string {
	t.Helper()
	s, err := h.hash(context.Background(), pw)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
