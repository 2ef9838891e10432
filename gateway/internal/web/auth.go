package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/drawbridge/drawbridge/gateway/internal/bridge"
	"github.com/drawbridge/drawbridge/gateway/internal/status"
	"github.com/labstack/echo/v4"
)

// CookieName is the session cookie. The __Host- prefix makes browsers
// refuse it unless it is Secure, has Path=/ and no Domain: no other host,
// and no plain-HTTP page, can set or overwrite it.
const CookieName = "__Host-drawbridge"

// DeviceCookieName is the device cookie: the signed tokens of the
// accounts this browser logged in to (account.Grant.DeviceCookie), so
// that its own password attempts are counted apart from strangers' and
// an attacker cannot lock its owner out. It outlives sessions and
// logouts, and is __Host- prefixed, Secure, HttpOnly and SameSite=Strict
// like the session's.
const DeviceCookieName = "__Host-drawbridge-device"

// maxBody bounds the JSON bodies of the account API.
const maxBody = 16 << 10

// userJSON is what the API tells about an account.
type userJSON struct {
	Name  string       `json:"name"`
	Role  account.Role `json:"role"`
	Guest bool         `json:"guest"`
}

func userOf(u account.User) userJSON { return userJSON{Name: u.Name, Role: u.Role, Guest: u.Guest} }

// errorJSON is every error answer of the API: a stable code (one of
// apiCodes) and the values its sentence needs, for clients with words of
// their own (the pages look up "api."+code in the message catalogue, in
// the player's language); the sentence in English, for the others (the
// CLI, scripts, a page older than the server); and the rules broken, each
// with its code and arguments too, for a refused name or password.
type errorJSON struct {
	Error      string            `json:"error"`
	Code       string            `json:"code"`
	Args       map[string]any    `json:"args,omitempty"`
	Problems   []account.Problem `json:"problems,omitempty"`
	RetryAfter int               `json:"retry_after,omitempty"`
}

// The codes of the web layer's own refusals; the account service's are
// account.ErrorCodes.
const (
	codeCrossSite       = "cross_site"        // a state-changing request from another site
	codeBadRequest      = "bad_request"       // a body that is not the JSON expected
	codeTooLarge        = "too_large"         // a body over the bound
	codeNoSuchAccount   = "no_such_account"   // an account ID that cannot be one
	codeBadIfMatch      = "bad_if_match"      // If-Match is not a settings ETag
	codeVersionMismatch = "version_mismatch"  // the body's version and If-Match differ
	codeVersionRequired = "version_required"  // a settings write that names no version
	codeNotOffered      = "not_offered"       // no such API (404), or not with that method
	codeNoPlayerAddress = "no_player_address" // the web server in front did not name the player
)

// ownCodes is the table of the web layer's own refusals: each code and
// its English sentence.
func ownCodes() []struct{ code, msg string } {
	return []struct{ code, msg string }{
		{codeCrossSite, "Cross-site request refused."},
		{codeBadRequest, "The request could not be read."},
		{codeTooLarge, "The request is too large."},
		{codeNoSuchAccount, "No such account."},
		{codeBadIfMatch, "If-Match must be the ETag of the settings read."},
		{codeVersionMismatch, "The version and If-Match disagree."},
		{codeVersionRequired, "Say which version of the settings this replaces (version, or If-Match)."},
		{codeNotOffered, "This gateway does not offer that."},
		{codeNoPlayerAddress, "The web server in front of the gateway does not say who is asking; tell the operator."},
	}
}

// ownMessage is the English sentence of one of the web layer's codes, or
// the account service's generic one.
func ownMessage(code string) string {
	for _, o := range ownCodes() {
		if o.code == code {
			return o.msg
		}
	}
	return account.Message(errors.New(code))
}

// apiCodes returns every code an error answer of the API can carry: the
// account service's, its problems', and the web layer's own.
func apiCodes() []string {
	out := append(account.ErrorCodes(), account.ProblemCodes()...)
	for _, o := range ownCodes() {
		out = append(out, o.code)
	}
	return out
}

