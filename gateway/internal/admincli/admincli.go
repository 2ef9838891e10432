// Package admincli is the operator's command line for accounts and
// sessions: `drawbridge user ...` and `drawbridge session ...`. It works on
// the gateway's database directly, with the console's rights, also while
// the gateway runs (the gateway notices revoked sessions and disabled
// accounts within seconds and closes their players' bridges).
package admincli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"golang.org/x/term"
)

// UsageError marks a mistake on the command line.
type UsageError struct{ Msg string }

// Error returns the message to print above the command's usage.
func (e UsageError) Error() string { return e.Msg }

// IO is where a command reads passwords and writes its output. When In is
// a terminal, passwords are asked for twice without echo; otherwise one
// line is read. Site is the site's public URL (ending in "/"), which the
// reset links printed start with; "" when the configuration does not
// name it.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
	Site     string
}

// Flag is a verb's own flag. Every one takes a value.
type Flag struct {
	Name  string // "role"
	Value string // what the usage calls the value: "ROLE"
	Usage string
	// Values are the values completion offers, when they are a fixed set.
	Values []string
}

// Verb is one command of `drawbridge user` or `drawbridge session`.
type Verb struct {
	Name    string // "add"
	Args    string // the arguments, for the usage: "NAME ROLE"
	Summary string // one line
	Flags   []Flag
	// MinArgs and MaxArgs bound the number of arguments; MaxArgs -1 is
	// no bound.
	MinArgs, MaxArgs int
	// ArgValues are the values completion offers for each argument, where
	// they are a fixed set (nil elsewhere).
	ArgValues [][]string
}

// Command is `drawbridge user` or `drawbridge session`.
type Command struct {
	Name    string // "user"
	Summary string
	Verbs   []Verb
}

// roles are the role names, for completion.
var roles = []string{"player", "builder", "admin", "superuser"}

var roleFlag = Flag{Name: "role", Value: "ROLE", Usage: "the account's role: player, builder, admin or superuser (default player)", Values: roles}

// Commands are the account and session commands: the one table their
// parsing, their help and shell completion read.
var Commands = []Command{
	{Name: "user", Summary: "manage accounts", Verbs: []Verb{
		{Name: "add", Args: "NAME", Summary: "create an account (password asked for twice on a terminal, else one line on stdin)", Flags: []Flag{roleFlag}, MinArgs: 1, MaxArgs: 1},
		{Name: "import", Args: "NAME", Summary: "create an account from a bcrypt or Argon2id hash read from stdin", Flags: []Flag{roleFlag}, MinArgs: 1, MaxArgs: 1},
		{Name: "list", Summary: "list accounts", Flags: []Flag{{Name: "name", Value: "PREFIX", Usage: "only names starting with PREFIX"}}, MaxArgs: 0},
		{Name: "passwd", Args: "NAME", Summary: "set a new password (ends the account's sessions)", MinArgs: 1, MaxArgs: 1},
		{Name: "reset", Args: "NAME", Summary: "print a one-time link where the player sets a new password (valid an hour; using it ends the account's sessions)", MinArgs: 1, MaxArgs: 1},
		{Name: "role", Args: "NAME ROLE", Summary: "change the role: player, builder, admin or superuser (ends the account's sessions)", MinArgs: 2, MaxArgs: 2, ArgValues: [][]string{nil, roles}},
		{Name: "disable", Args: "NAME", Summary: "lock an account out (ends its sessions)", MinArgs: 1, MaxArgs: 1},
		{Name: "enable", Args: "NAME", Summary: "let a disabled account back in", MinArgs: 1, MaxArgs: 1},
		{Name: "unlock", Args: "NAME", Summary: "clear the login backoffs and lockouts of an account", MinArgs: 1, MaxArgs: 1},
		{Name: "delete", Args: "NAME", Summary: "delete an account and its sessions", MinArgs: 1, MaxArgs: 1},
	}},
	{Name: "session", Summary: "list and end login sessions", Verbs: []Verb{
		{Name: "list", Args: "[NAME]", Summary: "list login sessions, of one account or of all", MaxArgs: 1},
		{Name: "revoke", Args: "ID... | -user NAME", Summary: "end sessions, by ID or every one of an account (their players are disconnected)",
			Flags: []Flag{{Name: "user", Value: "NAME", Usage: "end every session of this account"}}, MaxArgs: -1},
	}},
}

