package gamelog

import (
	"strings"
	"testing"

	"github.com/drawbridge/drawbridge/wasmclient/term"
)

// session is a short game session.
func session(l *Log) {
	l.Write([]byte("\x1b[1;36mThe Temple Square\x1b[0m\r\n\x1b[32m[Exits: north east south]\x1b[0m\r\n"))
	l.Write([]byte("\x1b[32m<100hp 50m 80mv>\x1b[0m "))
	l.Prompt()
	l.Input("look north")
	l.Write([]byte("You see <b>a \"gate\" & 'wall'</b>.\r\nLoading 10%\r"))
}

func TestWriteText(t *testing.T) {
	l := newTestLog()
	session(l)
	want := "-- Log started 2025-03-01 20:15:04 +0100 --\n" +
		"The Temple Square\n" +
		"[Exits: north east south]\n" +
		"<100hp 50m 80mv> \n" +
		"> look north\n" +
		"You see <b>a \"gate\" & 'wall'</b>.\n" +
		"Loading 10%\n"
	if got := textOf(t, l); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestWriteHTML(t *testing.T) {
	l := newTestLog()
	session(l)
	got := htmlOf(t, l, `Mud "log" <1>`)
	want := `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark">
<title>Mud &#34;log&#34; &lt;1&gt;</title>
<style>
html,body{margin:0;color:#e5e5e5;background:#000000}
pre{margin:0;padding:8px;font:14px/1.35 ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;white-space:pre-wrap;overflow-wrap:anywhere}
.m{color:#8a8a8a;font-style:italic}
.in{color:#9ccfff;background:#16263a}
</style>
</head>
<body>
<pre><span class="m">-- Log started 2025-03-01 20:15:04 +0100 --</span>
<span style="color:#00ffff;font-weight:bold">The Temple Square</span>
<span style="color:#00cd00">[Exits: north east south]</span>
<span style="color:#00cd00">&lt;100hp 50m 80mv&gt;</span> 
<span class="in">&gt; look north</span>
You see &lt;b&gt;a &#34;gate&#34; &amp; &#39;wall&#39;&lt;/b&gt;.
Loading 10%
</pre>
</body>
</html>
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	checkHTML(t, got, textOf(t, l), `Mud "log" <1>`)
}

// TestHTMLHostile writes text meant to break out of the page.
func TestHTMLHostile(t *testing.T) {
	hostile := []string{
		"<script>alert(1)</script>",
		"\x1b[31m<ScRiPt src=//evil></script>\x1b[0m",
		`"><img src=x onerror=alert(1)>`,
		`' style='x`,
		"</pre></body><script>",
		"&lt;script&gt; stays escaped",
		"\x1b]8;;javascript:alert(1)\x07click\x1b]8;;\x07",
		"\x1b[38;2;255;0;0m\"\x1b[48;5;1m'\x1b[7m<\x1b[0m>",
	}
	for _, h := range hostile {
		l := newTestLog()
		l.Write([]byte(h + "\r\n" + h))
		l.Input(h)
		title := "</title><script>" + h
		doc := htmlOf(t, l, title)
		checkHTML(t, doc, textOf(t, l), title)
	}
}

func TestOSC8TargetDropped(t *testing.T) {
	l := newTestLog()
	l.Write([]byte("\x1b]8;;javascript:alert(1)\x07click\x1b]8;;\x07 \x1b]8;id=1;https://x.test/\x1b\\here\x1b]8;;\x1b\\\r\n"))
	doc := htmlOf(t, l, "")
	body := doc[strings.Index(doc, "<pre>"):]
	if strings.Contains(body, "javascript:") || strings.Contains(body, "x.test") {
		t.Errorf("an OSC 8 target was logged: %q", body)
	}
	if !strings.Contains(body, "click here\n") {
		t.Errorf("the links' text was not logged: %q", body)
	}
}

func TestCSS(t *testing.T) {
	tests := []struct {
		in   string
		want string // the span's style, "" for none
	}{
		{"\x1b[31mx", "color:#cd0000"},
		{"\x1b[1;31mx", "color:#ff0000;font-weight:bold"},
		{"\x1b[1;38;5;1mx", "color:#ff0000;font-weight:bold"},
		{"\x1b[1;38;5;196mx", "color:#ff0000;font-weight:bold"},
		{"\x1b[1mx", "font-weight:bold"},
		{"\x1b[94;44mx", "color:#5c5cff;background:#0000ee"},
		{"\x1b[38;5;16mx", "color:#000000"},
		{"\x1b[38;5;67mx", "color:#5f87af"},
		{"\x1b[38;5;231mx", "color:#ffffff"},
		{"\x1b[38;5;232mx", "color:#080808"},
		{"\x1b[38;5;244mx", "color:#808080"},
		{"\x1b[38;5;255mx", "color:#eeeeee"},
		{"\x1b[38;2;18;52;86;48;2;1;2;3mx", "color:#123456;background:#010203"},
		{"\x1b[7mx", "color:#000000;background:#e5e5e5"},
		{"\x1b[7;31;42mx", "color:#00cd00;background:#cd0000"},
		{"\x1b[2;31mx", "color:#660000"},
		{"\x1b[2mx", "color:#727272"},
		{"\x1b[8;44mx", "color:#0000ee;background:#0000ee"},
		{"\x1b[3;4mx", "font-style:italic;text-decoration:underline"},
		{"\x1b[9mx", "text-decoration:line-through"},
		{"\x1b[4;9mx", "text-decoration:underline line-through"},
		{"\x1b[5mx", ""}, // blink is not shown
	}
	for _, tt := range tests {
		l := newTestLog()
		l.Write([]byte(tt.in + "\r\n"))
		doc := htmlOf(t, l, "")
		body := doc[strings.Index(doc, "--</span>\n")+len("--</span>\n"):]
		want := "x\n"
		if tt.want != "" {
			want = `<span style="` + tt.want + `">x</span>` + "\n"
		}
		if !strings.HasPrefix(body, want) {
			t.Errorf("%q: got %q, want %q", tt.in, body[:strings.IndexByte(body, '\n')+1], want)
		}
	}
}

func TestPalette(t *testing.T) {
	p := term.HighContrastPalette()
	l := New(Config{Palette: p})
	p.Colors[1].R = 1 // New copied it
	l.Write([]byte("\x1b[31mx\r\n"))
	doc := htmlOf(t, l, "")
	for _, want := range []string{"color:#ffffff;background:#000000}", `<span style="color:#ff5f5f">x</span>`} {
		if !strings.Contains(doc, want) {
			t.Errorf("the high-contrast log lacks %q", want)
		}
	}
}
