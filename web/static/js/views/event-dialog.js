// The event dialog: create, edit and delete calendar events. For an
// occurrence of a series it asks what the change is for, as calendar apps
// do (docs/api/calendar.md, "One occurrence, or this and the following
// ones"): only this occurrence (an override: PATCH/DELETE
// .../occurrences/{recurrence_id}), this and the following ones (POST
// .../split, or DELETE ...?following=true), or the whole series.
//
// A new event, a change or delete of a whole event (or a whole series),
// and a change or delete of only one occurrence of a series, goes through
// the outbox (outbox.js): it works offline, waits where the calendar shows
// it, and is sent with the event's client id or If-Match the version it
// was made against (the series' for one occurrence: a replay of one
// already saved is answered as saved); a change made meanwhile elsewhere
// is a conflict notice (conflicts.js). A change of this and the following
// ones needs the server: it is sent at once with If-Match (a 412 is said
// in the dialog), and offline the dialog says that it needs a connection
// (a server that fails says why instead: it is not "offline"). Offline,
// or when the server fails, a series opens from the ranges the calendar
// read (fetchEvent).
import { ApiError, change, get, onReachable, serverDown, serverReachable } from '../api.js';
import { field, formValues, h, nextId } from '../dom.js';
import { localField, localText } from '../fields.js';
import { dayLabel, fmtDate, fmtTime, t } from '../i18n.js';
import * as outbox from '../outbox.js';
import { addDays, dateIn, localInput, zoned } from '../time.js';
import { ask, confirmDelete, openDialog } from './dialog.js';
import { endsFollow } from './event-ends.js';
import { bodyOf, changed, dayOf, seriesTimes, shown } from './event-form.js';
import { describeRule } from './task-dialog.js';

const REPEATS = ['', 'FREQ=DAILY', 'FREQ=WEEKLY', 'FREQ=WEEKLY;INTERVAL=2', 'FREQ=MONTHLY', 'FREQ=YEARLY'];
const repeatLabel = (r) => t(`event.repeat.${r || 'none'}`);

/** The scopes offered for an action ('edit' or 'delete') on an occurrence of a series. */
export const scopes = () => ['this', 'following', 'all'];

const occPath = (ev, occ) => `/api/calendar/events/${ev.id}/occurrences/${encodeURIComponent(occ.recurrence_id)}`;

/** Whether occ is the series' first occurrence ("this and following" is then the series). */
const isFirst = (ev, occ) => Date.parse(occ.recurrence_id) <= Date.parse(ev.starts_at);

/**
 * Why what needs the server (this and the following ones) cannot be done
 * now, by the app's connection state, not the browser's alone: 'offline'
 * (the device has no network), 'server' (the server did not answer its
 * last request, or the outbox holds writes it could not send), or null.
 */
function noServer() {
  if (navigator.onLine === false) return 'offline';
  if (!serverReachable() || outbox.stalled()) return 'server';
  return null;
}

/** Calls fn whenever noServer() may have changed; returns what stops it. */
function watchServer(fn) {
  const offReach = onReachable(fn);
  const offOutbox = outbox.onOutbox((ev) => { if (ev.type === 'changed') fn(); });
  window.addEventListener('online', fn);
  window.addEventListener('offline', fn);
  return () => {
    offReach();
    offOutbox();
    window.removeEventListener('online', fn);
    window.removeEventListener('offline', fn);
  };
}

const needsWhy = { offline: 'event.scope.needsConnection', server: 'event.scope.needsServer' };

/** The error a write of one occurrence offline fails with: key says what needs a connection. */
function needsConnection(key) {
  return new ApiError(0, 'network', undefined, { key });
}

/**
 * Runs fn, a write that needs the server; offline, or when the network
 * fails, it fails saying so (key). A server that answers with a failure (a
 * 500, a proxy's 502) fails with its own reason: the device is online.
 */
async function online(key, fn) {
  if (navigator.onLine === false) throw needsConnection(key);
  try {
    return await fn();
  } catch (e) {
    if (e.status === 0) throw needsConnection(key);
    throw e;
  }
}

/**
 * queue(app, op, failText) ([key, params]) puts a write of a whole event into the outbox
 * and waits for its first answer: 'saved', 'waiting' (offline, or the
 * server did not answer: it is sent later), 'conflict' or 'gone' (a
 * notice says so). Resolves to that outcome, or null when the server
 * refused it for good (app.js says why, in the dialog when one is open)
 * or the outbox could not keep it.
 */
async function queue(app, op, failText) {
  const r = await app.write(failText, async () => {
    const { result } = await outbox.enqueue({ ...op, seq: app.seq(), by: app.me?.user.id ?? null });
    return result;
  });
  return r && r.status !== 'refused' ? r : null;
}

