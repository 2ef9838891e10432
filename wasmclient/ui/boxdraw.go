package ui

import (
	"image"
	"math"
)

// Box drawing (U+2500-U+257F), block elements (U+2580-U+259F) and braille
// (U+2800-U+28FF) are drawn here rather than taken from the font: fonts
// draw them a little short or off-centre, so boxes and maps show seams
// between cells, and Go Mono lacks most block elements and all of
// braille. Drawn from the cell's own geometry, a line sits on the same
// pixels in every cell and reaches the cell's edges, so neighbours join
// exactly.

// Arm weights of a box-drawing character, two bits per direction.
const (
	armNone   = 0
	armLight  = 1
	armHeavy  = 2
	armDouble = 3
)

// Directions, as shifts into an arm set.
const (
	dirUp    = 0
	dirRight = 2
	dirDown  = 4
	dirLeft  = 6
)

// Arm sets for the box table: a direction and a weight.
const (
	upLight     = armLight << dirUp
	upHeavy     = armHeavy << dirUp
	upDouble    = armDouble << dirUp
	rightLight  = armLight << dirRight
	rightHeavy  = armHeavy << dirRight
	rightDouble = armDouble << dirRight
	downLight   = armLight << dirDown
	downHeavy   = armHeavy << dirDown
	downDouble  = armDouble << dirDown
	leftLight   = armLight << dirLeft
	leftHeavy   = armHeavy << dirLeft
	leftDouble  = armDouble << dirLeft
)

