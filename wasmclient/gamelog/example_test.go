package gamelog_test

import (
	"fmt"
	"os"
	"time"

	"github.com/drawbridge/drawbridge/wasmclient/gamelog"
)

func Example() {
	start := time.Date(2025, 3, 1, 20, 15, 4, 0, time.UTC)
	log := gamelog.New(gamelog.Config{Now: func() time.Time { return start }})

	log.Write([]byte("\x1b[1;36mThe Temple Square\x1b[0m\r\n\x1b[32m<100hp>\x1b[0m"))
	log.Prompt() // the game sent GA
	log.Input("look north")
	log.Write([]byte("Loading 10%\rLoading 100%\r\n"))

	for _, ln := range log.TakeNew() {
		fmt.Printf("%-6s %q\n", ln.Kind, ln.Text)
	}
	if err := log.WriteText(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// output "The Temple Square"
	// prompt "<100hp>"
	// input  "look north"
	// output "Loading 100%"
	// -- Log started 2025-03-01 20:15:04 +0000 --
	// The Temple Square
	// <100hp>
	// > look north
	// Loading 100%
}
