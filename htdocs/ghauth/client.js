// ghauth browser client: GitHub OAuth sign-in for classic web servers.
//
// Plain ES module, no dependencies, no build step. See README.md beside this file.
//
//   import { getClient } from '/ghauth/client.js';
//   const auth = getClient();              // one shared client per page, base '/auth'
//   auth.addEventListener('change', e => render(e.detail));
//   const session = await auth.init();     // exchanges ?session= once, cleans the URL
//
// By default the client learns who is signed in from GET /auth (llms.py v4's
// identity endpoint), which never answers the session token: the browser's own
// HttpOnly cookie keeps the user signed in, and no script on the page ever holds the
// token. A page that needs the token for X-Session-Token calls asks for it with
// createClient({ token: true }) (GET /auth/session, as llms.py v2's client); the token
// then stays in memory only, never in localStorage, sessionStorage, cookies or the URL.

/** Error kinds the client can report (client.error) and the sign-in panel can show. */
export const ERROR_KINDS = Object.freeze(['denied', 'cancelled', 'expired', 'unavailable', 'session-ended']);

/** Kinds accepted from the `?auth_error=` URL parameter (anything else is dropped). */
const URL_ERROR_KINDS = new Set(['denied', 'cancelled', 'expired', 'unavailable']);

/** URL parameters the client consumes and then removes from the address bar. */
const CONSUMED_PARAMS = new Set(['session', 'auth_error']);

/** A hand-off is base64url (43 chars in practice); refuse anything else without asking. */
const HANDOFF_RE = /^[A-Za-z0-9._~-]{16,512}$/;

/**
 * Session fields copied from the server's JSON into client.session (GET /auth gives
 * no email and no created: those are null then).
 */
const SESSION_FIELDS = ['userId', 'userName', 'displayName', 'profileUrl', 'email', 'created'];

// One hand-off exchange per page, shared by every client instance on it.
let pageHandoff = null; // { base, promise }

/**
 * Read and remove `session` and `auth_error` from the current URL (query only; the
 * hash and every other parameter are kept byte for byte). Returns what was found.
 * Uses history.replaceState, so no history entry is added.
 */
function consumeUrlParams(loc, hist) {
  const search = loc.search;
  const found = { handoff: null, authError: null, present: false };
  if (!search || search.length < 2) return found;
  const kept = [];
  for (const part of search.slice(1).split('&')) {
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    let name;
    let value;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      kept.push(part);
      continue;
    }
    if (!CONSUMED_PARAMS.has(name)) {
      if (part !== '') kept.push(part);
      continue;
    }
    found.present = true;
    if (name === 'session' && found.handoff === null) found.handoff = value;
    if (name === 'auth_error' && found.authError === null) found.authError = value;
  }
  if (found.present) {
    const query = kept.length ? '?' + kept.join('&') : '';
    try {
      hist.replaceState(hist.state, '', loc.pathname + query + loc.hash);
    } catch {
      // Sandboxed or opaque documents: nothing more we can do.
    }
  }
  return found;
}

/** The current path and query without the parameters the client consumes. */
function currentReturnPath(loc) {
  const kept = [];
  if (loc.search && loc.search.length > 1) {
    for (const part of loc.search.slice(1).split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      let name = eq < 0 ? part : part.slice(0, eq);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // keep undecodable parts as they are
      }
      if (!CONSUMED_PARAMS.has(name)) kept.push(part);
    }
  }
  return loc.pathname + (kept.length ? '?' + kept.join('&') : '');
}

/** The server accepts only same-site relative paths starting with exactly one '/'. */
function isSafeReturnPath(path) {
  return (
    typeof path === 'string' &&
    path.length <= 2000 &&
    path.startsWith('/') &&
    !path.startsWith('//') &&
    !path.startsWith('/\\') &&
    !/[\u0000-\u001f\u007f\\]/.test(path)
  );
}

function normaliseSession(json) {
  if (!json || typeof json !== 'object') return null;
  if (typeof json.userName !== 'string' || json.userName === '') return null;
  const s = {};
  for (const k of SESSION_FIELDS) {
    const v = json[k];
    s[k] = v === undefined ? null : v;
  }
  if (s.userId !== null) s.userId = String(s.userId);
  for (const k of ['displayName', 'profileUrl', 'email']) {
    if (typeof s[k] !== 'string' || s[k] === '') s[k] = null;
  }
  return Object.freeze(s);
}

/**
 * The client. One per page is enough: use getClient() unless you need another base.
 *
 * Properties: session (frozen object or null), state ('loading' | 'signed-in' |
 * 'signed-out'), error (one of ERROR_KINDS or null), hasToken (boolean).
 * Events: 'change' (CustomEvent, detail {state, session, error, reason}).
 */
