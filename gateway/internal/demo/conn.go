package demo

import (
	"errors"
	"net"
	"os"
	"sync"
	"time"
)

// maxQueueMsgs bounds the number of messages waiting for one player, next
// to the byte bound in Server.maxQueue.
const maxQueueMsgs = 256

// conn is one player's TCP connection: the goroutine in serve reads and
// runs the session, a writer goroutine drains the outgoing queue.
type conn struct {
	s  *Server
	nc net.Conn

	queue chan []byte   // outgoing messages; never closed
	done  chan struct{} // closed by close: write what is queued, the goodbye, then hang up

	mu       sync.Mutex
	closing  bool   // no more sends: closing, aborted, overflowed, or the writer died
	doneSent bool   // done is closed
	queued   int    // bytes in queue
	goodbye  []byte // last words, written by the writer after the queue
}

func newConn(s *Server, nc net.Conn) *conn {
	return &conn{
		s:     s,
		nc:    nc,
		queue: make(chan []byte, maxQueueMsgs),
		done:  make(chan struct{}),
	}
}

// send queues msg for the player without ever blocking. It reports false
// if the connection is closing; a player whose queue is full (one who
// stopped reading) is disconnected. msg must not be modified afterwards.
func (c *conn) send(msg []byte) bool {
	if len(msg) == 0 {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return false
	}
	if c.queued+len(msg) > c.s.maxQueue || len(c.queue) == cap(c.queue) {
		c.s.log.Info("demo: dropping a player who does not read", "remote", c.nc.RemoteAddr().String(), "queued", c.queued)
		c.closing = true
		c.finishLocked(nil)
		c.nc.Close()
		return false
	}
	c.queued += len(msg)
	c.queue <- msg // cannot block: only senders, under mu, fill the queue
	return true
}

// close ends the connection gracefully: the writer sends what is queued,
// then goodbye, then closes the socket (which also ends the reader).
func (c *conn) close(goodbye []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closing = true
	c.finishLocked(goodbye)
}

// finishLocked tells the writer to finish, once.
func (c *conn) finishLocked(goodbye []byte) {
	if c.doneSent {
		return
	}
	c.doneSent = true
	c.goodbye = goodbye
	close(c.done)
}

// abort closes the socket now, dropping anything queued.
func (c *conn) abort() {
	c.mu.Lock()
	c.closing = true
	c.finishLocked(nil)
	c.mu.Unlock()
	c.nc.Close()
}

// writer drains the queue with a deadline on every write. It closes the
// socket when it ends.
func (c *conn) writer() {
	defer c.nc.Close()
	write := func(m []byte) bool {
		_ = c.nc.SetWriteDeadline(time.Now().Add(c.s.writeTimeout))
		_, err := c.nc.Write(m)
		c.mu.Lock()
		c.queued -= len(m)
		if err != nil {
			c.closing = true
		}
		c.mu.Unlock()
		if err != nil && !errors.Is(err, net.ErrClosed) {
			c.s.log.Info("demo: write to player", "remote", c.nc.RemoteAddr().String(), "err", err)
		}
		return err == nil
	}
	for {
		select {
		case m := <-c.queue:
			if !write(m) {
				return
			}
		case <-c.done:
			for {
				select {
				case m := <-c.queue:
					if !write(m) {
						return
					}
				default:
					c.mu.Lock()
					bye := c.goodbye
					c.mu.Unlock()
					if len(bye) > 0 {
						write(bye)
					}
					return
				}
			}
		}
	}
}

// serve runs the connection until the player leaves, the connection
// fails or the server closes it. The writer has ended when it returns.
func (c *conn) serve() {
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		c.writer()
	}()
	defer func() {
		c.close(nil)
		<-writerDone
	}()

	log := c.s.log.With("remote", c.nc.RemoteAddr().String())
	log.Info("demo: connection")
	sess := newSession(c.s, c)
	defer sess.leave()
	if !sess.start() {
		return
	}
	// The login deadline is absolute: trickling bytes does not extend it.
	_ = c.nc.SetReadDeadline(time.Now().Add(c.s.loginTimeout))
	loggedIn := false
	buf := make([]byte, 4096)
	for {
		if !loggedIn && sess.loggedIn() {
			loggedIn = true
			_ = c.nc.SetReadDeadline(time.Time{})
		}
		n, err := c.nc.Read(buf)
		if n > 0 && !sess.feed(buf[:n]) {
			log.Info("demo: session ended")
			return
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				log.Info("demo: login timed out")
				c.close([]byte("\r\n" + ansiError + "Timed out waiting for you to log in. Goodbye." + ansiReset + "\r\n"))
			} else {
				log.Info("demo: connection closed", "err", err)
			}
			return
		}
	}
}