// boxArms gives the arms of U+2500+i; 0 marks the dashed lines, arcs and
// diagonals, which are drawn by their own code. Generated from the
// Unicode character names ("DOWN LIGHT AND RIGHT HEAVY").
var boxArms = [0x80]uint8{
	0x00: rightLight | leftLight,                           // ─
	0x01: rightHeavy | leftHeavy,                           // ━
	0x02: upLight | downLight,                              // │
	0x03: upHeavy | downHeavy,                              // ┃
	0x0C: rightLight | downLight,                           // ┌
	0x0D: rightHeavy | downLight,                           // ┍
	0x0E: rightLight | downHeavy,                           // ┎
	0x0F: rightHeavy | downHeavy,                           // ┏
	0x10: downLight | leftLight,                            // ┐
	0x11: downLight | leftHeavy,                            // ┑
	0x12: downHeavy | leftLight,                            // ┒
	0x13: downHeavy | leftHeavy,                            // ┓
	0x14: upLight | rightLight,                             // └
	0x15: upLight | rightHeavy,                             // ┕
	0x16: upHeavy | rightLight,                             // ┖
	0x17: upHeavy | rightHeavy,                             // ┗
	0x18: upLight | leftLight,                              // ┘
	0x19: upLight | leftHeavy,                              // ┙
	0x1A: upHeavy | leftLight,                              // ┚
	0x1B: upHeavy | leftHeavy,                              // ┛
	0x1C: upLight | rightLight | downLight,                 // ├
	0x1D: upLight | rightHeavy | downLight,                 // ┝
	0x1E: upHeavy | rightLight | downLight,                 // ┞
	0x1F: upLight | rightLight | downHeavy,                 // ┟
	0x20: upHeavy | rightLight | downHeavy,                 // ┠
	0x21: upHeavy | rightHeavy | downLight,                 // ┡
	0x22: upLight | rightHeavy | downHeavy,                 // ┢
	0x23: upHeavy | rightHeavy | downHeavy,                 // ┣
	0x24: upLight | downLight | leftLight,                  // ┤
	0x25: upLight | downLight | leftHeavy,                  // ┥
	0x26: upHeavy | downLight | leftLight,                  // ┦
	0x27: upLight | downHeavy | leftLight,                  // ┧
	0x28: upHeavy | downHeavy | leftLight,                  // ┨
	0x29: upHeavy | downLight | leftHeavy,                  // ┩
	0x2A: upLight | downHeavy | leftHeavy,                  // ┪
	0x2B: upHeavy | downHeavy | leftHeavy,                  // ┫
	0x2C: rightLight | downLight | leftLight,               // ┬
	0x2D: rightLight | downLight | leftHeavy,               // ┭
	0x2E: rightHeavy | downLight | leftLight,               // ┮
	0x2F: rightHeavy | downLight | leftHeavy,               // ┯
	0x30: rightLight | downHeavy | leftLight,               // ┰
	0x31: rightLight | downHeavy | leftHeavy,               // ┱
	0x32: rightHeavy | downHeavy | leftLight,               // ┲
	0x33: rightHeavy | downHeavy | leftHeavy,               // ┳
	0x34: upLight | rightLight | leftLight,                 // ┴
	0x35: upLight | rightLight | leftHeavy,                 // ┵
	0x36: upLight | rightHeavy | leftLight,                 // ┶
	0x37: upLight | rightHeavy | leftHeavy,                 // ┷
	0x38: upHeavy | rightLight | leftLight,                 // ┸
	0x39: upHeavy | rightLight | leftHeavy,                 // ┹
	0x3A: upHeavy | rightHeavy | leftLight,                 // ┺
	0x3B: upHeavy | rightHeavy | leftHeavy,                 // ┻
	0x3C: upLight | rightLight | downLight | leftLight,     // ┼
	0x3D: upLight | rightLight | downLight | leftHeavy,     // ┽
	0x3E: upLight | rightHeavy | downLight | leftLight,     // ┾
	0x3F: upLight | rightHeavy | downLight | leftHeavy,     // ┿
	0x40: upHeavy | rightLight | downLight | leftLight,     // ╀
	0x41: upLight | rightLight | downHeavy | leftLight,     // ╁
	0x42: upHeavy | rightLight | downHeavy | leftLight,     // ╂
	0x43: upHeavy | rightLight | downLight | leftHeavy,     // ╃
	0x44: upHeavy | rightHeavy | downLight | leftLight,     // ╄
	0x45: upLight | rightLight | downHeavy | leftHeavy,     // ╅
	0x46: upLight | rightHeavy | downHeavy | leftLight,     // ╆
	0x47: upHeavy | rightHeavy | downLight | leftHeavy,     // ╇
	0x48: upLight | rightHeavy | downHeavy | leftHeavy,     // ╈
	0x49: upHeavy | rightLight | downHeavy | leftHeavy,     // ╉
	0x4A: upHeavy | rightHeavy | downHeavy | leftLight,     // ╊
	0x4B: upHeavy | rightHeavy | downHeavy | leftHeavy,     // ╋
	0x50: rightDouble | leftDouble,                         // ═
	0x51: upDouble | downDouble,                            // ║
	0x52: rightDouble | downLight,                          // ╒
	0x53: rightLight | downDouble,                          // ╓
	0x54: rightDouble | downDouble,                         // ╔
	0x55: downLight | leftDouble,                           // ╕
	0x56: downDouble | leftLight,                           // ╖
	0x57: downDouble | leftDouble,                          // ╗
	0x58: upLight | rightDouble,                            // ╘
	0x59: upDouble | rightLight,                            // ╙
	0x5A: upDouble | rightDouble,                           // ╚
	0x5B: upLight | leftDouble,                             // ╛
	0x5C: upDouble | leftLight,                             // ╜
	0x5D: upDouble | leftDouble,                            // ╝
	0x5E: upLight | rightDouble | downLight,                // ╞
	0x5F: upDouble | rightLight | downDouble,               // ╟
	0x60: upDouble | rightDouble | downDouble,              // ╠
	0x61: upLight | downLight | leftDouble,                 // ╡
	0x62: upDouble | downDouble | leftLight,                // ╢
	0x63: upDouble | downDouble | leftDouble,               // ╣
	0x64: rightDouble | downLight | leftDouble,             // ╤
	0x65: rightLight | downDouble | leftLight,              // ╥
	0x66: rightDouble | downDouble | leftDouble,            // ╦
	0x67: upLight | rightDouble | leftDouble,               // ╧
	0x68: upDouble | rightLight | leftLight,                // ╨
	0x69: upDouble | rightDouble | leftDouble,              // ╩
	0x6A: upLight | rightDouble | downLight | leftDouble,   // ╪
	0x6B: upDouble | rightLight | downDouble | leftLight,   // ╫
	0x6C: upDouble | rightDouble | downDouble | leftDouble, // ╬
	0x74: leftLight,                                        // ╴
	0x75: upLight,                                          // ╵
	0x76: rightLight,                                       // ╶
	0x77: downLight,                                        // ╷
	0x78: leftHeavy,                                        // ╸
	0x79: upHeavy,                                          // ╹
	0x7A: rightHeavy,                                       // ╺
	0x7B: downHeavy,                                        // ╻
	0x7C: rightHeavy | leftLight,                           // ╼
	0x7D: upLight | downHeavy,                              // ╽
	0x7E: rightLight | leftHeavy,                           // ╾
	0x7F: upHeavy | downLight,                              // ╿
}

