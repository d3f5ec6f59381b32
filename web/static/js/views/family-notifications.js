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
import { field, h, loading, reconcile, setChildren } from '../dom.js';
import { currentLang, fmtDateTime, onLangChange, t } from '../i18n.js';
import { deviceLabel } from './family-account.js';
import { busy, errorBox } from './form.js';
import { fieldsOf, handOver, putFields, takeOver } from '../handover.js';

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

// The server's field → the control that shows it and the sentence for it.
const FIELDS = {
  task_lead_minutes: ['task_lead_minutes', 'notify.error.lead'],
  calendar_lead_minutes: ['calendar_lead_minutes', 'notify.error.lead'],
  quiet_hours: ['quiet_start', 'notify.error.quietSame'],
  'quiet_hours.start': ['quiet_start', 'notify.error.quietTime'],
  'quiet_hours.end': ['quiet_end', 'notify.error.quietTime'],
  digest_hour: ['digest_hour', 'notify.error.digestHour'],
  followed_lists: ['list_changes', 'notify.error.lists'],
  'ntfy.url': ['ntfy_url', 'notify.error.ntfyUrl'],
  'ntfy.token': ['ntfy_token', 'notify.error.ntfyToken'],
  language: ['language', 'notify.error.language'],
};

export function notificationsSection(app) {
  const why = unsupported();
  const state = h('p.notify-state#notify-state', { 'aria-live': 'polite' });
  const help = h('p.hint#notify-help', { hidden: true });
  const toggle = h('button.primary#notify-toggle', { type: 'button', onclick: () => (subscribed ? turnOff() : turnOn()) });
  const testBtn = h('button#notify-test', { type: 'button', onclick: sendTest }, t('notify.test'));
  const status = h('p.muted#notify-status', { role: 'status' });
  const devices = h('ul.rows.push-rows', { 'aria-labelledby': 'h-notify-devices' });
  const devicesPart = h('div.push-devices', h('h3#h-notify-devices', t('notify.devicesTitle')), devices);
  const offlineNote = h('p.notice#notify-offline', { hidden: true }, t('notify.offline'));
  const serverOff = h('p#notify-server-off', { hidden: true }, t('notify.serverOff'));
  const form = settingsForm();
  const body = h('div.notify-body', { hidden: true }, state, help, h('div.actions.start', toggle, testBtn), status, devicesPart, form.el);
  const load = h('div.notify-loading', loading(3)); // emptied once loaded (tests wait for no .loading)
  const el = h('section.card.notify#notify', { 'aria-labelledby': 'h-notify', 'aria-busy': 'true' },
    h('h2#h-notify', t('notify.title')), offlineNote, serverOff, load, body);

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
        onclick: () => (s.this_device ? turnOff() : remove(s, label)),
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
    working = true;
    status.textContent = '';
    el.setAttribute('aria-busy', 'true');
    showState();
    try {
      await fn();
    } catch (e) {
      if (e.status === 401) return;
      status.textContent = e.status === 404 ? t('notify.serverOff') : (e.status != null ? e.message : t('notify.failed'));
    } finally {
      working = false;
      el.removeAttribute('aria-busy');
      showState();
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
    status.textContent = t('notify.turnedOn');
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
    status.textContent = t('notify.turnedOff');
    await reload();
  });

  const remove = (s, label) => run(async () => {
    try { await del(`/api/push/subscriptions/${s.id}`); } catch (e) { if (e.status !== 404) throw e; }
    status.textContent = t('notify.removed', { name: label });
    await reload();
  });

  function sendTest() {
    run(async () => {
      status.textContent = t('notify.testSending');
      await post('/api/notifications/test');
      status.textContent = t(subs.length || form.hasNtfy() ? 'notify.testSent' : 'notify.testNowhere');
    });
  }

  const reload = app.loader(async () => {
    if (!navigator.onLine) { showOffline(); return; }
    let settings;
    let lists = [];
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
    form.fill(settings, lists);
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

  // The settings form.
  function settingsForm() {
    const err = errorBox();
    const saved = h('p.muted#notify-saved', { role: 'status' });
    const check = (name, label) => h('label.check', h('input', { type: 'checkbox', name }), label);
    const minutes = (name) => h('input', { type: 'number', name, min: 0, max: 1440, step: 1, inputmode: 'numeric', required: true });
    const quietOn = h('input', { type: 'checkbox', name: 'quiet' });
    const quietStart = h('input', { type: 'time', name: 'quiet_start' });
    const quietEnd = h('input', { type: 'time', name: 'quiet_end' });
    const quietTimes = h('div.row', field(t('notify.quietStart'), quietStart), field(t('notify.quietEnd'), quietEnd));
    const allLists = h('input', { type: 'checkbox', name: 'all_lists' });
    const listBoxes = h('div.notify-lists');
    const listsPart = h('fieldset.notify-followed', h('legend', t('notify.followed')),
      h('label.check', allLists, t('notify.allLists')), listBoxes);
    const language = h('select', { name: 'language' },
      h('option', { value: '' }, t('notify.langDevice')), h('option', { value: 'en', lang: 'en' }, 'English'), h('option', { value: 'de', lang: 'de' }, 'Deutsch'));
    const hour = h('select', { name: 'digest_hour' },
      [...Array(24).keys()].map((n) => h('option', { value: String(n) }, `${String(n).padStart(2, '0')}:00`)));
    const hourLine = h('p.hint#notify-digest-hour');
    const ntfyUrl = h('input', { type: 'url', name: 'ntfy_url', inputmode: 'url', autocomplete: 'off', spellcheck: 'false', placeholder: 'https://ntfy.sh/…' });
    const ntfyToken = h('input', { type: 'password', name: 'ntfy_token', autocomplete: 'off' });
    const dropToken = h('label.check', h('input', { type: 'checkbox', name: 'ntfy_drop_token' }), t('notify.ntfyDropToken'));
    const submit = h('button.primary', { type: 'submit' }, t('common.save'));
    let current = null;
    let dirty = false;
    // Unsaved settings stay when the page is built again (handover.js):
    // put back over the first fill, and still being edited.
    const handKey = `notify ${app.me.user.id}`;
    let had = takeOver(handKey);

    const el = h('form.notify-form', { novalidate: true, oninput: () => { dirty = true; saved.textContent = ''; }, onchange: sync, onsubmit: save },
      h('h3', t('notify.settingsTitle')),
      err,
      h('fieldset', h('legend', t('notify.what')),
        check('task_reminders', t('notify.taskReminders')),
        field(t('notify.taskLead'), minutes('task_lead_minutes'), t('notify.leadHint')),
        check('calendar_reminders', t('notify.calendarReminders')),
        field(t('notify.calendarLead'), minutes('calendar_lead_minutes'), t('notify.calendarLeadHint')),
        check('digest', t('notify.digest')),
        app.can('family.update') ? field(t('notify.digestHour'), hour, t('notify.digestHourHint')) : hourLine,
        check('list_changes', t('notify.listChanges')),
        listsPart),
      h('fieldset', h('legend', t('notify.quietTitle')),
        h('label.check', quietOn, t('notify.quiet')),
        quietTimes,
        h('p.hint', t('notify.quietHint', { zone: app.tz }))),
      field(t('notify.language'), language, t('notify.languageHint')),
      h('fieldset', h('legend', t('notify.ntfyTitle')),
        h('p.hint', t('notify.ntfyIntro')),
        field(t('notify.ntfyUrl'), ntfyUrl),
        field(t('notify.ntfyToken'), ntfyToken, t('notify.ntfyTokenHint')),
        dropToken),
      h('div.actions.start', submit),
      saved);
    const f = el.elements;

    // Controls that depend on others are enabled with them.
    function sync() {
      const off = !navigator.onLine;
      f.task_lead_minutes.disabled = off || !f.task_reminders.checked;
      f.calendar_lead_minutes.disabled = off || !f.calendar_reminders.checked;
      listsPart.disabled = off || !f.list_changes.checked;
      for (const b of listBoxes.querySelectorAll('input')) b.disabled = allLists.checked;
      quietTimes.hidden = !quietOn.checked;
      hour.disabled = off || !f.digest.checked;
      dropToken.hidden = !current?.member.ntfy?.has_token;
    }

    function fill(s, lists) {
      // Another device's change shows, unless this form is being edited.
      if (dirty && current) return;
      current = s;
      const m = s.member;
      for (const k of ['task_reminders', 'calendar_reminders', 'digest', 'list_changes']) f[k].checked = m[k];
      f.task_lead_minutes.value = m.task_lead_minutes;
      f.calendar_lead_minutes.value = m.calendar_lead_minutes;
      allLists.checked = m.followed_lists == null;
      const followed = new Set(m.followed_lists || []);
      setChildren(listBoxes, lists.map((l) => h('label.check', { dataset: { list: l.id } },
        h('input', { type: 'checkbox', name: 'list', value: l.id, checked: allLists.checked || followed.has(l.id) }), l.name)));
      quietOn.checked = !!m.quiet_hours;
      quietStart.value = m.quiet_hours?.start || '22:00';
      quietEnd.value = m.quiet_hours?.end || '07:00';
      language.value = m.language || '';
      hour.value = String(s.family.digest_hour);
      hourLine.textContent = t('notify.digestHourIs', { hour: `${String(s.family.digest_hour).padStart(2, '0')}:00` });
      ntfyUrl.value = m.ntfy?.url || '';
      ntfyToken.value = '';
      f.ntfy_drop_token.checked = false;
      ntfyToken.placeholder = m.ntfy?.has_token ? t('notify.ntfyTokenKept') : '';
      if (had) { putFields(el, had); had = null; dirty = true; }
      sync();
    }

    async function save(e) {
      e.preventDefault();
      err.hidden = true;
      saved.textContent = '';
      for (const c of el.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
      const member = {
        task_reminders: f.task_reminders.checked, calendar_reminders: f.calendar_reminders.checked,
        digest: f.digest.checked, list_changes: f.list_changes.checked,
        language: language.value || null,
        quiet_hours: quietOn.checked ? { start: quietStart.value, end: quietEnd.value } : null,
        followed_lists: allLists.checked ? null : [...listBoxes.querySelectorAll('input:checked')].map((b) => b.value),
      };
      // An empty or half-typed number is the server's to refuse, by name.
      for (const k of ['task_lead_minutes', 'calendar_lead_minutes']) member[k] = f[k].value === '' ? -1 : Number(f[k].value);
      const url = ntfyUrl.value.trim();
      if (!url) member.ntfy = null;
      else {
        member.ntfy = { url };
        if (ntfyToken.value) member.ntfy.token = ntfyToken.value;
        else if (f.ntfy_drop_token.checked) member.ntfy.token = null;
      }
      const req = { member };
      if (app.can('family.update') && Number(hour.value) !== current?.family.digest_hour) req.family = { digest_hour: Number(hour.value) };
      busy(el, true);
      try {
        const s = await patch('/api/notifications/settings', req);
        dirty = false;
        fill(s, [...listBoxes.querySelectorAll('label[data-list]')].map((l) => ({ id: l.dataset.list, name: l.textContent })));
        saved.textContent = t('notify.saved');
      } catch (ex) {
        if (ex.status === 401) return;
        const [name, key] = FIELDS[ex.field] || [];
        err.textContent = key ? t(key) : ex.status === 0 ? t('notify.offline') : ex.message;
        err.hidden = false;
        const bad = name && f[name];
        if (bad?.focus) { bad.setAttribute('aria-invalid', 'true'); bad.setAttribute('aria-errormessage', 'notify-form-error'); bad.focus(); }
      } finally { busy(el, false); }
    }
    err.id = 'notify-form-error';

    return {
      el,
      fill,
      hasNtfy: () => !!current?.member.ntfy,
      offline(on) { submit.disabled = on; sync(); },
      handOver() { if (dirty && current) handOver(handKey, fieldsOf(el, { all: true })); },
    };
  }

  return {
    el,
    reload,
    update: () => reload(),
    destroy() {
      form.handOver();
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      window.removeEventListener('focus', reload);
      document.removeEventListener('visibilitychange', onVisible);
    },
  };
}
