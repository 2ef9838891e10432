package gamelog

import (
	"slices"
	"strings"
	"testing"
)

// FuzzWrite writes any output: it must never panic; fed a byte at a time
// it must log what it logs all at once; the bounds must hold; WriteText
// must write valid UTF-8 without control characters but '\n'; WriteHTML
// must write the fixed head, only its own spans, and the same text
// escaped. ops picks prompts and commands between two writes.
func FuzzWrite(f *testing.F) {
	for _, tt := range writeTests {
		f.Add([]byte(strings.Join(tt.in, "")), uint8(0))
	}
	f.Add([]byte("<script>alert('x')</script>\x1b[31m\"&\r\n"), uint8(3))
	f.Add([]byte("\x1b]8;;https://x.test/\x1b\\link\x1b]8;;\x1b\\\t\x1b[38;2;1;2;3mok\x1b[K\r\x08x"), uint8(1))
	f.Add(mudOutput(2000), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, ops uint8) {
		whole, bytewise := newTestLog(), newTestLog()
		whole.max, bytewise.max = 4096, 4096 // in-package: small, so lines are dropped
		whole.Write(data)
		for i := range data {
			bytewise.Write(data[i : i+1])
		}
		if got, want := dump(bytewise), dump(whole); !slices.Equal(got, want) {
			t.Fatalf("Write(%q): byte at a time got %q, all at once %q", data, got, want)
		}
		checkBounds(t, whole)
		if ops&1 != 0 {
			whole.Prompt()
		}
		if ops&2 != 0 {
			whole.Input(string(data))
		}
		if ops&4 != 0 {
			whole.TakeNew()
		}
		whole.Write(data)
		checkBounds(t, whole)
		text := textOf(t, whole)
		checkText(t, text)
		checkHTML(t, htmlOf(t, whole, string(data)), text, string(data))
		for _, ln := range whole.TakeNew() {
			if strings.ContainsAny(ln.Text, "\n\t\x1b") {
				t.Fatalf("TakeNew gave %q", ln.Text)
			}
		}
		checkText(t, Plain(data)+"\n")
	})
}
