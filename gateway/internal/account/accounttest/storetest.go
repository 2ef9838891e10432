// Package accounttest holds what tests of account.Store implementations
// and of the Service's callers share: StoreTest, the contract every Store
// passes (store/sqlite's tests run it, and a PostgreSQL store's will), and
// MemStore, an in-memory Store that passes it too.
//
// It imports package testing, so only tests may import it.
package accounttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
)

// StoreTest runs the account.Store contract against stores made by
// newStore, which returns a new, empty store for each subtest (cleaning
// it up with t.Cleanup).
func StoreTest(t *testing.T, newStore func(t *testing.T) account.Store) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, s account.Store)
	}{
		{"UserRoundTrip", testUserRoundTrip},
		{"UserMissing", testUserMissing},
		{"NameUniqueIgnoringCase", testNameUnique},
		{"NameUniqueConcurrent", testNameUniqueConcurrent},
		{"IDsNeverReused", testIDsNeverReused},
		{"UpdateUserOnlySetFields", testUpdateUser},
		{"DeleteUserCascades", testDeleteUser},
		{"ListAndCountUsers", testListUsers},
		{"SessionRoundTrip", testSessionRoundTrip},
		{"SessionNeedsUser", testSessionNeedsUser},
		{"SessionCapEvictsOldest", testSessionCap},
		{"DeleteUserSessions", testDeleteUserSessions},
		{"DeleteExpiredSessions", testDeleteExpiredSessions},
		{"Tokens", testTokens},
		{"TokenConsumedOnce", testTokenConsumedOnce},
		{"Limits", testLimits},
		{"LimitUpdatesAtomic", testLimitsAtomic},
		{"Events", testEvents},
		{"CountEventsSince", testCountEvents},
		{"LimitNoChangeNoWrite", testLimitNoChange},
		{"DeleteLimitsByPrefix", testDeleteLimits},
		{"GuardKeepsSuperuser", testGuardKeepsSuperuser},
		{"GuardConcurrentDemotions", testGuardConcurrent},
		{"Secret", testSecret},
		{"SecretConcurrent", testSecretConcurrent},
		{"SettingsEmpty", testSettingsEmpty},
		{"SettingsRoundTrip", testSettingsRoundTrip},
		{"SettingsStaleVersionConflicts", testSettingsConflict},
		{"SettingsConcurrentPuts", testSettingsConcurrent},
		{"SettingsMaxSize", testSettingsMaxSize},
		{"SettingsNeedUser", testSettingsNeedUser},
		{"SettingsDeletedWithUser", testSettingsDeletedWithUser},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
	}
}

// t0 is a fixed time with microseconds, as the Service stores them.
var t0 = time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func mustUser(t *testing.T, s account.Store, name string, mod ...func(*account.User)) account.User {
	t.Helper()
	u := account.User{Name: name, Role: account.RolePlayer, CreatedAt: t0, PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"}
	for _, f := range mod {
		f(&u)
	}
	got, err := s.CreateUser(context.Background(), u)
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", name, err)
	}
	return got
}

func mustSession(t *testing.T, s account.Store, userID int64, id string, created time.Time) account.Session {
	t.Helper()
	sess := account.Session{ID: id, UserID: userID, CreatedAt: created, LastSeen: created,
		ExpiresAt: created.Add(24 * time.Hour), Addr: "192.0.2.1", UserAgent: "test/1"}
	if _, err := s.CreateSession(context.Background(), sess, 0); err != nil {
		t.Fatalf("CreateSession(%s): %v", id, err)
	}
	return sess
}

// sid makes a session ID of the real form (64 hex digits) from n.
func sid(n int) string { return fmt.Sprintf("%064x", n) }

func diffUser(got, want account.User) string {
	switch {
	case got.ID != want.ID:
		return fmt.Sprintf("ID %d, want %d", got.ID, want.ID)
	case got.Name != want.Name:
		return fmt.Sprintf("Name %q, want %q", got.Name, want.Name)
	case got.Role != want.Role:
		return fmt.Sprintf("Role %v, want %v", got.Role, want.Role)
	case got.Guest != want.Guest || got.Disabled != want.Disabled:
		return fmt.Sprintf("Guest, Disabled %v, %v; want %v, %v", got.Guest, got.Disabled, want.Guest, want.Disabled)
	case !got.CreatedAt.Equal(want.CreatedAt):
		return fmt.Sprintf("CreatedAt %v, want %v", got.CreatedAt, want.CreatedAt)
	case !got.LastLogin.Equal(want.LastLogin) || got.LastLogin.IsZero() != want.LastLogin.IsZero():
		return fmt.Sprintf("LastLogin %v, want %v", got.LastLogin, want.LastLogin)
	case got.PasswordHash != want.PasswordHash:
		return fmt.Sprintf("PasswordHash %q, want %q", got.PasswordHash, want.PasswordHash)
	}
	return ""
}

func diffSession(got, want account.Session) string {
	switch {
	case got.ID != want.ID || got.UserID != want.UserID:
		return fmt.Sprintf("ID, UserID %s, %d; want %s, %d", got.ID, got.UserID, want.ID, want.UserID)
	case !got.CreatedAt.Equal(want.CreatedAt) || !got.LastSeen.Equal(want.LastSeen) || !got.ExpiresAt.Equal(want.ExpiresAt):
		return fmt.Sprintf("times %v %v %v, want %v %v %v", got.CreatedAt, got.LastSeen, got.ExpiresAt, want.CreatedAt, want.LastSeen, want.ExpiresAt)
	case got.Addr != want.Addr || got.UserAgent != want.UserAgent:
		return fmt.Sprintf("Addr, UserAgent %q, %q; want %q, %q", got.Addr, got.UserAgent, want.Addr, want.UserAgent)
	}
	return ""
}

