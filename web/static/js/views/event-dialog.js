// The event dialog: create, edit and delete calendar events. For an
// occurrence of a series it asks what the change is for: only this
// occurrence, this and the following ones, or the whole series. Today the
// server can delete one occurrence (exdates) and end a series early (UNTIL)
// but edits only whole series: scopes() lists what is possible, so the
// other choices appear once serverCaps.occurrenceEdit is on.
import { change, get, post, put, serverCaps } from '../api.js';
import { field, formValues, h } from '../dom.js';
import { dayLabel, fmtTime, t } from '../i18n.js';
import { addDays, dateIn, localInput, zoned } from '../time.js';
import { ask, confirmDelete, openDialog } from './dialog.js';

const REPEATS = ['', 'FREQ=DAILY', 'FREQ=WEEKLY', 'FREQ=WEEKLY;INTERVAL=2', 'FREQ=MONTHLY', 'FREQ=YEARLY'];
const repeatLabel = (r) => t(`event.repeat.${r || 'none'}`);

/** The scopes offered for an action ('edit' or 'delete') on an occurrence of a series. */
export function scopes(action) {
  if (action === 'delete') return ['this', 'following', 'all'];
  return serverCaps.occurrenceEdit ? ['this', 'following', 'all'] : ['all'];
}

/** The day of a returned timestamp: the server writes them in the family's zone. */
const dayOf = (s) => s.slice(0, 10);

