package account

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// SweepStats counts what one Sweep removed.
type SweepStats struct {
	Sessions int // expired sessions
	Guests   int // guest accounts past GuestLifetime
	Limits   int // stale rate-limit states
	Events   int // audit events past AuditRetention
}

// Run sweeps at once and then every SweepEvery until ctx ends, and
// returns nil then. The app runs it on a goroutine it waits for. Sweep
// failures are logged and retried at the next tick.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(s.conf().SweepEvery)
	defer t.Stop()
	for {
		if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("account sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Sweep runs every periodic job once: SweepExpiredSessions, PurgeGuests,
// stale rate-limit state, and audit events past retention.
func (s *Service) Sweep(ctx context.Context) (SweepStats, error) {
	var st SweepStats
	var errs []error
	var err error
	if st.Sessions, err = s.SweepExpiredSessions(ctx); err != nil {
		errs = append(errs, err)
	}
	if st.Guests, err = s.PurgeGuests(ctx); err != nil {
		errs = append(errs, err)
	}
	if st.Limits, err = s.store.DeleteExpiredLimits(ctx, s.now()); err != nil {
		errs = append(errs, fmt.Errorf("sweep rate limits: %w", err))
	}
	if s.conf().AuditRetention > 0 {
		if st.Events, err = s.store.DeleteEvents(ctx, s.now().Add(-s.conf().AuditRetention)); err != nil {
			errs = append(errs, fmt.Errorf("sweep audit events: %w", err))
		}
	}
	if st != (SweepStats{}) {
		s.log.Info("account sweep", "sessions", st.Sessions, "guests", st.Guests, "limits", st.Limits, "events", st.Events)
	}
	return st, errors.Join(errs...)
}

// SweepExpiredSessions deletes the sessions past their idle or absolute
// timeout, tells OnRevoke (reason expired), and returns how many.
func (s *Service) SweepExpiredSessions(ctx context.Context) (int, error) {
	now := s.now()
	gone, err := s.store.DeleteExpiredSessions(ctx, now, now.Add(-s.conf().IdleTimeout))
	if err != nil {
		return 0, fmt.Errorf("sweep sessions: %w", err)
	}
	byUser := make(map[int64][]string)
	var order []int64
	for _, sess := range gone {
		if _, ok := byUser[sess.UserID]; !ok {
			order = append(order, sess.UserID)
		}
		byUser[sess.UserID] = append(byUser[sess.UserID], sess.ID)
	}
	for _, id := range order {
		s.revoked(ctx, Event{UserID: id}, byUser[id], ReasonExpired)
	}
	return len(gone), nil
}

// PurgeGuests deletes the guest accounts older than GuestLifetime, with
// their sessions (OnRevoke: guest_expired), and returns how many.
func (s *Service) PurgeGuests(ctx context.Context) (int, error) {
	// Created at or before now - GuestLifetime: Authenticate refuses them
	// from that instant.
	cutoff := s.now().Add(-s.conf().GuestLifetime).Add(time.Microsecond)
	n := 0
	for {
		guests, err := s.store.ListUsers(ctx, UserQuery{GuestsOnly: true, CreatedBefore: cutoff, Limit: 100})
		if err != nil {
			return n, fmt.Errorf("purge guests: %w", err)
		}
		if len(guests) == 0 {
			return n, nil
		}
		for _, g := range guests {
			ids, err := s.store.DeleteUser(ctx, g.ID, NoGuard)
			if errors.Is(err, ErrNotFound) {
				continue
			} else if err != nil {
				return n, fmt.Errorf("purge guest %q: %w", g.Name, err)
			}
			n++
			e := Event{Type: EventGuestPurge, UserID: g.ID, Name: g.Name}
			s.record(ctx, e)
			s.revoked(ctx, e, ids, ReasonGuestExpired)
		}
	}
}
