package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/e2e/headless"
	"github.com/drawbridge/drawbridge/gateway/app"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// The gateway behind the real web servers a game's host already runs
// (web.mode = "proxied"), each with its example from deploy/ as the
// operator copies it: only the names, ports and paths that point at this
// machine are changed. The server terminates TLS on a loopback port with
// a test CA's certificate, serves a stand-in for the game's own site at
// /, and passes /play/ to the gateway, which fronts telnetd running a
// game that prints the IPADDRESS it was given over NEW-ENVIRON.

// websiteIndex is the stand-in for the game's own website.
const websiteIndex = "<!doctype html><title>The game's website</title><p>Welcome to the game's website."

// frontEnd is a web server in front of the gateway.
type frontEnd struct {
	port int
	cert *x509.Certificate
	pool *x509.CertPool
}

// URL is the web server's https address for path, as a browser uses it.
func (f *frontEnd) URL(path string) string {
	return "https://localhost:" + strconv.Itoa(f.port) + path
}

// frontFiles is what every web server's test config needs: its port, a
// certificate for localhost from a test CA, the website's root and a
// directory for its own files.
type frontFiles struct {
	frontEnd
	certFile, keyFile, root, dir string
}

func newFrontFiles(t *testing.T) *frontFiles {
	t.Helper()
	ca := newTestCA(t, "Drawbridge web server test CA")
	certPEM, keyPEM := ca.issue(t, false, "localhost", "127.0.0.1")
	dir := t.TempDir()
	// Apache's children run as nobody: they must reach the site's files.
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	f := &frontFiles{dir: dir, root: filepath.Join(dir, "www")}
	f.port = freePort(t)
	f.certFile, f.keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(f.certFile, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(f.root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.root, "index.html"), []byte(websiteIndex), 0o644); err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(certPEM)
	var err error
	if f.cert, err = x509.ParseCertificate(block.Bytes); err != nil {
		t.Fatal(err)
	}
	f.pool = x509.NewCertPool()
	f.pool.AddCert(ca.cert)
	return f
}

// needServer skips the test when the web server's binary is missing,
// naming the Debian package that has it.
func needServer(t *testing.T, bin, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(bin)
	if err != nil {
		for _, dir := range []string{"/usr/sbin", "/usr/bin"} {
			if _, err := os.Stat(filepath.Join(dir, bin)); err == nil {
				return filepath.Join(dir, bin)
			}
		}
		t.Skipf("%s is not installed: apt-get install %s", bin, pkg)
	}
	return p
}

// exampleConfig reads deploy/NAME and makes each replacement, failing
// when the example no longer holds the text to replace (so that it and
// this test stay in step).
func exampleConfig(t *testing.T, name string, replace ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "deploy", name))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for i := 0; i < len(replace); i += 2 {
		if !strings.Contains(s, replace[i]) {
			t.Fatalf("deploy/%s no longer holds %q", name, replace[i])
		}
		s = strings.ReplaceAll(s, replace[i], replace[i+1])
	}
	return s
}

// proxiedGateway starts the gateway in proxied mode under /play/ in
// front of telnetd: on a loopback port trusting the web server at
// trusted, or with trusted "unix" on a Unix socket (whose peers are
// trusted, and which Apache's children, running as nobody, can reach).
func proxiedGateway(t *testing.T, static bool, trusted string) *gateway {
	t.Helper()
	game := startTelnetd(t)
	addr := "127.0.0.1:0"
	if trusted == "unix" {
		dir := t.TempDir()
		for _, d := range []string{dir, filepath.Dir(dir)} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		addr = "unix:" + filepath.Join(dir, "http.sock")
	}
	gw := startGateway(t, static, func(c *app.Config) {
		c.Web.Mode, c.Web.HTTPSAddr, c.Web.HTTPAddr = "proxied", "", addr
		if trusted == "unix" {
			// Apache's worker runs as nobody:nogroup here (its "Group"
			// below), as www-data would on a server: the socket is its
			// group's. nginx and Caddy run as root.
			c.Web.SocketGroup = "nogroup"
		}
		c.Web.BasePath = "/play/"
		if trusted != "unix" {
			c.Web.TrustedProxies = []string{trusted}
		}
		c.Game.Backend = game
	})
	if gw.HTTPSAddr() != nil {
		t.Fatalf("proxied mode opened an HTTPS listener on %v", gw.HTTPSAddr())
	}
	return gw
}

