// The terminal page's own controls around the Go client (loader.js): who
// is logged in, and the Log out button.
import { currentUser, logout } from "./api.js";

const who = document.getElementById("who");
const whoLabel = document.getElementById("who-label");
const button = document.getElementById("logout");
const barError = document.getElementById("bar-error");

async function showUser() {
  const { user, result } = await currentUser();
  if (user) {
    who.textContent = user.guest ? `${user.name} (guest)` : user.name;
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
    location.href = "/";
    return;
  }
  button.disabled = false;
  button.removeAttribute("aria-busy");
  barError.textContent = "Logging out failed: " + r.message;
  button.focus();
});

showUser();
