package mxp

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

const (
	secure = "\x1b[1z"
	open   = "\x1b[0z"
	locked = "\x1b[2z"
	st     = "\x1b\\"
	endL   = "\x1b]8;;" + st // end of a link
)

// link is the OSC 8 that opens a link to uri.
func link(uri string) string { return "\x1b]8;;" + uri + st }

// run filters in, given in pieces, and returns what the player saw and
// what was answered.
func run(cfg Config, pieces ...string) (out, reply string) {
	f := New(cfg)
	var o, r []byte
	for _, p := range pieces {
		o, r = f.Append(o, r, []byte(p))
	}
	return string(o), string(r)
}

var filterCases = []struct {
	name, in, out, reply string
}{
	// Plain text and the game's own escape sequences pass.
	{"plain", "Hello\r\nworld > ", "Hello\r\nworld > ", ""},
	{"ansi", "\x1b[1;31mred\x1b[0m \x1b[2J\x1b(B\x1b7", "\x1b[1;31mred\x1b[0m \x1b[2J\x1b(B\x1b7", ""},
	{"utf-8", "Zoë 😀 日本 <B>é</B>", "Zoë 😀 日本 \x1b[1mé\x1b[22m", ""},
	{"controls pass", "a\tb\x07c\x08", "a\tb\x07c\x08", ""},

	// Line modes are consumed.
	{"line modes consumed", secure + "a" + open + "b\x1b[5z\x1b[10zc\x1b[19z\x1b[99z\x1b[z", "abc", ""},
	{"other CSI z passes", "\x1b[1;2z\x1b[?1z", "\x1b[1;2z\x1b[?1z", ""},

	// Open tags work in open mode; secure ones are dropped there.
	{"bold", "<B>bold</B> <bold>b</bold> <STRONG>s</strong>", "\x1b[1mbold\x1b[22m \x1b[1mb\x1b[22m \x1b[1ms\x1b[22m", ""},
	{"italic underline strike", "<I>i</I><EM>e</EM><U>u</U><S>s</S><strikeout>t</strikeout>",
		"\x1b[3mi\x1b[23m\x1b[3me\x1b[23m\x1b[4mu\x1b[24m\x1b[9ms\x1b[29m\x1b[9mt\x1b[29m", ""},
	{"nested", "<B><I>x</I>y</B>", "\x1b[1m\x1b[3mx\x1b[23my\x1b[22m", ""},
	{"close closes inner", "<B><I>x</B>y", "\x1b[1m\x1b[3mx\x1b[22;23my", ""},
	{"secure tag in open mode dropped", "<SEND>look</SEND> <A href='http://x.org'>x</A> <!ELEMENT x 'y'><x>",
		"look x <x>", ""},
	{"version in open mode ignored", "<VERSION><SUPPORT>", "", ""},
	{"unknown tags are text", "<100hp 20mv> <grin> </grin> <Bob's> <a-b c=d>", "<100hp 20mv> <grin> </grin> <Bob's> <a-b c=d>", ""},
	{"not tags", "a < b, c<3, <- left, <<B>x</B>, <>, </>, <!>", "a < b, c<3, <- left, <\x1b[1mx\x1b[22m, <>, </>, <!>", ""},
	{"comment", secure + "a<!-- a comment -->b", "ab", ""},
	{"close without open", "</B>x</COLOR>", "x", ""},
	{"self-closing", "a<BR/>b", "a\r\nb", ""},

	// Locked lines are not parsed.
	{"locked line", locked + "<B>x</B> &lt;\r\n<B>y</B>", "<B>x</B> &lt;\r\n\x1b[1my\x1b[22m", ""},
	{"lock locked", "\x1b[7z<B>x\r\n<I>&amp;" + "\x1b[5z<B>y</B>", "<B>x\r\n<I>&amp;\x1b[1my\x1b[22m", ""},

	// Entities.
	{"entities", "&lt;&gt;&amp;&quot;&apos;&nbsp;&#65;&#x42;&#X43;&eacute;&copy;&euro;",
		"<>&\"'\u00a0ABCé©€", ""},
	{"low numeric entities ignored", "a&#7;&#27;&#127;&#x9b;&#0;b&#1114112;&#55296;c", "abc", ""},
	{"not entities", "Tom & Jerry, AT&T, &unknown; &#; &#x; &nbsp &;x &" + strings.Repeat("a", 40) + ";",
		"Tom & Jerry, AT&T, &unknown; &#; &#x; &nbsp &;x &" + strings.Repeat("a", 40) + ";", ""},
	{"entity case matters", "&LT;&Lt;", "&LT;&Lt;", ""},

	// Colours.
	{"color name", "<COLOR red>r</COLOR>", "\x1b[38;2;255;0;0mr\x1b[39m", ""},
	{"c fore back", "<C fore=Yellow back=#000080>y</C>", "\x1b[38;2;255;255;0;48;2;0;0;128my\x1b[39;49m", ""},
	{"color short hex", "<COLOR #f80>o</COLOR>", "\x1b[38;2;255;136;0mo\x1b[39m", ""},
	{"bad colour", "<COLOR nosuch>x</COLOR><C \x22#12345\x22>y</C>", "xy", ""},
	{"colour restores the game's", "\x1b[32m<C red>x</C>y", "\x1b[32m\x1b[38;2;255;0;0mx\x1b[32my", ""},
	{"colour restores 256 and rgb", "\x1b[38;5;208;48;2;1;2;3m<C blue>x</C>",
		"\x1b[38;5;208;48;2;1;2;3m\x1b[38;2;0;0;255mx\x1b[38;5;208m", ""},
	{"game reset inside", "<B>x\x1b[0my</B>z", "\x1b[1mx\x1b[0myz", ""},
	{"font color", "<FONT \x22Times New Roman\x22 12 red>x</FONT><FONT COLOR=Blue,Bold back=white>y</FONT>",
		"\x1b[38;2;255;0;0mx\x1b[39m\x1b[1;38;2;0;0;255;48;2;255;255;255my\x1b[22;39;49m", ""},
	{"high", "<H>x</H> \x1b[31m<HIGH>y</HIGH> <C #000000><H>z</H></C>",
		"\x1b[1mx\x1b[22m \x1b[31m\x1b[91my\x1b[31m \x1b[38;2;0;0;0m\x1b[38;2;127;127;127mz\x1b[38;2;0;0;0m\x1b[31m", ""},
	{"headings", "<H1>t</H1>", "\x1b[1mt\x1b[22m", ""},

	// Line spacing.
	{"br sbr", "a<BR>b<SBR>c", "a\r\nb c", ""},
	{"nobr", "a<NOBR>\r\nb\r\nc", "ab\r\nc", ""},
	{"p secure", "\x1b[6z<P>one\r\ntwo\r\nthree</P>\r\nfour", "one two three\r\nfour", ""},
	{"p open closes at the newline", "<P>one\r\ntwo", "one\r\ntwo", ""},

	// Open tags close at the newline, and when leaving open mode.
	{"open tags close at newline", "<B>x\r\ny", "\x1b[1mx\x1b[22m\r\ny", ""},
	{"leaving open mode closes", "<B>x" + secure + "y", "\x1b[1mx\x1b[22my", ""},
	{"secure tags stay open", secure + "<B>x\r\ny" + secure + "</B>z", "\x1b[1mx\r\ny\x1b[22mz", ""},
	{"open line cannot close a secure tag", secure + "<B>x\r\n</B>y" + secure + "</B>z", "\x1b[1mx\r\ny\x1b[22mz", ""},
	{"reset", secure + "<B><C red>x\x1b[3z<SEND>y</SEND>", "\x1b[1m\x1b[38;2;255;0;0mx\x1b[22;39my", ""},
	{"lock secure", "\x1b[6z<SEND>a</SEND>\r\n<SEND>b</SEND>",
		link("mxp:send?c=a") + "a" + endL + "\r\n" + link("mxp:send?c=b") + "b" + endL, ""},
	{"temp secure", "\x1b[4z<SEND>x\x1b[4z</SEND> <SEND>y</SEND>", link("mxp:send?c=x") + "x" + endL + " y", ""},
	{"temp secure needs a tag at once", "\x1b[4z <SEND>x</SEND>", " x", ""},

	// SEND, the specification's examples.
	{"send text", secure + "<send>buy bread</send>", link("mxp:send?c=buy+bread") + "buy bread" + endL, ""},
	{"send href", secure + `<send href="buy bread">bread</send>`, link("mxp:send?c=buy+bread") + "bread" + endL, ""},
	{"send element", secure + `<!ELEMENT Item '<send href="buy &text;">'>` + "\r\n" + secure + "<Item>bread</Item>",
		"\r\n" + link("mxp:send?c=buy+bread") + "bread" + endL, ""},
	{"send short element", secure + `<!EL Itm '<send "buy &text;">'>` + secure + "<Itm>water</Itm>",
		link("mxp:send?c=buy+water") + "water" + endL, ""},
	{"send menu", secure + `<send "command1|command2|command3" hint="click to see menu|Item 1|Item 2|Item 2">this is a menu link</SEND>`,
		link("mxp:send?c=command1&c=command2&c=command3&l=Item+1&l=Item+2&l=Item+2&t=click+to+see+menu") + "this is a menu link" + endL, ""},
	{"send menu labels", secure + `<send "a|b" hint="A|B">x</send>`, link("mxp:send?c=a&c=b&l=A&l=B") + "x" + endL, ""},
	{"send menu odd hint", secure + `<send "a|b" hint="tip|A|B|C">x</send>`, link("mxp:send?c=a&c=b&t=tip") + "x" + endL, ""},
	{"send hint", secure + `<send "look" hint="Look at it">it</send>`, link("mxp:send?c=look&t=Look+at+it") + "it" + endL, ""},
	{"send prompt", secure + `<SEND "tell Zugg " PROMPT>Zugg</SEND>`, link("mxp:send?c=tell+Zugg+&p=1") + "Zugg" + endL, ""},
	{"send brief example", secure + `<SEND href="go north|look north" hint="Exits|Go|Look">north</SEND>`,
		"\x1b]8;;mxp:send?c=go+north&c=look+north&l=Go&l=Look&t=Exits\x1b\\north\x1b]8;;\x1b\\", ""},
	{"send text in hint", secure + `<send "kill &text;" hint="Kill the &TEXT;">orc</send>`,
		link("mxp:send?c=kill+orc&t=Kill+the+orc") + "orc" + endL, ""},
	{"send entities", secure + `<send "say &lt;&amp;&#39;&quot;">x</send>`, link("mxp:send?c=say+%3C%26%27%22") + "x" + endL, ""},
	{"send escapes", secure + `<send "a=b&amp;c?d/e+f%">x</send>`, link("mxp:send?c=a%3Db%26c%3Fd%2Fe%2Bf%25") + "x" + endL, ""},
	{"send styled text", secure + "<send><B>buy</B> bread</send>", link("mxp:send?c=buy+bread") + "\x1b[1mbuy\x1b[22m bread" + endL, ""},
	{"send expire ignored", secure + `<send "n" expire=exits>n</send><EXPIRE exits>`, link("mxp:send?c=n") + "n" + endL, ""},
	{"send empty command", secure + `<send "a||b">x</send><send>  </send><send ""></send>`, "x  ", ""},
	{"send without end", secure + "<send>north", "", ""},
	{"send cut by newline", secure + "<send>north\r\nsouth</send>", "north\r\nsouth", ""},
	{"send open at the newline", secure + "<send n>a\r\nb</send>" + secure + "<send s>c</send>",
		link("mxp:send?c=n") + "a" + endL + "\r\nb" + link("mxp:send?c=s") + "c" + endL, ""},
	{"send nested", secure + "<send a><send b>x</send>y</send>", link("mxp:send?c=a") + "xy" + endL, ""},
	{"send streamed styles", secure + `<send "x"><B>y</send>z`, link("mxp:send?c=x") + "\x1b[1my" + endL + "\x1b[22mz", ""},

	// A.
	{"a", secure + `<A href="https://www.zuggsoft.com/x y">zMUD</A>`, link("https://www.zuggsoft.com/x%20y") + "zMUD" + endL, ""},
	{"a text", secure + `<A>http://example.org/</A>`, link("http://example.org/") + "http://example.org/" + endL, ""},
	{"a mailto", secure + `<a "mailto:zugg@zuggsoft.com">mail</a>`, link("mailto:zugg@zuggsoft.com") + "mail" + endL, ""},
	{"a other schemes", secure + `<A href="javascript:alert(1)">x</A><A href="mxp:send?c=x">y</A><A href="telnet://a:23">z</A>`, "xyz", ""},

	// Elements and entities, the specification's examples.
	{"element", secure + `<!ELEMENT red '<COLOR red><B>'>` + secure + "<red>This text is bold and red</red>",
		"\x1b[38;2;255;0;0m\x1b[1mThis text is bold and red\x1b[22;39m", ""},
	{"element attributes", secure + `<!ELEMENT boldtext '<COLOR &col;><B>' ATT='col=red'>` + "\r\n" + secure +
		"<boldtext>r</boldtext><boldtext col=blue>b</boldtext><boldtext blue>c</boldtext>",
		"\r\n\x1b[38;2;255;0;0m\x1b[1mr\x1b[22;39m\x1b[38;2;0;0;255m\x1b[1mb\x1b[22;39m\x1b[38;2;0;0;255m\x1b[1mc\x1b[22;39m", ""},
	{"attlist", secure + `<!ELEMENT bt '<COLOR &color;>'><!ATTLIST bt 'color=red background=white flags'>` + secure + `<bt>x</bt><bt "" blue>y</bt><bt color=lime>z</bt>`,
		"\x1b[38;2;255;0;0mx\x1b[39m\x1b[38;2;255;0;0my\x1b[39m\x1b[38;2;0;255;0mz\x1b[39m", ""},
	{"open element in open mode", secure + `<!ELEMENT Chat '<FONT COLOR=Gray>' OPEN>` + "\r\n<Chat>hi</Chat> <Chat>x\r\ny",
		"\r\n\x1b[38;2;128;128;128mhi\x1b[39m \x1b[38;2;128;128;128mx\x1b[39m\r\ny", ""},
	{"secure element in open mode", secure + `<!ELEMENT Imm '<FONT COLOR=Red>'>` + "\r\n<Imm>hi</Imm>", "\r\nhi", ""},
	{"open element cannot link", secure + `<!ELEMENT Ex '<SEND>' OPEN>` + "\r\n<Ex>n</Ex>" + secure + "<Ex>s</Ex>",
		"\r\nn" + link("mxp:send?c=s") + "s" + endL, ""},
	{"empty element", secure + `<!ELEMENT rule '<BR>----<BR>' EMPTY>` + secure + "a<rule>b</rule>", "a\r\n----\r\nb", ""},
	{"delete element", secure + `<!EL x '<B>'><!EL x DELETE>` + secure + "<x>y</x>", "<x>y</x>", ""},
	{"builtins are not redefined", secure + `<!EL B '<I>'><!EL send '<B>' OPEN>` + secure + "<B>x</B>", "\x1b[1mx\x1b[22m", ""},
	{"mapper tags", secure + "<RName>Temple</RName> <RNum>12</RNum>", "Temple 12", ""},
	{"mapper tags defined", secure + `<!ELEMENT RName '<B>' FLAG="RoomName">` + secure + "<RName>Temple</RName>", "\x1b[1mTemple\x1b[22m", ""},
	{"entity", secure + `<!ENTITY Version "6.15">` + "The current version of zMUD is &Version;", "The current version of zMUD is 6.15", ""},
	{"entity tags", secure + `<!ENTITY Start "<em>"><!ENTITY End "</em>">` + "\r\n&Start;This text is emphasized&End;",
		"\r\n\x1b[3mThis text is emphasized\x1b[23m", ""},
	{"entity case", secure + `<!ENTITY hp "10">` + "&hp; &HP;", "10 &HP;", ""},
	{"entity delete add remove", secure + `<!EN l "a"><!EN l "b" ADD><!EN l c ADD><!EN l "b" REMOVE>` + "&l;" + secure + `<!EN l DELETE>&l;`,
		"a|c&l;", ""},
	{"entity not standard", secure + `<!ENTITY lt "x"><!ENTITY #1 "y">` + "&lt;", "<", ""},
	{"entity in attribute", secure + `<!ENTITY c "blue">` + secure + "<C &c;>x</C>", "\x1b[38;2;0;0;255mx\x1b[39m", ""},
	{"var", secure + "Hp: <VAR Hp>100</Var> &Hp;" + secure + "<V x>&lt;B&gt;</V>&x;", "Hp: 100 100<B><B>", ""},

	// Mapper and other unimplemented tags.
	{"ignored tags", secure + `<SOUND "ouch.wav" 50><IMAGE x.gif><GAUGE hp><FRAME Name="Map"><RELOCATE h 1><USER><PASSWORD>` +
		`<SMALL>s</SMALL><TT>t</TT><WELCOME>w</WELCOME>`, "stw", ""},
	{"hidden tags", secure + "a<DEST Status X=10 Y=2><B>100</B></DEST>b<SCRIPT>x</SCRIPT>c", "abc", ""},

	// Answers.
	{"version", secure + "<VERSION>", "", "\x1b[1z<VERSION MXP=1.0 CLIENT=Drawbridge VERSION=1.2.3>\n"},
	{"version style", secure + "<VERSION 7>" + secure + "<VERSION>", "", "\x1b[1z<VERSION MXP=1.0 STYLE=7 CLIENT=Drawbridge VERSION=1.2.3>\n"},
	{"support asked", secure + `<SUPPORT image "color.*" send.expire send.href b Font.Face x.y a.*>`, "",
		"\x1b[1z<SUPPORTS -image +color.fore +color.back -send.expire +send.href +b -font.face -x.y +a.href -a.hint -a.expire>\n"},
	{"support all", secure + "<SUPPORT>", "",
		"\x1b[1z<SUPPORTS +b +bold +strong +i +italic +em +u +underline +s +strikeout +c +color +h +high +font +nobr +p +br +sbr" +
			" +h1 +h2 +h3 +h4 +h5 +h6 -hr -small -tt +send +a -expire +version +support +!element +!attlist +!entity -!tag +var +v" +
			" -sound -music -gauge -stat -frame -dest -destination -relocate -user -password -image -filter -script -welcome>\n"},

	// Line tags.
	{"line tag", secure + `<!ELEMENT Auction '<FONT COLOR=red>' TAG=20 OPEN>` + "\r\n" +
		"\x1b[20zA nice shiny sword is being auctioned.\r\n<Auction>Also, a gold ring is being auctioned.</Auction>\r\n",
		"\r\n\x1b[38;2;255;0;0mA nice shiny sword is being auctioned.\x1b[39m\r\n" +
			"\x1b[38;2;255;0;0mAlso, a gold ring is being auctioned.\x1b[39m\r\n", ""},
	{"line tag undefined", "\x1b[21zx", "x", ""},
	{"line tag secure", secure + `<!ELEMENT ex '<send>' TAG=22>` + "\r\n\x1b[22zn\r\n",
		"\r\n" + link("mxp:send?c=n") + "n" + endL + "\r\n", ""},

	// The game's OSC: a line that is not secure makes no command link.
	{"osc title", "\x1b]0;title\x07x", "\x1b]0;title\x07x", ""},
	{"osc http link", "\x1b]8;;https://x.org/\x1b\\x\x1b]8;;\x1b\\", "\x1b]8;;https://x.org/\x1b\\x\x1b]8;;\x1b\\", ""},
	{"osc mxp link dropped", "\x1b]8;;mxp:send?c=quit\x1b\\x\x1b]8;;\x1b\\", "x\x1b]8;;\x1b\\", ""},
	{"osc mxp link variants", "\x1b]08;id=1;MXP:send?c=quit\x07a\x1b]8;;m\nxp:send?c=x\x1b\\b\x1b]8;; mxp:x\x1b\\c", "abc", ""},
	{"osc javascript dropped", "\x1b]8;;javascript:x\x07a", "a", ""},
	{"osc locked", locked + "\x1b]8;;mxp:send?c=quit\x1b\\x", "x", ""},
	{"osc secure", secure + "\x1b]8;;mxp:send?c=n\x1b\\n", "\x1b]8;;mxp:send?c=n\x1b\\n", ""},
	{"osc aborted", "\x1b]8;;mxp:send?c=q\x1b[1mx\x1b]8;;mxp:\x18y", "\x1b[1mxy", ""},
	{"osc too long", "\x1b]8;;http://" + strings.Repeat("a", 5000) + "\x07x", "x", ""},
}

