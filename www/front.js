// The front door (index.html): log in, register, play as a guest, or set
// up the first superuser, then go to /play. It learns what the gateway
// offers from GET /api/info and who is here from GET /api/session, and
// shows how the game is doing (players online, uptime, or that it is not
// answering) from GET /api/status, without holding up the forms.
//
// Everything shown that came from the server or the address bar is set as
// text (textContent), never as HTML. Every word is the message catalogue's
// (i18n.js; keys front.* in shared/i18n/catalog/*/front.json), in the
// page's language.
import { api, currentUser, logout } from "./api.js";
import { $, invalid, markProblems, passwordFields, setText, showError } from "./forms.js";
import { current, ready, setText as setMessage, t } from "./i18n.js";

const defaultGame = "Drawbridge";

// Why the terminal sent the player here: /?reason=CODE, a code from the
// gateway (wire.LoginReason), never text. The page shows its own sentence
// for each (the catalogue's message named here), so a link cannot put
// words in the gateway's mouth.
const reasons = {
  login: "front.reason.login",
  expired: "front.reason.expired",
  ended: "front.reason.ended",
  logout: "front.reason.logout",
  replaced: "front.reason.replaced",
  password_changed: "front.reason.password_changed",
  role_changed: "front.reason.role_changed",
  disabled: "front.reason.disabled",
  deleted: "front.reason.deleted",
  revoked: "front.reason.revoked",
  session_limit: "front.reason.session_limit",
  guest_expired: "front.reason.guest_expired",
};

/** What GET /api/info said, or null when it could not be read. */
let info = null;

// ---- small helpers ----

function notice(text) {
  const el = $("reason");
  setText(el, text);
  el.hidden = !text;
}

// reasonText is the page's sentence for a ?reason= code; anything else,
// whatever it says, is the generic one.
function reasonText(code) {
  return t(Object.hasOwn(reasons, code) ? reasons[code] : reasons.login);
}

// showReason shows why the terminal sent the player here, then drops it
// from the address so that a reload or a bookmark does not repeat it.
async function showReason() {
  const params = new URLSearchParams(location.search);
  if (!params.has("reason")) return;
  const code = params.get("reason") || "";
  params.delete("reason");
  const q = params.toString();
  history.replaceState(history.state, "", location.pathname + (q ? "?" + q : "") + location.hash);
  await ready;
  notice(reasonText(code));
}

function toPlay() {
  location.assign("play");
}

// warnThenPlay tells the player how many failed logins their account saw
// since their last visit (someone may be guessing their password), and
// waits for them to read it before going to the terminal.
function warnThenPlay(n) {
  const el = $("reason");
  setText(el, t("front.failed_logins", { n, count: n.toLocaleString(current()) }));
  const go = document.createElement("button");
  go.type = "button";
  go.className = "button";
  go.id = "continue";
  go.textContent = t("front.continue");
  go.addEventListener("click", toPlay);
  el.append(" ", go);
  el.hidden = false;
  go.focus();
}

// run sends one form's request with its button disabled, and shows the
// failure in errorEl. request returns a Promise<Result>; onFail may handle
// a failure itself by returning true.
async function run(form, button, errorEl, request, onFail) {
  if (form.getAttribute("aria-busy") === "true") return;
  form.setAttribute("aria-busy", "true");
  button.disabled = true;
  showError(errorEl, "");
  let r;
  try {
    r = await request();
  } catch (err) {
    console.error(err);
    r = { ok: false, status: 0, message: t("api.internal"), code: "", problems: [] };
  }
  if (r.ok) {
    // The button stays disabled while the page changes.
    const failed = Number(r.data?.failed_logins) || 0;
    await ready;
    if (failed > 0) warnThenPlay(failed);
    else toPlay();
    return;
  }
  form.removeAttribute("aria-busy");
  button.disabled = false;
  if (!(onFail && onFail(r))) showError(errorEl, r.message);
  // Disabling the focused button dropped the focus: give it back.
  if (!document.activeElement || document.activeElement === document.body) {
    (form.querySelector("[aria-invalid='true']") || button).focus();
  }
}

// ---- the forms ----

function setupLogin() {
  const form = $("login-form");
  const name = $("login-name");
  const password = $("login-password");
  const err = $("login-error");
  for (const input of [name, password]) input.addEventListener("input", () => invalid(input, false));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    run(form, $("login-submit"), err,
      () => api("POST", "api/login", { name: name.value.trim(), password: password.value }),
      (r) => {
        if (r.status === 401) {
          invalid(name, true);
          invalid(password, true);
        }
        return false;
      });
  });
}

