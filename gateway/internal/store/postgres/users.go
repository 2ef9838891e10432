package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const userCols = "id, name, role, guest, disabled, password_hash, created_at, last_login"

func scanUser(r pgx.Row) (account.User, error) {
	var (
		u    account.User
		role string
	)
	if err := r.Scan(&u.ID, &u.Name, &role, &u.Guest, &u.Disabled, &u.PasswordHash,
		tsDest{&u.CreatedAt}, tsDest{&u.LastLogin}); err != nil {
		return u, notFound(err)
	}
	var err error
	if u.Role, err = account.ParseRole(role); err != nil {
		return u, fmt.Errorf("user %d: %w", u.ID, unavailable(err))
	}
	return u, nil
}

// CreateUser implements account.UserStore.
func (db *DB) CreateUser(ctx context.Context, u account.User) (account.User, error) {
	if !u.Role.Valid() {
		return account.User{}, fmt.Errorf("create user %q: invalid role %v", u.Name, u.Role)
	}
	err := db.pool.QueryRow(ctx, `INSERT INTO users
		(name, name_key, role, guest, disabled, password_hash, created_at, last_login)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		u.Name, account.NameKey(u.Name), u.Role.String(), u.Guest, u.Disabled, u.PasswordHash,
		ts(u.CreatedAt), ts(u.LastLogin)).Scan(&u.ID)
	if pgCode(err) == codeUniqueViolation {
		return account.User{}, account.ErrNameTaken
	} else if err != nil {
		return account.User{}, fmt.Errorf("create user %q: %w", u.Name, unavailable(err))
	}
	return u, nil
}

// User implements account.UserStore.
func (db *DB) User(ctx context.Context, id int64) (account.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, "SELECT "+userCols+" FROM users WHERE id = $1", id))
	if err != nil {
		return u, fmt.Errorf("user %d: %w", id, unavailable(err))
	}
	return u, nil
}

// UserByName implements account.UserStore.
func (db *DB) UserByName(ctx context.Context, name string) (account.User, error) {
	key := account.NameKey(name)
	u, err := scanUser(db.pool.QueryRow(ctx, "SELECT "+userCols+" FROM users WHERE name_key = $1", key))
	if err != nil {
		return u, fmt.Errorf("user %q: %w", key, unavailable(err))
	}
	return u, nil
}

// args collects query arguments and numbers their placeholders.
type args []any

// add appends v and returns its placeholder, $n.
func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// UpdateUser implements account.UserStore. One UPDATE writes only the
// fields set, so a concurrent change to another field is kept.
func (db *DB) UpdateUser(ctx context.Context, id int64, ch account.UserUpdate) (account.User, error) {
	var (
		set []string
		a   args
	)
	if ch.Role != nil {
		if !ch.Role.Valid() {
			return account.User{}, fmt.Errorf("update user %d: invalid role %v", id, *ch.Role)
		}
		set = append(set, "role = "+a.add(ch.Role.String()))
	}
	if ch.Disabled != nil {
		set = append(set, "disabled = "+a.add(*ch.Disabled))
	}
	if ch.PasswordHash != nil {
		set = append(set, "password_hash = "+a.add(*ch.PasswordHash))
	}
	if ch.LastLogin != nil {
		set = append(set, "last_login = "+a.add(ts(*ch.LastLogin)))
	}
	query, qargs := "SELECT "+userCols+" FROM users WHERE id = $1", []any{id}
	if len(set) > 0 {
		where := a.add(id)
		query, qargs = "UPDATE users SET "+strings.Join(set, ", ")+" WHERE id = "+where+" RETURNING "+userCols, a
	}
	var u account.User
	err := db.guarded(ctx, ch.Guard, func(q querier) error {
		var err error
		u, err = scanUser(q.QueryRow(ctx, query, qargs...))
		return err
	})
	if err != nil {
		return u, fmt.Errorf("update user %d: %w", id, unavailable(err))
	}
	return u, nil
}

// guarded runs change, in a transaction when g asks for a check, and
// refuses with account.ErrLastSuperuser, rolling back, what g forbids.
// The transaction first locks every enabled superuser's row, in ID
// order (so two of them never deadlock), so concurrent guarded changes,
// on any node, run one after the other; one that waited re-reads the
// rows, and sees what the one before it changed.
func (db *DB) guarded(ctx context.Context, g account.Guard, change func(querier) error) error {
	if g == account.NoGuard {
		return change(db.pool)
	}
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		locked, err := queryStrings(ctx, tx, "SELECT id::text FROM users WHERE role = $1 AND NOT disabled ORDER BY id FOR UPDATE",
			account.RoleSuperuser.String())
		if err != nil {
			return err
		}
		if err := change(tx); err != nil {
			return err
		}
		var after int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM users WHERE role = $1 AND NOT disabled",
			account.RoleSuperuser.String()).Scan(&after); err != nil {
			return err
		}
		if len(locked) > 0 && after == 0 {
			return account.ErrLastSuperuser
		}
		return nil
	})
}

// DeleteUser implements account.UserStore. It locks the account first, so
// a session created meanwhile either is in the list returned or fails
// for want of its account.
func (db *DB) DeleteUser(ctx context.Context, id int64, g account.Guard) ([]string, error) {
	var ids []string
	err := db.guarded(ctx, g, func(q querier) error {
		return pgx.BeginFunc(ctx, q.(beginner), func(tx pgx.Tx) error {
			var one int
			if err := tx.QueryRow(ctx, "SELECT 1 FROM users WHERE id = $1 FOR UPDATE", id).Scan(&one); err != nil {
				return notFound(err)
			}
			var err error
			if ids, err = queryStrings(ctx, tx, "DELETE FROM sessions WHERE user_id = $1 RETURNING id", id); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, "DELETE FROM users WHERE id = $1", id)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("delete user %d: %w", id, unavailable(err))
	}
	return ids, nil
}

// beginner starts a transaction: on a pool, or a savepoint inside one.
type beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// querier is a pool, a connection or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// queryStrings runs a query returning one text column.
func queryStrings(ctx context.Context, q querier, sql string, args ...any) ([]string, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// userWhere turns a query into a WHERE clause, adding its arguments to a.
func userWhere(q account.UserQuery, paged bool, a *args) string {
	var conds []string
	if p := account.NameKey(q.NamePrefix); p != "" {
		conds = append(conds, "starts_with(name_key, "+a.add(p)+")")
	}
	if q.Role != 0 {
		conds = append(conds, "role = "+a.add(q.Role.String()))
	}
	if q.GuestsOnly {
		conds = append(conds, "guest")
	}
	if q.NoGuests {
		conds = append(conds, "NOT guest")
	}
	if q.EnabledOnly {
		conds = append(conds, "NOT disabled")
	}
	if !q.CreatedBefore.IsZero() {
		conds = append(conds, "created_at < "+a.add(ts(q.CreatedBefore)))
	}
	if paged && q.AfterID != 0 {
		conds = append(conds, "id > "+a.add(q.AfterID))
	}
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// ListUsers implements account.UserStore.
func (db *DB) ListUsers(ctx context.Context, q account.UserQuery) ([]account.User, error) {
	var a args
	query := "SELECT " + userCols + " FROM users" + userWhere(q, true, &a) + " ORDER BY id"
	if q.Limit > 0 {
		query += " LIMIT " + a.add(q.Limit)
	}
	rows, err := db.pool.Query(ctx, query, a...)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", unavailable(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (account.User, error) { return scanUser(r) })
	if err != nil {
		return nil, fmt.Errorf("list users: %w", unavailable(err))
	}
	return out, nil
}

// CountUsers implements account.UserStore.
func (db *DB) CountUsers(ctx context.Context, q account.UserQuery) (int, error) {
	var (
		a args
		n int
	)
	if err := db.pool.QueryRow(ctx, "SELECT COUNT(*) FROM users"+userWhere(q, false, &a), a...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", unavailable(err))
	}
	return n, nil
}
