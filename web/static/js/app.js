// The app: session, router, language, and the realtime client that tells
// the open view what to re-fetch. The parts around the views are shell.js;
// what works without a network is cache.js (data) and outbox.js (writes).
import { ApiError, api, get, onReachable, onUnauthorized, serverDown, serverReachable } from './api.js';
import { mountAssistant } from './assistant.js';
import * as cache from './cache.js';
import { mountConflicts } from './conflicts.js';
import { deviceId } from './device.js';
import { h, keepFocus, setChildren } from './dom.js';
import { onLangChange, t, translateStatic } from './i18n.js';
import * as outbox from './outbox.js';
import { mountMe } from './me.js';
import { viewOf } from './presence.js';
import { RealtimeClient } from './realtime.js';
import { REASON_REMOVED } from './realtime-transports.js';
import { dateIn } from './time.js';
import { warm } from './warm.js';
import { announce, failed, hideNotice, loader, newPage, notice, refreshState, refused, showState, watchKeyboard, watchSync, write } from './shell.js';
import { ask } from './views/dialog.js';
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
  notice,
  loader,
  rerender: () => keepFocus(() => render({ keepFocus: true })),
  get tz() { return (app.me && app.me.family.time_zone) || 'UTC'; },
  /** The last event seen (to tell later who changed what): live, or kept from the last session. */
  seq: () => app.rt?.lastSeq ?? app.keptSeq ?? null,
  keptSeq: null,
  loadSeq: null, // the family's seq read at sign-in, before the page loaded (signedIn)
  keptMark: null, // the event seen at keptSeq ({id, at}): a resume names it (docs/realtime.md)
  signedIn,
  signOut,
  signedOut,
  can,
  refreshMe: () => meState.refresh(),
  /** Takes in the family as a settings Save answered it (me.js). */
  takeFamily: (f, read) => meState.takeFamily(f, read),
  savingFamily: () => meState.savingFamily(),
  /** The member who made the family's versions after from up to to, or null (me.js). */
  familyMadeBy: (from, to) => meState.madeBy(from, to),
  /** fn(changes) runs after every change of app.me (open dialogs keep their member pickers current); returns an unsubscribe. */
  onFamilyChange: (fn) => meState.onFamilyChange(fn),
  /** The family's online devices (docs/realtime.md "Presence"), as the server last said; [] while not live. */
  presence: [],
  /** fn(members) runs whenever presence changes; returns an unsubscribe. */
  onPresence(fn) { presenceListeners.add(fn); return () => presenceListeners.delete(fn); },
  /** Tells the family what this page shows (after a navigation, or a view changing its address in place). */
  here() { app.rt?.setView(viewOf(location.pathname)); },
};
const presenceListeners = new Set();
const meState = mountMe(app);
window.familyhub = app; // for the console and the browser tests

function startRealtime() {
  if (app.rt) return;
  let was = null;
  app.rt = new RealtimeClient({
    deviceId: deviceId(),
    topics: app.view?.topics ?? ['family'], // a page that names none shows nothing but the family
    view: viewOf(location.pathname),
    // Opened from the device's copy: resume from the seq that copy had.
    since: app.keptSeq,
    sinceMark: app.keptMark,
    // Back online, the waiting writes go first; the events that follow
    // then include them.
    beforeConnect: () => outbox.settled(),
    onState: (state, transport) => {
      showState(state, transport);
      if (was === 'live' && state !== 'live') cache.markSynced(); // in step until now
      if (state === 'live' && was !== 'live') {
        outbox.kick({ now: true });
        meState.refresh();
        warm(dateIn(new Date(), app.tz)); // what the device keeps, whatever page is open
        // Opened from the device's copy: now read everything from the server.
        // So too a page that could not load while offline: it said it would
        // load when the connection is back, and replayed events alone do not;
        // and one that shows the kept copy because the server failed.
        if (app.fromCache || app.view?.reload?.failed?.() || cache.showingKeptForError()) { app.fromCache = false; app.view?.reload?.(); }
      }
      was = state;
    },
    onEvent: (ev) => {
      cache.noteSeq(app.rt.lastSeq, app.rt.lastMark);
      outbox.heardEvent(ev); // on any page: a record deleted here and heard back (an Undo) is no longer kept deleted
      if (ev.type === 'FAMILY_UPDATED') meState.onEvent(ev);
      else app.view?.onEvent?.(ev);
    },
    onSeq: (seq, mark) => cache.noteSeq(seq, mark), // a pong's seq and its event, kept as an event's
    onResync: (why) => {
      const loaded = app.loadSeq;
      app.loadSeq = null;
      cache.noteSeq(app.rt?.lastSeq, app.rt?.lastMark);
      // The first connection's hello at the seq read before the page
      // loaded: nothing happened since, what the page and me read is
      // current (before, every sign-in read the lists twice).
      if (why === 'hello' && loaded != null && app.rt?.lastSeq === loaded) return;
      meState.refresh();
      app.view?.reload?.();
    },
    onMessage: (msg) => {
      app.messages.push(msg);
      if (app.messages.length > 20) app.messages.shift();
    },
    onPresence: (members) => {
      app.presence = members;
      for (const fn of presenceListeners) fn(members);
    },
    onRefused: (code) => refused(code),
    onSessionEnded: (reason) => ended(reason === REASON_REMOVED ? 'removed_from_family' : ''),
    onRoleChanged: () => meState.refresh(),
  });
  // Taken: the client carries them on. Kept, a later sign-in (another
  // person, another family) would resume from this copy's place.
  forgetKeptSeq();
  app.rt.start();
}
const forgetKeptSeq = () => { app.keptSeq = null; app.keptMark = null; };

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

