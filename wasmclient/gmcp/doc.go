// Package gmcp keeps what a game has said over GMCP that the client shows
// outside the terminal: the character's vitals (health, mana and the like)
// and the room the character is in. It imports only the standard library
// and knows nothing of frames or drawing; the client passes it the Data of
// each wire.TypeGMCP frame ("Package.Message", optionally a space and
// JSON) and redraws what [State.Apply] reports changed.
//
// # What it understands
//
// Package names are compared without regard to case.
//
//   - Char.Vitals: every key that has a "max" twin is a vital: hp/maxhp,
//     mp/maxmp, ep/maxep, wp/maxwp (IRE games such as Achaea),
//     mana/maxmana, sp/maxsp, moves/maxmoves, mv/maxmv, and game-specific
//     pairs alike. Values may be JSON numbers or numeric strings ("4500");
//     keys whose value is neither (IRE's "string", "bal", "charstats") are
//     skipped. Messages update the keys they carry and keep the others.
//   - Char.MaxStats (Aardwolf's char.maxstats): the maxima, read by the
//     same rule, so that Aardwolf's char.vitals {"hp","mana","moves"} pair
//     up with them.
//   - Room.Info (IRE, Aardwolf and Mudlet mapper style): num (a number or
//     a string), name, area (or Aardwolf's zone) and exits, as an object
//     keyed by direction or as an array of names. Each message replaces
//     the room.
//   - MSDP (case-sensitive, as the MSDP specification has it): a game's
//     MSDP variables as "MSDP over GMCP" carries them, which the gateway
//     also makes of MSDP telnet subnegotiations (option 69,
//     https://tintin.mudhalla.net/protocols/msdp/). X and X_MAX pairs are
//     vitals (HEALTH, MANA, MOVEMENT); the ROOM table (VNUM, NAME, AREA,
//     EXITS) replaces the room; ROOM_VNUM, ROOM_NAME, AREA_NAME and
//     ROOM_EXITS change those fields of it.
//
// Any other package is ignored: no error and nothing changed. JSON that
// does not parse, or is not an object, for one of the packages above is an
// error and changes nothing. A field of an unexpected type is treated as
// absent, since games differ in such details.
//
// # Bounds
//
// Everything here is shown to the player and comes from a game the player
// does not control, so it is bounded and cleaned: messages over
// [MaxMessage] are ignored; at most [MaxVitals] vitals and [MaxExits]
// exits are kept; names are cut to [MaxNameLen] runes (exits and vital
// names to [MaxShortLen]); ANSI escape sequences, control characters and
// bidirectional overrides are removed.
//
// # Asking for the data
//
// The gateway, not the client, greets the game: it answers the game's
// WILL GMCP with Core.Hello and a Core.Supports.Set that already lists
// "Char 1" and "Room 1". [Hello] returns what the client may add to that.
package gmcp
