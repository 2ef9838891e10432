package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/e2e/haproxy"
	"github.com/drawbridge/drawbridge/e2e/pebble"
	"github.com/drawbridge/drawbridge/e2e/pgserver"
	"github.com/drawbridge/drawbridge/gateway/app"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// clusterNode is one gateway process of a cluster, run from the built
// binary as an operator runs it, so a test can kill it outright.
type clusterNode struct {
	name  string
	conf  string // its config file
	https string // its HTTPS address
	admin string // its admin listener's address
	cmd   *exec.Cmd
	log   *logBuffer
	done  chan struct{}
}

// cluster is a game, PostgreSQL, gateway nodes and HAProxy in front of
// them, all on loopback.
type cluster struct {
	t     *testing.T
	nodes []*clusterNode
	lb    string // HAProxy's address: where players go
	roots *x509.CertPool
	pg    *pgserver.Server
}

// clusterOptions shape a cluster.
type clusterOptions struct {
	nodes int
	// toml is added to each node's config file.
	toml string
}

// startCluster starts the demo game, a database on a fresh PostgreSQL,
// the nodes (all on that database, trusting the PROXY protocol from
// 127.0.0.1 only) and HAProxy balancing players round robin over them
// with PROXY v2, health-checked on /readyz as deploy/haproxy.cfg does.
func startCluster(t *testing.T, opts clusterOptions) *cluster {
	t.Helper()
	bin := drawbridgeCommand(t)
	dbURL, pwFile, pg := newPostgresServer(t)

	gamePort := freePort(t)
	game := exec.Command(bin, "demo", "-addr", "127.0.0.1:"+strconv.Itoa(gamePort))
	gameLog := &logBuffer{}
	game.Stdout, game.Stderr = gameLog, gameLog
	if err := game.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { game.Process.Kill(); game.Wait() })
	waitListening(t, "127.0.0.1:"+strconv.Itoa(gamePort))

	ca := newTestCA(t, "cluster CA")
	certPEM, keyPEM := ca.issue(t, false, "localhost", "127.0.0.1")
	certFile, keyFile := writeTemp(t, "cert.pem", certPEM), writeTemp(t, "key.pem", keyPEM)
	c := &cluster{t: t, roots: x509.NewCertPool(), pg: pg}
	c.roots.AddCert(ca.cert)

	for i := range opts.nodes {
		n := &clusterNode{
			name:  fmt.Sprintf("node%d", i+1),
			https: "127.0.0.1:" + strconv.Itoa(freePort(t)),
			admin: "127.0.0.1:" + strconv.Itoa(freePort(t)),
			log:   &logBuffer{},
			done:  make(chan struct{}),
		}
		conf := fmt.Sprintf(`state_dir = %q
shutdown_timeout = "5s"

[game]
backend = "127.0.0.1:%d"
status_interval = "-1s"

[web]
https_addr = %q
http_addr = "off"
proxy_protocol_from = ["127.0.0.1"]

[tls]
mode = "files"
cert_file = %q
key_file = %q

[store]
postgres_url = %q
postgres_password_file = %q

[admin]
addr = %q

[log]
level = "debug"
%s`, t.TempDir(), gamePort, n.https, certFile, keyFile, dbURL, pwFile, n.admin, opts.toml)
		path := filepath.Join(t.TempDir(), "drawbridge.toml")
		if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		n.conf = path
		n.cmd = exec.Command(bin, "serve", "-config", path)
		n.cmd.Env = append(os.Environ(), "DRAWBRIDGE_CONFIG=")
		n.cmd.Stdout, n.cmd.Stderr = n.log, n.log
		c.nodes = append(c.nodes, n)
	}
	// Started together: they migrate the empty database at once.
	for _, n := range c.nodes {
		if err := n.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { n.cmd.Wait(); close(n.done) }()
	}
	t.Cleanup(func() {
		for _, n := range c.nodes {
			n.stop()
			if t.Failed() {
				t.Logf("%s log:\n%s", n.name, n.log.String())
			}
		}
	})
	for _, n := range c.nodes {
		waitReady(t, "http://"+n.admin, 30*time.Second)
	}
	c.lb = "127.0.0.1:" + strconv.Itoa(freePort(t))
	f := haFrontend{bind: c.lb}
	for _, n := range c.nodes {
		_, adminPort, _ := net.SplitHostPort(n.admin)
		f.servers = append(f.servers, haServer{n.name, n.https, adminPort})
	}
	startHAProxy(t, f)
	return c
}