func testUserRoundTrip(t *testing.T, s account.Store) {
	ctx := context.Background()
	want := account.User{Name: "Alice", Role: account.RoleBuilder, Guest: true, Disabled: true,
		CreatedAt: t0, LastLogin: at(time.Hour), PasswordHash: "$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234"}
	got, err := s.CreateUser(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID <= 0 {
		t.Fatalf("CreateUser: ID %d, want > 0", got.ID)
	}
	want.ID = got.ID
	if d := diffUser(got, want); d != "" {
		t.Errorf("CreateUser returned %s", d)
	}
	byID, err := s.User(ctx, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffUser(byID, want); d != "" {
		t.Errorf("User: %s", d)
	}
	for _, name := range []string{"Alice", "alice", "ALICE", "  aLiCe "} {
		byName, err := s.UserByName(ctx, name)
		if err != nil {
			t.Fatalf("UserByName(%q): %v", name, err)
		}
		if d := diffUser(byName, want); d != "" {
			t.Errorf("UserByName(%q): %s", name, d)
		}
	}
	// A zero LastLogin stays zero.
	bob := mustUser(t, s, "Bob")
	got, err = s.User(ctx, bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.LastLogin.IsZero() {
		t.Errorf("LastLogin of a new user: got %v, want zero", got.LastLogin)
	}
}

func testUserMissing(t *testing.T, s account.Store) {
	ctx := context.Background()
	if _, err := s.User(ctx, 12345); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("User(missing): got %v, want ErrNotFound", err)
	}
	if _, err := s.UserByName(ctx, "nobody"); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("UserByName(missing): got %v, want ErrNotFound", err)
	}
	if _, err := s.UpdateUser(ctx, 12345, account.UserUpdate{}); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("UpdateUser(missing): got %v, want ErrNotFound", err)
	}
	if _, err := s.DeleteUser(ctx, 12345, account.NoGuard); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("DeleteUser(missing): got %v, want ErrNotFound", err)
	}
}

func testNameUnique(t *testing.T, s account.Store) {
	mustUser(t, s, "Alice")
	for _, name := range []string{"Alice", "alice", "ALICE"} {
		_, err := s.CreateUser(context.Background(), account.User{Name: name, Role: account.RolePlayer, CreatedAt: t0})
		if !errors.Is(err, account.ErrNameTaken) {
			t.Errorf("CreateUser(%q) after Alice: got %v, want ErrNameTaken", name, err)
		}
	}
	mustUser(t, s, "Alicia")
}

func testNameUniqueConcurrent(t *testing.T, s account.Store) {
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.CreateUser(context.Background(), account.User{Name: "Racer", Role: account.RolePlayer, CreatedAt: t0})
		})
	}
	wg.Wait()
	ok, taken := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, account.ErrNameTaken):
			taken++
		default:
			t.Errorf("CreateUser: unexpected %v", err)
		}
	}
	if ok != 1 || taken != n-1 {
		t.Errorf("concurrent CreateUser of one name: got %d created, %d taken; want 1, %d", ok, taken, n-1)
	}
}

func testIDsNeverReused(t *testing.T, s account.Store) {
	a := mustUser(t, s, "Alice")
	b := mustUser(t, s, "Bob")
	if _, err := s.DeleteUser(context.Background(), b.ID, account.NoGuard); err != nil {
		t.Fatal(err)
	}
	c := mustUser(t, s, "Carol")
	if c.ID <= b.ID || b.ID <= a.ID {
		t.Errorf("IDs after delete: got %d, %d, %d; want increasing, never reused", a.ID, b.ID, c.ID)
	}
}

