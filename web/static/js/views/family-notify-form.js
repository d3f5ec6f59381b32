// The Family page's notification settings form (PATCH
// /api/notifications/settings): what to be told and how early, quiet
// hours, the language of the notices, ntfy. Split out of
// family-notifications.js, which holds the push part around it.
import { patch } from '../api.js';
import { field, h, setChildren } from '../dom.js';
import { currentLang, t } from '../i18n.js';
import { localField, localText, readable } from '../fields.js';
import { busy, errorBox } from './form.js';
import { fieldsOf, handOver, link, live, putFields, takeOver } from '../handover.js';
import { sayerOf, sayIn } from '../lines.js';

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

/**
 * The member's notification settings form: {el, fill(settings, lists,
 * read) (false: the read began before a Save's answer and is dropped; read
 * again), reading, hasNtfy, offline(on), handOver}.
 */
export function settingsForm(app) {
  const err = errorBox();
  const saved = h('p.muted#notify-saved', { role: 'status' });
  const check = (name, label) => h('label.check', h('input', { type: 'checkbox', name }), label);
  const minutes = (name) => h('input', { type: 'number', name, min: 0, max: 1440, step: 1, inputmode: 'numeric', required: true });
  const quietOn = h('input', { type: 'checkbox', name: 'quiet' });
  // Times in the app's language, not the browser's (fields.js).
  const quietStart = localText('time', { name: 'quiet_start' });
  const quietEnd = localText('time', { name: 'quiet_end' });
  const quietTimes = h('div.row', localField(t('notify.quietStart'), quietStart), localField(t('notify.quietEnd'), quietEnd));
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
  // A read begun before a Save's answer came may hold the settings from
  // before the Save (the server read them first): it must not show them
  // under "Saved.". reading() numbers a read; a Save's answer takes the
  // next number, and fill() drops a read numbered before it and says so
  // (false): such a read may also hold what another device changed after
  // the Save, which the Save's answer lacks, so the part reads again.
  let seq = 0;
  let savedAt = 0;
  // Unsaved settings stay when the page is built again (handover.js):
  // put back over the first fill, and still being edited; so do the
  // error line and "Saved.", and a Save on its way answers on the form
  // built in its place (at()), not on the one gone.
  const handKey = `notify ${app.me.user.id}`;
  const took = takeOver(handKey);
  const lang = currentLang(); // the language the form, and so its error line, speaks
  let had = took?.fields ?? null;
  const at = () => live(self);

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

  function fill(s, lists, read = Infinity) {
    if (read < savedAt) return false;
    // Another device's change shows, unless this form is being edited.
    if (dirty && current) return true;
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
    return true;
  }

  async function save(e) {
    e.preventDefault();
    if (!readable(el)) return; // a time it cannot read says so under it
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
    const lists = [...listBoxes.querySelectorAll('label[data-list]')].map((l) => ({ id: l.dataset.list, name: l.textContent }));
    busy(el, true);
    try {
      const s = await patch('/api/notifications/settings', req);
      at().answered(s, lists);
    } catch (ex) {
      if (ex.status === 401) return;
      const [name, key] = FIELDS[ex.field] || [];
      at().failed(key ? () => t(key) : ex.status === 0 ? () => t('notify.offline') : () => ex.say(), name, true);
    } finally { busy(at().el, false); }
  }
  function answered(s, lists) {
    savedAt = ++seq;
    dirty = false;
    had = null;
    fill(s, lists);
    saved.textContent = t('notify.saved');
  }
  // failed(say, …): the error line says say(), again in another language (lines.js).
  function failed(say, name, focus) {
    sayIn(err, say);
    err.hidden = false;
    const bad = name && f[name];
    if (bad?.focus) {
      bad.setAttribute('aria-invalid', 'true');
      bad.setAttribute('aria-errormessage', 'notify-form-error');
      if (focus) bad.focus();
    }
  }
  err.id = 'notify-form-error';
  const self = link({ answered, failed, el }, took);
  // The error line and "Saved." are said in the language of the page
  // built in place (a page built again for another language), the error
  // from its code.
  const sayErr = took?.error && (took.error.say ?? (took.lang === lang ? () => took.error.text : null));
  if (sayErr) failed(sayErr, took.error.field, false);
  if (took?.saved) saved.textContent = t('notify.saved');
  if (took?.busy) busy(el, true);

  return {
    el,
    fill,
    reading: () => ++seq,
    hasNtfy: () => !!current?.member.ntfy,
    offline(on) { submit.disabled = on; sync(); },
    handOver() {
      handOver(handKey, {
        link: self,
        fields: dirty && current ? fieldsOf(el, { all: true }) : had,
        error: err.hidden ? null : { say: sayerOf(err), text: err.textContent, field: el.querySelector('[aria-invalid]')?.name ?? null },
        saved: saved.textContent !== '',
        lang,
        busy: submit.getAttribute('aria-busy') === 'true',
      });
    },
  };
}