// cli runs the gateway's command line with the first node's config, as
// an operator does on one of the nodes.
func (c *cluster) cli(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command(drawbridgeCommand(t), append([]string{args[0], "-config", c.nodes[0].conf}, args[1:]...)...)
	cmd.Env = append(os.Environ(), "DRAWBRIDGE_CONFIG=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("drawbridge %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// newPostgres starts PostgreSQL and makes a database on it for the test.
// It returns the database's URL without the password, and a file holding
// the password, as an operator configures the gateway.
func newPostgres(t *testing.T) (dbURL, passwordFile string) {
	t.Helper()
	dbURL, passwordFile, _ = newPostgresServer(t)
	return dbURL, passwordFile
}

// newPostgresServer is newPostgres that also returns the server, for a
// test that stops it.
func newPostgresServer(t *testing.T) (dbURL, passwordFile string, pg *pgserver.Server) {
	t.Helper()
	pg = pgserver.Start(t)
	u, err := url.Parse(pg.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	u.User = url.User(u.User.Username())
	return u.String(), writeTemp(t, "pgpass", []byte(pw+"\n")), pg
}

// stop ends the node gracefully, and kills it if that takes too long.
func (n *clusterNode) stop() {
	if n.cmd.Process == nil {
		return
	}
	n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(15 * time.Second):
		n.cmd.Process.Kill()
		<-n.done
	}
}

// kill ends the node at once, as a crash or a dead VM would.
func (n *clusterNode) kill() {
	n.cmd.Process.Kill()
	<-n.done
}

// players reads the node's count of bridged players from its metrics.
func (n *clusterNode) players(t *testing.T) int {
	t.Helper()
	return int(n.metric(t, "drawbridge_players"))
}

// metric reads one sample from the node's metrics, by its name and
// labels as the exposition shows them (`name{label="value"}`).
func (n *clusterNode) metric(t *testing.T, sample string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(sample) + ` (\S+)$`).FindStringSubmatch(get(t, "http://"+n.admin+"/metrics"))
	if m == nil {
		t.Fatalf("%s: no %s in the metrics", n.name, sample)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatalf("%s: %s = %q", n.name, sample, m[1])
	}
	return v
}

// haFrontend is one port HAProxy listens on and the nodes it balances
// over.
type haFrontend struct {
	bind    string
	servers []haServer
	// check is the health check's path: /readyz (the default), or
	// /healthz for the plain HTTP port, where a node without a
	// certificate must still answer ACME's challenges.
	check string
	// backups adds every node again as an unchecked backup server, used
	// only while no node is ready: on the first start no node has a
	// certificate, and the CA's TLS-ALPN-01 challenge must still reach
	// one (deploy/haproxy.cfg does the same).
	backups bool
}

// haServer is a node behind HAProxy: where to send players, and the
// admin port its /readyz health check asks.
type haServer struct {
	name, addr, checkPort string
}

// startHAProxy runs Debian's HAProxy: TCP mode, TLS passed through,
// PROXY v2 to the nodes, health checks on their admin ports, as
// deploy/haproxy.cfg has it; unlike that file (balance source, for
// resuming), round robin with redispatch, so consecutive connections from
// the test's one address go to different nodes, and quick checks.
func startHAProxy(t *testing.T, frontends ...haFrontend) *haproxy.Proc {
	t.Helper()
	var conf strings.Builder
	conf.WriteString(`global
    log stderr format short local0 info

defaults
    log global
    mode tcp
    option tcplog
    timeout connect 2s
    timeout client 1h
    timeout server 1h
    timeout tunnel 1h
    retries 2
    option redispatch
`)
	for i, f := range frontends {
		fmt.Fprintf(&conf, "\nfrontend f%d\n    bind %s\n    default_backend b%d\n", i, f.bind, i)
		check := f.check
		if check == "" {
			check = "/readyz"
		}
		fmt.Fprintf(&conf, "\nbackend b%d\n    balance roundrobin\n    option httpchk GET %s\n    http-check expect status 200\n", i, check)
		for _, srv := range f.servers {
			fmt.Fprintf(&conf, "    server %s %s send-proxy-v2 check port %s inter 200ms fall 2 rise 2\n", srv.name, srv.addr, srv.checkPort)
		}
		if f.backups {
			for _, srv := range f.servers {
				fmt.Fprintf(&conf, "    server %s-backup %s send-proxy-v2 backup\n", srv.name, srv.addr)
			}
		}
	}
	p := haproxy.Start(t, conf.String())
	for _, f := range frontends {
		waitListening(t, f.bind)
	}
	return p
}

// waitListening waits until something accepts connections at addr.
func waitListening(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// clusterPlayer is a player's browser seen from the wire: a cookie jar,
// and HTTP and WebSocket connections through the balancer. Each request
// is a new connection, so the balancer spreads them over the nodes.
type clusterPlayer struct {
	c      *cluster
	jar    http.CookieJar
	origin string
}

func (c *cluster) player() *clusterPlayer {
	jar, _ := cookiejar.New(nil)
	_, port, _ := net.SplitHostPort(c.lb)
	return &clusterPlayer{c: c, jar: jar, origin: "https://localhost:" + port}
}

// client is an HTTP client that opens a new connection per request.
func (p *clusterPlayer) client() *http.Client {
	return &http.Client{Jar: p.jar, Timeout: 20 * time.Second, Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: p.c.roots},
		DisableKeepAlives: true,
	}}
}

