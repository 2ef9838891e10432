// Package pgserver starts a real PostgreSQL server, from the Debian
// postgresql package, for tests and benchmarks only: it imports package
// testing, and by default runs the server with fsync off.
//
// A server listens on 127.0.0.1 only, at a free port, with a superuser
// that logs in with a random password (SCRAM over TCP). Its data lives
// in a directory of its own under os.TempDir(), removed by Close. When
// the tests run as root (as in CI containers), initdb and postgres, which
// refuse root, run as the system's "postgres" user.
//
// Starting a server takes about a second, so a package's tests should
// share one: declare a Shared in the test package and Close it in
// TestMain. Tests that stop and restart the server (to see the database
// go away) start their own with Start.
package pgserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"go.uber.org/goleak"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/drawbridge/drawbridge/e2e/netport"
)

// Timeouts for starting and stopping the server.
const (
	// startTimeout bounds the wait for a new server to accept
	// connections: initdb has already run, so this is recovery and
	// start-up, normally well under a second.
	startTimeout = 30 * time.Second
	// stopTimeout bounds a fast shutdown before the server is killed.
	stopTimeout = 10 * time.Second
	// superuser is the name of the server's superuser.
	superuser = "drawbridge"
)

// Server is a running (or stopped) PostgreSQL server. Its methods are
// safe for concurrent use.
type Server struct {
	bin      string // directory holding initdb and postgres
	root     string // everything lives here; removed by Close
	data     string // the data directory
	sock     string // the Unix socket directory
	logPath  string // the server's log
	password string
	port     int
	cred     *syscall.Credential // run as this user; nil to run as ourselves
	opts     Options

	dbSeq atomic.Int64 // numbers the databases NewDatabase makes

	mu   sync.Mutex
	proc *process // nil while stopped
}

// process is one run of the postgres binary.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // cmd.Wait's result, set before done closes
}

// Start starts a server for the test and stops and removes it when the
// test ends. It fails the test, never skips it, if PostgreSQL is not
// installed.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := Launch()
	if err != nil {
		t.Fatalf("start PostgreSQL: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("stop PostgreSQL: %v", err)
		}
	})
	return s
}

// Options change how a server runs. The zero value is the fast setup
// tests want.
type Options struct {
	// Durable runs the server as production would, with fsync and
	// synchronous_commit on, for benchmarks that compare the cost of
	// writes with another store that does sync. By default both are off:
	// tests want speed, and nothing here must survive a power cut.
	Durable bool
}

// Launch starts a server that the caller must Close, for a TestMain that
// shares one server among a package's tests (see Shared), or a tool.
func Launch() (*Server, error) { return LaunchOptions(Options{}) }

// LaunchOptions is Launch with options.
func LaunchOptions(o Options) (*Server, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin, opts: o}
	if err := s.prepare(); err != nil {
		s.removeAll()
		return nil, err
	}
	if err := s.initdb(); err != nil {
		s.removeAll()
		return nil, err
	}
	var startErr error
	for range 3 { // the free port may be taken before postgres binds it
		if s.port, startErr = freePort(); startErr != nil {
			break
		}
		if startErr = s.start(); startErr == nil {
			return s, nil
		}
		if !strings.Contains(startErr.Error(), "could not bind") && !strings.Contains(startErr.Error(), "could not create any TCP/IP sockets") {
			break
		}
	}
	s.removeAll()
	return nil, startErr
}

