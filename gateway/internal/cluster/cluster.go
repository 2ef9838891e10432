// Package cluster is what several gateway nodes sharing one store tell
// each other, and how they share work: revocations relayed to every node
// (so a logout on one node closes the player's bridge on another), and
// periodic jobs run by one node of the cluster at a time.
//
// It knows nothing of PostgreSQL: the store gives it a Bus (NOTIFY and
// LISTEN) and a Locker (advisory locks), declared here as the small
// interfaces it needs. A gateway on its own (SQLite) does not use it.
package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
)

// Bus carries short messages to every node, this one included.
type Bus interface {
	// Notify sends payload on channel to every node listening.
	Notify(ctx context.Context, channel, payload string) error
	// Listen calls fn for each payload on channel until ctx ends, and
	// then returns nil. It calls onListen each time it starts listening,
	// the first time and after each reconnection: messages sent while it
	// was not listening are lost, and onListen is where to catch up.
	Listen(ctx context.Context, channel string, onListen func(), fn func(payload string)) error
}

// Locker runs work under a lock held across the cluster.
type Locker interface {
	// TryLock runs fn while this node holds the lock name, and returns
	// ran=false at once if another node holds it. fn's context ends when
	// ctx does or when the lock is lost (the node's database connection
	// broke), so that two nodes never believe they hold it.
	TryLock(ctx context.Context, name string, fn func(ctx context.Context) error) (ran bool, err error)
}

// RevocationChannel is the Bus channel revocations travel on.
const RevocationChannel = "drawbridge_revoke"

// maxSessionsPerMessage bounds one message: PostgreSQL's NOTIFY takes
// under 8000 bytes, and a session ID is 64 hex characters. A revocation
// of more sessions (an account with many) goes as several messages.
const maxSessionsPerMessage = 100

// notifyTimeout bounds telling the other nodes of one revocation.
const notifyTimeout = 5 * time.Second

// revocationMessage is a revocation on the wire.
type revocationMessage struct {
	Node     string   `json:"node"`
	UserID   int64    `json:"user"`
	Reason   string   `json:"reason"`
	Sessions []string `json:"sessions"`
}

// Revocations relays the account service's revocations to every node.
// Its Revoked is the service's OnRevoke: it ends the bridges here and
// tells the other nodes, whose Run ends theirs.
type Revocations struct {
	bus    Bus
	node   string
	local  func(account.Revocation)
	resync func()
	log    *slog.Logger
	// queue carries messages from Revoked to Run's sender, so that
	// Revoked does not wait on the database; while Run is not running
	// (the command line), Revoked sends them itself.
	queue   chan []string
	running atomic.Bool

	sent, received, dropped atomic.Int64
}

// RevocationStats counts what a relay did, for metrics.
type RevocationStats struct {
	// Sent counts messages this node sent; Received, those it acted on
	// from other nodes; Dropped, those it could not send (the database
	// was unreachable, or too many were waiting), whose bridges the other
	// nodes' periodic re-check ends instead.
	Sent, Received, Dropped int64
}

// Stats reports the relay's counts so far.
func (r *Revocations) Stats() RevocationStats {
	return RevocationStats{Sent: r.sent.Load(), Received: r.received.Load(), Dropped: r.dropped.Load()}
}

// queueLen bounds the revocations waiting to be sent. Past it they are
// dropped, with a log line: the other nodes' periodic re-check of live
// sessions still ends those bridges, only later.
const queueLen = 1024

// RevocationsConfig configures Revocations.
type RevocationsConfig struct {
	// Bus carries the revocations.
	Bus Bus
	// Local ends the bridges of a revocation on this node (the web
	// server's Revoked).
	Local func(account.Revocation)
	// Resync, if set, runs whenever revocations may have been missed
	// (the Bus reconnected): it should re-check every live session
	// against the store (the web server's Recheck).
	Resync func()
	// Logger receives the relay's problems. nil discards.
	Logger *slog.Logger
}

// NewRevocations returns a relay with a fresh node identity.
func NewRevocations(cfg RevocationsConfig) *Revocations {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var id [8]byte
	rand.Read(id[:])
	return &Revocations{
		bus: cfg.Bus, node: hex.EncodeToString(id[:]), local: cfg.Local, resync: cfg.Resync, log: log,
		queue: make(chan []string, queueLen),
	}
}

// Node is this node's identity on the Bus, random per process.
func (r *Revocations) Node() string { return r.node }

