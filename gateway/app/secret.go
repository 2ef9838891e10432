package app

import (
	"fmt"
	"os"
	"strings"
)

// readSecret reads a secret from a file, trimming the final newline that
// editors add. Empty path: nil.
func readSecret(setting, path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", setting, unwrapPath(err))
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return nil, fmt.Errorf("%s: %s is empty", setting, path)
	}
	return []byte(s), nil
}
