package web

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/drawbridge/drawbridge/shared/i18n"
)

// markedKey returns a message of the catalogue with a <0> mark, and the
// HTML a page writes it as: the mark as a <code> element.
func markedKey(t *testing.T) (key, page string) {
	t.Helper()
	en := i18n.For(i18n.Source)
	for _, k := range en.Keys() {
		if m := en.T(k); strings.Contains(m, "<0>") {
			return k, regexp.MustCompile(`<(\d+)>([^<]*)</\d+>`).ReplaceAllString(m, `<code>$2</code>`)
		}
	}
	t.Skip("no message of the catalogue has a <0> mark")
	return "", ""
}

func TestTranslatePage(t *testing.T) {
	zh := i18n.For("zh-Hans")
	key, inner := markedKey(t)
	page := `<!doctype html><html lang="en"><head><title data-i18n="client.status.connected">Connected</title></head><body>
<noscript><p data-i18n="client.status.starting">Starting…</p></noscript>
<p id="m" data-i18n="` + key + `">` + inner + `</p>
<input data-i18n-attr="placeholder:client.input.placeholder aria-label:client.link.choices" placeholder="Type a command and press Enter" aria-label="Choices">
<span translate="no">Bob</span></body></html>`
	out, err := translatePage([]byte(page), zh)
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	for _, want := range []string{
		`<html lang="zh-Hans">`,
		`<title data-i18n="client.status.connected">` + zh.T("client.status.connected") + `</title>`,
		// noscript: translated too, and still markup.
		`<noscript><p data-i18n="client.status.starting">` + zh.T("client.status.starting") + `</p></noscript>`,
		`placeholder="` + zh.T("client.input.placeholder") + `"`,
		`aria-label="` + zh.T("client.link.choices") + `"`,
		`<span translate="no">Bob</span>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("translated page lacks %s:\n%s", want, got)
		}
	}
	// The marked text keeps its element, with the translation's text in it.
	zhInner := regexp.MustCompile(`<(\d+)>([^<]*)</\d+>`).ReplaceAllString(zh.T(key), `<code>$2</code>`)
	if !strings.Contains(got, `<p id="m" data-i18n="`+key+`">`+zhInner+`</p>`) {
		t.Errorf("the marked message came out as\n%s\nwant %s", got, zhInner)
	}
}

func TestPagesServedInTheBrowsersLanguage(t *testing.T) {
	srv := staticServer(t, fstest.MapFS{
		"index.html": {Data: []byte(`<!doctype html><html lang="en"><body><h1 data-i18n="client.status.connected">Connected</h1></body></html>`)},
	})
	en, bodyEN := do(t, "GET", srv.URL+"/", map[string]string{"Accept-Language": "fr-FR, en;q=0.5"})
	zh, bodyZH := do(t, "GET", srv.URL+"/", map[string]string{"Accept-Language": "en;q=0.5, zh-CN"})
	if !strings.Contains(bodyEN, ">Connected</h1>") || !strings.Contains(bodyZH, `lang="zh-Hans"`) ||
		!strings.Contains(bodyZH, ">"+i18n.For("zh-Hans").T("client.status.connected")+"</h1>") {
		t.Fatalf("English:\n%s\nChinese:\n%s", bodyEN, bodyZH)
	}
	for _, r := range []struct {
		name string
		v    []string
	}{{"English", en.Header.Values("Vary")}, {"Chinese", zh.Header.Values("Vary")}} {
		if !strings.Contains(strings.Join(r.v, ","), "Accept-Language") {
			t.Errorf("%s page: Vary %q, want Accept-Language in it", r.name, r.v)
		}
	}
	if en.Header.Get("ETag") == zh.Header.Get("ETag") {
		t.Fatal("the two languages share an ETag")
	}
	// A cached English copy is not taken for the Chinese one.
	if resp, _ := do(t, "GET", srv.URL+"/", map[string]string{"Accept-Language": "zh", "If-None-Match": en.Header.Get("ETag")}); resp.StatusCode != 200 {
		t.Fatalf("the English ETag revalidated the Chinese page: %d", resp.StatusCode)
	}
	if resp, _ := do(t, "GET", srv.URL+"/", map[string]string{"Accept-Language": "zh", "If-None-Match": zh.Header.Get("ETag")}); resp.StatusCode != 304 {
		t.Fatalf("the Chinese page did not revalidate: %d", resp.StatusCode)
	}
	// ?lang= first.
	if _, body := do(t, "GET", srv.URL+"/?lang=zh-Hans", map[string]string{"Accept-Language": "en"}); !strings.Contains(body, `lang="zh-Hans"`) {
		t.Fatalf("?lang=zh-Hans gave\n%s", body)
	}
}

func TestCatalogueServed(t *testing.T) {
	srv := staticServer(t, fstest.MapFS{"index.html": {Data: []byte("<p>x</p>")}})
	for _, l := range append(i18n.Langs(), i18n.Pseudo) {
		resp, body := do(t, "GET", srv.URL+"/i18n/"+l+".json", nil)
		var page struct {
			Lang     string                     `json:"lang"`
			Messages map[string]json.RawMessage `json:"messages"`
		}
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || json.Unmarshal([]byte(body), &page) != nil || page.Lang != l || len(page.Messages) == 0 {
			t.Fatalf("%s: %d %s %.80s", l, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		if resp.Header.Get("ETag") == "" || resp.Header.Get("Cache-Control") != cacheRevalidate {
			t.Fatalf("%s: ETag %q Cache-Control %q", l, resp.Header.Get("ETag"), resp.Header.Get("Cache-Control"))
		}
	}
	if resp, _ := do(t, "GET", srv.URL+"/i18n/fr.json", nil); resp.StatusCode != 404 {
		t.Fatalf("a language not shipped: %d", resp.StatusCode)
	}
}
