package account_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/drawbridge/drawbridge/gateway/internal/account/accounttest"
)

// statusFor is how a web handler maps the Service's errors to HTTP
// statuses (the package doc has the table); Retry-After comes from
// *LimitError.
func statusFor(err error) int {
	var le *account.LimitError
	switch {
	case err == nil:
		return 200
	case errors.As(err, &le):
		return 429
	case errors.Is(err, account.ErrBusy):
		return 503
	case errors.Is(err, account.ErrInvalidCredentials), errors.Is(err, account.ErrUnauthenticated):
		return 401
	case errors.Is(err, account.ErrInvalidName), errors.Is(err, account.ErrWeakPassword):
		return 400
	case errors.Is(err, account.ErrNameTaken), errors.Is(err, account.ErrLastSuperuser), errors.Is(err, account.ErrSetupDone):
		return 409
	case errors.Is(err, account.ErrNotFound):
		return 404
	case errors.Is(err, account.ErrDisabled), errors.Is(err, account.ErrForbidden), errors.Is(err, account.ErrRegistrationClosed),
		errors.Is(err, account.ErrGuestsDisabled), errors.Is(err, account.ErrInvalidSetupToken):
		return 403
	}
	return 500
}

// The web layer's view of the Service: register, put the token in a
// cookie, authenticate the cookie on /ws, and close bridges on OnRevoke.
func Example() {
	ctx := context.Background()
	svc, err := account.New(account.Config{
		Store: accounttest.NewMemStore(), // store/sqlite in the gateway
		Hash:  account.MinHashParams(),
		OnRevoke: func(rv account.Revocation) {
			// The gateway hands this to its bridge hub, which closes the
			// bridges of rv.SessionIDs without blocking here.
			fmt.Printf("close %d bridge session(s): %s\n", len(rv.SessionIDs), rv.Reason.Message())
		},
	})
	if err != nil {
		panic(err)
	}
	client := account.Client{Addr: "203.0.113.7:51234", UserAgent: "Mozilla/5.0"}

	_, err = svc.Register(ctx, account.RegisterRequest{Client: client, Name: "Al", Password: "hunter2"})
	fmt.Println(statusFor(err), account.Message(err))

	g, err := svc.Register(ctx, account.RegisterRequest{Client: client, Name: "Alice", Password: "correct horse battery staple"})
	fmt.Println(statusFor(err), g.User.Name, g.User.Role)

	// On /ws: the cookie's token.
	u, sess, err := svc.Authenticate(ctx, g.Token)
	fmt.Println(statusFor(err), u.Name, sess.ID == g.Session.ID)

	_, err = svc.Login(ctx, account.LoginRequest{Client: client, Name: "alice", Password: "wrong guess at it"})
	fmt.Println(statusFor(err), account.Message(err))

	err = svc.Logout(ctx, g.Token, client.Addr)
	_, _, aerr := svc.Authenticate(ctx, g.Token)
	fmt.Println(statusFor(err), statusFor(aerr))
	// Output:
	// 400 Use at least 12 characters; a few unrelated words make a good password. This password is on a list of common or leaked passwords; choose something less predictable.
	// 200 Alice player
	// 200 Alice true
	// 401 Invalid username or password.
	// close 1 bridge session(s): You logged out.
	// 200 401
}
