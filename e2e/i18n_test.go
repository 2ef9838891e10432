package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/drawbridge/drawbridge/gateway/app"
	"github.com/drawbridge/drawbridge/shared/i18n"
)

// uncataloguedJS lists the text on the page that did not come from the
// message catalogue, in the pseudo-language (i18n.Pseudo), where every
// message is between ⟦ and ⟧: each letter outside a bracketed message,
// in the page's text (in document order, so a message split by a link or
// a <code> counts as one), in the attributes a player sees or hears, and
// in the title. Text marked translate="no" is data (names, the game's
// words), and the canvas is the terminal (its words are checked in Go).
const uncataloguedJS = `(() => {
  const O = "` + i18n.PseudoOpen + `", C = "` + i18n.PseudoClose + `";
  const letter = /\p{L}/u;
  const scan = (s, d) => {
    let off = "";
    for (const ch of s) {
      if (ch === O) d++;
      else if (ch === C) d = Math.max(0, d - 1);
      else if (d === 0 && letter.test(ch)) off += ch;
    }
    return [d, off];
  };
  const data = (el) => !el || el.closest('[translate="no"], script, style, noscript, canvas');
  const where = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "");
  const bad = [];
  let depth = 0;
  const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = w.nextNode()); ) {
    if (data(n.parentElement)) continue;
    const [d, off] = scan(n.data, depth);
    depth = d;
    if (off) bad.push(where(n.parentElement) + ": " + JSON.stringify(n.data.trim().slice(0, 100)));
  }
  for (const el of document.querySelectorAll("body *")) {
    if (data(el)) continue;
    for (const a of ["aria-label", "aria-description", "aria-roledescription", "title", "placeholder", "alt"]) {
      const v = el.getAttribute(a);
      if (v && scan(v, 0)[1]) bad.push(where(el) + " " + a + "=" + JSON.stringify(v));
    }
  }
  if (scan(document.title, 0)[1]) bad.push("title: " + JSON.stringify(document.title));
  return JSON.stringify(bad);
})()`

// assertCatalogued fails the test for any text on the page that bypassed
// the catalogue, and for a notice of the client's on its screen that did.
func assertCatalogued(t *testing.T, b *browser, where string) {
	t.Helper()
	b.waitFor(t, "the pseudo-language", `document.documentElement.lang === "`+i18n.Pseudo+`"`, 30*time.Second)
	var bad []string
	if err := json.Unmarshal([]byte(eval[string](t, b, uncataloguedJS)), &bad); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(b.screenText(t), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "*** "); ok && !strings.HasPrefix(rest, i18n.PseudoOpen) {
			bad = append(bad, "the terminal's notice: "+line)
		}
	}
	if len(bad) > 0 {
		t.Errorf("%s: %d texts are not from the message catalogue:\n\t%s", where, len(bad), strings.Join(bad, "\n\t"))
	}
}

// TestEveryWordFromTheCatalogue walks the pages in the pseudo-language,
// through the states a player meets (the front door's panels and errors,
// the terminal at the game's login and in play, every dialog, the guide),
// and finds any text that did not come from the message catalogue.
func TestEveryWordFromTheCatalogue(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true, func(c *app.Config) { c.Accounts.AllowGuests = true })
	b := newBrowser(t, gw, 1000, 700, 1)

	// ?lang= holds for the tab's visit: every page of the walk is in it.
	if err := chromedp.Do(b.ctx, chromedp.Navigate(gw.URL("/?lang="+i18n.Pseudo))); err != nil {
		t.Fatalf("open the front door: %v", err)
	}
	b.walkPages(t, gw, func(where string) {
		if where == "the front door" {
			// The check can fail: a text set by hand is found.
			eval[bool](t, b, `(() => { const p = document.createElement("p"); p.id = "probe"; p.textContent = "Not from the catalogue"; document.getElementById("main").append(p); return true; })()`)
			if bad := eval[string](t, b, uncataloguedJS); !strings.Contains(bad, "p#probe") {
				t.Fatalf("the check missed a text set by hand; it found %s", bad)
			}
			eval[bool](t, b, `(() => { document.getElementById("probe").remove(); return true; })()`)
		}
		assertCatalogued(t, b, where)
	})
}

// TestChineseInBrowser is a browser whose language is Chinese (China):
// the pages and the client speak Simplified Chinese, from the catalogue,
// with no ?lang= in the way.
func TestChineseInBrowser(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	b := newBrowser(t, gw, 1000, 700, 1)
	// The browser's languages, as a Chinese system's browser has them.
	if err := chromedp.Do(b.ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		v, err := cdp.Call(ctx, tg, cdpbrowser.GetVersion, cdp.Empty{})
		if err != nil {
			return err
		}
		_, err = cdp.Call(ctx, tg, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
			UserAgent: v.UserAgent, AcceptLanguage: "zh-CN,zh;q=0.9,en;q=0.8"})
		return err
	})); err != nil {
		t.Fatalf("set the browser's language: %v", err)
	}
	b.frontDoor(t, gw)
	if got := eval[string](t, b, `navigator.languages.join(",")`); !strings.HasPrefix(got, "zh-CN") {
		t.Fatalf("navigator.languages = %q: the browser's language was not set", got)
	}
	zh := i18n.For("zh-Hans")
	b.waitFor(t, "the page in Chinese", `document.documentElement.lang === "zh-Hans"`, 30*time.Second)

	// The page picks the language as the gateway does (i18n.Pick, which
	// serves the pages already translated).
	cases := [][]string{{"zh-CN"}, {"zh"}, {"zh-Hans-SG"}, {"zh-TW", "en"}, {"zh-Hant"}, {"en-GB", "zh"},
		{"fr", "zh-CN"}, {"fr", "de"}, {}, {"EN-xa"}, {"zh_CN"}, {"ZH-hk"}, {"zh-Hant-TW", "ja"}, {"de-CH", "en-US"}}
	in, _ := json.Marshal(cases)
	var want []string
	for _, c := range cases {
		want = append(want, i18n.Pick(c))
	}
	wantJSON, _ := json.Marshal(want)
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`import("./i18n.js").then((m) => JSON.stringify(`+string(in)+`.map((p) => m.pick(p))))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if got != string(wantJSON) {
		t.Errorf("the page's pick() = %s, the gateway's %s", got, wantJSON)
	}

	b.register(t, gw, "Reader", accountPassword)
	b.waitScreen(t, "What is your name?", 90*time.Second)
	b.waitFor(t, "status connected", `drawbridge.status().state === "connected"`, 10*time.Second)
	if got, want := b.text(t, "status"), zh.T("client.status.connected"); got != want {
		t.Errorf("status line %q, want %q", got, want)
	}
	if got, want := eval[string](t, b, `document.getElementById("cmdline").placeholder`), zh.T("client.input.placeholder"); got != want {
		t.Errorf("command line's placeholder %q, want %q", got, want)
	}
}
