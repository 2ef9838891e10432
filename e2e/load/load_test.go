package main

import (
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEchoGame: data comes back, IAC IAC stays escaped, option requests
// are refused, and subnegotiations are dropped.
func TestEchoGame(t *testing.T) {
	g, err := startEchoGame()
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	c, err := net.Dial("tcp", g.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	in := []byte{iac, do, 24, 'h', 'i', iac, iac, iac, sb, 31, 0, 80, 0, 24, iac, se, iac, will, 31, '\r', '\n'}
	want := []byte{iac, wont, 24, 'h', 'i', iac, iac, iac, dont, 31, '\r', '\n'}
	// Byte by byte, so every state carries over between reads.
	for _, b := range in {
		if _, err := c.Write([]byte{b}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("read %q: %v", got, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("echo %v, want %v", got, want)
	}
}

// TestScenariosAgainstTheGateway runs small versions of the scenarios
// through the real gateway binary and checks every round trip came back.
func TestScenariosAgainstTheGateway(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the gateway")
	}
	bin := filepath.Join(t.TempDir(), "drawbridge")
	cmd := exec.Command("go", "build", "-o", bin, "../../gateway")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the gateway: %v\n%s", err, out)
	}
	game, err := startEchoGame()
	if err != nil {
		t.Fatal(err)
	}
	defer game.Close()

	var res []result
	for _, sys := range []string{"drawbridge", "websockify", "socat"} {
		r, err := echoScenario(starter(sys, bin, game), "echo", 3, 20, 512)
		if err != nil {
			t.Fatalf("%s: %v", sys, err)
		}
		if len(r.lat) != 60 || r.errs != 0 {
			t.Fatalf("echo through %s: %d round trips, %d errors; want 60 and none", sys, len(r.lat), r.errs)
		}
		if !strings.HasPrefix(r.row(), "| echo "+sys+" | 3 | 60 |") {
			t.Fatalf("row %q", r.row())
		}
		res = append(res, r)
	}
	if l := ratios(res); !strings.Contains(l, "vs echo websockify") || !strings.Contains(l, "vs echo socat") {
		t.Fatalf("ratios: %q", l)
	}

	line, err := idleScenario(bin, game, 20, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(line, "0 of them failed") {
		t.Fatalf("idle: %s", line)
	}

	old := floodPlayers
	floodPlayers = 5
	defer func() { floodPlayers = old }()
	res, line, err = floodScenario(bin, game, 2, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].errs+res[1].errs != 0 || len(res[0].lat) == 0 || len(res[1].lat) == 0 {
		t.Fatalf("flood: %+v", res)
	}
	if !strings.Contains(line, "401: ") {
		t.Fatalf("flood: no login was refused as wrong: %s", line)
	}
	t.Log(line)
}
