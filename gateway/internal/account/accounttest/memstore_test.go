package accounttest

import (
	"testing"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
)

func TestMemStore(t *testing.T) {
	StoreTest(t, func(t *testing.T) account.Store { return NewMemStore() })
}
