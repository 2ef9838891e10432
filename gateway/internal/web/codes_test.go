package web

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/drawbridge/drawbridge/shared/i18n"
)

// TestEveryCodeHasWords: the pages show "api."+code from the message
// catalogue for every error the API answers with, so each code the
// server can send has a message in every language shipped; and no two
// mean different things under one name.
func TestEveryCodeHasWords(t *testing.T) {
	codes := apiCodes()
	seen := map[string]bool{}
	for _, code := range codes {
		if seen[code] {
			t.Errorf("code %q is listed twice", code)
		}
		seen[code] = true
		if !regexp.MustCompile(`^[a-z][a-z0-9_]*$`).MatchString(code) {
			t.Errorf("code %q: want lower-case snake_case (it ends a catalogue key)", code)
		}
	}
	for _, lang := range i18n.Langs() {
		cat := i18n.For(lang)
		for _, code := range codes {
			if !cat.Has("api." + code) {
				t.Errorf("%s: the catalogue has no message api.%s", lang, code)
			}
		}
	}
}

// TestArgsMatchTheCatalogue: the arguments the server sends with a code
// are the placeholders of the code's English message, so that no message
// shows a {name} unfilled.
func TestArgsMatchTheCatalogue(t *testing.T) {
	en := i18n.For(i18n.Source)
	check := func(what, code string, args map[string]any) {
		t.Helper()
		m, ok := en.Message("api." + code)
		if !ok {
			t.Errorf("%s: no message api.%s", what, code)
			return
		}
		for form, text := range m {
			for _, name := range i18n.Placeholders(text) {
				if _, ok := args[name]; !ok {
					t.Errorf("%s: api.%s (%s) needs {%s}, the server sends %v", what, code, form, name, args)
				}
			}
		}
	}
	for _, err := range []error{
		&account.LimitError{Err: account.ErrRateLimited, RetryAfter: 3e9},
		&account.LimitError{Err: account.ErrLocked, RetryAfter: 60e9},
		account.ErrSettingsTooLarge,
	} {
		check(err.Error(), account.Code(err), account.Args(err))
	}
	for _, name := range []string{"x", "has space", "2fast", "admin"} {
		var ne *account.NameError
		if err := account.ValidateName(name, nil); !errors.As(err, &ne) {
			t.Fatalf("ValidateName(%q) = %v, want a *NameError", name, err)
		}
		check("name "+name, ne.Code, ne.Args)
	}
	var p account.Policy
	for _, pw := range []string{"short", strings.Repeat("long enough words ", 10)} {
		for _, pr := range p.Check(pw, "Alice") {
			check("password "+pw, pr.Code, pr.Args)
		}
	}
}

