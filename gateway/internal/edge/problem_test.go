package edge

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/e2e/pebble"
)

// rateLimitedCA is an ACME server (RFC 8555) that registers accounts and
// refuses every new order with a rate limit and a Retry-After, as Let's
// Encrypt does once a limit is hit.
func rateLimitedCA(t *testing.T, retryAfter string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var orders atomic.Int64
	var srv *httptest.Server
	mux := http.NewServeMux()
	nonce := func(w http.ResponseWriter) {
		w.Header().Set("Replay-Nonce", fmt.Sprintf("n%d", time.Now().UnixNano()))
		w.Header().Set("Cache-Control", "no-store")
	}
	mux.HandleFunc("GET /directory", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{
			"newNonce": srv.URL + "/nonce", "newAccount": srv.URL + "/account",
			"newOrder": srv.URL + "/order", "revokeCert": srv.URL + "/revoke", "keyChange": srv.URL + "/key",
		})
	})
	mux.HandleFunc("HEAD /nonce", func(w http.ResponseWriter, r *http.Request) { nonce(w) })
	mux.HandleFunc("POST /account", func(w http.ResponseWriter, r *http.Request) {
		nonce(w)
		w.Header().Set("Location", srv.URL+"/account/1")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"status":"valid"}`)
	})
	mux.HandleFunc("POST /order", func(w http.ResponseWriter, r *http.Request) {
		orders.Add(1)
		nonce(w)
		w.Header().Set("Content-Type", "application/problem+json")
		w.Header().Set("Retry-After", retryAfter)
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"type":"urn:ietf:params:acme:error:rateLimited","detail":"too many failed authorizations recently: see https://letsencrypt.org/docs/rate-limits/"}`)
	})
	srv = httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	return srv, &orders
}

