package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
)

// liveSettings are the settings a reload applies to the running gateway;
// every other one needs a restart. A name ending in "." covers its whole
// section, except the [accounts] settings in account.RestartSettings.
// Some are live only between two values of one kind (restartAnyway).
// deploy/drawbridge.toml marks every setting "# reload: live" or
// "# reload: restart" after this table, and a test holds the two
// together.
//
// Live changes apply to what starts after the reload: a new player's
// bridge, a new connection to the game, the next login, the next status
// check. Players already connected keep the limits and timeouts they
// started with, and nobody is disconnected by a lower limit.
var liveSettings = []string{
	"shutdown_timeout",
	"game.backend", // from one game to another (to or from the demo game: restart)
	"game.dial_timeout",
	"game.charset",
	"game.mxp",
	"game.status_interval", // a new interval (turning the checks on or off: restart)
	"game.status_timeout",
	"game.proxy_protocol",
	"game.tls",
	"game.tls_ca_file", // read again at every reload, changed or not
	"game.tls_server_name",
	"game.gmcp_from_players",
	"web.domains", // in ACME mode, from names to names (to or from none, or in other modes: restart)
	"players.max",
	"players.max_per_addr",
	"players.max_per_account",
	"players.idle_timeout",
	"players.write_timeout",
	"players.resume_grace",
	"players.resume_buffer",
	"accounts.",
	"log.format",
	"log.level",
	"log.audit_file", // another file (to or from the main log: restart)
	"admin.hosts",
	"admin.pprof",
}

// reloadsLive reports whether a change of the named setting is applied by
// a reload, at least between values of one kind.
func reloadsLive(name string) bool {
	if rest, ok := strings.CutPrefix(name, "accounts."); ok {
		for _, r := range account.RestartSettings {
			if rest == r || strings.HasPrefix(rest, r+".") {
				return false
			}
		}
	}
	for _, l := range liveSettings {
		if name == l || strings.HasSuffix(l, ".") && strings.HasPrefix(name, l) {
			return true
		}
	}
	return false
}

// restartAnyway reports whether a change of a live setting from old to
// new still needs a restart, because it would start or stop a part of the
// gateway rather than change one.
func restartAnyway(name string, old, new *Config) bool {
	switch name {
	case "game.backend":
		return (old.Game.Backend == "") != (new.Game.Backend == "")
	case "game.status_interval":
		return (old.Game.StatusInterval > 0) != (new.Game.StatusInterval > 0)
	case "log.audit_file":
		return (old.Log.AuditFile == "") != (new.Log.AuditFile == "")
	case "web.domains":
		// Certificates for other names come from the same CA, on the
		// same listeners; anything else is a different edge.
		return old.TLSMode() != "acme" || new.TLSMode() != "acme" ||
			old.HTTPSAddress() != new.HTTPSAddress() || old.HTTPAddress() != new.HTTPAddress()
	}
	return false
}

// ReloadResult is what a reload changed: the settings applied, and those
// that changed but need a restart (they keep their old values until then).
type ReloadResult struct {
	Applied []string `json:"applied"`
	Restart []string `json:"restart"`
}

// ErrReloadRefused wraps the reasons a reload was refused; the gateway
// then runs on as before.
var ErrReloadRefused = errors.New("reload refused; still running on the previous configuration")

// Reload reads the configuration again (Config.Reread: the command reads
// the file, the environment and the flags, as at start), and when it is
// valid applies every setting that can change while the gateway runs
// (liveSettings), reopens the audit file (after logrotate) and reads the
// certificate files again. It logs one INFO line naming the settings
// applied and, if some changed that need a restart, one WARN line naming
// them. An invalid configuration, or files that cannot be read, change
// nothing (but the audit file is reopened all the same): the reasons are
// logged at ERROR and returned, wrapped in ErrReloadRefused. The command calls it on SIGHUP and for `drawbridge
// reload`.
func (g *Gateway) Reload() (ReloadResult, error) {
	g.reloadMu.Lock()
	defer g.reloadMu.Unlock()
	res, err := g.reload()
	if err != nil {
		g.log.Error("reload refused; still running on the previous configuration", "err", oneLine(err))
		err = fmt.Errorf("%w:\n%w", ErrReloadRefused, err)
		// The audit file is reopened all the same: logrotate's reload
		// must not leave the trail in the rotated file because someone
		// is in the middle of editing the configuration.
		if g.acc.audit != nil {
			path := g.cur.Load().Log.AuditFile
			if f, ferr := openAppend(path); ferr != nil {
				g.log.Error("could not reopen the audit file; still writing to the one open", "path", path, "err", ferr)
			} else {
				g.acc.audit.replace(f)
			}
		}
		return res, err
	}
	applied := "none"
	if len(res.Applied) > 0 {
		applied = strings.Join(res.Applied, ", ")
	}
	g.log.Info("configuration reloaded", "applied", applied)
	if len(res.Restart) > 0 {
		g.log.Warn("changed settings need a restart to apply; until then they keep their old values",
			"settings", strings.Join(res.Restart, ", "))
	}
	return res, nil
}

