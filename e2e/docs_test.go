package e2e

// The docs are tests. Every shell command in README.md, deploy/README.md
// and deploy/multi-node.md is either run here or marked as not runnable
// here, with the reason; a documented command that stops working fails
// this file's tests.
//
// The convention (the Markdown side is in package e2e/mdshell):
//
//   - A fenced block whose info string is sh, bash, shell or console holds
//     commands. Unless marked, TestDocs* runs it.
//   - The line right before such a fence may be
//     <!-- not runnable here: REASON -->, with a reason that is not empty:
//     the block is not run (a real systemd, the real DNS name, root, a
//     VM). Where a walk needs what a marked block would have done, the
//     test does it a documented other way (see docHook), and says so.
//   - Blocks of other languages (toml, ini, yaml, text, none) are not
//     commands.
//   - Commands in prose are code spans that start with a known program
//     (mdshell.Programs). A step of a walk goes in a fenced block, not in
//     a span. Spans that stay (a command in a table, one for another
//     host) are checked, not run: see below.
//
// What every command gets, run or not (TestDocsCommandLines):
//
//   - every command block and every inline command parses with bash -n;
//   - every `drawbridge ...` command line, in a block or a span, marked or
//     not, is given to the real binary in an empty sandbox: its verb and
//     flags must exist ("unknown command" or "flag provided but not
//     defined" fails, whatever the exit status; another usage error, a
//     verb named in prose without its arguments, passes). `serve` is
//     checked as `config check` with the same flags, which take the same
//     ones, and `demo` with -h after its flags, so nothing is served; a
//     `...` standing for the rest of a command is cut off and `-h` asked
//     for instead;
//   - every `make TARGET` names a target of the Makefile (make -n).
//
// How blocks run (TestDocsREADME, TestDocsDeployWalk, TestDocsMultiNode):
// the blocks of one document run in order, each in a new
// `bash -euo pipefail`, all in one sandbox, so files and the processes
// started carry from one block to the next (no block of these documents
// sets shell variables for a later one). The sandbox:
//
//	documented                     in the sandbox
//	/etc, /var, /usr/local, /tmp,  ROOT/etc, ROOT/var, ... : a temp dir
//	/root, /run,                   standing in for /
//	/usr/bin/drawbridge*
//	play.example.org               play.drawbridge.test, which Pebble's DNS
//	                               resolves to 127.0.0.1
//	Let's Encrypt                  Pebble (Debian's package, e2e/pebble),
//	                               through DRAWBRIDGE_ACME_DIRECTORY_URL and
//	                               DRAWBRIDGE_ACME_CA_FILE
//	ports 443 and 80               free loopback ports, which Pebble
//	                               validates TLS-ALPN-01 and HTTP-01 on
//	the admin address              a free loopback port (the default is
//	                               read from `drawbridge config check`)
//	203.0.113.10                   127.0.0.1
//	the game, 127.0.0.1:4000       a stand-in telnet game on a free port
//	make build, scp to the VM      not run (marked); the harness's build of
//	                               ./gateway with the fresh web client
//	                               embedded (go build -overlay), copied to
//	                               ROOT/tmp with the files scp names
//	drawbridge on PATH             that binary once a block installs it
//	                               (deploy walk), the harness's from the
//	                               start (README)
//	HOME, the working directory    ROOT/root, holding a copy of deploy/;
//	                               nothing from the test's environment but
//	                               LANG
//	/etc/drawbridge/drawbridge.toml  which the binary finds by itself:
//	                               DRAWBRIDGE_CONFIG names the sandbox's
//	                               copy once a block has installed it
//	systemctl enable/restart       not run (marked); the test runs the
//	                               installed unit's ExecStart= line with
//	                               its EnvironmentFile=, STATE_DIRECTORY and
//	                               LOGS_DIRECTORY, and SIGTERM to stop it
//	a password prompt (drawbridge  the block runs on a terminal (script(1))
//	user add, passwd; openssl      and the password is typed twice for each
//	pkcs12 -export)
//	trusted CAs                    Pebble's root, once issued: SSL_CERT_FILE
//	                               for OpenSSL and curl; -connect NAME:PORT
//	                               becomes -connect 127.0.0.1:PORT
//	the player's browser           headless Chromium trusting Pebble's root
//	                               in its NSS database, the name mapped to
//	                               127.0.0.1
//
// The overrides for the gateway (Pebble, the ports, the paths) are in
// ROOT/etc/drawbridge/drawbridge.env, the file the unit reads, and in the
// shell's environment, since the documented shell commands run as if
// on the VM. A failure names the document, the block's line, the block as
// written and as run, and its output.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/drawbridge/drawbridge/e2e/headless"
	"github.com/drawbridge/drawbridge/e2e/mdshell"
	"github.com/drawbridge/drawbridge/e2e/pebble"
)

// docFiles are the documents whose commands are tests, from the
// repository root.
var docFiles = []string{"README.md", "deploy/README.md", "deploy/multi-node.md"}

// docDomain stands in for play.example.org.
const docDomain = "play.drawbridge.test"

