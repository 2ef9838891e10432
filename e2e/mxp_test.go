package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// clickCell moves the mouse to the middle of cell (col, row), waits for
// the game loop to see it there (the link under it is hovered, its
// banner drawn), and presses and releases button.
func (b *browser) clickCell(t *testing.T, col, row int, button input.MouseButton) {
	t.Helper()
	x, y := b.cellCentre(t, col, row)
	buttons := int64(1)
	if button == input.MouseButtonRight {
		buttons = 2
	}
	mouse := func(typ input.DispatchMouseEventType, held int64) chromedp.Action[chromedp.Void] {
		p := input.DispatchMouseEventParams{Type: typ, X: x, Y: y, Buttons: held}
		if typ != input.DispatchMouseEventTypeMouseMoved {
			p.Button, p.ClickCount = button, 1
		}
		return mouseEvent(p)
	}
	// The game loop reads the buttons' state once a frame, so the button
	// is held a while, as a hand holds it: on a busy machine a frame can
	// take longer than a quick click.
	for _, step := range []struct {
		a    chromedp.Action[chromedp.Void]
		hold time.Duration
	}{
		{mouse(input.DispatchMouseEventTypeMouseMoved, 0), 150 * time.Millisecond},
		{mouse(input.DispatchMouseEventTypeMousePressed, buttons), 500 * time.Millisecond},
		{mouse(input.DispatchMouseEventTypeMouseReleased, 0), 150 * time.Millisecond},
	} {
		if err := chromedp.Do(b.ctx, step.a); err != nil {
			t.Fatalf("mouse: %v", err)
		}
		time.Sleep(step.hold)
	}
}

// screenHas reports whether text is on the screen within timeout.
func (b *browser) screenHas(t *testing.T, text string, timeout time.Duration) bool {
	t.Helper()
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if strings.Contains(b.screenText(t), text) {
			return true
		}
	}
	return false
}

// findOnScreen returns the column and row of the last occurrence of text
// on the screen (ASCII text on a screen of one-cell characters).
func (b *browser) findOnScreen(t *testing.T, text string) (col, row int) {
	t.Helper()
	rows := strings.Split(b.screenText(t), "\n")
	for r := len(rows) - 1; r >= 0; r-- {
		if c := strings.LastIndex(rows[r], text); c >= 0 {
			return len([]rune(rows[r][:c])), r
		}
	}
	t.Fatalf("%q not on the screen:\n%s", text, strings.Join(rows, "\n"))
	return 0, 0
}

// TestMXPInBrowser: the demo game speaks MXP (the gateway agrees to it,
// parses it and hands the client styled text and command links). The
// exits are links that walk when clicked; the things in a room open a
// menu on a right-click whose items send their commands; the raw tags
// never show; and the game got the client's truthful <VERSION> answer.
func TestMXPInBrowser(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	b := newBrowser(t, gw, 1000, 700, 1)
	enterGame(t, b, gw, "Clicker")

	b.typeLine(t, "look")
	b.waitScreen(t, "Exits: north", 10*time.Second)
	// On a busy machine the screen may still be laid out anew (the
	// window's size reaching the game, which wraps its text again): the
	// link is found on a still screen, and a click that came before the
	// screen settled under it is made again.
	for try := 1; ; try++ {
		b.stillScreen(t)
		col, row := b.findOnScreen(t, "Exits: north")
		b.clickCell(t, col+len("Exits: ")+2, row, input.MouseButtonLeft)
		if try == 3 {
			b.waitScreen(t, "You go north.", 10*time.Second)
			break
		}
		if b.screenHas(t, "You go north.", 3*time.Second) {
			break
		}
	}
	b.waitScreen(t, "The Gatehouse", 10*time.Second)

	// On to the courtyard (unless a click made again went there already).
	if s := b.stillScreen(t); strings.LastIndex(s, "The Courtyard") < strings.LastIndex(s, "The Gatehouse") {
		b.typeLine(t, "n")
	}
	b.waitScreen(t, "You notice: well.", 10*time.Second)
	b.stillScreen(t)
	col, row := b.findOnScreen(t, "You notice: well.")
	b.clickCell(t, col+len("You notice: ")+1, row, input.MouseButtonRight)
	b.waitFor(t, "the well's menu", `!document.getElementById("link-menu").hidden`, 10*time.Second)
	items := eval[[]string](t, b, `[...document.querySelectorAll("#link-menu button")].map(b => b.textContent)`)
	if strings.Join(items, "|") != "Look at it|Point at it" {
		t.Fatalf("menu items %q, want Look at it, Point at it", items)
	}
	b.screenshot(t, "mxp-menu.png")
	b.clickSelector(t, "#link-menu button")
	b.waitScreen(t, "The well is old and deep.", 10*time.Second)
	if !eval[bool](t, b, `document.getElementById("link-menu").hidden`) {
		t.Fatal("the menu stayed open after a choice")
	}

	b.typeLine(t, "whoami")
	b.waitScreen(t, "MXP:           on (MXP=1.0 CLIENT=DRAWBRIDGE", 10*time.Second)
	screen := b.screenText(t)
	for _, raw := range []string{"<SEND", "</SEND>", "<VERSION", "[1z"} {
		if strings.Contains(screen, raw) {
			t.Fatalf("the screen shows MXP's %q:\n%s", raw, screen)
		}
	}
}
