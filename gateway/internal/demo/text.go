package demo

import "strings"

// banner returns the greeting shown on connect: a coloured castle with
// the word DRAWBRIDGE in plain letters (tests and e2e look for it), and a
// welcome line with the server's name.
func banner(name string) string {
	y, w, r := ansiBanner, ansiWater, ansiReset
	lines := []string{
		"",
		y + `      |>>>                          |>>>` + r,
		y + `      |                             |` + r,
		y + `  _  _|_  _                     _  _|_  _` + r,
		y + ` | |_| |_| |                   | |_| |_| |` + r,
		y + ` \  .      /` + r + `    DRAWBRIDGE     ` + y + `\ .       /` + r,
		y + `  \    ,  /                     \    ,  /` + r,
		y + `   | .   |_   _   _   _   _   _ _| .   |` + r,
		y + `   |    .| |_| |_| |_| |_| |_| |_|.    |` + r,
		y + `   | ,   |         ______        | ,   |` + r,
		y + `   |   . |        |      |       |   . |` + r,
		w + `~~~~~~~~~~~~~~~~~~|` + y + `######` + w + `|~~~~~~~~~~~~~~~~~~~~~` + r,
		"",
		"Welcome to the " + ansiTitle + name + r + "!",
		"A small castle to explore with friends, served over telnet.",
		"",
	}
	return strings.Join(lines, "\r\n") + "\r\n"
}

// helpText lists the commands.
const helpText = ansiTitle + "Commands" + ansiReset + "\r\n" +
	"  look (l)               describe the room you are in\r\n" +
	"  look <thing>           look at something the room lists\r\n" +
	"  go <direction>         walk: north, south, east, west, up, down\r\n" +
	"  n, s, e, w, u, d       shortcuts for go\r\n" +
	"  say <text>  ('text)    talk to everyone in the room\r\n" +
	"  emote <text> (:text)   act: emote waves -> Alice waves\r\n" +
	"  cast                   cast a little light (costs mana)\r\n" +
	"  swim                   swim in the moat, from the drawbridge (risky)\r\n" +
	"  rest                   get your health and mana back\r\n" +
	"  map                    walk about the castle grounds, full screen\r\n" +
	"  who                    list the players online\r\n" +
	"  whoami                 what the game knows about your connection\r\n" +
	"  help                   this list\r\n" +
	"  quit                   leave the game\r\n"
