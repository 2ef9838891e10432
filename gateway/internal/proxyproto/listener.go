package proxyproto

import (
	"bufio"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"
)

// DefaultTimeout is how long a Listener's connection waits for the header
// when Listener.Timeout is zero. A proxy sends it at once, with the
// connection; only a stalled or hostile peer takes longer.
const DefaultTimeout = 10 * time.Second

// headerBufSize is the read buffer a Conn reads its header through. Most
// headers fit (a version 2 header with two IPv6 addresses and a few TLVs
// is well under it); a longer one is read into a buffer of its own size.
// The buffer is dropped once the bytes read past the header are consumed.
const headerBufSize = 1 << 10

// Listener wraps a net.Listener whose peers include proxies that send a
// PROXY protocol header (a load balancer in front of the gateway, say).
// A connection from a trusted address must start with a header, version 1
// or 2; its Conn then reports the client the header names. A connection
// from any other address is returned as Accept got it, untouched: no
// header is looked for, so nobody else can claim an address.
//
// Accept never reads from the network, so a slow or silent proxy cannot
// hold up other connections: a Conn reads its header on first use (Read,
// RemoteAddr, LocalAddr or Header), in the goroutine that serves it,
// waiting at most Timeout.
type Listener struct {
	// Listener is the listener to accept from.
	Listener net.Listener
	// Trusted reports whether the peer at a connection's address (the
	// proxy's) may send a header. nil trusts nobody, which makes the
	// Listener a plain one: a header must be asked for on purpose.
	// TrustPrefixes builds one from network prefixes.
	Trusted func(net.Addr) bool
	// Timeout bounds reading the header; zero means DefaultTimeout and a
	// negative value no limit. A read deadline the caller sets first still
	// applies, when it is earlier.
	Timeout time.Duration
}

// Accept waits for the next connection. A connection from a trusted peer
// comes back as a *Conn; any other as the underlying listener returned it.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if l.Trusted == nil || !l.Trusted(c.RemoteAddr()) {
		return c, nil
	}
	timeout := l.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	return &Conn{conn: c, timeout: timeout}, nil
}

// Close closes the underlying listener.
func (l *Listener) Close() error { return l.Listener.Close() }

// Addr returns the underlying listener's address.
func (l *Listener) Addr() net.Addr { return l.Listener.Addr() }

// TrustPrefixes returns a Listener.Trusted function that trusts TCP and
// UDP peers whose IP address lies in one of the prefixes (an IPv4-mapped
// IPv6 address counts as IPv4).
func TrustPrefixes(prefixes ...netip.Prefix) func(net.Addr) bool {
	ps := make([]netip.Prefix, 0, len(prefixes))
	for _, p := range prefixes {
		if p.IsValid() {
			ps = append(ps, p.Masked())
		}
	}
	return func(a net.Addr) bool {
		var ip net.IP
		switch a := a.(type) {
		case *net.TCPAddr:
			if a != nil {
				ip = a.IP
			}
		case *net.UDPAddr:
			if a != nil {
				ip = a.IP
			}
		}
		addr, ok := netip.AddrFromSlice(ip)
		if !ok {
			return false
		}
		addr = addr.Unmap()
		for _, p := range ps {
			if p.Contains(addr) {
				return true
			}
		}
		return false
	}
}

// Conn is a connection from a trusted proxy. It reads the PROXY protocol
// header on first use and then reads like the underlying connection.
//
// RemoteAddr and LocalAddr return the header's source and destination when
// the header is valid and carries TCP addresses; otherwise (a LOCAL or
// UNKNOWN header, other address kinds, or an invalid header) they return
// the underlying connection's. Either may block, like Read, until the
// header has been read. An invalid header makes every Read fail with its
// error; the caller should close the connection.
type Conn struct {
	conn    net.Conn
	timeout time.Duration

	once   sync.Once
	hdr    Header
	err    error
	br     *bufio.Reader // set by readHeader; nil once drained, touched by Read only
	remote net.Addr
	local  net.Addr

	mu          sync.Mutex // guards the fields below
	headerDone  bool
	headerUntil time.Time // the header's own deadline
	userRead    time.Time // the read deadline the caller asked for
}

