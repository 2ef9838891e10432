package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestContainerImage builds and runs the container image with podman
// (daemonless, on vfs storage in a directory of the test's own) and
// checks `drawbridge health` as the image's HEALTHCHECK inside it, and the
// documented `exec ... /drawbridge user add`.
//
// The image is deploy/Dockerfile's final stage, with two stand-ins: its
// base, gcr.io/distroless/static-debian12, and the build stage's
// docker.io/library/golang are not reachable from here (no registry but
// Debian's, npm's and the Go proxy), so the base is scratch with Debian's
// CA bundle, and the binary is built here as the build stage builds it
// (static, -trimpath). Everything after the base (the binary's and state
// volume's places, ENV, USER, VOLUME, HEALTHCHECK, ENTRYPOINT) is the
// Dockerfile's own. The container runs with a read-only root, so its
// state volume is the only place it can write.
func TestContainerImage(t *testing.T) {
	needRoot(t)
	for _, tool := range []string{"podman", "runc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (make deps installs it): %v", tool, err)
		}
	}
	dockerfile, err := os.ReadFile("../deploy/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	containerfile := finalStage(t, string(dockerfile))

	ctxDir := t.TempDir()
	bin := filepath.Join(ctxDir, "drawbridge")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=container-test", "-o", bin, "./gateway")
	build.Dir = ".."
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	checkStatic(t, bin)
	ca, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		t.Fatalf("Debian's CA bundle (ca-certificates): %v", err)
	}
	if err := os.WriteFile(filepath.Join(ctxDir, "ca-certificates.crt"), ca, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(ctxDir, "state"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ctxDir, "Containerfile"), []byte(containerfile), 0o644); err != nil {
		t.Fatal(err)
	}

	// podman with its storage in the test's directory: the machine's
	// images and containers are not touched. vfs, because overlay needs
	// a kernel and mount setup a sandbox may not give; runc, because
	// crun refuses this machine's hybrid cgroup v1/v2 layout.
	store := t.TempDir()
	podman := func(args ...string) (string, error) {
		t.Helper()
		base := []string{
			"--root", filepath.Join(store, "root"), "--runroot", filepath.Join(store, "run"),
			"--storage-driver", "vfs", "--runtime", "runc", "--cgroup-manager", "cgroupfs",
			"--events-backend", "file", "--tmpdir", filepath.Join(store, "tmp"),
		}
		out, err := exec.Command("podman", append(base, args...)...).CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	must := func(args ...string) string {
		t.Helper()
		out, err := podman(args...)
		if err != nil {
			t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	const image, name = "localhost/drawbridge-test:latest", "drawbridge-test"
	t.Cleanup(func() {
		podman("rm", "-f", "-t", "0", name)
		podman("volume", "rm", "-f", "drawbridge-state")
		podman("rmi", "-f", image)
	})
	// --format docker: OCI images have no HEALTHCHECK.
	must("build", "--format", "docker", "-f", filepath.Join(ctxDir, "Containerfile"), "-t", image, ctxDir)
	if hc := must("image", "inspect", "--format", "{{json .Config.Healthcheck.Test}}", image); hc != `["CMD","/drawbridge","health"]` {
		t.Errorf("the image's healthcheck is %s, want [CMD /drawbridge health]", hc)
	}

	// This sandbox has no CAP_SYS_RESOURCE, so the runtime may not raise
	// limits to podman's defaults (1048576 files and processes): ask for
	// the limits the test runs with, or fewer.
	var nofile syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &nofile); err != nil {
		t.Fatal(err)
	}
	files := strconv.FormatUint(min(nofile.Cur, 65536), 10)
	must("run", "-d", "--name", name, "--network", "none",
		"--read-only", "--read-only-tmpfs=false",
		"--ulimit", "nofile="+files+":"+files, "--ulimit", "nproc=4096:4096",
		"-v", "drawbridge-state:/var/lib/drawbridge", image)

	// The HEALTHCHECK, run as the engine runs it: unhealthy while the
	// gateway starts, then healthy.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		out, err := podman("healthcheck", "run", name)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			logs, _ := podman("logs", name)
			t.Fatalf("the container never got healthy: %v\n%s\nlogs:\n%s", err, out, logs)
		}
		time.Sleep(time.Second)
	}
	if out := must("exec", name, "/drawbridge", "health"); out != "ready" {
		t.Errorf("drawbridge health in the container: %q, want ready", out)
	}
	// The gateway's user, from the host's /proc (the image has no ps).
	pid := must("inspect", "--format", "{{.State.Pid}}", name)
	status, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		t.Fatal(err)
	}
	if uid := regexp.MustCompile(`(?m)^Uid:\s+(\d+)\s`).FindSubmatch(status); uid == nil || string(uid[1]) != "65532" {
		t.Errorf("the gateway does not run as 65532: %q", uid)
	}
	// deploy/README's way to make accounts: exec in the running
	// container, with its settings and volume.
	add := exec.Command("podman", "--root", filepath.Join(store, "root"), "--runroot", filepath.Join(store, "run"),
		"--storage-driver", "vfs", "--runtime", "runc", "--cgroup-manager", "cgroupfs", "--events-backend", "file",
		"exec", "-i", name, "/drawbridge", "user", "add", "-role", "superuser", "alice")
	add.Stdin = strings.NewReader("correct horse battery staple\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("exec user add: %v\n%s", err, out)
	}
	if out := must("exec", name, "/drawbridge", "user", "list"); !strings.Contains(out, "alice") {
		t.Errorf("user list in the container lacks alice:\n%s", out)
	}

	must("stop", "-t", "30", name)
	if code := must("inspect", "--format", "{{.State.ExitCode}}", name); code != "0" {
		logs, _ := podman("logs", name)
		t.Errorf("the gateway exited with %s on SIGTERM, want 0\n%s", code, logs)
	}
}

// finalStage turns deploy/Dockerfile into what can be built here: its
// last stage, on scratch with the CA bundle instead of distroless, the
// binary and state directory from the build context instead of the build
// stage. It fails if the Dockerfile no longer has the lines it replaces.
func finalStage(t *testing.T, dockerfile string) string {
	t.Helper()
	i := strings.LastIndex(dockerfile, "\nFROM ")
	if i < 0 {
		t.Fatal("deploy/Dockerfile has no FROM")
	}
	stage := dockerfile[i+1:]
	for _, r := range []struct{ re, with string }{
		{`(?m)^FROM gcr\.io/distroless/static[^\n]*$`, "FROM scratch\nCOPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt"},
		{`(?m)^COPY --from=build /out/drawbridge /drawbridge$`, "COPY drawbridge /drawbridge"},
		{`(?m)^COPY --from=build --chown=65532:65532 /out/var/lib/drawbridge /var/lib/drawbridge$`, "COPY --chown=65532:65532 state /var/lib/drawbridge"},
	} {
		re := regexp.MustCompile(r.re)
		if !re.MatchString(stage) {
			t.Fatalf("deploy/Dockerfile's final stage has no line matching %s:\n%s", r.re, stage)
		}
		stage = re.ReplaceAllLiteralString(stage, r.with)
	}
	if strings.Contains(stage, "--from=") {
		t.Fatalf("the final stage still copies from another stage:\n%s", stage)
	}
	return stage
}
