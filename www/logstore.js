// The rolling log kept in this browser (IndexedDB): the lines the player
// saw, per account, bounded, surviving reloads, searchable from the log
// dialog. The Go client hands finished lines over in batches
// (window.drawbridgeStoreLog, from wasmclient/automation_js.go); passwords
// typed while the game masked input never reach it (the client does not
// log masked input, and the game does not echo it).
//
// Lines are kept in chunks of up to CHUNK lines, one record each, so a
// flood of output costs a few writes, not one per line, and the oldest
// lines go a chunk at a time.
import { currentUser } from "./api.js";

const DB = "drawbridge-log";
const STORE = "chunks";
// MAX_LINES bounds the lines kept per account (about: whole chunks go).
const MAX_LINES = 50000;
const CHUNK = 500;
// MAX_RESULTS bounds what a search returns (the latest matches).
const MAX_RESULTS = 200;

let db = null; // a promise of the database, once opened
let account = null; // a promise of the key the lines are kept under

function open() {
  if (!db) {
    db = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB, 2);
      req.onupgradeneeded = () => {
        const d = req.result;
        for (const name of [...d.objectStoreNames]) d.deleteObjectStore(name); // version 1 kept a record a line
        d.createObjectStore(STORE, { autoIncrement: true }).createIndex("account", "account");
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  return db;
}

function who() {
  if (!account) {
    account = currentUser().then(({ user }) => (user ? (user.guest ? "guest:" : "user:") + user.name : "local"), () => "local");
  }
  return account;
}

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

// add keeps lines ([[at, kind, text], ...]) in chunks and drops the
// account's oldest chunks beyond MAX_LINES.
async function add(lines) {
  if (lines.length > MAX_LINES) lines = lines.slice(lines.length - MAX_LINES);
  const [d, acct] = await Promise.all([open(), who()]);
  const tx = d.transaction(STORE, "readwrite");
  const s = tx.objectStore(STORE);
  for (let i = 0; i < lines.length; i += CHUNK) {
    s.add({ account: acct, lines: lines.slice(i, i + CHUNK) });
  }
  // Count what is kept, newest first, and drop the chunks past the bound.
  const idx = s.index("account");
  let kept = 0;
  await new Promise((resolve, reject) => {
    const r = idx.openCursor(acct, "prev");
    r.onsuccess = () => {
      const c = r.result;
      if (!c) return resolve();
      if (kept >= MAX_LINES) c.delete();
      else kept += c.value.lines.length;
      c.continue();
    };
    r.onerror = () => reject(r.error);
  });
  await done(tx);
}

// search returns the account's latest lines (at most MAX_RESULTS) that
// contain q, ignoring case, oldest first, as {at, kind, text}.
async function search(q) {
  const [d, acct] = await Promise.all([open(), who()]);
  const needle = q.toLocaleLowerCase();
  const out = [];
  const idx = d.transaction(STORE, "readonly").objectStore(STORE).index("account");
  await new Promise((resolve, reject) => {
    const r = idx.openCursor(acct, "prev");
    r.onsuccess = () => {
      const c = r.result;
      if (!c || out.length >= MAX_RESULTS) return resolve();
      const lines = c.value.lines;
      for (let i = lines.length - 1; i >= 0 && out.length < MAX_RESULTS; i--) {
        const [at, kind, text] = lines[i];
        if (text.toLocaleLowerCase().includes(needle)) out.push({ at, kind, text });
      }
      c.continue();
    };
    r.onerror = () => reject(r.error);
  });
  return out.reverse();
}

// Known before the page is left: a write at pagehide has no time to ask.
open().catch(() => {});
who();

let queue = Promise.resolve();
window.drawbridgeStoreLog = (json) => {
  let lines;
  try {
    lines = JSON.parse(json);
  } catch {
    return;
  }
  // One write at a time, in order; a browser without IndexedDB (some
  // private modes) keeps no rolling log, and the session's log still
  // downloads.
  queue = queue.then(() => add(lines)).catch((err) => console.warn("drawbridge: the log could not be kept:", err));
};
window.drawbridgeLogStore = { search, flushed: () => queue, maxResults: MAX_RESULTS };
