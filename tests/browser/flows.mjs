// flows.mjs - ghauth in a real browser: headless Chromium driven by
// playwright-core, against lighttpd + the CGI programs + the mock GitHub that
// tests/browser/test-browser.py has started.  Prints TAP test points without
// numbers ("ok - ..." / "not ok - ..."); the Python wrapper numbers them and
// adds the plan.  Ends with "# flows: done".
//
// Environment (set by test-browser.py):
//   GHAUTH_ORIGIN          http://localhost:PORT - the site (lighttpd)
//   GHAUTH_MOCK_HTTP_BASE  http://127.0.0.1:PORT - its browser-facing pages
//   GHAUTH_CONFIG_FILE     ghauth.json the CGIs read (rewritten for the TTL flow)
//   GHAUTH_ARTIFACTS       where the screenshots go
//   GHAUTH_CHROMIUM        the browser (default /usr/bin/chromium)
//   GHAUTH_NODE_MODULES    where playwright-core is installed

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const NODE_MODULES = process.env.GHAUTH_NODE_MODULES || path.join(HERE, 'node_modules');
const require = createRequire(path.join(path.dirname(NODE_MODULES), 'flows.mjs'));
const { chromium } = require('playwright-core');

const ORIGIN = process.env.GHAUTH_ORIGIN;
const MOCK_HTTP = process.env.GHAUTH_MOCK_HTTP_BASE;
const CONFIG = process.env.GHAUTH_CONFIG_FILE;
const ARTIFACTS = process.env.GHAUTH_ARTIFACTS || path.join(HERE, '..', 'artifacts', 'browser');
const CHROMIUM = process.env.GHAUTH_CHROMIUM || '/usr/bin/chromium';
const AVATAR_HOST = 'avatars.githubusercontent.com';

// Banner texts (htdocs/ghauth/README.md) and the server's error messages.
const BANNER = {
  denied: 'Access denied. Your GitHub account is not authorized to use this site.',
  cancelled: 'Sign-in was cancelled on GitHub.',
  'session-ended': 'Your session has ended. Please sign in again.',
};
const DENIED_PAGE = "Access denied. User 'mallory' is not authorized to access this application.";
const CANCELLED_PAGE = 'Sign-in was cancelled on GitHub';

// ---- TAP ------------------------------------------------------------------
let failures = 0;
function diag(msg) {
  for (const line of String(msg).split('\n').slice(0, 40)) console.log(`#   ${line}`);
}
function ok(cond, desc, more) {
  console.log(`${cond ? 'ok' : 'not ok'} - ${desc}`);
  if (!cond) {
    failures++;
    if (more !== undefined) diag(more);
  }
  return !!cond;
}
function is(got, want, desc) {
  return ok(Object.is(got, want), desc, `got:  ${JSON.stringify(got)}\nwant: ${JSON.stringify(want)}`);
}
function note(msg) {
  console.log(`# ${msg}`);
}

// ---- what every page reports ----------------------------------------------
const cspMessages = [];   // console messages about the Content-Security-Policy
const pageErrors = [];    // uncaught exceptions in pages
const offsite = [];       // requests to hosts other than ours, the mock, the avatars
const screenshots = [];