/** Deletes a whole event (or series) through the outbox: resolves to the outcome's status, or false. */
async function deleteWhole(app, ev) {
  return (await queue(app, { kind: 'event.delete', method: 'DELETE', path: `/api/calendar/events/${ev.id}`, record: ev.id, base: ev, label: ev.title },
    ['fail.deleteEvent', { title: ev.title }]))?.status ?? false;
}

/**
 * deleteEvent(app, ev, occ) asks what to delete (for a series: this
 * occurrence, this and following, or all) and does it. Resolves to false
 * when nothing was deleted, else to what became of it: 'saved', or
 * 'waiting' (offline: in the outbox), 'conflict' or 'gone' (a notice says so).
 */
export async function deleteEvent(app, ev, occ) {
  const when = occ ? occurrenceLabel(app, occ) : '';
  if (!ev.rrule || !occ?.recurrence_id) {
    if (!await confirmDelete(t('event.deleteTitle', { title: ev.title }), t('event.deleteText'))) return false;
    return deleteWhole(app, ev);
  }
  const title = occ.title || ev.title;
  // Without the server (offline, or it does not answer), this and the
  // following ones cannot be deleted: said before the choice, not after,
  // and followed while the question is open.
  const choice = await ask(t('event.deleteSeriesTitle', { title }), t('event.deleteSeriesText', { when }),
    scopes().filter((s) => !(s === 'following' && isFirst(ev, occ))).map((s) => ({
      value: s, label: t(`event.scope.delete.${s}`), danger: true,
      ...(s === 'following' ? { disabled: () => !!noServer(), why: () => noServer() && t(needsWhy[noServer()]) } : {}),
    })), { watch: watchServer });
  if (!choice) return false;
  if (choice === 'this') {
    return (await queue(app, occurrenceOp(app, ev, occ, { kind: 'event.occurrence.delete', method: 'DELETE', label: title }),
      ['fail.deleteEvent', { title }]))?.status ?? false;
  }
  if (choice === 'following') return run(app, ev, () => change('DELETE', `${occPath(ev, occ)}?following=true`, undefined, ev));
  return deleteWhole(app, ev);
}

/**
 * occurrenceOp(app, ev, occ, op) is op (kind, method, body, label) as a
 * write of the occurrence occ of the series ev, for the outbox: made
 * against the series, naming the occurrence by its recurrence_id, with the
 * family's zone (tz), in which the device lays out its days (pending.js).
 */
function occurrenceOp(app, ev, occ, op) {
  return { ...op, path: occPath(ev, occ), record: ev.id, base: ev, rid: occ.recurrence_id, tz: app.tz };
}

// A delete of the following ones: needs the server.
// A 404 means it is gone already: what the user wanted.
async function run(app, ev, fn) {
  return await app.write(['fail.deleteEvent', { title: ev.title }], () => online('event.needsConnection.delete', async () => {
    try { await fn(); } catch (e) { if (e.status !== 404) throw e; }
    return 'saved';
  })) ?? false;
}

function occurrenceLabel(app, occ) {
  const day = dayLabel(dayOf(occ.starts_at), dateIn(new Date(), app.tz));
  return occ.all_day ? day : `${day} ${fmtTime(new Date(occ.starts_at), app.tz)}`;
}

/**
 * saveFollowing writes an edit of an occurrence of a series and the
 * following ones; diff is what the user changed. Resolves to the answer,
 * or true when there was nothing to write.
 */
function saveFollowing(ev, occ, diff) {
  if (!Object.keys(diff).length) return true;
  return change('POST', `/api/calendar/events/${ev.id}/split`, { recurrence_id: occ.recurrence_id, ...diff }, ev);
}

/**
 * fetchEvent(occ, known) reads the event of occ. When the server cannot be
 * reached (a shop with no signal) or fails (a 500, a proxy's 502/503/504:
 * serverDown), a single event opens from the occurrence listed, which is
 * the whole event; a series from what the ranges read say of it (known(id):
 * its definition, which each listed occurrence carries, and its changed
 * occurrences in those ranges), or, when they say nothing (read before the
 * server said so), not at all: offline it says it needs a connection, else
 * why the server failed.
 */
async function fetchEvent(occ, known) {
  const listed = async (e = null) => {
    if (occ.rrule) {
      const ev = await known(occ.id);
      if (!ev) throw e?.status > 0 ? e : needsConnection('event.needsConnection.open');
      return ev;
    }
    const { recurrence_id: _r, overridden: _o, pending: _p, later: _l, series: _s, ...ev } = occ;
    return ev;
  };
  if (navigator.onLine === false) return listed();
  try {
    return await get(`/api/calendar/events/${occ.id}`);
  } catch (e) {
    if (serverDown(e)) return listed(e);
    throw e;
  }
}

