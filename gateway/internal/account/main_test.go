package account

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if they leave goroutines running
// (Run's ticker loop, hashing).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
