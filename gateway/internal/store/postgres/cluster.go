package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// MaxPayload is the largest Notify payload in bytes: PostgreSQL refuses
// 8000 and more.
const MaxPayload = 7999

// maxChannel is the longest channel name: PostgreSQL truncates longer
// identifiers, which would make two names one channel.
const maxChannel = 63

// Listen's reconnection backoff, and how often an idle listening
// connection is checked by default (a server that vanished without
// closing the connection would otherwise go unnoticed until TCP gives
// up).
const (
	minBackoff        = 100 * time.Millisecond
	maxBackoff        = 5 * time.Second
	listenCheckPeriod = 30 * time.Second
	// lockCheckPeriod is how often TryLock checks that its lock's
	// connection still holds the lock.
	lockCheckPeriod = 5 * time.Second
)

func checkChannel(channel string) error {
	if channel == "" || len(channel) > maxChannel {
		return fmt.Errorf("channel %q: want 1 to %d bytes", channel, maxChannel)
	}
	return nil
}

// Notify sends payload to the listeners of channel on every node (and on
// this one), through pg_notify: delivered after the sending transaction
// commits (at once, here), at most once, and only to listeners
// connected at that moment. Listen's onListen is how a listener catches
// up on what it missed. The payload must be at most MaxPayload bytes.
func (db *DB) Notify(ctx context.Context, channel, payload string) error {
	if err := checkChannel(channel); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	if len(payload) > MaxPayload {
		return fmt.Errorf("notify %s: payload of %d bytes, want at most %d", channel, len(payload), MaxPayload)
	}
	if _, err := db.pool.Exec(ctx, "SELECT pg_notify($1, $2)", channel, payload); err != nil {
		return fmt.Errorf("notify %s: %w", channel, err)
	}
	return nil
}

// Listen calls fn with the payload of each notification on channel (sent
// by Notify on any node) until ctx ends, and then returns nil. It holds a
// connection of its own, outside the pool. If that connection is lost, it
// logs a warning and reconnects, waiting 100 ms at first and up to 5 s
// between attempts. It calls onListen (if not nil) each time it starts
// listening, the first time and after every reconnection: notifications
// sent while it was not listening are lost, so onListen is where the
// caller reloads whatever they would have told it.
//
// fn and onListen run on Listen's goroutine, one at a time, and should
// be quick: notifications wait while they run. fn must not be nil. The
// only errors Listen returns are for an invalid channel name or a nil fn.
func (db *DB) Listen(ctx context.Context, channel string, onListen func(), fn func(payload string)) error {
	if err := checkChannel(channel); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if fn == nil {
		return fmt.Errorf("listen %s: nil fn", channel)
	}
	backoff := minBackoff
	for {
		listened, err := db.listenOnce(ctx, channel, onListen, fn)
		if ctx.Err() != nil {
			return nil
		}
		if listened {
			backoff = minBackoff
		}
		db.log.Warn("listen: connection lost or refused; reconnecting", "channel", channel, "db", db.desc, "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// listenOnce connects, listens and delivers notifications until the
// connection fails or ctx ends. listened reports whether LISTEN took.
func (db *DB) listenOnce(ctx context.Context, channel string, onListen func(), fn func(string)) (listened bool, err error) {
	conn, err := pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig.Copy())
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return false, fmt.Errorf("listen %s: %w", channel, err)
	}
	if onListen != nil {
		onListen()
	}
	for {
		wctx, cancel := context.WithTimeout(ctx, db.listenCheck)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			fn(n.Payload)
		case ctx.Err() != nil:
			return true, ctx.Err()
		case errors.Is(err, context.DeadlineExceeded) && !conn.IsClosed():
			// Quiet for a while: check that the server is still there.
			pctx, cancel := context.WithTimeout(ctx, db.cfg.ConnectTimeout)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return true, fmt.Errorf("ping: %w", err)
			}
		default:
			return true, fmt.Errorf("wait for notification: %w", err)
		}
	}
}

