// Command drawbridge is the Drawbridge gateway: it serves the web terminal
// client over HTTPS and bridges each player's WebSocket to a telnet
// connection to the game.
//
// Usage:
//
//	drawbridge serve [flags]   run the gateway (with no -backend, in front of the built-in demo game)
//	drawbridge demo [flags]    run only the built-in demo game, for telnet clients
//	drawbridge version         print the version
//
// main only parses the command line and environment; the work is in
// gateway/app.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/drawbridge/drawbridge/gateway/app"
	"github.com/drawbridge/drawbridge/gateway/internal/demo"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first signal starts a graceful shutdown; once it has, the
	// signal's default action is back, so a second Ctrl-C ends at once.
	context.AfterFunc(ctx, stop)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	var usage usageError
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.As(err, &usage):
		fmt.Fprintln(os.Stderr, "drawbridge:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "drawbridge:", err)
		os.Exit(1)
	}
}

// usageError marks a mistake on the command line (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usageText = `Drawbridge puts a telnet game on the web.

Usage:
  drawbridge serve [flags]   run the gateway; with no -backend it fronts the built-in demo game
  drawbridge demo [flags]    run only the built-in demo game, for telnet clients
  drawbridge version         print the version

Run 'drawbridge <command> -h' for a command's flags.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return usageError{"no command given"}
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return serve(ctx, rest, stderr, getenv)
	case "demo":
		return runDemo(ctx, rest, stderr)
	case "version":
		fmt.Fprintln(stdout, "drawbridge", version)
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usageText)
		return nil
	default:
		fmt.Fprint(stderr, usageText)
		return usageError{fmt.Sprintf("unknown command %q", cmd)}
	}
}

func serve(ctx context.Context, args []string, stderr io.Writer, getenv func(string) string) error {
	cfg := app.Default()
	fs := flag.NewFlagSet("drawbridge serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.HTTPSAddr, "https-addr", cfg.HTTPSAddr, "address for HTTPS (the web client and its WebSocket)")
	fs.StringVar(&cfg.HTTPAddr, "http-addr", cfg.HTTPAddr, "address for plain HTTP redirects to HTTPS; empty turns it off")
	fs.StringVar(&cfg.Backend, "backend", cfg.Backend, "the game's telnet address, host:port; empty runs the built-in demo game")
	fs.StringVar(&cfg.DemoAddr, "demo-addr", cfg.DemoAddr, "address of the built-in demo game when -backend is empty")
	fs.StringVar(&cfg.StateDir, "state-dir", defaultStateDir(getenv), "directory for the gateway's state (certificates)")
	hosts := fs.String("tls-host", strings.Join(cfg.TLSHosts, ","), "comma-separated names the self-signed certificate covers")
	fs.DurationVar(&cfg.DialTimeout, "dial-timeout", cfg.DialTimeout, "how long to wait for the game to answer")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", cfg.IdleTimeout, "disconnect players silent this long; negative turns it off")
	fs.DurationVar(&cfg.WriteTimeout, "write-timeout", cfg.WriteTimeout, "disconnect a player (or give up on the game) when nothing can be written for this long")
	fs.IntVar(&cfg.MaxPlayers, "max-players", cfg.MaxPlayers, "most players connected at once; negative: no limit")
	fs.IntVar(&cfg.MaxPlayersPerAddr, "max-players-per-addr", cfg.MaxPlayersPerAddr, "most players from one network address; negative: no limit")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "how long a graceful shutdown may take")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log, err := newLogger(stderr, *logFormat, *logLevel)
	if err != nil {
		return err
	}
	cfg.TLSHosts = splitList(*hosts)
	cfg.Logger = log
	log.Info("starting drawbridge", "version", version, "state_dir", cfg.StateDir)
	return app.Run(ctx, cfg)
}

func runDemo(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("drawbridge demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:4000", "address the demo game listens on")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log, _ := newLogger(stderr, "text", "info")
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("demo game: %w", err)
	}
	log.Info("demo game listening", "addr", ln.Addr().String())
	return demo.New(demo.Config{Logger: log}).Serve(ctx, ln)
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}

// defaultStateDir follows systemd's StateDirectory= and the XDG base
// directory convention, in that order.
func defaultStateDir(getenv func(string) string) string {
	if d := getenv("STATE_DIRECTORY"); d != "" {
		return strings.Split(d, ":")[0]
	}
	if d := getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "drawbridge")
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".local", "state", "drawbridge")
	}
	return "drawbridge-state"
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{fmt.Sprintf("-log-level: %v", err)}
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageError{fmt.Sprintf("-log-format: want text or json, got %q", format)}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
