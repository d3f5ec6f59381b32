// The parts of the page around the views: the connection indicator, the
// offline line and the badge of waiting writes, the banner for failed
// writes (and for a message the realtime connection refused), the notice
// with an action ("Deleted “milk”." Undo), coalescing loaders, and keeping
// the bottom navigation away from focused controls on a phone.
import { ApiError, onReachable, request, unreachableWhy } from './api.js';
import * as cache from './cache.js';
import { h, setChildren } from './dom.js';
import { realtimeReason } from './errors.js';
import { fmtTimeOrDateTime, onLangChange, t } from './i18n.js';
import { sayIn } from './lines.js';
import * as outbox from './outbox.js';

const conn = document.getElementById('conn');
const banner = document.getElementById('banner');
const toast = document.getElementById('toast');

let lastState = ['idle', ''];
/**
 * showState(state, transport) shows the realtime connection's state in the
 * header (data-state keeps it as the connection has it). While the server
 * does not answer requests (a proxy's 502/504 for a server behind it that
 * is down) on a device that is online, the indicator says so instead: "Live"
 * alone would be a claim the page cannot keep, and "Offline" is about the
 * device's network. With the socket still live it says both.
 */
export function showState(state, transport) {
  lastState = [state, transport];
  conn.dataset.state = state;
  conn.dataset.transport = transport || '';
  const down = serverNotAnswering() && state !== 'offline' && state !== 'signed-out';
  if (down) conn.dataset.server = 'down'; else delete conn.dataset.server;
  const key = !down ? state : state === 'live' ? 'liveServerDown' : 'serverDown';
  conn.textContent = state === 'idle' && !down ? '' : t(`conn.${key}`);
  conn.title = down ? t(state === 'live' ? 'conn.liveServerDownTitle' : 'conn.serverDownTitle')
    : state === 'live' && transport ? t('conn.via', { transport }) : '';
}
/** Re-labels the indicator after a language switch. */
export const refreshState = () => showState(...lastState);

/** Whether the device is online but the server does not answer (a proxy's 502/504). */
const serverNotAnswering = () => navigator.onLine !== false && unreachableWhy() === 'server';

// While the server does not answer, a light read now and then (GET /api/me,
// every 2 s at first, backing off to 30 s) finds out when it is back even
// when nothing else asks it (the socket may be live all along, and a page
// that failed waits for Retry): the header then clears by itself.
let probeTimer = null;
let probeDelay = 0;
function probe() {
  clearTimeout(probeTimer);
  if (unreachableWhy() !== 'server') { probeDelay = 0; return; }
  probeDelay = Math.min(probeDelay ? probeDelay * 2 : 2000, 30000);
  probeTimer = setTimeout(() => request('GET', '/api/me').catch(() => {}).finally(probe), probeDelay);
}
onReachable(() => { refreshState(); probe(); });

// --- offline: "Offline, last synced 14:02" under the header (or "Server
// not answering, last synced 14:02"), and a badge counting the writes that
// wait for the server ---

let syncNow = () => {}; // watchSync's update, run again for each page (the family's zone may be known now)

/** Keeps the offline line (the last sync's time in zone(): the family's, as all times) and the badge current; returns the update function. */
export function watchSync(zone = () => undefined) {
  const line = document.getElementById('offline-line');
  const badge = document.getElementById('pending');
  const update = () => {
    // The device offline (or no answer at all) says "Offline"; a proxy's
    // 502/504 on a device that is online says the server is not answering.
    // With a kept copy shown for the server's failure, the page's notice
    // says it once (not "Offline" on a live device).
    const why = unreachableWhy();
    const kept = cache.showingKeptForError();
    const offline = navigator.onLine === false || (why === 'network' && !kept);
    const down = !offline && why === 'server' && !kept;
    const synced = cache.lastSyncedNow();
    line.hidden = !offline && !down;
    line.dataset.why = offline ? 'offline' : down ? 'server' : '';
    const key = offline ? 'sync.offline' : 'sync.serverDown';
    line.textContent = offline || down ? (synced ? t(key, { time: fmtTimeOrDateTime(synced, zone()) }) : t(`${key}Never`)) : '';
    const n = outbox.count();
    badge.hidden = n === 0;
    badge.textContent = t('sync.badge', { count: n });
    badge.title = t('sync.waiting', { count: n });
    badge.setAttribute('aria-label', badge.title);
    badge.dataset.count = String(n);
  };
  window.addEventListener('online', update);
  window.addEventListener('offline', update);
  onReachable(update);
  outbox.onOutbox((ev) => { if (ev.type === 'changed' || ev.type === 'record') update(); });
  cache.onSynced(update);
  cache.onKeptForError(update);
  cache.lastSynced().then(update);
  onLangChange(update);
  (syncNow = update)();
  return update;
}