func (g *Gateway) reload() (ReloadResult, error) {
	var res ReloadResult
	if g.stopping.Load() {
		return res, errors.New("the gateway is shutting down")
	}
	old := g.cur.Load()
	next := *old
	if g.cfg.Reread != nil {
		var err error
		if next, err = g.cfg.Reread(); err != nil {
			return res, err
		}
	}
	if err := next.Validate(); err != nil {
		return res, err
	}

	// What changed, and what of it applies now.
	applied := next
	applied.Static, applied.Logger, applied.ACMEHTTPClient, applied.Reread = old.Static, old.Logger, old.ACMEHTTPClient, old.Reread
	_, logSwitch := g.log.Handler().(*LogHandler)
	oldSet, nextSet, appliedSet := old.Settings(), next.Settings(), applied.Settings()
	for i, st := range oldSet {
		if reflect.DeepEqual(st.value.Interface(), nextSet[i].value.Interface()) {
			continue
		}
		live := reloadsLive(st.Name) && !restartAnyway(st.Name, old, &next)
		if strings.HasPrefix(st.Name, "log.") && st.Name != "log.audit_file" && !logSwitch {
			live = false // the command built a logger of its own
		}
		if live {
			res.Applied = append(res.Applied, st.Name)
		} else {
			res.Restart = append(res.Restart, st.Name)
			appliedSet[i].value.Set(st.value) // the old value stays in force
		}
	}

	// Everything that can fail, before anything changes.
	addr := applied.Game.Backend
	if addr == "" {
		addr = g.demoLn.Addr().String()
	}
	dialer, err := g.gameDialer(&applied.Game, addr)
	if err != nil {
		return ReloadResult{}, err
	}
	var audit *os.File
	if g.acc.audit != nil {
		if audit, err = openAppend(applied.Log.AuditFile); err != nil {
			return ReloadResult{}, fmt.Errorf("log.audit_file: %w", err)
		}
	}
	accounts := accountConfig(&applied)
	if err := accounts.ValidateSettings(); err != nil { // Validate checked them; Reconfigure must not fail below
		audit.Close()
		return ReloadResult{}, err
	}
	// Last, as they cannot be undone: the certificate files (in files
	// mode) are read again whether or not their paths changed, and the
	// names served change.
	if g.edge != nil { // nil in proxied mode: the web server in front holds the certificates
		if err := g.edge.Reload(); err != nil {
			audit.Close()
			return ReloadResult{}, err
		}
	}
	if g.edge != nil && !slices.Equal(old.Web.Domains, applied.Web.Domains) {
		if err := g.edge.SetDomains(applied.Web.Domains); err != nil {
			audit.Close()
			return ReloadResult{}, fmt.Errorf("web.domains: %w", err)
		}
	}

	// Apply.
	if err := g.acc.Service.Reconfigure(accounts); err != nil {
		g.log.Error("accounts: the new settings were not applied", "err", err) // cannot happen: validated above
	}
	g.cur.Store(&applied)
	g.dialer.Store(dialer)
	g.hub.SetConfig(g.bridgeConfig(&applied, g.prober.Dial))
	if g.telnets != nil {
		g.telnets.SetDialTimeout(applied.Game.DialTimeout)
	}
	g.prober.SetTiming(applied.Game.StatusInterval, applied.Game.StatusTimeout)
	if h, ok := g.log.Handler().(*LogHandler); ok {
		h.SetConfig(applied.Log)
	}
	g.adminLive.set(applied.Admin.Addr, applied.Admin.Hosts, applied.Admin.PProf)
	if audit != nil {
		g.acc.audit.replace(audit)
	}
	return res, nil
}

