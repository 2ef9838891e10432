package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestSplit: shares add up to n, differ by at most one, larger first.
func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		n, parts int
		want     []int
	}{
		{200, 2, []int{100, 100}},
		{201, 2, []int{101, 100}},
		{1, 2, []int{1, 0}},
		{0, 2, []int{0, 0}},
		{7, 3, []int{3, 2, 2}},
	} {
		if got := split(tc.n, tc.parts); !slices.Equal(got, tc.want) {
			t.Errorf("split(%d, %d) = %v, want %v", tc.n, tc.parts, got, tc.want)
		}
	}
}

// TestSplitPassword: the password leaves the URL, the rest stays.
func TestSplitPassword(t *testing.T) {
	u, pw, err := splitPassword("postgres://drawbridge:s3cr%2Ft@127.0.0.1:5432/postgres?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	if want := "postgres://drawbridge@127.0.0.1:5432/postgres?sslmode=disable"; u != want {
		t.Errorf("url %q, want %q", u, want)
	}
	if pw != "s3cr/t" {
		t.Errorf("password %q, want %q", pw, "s3cr/t")
	}
	for _, bad := range []string{"postgres://127.0.0.1/db", "postgres://drawbridge@127.0.0.1/db", "postgres://a:b@[::1/db"} {
		if _, _, err := splitPassword(bad); err == nil {
			t.Errorf("splitPassword(%q): no error", bad)
		}
	}
}

// TestParseStat: the name may hold spaces and parentheses.
func TestParseStat(t *testing.T) {
	for _, tc := range []struct {
		line string
		want proc
		ok   bool
	}{
		{"4242 (postgres) S 17 4242 4242 0 -1", proc{ppid: 17, pgrp: 4242, comm: "postgres"}, true},
		{"12 (a) b (c)) R 3 12", proc{ppid: 3, pgrp: 12, comm: "a) b (c)"}, true},
		{"12 (postgres) S 3", proc{}, false},
		{"12 postgres S 3 4", proc{}, false},
		{"12 (postgres) S x 4", proc{}, false},
	} {
		got, ok := parseStat(tc.line)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseStat(%q) = %+v, %v, want %+v, %v", tc.line, got, ok, tc.want, tc.ok)
		}
	}
}

// TestFitFileLimit: two descriptors a player and 128 spare; a default is
// cut down to whole hundreds, an asked-for number is refused.
func TestFitFileLimit(t *testing.T) {
	for _, tc := range []struct {
		n     int
		set   bool
		limit uint64
		want  int
		err   bool
	}{
		{2000, false, 20000, 2000, false},
		{2000, true, 4128, 2000, false},
		{10000, false, 20000, 9900, false},
		{2000, true, 4127, 0, true},
		{2000, false, 100, 0, false},
	} {
		got, err := fitFileLimit("cluster", "-cluster-held", tc.n, tc.set, tc.limit)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("fitFileLimit(%d, %v, %d) = %d, %v; want %d, error %v", tc.n, tc.set, tc.limit, got, err, tc.want, tc.err)
		}
		if err != nil && !strings.Contains(err.Error(), fmt.Sprint(2*tc.n+128)) {
			t.Errorf("error %q does not say how many files are needed", err)
		}
	}
}

// TestSpoilCookie: same names and lengths, no value character kept.
func TestSpoilCookie(t *testing.T) {
	in := "drawbridge_session=AbC-_9; other=A"
	got := spoilCookie(in)
	if want := "drawbridge_session=BAAAAA; other=B"; got != want {
		t.Fatalf("spoilCookie(%q) = %q, want %q", in, got, want)
	}
}