// runServer starts a web server in the foreground and stops it when the
// test ends, once it answers https on f's port.
func runServer(t *testing.T, f *frontFiles, name string, cmd *exec.Cmd) {
	t.Helper()
	out, err := os.Create(filepath.Join(f.dir, name+".out"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // dies with a test process that panics
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		out.Close()
		if t.Failed() {
			b, _ := os.ReadFile(out.Name())
			t.Logf("%s output:\n%s", name, b)
			for _, log := range []string{"error.log", "access.log"} {
				if b, err := os.ReadFile(filepath.Join(f.dir, log)); err == nil {
					t.Logf("%s %s:\n%s", name, log, b)
				}
			}
		}
	})
	c := f.client("")
	for deadline := time.Now().Add(60 * time.Second); ; {
		resp, err := c.Get(f.URL("/"))
		if err == nil {
			resp.Body.Close()
			return
		}
		select {
		case err := <-done:
			b, _ := os.ReadFile(out.Name())
			t.Fatalf("%s exited: %v\n%s", name, err, b)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not answer on port %d: %v", name, f.port, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// client is an https client that trusts the test CA and, when from is
// set, connects from that loopback address (a player elsewhere than the
// web server's own address), without following redirects.
func (f *frontEnd) client(from string) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if from != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(from)}
	}
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Jar: jar,
		Transport: &http.Transport{
			DialContext:     d.DialContext,
			TLSClientConfig: &tls.Config{RootCAs: f.pool, ServerName: "localhost"},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// checkSite checks what the web server serves besides the client: the
// game's website at /, and /play sent to /play/.
func checkSite(t *testing.T, f *frontEnd) {
	t.Helper()
	c := f.client("")
	resp, err := c.Get(f.URL("/"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "the game's website") {
		t.Errorf("GET / answered %s %q, want the game's website", resp.Status, b)
	}
	resp, err = c.Get(f.URL("/play"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusMovedPermanently || !strings.HasSuffix(loc, "/play/") {
		t.Errorf("GET /play answered %s to %q, want 301 to /play/", resp.Status, loc)
	}
}

// playThrough is a player at the loopback address from who registers
// and plays through the web server with Go's WebSocket client (no
// browser), sending an X-Forwarded-For of its own that must not be
// believed: the game must see from in NEW-ENVIRON IPADDRESS, and so must
// the audit trail.
func playThrough(t *testing.T, f *frontEnd, gw *gateway, from, name string) {
	t.Helper()
	c := f.client(from)
	const spoof = "198.51.100.66"
	post := func(path, body string) *http.Response {
		req, _ := http.NewRequest("POST", f.URL(path), strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", spoof)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	if resp := post("/play/api/register", `{"name":"`+name+`","password":"correct horse battery staple"}`); resp.StatusCode != http.StatusCreated {
		t.Fatalf("register through the web server: %s", resp.Status)
	}
	waitLogLine(t, gw, "component=audit", "name="+name, "addr="+from+" ")

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "wss://localhost:"+strconv.Itoa(f.port)+"/play/ws", &websocket.DialOptions{
		HTTPClient:   c,
		Subprotocols: []string{wire.Subprotocol},
		HTTPHeader:   http.Header{"Origin": {f.URL("")}, "X-Forwarded-For": {spoof}},
	})
	if err != nil {
		t.Fatalf("WebSocket through the web server: %v", err)
	}
	defer ws.CloseNow()
	var screen strings.Builder
	read := func(re *regexp.Regexp) []string {
		t.Helper()
		for {
			if m := re.FindStringSubmatch(screen.String()); m != nil {
				return m
			}
			_, b, err := ws.Read(ctx)
			if err != nil {
				t.Fatalf("waiting for %s: %v; screen %q", re, err, screen.String())
			}
			if fr, err := wire.Decode(b); err == nil && fr.Type == wire.TypeOutput {
				screen.Write(fr.Data)
			}
		}
	}
	if m := read(regexp.MustCompile(`IPADDRESS=<([^>]*)>`)); m[1] != from {
		t.Errorf("the game got IPADDRESS %q, want the player's %s", m[1], from)
	}
	read(regexp.MustCompile(`cmd> $`))
	b, _ := wire.Append(nil, &wire.Frame{Type: wire.TypeLine, Data: []byte("through the web server")})
	if err := ws.Write(ctx, websocket.MessageBinary, b); err != nil {
		t.Fatal(err)
	}
	read(regexp.MustCompile(`you typed <through the web server>`))
	ws.Close(websocket.StatusNormalClosure, "")
	if strings.Contains(gw.log.String(), spoof) {
		t.Errorf("the address the client wrote itself, %s, reached the gateway's log", spoof)
	}
}

// waitLogLine waits for a line of the gateway's log that holds every
// one of parts.
func waitLogLine(t *testing.T, gw *gateway, parts ...string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; {
		for _, line := range strings.Split(gw.log.String(), "\n") {
			line += " " // so that "addr=X " matches at the end of a line too
			all := true
			for _, p := range parts {
				all = all && strings.Contains(line, p)
			}
			if all {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no gateway log line with %q", parts)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startNginx runs nginx with deploy/nginx.conf in front of gw, its
// connections to the gateway made from 127.0.0.2 (the one address the
// gateway trusts), so that a player at 127.0.0.1 is told apart from it.
func startNginx(t *testing.T, gw *gateway) *frontFiles {
	t.Helper()
	bin := needServer(t, "nginx", "nginx")
	f := newFrontFiles(t)
	site := exampleConfig(t, "nginx.conf", append([]string{
		"listen 443 ssl http2;", "listen 127.0.0.1:" + strconv.Itoa(f.port) + " ssl http2;",
		"    listen [::]:443 ssl http2;\n", "",
		"server_name play.example.org;", "server_name localhost;",
		"/etc/letsencrypt/live/play.example.org/fullchain.pem", f.certFile,
		"/etc/letsencrypt/live/play.example.org/privkey.pem", f.keyFile,
		"root /var/www/html;", "root " + f.root + ";",
	}, upstream(gw, "proxy_pass http://127.0.0.1:8080;", "proxy_pass http://"+gw.HTTPAddr().String()+";\n        proxy_bind 127.0.0.2;",
		"# proxy_pass http://unix:/run/drawbridge/http.sock;", "proxy_pass http://unix:%s;")...)...,
	)
	sitePath := filepath.Join(f.dir, "drawbridge.conf")
	if err := os.WriteFile(sitePath, []byte(site), 0o644); err != nil {
		t.Fatal(err)
	}
	d := f.dir
	main := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events { worker_connections 256; }
http {
    access_log %[1]s/access.log;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    include /etc/nginx/mime.types;
    include %[2]s;
}
`, d, sitePath)
	mainPath := filepath.Join(d, "nginx.conf")
	if err := os.WriteFile(mainPath, []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-t", "-e", filepath.Join(d, "error.log"), "-p", d, "-c", mainPath).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t with deploy/nginx.conf: %v\n%s", err, out)
	}
	runServer(t, f, "nginx", exec.Command(bin, "-e", filepath.Join(d, "error.log"), "-p", d, "-c", mainPath))
	return f
}

// TestNginxInFront plays in headless Chromium through nginx, with
// deploy/nginx.conf, to the gateway under /play/: the page, the client
// and its WebSocket load through the prefix, the game sees the player's
// address in NEW-ENVIRON IPADDRESS and so does the audit trail (not
// nginx's, and not the X-Forwarded-For the browser sent itself), typing
// reaches the game, and the game's own site is still nginx's at /.
func TestNginxInFront(t *testing.T) {
	gw := proxiedGateway(t, true, "127.0.0.2")
	f := startNginx(t, gw)
	gw.via = "127.0.0.1:" + strconv.Itoa(f.port)
	checkSite(t, &f.frontEnd)

	opts := append(headless.Options(chromium(t), t.TempDir()),
		chromedp.Flag("ignore-certificate-errors-spki-list", spki(f.cert)))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelCtx := chromedp.NewContext(actx)
	defer cancelCtx()
	ctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	b := &browser{ctx: ctx, console: &headless.Console{}}
	b.console.Follow(ctx)
	defer func() {
		if t.Failed() {
			t.Logf("browser console:\n%s", b.console.String())
		}
	}()
	// The browser claims an address of its own: nginx appends the real
	// one, and the gateway must take that.
	const spoof = "198.51.100.77"
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1000, 700)); err != nil {
		t.Fatalf("start browser: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"X-Forwarded-For": spoof}})
		return err
	})); err != nil {
		t.Fatalf("set the browser's X-Forwarded-For: %v", err)
	}

	// /play, as a player types it: nginx sends it on to /play/.
	if err := chromedp.Do(ctx, chromedp.Navigate(f.URL("/play"))); err != nil {
		t.Fatalf("open /play: %v", err)
	}
	b.waitFor(t, "the front door under /play/", `location.pathname === "/play/" && document.getElementById("loading").hidden`, 60*time.Second)
	b.waitFor(t, "the account form", `!document.getElementById("register-panel").hidden`, 10*time.Second)
	b.fill(t, "register-name", "Nginx")
	b.fill(t, "register-password", testPassword)
	b.fill(t, "register-password2", testPassword)
	b.waitFor(t, "the password accepted", `document.getElementById("register-policy").classList.contains("ok")`, 20*time.Second)
	b.click(t, "register-submit")
	b.waitFor(t, "the terminal page under /play/", `location.pathname === "/play/play"`, 30*time.Second)

	b.waitScreen(t, "CLIENT_NAME=<DRAWBRIDGE>", 90*time.Second)
	m := regexp.MustCompile(`IPADDRESS=<([^>]*)>`).FindStringSubmatch(b.screenText(t))
	if m == nil || m[1] != "127.0.0.1" {
		t.Errorf("the game got IPADDRESS %v, want the browser's 127.0.0.1 (not nginx's 127.0.0.2 or the browser's claim %s)", m, spoof)
	}
	waitLogLine(t, gw, "component=audit", "name=Nginx", "addr=127.0.0.1 ")
	if strings.Contains(gw.log.String(), spoof) {
		t.Errorf("the address the browser claimed, %s, reached the gateway's log", spoof)
	}
	b.waitScreen(t, "cmd>", 30*time.Second)
	b.typeLine(t, "hello through nginx")
	b.waitScreen(t, "you typed <hello through nginx>", 30*time.Second)
	// Logging out ends the game connection (so nginx logs the WebSocket,
	// which it does when it ends) and leads back to the front door under
	// the prefix.
	b.click(t, "logout")
	b.waitFor(t, "the front door after logging out", `location.pathname === "/play/" && !document.getElementById("login-panel").hidden`, 30*time.Second)
	upgraded := regexp.MustCompile(`"GET /play/ws\?[^"]*" 101 `)
	for deadline := time.Now().Add(30 * time.Second); ; {
		access, err := os.ReadFile(filepath.Join(f.dir, "access.log"))
		if err != nil {
			t.Fatal(err)
		}
		if upgraded.Match(access) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx's access log shows no WebSocket upgrade of /play/ws:\n%s", access)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestApacheInFront checks deploy/apache.conf with Debian's Apache
// (apache2 -t, as apache2ctl -t runs it) and plays through it without a
// browser: the WebSocket upgrade, the player's address in NEW-ENVIRON and
// the audit trail, the prefix, and the game's site at /.
func TestApacheInFront(t *testing.T) {
	bin := needServer(t, "apache2", "apache2")
	for _, trusted := range []string{"127.0.0.1", "unix"} {
		t.Run(trusted, func(t *testing.T) { apacheInFront(t, bin, trusted) })
	}
}

func apacheInFront(t *testing.T, bin, trusted string) {
	gw := proxiedGateway(t, false, trusted)
	f := newFrontFiles(t)
	site := exampleConfig(t, "apache.conf", append([]string{
		"<VirtualHost *:443>", "<VirtualHost 127.0.0.1:" + strconv.Itoa(f.port) + ">",
		"ServerName play.example.org", "ServerName localhost",
		"/etc/letsencrypt/live/play.example.org/fullchain.pem", f.certFile,
		"/etc/letsencrypt/live/play.example.org/privkey.pem", f.keyFile,
		"DocumentRoot /var/www/html", "DocumentRoot " + f.root,
	}, upstream(gw, "ProxyPass        /play/ http://127.0.0.1:8080/play/", "ProxyPass        /play/ http://"+gw.HTTPAddr().String()+"/play/",
		"# ProxyPass /play/ unix:/run/drawbridge/http.sock|", "ProxyPass /play/ unix:%s|")...)...,
	)
	sitePath := filepath.Join(f.dir, "drawbridge.conf")
	if err := os.WriteFile(sitePath, []byte(site), 0o644); err != nil {
		t.Fatal(err)
	}
	const mods = "/usr/lib/apache2/modules"
	var load strings.Builder
	for _, m := range []string{"mpm_event", "authz_core", "alias", "dir", "mime", "headers", "proxy", "proxy_http", "socache_shmcb", "ssl"} {
		fmt.Fprintf(&load, "LoadModule %s_module %s/mod_%s.so\n", m, mods, m)
	}
	main := fmt.Sprintf(`ServerRoot %[1]s
ServerName localhost
Listen 127.0.0.1:%[2]d
PidFile %[1]s/httpd.pid
DefaultRuntimeDir %[1]s
Mutex file:%[1]s default
ErrorLog %[1]s/error.log
LogLevel warn
LogFormat "%%h \"%%r\" %%>s" basic
CustomLog %[1]s/access.log basic
User nobody
Group nogroup
%[3]s
TypesConfig /etc/mime.types
DirectoryIndex index.html
<Directory %[4]s>
    Require all granted
</Directory>
Include %[5]s
`, f.dir, f.port, load.String(), f.root, sitePath)
	mainPath := filepath.Join(f.dir, "apache2.conf")
	if err := os.WriteFile(mainPath, []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-t", "-f", mainPath).CombinedOutput(); err != nil {
		t.Fatalf("apache2 -t with deploy/apache.conf: %v\n%s", err, out)
	}
	runServer(t, f, "apache2", exec.Command(bin, "-X", "-DFOREGROUND", "-f", mainPath))
	checkSite(t, &f.frontEnd)
	playThrough(t, &f.frontEnd, gw, "127.0.0.3", "Apache")
}

// TestCaddyInFront checks deploy/Caddyfile with Debian's Caddy (caddy
// validate, as shipped and as run here) and plays through it without a
// browser, as TestApacheInFront does.
func TestCaddyInFront(t *testing.T) {
	bin := needServer(t, "caddy", "caddy")
	home := t.TempDir()
	env := append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+home, "XDG_CONFIG_HOME="+home)
	validate := func(path string) {
		t.Helper()
		cmd := exec.Command(bin, "validate", "--adapter", "caddyfile", "--config", path)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("caddy validate %s: %v\n%s", path, err, out)
		}
	}
	validate(filepath.Join("..", "deploy", "Caddyfile"))
	for _, trusted := range []string{"127.0.0.1", "unix"} {
		t.Run(trusted, func(t *testing.T) { caddyInFront(t, bin, env, validate, trusted) })
	}
}

func caddyInFront(t *testing.T, bin string, env []string, validate func(string), trusted string) {
	gw := proxiedGateway(t, false, trusted)
	f := newFrontFiles(t)
	site := exampleConfig(t, "Caddyfile", append([]string{
		"play.example.org {", "https://localhost:" + strconv.Itoa(f.port) + " {\n\ttls " + f.certFile + " " + f.keyFile,
		"root * /var/www/html", "root * " + f.root,
	}, upstream(gw, "reverse_proxy 127.0.0.1:8080", "reverse_proxy "+gw.HTTPAddr().String(),
		"# reverse_proxy unix//run/drawbridge/http.sock", "reverse_proxy unix/%s")...)...,
	)
	global := fmt.Sprintf("{\n\tadmin off\n\tauto_https off\n\tstorage file_system %s\n\thttp_port %d\n\thttps_port %d\n}\n\n",
		filepath.Join(f.dir, "caddy"), freePort(t), f.port)
	path := filepath.Join(f.dir, "Caddyfile")
	if err := os.WriteFile(path, []byte(global+site), 0o644); err != nil {
		t.Fatal(err)
	}
	validate(path)
	cmd := exec.Command(bin, "run", "--adapter", "caddyfile", "--config", path)
	cmd.Env = env
	runServer(t, f, "caddy", cmd)
	checkSite(t, &f.frontEnd)
	playThrough(t, &f.frontEnd, gw, "127.0.0.3", "Caddy")
}

// upstream is the replacement that points an example at the gateway: the
// TCP one (tcpOld by tcpNew), or for a gateway on a Unix socket its
// commented-out socket line (unixOld) turned into unixNew with the
// socket's path for %s and the TCP line commented out.
func upstream(gw *gateway, tcpOld, tcpNew, unixOld, unixNew string) []string {
	a := gw.HTTPAddr()
	if a.Network() != "unix" {
		return []string{tcpOld, tcpNew}
	}
	return []string{tcpOld, "# " + tcpOld, unixOld, fmt.Sprintf(unixNew, a.String())}
}

// TestNginxInFrontUnixSocket plays through nginx to the gateway on a
// Unix socket, with the socket line of deploy/nginx.conf, without a
// browser: the socket's peer is trusted, and the player's own address
// still reaches the game and the audit trail.
func TestNginxInFrontUnixSocket(t *testing.T) {
	gw := proxiedGateway(t, false, "unix")
	f := startNginx(t, gw)
	checkSite(t, &f.frontEnd)
	playThrough(t, &f.frontEnd, gw, "127.0.0.3", "NginxSocket")
}