// readDoc parses one of docFiles.
func readDoc(t *testing.T, name string) *mdshell.Doc {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", name))
	if err != nil {
		t.Fatal(err)
	}
	d, err := mdshell.Parse(name, string(src))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDocsCommandLines checks every documented command that can be
// checked without running it: shell syntax, drawbridge verbs and flags,
// make targets. See the top of this file.
func TestDocsCommandLines(t *testing.T) {
	t.Parallel()
	bin := drawbridgeCommand(t)
	root := t.TempDir()
	for _, name := range docFiles {
		d := readDoc(t, name)
		for _, b := range d.ShellBlocks() {
			where := fmt.Sprintf("%s:%d", name, b.Line)
			if err := bashSyntax(b.Script()); err != nil {
				t.Errorf("%s: the %s block is not valid shell: %v\n%s", where, b.Lang, err, b.Text)
			}
			for _, c := range b.Commands() {
				checkCommandLine(t, bin, root, fmt.Sprintf("%s:%d", name, c.Line), c.Text)
			}
			if b.Marked {
				t.Logf("%s: %s block, not run: %s", where, b.Lang, b.Reason)
			} else {
				t.Logf("%s: %s block, run by TestDocs*", where, b.Lang)
			}
		}
		for _, s := range d.Spans {
			if !mdshell.InlineCommand(s.Text) {
				continue
			}
			where := fmt.Sprintf("%s:%d", name, s.Line)
			if err := bashSyntax(s.Text); err != nil {
				t.Errorf("%s: inline command `%s` is not valid shell: %v", where, s.Text, err)
			}
			checkCommandLine(t, bin, root, where, s.Text)
			t.Logf("%s: inline `%s`: checked, not run", where, s.Text)
		}
	}
}

// checkCommandLine checks the drawbridge and make commands in one line.
func checkCommandLine(t *testing.T, bin, root, where, line string) {
	t.Helper()
	for _, args := range commandsOf(line, isDrawbridge) {
		if msg := checkDrawbridge(bin, root, args); msg != "" {
			t.Errorf("%s: `%s`: %s", where, line, msg)
		}
	}
	for _, args := range commandsOf(line, func(w string) bool { return w == "make" }) {
		targets := []string{}
		for _, a := range args {
			if !strings.HasPrefix(a, "-") && !strings.Contains(a, "=") {
				targets = append(targets, a)
			}
		}
		cmd := exec.Command("make", append([]string{"-n", "-C", ".."}, targets...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: `%s`: make has no such target: %v\n%s", where, line, err, out)
		}
	}
}

// isDrawbridge reports whether a command word runs the gateway's binary
// (drawbridge, ./bin/drawbridge, /usr/local/bin/drawbridge.new, ...).
func isDrawbridge(w string) bool {
	b := filepath.Base(w)
	return b == "drawbridge" || strings.HasPrefix(b, "drawbridge.") && !strings.Contains(b, "toml") && !strings.HasSuffix(b, ".service")
}

// placeholderRE matches a placeholder in angle brackets, such as <name>
// in `go test -fuzz <name> ./<pkg>`, which bash would read as a
// redirection.
var placeholderRE = regexp.MustCompile(`<[a-z][a-z-]*>`)

// bashSyntax runs bash -n on a script, its placeholders made words.
func bashSyntax(script string) error {
	cmd := exec.Command("bash", "-n")
	cmd.Stdin = strings.NewReader(placeholderRE.ReplaceAllString(script, "PLACEHOLDER"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	return nil
}

// shellWords splits a command line into words and operators, roughly as
// the shell does: quotes group, a # at the start of a word starts a
// comment, and | & ; ( ) < > are operators of their own.
func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	emit := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(line[i+1:], c)
			if j < 0 {
				j = len(line) - i - 1
			}
			cur.WriteString(line[i+1 : i+1+j])
			inWord = true
			i += j + 1
		case c == '\\' && i+1 < len(line):
			cur.WriteByte(line[i+1])
			inWord = true
			i++
		case c == ' ' || c == '\t':
			emit()
		case c == '#' && !inWord:
			emit()
			return words
		case strings.IndexByte("|&;()<>", c) >= 0:
			fd := ""
			if (c == '<' || c == '>') && inWord && regexp.MustCompile(`^[0-9]$`).MatchString(cur.String()) {
				fd, inWord = cur.String(), false // 2>&1: the descriptor belongs to the operator
				cur.Reset()
			}
			emit()
			j := i + 1
			for j < len(line) && strings.IndexByte("|&<>", line[j]) >= 0 {
				j++
			}
			words = append(words, fd+line[i:j])
			i = j - 1
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	emit()
	return words
}

// commandsOf returns the arguments of every simple command in line whose
// program is matched by is: after assignments, sudo and its options, and
// docker or podman exec with theirs; redirections dropped.
func commandsOf(line string, is func(string) bool) [][]string {
	var out [][]string
	words := shellWords(line)
	for i := 0; i < len(words); {
		j := i
		for j < len(words) && !isOperator(words[j]) {
			j++
		}
		cmd := words[i:j]
		i = j + 1
		for len(cmd) > 0 && regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`).MatchString(cmd[0]) {
			cmd = cmd[1:]
		}
		if len(cmd) > 0 && cmd[0] == "sudo" {
			cmd = cmd[1:]
			for len(cmd) > 0 && strings.HasPrefix(cmd[0], "-") {
				arg := cmd[0] == "-u" || cmd[0] == "-g"
				cmd = cmd[1:]
				if arg && len(cmd) > 0 {
					cmd = cmd[1:]
				}
			}
		}
		if len(cmd) > 1 && (cmd[0] == "docker" || cmd[0] == "podman") && cmd[1] == "exec" {
			cmd = cmd[2:]
			for len(cmd) > 0 && strings.HasPrefix(cmd[0], "-") {
				arg := cmd[0] == "-u" || cmd[0] == "-e" || cmd[0] == "-w" || cmd[0] == "--user" || cmd[0] == "--env"
				cmd = cmd[1:]
				if arg && len(cmd) > 0 {
					cmd = cmd[1:]
				}
			}
			if len(cmd) > 0 {
				cmd = cmd[1:] // the container
			}
		}
		if len(cmd) == 0 || !is(cmd[0]) {
			continue
		}
		var args []string
		for k := 1; k < len(cmd); k++ {
			if cmd[k] == "<" || cmd[k] == ">" || cmd[k] == ">>" || regexp.MustCompile(`^[0-9]?[<>]`).MatchString(cmd[k]) {
				k++ // and its target
				continue
			}
			args = append(args, cmd[k])
		}
		out = append(out, args)
	}
	return out
}

func isOperator(w string) bool {
	return w != "" && strings.IndexByte("|&;()", w[0]) >= 0
}

// missingMark is what the binary says, whatever its exit status, when a
// verb or a flag does not exist. Other usage errors (exit status 2: a
// missing NAME, a flag without its value) are a verb mentioned in prose
// without its arguments (`drawbridge user disable`), which is fine.
var missingMark = regexp.MustCompile(`(?i)flag provided but not defined|unknown (command|verb|subcommand|flag|option)|no such (command|verb|subcommand|flag|option)|is not an? (drawbridge )?(command|verb|subcommand|flag|option)`)

// checkDrawbridge gives args (the words after "drawbridge") to the real
// binary in an empty sandbox under root and returns what is wrong with
// them, or "" when the verb and its flags exist.
func checkDrawbridge(bin, root string, args []string) string {
	args = append([]string(nil), args...)
	for i, a := range args {
		if a != "..." && a != "…" {
			continue
		}
		if i > 0 && strings.HasPrefix(args[i-1], "-") {
			args[i] = "x" // a flag's elided value
			continue
		}
		args = append(args[:i:i], "-h") // the rest of the command elided
		break
	}
	// Absolute paths point into the sandbox, so a documented path never
	// reaches a real file of this machine; optional parts in brackets
	// ([-name PREFIX], [NAME]) are given.
	for i, a := range args {
		args[i] = rootPaths(strings.TrimSuffix(strings.TrimPrefix(a, "["), "]"), root)
	}
	run := args
	switch {
	case len(args) > 0 && args[0] == "serve":
		run = append([]string{"config", "check"}, args[1:]...)
	case len(args) > 0 && args[0] == "demo":
		// Its flags parsed, then help instead of a game on a port.
		run = append(append([]string(nil), args...), "-h")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, run...)
	cmd.Dir = root
	cmd.Env = []string{"HOME=" + filepath.Join(root, "root"), "PATH=/usr/bin:/bin"}
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return fmt.Sprintf("drawbridge %s did not finish within 30s", strings.Join(run, " "))
	}
	if m := missingMark.Find(out); m != nil {
		return fmt.Sprintf("the binary has no such verb or flag (%q): drawbridge %s\n%s", m, strings.Join(run, " "), out)
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return fmt.Sprintf("run drawbridge %s: %v", strings.Join(run, " "), err)
	}
	return ""
}

// rootPathRE matches the paths that live under the sandbox's root: the
// top directories a VM's operator writes to, and the binary the package
// and the docs install as /usr/bin/drawbridge (with .new and .old beside
// it), while the rest of /usr/bin stays the machine's.
var rootPathRE = regexp.MustCompile(`(^|[\s"'=(])(/(?:etc|var|usr/local|usr/bin/drawbridge|tmp|root|run|home)(?:/|\b))`)

// rootPaths puts the absolute paths of text under root.
func rootPaths(text, root string) string {
	return rootPathRE.ReplaceAllString(text, "${1}"+root+"${2}")
}

// TestDocsCloudInit checks deploy/cloud-init.yaml's runcmd script: it
// parses with bash -n, and its drawbridge commands exist. (That the unit
// it writes is deploy/drawbridge.service is TestCloudInitCarriesTheUnit.)
func TestDocsCloudInit(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../deploy/cloud-init.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	// literal returns the "|" block scalar that follows line i, with its
	// indentation removed.
	literal := func(i int) string {
		var b strings.Builder
		indent := -1
		for _, l := range lines[i+1:] {
			if strings.TrimSpace(l) == "" {
				b.WriteString("\n")
				continue
			}
			n := len(l) - len(strings.TrimLeft(l, " "))
			if indent < 0 {
				indent = n
			}
			if n < indent {
				break
			}
			b.WriteString(l[indent:] + "\n")
		}
		return strings.TrimRight(b.String(), "\n") + "\n"
	}
	var script string
	for i, l := range lines {
		if strings.TrimSpace(l) == "- |" && i > 0 && strings.TrimSpace(lines[i-1]) == "runcmd:" {
			script = literal(i)
		}
	}
	if strings.TrimSpace(script) == "" {
		t.Fatal("deploy/cloud-init.yaml: no runcmd script (runcmd: then - |)")
	}
	if err := bashSyntax(script); err != nil {
		t.Errorf("deploy/cloud-init.yaml: the runcmd script is not valid shell: %v", err)
	}
	bin := drawbridgeCommand(t)
	root := t.TempDir()
	for _, l := range strings.Split(script, "\n") {
		for _, args := range commandsOf(l, isDrawbridge) {
			if msg := checkDrawbridge(bin, root, args); msg != "" {
				t.Errorf("deploy/cloud-init.yaml runcmd: `%s`: %s", strings.TrimSpace(l), msg)
			}
		}
	}
}

// docSandbox runs one document's blocks.
type docSandbox struct {
	t    *testing.T
	doc  *mdshell.Doc
	root string
	env  []string
	// subs are the literal substitutions, after the paths.
	subs [][2]string
	// mu guards procs, the processes started for the document.
	mu    sync.Mutex
	procs []*exec.Cmd
}

// docHook is what the test does around one block, found by a line of
// it (anchor). A hook whose anchor is in no block fails the test, so a
// changed document cannot silently skip it.
type docHook struct {
	anchor string
	// before and after run around the block (for a marked block, in its
	// place: what the test does instead).
	before, after func(sb *docSandbox, b mdshell.Block)
	// until, when set, runs the block again until its output satisfies
	// it, for a minute and a half.
	until func(out string) bool
}

func newDocSandbox(t *testing.T, name string) *docSandbox {
	root := t.TempDir()
	// The directories of a fresh Debian VM that the documents use.
	for _, d := range []string{"etc/systemd/system", "var/lib", "var/log", "usr/local/bin", "usr/bin", "tmp", "root", "run"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sb := &docSandbox{t: t, doc: readDoc(t, name), root: root}
	sb.env = []string{
		"HOME=" + filepath.Join(root, "root"),
		"TMPDIR=" + filepath.Join(root, "tmp"),
		"PATH=" + filepath.Join(root, "usr/local/bin") + ":" + filepath.Join(root, "usr/bin") + ":/usr/sbin:/usr/bin:/sbin:/bin",
		"LANG=C.UTF-8",
	}
	sb.subs = [][2]string{{"play.example.org", docDomain}, {"203.0.113.10", "127.0.0.1"}}
	// The repository's deploy/ in the working directory, for commands
	// that name its files (a copy: a block cannot change the checkout).
	if err := os.CopyFS(filepath.Join(root, "root", "deploy"), os.DirFS("../deploy")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.stopAll)
	return sb
}

// subst is a block's text as the sandbox runs it.
func (sb *docSandbox) subst(text string) string {
	var out strings.Builder
	for _, l := range strings.SplitAfter(text, "\n") {
		out.WriteString(rootPaths(l, sb.root))
	}
	s := out.String()
	for _, r := range sb.subs {
		s = strings.ReplaceAll(s, r[0], r[1])
	}
	return s
}

// walk runs the document's blocks in order, with the hooks.
func (sb *docSandbox) walk(hooks []docHook) {
	t := sb.t
	used := make([]bool, len(hooks))
	for _, b := range sb.doc.ShellBlocks() {
		var hs []docHook
		for i, h := range hooks {
			if strings.Contains(b.Text, h.anchor) {
				hs = append(hs, h)
				used[i] = true
			}
		}
		for _, h := range hs {
			if h.before != nil {
				h.before(sb, b)
			}
		}
		if !b.Marked {
			stdin := strings.Repeat(accountPassword+"\n", 2*passwordPrompts(b))
			var until func(string) bool
			for _, h := range hs {
				if h.until != nil {
					until = h.until
				}
			}
			sb.runBlock(b, stdin, until)
		}
		for _, h := range hs {
			if h.after != nil {
				h.after(sb, b)
			}
		}
		if t.Failed() {
			return
		}
	}
	for i, h := range hooks {
		if !used[i] {
			t.Errorf("%s: no command block holds %q any more, so the test cannot do its part there; update the hook in e2e/docs_test.go", sb.doc.Name, h.anchor)
		}
	}
}

// passwordPrompts counts the commands of a block that ask for a password
// (drawbridge user add and user passwd, openssl pkcs12 -export without
// -passout), which the operator types twice on a terminal.
func passwordPrompts(b mdshell.Block) int {
	n := 0
	for _, c := range b.Commands() {
		for _, args := range commandsOf(c.Text, func(w string) bool { return w == "openssl" }) {
			if len(args) > 1 && args[0] == "pkcs12" && slices.Contains(args, "-export") && !slices.Contains(args, "-passout") {
				n++
			}
		}
		for _, args := range commandsOf(c.Text, isDrawbridge) {
			if len(args) == 0 || args[0] != "user" {
				continue
			}
			for _, a := range args[1:] {
				if !strings.HasPrefix(a, "-") && (a == "add" || a == "passwd") {
					n++
					break
				}
			}
		}
	}
	return n
}

// runBlock runs one block and fails the test with everything needed to
// fix the document when it fails.
func (sb *docSandbox) runBlock(b mdshell.Block, stdin string, until func(string) bool) {
	t := sb.t
	script := sb.subst(b.Script())
	file := filepath.Join(t.TempDir(), fmt.Sprintf("block-%d.sh", b.Line))
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		out, err := sb.runScript(file, stdin)
		switch {
		case err != nil && (until == nil || time.Now().After(deadline)):
			sb.fail(b, script, out, err.Error())
			return
		case err == nil && (until == nil || until(out)):
			t.Logf("%s:%d: ran\n%s%s", sb.doc.Name, b.Line, indent(script), indent(head(out, 12)))
			return
		case time.Now().After(deadline):
			sb.fail(b, script, out, "its output never became what the document says")
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func (sb *docSandbox) runScript(file, stdin string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var cmd *exec.Cmd
	if stdin != "" {
		// A terminal, as the operator has: the gateway's CLI asks for
		// passwords on one. script(1) from util-linux gives the block a
		// pseudo-terminal and types stdin into it.
		cmd = exec.CommandContext(ctx, "script", "-qefc", "bash -euo pipefail "+file, "/dev/null")
		cmd.Stdin = strings.NewReader(stdin)
	} else {
		cmd = exec.CommandContext(ctx, "bash", "-euo", "pipefail", file)
		cmd.Stdin = strings.NewReader("")
	}
	cmd.Dir = filepath.Join(sb.root, "root")
	cmd.Env = sb.env
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return string(out), fmt.Errorf("did not finish within 2 minutes")
	}
	return string(out), err
}

func (sb *docSandbox) fail(b mdshell.Block, script, out, why string) {
	sb.t.Errorf("%s:%d: the %s block failed: %s\nthe block as written:\n%sas run in the sandbox (root %s):\n%soutput:\n%s",
		sb.doc.Name, b.Line, b.Lang, why, indent(b.Text), sb.root, indent(script), indent(out))
}

// head is the first n lines of s.
func head(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) <= n {
		return s
	}
	return strings.Join(lines[:n], "") + fmt.Sprintf("... (%d more lines)\n", len(lines)-n)
}

func indent(s string) string {
	if s == "" {
		return "    (nothing)\n"
	}
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ") + "\n"
}

// setEnv sets a variable of the sandbox's shell environment.
func (sb *docSandbox) setEnv(k, v string) {
	for i, e := range sb.env {
		if strings.HasPrefix(e, k+"=") {
			sb.env[i] = k + "=" + v
			return
		}
	}
	sb.env = append(sb.env, k+"="+v)
}

// start runs a process in the sandbox until the test ends, its output
// going to log.
func (sb *docSandbox) start(cmd *exec.Cmd, log io.Writer) {
	sb.t.Helper()
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		sb.t.Fatalf("start %s: %v", cmd.Path, err)
	}
	sb.mu.Lock()
	sb.procs = append(sb.procs, cmd)
	sb.mu.Unlock()
}

// stop ends a process started with start: SIGTERM, as systemd's
// KillSignal, then waits.
func (sb *docSandbox) stop(cmd *exec.Cmd) {
	sb.mu.Lock()
	for i, c := range sb.procs {
		if c == cmd {
			sb.procs = append(sb.procs[:i], sb.procs[i+1:]...)
			break
		}
	}
	sb.mu.Unlock()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second): // TimeoutStopSec
		_ = cmd.Process.Kill()
		<-done
	}
}

func (sb *docSandbox) stopAll() {
	sb.mu.Lock()
	procs := append([]*exec.Cmd(nil), sb.procs...)
	sb.mu.Unlock()
	for _, c := range procs {
		sb.stop(c)
	}
}

// waitDocListening waits until something accepts connections on addr.
func waitDocListening(t *testing.T, addr string, log *logBuffer) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on %s after a minute: %v\nlog:\n%s", addr, err, log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestDocsREADME runs README.md's command blocks: the account commands
// run on the database of a gateway started as `make run` starts it (the
// harness's binary, `serve` with no config, free ports), with the
// accounts they name made first.
func TestDocsREADME(t *testing.T) {
	t.Parallel()
	bin := drawbridgeCommand(t)
	sb := newDocSandbox(t, "README.md")
	sb.setEnv("PATH", filepath.Dir(bin)+":/usr/bin:/bin")
	gwLog := &logBuffer{}
	sb.walk([]docHook{{
		anchor: "drawbridge user add -role superuser alice",
		before: func(sb *docSandbox, b mdshell.Block) {
			// The gateway, on the default state directory, as `make run`.
			https := fmt.Sprintf("127.0.0.1:%d", freePort(t))
			cmd := exec.Command(bin, "serve", "-https-addr", https, "-http-addr", "off",
				"-demo-addr", fmt.Sprintf("127.0.0.1:%d", freePort(t)))
			cmd.Env = append(append([]string(nil), sb.env...), "DRAWBRIDGE_ADMIN_ADDR=off")
			cmd.Dir = filepath.Join(sb.root, "root")
			sb.start(cmd, gwLog)
			waitDocListening(t, https, gwLog)
			// The accounts the block changes, made as the block makes alice.
			for _, name := range []string{"bob", "mallory"} {
				c := exec.Command(bin, "user", "add", name)
				c.Env, c.Dir, c.Stdin = sb.env, cmd.Dir, strings.NewReader(accountPassword+"\n")
				if out, err := c.CombinedOutput(); err != nil {
					t.Fatalf("make the account %s that %s:%d uses: %v\n%s", name, sb.doc.Name, b.Line, err, out)
				}
			}
		},
	}})
	if t.Failed() {
		t.Logf("gateway log:\n%s", gwLog.String())
	}
}

// TestDocsMultiNode runs deploy/multi-node.md's command blocks: most
// need hosts of their own (each says why); the HAProxy configuration is
// installed and checked with the haproxy the test machine has.
func TestDocsMultiNode(t *testing.T) {
	t.Parallel()
	sb := newDocSandbox(t, "deploy/multi-node.md")
	sb.walk([]docHook{{
		anchor: "apt install haproxy",
		after: func(sb *docSandbox, b mdshell.Block) {
			// What the package makes that the next block needs.
			if err := os.MkdirAll(filepath.Join(sb.root, "etc/haproxy"), 0o755); err != nil {
				t.Fatal(err)
			}
		},
	}})
}

// TestDocsDeployWalk follows deploy/README.md as a new operator does,
// block by block, from an empty root to a player's page on a Pebble
// certificate: install the binary, install and edit the config, check
// it, install the unit and start it (its ExecStart= line, since there is
// no systemd here), watch /readyz become ready, fetch the page over the
// certificate, then the later sections' blocks (checking with the
// environment file, the upgrade with a restart).
func TestDocsDeployWalk(t *testing.T) {
	t.Parallel()
	bin := drawbridgeWithClient(t)
	sb := newDocSandbox(t, "deploy/README.md")
	httpsPort, httpPort, adminPort, telnetsPort := freePort(t), freePort(t), freePort(t), freePort(t)
	game := startStandInGame(t)
	pb := pebble.Start(t, pebble.Options{TLSPort: httpsPort, HTTPPort: httpPort})
	caFile := filepath.Join(sb.root, "tmp", "pebble-api.pem")
	writePool(t, caFile, pb)

	// The documented admin address is the binary's default.
	adminDefault := defaultAdminAddr(t, bin)
	sb.subs = append([][2]string{
		// Connecting by name: the name's address (DNS) is loopback here;
		// the name itself still goes in SNI.
		{"-connect play.example.org:4001", fmt.Sprintf("-connect 127.0.0.1:%d", telnetsPort)},
	}, sb.subs...)
	sb.subs = append(sb.subs,
		[2]string{adminDefault, fmt.Sprintf("127.0.0.1:%d", adminPort)},
		[2]string{"127.0.0.1:4000", game})
	overrides := []string{
		"DRAWBRIDGE_ACME_DIRECTORY_URL=" + pb.DirectoryURL(),
		"DRAWBRIDGE_ACME_CA_FILE=" + caFile,
		fmt.Sprintf("DRAWBRIDGE_WEB_HTTPS_ADDR=127.0.0.1:%d", httpsPort),
		fmt.Sprintf("DRAWBRIDGE_WEB_HTTP_ADDR=127.0.0.1:%d", httpPort),
		fmt.Sprintf("DRAWBRIDGE_ADMIN_ADDR=127.0.0.1:%d", adminPort),
		// The TLS telnet port, on from the start rather than by an edit
		// and a restart, for the section that tests it.
		fmt.Sprintf("DRAWBRIDGE_TELNETS_ADDR=127.0.0.1:%d", telnetsPort),
		"DRAWBRIDGE_STATE_DIR=" + filepath.Join(sb.root, "var/lib/drawbridge"),
		"DRAWBRIDGE_LOG_AUDIT_FILE=" + filepath.Join(sb.root, "var/log/drawbridge/audit.log"),
	}
	for _, o := range overrides {
		k, v, _ := strings.Cut(o, "=")
		sb.setEnv(k, v)
	}
	start := time.Now()
	unit := &docUnit{sb: sb, log: &logBuffer{}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the gateway's standard error (the journal):\n%s", unit.log.String())
		}
	})
	// "answers `ready`": its first word, whatever detail may follow.
	ready := func(out string) bool {
		f := strings.Fields(out)
		return len(f) > 0 && strings.TrimRight(f[0], ":.,") == "ready"
	}
	sb.walk([]docHook{{
		// Step 3: make build and scp.
		anchor: "scp bin/drawbridge",
		after: func(sb *docSandbox, b mdshell.Block) {
			// What scp copies to the VM's /tmp: the harness's build of
			// ./gateway for bin/drawbridge, the repository's files for the
			// rest.
			var files []string
			for _, c := range b.Commands() {
				for _, args := range commandsOf(c.Text, func(w string) bool { return w == "scp" }) {
					files = append(files, args[:len(args)-1]...)
				}
			}
			if len(files) == 0 {
				t.Fatalf("%s:%d: no scp command to copy the files of", sb.doc.Name, b.Line)
			}
			for _, f := range files {
				src := filepath.Join("..", f)
				if f == "bin/drawbridge" {
					src = bin
				}
				copyFile(t, src, filepath.Join(sb.root, "tmp", filepath.Base(f)))
			}
		},
	}, {
		// Step 4: "then change two lines in it", as the operator does in
		// an editor: the lines the document names, substituted.
		anchor: "install -D -m 0644 /tmp/drawbridge.toml",
		after: func(sb *docSandbox, b mdshell.Block) {
			sb.editConfig(b)
			// The binary finds /etc/drawbridge/drawbridge.toml by itself
			// on the VM; here that path is under the sandbox's root.
			sb.setEnv("DRAWBRIDGE_CONFIG", filepath.Join(sb.root, "etc/drawbridge/drawbridge.toml"))
			// The overrides, in the file the unit reads.
			env := strings.Join(overrides, "\n") + "\n"
			if err := os.WriteFile(filepath.Join(sb.root, "etc/drawbridge/drawbridge.env"), []byte(env), 0o644); err != nil {
				t.Fatal(err)
			}
		},
	}, {
		// Step 6: systemctl enable --now.
		anchor: "systemctl enable --now",
		after:  func(*docSandbox, mdshell.Block) { unit.start() },
	}, {
		// Step 7: /readyz becomes ready once Pebble has issued.
		anchor: "/readyz",
		until:  ready,
		after: func(sb *docSandbox, b mdshell.Block) {
			// Step 8: the player's page, over the certificate, then a
			// player in the browser.
			root := playPage(t, pb, httpsPort, httpPort)
			// The machine trusts the CA from now on, as machines trust
			// Let's Encrypt: OpenSSL's SSL_CERT_FILE (curl and openssl).
			rootFile := filepath.Join(sb.root, "etc", "pebble-root.pem")
			if err := os.WriteFile(rootFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Raw}), 0o644); err != nil {
				t.Fatal(err)
			}
			sb.setEnv("SSL_CERT_FILE", rootFile)
			playInBrowser(t, root, httpsPort)
			t.Logf("from an empty root to a player in the browser on a Pebble certificate: %v", time.Since(start).Round(time.Second))
		},
	}, {
		// The TLS telnet port: "The output should include
		// `Verify return code: 0 (ok)`".
		anchor: "openssl s_client -connect play.example.org:4001",
		until:  func(out string) bool { return strings.Contains(out, "Verify return code: 0 (ok)") },
	}, {
		// The player's certificate and key that the .p12 is made of.
		anchor: "openssl pkcs12 -export",
		before: func(sb *docSandbox, b mdshell.Block) {
			args := []string{"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
				"-subj", "/CN=alice", "-days", "30", "-keyout", "alice.key", "-out", "alice.crt"}
			cmd := exec.Command("openssl", args...)
			cmd.Dir = filepath.Join(sb.root, "root")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("make alice's certificate for %s:%d: %v\n%s", sb.doc.Name, b.Line, err, out)
			}
		},
	}, {
		// The upgrade's systemctl restart.
		anchor: "systemctl restart drawbridge",
		after: func(sb *docSandbox, b mdshell.Block) {
			unit.stop()
			unit.start()
			deadline := time.Now().Add(90 * time.Second)
			for {
				out, _ := exec.Command("curl", "-s", fmt.Sprintf("http://127.0.0.1:%d/readyz", adminPort)).Output()
				if ready(string(out)) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("after the upgrade's restart /readyz says %q", out)
				}
				time.Sleep(500 * time.Millisecond)
			}
			playPage(t, pb, httpsPort, httpPort)
		},
	}})
}

