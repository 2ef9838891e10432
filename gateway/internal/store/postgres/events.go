package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/jackc/pgx/v5"
)

const eventCols = "id, at, type, user_id, name, actor_id, actor, addr, session_id, detail"

// AppendEvent implements account.EventStore.
func (db *DB) AppendEvent(ctx context.Context, e account.Event) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO events
		(at, type, user_id, name, actor_id, actor, addr, session_id, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		ts(e.Time), string(e.Type), e.UserID, e.Name, e.ActorID, e.Actor, e.Addr, e.SessionID, e.Detail)
	if err != nil {
		return fmt.Errorf("append %s event: %w", e.Type, unavailable(err))
	}
	return nil
}

// eventWhere turns a query into a WHERE clause, adding its arguments to
// a.
func eventWhere(q account.EventQuery, paged bool, a *args) string {
	var conds []string
	if q.UserID != 0 {
		p := a.add(q.UserID)
		conds = append(conds, "(user_id = "+p+" OR actor_id = "+p+")")
	}
	if q.Type != "" {
		conds = append(conds, "type = "+a.add(string(q.Type)))
	}
	if !q.Since.IsZero() {
		conds = append(conds, "at >= "+a.add(ts(q.Since)))
	}
	if paged && q.BeforeID != 0 {
		conds = append(conds, "id < "+a.add(q.BeforeID))
	}
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// CountEvents implements account.EventStore.
func (db *DB) CountEvents(ctx context.Context, q account.EventQuery) (int, error) {
	var (
		a args
		n int
	)
	if err := db.pool.QueryRow(ctx, "SELECT COUNT(*) FROM events"+eventWhere(q, false, &a), a...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count events: %w", unavailable(err))
	}
	return n, nil
}

// ListEvents implements account.EventStore.
func (db *DB) ListEvents(ctx context.Context, q account.EventQuery) ([]account.Event, error) {
	var a args
	query := "SELECT " + eventCols + " FROM events" + eventWhere(q, true, &a) + " ORDER BY id DESC"
	if q.Limit > 0 {
		query += " LIMIT " + a.add(q.Limit)
	}
	rows, err := db.pool.Query(ctx, query, a...)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", unavailable(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (account.Event, error) {
		var (
			e account.Event
			t string
		)
		err := r.Scan(&e.ID, tsDest{&e.Time}, &t, &e.UserID, &e.Name, &e.ActorID, &e.Actor, &e.Addr, &e.SessionID, &e.Detail)
		e.Type = account.EventType(t)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("list events: %w", unavailable(err))
	}
	return out, nil
}

// DeleteEvents implements account.EventStore.
func (db *DB) DeleteEvents(ctx context.Context, before time.Time) (int, error) {
	tag, err := db.pool.Exec(ctx, "DELETE FROM events WHERE at < $1", ts(before))
	if err != nil {
		return 0, fmt.Errorf("delete events: %w", unavailable(err))
	}
	return int(tag.RowsAffected()), nil
}
