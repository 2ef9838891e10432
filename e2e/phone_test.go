package e2e

import (
	"fmt"
	"image"
	"image/color"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// A phone held upright and turned on its side, in CSS pixels at device
// scale 3.
const (
	phoneW, phoneH = 390, 844
	phoneScale     = 3
)

// phoneSay makes a line of 80 columns, longer than a phone's row: the
// demo game wraps room descriptions itself, but not what a player says.
const phoneSay = "The innkeeper has reserved a room for the Phoneplayer from the north."

// TestWordWrapOnPhone plays the demo game on a phone-sized viewport: long
// lines wrap at word boundaries (checked on the text the client shows
// and on the screenshot's pixels), turning the phone on its side rejoins
// them, and turning it back wraps them again, lines coming back from the
// scrollback included.
func TestWordWrapOnPhone(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	b := newBrowser(t, gw, phoneW, phoneH, phoneScale)
	enterGame(t, b, gw, "Phoneplayer")
	welcome := "Welcome to the castle, Phoneplayer. Type help for a list of commands."
	said := `You say, "` + phoneSay + `"`
	b.typeLine(t, "say "+phoneSay)
	b.waitFor(t, "the line said", `drawbridge.screenText().includes("north.\"")`, 10*time.Second)
	if len(said) != 80 {
		t.Fatalf("the line said is %d long, want 80", len(said))
	}
	// And one of 50, to fit the phone on its side.
	short := `You say, "A room is reserved for the Phoneplayer."`
	b.typeLine(t, "say A room is reserved for the Phoneplayer.")
	b.waitFor(t, "the short line said", `drawbridge.screenText().includes("Phoneplayer.\"")`, 10*time.Second)

	upright := b.checkWrapped(t, "phone-wrap-upright.png", welcome, said, short)
	if upright.joined != 0 {
		t.Fatalf("%d columns on a %d px wide phone: want the lines wrapped", upright.cols, phoneW)
	}

	// On its side: the grid is wider (less so than the page: the room
	// panel takes a side), and a line that fits is one row again.
	b.setViewport(t, phoneH, phoneW)
	b.waitFor(t, "the grid refitted wider", fmt.Sprintf(`drawbridge.size().cols > %d`, upright.cols+10), 20*time.Second)
	sideways := b.checkWrapped(t, "phone-wrap-sideways.png", said, short)
	t.Logf("upright %d columns, sideways %d", upright.cols, sideways.cols)
	if sideways.joined != 1 || sideways.cols >= len(said) {
		t.Fatalf("%d lines rejoined at %d columns, want the short one (%d long) and not the %d-long one", sideways.joined, sideways.cols, len(short), len(said))
	}
	// Fill the short screen so that the welcome line goes into the
	// scrollback, and more, with text the game does not wrap.
	for i := range 4 {
		b.typeLine(t, fmt.Sprintf("say filler %d", i))
	}
	b.waitFor(t, "the filler said", `drawbridge.screenText().includes('You say, "filler 3"')`, 10*time.Second)
	if strings.Contains(b.screenText(t), "Welcome to the castle") {
		for i := 4; i < 40 && strings.Contains(b.screenText(t), "Welcome to the castle"); i++ {
			b.typeLine(t, fmt.Sprintf("say filler %d", i))
			b.waitFor(t, "the filler said", fmt.Sprintf(`drawbridge.screenText().includes('You say, "filler %d"')`, i), 10*time.Second)
		}
	}
	if strings.Contains(b.screenText(t), "Welcome to the castle") {
		t.Fatalf("the welcome line is still on the sideways screen:\n%s", b.screenText(t))
	}

	// Upright again: the lines wrap at words again, the welcome line
	// among those that came back from the scrollback to fill the screen.
	b.setViewport(t, phoneW, phoneH)
	b.waitFor(t, "the grid refitted narrower", fmt.Sprintf(`drawbridge.size().cols == %d`, upright.cols), 20*time.Second)
	b.waitFor(t, "the welcome line back from the scrollback", `drawbridge.screenText().includes("Welcome to the castle")`, 20*time.Second)
	if again := b.checkWrapped(t, "phone-wrap-upright-again.png", welcome, said, short); again.joined != 0 {
		t.Fatalf("a line did not wrap again at %d columns", again.cols)
	}
}

// setViewport changes the page's viewport, as turning a phone does.
func (b *browser) setViewport(t *testing.T, w, h int64) {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(w, h, chromedp.EmulateScale(phoneScale))); err != nil {
		t.Fatalf("set the viewport to %dx%d: %v", w, h, err)
	}
}