// isAPI reports whether a request's path (under the base path) is the
// API's, whose every answer is JSON.
func isAPI(path string) bool { return path == "/api" || strings.HasPrefix(path, "/api/") }

// apiError answers an API request that failed outside a handler's own
// answer (no such route, a wrong method, a middleware's refusal, a panic)
// with an errorJSON, as the rest of the API answers.
func apiError(c echo.Context, err error) {
	if c.Response().Committed {
		return
	}
	status := http.StatusInternalServerError
	var he *echo.HTTPError
	if errors.As(err, &he) {
		status = he.Code
	}
	var code string
	switch {
	case errors.Is(err, errNoPlayerAddress):
		code = codeNoPlayerAddress
	case status == http.StatusNotFound, status == http.StatusMethodNotAllowed:
		code = codeNotOffered
	case status == http.StatusRequestEntityTooLarge:
		code = codeTooLarge
	case status >= 400 && status < 500:
		code = codeBadRequest
	default:
		status, code = http.StatusInternalServerError, account.CodeInternal
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	_ = reject(c, status, code)
}

// reject answers with one of the web layer's own refusals.
func reject(c echo.Context, status int, code string) error {
	return c.JSON(status, errorJSON{Error: ownMessage(code), Code: code})
}

// auth serves the account API and guards /ws.
type auth struct {
	svc     *account.Service
	game    string
	log     *slog.Logger
	live    *liveSessions
	players func() []bridge.Live // this gateway's game sessions; nil: none known
	stats   func() bridge.Stats  // the bridge's counts; nil: none
	status  func() status.Snapshot
}

// routes registers the account API on g. State-changing requests are
// checked against cross-site forgery (Sec-Fetch-Site and Origin, as
// net/http's CrossOriginProtection does) and their bodies are bounded.
func (a *auth) routes(e *echo.Echo) {
	csrf := http.NewCrossOriginProtection()
	guard := func(limit int64) echo.MiddlewareFunc {
		return func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				if err := csrf.Check(c.Request()); err != nil {
					return reject(c, http.StatusForbidden, codeCrossSite)
				}
				c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, limit)
				c.Response().Header().Set("Cache-Control", "no-store")
				return next(c)
			}
		}
	}
	api := e.Group("/api", guard(maxBody))
	api.GET("/info", a.info)
	api.GET("/session", a.session)
	api.POST("/login", a.login)
	api.POST("/register", a.register)
	api.POST("/guest", a.guest)
	api.POST("/setup", a.setup)
	api.POST("/logout", a.logout)
	api.POST("/password", a.changePassword)
	api.POST("/password/check", a.checkPassword)
	api.POST("/reset", a.reset)

	admin := api.Group("/admin", a.require(account.PermAdminister))
	admin.GET("/users", a.adminUsers)
	admin.POST("/users", a.adminCreate)
	admin.POST("/users/:id/unlock", a.adminUnlock)
	admin.POST("/sessions/:sid/revoke", a.adminRevokeSession)
	admin.GET("/users/:id/sessions", a.adminSessions)
	admin.POST("/users/:id/kick", a.adminKick)
	admin.POST("/users/:id/disable", a.adminDisable)
	admin.POST("/users/:id/enable", a.adminEnable)
	admin.POST("/users/:id/role", a.adminRole)
	admin.POST("/users/:id/reset", a.adminReset)
	admin.GET("/events", a.adminEvents)
	admin.GET("/players", a.adminPlayers)
	admin.GET("/game", a.adminGame)

	// A settings document may be far larger than the rest of the API's
	// bodies: the same guard, with a bound of its own.
	settings := e.Group("/api/settings", guard(maxSettingsBody))
	settings.GET("", a.getSettings)
	settings.PUT("", a.putSettings)
}

