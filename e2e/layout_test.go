package e2e

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/drawbridge/drawbridge"

type pkg struct {
	ImportPath string
	Name       string
	Doc        string
	Standard   bool
	Imports    []string
	Deps       []string
}

// goList runs `go list -json` from the module root with extra environment
// (GOOS=js for the browser-only packages).
func goList(t *testing.T, env []string, args ...string) []pkg {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-json"}, args...)...)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list %v: %v\n%s", args, err, ee.Stderr)
		}
		t.Fatalf("go list %v: %v", args, err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

var wasmEnv = []string{"GOOS=js", "GOARCH=wasm"}

// ours lists the module's own packages, as built natively and for the
// browser.
func ours(t *testing.T) []pkg {
	pkgs := goList(t, nil, "./...")
	seen := map[string]bool{}
	for _, p := range pkgs {
		seen[p.ImportPath] = true
	}
	for _, p := range goList(t, wasmEnv, "./wasmclient/...", "./shared/...") {
		if !seen[p.ImportPath] {
			pkgs = append(pkgs, p)
		}
	}
	return pkgs
}

// TestEveryPackageDocumented keeps the habit of a doc comment on every
// package.
func TestEveryPackageDocumented(t *testing.T) {
	t.Parallel()
	for _, p := range ours(t) {
		if strings.TrimSpace(p.Doc) == "" {
			t.Errorf("package %s has no package doc comment", p.ImportPath)
		}
	}
}

// TestImportRules checks the design's import rules.
func TestImportRules(t *testing.T) {
	t.Parallel()
	for _, p := range ours(t) {
		rel := strings.TrimPrefix(p.ImportPath, module+"/")
		for _, imp := range p.Imports {
			irel, mine := strings.CutPrefix(imp, module+"/")
			switch {
			case strings.HasPrefix(rel, "shared/") && !isStd(imp):
				t.Errorf("%s imports %s: shared/ (the wire package and the message catalogue) imports only the standard library", rel, imp)
			case strings.HasPrefix(rel, "gateway") && mine && strings.HasPrefix(irel, "wasmclient"):
				t.Errorf("%s imports %s: the gateway never imports the client", rel, imp)
			case strings.HasPrefix(rel, "wasmclient") && mine && strings.HasPrefix(irel, "gateway"):
				t.Errorf("%s imports %s: the client never imports the gateway", rel, imp)
			case strings.HasPrefix(rel, "gateway/internal/") && irel == "gateway/app":
				t.Errorf("%s imports %s: internal packages never import app", rel, imp)
			case strings.HasPrefix(rel, "wasmclient/term") && (mine || imp == "syscall/js"):
				t.Errorf("%s imports %s: the terminal model imports nothing of ours and no syscall/js", rel, imp)
			}
		}
	}
}

// TestGatewayBinaryDeps keeps the browser's and the tests' libraries out of
// the gateway binary.
func TestGatewayBinaryDeps(t *testing.T) {
	t.Parallel()
	bin := goList(t, nil, "-deps", "./gateway")
	for _, p := range bin {
		for _, banned := range []string{"github.com/hajimehoshi/ebiten", "github.com/chromedp", module + "/wasmclient"} {
			if strings.HasPrefix(p.ImportPath, banned) {
				t.Errorf("the gateway binary links %s", p.ImportPath)
			}
		}
		if p.ImportPath == "testing" {
			t.Error("the gateway binary links package testing")
		}
	}
}

// TestTopLevelLayout keeps the repository's top level to the design's
// entries (plus dotfiles and LICENSE).
func TestTopLevelLayout(t *testing.T) {
	t.Parallel()
	allowed := []string{"gateway", "wasmclient", "shared", "www", "deploy", "e2e", "go.mod", "go.sum", "Makefile", "README.md", "LICENSE"}
	out, err := exec.Command("git", "-C", "..", "ls-files").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	for _, f := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		top, _, _ := strings.Cut(f, "/")
		if top == "" || strings.HasPrefix(top, ".") {
			continue
		}
		if !slices.Contains(allowed, top) {
			t.Errorf("top-level entry %q is not in the design's layout", top)
		}
	}
}

func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// TestCloudInitCarriesTheUnit keeps the systemd unit that cloud-init
// writes identical to deploy/drawbridge.service.
func TestCloudInitCarriesTheUnit(t *testing.T) {
	t.Parallel()
	unit, err := os.ReadFile("../deploy/drawbridge.service")
	if err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile("../deploy/cloud-init.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var indented strings.Builder
	for _, l := range strings.Split(strings.TrimRight(string(unit), "\n"), "\n") {
		if l != "" {
			indented.WriteString("      " + l)
		}
		indented.WriteString("\n")
	}
	if !strings.Contains(string(ci), indented.String()) {
		t.Fatal("deploy/cloud-init.yaml does not carry deploy/drawbridge.service verbatim: copy it again")
	}
}
