// Command drawbridge is the Drawbridge gateway: it serves the web terminal
// client over HTTPS and bridges each player's WebSocket to a telnet
// connection to the game.
//
// Usage:
//
//	drawbridge serve [flags]                 run the gateway (with no backend, in front of the built-in demo game)
//	drawbridge config check [flags]          validate the configuration and print the effective settings
//	drawbridge reload [flags]                make the running gateway read its configuration again
//	drawbridge user VERB [flags] [ARGS]      manage accounts (drawbridge user -h lists the verbs)
//	drawbridge session VERB [flags] [ARGS]   list and end login sessions
//	drawbridge backup [flags] FILE           copy the account database while the gateway runs
//	drawbridge demo [flags]                  run only the built-in demo game, for telnet clients
//	drawbridge health [flags]                exit 0 when the running gateway is ready, else say why
//	drawbridge completion bash|zsh           print a shell completion script
//	drawbridge version                       print the version
//
// Settings come from the defaults, then the config file (-config, else
// $DRAWBRIDGE_CONFIG, else /etc/drawbridge/drawbridge.toml when it
// exists), then DRAWBRIDGE_* environment variables, then flags. Flags may
// come before or after a command's verb and arguments. The commands table
// (commands.go) is the one list of commands, verbs and flags that the
// usage, the help and shell completion are made from. main only parses
// the command line and environment; the work is in gateway/app.
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
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ())
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

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText())
		return usageError{"no command given"}
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		cfg, _, err := configure("drawbridge serve", rest, stderr, environ)
		if err != nil {
			return err
		}
		cfg.Logger.Info("starting drawbridge", "version", version, "state_dir", cfg.StateDir)
		// A reload reads the same sources again: the file, the
		// environment, these flags.
		cfg.Reread = func() (app.Config, error) {
			c, _, err := configure("drawbridge serve", rest, io.Discard, environ)
			return c, err
		}
		g, err := app.Start(ctx, cfg)
		if err != nil {
			return err
		}
		defer notifySystemd(ctx, g, cfg.Logger, environ)()
		// SIGHUP reloads the configuration, as daemons do (and so does
		// `drawbridge reload`); Reload logs what it did.
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		done := make(chan struct{})
		defer close(done)
		go func() {
			for {
				select {
				case <-hup:
					g.Reload()
				case <-done:
					return
				}
			}
		}()
		return g.Wait()
	case "config":
		if len(rest) > 0 && isHelp(rest[0]) {
			fmt.Fprintln(stdout, "Usage: drawbridge config check [flags]\n\nValidate the configuration and print the effective settings ('drawbridge config check -h' lists the flags).")
			return nil
		}
		if len(rest) == 0 || rest[0] != "check" {
			return usageError{"usage: drawbridge config check [flags]"}
		}
		return configCheck(rest[1:], stdout, stderr, environ)
	case "user", "session":
		return manage(ctx, cmd, rest, stdin, stdout, stderr, environ)
	case "reload":
		return reload(ctx, rest, stdout, stderr, environ)
	case "demo":
		return runDemo(ctx, rest, stderr)
	case "health":
		return health(ctx, rest, stdout, stderr, environ)
	case "backup":
		return backup(ctx, rest, stdout, stderr, environ)
	case "completion":
		return completion(rest, stdout)
	case "version", "-version", "--version", "-v":
		fmt.Fprintln(stdout, "drawbridge", version)
		return nil
	case "help", "-h", "-help", "--help":
		return help(ctx, rest, stdin, stdout, stderr, environ)
	default:
		fmt.Fprint(stderr, usageText())
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
func configure(name string, args []string, stderr io.Writer, environ []string) (app.Config, []app.Setting, error) {
	cfg, settings, rest, err := configureArgs(name, args, stderr, environ)
	if len(rest) > 0 && !errors.Is(err, flag.ErrHelp) {
		// A stray argument first: it may be why the rest went wrong.
		err = usageError{fmt.Sprintf("%s: unexpected argument %q", name, rest[0])}
	}
	return cfg, settings, err
}

