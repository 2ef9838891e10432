package pebble

import (
	"net/http"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestStart checks that Pebble comes up with a directory, an issuing root,
// and a counting client.
func TestStart(t *testing.T) {
	s := Start(t, Options{})
	if s.Roots() == nil || s.APIRoots() == nil {
		t.Fatal("no roots")
	}
	res, err := s.HTTPClient().Get(s.DirectoryURL())
	if err != nil {
		t.Fatalf("GET directory: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET directory: got %v, want %v", res.StatusCode, http.StatusOK)
	}
	if got, want := s.Requests(), 1; got != want {
		t.Errorf("Requests() = %v, want %v", got, want)
	}
	if got, want := s.Orders(), 0; got != want {
		t.Errorf("Orders() = %v, want %v", got, want)
	}
}
