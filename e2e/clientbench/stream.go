package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode/utf8"
)

// endMarker closes every stream. The benchmark looks for it on each
// client's screen after the flood, which proves that the last bytes were
// not only counted but shown.
const endMarker = "*** end of the benchmark stream ***"

// Stream size limits: below the minimum there is no room, above the
// maximum the page would hold more than a browser tab should.
const (
	minStreamSize = 1 << 10
	maxStreamSize = 256 << 20
)

// mudStream returns about size bytes (a few hundred more, to finish the
// last block and the end marker) of coloured MUD output, the same for the
// same seed: rooms with titles, wrapped descriptions, maps in box drawing,
// exits and things in 16, 256 and 24-bit colour, combat, chat with
// accented letters, and prompts. Lines end in CR LF, as telnet sends them,
// and a prompt is left without a line end until the next output starts.
func mudStream(seed uint64, size int) ([]byte, error) {
	return generate(seed, size, &latin)
}

// mudStreamCJK is mudStream with mixed CJK and Latin text: room names,
// descriptions, things, foes, speakers and chat in Chinese, Japanese and
// Korean mixed with Latin words, as on a CJK MUD, where commands, exits,
// numbers and the prompt stay Latin. Wide characters take two columns;
// descriptions wrap at 78 columns counted so.
func mudStreamCJK(seed uint64, size int) ([]byte, error) {
	return generate(seed, size, &cjk)
}

func generate(seed uint64, size int, v *vocab) ([]byte, error) {
	if size < minStreamSize || size > maxStreamSize {
		return nil, fmt.Errorf("stream size %d bytes outside %d..%d", size, minStreamSize, maxStreamSize)
	}
	g := &mudGen{
		v:     v,
		r:     rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)),
		b:     make([]byte, 0, size+4<<10),
		hp:    850,
		maxHP: 1000,
	}
	for len(g.b) < size {
		switch n := g.r.IntN(10); {
		case n < 4:
			g.room()
		case n < 8:
			g.combat()
		default:
			g.chat()
		}
		g.prompt()
	}
	g.str("\x1b[0m\r\n" + endMarker + "\r\n")
	return g.b, nil
}

// splitStream cuts a stream into messages of at most limit bytes, each
// ending on a whole UTF-8 character: the wire carries Output as UTF-8, so
// a message must not end inside a character. Escape sequences may be cut,
// as a game's TCP segments cut them.
func splitStream(stream []byte, limit int) ([][]byte, error) {
	if limit < utf8.UTFMax {
		return nil, fmt.Errorf("message size %d is below %d bytes, the longest UTF-8 character", limit, utf8.UTFMax)
	}
	if len(stream) == 0 {
		return nil, errors.New("empty stream")
	}
	var out [][]byte
	for len(stream) > 0 {
		n := min(limit, len(stream))
		if n < len(stream) {
			for n > 0 && !utf8.RuneStart(stream[n]) {
				n--
			}
			if n == 0 {
				return nil, errors.New("stream is not UTF-8: no character start within a message")
			}
		}
		out = append(out, stream[:n:n])
		stream = stream[n:]
	}
	return out, nil
}

// mudGen writes one stream.
type mudGen struct {
	v         *vocab
	r         *rand.Rand
	b         []byte
	hp, maxHP int
}

// vocab is the text a stream's rooms, fights and chat are made of.
type vocab struct {
	places, placeAdj, words, things, foes, speakers, sayings []string
}

var (
	latin = vocab{places: places, placeAdj: placeAdj, words: words, things: things, foes: foes, speakers: speakers, sayings: sayings}
	cjk   = vocab{
		places:   []string{"十字路口", "城堡", "鍛冶屋", "酒場「竜の心」", "마을 광장", "Fjörd", "神社", "市場", "望楼", "図書館", "부두", "Crypt"},
		placeAdj: []string{"古い", "廃墟の", "賑やかな", "静かな", "凍った", "Sunlit", "오래된", "Grand"},
		words: strings.Fields(`the 古い 石の 壁 松明 が 揺れる 影 踊る wind 風 吹く 壊れた アーチ 忘れられた
			城 of 苔むした 石畳 道 商人 叫ぶ 魚 パン 樽 rope 縄 カモメ 旋回 潮 塩 鉄 煙 煙突 鐘 鳴る
			遠い 寺 衛兵 見張る 旅人 通る 門 ルーン 青く 光る 古老的 城墙 火把 闪烁 影子 风 吹 破碎
			拱门 被遗忘 的 城堡 商人 喊 价格 오래된 돌 벽 횃불 그림자 바람 and through beside beyond`),
		things: []string{"錆びた長剣が落ちている。", "衛兵があくびをしながら見張っている。", "A small piñata hangs from a hook.",
			"吟遊詩人のエルウィンがリュートを調律している。", "金貨の山が輝いている。", "看板に「欢迎光临！」と書いてある。",
			"灰色의 쥐가 벽을 따라 달린다.", "An old 猫 sleeps here."},
		foes:     []string{"ゴブリン", "洞窟トロール", "冰霜巨龙", "산적", "the bandit", "大ネズミ"},
		speakers: []string{"エルウィン", "李白", "김민준", "Zoë", "さくら", "王芳", "Øyvind"},
		sayings: []string{"酒場はどこですか？", "Anyone up for the 地下墓地 run? ☺", "+2 の剣を 500 ゴールドで売ります。",
			"北方来的问候！", "brb, 咖啡 ☕", "누가 내 크렘 브륄레 가져갔어?", "LFG: 冰霜巨龙 — need healer"},
	}
)

