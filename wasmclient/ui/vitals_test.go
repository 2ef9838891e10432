package ui

import (
	"image/color"
	"testing"
)

func TestLayoutBars(t *testing.T) {
	vs := []Vital{
		{Label: "HP", Value: 45, Max: 60},
		{Label: "SP", Value: 80, Max: 40, Color: color.RGBA{1, 2, 3, 255}},
		{Label: "MV", Value: -5, Max: 0},
	}
	bars := layoutBars(vs, 80)
	if len(bars) != 3 {
		t.Fatalf("%d bars, want 3", len(bars))
	}
	want := []bar{
		{x0: 0, x1: 26, filled: 0.75, label: "HP 45/60", color: vitalColors[0]},
		{x0: 27, x1: 53, filled: 1, label: "SP 80/40", color: color.RGBA{1, 2, 3, 255}},
		{x0: 54, x1: 80, filled: 0, label: "MV -5/0", color: vitalColors[2]},
	}
	for i := range want {
		if bars[i] != want[i] {
			t.Errorf("bar %d = %+v, want %+v", i, bars[i], want[i])
		}
	}
}

func TestLayoutBarsNarrow(t *testing.T) {
	bars := layoutBars([]Vital{{Label: "HP", Value: 100, Max: 1000}, {Label: "SP", Value: 1, Max: 2}}, 17)
	if len(bars) != 2 || bars[0].label != "100/1000" || bars[1].label != "SP 1/2" {
		t.Fatalf("bars %+v, want the numbers alone in the first", bars)
	}
	for _, b := range bars {
		if n := len([]rune(b.label)); n > b.x1-b.x0 {
			t.Errorf("label %q is %d wide in a bar of %d", b.label, n, b.x1-b.x0)
		}
	}
	// Too many bars for the width: the first ones are kept.
	many := make([]Vital, 10)
	if bars := layoutBars(many, 20); len(bars) != 4 {
		t.Fatalf("%d bars in 20 columns, want 4", len(bars))
	}
	if bars := layoutBars(many, 3); len(bars) != 1 || bars[0].x1 != 3 {
		t.Fatalf("bars in 3 columns: %+v, want one", bars)
	}
	if bars := layoutBars(nil, 80); bars != nil {
		t.Fatalf("no vitals gave %+v", bars)
	}
}

func TestTextOn(t *testing.T) {
	if textOn(rgb(0xffff00)) != rgb(0x000000) || textOn(rgb(0x2050d0)) != rgb(0xffffff) {
		t.Fatal("textOn picks the wrong text colour")
	}
}
