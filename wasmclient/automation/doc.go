// Package automation is the web client's player automation: aliases,
// triggers and macros, as MUD clients such as Mudlet have them, in
// groups the player turns on and off. It is the model (plain data, saved
// as JSON), the engine that runs it, and importers from JSON and from
// Mudlet's XML. It imports only the standard library and the message
// catalogue (shared/i18n), and knows nothing of the page: the client
// (wasmclient) feeds it typed lines, lines of output and key presses, and
// does what it answers. It is tested natively.
//
// This documentation is written so that a player's guide can be made
// from it; the names in brackets are the API.
//
// # Groups
//
// Every alias, trigger and macro has a name, an on/off switch of its own,
// and a group ("" when none). A group is turned on and off as a whole
// ([Group]); an item works when it and its group are on. Groups come
// from Mudlet's folders on import, nested folders named "Outer/Inner".
//
// # Aliases
//
// An alias ([Alias]) rewrites what the player types. Its pattern is a
// regular expression in Go's syntax (RE2, as in
// https://golang.org/s/re2syntax), matched against each command typed:
// "^k (.+)$" matches "k rat". Anchor it with ^ and $ to match a whole
// command; without anchors it matches anywhere in it. What it sends
// instead (its commands) is text in which
//
//	$1 ... $9  is the text of the pattern's group 1 ... 9 ("" when that
//	           group took no part in the match, or there is none)
//	$0         is the whole match
//	$$         is a dollar sign; a $ before anything else is itself
//
// so the alias "^k (.+)$" with commands "kill $1" turns "k rat" into
// "kill rat". Only one digit is read: $10 is $1 then 0.
//
// Commands may be several: one a line, or separated by the command
// separator (the player's setting, ";;" by default; none when it is
// empty), as in "get all corpse;;sacrifice corpse". Spaces around each
// command are trimmed and empty ones dropped. The commands are split
// first and the $n filled in after, so the text a pattern captured never
// adds a command, even if it holds the separator or a line break (and the
// control characters in captured text are dropped).
//
// A typed line is split at the separator too, and each command goes
// through the aliases ([Engine.Expand]):
//
//   - every alias that is on and whose pattern matches the command fires,
//     in the order of the list, as in Mudlet (where all matching aliases
//     run); a command no alias matches is sent as it is;
//   - the commands an alias sends go through the aliases again, as in
//     Mudlet, so that one alias may use another, except through the
//     aliases already expanding: an alias never applies to its own
//     result, directly or through other aliases. So "^n$" sending "n"
//     and "^kill (.+)$" sending "kill $1;;grin" cannot loop (in Mudlet
//     an alias whose command matches its own pattern expands again and
//     again, up to a cap of 50 levels);
//   - one typed command may become at most [MaxExpanded] (100) commands;
//     past that, or when aliases make a command longer than [MaxLineLen]
//     bytes, nothing of the line is sent and the player is told why;
//   - Enter on an empty line sends an empty line, which no alias sees.
//
// # Triggers
//
// A trigger ([Trigger]) reacts to a line of the game's output: the text
// as shown, without colours. Its pattern is either
//
//   - a substring: the trigger fires when the text occurs in the line,
//     exactly as written ("tells you"); or
//   - a regular expression (RE2, as for aliases): "^(\w+) tells you '(.*)'$".
//
// Either may ignore case ("ignore case" on: Unicode simple case folding).
// Only the first [MaxLineLen] (4096) bytes of a line are matched. A
// trigger fires at most once a line; triggers run in the order of the
// list, and each sees every line (one trigger does not stop the next).
// When it fires, it does any of these:
//
//   - highlight: colour the text it matched, each of its groups that took
//     part ("groups", as Mudlet colours a pattern with groups; the whole
//     match when it has none), or the whole line; with a foreground
//     colour, a background colour or both, each "#rrggbb", "#rgb" or a
//     colour name (red, green, yellow, blue, magenta, cyan, white, black,
//     gray, silver, maroon, purple, olive, navy, teal, lime, aqua,
//     fuchsia, orange). "Every match" colours all of its matches in the
//     line (up to [MaxMatches], 32), not only the first;
//   - gag: hide the line;
//   - send commands: as an alias's, with $0-$9 from the match (for a
//     substring, $0 is the substring and $1-$9 are empty), and through
//     the aliases; see the rate limit below;
//   - play a sound: "beep", "chime" or "alert";
//   - notify: show a notification, when the page is hidden, whose text
//     may hold $0-$9 (at most [MaxNotifyLen] characters).
//
// [Engine.Line] returns all of this for one line ([Result]). Highlights
// are spans of the line in bytes, at characters' edges; a later
// trigger's span is drawn over an earlier one's. [Stream] runs the
// engine on the game's output as it arrives and passes the game's bytes
// on in pieces, each with the highlight the terminal lays over the
// game's colours (term.Terminal.SetHighlight): nothing is written into
// the game's stream.
//
// # The rate limit
//
// Commands sent by triggers are limited, so that triggers that set each
// other off (trigger A's command makes the game print what fires trigger
// B, whose command fires A ...) cannot flood the game: at most
// [RatePerSecond] (10) in any second and [RatePer10Seconds] (30) in any
// 10 seconds, a burst of 10 allowed at once. The commands of one firing
// go together or not at all; a firing that would pass the limit sends
// nothing, and the Result says which trigger was cut and how many
// commands it lost ([Cut]), for the client to show. What the player types
// and what macros send are not limited.
//
// # Macros
//
// A macro ([Macro]) sends commands when a key combination is pressed.
// A combination is modifiers and a key joined by "+": "F1", "Shift+F5",
// "Ctrl+KeyK", "Alt+Digit1", "Numpad8". Keys are named as the browser's
// KeyboardEvent.code names them: the physical key, whatever the layout
// (KeyA-KeyZ, Digit0-Digit9, F1-F24, Numpad0-Numpad9, NumpadAdd,
// NumpadSubtract, NumpadMultiply, NumpadDivide, NumpadDecimal,
// NumpadEnter, ArrowUp, ArrowDown, ArrowLeft, ArrowRight, Home, End,
// PageUp, PageDown, Insert, Delete, Escape, Tab, Enter, Backspace,
// Space, Pause and the punctuation keys Minus, Equal, BracketLeft,
// BracketRight, Backslash, Semicolon, Quote, Backquote, Comma, Period,
// Slash). [ParseKey] reads them in any case and some short forms ("ctrl+k"
// is Ctrl+KeyK, "5" Digit5, "Num8" Numpad8, "Up" ArrowUp) and writes the
// canonical form: modifiers in the order Ctrl, Alt, Shift, Meta. A macro
// may not take a key that types or edits the command line (a letter,
// digit, space, punctuation, Enter, Backspace) unless Ctrl, Alt or Meta is
// held. The keypad's keys are named the same with NumLock on or off.
// When two macros that are on take the same key, the first in the list
// wins. A macro's commands are split and go through the aliases as a
// typed line's do ($n are empty).
//
// [DefaultNumpadWalk] is the classic keypad walking set, in a group the
// player turns on: 8 2 4 6 go n s w e, 7 9 1 3 go nw ne sw se, 5 looks,
// + and - go up and down.
//
// # Limits
//
// A model holds at most [MaxItems] (500) aliases, triggers and macros
// together and [MaxGroups] (100) groups; names are at most [MaxNameLen]
// (100) characters, patterns [MaxPatternLen] (1000) bytes, commands and
// notifications [MaxCommandsLen] (4000) bytes. A regular expression may
// compile to at most [MaxProgram] (1000) instructions of Go's regexp
// machine, and all of them together to [MaxTotalProgram] (20,000). Go's regular
// expressions take time linear in the line, so no pattern can stall the
// client; what they lack against Mudlet's Perl (PCRE) ones are
// backreferences (\1), lookaround ((?=...), (?<!...)), possessive and
// atomic groups, and \w, \d and \b match ASCII only. [Model.Validate]
// names every problem, item by item ([ItemError]).
//
// # Messages
//
// What this package tells the player (the problems [Model.Validate],
// [ParseKey] and the importers find, and the notes of a [Report]) are
// messages of the catalogue, shared/i18n's automation_errors.json:
// Error() and [Note.String] give them in English, [Localize],
// [Note.Localize] and [Report.Localize] in the player's language, down to
// the errors of Go's regular expressions. An error is an [*Error] (a key
// and its arguments), and errors.Is and errors.As see through it
// ([ErrKey], *syntax.Error).
//
// # Speed
//
// Triggers cost little on lines they cannot match. [New] gathers, from
// every trigger, text that any line it matches must contain (the
// substring; for a regular expression a word it requires, or one of a
// few, as "hits you" or "misses you" for "(hits|misses) you"), and one
// pass over each line finds which triggers' text occurs in it; only
// those run their pattern, and only if the line also has the other words
// the pattern requires ("/" as well as "hp" for "^<(\d+)/(\d+)hp"). A
// regular expression is run from where a match of it can begin (for
// "(\d+) experience", the line's first digit), not from the line's
// start; one anchored with ^ is not run on a line that does not begin as
// it can. One that may begin with most characters (such as "\S+ says")
// runs from the line's start, and one with no word it requires (such as
// "^.*\d+$") on every line. A regular expression that is only text and
// alternatives ("glitters here", "MAULS|DECIMATES", "(MAULS|DECIMATES)")
// and a substring that ignores case (on lines without K or ſ, which fold
// to k and s) are searched for without the regexp package. See README.md
// for figures.
//
// # Import and export
//
// [Export] writes the model as JSON, {"version": 1, "groups": [...],
// "aliases": [...], "triggers": [...], "macros": [...]}, and
// [ImportJSON] reads it back, refusing other versions and invalid
// models. [Merge] adds an imported model to the player's, leaving out
// items the player already has and giving new IDs where they clash.
// [ImportMudlet] reads a Mudlet package or profile (XML) and reports,
// item by item, what it could not bring over ([Report]).
//
// # Using it
//
// The client builds an [Engine] with [New] from the model and the
// separator, keeps one [Limiter] for the session, and builds a new engine
// whenever the model changes or a group is switched. An Engine is not
// safe for concurrent use; the client calls it from one goroutine.
package automation
