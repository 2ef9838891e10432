// Command drawbridge is the Drawbridge gateway: it serves the web terminal
// client over HTTPS and bridges each player's WebSocket to a telnet
// connection to the game.
//
// Usage:
//
//	drawbridge serve [flags]          run the gateway (with no backend, in front of the built-in demo game)
//	drawbridge config check [flags]   validate the configuration and print the effective settings
//	drawbridge user [flags] COMMAND   manage accounts (see drawbridge user -h)
//	drawbridge session [flags] COMMAND  list and revoke login sessions
//	drawbridge demo [flags]           run only the built-in demo game, for telnet clients
//	drawbridge health [flags]         exit 0 when the running gateway is ready, else say why
//	drawbridge version                print the version
//
// Settings come from the defaults, then the config file (-config, or
// $DRAWBRIDGE_CONFIG), then DRAWBRIDGE_* environment variables, then
// flags. main only parses the command line and environment; the work is
// in gateway/app.
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
	"github.com/drawbridge/drawbridge/gateway/internal/admincli"
	"github.com/drawbridge/drawbridge/gateway/internal/demo"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first signal starts a graceful shutdown; once it has, the
	// signal's default action is back, so a second Ctrl-C ends at once.
	context.AfterFunc(ctx, stop)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
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
  drawbridge serve [flags]          run the gateway; with no backend it fronts the built-in demo game
  drawbridge config check [flags]   validate the configuration and print the effective settings
  drawbridge user [flags] COMMAND   manage accounts: add, import, list, passwd, role, disable, enable, unlock, delete
  drawbridge session [flags] COMMAND  list and revoke login sessions
  drawbridge demo [flags]           run only the built-in demo game, for telnet clients
  drawbridge health [flags]         exit 0 when the running gateway is ready (its admin listener's /readyz), else say why
  drawbridge version                print the version

Settings come from the defaults, the config file (-config or $DRAWBRIDGE_CONFIG),
DRAWBRIDGE_* environment variables, and flags, each overriding the one before.
Run 'drawbridge <command> -h' for a command's flags.
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return usageError{"no command given"}
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		cfg, _, err := configure("drawbridge serve", rest, stderr, getenv)
		if err != nil {
			return err
		}
		cfg.Logger.Info("starting drawbridge", "version", version, "state_dir", cfg.StateDir)
		g, err := app.Start(ctx, cfg)
		if err != nil {
			return err
		}
		defer notifySystemd(ctx, g, cfg.Logger, getenv)()
		// SIGHUP reloads certificate files, as daemons do.
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		done := make(chan struct{})
		defer close(done)
		go func() {
			for {
				select {
				case <-hup:
					if err := g.Reload(); err != nil {
						cfg.Logger.Error("reload on SIGHUP failed; still serving the old certificate", "err", err)
					} else {
						cfg.Logger.Info("reloaded on SIGHUP")
					}
				case <-done:
					return
				}
			}
		}()
		return g.Wait()
	case "config":
		if len(rest) == 0 || rest[0] != "check" {
			return usageError{"usage: drawbridge config check [flags]"}
		}
		return configCheck(rest[1:], stdout, stderr, getenv)
	case "user", "session":
		return manage(ctx, cmd, rest, stdin, stdout, stderr, getenv)
	case "demo":
		return runDemo(ctx, rest, stderr)
	case "health":
		return health(ctx, rest, stdout, stderr, getenv)
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

// flagSetting is a setting that has a flag.
type flagSetting struct{ flag, setting, usage string }

// flagSettings are the settings that have flags: the common ones. Every
// setting has a config key and an environment variable.
func flagSettings() []flagSetting {
	return []flagSetting{
		{"domain", "web.domains", "public name(s) of the site, comma-separated; turns on Let's Encrypt certificates"},
		{"backend", "game.backend", "the game's telnet address, host:port; empty runs the built-in demo game"},
		{"https-addr", "web.https_addr", "HTTPS address (default :443 with -domain, else :8443)"},
		{"http-addr", "web.http_addr", `plain HTTP address for ACME and redirects (default :80 with -domain, else :8080; "off" turns it off)`},
		{"telnets-addr", "telnets.addr", "TLS telnet address for classic clients, e.g. :4001 (default off)"},
		{"demo-addr", "game.demo_addr", "address of the built-in demo game when there is no backend"},
		{"state-dir", "state_dir", "directory for the gateway's state (certificates, ACME account)"},
		{"email", "acme.email", "contact address for the certificate authority"},
		{"log-format", "log.format", "log format: text or json"},
		{"log-level", "log.level", "log level: debug, info, warn or error"},
	}
}

// configure turns the config file, the environment and the flags into a
// validated Config with a logger.
func configure(name string, args []string, stderr io.Writer, getenv func(string) string) (app.Config, []app.Setting, error) {
	cfg, settings, rest, err := configureArgs(name, args, stderr, getenv)
	if err == nil && len(rest) > 0 {
		err = usageError{fmt.Sprintf("%s: unexpected argument %q", name, rest[0])}
	}
	return cfg, settings, err
}

// configureArgs is configure for commands that take arguments after the
// flags (user and session commands take a verb); it returns them.
func configureArgs(name string, args []string, stderr io.Writer, getenv func(string) string) (app.Config, []app.Setting, []string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", getenv("DRAWBRIDGE_CONFIG"), "TOML config file (see deploy/drawbridge.toml)")
	flags := flagSettings()
	values := make([]string, len(flags))
	for i, f := range flags {
		fs.StringVar(&values[i], f.flag, "", f.usage)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return app.Config{}, nil, nil, err
		}
		return app.Config{}, nil, nil, usageError{err.Error()}
	}
	cfg, settings, err := app.Load(*path, getenv)
	if err != nil {
		return cfg, nil, nil, err
	}
	var errs []error
	fs.Visit(func(f *flag.Flag) {
		for i, fsg := range flags {
			if fsg.flag != f.Name {
				continue
			}
			if err := cfg.Set(fsg.setting, values[i]); err != nil {
				errs = append(errs, fmt.Errorf("-%s: %w", f.Name, err))
			}
			for j := range settings {
				if settings[j].Name == fsg.setting {
					settings[j].Source = "flag -" + f.Name
				}
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		return cfg, nil, nil, usageError{err.Error()}
	}
	if cfg.StateDir == "" {
		cfg.StateDir = defaultStateDir(getenv)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, settings, nil, fmt.Errorf("invalid configuration:\n%w", err)
	}
	cfg.Logger = newLogger(stderr, cfg.Log)
	return cfg, settings, fs.Args(), nil
}

// manage runs the user and session commands on the gateway's database.
func manage(ctx context.Context, cmd string, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, _, rest, err := configureArgs("drawbridge "+cmd, args, stderr, getenv)
	if err != nil {
		return err
	}
	// Quiet: the operator reads the command's own output.
	cfg.Logger = newLogger(stderr, app.LogConfig{Format: cfg.Log.Format, Level: "warn"})
	acc, err := app.OpenAccounts(ctx, cfg, app.AccountHooks{})
	if err != nil {
		return err
	}
	defer acc.Close()
	io := admincli.IO{In: stdin, Out: stdout, Err: stderr}
	if cmd == "user" {
		err = admincli.User(ctx, acc.Service, rest, io)
	} else {
		err = admincli.Session(ctx, acc.Service, rest, io)
	}
	var ue admincli.UsageError
	if errors.As(err, &ue) {
		return usageError{ue.Msg}
	}
	return err
}

// configCheck validates the configuration and prints the effective
// settings, with where each came from.
func configCheck(args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, settings, err := configure("drawbridge config check", args, stderr, getenv)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "# drawbridge: the configuration is valid. Effective settings:")
	if err := cfg.WriteTOML(stdout, settings); err != nil {
		return err
	}
	return nil
}

func runDemo(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("drawbridge demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:4000", "address the demo game listens on")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log := newLogger(stderr, app.LogConfig{Format: "text", Level: "info"})
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

// newLogger builds the logger the configuration asks for (already
// validated).
func newLogger(w io.Writer, c app.LogConfig) *slog.Logger {
	var lv slog.Level
	lv.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{
		Level: lv,
		// Durations as "1.5s", not JSON's nanosecond integers.
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Value.Kind() == slog.KindDuration {
				return slog.String(a.Key, a.Value.Duration().String())
			}
			return a
		},
	}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