// dashes describes the dashed lines: U+2504-U+250B and U+254C-U+254F.
var dashes = map[rune]struct {
	arms     uint8
	segments int
}{
	0x2504: {leftLight | rightLight, 3}, 0x2505: {leftHeavy | rightHeavy, 3},
	0x2506: {upLight | downLight, 3}, 0x2507: {upHeavy | downHeavy, 3},
	0x2508: {leftLight | rightLight, 4}, 0x2509: {leftHeavy | rightHeavy, 4},
	0x250A: {upLight | downLight, 4}, 0x250B: {upHeavy | downHeavy, 4},
	0x254C: {leftLight | rightLight, 2}, 0x254D: {leftHeavy | rightHeavy, 2},
	0x254E: {upLight | downLight, 2}, 0x254F: {upHeavy | downHeavy, 2},
}

// quadrants of U+2596-U+259F: bit 0 upper left, 1 upper right, 2 lower
// left, 3 lower right.
var quadrants = [10]uint8{4, 8, 1, 1 | 4 | 8, 1 | 8, 1 | 2 | 4, 1 | 2 | 8, 2, 2 | 4, 2 | 4 | 8}

// isProcedural reports whether r is drawn by drawProcedural.
func isProcedural(r rune) bool {
	return (r >= 0x2500 && r <= 0x259F) || (r >= 0x2800 && r <= 0x28FF)
}

// cellCanvas draws alpha coverage into a cell of an RGBA image as
// premultiplied white, in coordinates local to the cell.
type cellCanvas struct {
	dst  *image.RGBA
	w, h int
	// light is the thickness of a light line; heavy lines are twice it.
	light int
}

func newCellCanvas(dst *image.RGBA) *cellCanvas {
	w, h := dst.Bounds().Dx(), dst.Bounds().Dy()
	return &cellCanvas{dst: dst, w: w, h: h, light: max(1, int(math.Round(float64(min(w, h*6/10))/9)))}
}

// set raises the coverage of pixel x, y to a (0-255); overlapping shapes
// keep the larger coverage.
func (c *cellCanvas) set(x, y int, a uint8) {
	if x < 0 || y < 0 || x >= c.w || y >= c.h {
		return
	}
	b := c.dst.Bounds()
	i := c.dst.PixOffset(b.Min.X+x, b.Min.Y+y)
	if c.dst.Pix[i+3] >= a {
		return
	}
	c.dst.Pix[i], c.dst.Pix[i+1], c.dst.Pix[i+2], c.dst.Pix[i+3] = a, a, a, a
}

