package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// config check refuses what used to be taken silently: a misspelt
// DRAWBRIDGE_* variable and a duration without a unit, from the file or
// the environment, each named with its source and how to write it.
func TestConfigCheckRefusesGuesses(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "drawbridge.toml")
	if err := os.WriteFile(path, []byte("state_dir = \""+dir+"\"\n[game]\ndial_timeout = 10\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		environ []string
		want    []string
	}{
		{"file", []string{"DRAWBRIDGE_CONFIG=" + path},
			[]string{"config file " + path + ": game.dial_timeout: 10 has no unit: write \"10s\""}},
		{"environment", []string{"DRAWBRIDGE_STATE_DIR=" + dir, "DRAWBRIDGE_PLAYERS_IDLE_TIMEOUT=30"},
			[]string{`DRAWBRIDGE_PLAYERS_IDLE_TIMEOUT (setting players.idle_timeout): "30" has no unit: write "30s"`}},
		{"misspelt variable", []string{"DRAWBRIDGE_STATE_DIR=" + dir, "DRAWBRIDGE_WEB_DOMAIN=play.example.org"},
			[]string{"DRAWBRIDGE_WEB_DOMAIN: no such setting; did you mean DRAWBRIDGE_WEB_DOMAINS?"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), []string{"config", "check"}, strings.NewReader(""), &out, &errOut, tc.environ)
			if err == nil {
				t.Fatalf("config check passed:\n%s", out.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q, want it to say %q", err, w)
				}
			}
		})
	}
}
