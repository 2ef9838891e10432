package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/drawbridge/drawbridge/gateway/app"
	"github.com/drawbridge/drawbridge/gateway/internal/sdnotify"
)

// gatewayReady says whether g serves players, and if not why: the one
// place the systemd notification asks. It is what the admin listener's
// /readyz answers (app.Gateway.Ready): listeners up and, in ACME mode, a
// valid certificate for every name, or the CA's reason why not.
func gatewayReady(g *app.Gateway) error {
	if ok, why := g.Ready(); !ok {
		return errors.New("not ready: " + why) // as /readyz says it
	}
	return nil
}

// readyPoll bounds the wait between two readiness checks before READY=1.
const readyPoll = 5 * time.Second

// notifySystemd speaks to systemd when it started the gateway as a
// Type=notify service ($NOTIFY_SOCKET): STATUS= lines while the gateway
// is not yet ready (why not), READY=1 once it is, STOPPING=1 when ctx
// ends (shutdown begins), and WATCHDOG=1 at half of $WATCHDOG_USEC until
// the returned function is called, after the gateway stopped. Without
// $NOTIFY_SOCKET it does nothing.
func notifySystemd(ctx context.Context, g *app.Gateway, log *slog.Logger, environ []string) (stop func()) {
	getenv := app.Getenv(environ)
	n, err := sdnotify.New(getenv)
	if err == nil && n == nil {
		return func() {}
	}
	if err != nil {
		log.Warn("systemd notification off", "err", err)
		return func() {}
	}
	watchdog, err := sdnotify.WatchdogInterval(getenv)
	if err != nil {
		log.Warn("systemd watchdog off", "err", err)
	}
	send := func(msgs ...string) {
		if err := n.Send(msgs...); err != nil {
			log.Warn("systemd notification failed", "err", err)
		}
	}
	wdCtx, stopWatchdog := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() {
		n.Watchdog(wdCtx, watchdog, nil, func(err error) { log.Warn("systemd watchdog ping failed; trying again at the next", "err", err) })
	})
	wg.Go(func() {
		wait, last := 50*time.Millisecond, ""
	poll:
		for {
			err := gatewayReady(g)
			if err == nil {
				send(sdnotify.Status("serving players"), sdnotify.Ready)
				break
			}
			if msg := err.Error(); msg != last {
				send(sdnotify.Status(msg))
				last = msg
			}
			select {
			case <-ctx.Done():
				break poll
			case <-time.After(wait):
				wait = min(2*wait, readyPoll)
			}
		}
		<-ctx.Done()
		send(sdnotify.Stopping, sdnotify.Status("shutting down: telling players, waiting for sessions to end"))
	})
	return func() {
		stopWatchdog()
		wg.Wait()
		n.Close()
	}
}