/**
 * openEvent(app, occ | null, {onSaved, date, held, known}) opens the
 * dialog for an occurrence (as listed) or a new event (on date,
 * YYYY-MM-DD, if given). held(id) answers the event as the device holds it
 * while writes to it wait (null: none wait): the dialog opens that, not
 * the server's. known(id) answers (a promise) the event as the ranges the
 * device read show it (null: they do not): a series opens from it offline.
 * unread(day) answers (a promise) whether the device has read no range
 * holding day: an occurrence moved there offline cannot be shown yet,
 * and a notice says so.
 */
export async function openEvent(app, occ, { onSaved = () => {}, date = null, held = () => null, known = async () => null, unread = async () => false } = {}) {
  const tz = app.tz;
  const dlgId = nextId('event');
  let ev = null;
  if (occ) {
    ev = held(occ.id) ?? await app.write(['fail.openEvent'], () => fetchEvent(occ, known));
    if (!ev) return;
  }
  if (ev?.read_only) {
    await ask(ev.title, t('event.readOnly'), [], { cancelLabel: t('common.close') });
    return;
  }
  const series = !!(ev?.rrule && occ?.recurrence_id);
  const cur = ev ? shown(ev, occ) : null;
  let start;
  if (cur) start = new Date(cur.starts_at);
  else if (date) start = zoned(`${date}T09:00`, tz);
  else start = new Date(Math.ceil(Date.now() / 3600e3) * 3600e3);
  const end = cur ? new Date(cur.ends_at) : new Date(start.getTime() + 3600e3);
  const allDay = h('input', { type: 'checkbox', name: 'all_day', checked: !!cur?.all_day });
  // Dates and times in the app's language, not the browser's (fields.js).
  const startIn = localText('datetime', { name: 'start', value: localInput(start, tz) });
  const endIn = localText('datetime', { name: 'end', value: localInput(end, tz) });
  const startDate = localText('date', { name: 'start_date', value: cur?.all_day ? dayOf(cur.starts_at) : dateIn(start, tz) });
  const endDate = localText('date', { name: 'end_date', value: cur?.all_day ? addDays(dayOf(cur.ends_at), -1) : dateIn(start, tz) });
  // The end follows the start (its length kept), and one before the start is said at it.
  const ends = endsFollow([startIn, endIn, 'datetime'], [startDate, endDate, 'date']);
  const timed = h('div.row', localField(t('event.starts'), startIn), localField(t('event.ends'), endIn));
  const dated = h('div.row', localField(t('event.firstDay'), startDate), localField(t('event.lastDay'), endDate));
  const sync = () => {
    timed.hidden = allDay.checked;
    dated.hidden = !allDay.checked;
    startIn.required = endIn.required = !allDay.checked;
    startDate.required = allDay.checked;
    // The fields hidden are not sent, and one half typed must not stop a Save (fields.js).
    startIn.disabled = endIn.disabled = allDay.checked;
    startDate.disabled = endDate.disabled = !allDay.checked;
  };
  allDay.addEventListener('change', () => { ends.clear(); sync(); });
  sync();

  // A child sees the event without changing it (calendar_event.update, .delete).
  const readOnly = !!ev && !app.can('calendar_event.update');
  // "This and following" from the first occurrence is the whole series.
  const editScopes = series && !readOnly ? scopes().filter((s) => !(s === 'following' && isFirst(ev, occ))) : [];
  const scopeHint = h('p.hint', { 'aria-live': 'polite' });
  // Offline, or while the server does not answer, "this and the following
  // ones" is disabled, with the reason under it (it needs the server), so
  // nobody edits for it to fail on Save.
  const scopeWhy = h('small.scope-why', { id: `${dlgId}-why`, hidden: true }, t('event.scope.needsConnection'));
  const scopeField = editScopes.length
    ? h('fieldset.choice.scope', h('legend', t('event.scope.legend')),
      editScopes.map((s) => h('label', h('input', { type: 'radio', name: 'scope', value: s, checked: s === 'this' }), ' ',
        h('span', t(`event.scope.edit.${s}`), s === 'following' ? scopeWhy : null))),
      scopeHint)
    : null;

  const remove = ev && app.can('calendar_event.delete') ? h('button.danger', {
    type: 'button',
    async onclick() {
      const done = await deleteEvent(app, ev, occ);
      if (!done) return;
      dlg.close();
      if (done === 'saved') onSaved(); // what waits is shown by the outbox's answers
    },
  }, t('common.delete')) : null;

  const custom = ev?.rrule && !REPEATS.includes(ev.rrule);
  const rruleSel = h('select', { name: 'rrule' },
    REPEATS.map((v) => h('option', { value: v, selected: (ev?.rrule || '') === v }, repeatLabel(v))),
    custom ? h('option', { value: ev.rrule, selected: true }, describeRule(ev.rrule)) : null); // "Weekly on Mon, Thu", not "Custom"
  const createId = crypto.randomUUID(); // one event, however often Save is pressed
  const dlg = openDialog(t(readOnly ? 'event.details' : ev ? 'event.edit' : 'event.new'), [
    cur?.overridden ? h('p.hint.changed-note', t('event.changedNote')) : null,
    scopeField,
    field(t('event.title'), h('input', { name: 'title', required: true, maxlength: 200, value: cur?.title || '' })),
    h('label.check', allDay, ' ', t('event.allDay')),
    timed, dated,
    field(t('event.repeats'), rruleSel),
    field(t('event.location'), h('input', { name: 'location', maxlength: 500, value: cur?.location || '' })),
    field(t('event.notes'), h('textarea', { name: 'notes', rows: 3, maxlength: 4000 }, cur?.notes || '')),
  ], async (form) => {
    const v = formValues(form);
    // Caught here, at the end's field, not by the server's answer at the top.
    if (!ends.check(v.all_day)) return false;
    const body = bodyOf(v, tz);
    const scope = series ? v.scope || 'all' : 'all';
    if (series && scope === 'following') {
      // This and the following ones: needs the server.
      const diff = changed(before.body, body);
      const saved = await app.write(['fail.saveEvent', { title: body.title }],
        () => online('event.needsConnection.edit', () => saveFollowing(ev, occ, diff)));
      if (saved) onSaved(saved);
      return !!saved;
    }
    let op;
    if (series && scope === 'this') {
      // Only this occurrence: its change waits in the outbox like any other.
      const { rrule: _, ...fields } = changed(before.body, body); // an occurrence has no rule of its own
      if (!Object.keys(fields).length) return true;
      op = occurrenceOp(app, ev, occ, { kind: 'event.occurrence.patch', method: 'PATCH', body: fields });
    } else if (!ev) {
      if (!body.rrule) delete body.rrule;
      op = { kind: 'event.add', method: 'POST', path: '/api/calendar/events', body: { id: createId, ...body }, record: createId, base: null };
    } else {
      // Only what the user changed: a change elsewhere to another field is kept.
      const diff = changed(before.body, body);
      if (series && 'starts_at' in diff) Object.assign(diff, seriesTimes(ev, before.v, v, tz));
      if (!Object.keys(diff).length) return true;
      op = { kind: 'event.patch', method: 'PATCH', path: `/api/calendar/events/${ev.id}`, body: diff, record: ev.id, base: ev };
    }
    const r = await queue(app, { ...op, label: body.title }, [ev ? 'fail.saveEvent' : 'fail.createEvent', { title: body.title }]);
    if (r?.status === 'waiting' && op.kind === 'event.occurrence.patch' && op.body.starts_at) {
      // Moved to a day no range read holds: it cannot show there until online.
      const day = op.body.all_day ? op.body.starts_at.slice(0, 10) : dateIn(new Date(op.body.starts_at), tz);
      if (await unread(day)) app.notice(t('calendar.movedNotKept', { day: fmtDate(day) }));
    }
    // Saved: onSaved. Waiting (offline), a conflict or gone: the calendar
    // shows it from the outbox, and reads again when the server answers.
    if (r?.status === 'saved') onSaved(r.data);
    return !!r;
  }, { extra: remove, className: 'event-dialog', readOnly });

  // What the form said when it opened: an edit sends only what changed.
  const form = dlg.querySelector('form');
  const before = { v: formValues(form) };
  before.body = bodyOf(before.v, tz);
  if (scopeField) {
    // One occurrence has no rule of its own: the rule is the series'.
    // Offline, this and the following ones cannot wait for the server.
    // Chosen before the connection went, it stays chosen (and Save says
    // why it fails): a choice taken away would change what Save does.
    const following = scopeField.querySelector('input[value=following]');
    const onScope = () => {
      const s = formValues(form).scope;
      rruleSel.disabled = s === 'this';
      const why = noServer();
      scopeHint.textContent = t(`event.scope.hint.${s}`) + (s === 'following' && why ? ` ${t(why === 'offline' ? 'event.scope.offline' : 'event.scope.serverDown')}` : '');
      if (!following) return;
      following.disabled = !!why && !following.checked;
      if (why) scopeWhy.textContent = t(needsWhy[why]);
      scopeWhy.hidden = !following.disabled;
      if (following.disabled) following.setAttribute('aria-describedby', scopeWhy.id);
      else following.removeAttribute('aria-describedby');
    };
    for (const r of scopeField.querySelectorAll('input[type=radio]')) r.addEventListener('change', onScope);
    onScope();
    dlg.addEventListener('close', watchServer(onScope));
  }
}
