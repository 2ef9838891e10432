package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
)

const sessionCols = "id, user_id, created_at, last_seen, expires_at, addr, user_agent"

func scanSession(r scanner) (account.Session, error) {
	var (
		s                      account.Session
		created, seen, expires int64
	)
	if err := r.Scan(&s.ID, &s.UserID, &created, &seen, &expires, &s.Addr, &s.UserAgent); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return s, account.ErrNotFound
		}
		return s, err
	}
	s.CreatedAt, s.LastSeen, s.ExpiresAt = fromMicros(created), fromMicros(seen), fromMicros(expires)
	return s, nil
}

func scanSessions(rows *sql.Rows, err error) ([]account.Session, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []account.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// CreateSession implements account.SessionStore.
func (db *DB) CreateSession(ctx context.Context, s account.Session, max int) ([]string, error) {
	var evicted []string
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO sessions ("+sessionCols+") VALUES (?, ?, ?, ?, ?, ?, ?)",
			s.ID, s.UserID, micros(s.CreatedAt), micros(s.LastSeen), micros(s.ExpiresAt), s.Addr, s.UserAgent)
		if isForeignKey(err) {
			return account.ErrNotFound
		} else if err != nil {
			return err
		}
		if max <= 0 {
			return nil
		}
		evicted, err = queryIDs(ctx, tx, `DELETE FROM sessions WHERE id IN (
			SELECT id FROM sessions WHERE user_id = ?
			ORDER BY created_at DESC, id DESC LIMIT -1 OFFSET ?) RETURNING id`, s.UserID, max)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create session for user %d: %w", s.UserID, err)
	}
	return evicted, nil
}

// Session implements account.SessionStore.
func (db *DB) Session(ctx context.Context, id string) (account.Session, error) {
	s, err := scanSession(db.r.QueryRowContext(ctx, "SELECT "+sessionCols+" FROM sessions WHERE id = ?", id))
	if err != nil {
		return s, fmt.Errorf("session: %w", err)
	}
	return s, nil
}

// TouchSession implements account.SessionStore.
func (db *DB) TouchSession(ctx context.Context, id string, lastSeen time.Time) error {
	res, err := db.w.ExecContext(ctx, "UPDATE sessions SET last_seen = ? WHERE id = ?", micros(lastSeen), id)
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("touch session: %w", err)
	} else if n == 0 {
		return fmt.Errorf("touch session: %w", account.ErrNotFound)
	}
	return nil
}

// ListSessions implements account.SessionStore.
func (db *DB) ListSessions(ctx context.Context, userID int64) ([]account.Session, error) {
	out, err := scanSessions(db.r.QueryContext(ctx,
		"SELECT "+sessionCols+" FROM sessions WHERE user_id = ? ORDER BY created_at, id", userID))
	if err != nil {
		return nil, fmt.Errorf("list sessions of user %d: %w", userID, err)
	}
	return out, nil
}

// DeleteSession implements account.SessionStore.
func (db *DB) DeleteSession(ctx context.Context, id string) (account.Session, error) {
	s, err := scanSession(db.w.QueryRowContext(ctx, "DELETE FROM sessions WHERE id = ? RETURNING "+sessionCols, id))
	if err != nil {
		return s, fmt.Errorf("delete session: %w", err)
	}
	return s, nil
}

// DeleteUserSessions implements account.SessionStore.
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64, keep string) ([]string, error) {
	var ids []string
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		ids, err = queryIDs(ctx, tx, "DELETE FROM sessions WHERE user_id = ? AND id <> ? RETURNING id", userID, keep)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("delete sessions of user %d: %w", userID, err)
	}
	return ids, nil
}

// DeleteExpiredSessions implements account.SessionStore.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now, idleBefore time.Time) ([]account.Session, error) {
	var out []account.Session
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = scanSessions(tx.QueryContext(ctx,
			"DELETE FROM sessions WHERE expires_at <= ? OR last_seen <= ? RETURNING "+sessionCols,
			micros(now), micros(idleBefore)))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("delete expired sessions: %w", err)
	}
	return out, nil
}