// withClient is the gateway's binary with the freshly built web client
// embedded, as `make build` makes it, built once.
var withClient struct {
	once sync.Once
	path string
	err  error
}

// drawbridgeWithClient builds ./gateway as the harness does
// (drawbridgeCommand, so the build cache is shared), with the web client
// the harness builds (webClient) in www/dist through go build -overlay:
// what `make build` embeds, without writing into the checkout's www/dist,
// which other tests read meanwhile.
func drawbridgeWithClient(t *testing.T) string {
	t.Helper()
	start := time.Now()
	site := webClient(t)
	drawbridgeCommand(t) // the shared build first, for the cache
	defer func() { t.Logf("the gateway with the client built after %v", time.Since(start).Round(time.Second)) }()
	withClient.once.Do(func() {
		withClient.err = func() error {
			dir, err := os.MkdirTemp("", "drawbridge-docs-bin-")
			if err != nil {
				return err
			}
			wwwDist, err := filepath.Abs("../www/dist")
			if err != nil {
				return err
			}
			entries, err := os.ReadDir(filepath.Join(site, "dist"))
			if err != nil {
				return err
			}
			var overlay strings.Builder
			overlay.WriteString(`{"Replace":{`)
			for i, e := range entries {
				if i > 0 {
					overlay.WriteString(",")
				}
				fmt.Fprintf(&overlay, "%q:%q", filepath.Join(wwwDist, e.Name()), filepath.Join(site, "dist", e.Name()))
			}
			overlay.WriteString("}}")
			ov := filepath.Join(dir, "overlay.json")
			if err := os.WriteFile(ov, []byte(overlay.String()), 0o644); err != nil {
				return err
			}
			withClient.path = filepath.Join(dir, "drawbridge")
			if out, err := exec.Command("go", "build", "-overlay", ov, "-ldflags", "-X main.wellKnownConfig="+noWellKnownConfig, "-o", withClient.path, "../gateway").CombinedOutput(); err != nil {
				return fmt.Errorf("go build -overlay gateway: %v\n%s", err, out)
			}
			return nil
		}()
	})
	if withClient.err != nil {
		t.Fatal(withClient.err)
	}
	return withClient.path
}

