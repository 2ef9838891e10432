package main

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// TestHeartbeat checks the heartbeat asks for a frame only while
// something waits to be drawn: an idle page gets none.
func TestHeartbeat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var stale atomic.Bool
		var wakes atomic.Int32
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			heartbeat(ctx, heartbeatInterval, stale.Load, func() { wakes.Add(1) })
			close(done)
		}()

		time.Sleep(3*heartbeatInterval + time.Second)
		synctest.Wait()
		if n := wakes.Load(); n != 0 {
			t.Fatalf("%d frames asked for while nothing waited to be drawn, want 0", n)
		}

		stale.Store(true) // a change whose request was missed
		time.Sleep(heartbeatInterval)
		synctest.Wait()
		if n := wakes.Load(); n != 1 {
			t.Fatalf("%d frames asked for one interval after a missed change, want 1", n)
		}

		cancel()
		<-done
	})
}
