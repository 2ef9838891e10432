// Talks to the gateway's account API (/api/...), for the front door
// (front.js) and the terminal page (play.js).
//
// The session lives in an HttpOnly cookie that the gateway sets and reads:
// nothing here sees or stores a token. Every answer is turned into a
// Result, and every failure into a sentence fit to show the player, in
// the page's language, so the pages never parse an error themselves.
//
// The gateway's error answers carry a code and its arguments
// ({"error": "English", "code": "too_short", "args": {"min": 12}}); the
// sentence shown is the catalogue's "api."+code (shared/i18n,
// catalog/*/api.json). A code this page does not know (a newer gateway)
// shows the gateway's English sentence; an answer without a code (a proxy's
// error page, no network) gets a sentence for its HTTP status.
import { has, ready, t } from "./i18n.js";

/**
 * @typedef {object} Result
 * @property {boolean} ok        the request succeeded (2xx)
 * @property {number}  status    the HTTP status; 0 when the server could not be reached
 * @property {any}     data      the decoded JSON body, or null
 * @property {string}  message   for a failure, a sentence for the player; "" on success
 * @property {string}  code      for a failure, the gateway's code for it ("invalid_credentials"), or ""
 * @property {{code: string, args?: object, message: string}[]} problems  the rules a name or
 *           password broke, each message in the page's language
 * @property {number|null} retryAfter  seconds to wait, from a 429 or 503
 */

/**
 * Sends a request to the account API. It never throws for an HTTP or a
 * network failure; an aborted request (signal) rejects with AbortError.
 * @param {string} method
 * @param {string} path
 * @param {object} [body]  sent as JSON
 * @param {{signal?: AbortSignal}} [opts]
 * @returns {Promise<Result>}
 */
export async function api(method, path, body, opts = {}) {
  const init = {
    method,
    headers: { Accept: "application/json" },
    credentials: "same-origin",
    cache: "no-store",
    signal: opts.signal,
  };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(path, init);
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    return failure(0, null, null);
  }
  let data = null;
  if (resp.status !== 204) {
    try {
      data = await resp.json();
    } catch (err) {
      if (err && err.name === "AbortError") throw err;
      data = null; // not JSON (a proxy's error page): the status says enough
    }
  }
  if (resp.ok) {
    return { ok: true, status: resp.status, data, message: "", code: "", problems: [], retryAfter: null };
  }
  return failure(resp.status, data, resp.headers);
}

async function failure(status, data, headers) {
  // The words come from the catalogue: wait for it (ready never rejects).
  await ready;
  const problems = Array.isArray(data?.problems)
    ? data.problems
      .filter((p) => p && typeof p.message === "string")
      .map(localProblem)
    : [];
  const retryAfter = status === 429 || status === 503 ? waitSeconds(headers, data) : null;
  const code = typeof data?.code === "string" ? data.code : "";
  return { ok: false, status, data, message: describe(status, data, retryAfter), code, problems, retryAfter };
}

/**
 * Returns a problem the gateway listed (a rule a name or password broke,
 * {code, args, message}) with its message in the page's language. For
 * answers that list problems on success (POST api/password/check); the
 * catalogue must be read (await ready).
 * @param {{code: string, args?: object, message: string}} p
 */
export function localProblem(p) {
  return { ...p, message: explain(p.code, p.args, p.message) ?? p.message };
}

// explain returns the catalogue's sentence for a gateway code, with its
// arguments, or null when the catalogue has none (the gateway is newer
// than this page) and english is empty; english is the gateway's own
// sentence, the fallback.
function explain(code, args, english) {
  if (typeof code === "string" && /^[a-z][a-z0-9_]*$/.test(code)) {
    const key = "api." + code; // not shown: the catalogue's key for a gateway code
    if (has(key)) return t(key, args && typeof args === "object" ? args : {});
  }
  const fallback = typeof english === "string" ? english.trim() : "";
  return fallback || null;
}

// describe returns the sentence shown for a failed request: the
// catalogue's for the gateway's code, else the gateway's English, else
// one for the HTTP status.
function describe(status, data, retryAfter) {
  if (status === 0) return t("api.client.unreachable");
  const said = data && typeof data.code === "string" ? explain(data.code, data.args, data.error) : null;
  if (said) return said;
  if (status === 429) {
    return retryAfter == null ? t("api.client.too_many") : t("api.rate_limited", { n: retryAfter });
  }
  if (status === 503) return t("api.busy");
  if (status >= 500) return t("api.internal");
  switch (status) {
    case 401: return t("api.unauthenticated");
    case 403: return t("api.forbidden");
    case 404: return t("api.not_offered");
    case 409: return t("api.client.conflict");
    default: return t("api.client.refused");
  }
}

// waitSeconds reads how long to wait: the Retry-After header (seconds or
// an HTTP date), else the body's retry_after.
function waitSeconds(headers, data) {
  const h = headers?.get("Retry-After");
  if (h) {
    if (/^\s*\d+\s*$/.test(h)) return Math.max(1, parseInt(h, 10));
    const at = Date.parse(h);
    if (!Number.isNaN(at)) return Math.max(1, Math.ceil((at - Date.now()) / 1000));
  }
  const n = Number(data?.retry_after);
  return Number.isFinite(n) && n > 0 ? Math.ceil(n) : null;
}

/**
 * Returns the logged-in user, null when nobody is logged in (401), or
 * undefined when it cannot be told (the account API is off or failed).
 * @returns {Promise<{user: object|null|undefined, result: Result}>}
 */
export async function currentUser() {
  const result = await api("GET", "api/session");
  if (result.ok && result.data?.user && typeof result.data.user.name === "string") {
    return { user: result.data.user, result };
  }
  return { user: result.status === 401 ? null : undefined, result };
}

/** Ends the session. Resolves to the Result; 401 means it had already ended. */
export function logout() {
  return api("POST", "api/logout");
}
