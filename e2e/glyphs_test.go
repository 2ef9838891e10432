package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// glyphLine is what the player says in TestSystemGlyphs: Japanese (wide,
// two cells a character), an emoji (wide, in colour), and two runes no
// font has, one narrow (U+10FFFD, private use) and one wide (U+2FFFD,
// unassigned in CJK extension plane 2), which show the client's own
// missing-glyph box: the reference the other cells must not look like.
const glyphLine = "日本語のテキスト 🐉 \U0010FFFD \U0002FFFD"

// TestSystemGlyphs checks that the glyphs the client's own font lacks are
// drawn from the system's fonts (CI installs Noto CJK and Noto Color
// Emoji): a line of Japanese and an emoji said in the demo game are drawn
// as text, not as the missing-glyph box; the CJK over two cells each and
// the emoji in its own colours, not tinted in the text's; on a plain
// screen and on a 2x one, where glyphs are drawn at device size.
func TestSystemGlyphs(t *testing.T) {
	t.Parallel()
	for _, scale := range []float64{1, 2} {
		t.Run(fmt.Sprintf("%gx", scale), func(t *testing.T) { checkSystemGlyphs(t, scale) })
	}
}

func checkSystemGlyphs(t *testing.T, scale float64) {
	gw := startGateway(t, true)
	b := newBrowser(t, gw, 1000, 700, scale)
	enterGame(t, b, gw, "Scribe")

	// The command line is a DOM input: text arrives in it as an IME or
	// a paste would put it there.
	if err := chromedp.Do(b.ctx, chromedp.Focus(chromedp.ID("cmdline"))); err != nil {
		t.Fatalf("focus the command line: %v", err)
	}
	insert := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: "say " + glyphLine})
		return err
	})
	if err := chromedp.Do(b.ctx, insert); err != nil {
		t.Fatalf("insert text: %v", err)
	}
	b.typeLine(t, "")
	said := `You say, "` + glyphLine + `"`
	// And the game's prompt after it: the prompt scrolls the screen, so
	// the row found below must be read once it has come.
	js, _ := json.Marshal(said + "\n>") // %q would write \U0010fffd, which JavaScript does not read
	b.waitFor(t, "the line on screen, and the prompt after it", `window.drawbridge && drawbridge.screenText().includes(`+string(js)+`)`, 10*time.Second)

	// Where each character of the line is: the row, and the columns
	// counted in cells (the CJK and the emoji take two). Found afresh
	// before each screenshot: the screen may still move (the vitals
	// strip, a resize the game hears late and the client reflows), and
	// the text the page reports follows the screen within a quarter of a
	// second.
	type glyph struct {
		r    rune
		cell image.Rectangle // in screenshot pixels
	}
	var glyphs []glyph
	locate := func() {
		lines := strings.Split(b.screenText(t), "\n")
		row := -1
		for i, l := range lines {
			if strings.Contains(l, said) {
				row = i
			}
		}
		if row < 0 {
			t.Fatalf("no row shows %q:\n%s", said, b.screenText(t))
		}
		col := 0
		for _, r := range lines[row][:strings.Index(lines[row], said)] {
			col += cellWidth(r)
		}
		glyphs = glyphs[:0]
		col += len(`You say, "`)
		for _, r := range glyphLine {
			if r != ' ' {
				glyphs = append(glyphs, glyph{r: r, cell: b.cellRect(t, col, row, cellWidth(r), scale)})
			}
			col += cellWidth(r)
		}
	}
	find := func(r rune) image.Rectangle {
		for _, g := range glyphs {
			if g.r == r {
				return g.cell
			}
		}
		t.Fatalf("%q not in the line", r)
		return image.Rectangle{}
	}

	// The frame after the text reached the terminal draws it: poll the
	// screenshots until the emoji's cells have ink.
	var img image.Image
	bg := color.RGBA{}
	deadline := time.Now().Add(20 * time.Second)
	for {
		locate()
		img = b.screenshot(t, fmt.Sprintf("system-glyphs-%gx.png", scale))
		if want := int(1000 * scale); img.Bounds().Dx() != want {
			t.Fatalf("screenshot %d pixels wide, want %d: device pixels at %gx", img.Bounds().Dx(), want, scale)
		}
		bg = colourAt(img, find('日').Min.Add(image.Pt(0, -1)))
		if inked(img, find('🐉'), bg) > 20 || time.Now().After(deadline) {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}

	narrowBox, wideBox := find('\U0010FFFD'), find('\U0002FFFD')
	boxNarrow, boxWide := inkMask(img, narrowBox, bg), inkMask(img, wideBox, bg)
	if count(boxNarrow) < narrowBox.Dy() || count(boxWide) < wideBox.Dy() {
		t.Fatalf("the missing-glyph boxes have %d and %d inked pixels, want outlines: nothing drawn?", count(boxNarrow), count(boxWide))
	}
	// The reference really is a box: a frame of ink, empty inside.
	if inside := count(interior(boxWide)); inside != 0 {
		t.Fatalf("the wide missing-glyph box has %d inked pixels inside its outline; want an empty box", inside)
	}

	// Each CJK character is drawn: ink, over both of its cells, in a
	// shape that is not the box (ink inside where the box has none).
	var fg color.RGBA
	var fgDist float64
	for _, g := range glyphs {
		if g.r == '🐉' || g.r == '\U0010FFFD' || g.r == '\U0002FFFD' {
			continue
		}
		m := inkMask(img, g.cell, bg)
		n := count(m)
		if n < g.cell.Dy() {
			t.Errorf("%q has %d inked pixels: not drawn", g.r, n)
			continue
		}
		if same(m, boxWide) {
			t.Errorf("%q is drawn as the missing-glyph box", g.r)
		}
		if count(interior(m)) == 0 {
			t.Errorf("%q has no ink inside the box's outline: a box, not a character", g.r)
		}
		half := g.cell.Dx() / 2
		left, right := image.Rect(0, 0, half, g.cell.Dy()), image.Rect(half, 0, g.cell.Dx(), g.cell.Dy())
		if countIn(m, left) == 0 || countIn(m, right) == 0 {
			t.Errorf("%q has ink in only one of its two cells", g.r)
		}
		// The text's colour: the pixel farthest from the background.
		for y := g.cell.Min.Y; y < g.cell.Max.Y; y++ {
			for x := g.cell.Min.X; x < g.cell.Max.X; x++ {
				if c := colourAt(img, image.Pt(x, y)); dist(c, bg) > fgDist {
					fg, fgDist = c, dist(c, bg)
				}
			}
		}
	}

	// The emoji is drawn, not as the box, and in colours of its own. A
	// glyph drawn tinted in the text's colour (the demo says things in
	// yellow, which has no blue) can have in each channel at most the
	// text's or the background's value: a silhouette of coverage, and
	// equally an emoji's colours multiplied by the tint, have none of
	// the blue in Noto's green dragon.
	emoji := find('🐉')
	m := inkMask(img, emoji, bg)
	if n := count(m); n < emoji.Dy() {
		t.Fatalf("the emoji has %d inked pixels: not drawn", n)
	}
	if same(m, boxWide) {
		t.Fatal("the emoji is drawn as the missing-glyph box")
	}
	own, colourful := 0, 0
	for y := emoji.Min.Y; y < emoji.Max.Y; y++ {
		for x := emoji.Min.X; x < emoji.Max.X; x++ {
			c := colourAt(img, image.Pt(x, y))
			if beyond(c, fg, bg) > 40 {
				own++
			}
			hi, lo := max(c.R, c.G, c.B), min(c.R, c.G, c.B)
			if hi > 80 && hi-lo > 60 {
				colourful++
			}
		}
	}
	t.Logf("text colour %v on %v; emoji: %d inked pixels, %d beyond the text's colour, %d colourful", fg, bg, count(m), own, colourful)
	if own < 10 || colourful < 30 {
		t.Errorf("the emoji has %d pixels no tint of the text's colour makes and %d colourful ones, want at least 10 and 30: drawn tinted, not in its own colours", own, colourful)
	}
}

