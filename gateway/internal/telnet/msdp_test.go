package telnet

import (
	"strings"
	"testing"
)

// The examples are the MSDP specification's
// (https://tintin.mudhalla.net/protocols/msdp/), in its notation: V for
// MSDP_VAR, L for MSDP_VAL, { } for a table, [ ] for an array.
func msdp(s string) []byte {
	return []byte(strings.NewReplacer("V", "\x01", "L", "\x02", "{", "\x03", "}", "\x04", "[", "\x05", "]", "\x06").Replace(s))
}

func TestMSDPToJSON(t *testing.T) {
	tests := []struct {
		in   string // in the notation above; lower case and digits are text
		want string
	}{
		// MSDP_VAR "HEALTH" MSDP_VAL "5000"
		{"V" + "h" + "L" + "5000", `{"h":"5000"}`},
		// Several variables in one subnegotiation.
		{"Vhp" + "L10" + "Vmaxhp" + "L20", `{"hp":"10","maxhp":"20"}`},
		// A table: the ROOM variable of the specification's examples.
		{"Vroom" + "L{" + "Vvnum" + "L6008" + "Vname" + "La clearing" + "Vexits" + "L{" + "Vn" + "L6011" + "Ve" + "L6007" + "}" + "}",
			`{"room":{"exits":{"e":"6007","n":"6011"},"name":"a clearing","vnum":"6008"}}`},
		// An array.
		{"Vreportable" + "L[" + "Lhealth" + "Lmana" + "]", `{"reportable":["health","mana"]}`},
		// A variable with several values, as in REPORT's: an array.
		{"Vreport" + "Lhealth" + "Lmana", `{"report":["health","mana"]}`},
		// Empty values, and a variable with none.
		{"Va" + "L" + "Vb", `{"a":"","b":""}`},
		{"Va" + "L[]", `{"a":[]}`},
		{"", `{}`},
	}
	for _, tt := range tests {
		got, err := MSDPToJSON(msdp(tt.in))
		if err != nil || string(got) != tt.want {
			t.Errorf("MSDPToJSON(%q) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	// Text that is not UTF-8, and controls, stay text in valid JSON.
	if got, err := MSDPToJSON([]byte("\x01name\x02Zo\xeb\x1b[31m")); err != nil || string(got) != `{"name":"Zo`+"\ufffd"+`\u001b[31m"}` {
		t.Errorf("latin-1 and an escape: %s, %v", got, err)
	}
}

// Malformed MSDP is refused whole, and deep nesting is bounded.
func TestMSDPToJSONMalformed(t *testing.T) {
	for _, in := range []string{
		"L5000",             // a value with no variable
		"Va" + "L{" + "Vb",  // an unclosed table
		"Va" + "L[" + "Lb",  // an unclosed array
		"Va" + "L1" + "}",   // a stray table close
		"Va" + "L[" + "Vb]", // a variable in an array
		"Va" + "L" + strings.Repeat("[L", 17) + strings.Repeat("]", 17),
	} {
		if got, err := MSDPToJSON(msdp(in)); err == nil {
			t.Errorf("MSDPToJSON(%q) = %s, want an error", in, got)
		}
	}
	if _, err := MSDPToJSON(msdp("Va" + "L" + strings.Repeat("[L", 16) + strings.Repeat("]", 16))); err != nil {
		t.Errorf("16 levels of arrays: %v, want them read", err)
	}
}

// A game that offers MSDP is told DO, asked to report the variables the
// web client shows, and its MSDP reaches the sink as MSDP over GMCP;
// malformed MSDP is dropped.
func TestClientMSDP(t *testing.T) {
	report := string(AppendMSDPCommand(nil, "REPORT", MSDPReported...))
	if !strings.HasPrefix(report, iac+sb+opt(OptMSDP)+"\x01REPORT\x02HEALTH\x02HEALTH_MAX\x02") {
		t.Fatalf("REPORT command %q", report)
	}
	runExchanges(t, Config{}, []exchange{
		{in: iac + sb + opt(OptMSDP) + "\x01HEALTH\x0210" + iac + se}, // before agreement: dropped
		{in: iac + will + opt(OptMSDP), sent: iac + do + opt(OptMSDP) + report},
		{in: "hp " + iac + sb + opt(OptMSDP) + "\x01HEALTH\x02100\x01HEALTH_MAX\x02120" + iac + se + "!",
			output: `hp <G:MSDP {"HEALTH":"100","HEALTH_MAX":"120"}>!`},
		{in: iac + sb + opt(OptMSDP) + "\x02stray" + iac + se, output: ""},
	})
}

func FuzzMSDPToJSON(f *testing.F) {
	f.Add(msdp("Vroom" + "L{" + "Vvnum" + "L6008" + "Vexits" + "L{" + "Vn" + "L6011" + "}" + "}"))
	f.Add(msdp("Vreportable" + "L[" + "Lhealth" + "Lmana" + "]"))
	f.Fuzz(func(t *testing.T, in []byte) {
		js, err := MSDPToJSON(in)
		if err != nil {
			return
		}
		if _, ok := GMCPPackage(append([]byte("MSDP "), js...)); !ok {
			t.Fatalf("MSDP %s is not a well-formed GMCP message", js)
		}
	})
}
