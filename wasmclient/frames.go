package main

import (
	"context"
	"time"
)

// heartbeatInterval is how often the client checks for a change that no
// frame request announced.
const heartbeatInterval = 5 * time.Second

// heartbeat is a safety net for frames on request: every interval it asks
// for a frame (wake) if stale reports something waiting to be drawn, as a
// missed request would leave it. An idle page, with nothing waiting, gets
// no frame from it: each frame, even one that draws nothing new, makes
// the browser composite the whole canvas again, which on a machine
// without a GPU costs tens of milliseconds of CPU (make bench-client). It
// returns when ctx ends.
func heartbeat(ctx context.Context, interval time.Duration, stale func() bool, wake func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if stale() {
				wake()
			}
		}
	}
}
