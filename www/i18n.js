// The pages' words, from the message catalogue (shared/i18n in the Go
// source, served as i18n/LANG.json). Every text a page shows comes from
// here:
//
//   - in the HTML, an element with data-i18n="key" gets the message as its
//     text; a message with <0>..</0> marks keeps the element's child
//     elements (a link, a <code>) in that order, with the marked text in
//     them. data-i18n-attr="aria-label:key title:key2" sets attributes.
//     The English in the HTML is what shows until the catalogue is read
//     (a test keeps it equal to the catalogue's).
//   - in scripts, t("key", {name: value}) returns a message with its
//     {name} placeholders filled; a message with plural forms is chosen
//     by the argument n, under the language's CLDR rules (Intl.PluralRules).
//
// The language is picked once, from ?lang= (a translator's preview, kept
// for the tab's visit) or the browser's preferred languages, among the languages shipped, and set as
// the document's lang, which the terminal client reads.

/** The languages shipped (shared/i18n.Langs), the source first. */
export const languages = ["en", "zh-Hans"];

/** The pseudo-language: English with every message bracketed (tests). */
export const pseudo = "en-XA";

/**
 * Picks the language for a list of BCP 47 tags, most preferred first:
 * the first that names a shipped language; Chinese in Traditional script
 * (zh-Hant, zh-TW, zh-HK, zh-MO) only when nothing else matches, since
 * only Simplified is shipped.
 * @param {readonly string[]} prefs
 * @returns {string}
 */
export function pick(prefs) {
  let traditional = false;
  for (const raw of prefs) {
    const tag = String(raw).toLowerCase().replaceAll("_", "-");
    if (tag === pseudo.toLowerCase()) return pseudo;
    const [lang, ...rest] = tag.split("-");
    if (lang === "zh") {
      if (rest.includes("hant") || (!rest.includes("hans") && rest.some((s) => ["tw", "hk", "mo"].includes(s)))) {
        traditional = true;
        continue;
      }
      return "zh-Hans";
    }
    const found = languages.find((l) => l.toLowerCase() === lang);
    if (found) return found;
  }
  return traditional ? "zh-Hans" : "en";
}

let lang = "en";
let messages = {};
let rules = new Intl.PluralRules("en");

// overrideKey keeps a ?lang= choice for the rest of the tab's visit, so a
// translator (or a test) previewing a language stays in it from page to
// page; ?lang= with nothing after it forgets it.
const overrideKey = "drawbridge.lang";

function override() {
  const q = new URLSearchParams(location.search).get("lang");
  try {
    if (q === "") sessionStorage.removeItem(overrideKey);
    else if (q) sessionStorage.setItem(overrideKey, q);
    return sessionStorage.getItem(overrideKey);
  } catch {
    return q; // storage refused (a sandboxed frame): this page only
  }
}

function wanted() {
  const q = override();
  const prefs = [];
  if (q) prefs.push(q);
  prefs.push(...(navigator.languages?.length ? navigator.languages : [navigator.language || "en"]));
  return pick(prefs);
}

async function fetchCatalogue(l) {
  const resp = await fetch(`i18n/${l}.json`, { credentials: "same-origin" });
  if (!resp.ok) throw new Error(`${resp.status}`);
  const body = await resp.json();
  if (!body || typeof body.messages !== "object") throw new Error("not a catalogue");
  return body;
}

/**
 * Resolves when the catalogue is read and the page translated; it never
 * rejects (a page whose catalogue cannot be read keeps its English).
 * @type {Promise<string>} the language
 */
export const ready = (async () => {
  const want = wanted();
  let body = null;
  for (const l of want === "en" ? ["en"] : [want, "en"]) {
    try {
      body = await fetchCatalogue(l);
      break;
    } catch {
      // try the source language next
    }
  }
  if (body) {
    lang = body.lang;
    messages = body.messages;
    rules = new Intl.PluralRules(lang === pseudo ? "en" : lang);
    document.documentElement.lang = lang;
    apply(document);
  }
  return lang;
})();

/** The language picked ("en" until the catalogue is read). */
export function current() {
  return lang;
}

/**
 * Reports whether the catalogue read has a message for key (a page asks
 * before it shows a gateway's code the catalogue may not know yet).
 * @param {string} key
 * @returns {boolean}
 */
export function has(key) {
  return Object.hasOwn(messages, key);
}

/**
 * Returns the message key with {name} placeholders filled from args.
 * A key the catalogue lacks is returned as it is, so it shows and a test
 * finds it.
 * @param {string} key
 * @param {Record<string, string|number>} [args]
 * @returns {string}
 */
export function t(key, args = {}) {
  let m = messages[key];
  if (m === undefined) return key;
  if (typeof m === "object") {
    const n = Number(args.n);
    m = (Number.isFinite(n) && m[rules.select(n)]) || m.other;
  }
  return fill(m, args);
}

function fill(text, args) {
  return text.replace(/\{([A-Za-z0-9_]+)\}/g, (all, name) => (Object.hasOwn(args, name) ? String(args[name]) : all));
}

// The child elements each translated element had in the HTML, before the
// first translation replaced its content.
const originals = new WeakMap();

/**
 * Translates root and everything under it that carries data-i18n or
 * data-i18n-attr. Pages call it again for elements they clone or add.
 * @param {ParentNode} root
 */
export function apply(root) {
  const all = [];
  if (root instanceof Element) all.push(root);
  all.push(...root.querySelectorAll("[data-i18n], [data-i18n-attr]"));
  for (const el of all) {
    const key = el.getAttribute("data-i18n");
    if (key) setText(el, t(key));
    const attrs = el.getAttribute("data-i18n-attr");
    if (attrs) {
      for (const pair of attrs.trim().split(/\s+/)) {
        const [name, k] = pair.split(":");
        if (name && k) el.setAttribute(name, t(k));
      }
    }
  }
}

/**
 * Sets el's text to a message, keeping the element's child elements where
 * the message marks them (<0>text</0> is the first child element, with
 * "text" as its text).
 * @param {Element} el
 * @param {string} text
 */
export function setText(el, text) {
  if (!/<\d+>/.test(text)) {
    el.textContent = text;
    return;
  }
  let kids = originals.get(el);
  if (!kids) {
    kids = Array.from(el.children, (c) => c.cloneNode(true));
    originals.set(el, kids);
  }
  const out = [];
  const re = /<(\d+)>([^<]*)<\/\1>/g;
  let at = 0;
  for (let m; (m = re.exec(text)); ) {
    if (m.index > at) out.push(document.createTextNode(text.slice(at, m.index)));
    const kid = kids[Number(m[1])];
    if (kid) {
      const c = kid.cloneNode(true);
      c.textContent = m[2];
      out.push(c);
    } else {
      out.push(document.createTextNode(m[2]));
    }
    at = re.lastIndex;
  }
  if (at < text.length) out.push(document.createTextNode(text.slice(at)));
  el.replaceChildren(...out);
}
