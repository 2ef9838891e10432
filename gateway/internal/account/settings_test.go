package account_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
)

// TestSettings: an account's settings start empty, are written by naming
// the version read, come back compacted, and a stale version is told the
// current ones. Writes are not audited.
func TestSettings(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.quickUser(t, "Alice", account.RolePlayer)
	st, err := e.svc.Settings(ctx, u)
	if err != nil || st.Version != 0 || st.Doc != nil || !st.Updated.IsZero() {
		t.Fatalf("Settings with none stored: got %+v, %v; want zero", st, err)
	}
	before := len(e.events(t))
	st, err = e.svc.PutSettings(ctx, u, 0, []byte(" {\n  \"font\": \"Fira Mono\",\n  \"size\": 14 }\n"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Version != 1 || string(st.Doc) != `{"font":"Fira Mono","size":14}` || !st.Updated.Equal(e.clock.Now()) {
		t.Errorf("first PutSettings: got %+v %s, want version 1, compacted, now", st, st.Doc)
	}
	e.clock.Advance(1500) // nanoseconds: the stored time is in microseconds
	second, err := e.svc.PutSettings(ctx, u, 1, []byte(`{"size":16}`))
	if err != nil || second.Version != 2 || second.Updated.Nanosecond()%1000 != 0 {
		t.Fatalf("second PutSettings: got %+v, %v", second, err)
	}
	stale, err := e.svc.PutSettings(ctx, u, 1, []byte(`{"size":18}`))
	if !errors.Is(err, account.ErrVersionConflict) {
		t.Fatalf("stale PutSettings: got %v, want ErrVersionConflict", err)
	}
	if stale.Version != 2 || string(stale.Doc) != `{"size":16}` {
		t.Errorf("stale PutSettings returned %+v, want the current settings", stale)
	}
	if got := account.Message(err); got != "Your settings were changed on another device." {
		t.Errorf("Message(conflict) = %q", got)
	}
	if got, _ := e.svc.Settings(ctx, u); got.Version != 2 || string(got.Doc) != `{"size":16}` {
		t.Errorf("Settings: got %+v", got)
	}
	if after := len(e.events(t)); after != before {
		t.Errorf("settings writes added %d audit events, want none", after-before)
	}
}

func TestSettingsRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.quickUser(t, "Alice", account.RolePlayer)
	huge := `{"h":"` + strings.Repeat("x", account.MaxSettingsBytes) + `"}`
	fits := `{"h":"` + strings.Repeat("x", account.MaxSettingsBytes-len(`{"h":""}`)) + `"}`
	for _, tc := range []struct {
		name    string
		version int64
		doc     string
		want    error
	}{
		{"array", 0, `[1,2]`, account.ErrInvalidSettings},
		{"null", 0, `null`, account.ErrInvalidSettings},
		{"string", 0, `"x"`, account.ErrInvalidSettings},
		{"empty", 0, ``, account.ErrInvalidSettings},
		{"truncated", 0, `{"a":`, account.ErrInvalidSettings},
		{"two values", 0, `{} {}`, account.ErrInvalidSettings},
		{"invalid UTF-8", 0, "{\"a\":\"\xff\"}", account.ErrInvalidSettings},
		{"too large", 0, huge, account.ErrSettingsTooLarge},
		{"negative version", -1, `{}`, account.ErrInvalidSettingsVersion},
		{"largest allowed", 0, fits, nil},
	} {
		_, err := e.svc.PutSettings(ctx, u, tc.version, []byte(tc.doc))
		if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	if got := account.Message(account.ErrSettingsTooLarge); got != "Your settings are too large to keep (at most 256 KiB)." {
		t.Errorf("Message(ErrSettingsTooLarge) = %q", got)
	}

	guest := e.quickUser(t, "Guest-0001", account.RolePlayer)
	guest.Guest = true
	if _, err := e.svc.Settings(ctx, guest); !errors.Is(err, account.ErrGuestSettings) || !errors.Is(err, account.ErrForbidden) {
		t.Errorf("a guest's Settings: got %v, want ErrGuestSettings, an ErrForbidden", err)
	}
	if _, err := e.svc.PutSettings(ctx, guest, 0, []byte(`{}`)); !errors.Is(err, account.ErrGuestSettings) {
		t.Errorf("a guest's PutSettings: got %v, want ErrGuestSettings", err)
	}
	if got := account.Message(account.ErrGuestSettings); !strings.Contains(got, "register") {
		t.Errorf("Message(ErrGuestSettings) = %q: want it to say what to do", got)
	}
}
