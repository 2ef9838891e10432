package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// healthTimeout bounds one health check: a gateway that takes longer to
// answer its own loopback listener is not healthy. Docker's HEALTHCHECK
// has a timeout of its own (30s by default) above it.
const healthTimeout = 10 * time.Second

// health asks the running gateway's admin listener whether it is ready
// (/readyz), for a container's HEALTHCHECK or a script: it returns nil
// and prints "ready" when it is, and an error with the listener's reason
// when it is not. It reads the same configuration as serve, to find
// admin.addr.
func health(ctx context.Context, args []string, stdout, stderr io.Writer, environ []string) error {
	cfg, _, err := configure("drawbridge health", args, stderr, environ)
	if err != nil {
		return err
	}
	base, err := adminBaseURL(cfg.Admin.Addr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	if err := probeReady(ctx, base); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "ready")
	return nil
}

// adminBaseURL is the URL the admin listener at addr (admin.addr) answers
// on from this machine: a wildcard host is asked on loopback.
func adminBaseURL(addr string) (string, error) {
	if addr == "" || addr == "off" {
		return "", errors.New("admin.addr is off: drawbridge health asks the admin listener's /readyz; set admin.addr (e.g. 127.0.0.1:9100)")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("admin.addr %q: %w", addr, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

// probeReady asks base's /readyz whether the gateway serves players; the
// error says why not, in the listener's words when it answered.
func probeReady(ctx context.Context, base string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
	if err != nil {
		return err
	}
	// No keep-alive: one request, and no idle connection left behind.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("not ready: the admin listener at %s does not answer (is the gateway running?): %w", strings.TrimPrefix(base, "http://"), err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		reason := strings.TrimSpace(string(body))
		if reason == "" {
			reason = resp.Status
		}
		if !strings.HasPrefix(reason, "not ready") {
			reason = "not ready: " + reason
		}
		return fmt.Errorf("%s (%s/readyz answered %s)", reason, strings.TrimPrefix(base, "http://"), resp.Status)
	}
	return nil
}
