package app

import (
	"bufio"
	"context"
	"net"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// TestGameInGBK runs the real gateway in front of a game that speaks GBK,
// as many Chinese MUDs still do: the player reads its Chinese in UTF-8,
// and what the player types in Chinese reaches the game in GBK.
func TestGameInGBK(t *testing.T) {
	lines := make(chan string, 1)
	game := serveGame(t, func(c net.Conn) {
		// 欢迎来到北大侠客行 (welcome to the game), then a prompt.
		c.Write([]byte("\xbb\xb6\xd3\xad\xc0\xb4\xb5\xbd\xb1\xb1\xb4\xf3\xcf\xc0\xbf\xcd\xd0\xd0\r\n> "))
		line, err := bufio.NewReader(c).ReadString('\n')
		if err == nil {
			lines <- line
		}
	})
	cfg := testConfig(t)
	cfg.Game.Backend, cfg.Game.Charset = game.Addr().String(), "gbk"
	g, _ := start(t, cfg)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws := dialPlayer(ctx, t, g, player(t, g, "Xiake"))
	defer ws.CloseNow()
	readOutput(ctx, t, ws, "欢迎来到北大侠客行\r\n> ")
	b, _ := wire.Append(nil, &wire.Frame{Type: wire.TypeLine, Data: []byte("说 你好")})
	if err := ws.Write(ctx, websocket.MessageBinary, b); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-lines:
		if want := "\xcb\xb5 \xc4\xe3\xba\xc3\r\n"; got != want {
			t.Errorf("the game read % x, want % x (说 你好 in GBK)", got, want)
		}
	case <-ctx.Done():
		t.Fatal("the game read no line")
	}
}