// client is who a request comes from: its address, its browser, and the
// cookies a login looks at (the session it may replace, the device's).
func (a *auth) client(c echo.Context) account.Client {
	cl := account.Client{Addr: c.RealIP(), UserAgent: c.Request().UserAgent(), PreviousToken: token(c)}
	if ck, err := c.Cookie(DeviceCookieName); err == nil {
		cl.DeviceCookie = ck.Value
	}
	return cl
}

// token returns the session token from the cookie, or "".
func token(c echo.Context) string {
	ck, err := c.Cookie(CookieName)
	if err != nil {
		return ""
	}
	return ck.Value
}

// setCookie hands the browser its session token. It lives as long as the
// session can: the server enforces the idle timeout and the lifetime.
func setCookie(c echo.Context, g account.Grant) {
	c.SetCookie(&http.Cookie{
		Name: CookieName, Value: g.Token, Path: "/",
		Expires:  g.Session.ExpiresAt,
		Secure:   true,
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
	})
}

// setDevice keeps the browser's device tokens after a login.
func (a *auth) setDevice(c echo.Context, g account.Grant) {
	if g.DeviceCookie == "" {
		return
	}
	c.SetCookie(&http.Cookie{
		Name: DeviceCookieName, Value: g.DeviceCookie, Path: "/",
		Expires:  time.Now().Add(a.svc.DeviceLifetime()),
		Secure:   true,
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
	})
}

// grant hands the browser what a login, registration or setup gave it,
// and answers with the account (and, after a login, the failed logins
// since the last one, which the front door tells the player).
func (a *auth) grant(c echo.Context, status int, g account.Grant) error {
	setCookie(c, g)
	a.setDevice(c, g)
	body := map[string]any{"user": userOf(g.User)}
	if g.FailedLogins > 0 {
		body["failed_logins"] = g.FailedLogins
	}
	return c.JSON(status, body)
}

func clearCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

// fail maps a Service error to its HTTP answer; internal errors are
// logged and get a generic sentence.
func (a *auth) fail(c echo.Context, err error) error {
	body := errorJSON{Error: account.Message(err), Code: account.Code(err), Args: account.Args(err)}
	var le *account.LimitError
	var pe *account.PolicyError
	var ne *account.NameError
	// Both are looked for: a registration can break the name rules and
	// the password rules at once, and the player should see all of it.
	isPolicy, isName := errors.As(err, &pe), errors.As(err, &ne)
	status := http.StatusInternalServerError
	switch {
	case errors.As(err, &le):
		status, body.RetryAfter = http.StatusTooManyRequests, le.RetryAfterSeconds()
		c.Response().Header().Set("Retry-After", strconv.Itoa(body.RetryAfter))
	case errors.Is(err, account.ErrBusy):
		status = http.StatusServiceUnavailable
		c.Response().Header().Set("Retry-After", "1")
	case errors.Is(err, account.ErrUnavailable):
		// Logged, since an operator must act; the player is told to wait.
		status = http.StatusServiceUnavailable
		c.Response().Header().Set("Retry-After", "30")
		a.log.Error("account store unavailable", "path", c.Path(), "peer", c.RealIP(), "err", err)
	case errors.Is(err, account.ErrInvalidCredentials):
		status = http.StatusUnauthorized
	case errors.Is(err, account.ErrUnauthenticated), errors.Is(err, account.ErrSessionExpired):
		status = http.StatusUnauthorized
		clearCookie(c)
	case isPolicy || isName:
		status = http.StatusBadRequest
		if ne != nil {
			body.Problems = append(body.Problems, account.Problem{Code: ne.Code, Args: ne.Args, Message: ne.Reason})
		}
		if pe != nil {
			body.Problems = append(body.Problems, pe.Problems...)
		}
	case errors.Is(err, account.ErrNameTaken), errors.Is(err, account.ErrLastSuperuser), errors.Is(err, account.ErrSetupDone),
		errors.Is(err, account.ErrVersionConflict):
		status = http.StatusConflict
	case errors.Is(err, account.ErrSettingsTooLarge):
		status = http.StatusRequestEntityTooLarge
	case errors.Is(err, account.ErrInvalidSettings), errors.Is(err, account.ErrInvalidSettingsVersion):
		status = http.StatusBadRequest
	case errors.Is(err, account.ErrDisabled), errors.Is(err, account.ErrForbidden), errors.Is(err, account.ErrRegistrationClosed),
		errors.Is(err, account.ErrGuestsDisabled), errors.Is(err, account.ErrInvalidSetupToken), errors.Is(err, account.ErrInvalidResetLink):
		status = http.StatusForbidden
	case errors.Is(err, account.ErrNotFound):
		status = http.StatusNotFound
	default:
		a.log.Error("account request failed", "path", c.Path(), "peer", c.RealIP(), "err", err)
	}
	return c.JSON(status, body)
}

