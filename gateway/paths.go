package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// wellKnownConfig is the config file every command reads when neither
// -config nor $DRAWBRIDGE_CONFIG names one and the file exists: where the
// systemd unit's ExecStart= points, so that `drawbridge user add` run on
// the server finds the service's settings without being told. Tests (and
// packagers) change it at build time:
// -ldflags "-X main.wellKnownConfig=/some/other/drawbridge.toml".
var wellKnownConfig = "/etc/drawbridge/drawbridge.toml"

// wellKnownStateDir is the state directory of a gateway installed on a
// server: the unit's StateDirectory=. It is the default state_dir when the
// well-known config was read.
var wellKnownStateDir = "/var/lib/drawbridge"

// configFile says which config file to read, and why: the -config flag
// (given says it was given, "" meaning none), else $DRAWBRIDGE_CONFIG,
// else the well-known file when it exists, else none.
func configFile(flagValue string, given bool, getenv func(string) string) (path, why string) {
	switch {
	case given:
		return flagValue, "-config"
	case getenv("DRAWBRIDGE_CONFIG") != "":
		return getenv("DRAWBRIDGE_CONFIG"), "$DRAWBRIDGE_CONFIG"
	}
	if fi, err := os.Stat(wellKnownConfig); err == nil && !fi.IsDir() {
		return wellKnownConfig, "the default config file"
	}
	return "", ""
}

// errNoStateDir is defaultStateDir's error when nothing says where the
// state directory is.
var errNoStateDir = errors.New(`state_dir: not set, and there is no $HOME (or $XDG_STATE_HOME, $STATE_DIRECTORY) to put it under; set state_dir in the config file, DRAWBRIDGE_STATE_DIR or -state-dir`)

// defaultStateDir picks the state directory when the configuration does
// not set state_dir, and says why: systemd's $STATE_DIRECTORY; the
// server's /var/lib/drawbridge when the well-known config was read (the
// service's directory, also for root, never root's home); else the XDG
// base directory convention. Being root is not a reason on its own: a
// developer or a container running as root keeps $HOME's directory, and
// on a server the well-known config is what points every command at the
// service's. It is always an absolute path: relative variables are
// ignored, as the XDG specification says.
func defaultStateDir(getenv func(string) string, wellKnown bool) (dir, why string, err error) {
	abs := func(name string) string {
		if v := getenv(name); filepath.IsAbs(v) {
			return v
		}
		return ""
	}
	if d := strings.Split(getenv("STATE_DIRECTORY"), ":")[0]; filepath.IsAbs(d) {
		return d, "$STATE_DIRECTORY", nil
	}
	if wellKnown {
		return wellKnownStateDir, "the default with the default config file", nil
	}
	if d := abs("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "drawbridge"), "$XDG_STATE_HOME", nil
	}
	if home := abs("HOME"); home != "" {
		return filepath.Join(home, ".local", "state", "drawbridge"), "$HOME", nil
	}
	return "", "", errNoStateDir
}
