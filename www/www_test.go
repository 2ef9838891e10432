package www

import (
	"io/fs"
	"regexp"
	"testing"

	"github.com/drawbridge/drawbridge/shared/i18n"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// TestFrontDoorHasEveryLoginReason: the front door shows its own sentence
// for each code the gateway sends players back with (front.reason.CODE in
// the message catalogue, in every language), and for nothing else
// (findings of the security review: ?reason= once showed any text).
func TestFrontDoorHasEveryLoginReason(t *testing.T) {
	b, err := fs.ReadFile(FS(), "front.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range wire.LoginReasons() {
		key := "front.reason." + string(r)
		if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(string(r)) + `: "` + regexp.QuoteMeta(key) + `",$`).Match(b) {
			t.Errorf("front.js has no sentence (%s) for the login reason %q", key, r)
		}
		for _, lang := range i18n.Langs() {
			if !i18n.For(lang).Has(key) {
				t.Errorf("%s: the catalogue has no sentence %s", lang, key)
			}
		}
	}
	if regexp.MustCompile(`notice\(params\.get|textContent = params|t\(params\.get`).Match(b) {
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