func TestFilter(t *testing.T) {
	cfg := Config{Version: "1.2.3"}
	for _, tc := range filterCases {
		t.Run(tc.name, func(t *testing.T) {
			out, reply := run(cfg, tc.in)
			if out != tc.out {
				t.Errorf("got out  %q\nwant     %q", out, tc.out)
			}
			if reply != tc.reply {
				t.Errorf("got reply %q, want %q", reply, tc.reply)
			}
			// However the text is cut, the same comes out.
			var pieces []string
			for _, r := range tc.in {
				pieces = append(pieces, string(r))
			}
			if out2, reply2 := run(cfg, pieces...); out2 != out || reply2 != reply {
				t.Errorf("rune at a time: got %q %q, want %q %q", out2, reply2, out, reply)
			}
		})
	}
}

// TestSendURIParses checks that every command link the filter makes is
// what net/url reads back: the web client parses them with it.
func TestSendURIParses(t *testing.T) {
	f := New(Config{})
	uri, ok := f.sendURI([]byte("go north|look north|say a+b=c&d é"), []byte("Exits|Go|Look|Say"), nil, true)
	if !ok {
		t.Fatal("no URI")
	}
	rest, found := strings.CutPrefix(string(uri), "mxp:send?")
	if !found {
		t.Fatalf("got %q", uri)
	}
	q, err := url.ParseQuery(rest)
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"c": {"go north", "look north", "say a+b=c&d é"}, "l": {"Go", "Look", "Say"}, "t": {"Exits"}, "p": {"1"}}
	if rest != want.Encode() || q.Encode() != rest {
		t.Errorf("got %q (%v), want %q", rest, q, want.Encode())
	}
	for _, s := range []string{"", "a b", "a+b", "~._-", "\u00e9\u65e5", "%&=?/#;:@$,!'()*[]"} {
		if got, want := string(appendQueryEscape(nil, []byte(s))), url.QueryEscape(s); got != want {
			t.Errorf("appendQueryEscape(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestSendBounds(t *testing.T) {
	long := strings.Repeat("x", maxCommand+1)
	many := strings.TrimSuffix(strings.Repeat("n|", maxCommands+1), "|")
	tests := []struct{ name, in, out string }{
		{"command too long", `<send "` + long + `">x</send>`, "x"},
		{"too many commands", `<send "` + many + `">x</send>`, "x"},
		{"text too long", "<send>" + long + "</send>", long},
		{"tooltip too long: left out", `<send "n" hint="` + long + `">x</send>`, link("mxp:send?c=n") + "x" + endL},
		{"uri too long: labels left out", `<send "` + strings.Repeat("a", 400) + "|" + strings.Repeat("b", 400) + "|" + strings.Repeat("c", 400) + `" hint="` +
			strings.Repeat("ö", 200) + "|" + strings.Repeat("ö", 200) + "|" + strings.Repeat("ö", 200) + `">x</send>`,
			link("mxp:send?c="+strings.Repeat("a", 400)+"&c="+strings.Repeat("b", 400)+"&c="+strings.Repeat("c", 400)) + "x" + endL},
		{"held text too long", "<send>" + strings.Repeat("y", DefaultMaxSendText+10) + "</send>", strings.Repeat("y", DefaultMaxSendText+10)},
		{"c1 control", "<send \"a\u0085b\">x</send>", "x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _ := run(Config{MaxTag: 8192}, secure+tc.in)
			if out != tc.out {
				t.Errorf("got %q, want %q", out, tc.out)
			}
		})
	}
}

// TestDetailedExample runs the specification's "detailed example".
func TestDetailedExample(t *testing.T) {
	defs := []string{
		`<!-- Elements to support the Automapper -->`,
		`<!ELEMENT RName '<FONT COLOR=Red><B>' FLAG="RoomName">`,
		`<!ELEMENT RDesc FLAG='RoomDesc'>`,
		`<!ELEMENT RExits '<FONT COLOR=Blue>' FLAG='RoomExit'>`,
		`<!-- The next element is used to define a room exit link that sends`,
		`the exit direction to the MUD if the user clicks on it -->`,
		`<!ELEMENT Ex '<SEND>'>`,
		`<!ELEMENT Chat '<FONT COLOR=Gray>' OPEN>`,
		`<!ELEMENT Gossip '<FONT COLOR=Cyan>' OPEN>`,
		`<!-- in addition to standard HTML Color specifications, you can use`,
		`color attribute names such as blink -->`,
		`<!ELEMENT ImmChan '<FONT COLOR=Red,Blink>'>`,
		`<!ELEMENT Auction '<FONT COLOR=Purple>' OPEN>`,
		`<!ELEMENT Group '<FONT COLOR=Blue>' OPEN>`,
		`<!-- the next elements deal with the MUD prompt -->`,
		`<!ELEMENT Prompt FLAG="Prompt">`,
		`<!ELEMENT Hp FLAG="Set hp">`,
		`<!ELEMENT MaxHp FLAG="Set maxhp">`,
		`<!ELEMENT Mana FLAG="Set mana">`,
		`<!ELEMENT MaxMana FLAG="Set maxmana">`,
		`<!-- now the MUD text -->`,
		`<RName>The Main Temple</RName>`,
		`<RDesc>This is the main hall of the MUD where everyone starts.`,
		`Marble arches lead south into the town, and there is a <i>lovely</i>`,
		`<send "drink &text;">fountain</send> in the center of the temple,</RDesc>`,
		`<RExits>Exits: <Ex>N</Ex>, <Ex>S</Ex>, <Ex>E</Ex>, <Ex>W</Ex></RExits>`,
		``,
		`<Prompt>[<Hp>100</Hp>/<MaxHp>120</MaxHp>hp <Mana>50</Mana>/<MaxMana>55</MaxMana>mana]</Prompt>`,
	}
	// The whole example on secure lines, as a game would send it.
	in := "\x1b[6z" + strings.Join(defs, "\r\n")
	out, _ := run(Config{}, in)
	text := plain(out)
	// 21 lines of definitions, two of them comments over two lines.
	wantText := strings.Repeat("\r\n", 19) +
		"The Main Temple\r\n" +
		"This is the main hall of the MUD where everyone starts.\r\n" +
		"Marble arches lead south into the town, and there is a lovely\r\n" +
		"fountain in the center of the temple,\r\n" +
		"Exits: N, S, E, W\r\n" +
		"\r\n" +
		"[100/120hp 50/55mana]"
	if text != wantText {
		t.Errorf("got text %q\nwant     %q", text, wantText)
	}
	for _, want := range []string{
		"\x1b[38;2;255;0;0m\x1b[1mThe Main Temple\x1b[22;39m",
		"\x1b[3mlovely\x1b[23m",
		link("mxp:send?c=drink+fountain") + "fountain" + endL,
		"\x1b[38;2;0;0;255mExits: " + link("mxp:send?c=N") + "N" + endL + ", " + link("mxp:send?c=S") + "S" + endL,
		link("mxp:send?c=W") + "W" + endL + "\x1b[39m",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%q", want, out)
		}
	}
}

