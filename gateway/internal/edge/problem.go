package edge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/acme"
)

// ACME challenge types a gateway can answer (RFC 8555 section 8.3 and
// RFC 8737).
const (
	// ChallengeTLSALPN01 is answered on the HTTPS listener, which the CA
	// reaches on port 443.
	ChallengeTLSALPN01 = "tls-alpn-01"
	// ChallengeHTTP01 is answered by HTTPHandler, which the CA reaches on
	// port 80.
	ChallengeHTTP01 = "http-01"
)

// Limits that keep a misconfigured gateway within Let's Encrypt's
// published rate limits (https://letsencrypt.org/docs/rate-limits/):
// "Authorization Failures per Identifier per Account": 5 an hour, one
// back every 12 minutes. Every attempt spends at most one failed
// validation (one challenge type per attempt), and a name never spends
// more than failedValidationBudget of them in failedValidationWindow, so
// the operator still has one left to try a fix by hand.
const (
	failedValidationWindow = time.Hour
	failedValidationBudget = 4
)

// Problem is an ACME server's problem document (RFC 8555 section 6.7,
// RFC 7807) for a failed order, as the CA sent it: what went wrong with
// which name, and when the CA allows the next try.
type Problem struct {
	// Type is the problem type without the "urn:ietf:params:acme:error:"
	// prefix: "dns", "connection", "unauthorized", "tls",
	// "rateLimited", "caa", ... The full URN if it has another prefix;
	// empty when the failure was not the CA's (a network error on the
	// way to the CA, say).
	Type string
	// Detail is the CA's human-readable explanation.
	Detail string
	// Subproblems are the subproblems' types and details, one string each
	// (RFC 8555 section 6.7.1).
	Subproblems []string
	// Challenge is the challenge type whose validation failed, when the
	// problem came from a validation.
	Challenge string
	// RetryAfter is when the CA allows the next try (its Retry-After,
	// sent with rate limits); zero when it said nothing.
	RetryAfter time.Time
}

// String is the problem as one line: "acme dns: DETAIL (challenge
// tls-alpn-01)".
func (p *Problem) String() string {
	var b strings.Builder
	b.WriteString("acme")
	if p.Type != "" {
		b.WriteString(" " + p.Type)
	}
	b.WriteString(": " + p.Detail)
	for _, s := range p.Subproblems {
		b.WriteString("; " + s)
	}
	if p.Challenge != "" {
		b.WriteString(" (challenge " + p.Challenge + ")")
	}
	if !p.RetryAfter.IsZero() {
		b.WriteString("; the CA allows a retry after " + p.RetryAfter.UTC().Format(time.RFC3339))
	}
	return b.String()
}

// problemType shortens an ACME problem type URN.
func problemType(urn string) string {
	for _, prefix := range []string{"urn:ietf:params:acme:error:", "urn:acme:error:"} {
		if s, ok := strings.CutPrefix(urn, prefix); ok {
			return s
		}
	}
	return urn
}

// problemOf returns the problem document carried by err (an error the
// CA answered with, an order it refused, an authorization that
// failed), or nil.
func problemOf(err error, now time.Time) *Problem {
	var ae *acme.Error
	if errors.As(err, &ae) {
		return problemFromError(ae, now)
	}
	var oe *acme.OrderError
	if errors.As(err, &oe) && oe.Problem != nil {
		return problemFromError(oe.Problem, now)
	}
	var ze *acme.AuthorizationError
	if errors.As(err, &ze) {
		for _, e := range ze.Errors {
			if p := problemOf(e, now); p != nil {
				return p
			}
		}
	}
	return nil
}

func problemFromError(e *acme.Error, now time.Time) *Problem {
	p := &Problem{Type: problemType(e.ProblemType), Detail: e.Detail}
	for _, sp := range e.Subproblems {
		s := problemType(sp.Type) + ": " + sp.Detail
		if sp.Identifier != nil {
			s = sp.Identifier.Value + ": " + s
		}
		p.Subproblems = append(p.Subproblems, s)
	}
	if e.Header != nil {
		p.RetryAfter = parseRetryAfter(e.Header.Get("Retry-After"), now)
	}
	return p
}

