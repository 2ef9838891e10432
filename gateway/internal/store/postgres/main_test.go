package postgres

import (
	"fmt"
	"os"
	"testing"

	"github.com/drawbridge/drawbridge/e2e/pgserver"
	"go.uber.org/goleak"
)

// pg is the server the package's tests share; tests that stop it start
// their own.
var pg pgserver.Shared

// TestMain stops the shared server and fails the package's tests if they
// leave goroutines running, such as a pool never closed or a Listen that
// did not return.
func TestMain(m *testing.M) {
	code := m.Run()
	if err := pg.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}
