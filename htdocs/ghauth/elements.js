// ghauth custom elements: <ghauth-signin> and <ghauth-user-menu>.
//
//   <script type="module" src="/ghauth/elements.js"></script>
//
// Importing this module defines both elements. They use the page's shared client
// (getClient() from client.js) unless given another one through their `client`
// property, and call client.init() themselves, so a page needs no glue code.
// Light DOM: they are styled by ghauth.css beside this file, which is linked into the
// page automatically unless the page links it already (or <html data-ghauth-no-css>).
// Nothing here uses inline styles, innerHTML or eval: fine under a strict CSP.

import { getClient } from './client.js';

/** Banner texts, by error kind. */
export const MESSAGES = Object.freeze({
  denied: 'Access denied. Your GitHub account is not authorized to use this site.',
  cancelled: 'Sign-in was cancelled on GitHub.',
  expired: 'That sign-in link has expired or was already used. Please sign in again.',
  unavailable: 'GitHub sign-in is unavailable right now. Please try again in a moment.',
  'session-ended': 'Your session has ended. Please sign in again.',
});

const CSS_URL = new URL('./ghauth.css', import.meta.url).href;
const SVG_NS = 'http://www.w3.org/2000/svg';

// Octicons (MIT): mark-github-16 and sign-out-16.
const MARK_GITHUB =
  'M8 0c4.42 0 8 3.58 8 8a8.013 8.013 0 0 1-5.45 7.59c-.4.08-.55-.17-.55-.38 0-.27.01-1.13.01-2.2 ' +
  '0-.75-.25-1.23-.54-1.48 1.78-.2 3.65-.88 3.65-3.95 0-.88-.31-1.59-.82-2.15.08-.2.36-1.02-.08-2.12 ' +
  '0 0-.67-.22-2.2.82-.64-.18-1.32-.27-2-.27-.68 0-1.36.09-2 .27-1.53-1.03-2.2-.82-2.2-.82-.44 1.1-.16 ' +
  '1.92-.08 2.12-.51.56-.82 1.28-.82 2.15 0 3.06 1.86 3.75 3.64 3.95-.23.2-.44.55-.51 1.07-.46.21-1.61.55-2.33-.66' +
  '-.15-.24-.6-.83-1.23-.82-.67.01-.27.38.01.53.34.19.73.9.82 1.13.16.45.68 1.31 2.69.94 0 .67.01 1.3.01 ' +
  '1.49 0 .21-.15.45-.55.38A7.995 7.995 0 0 1 0 8c0-4.42 3.58-8 8-8Z';
const SIGN_OUT =
  'M2 2.75C2 1.784 2.784 1 3.75 1h2.5a.75.75 0 0 1 0 1.5h-2.5a.25.25 0 0 0-.25.25v10.5c0 .138.112.25.25.25' +
  'h2.5a.75.75 0 0 1 0 1.5h-2.5A1.75 1.75 0 0 1 2 13.25V2.75zm10.44 4.5H6.75a.75.75 0 0 0 0 1.5h5.69l-1.97 ' +
  '1.97a.75.75 0 1 0 1.06 1.06l3.25-3.25a.75.75 0 0 0 0-1.06l-3.25-3.25a.75.75 0 1 0-1.06 1.06l1.97 1.97z';

let idCounter = 0;
const nextId = (prefix) => `${prefix}-${++idCounter}`;

/** Create an element; attrs are set with setAttribute, text with textContent. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) el.append(c);
  return el;
}

function icon(path, cls, size = 16) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', cls);
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('fill', 'currentColor');
  const p = document.createElementNS(SVG_NS, 'path');
  p.setAttribute('fill-rule', 'evenodd');
  p.setAttribute('d', path);
  svg.append(p);
  return svg;
}

function ensureStylesheet() {
  const doc = document;
  if (doc.documentElement.hasAttribute('data-ghauth-no-css')) return;
  if (doc.querySelector('link[data-ghauth-css]')) return;
  for (const l of doc.querySelectorAll('link[rel~="stylesheet"]')) if (l.href === CSS_URL) return;
  const link = h('link', { rel: 'stylesheet', href: CSS_URL, 'data-ghauth-css': true });
  (doc.head || doc.documentElement).append(link);
}

/** Only https images, or images from this origin; anything else gets the initial. */
function safeImageUrl(url) {
  if (typeof url !== 'string' || url === '') return null;
  try {
    const u = new URL(url, location.href);
    if (u.protocol === 'https:' || u.origin === location.origin) return u.href;
  } catch {
    // fall through
  }
  return null;
}

/** Base: holds the client, listens to its 'change' events while connected. */
class GhAuthElement extends HTMLElement {
  #client = null;
  #listening = null;
  #onChange = (e) => this.update(e.detail);