// bind decodes a JSON body strictly.
func bind(c echo.Context, v any) error {
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return reject(c, http.StatusRequestEntityTooLarge, codeTooLarge)
		}
		return reject(c, http.StatusBadRequest, codeBadRequest)
	}
	return nil
}

type credentials struct {
	Name     string `json:"name"`
	Password string `json:"password"`
	Token    string `json:"token,omitempty"`
}

func (a *auth) info(c echo.Context) error {
	ctx := c.Request().Context()
	n, err := a.svc.CountUsers(ctx, account.Console(), account.UserQuery{Role: account.RoleSuperuser, EnabledOnly: true})
	if err != nil {
		return a.fail(c, err)
	}
	reg := "closed"
	if a.svc.RegistrationOpen() {
		reg = "open"
	}
	p := a.svc.Policy()
	return c.JSON(http.StatusOK, map[string]any{
		"game": a.game, "registration": reg, "guests": a.svc.GuestsAllowed(), "setup": n == 0,
		"policy": map[string]int{"min_length": p.MinLen(), "max_length": p.MaxLen()},
	})
}

func (a *auth) session(c echo.Context) error {
	u, _, err := a.svc.Authenticate(c.Request().Context(), token(c))
	if err != nil {
		return a.fail(c, err)
	}
	return c.JSON(http.StatusOK, map[string]any{"user": userOf(u)})
}

func (a *auth) login(c echo.Context) error {
	var req credentials
	if err := bind(c, &req); err != nil || c.Response().Committed {
		return err
	}
	g, err := a.svc.Login(c.Request().Context(), account.LoginRequest{Client: a.client(c), Name: req.Name, Password: req.Password})
	if err != nil {
		return a.fail(c, err)
	}
	return a.grant(c, http.StatusOK, g)
}

func (a *auth) register(c echo.Context) error {
	var req credentials
	if err := bind(c, &req); err != nil || c.Response().Committed {
		return err
	}
	g, err := a.svc.Register(c.Request().Context(), account.RegisterRequest{Client: a.client(c), Name: req.Name, Password: req.Password})
	if err != nil {
		return a.fail(c, err)
	}
	return a.grant(c, http.StatusCreated, g)
}

func (a *auth) guest(c echo.Context) error {
	g, err := a.svc.Guest(c.Request().Context(), a.client(c))
	if err != nil {
		return a.fail(c, err)
	}
	return a.grant(c, http.StatusCreated, g)
}

func (a *auth) setup(c echo.Context) error {
	var req credentials
	if err := bind(c, &req); err != nil || c.Response().Committed {
		return err
	}
	g, err := a.svc.Setup(c.Request().Context(), account.SetupRequest{Client: a.client(c), Token: req.Token, Name: req.Name, Password: req.Password})
	if err != nil {
		return a.fail(c, err)
	}
	return a.grant(c, http.StatusCreated, g)
}

// logout ends the session; its bridges close through OnRevoke.
func (a *auth) logout(c echo.Context) error {
	if err := a.svc.Logout(c.Request().Context(), token(c), c.RealIP()); err != nil {
		return a.fail(c, err)
	}
	clearCookie(c)
	return c.NoContent(http.StatusNoContent)
}