// --- writes and the retry banner: for what needs the server (lists,
// tasks, one occurrence of a series, recipes); shopping items, completing
// tasks and whole calendar events go through the outbox instead (outbox.js) ---

// What failed, for the banner: [key, params] of a whole sentence ("Could
// not add “milk”."), said in the language in use, also again after a
// switch (a request answered after it, or a banner shown before); or a
// sentence already made.
const say = (what) => (typeof what === 'string' ? what : t(...what));
const whatKey = (what) => (typeof what === 'string' ? what : JSON.stringify(what));

/**
 * write(failText, fn, {reread, secret}) runs fn; when it fails, the banner
 * says failText ([key, params], or a sentence) and why, with Retry when
 * trying again can help. reread (a function) marks a create the server
 * names, sent with a create_key (an invite, an app password: their secret
 * is shown once; docs/api.md), and reads the section's list again: on the
 * page shown now, which may have been built again meanwhile (pass
 * () => kept.live().reload(), handover.js). When its outcome is unknown
 * (ApiError.outcomeUnknown) the list is read again, so a record the server
 * did make shows, and Retry (which sends the same create_key) is safe;
 * when a Retry finds it made (409 already_created) the list is read again
 * and the banner says so, and (secret: true, the default) that what it
 * showed once cannot be shown again. fn shows what it made itself, so a
 * Retry's answer shows too. Returns fn's result or undefined.
 */
export async function write(failText, fn, opts = {}) {
  try {
    const result = await fn();
    if (banner.dataset.what === whatKey(failText)) hideBanner();
    return result;
  } catch (e) {
    failed(failText, e, fn, opts);
    return undefined;
  }
}

/** Shows the banner for a write that failed with e; Retry runs fn again ({reread, secret} as write's). */
export function failed(failText, e, fn, opts = {}) {
  if (e.status === 401) return;
  const { reread = null, secret = true } = opts;
  if (reread && e.code === 'already_created') {
    reread();
    showBanner(['write.madeAfterAll'], () => t(secret ? 'write.shownOnce' : 'write.listed'), null);
    return;
  }
  const unsure = !!reread && !!e.outcomeUnknown;
  const why = unsure ? () => t('write.unsure') : whyOf(e);
  if (unsure) reread();
  // A modal dialog makes the page behind it inert: say it in the dialog,
  // where Save is the retry.
  const inDialog = document.querySelector('dialog[open] .dialog-error');
  if (inDialog) {
    sayIn(inDialog, () => [h('strong', say(failText)), ' ', why()]); // the dialog stays open through a language switch
    inDialog.hidden = false;
    return;
  }
  const retry = e.retryable && fn ? () => { hideBanner(); write(failText, fn, opts); } : null;
  showBanner(failText, why, retry && (() => h('button.primary', { type: 'button', onclick: retry }, t('common.retry'))));
  if (unsure) banner.dataset.unsure = 'true';
}

let sayBanner = null; // draws the banner shown in the language in use
/**
 * Shows the banner: what (bold, see say), why() (the reason), action() (a
 * button, or null) and Dismiss; drawn again when the language changes.
 */
function showBanner(what, why, action) {
  delete banner.dataset.unsure;
  sayBanner = () => setChildren(banner,
    h('p', h('strong', say(what)), ' ', why()),
    h('div.banner-actions', action?.(),
      h('button', { type: 'button', onclick: hideBanner }, t('common.dismiss'))));
  sayBanner();
  banner.dataset.what = whatKey(what);
  banner.hidden = false;
}
onLangChange(() => { if (!banner.hidden) sayBanner?.(); });

let refusedCode = null;
/**
 * refused(code) says that the server refused a message of the realtime
 * connection (an error reply with code): live updates may be incomplete,
 * why, and Reload. Once per code: the same code again (a page that asks
 * for the same thing on every navigation) shows nothing new, even after
 * Dismiss, until another code comes.
 */