var (
	places = []string{"Crossroads", "Château", "Forge", "Taverne du Cœur", "Fjörd", "Straße",
		"Crypt", "Marketplace", "Watchtower", "Garden of Æther", "Library", "Smithy", "Pier"}
	placeAdj = []string{"Old", "Ruined", "Crowded", "Silent", "Frozen", "Sunlit", "Haunted", "Grand"}
	words    = strings.Fields(`the a an of and with under over through beside beyond ancient mossy
		stone walls torch flickers shadows dance wind howls broken arches forgotten keep
		café façade naïve crème brûlée déjà vu señor mañana Ærø smörgåsbord piñata über
		cobbled street lantern merchant shouts prices fish bread barrels rope gulls circle
		overhead tide smells salt iron smoke rises from chimneys bells ring distant temple
		guards watch travellers pass beneath carved gate whose runes glow faintly blue`)
	exits  = []string{"north", "south", "east", "west", "up", "down", "northeast", "southwest"}
	things = []string{"A rusty longsword lies here.", "A town guard stands watch, yawning.",
		"A small piñata hangs from a hook.", "Ærwyn the bard tunes her lute.",
		"A pile of gold coins glitters here.", "A wooden sign reads: « Bienvenue ! »",
		"A grey rat scurries along the wall.", "An old crème-coloured cat sleeps here."}
	foes  = []string{"the goblin", "the cave troll", "Señor Muerte", "the frost wyrm", "the bandit", "the giant rat"}
	verbs = []struct {
		word string
		sgr  string
	}{
		{"scratches", "\x1b[37m"}, {"hits", "\x1b[33m"}, {"wounds", "\x1b[93m"},
		{"MAULS", "\x1b[31m"}, {"DECIMATES", "\x1b[1;91m"}, {"*** ANNIHILATES ***", "\x1b[1;95m"},
	}
	channels = []struct{ name, sgr string }{
		{"gossip", "\x1b[1;35m"}, {"auction", "\x1b[1;33m"}, {"clan", "\x1b[1;36m"},
	}
	speakers = []string{"Ærwyn", "Björn", "Zoë", "Jürgen", "Amélie", "Ñandú", "Øyvind"}
	sayings  = []string{"¿Dónde está la taberna?", "Anyone up for the crypt run? ☺",
		"Selling a +2 épée, 500 gold.", "Grüße aus dem Norden!", "brb, café ☕",
		"Who took my crème brûlée?", "LFG: frost wyrm — need healer"}
	terrain = []struct {
		glyph   string
		r, g, b int
	}{
		{"·", 90, 160, 60}, {"♣", 20, 110, 30}, {"≈", 40, 90, 200}, {"▲", 140, 120, 100}, {"#", 150, 150, 150},
	}
)

func (g *mudGen) str(s string)           { g.b = append(g.b, s...) }
func (g *mudGen) pick(s []string) string { return s[g.r.IntN(len(s))] }

// sgr256 and sgrRGB are foreground colours from the 256-colour palette
// and in 24-bit colour.
func (g *mudGen) sgr256(n int) { g.str("\x1b[38;5;" + strconv.Itoa(n) + "m") }
func (g *mudGen) sgrRGB(r, gr, b int) {
	g.str("\x1b[38;2;" + strconv.Itoa(r) + ";" + strconv.Itoa(gr) + ";" + strconv.Itoa(b) + "m")
}

// room writes a room: title, description, sometimes a map, exits, things.
func (g *mudGen) room() {
	g.str("\r\n\x1b[1;3" + strconv.Itoa(1+g.r.IntN(7)) + "m")
	g.str(g.pick(g.v.placeAdj) + " " + g.pick(g.v.places) + "\x1b[0m\r\n")
	g.description(40 + g.r.IntN(60))
	if g.r.IntN(4) == 0 {
		g.boxMap(12+g.r.IntN(10), 3+g.r.IntN(3))
	}
	g.str("\x1b[0;32m[Exits:")
	for i, n := 0, 1+g.r.IntN(4); i < n; i++ {
		g.str(" " + g.pick(exits))
	}
	g.str("]\x1b[0m\r\n")
	for i, n := 0, g.r.IntN(4); i < n; i++ {
		g.sgr256(16 + g.r.IntN(216))
		g.str(g.pick(g.v.things) + "\x1b[0m\r\n")
	}
}

