package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/labstack/echo/v4"
)

// The settings API: GET and PUT /api/settings keep a logged-in player's
// client settings (account.Settings) on the gateway, so that every
// device of the account shares them. Guests are refused (403): their
// client keeps its settings in the browser.
//
//	GET /api/settings
//	  200 {"version":N,"updated":"RFC 3339"|null,"settings":{...}}, ETag "N"
//	      (version 0, updated null and settings {} while none are stored)
//	PUT /api/settings {"version":N,"settings":{...}}, or If-Match: "N"
//	  200 {"version":N+1,"updated":"RFC 3339"}, ETag "N+1"
//	  409 {"error":...,"code":"version_conflict","version":M,"updated":...,"settings":{...}}, ETag "M":
//	      N is not the version stored, M is; merge and put again with M
//	  413 the body or the settings are over the bound; 400 not a JSON object
//
// Both answer 401 without a valid session and 403 to a guest; PUT is
// refused (403) cross-site, as every state-changing API request is.

// maxSettingsBody bounds a PUT /api/settings body: the largest document
// the account service keeps, with room for the envelope around it.
const maxSettingsBody = account.MaxSettingsBytes + 4<<10

// settingsJSON is the settings as the API shows them, and a conflict's
// answer (with Error and Code, as errorJSON has them).
type settingsJSON struct {
	Error    string          `json:"error,omitempty"`
	Code     string          `json:"code,omitempty"`
	Version  int64           `json:"version"`
	Updated  *time.Time      `json:"updated"`
	Settings json.RawMessage `json:"settings,omitempty"`
}

// settingsOf is st for the API; with doc, its document ({} if none).
func settingsOf(st account.Settings, doc bool) settingsJSON {
	out := settingsJSON{Version: st.Version}
	if !st.Updated.IsZero() {
		u := st.Updated.UTC()
		out.Updated = &u
	}
	if doc {
		out.Settings = st.Doc
		if out.Settings == nil {
			out.Settings = json.RawMessage("{}")
		}
	}
	return out
}

// settingsETag is the entity tag of a settings version.
func settingsETag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// parseSettingsETag reads an If-Match header that names one settings
// version, as settingsETag writes it.
func parseSettingsETag(h string) (int64, bool) {
	h = strings.TrimSpace(h)
	if len(h) < 3 || h[0] != '"' || h[len(h)-1] != '"' {
		return 0, false
	}
	v, err := strconv.ParseInt(h[1:len(h)-1], 10, 64)
	if err != nil || v < 0 || strconv.FormatInt(v, 10) != h[1:len(h)-1] {
		return 0, false
	}
	return v, true
}

func (a *auth) getSettings(c echo.Context) error {
	ctx := c.Request().Context()
	u, _, err := a.svc.Authenticate(ctx, token(c))
	if err != nil {
		return a.fail(c, err)
	}
	st, err := a.svc.Settings(ctx, u)
	if err != nil {
		return a.fail(c, err)
	}
	c.Response().Header().Set("ETag", settingsETag(st.Version))
	return c.JSON(http.StatusOK, settingsOf(st, true))
}

func (a *auth) putSettings(c echo.Context) error {
	ctx := c.Request().Context()
	u, _, err := a.svc.Authenticate(ctx, token(c))
	if err != nil {
		return a.fail(c, err)
	}
	var req struct {
		Version  *int64          `json:"version"`
		Settings json.RawMessage `json:"settings"`
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return a.fail(c, account.ErrSettingsTooLarge)
		}
		return reject(c, http.StatusBadRequest, codeBadRequest)
	}
	if h := c.Request().Header.Get("If-Match"); h != "" {
		v, ok := parseSettingsETag(h)
		switch {
		case !ok:
			return reject(c, http.StatusBadRequest, codeBadIfMatch)
		case req.Version != nil && *req.Version != v:
			return reject(c, http.StatusBadRequest, codeVersionMismatch)
		}
		req.Version = &v
	}
	if req.Version == nil {
		return reject(c, http.StatusBadRequest, codeVersionRequired)
	}
	st, err := a.svc.PutSettings(ctx, u, *req.Version, req.Settings)
	if errors.Is(err, account.ErrVersionConflict) {
		body := settingsOf(st, true)
		body.Error, body.Code = account.Message(err), account.Code(err)
		c.Response().Header().Set("ETag", settingsETag(st.Version))
		return c.JSON(http.StatusConflict, body)
	} else if err != nil {
		return a.fail(c, err)
	}
	c.Response().Header().Set("ETag", settingsETag(st.Version))
	return c.JSON(http.StatusOK, settingsOf(st, false))
}
