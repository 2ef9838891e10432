package telnet

// Side names the end of the connection an option runs on, in the words of
// RFC 1143: Us is this end (the peer asks with DO, we answer WILL), Him is
// the peer (the peer offers WILL, we answer DO).
type Side uint8

const (
	// Us is the local side: DO/DONT received, WILL/WONT sent.
	Us Side = iota
	// Him is the remote side: WILL/WONT received, DO/DONT sent.
	Him
)

// String returns "us" or "him".
func (s Side) String() string {
	if s == Us {
		return "us"
	}
	return "him"
}

// QState is the RFC 1143 state of one option on one side.
type QState uint8

const (
	// QNo: the option is disabled.
	QNo QState = iota
	// QYes: the option is enabled.
	QYes
	// QWantNo: we asked to disable it and wait for the answer.
	QWantNo
	// QWantYes: we asked to enable it and wait for the answer.
	QWantYes
)

// String returns the RFC 1143 name of the state.
func (q QState) String() string {
	switch q {
	case QNo:
		return "NO"
	case QYes:
		return "YES"
	case QWantNo:
		return "WANTNO"
	case QWantYes:
		return "WANTYES"
	}
	return "INVALID"
}

// Change says how a negotiation step moved an option, seen from the
// outside: an option counts as enabled only in state QYes.
type Change int8

const (
	// Unchanged: the option is as enabled or disabled as before.
	Unchanged Change = iota
	// TurnedOn: the option just became enabled.
	TurnedOn
	// TurnedOff: the option just stopped being enabled.
	TurnedOff
)

// String returns "unchanged", "on" or "off".
func (c Change) String() string {
	switch c {
	case TurnedOn:
		return "on"
	case TurnedOff:
		return "off"
	}
	return "unchanged"
}

type qOption struct {
	state    [2]QState // indexed by Side
	opposite [2]bool   // RFC 1143 queue bit: false EMPTY, true OPPOSITE
	allow    [2]bool   // agree when the peer asks to enable
}

// Negotiator tracks every telnet option on both sides with the RFC 1143
// "Q method", so that negotiation never loops: it answers only when an
// option's state changes, refuses what it does not allow (DO x for an
// option we do not support gets WONT x; WILL x we do not want gets DONT x),
// and queues a request made while an earlier one is still unanswered.
//
// Methods append the bytes to send to the peer to dst and return the
// extended slice, so a caller can batch replies without allocating. The
// zero value refuses every option. A Negotiator is not safe for
// concurrent use.
type Negotiator struct {
	// opts holds the options that were ever allowed or negotiated, few
	// in practice; every other option is QNo on both sides and refused.
	// A slice rather than a [256] array: 1.5 KiB less per player.
	opts []qEntry
}

type qEntry struct {
	opt byte
	qOption
}

// get returns opt's entry, or nil when opt was never touched.
func (n *Negotiator) get(opt byte) *qOption {
	for i := range n.opts {
		if n.opts[i].opt == opt {
			return &n.opts[i].qOption
		}
	}
	return nil
}

// at returns opt's entry, adding it if need be. The pointer is good until
// the next at.
func (n *Negotiator) at(opt byte) *qOption {
	if o := n.get(opt); o != nil {
		return o
	}
	n.opts = append(n.opts, qEntry{opt: opt})
	return &n.opts[len(n.opts)-1].qOption
}

// peek returns a copy of opt's state; the zero qOption when untouched.
func (n *Negotiator) peek(opt byte) qOption {
	if o := n.get(opt); o != nil {
		return *o
	}
	return qOption{}
}

// Allow sets whether we agree when the peer asks to enable opt on side:
// for Us, whether DO opt is answered WILL (else WONT); for Him, whether
// WILL opt is answered DO (else DONT). It sends nothing and does not
// change an option already enabled.
func (n *Negotiator) Allow(side Side, opt byte, ok bool) {
	n.at(opt).allow[side&1] = ok
}

// Allowed reports the policy set by Allow, Enable and Disable.
func (n *Negotiator) Allowed(side Side, opt byte) bool {
	return n.peek(opt).allow[side&1]
}

// State returns the RFC 1143 state of opt on side and whether the
// opposite request is queued.
func (n *Negotiator) State(side Side, opt byte) (q QState, opposite bool) {
	o := n.peek(opt)
	return o.state[side&1], o.opposite[side&1]
}

