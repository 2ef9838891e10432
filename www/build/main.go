// Command build makes the web client's dist directory, which the gateway
// embeds and serves: it builds wasmclient for js/wasm, takes wasm_exec.js
// from the same Go toolchain, and writes each under a content-hashed name
// (client.<hash>.wasm, wasm_exec.<hash>.js) with a brotli (.br) and a gzip
// (.gz) twin, then manifest.json, which maps the logical names to the
// hashed ones, and removes the files of earlier builds. It prints the raw,
// gzip and brotli sizes.
//
// Run it from the module root; `make wasm` and the e2e tests do:
//
//	go run ./www/build [-o www/dist] [-pkg ./wasmclient] [-go go]
//
// Browsers cache the hashed names for a year without asking again
// (gateway/internal/web, static.go), so a name must never be reused for
// other content: the hash is the first 16 hex digits of the SHA-256 of the
// raw file, and the gateway checks it at start. The compressed twins are
// made here once, at the highest settings, rather than by the gateway on
// each request. They are deterministic (gzip without name or time), and a
// build whose client did not change keeps the twins already written, which
// saves the half minute that brotli takes over the wasm.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
)

// config is what the flags set.
type config struct {
	out   string // the dist directory
	pkg   string // the client's package
	goCmd string // the go command, which also supplies wasm_exec.js
	names bool   // keep the symbol names, for CPU profiles
}

func main() {
	var cfg config
	flag.StringVar(&cfg.out, "o", "www/dist", "the `directory` to write the client into")
	flag.StringVar(&cfg.pkg, "pkg", "./wasmclient", "the client's `package`")
	flag.StringVar(&cfg.goCmd, "go", "go", "the go `command` that builds the client and supplies wasm_exec.js")
	flag.BoolVar(&cfg.names, "names", false, "keep the function names (not stripped), so a browser's CPU profile names Go's functions; a larger module")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: go run ./www/build [-o dir] [-pkg package] [-go command] [-names]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "www/build:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config, stdout io.Writer) error {
	wasm, err := buildClient(ctx, cfg.goCmd, cfg.pkg, cfg.names)
	if err != nil {
		return err
	}
	js, err := wasmExec(ctx, cfg.goCmd)
	if err != nil {
		return err
	}
	files, err := pack(cfg.out, []asset{{"client.wasm", wasm}, {"wasm_exec.js", js}})
	if err != nil {
		return fmt.Errorf("write %s: %w", cfg.out, err)
	}
	return printSizes(stdout, cfg.out, files)
}

// buildClient compiles the client for the browser, stripped (-s -w: no
// symbol table or DWARF, which the browser never uses; with names, only
// -w, so the module keeps its name section for profiles) and without
// local paths, and returns the module.
func buildClient(ctx context.Context, goCmd, pkg string, names bool) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "drawbridge-wasm-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "client.wasm")
	ldflags := "-ldflags=-s -w"
	if names {
		ldflags = "-ldflags=-w"
	}
	cmd := exec.CommandContext(ctx, goCmd, "build", "-trimpath", ldflags, "-o", out, pkg)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build %s for js/wasm: %w\n%s", pkg, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return nil, fmt.Errorf("read the built client: %w", err)
	}
	return b, nil
}

// wasmExec returns the JavaScript support file of the toolchain that
// built the client; another version's would not run it.
func wasmExec(ctx context.Context, goCmd string) ([]byte, error) {
	root, err := exec.CommandContext(ctx, goCmd, "env", "GOROOT").Output()
	if err != nil {
		return nil, fmt.Errorf("%s env GOROOT: %w", goCmd, err)
	}
	name := filepath.Join(strings.TrimSpace(string(root)), "lib", "wasm", "wasm_exec.js")
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read wasm_exec.js: %w", err)
	}
	return b, nil
}

// printSizes reports what was written, in MB of 10^6 bytes.
func printSizes(w io.Writer, dir string, files []packed) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\traw\tgzip\tbrotli\t\n", dir)
	for _, f := range files {
		note := ""
		if f.reused {
			note = "  (twins kept from an earlier build)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.name, mb(f.raw), mb(f.gzip), mb(f.brotli), note)
	}
	return tw.Flush()
}

func mb(n int64) string { return fmt.Sprintf("%.3f MB", float64(n)/1e6) }
