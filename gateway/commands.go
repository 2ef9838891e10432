package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/drawbridge/drawbridge/gateway/app"
	"github.com/drawbridge/drawbridge/gateway/internal/admincli"
)

// command is a top-level command: its line in the usage and what shell
// completion offers after it. With the verbs of admincli.Commands it is
// the one table the usage, the help and completion are made from.
type command struct {
	name    string // "serve", "config check"
	args    string // "[flags]"
	summary string
	// config: the command takes the configuration's flags (-config,
	// -state-dir, ...).
	config bool
	// flags are the command's own flags, beside the configuration's.
	flags []string
	// values are what completion offers as the first argument.
	values []string
}

// commands are the top-level commands, in the usage's order.
func commands() []command {
	cs := []command{
		{name: "serve", args: "[flags]", summary: "run the gateway; with no backend it fronts the built-in demo game", config: true},
		{name: "config check", args: "[flags]", summary: "validate the configuration and print the effective settings; -online also checks DNS and ports", config: true, flags: []string{"online"}},
		{name: "reload", args: "[flags]", summary: "make the running gateway read its configuration again (as SIGHUP does)", config: true},
	}
	for _, c := range admincli.Commands {
		var verbs []string
		for _, v := range c.Verbs {
			verbs = append(verbs, v.Name)
		}
		var flags []string
		for _, f := range c.Flags() {
			flags = append(flags, f.Name)
		}
		cs = append(cs, command{name: c.Name, args: "VERB [flags] [ARGS]", summary: c.Summary + ": " + strings.Join(verbs, ", "),
			config: true, flags: flags, values: verbs})
	}
	return append(cs,
		command{name: "backup", args: "[flags] FILE", summary: "copy the account database to FILE while the gateway runs (SQLite)", config: true},
		command{name: "health", args: "[flags]", summary: "exit 0 when the running gateway is ready (its admin listener's /readyz), else say why", config: true},
		command{name: "demo", args: "[-addr ADDR]", summary: "run only the built-in demo game, for telnet clients", flags: []string{"addr"}},
		command{name: "completion", args: "bash|zsh", summary: "print a shell completion script (see deploy/README.md)", values: []string{"bash", "zsh"}},
		command{name: "version", summary: "print the version (also --version, -v)"},
		command{name: "help", args: "[COMMAND]", summary: "show this help, or a command's"},
	)
}

// usageText is the usage `drawbridge help` prints.
func usageText() string {
	var b strings.Builder
	b.WriteString("Drawbridge puts a telnet game on the web.\n\nUsage:\n")
	w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(w, "  drawbridge %s %s\t%s\n", c.name, c.args, c.summary)
	}
	w.Flush()
	b.WriteString(`
Settings come from the defaults, the config file (-config, else $DRAWBRIDGE_CONFIG,
else /etc/drawbridge/drawbridge.toml when it exists), DRAWBRIDGE_* environment
variables, and flags, each overriding the one before. Flags may come before or
after a command's verb and arguments.
Run 'drawbridge <command> -h' for a command's flags and verbs.
`)
	return b.String()
}

// commonFlagsHelp describes the flags every account command takes.
var commonFlagsHelp = `Common flags:
  -config FILE    the gateway's config file (default $DRAWBRIDGE_CONFIG, else
                  /etc/drawbridge/drawbridge.toml when it exists; -config '' reads none)
  -state-dir DIR  the gateway's state directory, which holds drawbridge.db
  and every other flag of 'drawbridge serve -h'.
`

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "--h":
		return true
	}
	return false
}

// help prints the usage, or a command's help.
func help(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string) error {
	if len(args) == 0 || isHelp(args[0]) || args[0] == "help" {
		fmt.Fprint(stdout, usageText())
		return nil
	}
	return run(ctx, append(args[:1:1], "-h"), stdin, stdout, stderr, environ)
}

// newFlagSet is a flag set that reports nothing itself: mistakes come back
// as usage errors (printed once, by main), and -h prints the command's
// flags to stderr and comes back as flag.ErrHelp (exit status 0).
func newFlagSet(name, args string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s %s\n\nFlags:\n", name, args)
		fs.SetOutput(stderr)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseInterspersed parses fs's flags wherever they are among args (the
// flag package stops at the first argument) and returns the arguments in
// order. "--" ends the flags. A mistake is a usageError; -h or -help is
// flag.ErrHelp (with the arguments seen so far), after fs.Usage.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			return append(pos, fs.Args()...), err
		}
		if err != nil {
			return pos, usageError{fmt.Sprintf("%s: %v", strings.TrimPrefix(fs.Name(), "drawbridge "), err)}
		}
		rest := fs.Args()
		if consumed := args[:len(args)-len(rest)]; len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// configFlags are the configuration's flags on a flag set: -config and
// the settings that have flags.
type configFlags struct {
	fs     *flag.FlagSet
	path   *string
	flags  []flagSetting
	values []string
}

// addConfigFlags defines the configuration's flags on fs.
func addConfigFlags(fs *flag.FlagSet) *configFlags {
	cf := &configFlags{fs: fs, flags: flagSettings()}
	cf.path = fs.String("config", "", "TOML config file (see deploy/drawbridge.toml); default $DRAWBRIDGE_CONFIG, else "+wellKnownConfig+" when it exists; '' reads none")
	cf.values = make([]string, len(cf.flags))
	for i, f := range cf.flags {
		fs.StringVar(&cf.values[i], f.flag, "", f.usage)
	}
	return cf
}

// origin is where a command's configuration came from, to say which
// database it works on and why.
type origin struct {
	config, configWhy string // the file read ("" none) and why that one
	settings          []app.Setting
}