// post sends a JSON body to an /api path through the balancer and
// returns the status and the answer's error text.
func (p *clusterPlayer) post(path string, body any) (int, string) {
	p.c.t.Helper()
	return p.postTo(nil, path, body)
}

// postTo is post, sent straight to node n (nil: through the balancer).
// It comes from 127.0.0.2, which the nodes do not trust for PROXY
// headers, as a client on the nodes' network would.
func (p *clusterPlayer) postTo(n *clusterNode, path string, body any) (int, string) {
	t := p.c.t
	t.Helper()
	hc, base := p.client(), p.origin
	if n != nil {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}
		hc.Transport.(*http.Transport).DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, n.https)
		}
	}
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", p.origin)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	var e struct {
		Error string `json:"error"`
	}
	raw, _ := io.ReadAll(resp.Body)
	json.Unmarshal(raw, &e)
	return resp.StatusCode, e.Error
}

// testPassword is every test account's password.
const testPassword = "correct horse battery staple"

// mustRegister creates the account name through the balancer, which
// logs the player in.
func (p *clusterPlayer) mustRegister(name string) {
	p.c.t.Helper()
	if code, msg := p.post("/api/register", map[string]string{"name": name, "password": testPassword}); code/100 != 2 {
		p.c.t.Fatalf("register %s: %d %s", name, code, msg)
	}
}

// mustLogin logs the player in to name through the balancer.
func (p *clusterPlayer) mustLogin(name string) {
	p.c.t.Helper()
	if code, msg := p.post("/api/login", map[string]string{"name": name, "password": testPassword}); code/100 != 2 {
		p.c.t.Fatalf("log in %s: %d %s", name, code, msg)
	}
}

// play opens /ws through the balancer with the player's cookie.
func (p *clusterPlayer) play() (*wsPlayer, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "wss"+strings.TrimPrefix(p.origin, "https")+"/ws", &websocket.DialOptions{
		HTTPClient:   p.client(),
		Subprotocols: []string{wire.Subprotocol},
		HTTPHeader:   http.Header{"Origin": {p.origin}},
	})
	if err != nil {
		return nil, err
	}
	p.c.t.Cleanup(func() { ws.CloseNow() })
	return &wsPlayer{t: p.c.t, ws: ws}, nil
}

// mustPlay is play that fails the test on an error.
func (p *clusterPlayer) mustPlay() *wsPlayer {
	p.c.t.Helper()
	ws, err := p.play()
	if err != nil {
		p.c.t.Fatalf("open /ws through the balancer: %v", err)
	}
	return ws
}

