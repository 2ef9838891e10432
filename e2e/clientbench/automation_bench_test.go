package main

import (
	"testing"

	"github.com/drawbridge/drawbridge/wasmclient/automation"
)

// BenchmarkAutomatedStream runs the automation run's model over the
// benchmark's stream as the client does (automation.Stream, 4 KiB
// messages), to tell its cost apart from the page's.
func BenchmarkAutomatedStream(b *testing.B) {
	js, err := benchModel()
	if err != nil {
		b.Fatal(err)
	}
	m, err := automation.ImportJSON([]byte(js))
	if err != nil {
		b.Fatal(err)
	}
	e, err := automation.New(m, automation.Options{Separator: ";;"})
	if err != nil {
		b.Fatal(err)
	}
	stream, err := mudStream(1, 1<<20)
	if err != nil {
		b.Fatal(err)
	}
	chunks, err := splitStream(stream, 4<<10)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		s := automation.NewStream(e)
		for _, c := range chunks {
			s.Write(c)
		}
		s.Flush()
	}
}