// TryLock runs fn while holding the cluster-wide lock called name, if no
// one (on any node) holds it, and reports whether it ran; ran is false at
// once, with a nil error, if the lock is taken. It is for periodic jobs
// that one node should do at a time, such as sweeping expired sessions.
//
// The lock is a session-level advisory lock (pg_try_advisory_lock) on a
// connection of its own, outside the pool (so the work it guards keeps
// the whole pool), held until fn returns and then unlocked before the
// connection is closed. If that connection is lost
// while fn runs, the server drops the lock and another node may take it;
// so TryLock checks the connection every few seconds while fn runs and,
// when the check fails, cancels fn's context and returns (true, the
// error) once fn has returned. A long-running fn (a loop for as long as
// the node lives) thus stops when it no longer holds the lock, and at
// most for one check's interval do two nodes run it at once. err is fn's
// error, the lost lock's, or the error of taking the lock.
func (db *DB) TryLock(ctx context.Context, name string, fn func(ctx context.Context) error) (ran bool, err error) {
	conn, err := db.lockConn(ctx)
	if err != nil {
		return false, fmt.Errorf("lock %s: %w", name, err)
	}
	key := lockKey("lock/" + name)
	var got bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&got); err != nil {
		db.release(conn, name, key, false)
		return false, fmt.Errorf("lock %s: %w", name, err)
	}
	defer db.release(conn, name, key, got)
	if !got {
		return false, nil
	}
	fctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop, watched := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watched)
		if err := db.watchLock(stop, conn, key); err != nil {
			db.log.Warn("lost a cluster lock: stopping the work it guards", "lock", name, "err", err)
			cancel(err)
		}
	}()
	err = fn(fctx)
	close(stop)
	<-watched
	if lost := context.Cause(fctx); err == nil && lost != nil && lost != context.Canceled && ctx.Err() == nil {
		err = fmt.Errorf("lock %s lost: %w", name, lost)
	}
	return true, err
}

// watchLock checks every lockCheck that conn still holds the advisory
// lock key, until stop is closed (nil) or a check fails (its error).
// Its checks are bounded by ConnectTimeout, not cancelled by stop: a
// cancelled query would break the connection.
func (db *DB) watchLock(stop <-chan struct{}, conn *pgx.Conn, key int64) error {
	t := time.NewTicker(db.lockCheck)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return nil
		case <-t.C:
		}
		cctx, cancel := context.WithTimeout(context.Background(), db.cfg.ConnectTimeout)
		var held bool
		err := conn.QueryRow(cctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'
			AND pid = pg_backend_pid() AND granted AND objid = ($1::bigint & x'ffffffff'::bigint)::oid
			AND classid = (($1::bigint >> 32) & x'ffffffff'::bigint)::oid)`, key).Scan(&held)
		cancel()
		switch {
		case err != nil:
			return fmt.Errorf("check the lock's connection: %w", err)
		case !held:
			return errors.New("the lock is no longer held")
		}
	}
}

// Lock takes the cluster-wide lock called name, waiting while another
// node (or goroutine) holds it, and returns the function that releases
// it. It is for one-off work that others must wait for rather than
// repeat, such as one node ordering a certificate while the others wait
// for it to appear in the cache. It gives up when ctx ends.
//
// The lock is a session-level advisory lock on a connection of its own,
// outside the pool, opened for the wait, and unlocked and closed by
// unlock: waiters and holders never take the pool's connections from the
// work the lock guards. Waiting polls pg_try_advisory_lock (every 20 ms at first, then
// up to every 500 ms). If the connection is lost, the server drops the
// lock: as with TryLock, the work must tolerate, rarely, running twice.
// Call unlock exactly once; later calls do nothing.
func (db *DB) Lock(ctx context.Context, name string) (unlock func(), err error) {
	conn, err := db.lockConn(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	key := lockKey("lock/" + name)
	wait := 20 * time.Millisecond
	for {
		var got bool
		if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&got); err != nil {
			db.release(conn, name, key, false)
			return nil, fmt.Errorf("lock %s: %w", name, err)
		}
		if got {
			var once sync.Once
			return func() { once.Do(func() { db.release(conn, name, key, true) }) }, nil
		}
		select {
		case <-ctx.Done():
			db.release(conn, name, key, false)
			return nil, fmt.Errorf("lock %s: %w", name, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// lockConn opens a connection outside the pool, with the pool's
// settings, to take a lock on.
func (db *DB) lockConn(ctx context.Context) (*pgx.Conn, error) {
	return pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig.Copy())
}

// release gives up a lock's connection: if held, it first unlocks key
// (pg_advisory_unlock) on it, then closes it. Closing alone is not
// enough: the server drops a closed session's locks only when that
// session's backend process exits, which happens after Close returns
// (well after, on a loaded machine), so a TryLock or Lock right after
// would find the lock still taken. A connection already lost needs no
// unlock: the server drops its locks itself.
func (db *DB) release(conn *pgx.Conn, name string, key int64, held bool) {
	ctx, cancel := context.WithTimeout(context.Background(), db.cfg.ConnectTimeout)
	defer cancel()
	if held && !conn.IsClosed() {
		var unlocked bool
		err := conn.QueryRow(ctx, "SELECT pg_advisory_unlock($1)", key).Scan(&unlocked)
		switch {
		case err != nil && conn.IsClosed():
			db.log.Debug("unlock: the lock's connection is lost; the server drops the lock", "lock", name, "err", err)
		case err != nil:
			db.log.Warn("unlock failed: the lock is held until its connection's server process exits", "lock", name, "db", db.desc, "err", err)
		case !unlocked:
			db.log.Warn("unlock: the lock's connection did not hold it", "lock", name, "db", db.desc)
		}
	}
	if err := conn.Close(ctx); err != nil {
		db.log.Debug("closing a lock's connection", "lock", name, "err", err)
	}
}