// editConfig makes the edits step 4 describes in prose ("change three
// lines in the config: `KEY = VALUE` in `[SECTION]`, ..."): each named line
// replaces the line of that key in that section.
func (sb *docSandbox) editConfig(b mdshell.Block) {
	t := sb.t
	var edits [][2]string // section, line
	// The prose after the block: `key = value` in `[section]`.
	src, err := os.ReadFile(filepath.Join("..", sb.doc.Name))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	end := b.Line + strings.Count(b.Text, "\n") + 1
	var para strings.Builder
	for i := end; i < len(lines) && i < end+8; i++ {
		para.WriteString(lines[i] + " ")
	}
	// Lines of the paragraph are joined with their indentation, so the
	// words between the two spans may be spread over two lines.
	re := regexp.MustCompile("`([a-z_]+ = [^`]+)`\\s+in\\s+`\\[([a-z_.]+)\\]`")
	for _, m := range re.FindAllStringSubmatch(para.String(), -1) {
		edits = append(edits, [2]string{m[2], sb.subst(m[1])})
	}
	if len(edits) < 2 {
		t.Fatalf("%s:%d: the test found %d of the lines to change after the config's install (`KEY = VALUE` in `[SECTION]`), want 2 or more:\n%s", sb.doc.Name, end, len(edits), para.String())
	}
	path := filepath.Join(sb.root, "etc/drawbridge/drawbridge.toml")
	conf, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := strings.Split(string(conf), "\n")
	for _, e := range edits {
		key, _, _ := strings.Cut(e[1], " =")
		section, done := "", false
		for i, l := range out {
			if m := regexp.MustCompile(`^\[([a-z_.]+)\]`).FindStringSubmatch(l); m != nil {
				section = m[1]
			}
			if section == e[0] && regexp.MustCompile(`^#?\s*`+regexp.QuoteMeta(key)+`\s*=`).MatchString(l) {
				out[i], done = e[1], true
				break
			}
		}
		if !done {
			t.Fatalf("the example config has no %s line in [%s] to change to %s", key, e[0], e[1])
		}
		t.Logf("the operator's edit: [%s] %s", e[0], e[1])
	}
	if err := os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// docUnit runs the installed systemd unit's ExecStart= the way systemd
// would: the unit's EnvironmentFile=, STATE_DIRECTORY and LOGS_DIRECTORY
// set and those directories made (0700) under the sandbox's root, the
// paths in the line under that root, and SIGTERM to stop it.
type docUnit struct {
	sb  *docSandbox
	log *logBuffer
	cmd *exec.Cmd
}

func (u *docUnit) start() {
	sb, t := u.sb, u.sb.t
	t.Helper()
	path := filepath.Join(sb.root, "etc/systemd/system/drawbridge.service")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the unit is not installed where the document puts it: %v", err)
	}
	var exe string
	env := []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"}
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		switch k {
		case "ExecStart":
			exe = strings.TrimLeft(v, "-@+!:")
		case "Environment":
			env = append(env, shellWords(v)...)
		case "EnvironmentFile":
			optional := strings.HasPrefix(v, "-")
			b, err := os.ReadFile(rootPaths(strings.TrimPrefix(v, "-"), sb.root))
			if err != nil && !optional {
				t.Fatalf("the unit's EnvironmentFile=%s: %v", v, err)
			}
			for _, l := range strings.Split(string(b), "\n") {
				if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
					env = append(env, l)
				}
			}
		case "StateDirectory", "LogsDirectory", "RuntimeDirectory", "CacheDirectory":
			base := map[string]string{"StateDirectory": "var/lib", "LogsDirectory": "var/log", "RuntimeDirectory": "run", "CacheDirectory": "var/cache"}[k]
			dir := filepath.Join(sb.root, base, v)
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			name := map[string]string{"StateDirectory": "STATE_DIRECTORY", "LogsDirectory": "LOGS_DIRECTORY", "RuntimeDirectory": "RUNTIME_DIRECTORY", "CacheDirectory": "CACHE_DIRECTORY"}[k]
			env = append(env, name+"="+dir)
		}
	}
	if exe == "" {
		t.Fatalf("%s has no ExecStart=", path)
	}
	words := shellWords(os.Expand(rootPaths(exe, sb.root), func(k string) string {
		for _, e := range env {
			if v, ok := strings.CutPrefix(e, k+"="); ok {
				return v
			}
		}
		return ""
	}))
	t.Logf("starting the unit's ExecStart=%s as %q", exe, words)
	cmd := exec.Command(words[0], words[1:]...)
	cmd.Env = env
	cmd.Dir = "/"
	u.cmd = cmd
	sb.start(cmd, u.log)
}

