package bridge

import (
	"net"
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
// read (data, end of stream or an error) without reading it, or nil when
// c cannot be waited on like that (not a socket: a TLS or test
// connection), and the caller keeps a buffer of its own. The wait honours
// c's read deadline.
func readableWaiter(c net.Conn) func() error {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil || !canPeek {
		return nil
	}
	var b [1]byte
	ready := func(fd uintptr) bool { return peekReady(fd, b[:]) }
	return func() error { return rc.Read(ready) }
}
