// The Family page's notifications part (docs/notifications.md, "In the
// app"): whether this device gets pushes, turning them on (permission →
// pushManager.subscribe with the server's VAPID key → POST) and off
// (DELETE, then unsubscribe), the member's devices with push, their
// settings (PATCH /api/notifications/settings) and a test notice.
// Settings changes make no realtime event: the part re-reads on the
// page's reload/onFamily hooks, when the window gets the focus back and
// when the tab becomes visible. Nothing here is queued in the outbox: a
// subscription needs the server, so offline the controls wait.
import { del, get, patch, post } from '../api.js';
import { h, loading, reconcile, setChildren } from '../dom.js';
import { handOver, link, live, takeOver } from '../handover.js';
import { currentLang, fmtDateTime, onLangChange, t } from '../i18n.js';
import { sayerOf, sayIn } from '../lines.js';
import { deviceLabel } from './family-account.js';
import { settingsForm } from './family-notify-form.js';

/** What keeps this browser from Web Push: null, 'ios' (Safari not on the home screen) or 'browser'. */
function unsupported() {
  if ('serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window) return null;
  const ios = /iPhone|iPad|iPod/.test(navigator.userAgent) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
  return ios && !navigator.standalone ? 'ios' : 'browser';
}

const b64urlBytes = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
const bytesB64url = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

async function pushRegistration() {
  const reg = await Promise.race([navigator.serviceWorker.ready, new Promise((r) => { setTimeout(r, 10000); })]);
  if (!reg) throw new Error('no service worker');
  return reg;
}

async function thisSubscription() {
  if (unsupported()) return null;
  const reg = await navigator.serviceWorker.getRegistration();
  return reg ? reg.pushManager.getSubscription() : null;
}

// The member's language follows the app's while this device gets pushes
// (the service worker cannot read the app's choice).
onLangChange(async (lang) => {
  try { if (await thisSubscription()) await patch('/api/notifications/settings', { member: { language: lang } }); } catch { /* next time */ }
});

export function notificationsSection(app) {
  const why = unsupported();
  const state = h('p.notify-state#notify-state', { 'aria-live': 'polite', tabindex: '-1' });
  const help = h('p.hint#notify-help', { hidden: true });
  const toggle = h('button.primary#notify-toggle', { type: 'button', onclick: () => (subscribed ? turnOff() : turnOn()) });
  const testBtn = h('button#notify-test', { type: 'button', onclick: sendTest }, t('notify.test'));
  const status = h('p.muted#notify-status', { role: 'status' });
  const devices = h('ul.rows.push-rows', { 'aria-labelledby': 'h-notify-devices' });
  const devicesPart = h('div.push-devices', h('h3#h-notify-devices', t('notify.devicesTitle')), devices);
  const offlineNote = h('p.notice#notify-offline', { hidden: true }, t('notify.offline'));
  const serverOff = h('p#notify-server-off', { hidden: true }, t('notify.serverOff'));
  const form = settingsForm(app);
  const body = h('div.notify-body', { hidden: true }, state, help, h('div.actions.start', toggle, testBtn), status, devicesPart, form.el);
  const load = h('div.notify-loading', loading(3)); // emptied once loaded (tests wait for no .loading)
  const el = h('section.card.notify#notify', { 'aria-labelledby': 'h-notify', 'aria-busy': 'true' },
    h('h2#h-notify', t('notify.title')), offlineNote, serverOff, load, body);

  // The status line ("Notifications are on for this device.", a test sent,
  // why it failed) is kept as how to say it (lines.js): the page built
  // again, also for another language, says it on the part built in place,
  // and so does a change on its way then.
  const lineKey = `notify-line ${app.me.user.id}`;
  const had = takeOver(lineKey);
  const self = link({ status }, had);
  if (had?.say) sayIn(status, had.say);
  const say = (fn) => sayIn(live(self).status, fn);

  let subscribed = false; // this device has a push subscription the server holds
  let subs = [];
  let working = false;

  function showState() {
    const perm = why ? null : Notification.permission;
    help.hidden = true;
    toggle.hidden = !!why;
    toggle.disabled = working || !navigator.onLine;
    if (why) {
      state.textContent = t('notify.stateOff');
      setChildren(help, t(why === 'ios' ? 'notify.unsupportedIos' : 'notify.unsupported'));
      help.hidden = false;
    } else if (subscribed) {
      state.textContent = t('notify.stateOn');
      toggle.textContent = t('notify.turnOff');
    } else {
      state.textContent = t('notify.stateOff');
      toggle.textContent = t('notify.turnOn');
      if (perm === 'denied') {
        state.textContent = t('notify.stateDenied');
        setChildren(help, t('notify.deniedHelp'));
        help.hidden = false;
        toggle.disabled = true;
      }
    }
    el.dataset.state = why ? 'unsupported' : subscribed ? 'on' : perm === 'denied' ? 'denied' : 'off';
    testBtn.disabled = working || !navigator.onLine;
  }

  function row(s) {
    const label = deviceLabel({ user_agent: s.user_agent });
    return h('li.entry.push-device', { dataset: { id: s.id, this: String(s.this_device) } },
      h('div.grow',
        h('strong', label, s.this_device ? h('span.tag', t('devices.thisDevice')) : null),
        h('span.muted', t('notify.since', { when: fmtDateTime(new Date(s.created_at), app.tz) })),
        s.last_error ? h('span.muted.push-error', t('notify.lastError')) : null),
      h('button.small', {
        type: 'button', dataset: { key: `push-del-${s.id}` }, 'aria-label': t('notify.removeLabel', { name: label }),
        onclick: () => (s.this_device ? turnOff() : remove(s)),
      }, t('notify.remove')));
  }

  function showDevices() {
    devicesPart.hidden = subs.length === 0;
    reconcile(devices, [...subs].sort((a, b) => Number(b.this_device) - Number(a.this_device)), {
      key: (s) => s.id,
      sig: (s) => JSON.stringify([s.this_device, s.user_agent, s.last_error]),
      build: row,
    });
  }

  async function run(fn) {
    if (working) return;
    // The button pressed is disabled while it works: the focus comes back
    // to it, or, when it stays disabled or is gone (the browser blocks
    // notifications; a device removed), to the state line that says why.
    // Before, it fell to the page and a screen reader began at the top.
    const had = el.contains(document.activeElement) ? document.activeElement : null;
    working = true;
    status.textContent = '';
    el.setAttribute('aria-busy', 'true');
    showState();
    try {
      await fn();
    } catch (e) {
      if (e.status === 401) return;
      say(e.status === 404 ? () => t('notify.serverOff') : e.say ? () => e.say() : () => t('notify.failed'));
    } finally {
      working = false;
      el.removeAttribute('aria-busy');
      showState();
      const now = document.activeElement; // a disabled button may keep it, unusable
      const lost = !now || now === document.body || now.disabled;
      if (had && lost) (had.isConnected && !had.disabled && had.checkVisibility() ? had : state).focus();
    }
  }

  const turnOn = () => run(async () => {
    let perm = Notification.permission;
    if (perm !== 'granted') perm = await Notification.requestPermission();
    if (perm !== 'granted') return; // showState explains a refusal
    const reg = await pushRegistration();
    const { key } = await get('/api/push/vapid-public-key');
    let sub = await reg.pushManager.getSubscription();
    const made = sub?.options?.applicationServerKey;
    if (sub && made && bytesB64url(made) !== key) { await sub.unsubscribe(); sub = null; }
    sub ||= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64urlBytes(key) });
    await post('/api/push/subscriptions', sub.toJSON());
    await patch('/api/notifications/settings', { member: { language: currentLang() } });
    subscribed = true;
    say(() => t('notify.turnedOn'));
    await reload();
  });

  const turnOff = () => run(async () => {
    const sub = await thisSubscription();
    const mine = subs.find((s) => s.this_device || (sub && s.endpoint === sub.endpoint));
    if (mine) {
      try { await del(`/api/push/subscriptions/${mine.id}`); } catch (e) { if (e.status !== 404) throw e; }
    }
    if (sub) await sub.unsubscribe();
    subscribed = false;
    say(() => t('notify.turnedOff'));
    await reload();
  });

  const remove = (s) => run(async () => {
    try { await del(`/api/push/subscriptions/${s.id}`); } catch (e) { if (e.status !== 404) throw e; }
    say(() => t('notify.removed', { name: deviceLabel({ user_agent: s.user_agent }) })); // the device's name in the language in use
    await reload();
  });

  // With no device of the member's receiving notifications (and no ntfy
  // topic) a test reaches nobody: it is not sent, and the line says what to
  // do first. Before, it was sent and said "Test sent, but none of your
  // devices receives notifications", which read as both.
  function sendTest() {
    run(async () => {
      if (!subs.length && !form.hasNtfy()) { say(() => t('notify.testNowhere')); return; }
      say(() => t('notify.testSending'));
      await post('/api/notifications/test');
      say(() => t('notify.testSent'));
    });
  }

  const reload = app.loader(async () => {
    if (!navigator.onLine) { showOffline(); return; }
    let settings;
    let lists = [];
    const read = form.reading(); // a Save answered meanwhile wins over this read
    try {
      [settings, subs, lists] = await Promise.all([
        get('/api/notifications/settings'),
        get('/api/push/subscriptions').then((r) => r.subscriptions || []),
        get('/api/shopping/lists').catch(() => []),
      ]);
    } catch (e) {
      if (e.status === 404) { showServerOff(); return; }
      if (e.status === 0) { showOffline(); return; }
      throw e;
    }
    // Flow step 2: subscribed here but unknown to the server (a logout
    // deleted it): store it again.
    const sub = !why && Notification.permission === 'granted' ? await thisSubscription().catch(() => null) : null;
    if (sub && !subs.some((s) => s.endpoint === sub.endpoint)) {
      try { subs = [...subs, await post('/api/push/subscriptions', sub.toJSON())]; } catch { /* shown as off */ }
    }
    subscribed = !!sub && subs.some((s) => s.endpoint === sub.endpoint);
    serverOff.hidden = true;
    offlineNote.hidden = true;
    load.replaceChildren();
    body.hidden = false;
    el.removeAttribute('aria-busy');
    showState();
    showDevices();
    // Dropped (begun before a Save's answer): read again; the loader runs
    // once more when this run ends.
    if (!form.fill(settings, lists, read)) reload();
  });

  function showServerOff() {
    load.replaceChildren();
    body.hidden = true;
    serverOff.hidden = false;
    el.removeAttribute('aria-busy');
  }

  function showOffline() {
    offlineNote.hidden = false;
    load.replaceChildren();
    el.removeAttribute('aria-busy');
    showState();
    form.offline(true);
  }

  const onOnline = () => { offlineNote.hidden = true; form.offline(false); reload(); };
  const onOffline = () => showOffline();
  const onVisible = () => { if (document.visibilityState === 'visible') reload(); };
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);
  window.addEventListener('focus', reload);
  document.addEventListener('visibilitychange', onVisible);

  return {
    el,
    reload,
    update: () => reload(),
    destroy() {
      form.handOver();
      handOver(lineKey, { link: self, say: sayerOf(status) });
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      window.removeEventListener('focus', reload);
      document.removeEventListener('visibilitychange', onVisible);
    },
  };
}