// nodeOf finds the node that bridges exactly one player more than before.
func (c *cluster) nodeOf(t *testing.T, before []int) *clusterNode {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		for i, n := range c.nodes {
			if !n.dead() && n.players(t) == before[i]+1 {
				return n
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no node took the new player")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// counts reads every live node's player count.
func (c *cluster) counts(t *testing.T) []int {
	out := make([]int, len(c.nodes))
	for i, n := range c.nodes {
		if !n.dead() {
			out[i] = n.players(t)
		}
	}
	return out
}

func (n *clusterNode) dead() bool {
	select {
	case <-n.done:
		return true
	default:
		return false
	}
}

// waitClosed reads the player's socket until it closes, and returns the
// output it got, ending with the text of the error frame that said why
// (for a login session that ended, its wire.LoginReason), and how long
// the close took from now.
func waitClosed(t *testing.T, p *wsPlayer, within time.Duration) (string, time.Duration) {
	t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for {
		_, b, err := p.ws.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				t.Fatalf("the bridge was still open after %v; output:\n%s", within, p.text.String())
			}
			return p.text.String(), time.Since(start)
		}
		if f, err := wire.Decode(b); err == nil && (f.Type == wire.TypeOutput || f.Type == wire.TypeError) {
			p.text.Write(f.Data)
		}
	}
}

// enterDemo logs a character into the demo game.
func enterDemo(p *wsPlayer, character string) {
	p.waitFor(regexp.MustCompile(`What is your name\?`))
	p.send(wire.Frame{Type: wire.TypeLine, Data: []byte(character)})
	p.waitFor(regexp.MustCompile(`Password: `))
	p.send(wire.Frame{Type: wire.TypeLine, Data: []byte("swordfish")})
	p.waitFor(regexp.MustCompile(`has been created|Welcome back`))
}

// firstFrame reads the first frame the gateway sends.
func firstFrame(t *testing.T, p *wsPlayer) wire.Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, b, err := p.ws.Read(ctx)
	if err != nil {
		t.Fatalf("read the first frame: %v", err)
	}
	f, err := wire.Decode(b)
	if err != nil {
		t.Fatalf("decode the first frame: %v", err)
	}
	return f
}

// echoes sends a line and waits for the demo game to answer it.
func echoes(p *wsPlayer, word string) {
	p.send(wire.Frame{Type: wire.TypeLine, Data: []byte("say " + word)})
	p.waitFor(regexp.MustCompile(regexp.QuoteMeta(word)))
}

