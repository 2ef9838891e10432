// The dialog where a player lists, adds, edits, turns on and off, imports
// and exports their aliases, triggers and keys (macros), and the log's
// download and search buttons of the settings dialog.
//
// The model and its rules live in the Go client (wasmclient/automation):
// this page only edits the model's JSON and hands it to the client, which
// checks it, applies it and keeps it (in the browser, and in the player's
// account when they have one). window.drawbridge.automation is the
// client's side:
//   get()               the model, as JSON text
//   set(json)           checks and applies a model: {ok, errors: [text]}
//   importJSON(text)    merges a JSON export: {ok, errors, report: [text]}
//   importMudlet(xml)   merges a Mudlet package's aliases, triggers, keys
//   numpad(on)          turns the keypad walking group on or off
//   log(kind)           this session's log: {name, type, text}, kind "text" or "html"
// The rolling log's search is logstore.js's.
//
// The words are the catalogue's (i18n.js): the dialogs open only once the
// client runs, which is after the catalogue is read (loader.js). What the
// client answers (errors, an import's summary and report) is in the
// client's words already.
import "./logstore.js";
import { current, ready, t } from "./i18n.js";

const dialog = document.getElementById("automation");
const settings = document.getElementById("settings");
const list = document.querySelector("#auto-list tbody");
const empty = document.getElementById("auto-empty");
const form = document.getElementById("auto-form");
const formTitle = document.getElementById("auto-form-title");
const formError = document.getElementById("auto-error");
const report = document.getElementById("auto-report");
const groupList = document.getElementById("auto-group-list");
const groupOptions = document.getElementById("auto-groups");
const patternHead = document.getElementById("auto-col-pattern");
const patternHint = document.getElementById("auto-pattern-hint");

// Each kind's words: the column and field of its pattern, the field's
// hint, and the form's titles.
const kinds = {
  aliases: {
    pattern: () => t("auto.field.pattern"),
    hint: () => t("auto.hint.alias_pattern"),
    add: () => t("auto.form.new_alias"),
    edit: () => t("auto.form.edit_alias"),
  },
  triggers: {
    pattern: () => t("auto.field.pattern"),
    hint: () => t("auto.hint.trigger_pattern"),
    add: () => t("auto.form.new_trigger"),
    edit: () => t("auto.form.edit_trigger"),
  },
  macros: {
    pattern: () => t("auto.field.key"),
    hint: () => "",
    add: () => t("auto.form.new_key"),
    edit: () => t("auto.form.edit_key"),
  },
};
let kind = "aliases";
let editing = null; // the id of the item in the form, or "" for a new one

function api() {
  return window.drawbridge && window.drawbridge.automation;
}

function model() {
  const a = api();
  if (!a) return { version: 1 };
  try {
    return JSON.parse(a.get());
  } catch {
    return { version: 1 };
  }
}

// apply hands a changed model to the client; false, with the errors
// shown, when it refuses it.
function apply(m, errorsAt) {
  const a = api();
  if (!a) {
    errorsAt.textContent = t("auto.not_ready");
    return false;
  }
  const r = JSON.parse(a.set(JSON.stringify(m)));
  if (!r.ok) {
    errorsAt.textContent = r.errors.join(" ");
    return false;
  }
  errorsAt.textContent = "";
  render();
  return true;
}

function items(m) {
  return m[kind] || [];
}

