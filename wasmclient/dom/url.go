package dom

import "strings"

// webSocketURL is the gateway's /ws beside the page at pathname: wss on
// https pages (ws only for plain-http development pages), in the same
// directory as the page, so that a site served under a path prefix
// (https://game.example/play/, behind the game's own web server) reaches
// /play/ws.
func webSocketURL(protocol, host, pathname string) string {
	scheme := "wss:"
	if protocol == "http:" {
		scheme = "ws:"
	}
	dir := "/"
	if i := strings.LastIndexByte(pathname, '/'); i >= 0 {
		dir = pathname[:i+1]
	}
	return scheme + "//" + host + dir + "ws"
}