export function refused(code) {
  if (code === refusedCode) return;
  refusedCode = code;
  showBanner(['realtime.refused'], () => realtimeReason(code),
    () => h('button.primary', { type: 'button', onclick: () => location.reload() }, t('common.reload')));
  banner.dataset.realtime = code;
}

export function hideBanner() {
  banner.hidden = true;
  banner.dataset.what = '';
  delete banner.dataset.realtime;
  delete banner.dataset.unsure;
  banner.replaceChildren();
  sayBanner = null;
}

// --- the notice at the bottom of the page: what was just done, with one
// action (Undo). A polite live region (role=status, in index.html) that is
// always there, so that what is put into it is read out; it never takes the
// focus. ---

let noticeTimer = null;
let noticeGen = 0; // which notice a timer or focusout belongs to

/**
 * notice(text, {action, onAction, ms}) shows text with a button labelled
 * action for about ms milliseconds; a new notice replaces it, and so does
 * hideNotice (the app calls it on every page change). It stays while the
 * focus is in it (a keyboard user reaching for the button is not timed
 * out). onAction runs once, after the notice is gone.
 */
export function notice(text, { action, onAction, ms = 8000 } = {}) {
  const hadFocus = toast.contains(document.activeElement);
  const button = action ? h('button', { type: 'button', onclick: () => { hideNotice(); onAction?.(); } }, action) : null;
  setChildren(toast, h('div.toast-box', h('p', text), button));
  if (hadFocus && button) button.focus(); // the old notice's button is gone: keep the keyboard where it was
  clearTimeout(noticeTimer);
  const gen = ++noticeGen;
  const expire = () => {
    if (gen !== noticeGen) return; // replaced meanwhile
    if (!toast.contains(document.activeElement)) { hideNotice(); return; }
    toast.addEventListener('focusout', () => { noticeTimer = setTimeout(expire, 0); }, { once: true });
  };
  noticeTimer = setTimeout(expire, ms);
}

// A second polite live region, visually hidden, for a sentence with no action ("“Milk” was
// removed on another device."): said through the notice it replaced the notice's Undo.
const aside = h('div#announce.visually-hidden', { role: 'status' });
document.body.append(aside);

/** announce(text) has text read out (polite), leaving the notice alone; null empties it (every page change). */
export function announce(text) {
  if (text) setChildren(aside, h('p', text));
  else aside.replaceChildren();
}

/** Takes the notice away (its action is no longer offered). */
export function hideNotice() {
  clearTimeout(noticeTimer);
  const hadFocus = toast.contains(document.activeElement);
  toast.replaceChildren();
  if (hadFocus) document.getElementById('main')?.focus({ preventScroll: true });
}

// The page a loader belongs to: app.js starts a new one before it mounts a
// view (newPage), so a load of a page just left that fails says nothing on
// the next one. retryPage reloads the open page (its view's reload).
let page = 0;
let retryPage = () => {};
/** Starts a new page; retry reloads it (Retry of a failed load). */
export function newPage(retry) {
  page++;
  retryPage = retry;
  cache.newPageKept();
  syncNow();
}

// --- the server failing (a 500, a proxy's 502…) while the page shows the
// device's copy (cache.fresh): a notice at the top of the page says so,
// with Retry, which reads the page again and sends the writes that wait;
// it goes when the server answers the page's reads again ---

cache.onKeptForError((on) => {
  const main = document.getElementById('main');
  const shown = main.querySelector(':scope > .kept-notice');
  if (!on) { shown?.remove(); return; }
  if (shown) return;
  main.prepend(h('div.kept-notice', { role: 'status' },
    h('p', t('sync.keptServerError')),
    h('button', { type: 'button', onclick: (ev) => {
      if (ev.currentTarget.contains(document.activeElement)) main.focus({ preventScroll: true });
      outbox.kick({ now: true });
      retryPage();
    } }, t('common.retry'))));
});

/**
 * loader(fn) wraps a fetch-and-render function so calls coalesce: one at a
 * time, and one more if asked meanwhile. A failure shows, in place of the
 * page's loading placeholders, why (or "Not available offline.") with Retry;
 * with no placeholder left (the data shown stays), a line at the top of the
 * page.
 */