// description writes n words wrapped at 78 columns.
func (g *mudGen) description(n int) {
	col := 0
	for i := 0; i < n; i++ {
		w := g.pick(g.v.words)
		if i == 0 {
			w = capitalize(w)
		}
		wl := columns(w)
		if col > 0 && col+1+wl > 78 {
			g.str("\r\n")
			col = 0
		}
		if col > 0 {
			g.str(" ")
			col++
		}
		g.str(w)
		col += wl
	}
	g.str(".\r\n")
}

// boxMap draws a w x h map of the area in a box, the terrain in 24-bit
// colour and the player as a bold @.
func (g *mudGen) boxMap(w, h int) {
	g.str("\x1b[90m┌" + strings.Repeat("─", w) + "┐\x1b[0m\r\n")
	px, py := g.r.IntN(w), g.r.IntN(h)
	for y := 0; y < h; y++ {
		g.str("\x1b[90m│")
		for x := 0; x < w; x++ {
			if x == px && y == py {
				g.str("\x1b[1;97m@\x1b[22m")
				continue
			}
			t := terrain[g.r.IntN(len(terrain))]
			shade := g.r.IntN(40)
			g.sgrRGB(min(255, t.r+shade), min(255, t.g+shade), min(255, t.b+shade))
			g.str(t.glyph)
		}
		g.str("\x1b[90m│\x1b[0m\r\n")
	}
	g.str("\x1b[90m└" + strings.Repeat("─", w) + "┘\x1b[0m\r\n")
}

// combat writes a round or a few: the player's blows, the foe's, damage.
func (g *mudGen) combat() {
	foe := g.pick(g.v.foes)
	g.str("\r\n")
	for i, n := 0, 2+g.r.IntN(6); i < n; i++ {
		v := verbs[g.r.IntN(len(verbs))]
		dmg := 1 + g.r.IntN(120)
		if g.r.IntN(2) == 0 {
			g.str("Your slash " + v.sgr + v.word + "\x1b[0m " + foe + "! ")
		} else {
			g.str(capitalize(foe) + "'s bite " + v.sgr + v.word + "\x1b[0m you! ")
			g.hp = max(1, g.hp-dmg/4)
		}
		// Big hits fade from yellow to red in 24-bit colour.
		g.sgrRGB(255, max(0, 255-dmg*2), 0)
		g.str("[" + strconv.Itoa(dmg) + "]\x1b[0m\r\n")
	}
	if g.r.IntN(3) == 0 {
		g.str("\x1b[1;31m" + capitalize(foe) + " is DEAD!!\x1b[0m You receive \x1b[1;33m" +
			strconv.Itoa(100+g.r.IntN(900)) + "\x1b[0m experience points.\r\n")
		g.hp = g.maxHP
	}
}

// chat writes a few channel messages.
func (g *mudGen) chat() {
	g.str("\r\n")
	for i, n := 0, 1+g.r.IntN(3); i < n; i++ {
		ch := channels[g.r.IntN(len(channels))]
		g.str(ch.sgr + "[" + ch.name + "]\x1b[0;35m " + g.pick(g.v.speakers) + ": " + g.pick(g.v.sayings) + "\x1b[0m\r\n")
	}
}

// prompt writes the status prompt, coloured by health, without a line end.
func (g *mudGen) prompt() {
	colour := "\x1b[32m"
	if g.hp < g.maxHP/3 {
		colour = "\x1b[1;31m"
	}
	g.str(colour + "<" + strconv.Itoa(g.hp) + "hp \x1b[0;33m" + strconv.Itoa(200+g.r.IntN(100)) + "m \x1b[36m" +
		strconv.Itoa(300+g.r.IntN(50)) + "mv\x1b[0m> ")
}

// columns is how many terminal columns s takes: two for a wide (East
// Asian) character, one for any other. It knows the ranges the streams
// use (Hangul, CJK punctuation, kana, ideographs, fullwidth forms), not
// all of Unicode's East Asian Width property (UAX #11).
func columns(s string) int {
	n := 0
	for _, r := range s {
		n++
		if wide(r) {
			n++
		}
	}
	return n
}

// wide reports whether r is in one of the wide ranges columns knows.
func wide(r rune) bool {
	switch {
	case r >= 0x1100 && r <= 0x115f, // Hangul Jamo leading consonants
		r >= 0x2e80 && r <= 0x303e, // CJK radicals, punctuation
		r >= 0x3041 && r <= 0x33ff, // kana, CJK compatibility
		r >= 0x3400 && r <= 0x4dbf, // CJK extension A
		r >= 0x4e00 && r <= 0x9fff, // CJK unified ideographs
		r >= 0xac00 && r <= 0xd7a3, // Hangul syllables
		r >= 0xf900 && r <= 0xfaff, // CJK compatibility ideographs
		r >= 0xff00 && r <= 0xff60, // fullwidth forms
		r >= 0xffe0 && r <= 0xffe6:
		return true
	}
	return false
}

// capitalize upper-cases the first letter of s, which may be more than a
// byte long.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}
