//go:build !js

package main

import (
	"fmt"
	"os"
)

// main explains itself when the client is built for a desktop by mistake:
// it runs only in a browser.
func main() {
	fmt.Fprintln(os.Stderr, "the Drawbridge client runs in a browser: build it with GOOS=js GOARCH=wasm (make wasm)")
	os.Exit(2)
}
