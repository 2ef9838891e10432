// The page a password reset link opens (reset.html#SECRET): the player
// sets a new password with the link's secret (POST /api/reset), which
// ends every session of the account, then logs in on the front door.
//
// The secret is read from the address's fragment, which browsers never
// send to a server, and is then taken out of the address bar and the
// history, so that it is not left on the screen or in a bookmark. The
// page sends no Referer (its meta tag).
import { api } from "./api.js";
import { $, invalid, passwordFields, showError } from "./forms.js";
import { ready, t } from "./i18n.js";

let secret = "";

// takeSecret reads the link's secret from the address and takes it out
// of the address bar and the history; a link opened in the same tab
// again (only its fragment changes: the page is not reloaded) starts
// over.
function takeSecret() {
  secret = location.hash.slice(1).trim(); // base64url: nothing to decode
  if (location.hash) history.replaceState(history.state, "", location.pathname + location.search);
  $("reset-missing").hidden = !!secret;
  form.hidden = !secret;
  $("reset-panel").hidden = false;
  $("reset-done").hidden = true;
  showError(err, "");
}

const form = $("reset-form");
const password = $("reset-password");
const confirm = $("reset-password2");
const err = $("reset-error");
const button = $("reset-submit");
const fields = passwordFields({ name: null, password, confirm, policy: $("reset-policy"), match: $("reset-mismatch") });

takeSecret();
window.addEventListener("hashchange", () => {
  if (location.hash) takeSecret();
});

api("GET", "api/info").then((r) => {
  if (!r.ok) return;
  fields.setPolicy(r.data?.policy);
  if (typeof r.data?.game === "string" && r.data.game) $("game-name").textContent = r.data.game;
});

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (form.getAttribute("aria-busy") === "true") return;
  if (!fields.matches()) {
    showError(err, t("front.match.bad"));
    confirm.focus();
    return;
  }
  form.setAttribute("aria-busy", "true");
  button.disabled = true;
  showError(err, "");
  const r = await api("POST", "api/reset", { token: secret, password: password.value });
  await ready;
  form.removeAttribute("aria-busy");
  button.disabled = false;
  if (r.ok) {
    $("reset-panel").hidden = true;
    $("reset-done").hidden = false;
    $("reset-done-title").focus();
    return;
  }
  if (r.problems.length > 0) {
    showError(err, t("front.reset.refused"), r.problems);
    invalid(password, true);
    password.focus();
    return;
  }
  showError(err, r.message);
  if (r.code === "invalid_reset_link") form.hidden = true;
});