function render() {
  const m = model();
  patternHead.textContent = kinds[kind].pattern();
  list.textContent = "";
  for (const it of items(m)) {
    const tr = document.createElement("tr");
    const on = document.createElement("input");
    on.type = "checkbox";
    on.checked = it.enabled !== false;
    const what = it.name || it.pattern || it.key;
    on.setAttribute("aria-label", t("auto.item.toggle", { item: what }));
    on.dataset.id = it.id;
    on.dataset.role = "toggle";
    const group = it.group === numpadGroup() ? [t("auto.group.numpad")] : it.group || ""; // an array: a message, not data
    const cells = [on, it.name || "", kind === "macros" ? it.key : it.pattern, group];
    for (const c of cells) {
      const td = document.createElement("td");
      if (typeof c === "string") {
        td.textContent = c;
        td.translate = false; // the player's words
      } else if (Array.isArray(c)) {
        td.textContent = c[0];
      } else {
        td.append(c);
      }
      tr.append(td);
    }
    const td = document.createElement("td");
    for (const [action, label, name] of [
      ["edit", t("auto.item.edit"), t("auto.item.edit_named", { item: what })],
      ["delete", t("auto.item.delete"), t("auto.item.delete_named", { item: what })],
    ]) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "bar-button";
      b.textContent = label;
      b.dataset.id = it.id;
      b.dataset.role = action;
      b.setAttribute("aria-label", name);
      td.append(b, " ");
    }
    tr.append(td);
    list.append(tr);
  }
  empty.hidden = items(m).length > 0;

  // Groups: every group an item names, with its switch.
  const names = new Set();
  for (const k of Object.keys(kinds)) for (const it of m[k] || []) if (it.group) names.add(it.group);
  for (const g of m.groups || []) if (g.name) names.add(g.name);
  groupList.textContent = "";
  groupOptions.textContent = "";
  for (const name of [...names].sort()) {
    const g = (m.groups || []).find((x) => x.name === name);
    const li = document.createElement("li");
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = !g || g.enabled !== false;
    box.dataset.group = name;
    const text = document.createElement("span");
    if (name === numpadGroup()) {
      text.textContent = t("auto.group.numpad"); // the client's own group: its name in the player's language
    } else {
      text.textContent = name;
      text.translate = false; // the player's words
    }
    label.append(box, " ", text);
    li.append(label);
    groupList.append(li);
    const opt = document.createElement("option");
    opt.value = name;
    groupOptions.append(opt);
  }
  if (!names.size) {
    const li = document.createElement("li");
    li.className = "hint";
    li.textContent = t("auto.groups.empty");
    groupList.append(li);
  }
  dialog.querySelector('[name="numpad"]').checked = !!(m.macros || []).some((x) => x.group === numpadGroup() && x.enabled !== false) &&
    !(m.groups || []).some((g) => g.name === numpadGroup() && g.enabled === false);
}

function numpadGroup() {
  const a = api();
  // not shown: the group's name in the model, which the client gives (it is the player's data once made)
  return (a && a.numpadGroup && a.numpadGroup()) || "Keypad walking"; // not shown: as above
}

function showForm(it) {
  editing = it ? it.id : "";
  form.hidden = false;
  formError.textContent = "";
  formTitle.textContent = it ? kinds[kind].edit() : kinds[kind].add();
  for (const el of form.querySelectorAll("[data-for]")) {
    el.hidden = !el.dataset.for.split(" ").includes(kind);
  }
  patternHint.textContent = kinds[kind].hint();
  const f = form.elements;
  f.name.value = it?.name || "";
  f.group.value = it?.group || "";
  f.pattern.value = it?.pattern || "";
  f.key.value = it?.key || "";
  f.commands.value = it?.commands || "";
  f.enabled.checked = it ? it.enabled !== false : true;
  f.match.value = it?.match || "substring";
  f.ignoreCase.checked = !!it?.ignoreCase;
  f.highlight.checked = !!it?.highlight;
  f.fg.value = /^#[0-9a-f]{6}$/i.test(it?.highlight?.fg || "") ? it.highlight.fg : "#ffff00";
  f.scope.value = it?.highlight?.scope === "line" ? "line" : "match";
  f.gag.checked = !!it?.gag;
  f.sound.value = it?.sound || "";
  f.notify.value = it?.notify || "";
  (kind === "macros" ? f.key : f.pattern).focus();
}