// cellWidth is how many cells r takes, for the characters of glyphLine
// and the ASCII before it.
func cellWidth(r rune) int {
	if r >= 0x3000 && r <= 0x9fff || r == '🐉' || r >= 0x20000 && r <= 0x3fffd {
		return 2
	}
	return 1
}

// cellRect returns the screenshot pixels of w cells from (col, row) of the
// terminal, on a page at device scale (a CSS pixel is scale screenshot
// pixels across).
func (b *browser) cellRect(t *testing.T, col, row, w int, scale float64) image.Rectangle {
	t.Helper()
	box := b.cellGeometry(t)
	x0 := box["left"] + box["x"] + float64(col)*box["w"]
	y0 := box["top"] + box["y"] + float64(row)*box["h"]
	return image.Rect(int(math.Round(scale*x0)), int(math.Round(scale*y0)),
		int(math.Round(scale*(x0+float64(w)*box["w"]))), int(math.Round(scale*(y0+box["h"]))))
}

func colourAt(img image.Image, p image.Point) color.RGBA {
	r, g, b, _ := img.At(p.X, p.Y).RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 255}
}

func dist(a, b color.RGBA) float64 {
	dr, dg, db := float64(a.R)-float64(b.R), float64(a.G)-float64(b.G), float64(a.B)-float64(b.B)
	return math.Sqrt(dr*dr + dg*dg + db*db)
}