// rect fills [x0, x1) x [y0, y1) with coverage a.
func (c *cellCanvas) rect(x0, y0, x1, y1 int, a uint8) {
	for y := max(0, y0); y < min(c.h, y1); y++ {
		for x := max(0, x0); x < min(c.w, x1); x++ {
			c.set(x, y, a)
		}
	}
}

// drawProcedural draws r, which isProcedural accepts, into dst.
func drawProcedural(dst *image.RGBA, r rune) {
	c := newCellCanvas(dst)
	switch {
	case r >= 0x2800:
		c.braille(uint8(r - 0x2800))
	case r >= 0x2580:
		c.block(r)
	case r >= 0x256D && r <= 0x2570:
		c.arc(r)
	case r >= 0x2571 && r <= 0x2573:
		c.diagonal(r)
	default:
		if d, ok := dashes[r]; ok {
			c.dashed(d.arms, d.segments)
			return
		}
		c.box(boxArms[r-0x2500])
	}
}

// thickness returns the width of a line of weight w (light or heavy).
func (c *cellCanvas) thickness(w uint8) int {
	switch w {
	case armLight:
		return c.light
	case armHeavy:
		return 2 * c.light
	}
	return 0
}

// span returns the pixels [p0, p1) of a line of thickness t centred on
// the centre line at m: the same pixels in every cell of this size.
func span(m, t int) (int, int) { return m - t/2, m - t/2 + t }

// doubleSpans returns the two light lines of a double line centred at m.
func (c *cellCanvas) doubleSpans(m int) (a0, a1, b0, b1 int) {
	a0, a1 = span(m-c.light, c.light)
	b0, b1 = span(m+c.light, c.light)
	return a0, a1, b0, b1
}

// box draws the arms of a line-drawing character. Each arm is drawn from
// its edge of the cell toward the centre, and where it stops depends on
// the arms across it: a line meeting a double line stops at its near or
// far stroke, and the strokes of double lines stop short of each other to
// leave the inner and outer corners open, as in ╔ and ╬.
func (c *cellCanvas) box(arms uint8) {
	arm := func(d int) uint8 { return arms >> d & 3 }
	// Horizontal arms, then vertical ones: the same code, with the
	// axes swapped for the vertical arms.
	c.arms(arm(dirLeft), arm(dirRight), arm(dirUp), arm(dirDown), c.w, c.h, false)
	c.arms(arm(dirUp), arm(dirDown), arm(dirLeft), arm(dirRight), c.h, c.w, true)
}

// arms draws the two arms along one axis: lo toward 0, hi toward the far
// edge (length along the axis, across across it); sideLo and sideHi are
// the arms across, on the low and high side. swap draws along y.
func (c *cellCanvas) arms(lo, hi, sideLo, sideHi uint8, length, across int, swap bool) {
	m, n := length/2, across/2 // centre lines along and across
	fill := func(a0, a1, p0, p1 int) {
		if swap {
			c.rect(p0, a0, p1, a1, 255)
		} else {
			c.rect(a0, p0, a1, p1, 255)
		}
	}
	for _, end := range [2]struct {
		w, opposite uint8
		low         bool
	}{{lo, hi, true}, {hi, lo, false}} {
		if end.w == armNone {
			continue
		}
		// The low arm runs from 0 to stopLow, the high arm from
		// startHigh to the far edge.
		draw := func(p0, p1, stopLow, startHigh int) {
			if end.low {
				fill(0, stopLow, p0, p1)
			} else {
				fill(startHigh, length, p0, p1)
			}
		}
		if end.w == armDouble {
			a0, a1, b0, b1 := c.doubleSpans(n)
			for _, stroke := range [2]struct {
				p0, p1 int
				side   uint8
			}{{a0, a1, sideLo}, {b0, b1, sideHi}} {
				s0, s1 := c.doubleStop(m, stroke.side, sideLo, sideHi, end.opposite)
				draw(stroke.p0, stroke.p1, s0, s1)
			}
			continue
		}
		p0, p1 := span(n, c.thickness(end.w))
		s0, s1 := c.singleStop(m, sideLo, sideHi)
		draw(p0, p1, s0, s1)
	}
}

