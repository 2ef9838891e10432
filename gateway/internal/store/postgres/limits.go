package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const limitCols = "key, count, window_start, failures, last_failure, next_at, locked_until, expires"

func scanLimit(r pgx.Row) (account.Limit, error) {
	var l account.Limit
	err := r.Scan(&l.Key, &l.Count, tsDest{&l.WindowStart}, &l.Failures, tsDest{&l.LastFailure},
		tsDest{&l.NextAt}, tsDest{&l.LockedUntil}, tsDest{&l.Expires})
	return l, err
}

// Limit implements account.LimitStore.
func (db *DB) Limit(ctx context.Context, key string) (account.Limit, error) {
	l, err := scanLimit(db.pool.QueryRow(ctx, "SELECT "+limitCols+" FROM limits WHERE key = $1", key))
	if errors.Is(err, pgx.ErrNoRows) {
		return account.Limit{Key: key}, nil
	} else if err != nil {
		return account.Limit{}, fmt.Errorf("limit %s: %w", key, unavailable(err))
	}
	return l, nil
}

// optimisticRounds is how many times UpdateLimit tries its lock-free
// path before it takes the row lock: a conflict means other nodes are
// updating the same key right now, and queueing on the lock is then
// fairer than racing them again.
const optimisticRounds = 3

// maxLockedAttempts bounds the locked path's retries after errRowGone,
// which needs a delete to land in a window of one round trip each time.
const maxLockedAttempts = 10

// errRowGone is a locked UpdateLimit attempt that found its row deleted
// by another transaction between making sure it exists and locking it.
var errRowGone = errors.New("limit row deleted concurrently")

// UpdateLimit implements account.LimitStore, optimistically first: it
// reads the row (a plain SELECT), runs fn on it, and if fn changed
// nothing (a refusal) it is done, having written and locked nothing.
// Otherwise one conditional statement writes the result only if the row
// is still what was read: an UPDATE ... WHERE every column equals what
// was read, a DELETE likewise for a result that IsZero, or an INSERT ...
// ON CONFLICT DO NOTHING for a key that had no row. A flood of refusals
// thus costs reads only, and no connection waits on a row lock held
// across another's round trips. If the row changed under it (another
// node's update came first) it starts over from the new state; after
// optimisticRounds such conflicts it takes the locked path instead.
func (db *DB) UpdateLimit(ctx context.Context, key string, fn func(*account.Limit)) (account.Limit, error) {
	for range optimisticRounds {
		l, done, err := db.updateLimitOnce(ctx, key, fn)
		if err != nil {
			return account.Limit{}, fmt.Errorf("update limit %s: %w", key, unavailable(err))
		}
		if done {
			return l, nil
		}
	}
	return db.updateLimitLocked(ctx, key, fn)
}

// updateLimitOnce is one lock-free round of UpdateLimit; done is false
// when the row changed between the read and the write.
func (db *DB) updateLimitOnce(ctx context.Context, key string, fn func(*account.Limit)) (l account.Limit, done bool, err error) {
	old, err := scanLimit(db.pool.QueryRow(ctx, "SELECT "+limitCols+" FROM limits WHERE key = $1", key))
	exists := err == nil
	if errors.Is(err, pgx.ErrNoRows) {
		old = account.Limit{Key: key}
	} else if err != nil {
		return l, false, err
	}
	l = old
	fn(&l)
	l.Key = key
	if l.Equal(old) {
		return l, true, nil
	}
	was := []any{key, old.Count, ts(old.WindowStart), old.Failures, ts(old.LastFailure), ts(old.NextAt), ts(old.LockedUntil), ts(old.Expires)}
	now := []any{l.Count, ts(l.WindowStart), l.Failures, ts(l.LastFailure), ts(l.NextAt), ts(l.LockedUntil), ts(l.Expires)}
	const same = `count = $2 AND window_start = $3 AND failures = $4 AND last_failure = $5
		AND next_at = $6 AND locked_until = $7 AND expires = $8`
	var tag pgconn.CommandTag
	switch {
	case !exists:
		tag, err = db.pool.Exec(ctx, "INSERT INTO limits ("+limitCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (key) DO NOTHING",
			append([]any{key}, now...)...)
	case l.IsZero():
		tag, err = db.pool.Exec(ctx, "DELETE FROM limits WHERE key = $1 AND "+same, was...)
	default:
		tag, err = db.pool.Exec(ctx, `UPDATE limits SET count = $9, window_start = $10, failures = $11, last_failure = $12,
			next_at = $13, locked_until = $14, expires = $15 WHERE key = $1 AND `+same, append(was, now...)...)
	}
	if err != nil {
		return l, false, err
	}
	return l, tag.RowsAffected() == 1, nil
}

// updateLimitLocked is UpdateLimit under the row's lock, for a key being
// updated by several at once: in one transaction it makes sure the key
// has a row (INSERT ... ON CONFLICT DO NOTHING, which waits for a
// concurrent insert of the same key), locks it (SELECT ... FOR UPDATE),
// runs fn, and writes the result (or deletes a zero one). If the row
// vanished between the insert and the lock, it starts over.
func (db *DB) updateLimitLocked(ctx context.Context, key string, fn func(*account.Limit)) (account.Limit, error) {
	var l account.Limit
	var err error
	for range maxLockedAttempts {
		err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO limits (key) VALUES ($1) ON CONFLICT (key) DO NOTHING", key); err != nil {
				return err
			}
			var err error
			l, err = scanLimit(tx.QueryRow(ctx, "SELECT "+limitCols+" FROM limits WHERE key = $1 FOR UPDATE", key))
			if errors.Is(err, pgx.ErrNoRows) {
				return errRowGone
			} else if err != nil {
				return err
			}
			old := l
			fn(&l)
			l.Key = key
			switch {
			case l.IsZero():
				_, err = tx.Exec(ctx, "DELETE FROM limits WHERE key = $1", key)
				return err
			case l.Equal(old):
				return nil
			}
			_, err = tx.Exec(ctx, `UPDATE limits SET count = $2, window_start = $3, failures = $4, last_failure = $5,
				next_at = $6, locked_until = $7, expires = $8 WHERE key = $1`,
				key, l.Count, ts(l.WindowStart), l.Failures, ts(l.LastFailure), ts(l.NextAt), ts(l.LockedUntil), ts(l.Expires))
			return err
		})
		if !errors.Is(err, errRowGone) {
			break
		}
	}
	if err != nil {
		return account.Limit{}, fmt.Errorf("update limit %s: %w", key, unavailable(err))
	}
	return l, nil
}

// DeleteLimits implements account.LimitStore.
func (db *DB) DeleteLimits(ctx context.Context, prefix string) (int, error) {
	tag, err := db.pool.Exec(ctx, "DELETE FROM limits WHERE starts_with(key, $1)", prefix)
	if err != nil {
		return 0, fmt.Errorf("delete limits %s*: %w", prefix, unavailable(err))
	}
	return int(tag.RowsAffected()), nil
}

// DeleteExpiredLimits implements account.LimitStore.
func (db *DB) DeleteExpiredLimits(ctx context.Context, now time.Time) (int, error) {
	tag, err := db.pool.Exec(ctx, "DELETE FROM limits WHERE expires <= $1", ts(now))
	if err != nil {
		return 0, fmt.Errorf("delete expired limits: %w", unavailable(err))
	}
	return int(tag.RowsAffected()), nil
}
