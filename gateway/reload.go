package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/drawbridge/drawbridge/gateway/app"
)

// reloadTimeout bounds waiting for the gateway's answer: a reload reads
// files and, on PostgreSQL, nothing more; it takes well under a second.
const reloadTimeout = 30 * time.Second

// reload asks the gateway running on this configuration's state directory
// to read its configuration again, and says what it changed. A reload the
// gateway refused (an invalid configuration) is an error, with the
// gateway's reasons: it runs on with the configuration it had.
func reload(ctx context.Context, args []string, stdout, stderr io.Writer, environ []string) error {
	cfg, _, err := configure("drawbridge reload", args, stderr, environ)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, reloadTimeout)
	defer cancel()
	res, err := app.RequestReload(ctx, cfg.StateDir)
	if err != nil {
		return err
	}
	applied := "nothing changed"
	switch {
	case len(res.Applied) > 0:
		applied = "applied: " + strings.Join(res.Applied, ", ")
	case len(res.Restart) > 0:
		// Something changed, but only what the next line names.
		applied = "nothing to apply live"
	}
	fmt.Fprintln(stdout, "drawbridge: reloaded;", applied)
	if len(res.Restart) > 0 {
		fmt.Fprintln(stdout, "drawbridge: these changed but need a restart (systemctl restart drawbridge):", strings.Join(res.Restart, ", "))
	}
	return nil
}