// singleStop returns where a light or heavy arm stops: its end for the
// arm from the low edge, its start for the arm from the high edge.
func (c *cellCanvas) singleStop(m int, sideLo, sideHi uint8) (stopLow, startHigh int) {
	if sideLo == armDouble || sideHi == armDouble {
		a0, a1, b0, b1 := c.doubleSpans(m)
		if sideLo == armDouble && sideHi == armDouble {
			return a1, b0 // the double line runs through: stop at its near stroke
		}
		return b1, a0 // it ends here: reach across both strokes
	}
	t := max(c.thickness(sideLo), c.thickness(sideHi))
	p0, p1 := span(m, t)
	if t == 0 {
		p0, p1 = m, m
	}
	return p1, p0 // cover the line across, light or heavy
}

// doubleStop returns where one stroke of a double arm stops. side is the
// arm on the stroke's side of the centre.
func (c *cellCanvas) doubleStop(m int, side, sideLo, sideHi, opposite uint8) (stopLow, startHigh int) {
	a0, a1, b0, b1 := c.doubleSpans(m)
	if sideLo == armDouble || sideHi == armDouble {
		if side == armDouble {
			return a1, b0 // inner corner: stop at the near stroke across
		}
		return b1, a0 // outer corner: run to the far stroke across
	}
	t := max(c.thickness(sideLo), c.thickness(sideHi))
	if t == 0 || opposite != armNone {
		return m, m // the strokes run on through the centre
	}
	p0, p1 := span(m, t)
	return p1, p0 // end on the single line across
}

// dashed draws a light or heavy line broken into segments dashes.
func (c *cellCanvas) dashed(arms uint8, segments int) {
	horizontal := arms&(3<<dirLeft) != 0
	w := arms >> dirLeft & 3
	length, across := c.w, c.h
	if !horizontal {
		w = arms >> dirUp & 3
		length, across = c.h, c.w
	}
	p0, p1 := span(across/2, c.thickness(w))
	gap := max(1, length/segments/3)
	for i := range segments {
		a0 := i*length/segments + gap/2
		a1 := (i+1)*length/segments - (gap - gap/2)
		if horizontal {
			c.rect(a0, p0, a1, p1, 255)
		} else {
			c.rect(p0, a0, p1, a1, 255)
		}
	}
}

// supersample is the samples per pixel side for curved and slanted
// shapes, which are anti-aliased.
const supersample = 4

// coverage fills each pixel with the share of its samples for which in
// reports true.
func (c *cellCanvas) coverage(in func(x, y float64) bool) {
	for y := range c.h {
		for x := range c.w {
			n := 0
			for sy := range supersample {
				for sx := range supersample {
					if in(float64(x)+(float64(sx)+0.5)/supersample, float64(y)+(float64(sy)+0.5)/supersample) {
						n++
					}
				}
			}
			if n > 0 {
				c.set(x, y, uint8(n*255/(supersample*supersample)))
			}
		}
	}
}

// arc draws the rounded corners ╭ ╮ ╯ ╰: a quarter circle joining the
// light lines' centres, then straight on to the edges, so it meets the
// straight lines of its neighbours exactly.
func (c *cellCanvas) arc(r rune) {
	sx, sy := 1.0, 1.0 // toward the right arm and the down arm
	switch r {
	case 0x256E: // ╮
		sx = -1
	case 0x256F: // ╯
		sx, sy = -1, -1
	case 0x2570: // ╰
		sy = -1
	}
	p0, p1 := span(c.w/2, c.light)
	q0, q1 := span(c.h/2, c.light)
	xc, yc := float64(p0+p1)/2, float64(q0+q1)/2
	ex, ey := float64(c.w)-xc, float64(c.h)-yc
	if sx < 0 {
		ex = xc
	}
	if sy < 0 {
		ey = yc
	}
	radius := min(ex, ey)
	half := float64(c.light) / 2
	c.coverage(func(x, y float64) bool {
		u, v := (x-xc)*sx, (y-yc)*sy // in the frame of ╭
		switch {
		case u < -half || v < -half:
			return false
		case v >= radius:
			return math.Abs(u) <= half
		case u >= radius:
			return math.Abs(v) <= half
		}
		return math.Abs(math.Hypot(u-radius, v-radius)-radius) <= half
	})
}