// newAccountForm wires a form that creates an account: "register" (any
// player) or "setup" (the first superuser, with the setup token). extra
// adds the form's other fields to the request; onRefused(result) marks
// them when a refusal was about them; refused() heads the list of
// problems with a refusal.
function newAccountForm(prefix, path, refused, extra = () => ({}), onRefused = () => {}) {
  const form = $(`${prefix}-form`);
  const name = $(`${prefix}-name`);
  const password = $(`${prefix}-password`);
  const confirm = $(`${prefix}-password2`);
  const err = $(`${prefix}-error`);
  const fields = passwordFields({ name, password, confirm, policy: $(`${prefix}-policy`), match: $(`${prefix}-mismatch`) });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!fields.matches()) {
      showError(err, t("front.match.bad"));
      confirm.focus();
      return;
    }
    run(form, $(`${prefix}-submit`), err,
      () => api("POST", path, { ...extra(), name: name.value.trim(), password: password.value }),
      (r) => {
        if (r.problems.length > 0) {
          showError(err, refused(), r.problems);
          markProblems(name, password, r.problems);
          return true;
        }
        if (r.status === 409) invalid(name, true); // the name is taken
        onRefused(r);
        return false;
      });
  });
  return fields;
}

function setupRegister() {
  return newAccountForm("register", "api/register", () => t("front.register.refused"));
}

function setupSetup() {
  const token = $("setup-token");
  token.addEventListener("input", () => invalid(token, false));
  return newAccountForm("setup", "api/setup", () => t("front.setup.refused"),
    () => ({ token: token.value.trim() }),
    (r) => { if (r.status === 403) invalid(token, true); });
}

function setupGuest() {
  const button = $("guest");
  const err = $("guest-error");
  const panel = $("guest-panel");
  button.addEventListener("click", () => {
    run(panel, button, err, () => api("POST", "api/guest"));
  });
}

function setupSession() {
  const button = $("session-logout");
  const err = $("session-error");
  button.addEventListener("click", async () => {
    if (button.disabled) return;
    button.disabled = true;
    showError(err, "");
    const r = await logout();
    button.disabled = false;
    if (r.ok || r.status === 401) {
      notice(t("front.reason.logout"));
      render(null);
      $("login-name").focus();
      return;
    }
    showError(err, r.message);
    button.focus();
  });
}

// ---- what the page shows ----

function applyInfo() {
  const game = typeof info?.game === "string" && info.game.trim() ? info.game.trim() : defaultGame;
  document.title = t("front.title", { game });
  setText($("game-name"), game);
  registerFields.setPolicy(info?.policy);
  setupFields.setPolicy(info?.policy);
}

// render shows the panels for user: an account object, null (nobody is
// logged in) or undefined (unknown).
function render(user) {
  $("loading").hidden = true;
  $("setup-panel").hidden = info?.setup !== true;
  const loggedIn = Boolean(user);
  $("session-panel").hidden = !loggedIn;
  if (loggedIn) {
    // The name goes in the message's <0> (a <strong translate="no">);
    // names are letters, digits and "-", so they hold no markup.
    const name = String(user.name).replace(/[<>]/g, "");
    setMessage($("session-lead"), t(user.guest ? "front.session.lead_guest" : "front.session.lead", { name }));
  }
  $("entry").hidden = loggedIn;
  $("register-panel").hidden = info?.registration !== "open";
  $("guest-panel").hidden = info?.guests !== true;
}

// ---- the game's status line ----

const statusEvery = 60_000; // ms between looks while the page is shown
const statusSoon = 3_000; // ms, while the gateway has not checked the game yet
let statusSoonLeft = 5; // quick looks left (checks may be off for good)
let statusTimer = 0;
let statusBusy = false;

// humanDuration says roughly how long s seconds is, in the page's
// language: "3 days", "5 hours", "less than a minute".
function humanDuration(s) {
  for (const [unit, size] of [["day", 86400], ["hour", 3600], ["minute", 60]]) {
    if (s >= size) {
      return new Intl.NumberFormat(current(), { style: "unit", unit, unitDisplay: "long" }).format(Math.floor(s / size));
    }
  }
  return t("front.status.less_than_a_minute");
}