// Enabled reports whether opt is enabled (state QYes) on side.
func (n *Negotiator) Enabled(side Side, opt byte) bool {
	return n.peek(opt).state[side&1] == QYes
}

// yesVerb is what we send to ask for, or agree to, opt on side.
func yesVerb(side Side) byte {
	if side == Us {
		return WILL
	}
	return DO
}

// noVerb is what we send to refuse, or disable, opt on side.
func noVerb(side Side) byte {
	if side == Us {
		return WONT
	}
	return DONT
}

// Receive handles IAC verb opt from the peer (verb one of WILL, WONT, DO,
// DONT; anything else is ignored), appends the answer if one is due, and
// reports how the option changed. WILL/WONT concern Him, DO/DONT Us.
func (n *Negotiator) Receive(dst []byte, verb, opt byte) ([]byte, Change) {
	switch verb {
	case WILL:
		return n.recvYes(dst, Him, opt)
	case WONT:
		return n.recvNo(dst, Him, opt)
	case DO:
		return n.recvYes(dst, Us, opt)
	case DONT:
		return n.recvNo(dst, Us, opt)
	}
	return dst, Unchanged
}

// recvYes follows RFC 1143 for WILL (side Him) or DO (side Us).
func (n *Negotiator) recvYes(dst []byte, side Side, opt byte) ([]byte, Change) {
	o := n.get(opt)
	if o == nil {
		// Never allowed nor asked for: refused, and nothing to keep.
		return append(dst, IAC, noVerb(side), opt), Unchanged
	}
	switch o.state[side] {
	case QNo:
		if o.allow[side] {
			o.state[side] = QYes
			return append(dst, IAC, yesVerb(side), opt), TurnedOn
		}
		return append(dst, IAC, noVerb(side), opt), Unchanged
	case QWantNo:
		// Our disable request was answered with a yes: a peer error.
		if o.opposite[side] {
			o.state[side] = QYes
			o.opposite[side] = false
			return dst, TurnedOn
		}
		o.state[side] = QNo
	case QWantYes:
		if o.opposite[side] {
			o.state[side] = QWantNo
			o.opposite[side] = false
			return append(dst, IAC, noVerb(side), opt), Unchanged
		}
		o.state[side] = QYes
		return dst, TurnedOn
	}
	// QYes: already enabled, no answer (this is what stops loops).
	return dst, Unchanged
}

// recvNo follows RFC 1143 for WONT (side Him) or DONT (side Us).
func (n *Negotiator) recvNo(dst []byte, side Side, opt byte) ([]byte, Change) {
	o := n.get(opt)
	if o == nil {
		return dst, Unchanged // already off
	}
	switch o.state[side] {
	case QYes:
		o.state[side] = QNo
		return append(dst, IAC, noVerb(side), opt), TurnedOff
	case QWantNo:
		if o.opposite[side] {
			o.state[side] = QWantYes
			o.opposite[side] = false
			return append(dst, IAC, yesVerb(side), opt), Unchanged
		}
		o.state[side] = QNo
	case QWantYes:
		o.state[side] = QNo
		o.opposite[side] = false
	}
	// QNo: already disabled, no answer.
	return dst, Unchanged
}

// Enable asks for opt on side (WILL for Us, DO for Him) and allows it from
// now on. Asking again while a request is pending, or for an option
// already enabled, sends nothing; asking while a disable is pending queues
// the request. Enable never turns an option on by itself: that happens
// when the peer agrees, in Receive.
func (n *Negotiator) Enable(dst []byte, side Side, opt byte) []byte {
	side &= 1
	o := n.at(opt)
	o.allow[side] = true
	switch o.state[side] {
	case QNo:
		o.state[side] = QWantYes
		return append(dst, IAC, yesVerb(side), opt)
	case QWantNo:
		o.opposite[side] = true
	case QWantYes:
		o.opposite[side] = false
	}
	return dst
}

// Disable asks the peer to stop opt on side (WONT for Us, DONT for Him)
// and refuses it from now on. An enabled option counts as disabled from
// this call on, which the returned Change reports.
func (n *Negotiator) Disable(dst []byte, side Side, opt byte) ([]byte, Change) {
	side &= 1
	o := n.at(opt)
	o.allow[side] = false
	switch o.state[side] {
	case QYes:
		o.state[side] = QWantNo
		return append(dst, IAC, noVerb(side), opt), TurnedOff
	case QWantNo:
		o.opposite[side] = false
	case QWantYes:
		o.opposite[side] = true
	}
	return dst, Unchanged
}