func (u *docUnit) stop() {
	if u.cmd != nil {
		u.sb.stop(u.cmd)
		u.cmd = nil
	}
}

// playPage fetches the player's page as a browser opening
// https://play.example.org/ would, trusting only Pebble's root, and the
// plain-HTTP redirect to it.
func playPage(t *testing.T, pb *pebble.Server, httpsPort, httpPort int) *x509.Certificate {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext:     dialTo(fmt.Sprintf("127.0.0.1:%d", httpsPort)),
		TLSClientConfig: &tls.Config{RootCAs: pb.Roots()},
	}}
	defer client.CloseIdleConnections()
	resp, err := client.Get("https://" + docDomain + "/")
	if err != nil {
		t.Fatalf("open https://%s/ over the Pebble certificate: %v", docDomain, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Contains(bytes.ToLower(body), []byte("<html")) {
		t.Fatalf("https://%s/ = %d:\n%.500s", docDomain, resp.StatusCode, body)
	}
	chain := resp.TLS.VerifiedChains[0]
	root := chain[len(chain)-1]
	noFollow := &http.Client{Timeout: 30 * time.Second,
		Transport:     &http.Transport{DialContext: dialTo(fmt.Sprintf("127.0.0.1:%d", httpPort))},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err = noFollow.Get("http://" + docDomain + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "https://"+docDomain) {
		t.Fatalf("http://%s/ = %d to %q, want a redirect to https://%s", docDomain, resp.StatusCode, loc, docDomain)
	}
	t.Logf("step 8: https://%s/ served over a certificate that verifies to Pebble's root; http:// redirects to it", docDomain)
	return root
}

// playInBrowser is step 8 in headless Chromium: a player opens
// https://play.example.org/ (the name mapped to loopback, the port the
// free one standing in for 443) in a browser that trusts the CA's root as
// browsers trust Let's Encrypt's (in the profile's NSS database, with
// certutil), makes an account on the front door and plays the game.
func playInBrowser(t *testing.T, root *x509.Certificate, httpsPort int) {
	t.Helper()
	home := t.TempDir()
	nss := filepath.Join(home, ".pki", "nssdb")
	if err := os.MkdirAll(nss, 0o700); err != nil {
		t.Fatal(err)
	}
	rootFile := filepath.Join(home, "pebble-root.pem")
	if err := os.WriteFile(rootFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"-N", "-d", "sql:" + nss, "--empty-password"},
		{"-A", "-d", "sql:" + nss, "-t", "C,,", "-n", "pebble-root", "-i", rootFile},
	} {
		if out, err := exec.Command("certutil", args...).CombinedOutput(); err != nil {
			t.Fatalf("certutil %s (Debian: libnss3-tools): %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	opts := append(headless.Options(chromium(t), filepath.Join(home, "profile")),
		chromedp.Env("HOME="+home),
		chromedp.Flag("host-resolver-rules", "MAP "+docDomain+" 127.0.0.1"))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	defer func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	}()
	b := &browser{ctx: ctx, console: &headless.Console{}}
	b.console.Follow(ctx)
	defer func() {
		if t.Failed() {
			t.Logf("browser console:\n%s", b.console.String())
		}
	}()
	url := fmt.Sprintf("https://%s:%d/", docDomain, httpsPort)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1000, 700)); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("open %s in Chromium: %v", url, err)
	}
	b.waitFor(t, "the front door", `document.getElementById("loading").hidden`, 30*time.Second)
	b.waitFor(t, "the account form", `!document.getElementById("register-panel").hidden`, 10*time.Second)
	b.fill(t, "register-name", "Walker")
	b.fill(t, "register-password", accountPassword)
	b.fill(t, "register-password2", accountPassword)
	b.waitFor(t, "the password accepted", `document.getElementById("register-policy").classList.contains("ok")`, 10*time.Second)
	b.click(t, "register-submit")
	b.waitPlay(t)
	b.waitScreen(t, "Welcome to the stand-in game.", 90*time.Second)
	b.typeLine(t, "hello")
	b.waitScreen(t, "You said: hello", 10*time.Second)
	t.Logf("step 8: a player in Chromium made an account on %s and played the game over the certificate", url)
}

