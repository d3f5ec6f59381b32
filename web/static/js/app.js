// The app: session, router, language, and the realtime client that tells
// the open view what to re-fetch. The parts around the views are shell.js.
import { api, get, onUnauthorized } from './api.js';
import { mountAssistant } from './assistant.js';
import { deviceId } from './device.js';
import { h, keepFocus, setChildren } from './dom.js';
import { onLangChange, t, translateStatic } from './i18n.js';
import { RealtimeClient } from './realtime.js';
import { failed, loader, refreshState, showState, watchKeyboard, write } from './shell.js';
import * as auth from './views/auth.js';
import { resetPage } from './views/auth-reset.js';
import * as shopping from './views/shopping.js';
import * as tasks from './views/tasks.js';
import * as calendar from './views/calendar.js';
import * as recipes from './views/recipes.js';
import * as recipe from './views/recipe.js';
import * as recipeEdit from './views/recipe-edit.js';
import * as family from './views/family.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const assistantBar = document.getElementById('assistant');

const routes = [
  [/^\/(login)?$/, auth.login, { public: true }],
  [/^\/signup$/, auth.signup, { public: true }],
  [/^\/reset$/, resetPage, { public: true }],
  [/^\/join\/([A-Za-z0-9-]+)$/, auth.signup, { public: true }],
  [/^\/shopping(?:\/([0-9a-f-]{36}))?$/, shopping.view],
  [/^\/tasks$/, tasks.view],
  [/^\/calendar$/, calendar.view],
  [/^\/recipes$/, recipes.list],
  [/^\/recipes\/new$/, recipeEdit.edit],
  [/^\/recipes\/([0-9a-f-]{36})$/, recipe.show],
  [/^\/recipes\/([0-9a-f-]{36})\/edit$/, recipeEdit.edit],
  [/^\/family$/, family.view],
];

const app = {
  me: null, // GET /api/me: {user, family, role, permissions, members}
  rt: null,
  view: null,
  messages: [], // the last device messages (e.g. AI_INTENT_EXECUTED), for the console and tests
  go,
  write,
  failed,
  loader,
  rerender: () => keepFocus(() => render({ keepFocus: true })),
  get tz() { return (app.me && app.me.family.time_zone) || 'UTC'; },
  signedIn,
  signOut,
  signedOut,
  can,
  refreshMe: () => refreshMe(),
  /** fn(changes) runs after every re-read of /api/me (open dialogs keep their member pickers current); returns an unsubscribe. */
  onFamilyChange(fn) { familyListeners.add(fn); return () => familyListeners.delete(fn); },
};
window.familyhub = app; // for the console and the browser tests

function startRealtime() {
  if (app.rt) return;
  app.rt = new RealtimeClient({
    deviceId: deviceId(),
    topics: app.view?.topics ?? [],
    onState: showState,
    onEvent: (ev) => {
      if (ev.type === 'FAMILY_UPDATED') refreshMe();
      else app.view?.onEvent?.(ev);
    },
    onResync: () => { refreshMe(); app.view?.reload?.(); },
    onMessage: (msg) => {
      app.messages.push(msg);
      if (app.messages.length > 20) app.messages.shift();
      app.assistant?.onMessage?.(msg);
    },
    onSessionEnded: () => signedOut(t('auth.sessionEnded')),
  });
  app.rt.start();
}

// --- the family: who is in it and what the signed-in person may do ---

/**
 * can('shopping_list.delete') says whether the signed-in person may do an
 * action (GET /api/me's permissions, docs/api.md "Roles"). For an "own"
 * grant, assignee names the task's assignee: allowed when it is the person
 * or nobody. The app hides what may not be done and still handles 403.
 */
function can(action, assignee) {
  const perms = app.me?.permissions;
  if (!perms) return !!app.me; // a server without roles
  const grant = perms[action];
  if (grant === 'all') return true;
  return grant === 'own' && (!assignee || assignee === app.me.user.id);
}

const familyListeners = new Set();

/** What differs between two answers of /api/me. */
function changesOf(a, b) {
  const sig = (ms) => JSON.stringify((ms || []).map((m) => [m.id, m.display_name, m.role, m.joined_at, m.has_pin, m.locked]));
  return {
    role: a?.role !== b.role || JSON.stringify(a?.permissions) !== JSON.stringify(b.permissions),
    zone: a?.family.time_zone !== b.family.time_zone,
    family: a?.family.name !== b.family.name,
    members: sig(a?.members) !== sig(b.members),
  };
}

// FAMILY_UPDATED (members, roles, settings, invites): re-read /api/me, one
// request at a time. What the person may do or the family's time zone
// changed: the open view is built again. Otherwise the view updates its
// members in place (onFamily), or reloads when it shows members.
let meRunning = null;
let meAgain = false;
function refreshMe() {
  if (meRunning) { meAgain = true; return meRunning; }
  meRunning = (async () => {
    try {
      do {
        meAgain = false;
        const before = app.me;
        const me = await get('/api/me');
        if (!app.me) return; // signed out meanwhile
        app.me = me;
        const changes = changesOf(before, me);
        if (changes.role || changes.zone) app.rerender();
        else if (app.view?.onFamily) app.view.onFamily(changes);
        else if (changes.members) app.view?.reload?.();
        for (const fn of familyListeners) fn(changes);
      } while (meAgain);
    } catch (e) {
      if (e.status !== 401) console.warn('family: could not re-read /api/me', e);
    } finally {
      meRunning = null;
    }
  })();
  return meRunning;
}

// --- router ---

function go(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else if (path !== location.pathname + location.search) history.pushState(null, '', path);
  render();
}

async function render({ keepFocus = false } = {}) {
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
  app.assistant.setVisible(!!app.me);
  if (!keepFocus) app.assistant.clearReply();
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
  if (heading && render.moved && !keepFocus) { heading.tabIndex = -1; heading.focus({ preventScroll: true }); }
  render.moved = true;
  await view.reload?.();
  const h1 = main.querySelector('h1');
  if (h1) document.title = `${h1.textContent} · FamilyHub`;
}

document.addEventListener('click', (e) => {
  const a = e.target.closest('a[href]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target) return;
  const url = new URL(a.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/dav')) return;
  e.preventDefault();
  go(url.pathname + url.search);
});
window.addEventListener('popstate', () => render());

// --- language: the static page, the indicator, the assistant and the open view follow a switch ---

onLangChange(() => {
  translateStatic();
  refreshState();
  app.assistant?.relabel();
  if (document.getElementById('offline-page')) return;
  app.rerender();
});

// --- session ---

async function signedIn() {
  app.me = await get('/api/me');
  startRealtime();
}

async function signOut() {
  await write(t('fail.signOut'), () => api('POST', '/api/auth/logout'));
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

onUnauthorized(() => { if (app.me) signedOut(t('auth.sessionEnded')); });

async function boot() {
  translateStatic();
  try {
    await signedIn();
  } catch (e) {
    if (e.status === 0) {
      // Opened from the service worker's cache without a server.
      showState('offline');
      nav.hidden = true;
      setChildren(main, h('section.offline#offline-page',
        h('h1', t('offline.title')),
        h('p', t('offline.text'))));
      window.addEventListener('online', () => boot(), { once: true });
      return;
    }
  }
  render();
}

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').catch((e) => console.warn('service worker:', e));
}
app.assistant = mountAssistant(app, assistantBar);
watchKeyboard();
boot();
