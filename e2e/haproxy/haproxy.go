// Package haproxy runs Debian's HAProxy (the haproxy package) for tests
// in other packages: the load balancer of deploy/multi-node.md, in front
// of gateways the test started on loopback.
//
// This package is for tests only; it imports package testing.
package haproxy

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Path returns HAProxy's binary, failing t when it is not installed.
// Debian installs it in /usr/sbin, which a PATH outside root's may lack.
func Path(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat("/usr/sbin/haproxy"); err == nil {
		return "/usr/sbin/haproxy"
	}
	p, err := exec.LookPath("haproxy")
	if err != nil {
		t.Fatalf("HAProxy is not installed: run `apt-get install haproxy`: %v", err)
	}
	return p
}

// Proc is a running HAProxy.
type Proc struct {
	out *buffer
}

// Start runs HAProxy in the foreground (-db) with config, a complete
// configuration file's text, until the test ends; if the test failed, its
// output is logged then. It returns once the process started: callers
// wait for the ports they bind to accept.
func Start(t testing.TB, config string) *Proc {
	t.Helper()
	path := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &Proc{out: &buffer{}}
	cmd := exec.Command(Path(t), "-db", "-f", path)
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start haproxy: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("haproxy output:\n%s", p.Output())
		}
	})
	return p
}

// Output is what HAProxy has printed so far: its log, with a `log stderr`
// line in the configuration's global section.
func (p *Proc) Output() string { return p.out.String() }

// buffer is a bytes.Buffer the process's output goroutines and the test
// can share.
type buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