// defaultAdminAddr is admin.addr as the binary's defaults have it.
func defaultAdminAddr(t *testing.T, bin string) string {
	t.Helper()
	cmd := exec.Command(bin, "config", "check")
	cmd.Env = []string{"HOME=" + t.TempDir()}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("drawbridge config check with the defaults: %v\n%s", err, out)
	}
	section := ""
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "[") {
			section = strings.Trim(l, "[] ")
		}
		if m := regexp.MustCompile(`^addr\s*=\s*"([^"]+)"`).FindStringSubmatch(l); m != nil && section == "admin" {
			return m[1]
		}
	}
	t.Fatalf("no admin.addr in drawbridge config check's output:\n%s", out)
	return ""
}

// startStandInGame listens on a free loopback port as the game: a banner,
// then each line echoed, as a telnet game that needs no negotiation.
func startStandInGame(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				fmt.Fprint(c, "Welcome to the stand-in game.\r\n")
				sc := bufio.NewScanner(c)
				for sc.Scan() {
					fmt.Fprintf(c, "You said: %s\r\n", sc.Text())
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDocCommandParsing pins down how command lines are read for the
// checks above: the drawbridge commands found in a line and their
// arguments, and the paths put under the sandbox's root.
func TestDocCommandParsing(t *testing.T) {
	t.Parallel()
	for line, want := range map[string][][]string{
		"drawbridge user add -role superuser alice   # asks twice":                  {{"user", "add", "-role", "superuser", "alice"}},
		"sudo -u drawbridge drawbridge user -config /e/d.toml add alice":            {{"user", "-config", "/e/d.toml", "add", "alice"}},
		"docker exec -it gw drawbridge user list":                                   {{"user", "list"}},
		"install -m 0755 /tmp/drawbridge /usr/bin/drawbridge && drawbridge version": {{"version"}},
		"(set -a; . /etc/x.env; set +a; drawbridge config check -config 'a b')":     {{"config", "check", "-config", "a b"}},
		"/usr/bin/drawbridge.new config check 2>&1 | grep valid":                    {{"config", "check"}},
		"DRAWBRIDGE_X=1 ./bin/drawbridge serve -domain x > log":                     {{"serve", "-domain", "x"}},
		"drawbridge user import NAME < hash":                                        {{"user", "import", "NAME"}},
		"mv /usr/bin/drawbridge.new /usr/bin/drawbridge":                            nil,
		"journalctl -u drawbridge -f":                                               nil,
		"sudo -u":                                                                   nil,
		"docker exec -u":                                                            nil,
	} {
		if got := commandsOf(line, isDrawbridge); !reflect.DeepEqual(got, want) {
			t.Errorf("commandsOf(%q) = %q, want %q", line, got, want)
		}
	}
	for in, want := range map[string]string{
		"install /tmp/a /etc/drawbridge/b":    "install R/tmp/a R/etc/drawbridge/b",
		"x=/var/lib/y \"/usr/local/bin\"":     "x=R/var/lib/y \"R/usr/local/bin\"",
		"curl http://127.0.0.1:9100/readyz":   "curl http://127.0.0.1:9100/readyz",
		"scp a vm:/tmp/ /etcetera /usr/bin/x": "scp a vm:/tmp/ /etcetera /usr/bin/x",
		"/usr/bin/drawbridge.new version":     "R/usr/bin/drawbridge.new version",
	} {
		if got := rootPaths(in, "R"); got != want {
			t.Errorf("rootPaths(%q) = %q, want %q", in, got, want)
		}
	}
}
