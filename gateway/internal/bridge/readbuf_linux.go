package bridge

import "syscall"

const canPeek = true

// peekReady reports whether the socket fd has something for a read: it
// peeks at one byte without waiting or consuming it. false (EAGAIN) sends
// the runtime's poller to wait for the socket; anything else is ready:
// data, end of stream (nil), or an error. A peek takes the socket's
// pending error (a reset) just as a read would, so it is returned here
// for the caller to report: the read after it would only see EOF.
func peekReady(fd uintptr, b []byte) (bool, error) {
	for {
		_, _, err := syscall.Recvfrom(int(fd), b, syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch err {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false, nil
		case nil:
			return true, nil
		}
		return true, err
	}
}
