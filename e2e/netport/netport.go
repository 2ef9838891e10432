// Package netport hands tests loopback ports for programs that bind them
// later: Pebble, HAProxy, a gateway told its address in a config file.
//
// Asking the kernel for port 0 and closing the listener again gives a
// port from the ephemeral range (net.ipv4.ip_local_port_range), the same
// range the kernel takes the local ports of outgoing connections from.
// On a busy test machine thousands of such connections come and go, and
// one of them can take the port before the program binds it ("Address
// already in use"). The ports here come from just below that range, which
// the kernel never hands out by itself; each is checked free when handed
// out and never handed out twice by one process.
package netport

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
)

// span is how many ports below the ephemeral range are used.
const span = 12000

var (
	mu    sync.Mutex
	given = map[int]bool{}
)

// Free returns a loopback TCP port that nothing listens on now.
func Free() (int, error) { return free(false) }

// FreeTCPUDP returns a loopback port free for both TCP and UDP (a DNS
// server's).
func FreeTCPUDP() (int, error) { return free(true) }

func free(udp bool) (int, error) {
	low, high := pool()
	mu.Lock()
	defer mu.Unlock()
	for range 200 {
		port := low + rand.IntN(high-low)
		if given[port] || !bindable(port, udp) {
			continue
		}
		given[port] = true
		return port, nil
	}
	return 0, fmt.Errorf("netport: no free loopback port in %d-%d", low, high-1)
}

// pool is the range ports are taken from: below the ephemeral range.
func pool() (low, high int) {
	high = 32768 // Linux's default start of the ephemeral range
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil {
				high = n
			}
		}
	}
	return max(1024, high-span), high
}

// bindable reports whether port can be bound on loopback now.
func bindable(port int, udp bool) bool {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	defer ln.Close()
	if udp {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return false
		}
		pc.Close()
	}
	return true
}