// parseRetryAfter reads a Retry-After header (RFC 9110 section 10.2.3:
// seconds or an HTTP date) as a time; zero if absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return now.Add(time.Duration(secs) * time.Second)
	}
	if t, err := http.ParseTime(v); err == nil {
		return t
	}
	return time.Time{}
}

// wireProblem is a problem document as JSON (RFC 8555 section 6.7).
type wireProblem struct {
	Type        string `json:"type"`
	Detail      string `json:"detail"`
	Subproblems []struct {
		Type       string `json:"type"`
		Detail     string `json:"detail"`
		Identifier *struct {
			Value string `json:"value"`
		} `json:"identifier"`
	} `json:"subproblems"`
}

func (w *wireProblem) problem(challenge string) *Problem {
	p := &Problem{Type: problemType(w.Type), Detail: w.Detail, Challenge: challenge}
	for _, sp := range w.Subproblems {
		s := problemType(sp.Type) + ": " + sp.Detail
		if sp.Identifier != nil {
			s = sp.Identifier.Value + ": " + s
		}
		p.Subproblems = append(p.Subproblems, s)
	}
	return p
}

// errValidationFailed refuses the new order autocert places after a
// failed validation: it would try the next challenge type in the same
// attempt, spending a second failed validation.
var errValidationFailed = errors.New("edge: a validation failed in this attempt; the next challenge type waits for the next attempt")

// challengeGate is the state a domain's challenge transports share:
// which challenge type the current attempt uses, and what the CA said
// when a validation failed.
type challengeGate struct {
	mu          sync.Mutex
	challenge   string          // the type offered to autocert
	failed      *Problem        // the last failed validation's problem; nil when none
	refuseOrder bool            // a validation just failed: refuse the next new order
	invalid     map[string]bool // URLs of authorizations seen invalid
}

func (g *challengeGate) current() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.challenge
}

// begin starts an attempt with challenge type typ.
func (g *challengeGate) begin(typ string) {
	g.mu.Lock()
	g.challenge, g.failed, g.refuseOrder = typ, nil, false
	g.mu.Unlock()
}

// validationFailure returns the problem of the validation that failed
// in this attempt, or nil.
func (g *challengeGate) validationFailure() *Problem {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.failed
}

// challengeTransport sits between autocert and the CA. autocert offers
// every challenge type it can in one go: it tries TLS-ALPN-01 and, when
// that validation fails, places a new order and tries HTTP-01, spending
// two of the five failed validations Let's Encrypt allows a name an
// hour, and then reports only "no viable challenge type found", dropping
// what the CA said. This transport narrows every authorization the CA
// sends to the one challenge type of the current attempt, records the
// problem document of a challenge that failed, and refuses the new order
// autocert places right after a failed validation, so an attempt spends
// at most one failed validation and its error is the CA's.
type challengeTransport struct {
	gate     *challengeGate
	types    []string // the types the edge can answer, in order of preference
	dirURL   string
	base     http.RoundTripper
	mu       sync.Mutex
	newOrder string // learnt from the directory
}

// maxACMEBody bounds what the transport reads of a CA's JSON response.
const maxACMEBody = 1 << 20

