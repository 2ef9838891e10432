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
// Asked to (window.minimal.repaint(ms, cols, rows)), it draws a fresh
// screen of text in a cols x rows grid on every frame for that long, and
// asks for the next frame at once, as the client does in a flood, when
// every frame shows lines not shown before. It does nothing else: no
// parsing, no WebSocket, and the glyph quads are made beforehand, so each
// frame is a clear and one DrawTriangles32. The frames per second it
// reaches are the most an Ebitengine page draws at that viewport and grid
// in this browser, the ceiling over the client's frames during a flood.
//
// It exposes window.minimal.stats(): frames drawn, the page time
// (performance.now()) of the first, and the last repaint's frames, its
// length and its longest wait for a frame, in ms.
package main

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
	"sync"
	"syscall/js"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/ebitenutil"
)

// The debug font's cell, in screen pixels.
const cellW, cellH = 6, 16

type game struct {
	mu         sync.Mutex // between Draw and the page's calls
	drawnFor   [2]int     // the screen size last drawn for
	frames     int
	first      float64
	rep        repaint
	sheet      *ebiten.Image // the debug font's glyphs, for repaints
	screens    []triangles   // the screens of text a repaint draws
	screensFor [4]int        // the screen size and grid they were made for
}

// repaint is a run of full repaints.
type repaint struct {
	cols, rows   int     // the grid
	start, until float64 // page times, ms
	last         float64 // page time of the last frame in the run
	frames       int
	maxGap       float64 // the longest wait for a frame, ms
}

// now is the page time, in ms.
func now() float64 { return js.Global().Get("performance").Call("now").Float() }

// wake asks for another frame through the client's frame gate, as the
// client does when its terminal changed.
func wake() {
	//lint:ignore SA1019 the client's way to ask for a frame
	ebiten.ScheduleFrame()
	if gate := js.Global().Get("drawbridgeFrames"); gate.Truthy() {
		gate.Call("wake")
	}
}

func (g *game) Update() error { return nil }

// Draw draws the grid when the screen's size changed, else nothing: the
// screen keeps what it had. During a repaint it draws every frame.
func (g *game) Draw(screen *ebiten.Image) {
	g.mu.Lock()
	defer g.mu.Unlock()
	b := screen.Bounds()
	size := [2]int{b.Dx(), b.Dy()}
	t := now()
	if t < g.rep.until {
		g.repaint(screen, size, t)
		return
	}
	if size == g.drawnFor {
		return
	}
	g.drawnFor = size
	screen.Fill(color.Black)
	drawGrid(screen, size[0], size[1])
	g.drew(t)
}

// drew counts a frame drawn at page time t.
func (g *game) drew(t float64) {
	if g.frames++; g.frames == 1 {
		g.first = t
	}
}

// drawGrid fills w x h pixels of dst with lines of text.
func drawGrid(dst *ebiten.Image, w, h int) {
	line := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 1+w/cellW/45)[:max(1, w/cellW)]
	for y := 0; y+cellH <= h; y += cellH {
		ebitenutil.DebugPrintAt(dst, line, 0, y)
	}
}

// variants is how many different screens of text a repaint cycles
// through.
const variants = 8

// sample is the text a repaint draws.
const sample = "The quick brown fox jumps over the lazy dog; 0123456789, said the wizard. "

// repaint draws one frame of a repaint: the screen cleared, then a fresh
// screen of text in cols x rows cells (the client's grid), every glyph a
// quad from a sheet of the debug font's glyphs, in one DrawTriangles32
// call whose vertices were made beforehand. That is what a terminal must
// put on the GPU in a flood, when every frame shows lines it has not
// shown before, without any of the work on the page's thread (parsing,
// laying out, making vertices). So the frames per second it reaches bound
// the client's during a flood at that grid, whatever it does on its side.
func (g *game) repaint(screen *ebiten.Image, size [2]int, t float64) {
	if g.sheet == nil {
		// Unmanaged, as the client's glyph atlas (wasmclient/ui/atlas.go).
		g.sheet = ebiten.NewImageWithOptions(image.Rect(0, 0, 95*cellW, cellH), &ebiten.NewImageOptions{Unmanaged: true})
		for c := 32; c < 127; c++ {
			ebitenutil.DebugPrintAt(g.sheet, string(rune(c)), (c-32)*cellW, 0)
		}
	}
	if g.screens == nil || g.screensFor != [4]int{size[0], size[1], g.rep.cols, g.rep.rows} {
		g.screens = makeScreens(size, g.rep.cols, g.rep.rows)
		g.screensFor = [4]int{size[0], size[1], g.rep.cols, g.rep.rows}
	}
	screen.Fill(color.Black)
	v := g.screens[g.rep.frames%variants]
	screen.DrawTriangles32(v.vs, v.is, g.sheet, nil)
	g.drawnFor = size
	g.drew(t)
	if g.rep.frames > 0 {
		g.rep.maxGap = max(g.rep.maxGap, t-g.rep.last)
	}
	g.rep.last = t
	g.rep.frames++
	wake()
}

// triangles is one screen of glyph quads.
type triangles struct {
	vs []ebiten.Vertex
	is []uint32
}

// makeScreens lays out variants screens of text in a cols x rows grid
// filling size, each starting a line further into the text.
func makeScreens(size [2]int, cols, rows int) []triangles {
	cw, ch := float32(size[0]/cols), float32(size[1]/rows)
	out := make([]triangles, variants)
	for k := range out {
		var t triangles
		for y := range rows {
			for x := range cols {
				c := sample[(k*rows+y*7+x)%len(sample)]
				if c == ' ' {
					continue
				}
				sx := float32(int(c)-32) * cellW
				dx, dy := float32(x)*cw, float32(y)*ch
				n := uint32(len(t.vs))
				for _, corner := range [4][2]float32{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
					t.vs = append(t.vs, ebiten.Vertex{
						DstX: dx + corner[0]*cw, DstY: dy + corner[1]*ch,
						SrcX: sx + corner[0]*cellW, SrcY: corner[1] * cellH,
						ColorR: 1, ColorG: 1, ColorB: 1, ColorA: 1,
					})
				}
				t.is = append(t.is, n, n+1, n+2, n+1, n+3, n+2)
			}
		}
		out[k] = t
	}
	return out
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
			g.mu.Lock()
			defer g.mu.Unlock()
			return map[string]any{
				"frames": g.frames, "firstFrameMs": g.first,
				"repaintFrames": g.rep.frames, "repaintMs": g.rep.until - g.rep.start, "repaintMaxGapMs": g.rep.maxGap,
			}
		}),
		"repaint": js.FuncOf(func(_ js.Value, args []js.Value) any {
			g.mu.Lock()
			defer g.mu.Unlock()
			t := now()
			g.rep = repaint{start: t, until: t + args[0].Float(), cols: max(1, args[1].Int()), rows: max(1, args[2].Int())}
			wake()
			return nil
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
