package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestTLSScan runs testssl.sh (Debian's testssl.sh package) against the
// running gateway's HTTPS port, serving a certificate from a CA the
// scanner is told to trust, as a public CA would be: no HIGH or CRITICAL
// finding, no TLS 1.0 or 1.1, forward secrecy. The scan takes about a
// minute.
func TestTLSScan(t *testing.T) {
	t.Parallel() // a minute of mostly waiting on the scanner's probes
	bin, err := exec.LookPath("testssl")
	if err != nil {
		if bin, err = exec.LookPath("testssl.sh"); err != nil {
			t.Fatal("testssl not found: install it (Debian: apt-get install testssl.sh)")
		}
	}
	ca := newTestCA(t, "scan CA")
	g, _, _ := startApp(t, filesConfig(t, ca))
	caFile := writeTemp(t, "ca.pem", ca.pem)
	out := filepath.Join(t.TempDir(), "scan.json")

	// About a minute on an idle machine, four on a loaded one (the
	// scanner starts hundreds of openssl processes): a generous bound.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	_, port, _ := strings.Cut(g.HTTPSAddr().String(), ":")
	cmd := exec.CommandContext(ctx, bin, "--quiet", "--color", "0", "--warnings", "off",
		"--add-ca", caFile, "--jsonfile", out, "--ip", "127.0.0.1", "localhost:"+port)
	start := time.Now()
	log, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("testssl did not finish in time:\n%s", log)
	}
	// testssl's exit status counts findings; the JSON is what we judge.
	raw, rerr := os.ReadFile(out)
	if rerr != nil {
		t.Fatalf("testssl wrote no report (%v):\n%s", err, log)
	}
	var findings []struct{ ID, Severity, Finding string }
	if err := json.Unmarshal(raw, &findings); err != nil {
		t.Fatalf("testssl report: %v", err)
	}
	counts := map[string]int{}
	byID := map[string]string{}
	for _, f := range findings {
		counts[f.Severity]++
		byID[f.ID] = f.Finding
		if f.Severity == "HIGH" || f.Severity == "CRITICAL" {
			t.Errorf("%s %s: %s", f.Severity, f.ID, f.Finding)
		}
	}
	// The default TLS profile offers no CBC suite (edge.ProfileModern).
	for _, id := range []string{"SSLv2", "SSLv3", "TLS1", "TLS1_1", "cipherlist_AVERAGE"} {
		if !strings.HasPrefix(byID[id], "not offered") {
			t.Errorf("%s: %q, want not offered", id, byID[id])
		}
	}
	if !strings.HasPrefix(byID["LUCKY13"], "not vulnerable") {
		t.Errorf("LUCKY13: %q, want not vulnerable", byID["LUCKY13"])
	}
	if !strings.HasPrefix(byID["TLS1_3"], "offered") {
		t.Errorf("TLS1_3: %q, want offered", byID["TLS1_3"])
	}
	// testssl 3.0 calls forward secrecy "PFS".
	if fs := byID["PFS"] + byID["FS"]; !strings.HasPrefix(fs, "offered") {
		t.Errorf("forward secrecy: %q, want offered", fs)
	}
	var summary []string
	for sev, n := range counts {
		summary = append(summary, fmt.Sprintf("%s %d", sev, n))
	}
	sort.Strings(summary)
	t.Logf("testssl summary after %v: %s", time.Since(start).Round(time.Second), strings.Join(summary, ", "))
	for _, f := range findings {
		if f.Severity == "LOW" || f.Severity == "MEDIUM" {
			t.Logf("  %s %s: %s", f.Severity, f.ID, f.Finding)
		}
	}
}