func testUpdateUser(t *testing.T, s account.Store) {
	ctx := context.Background()
	u := mustUser(t, s, "Alice")
	admin, yes, hash, login := account.RoleAdmin, true, "$argon2id$new", at(2*time.Hour)
	for _, tc := range []struct {
		name string
		ch   account.UserUpdate
		mod  func(*account.User)
	}{
		{"nothing", account.UserUpdate{}, func(*account.User) {}},
		{"role", account.UserUpdate{Role: &admin}, func(u *account.User) { u.Role = admin }},
		{"disabled", account.UserUpdate{Disabled: &yes}, func(u *account.User) { u.Disabled = true }},
		{"hash", account.UserUpdate{PasswordHash: &hash}, func(u *account.User) { u.PasswordHash = hash }},
		{"last login", account.UserUpdate{LastLogin: &login}, func(u *account.User) { u.LastLogin = login }},
	} {
		tc.mod(&u)
		got, err := s.UpdateUser(ctx, u.ID, tc.ch)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if d := diffUser(got, u); d != "" {
			t.Errorf("%s: UpdateUser returned %s", tc.name, d)
		}
		stored, err := s.User(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffUser(stored, u); d != "" {
			t.Errorf("%s: stored %s", tc.name, d)
		}
	}
}

func testDeleteUser(t *testing.T, s account.Store) {
	ctx := context.Background()
	a, b := mustUser(t, s, "Alice"), mustUser(t, s, "Bob")
	mustSession(t, s, a.ID, sid(1), t0)
	mustSession(t, s, a.ID, sid(2), at(time.Second))
	mustSession(t, s, b.ID, sid(3), t0)
	ids, err := s.DeleteUser(ctx, a.ID, account.NoGuard)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(sorted(ids)) != fmt.Sprint([]string{sid(1), sid(2)}) {
		t.Errorf("DeleteUser: got sessions %v, want %v", ids, []string{sid(1), sid(2)})
	}
	if _, err := s.User(ctx, a.ID); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("User after delete: got %v, want ErrNotFound", err)
	}
	if _, err := s.Session(ctx, sid(1)); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("Session of deleted user: got %v, want ErrNotFound", err)
	}
	if _, err := s.Session(ctx, sid(3)); err != nil {
		t.Errorf("Session of another user: got %v, want it kept", err)
	}
	if _, err := s.DeleteUser(ctx, a.ID, account.NoGuard); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("second DeleteUser: got %v, want ErrNotFound", err)
	}
	mustUser(t, s, "Alice") // the name is free again
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func testListUsers(t *testing.T, s account.Store) {
	ctx := context.Background()
	alice := mustUser(t, s, "Alice")
	albert := mustUser(t, s, "Albert", func(u *account.User) { u.Role = account.RoleAdmin; u.CreatedAt = at(time.Hour) })
	bob := mustUser(t, s, "Bob", func(u *account.User) { u.Disabled = true; u.Role = account.RoleAdmin })
	guest := mustUser(t, s, "Guest-0042", func(u *account.User) { u.Guest = true; u.PasswordHash = ""; u.CreatedAt = at(2 * time.Hour) })
	names := func(us []account.User) []string {
		var out []string
		for _, u := range us {
			out = append(out, u.Name)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		q     account.UserQuery
		want  []string
		count int
	}{
		{"all", account.UserQuery{}, []string{"Alice", "Albert", "Bob", "Guest-0042"}, 4},
		{"prefix ignores case", account.UserQuery{NamePrefix: "AL"}, []string{"Alice", "Albert"}, 2},
		{"role", account.UserQuery{Role: account.RoleAdmin}, []string{"Albert", "Bob"}, 2},
		{"enabled admins", account.UserQuery{Role: account.RoleAdmin, EnabledOnly: true}, []string{"Albert"}, 1},
		{"guests", account.UserQuery{GuestsOnly: true}, []string{"Guest-0042"}, 1},
		{"no guests", account.UserQuery{NoGuests: true}, []string{"Alice", "Albert", "Bob"}, 3},
		{"created before", account.UserQuery{CreatedBefore: at(time.Hour)}, []string{"Alice", "Bob"}, 2},
		{"page 1", account.UserQuery{Limit: 2}, []string{"Alice", "Albert"}, 4},
		{"page 2", account.UserQuery{AfterID: albert.ID, Limit: 2}, []string{"Bob", "Guest-0042"}, 4},
		{"page 3", account.UserQuery{AfterID: guest.ID, Limit: 2}, nil, 4},
	} {
		got, err := s.ListUsers(ctx, tc.q)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if fmt.Sprint(names(got)) != fmt.Sprint(tc.want) {
			t.Errorf("ListUsers %s: got %v, want %v", tc.name, names(got), tc.want)
		}
		n, err := s.CountUsers(ctx, tc.q)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if n != tc.count {
			t.Errorf("CountUsers %s: got %d, want %d", tc.name, n, tc.count)
		}
	}
	got, err := s.ListUsers(ctx, account.UserQuery{NamePrefix: "bob"})
	if err != nil || len(got) != 1 {
		t.Fatalf("ListUsers(bob): %v, %v", got, err)
	}
	if d := diffUser(got[0], bob); d != "" {
		t.Errorf("ListUsers returned %s", d)
	}
	_ = alice
}

func testSessionRoundTrip(t *testing.T, s account.Store) {
	ctx := context.Background()
	u := mustUser(t, s, "Alice")
	want := mustSession(t, s, u.ID, sid(1), t0)
	second := mustSession(t, s, u.ID, sid(2), at(time.Minute))
	got, err := s.Session(ctx, sid(1))
	if err != nil {
		t.Fatal(err)
	}
	if d := diffSession(got, want); d != "" {
		t.Errorf("Session: %s", d)
	}
	if err := s.TouchSession(ctx, sid(1), at(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	want.LastSeen = at(5 * time.Minute)
	if got, _ = s.Session(ctx, sid(1)); diffSession(got, want) != "" {
		t.Errorf("after TouchSession: %s", diffSession(got, want))
	}
	list, err := s.ListSessions(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || diffSession(list[0], want) != "" || diffSession(list[1], second) != "" {
		t.Errorf("ListSessions: got %v, want oldest first [%s %s]", list, sid(1), sid(2))
	}
	del, err := s.DeleteSession(ctx, sid(1))
	if err != nil {
		t.Fatal(err)
	}
	if d := diffSession(del, want); d != "" {
		t.Errorf("DeleteSession returned %s", d)
	}
	for _, err := range []error{
		func() error { _, err := s.Session(ctx, sid(1)); return err }(),
		func() error { _, err := s.DeleteSession(ctx, sid(1)); return err }(),
		s.TouchSession(ctx, sid(1), at(time.Hour)),
	} {
		if !errors.Is(err, account.ErrNotFound) {
			t.Errorf("on a deleted session: got %v, want ErrNotFound", err)
		}
	}
}

func testSessionNeedsUser(t *testing.T, s account.Store) {
	_, err := s.CreateSession(context.Background(), account.Session{ID: sid(1), UserID: 999, CreatedAt: t0, LastSeen: t0, ExpiresAt: at(time.Hour)}, 0)
	if !errors.Is(err, account.ErrNotFound) {
		t.Errorf("CreateSession for a missing user: got %v, want ErrNotFound", err)
	}
}

func testSessionCap(t *testing.T, s account.Store) {
	ctx := context.Background()
	u, other := mustUser(t, s, "Alice"), mustUser(t, s, "Bob")
	mustSession(t, s, other.ID, sid(100), t0.Add(-time.Hour)) // older, but someone else's
	add := func(n int, created time.Time, max int) []string {
		evicted, err := s.CreateSession(ctx, account.Session{ID: sid(n), UserID: u.ID, CreatedAt: created, LastSeen: created, ExpiresAt: created.Add(time.Hour)}, max)
		if err != nil {
			t.Fatal(err)
		}
		return evicted
	}
	for _, tc := range []struct {
		n       int
		created time.Time
		max     int
		want    []string
	}{
		{1, t0, 3, nil},
		{3, at(time.Second), 3, nil},
		{2, at(time.Second), 3, nil}, // same time as 3: the smaller ID counts as older
		{4, at(2 * time.Second), 3, []string{sid(1)}},
		{5, at(3 * time.Second), 3, []string{sid(2)}},
		{6, at(4 * time.Second), 2, []string{sid(3), sid(4)}},
		{7, at(5 * time.Second), 0, nil},
	} {
		got := add(tc.n, tc.created, tc.max)
		if fmt.Sprint(sorted(got)) != fmt.Sprint(tc.want) {
			t.Errorf("CreateSession %d (max %d): evicted %v, want %v", tc.n, tc.max, got, tc.want)
		}
	}
	list, _ := s.ListSessions(ctx, u.ID)
	var ids []string
	for _, x := range list {
		ids = append(ids, x.ID)
	}
	if want := []string{sid(5), sid(6), sid(7)}; fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("sessions left: got %v, want %v", ids, want)
	}
	if _, err := s.Session(ctx, sid(100)); err != nil {
		t.Errorf("another user's session: got %v, want kept", err)
	}
}

func testDeleteUserSessions(t *testing.T, s account.Store) {
	ctx := context.Background()
	u, other := mustUser(t, s, "Alice"), mustUser(t, s, "Bob")
	for i := 1; i <= 3; i++ {
		mustSession(t, s, u.ID, sid(i), at(time.Duration(i)*time.Second))
	}
	mustSession(t, s, other.ID, sid(9), t0)
	got, err := s.DeleteUserSessions(ctx, u.ID, sid(2))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{sid(1), sid(3)}; fmt.Sprint(sorted(got)) != fmt.Sprint(want) {
		t.Errorf("DeleteUserSessions(keep 2): got %v, want %v", got, want)
	}
	got, err = s.DeleteUserSessions(ctx, u.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{sid(2)}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("DeleteUserSessions(keep none): got %v, want %v", got, want)
	}
	if got, err = s.DeleteUserSessions(ctx, u.ID, ""); err != nil || len(got) != 0 {
		t.Errorf("DeleteUserSessions with none left: got %v, %v; want none", got, err)
	}
	if _, err := s.Session(ctx, sid(9)); err != nil {
		t.Errorf("another user's session: got %v, want kept", err)
	}
}

func testDeleteExpiredSessions(t *testing.T, s account.Store) {
	ctx := context.Background()
	u := mustUser(t, s, "Alice")
	now, idleBefore := at(10*time.Hour), at(9*time.Hour)
	mk := func(n int, lastSeen, expires time.Time) {
		if _, err := s.CreateSession(ctx, account.Session{ID: sid(n), UserID: u.ID, CreatedAt: t0, LastSeen: lastSeen, ExpiresAt: expires}, 0); err != nil {
			t.Fatal(err)
		}
	}
	mk(1, at(9*time.Hour+time.Second), now)                            // absolute expiry exactly now: gone
	mk(2, idleBefore, at(20*time.Hour))                                // idle exactly at the cutoff: gone
	mk(3, at(9*time.Hour+time.Microsecond), now.Add(time.Microsecond)) // both just inside: kept
	mk(4, at(time.Hour), at(5*time.Hour))                              // both past: gone
	got, err := s.DeleteExpiredSessions(ctx, now, idleBefore)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, x := range got {
		ids = append(ids, x.ID)
		if x.UserID != u.ID {
			t.Errorf("DeleteExpiredSessions: session %s has UserID %d, want %d", x.ID, x.UserID, u.ID)
		}
	}
	if want := []string{sid(1), sid(2), sid(4)}; fmt.Sprint(sorted(ids)) != fmt.Sprint(want) {
		t.Errorf("DeleteExpiredSessions: got %v, want %v", sorted(ids), want)
	}
	if _, err := s.Session(ctx, sid(3)); err != nil {
		t.Errorf("live session: got %v, want kept", err)
	}
}

func testTokens(t *testing.T, s account.Store) {
	ctx := context.Background()
	put := func(hash, purpose string, userID int64, expires time.Time) {
		if err := s.PutToken(ctx, account.Token{Hash: hash, Purpose: purpose, UserID: userID, ExpiresAt: expires}); err != nil {
			t.Fatal(err)
		}
	}
	consume := func(purpose, hash string, now time.Time) error {
		_, err := s.ConsumeToken(ctx, purpose, hash, now)
		return err
	}
	put("h1", "setup", 0, at(time.Hour))
	if err := consume("reset", "h1", t0); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("ConsumeToken with another purpose: got %v, want ErrNotFound", err)
	}
	tok, err := s.ConsumeToken(ctx, "setup", "h1", t0)
	if err != nil {
		t.Fatalf("ConsumeToken: %v", err)
	}
	if tok.Hash != "h1" || tok.Purpose != "setup" || !tok.ExpiresAt.Equal(at(time.Hour)) {
		t.Errorf("ConsumeToken: got %+v", tok)
	}
	if err := consume("setup", "h1", t0); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("second ConsumeToken: got %v, want ErrNotFound", err)
	}
	put("h2", "setup", 0, at(time.Hour))
	if err := consume("setup", "h2", at(time.Hour)); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("ConsumeToken at expiry: got %v, want ErrNotFound", err)
	}
	// A new token of the same purpose and user voids the old one.
	put("h3", "setup", 0, at(time.Hour))
	put("h4", "setup", 0, at(time.Hour))
	put("h5", "reset", 7, at(time.Hour))
	put("h6", "reset", 8, at(time.Hour))
	if err := consume("setup", "h3", t0); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("ConsumeToken of a replaced token: got %v, want ErrNotFound", err)
	}
	for _, h := range []struct{ purpose, hash string }{{"setup", "h4"}, {"reset", "h5"}, {"reset", "h6"}} {
		if err := consume(h.purpose, h.hash, t0); err != nil {
			t.Errorf("ConsumeToken(%s): got %v, want it valid", h.hash, err)
		}
	}
}

