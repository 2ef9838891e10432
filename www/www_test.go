package www

import (
	"io/fs"
	"regexp"
	"testing"

	"github.com/drawbridge/drawbridge/shared/wire"
)

// TestFrontDoorHasEveryLoginReason: the front door shows its own sentence
// for each code the gateway sends players back with, and nothing else
// (findings of the security review: ?reason= once showed any text).
func TestFrontDoorHasEveryLoginReason(t *testing.T) {
	b, err := fs.ReadFile(FS(), "front.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range wire.LoginReasons() {
		if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(string(r)) + `: "[^"]+",$`).Match(b) {
			t.Errorf("front.js has no sentence for the login reason %q", r)
		}
	}
	if regexp.MustCompile(`notice\(params\.get|textContent = params`).Match(b) {
		t.Error("front.js shows text from the address bar")
	}
}