func (a *auth) changePassword(c echo.Context) error {
	var req struct {
		Old string `json:"old"`
		New string `json:"new"`
	}
	if err := bind(c, &req); err != nil || c.Response().Committed {
		return err
	}
	ctx := c.Request().Context()
	_, sess, err := a.svc.Authenticate(ctx, token(c))
	if err != nil {
		return a.fail(c, err)
	}
	if err := a.svc.ChangePassword(ctx, account.PasswordChange{Session: sess, Old: req.Old, New: req.New, Addr: c.RealIP()}); err != nil {
		return a.fail(c, err)
	}
	return c.NoContent(http.StatusNoContent)
}

// reset spends a reset link on a new password; every session of the
// account ends, so the player then logs in.
func (a *auth) reset(c echo.Context) error {
	var req struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := bind(c, &req); err != nil || c.Response().Committed {
		return err
	}
	if err := a.svc.ResetPassword(c.Request().Context(), account.ResetRequest{Addr: c.RealIP(), Token: req.Token, Password: req.Password}); err != nil {
		return a.fail(c, err)
	}
	return c.NoContent(http.StatusNoContent)
}

// adminReset issues a reset link: its path relative to the site (the
// secret after "#") and when it expires.
func (a *auth) adminReset(c echo.Context) error {
	id, err := userID(c)
	if err != nil || c.Response().Committed {
		return err
	}
	l, err := a.svc.IssueResetLink(c.Request().Context(), actor(c), id)
	if err != nil {
		return a.fail(c, err)
	}
	return c.JSON(http.StatusCreated, map[string]any{"path": account.ResetLinkPath(l.Token), "expires_at": l.ExpiresAt})
}

// checkPassword gives the policy's feedback while a player types.
func (a *auth) checkPassword(c echo.Context) error {
	var req credentials
	if err := bind(c, &req); err != nil || c.Response().Committed {
		return err
	}
	problems := a.svc.CheckPassword(req.Password, req.Name)
	if problems == nil {
		problems = []account.Problem{}
	}
	return c.JSON(http.StatusOK, map[string]any{"problems": problems})
}

// require lets through requests whose session has perm; the actor is
// stored on the context for the handler.
func (a *auth) require(perm account.Permission) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u, _, err := a.svc.Authenticate(c.Request().Context(), token(c))
			if err != nil {
				return a.fail(c, err)
			}
			if !u.Role.Can(perm) {
				return c.JSON(http.StatusForbidden, errorJSON{Error: "You are not allowed to do that.", Code: account.CodeForbidden})
			}
			c.Set("actor", account.UserActor(u, c.RealIP()))
			return next(c)
		}
	}
}

func actor(c echo.Context) account.Actor { return c.Get("actor").(account.Actor) }

func userID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, reject(c, http.StatusBadRequest, codeNoSuchAccount)
	}
	return id, nil
}

func (a *auth) adminUsers(c echo.Context) error {
	q := account.UserQuery{NamePrefix: c.QueryParam("name"), Limit: 200}
	if after, err := strconv.ParseInt(c.QueryParam("after"), 10, 64); err == nil {
		q.AfterID = after
	}
	users, err := a.svc.ListUsers(c.Request().Context(), actor(c), q)
	if err != nil {
		return a.fail(c, err)
	}
	type row struct {
		ID        int64        `json:"id"`
		Name      string       `json:"name"`
		Role      account.Role `json:"role"`
		Guest     bool         `json:"guest"`
		Disabled  bool         `json:"disabled"`
		CreatedAt time.Time    `json:"created_at"`
		LastLogin time.Time    `json:"last_login"`
		Playing   int          `json:"playing"`
	}
	out := make([]row, 0, len(users))
	for _, u := range users {
		out = append(out, row{u.ID, u.Name, u.Role, u.Guest, u.Disabled, u.CreatedAt, u.LastLogin, a.live.playing(u.ID)})
	}
	return c.JSON(http.StatusOK, map[string]any{"users": out})
}

