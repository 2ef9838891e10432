// The terminal page's own controls around the Go client (loader.js): who
// is logged in, the Log out button, and the page's layout.
import { currentUser, logout } from "./api.js";
import { ready, t } from "./i18n.js";

const who = document.getElementById("who");
const whoLabel = document.getElementById("who-label");
const button = document.getElementById("logout");
const barError = document.getElementById("bar-error");

async function showUser() {
  const [{ user, result }] = await Promise.all([currentUser(), ready]);
  if (user) {
    who.textContent = user.guest ? t("play.bar.guest", { name: user.name }) : user.name;
    whoLabel.hidden = false;
  } else if (result.status === 404) {
    // A gateway without accounts: there is no one to log out.
    button.hidden = true;
  }
  // Not logged in (401): the client is refused on /ws and sends the
  // player to the front door itself, saying why.
}

button.addEventListener("click", async () => {
  if (button.disabled) return;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  barError.textContent = "";
  const r = await logout();
  // 204, or 401: the session had already ended. Either way it is over.
  if (r.ok || r.status === 401) {
    // The game's resume token (wasmclient/dom/resume.go) died with the
    // session: the next login in this tab starts a game, not a failed resume.
    try { sessionStorage.removeItem("drawbridge.resume"); } catch { /* storage blocked: nothing kept */ }
    location.href = "./";
    return;
  }
  button.disabled = false;
  button.removeAttribute("aria-busy");
  barError.textContent = t("play.bar.logout_failed", { reason: r.message });
  button.focus();
});

showUser();

// Ebitengine sizes its canvas to the body (and reads pointer positions as
// if the canvas were at the page's corner; the client corrects those), so
// the body is the terminal's area: its edges follow the bar above, the
// lower part (key bar, command line) below and the room panel on the
// right, which are fixed around it. After a change the canvas is told
// with a resize event, which is what Ebitengine listens for.
const root = document.documentElement.style;
const bar = document.getElementById("bar");
const lower = document.getElementById("lower");
const room = document.getElementById("room");
const edges = { "--top": () => bar.offsetHeight, "--bottom": () => lower.offsetHeight, "--right": () => room.offsetWidth };
function syncEdges() {
  let changed = false;
  for (const [name, size] of Object.entries(edges)) {
    const v = size() + "px";
    if (root.getPropertyValue(name) !== v) {
      root.setProperty(name, v);
      changed = true;
    }
  }
  if (changed) window.dispatchEvent(new Event("resize"));
}
const watch = new ResizeObserver(syncEdges);
for (const el of [bar, lower, room]) watch.observe(el);
syncEdges();
