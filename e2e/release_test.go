package e2e

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// needRoot skips a test that needs root (dpkg, chroot, podman) on a
// developer's machine, and fails it in CI, which runs as root: there it
// must never be skipped.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal("this test needs root, and CI runs as root")
	}
	t.Skip("needs root (CI runs it as root)")
}

// runCmd runs a command and returns its combined output, failing the test
// when it fails.
func runCmd(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// releaseVersion is the version the test releases as: git describe's
// form, some commits after a tag.
const (
	releaseVersion = "v1.2.3-4-gabc1234"
	releaseDebVer  = "1.2.3+git4.gabc1234"
)

// buildDeb runs make release's script for linux/amd64 into a temporary
// directory and returns it. Without a web client in www/dist (make wasm)
// it packages a binary without one: the test is about the package, and
// the browser tests cover the client.
func buildDeb(t *testing.T) string {
	t.Helper()
	out := t.TempDir()
	env := append(os.Environ(), "TARGETS=linux/amd64", "OUT="+out, "VERSION="+releaseVersion, "RELEASE_WITHOUT_CLIENT=1")
	cmd := exec.Command("bash", "deploy/release/release.sh")
	cmd.Dir = ".."
	cmd.Env = env
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("release.sh: %v\n%s", err, b)
	}
	return out
}

