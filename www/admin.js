// The staff console (admin.html, /admin): accounts (search, create,
// change the role, disable and enable, lift lockouts, a reset link, the
// sessions and ending them), who is playing through this gateway (ending
// a game ends its login session), and the audit trail (by account, event and
// time, a page at a time), for admins and superusers, through the admin
// API (/api/admin/...), which decides what each may do: the page offers
// everything and shows the gateway's refusal.
//
// Everything shown that came from the server is set as text, never as
// HTML. Every word is the message catalogue's (admin.* keys).
import { api, currentUser } from "./api.js";
import { $, showError } from "./forms.js";
import { current, ready, t } from "./i18n.js";

// The audit trail's event types (account.EventType): codes, offered as
// the filter's suggestions.
const eventTypes = ["login", "login.failed", "login.warned", "login.disabled", "login.limited", "login.lockout",
  "register", "user.create", "user.import", "guest", "guest.purge", "session.revoke", "password.change",
  "password.rehash", "role.change", "user.disable", "user.enable", "user.delete", "setup.token", "setup.used",
  "user.unlock", "reset.link", "forbidden"];

const staff = new Set(["admin", "superuser"]);

function when(s) {
  const d = new Date(s);
  if (!s || Number.isNaN(d.getTime()) || d.getFullYear() < 2000) return "—";
  return d.toLocaleString(current());
}

// cell adds a cell of text to a row; data marks it as the gateway's data
// (names, times, addresses, the trail's details), not words to translate.
function cell(tr, text, data = false) {
  const td = document.createElement("td");
  td.textContent = text;
  if (data) td.translate = false;
  tr.append(td);
  return td;
}

function role(r) {
  return ["player", "builder", "admin", "superuser"].includes(r) ? t("admin.role." + r) : String(r);
}

function stateOf(u) {
  if (u.disabled) return t("admin.state.disabled");
  if (u.guest) return t("admin.state.guest");
  return t("admin.state.active");
}

// ---- accounts ----

let users = [];        // the accounts listed
let usersAfter = 0;    // the last ID listed, for the next page
let selected = null;   // the account in the panel

async function loadUsers(more) {
  const name = $("users-name").value.trim();
  if (!more) {
    users = [];
    usersAfter = 0;
  }
  const q = new URLSearchParams({ name });
  if (usersAfter) q.set("after", String(usersAfter));
  const r = await api("GET", "api/admin/users?" + q);
  showError($("users-error"), r.ok ? "" : r.message);
  if (!r.ok) return;
  const page = Array.isArray(r.data?.users) ? r.data.users : [];
  users = users.concat(page);
  if (page.length) usersAfter = page[page.length - 1].id;
  $("users-more").hidden = page.length < 200;
  renderUsers();
}

function renderUsers() {
  const body = $("users-rows");
  body.replaceChildren();
  for (const u of users) {
    const tr = document.createElement("tr");
    const name = document.createElement("td");
    const b = document.createElement("button");
    b.type = "button";
    b.className = "link-button";
    b.textContent = u.name;
    b.translate = false;
    b.dataset.user = String(u.id);
    b.addEventListener("click", () => openUser(u.id));
    name.append(b);
    tr.append(name);
    cell(tr, role(u.role));
    cell(tr, stateOf(u));
    cell(tr, when(u.last_login), true);
    cell(tr, u.playing > 0 ? String(u.playing) : "—");
    body.append(tr);
  }
  $("users-empty").hidden = users.length > 0;
}

async function openUser(id) {
  selected = users.find((u) => u.id === id) || null;
  if (!selected) return;
  $("user-panel").hidden = false;
  $("user-title").textContent = t("admin.user.title", { name: selected.name });
  $("user-role").value = selected.role;
  $("user-done").hidden = true;
  $("user-link-row").hidden = true;
  showError($("user-error"), "");
  renderUserState();
  await loadSessions();
  $("user-title").focus();
}

function renderUserState() {
  $("user-state").textContent = t("admin.user.state", { role: role(selected.role), state: stateOf(selected) });
  $("user-disable").hidden = selected.disabled;
  $("user-enable").hidden = !selected.disabled;
}

async function loadSessions() {
  const r = await api("GET", `api/admin/users/${selected.id}/sessions`);
  const body = $("sessions-rows");
  body.replaceChildren();
  if (!r.ok) {
    showError($("user-error"), r.message);
    return;
  }
  const list = Array.isArray(r.data?.sessions) ? r.data.sessions : [];
  for (const s of list) {
    const tr = document.createElement("tr");
    cell(tr, when(s.created_at), true);
    cell(tr, when(s.last_seen), true);
    cell(tr, s.addr || "—", true);
    cell(tr, s.user_agent || "—", true).className = "admin-ua";
    cell(tr, s.playing ? t("admin.yes") : "—");
    const td = document.createElement("td");
    const b = document.createElement("button");
    b.type = "button";
    b.className = "button";
    b.textContent = t("admin.sessions.revoke");
    b.addEventListener("click", () => act(b, "POST", `api/admin/sessions/${encodeURIComponent(s.id)}/revoke`, "admin.done.revoked"));
    td.append(b);
    tr.append(td);
    body.append(tr);
  }
  $("sessions-empty").hidden = list.length > 0;
}

