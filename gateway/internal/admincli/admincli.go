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
	"flag"
	"fmt"
	"io"
	"os"
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
// line is read.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
}

// UserUsage and SessionUsage describe the commands.
const (
	UserUsage = `Usage: drawbridge user [-config FILE] [-state-dir DIR] COMMAND
  add [-role ROLE] NAME       create an account (password asked for, or one line on stdin)
  import [-role ROLE] NAME    create an account from a bcrypt or Argon2id hash read from stdin
  list [-name PREFIX]         list accounts
  passwd NAME                 set a new password (ends the account's sessions)
  role NAME ROLE              change the role: player, builder, admin or superuser
  disable NAME / enable NAME  lock an account out (ends its sessions) or let it back in
  unlock NAME                 clear a login lockout
  delete NAME                 delete an account and its sessions
`
	SessionUsage = `Usage: drawbridge session [-config FILE] [-state-dir DIR] COMMAND
  list [NAME]                 list sessions, of one account or all
  revoke ID...                end sessions (their players are disconnected)
  revoke -user NAME           end every session of an account
`
)

// User runs a `drawbridge user` command.
func User(ctx context.Context, svc *account.Service, args []string, io IO) error {
	if len(args) == 0 {
		return UsageError{"user: no command\n" + UserUsage}
	}
	by := account.Console()
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "add", "import":
		fs := flag.NewFlagSet("user "+cmd, flag.ContinueOnError)
		fs.SetOutput(io.Err)
		role := fs.String("role", "player", "player, builder, admin or superuser")
		name, err := oneArg(fs, rest, "NAME")
		if err != nil {
			return err
		}
		r, err := account.ParseRole(*role)
		if err != nil {
			return UsageError{err.Error()}
		}
		var u account.User
		if cmd == "import" {
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
		fs := flag.NewFlagSet("user list", flag.ContinueOnError)
		fs.SetOutput(io.Err)
		prefix := fs.String("name", "", "only names starting with this")
		if err := fs.Parse(rest); err != nil {
			return UsageError{err.Error()}
		}
		users, err := svc.ListUsers(ctx, by, account.UserQuery{NamePrefix: *prefix})
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
	case "passwd", "disable", "enable", "unlock", "delete", "role":
		want := 1
		if cmd == "role" {
			want = 2
		}
		if len(rest) != want {
			return UsageError{"user " + cmd + ": wrong number of arguments\n" + UserUsage}
		}
		u, err := svc.UserByName(ctx, by, rest[0])
		if err != nil {
			return explain(err)
		}
		switch cmd {
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
			r, perr := account.ParseRole(rest[1])
			if perr != nil {
				return UsageError{perr.Error()}
			}
			err = svc.SetRole(ctx, by, u.ID, r)
		}
		if err != nil {
			return explain(err)
		}
		fmt.Fprintf(io.Out, "%s: done (%s)\n", u.Name, cmd)
		return nil
	}
	return UsageError{fmt.Sprintf("user: unknown command %q\n%s", cmd, UserUsage)}
}

// Session runs a `drawbridge session` command.
func Session(ctx context.Context, svc *account.Service, args []string, io IO) error {
	if len(args) == 0 {
		return UsageError{"session: no command\n" + SessionUsage}
	}
	by := account.Console()
	switch cmd, rest := args[0], args[1:]; cmd {
	case "list":
		var users []account.User
		if len(rest) > 1 {
			return UsageError{"session list: at most one NAME\n" + SessionUsage}
		}
		if len(rest) == 1 {
			u, err := svc.UserByName(ctx, by, rest[0])
			if err != nil {
				return explain(err)
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
		fs := flag.NewFlagSet("session revoke", flag.ContinueOnError)
		fs.SetOutput(io.Err)
		user := fs.String("user", "", "end every session of this account")
		if err := fs.Parse(rest); err != nil {
			return UsageError{err.Error()}
		}
		if *user != "" {
			u, err := svc.UserByName(ctx, by, *user)
			if err != nil {
				return explain(err)
			}
			n, err := svc.RevokeSessions(ctx, by, u.ID, "")
			if err != nil {
				return explain(err)
			}
			fmt.Fprintf(io.Out, "%s: %d session(s) ended\n", u.Name, n)
			return nil
		}
		if fs.NArg() == 0 {
			return UsageError{"session revoke: give session IDs or -user NAME\n" + SessionUsage}
		}
		for _, id := range fs.Args() {
			if err := svc.RevokeSession(ctx, by, id); err != nil {
				return fmt.Errorf("%s: %w", id, explain(err))
			}
			fmt.Fprintf(io.Out, "%s: ended\n", id)
		}
		return nil
	default:
		return UsageError{fmt.Sprintf("session: unknown command %q\n%s", cmd, SessionUsage)}
	}
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

func oneArg(fs *flag.FlagSet, args []string, what string) (string, error) {
	if err := fs.Parse(args); err != nil {
		return "", UsageError{err.Error()}
	}
	if fs.NArg() != 1 {
		return "", UsageError{fmt.Sprintf("%s: want one %s", fs.Name(), what)}
	}
	return fs.Arg(0), nil
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
