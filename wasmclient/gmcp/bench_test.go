package gmcp

import "testing"

// BenchmarkApply measures the messages a game sends most: IRE's
// Char.Vitals, sent with every prompt, and Room.Info, with every step.
func BenchmarkApply(b *testing.B) {
	for _, bm := range []struct{ name, msg string }{
		{"vitals", vitalsTests[0].steps[0].msg},
		{"room", roomTests[0].msg},
	} {
		b.Run(bm.name, func(b *testing.B) {
			msg := []byte(bm.msg)
			var s State
			b.ReportAllocs()
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				if _, err := s.Apply(msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