export function loader(fn) {
  let running = null;
  let again = false;
  let failed = false;
  const mine = page;
  const run = () => {
    if (running) { again = true; return running; }
    // Only a loader that failed takes its line and "Not available
    // offline." back: the loader of a page just left can still be on its
    // way (a tasks read answered from the kept copy once the network went)
    // and must not clear what the new page says.
    if (failed) loadingAgain();
    running = (async () => {
      try {
        do {
          again = false;
          await fn();
        } while (again);
        if (failed) document.querySelector('#main > .load-error')?.remove();
        failed = false;
      } catch (e) {
        failed = true;
        if (e.status !== 401 && mine === page) showLoadError(e);
      } finally {
        running = null;
      }
    })();
    return running;
  };
  /** Whether the last load failed (the page is not shown): app.js loads it again when back online. */
  run.failed = () => failed;
  return run;
}

/** Why something failed, for a person: the ApiError's sentence, never a program's message. */
function reasonOf(e) {
  if (e instanceof ApiError) return e.say();
  console.error(e);
  return t('error.app');
}
/** reasonOf as a function that says it again in the language in use (a program's error logged once). */
function whyOf(e) {
  if (e instanceof ApiError) return () => e.say();
  reasonOf(e);
  return () => t('error.app');
}

function showLoadError(e) {
  const main = document.getElementById('main');
  if (e.status !== 0 || e.timedOut) {
    // Another failure (a 500, a proxy's 502, no answer in time): what is still loading will
    // not load by itself. It says why, with Retry, in its place; the line
    // at the top only when nothing was loading (the data shown stays).
    const reason = t('error.load', { reason: reasonOf(e) });
    if (failedLoad(main, reason) || main.querySelector('.error-state')) return;
    showLine(main, reason);
    return;
  }
  showLine(main, t('error.loadOffline'));
  notKept(main);
}

function showLine(main, text) {
  const line = main.querySelector(':scope > .load-error') || h('p.load-error', { role: 'alert' });
  line.textContent = text;
  main.prepend(line);
}

// A load failed for another reason than the network: each placeholder still
// pulsing gives way to the reason and Retry (hidden, not removed, as for
// notKept: the render replaces both). The first one is an alert, so a screen
// reader says it once. Answers whether there was any.
function failedLoad(main, reason) {
  const pulsing = [...main.querySelectorAll('.loading:not([hidden])')];
  pulsing.forEach((el, i) => {
    el.hidden = true;
    el.before(h('div.error-state', { role: i === 0 ? 'alert' : null },
      h('p', reason),
      h('button', { type: 'button', onclick: (ev) => {
        if (ev.currentTarget.contains(document.activeElement)) main.focus({ preventScroll: true });
        retryPage();
      } }, t('common.retry'))));
  });
  return pulsing.length > 0;
}

// Offline with nothing kept for the page (calendar, recipes, the Family
// page): its loading placeholders would pulse under the offline line for as
// long as the device has no signal. They give way to a still "Not
// available offline." (the placeholder hidden, not removed: the page's
// render replaces both once it loads).
function notKept(main) {
  for (const el of main.querySelectorAll('.loading:not([hidden])')) {
    el.hidden = true;
    el.before(h('div.offline-state', t('offline.notKept')));
  }
}

// A load starts again (back online, or Retry): what is loading shows so
// again.
function loadingAgain() {
  for (const el of document.querySelectorAll('#main .offline-state, #main .error-state')) {
    if (el.nextElementSibling?.matches('.loading')) el.nextElementSibling.hidden = false;
    el.remove();
  }
}

// --- the bottom navigation on a phone: hidden while the keyboard is open or
// a text field has focus, so it never covers what is being typed; the page
// keeps scroll padding for it otherwise (app.css). ---

const typing = (el) => el && (el.matches?.('textarea, select, input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit])'));

export function watchKeyboard() {
  const root = document.documentElement;
  const update = () => {
    const vv = window.visualViewport;
    const keyboard = vv ? vv.height < window.innerHeight * 0.75 : false;
    root.classList.toggle('typing', typing(document.activeElement) || keyboard);
  };
  document.addEventListener('focusin', update);
  document.addEventListener('focusout', () => setTimeout(update, 0));
  window.visualViewport?.addEventListener('resize', update);
  update();
}