function readForm(old) {
  const f = form.elements;
  const it = { id: editing || "", name: f.name.value.trim(), group: f.group.value.trim(), enabled: f.enabled.checked,
    commands: f.commands.value.replace(/\r\n?/g, "\n") };
  if (kind === "macros") {
    it.key = f.key.value.trim();
  } else {
    it.pattern = f.pattern.value;
  }
  if (kind === "triggers") {
    it.match = f.match.value;
    it.ignoreCase = f.ignoreCase.checked;
    // The form shows the colour and the scope; a background, "every
    // match" and the groups scope (from an import) are kept as they were.
    const was = old?.highlight || {};
    const scope = f.scope.value === "line" ? "line" : was.scope === "groups" ? "groups" : "match";
    it.highlight = f.highlight.checked ? { ...was, fg: f.fg.value, scope } : null;
    it.gag = f.gag.checked;
    it.sound = f.sound.value;
    it.notify = f.notify.value.trim();
  }
  return it;
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  const m = model();
  const all = items(m).slice();
  const i = all.findIndex((x) => x.id === editing && editing !== "");
  const it = readForm(i >= 0 ? all[i] : null);
  if (i >= 0) all[i] = { ...all[i], ...it };
  else all.push(it);
  m[kind] = all;
  if (apply(m, formError)) {
    form.hidden = true;
    dialog.querySelector('[data-action="auto-add"]').focus();
  }
});

// Pressing a key in the key field records it (KeyboardEvent.code, with
// its modifiers), so a player need not know the names.
form.elements.key.addEventListener("keydown", (e) => {
  if (["Tab", "Escape"].includes(e.key) && !e.ctrlKey && !e.altKey && !e.metaKey && !e.shiftKey) return;
  if (["Control", "Alt", "Shift", "Meta"].includes(e.key)) return;
  if (e.key === "Backspace" && !e.ctrlKey && !e.altKey) {
    e.preventDefault();
    e.target.value = "";
    return;
  }
  e.preventDefault();
  const mods = [e.ctrlKey && "Ctrl", e.altKey && "Alt", e.shiftKey && "Shift", e.metaKey && "Meta"].filter(Boolean);
  e.target.value = [...mods, e.code].join("+");
});

dialog.addEventListener("click", (e) => {
  const b = e.target.closest("button");
  if (!b) return;
  if (b.getAttribute("role") === "tab") {
    kind = b.dataset.kind;
    for (const t of dialog.querySelectorAll('[role="tab"]')) t.setAttribute("aria-selected", String(t === b));
    document.getElementById("auto-panel").setAttribute("aria-labelledby", b.id);
    form.hidden = true;
    render();
    return;
  }
  const m = model();
  switch (b.dataset.action || b.dataset.role) {
    case "auto-add":
      showForm(null);
      break;
    case "auto-cancel":
      form.hidden = true;
      break;
    case "edit":
      showForm(items(m).find((x) => x.id === b.dataset.id));
      break;
    case "delete":
      m[kind] = items(m).filter((x) => x.id !== b.dataset.id);
      apply(m, report);
      break;
    case "auto-export": {
      download("drawbridge-automation.json", "application/json", JSON.stringify(m, null, 2));
      break;
    }
    case "close":
      dialog.close();
      break;
  }
});

dialog.addEventListener("change", async (e) => {
  const el = e.target;
  const m = model();
  if (el.dataset.role === "toggle") {
    const it = items(m).find((x) => x.id === el.dataset.id);
    if (it) it.enabled = el.checked;
    apply(m, report);
  } else if (el.dataset.group !== undefined) {
    const groups = (m.groups || []).filter((g) => g.name !== el.dataset.group);
    groups.push({ name: el.dataset.group, enabled: el.checked });
    m.groups = groups;
    apply(m, report);
  } else if (el.name === "numpad") {
    const a = api();
    if (a) {
      a.numpad(el.checked);
      render();
    }
  } else if (el.name === "import-json" || el.name === "import-mudlet") {
    const file = el.files && el.files[0];
    el.value = "";
    if (!file) return;
    const a = api();
    if (!a) return;
    const text = await file.text();
    const r = JSON.parse(el.name === "import-json" ? a.importJSON(text) : a.importMudlet(text));
    report.textContent = "";
    const head = document.createElement("p");
    head.textContent = r.ok
      ? t("auto.import.done", { file: file.name, summary: r.summary })
      : t("auto.import.failed", { errors: r.errors.join(" ") });
    report.append(head);
    if (r.report && r.report.length) {
      const ul = document.createElement("ul");
      for (const line of r.report) {
        const li = document.createElement("li");
        li.textContent = line;
        ul.append(li);
      }
      report.append(ul);
    }
    render();
  }
});

