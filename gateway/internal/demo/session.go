package demo

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/drawbridge/drawbridge/gateway/internal/telnet"
)

// outbox is where a session's output goes: the connection's queue, or a
// buffer in tests.
type outbox interface {
	// send queues msg without blocking and reports false once the
	// connection is closing. msg is not modified afterwards.
	send(msg []byte) bool
	// close ends the connection after what is queued and goodbye.
	close(goodbye []byte)
}

// account is a character: a name and a salted password hash, in memory.
type account struct {
	name string
	salt [16]byte
	hash [sha256.Size]byte
}

// hashPassword hashes pw with salt. A demo game keeps characters only in
// memory, so a fast salted hash is enough here; real accounts (package
// account) use Argon2id.
func hashPassword(salt [16]byte, pw string) [sha256.Size]byte {
	return sha256.Sum256(append(salt[:], pw...))
}

// player is a logged-in character. Fields after out are guarded by
// Server.mu.
type player struct {
	name string // as shown: "Alice"
	key  string // lower case: "alice"
	out  outbox

	room   string // id of the room the player is in
	eor    bool   // the player's client agreed to EOR: mark prompts with IAC EOR
	client string // what TTYPE told us, for who
	vit    vitals
	busy   bool     // on the full-screen map: room messages wait in held
	held   []string // at most maxHeld
}

// mark returns the prompt mark for p's client.
func (p *player) mark() []byte {
	if p.eor {
		return []byte{telnet.IAC, telnet.EOR}
	}
	return []byte{telnet.IAC, telnet.GA}
}

type sessionState int

const (
	stateName sessionState = iota
	statePassword
	statePlaying
)

// maxPasswordTries is how many wrong passwords end a connection.
const maxPasswordTries = 3

// flushAt is how much output a session gathers before handing it to the
// connection in the middle of a burst of input.
const flushAt = 16 << 10

// session is the game for one connection: telnet decoding, line editing,
// login and commands. It is driven by one goroutine (conn.serve, or a
// test) and touches shared state only under Server.mu.
type session struct {
	s   *Server
	out outbox

	parser telnet.Parser
	neg    telnet.Negotiator
	// reported are the MSDP variables the client asked to be reported.
	reported map[string]bool
	pend     []byte // output not yet handed to out

	line    []byte // input line being typed
	lineCut bool   // the line outgrew maxLine; the rest is dropped
	lastCR  bool   // the previous input byte was CR (so LF ends nothing)

	state    sessionState
	name     string // name being logged in, as shown
	key      string // lower-case name
	newChar  bool   // the name has no account yet
	tries    int    // wrong passwords so far
	me       *player
	ended    bool
	cols     int // window width from NAWS; 0 unknown
	rows     int
	ttypes   []string // TTYPE answers, in order
	ttypeReq int      // TTYPE SENDs made
	// mxpVersion is the client's answer to <VERSION> (its attributes).
	mxpVersion string
	fs         *mapScreen // the full-screen map, while it is open
}

func newSession(s *Server, out outbox) *session {
	return &session{s: s, out: out}
}

// start greets the player and opens negotiation; false if the connection
// is already gone.
func (ss *session) start() bool {
	ss.pend = ss.neg.Enable(ss.pend, telnet.Us, telnet.OptEOR)
	ss.pend = ss.neg.Enable(ss.pend, telnet.Him, telnet.OptNAWS)
	ss.pend = ss.neg.Enable(ss.pend, telnet.Him, telnet.OptTTYPE)
	ss.pend = ss.neg.Enable(ss.pend, telnet.Us, telnet.OptMSSP)
	ss.pend = ss.neg.Enable(ss.pend, telnet.Us, telnet.OptGMCP)
	ss.pend = ss.neg.Enable(ss.pend, telnet.Us, telnet.OptMSDP)
	ss.pend = ss.neg.Enable(ss.pend, telnet.Us, telnet.OptMXP)
	ss.pend = append(ss.pend, banner(ss.s.name)...)
	ss.prompt("What is your name? ")
	return ss.flush()
}

// loggedIn reports whether the player is past the login.
func (ss *session) loggedIn() bool { return ss.state == statePlaying }

// feed handles bytes from the player and reports whether the session goes
// on.
func (ss *session) feed(b []byte) bool {
	if ss.ended {
		return false
	}
	ss.parser.Parse(b, ss)
	if !ss.flush() {
		ss.ended = true
	}
	return !ss.ended
}

