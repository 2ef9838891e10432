//go:build js && wasm

package main

import (
	"context"
	"fmt"
	"image/color"
	"runtime"
	"sync"
	"time"

	"github.com/drawbridge/drawbridge/shared/wire"
	"github.com/drawbridge/drawbridge/wasmclient/automation"
	"github.com/drawbridge/drawbridge/wasmclient/dom"
	"github.com/drawbridge/drawbridge/wasmclient/gmcp"
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
	started := dom.Now() // the Go program's start, for the first frame's budget
	page, err := dom.Find()
	if err != nil {
		return err
	}
	page.SetStatus("loading", page.Messages().T("client.status.starting"))
	var termMu sync.Mutex
	t := term.New(80, 24, scrollback)
	t.SetWordWrap(true) // line mode: words stay whole, and a resize reflows

	caps := wire.CapUTF8 | wire.CapTruecolor | wire.CapCharMode
	if page.Settings().Announce {
		caps |= wire.CapScreenReader // the game may adapt its output (MTTS)
	}
	var c *client
	l := link.New(link.Config{
		URL:       dom.WebSocketURL(),
		Hello:     &wire.Frame{Type: wire.TypeHello, Caps: caps, Data: []byte(clientName)},
		OnConnect: func() []wire.Frame { return c.OnConnect() },
		// A reload or a restored tab resumes the game (dom/resume.go).
		Keep: dom.NewResumeKeeper(dom.TabStorage()),
	})
	c = newClient(&termMu, t, page, l, l.Events(), page.Lines())
	c.msg = page.Messages()
	c.keys = page.KeyEvents()
	// A phone back from the background, or a network that came back:
	// check the socket really reaches the gateway before trusting it.
	page.OnWake(l.Probe)
	// Ebitengine runs a frame only when asked (see the FPS mode below):
	// the client asks when the terminal changed, the page when it hands
	// over a key or a setting; mouse, touch and resizes ask by themselves.
	wake := func() {
		//lint:ignore SA1019 frames on request only: see SetFPSMode below
		ebiten.ScheduleFrame()
		dom.WakeFrames()
	}
	c.wake = wake
	page.OnChange(wake)
	// Between slices of a flood the client gives the page's one thread
	// back to the browser for a moment, so it can draw when a frame is
	// due and deliver input: Go in the browser keeps the thread until
	// every goroutine waits, so a flood would otherwise be parsed to its
	// end first. The client does not wait for a frame: frames come as
	// fast as the GPU (or SwiftShader) draws them, and parsing goes on
	// in between. A hidden page draws no frames; it only lets the link
	// goroutine run.
	var yields, updates int
	c.yield = func() {
		yields++
		if !dom.Visible() {
			runtime.Gosched()
			return
		}
		dom.Yield()
	}

	// Time spent in Draw, for benchmarks.
	var drawTime time.Duration
	// Frames drawn and when the first one was, for benchmarks
	// (window.drawbridge.stats); touched only on the game loop.
	var frames int
	var firstFrame float64
	// The last frame drawn: when, and the output applied by then (a
	// frame shows what was applied before it), for make bench-client's
	// flood and keystroke timing (window.drawbridge.drawn).
	var drawnAt float64
	var drawnBytes uint64
	var g *ui.Game
	g = ui.New(ui.Config{
		Messages: page.Messages(),
		Term:     t,
		Lock:     &termMu,
		Tick: func() {
			updates++
			if g.Busy() {
				wake() // a press in progress: its timing needs frames
			}
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
		// Selecting copies, as in terminals; links open only on a click
		// that follows a visible target.
		Origin:     page.CanvasOrigin,
		OnSelect:   page.Copy,
		OnOpenLink: page.OpenLink,
		OnLinkMenu: page.LinkMenu,
		OnDraw: func() {
			if frames++; frames == 1 {
				firstFrame = dom.Now()
			}
			drawnAt, drawnBytes = dom.Now(), c.Applied() // for drawbridge.drawn
		},
	})

	// The player's look: applied now and whenever a setting changes.
	applyLook := func() {
		set := page.Settings()
		if err := g.SetTheme(set.Theme); err != nil {
			g.SetTheme(ui.ThemeDefault) // a theme from a newer client, say
		}
		if err := g.SetFontSize(set.FontSize); err != nil {
			fmt.Println("drawbridge client:", err) // Normalize keeps it in range: a defect
		}
	}
	applyLook()
	// The player's aliases, triggers and keys, and the session's log.
	autos := newAutomations(page, dom.LocalStorage())
	sessLog := newSessionLog()
	c.auto, c.log = autos.Engine, sessLog
	c.played, c.notified = dom.PlaySound, dom.Notify
	macros := make(chan string, 16)
	c.macros, c.commands = macros, page.Commands()
	page.OnMacroKey(func(code string, ctrl, alt, shift, meta bool) bool {
		combo := automation.Combo(code, ctrl, alt, shift, meta)
		if !autos.takesKey(combo) {
			return false
		}
		select {
		case macros <- combo:
		default: // the client is far behind: a key is dropped, not queued forever
		}
		return true
	})
	// Settings, automation and history that follow the player's account.
	prof := newProfileSync(page, dom.LocalStorage(), autos.current())
	prof.applyAutomation = autos.fromAccount
	autos.prof = prof
	page.OnHistory(prof.historyAdded)
	page.OnHide(prof.hurryUp)
	go func() {
		for range page.SettingsChanged() {
			applyLook()
			autos.separatorChanged(page.Settings().Separator)
			prof.displayChanged()
			wake() // the page woke the frames before the look was set
		}
	}()
	// GMCP vitals become bars on the canvas.
	var shownVitals []gmcp.Vital // for window.drawbridge.vitals
	c.vitals = func(v []gmcp.Vital) {
		shownVitals = v
		bars := make([]ui.Vital, len(v)) // none: the strip goes
		for i, x := range v {
			bars[i] = ui.Vital{Label: x.Name, Value: x.Value, Max: x.Max, Color: vitalColors[gmcp.KindOf(x.Name)]}
		}
		g.SetVitals(bars)
		wake()
	}

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
		// counted), the page time of the first and of the Go program's
		// start, and the bytes of game output applied; read by make
		// bench-client.
		"stats": func() any {
			return map[string]any{"frames": frames, "firstFrameMs": firstFrame, "bytes": float64(c.Applied()),
				"parseMs": c.ParseTime().Seconds() * 1000, "drawMs": drawTime.Seconds() * 1000,
				"updates": updates, "yields": yields, "startMs": started}
		},
		// cellBox: where the grid starts on the canvas and a cell's
		// size, in CSS pixels, so tests can point at text.
		"cellBox": func() any {
			x, y, w, h := g.CellBox()
			return map[string]any{"x": x, "y": y, "w": w, "h": h}
		},
		// vitals: the gauges the bars show (GMCP), as [name, value, max].
		"vitals": func() any {
			out := make([]any, len(shownVitals))
			for i, v := range shownVitals {
				out[i] = []any{v.Name, v.Value, v.Max}
			}
			return out
		},
		// drawn: the last frame drawn, its page time and the bytes of
		// output applied when it was drawn; read by make bench-client.
		"drawn": func() any {
			return map[string]any{"frames": frames, "ms": drawnAt, "bytes": float64(drawnBytes)}
		},
		// profile: whether the gateway keeps the settings, its version.
		"profile": func() any { return prof.state() },
		"size": func() any {
			cols, rows := c.Size()
			return map[string]any{"cols": cols, "rows": rows}
		},
	})

	autos.expose(sessLog)
	go l.Run(context.Background())
	go c.Run(context.Background())
	go prof.run(context.Background())
	keepLog(page, sessLog)

	ebiten.SetScreenClearedEveryFrame(false) // Draw skips unchanged frames
	// Run Update and Draw only when something asks for a frame (input
	// events, a resize, ScheduleFrame), not on every animation frame:
	// an idle terminal then costs the browser almost nothing. The mode
	// is deprecated in favour of skipping in Draw, which the game also
	// does, but that still runs the Go frame 60 times a second: several
	// times xterm.js's idle CPU (make bench-client).
	//lint:ignore SA1019 deprecated, but the only way to idle at xterm.js's cost (see above)
	ebiten.SetFPSMode(ebiten.FPSModeVsyncOffMinimum)
	// A frame when a change is waiting that no request announced, so a
	// missed request cannot leave the screen stale for long; an idle
	// page gets none (see heartbeat).
	go heartbeat(context.Background(), heartbeatInterval, g.Stale, wake)
	ebiten.SetRunnableOnUnfocused(true) // the command line, not the canvas, has the focus
	ebiten.SetWindowTitle("Drawbridge")
	return ebiten.RunGameWithOptions(timedGame{g, &drawTime}, nil)
}

// vitalColors are the usual colours of the gauges by kind: health red,
// mana blue, movement green, willpower yellow. Other kinds get the zero
// colour, which is the renderer's choice by position.
var vitalColors = map[gmcp.Kind]color.RGBA{
	gmcp.Health:    {0xc0, 0x30, 0x30, 0xff},
	gmcp.Mana:      {0x30, 0x60, 0xd0, 0xff},
	gmcp.Moves:     {0x30, 0xa0, 0x40, 0xff},
	gmcp.Willpower: {0xc0, 0xa0, 0x20, 0xff},
}

// timedGame is the game with the time spent in its Draw added up.
type timedGame struct {
	*ui.Game
	spent *time.Duration
}

func (t timedGame) Draw(screen *ebiten.Image) {
	t0 := time.Now()
	t.Game.Draw(screen)
	*t.spent += time.Since(t0)
}
