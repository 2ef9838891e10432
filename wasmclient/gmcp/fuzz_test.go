package gmcp

import (
	"reflect"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzApply applies a message to a State that already holds vitals and a
// room: it must never panic, an error must change nothing, Changed must
// match what changed, a repeat must change nothing, and every bound must
// hold.
func FuzzApply(f *testing.F) {
	for _, tt := range vitalsTests {
		for _, st := range tt.steps {
			f.Add([]byte(st.msg))
		}
	}
	for _, tt := range roomTests {
		f.Add([]byte(tt.msg))
	}
	for _, m := range malformed {
		f.Add([]byte(m))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		var s State
		mustApply(t, &s, `Char.Vitals {"hp":1,"maxhp":2,"mp":3,"maxmp":4}`)
		mustApply(t, &s, `Room.Info {"num":1,"name":"One","exits":["n"]}`)
		v0, r0 := s.Vitals(), roomOf(&s)

		ch, err := s.Apply(msg)
		v1, r1 := s.Vitals(), roomOf(&s)
		if err != nil && (ch != Changed{} || !reflect.DeepEqual(v0, v1) || !reflect.DeepEqual(r0, r1)) {
			t.Fatalf("Apply(%q) failed with %v but changed %+v", msg, err, ch)
		}
		if ch.Vitals == reflect.DeepEqual(v0, v1) {
			t.Fatalf("Apply(%q): got Changed.Vitals %v, vitals %v -> %v", msg, ch.Vitals, v0, v1)
		}
		if ch.Room == reflect.DeepEqual(r0, r1) {
			t.Fatalf("Apply(%q): got Changed.Room %v, room %#v -> %#v", msg, ch.Room, r0, r1)
		}
		if ch, _ := s.Apply(msg); ch != (Changed{}) {
			t.Fatalf("Apply(%q) again: got %+v, want nothing changed", msg, ch)
		}
		checkBounds(t, &s)
	})
}

func roomOf(s *State) Room {
	r, _ := s.Room()
	return r
}

func checkBounds(t *testing.T, s *State) {
	t.Helper()
	if len(s.cur) > maxKeys || len(s.max) > maxKeys {
		t.Fatalf("got %d values and %d maxima, want at most %d", len(s.cur), len(s.max), maxKeys)
	}
	v := s.Vitals()
	if len(v) > MaxVitals {
		t.Fatalf("got %d vitals, want at most %d", len(v), MaxVitals)
	}
	for _, x := range v {
		checkText(t, "vital name", x.Name, MaxShortLen)
		if x.Value < -valueLimit || x.Value > valueLimit || x.Max < -valueLimit || x.Max > valueLimit {
			t.Fatalf("got vital %v out of range", x)
		}
	}
	r := roomOf(s)
	if len(r.Exits) > MaxExits {
		t.Fatalf("got %d exits, want at most %d", len(r.Exits), MaxExits)
	}
	checkText(t, "room number", r.Num, MaxNameLen)
	checkText(t, "room name", r.Name, MaxNameLen)
	checkText(t, "area", r.Area, MaxNameLen)
	for _, e := range r.Exits {
		checkText(t, "exit", e, MaxShortLen)
		if e == "" {
			t.Fatalf("got an empty exit in %q", r.Exits)
		}
	}
}

// checkText fails unless s is valid UTF-8 of at most n runes with no
// control characters and no escape sequences.
func checkText(t *testing.T, what, s string, n int) {
	t.Helper()
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > n {
		t.Fatalf("got %s %q, want valid UTF-8 of at most %d runes", what, s, n)
	}
	for _, r := range s {
		if unicode.IsControl(r) || bidiControl(r) {
			t.Fatalf("got %s %q with control character %U", what, s, r)
		}
	}
}