var escapes = regexp.MustCompile("\x1b\\[[0-9;]*m|\x1b\\]8;;[^\x1b]*\x1b\\\\")

// plain is out without SGR and links.
func plain(out string) string { return escapes.ReplaceAllString(out, "") }

func TestFlush(t *testing.T) {
	tests := []struct{ name, in, out, flushed string }{
		{"tag", "hp <B", "hp ", "<B"},
		{"entity", "a &amp", "a ", "&amp"},
		{"held send", secure + "<send>north", "", "north"},
		{"escape kept", "x\x1b[3", "x", ""},
		{"nothing", "x", "x", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := New(Config{})
			out, _ := f.Append(nil, nil, []byte(tc.in))
			if string(out) != tc.out {
				t.Errorf("got %q before Flush, want %q", out, tc.out)
			}
			if got := string(f.Flush(nil)); got != tc.flushed {
				t.Errorf("Flush gave %q, want %q", got, tc.flushed)
			}
			// After Flush the text goes on as usual.
			if out, _ := f.Append(nil, nil, []byte("m>")); string(out) != "m>" && tc.name != "escape kept" {
				t.Errorf("after Flush got %q, want %q", out, "m>")
			}
		})
	}
}

func TestEnd(t *testing.T) {
	f := New(Config{})
	out, _ := f.Append(nil, nil, []byte(secure+"<B><C red><send>x"))
	out = f.End(out)
	if want := "\x1b[1m\x1b[38;2;255;0;0mx\x1b[22;39m"; string(out) != want {
		t.Errorf("got %q, want %q", out, want)
	}
	f = New(Config{})
	out, _ = f.Append(nil, nil, []byte("a\x1b]8;;mxp:send?c=x"))
	if out = f.End(out); string(out) != "a" {
		t.Errorf("got %q, want the unfinished OSC dropped", out)
	}
}

