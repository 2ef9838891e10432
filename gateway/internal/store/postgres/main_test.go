package postgres

import (
	"os"
	"testing"

	"github.com/drawbridge/drawbridge/e2e/pgserver"
)

// pg is the server the package's tests share; tests that stop it start
// their own.
var pg pgserver.Shared

// TestMain stops the shared server and fails the package's tests if they
// leave goroutines running, such as a pool never closed or a Listen that
// did not return.
func TestMain(m *testing.M) { os.Exit(pg.Run(m)) }
