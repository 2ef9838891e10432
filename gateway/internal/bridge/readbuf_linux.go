package bridge

import "syscall"

const canPeek = true

// peekReady reports whether the socket fd has something for a read: it
// peeks at one byte without waiting or consuming it. false (EAGAIN) sends
// the runtime's poller to wait for the socket; any other answer, EOF and
// errors included, is for the real read to find.
func peekReady(fd uintptr, b []byte) bool {
	for {
		_, _, err := syscall.Recvfrom(int(fd), b, syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		if err == syscall.EINTR {
			continue
		}
		return err != syscall.EAGAIN
	}
}
