// ghauth demo app. Shows the sign-in panel or a tiny protected app, and how
// client.fetch() turns a 401 into the signed-out state with a banner.
// Text from the server (GitHub names) is only ever set with textContent.

import { getClient } from './ghauth/client.js';
import './ghauth/elements.js';

const auth = getClient();

const $ = (id) => document.getElementById(id);
const loading = $('loading');
const app = $('app');
const helloName = $('hello-name');
const helloLogin = $('hello-login');
const result = $('api-result');
const callButton = $('call-api');

function render({ state, session }) {
  document.body.dataset.state = state;
  loading.hidden = state !== 'loading';
  const signedIn = state === 'signed-in' && !!session;
  app.hidden = !signedIn;
  if (signedIn) {
    helloName.textContent = session.displayName || session.userName;
    helloLogin.textContent = session.userName;
  } else {
    helloName.textContent = '';
    helloLogin.textContent = '';
    result.hidden = true;
    result.textContent = '';
    delete result.dataset.status;
  }
}

auth.addEventListener('change', (e) => render(e.detail));
render({ state: auth.state, session: auth.session });
auth.init();

callButton.addEventListener('click', async () => {
  callButton.disabled = true;
  result.hidden = false;
  result.dataset.status = 'pending';
  result.textContent = 'GET /auth …';
  try {
    // GET /auth: who is signed in, without the session token (the cookie is enough).
    const res = await auth.fetch('/auth', { headers: { Accept: 'application/json' } });
    let body = await res.text();
    try {
      const json = JSON.parse(body);
      if (json && typeof json === 'object' && 'sessionToken' in json) json.sessionToken = '(hidden)';
      body = JSON.stringify(json, null, 2);
    } catch {
      // not JSON: show as is
    }
    result.dataset.status = res.ok ? 'ok' : 'error';
    result.textContent = `HTTP ${res.status}\n${body}`;
  } catch (err) {
    result.dataset.status = 'error';
    result.textContent = `Request failed: ${err && err.message ? err.message : err}`;
  } finally {
    callButton.disabled = false;
  }
});

// Demo mode: the server says it signs in against a mock GitHub.
(async () => {
  try {
    const res = await fetch(new URL('demo.json', import.meta.url), {
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { Accept: 'application/json' },
    });
    if (!res.ok) return;
    const json = await res.json();
    if (json && json.mockGitHub === true) $('demo-banner').hidden = false;
  } catch {
    // no demo.json: nothing to show
  }
})();
