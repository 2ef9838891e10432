// The rolling log kept in this browser (IndexedDB): the lines the player
// saw, per account, bounded, surviving reloads, searchable from the log
// dialog. The Go client hands finished lines over in batches
// (window.drawbridgeStoreLog, from wasmclient/automation_js.go); passwords
// typed while the game masked input never reach it (the client does not
// log masked input, and the game does not echo it).
import { currentUser } from "./api.js";

const DB = "drawbridge-log";
const STORE = "lines";
// MAX_LINES bounds the lines kept per account: the oldest go first.
const MAX_LINES = 50000;
// MAX_RESULTS bounds what a search returns (the latest matches).
const MAX_RESULTS = 200;

let db = null; // a promise of the database, once opened
let account = null; // a promise of the key the lines are kept under

function open() {
  if (!db) {
    db = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => {
        const s = req.result.createObjectStore(STORE, { autoIncrement: true });
        s.createIndex("account", "account");
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

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

// add keeps lines ([{at, text, kind}]) and drops the account's oldest
// beyond MAX_LINES.
async function add(lines) {
  const [d, acct] = await Promise.all([open(), who()]);
  const tx = d.transaction(STORE, "readwrite");
  const s = tx.objectStore(STORE);
  for (const l of lines) s.add({ account: acct, at: l.at, text: l.text, kind: l.kind });
  const idx = s.index("account");
  const count = await new Promise((resolve) => {
    const r = idx.count(acct);
    r.onsuccess = () => resolve(r.result);
  });
  let extra = count - MAX_LINES;
  if (extra > 0) {
    idx.openCursor(acct).onsuccess = (e) => {
      const c = e.target.result;
      if (c && extra-- > 0) {
        c.delete();
        c.continue();
      }
    };
  }
  await done(tx);
}

// search returns the account's latest lines (at most MAX_RESULTS) that
// contain q, ignoring case, oldest first.
async function search(q) {
  const [d, acct] = await Promise.all([open(), who()]);
  const needle = q.toLocaleLowerCase();
  const out = [];
  const tx = d.transaction(STORE, "readonly");
  await new Promise((resolve, reject) => {
    const r = tx.objectStore(STORE).index("account").openCursor(acct, "prev");
    r.onsuccess = (e) => {
      const c = e.target.result;
      if (!c || out.length >= MAX_RESULTS) return resolve();
      if (c.value.text.toLocaleLowerCase().includes(needle)) out.push({ at: c.value.at, text: c.value.text, kind: c.value.kind });
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
window.drawbridgeLogStore = { search, flushed: () => queue };