// wrapCheck is what checkWrapped found: the grid's width and how many
// of the lines were on one row.
type wrapCheck struct {
	cols, joined int
}

// checkWrapped waits for the screen to hold still, then checks that each
// of lines is on screen, on one row if it fits, else broken over rows
// only between words, and that
// in the screenshot (saved as name) the first row of each broken line
// ends with its last word: glyphs up to it, nothing but background after
// it to the grid's edge.
func (b *browser) checkWrapped(t *testing.T, name string, lines ...string) wrapCheck {
	t.Helper()
	screen := b.stillScreen(t)
	size := eval[map[string]int](t, b, `drawbridge.size()`)
	cols := size["cols"]
	rows := strings.Split(screen, "\n")
	type firstRow struct{ row, len int }
	var firsts []firstRow
	joined := 0
	for _, line := range lines {
		if len(line) <= cols {
			if !slices.Contains(rows, line) {
				t.Fatalf("%q is not on one row of the %d-column grid:\n%s", line, cols, screen)
			}
			joined++
			continue
		}
		words := strings.Fields(line)
		found := false
		for r := range rows {
			if !strings.HasPrefix(strings.TrimLeft(rows[r], " "), words[0]) {
				continue
			}
			// The rows from r on that hold line's words, each whole.
			var got []string
			n := r
			for ; n < len(rows) && len(got) < len(words); n++ {
				got = append(got, strings.Fields(rows[n])...)
			}
			if len(got) < len(words) || strings.Join(got[:len(words)], " ") != strings.Join(words, " ") {
				continue
			}
			if n-r < 2 {
				t.Fatalf("%q is on one row at %d columns: the test needs it wrapped", line, cols)
			}
			for i := r; i < n; i++ {
				if len([]rune(rows[i])) > cols {
					t.Fatalf("row %d is %d long on a %d-column grid", i, len(rows[i]), cols)
				}
			}
			firsts = append(firsts, firstRow{r, len(strings.TrimRight(rows[r], " "))})
			found = true
			break
		}
		if !found {
			t.Fatalf("%q is not on screen with its words whole (%d columns):\n%s", line, cols, screen)
		}
	}

	img := b.screenshot(t, name)
	box := eval[map[string]float64](t, b, `(() => {
		const r = document.querySelector("#screen canvas").getBoundingClientRect();
		const c = drawbridge.cellBox();
		return {left: r.left + c.x, top: r.top + c.y, w: c.w, h: c.h, width: innerWidth};
	})()`)
	s := float64(img.Bounds().Dx()) / box["width"] // device pixels per CSS pixel
	cell := func(col, row int) image.Rectangle {
		x0, y0 := (box["left"]+float64(col)*box["w"])*s, (box["top"]+float64(row)*box["h"])*s
		return image.Rect(int(x0+0.5), int(y0+0.5), int(x0+box["w"]*s+0.5), int(y0+box["h"]*s+0.5))
	}
	grid := cell(0, 0).Union(cell(cols-1, size["rows"]-1))
	bg := commonColour(img, grid)
	for _, f := range firsts {
		// The row's last letter has ink; the cells after it have none.
		if n := inkPixels(img, cell(f.len-1, f.row), bg); n == 0 {
			t.Fatalf("row %d: no glyph drawn in column %d, its last letter (%s)", f.row, f.len-1, name)
		}
		// A letter's antialiased edge may touch the next cell: start a
		// little in.
		rest := cell(f.len, f.row).Union(cell(cols-1, f.row))
		rest.Min.X += 2 * phoneScale
		if n := inkPixels(img, rest, bg); n != 0 {
			t.Fatalf("row %d: %d pixels not the background %v after its last word, columns %d-%d (%s)", f.row, n, bg, f.len, cols-1, name)
		}
	}
	return wrapCheck{cols: cols, joined: joined}
}