  /** The GhAuth client (default: the page's shared client from getClient()). */
  get client() {
    return this.#client ?? getClient();
  }
  set client(c) {
    this.#unlisten();
    this.#client = c;
    if (this.isConnected) this.#listen();
  }

  connectedCallback() {
    ensureStylesheet();
    this.build();
    this.#listen();
  }

  disconnectedCallback() {
    this.#unlisten();
  }

  #listen() {
    const c = this.client;
    c.addEventListener('change', this.#onChange);
    this.#listening = c;
    this.update({ state: c.state, session: c.session, error: c.error, reason: 'connected' });
    c.init();
  }

  #unlisten() {
    if (this.#listening) this.#listening.removeEventListener('change', this.#onChange);
    this.#listening = null;
  }

  build() {}
  update() {}
}

/**
 * <ghauth-signin heading="Sign in to Example" heading-level="2" [no-return] [no-autohide]>
 *   <p>Optional text under the heading.</p>
 *   <h1 slot="heading">Optional heading element (replaces the heading attribute)</h1>
 * </ghauth-signin>
 *
 * Hooks: host data-state="loading|signed-in|signed-out", data-error="<kind>" (absent
 * when none); hidden unless signed out (no-autohide: never touches `hidden`).
 * Banner: .ghauth-banner[role=alert][data-kind], text in .ghauth-banner__text,
 * close button .ghauth-banner__close (aria-label "Dismiss"). Sign-in button:
 * button[data-action="sign-in"] (.ghauth-signin__button), text "Sign in with GitHub".
 */
export class GhAuthSignInElement extends GhAuthElement {
  static observedAttributes = ['heading', 'heading-level'];

  #built = false;
  #heading = null;
  #customHeading = false;
  #banner = null;
  #bannerText = null;
  #button = null;
  #lastState = null;
  #onPageShow = () => this.#setBusy(false);