// --- router ---

function go(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else if (path !== location.pathname + location.search) history.pushState(null, '', path);
  // A new page starts at its top: a page drawn at once (sign-in after
  // "Sign out" far down the Family page) kept the old scroll position.
  window.scrollTo(0, 0);
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
  hideNotice(); // an Undo is for the page it was offered on
  announce(null); // and a removal said elsewhere was about that page
  nav.hidden = !app.me;
  app.assistant.setVisible(!!app.me);
  if (!keepFocus) app.assistant.clearReply();
  for (const a of nav.querySelectorAll('a')) {
    if (path.startsWith(a.getAttribute('href'))) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  main.replaceChildren();
  newPage(() => view.reload?.());
  const view = mount(app, main, ...match.slice(1)) || {};
  app.view = view;
  if (app.rt) app.rt.setTopics(view.topics ?? ['family']);
  app.here();
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
  // A link within the page ("Skip to content", #main) moves the focus there;
  // routed, it re-drew the page and lost what was half typed.
  if (url.hash && url.pathname === location.pathname) { document.getElementById(url.hash.slice(1))?.focus(); return; }
  go(url.pathname + url.search);
});
window.addEventListener('popstate', () => render());

// --- language: the static page, the indicator, the assistant and the open view follow a switch ---

onLangChange(() => {
  translateStatic();
  refreshState();
  app.conflicts?.refresh();
  app.assistant?.relabel();
  if (document.getElementById('offline-page')) return;
  app.rerender();
});

// --- session ---

// How long sign-in waits for the family's seq once me is in (signedIn).
const SEQ_WAIT = 1500;

// signedIn reads who is signed in; without a server (offline, or it fails:
// a 500, a proxy's 502), the copy kept on the device (so the app opens in a
// shop with no signal).
async function signedIn() {
  let me;
  let kept = false;
  const read = new Date().toISOString();
  // The family's seq, read (beside me) before the page loads: the first
  // connection's hello at the same seq means the page read is current
  // (onResync). Unknown (null) on any failure: then it reads again.
  const seq = app.rt ? null : get('/api/realtime/poll?since=0&timeout=0&seq_only=1', { background: true })
    .then((r) => (typeof r?.seq === 'number' ? r.seq : null), () => null);
  try {
    me = await get('/api/me');
  } catch (e) {
    if (!serverDown(e)) throw e;
    me = await cache.kept('me');
    if (!me) throw e;
    cache.openedAs(me.user.id);
    kept = true;
    ({ seq: app.keptSeq, mark: app.keptMark } = await cache.keptSeq());
    app.fromCache = true;
  }
  app.me = me;
  if (!kept) await meState.keep(me, read);
  // Waited for a little beyond me, never the request's whole 35 s: a seq
  // read that hangs (a replica stuck) costs a read more, not the sign-in.
  app.loadSeq = kept ? null : await Promise.race([seq, new Promise((done) => setTimeout(done, SEQ_WAIT, null))]);
  outbox.setStopped(false);
  startRealtime();
}