func (t *challengeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.mu.Lock()
	newOrder := t.newOrder
	t.mu.Unlock()
	if r.Method == http.MethodPost && newOrder != "" && r.URL.String() == newOrder {
		t.gate.mu.Lock()
		refuse := t.gate.refuseOrder
		t.gate.refuseOrder = false
		t.gate.mu.Unlock()
		if refuse {
			if r.Body != nil {
				r.Body.Close()
			}
			return nil, errValidationFailed
		}
	}
	res, err := t.base.RoundTrip(r)
	if err != nil || res.StatusCode/100 != 2 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		return res, err
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxACMEBody))
	res.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read ACME response from %s: %w", r.URL, err)
	}
	if r.Method == http.MethodGet && r.URL.String() == t.dirURL {
		var dir struct {
			NewOrder string `json:"newOrder"`
		}
		if json.Unmarshal(body, &dir) == nil && dir.NewOrder != "" {
			t.mu.Lock()
			t.newOrder = dir.NewOrder
			t.mu.Unlock()
		}
	} else if out, ok := t.authorization(r.URL.String(), body); ok {
		body = out
		res.ContentLength = int64(len(body))
		res.Header.Del("Content-Length")
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	return res, nil
}

// authorization looks at a JSON response: if it is an authorization
// object (RFC 8555 section 7.1.4), it records a failed challenge's
// problem and returns the object with only the current challenge type.
func (t *challengeTransport) authorization(url string, body []byte) ([]byte, bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil || obj["identifier"] == nil || obj["challenges"] == nil {
		return nil, false
	}
	var status string
	json.Unmarshal(obj["status"], &status)
	var chals []json.RawMessage
	if json.Unmarshal(obj["challenges"], &chals) != nil {
		return nil, false
	}
	typ := t.gate.current()
	var kept []json.RawMessage
	var failed *Problem
	for _, raw := range chals {
		var c struct {
			Type   string       `json:"type"`
			Status string       `json:"status"`
			Error  *wireProblem `json:"error"`
		}
		if json.Unmarshal(raw, &c) != nil {
			continue
		}
		if c.Error != nil && (failed == nil || c.Type == typ) {
			failed = c.Error.problem(c.Type)
		}
		if typ == "" || c.Type == typ {
			kept = append(kept, raw)
		}
	}
	if kept == nil && typ != "" && status == string(acme.StatusPending) {
		// The CA does not offer the type this attempt was to use (not
		// every CA has TLS-ALPN-01): keep the first type it offers that
		// the edge can answer, and make it this attempt's, rather than
		// leave autocert nothing to try, attempt after attempt. Only for
		// an authorization still to be solved: one already invalid (an
		// earlier attempt's, seen again when autocert cleans up) lists
		// just the challenge that failed.
		for _, want := range t.types {
			for _, raw := range chals {
				var c struct {
					Type string `json:"type"`
				}
				if json.Unmarshal(raw, &c) == nil && c.Type == want && want != typ {
					kept = append(kept, raw)
				}
			}
			if kept != nil {
				t.gate.mu.Lock()
				if t.gate.challenge == typ {
					t.gate.challenge = want
				}
				t.gate.mu.Unlock()
				break
			}
		}
	}
	if status == string(acme.StatusInvalid) {
		if failed == nil {
			failed = &Problem{Detail: "the CA marked the authorization invalid without saying why", Challenge: typ}
		}
		t.gate.mu.Lock()
		if !t.gate.invalid[url] { // autocert looks at authorizations again when it cleans up
			if t.gate.invalid == nil {
				t.gate.invalid = map[string]bool{}
			}
			t.gate.invalid[url] = true
			t.gate.refuseOrder = true
			t.gate.failed = failed
		}
		t.gate.mu.Unlock()
	}
	if kept == nil {
		kept = []json.RawMessage{}
	}
	enc, err := json.Marshal(kept)
	if err != nil {
		return nil, false
	}
	obj["challenges"] = enc
	out, err := json.Marshal(obj)
	if err != nil {
		return nil, false
	}
	return out, true
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// base transport.
func (t *challengeTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// nextChallenge is the challenge type of the attempt after one with
// type prev: the same after a success or a failure that was not a
// validation's, the next offered type after a failed validation.
func nextChallenge(types []string, prev string, validationFailed bool) string {
	i := slices.Index(types, prev)
	if i < 0 {
		return types[0]
	}
	if validationFailed {
		return types[(i+1)%len(types)]
	}
	return prev
}