// Find returns the command named name.
func Find(name string) (Command, bool) {
	for _, c := range Commands {
		if c.Name == name {
			return c, true
		}
	}
	return Command{}, false
}

// Verb returns the command's verb named name.
func (c Command) Verb(name string) (Verb, bool) {
	for _, v := range c.Verbs {
		if v.Name == name {
			return v, true
		}
	}
	return Verb{}, false
}

// Flags returns every verb flag of the command once, in order.
func (c Command) Flags() []Flag {
	var out []Flag
	seen := map[string]bool{}
	for _, v := range c.Verbs {
		for _, f := range v.Flags {
			if !seen[f.Name] {
				seen[f.Name] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// Synopsis is the verb's usage line: "add [-role ROLE] NAME".
func (v Verb) Synopsis() string {
	parts := []string{v.Name}
	for _, f := range v.Flags {
		if !strings.Contains(v.Args, "-"+f.Name) {
			parts = append(parts, "[-"+f.Name+" "+f.Value+"]")
		}
	}
	if v.Args != "" {
		parts = append(parts, v.Args)
	}
	return strings.Join(parts, " ")
}

// Usage is the command's help: each verb on one line. common describes
// the flags every verb takes (the configuration's), appended as is.
func (c Command) Usage(common string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: drawbridge %s VERB [flags] [ARGS]\n\n%s. Verbs:\n", c.Name, capitalise(c.Summary))
	w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, v := range c.Verbs {
		fmt.Fprintf(w, "  %s\t%s\n", v.Synopsis(), v.Summary)
	}
	w.Flush()
	fmt.Fprintf(&b, "\nFlags may come before or after the verb and its arguments.\n\n%s", common)
	return b.String()
}

// VerbUsage is one verb's help.
func (c Command) VerbUsage(v Verb, common string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: drawbridge %s %s\n\n%s.\n", c.Name, v.Synopsis(), capitalise(v.Summary))
	if len(v.Flags) > 0 {
		b.WriteString("\nFlags:\n")
		w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		for _, f := range v.Flags {
			fmt.Fprintf(w, "  -%s %s\t%s\n", f.Name, f.Value, f.Usage)
		}
		w.Flush()
	}
	b.WriteString("\n" + common)
	return b.String()
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Call is a checked command line: a verb of a command, its arguments and
// the values of its flags that were given.
type Call struct {
	Command Command
	Verb    Verb
	Args    []string
	Flags   map[string]string
}

// NewCall checks a command line against the table: the verb exists, the
// flags given are its own, the number of arguments fits, roles are
// roles. Mistakes are UsageErrors naming the verb. Nothing is opened.
func (c Command) NewCall(verb string, args []string, flags map[string]string) (Call, error) {
	v, ok := c.Verb(verb)
	if !ok {
		return Call{}, UsageError{fmt.Sprintf("%s: unknown verb %q (drawbridge %s -h lists them)", c.Name, verb, c.Name)}
	}
	name := c.Name + " " + v.Name
	for f := range flags {
		if !slices.ContainsFunc(v.Flags, func(vf Flag) bool { return vf.Name == f }) {
			return Call{}, UsageError{fmt.Sprintf("%s: flag provided but not defined: -%s (usage: drawbridge %s %s)", name, f, c.Name, v.Synopsis())}
		}
	}
	switch {
	case len(args) < v.MinArgs, v.MaxArgs >= 0 && len(args) > v.MaxArgs:
		return Call{}, UsageError{fmt.Sprintf("%s: wrong number of arguments (usage: drawbridge %s %s)", name, c.Name, v.Synopsis())}
	case name == "session revoke" && (len(args) == 0) == (flags["user"] == ""):
		return Call{}, UsageError{fmt.Sprintf("session revoke: give session IDs or -user NAME (usage: drawbridge session %s)", v.Synopsis())}
	}
	if r, ok := flags["role"]; ok {
		if _, err := account.ParseRole(r); err != nil {
			return Call{}, UsageError{fmt.Sprintf("%s: -role: %v", name, err)}
		}
	}
	if name == "user role" {
		if _, err := account.ParseRole(args[1]); err != nil {
			return Call{}, UsageError{fmt.Sprintf("%s: %v", name, err)}
		}
	}
	return Call{Command: c, Verb: v, Args: args, Flags: flags}, nil
}

// Run runs a checked command on the account service, with the console's
// rights.
func Run(ctx context.Context, svc *account.Service, call Call, io IO) error {
	if call.Command.Name == "session" {
		return session(ctx, svc, call, io)
	}
	return user(ctx, svc, call, io)
}

// userByName finds an account, or says that there is none by that name.
func userByName(ctx context.Context, svc *account.Service, name string) (account.User, error) {
	u, err := svc.UserByName(ctx, account.Console(), name)
	if errors.Is(err, account.ErrNotFound) {
		return u, fmt.Errorf("no account named %q", name)
	}
	if err != nil {
		return u, explain(err)
	}
	return u, nil
}

func user(ctx context.Context, svc *account.Service, call Call, io IO) error {
	by := account.Console()
	args := call.Args
	switch call.Verb.Name {
	case "add", "import":
		name := args[0]
		r := account.RolePlayer
		if s, ok := call.Flags["role"]; ok {
			var err error
			if r, err = account.ParseRole(s); err != nil {
				return UsageError{err.Error()}
			}
		}
		var u account.User
		if call.Verb.Name == "import" {
			hash, err := readLine(io.In)
			if err != nil {
				return fmt.Errorf("read the hash from stdin: %w", err)
			}
			u, err = svc.ImportUser(ctx, by, account.ImportedUser{Name: name, PasswordHash: hash, Role: r})
			if err != nil {
				return explain(err)
			}
		} else {
			pw, err := password(io, "Password for "+name)
			if err != nil {
				return err
			}
			if r == account.RoleSuperuser {
				u, err = svc.CreateSuperuser(ctx, by, name, pw)
			} else {
				u, err = svc.CreateUser(ctx, by, account.NewUser{Name: name, Password: pw, Role: r})
			}
			if err != nil {
				return explain(err)
			}
		}
		fmt.Fprintf(io.Out, "created %s (%s, id %d)\n", u.Name, u.Role, u.ID)
		return nil
	case "list":
		users, err := svc.ListUsers(ctx, by, account.UserQuery{NamePrefix: call.Flags["name"]})
		if err != nil {
			return explain(err)
		}
		w := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tNAME\tROLE\tSTATE\tCREATED\tLAST LOGIN")
		for _, u := range users {
			state := "active"
			switch {
			case u.Disabled:
				state = "disabled"
			case u.Guest:
				state = "guest"
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Name, u.Role, state, day(u.CreatedAt), day(u.LastLogin))
		}
		return w.Flush()
	}
	u, err := userByName(ctx, svc, args[0])
	if err != nil {
		return err
	}
	switch call.Verb.Name {
	case "reset":
		l, rerr := svc.IssueResetLink(ctx, by, u.ID)
		if rerr != nil {
			return explain(rerr)
		}
		site := io.Site
		if site == "" {
			site = "https://YOUR-SITE/" // proxied on a socket with no web.domains: the config does not name the site
		}
		fmt.Fprintf(io.Out, "A one-time link for %s to set a new password, valid until %s (a newer link voids it; using it ends %s's sessions):\n%s%s\n",
			u.Name, l.ExpiresAt.UTC().Format("2006-01-02 15:04 MST"), u.Name, site, account.ResetLinkPath(l.Token))
		return nil
	case "passwd":
		pw, perr := password(io, "New password for "+u.Name)
		if perr != nil {
			return perr
		}
		err = svc.SetPassword(ctx, by, u.ID, pw)
	case "disable":
		err = svc.Disable(ctx, by, u.ID)
	case "enable":
		err = svc.Enable(ctx, by, u.ID)
	case "unlock":
		err = svc.Unlock(ctx, by, u.ID)
	case "delete":
		err = svc.Delete(ctx, by, u.ID)
	case "role":
		r, perr := account.ParseRole(args[1])
		if perr != nil {
			return UsageError{perr.Error()}
		}
		err = svc.SetRole(ctx, by, u.ID, r)
	default:
		return UsageError{fmt.Sprintf("user: unknown verb %q", call.Verb.Name)}
	}
	if err != nil {
		return explain(err)
	}
	fmt.Fprintf(io.Out, "%s: done (%s)\n", u.Name, call.Verb.Name)
	return nil
}

func session(ctx context.Context, svc *account.Service, call Call, io IO) error {
	by := account.Console()
	switch call.Verb.Name {
	case "list":
		var users []account.User
		if len(call.Args) == 1 {
			u, err := userByName(ctx, svc, call.Args[0])
			if err != nil {
				return err
			}
			users = []account.User{u}
		} else {
			var err error
			if users, err = svc.ListUsers(ctx, by, account.UserQuery{}); err != nil {
				return explain(err)
			}
		}
		w := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tACCOUNT\tFROM\tCREATED\tLAST SEEN\tEXPIRES")
		for _, u := range users {
			sessions, err := svc.ListSessions(ctx, by, u.ID)
			if err != nil {
				return explain(err)
			}
			for _, s := range sessions {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, u.Name, s.Addr, stamp(s.CreatedAt), stamp(s.LastSeen), stamp(s.ExpiresAt))
			}
		}
		return w.Flush()
	case "revoke":
		if name := call.Flags["user"]; name != "" {
			u, err := userByName(ctx, svc, name)
			if err != nil {
				return err
			}
			n, err := svc.RevokeSessions(ctx, by, u.ID, "")
			if err != nil {
				return explain(err)
			}
			fmt.Fprintf(io.Out, "%s: %d session(s) ended\n", u.Name, n)
			return nil
		}
		for _, id := range call.Args {
			err := svc.RevokeSession(ctx, by, id)
			if errors.Is(err, account.ErrNotFound) {
				return fmt.Errorf("no session with ID %q", id)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", id, explain(err))
			}
			fmt.Fprintf(io.Out, "%s: ended\n", id)
		}
		return nil
	}
	return UsageError{fmt.Sprintf("session: unknown verb %q", call.Verb.Name)}
}

// explain turns a Service error into what the operator reads: the
// player-safe sentence, and the detail for internal errors.
func explain(err error) error {
	msg := account.Message(err)
	var pe *account.PolicyError
	if errors.As(err, &pe) {
		var b strings.Builder
		b.WriteString("password refused:")
		for _, p := range pe.Problems {
			b.WriteString("\n  - " + p.Message)
		}
		return errors.New(b.String())
	}
	if msg == account.Message(errors.New("")) { // the generic sentence: give the detail
		return err
	}
	return errors.New(msg)
}

// password asks for a password twice without echo on a terminal, or
// reads one line otherwise (for scripts: printf '%s\n' "$pw" | ...).
func password(io IO, prompt string) (string, error) {
	if f, ok := io.In.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(io.Err, prompt+": ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(io.Err)
		if err != nil {
			return "", err
		}
		fmt.Fprint(io.Err, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(io.Err)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("the passwords differ")
		}
		return string(a), nil
	}
	pw, err := readLine(io.In)
	if err != nil {
		return "", fmt.Errorf("read the password from stdin: %w", err)
	}
	return pw, nil
}

func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format(time.DateOnly)
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}
