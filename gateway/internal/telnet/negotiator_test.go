package telnet

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestNegotiatorRFC1143 walks every transition of the RFC 1143 tables
// (section 7), for both sides, with the option allowed and refused.
func TestNegotiatorRFC1143(t *testing.T) {
	const (
		recvYes = "recv yes" // WILL for Him, DO for Us
		recvNo  = "recv no"  // WONT for Him, DONT for Us
		enable  = "enable"
		disable = "disable"
	)
	const (
		none = ""
		yes  = "yes" // DO for Him, WILL for Us
		no   = "no"  // DONT for Him, WONT for Us
	)
	tests := []struct {
		from    QState
		fromOpp bool
		event   string
		allow   bool // only matters for recv yes in NO
		to      QState
		toOpp   bool
		send    string
		change  Change
	}{
		{QNo, false, recvYes, true, QYes, false, yes, TurnedOn},
		{QNo, false, recvYes, false, QNo, false, no, Unchanged},
		{QYes, false, recvYes, false, QYes, false, none, Unchanged},
		{QWantNo, false, recvYes, false, QNo, false, none, Unchanged},
		{QWantNo, true, recvYes, false, QYes, false, none, TurnedOn},
		{QWantYes, false, recvYes, false, QYes, false, none, TurnedOn},
		{QWantYes, true, recvYes, false, QWantNo, false, no, Unchanged},

		{QNo, false, recvNo, true, QNo, false, none, Unchanged},
		{QYes, false, recvNo, true, QNo, false, no, TurnedOff},
		{QWantNo, false, recvNo, true, QNo, false, none, Unchanged},
		{QWantNo, true, recvNo, true, QWantYes, false, yes, Unchanged},
		{QWantYes, false, recvNo, true, QNo, false, none, Unchanged},
		{QWantYes, true, recvNo, true, QNo, false, none, Unchanged},

		{QNo, false, enable, false, QWantYes, false, yes, Unchanged},
		{QYes, false, enable, false, QYes, false, none, Unchanged},
		{QWantNo, false, enable, false, QWantNo, true, none, Unchanged},
		{QWantNo, true, enable, false, QWantNo, true, none, Unchanged},
		{QWantYes, false, enable, false, QWantYes, false, none, Unchanged},
		{QWantYes, true, enable, false, QWantYes, false, none, Unchanged},

		{QNo, false, disable, true, QNo, false, none, Unchanged},
		{QYes, false, disable, true, QWantNo, false, no, TurnedOff},
		{QWantNo, false, disable, true, QWantNo, false, none, Unchanged},
		{QWantNo, true, disable, true, QWantNo, false, none, Unchanged},
		{QWantYes, false, disable, true, QWantYes, true, none, Unchanged},
		{QWantYes, true, disable, true, QWantYes, true, none, Unchanged},
	}
	const opt = OptNAWS
	for _, side := range []Side{Us, Him} {
		yesVerbIn, noVerbIn := DO, DONT // what the peer sends about side
		if side == Him {
			yesVerbIn, noVerbIn = WILL, WONT
		}
		for _, tt := range tests {
			name := fmt.Sprintf("%v/%v,%v/%s/allow=%v", side, tt.from, tt.fromOpp, tt.event, tt.allow)
			t.Run(name, func(t *testing.T) {
				var n Negotiator
				o := n.at(opt)
				o.state[side] = tt.from
				o.opposite[side] = tt.fromOpp
				o.allow[side] = tt.allow
				var out []byte
				ch := Unchanged
				switch tt.event {
				case recvYes:
					out, ch = n.Receive(nil, yesVerbIn, opt)
				case recvNo:
					out, ch = n.Receive(nil, noVerbIn, opt)
				case enable:
					out = n.Enable(nil, side, opt)
				case disable:
					out, ch = n.Disable(nil, side, opt)
				}
				var want []byte
				switch tt.send {
				case yes:
					want = []byte{IAC, yesVerb(side), opt}
				case no:
					want = []byte{IAC, noVerb(side), opt}
				}
				if !bytes.Equal(out, want) {
					t.Errorf("got sent %v, want %v", out, want)
				}
				if q, opp := n.State(side, opt); q != tt.to || opp != tt.toOpp {
					t.Errorf("got state %v opposite=%v, want %v opposite=%v", q, opp, tt.to, tt.toOpp)
				}
				if ch != tt.change {
					t.Errorf("got change %v, want %v", ch, tt.change)
				}
				if got := n.Enabled(side, opt); got != (tt.to == QYes) {
					t.Errorf("got enabled %v, want %v", got, tt.to == QYes)
				}
				// The other side and other options stay untouched.
				if q, opp := n.State(1-side, opt); q != QNo || opp {
					t.Errorf("got other side %v opposite=%v, want NO", q, opp)
				}
				if q, _ := n.State(side, opt+1); q != QNo {
					t.Errorf("got other option %v, want NO", q)
				}
			})
		}
	}
}