// TestClusterBehindHAProxy runs two gateway processes on one PostgreSQL
// behind a real HAProxy and checks what a player relies on across them:
// a login made through one node holds on the other; a logout handled by
// one node closes the bridge the other holds, at once; failed logins
// spread over both nodes still lock the account; and when a node dies,
// the players on the other are untouched while its own reconnect
// through the balancer, still logged in.
func TestClusterBehindHAProxy(t *testing.T) {
	t.Parallel()
	// The periodic re-check of live sessions is pushed out of the test's
	// reach: only the nodes' notices to each other can end a bridge here.
	c := startCluster(t, clusterOptions{nodes: 2, toml: `
[players]
session_check_interval = "1h"

[accounts.limits]
lockout_after = 4
backoff_base = "1ms"
backoff_max = "1ms"
`})

	// The account sweep runs on one node for the cluster (the log and
	// the metrics say which).
	runs := func(n *clusterNode) bool { return strings.Contains(n.log.String(), "this node runs the cluster's job") }
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		a, b := c.nodes[0], c.nodes[1]
		if runs(a) != runs(b) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("want the sweep on exactly one node: node1 %v, node2 %v", runs(a), runs(b))
		}
	}
	if s1, s2 := c.nodes[0].metric(t, "drawbridge_cluster_sweeper"), c.nodes[1].metric(t, "drawbridge_cluster_sweeper"); s1+s2 != 1 {
		t.Errorf("drawbridge_cluster_sweeper is %v on node1 and %v on node2, want 1 on one of them", s1, s2)
	}

	// Register through the balancer, then play: the WebSocket lands on
	// one node or the other.
	alice := c.player()
	alice.mustRegister("Alice")
	before := c.counts(t)
	ws1 := alice.mustPlay()
	first := c.nodeOf(t, before)
	enterDemo(ws1, "Alicea")
	echoes(ws1, "hello-from-"+first.name)

	// The next connection goes to the other node: the session made on
	// the first holds there too.
	before = c.counts(t)
	ws2 := alice.mustPlay()
	second := c.nodeOf(t, before)
	if second == first {
		t.Fatalf("round robin sent both connections to %s", first.name)
	}
	enterDemo(ws2, "Aliceb")
	echoes(ws2, "hello-from-"+second.name)
	t.Logf("alice plays on %s and %s through one login", first.name, second.name)

	// Logout: whichever node the request reaches, both bridges close,
	// the one on the other node through NOTIFY (the periodic re-check is
	// an hour away).
	start := time.Now()
	if code, msg := alice.post("/api/logout", map[string]string{}); code/100 != 2 {
		t.Fatalf("logout: %d %s", code, msg)
	}
	out1, _ := waitClosed(t, ws1, 20*time.Second)
	out2, _ := waitClosed(t, ws2, 20*time.Second)
	t.Logf("both bridges closed %v after the logout was sent", time.Since(start).Round(time.Millisecond))
	received := `drawbridge_cluster_revocations_total{result="received"}`
	if r1, r2 := c.nodes[0].metric(t, received), c.nodes[1].metric(t, received); r1+r2 != 1 {
		t.Errorf("revocations received: %v on node1, %v on node2; want the one logout, on the node that did not handle it", r1, r2)
	}
	for _, out := range []string{out1, out2} {
		if !strings.HasSuffix(out, string(wire.ReasonLogout)) {
			t.Errorf("a closed bridge did not say why; its last output:\n%s", tail(out, 300))
		}
	}
	// The gateway answers a WebSocket without a valid session with an
	// error frame saying why, and closes it.
	if ws, err := alice.play(); err == nil {
		if f := firstFrame(t, ws); f.Type != wire.TypeError || f.Code != wire.ErrorUnauthorized {
			t.Errorf("the logged-out cookie opened /ws: first frame %v, want an unauthorized error", f.Type)
		}
	}

	// An operator disables an account from the command line, on the
	// shared database: the bridges on both nodes close.
	dave := c.player()
	dave.mustRegister("Dave")
	daveWS := []*wsPlayer{dave.mustPlay(), dave.mustPlay()}
	for i, ws := range daveWS {
		enterDemo(ws, "Dave"+string(rune('a'+i)))
	}
	c.cli(t, "user", "disable", "Dave")
	for _, ws := range daveWS {
		if out, _ := waitClosed(t, ws, 20*time.Second); !strings.HasSuffix(out, string(wire.ReasonDisabled)) {
			t.Errorf("a bridge of the disabled account did not say why; its last output:\n%s", tail(out, 300))
		}
	}
	// And a role change.
	ida := c.player()
	ida.mustRegister("Ida")
	idaWS := ida.mustPlay()
	enterDemo(idaWS, "Ida")
	c.cli(t, "user", "role", "Ida", "builder")
	if out, _ := waitClosed(t, idaWS, 20*time.Second); !strings.HasSuffix(out, string(wire.ReasonRoleChanged)) {
		t.Errorf("Ida's bridge did not say her role changed; its last output:\n%s", tail(out, 300))
	}

	// A password change made on one node (sent there directly) ends the
	// account's other sessions, and so the bridge the other node holds.
	gina, ginaPhone := c.player(), c.player()
	gina.mustRegister("Gina")
	ginaPhone.mustLogin("Gina")
	before = c.counts(t)
	phoneWS := ginaPhone.mustPlay()
	phoneNode := c.nodeOf(t, before)
	enterDemo(phoneWS, "Gina")
	other := c.nodes[0]
	if other == phoneNode {
		other = c.nodes[1]
	}
	if code, msg := gina.postTo(other, "/api/password", map[string]string{"old": testPassword, "new": testPassword + " again"}); code/100 != 2 {
		t.Fatalf("change Gina's password on %s: %d %s", other.name, code, msg)
	}
	if out, _ := waitClosed(t, phoneWS, 20*time.Second); !strings.HasSuffix(out, string(wire.ReasonPasswordChanged)) {
		t.Errorf("the bridge on %s did not say the password changed; its last output:\n%s", phoneNode.name, tail(out, 300))
	}

	// Brute force over both nodes: each sees half of the failures, the
	// lockout (after 4) holds for the cluster.
	mallory := c.player()
	for i := range 4 {
		if code, _ := mallory.post("/api/login", map[string]string{"name": "Alice", "password": "wrong password " + strconv.Itoa(i)}); code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: status %d, want 401", i+1, code)
		}
	}
	for i := range 2 { // one attempt on each node
		code, msg := mallory.post("/api/login", map[string]string{"name": "Alice", "password": testPassword})
		if code != http.StatusTooManyRequests || !strings.Contains(strings.ToLower(msg), "too many failed logins") {
			t.Errorf("login %d after 4 failures over two nodes: %d %q, want 429 locked", i+1, code, msg)
		}
	}

	// Kill a node: its player reconnects through the balancer to the
	// survivor, still logged in; the survivor's player is untouched.
	bob, carol := c.player(), c.player()
	bob.mustRegister("Bob")
	carol.mustRegister("Carol")
	before = c.counts(t)
	bobWS := bob.mustPlay()
	bobNode := c.nodeOf(t, before)
	before = c.counts(t)
	carolWS := carol.mustPlay()
	carolNode := c.nodeOf(t, before)
	if bobNode == carolNode {
		t.Fatalf("round robin sent bob and carol both to %s", bobNode.name)
	}
	enterDemo(bobWS, "Bob")
	enterDemo(carolWS, "Carol")
	echoes(bobWS, "bob-before")
	echoes(carolWS, "carol-before")
	bobNode.kill()
	t.Logf("killed %s", bobNode.name)
	waitClosed(t, bobWS, 10*time.Second)
	echoes(carolWS, "carol-after") // untouched

	// Bob comes back through the balancer: the dead node is skipped
	// (connection refused, then its health check fails) and the survivor
	// takes him on his old session.
	var again *wsPlayer
	deadline := time.Now().Add(20 * time.Second)
	for {
		ws, err := bob.play()
		if err == nil {
			again = ws
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("bob could not reconnect through the balancer: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// A fresh game connection: the old one died with the node.
	enterDemo(again, "Bob")
	echoes(again, "bob-after")
	if n := carolNode.players(t); n != 2 {
		t.Errorf("%s bridges %d players after bob came back, want 2 (carol and bob)", carolNode.name, n)
	}
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// TestClusterACMEOneOrder starts two nodes at once on one PostgreSQL for
// a domain with no certificate yet, behind HAProxy on the ports Pebble
// validates challenges on: exactly one order is made, whichever node the
// CA's validation reaches answers it, and both serve the certificate.
func TestClusterACMEOneOrder(t *testing.T) {
	t.Parallel()
	const domain = "play.drawbridge.test"
	tlsPort, httpPort := freePort(t), freePort(t)
	pb := pebble.Start(t, pebble.Options{TLSPort: tlsPort, HTTPPort: httpPort})
	caFile := filepath.Join(t.TempDir(), "pebble-api.pem")
	writePool(t, caFile, pb)
	dbURL, pwFile := newPostgres(t)

	type node struct {
		https, http, admin string
		cfg                app.Config
	}
	nodes := make([]*node, 2)
	tlsFront := haFrontend{bind: "127.0.0.1:" + strconv.Itoa(tlsPort), backups: true}
	httpFront := haFrontend{bind: "127.0.0.1:" + strconv.Itoa(httpPort), check: "/healthz"}
	for i := range nodes {
		n := &node{
			https: "127.0.0.1:" + strconv.Itoa(freePort(t)),
			http:  "127.0.0.1:" + strconv.Itoa(freePort(t)),
			admin: "127.0.0.1:" + strconv.Itoa(freePort(t)),
		}
		cfg := app.Default()
		cfg.StateDir = t.TempDir()
		cfg.Web.Domains = []string{domain}
		cfg.Web.HTTPSAddr, cfg.Web.HTTPAddr, cfg.Admin.Addr = n.https, n.http, n.admin
		cfg.Web.ProxyProtocolFrom = []string{"127.0.0.1"}
		cfg.Game.DemoAddr = "127.0.0.1:0"
		cfg.Game.StatusInterval = -1
		cfg.ACME.DirectoryURL = pb.DirectoryURL()
		cfg.ACME.CAFile = caFile
		cfg.ACMEHTTPClient = pb.HTTPClient()
		cfg.Store.PostgresURL, cfg.Store.PostgresPasswordFile = dbURL, pwFile
		n.cfg = cfg
		nodes[i] = n
		_, adminPort, _ := net.SplitHostPort(n.admin)
		name := "node" + strconv.Itoa(i+1)
		tlsFront.servers = append(tlsFront.servers, haServer{name, n.https, adminPort})
		httpFront.servers = append(httpFront.servers, haServer{name, n.http, adminPort})
	}
	startHAProxy(t, tlsFront, httpFront)

	// Both at once: each finds no certificate and wants one.
	errs := make(chan error, len(nodes))
	for _, n := range nodes {
		go func() {
			lb := &logBuffer{}
			n.cfg.Logger = slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug}))
			ctx, cancel := context.WithCancel(context.Background())
			g, err := app.Start(ctx, n.cfg)
			if err != nil {
				cancel()
				errs <- err
				return
			}
			t.Cleanup(func() {
				cancel()
				g.Wait()
				if t.Failed() {
					t.Logf("%s log:\n%s", n.https, lb.String())
				}
			})
			errs <- nil
		}()
	}
	for range nodes {
		if err := <-errs; err != nil {
			t.Fatalf("start a node: %v", err)
		}
	}
	for _, n := range nodes {
		waitReady(t, "http://"+n.admin, 90*time.Second)
	}
	if got := pb.CreatedOrders(); got != 1 {
		t.Errorf("Pebble created %d orders for two nodes starting together, want 1", got)
	}

	// Each node serves the one certificate. Dialled from 127.0.0.2, which
	// is not a trusted balancer, so no PROXY header is needed.
	var serials []string
	for i, n := range nodes {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}, Timeout: 10 * time.Second}
		conn, err := tls.DialWithDialer(d, "tcp", n.https, &tls.Config{ServerName: domain, RootCAs: pb.Roots()})
		if err != nil {
			t.Fatalf("node%d: TLS to %s: %v", i+1, domain, err)
		}
		serials = append(serials, conn.ConnectionState().PeerCertificates[0].SerialNumber.String())
		conn.Close()
	}
	if serials[0] != serials[1] {
		t.Errorf("the nodes serve different certificates: serials %s and %s", serials[0], serials[1])
	}
}

