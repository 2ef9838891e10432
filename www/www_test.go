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

// TestPagesUseRelativeURLs: the site may live under a path prefix
// (web.base_path), so no page or script names a path from the root: an
// absolute "/api/..." would miss the prefix and reach the game's own site.
func TestPagesUseRelativeURLs(t *testing.T) {
	abs := regexp.MustCompile(`(?:href|src)="/|(?:fetch|assign|api)\(\s*(?:"[A-Z]+",\s*)?"/|location\.href\s*=\s*"/`)
	for _, name := range []string{"index.html", "play.html", "api.js", "front.js", "play.js", "loader.js"} {
		b, err := fs.ReadFile(FS(), name)
		if err != nil {
			t.Fatal(err)
		}
		if m := abs.Find(b); m != nil {
			t.Errorf("%s refers to a path from the site's root: %q", name, m)
		}
	}
}