// findBin returns the newest /usr/lib/postgresql/*/bin holding initdb and
// postgres.
func findBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL server binaries (initdb, postgres) in /usr/lib/postgresql/*/bin: run apt-get install postgresql")
}

// version reads the major version from /usr/lib/postgresql/<v>/bin.
func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func isExec(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// prepare makes the directories and the password file, owned by the user
// the server will run as.
func (s *Server) prepare() error {
	if os.Getuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("running as root, initdb and postgres need the postgres user (run apt-get install postgresql): %w", err)
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err := errors.Join(err1, err2); err != nil {
			return fmt.Errorf("postgres user: %w", err)
		}
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	base := os.TempDir()
	if s.cred != nil && !traversable(base) {
		// TMPDIR is private to root: the postgres user could not reach
		// the data directory inside.
		base = "/tmp"
		if !traversable(base) {
			return fmt.Errorf("neither %s nor /tmp can be traversed by the postgres user: set TMPDIR to a directory that can", os.TempDir())
		}
	}
	root, err := os.MkdirTemp(base, "pgserver-")
	if err != nil {
		return fmt.Errorf("make server directory: %w", err)
	}
	s.root = root
	// The postgres user must reach the directories inside: the temporary
	// directory of a test is root's and private, so this is our own.
	if err := os.Chmod(root, 0o755); err != nil {
		return fmt.Errorf("make server directory: %w", err)
	}
	s.data = filepath.Join(root, "data")
	s.sock = filepath.Join(root, "sock")
	s.logPath = filepath.Join(root, "server.log")
	if err := os.Mkdir(s.sock, 0o700); err != nil {
		return fmt.Errorf("make socket directory: %w", err)
	}
	pw := make([]byte, 16)
	rand.Read(pw)
	s.password = hex.EncodeToString(pw)
	pwFile := filepath.Join(root, "pwfile")
	if err := os.WriteFile(pwFile, []byte(s.password+"\n"), 0o600); err != nil {
		return fmt.Errorf("write password file: %w", err)
	}
	if s.cred != nil {
		for _, p := range []string{root, s.sock, pwFile} {
			if err := os.Chown(p, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
				return fmt.Errorf("chown %s to postgres: %w", p, err)
			}
		}
	}
	return nil
}

// traversable reports whether every directory from dir up to / lets
// others through (the x bit for others).
func traversable(dir string) bool {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		if d == filepath.Dir(d) {
			return true
		}
	}
}

// command prepares one of the server's binaries, run as the server's
// user, with a clean environment (no PG* variables from the caller).
func (s *Server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.root
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C", "TZ=UTC"}
	// Its own process group, for kill; and if the test binary dies
	// without Close, an immediate shutdown rather than an orphan server.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGQUIT}
	if s.cred != nil {
		cmd.SysProcAttr.Credential = s.cred
	}
	return cmd
}

// initdb makes the data directory: local (socket) connections trusted,
// TCP ones with the superuser's password.
func (s *Server) initdb() error {
	cmd := s.command("initdb", "-D", s.data, "-U", superuser, "--pwfile", filepath.Join(s.root, "pwfile"),
		"--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb %s: %w\n%s", s.data, err, tail(out, 20))
	}
	return nil
}

// freePort returns a free loopback port, from below the ephemeral range (package netport).
func freePort() (int, error) { return netport.Free() }

// start runs postgres and waits until it accepts connections.
func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		return nil
	}
	logf, err := os.OpenFile(s.logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open server log: %w", err)
	}
	defer logf.Close() // the child has its own copy
	logStart, _ := logf.Seek(0, 2)
	args := []string{"-D", s.data, "-k", s.sock, "-h", "127.0.0.1", "-p", strconv.Itoa(s.port),
		"-c", "max_connections=300", "-c", "shared_buffers=32MB", "-c", "log_min_messages=warning"}
	if !s.opts.Durable {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	cmd := s.command("postgres", args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	if err := s.waitReady(p); err != nil {
		s.kill(p)
		return fmt.Errorf("start postgres on %s: %w\nserver log:\n%s", s.Addr(), err, s.logTail(logStart, 30))
	}
	s.proc = p
	return nil
}

// waitReady polls until the server answers a query, it exits, or
// startTimeout passes.
func (s *Server) waitReady(p *process) error {
	deadline := time.Now().Add(startTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := s.ping(ctx)
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not accepting connections after %v: %w", startTimeout, err)
		}
		select {
		case <-p.done:
			return fmt.Errorf("postgres exited: %v", p.err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (s *Server) ping(ctx context.Context) error {
	c, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	return c.Ping(ctx)
}

// stop shuts p down fast (SIGINT: clients are disconnected, no
// checkpoint wait), killing it if that takes too long.
func (s *Server) stop(p *process) error {
	p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.done:
		return nil
	case <-time.After(stopTimeout):
		s.kill(p)
		return fmt.Errorf("postgres did not stop within %v; killed", stopTimeout)
	}
}

// kill kills p's process group and waits for it.
func (s *Server) kill(p *process) {
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}

// logTail returns the last n lines of the server log from offset on.
func (s *Server) logTail(offset int64, n int) string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	if offset > 0 && offset <= int64(len(b)) {
		b = b[offset:]
	}
	return tail(b, n)
}

func tail(b []byte, n int) string {
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// Close stops the server and removes its files.
func (s *Server) Close() error {
	s.mu.Lock()
	p := s.proc
	s.proc = nil
	s.mu.Unlock()
	var err error
	if p != nil {
		err = s.stop(p)
	}
	return errors.Join(err, s.removeAll())
}

func (s *Server) removeAll() error {
	if s.root == "" {
		return nil
	}
	if err := os.RemoveAll(s.root); err != nil {
		return fmt.Errorf("remove server directory: %w", err)
	}
	return nil
}

// Stop shuts the server down (clients are disconnected), so a test can see
// the database go away. Restart brings it back at the same address.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	p := s.proc
	s.proc = nil
	s.mu.Unlock()
	if p == nil {
		return
	}
	if err := s.stop(p); err != nil {
		t.Fatalf("stop PostgreSQL: %v", err)
	}
}

// Restart starts the server again at the same address, with the same
// data, stopping it first if it runs.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop(t)
	if err := s.start(); err != nil {
		t.Fatalf("restart PostgreSQL: %v", err)
	}
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// URL is the connection URL of database db, with the superuser's name and
// password: postgres://user:password@127.0.0.1:port/db?sslmode=disable.
func (s *Server) URL(db string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(superuser, s.password), Host: s.Addr(),
		Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

// Exec runs SQL as the superuser on database db, failing the test on
// error. For setting up what a test needs.
func (s *Server) Exec(t testing.TB, db, sql string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := pgx.Connect(ctx, s.URL(db))
	if err != nil {
		t.Fatalf("connect to %s: %v", db, err)
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("exec on %s: %v", db, err)
	}
}

// NewDatabase creates an empty database with a name of its own and
// returns its URL. The database is dropped when the test ends (if the
// server then runs).
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("test_%d", s.dbSeq.Add(1))
	s.Exec(t, "postgres", "CREATE DATABASE "+name)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, s.URL("postgres"))
		if err != nil {
			t.Logf("drop database %s: %v", name, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop database %s: %v", name, err)
		}
	})
	return s.URL(name)
}

// Shared is one server for a test package, started by the first test
// that asks for it and closed by the package's TestMain:
//
//	var pg pgserver.Shared
//
//	func TestMain(m *testing.M) { os.Exit(pg.Run(m)) }
//
// The zero value is ready to use.
type Shared struct {
	// Options are those the server starts with.
	Options Options

	mu  sync.Mutex
	srv *Server
	err error
}

// Server returns the shared server, starting it on first use. It fails
// the test if the server cannot start (then and on every later call).
func (sh *Shared) Server(t testing.TB) *Server {
	t.Helper()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.srv == nil && sh.err == nil {
		sh.srv, sh.err = LaunchOptions(sh.Options)
	}
	if sh.err != nil {
		t.Fatalf("start PostgreSQL: %v", sh.err)
	}
	return sh.srv
}

// Run runs the package's tests, then stops the shared server, and
// returns the exit code: failing if the server did not stop cleanly, or
// if the tests passed but left goroutines running (a pool never closed, a
// Listen that did not return).
func (sh *Shared) Run(m *testing.M) int {
	code := m.Run()
	if err := sh.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	return code
}

// Close stops the shared server if it was started.
func (sh *Shared) Close() error {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.srv == nil {
		return nil
	}
	err := sh.srv.Close()
	sh.srv = nil
	return err
}