// TestDebianPackage builds the release's Debian package, checks what is
// in it, installs it with dpkg -i, runs the installed binary's version
// and config check, and removes and purges it again.
//
// It installs into a throwaway root (dpkg --root with a fresh database)
// rather than the machine's own: the same dpkg unpacks it, registers its
// files and conffile and removes it, but a developer's or CI machine's
// real /usr/bin, /etc and package database are left alone, nothing stays
// behind if the test dies, and tests running at once cannot collide. The
// installed binary runs at its installed paths in a chroot of that root
// (it is static, so it needs nothing else there).
func TestDebianPackage(t *testing.T) {
	needRoot(t)
	for _, tool := range []string{"dpkg", "dpkg-deb", "chroot"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (make deps installs it): %v", tool, err)
		}
	}
	dist := buildDeb(t)
	deb := filepath.Join(dist, "drawbridge_"+releaseDebVer+"_amd64.deb")
	if _, err := os.Stat(deb); err != nil {
		t.Fatalf("no package: %v", err)
	}
	// The checksums cover every artifact.
	sums := runCmd(t, nil, "sh", "-c", "cd '"+dist+"' && sha256sum -c SHA256SUMS")
	for _, want := range []string{"drawbridge_" + releaseDebVer + "_amd64.deb: OK", "drawbridge-" + releaseVersion + "-linux-amd64.tar.gz: OK"} {
		if !strings.Contains(sums, want) {
			t.Errorf("sha256sum -c SHA256SUMS lacks %q:\n%s", want, sums)
		}
	}

	// What is in it: the files, root's, and nothing else.
	var files []string
	for _, line := range strings.Split(strings.TrimSpace(runCmd(t, nil, "dpkg-deb", "-c", deb)), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || !strings.HasPrefix(f[0], "-") {
			continue
		}
		if f[1] != "root/root" {
			t.Errorf("%s is owned by %s, want root/root", f[5], f[1])
		}
		files = append(files, strings.TrimPrefix(f[5], "."))
	}
	want := []string{
		"/etc/drawbridge/drawbridge.toml",
		"/etc/logrotate.d/drawbridge",
		"/lib/systemd/system/drawbridge.service",
		"/usr/bin/drawbridge",
		"/usr/share/doc/drawbridge/README.md",
		"/usr/share/doc/drawbridge/deploy/README.md",
	}
	// What deploy/README.md tells the operator to copy from deploy/ (the
	// nginx, Apache and Caddy examples, multi-node.md's HAProxy) is in
	// the package's docs, and in every tarball with the logrotate snippet.
	for _, f := range copiedDeployFiles {
		if f != "logrotate" {
			want = append(want, "/usr/share/doc/drawbridge/deploy/"+f)
		}
	}
	tgz := filepath.Join(dist, "drawbridge-"+releaseVersion+"-linux-amd64.tar.gz")
	inTar := strings.Split(strings.TrimSpace(runCmd(t, nil, "tar", "-tzf", tgz)), "\n")
	for _, f := range append([]string{"drawbridge", "README.md", "deploy/README.md", "deploy/drawbridge.service", "deploy/drawbridge.toml"}, prefixed("deploy/", copiedDeployFiles)...) {
		if !slices.Contains(inTar, "drawbridge-"+releaseVersion+"-linux-amd64/"+f) {
			t.Errorf("%s lacks %s:\n%s", filepath.Base(tgz), f, strings.Join(inTar, "\n"))
		}
	}
	if _, err := os.Stat("../LICENSE"); err == nil {
		want = append(want, "/usr/share/doc/drawbridge/copyright")
	}
	slices.Sort(want)
	slices.Sort(files)
	if !slices.Equal(files, want) {
		t.Errorf("package files:\n%s\nwant:\n%s", strings.Join(files, "\n"), strings.Join(want, "\n"))
	}
	info := runCmd(t, nil, "dpkg-deb", "-I", deb)
	for _, want := range []string{"Package: drawbridge", "Version: " + releaseDebVer, "Architecture: amd64"} {
		if !strings.Contains(info, want) {
			t.Errorf("dpkg-deb -I lacks %q:\n%s", want, info)
		}
	}
	// The control files: the config is a conffile, and there are no
	// maintainer scripts, so installing enables and starts nothing.
	control := t.TempDir()
	runCmd(t, nil, "dpkg-deb", "-e", deb, control)
	ents, err := os.ReadDir(control)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"conffiles", "control"}) {
		t.Errorf("control files %v, want [conffiles control] (no preinst, postinst, prerm or postrm)", names)
	}
	if b, _ := os.ReadFile(filepath.Join(control, "conffiles")); string(b) != "/etc/drawbridge/drawbridge.toml\n/etc/logrotate.d/drawbridge\n" {
		t.Errorf("conffiles %q, want /etc/drawbridge/drawbridge.toml and /etc/logrotate.d/drawbridge", b)
	}

	// Install it into a fresh root with its own dpkg database.
	root := t.TempDir()
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"var/lib/dpkg/status", "var/lib/dpkg/available"} {
		if err := os.WriteFile(filepath.Join(root, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dpkg := func(args ...string) string {
		t.Helper()
		return runCmd(t, os.Environ(), "dpkg", append([]string{"--root=" + root, "--log=" + filepath.Join(root, "dpkg.log")}, args...)...)
	}
	dpkg("-i", deb)
	if st := dpkg("-s", "drawbridge"); !strings.Contains(st, "Status: install ok installed") || !strings.Contains(st, "/etc/drawbridge/drawbridge.toml") || !strings.Contains(st, "/etc/logrotate.d/drawbridge") {
		t.Errorf("dpkg -s after install:\n%s", st)
	}
	bin := filepath.Join(root, "usr/bin/drawbridge")
	if fi, err := os.Stat(bin); err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("installed binary: %v, %v", fi, err)
	}
	checkStatic(t, bin)
	// The example config's audit log directory: config check wants it.
	if fi, err := os.Stat(filepath.Join(root, "var/log/drawbridge")); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Errorf("/var/log/drawbridge after install: %v, %v; want a directory, mode 0700", fi, err)
	}

	// The unit starts the binary where the package put it.
	unit, err := os.ReadFile(filepath.Join(root, "lib/systemd/system/drawbridge.service"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(unit), "\nExecStart=/usr/bin/drawbridge serve -config /etc/drawbridge/drawbridge.toml\n") {
		t.Error("the unit's ExecStart is not /usr/bin/drawbridge serve -config /etc/drawbridge/drawbridge.toml")
	}

	// The installed binary, at its installed paths, with nothing from
	// this environment.
	clean := []string{"PATH=/usr/bin:/bin"}
	if out := runCmd(t, clean, "chroot", root, "/usr/bin/drawbridge", "version"); strings.TrimSpace(out) != "drawbridge "+releaseVersion {
		t.Errorf("drawbridge version: %q, want drawbridge %s", out, releaseVersion)
	}
	out := runCmd(t, clean, "chroot", root, "/usr/bin/drawbridge", "config", "check", "-config", "/etc/drawbridge/drawbridge.toml")
	if !strings.Contains(out, "the configuration is valid") {
		t.Errorf("config check of the installed config:\n%s", out)
	}

	// Remove keeps the conffile; purge takes it too.
	dpkg("-r", "drawbridge")
	if _, err := os.Stat(bin); !os.IsNotExist(err) {
		t.Errorf("after dpkg -r the binary is still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "etc/drawbridge/drawbridge.toml")); err != nil {
		t.Errorf("dpkg -r removed the conffile: %v", err)
	}
	dpkg("--purge", "drawbridge")
	if _, err := os.Stat(filepath.Join(root, "etc/drawbridge/drawbridge.toml")); !os.IsNotExist(err) {
		t.Errorf("after dpkg --purge the config is still there: %v", err)
	}
}

// copiedDeployFiles are the files in deploy/ that deploy/README.md and
// multi-node.md tell an operator to copy from the release ("install -m
// 0644 deploy/logrotate ...", "cp deploy/nginx.conf ... # from the release
// tarball"), besides the README, the unit and the config.
var copiedDeployFiles = []string{"logrotate", "nginx.conf", "apache.conf", "Caddyfile", "multi-node.md", "haproxy.cfg", "cloud-init.yaml"}

// prefixed returns each of names with prefix in front.
func prefixed(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}

// checkStatic fails unless path is a static executable: no interpreter,
// no dynamic section, so it runs on any Linux of its architecture and in
// an image without a C library.
func checkStatic(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("%s has a %v program header: not static", path, p.Type)
		}
	}
	if s := f.Section(".dynamic"); s != nil {
		t.Errorf("%s has a .dynamic section: not static", path)
	}
}

