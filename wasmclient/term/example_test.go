package term_test

import (
	"fmt"

	"github.com/drawbridge/drawbridge/wasmclient/term"
)

// A game's output goes in through Write; the renderer reads cells, and
// the accessible mirror reads Text.
func Example() {
	t := term.New(40, 3, 1000)
	t.SetResponder(func(p []byte) { fmt.Printf("answer %q\n", p) })
	fmt.Fprint(t, "\x1b]2;Dragon MUD\x07\x1b[1;31mA dragon\x1b[0m roars!\r\n> \x1b[6n")

	fmt.Println(t.Title())
	fmt.Println(t.Text())
	c := t.Cell(0, 0)
	fmt.Println(string(c.Rune), c.FG, c.Attr)
	x, y, _ := t.Cursor()
	fmt.Println("cursor", x, y)
	// Output:
	// answer "\x1b[2;3R"
	// Dragon MUD
	// A dragon roars!
	// >
	//
	// A idx(1) bold
	// cursor 2 1
}

// A renderer redraws only the rows that changed since the last frame.
func ExampleTerminal_RowDirty() {
	t := term.New(20, 4, 0)
	t.ClearDirty()
	fmt.Fprint(t, "\x1b[3;1Hhello")
	for y := range 4 {
		if t.RowDirty(y) {
			fmt.Printf("redraw row %d: %q\n", y, term.RowText(t.Line(y)))
		}
	}
	t.ClearDirty()
	fmt.Println("dirty after drawing:", t.Dirty())
	// Output:
	// redraw row 0: ""
	// redraw row 2: "hello"
	// dirty after drawing: false
}

// Colours resolve through a palette; CellColors applies bold-is-bright,
// inverse and the rest.
func ExamplePalette_CellColors() {
	p := term.DefaultPalette()
	t := term.New(10, 1, 0)
	fmt.Fprint(t, "\x1b[1;31mX\x1b[7mY")
	for x := range 2 {
		fg, bg := p.CellColors(t.Cell(x, 0))
		fmt.Printf("%c fg #%02x%02x%02x bg #%02x%02x%02x\n", t.Cell(x, 0).Rune, fg.R, fg.G, fg.B, bg.R, bg.G, bg.B)
	}
	// Output:
	// X fg #ff0000 bg #000000
	// Y fg #000000 bg #ff0000
}