// beyond is by how much c exceeds, in its most exceeding channel, both
// a and b: what no mix of the two, and no glyph tinted a on b, has.
func beyond(c, a, b color.RGBA) int {
	d := 0
	for _, ch := range [3][3]uint8{{c.R, a.R, b.R}, {c.G, a.G, b.G}, {c.B, a.B, b.B}} {
		d = max(d, int(ch[0])-int(max(ch[1], ch[2])))
	}
	return d
}

// inkMask marks the pixels of cell r of img that differ clearly from the
// background bg, indexed from the cell's top-left corner.
func inkMask(img image.Image, r image.Rectangle, bg color.RGBA) [][]bool {
	m := make([][]bool, r.Dy())
	for y := range m {
		m[y] = make([]bool, r.Dx())
		for x := range m[y] {
			m[y][x] = dist(colourAt(img, image.Pt(r.Min.X+x, r.Min.Y+y)), bg) > 60
		}
	}
	return m
}

// inked counts the pixels of cell r that differ clearly from bg.
func inked(img image.Image, r image.Rectangle, bg color.RGBA) int {
	return count(inkMask(img, r, bg))
}

func count(m [][]bool) int {
	n := 0
	for _, row := range m {
		for _, v := range row {
			if v {
				n++
			}
		}
	}
	return n
}

// countIn counts the marked pixels of m inside r.
func countIn(m [][]bool, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y && y < len(m); y++ {
		for x := r.Min.X; x < r.Max.X && x < len(m[y]); x++ {
			if m[y][x] {
				n++
			}
		}
	}
	return n
}

// same reports whether two masks of the same size mark the same pixels,
// give or take a few (a box drawn a pixel off by rounding).
func same(a, b [][]bool) bool {
	if len(a) != len(b) {
		return false
	}
	diff := 0
	for y := range a {
		if len(a[y]) != len(b[y]) {
			return false
		}
		for x := range a[y] {
			if a[y][x] != b[y][x] {
				diff++
			}
		}
	}
	return diff <= 4
}

// interior is m cleared of everything but what lies strictly inside
// the box outline of the reference box: two pixels in from the outermost
// marked rows and columns of the box drawn in a cell of that size.
func interior(m [][]bool) [][]bool {
	h := len(m)
	w := 0
	if h > 0 {
		w = len(m[0])
	}
	// The client's box: inset by a sixth of a cell's width at the sides
	// and a sixth of the height at top and bottom (ui/font.go). Take a
	// little more, so the outline's antialiasing is out of it.
	cellW := w / 2
	inX, inY := max(1, cellW/6)+2, h/6+2
	out := make([][]bool, h)
	for y := range out {
		out[y] = make([]bool, w)
		if y < inY || y >= h-inY {
			continue
		}
		for x := inX; x < w-inX; x++ {
			out[y][x] = m[y][x]
		}
	}
	return out
}