// oneLine joins a multi-line error into one line, for a log attribute:
// "invalid configuration: a: ...; b: ...".
func oneLine(err error) string {
	var b strings.Builder
	for _, line := range strings.Split(err.Error(), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		if b.Len() > 0 {
			if strings.HasSuffix(b.String(), ":") {
				b.WriteString(" ")
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(line)
	}
	return b.String()
}

// ControlSocket is the name, in the state directory, of the Unix socket
// on which a running gateway takes commands from `drawbridge reload`. It
// is mode 0600 in a 0700 directory: only the service's user (and root)
// reach it.
const ControlSocket = "control.sock"

// listenControl opens the control socket. One left behind by a gateway
// that did not stop cleanly is replaced; one that answers belongs to a
// gateway running on this state directory, which is an error.
func (g *Gateway) listenControl() error {
	path := filepath.Join(g.cfg.StateDir, ControlSocket)
	if err := os.MkdirAll(g.cfg.StateDir, 0o700); err != nil {
		return fmt.Errorf("state_dir: %w", unwrapPath(err))
	}
	c, err := net.DialTimeout("unix", path, time.Second)
	switch {
	case err == nil:
		c.Close()
		return fmt.Errorf("state_dir %s: another gateway is running on it (its control socket %s answers)", g.cfg.StateDir, path)
	case errors.Is(err, syscall.ECONNREFUSED):
		os.Remove(path) // left by a gateway that did not stop cleanly
	case !errors.Is(err, syscall.ENOENT):
		// A socket that is there but could not be tried (busy, no
		// permission) may be a running gateway's: never remove it.
		return fmt.Errorf("state_dir %s: cannot tell whether a gateway runs on it: its control socket %s: %w", g.cfg.StateDir, path, err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		// Not fatal: SIGHUP still reloads.
		g.log.Warn("no control socket: `drawbridge reload` cannot reach this gateway; SIGHUP still reloads", "path", path, "err", err)
		return nil
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(true)
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /reload", func(w http.ResponseWriter, r *http.Request) {
		res, err := g.Reload()
		reply := controlReply{ReloadResult: res}
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			reply.Error = err.Error()
			w.WriteHeader(http.StatusUnprocessableEntity)
		}
		json.NewEncoder(w).Encode(reply)
	})
	g.controlLn = ln
	g.control = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: readHeaderTimeout,
		ErrorLog:          serverErrorLog(g.log.With("component", "control")),
	}
	return nil
}

// controlReply is the control socket's answer to POST /reload.
type controlReply struct {
	ReloadResult
	Error string `json:"error,omitempty"`
}

// RequestReload asks the gateway running on stateDir to reload its
// configuration, through its control socket, and returns what it
// changed. A refused reload is an error with the gateway's reasons.
func RequestReload(ctx context.Context, stateDir string) (ReloadResult, error) {
	path := filepath.Join(stateDir, ControlSocket)
	c := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}}
	defer c.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://drawbridge/reload", nil)
	if err != nil {
		return ReloadResult{}, err
	}
	resp, err := c.Do(req)
	if err != nil {
		// Judged by the dial's own error: a socket made between a failed
		// dial and a later look at the path would hide why it failed.
		if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
			return ReloadResult{}, fmt.Errorf("no gateway is running on state_dir %s (no control socket %s, or none listening on it)", stateDir, path)
		}
		return ReloadResult{}, fmt.Errorf("the gateway's control socket %s: %w", path, err)
	}
	defer resp.Body.Close()
	var reply controlReply
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil {
		return ReloadResult{}, fmt.Errorf("the gateway's control socket %s: unreadable answer (%s): %w", path, resp.Status, err)
	}
	if reply.Error != "" {
		return reply.ReloadResult, errors.New(reply.Error)
	}
	return reply.ReloadResult, nil
}

// openAppend opens the audit file at path for appending, as openAudit
// does, with an error that names the path once.
func openAppend(path string) (*os.File, error) {
	f, err := openAudit(path)
	if err != nil {
		return nil, unwrapPath(err)
	}
	return f, nil
}