function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// The settings dialog's buttons for this dialog and for the log.
const search = document.getElementById("logsearch");
settings.addEventListener("click", (e) => {
  const b = e.target.closest("button");
  if (!b) return;
  const a = api();
  switch (b.dataset.action) {
    case "automation":
      settings.close();
      form.hidden = true;
      report.textContent = "";
      render();
      dialog.showModal();
      break;
    case "log-text":
    case "log-html": {
      if (!a) return;
      const log = JSON.parse(a.log(b.dataset.action === "log-html" ? "html" : "text"));
      download(log.name, log.type, log.text);
      break;
    }
    case "log-search":
      settings.close();
      search.showModal();
      document.getElementById("logsearch-q").focus();
      break;
  }
});

document.getElementById("logsearch-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const q = document.getElementById("logsearch-q").value.trim();
  const status = document.getElementById("logsearch-status");
  const out = document.getElementById("logsearch-results");
  out.textContent = "";
  if (!q) return;
  await ready;
  status.textContent = t("auto.log.searching");
  let found;
  try {
    await window.drawbridgeLogStore.flushed();
    found = await window.drawbridgeLogStore.search(q);
  } catch (err) {
    status.textContent = t("auto.log.failed", { error: String(err) });
    return;
  }
  const n = found.length;
  const count = new Intl.NumberFormat(current()).format(n);
  status.textContent = !n
    ? t("auto.log.not_found")
    : n >= window.drawbridgeLogStore.maxResults
      ? t("auto.log.found_latest", { n, count })
      : t("auto.log.found", { n, count });
  const when = new Intl.DateTimeFormat(current(), { dateStyle: "medium", timeStyle: "medium" });
  for (const l of found) {
    const li = document.createElement("li");
    const time = document.createElement("time");
    time.dateTime = new Date(l.at).toISOString();
    time.textContent = when.format(new Date(l.at));
    li.append(time, " ", l.text);
    out.append(li);
  }
});
search.addEventListener("click", (e) => {
  if (e.target.closest('[data-action="close"]')) search.close();
});

// Sounds a trigger plays: short tones made on the spot (Web Audio), so
// nothing is downloaded. The browser allows sound once the player has
// interacted with the page, which typing a command is.
let audio = null;
const tones = { beep: [[880, 0.12]], chime: [[660, 0.12], [990, 0.2]], alert: [[740, 0.09], [0, 0.05], [740, 0.09], [0, 0.05], [740, 0.09]] };
window.drawbridgeSound = (name) => {
  const seq = tones[name];
  if (!seq) return;
  try {
    audio ||= new AudioContext();
    let t = audio.currentTime;
    for (const [hz, len] of seq) {
      if (hz) {
        const o = audio.createOscillator();
        const g = audio.createGain();
        o.frequency.value = hz;
        g.gain.setValueAtTime(0.15, t);
        g.gain.exponentialRampToValueAtTime(0.001, t + len);
        o.connect(g).connect(audio.destination);
        o.start(t);
        o.stop(t + len);
      }
      t += len;
    }
  } catch {
    /* no audio here: the trigger's other actions still run */
  }
};

// A trigger's notification: only while the page is hidden (a tell while
// the player is in another tab), and only once the player allowed
// notifications, which saving a trigger that notifies asks for.
window.drawbridgeNotify = (text) => {
  if (document.visibilityState === "visible" || !("Notification" in window) || Notification.permission !== "granted") return;
  try {
    new Notification(document.title || "Drawbridge", { body: text, tag: "drawbridge-trigger" });
  } catch {
    /* some browsers allow notifications only from a service worker */
  }
};
form.addEventListener("submit", () => {
  if (kind === "triggers" && form.elements.notify.value.trim() && "Notification" in window && Notification.permission === "default") {
    Notification.requestPermission();
  }
});