// Revoked ends rev's bridges on this node, then tells the other nodes:
// through Run when it runs, without waiting (it is the account service's
// OnRevoke, which must not block); otherwise (the command line, which
// exits next) at once. A failure to tell them is logged: their periodic
// re-check of live sessions still ends those bridges, only later.
func (r *Revocations) Revoked(rev account.Revocation) {
	if r.local != nil {
		r.local(rev)
	}
	msgs := encodeRevocation(r.node, rev)
	if r.running.Load() {
		select {
		case r.queue <- msgs:
		default:
			r.dropped.Add(int64(len(msgs)))
			r.log.Error("too many revocations waiting to be sent; the other nodes will notice at their next check",
				"account_id", rev.UserID, "reason", string(rev.Reason))
		}
		return
	}
	r.send(context.Background(), msgs)
}

// send notifies the other nodes of one revocation's messages.
func (r *Revocations) send(ctx context.Context, msgs []string) {
	ctx, cancel := context.WithTimeout(ctx, notifyTimeout)
	defer cancel()
	for i, p := range msgs {
		if err := r.bus.Notify(ctx, RevocationChannel, p); err != nil {
			r.dropped.Add(int64(len(msgs) - i))
			r.log.Error("could not tell the other nodes of ended sessions; they will notice at their next check", "err", err)
			return
		}
		r.sent.Add(1)
	}
}

// Run sends this node's revocations and ends the bridges of those other
// nodes send, until ctx ends.
func (r *Revocations) Run(ctx context.Context) error {
	r.running.Store(true)
	defer r.running.Store(false)
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for {
			select {
			case <-ctx.Done():
				return
			case msgs := <-r.queue:
				r.send(ctx, msgs)
			}
		}
	}()
	onListen := func() {
		if r.resync != nil {
			r.resync()
		}
	}
	err := r.bus.Listen(ctx, RevocationChannel, onListen, r.receive)
	<-sent
	return err
}

// receive handles one message; its own node's are already handled.
func (r *Revocations) receive(payload string) {
	node, rev, err := decodeRevocation(payload)
	if err != nil {
		r.log.Warn("ignoring a malformed revocation message", "err", err, "bytes", len(payload))
		return
	}
	if node == r.node || r.local == nil {
		return
	}
	r.received.Add(1)
	r.local(rev)
}

// encodeRevocation splits rev into messages that each fit the Bus.
func encodeRevocation(node string, rev account.Revocation) []string {
	var out []string
	for ids := range slices.Chunk(rev.SessionIDs, maxSessionsPerMessage) {
		b, _ := json.Marshal(revocationMessage{Node: node, UserID: rev.UserID, Reason: string(rev.Reason), Sessions: ids})
		out = append(out, string(b))
	}
	return out
}

// decodeRevocation reads one message, refusing anything that would not
// name sessions.
func decodeRevocation(payload string) (string, account.Revocation, error) {
	var m revocationMessage
	if err := json.Unmarshal([]byte(payload), &m); err != nil {
		return "", account.Revocation{}, fmt.Errorf("decode revocation: %w", err)
	}
	if m.Node == "" || len(m.Sessions) == 0 {
		return "", account.Revocation{}, errors.New("decode revocation: no node or no sessions")
	}
	return m.Node, account.Revocation{UserID: m.UserID, SessionIDs: m.Sessions, Reason: account.RevokeReason(m.Reason)}, nil
}

// Singleton runs job on one node of the cluster at a time: the node that
// takes the lock name runs job until ctx ends or the lock is lost; the
// others try again every retry, and one of them takes over when the
// holder stops. It returns nil when ctx ends. Use it for periodic jobs
// (the account sweep) that should run once per cluster, not once per
// node.
func Singleton(ctx context.Context, l Locker, name string, retry time.Duration, log *slog.Logger, job func(ctx context.Context) error) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	waiting := false
	for {
		ran, err := l.TryLock(ctx, name, func(ctx context.Context) error {
			log.Info("this node runs the cluster's job", "job", name)
			return job(ctx)
		})
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			log.Warn("cluster job stopped; will try again", "job", name, "err", err)
			waiting = false
		case ran:
			log.Warn("cluster job ended; will start it again", "job", name)
			waiting = false
		case !waiting:
			log.Info("another node runs the cluster's job", "job", name)
			waiting = true
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(retry):
		}
	}
}
