// Package peer says where a connection comes from in the terms every
// per-address limit of the gateway counts: logins and registrations in
// the account service, players in the bridge's hub, classic clients on
// the TLS telnet port, and connections before login.
//
// One subscriber usually holds a whole IPv6 /64 (RFC 6177 recommends
// that much for a home, and SLAAC picks addresses inside it at will), so
// limits keyed on the full IPv6 address would give one person 2^64
// slots. Group therefore keys an IPv6 peer on its /64 and an IPv4 peer
// (IPv4-mapped IPv6 included) on its address.
package peer

import (
	"net"
	"net/netip"
)

// IP returns the IP of a peer address given as "ip" or "ip:port" (or
// "[ip]:port"), with IPv4-mapped IPv6 unmapped and any zone dropped, and
// false if it is neither.
func IP(addr string) (netip.Addr, bool) {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return netip.Addr{}, false
	}
	return ip.Unmap().WithZone(""), true
}

// Group is the key per-address limits count addr under: the IPv4
// address, or the IPv6 /64 in CIDR form ("2001:db8:1:2::/64"). Anything
// that is not an address (a Unix socket's name, say) is its own group,
// prefixed "other:" and cut to 64 bytes so it can never pass for one.
func Group(addr string) string {
	ip, ok := IP(addr)
	if !ok {
		return "other:" + Truncate(addr, 64)
	}
	return GroupIP(ip)
}

// GroupIP is Group for an address already parsed.
func GroupIP(ip netip.Addr) string {
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// Truncate cuts s to at most n bytes, on a rune boundary.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