// configureArgs is configure for commands that take arguments: flags may
// come before, between and after them; it returns the arguments, also
// when the configuration is wrong.
func configureArgs(name string, args []string, stderr io.Writer, environ []string) (app.Config, []app.Setting, []string, error) {
	fs := newFlagSet(name, "[flags]", stderr)
	cf := addConfigFlags(fs)
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return app.Config{}, nil, rest, err
	}
	cfg, settings, _, err := cf.load(environ, stderr)
	return cfg, settings, rest, err
}

// manage runs the user and session commands on the gateway's database.
// Every flag and argument is checked before anything is opened; then it
// says which database it is about to change, and why that one.
func manage(ctx context.Context, cmd string, args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string) error {
	c, _ := admincli.Find(cmd)
	fs := newFlagSet("drawbridge "+cmd, "VERB [flags] [ARGS]", stderr)
	fs.Usage = func() {} // the verbs' help, below, says more
	cf := addConfigFlags(fs)
	verbFlags := map[string]*string{}
	for _, f := range c.Flags() {
		verbFlags[f.Name] = fs.String(f.Name, "", f.Usage)
	}
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		if len(pos) > 0 {
			if v, ok := c.Verb(pos[0]); ok {
				fmt.Fprint(stdout, c.VerbUsage(v, commonFlagsHelp))
				return nil
			}
		}
		fmt.Fprint(stdout, c.Usage(commonFlagsHelp))
		return nil
	}
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		fmt.Fprint(stderr, c.Usage(commonFlagsHelp))
		return usageError{cmd + ": no verb given"}
	}
	given := map[string]string{}
	fs.Visit(func(f *flag.Flag) {
		if p, ok := verbFlags[f.Name]; ok {
			given[f.Name] = *p
		}
	})
	call, err := c.NewCall(pos[0], pos[1:], given)
	var ue admincli.UsageError
	if errors.As(err, &ue) {
		return usageError{ue.Msg}
	}
	if err != nil {
		return err
	}
	cfg, _, origin, err := cf.load(environ, stderr)
	if err != nil {
		return err
	}
	if err := origin.announce(stderr, cfg, "accounts in"); err != nil {
		return err
	}
	// Quiet: the operator reads the command's own output.
	cfg.Logger = newLogger(stderr, app.LogConfig{Format: cfg.Log.Format, Level: "warn"})
	acc, err := app.OpenExistingAccounts(ctx, cfg)
	if err != nil {
		return err
	}
	defer acc.Close()
	err = admincli.Run(ctx, acc.Service, call, admincli.IO{In: stdin, Out: stdout, Err: stderr, Site: cfg.SiteURL()})
	if errors.As(err, &ue) {
		return usageError{ue.Msg}
	}
	return err
}

// configCheck validates the configuration and prints the effective
// settings, with where each came from.
func configCheck(args []string, stdout, stderr io.Writer, environ []string) error {
	fs := newFlagSet("drawbridge config check", "[flags]", stderr)
	cf := addConfigFlags(fs)
	online := fs.Bool("online", false, "also check from here what the ACME CA will need: DNS, ports 80/443, the CA's directory")
	rest, err := parseInterspersed(fs, args)
	if err == nil && len(rest) > 0 {
		err = usageError{fmt.Sprintf("drawbridge config check: unexpected argument %q", rest[0])}
	}
	if err != nil {
		return err
	}
	cfg, settings, _, err := cf.load(environ, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "# drawbridge: the configuration is valid. Effective settings:")
	if err := cfg.WriteTOML(stdout, settings); err != nil {
		return err
	}
	if *online {
		fmt.Fprintln(stdout, "# drawbridge: online checks (what the ACME CA will need):")
		return app.Preflight(context.Background(), cfg, stdout)
	}
	return nil
}

func runDemo(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlagSet("drawbridge demo", "[flags]", stderr)
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
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), rest[0])}
	}
	return nil
}

// newLogger builds the logger the configuration asks for (already
// validated); a reload changes its format and level.
func newLogger(w io.Writer, c app.LogConfig) *slog.Logger { return app.NewLogger(w, c) }