// act sends one of the account panel's requests, says what it did (done,
// a catalogue key) or why not, and reads the account and its sessions
// again.
async function act(button, method, path, done, body, after) {
  button.disabled = true;
  showError($("user-error"), "");
  $("user-done").hidden = true;
  const r = await api(method, path, body);
  button.disabled = false;
  if (!r.ok) {
    showError($("user-error"), r.message);
    return;
  }
  if (after) after(r);
  $("user-done").textContent = t(done, { name: selected.name });
  $("user-done").hidden = false;
  const id = selected.id;
  await loadUsers(false);
  selected = users.find((u) => u.id === id) || selected;
  renderUserState();
  await loadSessions();
}

function setupUserPanel() {
  const path = (what) => `api/admin/users/${selected.id}/${what}`;
  $("user-role-save").addEventListener("click", (ev) =>
    act(ev.currentTarget, "POST", path("role"), "admin.done.role", { role: $("user-role").value }));
  $("user-disable").addEventListener("click", (ev) => act(ev.currentTarget, "POST", path("disable"), "admin.done.disabled"));
  $("user-enable").addEventListener("click", (ev) => act(ev.currentTarget, "POST", path("enable"), "admin.done.enabled"));
  $("user-unlock").addEventListener("click", (ev) => act(ev.currentTarget, "POST", path("unlock"), "admin.done.unlocked"));
  $("user-kick").addEventListener("click", (ev) => act(ev.currentTarget, "POST", path("kick"), "admin.done.kicked"));
  $("user-reset").addEventListener("click", (ev) =>
    act(ev.currentTarget, "POST", path("reset"), "admin.done.reset", undefined, (r) => {
      const link = new URL(String(r.data?.path || ""), location.href).href;
      $("user-link").value = link;
      $("user-link-expires").textContent = t("admin.user.link_expires", { time: when(r.data?.expires_at) });
      $("user-link-row").hidden = false;
      $("user-link").select();
    }));
}

// ---- the game ----

// loadGame fills the game's panel: whether the gateway reaches it and
// what it says of itself (MSSP), and this node's connections to it by
// result and its players.
async function loadGame() {
  const r = await api("GET", "api/admin/game");
  showError($("game-error"), r.ok ? "" : r.message);
  if (!r.ok) return;
  const dl = $("game-facts");
  dl.replaceChildren();
  const fact = (key, value, data = true) => {
    const dt = document.createElement("dt");
    dt.textContent = t(key);
    const dd = document.createElement("dd");
    dd.textContent = value;
    if (data) dd.translate = false;
    dl.append(dt, dd);
  };
  const g = r.data?.status?.game;
  if (g) {
    if (typeof g.name === "string") fact("admin.game.name", g.name);
    fact("admin.game.reachable", g.checked == null ? t("admin.game.unknown") : g.reachable ? t("admin.yes") : t("admin.no"), false);
    if (g.checked) fact("admin.game.checked", when(g.checked));
    fact("admin.game.mssp", g.mssp ? t("admin.yes") : t("admin.no"), false);
    if (g.players != null) fact("admin.game.players", String(g.players));
  }
  const b = r.data?.bridge;
  if (b) {
    fact("admin.game.here", t("admin.game.here_value", { n: Number(b.players) || 0, away: Number(b.away) || 0 }), false);
    const dials = Object.entries(b.dials || {}).map(([k, v]) => `${k} ${v}`).join(", ");
    fact("admin.game.dials", dials || "—");
  }
}

// ---- who is playing ----

function bytes(n) {
  return new Intl.NumberFormat(current(), { style: "unit", unit: n >= 1e6 ? "megabyte" : "kilobyte", maximumFractionDigits: 1 })
    .format(n >= 1e6 ? n / 1e6 : n / 1e3);
}

