package sqlite

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if they leave goroutines running,
// such as a database/sql pool that was never closed.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