// TestUnitVerifies runs systemd-analyze verify on deploy/drawbridge.service:
// every key known to this systemd, the binary where ExecStart says (here
// a freshly built one, put in its place in a copy of the unit).
func TestUnitVerifies(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Fatalf("systemd-analyze is not installed (make deps installs systemd): %v", err)
	}
	unit, err := os.ReadFile("../deploy/drawbridge.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nType=notify\n", "\nNotifyAccess=main\n", "\nWatchdogSec=", "\nExecStart=/usr/bin/drawbridge "} {
		if !strings.Contains(string(unit), want) {
			t.Errorf("the unit lacks %q", strings.TrimSpace(want))
		}
	}
	dir := t.TempDir()
	copied := strings.ReplaceAll(string(unit), "/usr/bin/drawbridge", drawbridgeCommand(t))
	path := filepath.Join(dir, "drawbridge.service")
	if err := os.WriteFile(path, []byte(copied), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("systemd-analyze", "verify", path).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestDebianVersions checks how release.sh turns git describe's output
// into Debian versions: valid ones, in release order, and a bare commit
// (no tag yet), even one that starts with a digit, below any release.
func TestDebianVersions(t *testing.T) {
	if _, err := exec.LookPath("dpkg"); err != nil {
		t.Fatalf("dpkg is not installed: %v", err)
	}
	debversion := func(v string) string {
		t.Helper()
		cmd := exec.Command("bash", "deploy/release/release.sh", "--debversion", v)
		cmd.Dir = ".."
		cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=1796601600") // 2026-12-07
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("release.sh --debversion %s: %v\n%s", v, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	for v, want := range map[string]string{
		"v1.2.3":            "1.2.3",
		"v1.2.3-4-gabc1234": "1.2.3+git4.gabc1234",
		"v1.2.3-rc1":        "1.2.3~rc1",
		"v1.2.3-dirty":      "1.2.3+dirty",
		"9a8f540":           "0~git20261207.9a8f540",
		"9a8f540-dirty":     "0~git20261207.9a8f540+dirty",
		"abcdef1":           "0~git20261207.abcdef1",
	} {
		got := debversion(v)
		if got != want {
			t.Errorf("%s: got %s, want %s", v, got, want)
		}
		if out, err := exec.Command("dpkg", "--validate-version", got).CombinedOutput(); err != nil {
			t.Errorf("%s: %s is no Debian version: %s", v, got, out)
		}
	}
	order := []string{"9a8f540", "v0.1.0", "v1.2.3-rc1", "v1.2.3", "v1.2.3-4-gabc1234", "v1.2.4"}
	for i := 1; i < len(order); i++ {
		a, b := debversion(order[i-1]), debversion(order[i])
		if err := exec.Command("dpkg", "--compare-versions", a, "lt", b).Run(); err != nil {
			t.Errorf("%s (%s) does not sort before %s (%s)", order[i-1], a, order[i], b)
		}
	}
}
