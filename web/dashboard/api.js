// The Analytics API with the user's bearer token. A panel whose endpoint answers 404 (not served
// by this version) gets null and shows "—" rather than failing the page.

const TOKEN_KEY = "dashboard.token";

export class AuthError extends Error {
  constructor(status) {
    super(status === 401 ? "unauthenticated" : "forbidden");
    this.status = status;
  }
}

/** What `make token` prints may be pasted whole: its comment line and a "Bearer " prefix are dropped. */
function clean(text) {
  const lines = text.split("\n").map((line) => line.trim()).filter((line) => line && !line.startsWith("#"));
  return (lines.at(-1) ?? "").replace(/^Bearer\s+/i, "");
}

/** `#token=…` in the address wins (then leaves the address, so it is not bookmarked or shared); else the session's. */
export function takeToken() {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ""));
  const given = fragment.get("token");
  if (given) {
    sessionStorage.setItem(TOKEN_KEY, clean(given));
    fragment.delete("token");
    const rest = fragment.toString();
    history.replaceState(null, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token) {
  if (token && clean(token)) sessionStorage.setItem(TOKEN_KEY, clean(token));
  else sessionStorage.removeItem(TOKEN_KEY);
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** GET a JSON document; null when the endpoint or the thing is not found; AuthError on 401/403. */
export async function get(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(key, String(value));
  }
  const url = query.size ? `${path}?${query}` : path;
  const reply = await fetch(url, { headers: { Authorization: `Bearer ${token() ?? ""}`, Accept: "application/json" } });
  if (reply.status === 401 || reply.status === 403) throw new AuthError(reply.status);
  if (reply.status === 404 || reply.status === 405 || reply.status === 501) return null;
  if (!reply.ok) throw new Error(`${path}: HTTP ${reply.status}`);
  return reply.json();
}
