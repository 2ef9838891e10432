//go:build js && wasm

package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/drawbridge/drawbridge/shared/wire"
	"github.com/drawbridge/drawbridge/wasmclient/dom"
	"github.com/drawbridge/drawbridge/wasmclient/link"
	"github.com/drawbridge/drawbridge/wasmclient/term"
	"github.com/drawbridge/drawbridge/wasmclient/ui"
	"github.com/hajimehoshi/ebiten/v2"
)

// clientName goes to the gateway in the Hello frame, for its logs.
const clientName = "drawbridge-wasm/1"

// scrollback is how many lines the terminal keeps above the screen.
const scrollback = 10000

func main() {
	if err := run(); err != nil {
		fmt.Println("drawbridge client:", err)
		panic(err)
	}
}

func run() error {
	page, err := dom.Find()
	if err != nil {
		return err
	}
	page.SetStatus("loading", "Starting…")
	var termMu sync.Mutex
	t := term.New(80, 24, scrollback)

	caps := wire.CapUTF8 | wire.CapTruecolor | wire.CapCharMode
	if page.Settings().Announce {
		caps |= wire.CapScreenReader // the game may adapt its output (MTTS)
	}
	var c *client
	l := link.New(link.Config{
		URL:       dom.WebSocketURL(),
		Hello:     &wire.Frame{Type: wire.TypeHello, Caps: caps, Data: []byte(clientName)},
		OnConnect: func() []wire.Frame { return c.OnConnect() },
	})
	c = newClient(&termMu, t, page, l, l.Events(), page.Lines())
	c.keys = page.KeyEvents()
	// A phone back from the background, or a network that came back:
	// check the socket really reaches the gateway before trusting it.
	page.OnWake(l.Probe)
	// Between slices of a flood, give the browser a turn to draw, unless
	// the page is hidden and nothing is drawn anyway.
	c.yield = func() {
		if dom.Visible() {
			time.Sleep(time.Millisecond)
		}
	}

	// Frames drawn and when the first one was, for benchmarks
	// (window.drawbridge.stats); touched only on the game loop.
	var frames int
	var firstFrame float64
	var g *ui.Game
	g = ui.New(ui.Config{
		Term: t,
		Lock: &termMu,
		Tick: func() {
			for {
				select {
				case k := <-page.Keys():
					switch k {
					case dom.KeyPageUp:
						g.ScrollPage(1)
					case dom.KeyPageDown:
						g.ScrollPage(-1)
					case dom.KeyEnd:
						g.ScrollToBottom()
					}
					continue
				default:
				}
				break
			}
		},
		OnResize: c.Resized,
		OnDraw: func() {
			if frames++; frames == 1 {
				firstFrame = dom.Now()
			}
		},
	})

	if err := page.MountCanvas(); err != nil {
		return err
	}
	page.Expose(map[string]func() any{
		"screenText": func() any { return c.ScreenText() },
		"status": func() any {
			state, text := c.Status()
			return map[string]any{"state": state, "text": text}
		},
		// stats: frames drawn (unchanged frames are skipped and not
		// counted), the page time of the first, and the bytes of game
		// output applied; read by make bench-client.
		"stats": func() any {
			return map[string]any{"frames": frames, "firstFrameMs": firstFrame, "bytes": float64(c.Applied())}
		},
		"size": func() any {
			cols, rows := c.Size()
			return map[string]any{"cols": cols, "rows": rows}
		},
	})

	go l.Run(context.Background())
	go c.Run(context.Background())

	ebiten.SetScreenClearedEveryFrame(false) // Draw skips unchanged frames
	ebiten.SetRunnableOnUnfocused(true)      // the command line, not the canvas, has the focus
	ebiten.SetWindowTitle("Drawbridge")
	return ebiten.RunGameWithOptions(g, nil)
}
