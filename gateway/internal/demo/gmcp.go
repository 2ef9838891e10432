package demo

import (
	"bytes"
	"encoding/json"
	"strconv"
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

// sendVitals sends the character's vitals, once: over MSDP (HEALTH,
// HEALTH_MAX, MANA, MANA_MAX, those the client asked to be reported)
// when the client agreed to MSDP, else as GMCP Char.Vitals.
func (ss *session) sendVitals() {
	if ss.me == nil {
		return
	}
	ss.s.mu.Lock()
	v := ss.me.vit
	ss.s.mu.Unlock()
	switch {
	case ss.msdpOn():
		// All in one subnegotiation, as the specification allows: the
		// client redraws its bars once.
		var body []byte
		for _, kv := range [...]struct {
			name string
			val  int
		}{{"HEALTH", v.HP}, {"HEALTH_MAX", v.MaxHP}, {"MANA", v.MP}, {"MANA_MAX", v.MaxMP}} {
			if ss.reported[kv.name] {
				body = append(append(body, telnet.MSDPVar), kv.name...)
				body = strconv.AppendInt(append(body, telnet.MSDPVal), int64(kv.val), 10)
			}
		}
		if body != nil {
			ss.pend = telnet.AppendSubneg(ss.pend, telnet.OptMSDP, body)
		}
	case ss.gmcpOn():
		ss.sendGMCP("Char.Vitals", v)
	}
}

// msdpOn reports whether the client agreed to MSDP (DO MSDP after our
// WILL MSDP).
func (ss *session) msdpOn() bool { return ss.neg.Enabled(telnet.Us, telnet.OptMSDP) }

// msdpIn handles an MSDP command from the client: REPORT and SEND of the
// variables the game has (the vitals), answered with their values; the
// others (LIST, UNREPORT, RESET) are not needed by a client of this game
// and are ignored, as is what the game does not have.
func (ss *session) msdpIn(data []byte) {
	js, err := telnet.MSDPToJSON(data)
	if err != nil || !ss.msdpOn() {
		return
	}
	var cmd map[string]any
	if json.Unmarshal(js, &cmd) != nil {
		return
	}
	for _, c := range []string{"REPORT", "SEND"} {
		var names []string
		switch v := cmd[c].(type) {
		case string:
			names = []string{v}
		case []any:
			for _, n := range v {
				if s, ok := n.(string); ok {
					names = append(names, s)
				}
			}
		}
		for _, n := range names {
			switch n {
			case "HEALTH", "HEALTH_MAX", "MANA", "MANA_MAX":
				if ss.reported == nil {
					ss.reported = map[string]bool{}
				}
				ss.reported[n] = true
			}
		}
	}
	ss.sendVitals()
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
