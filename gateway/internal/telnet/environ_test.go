package telnet

import (
	"bytes"
	"strings"
	"testing"
)

// A game asking for a great many variables gets an answer of bounded size.
func TestEnvSendBounded(t *testing.T) {
	req := bytes.Repeat([]byte("\x00IPADDRESS"), 1000)
	reqs := parseEnvSend(req)
	if len(reqs) != maxEnvRequested {
		t.Fatalf("%d requests kept, want %d", len(reqs), maxEnvRequested)
	}
	e := newEnviron("UTF-8", []byte("N"), []byte("1"), []byte("T"), "192.0.2.1", 1)
	out := e.appendEnvIS(nil, reqs)
	if n := strings.Count(string(out), "IPADDRESS"); n != maxEnvRequested {
		t.Fatalf("answer names IPADDRESS %d times, want %d", n, maxEnvRequested)
	}
}

// Values with NEW-ENVIRON codes or IAC in them go out escaped.
func TestEnvValueEscaped(t *testing.T) {
	got := appendEnvVar(nil, EnvVAR, "A\x01", "b\x00\xff", true)
	want := []byte{EnvVAR, 'A', EnvESC, 0x01, EnvVALUE, 'b', EnvESC, 0x00, IAC, IAC}
	if !bytes.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}