func TestNegotiatorPolicy(t *testing.T) {
	var n Negotiator
	n.Allow(Us, OptNAWS, true)
	n.Allow(Him, OptEcho, true)
	tests := []struct {
		verb, opt byte
		want      []byte
	}{
		{DO, OptNAWS, []byte{IAC, WILL, OptNAWS}},
		{DO, OptNAWS, nil}, // already on: no answer
		{DO, OptLinemode, []byte{IAC, WONT, OptLinemode}},
		{DO, OptLinemode, []byte{IAC, WONT, OptLinemode}}, // still refused, never accepted
		{WILL, OptEcho, []byte{IAC, DO, OptEcho}},
		{WILL, OptMCCP2, []byte{IAC, DONT, OptMCCP2}},
		{WONT, OptMCCP2, nil},
		{DONT, OptNAWS, []byte{IAC, WONT, OptNAWS}},
		{DONT, OptNAWS, nil},
		{WONT, OptEcho, []byte{IAC, DONT, OptEcho}},
		{GA, OptEcho, nil}, // not a verb
	}
	for i, tt := range tests {
		got, _ := n.Receive(nil, tt.verb, tt.opt)
		if !bytes.Equal(got, tt.want) {
			t.Errorf("%d: %s %s: got %v, want %v", i, CmdName(tt.verb), OptName(tt.opt), got, tt.want)
		}
	}
	if !n.Allowed(Us, OptNAWS) || n.Allowed(Us, OptEcho) {
		t.Errorf("got Allowed wrong")
	}
}

// peer is one end of a simulated connection between two negotiators.
type peer struct {
	n     Negotiator
	inbox [][3]byte
}

// TestNegotiatorNoLoop wires two negotiators to each other through FIFO
// queues, makes random requests on both ends with random policies, and
// checks that the conversation always ends, within a bounded number of
// messages, with both ends agreeing on every option.
func TestNegotiatorNoLoop(t *testing.T) {
	const opts = 4
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 1143))
		var ends [2]peer
		for e := range ends {
			for o := range byte(opts) {
				ends[e].n.Allow(Us, o, rng.IntN(2) == 0)
				ends[e].n.Allow(Him, o, rng.IntN(2) == 0)
			}
		}
		send := func(to int, b []byte) {
			for len(b) >= 3 {
				ends[to].inbox = append(ends[to].inbox, [3]byte{b[0], b[1], b[2]})
				b = b[3:]
			}
		}
		deliver := func(e int) {
			m := ends[e].inbox[0]
			ends[e].inbox = ends[e].inbox[1:]
			out, _ := ends[e].n.Receive(nil, m[1], m[2])
			send(1-e, out)
		}
		messages, actions := 0, 0
		for step := 0; step < 200; step++ {
			e := rng.IntN(2)
			if len(ends[e].inbox) > 0 && rng.IntN(2) == 0 {
				deliver(e)
				messages++
				continue
			}
			actions++
			side, o := Side(rng.IntN(2)), byte(rng.IntN(opts))
			if rng.IntN(2) == 0 {
				send(1-e, ends[e].n.Enable(nil, side, o))
			} else {
				out, _ := ends[e].n.Disable(nil, side, o)
				send(1-e, out)
			}
		}
		for len(ends[0].inbox)+len(ends[1].inbox) > 0 {
			for e := range ends {
				if len(ends[e].inbox) > 0 {
					deliver(e)
					messages++
				}
			}
			if messages > 4*actions+4*200 {
				t.Fatalf("seed %d: negotiation loops: %d messages for %d requests", seed, messages, actions)
			}
		}
		for o := range byte(opts) {
			for e := range ends {
				us, usOpp := ends[e].n.State(Us, o)
				him, _ := ends[1-e].n.State(Him, o)
				if us != him || (us != QYes && us != QNo) || usOpp {
					t.Fatalf("seed %d option %d: end %d us=%v(opp %v) but end %d him=%v", seed, o, e, us, usOpp, 1-e, him)
				}
			}
		}
	}
}

// TestNegotiatorRefusalNoLoop is the classic loop: both ends refuse an
// option the other keeps offering. Each request is answered once.
func TestNegotiatorRefusalNoLoop(t *testing.T) {
	var a, b Negotiator
	msg := a.Enable(nil, Us, OptEcho) // a: WILL ECHO
	count := 0
	for from := 0; len(msg) > 0; from = 1 - from {
		if count++; count > 10 {
			t.Fatalf("got more than 10 messages, want negotiation to end")
		}
		to := &b
		if from == 1 {
			to = &a
		}
		msg, _ = to.Receive(nil, msg[1], msg[2])
	}
	if count != 2 {
		t.Errorf("got %d messages, want 2 (WILL, DONT)", count)
	}
	if a.Enabled(Us, OptEcho) || b.Enabled(Him, OptEcho) {
		t.Errorf("got option enabled, want refused")
	}
}
