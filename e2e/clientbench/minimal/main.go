//go:build js && wasm

// Command minimal is the least an Ebitengine page can be, for make
// bench-client: it draws a static grid of text once and then nothing,
// set up as the Drawbridge client sets Ebitengine up (wasmclient/main.go):
// the screen is not cleared every frame, frames run only when asked
// (FPSModeVsyncOffMinimum and ScheduleFrame, with the same five-second
// heartbeat), the screen is laid out in device pixels, and it runs
// unfocused. The benchmark serves it behind the client's own loader
// (www/loader.js, with its frame gate), measures its first frame and its
// idle CPU, and so shows the floor Ebitengine itself sets under the
// client's figures.
//
// It exposes window.minimal.stats(): frames drawn and the page time
// (performance.now()) of the first.
package main

import (
	"fmt"
	"image/color"
	"math"
	"strings"
	"syscall/js"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/ebitenutil"
)

// The debug font's cell, in screen pixels.
const cellW, cellH = 6, 16

type game struct {
	drawnFor [2]int // the screen size last drawn for
	frames   int
	first    float64
}

func (g *game) Update() error { return nil }

// Draw draws the grid when the screen's size changed, else nothing: the
// screen keeps what it had.
func (g *game) Draw(screen *ebiten.Image) {
	b := screen.Bounds()
	size := [2]int{b.Dx(), b.Dy()}
	if size == g.drawnFor {
		return
	}
	g.drawnFor = size
	screen.Fill(color.Black)
	line := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 1+size[0]/cellW/45)[:max(1, size[0]/cellW)]
	for y := 0; y+cellH <= size[1]; y += cellH {
		ebitenutil.DebugPrintAt(screen, line, 0, y)
	}
	if g.frames++; g.frames == 1 {
		g.first = js.Global().Get("performance").Call("now").Float()
	}
}

// Layout lays the screen out in device pixels, as the client does.
func (g *game) Layout(w, h int) (int, int) {
	fw, fh := g.LayoutF(float64(w), float64(h))
	return int(fw), int(fh)
}

// LayoutF is Layout in fractional CSS pixels, which Ebitengine prefers.
func (g *game) LayoutF(w, h float64) (float64, float64) {
	s := ebiten.Monitor().DeviceScaleFactor()
	return math.Ceil(w * s), math.Ceil(h * s)
}

func main() {
	g := &game{}
	js.Global().Set("minimal", map[string]any{
		"stats": js.FuncOf(func(js.Value, []js.Value) any {
			return map[string]any{"frames": g.frames, "firstFrameMs": g.first}
		}),
	})
	// The loader's frame gate holds frame requests back until something
	// wakes it: wake it for the first frame, as the client does when it
	// has something to draw.
	if gate := js.Global().Get("drawbridgeFrames"); gate.Truthy() {
		gate.Call("wake")
	}
	ebiten.SetScreenClearedEveryFrame(false)
	//lint:ignore SA1019 the client's FPS mode, which is what is measured
	ebiten.SetFPSMode(ebiten.FPSModeVsyncOffMinimum)
	go func() {
		for range time.Tick(5 * time.Second) {
			//lint:ignore SA1019 the client's heartbeat frame
			ebiten.ScheduleFrame()
		}
	}()
	ebiten.SetRunnableOnUnfocused(true)
	if err := ebiten.RunGame(g); err != nil {
		fmt.Println("minimal:", err)
	}
}
