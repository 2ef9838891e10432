package demo

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/drawbridge/drawbridge/gateway/internal/telnet"
)

// roomInfo is GMCP Room.Info in the IRE and Mudlet mapper style: exits
// keyed by short direction, valued with the room number they lead to.
type roomInfo struct {
	Num   int            `json:"num"`
	Name  string         `json:"name"`
	Area  string         `json:"area"`
	Exits map[string]int `json:"exits"`
}

// gmcpOn reports whether the client agreed to GMCP (DO GMCP after our
// WILL GMCP). Without it the game sends no GMCP at all.
func (ss *session) gmcpOn() bool { return ss.neg.Enabled(telnet.Us, telnet.OptGMCP) }

// sendGMCP queues the GMCP message pkg with v as its JSON, if GMCP is on.
func (ss *session) sendGMCP(pkg string, v any) {
	if !ss.gmcpOn() {
		return
	}
	body, err := json.Marshal(v)
	if err != nil {
		// The game's own types always marshal: a failure is a bug here.
		ss.s.log.Error("demo: GMCP message", "package", pkg, "err", err)
		return
	}
	msg := append([]byte(pkg+" "), body...)
	ss.pend = telnet.AppendSubneg(ss.pend, telnet.OptGMCP, msg)
}

// sendVitals sends the character's Char.Vitals.
func (ss *session) sendVitals() {
	if ss.me == nil || !ss.gmcpOn() {
		return
	}
	ss.s.mu.Lock()
	v := ss.me.vit
	ss.s.mu.Unlock()
	ss.sendGMCP("Char.Vitals", v)
}

// sendRoom sends Room.Info for the room the character is in.
func (ss *session) sendRoom() {
	if ss.me == nil || !ss.gmcpOn() {
		return
	}
	ss.s.mu.Lock()
	r := ss.s.world.rooms[ss.me.room]
	ss.s.mu.Unlock()
	ri := roomInfo{Num: r.num, Name: r.title, Area: ss.s.world.area, Exits: make(map[string]int, len(r.exits))}
	for d, to := range r.exits {
		ri.Exits[d.short()] = ss.s.world.rooms[to].num
	}
	ss.sendGMCP("Room.Info", ri)
}

// gmcpIn handles a GMCP message from the client. The game needs nothing
// a client says (Core.Hello, Core.Supports.*: it sends its few packages
// to every client that agreed to GMCP), but answers Core.Ping as IRE
// games do, so clients can measure the round trip.
func (ss *session) gmcpIn(msg []byte) {
	pkg, _, _ := bytes.Cut(msg, []byte{' '})
	if ss.gmcpOn() && strings.EqualFold(string(pkg), "Core.Ping") {
		ss.pend = telnet.AppendSubneg(ss.pend, telnet.OptGMCP, []byte("Core.Ping"))
	}
}