/** RRULE UNTIL just before the occurrence at recurrenceId: a date for all-day series, else UTC. */
function untilBefore(recurrenceId, allDay) {
  if (allDay) return addDays(dayOf(recurrenceId), -1).replace(/-/g, '');
  return new Date(Date.parse(recurrenceId) - 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** The series' rule ending before an occurrence ("this and following" deleted). */
export function ruleEndingBefore(rrule, recurrenceId, allDay) {
  const parts = rrule.split(';').filter((p) => !/^(COUNT|UNTIL)=/i.test(p));
  return [...parts, `UNTIL=${untilBefore(recurrenceId, allDay)}`].join(';');
}

/**
 * deleteEvent(app, ev, occ) asks what to delete (for a series: this
 * occurrence, this and following, or all) and does it. Resolves to true
 * when something was deleted.
 */
export async function deleteEvent(app, ev, occ) {
  const when = occ ? occurrenceLabel(app, occ) : '';
  if (!ev.rrule || !occ?.recurrence_id) {
    if (!await confirmDelete(t('event.deleteTitle', { title: ev.title }), t('event.deleteText'))) return false;
    return run(app, ev, () => change('DELETE', `/api/calendar/events/${ev.id}`, undefined, ev));
  }
  const first = Date.parse(occ.recurrence_id) <= Date.parse(ev.starts_at);
  const choice = await ask(t('event.deleteSeriesTitle', { title: ev.title }), t('event.deleteSeriesText', { when }),
    scopes('delete').filter((s) => !(s === 'following' && first)).map((s) => ({ value: s, label: t(`event.scope.delete.${s}`), danger: true })));
  if (!choice) return false;
  if (choice === 'this') {
    const exdates = [...(ev.exdates || []), occ.recurrence_id];
    return run(app, ev, () => change('PATCH', `/api/calendar/events/${ev.id}`, { exdates }, ev));
  }
  if (choice === 'following') {
    return run(app, ev, () => change('PATCH', `/api/calendar/events/${ev.id}`, { rrule: ruleEndingBefore(ev.rrule, occ.recurrence_id, ev.all_day) }, ev));
  }
  return run(app, ev, () => change('DELETE', `/api/calendar/events/${ev.id}`, undefined, ev));
}

async function run(app, ev, fn) {
  return !!await app.write(t('fail.deleteEvent', { title: ev.title }), async () => {
    try { await fn(); } catch (e) { if (e.status !== 404) throw e; }
    return true;
  });
}

function occurrenceLabel(app, occ) {
  const day = dayLabel(dayOf(occ.starts_at), dateIn(new Date(), app.tz));
  return occ.all_day ? day : `${day} ${fmtTime(new Date(occ.starts_at), app.tz)}`;
}

/**
 * saveScoped writes an edit for one scope. Only 'all' is offered today
 * (scopes()); the others are the requests the app will make once the
 * server has occurrence overrides (SERVER-ENDPOINT, issue 15):
 * - 'this': PUT /api/calendar/events/{id}/occurrences/{recurrence_id}
 *   with the occurrence's fields (an override, RECURRENCE-ID in iCalendar);
 * - 'following': POST /api/calendar/events/{id}/split {recurrence_id, ...fields}
 *   ends the series before that occurrence and starts a new one from it.
 * The dialog shows the series' first dates; with these scopes it would show
 * the occurrence's.
 */
function saveScoped(ev, occ, scope, body) {
  if (scope === 'this') return put(`/api/calendar/events/${ev.id}/occurrences/${encodeURIComponent(occ.recurrence_id)}`, body);
  if (scope === 'following') return post(`/api/calendar/events/${ev.id}/split`, { recurrence_id: occ.recurrence_id, ...body });
  return change('PATCH', `/api/calendar/events/${ev.id}`, body, ev); // If-Match: the version the dialog opened
}

/**
 * openEvent(app, occ | null, {onSaved, date}) opens the dialog for an
 * occurrence (as listed) or a new event (on date, YYYY-MM-DD, if given).
 */
export async function openEvent(app, occ, { onSaved = () => {}, date = null } = {}) {
  const tz = app.tz;
  let ev = null;
  if (occ) {
    ev = await app.write(t('fail.openEvent'), () => get(`/api/calendar/events/${occ.id}`));
    if (!ev) return;
  }
  if (ev?.read_only) {
    await ask(ev.title, t('event.readOnly'), [], { cancelLabel: t('common.close') });
    return;
  }
  const series = !!(ev?.rrule && occ?.recurrence_id);
  let start;
  if (ev) start = new Date(ev.starts_at);
  else if (date) start = zoned(`${date}T09:00`, tz);
  else start = new Date(Math.ceil(Date.now() / 3600e3) * 3600e3);
  const end = ev ? new Date(ev.ends_at) : new Date(start.getTime() + 3600e3);
  const allDay = h('input', { type: 'checkbox', name: 'all_day', checked: !!ev?.all_day });
  const startIn = h('input', { name: 'start', type: 'datetime-local', value: localInput(start, tz) });
  const endIn = h('input', { name: 'end', type: 'datetime-local', value: localInput(end, tz) });
  const startDate = h('input', { name: 'start_date', type: 'date', value: ev?.all_day ? dayOf(ev.starts_at) : dateIn(start, tz) });
  const endDate = h('input', { name: 'end_date', type: 'date', value: ev?.all_day ? addDays(dayOf(ev.ends_at), -1) : dateIn(start, tz) });
  const timed = h('div.row', field(t('event.starts'), startIn), field(t('event.ends'), endIn));
  const dated = h('div.row', field(t('event.firstDay'), startDate), field(t('event.lastDay'), endDate));
  const sync = () => {
    timed.hidden = allDay.checked;
    dated.hidden = !allDay.checked;
    startIn.required = endIn.required = !allDay.checked;
    startDate.required = allDay.checked;
  };
  allDay.addEventListener('change', sync);
  sync();

  // A child sees the event without changing it (calendar_event.update, .delete).
  const readOnly = !!ev && !app.can('calendar_event.update');
  const editScopes = series && !readOnly ? scopes('edit') : [];
  const scopeField = editScopes.length > 1
    ? h('fieldset.choice', h('legend', t('event.scope.legend')),
      editScopes.map((s, i) => h('label', h('input', { type: 'radio', name: 'scope', value: s, checked: i === editScopes.length - 1 }), ' ', t(`event.scope.edit.${s}`))))
    : series && !readOnly ? h('p.hint', t('event.seriesNote')) : null;

  const remove = ev && app.can('calendar_event.delete') ? h('button.danger', {
    type: 'button',
    async onclick() {
      if (await deleteEvent(app, ev, occ)) { dlg.close(); onSaved(); }
    },
  }, t('common.delete')) : null;

  const custom = ev?.rrule && !REPEATS.includes(ev.rrule);
  const createId = crypto.randomUUID(); // one event, however often Save is pressed
  const dlg = openDialog(t(readOnly ? 'event.details' : ev ? 'event.edit' : 'event.new'), [
    scopeField,
    field(t('event.title'), h('input', { name: 'title', required: true, maxlength: 200, value: ev?.title || '' })),
    h('label.check', allDay, ' ', t('event.allDay')),
    timed, dated,
    field(t('event.repeats'), h('select', { name: 'rrule' },
      REPEATS.map((v) => h('option', { value: v, selected: (ev?.rrule || '') === v }, repeatLabel(v))),
      custom ? h('option', { value: ev.rrule, selected: true }, t('rule.custom')) : null)),
    field(t('event.location'), h('input', { name: 'location', maxlength: 500, value: ev?.location || '' })),
    field(t('event.notes'), h('textarea', { name: 'notes', rows: 3, maxlength: 4000 }, ev?.notes || '')),
  ], async (form) => {
    const v = formValues(form);
    const body = { title: v.title.trim(), all_day: v.all_day, location: v.location, notes: v.notes, rrule: v.rrule || null };
    if (v.all_day) {
      body.starts_at = v.start_date;
      body.ends_at = addDays(v.end_date && v.end_date >= v.start_date ? v.end_date : v.start_date, 1);
    } else {
      body.starts_at = zoned(v.start, tz).toISOString();
      body.ends_at = zoned(v.end, tz).toISOString();
    }
    if (!ev && !body.rrule) delete body.rrule;
    const scope = series ? (v.scope || 'all') : 'all';
    const saved = await app.write(t(ev ? 'fail.saveEvent' : 'fail.createEvent', { title: body.title }),
      () => (ev ? saveScoped(ev, occ, scope, body) : post('/api/calendar/events', { id: createId, ...body })));
    if (saved) onSaved(saved);
    return !!saved;
  }, { extra: remove, className: 'event-dialog', readOnly });
}
