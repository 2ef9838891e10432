package main

import (
	"strings"
	"testing"

	"github.com/drawbridge/drawbridge/shared/wire"
	"github.com/drawbridge/drawbridge/wasmclient/automation"
	"github.com/drawbridge/drawbridge/wasmclient/link"
	"github.com/drawbridge/drawbridge/wasmclient/term"
)

// automate gives the rig's client an engine built from m, a log, and
// records the sounds played.
func (r *rig) automate(t *testing.T, m automation.Model) (log *sessionLog, sounds *[]string) {
	t.Helper()
	m.Version = automation.Version
	e, err := automation.New(m, automation.Options{Separator: ";;"})
	if err != nil {
		t.Fatal(err)
	}
	log, sounds = newSessionLog(), new([]string)
	r.c.auto = func() *automation.Engine { return e }
	r.c.log = log
	r.c.played = func(s string) { *sounds = append(*sounds, s) }
	return log, sounds
}

// TestClientAutomation: an alias expands what the player types, a
// trigger's commands go to the game and its sound plays, a gagged line
// never reaches the screen or the log, a trigger sends nothing while the
// game masks input, and the log holds the typed line as echoed, not a
// password.
func TestClientAutomation(t *testing.T) {
	r := newRig()
	log, sounds := r.automate(t, automation.Model{
		Aliases: []automation.Alias{{ID: "a", Name: "greet", Enabled: true, Pattern: "^hi (.+)$", Commands: "say Hello, $1!;;wave"}},
		Triggers: []automation.Trigger{
			{ID: "t1", Name: "tell", Enabled: true, Pattern: `^(\w+) tells you`, Match: automation.Regex, Commands: "reply thanks, $1", Sound: automation.SoundChime},
			{ID: "t2", Name: "spam", Enabled: true, Pattern: "BUY GOLD", Gag: true},
		},
	})
	r.state(link.Connected, "", 0)
	r.step()
	r.lines <- "hi there"
	r.tick()
	if got := r.sent(wire.TypeLine); strings.Join(got, "|") != "say Hello, there!|wave" {
		t.Fatalf("sent %q, want the alias's two commands", got)
	}

	r.link.sent = nil
	r.output("Bob tells you: hello\r\nBUY GOLD at www.spam\r\nA quiet line.\r\n")
	r.tick()
	if got := r.sent(wire.TypeLine); strings.Join(got, "|") != "reply thanks, Bob" {
		t.Fatalf("sent %q, want the trigger's reply", got)
	}
	if strings.Join(*sounds, ",") != "chime" {
		t.Fatalf("sounds %q", *sounds)
	}
	if screen := r.c.ScreenText(); strings.Contains(screen, "BUY GOLD") || !strings.Contains(screen, "A quiet line.") {
		t.Fatalf("screen %q: the gagged line shows, or the next is missing", screen)
	}

	// Masked: the game asks for a password; a tell must not answer into it.
	r.link.sent = nil
	r.frame(wire.Frame{Type: wire.TypeEcho, Echo: true})
	r.step()
	r.output("Ann tells you: what is your password?\r\n")
	r.lines <- "hi secret"
	r.tick()
	if got := r.sent(wire.TypeLine); strings.Join(got, "|") != "hi secret" {
		t.Fatalf("sent %q while masked, want the typed line alone, unexpanded", got)
	}

	text := log.Render(false, "")
	for _, want := range []string{"> hi there", "Bob tells you: hello", "A quiet line."} {
		if !strings.Contains(text, want) {
			t.Errorf("the log lacks %q:\n%s", want, text)
		}
	}
	for _, not := range []string{"BUY GOLD", "secret"} {
		if strings.Contains(text, not) {
			t.Errorf("the log holds %q:\n%s", not, text)
		}
	}
}

// TestClientTriggerLineAcrossFrames: a line cut between two frames is
// seen whole by the triggers, and a prompt (a line without its end)
// shows at once.
func TestClientTriggerLineAcrossFrames(t *testing.T) {
	r := newRig()
	r.automate(t, automation.Model{Triggers: []automation.Trigger{
		{ID: "t", Name: "gate", Enabled: true, Pattern: "The Gatehouse", Highlight: &automation.Highlight{FG: "#ff00ff"}},
	}})
	r.state(link.Connected, "", 0)
	r.output("The Gate")
	r.output("house\r\n> ")
	r.tick()
	if screen := r.c.ScreenText(); !strings.Contains(screen, "The Gatehouse\n>") {
		t.Fatalf("screen %q", screen)
	}
	plain := r.c.term.Cell(0, 0) // "T" of the title
	if plain.FG == r.c.term.Cell(0, 1).FG {
		t.Fatalf("the title's cell %+v has the prompt's colour", plain)
	}
}

// TestClientGameCommandsSentAsTheyAre: a command from the game's links
// (MXP) goes to the game as one line, never split at the separator nor
// expanded by an alias, so text the game put in it cannot add commands;
// a macro's login command is logged with its password hidden.
func TestClientGameCommandsSentAsTheyAre(t *testing.T) {
	r := newRig()
	log, _ := r.automate(t, automation.Model{
		Aliases: []automation.Alias{{ID: "a", Name: "get", Enabled: true, Pattern: "^get (.+)$", Commands: "get $1;;say got it"}},
		Macros:  []automation.Macro{{ID: "m", Name: "login", Enabled: true, Key: "F2", Commands: "connect bob hunter2"}},
	})
	r.state(link.Connected, "", 0)
	r.step()
	r.c.command("get rock;;give all to mallory")
	if got := r.sent(wire.TypeLine); len(got) != 1 || got[0] != "get rock;;give all to mallory" {
		t.Fatalf("sent %q, want the link's command as one line", got)
	}
	r.link.sent = nil
	r.c.macro("F2")
	if got := r.sent(wire.TypeLine); len(got) != 1 || got[0] != "connect bob hunter2" {
		t.Fatalf("the key sent %q", got)
	}
	if text := log.Render(false, ""); strings.Contains(text, "hunter2") {
		t.Fatalf("the log holds the key's password:\n%s", text)
	}
	// Masked: nothing from a link.
	r.link.sent = nil
	r.frame(wire.Frame{Type: wire.TypeEcho, Echo: true})
	r.step()
	r.c.command("look")
	if got := r.sent(wire.TypeLine); len(got) != 0 {
		t.Fatalf("sent %q while the game masks input", got)
	}
}

// TestClientHighlightShownAndLogged: a trigger's highlight colours its
// span on screen over the game's own colour, which goes on after it, and
// the downloaded log shows it as the player saw it.
func TestClientHighlightShownAndLogged(t *testing.T) {
	r := newRig()
	log, _ := r.automate(t, automation.Model{Triggers: []automation.Trigger{
		{ID: "t", Name: "dragon", Enabled: true, Pattern: "dragon", Highlight: &automation.Highlight{FG: "#ff0000"}},
	}})
	r.state(link.Connected, "", 0)
	r.output("\x1b[32mA red dragon sleeps.\r\n")
	r.tick()
	red, green := term.RGB(255, 0, 0), term.Indexed(2)
	for x, ch := range "A red dragon sleeps." {
		want := green
		if x >= 6 && x < 12 {
			want = red
		}
		if c := r.c.term.Cell(x, 0); c.Rune != ch || c.FG != want {
			t.Fatalf("cell %d: %q in %v, want %q in %v", x, c.Rune, c.FG, ch, want)
		}
	}
	html := log.Render(true, "")
	if !strings.Contains(html, "dragon") || !strings.Contains(html, "#ff0000") {
		t.Fatalf("the log does not show the highlight:\n%s", html)
	}
}