func (a *auth) adminSessions(c echo.Context) error {
	id, err := userID(c)
	if err != nil || c.Response().Committed {
		return err
	}
	sessions, err := a.svc.ListSessions(c.Request().Context(), actor(c), id)
	if err != nil {
		return a.fail(c, err)
	}
	type row struct {
		ID        string    `json:"id"`
		CreatedAt time.Time `json:"created_at"`
		LastSeen  time.Time `json:"last_seen"`
		ExpiresAt time.Time `json:"expires_at"`
		Addr      string    `json:"addr"`
		UserAgent string    `json:"user_agent"`
		Playing   bool      `json:"playing"`
	}
	out := make([]row, 0, len(sessions))
	for _, s := range sessions {
		out = append(out, row{s.ID, s.CreatedAt, s.LastSeen, s.ExpiresAt, s.Addr, s.UserAgent, a.live.has(s.ID)})
	}
	return c.JSON(http.StatusOK, map[string]any{"sessions": out})
}

// adminKick ends every session of an account: its players are
// disconnected and must log in again.
func (a *auth) adminKick(c echo.Context) error {
	id, err := userID(c)
	if err != nil || c.Response().Committed {
		return err
	}
	n, err := a.svc.RevokeSessions(c.Request().Context(), actor(c), id, "")
	if err != nil {
		return a.fail(c, err)
	}
	return c.JSON(http.StatusOK, map[string]int{"revoked": n})
}

func (a *auth) adminDisable(c echo.Context) error {
	return a.adminDo(c, a.svc.Disable)
}

func (a *auth) adminEnable(c echo.Context) error {
	return a.adminDo(c, a.svc.Enable)
}

func (a *auth) adminDo(c echo.Context, f func(context.Context, account.Actor, int64) error) error {
	id, err := userID(c)
	if err != nil || c.Response().Committed {
		return err
	}
	if err := f(c.Request().Context(), actor(c), id); err != nil {
		return a.fail(c, err)
	}
	return c.NoContent(http.StatusNoContent)
}

func (a *auth) adminRole(c echo.Context) error {
	id, err := userID(c)
	if err != nil || c.Response().Committed {
		return err
	}
	var req struct {
		Role account.Role `json:"role"`
	}
	if err := bind(c, &req); err != nil || c.Response().Committed {
		return err
	}
	if err := a.svc.SetRole(c.Request().Context(), actor(c), id, req.Role); err != nil {
		return a.fail(c, err)
	}
	return c.NoContent(http.StatusNoContent)
}

// adminPlayers lists the game sessions this gateway runs: who, from
// where, since when, whether the player is away, and the bytes each way.
// Ending one is ending its login session (POST sessions/SID/revoke). On
// a cluster each node answers for its own players.
func (a *auth) adminPlayers(c echo.Context) error {
	out := []bridge.Live{}
	if a.players != nil {
		out = append(out, a.players()...)
	}
	return c.JSON(http.StatusOK, map[string]any{"players": out})
}

// adminGame is the console's panel of the game: what the front door's
// status says (reachable, MSSP, players, uptime; null before the first
// check), and the bridge's counts on this node: players and those away,
// resumes, connections to the game by result (dial failures among them)
// and sessions ended by why.
func (a *auth) adminGame(c echo.Context) error {
	out := map[string]any{"status": nil, "bridge": nil}
	if a.status != nil {
		out["status"] = statusOf(a.status(), a.game)
	}
	if a.stats != nil {
		st := a.stats()
		out["bridge"] = map[string]any{
			"players": st.Players, "away": st.Away, "resumed": st.Resumed, "resume_failed": st.ResumeFailed,
			"bytes_to_game": st.BytesToGame, "bytes_to_players": st.BytesToPlayers,
			"dials": nonNil(st.Dials), "ends": nonNil(st.Ends),
		}
	}
	return c.JSON(http.StatusOK, out)
}

// nonNil is m, or an empty map: JSON {} rather than null.
func nonNil(m map[string]int64) map[string]int64 {
	if m == nil {
		return map[string]int64{}
	}
	return m
}

