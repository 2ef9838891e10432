package peer

import "testing"

func TestGroup(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"192.0.2.1", "192.0.2.1"},
		{"192.0.2.1:5555", "192.0.2.1"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
		{"[::ffff:192.0.2.1]:80", "192.0.2.1"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1]:443", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"::1", "::/64"},
		{"/run/drawbridge.sock", "other:/run/drawbridge.sock"},
		{"", "other:"},
	} {
		if got := Group(tc.in); got != tc.want {
			t.Errorf("Group(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if a, b := Group("2001:db8::1"), Group("2001:db8::ffff:1"); a != b {
		t.Errorf("two addresses of one /64 grouped apart: %q, %q", a, b)
	}
	if a, b := Group("2001:db8:0:1::1"), Group("2001:db8:0:2::1"); a == b {
		t.Errorf("two /64s grouped together: %q", a)
	}
}

func TestIP(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"192.0.2.1:80", "192.0.2.1", true},
		{"[2001:db8::1%eth0]:80", "2001:db8::1", true},
		{"::ffff:10.0.0.1", "10.0.0.1", true},
		{"example.org:80", "invalid IP", false},
	} {
		ip, ok := IP(tc.in)
		if ok != tc.ok || ip.String() != tc.want {
			t.Errorf("IP(%q) = %v, %v; want %v, %v", tc.in, ip, ok, tc.want, tc.ok)
		}
	}
}

func TestTruncate(t *testing.T) {
	if got := Truncate("héllo", 2); got != "h" {
		t.Errorf("Truncate cut inside a rune: %q", got)
	}
	if got := Truncate("abc", 5); got != "abc" {
		t.Errorf("Truncate(abc, 5) = %q", got)
	}
}