export class GhAuth extends EventTarget {
  #base;
  #win;
  #wantToken;
  #who;
  #session = null;
  #token = null;
  #state = 'loading';
  #error = null;
  #initPromise = null;
  #channel = null;

  /**
   * @param {{base?: string, token?: boolean, window?: Window}} [options]
   *   base: URL path of the auth endpoints (default '/auth').
   *   token: false (default): ask GET {base} (the identity without the token; the
   *   cookie signs requests in). true: ask GET {base}/session, keep the session token
   *   in memory and send it as X-Session-Token from fetch() and signOut().
   */
  constructor({ base = '/auth', token = false, window: win = globalThis.window } = {}) {
    super();
    this.#base = String(base).replace(/\/+$/, '');
    this.#wantToken = token === true;
    this.#who = this.#wantToken ? `${this.#base}/session` : this.#base;
    this.#win = win;
    // Tell other tabs of this site about a sign-out (a message, never a token), so
    // they re-check their session instead of waiting for a 401.
    if (typeof win.BroadcastChannel === 'function') {
      this.#channel = new win.BroadcastChannel(`ghauth:${this.#base}`);
      this.#channel.onmessage = (e) => {
        if (e.data === 'signed-out' && this.#state === 'signed-in') this.refresh();
      };
    }
  }

