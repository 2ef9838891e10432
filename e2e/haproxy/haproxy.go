// Package haproxy runs Debian's HAProxy (the haproxy package) for tests
// in other packages: the load balancer of deploy/multi-node.md, in front
// of gateways the test started on loopback.
//
// This package is for tests only; it imports package testing.
package haproxy

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
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
	log string // the file its output goes to
}

// Start runs HAProxy in the foreground (-db) with config, a complete
// configuration file's text, until the test ends; if the test failed, its
// output is logged then. It returns once the process started: callers
// wait for the ports they bind to accept.
func Start(t testing.TB, config string) *Proc {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &Proc{log: filepath.Join(dir, "haproxy.log")}
	out, err := os.Create(p.log)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close() // the process has its own copy
	cmd := exec.Command(Path(t), "-db", "-f", path)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // dies with a test process that panics
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
func (p *Proc) Output() string {
	b, _ := os.ReadFile(p.log)
	return string(b)
}