// TestHostile feeds what a hostile game might, and checks the filter
// stays within its bounds.
func TestHostile(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"deep nesting", secure + strings.Repeat("<B>", 10000) + "x" + strings.Repeat("</B>", 10000)},
		{"endless tag", secure + "<SEND href=\"" + strings.Repeat("a", 100000)},
		{"endless entity", "&" + strings.Repeat("a", 100000)},
		{"endless quote", secure + "<SEND '" + strings.Repeat("a", 100000) + "\r\n"},
		{"many definitions", strings.Repeat(secure+"<!ELEMENT e"+strings.Repeat("x", 10)+" '<B>'>", 1)},
		{"recursive element", secure + "<!ELEMENT a '<a><a>x'>" + secure + strings.Repeat("<a>", 100)},
		{"recursive entity", secure + "<!ENTITY a '&a;&a;y'>" + strings.Repeat("&a;", 100)},
		{"expanding attributes", secure + "<!ELEMENT a '" + strings.Repeat("&x;", 1000) + "' ATT='x'>" + secure + "<a " + strings.Repeat("y", 3000) + ">"},
		{"escapes in attributes", secure + "<C \"red\x1b[31m\">x</C><send \"a\x1b]8;;mxp:x\x07\">y</send>"},
		{"endless osc", "\x1b]8;;mxp:" + strings.Repeat("a", 100000)},
		{"endless csi", "\x1b[" + strings.Repeat("1", 100000) + "z"},
	}
	for i := 0; i < 600; i++ {
		tests[4].in += secure + "<!ELEMENT e" + strings.Repeat("x", i%50) + string(rune('a'+i%26)) + string(rune('a'+i/26)) + " '<B>'>"
		tests[4].in += secure + "<!ENTITY n" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + " '" + strings.Repeat("v", 200) + "'>"
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := New(Config{})
			out, reply := f.Append(nil, nil, []byte(tc.in))
			out = f.Flush(out)
			if !utf8.Valid(out) {
				t.Errorf("invalid UTF-8 out")
			}
			if len(out) > 64*len(tc.in)+(1<<20) || len(reply) > len(tc.in)+replyBurst {
				t.Errorf("got %d bytes out, %d answered, for %d in", len(out), len(reply), len(tc.in))
			}
			checkBounds(t, f)
		})
	}
}

