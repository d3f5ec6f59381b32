// The app shell: session, router, connection state, the retry banner, and
// the realtime client that tells the open view what to re-fetch.
import { api, get, onUnauthorized } from './api.js';
import { deviceId } from './device.js';
import { h } from './dom.js';
import { RealtimeClient } from './realtime.js';
import * as auth from './views/auth.js';
import * as shopping from './views/shopping.js';
import * as tasks from './views/tasks.js';
import * as calendar from './views/calendar.js';
import * as recipes from './views/recipes.js';
import * as family from './views/family.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const conn = document.getElementById('conn');
const banner = document.getElementById('banner');

const routes = [
  [/^\/(login)?$/, auth.login, { public: true }],
  [/^\/signup$/, auth.signup, { public: true }],
  [/^\/join\/([A-Za-z0-9-]+)$/, auth.signup, { public: true }],
  [/^\/shopping(?:\/([0-9a-f-]{36}))?$/, shopping.view],
  [/^\/tasks$/, tasks.view],
  [/^\/calendar$/, calendar.view],
  [/^\/recipes$/, recipes.list],
  [/^\/recipes\/new$/, recipes.edit],
  [/^\/recipes\/([0-9a-f-]{36})$/, recipes.show],
  [/^\/recipes\/([0-9a-f-]{36})\/edit$/, recipes.edit],
  [/^\/family$/, family.view],
];

const app = {
  me: null, // GET /api/me: {user, family, members}
  rt: null,
  view: null,
  go,
  write,
  failed,
  loader,
  get tz() { return (app.me && app.me.family.time_zone) || 'UTC'; },
  signedIn,
  signOut,
};
window.familyhub = app; // for the console and the browser tests

// --- connection state ---

const stateText = {
  idle: '', connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…',
  offline: 'Offline', closed: 'Disconnected', 'signed-out': 'Signed out',
};

function showState(state, transport) {
  conn.dataset.state = state;
  conn.dataset.transport = transport || '';
  conn.textContent = stateText[state] ?? state;
  conn.title = state === 'live' && transport ? `Connected (${transport})` : '';
}

function startRealtime() {
  if (app.rt) return;
  app.rt = new RealtimeClient({
    deviceId: deviceId(),
    topics: app.view?.topics ?? [],
    onState: showState,
    onEvent: (ev) => app.view?.onEvent?.(ev),
    onResync: () => app.view?.reload?.(),
    onSessionEnded: () => signedOut('Your session ended. Please sign in again.'),
  });
  app.rt.start();
}

// --- writes and the retry banner (no hidden queue: a failed write is shown
// until the user retries or dismisses it) ---

async function write(what, fn) {
  try {
    const result = await fn();
    if (banner.dataset.what === what) hideBanner();
    return result;
  } catch (e) {
    failed(what, e, fn);
    return undefined;
  }
}

/** Shows the banner for a write that failed with e; Retry runs fn again. */
function failed(what, e, fn) {
  if (e.status === 401) return;
  const retry = e.retryable ? () => { hideBanner(); write(what, fn); } : null;
  showBanner(what, e.message, retry);
}

function showBanner(what, message, retry) {
  banner.replaceChildren(
    h('p', h('strong', `Could not ${what}.`), ' ', message),
    h('div.banner-actions',
      retry && h('button.primary', { type: 'button', onclick: retry }, 'Retry'),
      h('button', { type: 'button', onclick: hideBanner }, 'Dismiss')),
  );
  banner.dataset.what = what;
  banner.hidden = false;
}

function hideBanner() {
  banner.hidden = true;
  banner.dataset.what = '';
  banner.replaceChildren();
}

/** Wraps a fetch-and-render function so calls coalesce: one at a time, and one more if asked meanwhile. */
function loader(fn) {
  let running = null;
  let again = false;
  const run = () => {
    if (running) { again = true; return running; }
    running = (async () => {
      try {
        do {
          again = false;
          await fn();
        } while (again);
      } catch (e) {
        if (e.status !== 401) showLoadError(e);
      } finally {
        running = null;
      }
    })();
    return running;
  };
  return run;
}

function showLoadError(e) {
  const status = main.querySelector('.load-error') || h('p.load-error', { role: 'alert' });
  status.textContent = e.status === 0
    ? 'You are offline: FamilyHub needs the server for your family\'s data. It will load when the connection is back.'
    : `Could not load: ${e.message}`;
  main.prepend(status);
}

// --- router ---

function go(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else if (path !== location.pathname + location.search) history.pushState(null, '', path);
  render();
}

async function render() {
  const path = location.pathname;
  let match = null;
  let route = null;
  for (const r of routes) {
    match = path.match(r[0]);
    if (match) { route = r; break; }
  }
  if (!route) { go('/shopping', { replace: true }); return; }
  const [, mount, opts = {}] = route;
  if (!opts.public && !app.me) { go('/login', { replace: true }); return; }
  if (opts.public && app.me && !path.startsWith('/join')) { go('/shopping', { replace: true }); return; }

  app.view?.destroy?.();
  app.view = null;
  nav.hidden = !app.me;
  for (const a of nav.querySelectorAll('a')) {
    if (path.startsWith(a.getAttribute('href'))) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  main.replaceChildren();
  const view = mount(app, main, ...match.slice(1)) || {};
  app.view = view;
  if (app.rt) app.rt.setTopics(view.topics ?? []);
  const heading = main.querySelector('h1');
  document.title = heading ? `${heading.textContent} · FamilyHub` : 'FamilyHub';
  if (heading && render.moved) { heading.tabIndex = -1; heading.focus({ preventScroll: true }); }
  render.moved = true;
  await view.reload?.();
}

document.addEventListener('click', (e) => {
  const a = e.target.closest('a[href]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target) return;
  const url = new URL(a.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  e.preventDefault();
  go(url.pathname + url.search);
});
window.addEventListener('popstate', render);

// --- session ---

async function signedIn() {
  app.me = await get('/api/me');
  startRealtime();
}

async function signOut() {
  await write('sign out', () => api('POST', '/api/auth/logout'));
  signedOut();
}

function signedOut(message) {
  app.rt?.stop();
  app.rt = null;
  app.me = null;
  showState('idle');
  go('/login', { replace: true });
  if (message) auth.notice(main, message);
}

onUnauthorized(() => { if (app.me) signedOut('Your session ended. Please sign in again.'); });

async function boot() {
  try {
    await signedIn();
  } catch (e) {
    if (e.status === 0) {
      // Opened from the service worker's cache without a server.
      showState('offline');
      nav.hidden = true;
      main.replaceChildren(h('section.offline',
        h('h1', 'You are offline'),
        h('p', 'FamilyHub needs the server for your family\'s lists, tasks and calendar. It will load as soon as the connection is back.')));
      window.addEventListener('online', () => boot(), { once: true });
      return;
    }
  }
  render();
}

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').catch((e) => console.warn('service worker:', e));
}
boot();