// diagonal draws ╱ ╲ ╳ from corner to corner, so they join diagonally.
func (c *cellCanvas) diagonal(r rune) {
	w, h := float64(c.w), float64(c.h)
	norm := math.Hypot(w, h)
	half := float64(c.light) / 2 * 1.2 // a little heavier: slanted lines look thinner
	rising := func(x, y float64) bool { return math.Abs(h*x+w*y-w*h)/norm <= half }
	falling := func(x, y float64) bool { return math.Abs(h*x-w*y)/norm <= half }
	c.coverage(func(x, y float64) bool {
		switch r {
		case 0x2571:
			return rising(x, y)
		case 0x2572:
			return falling(x, y)
		}
		return rising(x, y) || falling(x, y)
	})
}

// eighths returns n eighths of size, rounded, so that the partial blocks
// of a size are the same in every cell.
func eighths(size, n int) int { return (size*n + 4) / 8 }

// block draws the block elements U+2580-U+259F.
func (c *cellCanvas) block(r rune) {
	w, h := c.w, c.h
	midX, midY := eighths(w, 4), h-eighths(h, 4) // the halves' split
	switch {
	case r == 0x2580: // ▀ upper half
		c.rect(0, 0, w, midY, 255)
	case r >= 0x2581 && r <= 0x2588: // ▁ to █: lower eighths
		c.rect(0, h-eighths(h, int(r-0x2580)), w, h, 255)
	case r >= 0x2589 && r <= 0x258F: // ▉ to ▏: left eighths, 7 down to 1
		c.rect(0, 0, eighths(w, int(0x2590-r)), h, 255)
	case r == 0x2590: // ▐ right half
		c.rect(midX, 0, w, h, 255)
	case r >= 0x2591 && r <= 0x2593: // ░ ▒ ▓ shades, as even tints
		c.rect(0, 0, w, h, uint8(64*(r-0x2590)))
	case r == 0x2594: // ▔ upper eighth
		c.rect(0, 0, w, eighths(h, 1), 255)
	case r == 0x2595: // ▕ right eighth
		c.rect(w-eighths(w, 1), 0, w, h, 255)
	default: // ▖ to ▟: quadrants
		q := quadrants[r-0x2596]
		for i, box := range [4][4]int{{0, 0, midX, midY}, {midX, 0, w, midY}, {0, midY, midX, h}, {midX, midY, w, h}} {
			if q&(1<<i) != 0 {
				c.rect(box[0], box[1], box[2], box[3], 255)
			}
		}
	}
}

// braille draws the dots of U+2800+bits: two columns of four dots, dots
// 1-3 and 7 down the left, 4-6 and 8 down the right.
func (c *cellCanvas) braille(bits uint8) {
	dots := [8][2]int{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}, {0, 3}, {1, 3}}
	size := max(1, min(c.w/4, c.h/8))
	for i, d := range dots {
		if bits&(1<<i) == 0 {
			continue
		}
		// Dot centres at 1/4 and 3/4 across, 1/8, 3/8, 5/8, 7/8 down.
		cx, cy := c.w*(2*d[0]+1)/4, c.h*(2*d[1]+1)/8
		c.rect(cx-size/2, cy-size/2, cx-size/2+size, cy-size/2+size, 255)
	}
}