// checkBounds fails when f holds more than its Config allows.
func checkBounds(t *testing.T, f *Filter) {
	t.Helper()
	switch {
	case len(f.stack) > f.maxDepth:
		t.Errorf("%d frames open, more than %d", len(f.stack), f.maxDepth)
	case len(f.elements) > f.maxElements:
		t.Errorf("%d elements, more than %d", len(f.elements), f.maxElements)
	case len(f.entities) > f.maxEntities:
		t.Errorf("%d entities, more than %d", len(f.entities), f.maxEntities)
	case f.defBytes > maxDefBytes:
		t.Errorf("%d bytes of definitions, more than %d", f.defBytes, maxDefBytes)
	case cap(f.buf) > 2*maxOSC+64 && cap(f.buf) > 2*f.maxTag:
		t.Errorf("read buffer of %d bytes", cap(f.buf))
	case len(f.held) > f.maxSendText || len(f.rec) > f.maxSendText:
		t.Errorf("held %d and recorded %d bytes, more than %d", len(f.held), len(f.rec), f.maxSendText)
	case len(f.exp) > f.maxExpand:
		t.Errorf("%d expansion buffers, more than %d", len(f.exp), f.maxExpand)
	}
	n := 0
	for _, v := range f.entities {
		n += len(v)
	}
	for _, el := range f.elements {
		n += len(el.def)
	}
	if n > maxDefBytes {
		t.Errorf("%d bytes of definition values", n)
	}
}

