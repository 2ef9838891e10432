package gmcp

// Hello returns the GMCP messages ("Package json") the client sends to the
// game, as wire.TypeGMCPIn frames, to make sure it gets what this package
// shows: one Core.Supports.Add for Char, Char.Vitals, Room and Room.Info.
//
// What reaches the game is decided by the gateway. It drops Core.Hello
// from players always (it sends its own, naming itself), so the client's
// name and version are not sent. With the default allow-list
// (game.gmcp_from_players) Core.Supports.Set, .Add and .Remove pass; but a
// Set replaces the whole list, and would take back the packages the
// gateway's own Core.Supports.Set asked for (Char.Skills, Char.Items,
// Comm.Channel), so the client adds instead. The gateway's list already
// has "Char 1" and "Room 1", which cover Char.Vitals and Room.Info in IRE
// games; the message matters for games that want the messages named, and
// repeating a module is harmless. An operator's allow-list without
// Core.Supports.Add drops it, which costs nothing more.
//
// The gateway also drops GMCP while the game has not turned it on, so
// send these after the first wire.TypeGMCP frame of a game connection
// (the game turned GMCP on before sending it), again after every fresh
// game connection; not when the WebSocket opens.
func Hello() [][]byte {
	return [][]byte{[]byte(`Core.Supports.Add ["Char 1","Char.Vitals 1","Room 1","Room.Info 1"]`)}
}
