package mxp

import (
	"bytes"
	"strings"
	"testing"
)

func guard(chunks ...string) string {
	var g Guard
	var out []byte
	for _, c := range chunks {
		out = g.Append(out, []byte(c))
	}
	return string(out)
}

func TestGuardDropsCommandLinks(t *testing.T) {
	const send = "\x1b]8;;mxp:send?c=quit\x07"
	const web = "\x1b]8;;https://example.org/\x07"
	const end = "\x1b]8;;\x07"
	for _, tc := range []struct {
		name string
		in   []string
		want string
	}{
		{"plain text", []string{"hello \x1b[1mworld\x1b[0m\r\n"}, "hello \x1b[1mworld\x1b[0m\r\n"},
		{"a web link passes", []string{web + "site" + end}, web + "site" + end},
		{"a mail link passes", []string{"\x1b]8;;mailto:a@b.c\x1b\\x" + end}, "\x1b]8;;mailto:a@b.c\x1b\\x" + end},
		{"a command link is dropped", []string{send + "click" + end}, "\x1b\x18click" + end},
		{"ended by ST", []string{"\x1b]8;;mxp:send?c=quit\x1b\\click"}, "\x1b\x18click"},
		{"upper case scheme", []string{"\x1b]8;;MXP:send?c=quit\x07x"}, "\x1b\x18x"},
		{"javascript", []string{"\x1b]8;;javascript:alert(1)\x07x"}, "\x1b\x18x"},
		{"other OSCs pass", []string{"\x1b]0;title\x07x"}, "\x1b]0;title\x07x"},
		{"cut anywhere", []string{"\x1b", "]8;;mx", "p:send?c=quit", "\x1b", "\\click"}, "\x1b\x18click"},
		{"a web link cut anywhere", []string{"\x1b]", "8;;http", "s://e.org/\x1b", "\\x"}, "\x1b]8;;https://e.org/\x1b\\x"},
		// The terminal's escape state: ESC ESC, and controls after an ESC,
		// still start an OSC at the ].
		{"ESC ESC ]", []string{"\x1b\x1b]8;;mxp:send?c=quit\x07x"}, "\x1b\x1b\x18x"},
		{"ESC, a control, ]", []string{"\x1b\n]8;;mxp:send?c=quit\x07x"}, "\x1b\n\x18x"},
		{"ESC, a high byte, ]", []string{"\x1b\xc3]8;;mxp:send?c=quit\x07x"}, "\x1b\xc3\x18x"},
		// An ESC in an OSC that is not ST abandons it and starts anew.
		{"OSC abandoned into another", []string{"\x1b]8;;https://a.b/\x1b]8;;mxp:send?c=quit\x07x"}, "\x1b\x1b\x18x"},
		{"CAN cancels", []string{"\x1b]8;;mxp:send?c=quit\x18x"}, "\x1b\x18x"},
		{"other escapes pass", []string{"\x1b7\x1b[2J\x1b8"}, "\x1b7\x1b[2J\x1b8"},
		{"controls in the URI are skipped as the terminal skips them", []string{"\x1b]8;;m\nxp:send?c=quit\x07x"}, "\x1b\x18x"},
		{"too long: dropped", []string{"\x1b]8;;https://e.org/" + strings.Repeat("a", maxOSC) + "\x07x"}, "\x1b\x18x"},
	} {
		if got := guard(tc.in...); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestGuardHoldsWhatItMust: only an OSC waits for what decides it; End
// drops one unfinished.
func TestGuardHoldsWhatItMust(t *testing.T) {
	var g Guard
	if out := g.Append(nil, []byte("a\x1b")); string(out) != "a\x1b" {
		t.Fatalf("got %q, want it all at once", out)
	}
	if out := g.Append(nil, []byte("[m\x1b")); string(out) != "[m\x1b" {
		t.Fatalf("got %q, want it all at once", out)
	}
	if out := g.Append(nil, []byte("]8;;https://x.y/")); len(out) != 0 {
		t.Fatalf("got %q, want the OSC held to its end", out)
	}
	if out := g.End(nil); string(out) != "\x18" {
		t.Fatalf("End gave %q, want a CAN for the OSC dropped", out)
	}
	if out := g.Append(nil, []byte("after")); string(out) != "after" {
		t.Fatalf("after End: %q", out)
	}
	// Pass takes what starts no OSC, and keeps track of an escape it
	// leaves open.
	if !g.Pass([]byte("text \x1b")) || g.Pass([]byte("]8;;mxp:x\x07")) {
		t.Fatal("Pass took an OSC, or refused plain text")
	}
	if out := g.Append(nil, []byte("]8;;mxp:x\x07")); string(out) != "\x18" {
		t.Fatalf("an OSC after Pass's ESC: %q, want it dropped", out)
	}
}

func FuzzGuard(f *testing.F) {
	f.Add([]byte("\x1b]8;;mxp:send?c=quit\x07click\x1b]8;;\x07"), 3)
	f.Add([]byte("\x1b\x1b]8;;mxp:x\x1b\\"), 1)
	f.Add([]byte("\x1b\n]8;;MXP:x\x07\x1b]8;;https://a/\x07"), 2)
	f.Fuzz(func(t *testing.T, in []byte, cut int) {
		whole := guard(string(in))
		// Pass, where it takes p, takes it as Append gives it.
		var g Guard
		if g.Pass(in) && whole != string(in) {
			t.Fatalf("Pass took %q, Append gives %q", in, whole)
		}
		// However the stream is cut, the same comes out.
		var parts []string
		step := (cut%7+7)%7 + 1
		for i := 0; i < len(in); i += step {
			parts = append(parts, string(in[i:min(i+step, len(in))]))
		}
		if got := guard(parts...); got != whole {
			t.Fatalf("cut every %d: %q, whole: %q", step, got, whole)
		}
		// No OSC 8 that the terminal would read as a link leaves the
		// Guard unless it points to the web or mail.
		out := []byte(whole)
		for i := 0; ; {
			j := bytes.Index(out[i:], []byte("]8;"))
			if j < 0 {
				break
			}
			i += j + 3
			osc := out[i:]
			if e := bytes.IndexAny(osc, "\x07\x1b\x18\x1a"); e >= 0 {
				osc = osc[:e] // the OSC ends here
			}
			k := bytes.IndexByte(osc, ';')
			if k < 0 {
				continue
			}
			uri := strings.ToLower(strings.Map(func(r rune) rune {
				if r < 0x20 {
					return -1
				}
				return r
			}, string(osc[k+1:])))
			if strings.HasPrefix(uri, "mxp:") && escapeBefore(out[:i-3]) {
				t.Fatalf("a command link passed: %q", whole)
			}
		}
	})
}

// escapeBefore reports whether b ends in an ESC, controls after it
// aside: the terminal would read a ] after it as an OSC.
func escapeBefore(b []byte) bool {
	for i := len(b) - 1; i >= 0; i-- {
		switch {
		case b[i] == 0x1b:
			return true
		case b[i] < 0x20 && b[i] != 0x18 && b[i] != 0x1a, b[i] >= 0x7f:
		default:
			return false
		}
	}
	return false
}