// statusLine turns GET /api/status into what the page says, and a state
// for the coloured dot ("up", "down", or "unknown": no dot). Only numbers
// the gateway has are shown: the game's own count from MSSP, else the
// players who came through this site. Each combination is a sentence of
// its own in the catalogue (front.status.*), so that a language orders
// its parts as it needs.
function statusLine(st) {
  const g = st && typeof st.game === "object" ? st.game : null;
  const checked = typeof g?.checked === "string" ? Date.parse(g.checked) : NaN;
  if (g && !Number.isNaN(checked) && g.reachable !== true) {
    return { state: "down", text: t("front.status.down") };
  }
  let who = ""; // whose count: the game's (players, nobody), this site's (players_here, nobody_here), or none
  let n = 0;
  const web = st?.gateway?.players;
  if (Number.isInteger(g?.players) && g.players >= 0) {
    who = g.players === 0 ? "nobody" : "players";
    n = g.players;
  } else if (Number.isInteger(web) && web >= 0) {
    who = web === 0 ? "nobody_here" : "players_here";
    n = web;
  }
  let uptime = "";
  if (Number.isInteger(g?.uptime_seconds) && !Number.isNaN(checked)) {
    // Uptime as of the check, plus the time since (never less, if this
    // computer's clock is behind).
    const up = g.uptime_seconds + Math.max(Date.now() - checked, 0) / 1000;
    if (up >= 0) uptime = humanDuration(up);
  }
  const state = Number.isNaN(checked) ? "unknown" : "up";
  const args = { n, count: n.toLocaleString(current()), uptime };
  let text = "";
  switch (who) {
    case "players":
      text = uptime ? t("front.status.players_up", args) : t("front.status.players", args);
      break;
    case "nobody":
      text = uptime ? t("front.status.nobody_up", args) : t("front.status.nobody", args);
      break;
    case "players_here":
      text = uptime ? t("front.status.players_here_up", args) : t("front.status.players_here", args);
      break;
    case "nobody_here":
      text = uptime ? t("front.status.nobody_here_up", args) : t("front.status.nobody_here", args);
      break;
    default:
      text = uptime ? t("front.status.up", args) : "";
  }
  return { state, text };
}

function showStatus(st) {
  const el = $("game-status");
  const { state, text } = st ? statusLine(st) : { state: "unknown", text: "" };
  el.dataset.state = text ? state : "unknown";
  setText(el, text);
}

// refreshStatus looks at the game's status now and again while the page
// is shown. A gateway without /api/status (404) shows no status line.
async function refreshStatus() {
  if (statusBusy) return;
  clearTimeout(statusTimer);
  statusBusy = true;
  let r;
  try {
    r = await api("GET", "api/status");
  } catch {
    return;
  } finally {
    statusBusy = false;
  }
  if (r.status === 404) {
    showStatus(null);
    return;
  }
  let next = statusEvery;
  if (r.ok && r.data && typeof r.data === "object") {
    await ready;
    showStatus(r.data);
    if (typeof r.data.game?.checked !== "string" && statusSoonLeft > 0) {
      statusSoonLeft--;
      next = statusSoon;
    }
  } // else keep what is shown: the front page's own error says the rest
  if (!document.hidden) statusTimer = setTimeout(refreshStatus, next);
}

let refreshing = null;

// refresh asks the gateway what it offers and who is here, and shows it.
function refresh() {
  refreshing ??= (async () => {
    const [infoResult, session] = await Promise.all([api("GET", "api/info"), currentUser(), ready]);
    const errEl = $("front-error");
    errEl.hidden = true;
    if (infoResult.ok && infoResult.data && typeof infoResult.data === "object") {
      info = infoResult.data;
      applyInfo();
    } else if (infoResult.status === 404) {
      // A gateway without accounts: anyone may play.
      info = null;
      document.title = t("front.title", { game: defaultGame });
      $("loading").hidden = true;
      $("open-panel").hidden = false;
      return;
    } else {
      info = null;
      setText(errEl, t("front.info_failed", { reason: infoResult.message }));
      errEl.hidden = false;
    }
    render(session.user);
  })().finally(() => { refreshing = null; });
  return refreshing;
}

// A page restored from the back/forward cache may show a stale state (a
// form still busy after going to /play): look again.
function resetBusy() {
  for (const el of document.querySelectorAll("[aria-busy='true']")) el.removeAttribute("aria-busy");
  for (const id of ["login-submit", "register-submit", "setup-submit", "guest", "session-logout"]) $(id).disabled = false;
}

showReason();
setupLogin();
const registerFields = setupRegister();
const setupFields = setupSetup();
setupGuest();
setupSession();
window.addEventListener("pageshow", (ev) => {
  if (ev.persisted) {
    resetBusy();
    refresh();
    refreshStatus();
  }
});
document.addEventListener("visibilitychange", () => {
  if (document.hidden) clearTimeout(statusTimer);
  else refreshStatus();
});
refresh();
refreshStatus();