// TestErrorAnswersCarryACode drives the API into each kind of refusal it
// can give and checks that every answer has a code the catalogue knows
// (and the English sentence beside it).
func TestErrorAnswersCarryACode(t *testing.T) {
	r := newAuthRig(t)
	known := map[string]bool{}
	for _, c := range apiCodes() {
		known[c] = true
	}
	player := r.browser()
	r.register(player, "Frank")
	guest := r.browser()
	if res := r.call(guest, "POST", "/api/guest", nil); res.status != http.StatusCreated {
		t.Fatalf("guest: %d %v", res.status, res.body)
	}
	admin := r.admin()
	for _, tc := range []struct {
		name   string
		res    func() resp
		status int
		code   string
	}{
		{"cross-site", func() resp {
			return r.call(r.browser(), "POST", "/api/login", credentials{Name: "Frank", Password: strongPassword},
				"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
		}, http.StatusForbidden, codeCrossSite},
		{"not JSON", func() resp { return r.call(r.browser(), "POST", "/api/login", "not an object") }, http.StatusBadRequest, codeBadRequest},
		{"too large", func() resp {
			return r.call(r.browser(), "POST", "/api/login", credentials{Name: "x", Password: strings.Repeat("a", maxBody+1)})
		}, http.StatusRequestEntityTooLarge, codeTooLarge},
		{"no such API", func() resp { return r.call(r.browser(), "GET", "/api/nothing", nil) }, http.StatusNotFound, codeNotOffered},
		// The API's groups catch every path under them, so a wrong method
		// is no such API too.
		{"wrong method", func() resp { return r.call(r.browser(), "DELETE", "/api/login", nil) }, http.StatusNotFound, codeNotOffered},
		{"wrong password", func() resp {
			return r.call(r.browser(), "POST", "/api/login", credentials{Name: "Frank", Password: "not the password at all"})
		}, http.StatusUnauthorized, account.CodeInvalidCredentials},
		{"no session", func() resp { return r.call(r.browser(), "GET", "/api/session", nil) }, http.StatusUnauthorized, account.CodeUnauthenticated},
		{"bad name", func() resp {
			return r.call(r.browser(), "POST", "/api/register", credentials{Name: "x", Password: strongPassword})
		}, http.StatusBadRequest, account.NameLength},
		{"weak password", func() resp {
			return r.call(r.browser(), "POST", "/api/register", credentials{Name: "Henry", Password: "password"})
		}, http.StatusBadRequest, account.CodeWeakPassword},
		{"name taken", func() resp {
			return r.call(r.browser(), "POST", "/api/register", credentials{Name: "frank", Password: strongPassword})
		}, http.StatusConflict, account.CodeNameTaken},
		{"setup token", func() resp {
			return r.call(r.browser(), "POST", "/api/setup", credentials{Name: "Boss", Password: strongPassword, Token: "nope"})
		}, 0, ""},
		{"player as admin", func() resp { return r.call(player, "GET", "/api/admin/users", nil) }, http.StatusForbidden, account.CodeForbidden},
		{"bad account ID", func() resp { return r.call(admin, "GET", "/api/admin/users/abc/sessions", nil) }, http.StatusBadRequest, codeNoSuchAccount},
		{"guest settings", func() resp { return r.call(guest, "GET", "/api/settings", nil) }, http.StatusForbidden, account.CodeGuestSettings},
		{"no version", func() resp {
			return r.call(player, "PUT", "/api/settings", map[string]any{"settings": map[string]any{}})
		}, http.StatusBadRequest, codeVersionRequired},
		{"bad If-Match", func() resp { return r.putRaw(player, []byte(`{"settings":{}}`), "If-Match", "W/1") }, http.StatusBadRequest, codeBadIfMatch},
		{"If-Match disagrees", func() resp {
			return r.putRaw(player, []byte(`{"version":0,"settings":{}}`), "If-Match", `"3"`)
		}, http.StatusBadRequest, codeVersionMismatch},
		{"version conflict", func() resp {
			return r.call(player, "PUT", "/api/settings", map[string]any{"version": 7, "settings": map[string]any{}})
		}, http.StatusConflict, account.CodeVersionConflict},
		{"not an object", func() resp {
			return r.call(player, "PUT", "/api/settings", map[string]any{"version": 0, "settings": []int{1}})
		}, http.StatusBadRequest, account.CodeInvalidSettings},
	} {
		res := tc.res()
		code, _ := res.body["code"].(string)
		msg, _ := res.body["error"].(string)
		if tc.status != 0 && (res.status != tc.status || code != tc.code) {
			t.Errorf("%s: %d %q, want %d %q (%v)", tc.name, res.status, code, tc.status, tc.code, res.body)
		}
		if !known[code] || msg == "" {
			t.Errorf("%s: %d %v: want a known code and a sentence", tc.name, res.status, res.body)
		}
		problems, _ := res.body["problems"].([]any)
		for _, p := range problems {
			m, _ := p.(map[string]any)
			if c, _ := m["code"].(string); !slices.Contains(account.ProblemCodes(), c) || m["message"] == "" {
				t.Errorf("%s: problem %v: want a known code and a sentence", tc.name, p)
			}
		}
	}
}

// TestEveryErrorLiteralHasACode: an errorJSON written in this package
// names its code, so a new refusal cannot be added without one (the
// answers tested above cover the paths that exist today).
func TestEveryErrorLiteralHasACode(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	lit := regexp.MustCompile(`errorJSON\{[^}]*\}`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAll(b, -1) {
			if !strings.Contains(string(m), "Code:") {
				t.Errorf("%s: %s has no Code", f, m)
			}
		}
	}
}
