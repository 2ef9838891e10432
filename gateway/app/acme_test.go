package app

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/e2e/pebble"
)

// acmeTimeout bounds how long a test waits for Pebble.
const acmeTimeout = 60 * time.Second

// freeLoopbackPort returns a free loopback port, for a gateway listener
// Pebble must know before the gateway starts.
func freeLoopbackPort(t *testing.T) int { return freePort(t) }

// acmeGateway starts a gateway in ACME mode for game.test against peb,
// its HTTPS listener on httpsPort, logging into logs.
func acmeGateway(t *testing.T, peb *pebble.Server, httpsPort int, logs *syncBuffer) *Gateway {
	t.Helper()
	cfg := testConfig(t)
	cfg.Web.Domains = []string{"game.test"}
	cfg.Web.HTTPSAddr = "127.0.0.1:" + strconv.Itoa(httpsPort)
	cfg.ACME.DirectoryURL = peb.DirectoryURL()
	cfg.ACMEHTTPClient = peb.HTTPClient()
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("gateway log:\n%s", logs)
		}
	})
	g, _ := start(t, cfg)
	return g
}

// eventuallyApp polls cond until it holds, failing the test after
// acmeTimeout.
func eventuallyApp(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(acmeTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", acmeTimeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestACMEFailureNotReady: when the CA cannot validate (nothing answers
// its challenges), the gateway serves but is not ready: the start-up log
// says it waits for a certificate and never "gateway ready", the CA's
// problem is logged at ERROR, /readyz answers 503 with it, and the
// metrics count the failure by problem type.
func TestACMEFailureNotReady(t *testing.T) {
	peb := pebble.Start(t, pebble.Options{}) // every validation fails
	logs := &syncBuffer{}
	g := acmeGateway(t, peb, freeLoopbackPort(t), logs)
	if !strings.Contains(logs.String(), "gateway serving; waiting for certificates before it is ready") {
		t.Errorf("start-up did not say it waits for certificates")
	}
	eventuallyApp(t, "the first attempt to fail", func() bool { return strings.Contains(logs.String(), "will retry") })
	if strings.Contains(logs.String(), "gateway ready") {
		t.Error(`"gateway ready" logged without a certificate`)
	}
	ok, why := g.Ready()
	if ok || !strings.HasPrefix(why, "certificate for game.test: acme unauthorized: ") {
		t.Errorf("Ready = %v, %q; want not ready with the CA's problem", ok, why)
	}
	code, body := adminGet(t, g, "localhost", "/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "not ready: certificate for game.test: acme unauthorized: ") {
		t.Errorf("/readyz = %d %q, want 503 with the CA's problem", code, body)
	}
	_, metrics := adminGet(t, g, "localhost", "/metrics")
	for _, want := range []string{
		`drawbridge_acme_failures_total{type="unauthorized"} 1`,
		`drawbridge_acme_last_error_info{name="game.test",type="unauthorized"} 1`,
		`drawbridge_certificate_renewal_failing{name="game.test"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if v := peb.Validations(); v != 1 {
		t.Errorf("validations = %d, want 1 in the first attempt", v)
	}
}

// TestACMEReadyAfterCertificate: the gateway logs "gateway ready" and
// /readyz says ready only once the certificate came.
func TestACMEReadyAfterCertificate(t *testing.T) {
	httpsPort := freeLoopbackPort(t)
	peb := pebble.Start(t, pebble.Options{TLSPort: httpsPort})
	logs := &syncBuffer{}
	g := acmeGateway(t, peb, httpsPort, logs)
	ctx, cancel := context.WithTimeout(context.Background(), acmeTimeout)
	defer cancel()
	if err := g.WaitReady(ctx); err != nil {
		t.Fatalf("WaitReady: %v", err)
	}
	eventuallyApp(t, `"gateway ready"`, func() bool { return strings.Contains(logs.String(), `msg="gateway ready"`) })
	out := logs.String()
	if obtained, ready := strings.Index(out, "acme: certificate obtained"), strings.Index(out, `msg="gateway ready"`); obtained < 0 || ready < obtained {
		t.Errorf(`"gateway ready" at %d, certificate obtained at %d: want ready after the certificate`, ready, obtained)
	}
	if ok, why := g.Ready(); !ok {
		t.Errorf("Ready = false, %q", why)
	}
	if code, body := adminGet(t, g, "localhost", "/readyz"); code != http.StatusOK || body != "ready\n" {
		t.Errorf("/readyz = %d %q, want 200 ready", code, body)
	}
}