async function loadPlayers() {
  const r = await api("GET", "api/admin/players");
  showError($("players-error"), r.ok ? "" : r.message);
  if (!r.ok) return;
  const list = Array.isArray(r.data?.players) ? r.data.players : [];
  const body = $("players-rows");
  body.replaceChildren();
  for (const p of list) {
    const tr = document.createElement("tr");
    cell(tr, p.account || "—", true);
    cell(tr, p.addr || "—", true);
    cell(tr, when(p.since), true);
    cell(tr, bytes(Number(p.bytes_to_game) || 0), true);
    cell(tr, bytes(Number(p.bytes_to_player) || 0), true);
    cell(tr, p.away ? t("admin.players.away") : t("admin.players.connected"));
    const td = document.createElement("td");
    if (p.session) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "button";
      b.textContent = t("admin.sessions.revoke");
      b.addEventListener("click", async () => {
        b.disabled = true;
        const rr = await api("POST", `api/admin/sessions/${encodeURIComponent(p.session)}/revoke`);
        b.disabled = false;
        if (!rr.ok) {
          showError($("players-error"), rr.message);
          return;
        }
        $("players-done").textContent = t("admin.done.revoked");
        $("players-done").hidden = false;
        await loadPlayers();
      });
      td.append(b);
    }
    tr.append(td);
    body.append(tr);
  }
  $("players-empty").hidden = list.length > 0;
}

// ---- creating an account ----

function setupCreate() {
  const form = $("create-form");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const button = $("create-submit");
    button.disabled = true;
    showError($("create-error"), "");
    $("create-done").hidden = true;
    const name = $("create-name").value.trim();
    const r = await api("POST", "api/admin/users", { name, password: $("create-password").value, role: $("create-role").value });
    button.disabled = false;
    if (!r.ok) {
      showError($("create-error"), r.problems.length ? t("front.register.refused") : r.message, r.problems);
      return;
    }
    $("create-done").textContent = t("admin.done.created", { name: r.data?.user?.name ?? name });
    $("create-done").hidden = false;
    form.reset();
    $("users-name").value = name;
    await loadUsers(false);
  });
}

// ---- the audit trail ----

let auditBefore = 0;

async function loadAudit(more) {
  if (!more) {
    auditBefore = 0;
    $("audit-rows").replaceChildren();
  }
  showError($("audit-error"), "");
  const q = new URLSearchParams({ limit: "50" });
  const name = $("audit-name").value.trim();
  if (name) {
    // The trail is filtered by account ID: find the account named.
    const r = await api("GET", "api/admin/users?" + new URLSearchParams({ name }));
    const u = r.ok && Array.isArray(r.data?.users) ? r.data.users.find((x) => x.name.toLowerCase() === name.toLowerCase()) : null;
    if (!u) {
      showError($("audit-error"), r.ok ? t("admin.audit.no_account", { name }) : r.message);
      return;
    }
    q.set("user", String(u.id));
  }
  const type = $("audit-type").value.trim();
  if (type) q.set("type", type);
  const since = $("audit-since").value;
  if (since) q.set("since", new Date(since).toISOString().replace(/\.\d{3}Z$/, "Z"));
  if (auditBefore) q.set("before", String(auditBefore));
  const r = await api("GET", "api/admin/events?" + q);
  if (!r.ok) {
    showError($("audit-error"), r.message);
    return;
  }
  const events = Array.isArray(r.data?.events) ? r.data.events : [];
  const body = $("audit-rows");
  for (const e of events) {
    const tr = document.createElement("tr");
    cell(tr, when(e.time), true);
    cell(tr, e.type, true);
    cell(tr, e.name || "—", true);
    cell(tr, e.actor || "—", true);
    cell(tr, e.addr || "—", true);
    cell(tr, e.detail || "", true);
    body.append(tr);
  }
  if (events.length) auditBefore = events[events.length - 1].id;
  $("audit-more").hidden = events.length < 50;
  $("audit-empty").hidden = body.children.length > 0;
}

// ---- start ----

async function start() {
  const [who] = await Promise.all([currentUser(), ready]);
  $("admin-loading").hidden = true;
  const u = who.user;
  if (!u || !staff.has(u.role)) {
    $("admin-refused-text").textContent = u ? t("admin.refused.role", { name: u.name }) : t("admin.refused.login");
    $("admin-refused").hidden = false;
    return;
  }
  $("admin-who").textContent = t("admin.who", { name: u.name, role: role(u.role) });
  $("admin-panels").hidden = false;
  for (const type of eventTypes) {
    const o = document.createElement("option");
    o.value = type;
    $("audit-types").append(o);
  }
  await Promise.all([loadUsers(false), loadGame(), loadPlayers(), loadAudit(false)]);
}

$("users-search").addEventListener("submit", (ev) => {
  ev.preventDefault();
  loadUsers(false);
});
$("users-more").addEventListener("click", () => loadUsers(true));
$("audit-filter").addEventListener("submit", (ev) => {
  ev.preventDefault();
  loadAudit(false);
});
$("audit-more").addEventListener("click", () => loadAudit(true));
$("game-refresh").addEventListener("click", () => loadGame());
$("players-refresh").addEventListener("click", () => {
  $("players-done").hidden = true;
  loadPlayers();
});
setupUserPanel();
setupCreate();
start();