// adminCreate makes an account (name, password, role; the actor must be
// allowed to grant the role).
func (a *auth) adminCreate(c echo.Context) error {
	var req struct {
		Name     string       `json:"name"`
		Password string       `json:"password"`
		Role     account.Role `json:"role"`
	}
	if err := bind(c, &req); err != nil || c.Response().Committed {
		return err
	}
	if req.Role == 0 {
		req.Role = account.RolePlayer
	}
	u, err := a.svc.CreateUser(c.Request().Context(), actor(c), account.NewUser{Name: req.Name, Password: req.Password, Role: req.Role})
	if err != nil {
		return a.fail(c, err)
	}
	return c.JSON(http.StatusCreated, map[string]any{"user": userOf(u)})
}

// adminUnlock lifts an account's login backoffs and lockouts.
func (a *auth) adminUnlock(c echo.Context) error {
	return a.adminDo(c, a.svc.Unlock)
}

// adminRevokeSession ends one session (its ID as the sessions list
// gives it); its bridges close.
func (a *auth) adminRevokeSession(c echo.Context) error {
	if err := a.svc.RevokeSession(c.Request().Context(), actor(c), c.Param("sid")); err != nil {
		return a.fail(c, err)
	}
	return c.NoContent(http.StatusNoContent)
}

// adminEvents pages through the audit trail, newest first: before (the
// last ID of the page before), user (an account, as the subject or the
// actor), type (an event type) and since (RFC 3339) narrow it. A filter
// that cannot be read is refused, not ignored.
func (a *auth) adminEvents(c echo.Context) error {
	q := account.EventQuery{Limit: 200}
	for _, f := range []struct {
		name string
		set  func(v string) error
	}{
		{"before", func(v string) (err error) { q.BeforeID, err = strconv.ParseInt(v, 10, 64); return }},
		{"user", func(v string) (err error) { q.UserID, err = strconv.ParseInt(v, 10, 64); return }},
		{"since", func(v string) (err error) { q.Since, err = time.Parse(time.RFC3339, v); return }},
		{"type", func(v string) error { q.Type = account.EventType(v); return nil }},
		{"limit", func(v string) (err error) { q.Limit, err = strconv.Atoi(v); return }},
	} {
		if v := c.QueryParam(f.name); v != "" {
			if err := f.set(v); err != nil {
				return reject(c, http.StatusBadRequest, codeBadRequest)
			}
		}
	}
	events, err := a.svc.Events(c.Request().Context(), actor(c), q)
	if err != nil {
		return a.fail(c, err)
	}
	if events == nil {
		events = []account.Event{} // a list, even empty, not null
	}
	return c.JSON(http.StatusOK, map[string]any{"events": events})
}

// liveSessions are the login sessions with an open bridge: the gateway
// keeps them alive while the player plays, and re-checks them so that a
// change made outside this process (the command line) closes the bridge
// too.
type liveSessions struct {
	mu       sync.Mutex
	sessions map[string]*liveSession
}

type liveSession struct {
	sess  account.Session
	count int // bridges on this session
}

func (l *liveSessions) add(s account.Session) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ls, ok := l.sessions[s.ID]; ok {
		ls.count++
		return
	}
	l.sessions[s.ID] = &liveSession{sess: s, count: 1}
}

func (l *liveSessions) remove(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ls, ok := l.sessions[id]; ok {
		if ls.count--; ls.count <= 0 {
			delete(l.sessions, id)
		}
	}
}

func (l *liveSessions) has(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.sessions[id]
	return ok
}

func (l *liveSessions) playing(userID int64) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, ls := range l.sessions {
		if ls.sess.UserID == userID {
			n += ls.count
		}
	}
	return n
}

func (l *liveSessions) snapshot() []account.Session {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]account.Session, 0, len(l.sessions))
	for _, ls := range l.sessions {
		out = append(out, ls.sess)
	}
	return out
}

func (l *liveSessions) update(s account.Session) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ls, ok := l.sessions[s.ID]; ok {
		ls.sess = s
	}
}