// NewConn wraps c, a connection from a trusted proxy, as Listener.Accept
// does; timeout is as Listener.Timeout. It is for connections that do not
// come from a Listener.
func NewConn(c net.Conn, timeout time.Duration) *Conn {
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	return &Conn{conn: c, timeout: timeout}
}

// readHeader reads the header once, within the timeout and the caller's
// read deadline, whichever comes first.
func (c *Conn) readHeader() {
	c.once.Do(func() {
		c.mu.Lock()
		if c.timeout > 0 {
			c.headerUntil = time.Now().Add(c.timeout)
		}
		c.conn.SetReadDeadline(earliest(c.headerUntil, c.userRead))
		c.mu.Unlock()

		c.br = bufio.NewReaderSize(c.conn, headerBufSize)
		c.hdr, c.err = Read(c.br)
		if c.err != nil {
			c.err = fmt.Errorf("PROXY header from %v: %w", c.conn.RemoteAddr(), c.err)
		}
		c.remote, c.local = c.conn.RemoteAddr(), c.conn.LocalAddr()
		if c.err == nil && c.hdr.Command == Proxy {
			if s, ok := c.hdr.Source.(*net.TCPAddr); ok {
				c.remote, c.local = s, c.hdr.Destination
			}
		}

		c.mu.Lock()
		c.headerDone = true
		c.conn.SetReadDeadline(c.userRead)
		c.mu.Unlock()
	})
}

// earliest returns the earlier of two deadlines, where zero means none.
func earliest(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero() || a.Before(b):
		return a
	}
	return b
}

// Header returns the connection's header, reading it first if no call has
// yet, or the error that made it invalid. It blocks like Read.
func (c *Conn) Header() (Header, error) {
	c.readHeader()
	return c.hdr, c.err
}

// Read reads data that follows the header.
func (c *Conn) Read(p []byte) (int, error) {
	c.readHeader()
	if c.err != nil {
		return 0, c.err
	}
	if c.br != nil {
		if c.br.Buffered() > 0 {
			return c.br.Read(p)
		}
		c.br = nil // drained: read directly and let the buffer go
	}
	return c.conn.Read(p)
}

// Write writes to the underlying connection. It does not wait for the
// header.
func (c *Conn) Write(p []byte) (int, error) { return c.conn.Write(p) }

// Close closes the underlying connection, which also ends a header read
// in progress.
func (c *Conn) Close() error { return c.conn.Close() }

// CloseWrite shuts down the writing side of the underlying connection,
// when it has one (a TCP or Unix connection).
func (c *Conn) CloseWrite() error {
	if cw, ok := c.conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return fmt.Errorf("proxyproto: close write: %T cannot half-close", c.conn)
}

// RemoteAddr returns the client's address from the header, or the
// underlying connection's; see Conn.
func (c *Conn) RemoteAddr() net.Addr {
	c.readHeader()
	return c.remote
}

// LocalAddr returns the address the client connected to, from the header,
// or the underlying connection's; see Conn.
func (c *Conn) LocalAddr() net.Addr {
	c.readHeader()
	return c.local
}

// NetConn returns the underlying connection.
func (c *Conn) NetConn() net.Conn { return c.conn }

// SetDeadline sets the read and write deadlines, as SetReadDeadline and
// SetWriteDeadline do.
func (c *Conn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.conn.SetWriteDeadline(t)
}

// SetReadDeadline sets the read deadline. While the header is being read,
// the earlier of t and the header's timeout applies.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.userRead = t
	if !c.headerDone {
		return c.conn.SetReadDeadline(earliest(c.headerUntil, t))
	}
	return c.conn.SetReadDeadline(t)
}

// SetWriteDeadline sets the underlying connection's write deadline.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.conn.SetWriteDeadline(t) }
