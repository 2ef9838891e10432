package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
)

// The account service's security properties that depend on the store,
// run on both stores.

// TestSuperusersDemotingEachOther is the review's fourth finding: two
// superusers demoting (or disabling) each other at the same instant must
// not leave none. Each round races the two requests; exactly one wins.
func TestSuperusersDemotingEachOther(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			st := be.open(t)
			svc, err := account.New(account.Config{Store: st, Hash: account.MinHashParams()})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			for round := range 10 {
				var users [2]account.User
				for i := range users {
					u, err := st.CreateUser(ctx, account.User{Name: fmt.Sprintf("Su%d%c", round, 'a'+i), Role: account.RoleSuperuser, CreatedAt: time.Now()})
					if err != nil {
						t.Fatal(err)
					}
					users[i] = u
				}
				disable := round%2 == 1
				var wg sync.WaitGroup
				errs := make([]error, 2)
				start := make(chan struct{})
				for i := range users {
					by, target := users[i], users[1-i]
					wg.Go(func() {
						<-start
						if disable {
							errs[i] = svc.Disable(ctx, account.UserActor(by, ""), target.ID)
						} else {
							errs[i] = svc.SetRole(ctx, account.UserActor(by, ""), target.ID, account.RoleAdmin)
						}
					})
				}
				close(start)
				wg.Wait()
				n, err := st.CountUsers(ctx, account.UserQuery{Role: account.RoleSuperuser, EnabledOnly: true})
				if err != nil {
					t.Fatal(err)
				}
				if n != 1 {
					t.Fatalf("round %d (disable %v): %d superusers left, want 1; errors %v", round, disable, n, errs)
				}
				for _, err := range errs {
					if err != nil && !errors.Is(err, account.ErrLastSuperuser) && !errors.Is(err, account.ErrForbidden) {
						t.Fatalf("round %d: %v", round, err)
					}
				}
				for _, u := range users {
					st.DeleteUser(ctx, u.ID, account.NoGuard)
				}
			}
		})
	}
}

// TestAttackerCannotLockOutTheOwner is the review's first finding, on
// each store: a name locked out from one address still lets its owner in
// from the browser that logged in before, and slows (not locks) a new
// address.
func TestAttackerCannotLockOutTheOwner(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
			var mu sync.Mutex
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
			svc, err := account.New(account.Config{Store: be.open(t), Hash: account.MinHashParams(), Now: clock,
				Limits: account.Limits{LoginPerAddr: account.Rate{N: -1}}})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			g, err := svc.Register(ctx, account.RegisterRequest{Client: account.Client{Addr: "192.0.2.10"}, Name: "Alice", Password: password})
			if err != nil {
				t.Fatal(err)
			}
			login := func(addr, pw, device string) error {
				_, err := svc.Login(ctx, account.LoginRequest{Client: account.Client{Addr: addr, DeviceCookie: device}, Name: "Alice", Password: pw})
				return err
			}
			locked := false
			for range 30 {
				err := login("203.0.113.9", "guess guess guess", "")
				var le *account.LimitError
				if errors.Is(err, account.ErrLocked) {
					locked = true
					break
				} else if errors.As(err, &le) {
					advance(le.RetryAfter)
				}
			}
			if !locked {
				t.Fatal("the attacker's address never locked")
			}
			if err := login("192.0.2.10", password, g.DeviceCookie); err != nil {
				t.Errorf("the owner's known browser: %v", err)
			}
			err = login("198.51.100.7", password, "")
			var le *account.LimitError
			if !errors.As(err, &le) || !errors.Is(err, account.ErrRateLimited) {
				t.Fatalf("a new address: got %v, want slowed (ErrRateLimited)", err)
			}
			advance(le.RetryAfter)
			if err := login("198.51.100.7", password, ""); err != nil {
				t.Errorf("a new address after its wait: %v", err)
			}
		})
	}
}