  get base() { return this.#base; }
  /** Current session ({userId, userName, displayName, profileUrl, email, created}) or null. */
  get session() { return this.#session; }
  /** 'loading' until init() settles, then 'signed-in' or 'signed-out'. */
  get state() { return this.#state; }
  /** Last error kind (see ERROR_KINDS) or null. */
  get error() { return this.#error; }
  /** Whether the client holds a session token (sent as X-Session-Token by fetch()). */
  get hasToken() { return this.#token !== null; }
  /** Name to show: displayName, else userName; null when signed out. */
  get displayName() {
    return this.#session ? this.#session.displayName || this.#session.userName : null;
  }

  /**
   * Exchange a `?session=` hand-off (once per page), remove `session` and `auth_error`
   * from the address bar, and load the session. Safe to call any number of times:
   * every call returns the same promise. Resolves to the session or null; never rejects.
   */
  init() {
    if (!this.#initPromise) this.#initPromise = this.#init();
    return this.#initPromise;
  }

  async #init() {
    const loc = this.#win.location;
    const found = consumeUrlParams(loc, this.#win.history);
    let error = null;
    if (found.authError !== null) {
      error = URL_ERROR_KINDS.has(found.authError) ? found.authError : null;
    }

    let result;
    if (found.handoff !== null) {
      const promise = HANDOFF_RE.test(found.handoff)
        ? this.#request(`${this.#who}?session=${encodeURIComponent(found.handoff)}`, { token: false })
        : Promise.resolve({ status: 401, session: null, token: null });
      pageHandoff = { who: this.#who, promise };
      result = await promise;
      if (!result.session) {
        // The hand-off was refused (spent, expired, not bound to this browser) or the
        // server failed: the cookie may still hold a good session, so ask once more,
        // without the hand-off (it is never sent twice).
        const refused = result.status === 401;
        result = await this.#request(this.#who, { token: false });
        if (!result.session && refused) error = error || 'expired';
      }
    } else if (pageHandoff && pageHandoff.who === this.#who) {
      // Another client on this page already took the hand-off: share its result.
      result = await pageHandoff.promise;
      if (!result.session) result = await this.#request(this.#who, { token: false });
    } else {
      result = await this.#request(this.#who, { token: false });
    }

    if (result.session) {
      this.#session = result.session;
      this.#token = result.token;
      this.#state = 'signed-in';
    } else {
      this.#session = null;
      this.#token = null;
      this.#state = 'signed-out';
      if (result.status !== 401 && !error) error = 'unavailable';
    }
    this.#error = error;
    this.#emit('init');
    return this.#session;
  }

  /**
   * Ask the server again (GET {base}, or {base}/session with token: true). Resolves
   * to the session or null.
   * A 401 ends a signed-in state with error 'session-ended'.
   */
  async refresh() {
    if (this.#initPromise) await this.#initPromise;
    const was = this.#state;
    const result = await this.#request(this.#who, { token: true });
    if (result.session) {
      this.#session = result.session;
      this.#token = result.token ?? this.#token;
      this.#state = 'signed-in';
      this.#error = null;
      this.#emit('refresh');
    } else if (result.status === 401) {
      this.#setSignedOut(was === 'signed-in' ? 'session-ended' : this.#error, 'session-ended');
    }
    return this.#session;
  }

  /**
   * Start sign-in: a full-page navigation to {base}/github.
   * @param {{returnHere?: boolean, returnTo?: string}} [options]
   *   returnHere (default true): come back to the current path and query (without
   *   `session`/`auth_error`; the hash is not sent). returnTo: an explicit path
   *   starting with a single '/'. The server's default ('/') is used otherwise.
   */
  signIn({ returnHere = true, returnTo } = {}) {
    const loc = this.#win.location;
    let target = null;
    if (typeof returnTo === 'string') target = returnTo;
    else if (returnHere) target = currentReturnPath(loc);
    let url = `${this.#base}/github`;
    if (target !== null && target !== '/' && isSafeReturnPath(target)) {
      url += `?redirect=${encodeURIComponent(target)}`;
    }
    loc.assign(url);
    return url;
  }

  /**
   * Sign out: POST {base}/logout (cookie, plus X-Session-Token when held), then the
   * client is signed out whatever the answer. Resolves to true if the server said
   * {"success": true}.
   */
  async signOut() {
    const headers = { Accept: 'application/json' };
    if (this.#token) headers['X-Session-Token'] = this.#token;
    let ok = false;
    try {
      const res = await this.#win.fetch(`${this.#base}/logout`, {
        method: 'POST',
        credentials: 'same-origin',
        cache: 'no-store',
        headers,
      });
      if (res.ok) {
        const json = await res.json().catch(() => null);
        ok = !!(json && json.success === true);
      }
    } catch {
      ok = false;
    }
    this.#setSignedOut(null, 'signed-out');
    try {
      this.#channel?.postMessage('signed-out');
    } catch {
      // channel closed: nothing to tell
    }
    return ok;
  }

  /**
   * fetch() for the site's own API. Same-origin credentials; adds X-Session-Token
   * when the client holds a token and the URL is same-origin (never to other
   * origins). A 401 from a same-origin URL while signed in signs the client out
   * with error 'session-ended' and notifies listeners. Returns the Response.
   */
  async fetch(input, options = {}) {
    const win = this.#win;
    const rawUrl = typeof input === 'string' || input instanceof URL ? String(input) : input.url;
    const url = new URL(rawUrl, win.location.href);
    const sameOrigin = url.origin === win.location.origin;
    const init = { ...options };
    const headers = new Headers(options.headers ?? (input instanceof Request ? input.headers : undefined));
    if (sameOrigin && this.#token && !headers.has('X-Session-Token')) {
      headers.set('X-Session-Token', this.#token);
    }
    init.headers = headers;
    if (init.credentials === undefined) init.credentials = 'same-origin';
    const res = await win.fetch(input, init);
    if (res.status === 401 && sameOrigin && this.#state === 'signed-in') {
      this.#setSignedOut('session-ended', 'session-ended');
    }
    return res;
  }

  /** Forget the current error (e.g. the banner was dismissed). */
  clearError() {
    if (this.#error === null) return;
    this.#error = null;
    this.#emit('error-cleared');
  }

  /** Show an error kind (one of ERROR_KINDS) in listening elements. */
  setError(kind) {
    if (!ERROR_KINDS.includes(kind)) throw new TypeError(`unknown ghauth error kind: ${kind}`);
    this.#error = kind;
    this.#emit('error');
  }

  #setSignedOut(error, reason) {
    this.#session = null;
    this.#token = null;
    this.#state = 'signed-out';
    this.#error = error;
    this.#emit(reason);
  }

  #emit(reason) {
    this.dispatchEvent(
      new CustomEvent('change', {
        detail: { state: this.#state, session: this.#session, error: this.#error, reason },
      }),
    );
  }

  /** GET a session URL. Resolves to {status, session, token}; status 0 = network error. */
  async #request(url, { token }) {
    const headers = { Accept: 'application/json' };
    if (token && this.#token) headers['X-Session-Token'] = this.#token;
    let res;
    try {
      res = await this.#win.fetch(url, { credentials: 'same-origin', cache: 'no-store', headers });
    } catch {
      return { status: 0, session: null, token: null };
    }
    if (!res.ok) return { status: res.status, session: null, token: null };
    const json = await res.json().catch(() => null);
    const session = normaliseSession(json);
    if (!session) return { status: 0, session: null, token: null };
    // Only a client that asked for the token keeps one.
    const tok = this.#wantToken && typeof json.sessionToken === 'string' && json.sessionToken !== ''
      ? json.sessionToken : null;
    return { status: res.status, session, token: tok };
  }
}

/** Create a client. Options as for `new GhAuth()`. */
export function createClient(options) {
  return new GhAuth(options);
}

let shared = null;

/**
 * The page's shared client (created on first call; `options` only count then).
 * The custom elements use this one unless given another through their `client` property.
 */
export function getClient(options) {
  if (!shared) shared = new GhAuth(options);
  return shared;
}