func testTokenConsumedOnce(t *testing.T, s account.Store) {
	if err := s.PutToken(context.Background(), account.Token{Hash: "h", Purpose: "setup", ExpiresAt: at(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { _, errs[i] = s.ConsumeToken(context.Background(), "setup", "h", t0) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if !errors.Is(err, account.ErrNotFound) {
			t.Errorf("ConsumeToken: unexpected %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("concurrent ConsumeToken: got %d successes, want 1", ok)
	}
}

func testLimits(t *testing.T, s account.Store) {
	ctx := context.Background()
	l, err := s.Limit(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if l.Key != "k" || !l.IsZero() {
		t.Errorf("Limit of a new key: got %+v, want zero with Key k", l)
	}
	want := account.Limit{Key: "k", Count: 3, WindowStart: t0, Failures: 2, LastFailure: at(time.Second),
		NextAt: at(2 * time.Second), LockedUntil: at(time.Minute), Expires: at(time.Hour)}
	got, err := s.UpdateLimit(ctx, "k", func(l *account.Limit) {
		if !l.IsZero() {
			t.Errorf("UpdateLimit saw %+v for a new key, want zero", *l)
		}
		k := l.Key
		*l = want
		l.Key = k
	})
	if err != nil {
		t.Fatal(err)
	}
	same := func(a, b account.Limit) bool {
		return a.Key == b.Key && a.Count == b.Count && a.Failures == b.Failures &&
			a.WindowStart.Equal(b.WindowStart) && a.LastFailure.Equal(b.LastFailure) && a.NextAt.Equal(b.NextAt) &&
			a.LockedUntil.Equal(b.LockedUntil) && a.Expires.Equal(b.Expires)
	}
	if !same(got, want) {
		t.Errorf("UpdateLimit returned %+v, want %+v", got, want)
	}
	if got, _ = s.Limit(ctx, "k"); !same(got, want) {
		t.Errorf("Limit after UpdateLimit: got %+v, want %+v", got, want)
	}
	// Zero times survive as zero.
	s.UpdateLimit(ctx, "z", func(l *account.Limit) { l.Count = 1; l.Expires = at(time.Hour) })
	if got, _ = s.Limit(ctx, "z"); !got.WindowStart.IsZero() || !got.LockedUntil.IsZero() || got.Count != 1 {
		t.Errorf("Limit with zero times: got %+v", got)
	}
	// DeleteExpiredLimits drops k at its expiry, keeps the later one.
	s.UpdateLimit(ctx, "later", func(l *account.Limit) { l.Count = 1; l.Expires = at(2 * time.Hour) })
	n, err := s.DeleteExpiredLimits(ctx, at(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("DeleteExpiredLimits: got %d, want 2", n)
	}
	if got, _ = s.Limit(ctx, "later"); got.Count != 1 {
		t.Errorf("unexpired limit: got %+v, want kept", got)
	}
	// A zero result deletes the key.
	if _, err := s.UpdateLimit(ctx, "later", func(l *account.Limit) { *l = account.Limit{} }); err != nil {
		t.Fatal(err)
	}
	if got, _ = s.Limit(ctx, "later"); !got.IsZero() {
		t.Errorf("Limit after zeroing: got %+v, want zero", got)
	}
	if n, _ := s.DeleteExpiredLimits(ctx, at(100*time.Hour)); n != 0 {
		t.Errorf("DeleteExpiredLimits after zeroing: got %d, want 0 (already deleted)", n)
	}
}

func testLimitsAtomic(t *testing.T, s account.Store) {
	const workers, each = 8, 25
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				if _, err := s.UpdateLimit(context.Background(), "count", func(l *account.Limit) {
					l.Count++
					l.Expires = at(time.Hour)
				}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	l, err := s.Limit(context.Background(), "count")
	if err != nil {
		t.Fatal(err)
	}
	if l.Count != workers*each {
		t.Errorf("concurrent UpdateLimit: got count %d, want %d", l.Count, workers*each)
	}
}

func testEvents(t *testing.T, s account.Store) {
	ctx := context.Background()
	in := []account.Event{
		{Time: t0, Type: account.EventRegister, UserID: 1, Name: "Alice", Addr: "192.0.2.1"},
		{Time: at(time.Minute), Type: account.EventLogin, UserID: 1, Name: "Alice", Addr: "192.0.2.1", SessionID: sid(1)},
		{Time: at(2 * time.Minute), Type: account.EventLoginFailed, Name: "mallory", Addr: "198.51.100.7"},
		{Time: at(3 * time.Minute), Type: account.EventRoleChange, UserID: 2, Name: "Bob", ActorID: 1, Actor: "Alice", Detail: "player -> builder"},
	}
	for _, e := range in {
		if err := s.AppendEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.ListEvents(ctx, account.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(in) {
		t.Fatalf("ListEvents: got %d events, want %d", len(all), len(in))
	}
	for i, e := range all {
		want := in[len(in)-1-i]
		want.ID = e.ID
		e.Time, want.Time = e.Time.UTC(), want.Time.UTC()
		if e != want {
			t.Errorf("event %d: got %+v, want %+v", i, e, want)
		}
		if i > 0 && e.ID >= all[i-1].ID {
			t.Errorf("ListEvents: IDs %d then %d, want newest first", all[i-1].ID, e.ID)
		}
	}
	types := func(es []account.Event) []account.EventType {
		var out []account.EventType
		for _, e := range es {
			out = append(out, e.Type)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		q    account.EventQuery
		want []account.EventType
	}{
		{"user as subject or actor", account.EventQuery{UserID: 1}, []account.EventType{account.EventRoleChange, account.EventLogin, account.EventRegister}},
		{"type", account.EventQuery{Type: account.EventLoginFailed}, []account.EventType{account.EventLoginFailed}},
		{"limit", account.EventQuery{Limit: 2}, []account.EventType{account.EventRoleChange, account.EventLoginFailed}},
		{"before", account.EventQuery{BeforeID: all[0].ID, Limit: 1}, []account.EventType{account.EventLoginFailed}},
		{"since", account.EventQuery{Since: at(time.Minute)}, []account.EventType{account.EventRoleChange, account.EventLoginFailed, account.EventLogin}},
	} {
		got, err := s.ListEvents(ctx, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(types(got)) != fmt.Sprint(tc.want) {
			t.Errorf("ListEvents %s: got %v, want %v", tc.name, types(got), tc.want)
		}
	}
	n, err := s.DeleteEvents(ctx, at(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("DeleteEvents: got %d, want 2", n)
	}
	left, _ := s.ListEvents(ctx, account.EventQuery{})
	if want := []account.EventType{account.EventRoleChange, account.EventLoginFailed}; fmt.Sprint(types(left)) != fmt.Sprint(want) {
		t.Errorf("after DeleteEvents: got %v, want %v", types(left), want)
	}
}

func testCountEvents(t *testing.T, s account.Store) {
	ctx := context.Background()
	for i, e := range []account.Event{
		{Type: account.EventLoginFailed, UserID: 7},
		{Type: account.EventLoginFailed, UserID: 7},
		{Type: account.EventLogin, UserID: 7},
		{Type: account.EventLoginFailed, UserID: 7},
		{Type: account.EventLoginFailed, UserID: 8},
		{Type: account.EventLoginFailed},
	} {
		e.Time = at(time.Duration(i) * time.Minute)
		if err := s.AppendEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		q    account.EventQuery
		want int
	}{
		{"all", account.EventQuery{}, 6},
		{"user", account.EventQuery{UserID: 7}, 4},
		{"user and type", account.EventQuery{UserID: 7, Type: account.EventLoginFailed}, 3},
		{"since the login", account.EventQuery{UserID: 7, Type: account.EventLoginFailed, Since: at(2 * time.Minute)}, 1},
		{"since, inclusive", account.EventQuery{Type: account.EventLoginFailed, Since: at(3 * time.Minute)}, 3},
		{"limit and before ignored", account.EventQuery{UserID: 7, Limit: 1, BeforeID: 1}, 4},
	} {
		n, err := s.CountEvents(ctx, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if n != tc.want {
			t.Errorf("CountEvents %s: got %d, want %d", tc.name, n, tc.want)
		}
	}
}

// testLimitNoChange checks what a store can be seen to do when fn
// changes nothing: it returns the state as it is, and a concurrent
// change is not undone by it.
func testLimitNoChange(t *testing.T, s account.Store) {
	ctx := context.Background()
	set := func(n int) {
		if _, err := s.UpdateLimit(ctx, "k", func(l *account.Limit) { l.Count = n; l.Expires = at(time.Hour) }); err != nil {
			t.Fatal(err)
		}
	}
	set(5)
	calls := 0
	got, err := s.UpdateLimit(ctx, "k", func(l *account.Limit) { calls++ })
	if err != nil {
		t.Fatal(err)
	}
	if got.Count != 5 || got.Key != "k" || calls == 0 {
		t.Errorf("UpdateLimit with no change: got %+v after %d calls, want count 5", got, calls)
	}
	// A no-op on a key without state creates none.
	if _, err := s.UpdateLimit(ctx, "none", func(l *account.Limit) {}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.DeleteExpiredLimits(ctx, at(1000*time.Hour)); n != 1 {
		t.Errorf("DeleteExpiredLimits after a no-op on a new key: got %d rows, want 1 (only k)", n)
	}
	// Writers and no-op readers at once: no write is lost.
	const workers, each = 4, 20
	var wg sync.WaitGroup
	for i := range 2 * workers {
		wg.Go(func() {
			for range each {
				fn := func(l *account.Limit) {}
				if i%2 == 0 {
					fn = func(l *account.Limit) { l.Count++; l.Expires = at(time.Hour) }
				}
				if _, err := s.UpdateLimit(ctx, "mixed", fn); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if l, _ := s.Limit(ctx, "mixed"); l.Count != workers*each {
		t.Errorf("concurrent writers and no-ops: got count %d, want %d", l.Count, workers*each)
	}
}

func testDeleteLimits(t *testing.T, s account.Store) {
	ctx := context.Background()
	for _, k := range []string{"login/name/ab", "login/name/ab/addr/192.0.2.1", "login/name/ab/addr/2001:db8::/64", "login/name/abc", "login/device/1/x"} {
		if _, err := s.UpdateLimit(ctx, k, func(l *account.Limit) { l.Failures = 1; l.Expires = at(time.Hour) }); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.DeleteLimits(ctx, "login/name/ab/")
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("DeleteLimits(login/name/ab/): got %d, want 2", n)
	}
	for k, want := range map[string]int{"login/name/ab": 1, "login/name/ab/addr/192.0.2.1": 0, "login/name/abc": 1, "login/device/1/x": 1} {
		if l, _ := s.Limit(ctx, k); l.Failures != want {
			t.Errorf("after DeleteLimits, %s: got %d failures, want %d", k, l.Failures, want)
		}
	}
	// Characters LIKE would treat as patterns are literal.
	s.UpdateLimit(ctx, "a%b", func(l *account.Limit) { l.Failures = 1; l.Expires = at(time.Hour) })
	if n, _ := s.DeleteLimits(ctx, "a_"); n != 0 {
		t.Errorf("DeleteLimits(a_) deleted %d, want 0", n)
	}
}

func testGuardKeepsSuperuser(t *testing.T, s account.Store) {
	ctx := context.Background()
	su := account.RoleSuperuser
	player := account.RolePlayer
	yes := true
	// No superuser at all: a guarded change of anyone else goes through.
	p := mustUser(t, s, "Pat")
	if _, err := s.UpdateUser(ctx, p.ID, account.UserUpdate{Disabled: &yes, Guard: account.KeepSuperuser}); err != nil {
		t.Errorf("guarded disable with no superuser anywhere: %v", err)
	}
	a := mustUser(t, s, "Alice", func(u *account.User) { u.Role = su })
	for _, tc := range []struct {
		name string
		ch   account.UserUpdate
	}{
		{"demote", account.UserUpdate{Role: &player, Guard: account.KeepSuperuser}},
		{"disable", account.UserUpdate{Disabled: &yes, Guard: account.KeepSuperuser}},
	} {
		if _, err := s.UpdateUser(ctx, a.ID, tc.ch); !errors.Is(err, account.ErrLastSuperuser) {
			t.Errorf("%s the last superuser: got %v, want ErrLastSuperuser", tc.name, err)
		}
		if got, _ := s.User(ctx, a.ID); got.Role != su || got.Disabled {
			t.Errorf("%s refused, but the account changed: %+v", tc.name, got)
		}
	}
	if _, err := s.DeleteUser(ctx, a.ID, account.KeepSuperuser); !errors.Is(err, account.ErrLastSuperuser) {
		t.Errorf("delete the last superuser: got %v, want ErrLastSuperuser", err)
	}
	if _, err := s.User(ctx, a.ID); err != nil {
		t.Errorf("delete refused, but the account is gone: %v", err)
	}
	// Unguarded, the store does as told (the console's own checks aside).
	if _, err := s.UpdateUser(ctx, a.ID, account.UserUpdate{Role: &player}); err != nil {
		t.Errorf("unguarded demote: %v", err)
	}
	s.UpdateUser(ctx, a.ID, account.UserUpdate{Role: &su})
	// With a second one, either may go.
	b := mustUser(t, s, "Bob", func(u *account.User) { u.Role = su })
	if _, err := s.UpdateUser(ctx, b.ID, account.UserUpdate{Role: &player, Guard: account.KeepSuperuser}); err != nil {
		t.Errorf("demote one of two superusers: %v", err)
	}
	if _, err := s.DeleteUser(ctx, b.ID, account.KeepSuperuser); err != nil {
		t.Errorf("delete a former superuser: %v", err)
	}
}

// testGuardConcurrent is the race of two superusers demoting (or
// disabling, or deleting) each other at the same instant: exactly one
// may win, every time.
func testGuardConcurrent(t *testing.T, s account.Store) {
	ctx := context.Background()
	su, player := account.RoleSuperuser, account.RolePlayer
	yes := true
	changes := []struct {
		name string
		do   func(id int64) error
	}{
		{"demote", func(id int64) error {
			_, err := s.UpdateUser(ctx, id, account.UserUpdate{Role: &player, Guard: account.KeepSuperuser})
			return err
		}},
		{"disable", func(id int64) error {
			_, err := s.UpdateUser(ctx, id, account.UserUpdate{Disabled: &yes, Guard: account.KeepSuperuser})
			return err
		}},
		{"delete", func(id int64) error {
			_, err := s.DeleteUser(ctx, id, account.KeepSuperuser)
			return err
		}},
	}
	for round := range 12 {
		ch := changes[round%len(changes)]
		a := mustUser(t, s, fmt.Sprintf("A%d", round), func(u *account.User) { u.Role = su })
		b := mustUser(t, s, fmt.Sprintf("B%d", round), func(u *account.User) { u.Role = su })
		start := make(chan struct{})
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, id := range []int64{a.ID, b.ID} {
			wg.Go(func() {
				<-start
				errs[i] = ch.do(id)
			})
		}
		close(start)
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, account.ErrLastSuperuser):
				t.Fatalf("%s, round %d: %v", ch.name, round, err)
			}
		}
		n, err := s.CountUsers(ctx, account.UserQuery{Role: su, EnabledOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if won != 1 || n != 1 {
			t.Fatalf("%s, round %d: %d of 2 went through and %d superusers are left, want 1 and 1 (errors %v)", ch.name, round, won, n, errs)
		}
		// Back to none for the next round.
		for _, id := range []int64{a.ID, b.ID} {
			s.DeleteUser(ctx, id, account.NoGuard)
		}
	}
}

func testSecret(t *testing.T, s account.Store) {
	ctx := context.Background()
	first := []byte("0123456789abcdef0123456789abcdef")
	got, err := s.Secret(ctx, "k", first)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(first) {
		t.Errorf("Secret on first use: got %q, want the fresh one", got)
	}
	got, err = s.Secret(ctx, "k", []byte("another"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(first) {
		t.Errorf("Secret on second use: got %q, want the first one kept", got)
	}
	if got, _ := s.Secret(ctx, "other", []byte("x")); string(got) != "x" {
		t.Errorf("Secret of another name: got %q, want its own", got)
	}
}

func testSecretConcurrent(t *testing.T, s account.Store) {
	const n = 8
	got := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			v, err := s.Secret(context.Background(), "shared", []byte(fmt.Sprintf("candidate-%d", i)))
			if err != nil {
				t.Error(err)
			}
			got[i] = string(v)
		})
	}
	wg.Wait()
	for i := range got {
		if got[i] != got[0] {
			t.Fatalf("concurrent Secret calls got different secrets: %q", got)
		}
	}
}

func diffSettings(got, want account.Settings) string {
	switch {
	case got.Version != want.Version:
		return fmt.Sprintf("Version %d, want %d", got.Version, want.Version)
	case !got.Updated.Equal(want.Updated) || got.Updated.IsZero() != want.Updated.IsZero():
		return fmt.Sprintf("Updated %v, want %v", got.Updated, want.Updated)
	case !bytes.Equal(got.Doc, want.Doc) || (got.Doc == nil) != (want.Doc == nil):
		return fmt.Sprintf("Doc %.80q, want %.80q", got.Doc, want.Doc)
	}
	return ""
}

func mustPutSettings(t *testing.T, s account.Store, userID, version int64, doc string, now time.Time) account.Settings {
	t.Helper()
	st, err := s.PutSettings(context.Background(), userID, version, []byte(doc), now)
	if err != nil {
		t.Fatalf("PutSettings(user %d, version %d): %v", userID, version, err)
	}
	return st
}

func testSettingsEmpty(t *testing.T, s account.Store) {
	u := mustUser(t, s, "Alice")
	for _, id := range []int64{u.ID, 12345} {
		st, err := s.Settings(context.Background(), id)
		if err != nil {
			t.Fatalf("Settings(%d) with none stored: %v", id, err)
		}
		if d := diffSettings(st, account.Settings{}); d != "" {
			t.Errorf("Settings(%d) with none stored: %s", id, d)
		}
	}
}

func testSettingsRoundTrip(t *testing.T, s account.Store) {
	ctx := context.Background()
	a, b := mustUser(t, s, "Alice"), mustUser(t, s, "Bob")
	// Kept byte for byte: key order, escapes, non-ASCII text.
	doc := `{"z":1,"a":{"font":"Fira Mono","size":14},"aliases":{"k":"kill $1"},"note":"caf\u00e9 — ☕","history":["look","n"]}`
	want := account.Settings{Version: 1, Updated: t0, Doc: []byte(doc)}
	if d := diffSettings(mustPutSettings(t, s, a.ID, 0, doc, t0), want); d != "" {
		t.Errorf("first PutSettings returned %s", d)
	}
	got, err := s.Settings(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffSettings(got, want); d != "" {
		t.Errorf("Settings after the first put: %s", d)
	}
	want = account.Settings{Version: 2, Updated: at(time.Minute), Doc: []byte(`{}`)}
	if d := diffSettings(mustPutSettings(t, s, a.ID, 1, `{}`, at(time.Minute)), want); d != "" {
		t.Errorf("second PutSettings returned %s", d)
	}
	if got, _ = s.Settings(ctx, a.ID); diffSettings(got, want) != "" {
		t.Errorf("Settings after the second put: %s", diffSettings(got, want))
	}
	// Each account has its own.
	if got, _ = s.Settings(ctx, b.ID); diffSettings(got, account.Settings{}) != "" {
		t.Errorf("Settings of another account: %s", diffSettings(got, account.Settings{}))
	}
	mustPutSettings(t, s, b.ID, 0, `{"b":true}`, t0)
	if got, _ = s.Settings(ctx, a.ID); got.Version != 2 || string(got.Doc) != `{}` {
		t.Errorf("Alice's settings after Bob's first put: %+v", got)
	}
}

func testSettingsConflict(t *testing.T, s account.Store) {
	ctx := context.Background()
	u := mustUser(t, s, "Alice")
	mustPutSettings(t, s, u.ID, 0, `{"v":1}`, t0)
	cur := mustPutSettings(t, s, u.ID, 1, `{"v":2}`, at(time.Second))
	for _, version := range []int64{0, 1, 3, 99} {
		got, err := s.PutSettings(ctx, u.ID, version, []byte(`{"stale":true}`), at(time.Hour))
		if !errors.Is(err, account.ErrVersionConflict) {
			t.Errorf("PutSettings with version %d when 2 is stored: got %v, want ErrVersionConflict", version, err)
		}
		if d := diffSettings(got, cur); d != "" {
			t.Errorf("PutSettings with version %d: returned %s, want the current settings", version, d)
		}
	}
	if got, _ := s.Settings(ctx, u.ID); diffSettings(got, cur) != "" {
		t.Errorf("Settings after refused puts: %s", diffSettings(got, cur))
	}
	// A stale version on an account with none stored conflicts too.
	b := mustUser(t, s, "Bob")
	got, err := s.PutSettings(ctx, b.ID, 1, []byte(`{}`), t0)
	if !errors.Is(err, account.ErrVersionConflict) || diffSettings(got, account.Settings{}) != "" {
		t.Errorf("PutSettings with version 1 when none is stored: got %+v, %v; want zero settings and ErrVersionConflict", got, err)
	}
}

// testSettingsConcurrent: devices writing at once from the same version,
// first with none stored (the insert) then over one (the update): exactly
// one wins each round, and every other is told of the winner's settings.
func testSettingsConcurrent(t *testing.T, s account.Store) {
	const n = 8
	u := mustUser(t, s, "Alice")
	for version := range int64(3) {
		start := make(chan struct{})
		sts := make([]account.Settings, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				sts[i], errs[i] = s.PutSettings(context.Background(), u.ID, version, []byte(fmt.Sprintf(`{"device":%d}`, i)), at(time.Duration(version)*time.Minute))
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if winner >= 0 {
					t.Fatalf("version %d: devices %d and %d both won", version, winner, i)
				}
				winner = i
			case !errors.Is(err, account.ErrVersionConflict):
				t.Fatalf("version %d, device %d: %v", version, i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("version %d: no device won: %v", version, errs)
		}
		want := account.Settings{Version: version + 1, Updated: at(time.Duration(version) * time.Minute), Doc: []byte(fmt.Sprintf(`{"device":%d}`, winner))}
		for i, st := range sts {
			if d := diffSettings(st, want); d != "" {
				t.Errorf("version %d, device %d (winner %d): returned %s", version, i, winner, d)
			}
		}
		if got, _ := s.Settings(context.Background(), u.ID); diffSettings(got, want) != "" {
			t.Errorf("version %d: stored %s", version, diffSettings(got, want))
		}
	}
}

// testSettingsMaxSize: a document of MaxSettingsBytes is kept whole.
func testSettingsMaxSize(t *testing.T, s account.Store) {
	u := mustUser(t, s, "Alice")
	prefix, suffix := `{"history":"`, `"}`
	doc := prefix + strings.Repeat("é", (account.MaxSettingsBytes-len(prefix)-len(suffix))/2) + suffix
	doc = doc[:len(doc)-len(suffix)] + strings.Repeat("x", account.MaxSettingsBytes-len(doc)) + suffix
	if len(doc) != account.MaxSettingsBytes {
		t.Fatalf("test document has %d bytes, want %d", len(doc), account.MaxSettingsBytes)
	}
	mustPutSettings(t, s, u.ID, 0, doc, t0)
	got, err := s.Settings(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Doc) != doc {
		t.Errorf("Settings of %d bytes: got %d bytes back, different", len(doc), len(got.Doc))
	}
}

func testSettingsNeedUser(t *testing.T, s account.Store) {
	for _, version := range []int64{0, 1} {
		if _, err := s.PutSettings(context.Background(), 12345, version, []byte(`{}`), t0); !errors.Is(err, account.ErrNotFound) {
			t.Errorf("PutSettings(version %d) for a missing account: got %v, want ErrNotFound", version, err)
		}
	}
}

func testSettingsDeletedWithUser(t *testing.T, s account.Store) {
	ctx := context.Background()
	a, b := mustUser(t, s, "Alice"), mustUser(t, s, "Bob")
	mustPutSettings(t, s, a.ID, 0, `{"a":1}`, t0)
	kept := mustPutSettings(t, s, b.ID, 0, `{"b":1}`, t0)
	if _, err := s.DeleteUser(ctx, a.ID, account.NoGuard); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Settings(ctx, a.ID); err != nil || diffSettings(got, account.Settings{}) != "" {
		t.Errorf("Settings of a deleted account: got %+v, %v; want none", got, err)
	}
	if got, _ := s.Settings(ctx, b.ID); diffSettings(got, kept) != "" {
		t.Errorf("Settings of another account after a delete: %s", diffSettings(got, kept))
	}
	if _, err := s.PutSettings(ctx, a.ID, 1, []byte(`{}`), at(time.Hour)); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("PutSettings for a deleted account: got %v, want ErrNotFound", err)
	}
}