// load reads the configuration the parsed flags, the environment and the
// well-known config file give, and validates it.
func (cf *configFlags) load(environ []string, stderr io.Writer) (app.Config, []app.Setting, origin, error) {
	getenv := app.Getenv(environ)
	given := false
	cf.fs.Visit(func(f *flag.Flag) { given = given || f.Name == "config" })
	var o origin
	o.config, o.configWhy = configFile(*cf.path, given, getenv)
	cfg, settings, err := app.Load(o.config, environ)
	if err != nil {
		return cfg, nil, o, err
	}
	var errs []error
	cf.fs.Visit(func(f *flag.Flag) {
		for i, fsg := range cf.flags {
			if fsg.flag != f.Name {
				continue
			}
			if err := cfg.Set(fsg.setting, cf.values[i]); err != nil {
				errs = append(errs, fmt.Errorf("-%s: %w", f.Name, err))
			}
			setSource(settings, fsg.setting, "flag -"+f.Name)
		}
	})
	if err := errors.Join(errs...); err != nil {
		return cfg, nil, o, usageError{err.Error()}
	}
	var stateErr error
	if cfg.StateDir == "" {
		dir, why, err := defaultStateDir(getenv, o.configWhy == "the default config file")
		cfg.StateDir, stateErr = dir, err
		setSource(settings, "state_dir", why)
	}
	o.settings = settings
	if err := cfg.Validate(); err != nil || stateErr != nil {
		// Every mistake at once; the state directory's in its own words.
		var lines []string
		if err != nil {
			for _, l := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(l, "state_dir: must be set") || stateErr == nil {
					lines = append(lines, l)
				}
			}
		}
		if stateErr != nil {
			lines = append(lines, stateErr.Error())
		}
		return cfg, settings, o, fmt.Errorf("invalid configuration:\n%s", strings.Join(lines, "\n"))
	}
	cfg.Logger = newLogger(stderr, cfg.Log)
	return cfg, settings, o, nil
}

// setSource records where a setting's value came from.
func setSource(settings []app.Setting, name, source string) {
	for i := range settings {
		if settings[i].Name == name {
			settings[i].Source = source
		}
	}
}

// source says where a setting came from, for people.
func (o origin) source(name string) string {
	for _, s := range o.settings {
		if s.Name != name {
			continue
		}
		switch {
		case s.Source == "file":
			return " from the config file"
		case s.Source == "env":
			return " from $" + s.Env
		case s.Source == "default" || s.Source == "":
			return ": the default"
		case strings.HasPrefix(s.Source, "flag "):
			return " from " + strings.TrimPrefix(s.Source, "flag ")
		case strings.HasPrefix(s.Source, "$"):
			return " from " + s.Source
		default:
			return ": " + s.Source
		}
	}
	return ""
}

// announce tells the operator, before anything is opened or changed,
// which database the command works on and why that one:
// "drawbridge: accounts in sqlite:/var/lib/drawbridge/drawbridge.db
// (config /etc/drawbridge/drawbridge.toml, the default config file;
// state_dir from the config file)".
func (o origin) announce(w io.Writer, cfg app.Config, what string) error {
	desc, err := app.DescribeStore(cfg)
	if err != nil {
		return fmt.Errorf("store.postgres_url: %w", err)
	}
	var why []string
	switch {
	case o.config == "" && o.configWhy == "-config":
		why = append(why, "no config file: -config ''")
	case o.config == "":
		why = append(why, "no config file")
	case o.configWhy == "-config":
		why = append(why, "config "+o.config)
	case o.configWhy == "the default config file":
		why = append(why, "config "+o.config+", the default config file")
	default:
		why = append(why, "config "+o.config+" from "+o.configWhy)
	}
	switch {
	case cfg.Store.PostgresURL != "":
		why = append(why, "store.postgres_url"+o.source("store.postgres_url"))
	case cfg.Store.SQLitePath != "":
		why = append(why, "store.sqlite_path"+o.source("store.sqlite_path"))
	default:
		why = append(why, "state_dir"+o.source("state_dir"))
	}
	if _, err := fmt.Fprintf(w, "drawbridge: %s %s (%s)\n", what, desc, strings.Join(why, "; ")); err != nil {
		return err
	}
	if cfg.Store.PostgresURL == "" && os.Geteuid() == 0 {
		// Root on the service's database (DynamicUser=yes): say whose
		// the files stay.
		if fi, err := os.Stat(cfg.SQLitePath()); err == nil {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid != 0 {
				_, err = fmt.Fprintf(w, "drawbridge: running as root on a database of uid %d: the files it makes there stay uid %d's\n", st.Uid, st.Uid)
				return err
			}
		}
	}
	return nil
}

// backup copies the account database to a new file with SQLite's
// VACUUM INTO, while the gateway runs. For PostgreSQL it says to use
// pg_dump, and fails.
func backup(ctx context.Context, args []string, stdout, stderr io.Writer, environ []string) error {
	fs := newFlagSet("drawbridge backup", "[flags] FILE", stderr)
	cf := addConfigFlags(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"backup: want one FILE to write (usage: drawbridge backup [flags] FILE)"}
	}
	dst, err := filepath.Abs(pos[0])
	if err != nil {
		return err
	}
	cfg, _, o, err := cf.load(environ, stderr)
	if err != nil {
		return err
	}
	if err := o.announce(stderr, cfg, "backing up"); err != nil {
		return err
	}
	desc, err := app.BackupStore(ctx, cfg, dst)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: a copy of %s\n", dst, desc)
	return nil
}