async function signOut() {
  const n = await outbox.countAll(); // the other tabs' held writes too
  if (n && await ask(t('sync.signOutTitle', { count: n }), t('sync.signOutText'),
    [{ value: 'out', label: t('sync.signOutAnyway'), danger: true }]) !== 'out') return;
  // The socket first: the logout closes it with 4001, which must not sign
  // out a second time (and rebuild the sign-in page under the user's fingers).
  app.rt?.stop();
  app.rt = null;
  await write(['fail.signOut'], () => api('POST', '/api/auth/logout'));
  await outbox.clearAll();
  await cache.wipe({ close: true });
  signedOut();
}

function signedOut(message) {
  // Signed out already (a late 4001 or 401): the sign-in page stays as the
  // person is filling it in.
  if (!app.me && location.pathname === '/login') {
    if (message) auth.notice(main, message);
    return;
  }
  // An open dialog (a task, a PIN with the family code, deleting the
  // family) goes with the session: it stayed open over the sign-in page,
  // the family's data in it.
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
  outbox.setStopped(true);
  app.rt?.stop();
  app.rt = null;
  app.me = null;
  forgetKeptSeq();
  showState('idle');
  go('/login', { replace: true });
  if (message) auth.notice(main, message);
}

// A session that ended because its member was removed (or left) says so on
// every later request, also a day later on a device that was offline then.
const endedText = (code) => t(code === 'removed_from_family' ? 'auth.removed' : 'auth.sessionEnded');
onUnauthorized((code) => { if (app.me) ended(code); });

// ended signs out after the server ended the session (code: the 401's
// error code). Removed from the family (or left it), the family's lists,
// tasks and calendar kept on this device go too: they are no longer the
// person's to see, and the writes waiting for the family can never be
// sent. Another end (expiry, "sign out other devices") keeps them for the
// same person's next sign-in.
function ended(code) {
  signedOut(endedText(code));
  if (code === 'removed_from_family') forgetFamily();
}

async function forgetFamily() {
  await outbox.clearAll();
  await cache.wipe({ close: true });
}

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
    if (e.status === 401 && e.code === 'removed_from_family') {
      // Opened after the removal (offline then): the sign-in page says why,
      // and what the device kept of the family goes (ended).
      await forgetFamily();
      history.replaceState(null, '', '/login');
      await render();
      auth.notice(main, endedText(e.code));
      return;
    }
    if (e.status !== 401) {
      // The server answered with an error (a 500, a proxy's 502): the
      // person may well be signed in, so not the sign-in page, but why and
      // Retry.
      nav.hidden = true;
      setChildren(main, h('section.offline#offline-page',
        h('h1', t('error.startTitle')),
        h('div.error-state', { role: 'alert' }, h('p', t('error.load', { reason: e instanceof ApiError ? e.message : t('error.app') })),
          h('button', { type: 'button', onclick: () => { main.focus({ preventScroll: true }); boot(); } }, t('common.retry')))));
      return;
    }
  }
  render();
}

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').catch((e) => console.warn('service worker:', e));
}
// A write the server refused for good (not a conflict): said in the banner.
const failText = {
  'item.add': 'fail.addItem', 'item.delete': 'fail.deleteItem', 'task.complete': 'fail.complete', 'task.uncomplete': 'fail.reopen',
  'event.add': 'fail.createEvent', 'event.patch': 'fail.saveEvent', 'event.delete': 'fail.deleteEvent',
};
outbox.onOutbox((ev) => {
  if (ev.type !== 'refused') return;
  const { op } = ev;
  let key = failText[op.kind] || 'fail.saveItem';
  if (op.kind === 'item.patch' && Object.keys(op.body).join() === 'checked') key = op.body.checked ? 'fail.tick' : 'fail.untick';
  failed([key, { name: op.label, title: op.label }], ev.error);
});
outbox.setReachability(serverReachable);
window.addEventListener('online', () => outbox.kick({ now: true }));
onReachable((up) => { if (up) outbox.kick(); });

app.assistant = mountAssistant(app, assistantBar);
app.conflicts = mountConflicts(app, document.getElementById('notices'));
app.outbox = outbox; // for the console and the browser tests
app.sync = watchSync(() => app.me?.family.time_zone);
watchKeyboard();
boot();