// flush hands the pending output to the connection.
func (ss *session) flush() bool {
	if len(ss.pend) == 0 {
		return true
	}
	msg := bytes.Clone(ss.pend)
	ss.pend = ss.pend[:0]
	return ss.out.send(msg)
}

// leave takes the player out of the world.
func (ss *session) leave() {
	if ss.me == nil {
		return
	}
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if ss.s.players[ss.me.key] != ss.me {
		return // taken over by a newer login
	}
	delete(ss.s.players, ss.me.key)
	ss.s.tellRoomLocked(ss.me.room, nil, ansiNotice+ss.me.name+" leaves the game."+ansiReset)
	ss.s.log.Info("demo: player left", "name", ss.me.name)
}

// mark is the prompt mark: IAC EOR once the client agreed to EOR, else
// IAC GA.
func (ss *session) mark() []byte {
	if ss.neg.Enabled(telnet.Us, telnet.OptEOR) {
		return []byte{telnet.IAC, telnet.EOR}
	}
	return []byte{telnet.IAC, telnet.GA}
}

func (ss *session) prompt(text string) {
	ss.pend = append(ss.pend, text...)
	ss.pend = append(ss.pend, ss.mark()...)
}

func (ss *session) gamePrompt() { ss.prompt(ansiPrompt + "> " + ansiReset) }

// say adds one line of text for the player.
func (ss *session) say(text string) {
	ss.pend = append(ss.pend, text...)
	ss.pend = append(ss.pend, '\r', '\n')
}

// Data collects typed bytes into lines. Lines end at CR, LF or CR LF;
// BS and DEL erase; other control bytes are kept and cleaned later. While
// the map is open, every byte is a key for it instead.
func (ss *session) Data(p []byte) {
	for _, c := range p {
		if ss.ended {
			return
		}
		if ss.fs != nil {
			ss.mapKey(c)
			continue
		}
		switch c {
		case '\r':
			ss.endLine()
			ss.lastCR = true
			continue
		case '\n':
			if !ss.lastCR {
				ss.endLine()
			}
			ss.lastCR = false
			continue
		}
		ss.lastCR = false
		switch c {
		case 0:
		case '\b', 0x7F:
			if len(ss.line) > 0 && !ss.lineCut {
				i := len(ss.line) - 1
				for i > 0 && ss.line[i]&0xC0 == 0x80 {
					i--
				}
				ss.line = ss.line[:i]
			}
		default:
			if len(ss.line) < maxLine {
				ss.line = append(ss.line, c)
			} else {
				ss.lineCut = true
			}
		}
	}
}

// Command answers AYT, and IP (interrupt process, what some clients
// send for Ctrl-C) closes the map; other commands from a player mean
// nothing here.
func (ss *session) Command(cmd byte) {
	switch {
	case cmd == telnet.AYT:
		ss.pend = append(ss.pend, "\r\n["+ss.s.name+": yes]\r\n"...)
	case cmd == telnet.IP && ss.fs != nil:
		ss.closeMap()
	}
}

// Negotiate runs the Q method; a client agreeing to TTYPE is asked for
// its terminal type, one agreeing to EOR gets EOR prompt marks, one
// asking for MSSP (after the offer, or without one) gets the game's
// status, and one agreeing to GMCP after the login gets the vitals and
// the room at once (before it, they come with the login).
func (ss *session) Negotiate(verb, opt byte) {
	var ch telnet.Change
	ss.pend, ch = ss.neg.Receive(ss.pend, verb, opt)
	if ch == telnet.Unchanged {
		return
	}
	switch {
	case opt == telnet.OptTTYPE && (verb == telnet.WILL || verb == telnet.WONT):
		ss.ttypes, ss.ttypeReq = nil, 0
		if ch == telnet.TurnedOn {
			ss.askTTYPE()
		}
	case opt == telnet.OptMSSP && verb == telnet.DO && ch == telnet.TurnedOn:
		ss.pend = ss.s.appendMSSP(ss.pend)
	case opt == telnet.OptMXP && verb == telnet.DO && ch == telnet.TurnedOn:
		ss.startMXP()
	case opt == telnet.OptGMCP && verb == telnet.DO && ch == telnet.TurnedOn:
		ss.sendVitals()
		ss.sendRoom()
	case opt == telnet.OptEOR && (verb == telnet.DO || verb == telnet.DONT):
		if ss.me != nil {
			ss.s.mu.Lock()
			ss.me.eor = ch == telnet.TurnedOn
			ss.s.mu.Unlock()
		}
	}
}