func TestAnswerCredit(t *testing.T) {
	f := New(Config{})
	var reply []byte
	// A flood of requests: the answers stay within a byte per four.
	in := []byte("\x1b[6z" + strings.Repeat("<SUPPORT>", 1000))
	_, reply = f.Append(nil, reply, in)
	if len(reply) > len(in)/replyPer+replyBurst {
		t.Errorf("got %d bytes of answers for %d in", len(reply), len(in))
	}
	if n := strings.Count(string(reply), "\n"); n < 1 || n > 10 {
		t.Errorf("got %d answers, want a few", n)
	}
	// Later, with text between them, they are answered again.
	_, reply = f.Append(nil, nil, []byte(strings.Repeat("x", 2000)+"<VERSION>"))
	if !strings.HasPrefix(string(reply), "\x1b[1z<VERSION MXP=1.0 CLIENT=Drawbridge>") {
		t.Errorf("got %q, want a VERSION answer", reply)
	}
}

func TestConfigClean(t *testing.T) {
	_, reply := run(Config{Client: "My Client<>\x1b", Version: "v 1\"2"}, secure+"<VERSION>")
	if want := "\x1b[1z<VERSION MXP=1.0 CLIENT=MyClient VERSION=v12>\n"; reply != want {
		t.Errorf("got %q, want %q", reply, want)
	}
}

