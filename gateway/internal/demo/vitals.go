package demo

// vitals are a character's gauges, sent as GMCP Char.Vitals.
type vitals struct {
	HP    int `json:"hp"`
	MaxHP int `json:"maxhp"`
	MP    int `json:"mp"`
	MaxMP int `json:"maxmp"`
}

// newVitals are a fresh character's.
func newVitals() vitals { return vitals{HP: 100, MaxHP: 100, MP: 50, MaxMP: 50} }

// Costs of the actions that move the gauges.
const (
	castCost = 10 // mp for a light spell
	swimCost = 15 // hp for a bite from what lives in the moat
)

// changeVitals applies f to the character's vitals (under Server.mu) and
// sends them if they changed.
func (ss *session) changeVitals(f func(v *vitals)) {
	s := ss.s
	s.mu.Lock()
	if !ss.currentLocked() {
		s.mu.Unlock()
		return
	}
	before := ss.me.vit
	f(&ss.me.vit)
	changed := ss.me.vit != before
	s.mu.Unlock()
	if changed {
		ss.sendVitals()
	}
}

// cast spends mana on a light spell: the way to lower MP.
func (ss *session) cast() {
	cast := false
	ss.changeVitals(func(v *vitals) {
		if v.MP >= castCost {
			v.MP -= castCost
			cast = true
		}
	})
	if !cast {
		ss.say("You are too weary to cast anything. Rest first.")
		return
	}
	ss.say(ansiEmote + "You whisper a word, and a small light dances above your palm, then fades." + ansiReset)
	ss.tellRoom(ansiEmote + ss.me.name + " whispers a word, and a small light dances in the air, then fades." + ansiReset)
}

// swim lets what lives in the moat bite: the way to lower HP. It never
// kills.
func (ss *session) swim() {
	s := ss.s
	s.mu.Lock()
	onBridge := ss.currentLocked() && ss.me.room == s.world.start
	s.mu.Unlock()
	if !onBridge {
		ss.say("There is no water to swim in here.")
		return
	}
	ss.changeVitals(func(v *vitals) { v.HP = max(v.HP-swimCost, 1) })
	ss.say(ansiError + "You dive into the moat. Something large brushes past and bites! You scramble back onto the bridge." + ansiReset)
	ss.tellRoom(ansiNotice + ss.me.name + " dives into the moat and scrambles out again, bleeding." + ansiReset)
}

// rest restores health and mana.
func (ss *session) rest() {
	rested := false
	ss.changeVitals(func(v *vitals) {
		rested = v.HP < v.MaxHP || v.MP < v.MaxMP
		v.HP, v.MP = v.MaxHP, v.MaxMP
	})
	if !rested {
		ss.say("You are already fully rested.")
		return
	}
	ss.say("You sit down for a moment and catch your breath. You feel whole again.")
}
