package telnet

import (
	"bytes"
	"reflect"
	"sort"
	"strings"
	"testing"
)

var msspCases = []struct {
	name string
	in   string
	want MSSP
}{
	{"empty", "", MSSP{}},
	{"one", "\x01NAME\x02Castle", MSSP{"NAME": {"Castle"}}},
	{"several", "\x01NAME\x02Castle\x01PLAYERS\x0252\x01UPTIME\x021700000000",
		MSSP{"NAME": {"Castle"}, "PLAYERS": {"52"}, "UPTIME": {"1700000000"}}},
	{"many values", "\x01PORT\x024000\x024001\x024002", MSSP{"PORT": {"4000", "4001", "4002"}}},
	{"empty value", "\x01CONTACT\x02", MSSP{"CONTACT": {""}}},
	{"lower case name", "\x01codebase\x02Evennia", MSSP{"CODEBASE": {"Evennia"}}},
	{"repeated name adds", "\x01PORT\x024000\x01port\x024001", MSSP{"PORT": {"4000", "4001"}}},
	{"junk before the first name", "hello\x02orphan\x01NAME\x02x", MSSP{"NAME": {"x"}}},
	{"value without a name", "\x02lost", MSSP{}},
	{"name without a value", "\x01NAME\x01PLAYERS\x023", MSSP{"PLAYERS": {"3"}}},
	{"empty name drops its values", "\x01\x02x\x01NAME\x02y", MSSP{"NAME": {"y"}}},
	{"name too long", "\x01" + strings.Repeat("N", MaxMSSPName+1) + "\x02x", MSSP{}},
	{"longest name", "\x01" + strings.Repeat("N", MaxMSSPName) + "\x02x", MSSP{strings.Repeat("N", MaxMSSPName): {"x"}}},
	{"value cut", "\x01DESC\x02" + strings.Repeat("v", MaxMSSPValue+10), MSSP{"DESC": {strings.Repeat("v", MaxMSSPValue)}}},
	{"utf-8 and other bytes kept", "\x01NAME\x02Caf\xc3\xa9\x00\xff", MSSP{"NAME": {"Caf\xc3\xa9\x00\xff"}}},
	{"non-ASCII name kept as sent", "\x01n\xc3\xa4me\x02x", MSSP{"N\xc3\xa4ME": {"x"}}},
}

func TestParseMSSP(t *testing.T) {
	for _, tc := range msspCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ParseMSSP([]byte(tc.in)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseMSSPBounds(t *testing.T) {
	var in []byte
	for i := range 3 * MaxMSSPVars {
		in = append(in, MSSPVAR)
		in = append(in, "V"+strings.Repeat("x", i%7)+string(rune('A'+i%26))+string(rune('A'+i/26%26))...)
		for range 3 * MaxMSSPValues {
			in = append(in, MSSPVAL, 'y')
		}
	}
	got := ParseMSSP(in)
	if len(got) != MaxMSSPVars {
		t.Errorf("got %d variables, want %d", len(got), MaxMSSPVars)
	}
	for name, vals := range got {
		if len(vals) != MaxMSSPValues {
			t.Errorf("got %d values of %s, want %d", len(vals), name, MaxMSSPValues)
		}
	}
}

func TestMSSPGet(t *testing.T) {
	m := MSSP{"NAME": {"Castle", "Keep"}, "EMPTY": nil}
	for name, want := range map[string]string{"NAME": "Castle", "EMPTY": "", "NONE": ""} {
		if got := m.Get(name); got != want {
			t.Errorf("Get(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestAppendMSSP(t *testing.T) {
	got := AppendMSSP([]byte("x"), []MSSPVariable{
		{"NAME", []string{"A\xffB"}},
		{"PORT", []string{"1", "2"}},
		{"BAD\x01", []string{"v\x02al"}},
		{"NONE", nil},
	})
	want := "x\xff\xfa\x46\x01NAME\x02A\xff\xffB\x01PORT\x021\x022\x01BAD\x02val\x01NONE\x02\xff\xf0"
	if string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// msspOf runs an encoded subnegotiation through a Parser and parses the
// MSSP payload, as a prober does.
func msspOf(t *testing.T, wire []byte) MSSP {
	t.Helper()
	h := &msspRecorder{}
	p := Parser{MaxSubneg: 1 << 22} // the bounds allow more than the default
	p.Parse(wire, h)
	if h.n != 1 || h.opt != OptMSSP {
		t.Fatalf("got %d subnegotiations (the last of option %d), want one MSSP", h.n, h.opt)
	}
	return ParseMSSP(h.data)
}

// msspRecorder keeps the last subnegotiation a Parser finds.
type msspRecorder struct {
	n    int
	opt  byte
	data []byte
}

func (r *msspRecorder) Data([]byte)          {}
func (r *msspRecorder) Command(byte)         {}
func (r *msspRecorder) Negotiate(byte, byte) {}
func (r *msspRecorder) Subnegotiation(opt byte, data []byte) {
	r.n, r.opt, r.data = r.n+1, opt, bytes.Clone(data)
}

// encodeSorted encodes m with its names in order, for a stable result.
func encodeSorted(m MSSP) []byte {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	vars := make([]MSSPVariable, 0, len(m))
	for _, n := range names {
		vars = append(vars, MSSPVariable{n, m[n]})
	}
	return AppendMSSP(nil, vars)
}

// FuzzParseMSSP checks that ParseMSSP never panics, keeps within its
// bounds whatever it is fed, and that what it returns survives being
// encoded, sent through the Parser and parsed again unchanged.
func FuzzParseMSSP(f *testing.F) {
	for _, tc := range msspCases {
		f.Add([]byte(tc.in))
	}
	f.Add(bytes.Repeat([]byte("\x01N\x02v"), 300))
	f.Fuzz(func(t *testing.T, in []byte) {
		m := ParseMSSP(in)
		if len(m) > MaxMSSPVars {
			t.Fatalf("got %d variables, want at most %d", len(m), MaxMSSPVars)
		}
		for name, vals := range m {
			if name == "" || len(name) > MaxMSSPName || strings.ContainsAny(name, "\x01\x02") {
				t.Fatalf("got name %q", name)
			}
			if name != asciiUpper([]byte(name)) {
				t.Fatalf("got name %q, want it in upper case", name)
			}
			if len(vals) == 0 || len(vals) > MaxMSSPValues {
				t.Fatalf("got %d values of %q, want 1 to %d", len(vals), name, MaxMSSPValues)
			}
			for _, v := range vals {
				if len(v) > MaxMSSPValue || strings.ContainsAny(v, "\x01\x02") {
					t.Fatalf("got value %q of %q", v, name)
				}
			}
		}
		if again := msspOf(t, encodeSorted(m)); !reflect.DeepEqual(again, m) {
			t.Fatalf("round trip: got %q, want %q", again, m)
		}
	})
}