func TestPlainAllocs(t *testing.T) {
	f := New(Config{})
	text := []byte("\x1b[1;33mThe Great Hall\x1b[0m\r\nA long table runs the length of the hall. \xe2\x82\xac\r\n> ")
	buf := make([]byte, 0, 4096)
	allocs := testing.AllocsPerRun(100, func() {
		buf, _ = f.Append(buf[:0], nil, text)
	})
	if allocs != 0 {
		t.Errorf("got %v allocs for plain text, want 0", allocs)
	}
}

func TestBuiltinIndex(t *testing.T) {
	for i := range builtins {
		if bi := lookupBuiltin([]byte(builtins[i].name)); bi != &builtins[i] {
			t.Errorf("lookupBuiltin(%q) is not builtins[%d]", builtins[i].name, i)
		}
	}
	if lookupBuiltin([]byte("NOSUCH")) != nil || lookupBuiltin([]byte("b")) != nil {
		t.Error("lookupBuiltin found what is not there")
	}
}

// TestFilterNoLinkThroughADanglingEsc: an ESC followed by a control on
// an open line must not reach the terminal, which would stay in its
// escape state across the control and read the "]" after it as the
// start of an OSC: a command link from an open line.
func TestFilterNoLinkThroughADanglingEsc(t *testing.T) {
	for _, in := range []string{
		"\x1b\x00]8;;mxp:send?c=quit\x1b\\click\x1b]8;;\x1b\\\r\n",
		"\x1b\x07]8;;mxp:send?c=quit\x07click\r\n",
		"\x1b\x7f]8;;mxp:send?c=quit\x07click\r\n",
		"\x1b\u0080]8;;mxp:send?c=quit\x07click\r\n",
		"\x1b]8;;x\x1b\x00]8;;mxp:send?c=quit\x07click\r\n",
		"\x1b[1\x00]8;;mxp:send?c=quit\x07click\r\n",
	} {
		f := New(Config{})
		out, _ := f.Append(nil, nil, []byte(in))
		out = f.Flush(out)
		if i := danglingEsc(out); i >= 0 {
			t.Errorf("%q gave %q: an ESC at %d the terminal would stay in", in, out, i)
		}
		if hasCommandLink(out) {
			t.Errorf("%q gave a command link: %q", in, out)
		}
	}
}
