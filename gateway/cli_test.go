package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/drawbridge/drawbridge/gateway/internal/store/sqlite"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// binary builds the drawbridge command once, for tests that need a
// process of their own (another user, a shell). It reads no well-known
// config: the tests pass -config.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "drawbridge-bin-")
		if err != nil {
			binErr = err
			return
		}
		os.Chmod(dir, 0o755) // another user runs it too
		binPath = filepath.Join(dir, "drawbridge")
		cmd := exec.Command("go", "build", "-o", binPath, "-ldflags", "-X main.wellKnownConfig=/nonexistent/drawbridge.toml", ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = err
			binPath = string(out)
		}
	})
	if binErr != nil {
		t.Fatalf("build drawbridge: %v\n%s", binErr, binPath)
	}
	return binPath
}

// serviceUID stands for the transient user systemd's DynamicUser=yes
// gives the service (65534 is nobody, present on every Linux).
const serviceUID = 65534

// Root runs `drawbridge user add` on the database of a service that runs
// as another user (systemd's DynamicUser=yes: /var/lib/drawbridge is a
// link into /var/lib/private, which only root can enter). It must reach
// the database, and every file it leaves there or in the log directory
// must stay the service's, or the service can no longer open them.
func TestRootLeavesTheServicesFilesToIt(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: it runs the command as root on files another user owns (CI runs as root)")
	}
	bin := binary(t)
	base := t.TempDir()
	os.Chmod(filepath.Dir(base), 0o755)
	os.Chmod(base, 0o755)
	private := filepath.Join(base, "private")
	logs := filepath.Join(base, "logs")
	for _, d := range []string{filepath.Join(private, "drawbridge"), logs} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	os.Chmod(private, 0o700)
	stateLink := filepath.Join(base, "drawbridge")
	if err := os.Symlink("private/drawbridge", stateLink); err != nil {
		t.Fatal(err)
	}
	db := newDatabase(t, filepath.Join(private, "drawbridge"))
	for _, p := range []string{filepath.Join(private, "drawbridge"), db, logs} {
		if err := os.Chown(p, serviceUID, serviceUID); err != nil {
			t.Fatal(err)
		}
	}
	conf := filepath.Join(base, "drawbridge.toml")
	audit := filepath.Join(logs, "audit.log")
	if err := os.WriteFile(conf, []byte("state_dir = \""+stateLink+"\"\n[log]\naudit_file = \""+audit+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	// The gateway, stopped mid-write, left no -wal or -shm: the command
	// makes them. Hold them open across the command, as a running
	// gateway would, to see whose they are.
	held, err := sqlite.OpenExisting(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if _, err := held.SchemaVersion(context.Background()); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(bin, "user", "add", "-role", "superuser", "-config", conf, "alice")
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	cmd.Stdin = strings.NewReader("correct horse battery staple\n")
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("created alice (superuser")) {
		t.Fatalf("drawbridge user add as root: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("running as root on a database of uid 65534")) {
		t.Errorf("the command did not say it works on another user's database:\n%s", out)
	}
	if _, err := os.Stat(audit); err != nil {
		t.Fatalf("the command wrote no audit file: %v", err)
	}
	for _, dir := range []string{filepath.Join(private, "drawbridge"), logs} {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			fi, err := os.Lstat(p)
			if err != nil {
				return err
			}
			if st := fi.Sys().(*syscall.Stat_t); st.Uid != serviceUID || st.Gid != serviceUID {
				t.Errorf("%s belongs to %d:%d after root's command, want the service's %d:%d", p, st.Uid, st.Gid, serviceUID, serviceUID)
			}
			return nil
		})
	}

	// And the service's user can still use them all. (systemd lets the
	// service into /var/lib/private through its own mount namespace; here
	// the directory is opened to it instead.)
	held.Close()
	os.Chmod(private, 0o711)
	cmd = exec.Command(bin, "user", "unlock", "alice", "-config", conf)
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: serviceUID, Gid: serviceUID}}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("drawbridge user unlock as the service's user, after root's command: %v\n%s", err, out)
	}
}

// The bash completion script is valid bash and completes commands, verbs,
// flags and roles from the same table as the help.
func TestBashCompletion(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	script := filepath.Join(t.TempDir(), "drawbridge.bash")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"completion", "bash"}, strings.NewReader(""), &out, &out, nil); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(script, out.Bytes(), 0o644)
	if out, err := exec.Command("bash", "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	testCompletion(t, "bash", `source "$1"`, script)
}

// The zsh script works through zsh's bash completion layer.
func TestZshCompletion(t *testing.T) {
	if _, err := exec.LookPath("zsh"); err != nil {
		t.Skip("zsh is not installed: the zsh completion script is not tested")
	}
	script := filepath.Join(t.TempDir(), "drawbridge.zsh")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"completion", "zsh"}, strings.NewReader(""), &out, &out, nil); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(script, out.Bytes(), 0o644)
	if out, err := exec.Command("zsh", "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v\n%s", err, out)
	}
	testCompletion(t, "zsh", `autoload -U compinit && compinit -u -D; source "$1"`, script)
}

// testCompletion loads the script in shell and checks what _drawbridge
// offers for partial command lines.
func testCompletion(t *testing.T, shell, load, script string) {
	t.Helper()
	for _, tc := range []struct {
		words string // the words typed, the last one being completed
		want  []string
	}{
		{"drawbridge us", []string{"user"}},
		{"drawbridge ", []string{"serve", "config", "reload", "user", "session", "backup", "health", "demo", "completion", "version", "help"}},
		{"drawbridge user ", []string{"add", "import", "list", "passwd", "reset", "role", "disable", "enable", "unlock", "delete"}},
		{"drawbridge user -config /etc/drawbridge/drawbridge.toml ", []string{"add", "import", "list", "passwd", "reset", "role", "disable", "enable", "unlock", "delete"}},
		{"drawbridge session ", []string{"list", "revoke"}},
		{"drawbridge user add -r", []string{"-role"}},
		{"drawbridge user add -role s", []string{"superuser"}},
		{"drawbridge user role alice ", []string{"player", "builder", "admin", "superuser"}},
		{"drawbridge config ", []string{"check"}},
		{"drawbridge serve -state", []string{"-state-dir"}},
		{"drawbridge completion ", []string{"bash", "zsh"}},
	} {
		words := strings.Split(tc.words, " ")
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = "'" + w + "'"
		}
		prog := load + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" + strconv.Itoa(len(words)-1) + "\n_drawbridge\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
		out, err := exec.Command(shell, "-c", prog, shell, script).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %q: %v\n%s", shell, tc.words, err, out)
		}
		var got []string
		for _, w := range strings.Fields(string(out)) {
			// zsh's compgen leaves matching the typed prefix to compadd,
			// which the completion system calls after it.
			if strings.HasPrefix(w, words[len(words)-1]) {
				got = append(got, w)
			}
		}
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("%s completes %q to %q, want %q", shell, tc.words, got, tc.want)
		}
	}
}