// A 64x64 PNG "avatar" served for avatars.githubusercontent.com (no network).
function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function avatarPng(rgb) {
  const n = 64;
  const rows = [];
  for (let y = 0; y < n; y++) {
    const row = Buffer.alloc(1 + n * 3);
    for (let x = 0; x < n; x++) {
      const d = Math.hypot(x - 31.5, y - 26);
      const body = Math.hypot(x - 31.5, y - 70) < 30;
      const on = d < 14 || body;
      const px = on ? [255, 255, 255] : rgb;
      px.forEach((v, i) => { row[1 + x * 3 + i] = v; });
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(n, 0);
  ihdr.writeUInt32BE(n, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
// octocat's avatar loads; any other (alice's) is a 404, to see the fallback.
const AVATARS = { '583231': avatarPng([110, 84, 148]) };
const avatarRequests = [];

let browser;

async function newContext({ colorScheme = 'light' } = {}) {
  const ctx = await browser.newContext({
    viewport: { width: 960, height: 640 },
    colorScheme,
    locale: 'en-US',
  });
  // Generous: these only bound how long a broken step takes to fail, and a
  // sign-in (GitHub's token, /user, the revocation) behind a sanitizer build
  // on a loaded two-core machine has taken more than 10 s.
  ctx.setDefaultTimeout(30000);
  ctx.setDefaultNavigationTimeout(30000);
  const local = new Set([new URL(ORIGIN).host, new URL(MOCK_HTTP).host]);
  await ctx.route((u) => u.hostname === AVATAR_HOST, async (route) => {
    const u = new URL(route.request().url());
    avatarRequests.push(u.href);
    const m = u.pathname.match(/^\/u\/(\d+)$/);
    const png = m && AVATARS[m[1]];
    if (png) await route.fulfill({ status: 200, contentType: 'image/png', body: png });
    else await route.fulfill({ status: 404, contentType: 'text/plain', body: 'no such avatar' });
  });
  await ctx.route((u) => (u.protocol === 'http:' || u.protocol === 'https:') &&
    !local.has(u.host) && u.hostname !== AVATAR_HOST, async (route) => {
    offsite.push(route.request().url());
    await route.abort('blockedbyclient');
  });
  // Belt and braces: also report violations the page sees as events.
  await ctx.addInitScript(() => {
    window.addEventListener('pageshow', (e) => { if (e.persisted) window.__ghauthTestPersisted = true; });
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`Content Security Policy violation (event): ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  ctx.on('page', watchPage);
  return ctx;
}

function watchPage(page) {
  page.on('console', (m) => {
    if (/content.security.policy/i.test(m.text())) cspMessages.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
}

let failCount = 0;
/** On an exception in a flow: where the page was, and a screenshot of it. */
async function failShot(page, e) {
  try {
    const name = `fail-${++failCount}.png`;
    diag(`at ${page.url()} (screenshot ${name})`);
    await page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true, timeout: 5000 });
  } catch {
    // the page is gone: nothing to show
  }
  return e;
}

async function shot(page, name, what) {
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file, fullPage: true });
  screenshots.push({ file, what });
  return file;
}

const visible = (page, sel) => page.locator(sel).first().isVisible();
const text = async (page, sel) => ((await page.locator(sel).first().textContent()) ?? '').trim();
const attr = (page, sel, name) => page.locator(sel).first().getAttribute(name);
const activeIs = (page, sel) => page.evaluate((s) => {
  const a = document.activeElement;
  return !!a && a.matches(s);
}, sel);
const waitState = (page, state, timeout = 30000) =>
  page.waitForSelector(`body[data-state="${state}"]`, { state: 'attached', timeout });
const pathOf = (u) => new URL(u).pathname;

/** Server-side checks that bypass the browser (no cookies). */
async function serverSession(headers = {}, query = '') {
  const res = await fetch(`${ORIGIN}/auth/session${query}`, {
    headers: { Accept: 'application/json', ...headers },
  });
  let json = null;
  try { json = await res.json(); } catch { /* not JSON */ }
  return { status: res.status, json };
}

async function historyUrls(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const h = await cdp.send('Page.getNavigationHistory');
    return h.entries.map((e) => e.url);
  } finally {
    await cdp.detach();
  }
}

/**
 * From the signed-out demo page: click "Sign in with GitHub", pick a user on
 * the mock's Authorize page and click Authorize or Cancel.  Resolves once the
 * browser is back on our origin: {authorizeUrl, callback (Response),
 * handoff, token, identity} (when a session was made).  The page itself
 * exchanges the hand-off with GET /auth, which never answers the token: the
 * test reads the token from the browser's HttpOnly cookie, and `created`
 * from /auth/session with that token.
 */
async function signInVia(page, { login = 'octocat', decision = 'authorize', shotName = null } = {}) {
  await Promise.all([
    page.waitForURL((u) => u.href.startsWith(`${MOCK_HTTP}/login/oauth/authorize?`)),
    page.click('button[data-action="sign-in"]'),
  ]);
  const authorizeUrl = page.url();
  await page.selectOption('select[name="login"]', login);
  if (shotName) await shot(page, shotName, `mock GitHub "Authorize" page, user ${login} selected, Authorize and Cancel buttons`);
  const out = { authorizeUrl, handoff: null, token: null };
  const sessionResp = decision === 'authorize'
    ? page.waitForResponse((r) => pathOf(r.url()) === '/auth' && /[?&]session=/.test(r.url()), { timeout: 30000 }).catch(() => null)
    : null;
  const callbackResp = page.waitForResponse((r) => pathOf(r.url()) === '/auth/github/callback');
  await page.click(decision === 'authorize' ? '#js-oauth-authorize-btn' : '#js-oauth-cancel-btn');
  out.callback = await callbackResp;
  await page.waitForURL((u) => u.origin === ORIGIN);
  await page.waitForLoadState('load');
  if (sessionResp && out.callback.status() === 303) {
    const r = await sessionResp;
    if (r) {
      out.handoff = new URL(r.url()).searchParams.get('session');
      out.sessionStatus = r.status();
      out.identity = await r.json().catch(() => null);
      out.identityBody = await r.text().catch(() => '');
      const c = (await page.context().cookies(ORIGIN)).find((x) => x.name === 'ghauth_session');
      out.token = c ? c.value : null;
      if (out.token) {
        const full = await serverSession({ 'X-Session-Token': out.token });
        out.created = full.json && full.json.created;
      }
    }
  }
  return out;
}

// ---- the flows --------------------------------------------------------------

async function flowSignInOut() {
  const ctx = await newContext();
  const page = await ctx.newPage();
  // Every /auth answer the page's script could read, to look for the token.
  const authBodies = [];
  page.on('response', async (x) => {
    if (!pathOf(x.url()).startsWith('/auth')) return;
    try {
      authBodies.push({ url: x.url(), body: await x.text() });
    } catch {
      // a redirect has no body to read
    }
  });
  try {
    await page.goto(`${ORIGIN}/`);
    await waitState(page, 'signed-out');
    ok(await visible(page, 'ghauth-signin'), 'signed out: the sign-in panel is shown');
    is(await text(page, 'ghauth-signin .ghauth-signin__heading'), 'Sign in to ghauth demo', 'signed out: its heading');
    is(await text(page, 'button[data-action="sign-in"]'), 'Sign in with GitHub', 'signed out: "Sign in with GitHub" button');
    ok(!(await visible(page, 'ghauth-signin .ghauth-banner')), 'signed out: no error banner');
    ok(!(await visible(page, 'ghauth-user-menu')), 'signed out: no user menu');
    ok(!(await visible(page, '#app')), 'signed out: the protected app is hidden');
    await page.waitForSelector('#demo-banner:not([hidden])', { timeout: 5000 }).catch(() => null);
    ok(await visible(page, '#demo-banner'), 'demo.json {"mockGitHub": true} shows the demo-mode banner');
    await shot(page, '01-signed-out.png', 'demo page signed out: demo-mode strip, "Sign in to ghauth demo" panel with the "Sign in with GitHub" button');

    const r = await signInVia(page, { login: 'octocat', shotName: '02-github-authorize.png' });
    const au = new URL(r.authorizeUrl);
    is(au.searchParams.get('redirect_uri'), `${ORIGIN}/auth/github/callback`, 'authorize page: redirect_uri is the configured http://localhost callback');
    is(au.searchParams.get('code_challenge_method'), 'S256', 'authorize page: PKCE S256');
    ok(/^[A-Za-z0-9_-]{43}$/.test(au.searchParams.get('state') || ''), 'authorize page: a 43-char state');
    is(r.callback.status(), 303, 'callback: 303 back to the site');
    ok(/^[A-Za-z0-9_-]{43}$/.test(r.handoff || ''), 'the page exchanged a ?session= hand-off', r.handoff);
    is(r.sessionStatus, 200, 'hand-off exchange (GET /auth?session=): 200');
    ok(typeof r.token === 'string' && r.token.length >= 32 && r.token !== r.handoff,
      'the session token is not the hand-off value');
    ok(r.identity && r.identity.userName === 'octocat' && r.identity.authProvider === 'github' &&
      !('sessionToken' in r.identity) && !r.identityBody.includes(r.token),
      'GET /auth answers the identity (authProvider github) without the session token', r.identityBody);

    await waitState(page, 'signed-in');
    is(await text(page, '#hello-name'), 'The Octocat', 'signed in: "Hello, The Octocat"');
    is(await text(page, '#hello-login'), 'octocat', 'signed in: login shown');
    ok(!(await visible(page, 'ghauth-signin')), 'signed in: the sign-in panel is hidden');
    ok(await visible(page, 'ghauth-user-menu .ghauth-menu__button'), 'signed in: the avatar menu button is shown');
    is(await attr(page, 'ghauth-user-menu .ghauth-menu__button', 'title'), 'Signed in as octocat', 'avatar button title');
    await page.waitForFunction(() => {
      const i = document.querySelector('ghauth-user-menu img.ghauth-avatar');
      return i && i.complete;
    });
    const img = await page.evaluate(() => {
      const i = document.querySelector('ghauth-user-menu img.ghauth-avatar');
      return { src: i.src, alt: i.alt, w: i.naturalWidth, hidden: i.hidden,
        avatar: i.closest('ghauth-user-menu').dataset.avatar };
    });
    is(img.src, `https://${AVATAR_HOST}/u/583231?v=4`, 'avatar: the GitHub avatar URL');
    ok(img.w > 0 && !img.hidden && img.avatar === 'image', 'avatar: the image is loaded and shown', JSON.stringify(img));
    is(img.alt, 'The Octocat', 'avatar: alt is the display name');
    is(page.url(), `${ORIGIN}/`, 'no session= left in the address bar');
    await shot(page, '03-signed-in.png', 'signed in as octocat: "Hello, The Octocat", the avatar at top right, "Call the API" card');

    // The token stays in memory: not in the DOM, storage, script-readable cookies.
    const leaks = await page.evaluate((tok) => ({
      dom: document.documentElement.outerHTML.includes(tok),
      cookie: document.cookie.includes(tok),
      local: JSON.stringify({ ...localStorage }).includes(tok),
      session: JSON.stringify({ ...sessionStorage }).includes(tok),
    }), r.token || 'x');
    ok(!leaks.dom && !leaks.cookie && !leaks.local && !leaks.session,
      'the session token is not in the DOM, document.cookie or web storage', JSON.stringify(leaks));
    is(await page.evaluate(async () => (await import('/ghauth/client.js')).getClient().hasToken), false,
      'a cookie-only page holds no session token in script (client.hasToken false)');
    const tokenSeen = authBodies.filter((x) => x.body.includes(r.token)).map((x) => x.url);
    ok(authBodies.length >= 1 && tokenSeen.length === 0,
      'no /auth answer the page received carried the session token', JSON.stringify(tokenSeen));
    // An llms.py v2-style client still gets the token from /auth/session, on request.
    const tc = await page.evaluate(async () => {
      const c = (await import('/ghauth/client.js')).createClient({ token: true });
      const s = await c.init();
      return { has: c.hasToken, user: s && s.userName, email: s && s.email };
    });
    ok(tc.has && tc.user === 'octocat' && tc.email === 'octocat@github.com',
      'a client made with { token: true } uses /auth/session: holds the token, has the email',
      JSON.stringify(tc));
    const cookies = await ctx.cookies(ORIGIN);
    const sc = cookies.find((c) => c.name === 'ghauth_session');
    ok(sc && sc.httpOnly && sc.sameSite === 'Lax', 'the session cookie is HttpOnly, SameSite=Lax', JSON.stringify(cookies));

    // History: no entry holds the hand-off.
    const hist = await historyUrls(page);
    note(`history after sign-in (history.length ${await page.evaluate(() => history.length)}): ${hist.join('  ')}`);
    ok(hist.length >= 2 && !hist.some((u) => u.includes('session=')), 'no history entry contains session=', hist.join('\n'));
    is(await page.evaluate(() => history.length), hist.length, 'history.length counts just these entries');
    const afterGitHub = hist.slice(hist.findIndex((u) => u.startsWith(MOCK_HTTP)) + 1);
    is(JSON.stringify(afterGitHub), JSON.stringify([`${ORIGIN}/`]),
      'coming back from GitHub left one history entry, the clean URL');
    ok(!hist.some((u) => pathOf(u).startsWith('/auth/')), 'no history entry is an /auth/ URL', hist.join('\n'));
    await page.goBack();
    const back = page.url();
    ok(!back.includes('session='), 'Back does not land on a URL with session=', back);
    await page.goForward();
    await waitState(page, 'signed-in');
    is(page.url(), `${ORIGIN}/`, 'Forward again: the clean URL, signed in');

    // A leaked landing URL is worth nothing: the hand-off was single use.
    const replay = await serverSession({}, `?session=${r.handoff}`);
    is(replay.status, 401, 'the hand-off cannot be used a second time (401)');
    const live = await serverSession({ 'X-Session-Token': r.token });
    ok(live.status === 200 && live.json && live.json.userName === 'octocat', 'the session is live on the server', JSON.stringify(live));

    // Reload keeps the user signed in (the HttpOnly cookie).
    const reloadSession = page.waitForResponse((x) => pathOf(x.url()) === '/auth');
    await page.reload();
    const rs = await reloadSession;
    ok(!rs.url().includes('session='), 'reload: the page asks GET /auth without a hand-off');
    is(rs.status(), 200, 'reload: GET /auth answers 200 (cookie)');
    await waitState(page, 'signed-in');
    is(await text(page, '#hello-name'), 'The Octocat', 'reload: still signed in as The Octocat');
    is(page.url(), `${ORIGIN}/`, 'reload: URL still clean');

    // The menu.
    await page.click('ghauth-user-menu .ghauth-menu__button');
    ok(await visible(page, 'ghauth-user-menu [role="menu"]'), 'menu: a click on the avatar opens it');
    is(await attr(page, 'ghauth-user-menu .ghauth-menu__button', 'aria-expanded'), 'true', 'menu: aria-expanded="true"');
    is(await text(page, 'ghauth-user-menu .ghauth-menu__name'), 'The Octocat', 'menu: the name');
    ok(!(await visible(page, 'ghauth-user-menu .ghauth-menu__email')),
      'menu: no email line (GET /auth, like llms.py v4, does not give the email)');
    await shot(page, '04-menu-open.png', 'avatar menu open: "The Octocat", a "Sign Out" item');
    await page.click('#hello');
    ok(!(await visible(page, 'ghauth-user-menu [role="menu"]')), 'menu: a click outside closes it');

    // A second tab of the same site, to see it told about the sign-out.
    const page2 = await ctx.newPage();
    await page2.goto(`${ORIGIN}/`);
    await waitState(page2, 'signed-in');
    await page.bringToFront();
    await page.click('ghauth-user-menu .ghauth-menu__button');

    const logoutResp = page.waitForResponse((x) => pathOf(x.url()) === '/auth/logout');
    await page.click('ghauth-user-menu button[data-action="sign-out"]');
    const lr = await logoutResp;
    is(lr.status(), 200, 'sign out: POST /auth/logout answers 200');
    is(JSON.stringify(await lr.json().catch(() => null)), '{"success":true}', 'sign out: {"success": true}');
    await waitState(page, 'signed-out');
    ok(await visible(page, 'ghauth-signin button[data-action="sign-in"]'), 'sign out: back to the sign-in panel');
    ok(!(await visible(page, 'ghauth-signin .ghauth-banner')), 'sign out: no error banner');
    ok(!(await visible(page, 'ghauth-user-menu')) && !(await visible(page, '#app')), 'sign out: menu and app are gone');
    await shot(page, '05-signed-out-after-logout.png', 'after Sign Out: the sign-in panel again, no banner, no avatar');

    await waitState(page2, 'signed-out', 15000).catch(() => null);
    is(await page2.evaluate(() => document.body.dataset.state), 'signed-out',
      'sign out: another open tab of the site goes to the sign-in panel too');
    await page2.close();

    const dead = await serverSession({ 'X-Session-Token': r.token });
    is(dead.status, 401, 'sign out: the session is dead on the server (token gets 401)');
    const viaCookie = await page.request.get(`${ORIGIN}/auth/session`, { headers: { Accept: 'application/json' } });
    is(viaCookie.status(), 401, 'sign out: /auth/session with the browser\'s cookies gets 401');
    ok(!(await ctx.cookies(ORIGIN)).some((c) => c.name === 'ghauth_session'), 'sign out: the session cookie is gone');
    await page.reload();
    await waitState(page, 'signed-out').catch(() => null);
    ok(await page.evaluate(() => document.body.dataset.state) === 'signed-out' &&
      await visible(page, 'ghauth-signin') && !(await visible(page, 'ghauth-user-menu')),
    'sign out: a reload stays signed out (the sign-in panel, no menu)');
  } catch (e) {
    await failShot(page, e);
    throw e;
  } finally {
    await ctx.close();
  }
}

async function flowKeyboard() {
  const ctx = await newContext();
  const page = await ctx.newPage();
  const tabTo = async (sel, max = 12) => {
    for (let i = 0; i < max; i++) {
      if (await activeIs(page, sel)) return true;
      await page.keyboard.press('Tab');
    }
    return activeIs(page, sel);
  };
  try {
    await page.goto(`${ORIGIN}/`);
    await waitState(page, 'signed-out');
    ok(await tabTo('button[data-action="sign-in"]'), 'keyboard: Tab reaches "Sign in with GitHub"');
    const toGitHub = await Promise.all([
      page.waitForURL((u) => u.href.startsWith(`${MOCK_HTTP}/login/oauth/authorize?`)),
      page.keyboard.press('Enter'),
    ]).then(() => true, () => false);
    ok(toGitHub && new URL(page.url()).searchParams.get('client_id') !== null,
      'keyboard: Enter on it goes to GitHub', page.url());
    // GitHub's page, by keyboard too: the default user (octocat), then Authorize.
    ok(await tabTo('#js-oauth-authorize-btn'), 'keyboard: Tab reaches Authorize on the mock GitHub');
    await Promise.all([page.waitForURL((u) => u.origin === ORIGIN), page.keyboard.press('Enter')]);
    await waitState(page, 'signed-in');
    is(await text(page, '#hello-login'), 'octocat', 'keyboard: signed in');

    const button = 'ghauth-user-menu .ghauth-menu__button';
    const menu = 'ghauth-user-menu [role="menu"]';
    const item = 'ghauth-user-menu button[data-action="sign-out"]';
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    ok(await tabTo(button), 'keyboard: Tab reaches the avatar button');
    await page.keyboard.press('Enter');
    ok(await visible(page, menu), 'keyboard: Enter opens the menu');
    ok(await activeIs(page, item), 'keyboard: ... and focuses "Sign Out"');
    is(await attr(page, button, 'aria-expanded'), 'true', 'keyboard: aria-expanded="true"');
    await page.keyboard.press('Escape');
    ok(!(await visible(page, menu)), 'keyboard: Escape closes it');
    ok(await activeIs(page, button), 'keyboard: ... and returns focus to the avatar');
    is(await attr(page, button, 'aria-expanded'), 'false', 'keyboard: aria-expanded="false"');
    await page.keyboard.press('Space');
    ok(await visible(page, menu) && await activeIs(page, item), 'keyboard: Space opens it, first item focused');
    await page.keyboard.press('Escape');
    await page.keyboard.press('ArrowDown');
    ok(await visible(page, menu) && await activeIs(page, item), 'keyboard: ArrowDown opens it, first item focused');
    await page.keyboard.press('ArrowDown');
    ok(await activeIs(page, item), 'keyboard: ArrowDown wraps around the items');
    await page.keyboard.press('Home');
    ok(await activeIs(page, item), 'keyboard: Home keeps focus on an item');
    await page.keyboard.press('Tab');
    await page.waitForTimeout(50);
    ok(!(await visible(page, menu)), 'keyboard: Tab closes the menu');
    ok(await activeIs(page, '#call-api'), 'keyboard: ... and moves on to "Call the API"');
    await page.keyboard.press('Shift+Tab');
    ok(await activeIs(page, button), 'keyboard: Shift+Tab comes back to the avatar');
    await page.keyboard.press('ArrowUp');
    ok(await visible(page, menu) && await activeIs(page, item), 'keyboard: ArrowUp opens it, last item focused');
    await shot(page, '09-keyboard-menu.png', 'menu opened from the keyboard: focus ring on "Sign Out"');
    await page.keyboard.press('Shift+Tab');
    ok(!(await visible(page, menu)) && await activeIs(page, button), 'keyboard: Shift+Tab in the menu closes it onto the avatar');
    await page.keyboard.press('Enter');
    ok(await visible(page, menu) && await activeIs(page, item), 'keyboard: Enter opens it again');
    const logoutResp = page.waitForResponse((x) => pathOf(x.url()) === '/auth/logout');
    await page.keyboard.press('Enter');
    is((await logoutResp).status(), 200, 'keyboard: Enter on "Sign Out" signs out');
    await waitState(page, 'signed-out');
    await page.waitForFunction(() => document.activeElement &&
      document.activeElement.matches('button[data-action="sign-in"]'), null, { timeout: 3000 }).catch(() => null);
    ok(await activeIs(page, 'button[data-action="sign-in"]'), 'keyboard: after sign-out the focus is on "Sign in with GitHub"');
    await shot(page, '09b-keyboard-signed-out.png', 'signed out from the keyboard: focus ring on "Sign in with GitHub"');
  } catch (e) {
    await failShot(page, e);
    throw e;
  } finally {
    await ctx.close();
  }
}

async function flowDenied() {
  const ctx = await newContext();
  const page = await ctx.newPage();
  try {
    await page.goto(`${ORIGIN}/`);
    await waitState(page, 'signed-out');
    const r = await signInVia(page, { login: 'mallory' });
    is(r.callback.status(), 403, 'denied: the callback answers 403 for mallory');
    is(await page.title(), 'Sign-in problem', 'denied: the server\'s own error page');
    ok(await visible(page, 'main.ghauth-error[data-error="denied"]'), 'denied: data-error="denied"');
    is(await text(page, 'p.msg[role="alert"]'), DENIED_PAGE, 'denied: the page says who is not authorized');
    is(await attr(page, 'main a', 'href'), `${ORIGIN}/`, 'denied: "Try again" links to the site');
    const styled = await page.evaluate(() => getComputedStyle(document.querySelector('main')).borderTopStyle);
    is(styled, 'solid', 'denied: the page\'s style is applied under its own CSP');
    ok(!(await ctx.cookies(ORIGIN)).some((c) => c.name === 'ghauth_session'), 'denied: no session cookie');
    await shot(page, '06-denied-server.png', 'callback 403 page: "Sign-in problem" / "Access denied. User \'mallory\' is not authorized…" / "Try again"');
    await Promise.all([page.waitForURL(`${ORIGIN}/`), page.click('text=Try again')]);
    await waitState(page, 'signed-out');
    ok(await visible(page, 'button[data-action="sign-in"]'), 'denied: "Try again" leads to the sign-in panel');

    await page.goto(`${ORIGIN}/?auth_error=denied`);
    await waitState(page, 'signed-out');
    is(await attr(page, 'ghauth-signin .ghauth-banner', 'data-kind'), 'denied', '/?auth_error=denied: banner data-kind="denied"');
    ok(await visible(page, 'ghauth-signin .ghauth-banner[role="alert"]'), '/?auth_error=denied: the banner is shown');
    is(await text(page, 'ghauth-signin .ghauth-banner__text'), BANNER.denied, '/?auth_error=denied: its text');
    is(page.url(), `${ORIGIN}/`, '/?auth_error=denied: the parameter is removed from the URL');
    await shot(page, '06-denied.png', 'sign-in panel with the red "Access denied. Your GitHub account is not authorized to use this site." banner');
    await page.click('ghauth-signin .ghauth-banner__close');
    ok(!(await visible(page, 'ghauth-signin .ghauth-banner')), 'banner: Dismiss hides it');
    ok(await activeIs(page, 'button[data-action="sign-in"]'), 'banner: Dismiss moves the focus to the sign-in button');
  } catch (e) {
    await failShot(page, e);
    throw e;
  } finally {
    await ctx.close();
  }
}

async function flowCancelled() {
  const ctx = await newContext();
  const page = await ctx.newPage();
  try {
    await page.goto(`${ORIGIN}/`);
    await waitState(page, 'signed-out');
    // Changing one's mind on GitHub's page with Back: the sign-in button works again.
    await Promise.all([
      page.waitForURL((u) => u.href.startsWith(`${MOCK_HTTP}/login/oauth/authorize?`)),
      page.click('button[data-action="sign-in"]'),
    ]);
    await page.goBack();
    await waitState(page, 'signed-out');
    const nav = await page.evaluate(() => performance.getEntriesByType('navigation')[0]?.type);
    note(`Back from GitHub: navigation type ${nav}; restored from the back/forward cache: ${await page.evaluate(() => !!window.__ghauthTestPersisted)}`);
    const busy = await page.evaluate(() => {
      const b = document.querySelector('button[data-action="sign-in"]');
      return b.hasAttribute('data-busy') || b.getAttribute('aria-disabled') === 'true';
    });
    ok(!busy, 'Back from GitHub: the sign-in button is not left busy');
    const r = await signInVia(page, { login: 'octocat', decision: 'cancel' });
    ok([400, 403].includes(r.callback.status()), 'cancelled: the callback answers 400/403', r.callback.status());
    ok(await visible(page, 'main.ghauth-error[data-error="cancelled"]'), 'cancelled: data-error="cancelled"');
    is(await text(page, 'p.msg[role="alert"]'), CANCELLED_PAGE, 'cancelled: "Sign-in was cancelled on GitHub"');
    ok(!(await ctx.cookies(ORIGIN)).some((c) => c.name === 'ghauth_session'), 'cancelled: no session cookie');
    await shot(page, '07-cancelled-server.png', 'callback error page: "Sign-in problem" / "Sign-in was cancelled on GitHub" / "Try again"');

    await page.goto(`${ORIGIN}/?keep=1&auth_error=cancelled#top`);
    await waitState(page, 'signed-out');
    is(await attr(page, 'ghauth-signin .ghauth-banner', 'data-kind'), 'cancelled', '/?auth_error=cancelled: banner data-kind="cancelled"');
    is(await text(page, 'ghauth-signin .ghauth-banner__text'), BANNER.cancelled, '/?auth_error=cancelled: its text');
    is(page.url(), `${ORIGIN}/?keep=1#top`, '/?auth_error=cancelled: only that parameter is removed (others and the hash kept)');
    await shot(page, '07-cancelled.png', 'sign-in panel with the "Sign-in was cancelled on GitHub." banner');
    await page.goto(`${ORIGIN}/?auth_error=bogus`);
    await waitState(page, 'signed-out');
    ok(!(await visible(page, 'ghauth-signin .ghauth-banner')), '/?auth_error=<unknown>: no banner');
  } catch (e) {
    await failShot(page, e);
    throw e;
  } finally {
    await ctx.close();
  }
}

async function flowSessionEnded() {
  const ctx = await newContext();
  const page = await ctx.newPage();
  try {
    // Sign-in from another page than / comes back to it (?redirect=).
    await page.goto(`${ORIGIN}/index.html?tab=2#news`);
    await waitState(page, 'signed-out');
    const r = await signInVia(page, { login: 'alice' });
    await waitState(page, 'signed-in');
    is(page.url(), `${ORIGIN}/index.html?tab=2`, 'sign-in from /index.html?tab=2 comes back there (clean URL)');
    is(await text(page, '#hello-name'), 'Alice Example', 'alice: signed in as "Alice Example"');
    await page.waitForSelector('ghauth-user-menu[data-avatar="fallback"]', { timeout: 5000 }).catch(() => null);
    const fb = await page.evaluate(() => {
      const m = document.querySelector('ghauth-user-menu');
      const f = m.querySelector('.ghauth-avatar--fallback');
      return { avatar: m.dataset.avatar, text: f.textContent, hidden: f.hidden,
        label: f.getAttribute('aria-label'), img: m.querySelector('img.ghauth-avatar').hidden };
    });
    ok(fb.avatar === 'fallback' && fb.text === 'A' && !fb.hidden && fb.img && fb.label === 'Alice Example',
      'an avatar that does not load is replaced by the initial', JSON.stringify(fb));
    await shot(page, '08a-avatar-fallback.png', 'signed in as alice whose avatar fails to load: a round "A" in its place');
    const alice = await serverSession({ 'X-Session-Token': r.token });
    is(alice.json && alice.json.email, 'alice@example.com', 'alice: her primary verified email (from /user/emails)');

    // The API works while the session lives.
    const ok1 = page.waitForResponse((x) => pathOf(x.url()) === '/auth');
    await page.click('#call-api');
    is((await ok1).status(), 200, 'Call the API: 200 while the session lives');
    await page.waitForSelector('#api-result[data-status="ok"]');
    const shown = await text(page, '#api-result');
    ok(shown.startsWith('HTTP 200') && shown.includes('"userName": "alice"') && !shown.includes(r.token),
      'Call the API: the result is shown, token hidden', shown);

    // The session is ended elsewhere: logout by a separate request, token only.
    const res = await fetch(`${ORIGIN}/auth/logout`, {
      method: 'POST', headers: { Accept: 'application/json', 'X-Session-Token': r.token },
    });
    is(res.status, 200, 'a separate POST /auth/logout with X-Session-Token ends the session');

    const r401 = page.waitForResponse((x) => pathOf(x.url()) === '/auth');
    await page.click('#call-api');
    is((await r401).status(), 401, 'Call the API afterwards: 401');
    await waitState(page, 'signed-out');
    ok(await visible(page, 'ghauth-signin'), 'session ended: back to the sign-in panel');
    is(await attr(page, 'ghauth-signin .ghauth-banner', 'data-kind'), 'session-ended', 'session ended: banner data-kind="session-ended"');
    is(await text(page, 'ghauth-signin .ghauth-banner__text'), BANNER['session-ended'], 'session ended: its text');
    ok(!(await visible(page, 'ghauth-user-menu')) && !(await visible(page, '#app')), 'session ended: menu and app are gone');
    await page.waitForFunction(() => document.activeElement &&
      document.activeElement.matches('button[data-action="sign-in"]'), null, { timeout: 3000 }).catch(() => null);
    ok(await activeIs(page, 'button[data-action="sign-in"]'), 'session ended: focus goes to "Sign in with GitHub"');
    await shot(page, '08-session-ended.png', 'after "Call the API" on a session ended elsewhere: sign-in panel with "Your session has ended. Please sign in again."');
  } catch (e) {
    await failShot(page, e);
    throw e;
  } finally {
    await ctx.close();
  }
}

async function flowExpired() {
  const saved = fs.readFileSync(CONFIG, 'utf8');
  const cfg = JSON.parse(saved);
  // Long enough that a loaded machine still shows the signed-in page
  // before it runs out; the wait below is measured from the session's
  // creation, so a slow sign-in waits less, never too little.
  const TTL = 8;
  cfg.auth.session_ttl = TTL;
  fs.writeFileSync(`${CONFIG}.tmp`, JSON.stringify(cfg, null, 2));
  fs.renameSync(`${CONFIG}.tmp`, CONFIG);
  const ctx = await newContext();
  const page = await ctx.newPage();
  try {
    await page.goto(`${ORIGIN}/`);
    await waitState(page, 'signed-out');
    const r = await signInVia(page, { login: 'octocat' });
    await waitState(page, 'signed-in');
    ok(typeof r.created === 'number', `session_ttl ${TTL}: signed in`, JSON.stringify(r.created));
    // The header the callback sent, not the browser's jar: the jar drops
    // the cookie once Max-Age has passed, however slow the machine was.
    const setCookie = (await r.callback.headersArray())
      .filter((h) => h.name.toLowerCase() === 'set-cookie' && h.value.startsWith('ghauth_session='))
      .map((h) => h.value);
    ok(setCookie.length === 1 && new RegExp(`;\\s*Max-Age=${TTL}(;|$)`, 'i').test(setCookie[0]),
      `session_ttl ${TTL}: the cookie's Max-Age follows it`, JSON.stringify(setCookie));
    // "created" is whole seconds: the session is over by created + TTL + 1.
    const wait = (r.created + TTL + 1.2) * 1000 - Date.now();
    note(`waiting ${(wait / 1000).toFixed(1)} s for the session to expire`);
    if (wait > 0) await page.waitForTimeout(wait);
    const r401 = page.waitForResponse((x) => pathOf(x.url()) === '/auth');
    await page.click('#call-api');
    is((await r401).status(), 401, `session_ttl ${TTL}: after it, Call the API gets 401`);
    await waitState(page, 'signed-out');
    is(await attr(page, 'ghauth-signin .ghauth-banner', 'data-kind'), 'session-ended', `session_ttl ${TTL}: signed out with the session-ended banner`);
    await shot(page, '10-session-expired.png', 'after the session TTL ran out and "Call the API": sign-in panel with "Your session has ended…"');
    await page.reload();
    await waitState(page, 'signed-out').catch(() => null);
    ok(await page.evaluate(() => document.body.dataset.state) === 'signed-out' &&
      await visible(page, 'ghauth-signin') && !(await visible(page, 'ghauth-user-menu')),
    `session_ttl ${TTL}: a reload stays signed out (the sign-in panel, no menu)`);
  } catch (e) {
    await failShot(page, e);
    throw e;
  } finally {
    fs.writeFileSync(`${CONFIG}.tmp`, saved);
    fs.renameSync(`${CONFIG}.tmp`, CONFIG);
    await ctx.close();
  }
}

/**
 * A team-restricted site (restrict_to "team:acme/infra"): the mock's acme/infra
 * team has octocat (active) and bob (pending).  A member signs in, a
 * non-member gets the usual 403, GitHub's token is revoked after each
 * sign-in, and removing the team entry ends the member's session.
 */
async function flowTeam() {
  const saved = fs.readFileSync(CONFIG, 'utf8');
  const writeRestrict = (list) => {
    const cfg = JSON.parse(saved);
    cfg.auth.github.restrict_to = list;
    fs.writeFileSync(`${CONFIG}.tmp`, JSON.stringify(cfg, null, 2));
    fs.renameSync(`${CONFIG}.tmp`, CONFIG);
  };
  const mockState = async () => (await fetch(`${MOCK_HTTP}/_mock/state`)).json();
  writeRestrict('team:acme/infra');
  const ctx = await newContext();
  const other = await newContext();
  const page = await ctx.newPage();
  const page2 = await other.newPage();
  try {
    await page.goto(`${ORIGIN}/`);
    await waitState(page, 'signed-out');
    const r = await signInVia(page, { login: 'octocat' });
    is(new URL(r.authorizeUrl).searchParams.get('scope'), 'read:user user:email read:org',
      'team site: the authorize page is asked for read:org too');
    is(r.callback.status(), 303, 'team site: an active member of acme/infra signs in');
    await waitState(page, 'signed-in');
    is(await text(page, '#hello-name'), 'The Octocat', 'team site: "Hello, The Octocat"');
    await shot(page, '13-team-signed-in.png', 'team-restricted site (team:acme/infra): octocat, an active member, signed in');
    is((await mockState()).tokens, 0, 'team site: GitHub\'s token was revoked after the sign-in');

    await page2.goto(`${ORIGIN}/`);
    await waitState(page2, 'signed-out');
    const d = await signInVia(page2, { login: 'alice' });
    is(d.callback.status(), 403, 'team site: alice, not in the team, gets 403');
    is(await text(page2, 'p.msg[role="alert"]'),
      "Access denied. User 'alice' is not authorized to access this application.",
      'team site: the usual "Access denied" page');
    ok(!(await other.cookies(ORIGIN)).some((c) => c.name === 'ghauth_session'), 'team site: no session cookie for alice');
    await shot(page2, '13b-team-denied.png', 'team-restricted site: alice (in acme, not in acme/infra) refused with the usual 403 page');
    is((await mockState()).tokens, 0, 'team site: the refused user\'s token was revoked too');

    // The team entry goes: octocat's session ends on its next use.
    writeRestrict('alice');
    const r401 = page.waitForResponse((x) => pathOf(x.url()) === '/auth');
    await page.click('#call-api');
    is((await r401).status(), 401, 'team entry removed: the member\'s next request gets 401');
    await waitState(page, 'signed-out');
    is(await attr(page, 'ghauth-signin .ghauth-banner', 'data-kind'), 'session-ended',
      'team entry removed: signed out with the session-ended banner');
    await shot(page, '13c-team-removed.png', 'after team:acme/infra was removed from restrict_to: octocat signed out, "Your session has ended…"');
  } catch (e) {
    await failShot(page, e);
    throw e;
  } finally {
    fs.writeFileSync(`${CONFIG}.tmp`, saved);
    fs.renameSync(`${CONFIG}.tmp`, CONFIG);
    await ctx.close();
    await other.close();
  }
}

/** A GitHub name full of markup and odd characters is shown as text. */
async function flowHostileName() {
  const ctx = await newContext();
  const page = await ctx.newPage();
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  try {
    await page.goto(`${ORIGIN}/`);
    await waitState(page, 'signed-out');
    await signInVia(page, { login: 'unicode' });
    await waitState(page, 'signed-in');
    const want = 'Uni "Code" \\ </script><script>alert(1)</script> \u202eevil\u202c \u2028line \u{1F984} \u00e9\u00e8';
    const got = await page.evaluate(() => ({
      hello: document.getElementById('hello-name').textContent,
      helloChildren: document.getElementById('hello-name').children.length,
      menu: document.querySelector('ghauth-user-menu .ghauth-menu__name').textContent,
      alt: document.querySelector('ghauth-user-menu img.ghauth-avatar').alt,
      scripts: document.scripts.length,
    }));
    is(got.hello, want, 'hostile name: shown exactly, as text');
    is(got.helloChildren, 0, 'hostile name: no element made from it');
    is(got.menu, want, 'hostile name: the same in the menu');
    is(got.alt, want, 'hostile name: the avatar alt text');
    is(got.scripts, 1, 'hostile name: no script element added to the page');
    await page.waitForTimeout(200);
    is(dialogs.length, 0, 'hostile name: no script ran (no alert)');
    await shot(page, '11-hostile-name.png', 'signed in as the mock\'s "unicode" user: the name with </script>, RTL override, emoji shown literally');
  } catch (e) {
    await failShot(page, e);
    throw e;
  } finally {
    await ctx.close();
  }
}

/** The CSP listener does hear violations (so "none" above means none). */
async function cspControl() {
  const ctx = await newContext({ colorScheme: 'dark' });
  const page = await ctx.newPage();
  try {
    await page.goto(`${ORIGIN}/?auth_error=unavailable`);
    await waitState(page, 'signed-out');
    is(await attr(page, 'ghauth-signin .ghauth-banner', 'data-kind'), 'unavailable', 'dark theme: /?auth_error=unavailable banner');
    await shot(page, '12-dark-unavailable.png', 'dark theme: sign-in panel with "GitHub sign-in is unavailable right now…" banner');
    const before = cspMessages.length;
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inline = 1';
      document.head.append(s);
    });
    await page.waitForTimeout(300);
    const heard = cspMessages.splice(before);
    ok(heard.length > 0 && !(await page.evaluate(() => window.__inline)),
      'control: an injected inline script is blocked and reported (the CSP check works)');
  } catch (e) {
    await failShot(page, e);
    throw e;
  } finally {
    await ctx.close();
  }
}

async function step(name, fn) {
  note(`--- ${name}`);
  const t0 = Date.now();
  try {
    await fn();
  } catch (e) {
    ok(false, `${name}: ran without an exception`, e && e.stack ? e.stack : String(e));
  }
  note(`--- ${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function main() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const t0 = Date.now();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // playwright-core passes --headless and a fresh, empty --user-data-dir
    // of its own (removed on close); these are the flags this machine's
    // Chromium needs (root: no sandbox; no background networking).
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  note(`Chromium ${browser.version()}`);
  try {
    await step('sign in, history, reload, menu, sign out', flowSignInOut);
    await step('keyboard', flowKeyboard);
    await step('denied', flowDenied);
    await step('cancelled', flowCancelled);
    await step('session ended elsewhere', flowSessionEnded);
    await step('hostile display name', flowHostileName);
    await step('session expired (TTL)', flowExpired);
    await step('team-restricted site', flowTeam);

    ok(cspMessages.length === 0, 'no Content-Security-Policy violation reported on any page', cspMessages.join('\n'));
    ok(pageErrors.length === 0, 'no uncaught script error on any page', pageErrors.join('\n'));
    ok(offsite.length === 0, 'the pages load nothing from other hosts (avatars are GitHub\'s only)', offsite.join('\n'));
    ok(avatarRequests.length > 0, 'the avatar came from avatars.githubusercontent.com (served by the test)');
    await step('dark theme, CSP listener control', cspControl);
  } finally {
    await browser.close();
  }
  note(`${screenshots.length} screenshots in ${ARTIFACTS}:`);
  for (const s of screenshots) note(`  ${path.basename(s.file)}: ${s.what}`);
  note(`browser flows took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log('# flows: done');
  process.exitCode = failures ? 1 : 0;
}

main().catch((e) => {
  ok(false, 'browser flows', e && e.stack ? e.stack : String(e));
  process.exitCode = 2;
});