  connectedCallback() {
    super.connectedCallback();
    window.addEventListener('pageshow', this.#onPageShow);
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    window.removeEventListener('pageshow', this.#onPageShow);
  }

  attributeChangedCallback() {
    if (this.#built && !this.#customHeading) this.#renderHeading();
  }

  build() {
    if (this.#built) return;
    this.#built = true;
    const slotted = this.querySelector(':scope > [slot="heading"]');
    const rest = [...this.childNodes].filter((n) => n !== slotted);

    this.#bannerText = h('p', { class: 'ghauth-banner__text' });
    const close = h('button', { type: 'button', class: 'ghauth-banner__close', 'aria-label': 'Dismiss' }, '\u00d7');
    close.addEventListener('click', () => this.#dismiss());
    this.#banner = h('div', { class: 'ghauth-banner', role: 'alert', hidden: true }, this.#bannerText, close);

    if (slotted) {
      this.#customHeading = true;
      slotted.classList.add('ghauth-signin__heading');
      this.#heading = slotted;
    } else {
      this.#renderHeading();
    }

    const body = h('div', { class: 'ghauth-signin__body' });
    body.append(...rest);
    if (!rest.some((n) => n.nodeType === 1 || (n.nodeType === 3 && n.textContent.trim()))) body.hidden = true;

    this.#button = h(
      'button',
      { type: 'button', class: 'ghauth-signin__button', 'data-action': 'sign-in' },
      icon(MARK_GITHUB, 'ghauth-signin__icon', 20),
      h('span', { class: 'ghauth-signin__label' }, 'Sign in with GitHub'),
    );
    this.#button.addEventListener('click', () => this.#signIn());

    const panel = h(
      'div',
      { class: 'ghauth-signin__panel' },
      h('div', { class: 'ghauth-signin__logo' }, icon(MARK_GITHUB, 'ghauth-signin__logo-icon', 48)),
      this.#heading,
      this.#banner,
      body,
      this.#button,
    );
    this.replaceChildren(panel);
  }

  #renderHeading() {
    let level = parseInt(this.getAttribute('heading-level') || '2', 10);
    if (!(level >= 1 && level <= 6)) level = 2;
    const text = this.getAttribute('heading') || 'Sign in';
    const el = h(`h${level}`, { class: 'ghauth-signin__heading' }, text);
    if (this.#heading) this.#heading.replaceWith(el);
    this.#heading = el;
  }

  update({ state, error, reason }) {
    if (!this.#built) return;
    this.dataset.state = state;
    if (error) this.dataset.error = error;
    else delete this.dataset.error;
    if (!this.hasAttribute('no-autohide')) this.hidden = state !== 'signed-out';

    const text = error ? MESSAGES[error] : null;
    if (text) {
      this.#banner.dataset.kind = error;
      this.#bannerText.textContent = text;
      this.#banner.hidden = false;
    } else {
      this.#banner.hidden = true;
      delete this.#banner.dataset.kind;
      this.#bannerText.textContent = '';
    }

    // Signed out while in use: the page just swapped its UI away, so put the focus on
    // the sign-in button if nothing else holds it.
    const was = this.#lastState;
    this.#lastState = state;
    if (was === 'signed-in' && state === 'signed-out' && (reason === 'signed-out' || reason === 'session-ended')) {
      setTimeout(() => {
        const a = document.activeElement;
        if ((!a || a === document.body) && !this.hidden) this.#button.focus();
      }, 0);
    }
  }

  #dismiss() {
    const hadFocus = this.#banner.contains(document.activeElement);
    this.#banner.hidden = true;
    this.client.clearError();
    if (hadFocus) this.#button.focus();
  }

  #setBusy(busy) {
    if (!this.#button) return;
    if (busy) {
      this.#button.setAttribute('aria-disabled', 'true');
      this.#button.dataset.busy = '';
    } else {
      this.#button.removeAttribute('aria-disabled');
      delete this.#button.dataset.busy;
    }
  }

  #signIn() {
    if (this.#button.dataset.busy !== undefined) return;
    this.#setBusy(true);
    this.client.signIn({ returnHere: !this.hasAttribute('no-return') });
  }
}

/**
 * <ghauth-user-menu></ghauth-user-menu>
 *
 * Hooks: host data-state="loading|signed-in|signed-out", data-open="true|false";
 * hidden unless signed in. Avatar button: .ghauth-menu__button (aria-haspopup="menu",
 * aria-expanded, aria-controls), image img.ghauth-avatar (alt = displayName or
 * userName; replaced by span.ghauth-avatar--fallback with the initial when the image
 * cannot be shown). Menu: [role=menu] (.ghauth-menu__list) with .ghauth-menu__name,
 * .ghauth-menu__email (hidden when no email), [role=separator], and
 * button[role=menuitem][data-action="sign-out"] "Sign Out".
 */
export class GhAuthUserMenuElement extends GhAuthElement {
  #built = false;
  #button = null;
  #img = null;
  #fallback = null;
  #menu = null;
  #name = null;
  #email = null;
  #signOut = null;
  #open = false;
  #pointerInside = false;
  #imgUrl = undefined;

  #onDocPointerDown = (e) => {
    if (!this.contains(e.target)) this.close({ focusButton: false });
  };
  #onDocPointerUp = () => {
    setTimeout(() => { this.#pointerInside = false; }, 0);
  };

  disconnectedCallback() {
    super.disconnectedCallback();
    this.close({ focusButton: false });
  }

  build() {
    if (this.#built) return;
    this.#built = true;
    const buttonId = nextId('ghauth-menu-button');
    const menuId = nextId('ghauth-menu');

    this.#img = h('img', {
      class: 'ghauth-avatar',
      width: 32,
      height: 32,
      alt: '',
      decoding: 'async',
      referrerpolicy: 'no-referrer',
      hidden: true,
    });
    this.#img.addEventListener('error', () => this.#showFallback(true));
    this.#img.addEventListener('load', () => this.#showFallback(false));
    this.#fallback = h('span', { class: 'ghauth-avatar ghauth-avatar--fallback', hidden: true });

    this.#button = h(
      'button',
      {
        type: 'button',
        id: buttonId,
        class: 'ghauth-menu__button',
        'aria-haspopup': 'menu',
        'aria-expanded': 'false',
        'aria-controls': menuId,
      },
      this.#img,
      this.#fallback,
      h('span', { class: 'ghauth-menu__caret', 'aria-hidden': 'true' }),
    );
    this.#button.addEventListener('click', (e) => this.#onButtonClick(e));
    this.#button.addEventListener('keydown', (e) => this.#onButtonKey(e));

    this.#name = h('div', { class: 'ghauth-menu__name' });
    this.#email = h('div', { class: 'ghauth-menu__email' });
    this.#signOut = h(
      'button',
      { type: 'button', role: 'menuitem', tabindex: '-1', class: 'ghauth-menu__item', 'data-action': 'sign-out' },
      icon(SIGN_OUT, 'ghauth-menu__item-icon'),
      h('span', {}, 'Sign Out'),
    );
    this.#signOut.addEventListener('click', () => this.#doSignOut());

    this.#menu = h(
      'div',
      { id: menuId, class: 'ghauth-menu__list', role: 'menu', 'aria-labelledby': buttonId, tabindex: '-1', hidden: true },
      h('div', { class: 'ghauth-menu__header', role: 'none' }, this.#name, this.#email),
      h('div', { class: 'ghauth-menu__separator', role: 'separator' }),
      this.#signOut,
    );
    this.#menu.addEventListener('keydown', (e) => this.#onMenuKey(e));

    this.addEventListener('pointerdown', () => { this.#pointerInside = true; });
    this.addEventListener('focusout', (e) => {
      if (!this.#open || this.#pointerInside) return;
      if (!e.relatedTarget || !this.contains(e.relatedTarget)) this.close({ focusButton: false });
    });

    this.replaceChildren(h('div', { class: 'ghauth-menu' }, this.#button, this.#menu));
    this.dataset.open = 'false';
  }

  update({ state, session }) {
    if (!this.#built) return;
    this.dataset.state = state;
    const signedIn = state === 'signed-in' && !!session;
    this.hidden = !signedIn;
    if (!signedIn) {
      this.close({ focusButton: false });
      return;
    }
    const name = session.displayName || session.userName;
    this.#name.textContent = name;
    this.#name.title = name;
    this.#email.textContent = session.email || '';
    this.#email.title = session.email || '';
    this.#email.hidden = !session.email;
    this.#button.title = `Signed in as ${session.userName}`;
    this.#img.alt = name;
    this.#fallback.textContent = (Array.from(name.trim())[0] || '?').toUpperCase();
    this.#fallback.setAttribute('role', 'img');
    this.#fallback.setAttribute('aria-label', name);
    const url = safeImageUrl(session.profileUrl);
    if (url !== this.#imgUrl) {
      this.#imgUrl = url;
      if (url) {
        this.#img.src = url;
        // Show the image straight away if cached; 'error' swaps in the fallback.
        this.#showFallback(false);
      } else {
        this.#img.removeAttribute('src');
        this.#showFallback(true);
      }
    }
  }

  #showFallback(on) {
    this.#img.hidden = on;
    this.#fallback.hidden = !on;
    this.dataset.avatar = on ? 'fallback' : 'image';
  }

  get open() {
    return this.#open;
  }

  /** Open the menu; focus 'first' or 'last' item. */
  show({ focus = 'first' } = {}) {
    if (!this.#built || this.hidden) return;
    if (!this.#open) {
      this.#open = true;
      this.#menu.hidden = false;
      this.#button.setAttribute('aria-expanded', 'true');
      this.dataset.open = 'true';
      document.addEventListener('pointerdown', this.#onDocPointerDown, true);
      document.addEventListener('pointerup', this.#onDocPointerUp, true);
    }
    const items = this.#items();
    const target = focus === 'last' ? items[items.length - 1] : items[0];
    if (target) target.focus();
  }

  /** Close the menu; by default put the focus back on the avatar button. */
  close({ focusButton = true } = {}) {
    if (!this.#open) return;
    this.#open = false;
    this.#menu.hidden = true;
    this.#button.setAttribute('aria-expanded', 'false');
    this.dataset.open = 'false';
    document.removeEventListener('pointerdown', this.#onDocPointerDown, true);
    document.removeEventListener('pointerup', this.#onDocPointerUp, true);
    if (focusButton) this.#button.focus();
  }

  #items() {
    return [...this.#menu.querySelectorAll('[role="menuitem"]')].filter(
      (el) => !el.hidden && !el.disabled && el.getAttribute('aria-disabled') !== 'true',
    );
  }

  #onButtonClick() {
    if (this.#open) this.close();
    else this.show({ focus: 'first' });
  }

  #onButtonKey(e) {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      this.show({ focus: 'first' });
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      this.show({ focus: 'last' });
    } else if (e.key === 'Escape' && this.#open) {
      e.preventDefault();
      this.close();
    }
  }

  #onMenuKey(e) {
    const items = this.#items();
    const i = items.indexOf(document.activeElement);
    let next = null;
    switch (e.key) {
      case 'ArrowDown':
        next = items[(i + 1) % items.length];
        break;
      case 'ArrowUp':
        next = items[(i - 1 + items.length) % items.length];
        break;
      case 'Home':
      case 'PageUp':
        next = items[0];
        break;
      case 'End':
      case 'PageDown':
        next = items[items.length - 1];
        break;
      case 'Escape':
        e.preventDefault();
        e.stopPropagation();
        this.close();
        return;
      case 'Tab':
        if (e.shiftKey) {
          // Back to the avatar button, closed.
          e.preventDefault();
          this.close();
        } else {
          // Let the browser move on to the next element first, then close.
          setTimeout(() => this.close({ focusButton: false }), 0);
        }
        return;
      case 'Enter':
        if (e.repeat) e.preventDefault(); // a held Enter must not sign out
        return;
      default:
        return;
    }
    e.preventDefault();
    if (next) next.focus();
  }

  async #doSignOut() {
    if (this.dataset.busy !== undefined) return;
    this.dataset.busy = '';
    this.close({ focusButton: false });
    try {
      await this.client.signOut();
    } finally {
      delete this.dataset.busy;
    }
  }
}

if (!customElements.get('ghauth-signin')) customElements.define('ghauth-signin', GhAuthSignInElement);
if (!customElements.get('ghauth-user-menu')) customElements.define('ghauth-user-menu', GhAuthUserMenuElement);
