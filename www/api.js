// Talks to the gateway's account API (/api/...), for the front door
// (front.js) and the terminal page (play.js).
//
// The session lives in an HttpOnly cookie that the gateway sets and reads:
// nothing here sees or stores a token. Every answer is turned into a
// Result, and every failure into a sentence fit to show the player, so the
// pages never parse an error themselves.

/**
 * @typedef {object} Result
 * @property {boolean} ok        the request succeeded (2xx)
 * @property {number}  status    the HTTP status; 0 when the server could not be reached
 * @property {any}     data      the decoded JSON body, or null
 * @property {string}  message   for a failure, a sentence for the player; "" on success
 * @property {{code: string, message: string}[]} problems  the rules a name or password broke
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
    return { ok: true, status: resp.status, data, message: "", problems: [], retryAfter: null };
  }
  return failure(resp.status, data, resp.headers);
}

function failure(status, data, headers) {
  const problems = Array.isArray(data?.problems)
    ? data.problems.filter((p) => p && typeof p.message === "string")
    : [];
  const retryAfter = status === 429 || status === 503 ? waitSeconds(headers, data) : null;
  return { ok: false, status, data, message: describe(status, data, retryAfter), problems, retryAfter };
}

// describe returns the sentence shown for a failed request.
function describe(status, data, retryAfter) {
  if (status === 0) return "Could not reach the server. Check your connection and try again.";
  if (status === 429) {
    if (retryAfter == null) return "Too many attempts; try again later.";
    return `Too many attempts; try again in ${retryAfter} ${retryAfter === 1 ? "second" : "seconds"}.`;
  }
  if (status === 503) return "The server is busy; try again in a moment.";
  if (status >= 500) return "Something went wrong; try again.";
  const text = typeof data?.error === "string" ? data.error.trim() : "";
  if (text) return text;
  switch (status) {
    case 401: return "Please log in.";
    case 403: return "That is not allowed.";
    case 404: return "This gateway does not offer that.";
    case 409: return "That conflicts with what already exists.";
    default: return "The request was refused.";
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
