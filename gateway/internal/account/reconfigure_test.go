package account_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
)

// A reload changes the account policy for the next request: registration
// closes, a longer password is required, and the store, clock and hooks
// New was given stay.
func TestReconfigure(t *testing.T) {
	e := newEnv(t)
	e.register(t, "Alice")
	if !e.svc.RegistrationOpen() || !e.svc.GuestsAllowed() {
		t.Fatal("registration and guests should start open")
	}
	cfg := account.Config{
		Registration: account.RegistrationClosed,
		Hash:         account.DefaultHashParams(), // left as New set it
	}
	cfg.Policy.MinLength = 40
	if err := e.svc.Reconfigure(cfg); err != nil {
		t.Fatal(err)
	}
	if e.svc.RegistrationOpen() || e.svc.GuestsAllowed() {
		t.Fatal("after Reconfigure: registration or guests still open")
	}
	if _, err := e.svc.Register(context.Background(), account.RegisterRequest{Client: client("192.0.2.10:5555"), Name: "Bob", Password: goodPassword}); !errors.Is(err, account.ErrRegistrationClosed) {
		t.Fatalf("Register after closing: %v, want ErrRegistrationClosed", err)
	}
	if p := e.svc.CheckPassword(goodPassword, "carol"); len(p) == 0 {
		t.Fatal("a 28-character password passed a 40-character minimum")
	}
	// The store and clock are New's: Alice can still log in, and
	// the audit trail still goes where it went.
	if _, err := e.login("Alice", goodPassword, "192.0.2.10:5555"); err != nil {
		t.Fatalf("login after Reconfigure: %v", err)
	}
	if !strings.Contains(e.audit.String(), "Alice") {
		t.Fatal("the audit logger was lost")
	}

	bad := account.Config{Registration: "sometimes"}
	if err := e.svc.Reconfigure(bad); err == nil || !strings.Contains(err.Error(), "registration") {
		t.Fatalf("Reconfigure(bad): %v, want an error naming registration", err)
	}
	if e.svc.RegistrationOpen() {
		t.Fatal("a refused Reconfigure changed the configuration")
	}
}
