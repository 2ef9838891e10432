package dom

import "testing"

func TestWebSocketURL(t *testing.T) {
	for _, tc := range []struct{ protocol, host, path, want string }{
		{"https:", "game.example", "/play", "wss://game.example/ws"},
		{"https:", "game.example", "/", "wss://game.example/ws"},
		{"https:", "game.example:8443", "/mud/play", "wss://game.example:8443/mud/ws"},
		{"https:", "game.example", "/play/play", "wss://game.example/play/ws"},
		{"http:", "127.0.0.1:8080", "/play", "ws://127.0.0.1:8080/ws"},
		{"https:", "game.example", "", "wss://game.example/ws"},
	} {
		if got := webSocketURL(tc.protocol, tc.host, tc.path); got != tc.want {
			t.Errorf("webSocketURL(%q, %q, %q) = %q, want %q", tc.protocol, tc.host, tc.path, got, tc.want)
		}
	}
}