// stillScreen returns the screen's text once it has not changed for a
// moment: the text mirror follows the screen a little behind.
func (b *browser) stillScreen(t *testing.T) string {
	t.Helper()
	screen := b.screenText(t)
	for range 50 {
		time.Sleep(300 * time.Millisecond)
		now := b.screenText(t)
		if now == screen {
			break
		}
		screen = now
	}
	return screen
}

// commonColour returns the colour most pixels in r have.
func commonColour(img image.Image, r image.Rectangle) color.RGBA {
	counts := map[color.RGBA]int{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			counts[rgba(img, x, y)]++
		}
	}
	var best color.RGBA
	for c, n := range counts {
		if n > counts[best] {
			best = c
		}
	}
	return best
}

func rgba(img image.Image, x, y int) color.RGBA {
	r, g, b, _ := img.At(x, y).RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 0xff}
}

// inkPixels counts the pixels in r that differ from bg by more than a
// little in any channel.
func inkPixels(img image.Image, r image.Rectangle, bg color.RGBA) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := rgba(img, x, y)
			if diff(c.R, bg.R) > 24 || diff(c.G, bg.G) > 24 || diff(c.B, bg.B) > 24 {
				n++
			}
		}
	}
	return n
}

func diff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// TestSelectionDragPastEdgeInBrowser drags a selection with the mouse
// from the bottom of the screen to above the terminal and holds it
// there: the view scrolls into the scrollback and the copied selection
// reaches lines that had scrolled off the screen.
func TestSelectionDragPastEdgeInBrowser(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	b := newBrowser(t, gw, 1000, 700, 1)
	b.grantClipboard(t, gw)
	enterGame(t, b, gw, "Dragger")
	const welcome = "Welcome to the castle, Dragger"
	for i := 0; i < 20 && strings.Contains(b.screenText(t), welcome); i++ {
		b.typeLine(t, fmt.Sprintf("say scrolling %d", i))
		b.waitScreen(t, fmt.Sprintf(`You say, "scrolling %d"`, i), 10*time.Second)
		b.stillScreen(t)
	}
	screen := b.stillScreen(t)
	if strings.Contains(screen, welcome) {
		t.Fatalf("the welcome line is still on screen:\n%s", screen)
	}
	rows := strings.Split(screen, "\n")
	last := -1
	for i, r := range rows {
		if strings.HasPrefix(r, `You say, "scrolling`) {
			last = i
		}
	}
	x0, y0 := b.cellCentre(t, 0, last)
	_, top := b.cellCentre(t, 0, 0)
	// Halfway up what is above the terminal (the status line).
	above := eval[float64](t, b, `document.querySelector("#screen canvas").getBoundingClientRect().top`) / 2
	if above < 5 {
		t.Fatalf("no room above the terminal to drag to (canvas top %v)", 2*above)
	}
	mouse := func(typ input.DispatchMouseEventType, x, y float64, buttons int64) {
		t.Helper()
		err := chromedp.Do(b.ctx, mouseEvent(input.DispatchMouseEventParams{
			Type: typ, X: x, Y: y, Button: input.MouseButtonLeft, Buttons: buttons, ClickCount: 1,
		}))
		if err != nil {
			t.Fatalf("mouse: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	mouse(input.DispatchMouseEventTypeMouseMoved, x0, y0, 0)
	mouse(input.DispatchMouseEventTypeMousePressed, x0, y0, 1)
	for i := 1; i <= 5; i++ {
		mouse(input.DispatchMouseEventTypeMouseMoved, x0+20, y0+(top-y0)*float64(i)/5, 1)
	}
	// Past the top edge, held there (moving a little, as a hand does).
	for i := range 60 {
		mouse(input.DispatchMouseEventTypeMouseMoved, x0+20+float64(i%2), above, 1)
	}
	mouse(input.DispatchMouseEventTypeMouseReleased, x0+20, above, 0)
	b.waitFor(t, "the copy confirmed", `document.getElementById("toast").textContent.startsWith("Copied")`, 10*time.Second)
	clip, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("read the clipboard: %v", err)
	}
	if !strings.Contains(clip, welcome) {
		t.Fatalf("the selection does not reach the welcome line, which had scrolled off; copied:\n%s", clip)
	}
	b.screenshot(t, "selection-drag-past-edge.png")
}
