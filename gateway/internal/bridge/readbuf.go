package bridge

import (
	"net"
	"os"
	"sync"
	"syscall"
)

// readState is what one read of the game needs: the buffer it reads
// into and the sink its frames are encoded in.
type readState struct {
	buf []byte
	out frameSink
}

// readStates holds them between reads. A player whose game is quiet holds
// none: gameToPlayer waits until the game's socket is readable and only
// then takes one, for one read, so ten thousand idle players do not keep
// ten thousand read buffers.
var readStates = sync.Pool{New: func() any { return &readState{buf: make([]byte, readBufferSize)} }}

// readableWaiter returns a function that blocks until c has something to
// read (data or end of stream) without reading it, and returns the error
// a read would have met (a reset, a closed connection), or nil when
// c cannot be waited on like that (not a socket: a TLS or test
// connection), and the caller keeps a buffer of its own. The wait honours
// c's read deadline.
func readableWaiter(c net.Conn) func() error {
	sc, ok := c.(syscall.Conn)
	if !ok || !canPeek {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	var (
		b    [1]byte
		perr error
	)
	ready := func(fd uintptr) bool {
		ok, err := peekReady(fd, b[:])
		perr = err
		return ok
	}
	return func() error {
		perr = nil
		if err := rc.Read(ready); err != nil {
			return err
		}
		if perr != nil {
			return &net.OpError{Op: "read", Net: c.LocalAddr().Network(), Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: os.NewSyscallError("recvfrom", perr)}
		}
		return nil
	}
}