// TestClusterDatabaseOutage stops PostgreSQL under a running node: the
// player already playing keeps playing, a login gets a clear "try again"
// answer, and once the database is back logins work again.
func TestClusterDatabaseOutage(t *testing.T) {
	t.Parallel()
	c := startCluster(t, clusterOptions{nodes: 1})
	erin := c.player()
	erin.mustRegister("Erin")
	ws := erin.mustPlay()
	enterDemo(ws, "Erin")
	echoes(ws, "before-the-outage")

	c.pg.Stop(t)
	echoes(ws, "during-the-outage") // the bridge does not need the database
	frank := c.player()
	code, msg := frank.post("/api/login", map[string]string{"name": "Erin", "password": testPassword})
	if code != http.StatusServiceUnavailable || !strings.Contains(msg, "try again") {
		t.Errorf("login with the database down: %d %q, want 503 saying to try again", code, msg)
	}
	// The log comes through a pipe: give it a moment.
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(c.nodes[0].log.String(), "account store unavailable"); {
		if time.Now().After(deadline) {
			t.Errorf("the node's log does not say the store is unavailable")
			break
		}
		time.Sleep(20 * time.Millisecond)
	}

	c.pg.Restart(t)
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, msg = frank.post("/api/login", map[string]string{"name": "Erin", "password": testPassword})
		if code/100 == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("login after the database came back: %d %q", code, msg)
		}
		time.Sleep(200 * time.Millisecond)
	}
	echoes(ws, "after-the-outage")
}
