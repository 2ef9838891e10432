// Package backend makes the gateway's connections to the game. Every one
// of them (a web player's bridge, a telnets client's pipe, the status
// prober's check) goes through one Dialer, which holds what belongs to the
// game and not to any listener: its address, how long connecting may
// take, whether the game is told the player's address in a PROXY protocol
// header, and whether the connection is TLS (for a game on another host),
// trusting which CAs.
//
// On the wire, in order: the TCP connection; the PROXY header, when
// configured, before any other byte; then the TLS handshake, when
// configured, as HAProxy's "send-proxy" with "ssl" on a server line does
// (the header precedes TLS, so the game's PROXY-aware listener reads it
// before handing the connection to its TLS layer). Dial returns only once
// all of it is done, so a game that is down, slow, or presents a
// certificate the gateway does not trust is a dial error, in words an
// operator can act on.
package backend

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/proxyproto"
)

// PROXY protocol versions, the values of Dialer.Proxy.
const (
	ProxyNone = ""   // no header
	ProxyV1   = "v1" // the text header: "PROXY TCP4 ...\r\n"
	ProxyV2   = "v2" // the binary header
)

// Dialer connects to the game. Its zero value is not usable: Addr is
// required. Do not change its fields once Dial has been called; Dial may
// be called from any number of goroutines at once.
type Dialer struct {
	// Addr is the game's address, host:port. It is the only place the
	// Dialer connects to: nothing a player sends chooses another.
	Addr string

	// Timeout bounds the whole of Dial: the TCP connection, the PROXY
	// header and the TLS handshake. Zero: only ctx bounds it.
	Timeout time.Duration

	// Proxy is the PROXY protocol version sent to the game before any
	// other byte: ProxyV1, ProxyV2, or ProxyNone (the default) for no
	// header. Only set it for a game that expects the header (one that
	// does not would read it as the player's first line of input), and
	// only when the game accepts it from the gateway's address alone:
	// whoever may send the header may claim any address.
	//
	// The header's source is the player's address (port 0 when the
	// player string has none). Its destination is the game's own address
	// as the gateway dialled it (the connection's remote address): what
	// the player reaches through the gateway, so a game sees the same
	// destination as for a player connected directly, whichever gateway
	// listener (web or telnets) the player came in on. For the gateway's
	// own connections (player "") and for a player string that is not an
	// IP address, the header is a LOCAL one (version 2) or "PROXY
	// UNKNOWN" (version 1): the game then uses the connection's own
	// addresses and knows it is the gateway itself.
	Proxy string

	// TLS, when not nil, wraps the connection in TLS after the PROXY
	// header, with this client configuration: RootCAs nil trusts the
	// system's roots, a pool pins those CAs. An empty ServerName is
	// taken from Addr's host (an IP address is then checked against the
	// certificate's IP addresses). nil: plain TCP, as telnet is.
	TLS *tls.Config

	// RootsName says where TLS.RootCAs come from, for error messages
	// ("game's certificate not signed by RootsName"), e.g.
	// "game.tls_ca_file (/etc/drawbridge/game-ca.pem)". Empty: "the
	// pinned CAs", or "the system's trusted CAs" when RootCAs is nil.
	RootsName string

	// Logger hears of a player address Dial could not read (a bug in the
	// caller: the header then names no player). nil discards.
	Logger *slog.Logger
}

// Validate reports what is wrong with d, or nil.
func (d *Dialer) Validate() error {
	var errs []error
	if _, port, err := net.SplitHostPort(d.Addr); err != nil || port == "" {
		errs = append(errs, fmt.Errorf("addr %q is not host:port", d.Addr))
	}
	if err := checkProxy(d.Proxy); err != nil {
		errs = append(errs, err)
	}
	if d.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout %v is negative", d.Timeout))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("backend: %w", err)
	}
	return nil
}

func checkProxy(p string) error {
	switch p {
	case ProxyNone, ProxyV1, ProxyV2:
		return nil
	}
	return fmt.Errorf("proxy %q: want \"\", %q or %q", p, ProxyV1, ProxyV2)
}

// Dial connects to the game for the player at address player, as the
// gateway sees it: "host:port" or "host", IPv4 or IPv6 (with or without
// brackets), or "" for the gateway's own connections (a status check).
// It sends the PROXY header and completes the TLS handshake, when the
// Dialer is configured for them, under ctx and Timeout, and returns the
// connection ready for telnet: a *tls.Conn with TLS, else a *net.TCPConn.
// Errors name the game's address and the step that failed ("dial tcp
// ADDR: ...", "send PROXY header to ADDR: ...", "TLS with ADDR: game's
// certificate not signed by ..."), for the caller to wrap as "dial game:
// ..."; a ctx that ends first gives an error that errors.Is its ctx.Err().
func (d *Dialer) Dial(ctx context.Context, player string) (net.Conn, error) {
	if err := checkProxy(d.Proxy); err != nil {
		return nil, fmt.Errorf("backend: %w", err)
	}
	if d.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.Timeout)
		defer cancel()
	}
	var nd net.Dialer
	c, err := nd.DialContext(ctx, "tcp", d.Addr) // its errors say "dial tcp ADDR"
	if err != nil {
		return nil, err
	}
	conn, err := d.setUp(ctx, c, player)
	if err != nil {
		c.Close()
		return nil, err
	}
	return conn, nil
}