// TestACMERateLimitRetryAfter: a CA's rate limit ends the attempt at
// once (no retry inside the request), its problem document is kept, and
// the next attempt waits for its Retry-After, not the shorter backoff.
func TestACMERateLimitRetryAfter(t *testing.T) {
	srv, orders := rateLimitedCA(t, "3600")
	logs := &logBuffer{}
	e := acmeEdge(t, srv.URL+"/directory", srv.Client().Transport, func(c *Config) {
		c.Domains = []string{"game.test"}
		c.RetryMin, c.RetryMax = time.Second, time.Minute
		c.Logger = logs.logger()
	})
	runEdge(t, e)
	eventually(t, 30*time.Second, "the attempt to fail", func() bool { return e.Status()[0].LastError != "" })
	st := e.Status()[0]
	if st.Problem == nil || st.Problem.Type != "rateLimited" || !strings.Contains(st.Problem.Detail, "too many failed authorizations") {
		t.Fatalf("Problem = %+v (LastError %q), want the CA's rateLimited problem", st.Problem, st.LastError)
	}
	if wait := time.Until(st.Problem.RetryAfter); wait < 59*time.Minute || wait > time.Hour {
		t.Errorf("Problem.RetryAfter in %v, want in an hour", wait)
	}
	if wait := time.Until(st.NextAttempt); wait < 59*time.Minute {
		t.Errorf("next attempt in %v, want the CA's Retry-After (an hour), not the backoff", wait)
	}
	if n := orders.Load(); n != 1 {
		t.Errorf("new-order requests = %d, want 1 (a rate limit is not retried inside the request)", n)
	}
	// The failure is logged just after the status shows it.
	eventually(t, 30*time.Second, "the failure logged", func() bool { return logLine(logs.String(), "will retry") != "" })
	line := logLine(logs.String(), "will retry")
	for _, want := range []string{"level=ERROR", "problem_type=rateLimited", "retry_after=", "domain=game.test"} {
		if !strings.Contains(line, want) {
			t.Errorf("log line %q lacks %q", line, want)
		}
	}
	if ok, why := e.Ready(); ok || !strings.Contains(why, "certificate for game.test: acme rateLimited: too many failed authorizations") {
		t.Errorf("Ready = %v, %q", ok, why)
	}
	if got := e.ACMEFailures(); got["rateLimited"] != 1 {
		t.Errorf("ACMEFailures = %v, want rateLimited: 1", got)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"120", now.Add(2 * time.Minute)},
		{"Fri, 02 Jan 2026 05:00:00 GMT", time.Date(2026, 1, 2, 5, 0, 0, 0, time.UTC)},
		{"", time.Time{}},
		{"soon", time.Time{}},
		{"-5", time.Time{}},
	} {
		if got := parseRetryAfter(tc.in, now); !got.Equal(tc.want) {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestNextChallenge(t *testing.T) {
	both := []string{ChallengeTLSALPN01, ChallengeHTTP01}
	for _, tc := range []struct {
		types  []string
		prev   string
		failed bool
		want   string
	}{
		{both, ChallengeTLSALPN01, true, ChallengeHTTP01},
		{both, ChallengeHTTP01, true, ChallengeTLSALPN01},
		{both, ChallengeHTTP01, false, ChallengeHTTP01},
		{both, "", false, ChallengeTLSALPN01},
		{[]string{ChallengeHTTP01}, ChallengeHTTP01, true, ChallengeHTTP01},
	} {
		if got := nextChallenge(tc.types, tc.prev, tc.failed); got != tc.want {
			t.Errorf("nextChallenge(%v, %q, %v) = %q, want %q", tc.types, tc.prev, tc.failed, got, tc.want)
		}
	}
}

// TestClusterSharesFailedValidationBudget: nodes sharing a cache and
// lock (and so the CA account) share each name's failed validations:
// together they spend four in the hour, not four each.
func TestClusterSharesFailedValidationBudget(t *testing.T) {
	peb := pebble.Start(t, pebble.Options{}) // every validation fails
	cache, lock := newMemCache(), newMemLock()
	quick := func(c *Config) { c.RetryMin, c.RetryMax = 100*time.Millisecond, 200*time.Millisecond }
	a, alog := clusterNode(t, peb, cache, lock, quick)
	b, blog := clusterNode(t, peb, cache, lock, quick)
	runEdge(t, a)
	runEdge(t, b)
	held := func(e *Edge) bool { return time.Until(e.Status()[0].NextAttempt) > 50*time.Minute }
	eventually(t, issueTimeout, "both nodes to hold back", func() bool { return held(a) && held(b) })
	if v := peb.Validations(); v != failedValidationBudget {
		t.Errorf("validations = %d, want %d for both nodes together\nnode a:\n%s\nnode b:\n%s", v, failedValidationBudget, alog, blog)
	}
	if logLine(alog.String()+blog.String(), "held back until") == "" {
		t.Errorf("no node said it held back:\nnode a:\n%s\nnode b:\n%s", alog, blog)
	}
}

// A CA that does not offer the attempt's challenge type (not every CA
// has TLS-ALPN-01): the authorization keeps the first type the edge can
// answer that it does offer, and the attempt goes on with that type,
// instead of autocert finding nothing to try, attempt after attempt.
func TestChallengeTypeNotOffered(t *testing.T) {
	tr := &challengeTransport{gate: &challengeGate{}, types: []string{ChallengeTLSALPN01, ChallengeHTTP01}}
	tr.gate.begin(ChallengeTLSALPN01)
	authz := []byte(`{"status":"pending","identifier":{"type":"dns","value":"play.example.org"},` +
		`"challenges":[{"type":"dns-01","url":"https://ca/c/1","token":"a"},{"type":"http-01","url":"https://ca/c/2","token":"b"}]}`)
	out, ok := tr.authorization("https://ca/authz/1", authz)
	if !ok {
		t.Fatal("not seen as an authorization")
	}
	var got struct {
		Challenges []struct{ Type string } `json:"challenges"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Challenges) != 1 || got.Challenges[0].Type != ChallengeHTTP01 {
		t.Fatalf("challenges passed to autocert: %+v, want only http-01", got.Challenges)
	}
	if c := tr.gate.current(); c != ChallengeHTTP01 {
		t.Fatalf("the attempt's challenge type is %q, want http-01", c)
	}
	// Offered: only that type is kept, as before.
	tr.gate.begin(ChallengeTLSALPN01)
	authz = []byte(`{"status":"pending","identifier":{"type":"dns","value":"play.example.org"},` +
		`"challenges":[{"type":"tls-alpn-01","url":"https://ca/c/3","token":"c"},{"type":"http-01","url":"https://ca/c/4","token":"d"}]}`)
	out, _ = tr.authorization("https://ca/authz/2", authz)
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Challenges) != 1 || got.Challenges[0].Type != ChallengeTLSALPN01 || tr.gate.current() != ChallengeTLSALPN01 {
		t.Fatalf("challenges %+v, type %q; want only tls-alpn-01", got.Challenges, tr.gate.current())
	}
}