func (ss *session) askTTYPE() {
	ss.ttypeReq++
	ss.pend = telnet.AppendSubneg(ss.pend, telnet.OptTTYPE, []byte{telnet.SEND})
}

// appendMSSP appends the game's MSSP status (NAME, PLAYERS, UPTIME,
// CODEBASE): what MUD crawlers and the gateway's status prober ask for.
func (s *Server) appendMSSP(dst []byte) []byte {
	return telnet.AppendMSSP(dst, []telnet.MSSPVariable{
		{Name: "NAME", Values: []string{s.name}},
		{Name: "PLAYERS", Values: []string{strconv.Itoa(s.Players())}},
		{Name: "UPTIME", Values: []string{strconv.FormatInt(s.started.Unix(), 10)}},
		{Name: "CODEBASE", Values: []string{Codebase}},
	})
}

// Subnegotiation reads NAWS (window size; the map is redrawn to it),
// TTYPE IS answers and GMCP.
func (ss *session) Subnegotiation(opt byte, data []byte) {
	switch opt {
	case telnet.OptGMCP:
		ss.gmcpIn(data)
	case telnet.OptMSDP:
		ss.msdpIn(data)
	case telnet.OptNAWS:
		if len(data) == 4 {
			ss.cols = int(data[0])<<8 | int(data[1])
			ss.rows = int(data[2])<<8 | int(data[3])
			if ss.fs != nil {
				ss.resizeMap()
			}
		}
	case telnet.OptTTYPE:
		if len(data) == 0 || data[0] != telnet.IS || ss.ttypeReq == 0 || len(ss.ttypes) >= 4 {
			return
		}
		v := cleanTTYPE(data[1:])
		// MTTS: name, terminal type, "MTTS n"; a repeat ends the list.
		if n := len(ss.ttypes); n > 0 && ss.ttypes[n-1] == v {
			return
		}
		ss.ttypes = append(ss.ttypes, v)
		if len(ss.ttypes) < 3 && ss.ttypeReq < 4 {
			ss.askTTYPE()
		}
		if ss.me != nil {
			ss.s.mu.Lock()
			ss.me.client = ss.clientSummary()
			ss.s.mu.Unlock()
		}
	}
}

// cleanTTYPE keeps up to 40 printable ASCII bytes of a TTYPE answer.
func cleanTTYPE(b []byte) string {
	out := make([]byte, 0, 40)
	for _, c := range b {
		if c >= 0x20 && c < 0x7F && len(out) < 40 {
			out = append(out, c)
		}
	}
	return string(out)
}

// clientSummary describes the client from its TTYPE answers.
func (ss *session) clientSummary() string {
	if len(ss.ttypes) == 0 {
		return "unknown client"
	}
	return strings.Join(ss.ttypes, ", ")
}

// width is the wrap width: the NAWS width, or 80, kept within reason.
func (ss *session) width() int {
	if ss.cols <= 0 {
		return 80
	}
	return min(max(ss.cols, 20), 250)
}

// endLine hands the finished line to the game.
func (ss *session) endLine() {
	line := string(ss.line)
	cut := ss.lineCut
	ss.line, ss.lineCut = ss.line[:0], false
	if ss.mxpReply(line) {
		return // the client's answer to an MXP request, in any state
	}
	if cut {
		ss.say(ansiError + fmt.Sprintf("Your line was too long and was cut to %d bytes.", maxLine) + ansiReset)
	}
	switch ss.state {
	case stateName:
		ss.enterName(line)
	case statePassword:
		ss.enterPassword(line)
	case statePlaying:
		ss.command(line)
	}
	ss.flushIfFull()
}

// flushIfFull hands the pending output to the connection once it has
// grown to flushAt, in the middle of a burst of input.
func (ss *session) flushIfFull() {
	if len(ss.pend) >= flushAt && !ss.flush() {
		ss.ended = true
	}
}