// setUp sends the PROXY header and runs the TLS handshake on c.
func (d *Dialer) setUp(ctx context.Context, c net.Conn, player string) (net.Conn, error) {
	if d.Proxy != ProxyNone {
		if err := d.sendHeader(ctx, c, player); err != nil {
			return nil, err
		}
	}
	if d.TLS == nil {
		return c, nil
	}
	cfg := d.TLS
	if cfg.ServerName == "" {
		cfg = cfg.Clone()
		cfg.ServerName = hostOf(d.Addr)
	}
	tc := tls.Client(c, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("TLS with %s: %w", d.Addr, ctx.Err())
		}
		return nil, fmt.Errorf("TLS with %s: %w", d.Addr, d.describeTLSError(cfg.ServerName, err))
	}
	return tc, nil
}

// sendHeader writes the PROXY header for player to c, giving up when ctx
// ends.
func (d *Dialer) sendHeader(ctx context.Context, c net.Conn, player string) error {
	h := proxyproto.Header{Version: proxyproto.V2, Command: proxyproto.Local}
	if d.Proxy == ProxyV1 {
		h.Version = proxyproto.V1
	}
	if src, ok := ParsePlayer(player); ok {
		h.Command, h.Source, h.Destination = proxyproto.Proxy, src, c.RemoteAddr()
	} else if player != "" && d.Logger != nil {
		d.Logger.Warn("backend: player address unreadable; PROXY header names no player", "player", player)
	}
	var buf [proxyproto.MaxLen]byte
	hdr, err := h.Append(buf[:0])
	if err != nil {
		// Addresses the format cannot carry: say nothing rather than
		// something wrong.
		h = proxyproto.Header{Version: h.Version, Command: proxyproto.Local}
		hdr, _ = h.Append(buf[:0])
	}
	// A header is at most 107 bytes on a fresh connection, so the write
	// hardly ever waits; when it does, ctx still bounds it.
	if dl, ok := ctx.Deadline(); ok {
		c.SetWriteDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { c.SetWriteDeadline(time.Unix(1, 0)) })
	_, err = c.Write(hdr)
	if !stop() || (err != nil && ctx.Err() != nil) {
		return fmt.Errorf("send PROXY header to %s: %w", d.Addr, ctx.Err())
	}
	if err != nil {
		return fmt.Errorf("send PROXY header to %s: %w", d.Addr, err)
	}
	c.SetWriteDeadline(time.Time{})
	return nil
}

// ParsePlayer reads a player's address as the gateway passes it to Dial:
// "host:port" or "host", an IPv4 or IPv6 address ("[::1]" and "::1" both
// do). The port is 0 when there is none. It returns false for "" and for
// anything else, such as a host name.
func ParsePlayer(player string) (*net.TCPAddr, bool) {
	if player == "" {
		return nil, false
	}
	if ap, err := netip.ParseAddrPort(player); err == nil {
		return net.TCPAddrFromAddrPort(ap), true
	}
	host := player
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return nil, false
	}
	return net.TCPAddrFromAddrPort(netip.AddrPortFrom(a, 0)), true
}

// hostOf returns the host of a host:port address, or the address itself.
func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

// describeTLSError turns a failed handshake into what an operator needs
// to know: whose certificate is not trusted, or for which name it is not.
func (d *Dialer) describeTLSError(serverName string, err error) error {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &unknown):
		return fmt.Errorf("game's certificate not signed by %s: %w", d.rootsName(), err)
	case errors.As(err, &hostname):
		return fmt.Errorf("game's certificate is not for the name %q: %w", serverName, err)
	case errors.As(err, &invalid):
		return fmt.Errorf("game's certificate is not valid: %w", err)
	case errors.As(err, &record):
		return fmt.Errorf("the game did not answer in TLS (a plain telnet port?): %w", err)
	}
	return err
}

func (d *Dialer) rootsName() string {
	switch {
	case d.RootsName != "":
		return d.RootsName
	case d.TLS.RootCAs != nil:
		return "the pinned CAs"
	}
	return "the system's trusted CAs"
}

// LoadCAs reads the PEM file at path into a pool of trusted CAs for
// Dialer.TLS.RootCAs. The file holds one or more certificates: CAs, or the
// game's own self-signed certificate, which then is its own CA. It fails,
// saying why, when the file cannot be read, holds no certificate, or holds
// a certificate that does not parse (a pool that silently lacked one would
// fail later, at every dial).
func LoadCAs(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("CA file %s: file not found", path)
		case errors.Is(err, fs.ErrPermission):
			return nil, fmt.Errorf("CA file %s: permission denied (the gateway runs as uid %d)", path, os.Geteuid())
		}
		return nil, fmt.Errorf("CA file %s: %w", path, err)
	}
	pool := x509.NewCertPool()
	n := 0
	for rest := b; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("CA file %s: certificate %d: %w", path, n+1, err)
		}
		pool.AddCert(cert)
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("CA file %s: no PEM certificate found", path)
	}
	return pool, nil
}
