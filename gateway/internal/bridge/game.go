package bridge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/gateway/internal/telnet"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// gameToPlayer reads the game, lets the telnet client digest it, and writes
// the resulting frames to the player, one read at a time, until the game
// connection ends; it returns why. While a resumable player is away it
// goes on reading, and the frames wait in the replay buffer.
//
// The write timeout is one timer reset per frame rather than a context per
// write, which would allocate on the hot path: when it fires, the player
// has taken nothing for WriteTimeout, and the connection is cut.
func (s *Session) gameToPlayer() *endReason {
	tc := s.telnet
	wait := readableWaiter(s.game)
	var own *readState // without a waiter, this session's own
	if wait == nil {
		own = readStates.New().(*readState)
	}
	var writing atomic.Pointer[attachment]
	stall := time.AfterFunc(time.Hour, func() {
		if a := writing.Load(); a != nil {
			a.stalled.Store(true)
			a.cutWith(s.stalledEnd())
		}
	})
	stall.Stop()
	defer stall.Stop()
	for {
		st := own
		var (
			n    int
			rerr error
		)
		if st == nil {
			// The wait's error (a reset, a closed socket) is what the
			// read would have met: it ends the loop below like one.
			rerr = wait()
			st = readStates.Get().(*readState)
		}
		buf, out := st.buf, &st.out
		if rerr == nil {
			n, rerr = s.game.Read(buf)
		}
		var recvErr error
		if n > 0 {
			// Receive fails when answering the game failed or its
			// compressed stream is corrupt; what it decoded is still
			// delivered below, so a game's last words before it hangs up
			// are not lost to a failed reply.
			recvErr = tc.Receive(buf[:n], out)
		}
		if rerr != nil {
			tc.Flush(out)
		}
		if frames := out.frames(); len(frames) > 0 {
			s.wmu.Lock()
			a := s.att.Load()
			writing.Store(a)
			var werr error
			for _, f := range frames {
				s.number(f)
				if a == nil || werr != nil {
					continue
				}
				stall.Reset(s.cfg.writeTimeout())
				werr = a.ws.Write(context.Background(), websocket.MessageBinary, f)
				stall.Stop()
				if werr == nil {
					s.bytesOut.Add(int64(len(f)))
				}
			}
			writing.Store(nil)
			s.wmu.Unlock()
			if werr != nil {
				// The player's reader decides what happens next: it may
				// yet find the player's goodbye (a close frame read after
				// the write failed), which must not count as a drop.
				a.cut.CompareAndSwap(nil, s.playerWriteEnd(a, werr))
				if !errors.Is(werr, net.ErrClosed) {
					a.cutNow() // broken: make sure the reader hears of it
				}
			}
		}
		out.reset()
		if own == nil {
			readStates.Put(st)
		}
		switch {
		case rerr != nil:
			if s.stopped.Err() != nil {
				return s.stopReason()
			}
			if s.ctx.Err() != nil {
				return restarting()
			}
			detail, cause := "The game closed the connection.", error(nil)
			if !errors.Is(rerr, io.EOF) {
				detail, cause = "The connection to the game was lost.", fmt.Errorf("read game: %w", rerr)
			}
			return &endReason{
				status: websocket.StatusNormalClosure,
				reason: "game closed the connection",
				frame:  &wire.Frame{Type: wire.TypeStatus, Status: wire.StatusGameClosed, Data: []byte(detail)},
				err:    cause,
			}
		case errors.Is(recvErr, telnet.ErrCompression):
			return &endReason{
				status: websocket.StatusNormalClosure,
				reason: "corrupt compressed stream from the game",
				frame:  &wire.Frame{Type: wire.TypeStatus, Status: wire.StatusGameClosed, Data: []byte("The game sent a corrupt compressed stream; disconnected.")},
				err:    fmt.Errorf("read game: %w", recvErr),
			}
		case recvErr != nil:
			return gameWriteEnd(fmt.Errorf("answer game: %w", recvErr))
		}
	}
}

// number counts frame f if it is numbered, and keeps it for a resume when
// the session is resumable. wmu is held.
func (s *Session) number(f []byte) {
	if !wire.Type(f[0]).Numbered() {
		return
	}
	s.rmu.Lock()
	if s.resumable {
		s.replay.add(f)
	} else {
		s.replay.skip()
	}
	s.rmu.Unlock()
}

// playerWriteEnd explains a failed write to player connection a.
func (s *Session) playerWriteEnd(a *attachment, err error) *endReason {
	switch {
	case a.stalled.Load():
		return s.stalledEnd()
	case s.ctx.Err() != nil:
		return &endReason{reason: "stopped", err: s.ctx.Err()}
	}
	return &endReason{reason: "player gone", err: fmt.Errorf("write to player: %w", err), away: true}
}

func (s *Session) stalledEnd() *endReason {
	return &endReason{reason: "player too slow", away: true,
		err: fmt.Errorf("write to player: nothing accepted for %s", s.cfg.writeTimeout())}
}

// deadlineWriter writes to the game with a deadline on every write, so a
// game that stops reading cannot block a pump forever.
type deadlineWriter struct {
	conn    net.Conn
	timeout time.Duration
	n       *atomic.Int64
}

func (w *deadlineWriter) Write(p []byte) (int, error) {
	if err := w.conn.SetWriteDeadline(time.Now().Add(w.timeout)); err != nil {
		return 0, err
	}
	n, err := w.conn.Write(p)
	w.n.Add(int64(n))
	return n, err
}
