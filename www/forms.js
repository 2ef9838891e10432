// The forms of the front door (front.js) and of the page a reset link
// opens (reset.js): small helpers, and the new-password fields with the
// policy's feedback as the player types and the second copy's check.
// Every word is the message catalogue's (i18n.js).
import { api, localProblem } from "./api.js";
import { current, ready, t } from "./i18n.js";

export const $ = (id) => document.getElementById(id);

// setText sets an element's text, leaving it alone when it is already so
// (a live region then does not repeat itself).
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

// showError fills a form's alert with a sentence and, if given, a list of
// problems; "" empties it.
export function showError(el, message, problems = []) {
  el.replaceChildren();
  if (message) {
    const p = document.createElement("p");
    p.textContent = message;
    el.append(p);
  }
  if (problems.length > 0) {
    const ul = document.createElement("ul");
    for (const pr of problems) {
      const li = document.createElement("li");
      li.textContent = pr.message;
      ul.append(li);
    }
    el.append(ul);
  }
}

export function invalid(input, on) {
  if (on) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

// ---- the password fields: live policy feedback and the second copy ----

// passwordFields wires a new password, its second copy, the policy's
// feedback (policy) and the copy's (match). name is the account name's
// input, whose text the password must not contain; null where the page
// does not show the name (a reset link's), and the gateway checks it.
export function passwordFields({ name, password, confirm, policy, match }) {
  let timer = 0;
  let seq = 0;
  let ctrl = null;
  let shown = "";

  const render = (problems) => {
    const key = problems ? JSON.stringify(problems.map((p) => p.message)) : "";
    if (key === shown) return;
    shown = key;
    policy.replaceChildren();
    policy.classList.remove("ok", "bad");
    if (!problems) return;
    if (problems.length === 0) {
      policy.classList.add("ok");
      policy.textContent = t("front.policy.ok");
      return;
    }
    policy.classList.add("bad");
    const ul = document.createElement("ul");
    for (const p of problems) {
      const li = document.createElement("li");
      li.textContent = p.message;
      ul.append(li);
    }
    policy.append(ul);
  };

  const check = async () => {
    ctrl?.abort();
    const pw = password.value;
    const mine = ++seq;
    if (!pw) {
      render(null);
      return;
    }
    ctrl = new AbortController();
    let r;
    try {
      r = await api("POST", "api/password/check", { password: pw, name: name ? name.value.trim() : "" }, { signal: ctrl.signal });
    } catch {
      return; // replaced by a newer check
    }
    if (mine !== seq) return;
    // A failed check says nothing; the submit will tell.
    if (r.ok && Array.isArray(r.data?.problems)) {
      await ready;
      if (mine !== seq) return;
      render(r.data.problems.filter((p) => p && typeof p.message === "string").map(localProblem));
    }
  };

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  };

  // updateMatch says whether the second copy matches. While the player is
  // still typing it, a beginning of the password is not called a mismatch;
  // strict (on leaving the field, on submit) it is.
  const updateMatch = (strict) => {
    const a = password.value;
    const b = confirm.value;
    let state = "";
    if (b) {
      if (a === b) state = "ok";
      else if (strict || !a.startsWith(b)) state = "bad";
    } else if (strict && a) {
      state = "bad";
    }
    match.classList.toggle("ok", state === "ok");
    match.classList.toggle("bad", state === "bad");
    setText(match, state === "ok" ? t("front.match.ok") : state === "bad" ? t("front.match.bad") : "");
    invalid(confirm, state === "bad");
    return state === "ok";
  };

  password.addEventListener("input", () => {
    invalid(password, false);
    schedule();
    if (confirm.value) updateMatch(false);
  });
  name?.addEventListener("input", () => {
    invalid(name, false);
    if (password.value) schedule();
  });
  confirm.addEventListener("input", () => updateMatch(false));
  confirm.addEventListener("change", () => updateMatch(true));

  return {
    matches: () => updateMatch(true),
    setPolicy(p) {
      const min = Number(p?.min_length);
      const max = Number(p?.max_length);
      const hint = password.getAttribute("aria-describedby")?.split(" ")[0];
      if (Number.isInteger(min) && min > 0 && hint) {
        setText($(hint), t("front.password.hint_min", { min: min.toLocaleString(current()) }));
      }
      // Safari's password generator follows passwordrules.
      const rules = [];
      if (Number.isInteger(min) && min > 0) rules.push(`minlength: ${min};`);
      if (Number.isInteger(max) && max > 0) rules.push(`maxlength: ${max};`);
      if (rules.length) {
        password.setAttribute("passwordrules", rules.join(" "));
        confirm.setAttribute("passwordrules", rules.join(" "));
      }
    },
  };
}

// markProblems flags the fields a refused name or password came from.
export function markProblems(nameInput, passwordInput, problems) {
  // Name problems have codes starting "name_"; the rest are the password's
  // (the password's "name" code: it contains the name).
  const isName = (p) => String(p.code).startsWith("name_");
  invalid(nameInput, problems.some(isName));
  invalid(passwordInput, problems.some((p) => !isName(p)));
}