// validName reports whether name is 2 to 20 ASCII letters.
func validName(name string) bool {
	if len(name) < 2 || len(name) > 20 {
		return false
	}
	for _, c := range []byte(name) {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

func (ss *session) enterName(line string) {
	name := strings.TrimSpace(line)
	if name == "" {
		ss.prompt("What is your name? ")
		return
	}
	if !validName(name) {
		ss.say(ansiError + "Names are 2 to 20 letters (a-z), nothing else." + ansiReset)
		ss.prompt("What is your name? ")
		return
	}
	ss.key = strings.ToLower(name)
	ss.name = strings.ToUpper(ss.key[:1]) + ss.key[1:]
	ss.s.mu.Lock()
	_, exists := ss.s.accounts[ss.key]
	ss.s.mu.Unlock()
	ss.newChar = !exists
	if exists {
		ss.say("Welcome back, " + ss.name + ".")
	} else {
		ss.say("A new adventurer! Choose a password for " + ss.name + ".")
	}
	ss.state = statePassword
	ss.passwordPrompt()
}

// passwordPrompt asks for the password with WILL ECHO first, so the
// client stops echoing and masks the input.
func (ss *session) passwordPrompt() {
	ss.pend = ss.neg.Enable(ss.pend, telnet.Us, telnet.OptEcho)
	ss.prompt("Password: ")
}

func (ss *session) enterPassword(pw string) {
	// The client did not echo the line, CR LF included: end it for them,
	// after WONT ECHO gives echo back to the client.
	ss.pend, _ = ss.neg.Disable(ss.pend, telnet.Us, telnet.OptEcho)
	ss.pend = append(ss.pend, '\r', '\n')
	if pw == "" {
		ss.say(ansiError + "A password cannot be empty." + ansiReset)
		ss.passwordPrompt()
		return
	}
	created, ok := ss.s.checkPassword(ss.key, ss.name, pw)
	if !ok {
		ss.tries++
		if ss.tries >= maxPasswordTries {
			ss.say(ansiError + "Wrong password. Too many failed attempts: goodbye." + ansiReset)
			ss.ended = true
			return
		}
		ss.say(ansiError + "Wrong password." + ansiReset)
		ss.passwordPrompt()
		return
	}
	if created {
		ss.say("Your character " + ss.name + " has been created.")
	}
	ss.enterWorld()
}

// checkPassword checks pw for the character key, creating it with pw if
// it does not exist yet.
func (s *Server) checkPassword(key, name, pw string) (created, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	acc := s.accounts[key]
	if acc == nil {
		acc = &account{name: name}
		_, _ = rand.Read(acc.salt[:])
		acc.hash = hashPassword(acc.salt, pw)
		s.accounts[key] = acc
		s.log.Info("demo: character created", "name", name)
		return true, true
	}
	h := hashPassword(acc.salt, pw)
	return false, subtle.ConstantTimeCompare(h[:], acc.hash[:]) == 1
}

func (ss *session) enterWorld() {
	me := &player{
		name:   ss.name,
		key:    ss.key,
		out:    ss.out,
		room:   ss.s.world.start,
		eor:    ss.neg.Enabled(telnet.Us, telnet.OptEOR),
		client: ss.clientSummary(),
		vit:    newVitals(),
	}
	s := ss.s
	s.mu.Lock()
	old := s.players[me.key]
	if old != nil {
		// The same character logs in again (a reconnect after a network
		// blip, say): the new connection takes over.
		me.room, me.vit = old.room, old.vit
		old.out.close([]byte("\r\n" + ansiError + "You have been disconnected: " + me.name + " logged in from elsewhere." + ansiReset + "\r\n"))
	}
	s.players[me.key] = me
	if old == nil {
		s.tellRoomLocked(me.room, me, ansiNotice+me.name+" arrives in a swirl of mist."+ansiReset)
	}
	s.mu.Unlock()
	ss.me = me
	ss.state = statePlaying
	s.log.Info("demo: player entered", "name", me.name, "takeover", old != nil)

	ss.say("")
	ss.say("Welcome to the castle, " + me.name + ". Type " + ansiTitle + "help" + ansiReset + " for a list of commands.")
	ss.say("")
	ss.sendVitals()
	ss.sendRoom()
	ss.look()
	ss.gamePrompt()
}

// current reports whether this session still owns its player (a newer
// login of the same character takes it over). Call with Server.mu held.
func (ss *session) currentLocked() bool {
	return ss.me != nil && ss.s.players[ss.me.key] == ss.me
}

// command runs one line typed by a logged-in player.
func (ss *session) command(line string) {
	line = cleanText(line)
	verb, rest, _ := strings.Cut(line, " ")
	verb = strings.ToLower(verb)
	rest = strings.TrimSpace(rest)
	switch {
	case strings.HasPrefix(line, "'"):
		verb, rest = "say", strings.TrimSpace(line[1:])
	case strings.HasPrefix(line, ":"):
		verb, rest = "emote", strings.TrimSpace(line[1:])
	}
	switch verb {
	case "":
	case "l", "look":
		if rest != "" {
			ss.lookAt(rest)
			break
		}
		ss.look()
	case "go", "walk":
		d, ok := parseDirection(strings.ToLower(rest))
		if !ok {
			ss.say("Go where? North, south, east, west, up or down.")
			break
		}
		ss.move(d)
	case "n", "north", "s", "south", "e", "east", "w", "west", "u", "up", "d", "down":
		d, _ := parseDirection(verb)
		ss.move(d)
	case "say":
		ss.talk(rest)
	case "emote", "me":
		ss.emote(rest)
	case "who":
		ss.who()
	case "whoami":
		ss.whoami()
	case "cast":
		ss.cast()
	case "swim":
		ss.swim()
	case "rest":
		ss.rest()
	case "map":
		ss.openMap()
		return // no prompt: the map has the screen
	case "help", "?":
		ss.pend = append(ss.pend, helpText...)
	case "quit", "exit", "logout":
		ss.say(ansiNotice + "Farewell, " + ss.me.name + ". The drawbridge rises behind you." + ansiReset)
		ss.ended = true
		return
	default:
		ss.say("Huh? Type help.")
	}
	ss.gamePrompt()
}

// cleanText makes typed text safe to show to others: valid UTF-8, no
// control characters (so no escape sequences), trimmed.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// look describes the player's room, wrapped to the window width.
func (ss *session) look() {
	s := ss.s
	s.mu.Lock()
	if !ss.currentLocked() {
		s.mu.Unlock()
		return
	}
	r := s.world.rooms[ss.me.room]
	var others []string
	for _, p := range s.players {
		if p != ss.me && p.room == r.id {
			others = append(others, p.name)
		}
	}
	s.mu.Unlock()
	sort.Strings(others)

	ss.say(ansiTitle + r.title + ansiReset)
	for _, l := range wrap(r.desc, ss.width()) {
		ss.say(l)
	}
	if l := ss.thingsLine(r); l != "" {
		ss.say(l)
	}
	ss.say(ss.exitsLine(r))
	switch len(others) {
	case 0:
	case 1:
		ss.say(ansiPeople + others[0] + " is here." + ansiReset)
	default:
		ss.say(ansiPeople + strings.Join(others, ", ") + " are here." + ansiReset)
	}
}

// lookAt describes a thing in the player's room.
func (ss *session) lookAt(name string) {
	s := ss.s
	s.mu.Lock()
	if !ss.currentLocked() {
		s.mu.Unlock()
		return
	}
	t, ok := s.world.rooms[ss.me.room].thing(strings.TrimPrefix(strings.ToLower(name), "the "))
	s.mu.Unlock()
	if !ok {
		ss.say("You see no " + name + " here.")
		return
	}
	for _, l := range wrap(t.desc, ss.width()) {
		ss.say(l)
	}
}

func (ss *session) move(d direction) {
	s := ss.s
	s.mu.Lock()
	if !ss.currentLocked() {
		s.mu.Unlock()
		return
	}
	from := s.world.rooms[ss.me.room]
	to, ok := from.exits[d]
	if !ok {
		s.mu.Unlock()
		ss.say("You cannot go " + d.String() + " from here.")
		return
	}
	s.tellRoomLocked(from.id, ss.me, ansiNotice+ss.me.name+" leaves "+d.String()+"."+ansiReset)
	ss.me.room = to
	s.tellRoomLocked(to, ss.me, ansiNotice+ss.me.name+" arrives "+d.opposite().from()+"."+ansiReset)
	s.mu.Unlock()
	ss.say("You go " + d.String() + ".")
	ss.sendRoom()
	ss.look()
}

func (ss *session) talk(text string) {
	if text == "" {
		ss.say("Say what?")
		return
	}
	s := ss.s
	s.mu.Lock()
	if ss.currentLocked() {
		s.tellRoomLocked(ss.me.room, ss.me, ansiSay+ss.me.name+" says, \""+text+"\""+ansiReset)
	}
	s.mu.Unlock()
	ss.say(ansiSay + "You say, \"" + text + "\"" + ansiReset)
}

func (ss *session) emote(text string) {
	if text == "" {
		ss.say("Emote what?")
		return
	}
	msg := ansiEmote + ss.me.name + " " + text + ansiReset
	s := ss.s
	s.mu.Lock()
	if ss.currentLocked() {
		s.tellRoomLocked(ss.me.room, ss.me, msg)
	}
	s.mu.Unlock()
	ss.say(msg)
}

func (ss *session) who() {
	s := ss.s
	type row struct{ name, client, room string }
	s.mu.Lock()
	rows := make([]row, 0, len(s.players))
	for _, p := range s.players {
		rows = append(rows, row{p.name, p.client, s.world.rooms[p.room].title})
	}
	s.mu.Unlock()
	sort.Slice(rows, func(i, j int) bool { return rows[i].name < rows[j].name })

	ss.say(ansiTitle + "Players in the " + s.name + ansiReset)
	for _, r := range rows {
		ss.say(fmt.Sprintf("  %s%-20s%s %-26s %s", ansiPeople, r.name, ansiReset, r.room, r.client))
	}
	if len(rows) == 1 {
		ss.say("1 player online.")
	} else {
		ss.say(fmt.Sprintf("%d players online.", len(rows)))
	}
}

func (ss *session) whoami() {
	size := "unknown (NAWS not received)"
	if ss.cols > 0 || ss.rows > 0 {
		size = fmt.Sprintf("%d x %d", ss.cols, ss.rows)
	}
	mark := "IAC GA"
	if ss.neg.Enabled(telnet.Us, telnet.OptEOR) {
		mark = "IAC EOR"
	}
	gmcp := "off"
	switch {
	case ss.gmcpOn() && ss.msdpOn():
		gmcp = "on (Room.Info); MSDP on (HEALTH, MANA)"
	case ss.gmcpOn():
		gmcp = "on (Char.Vitals, Room.Info)"
	case ss.msdpOn():
		gmcp = "off; MSDP on (HEALTH, MANA)"
	}
	ss.s.mu.Lock()
	v := ss.me.vit
	ss.s.mu.Unlock()
	ss.say(ansiTitle + "You are " + ss.me.name + ansiReset)
	ss.say(fmt.Sprintf("  Health:        %d/%d hp, %d/%d mp", v.HP, v.MaxHP, v.MP, v.MaxMP))
	ss.say("  Terminal type: " + ss.clientSummary())
	ss.say("  Window size:   " + size + fmt.Sprintf(" (text wraps at %d)", ss.width()))
	ss.say("  GMCP:          " + gmcp)
	mxp := "off"
	if ss.mxpOn() {
		mxp = "on (no VERSION answer yet)"
		if ss.mxpVersion != "" {
			mxp = "on (" + ss.mxpVersion + ")"
		}
	}
	ss.say("  MXP:           " + mxp)
	ss.say("  Prompt mark:   " + mark)
}

// tellRoomLocked sends text, on a line of its own and followed by a fresh
// prompt, to every player in room except except. Call with s.mu held; it
// never blocks (a player whose queue is full is dropped by send).
func (s *Server) tellRoomLocked(room string, except *player, text string) {
	for _, p := range s.players {
		if p == except || p.room != room {
			continue
		}
		if p.busy {
			// On the map: the text would land in the middle of its
			// screen. It waits for the player's return instead.
			if len(p.held) < maxHeld {
				p.held = append(p.held, text)
			}
			continue
		}
		msg := make([]byte, 0, len(text)+32)
		msg = append(msg, "\r\n"...)
		msg = append(msg, text...)
		msg = append(msg, "\r\n"+ansiPrompt+"> "+ansiReset...)
		msg = append(msg, p.mark()...)
		p.out.send(msg)
	}
}

// tellRoom tells everyone else in the player's room text, as
// tellRoomLocked does.
func (ss *session) tellRoom(text string) {
	s := ss.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss.currentLocked() {
		s.tellRoomLocked(ss.me.room, ss.me, text)
	}
}
