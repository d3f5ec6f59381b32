// What waiting writes mean for what the device shows, and when a change
// made elsewhere clashes with one. Plain functions over records and the
// outbox's ops (outbox.js); no DOM, no storage.
import { addDays, dateIn, daysFrom, localInput, zoned, zonedISO } from './time.js';

const blank = (v) => (v === '' || v === undefined ? null : v);
const TIMES = new Set(['starts_at', 'ends_at']);
const dateOnly = (v) => typeof v === 'string' && v.length === 10;
/**
 * Whether field k holds the same value in a and b. An event's times are
 * compared as instants, or as days when one side is a day (an all-day
 * event's "2026-05-01" against the server's "2026-05-01T00:00:00+02:00");
 * arrays (exdates) by their content.
 */
function same(a, b, k) {
  if (TIMES.has(k) && a && b) {
    if (dateOnly(a) || dateOnly(b)) return String(a).slice(0, 10) === String(b).slice(0, 10);
    return Date.parse(a) === Date.parse(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) return JSON.stringify((a || []).map(String)) === JSON.stringify((b || []).map(String));
  return blank(a) === blank(b);
}
// What makes an event that event to a person: changed elsewhere, an edit
// or a delete of it is a conflict (a new place or note is merged).
const EVENT_CORE = ['title', 'starts_at', 'ends_at', 'all_day'];

// A write of one occurrence of a series (event.occurrence.patch, .delete:
// an override, or the occurrence cancelled) is a write to the series
// (op.record), made against the series as the device held it (op.base);
// op.rid names the occurrence, op.occurrence is it as it was shown.
export const isOccurrenceOp = (op) => op.kind.startsWith('event.occurrence.');
const sameAt = (rid) => (x) => Date.parse(x.recurrence_id ?? x) === Date.parse(rid);

/**
 * occurrenceOf(series, op) is the occurrence op changes as series has it:
 * its change (overrides), else the series' texts at the time it was shown,
 * moved as far as the series moved since op was made (timesOf).
 */
export function occurrenceOf(series, op) {
  if (!series) return null;
  const o = (series.overrides || []).find(sameAt(op.rid));
  if (o) return { recurrence_id: op.rid, title: o.title, notes: o.notes, location: o.location, all_day: o.all_day, starts_at: o.starts_at, ends_at: o.ends_at };
  return {
    recurrence_id: op.rid, title: series.title, notes: series.notes, location: series.location, all_day: series.all_day,
    ...timesOf(series, op.base || series, op),
  };
}

/**
 * timesOf(series, base, op) is the start and end of the occurrence op.rid
 * of series, which was base when op was made, as the server lays it out.
 * All-day: counted in calendar days in the family's zone (op.tz): as many
 * days as the series lasts, from the occurrence's day moved by as many
 * days as the series moved, each from midnight there. A day across a
 * daylight-saving change lasts 23 or 25 hours, so adding 24 hours would
 * end it an hour into the next day, or an hour before its end. Timed: moved
 * by the series' move in wall-clock time (10:00 stays 10:00 across the
 * change), its length in hours. A write queued without op.tz (an older app)
 * gets an all-day occurrence's days as dates (YYYY-MM-DD, which the
 * calendar reads in the family's zone) and a timed one moved in hours.
 */
function timesOf(series, base, op) {
  const tz = op.tz;
  if (series.all_day) {
    const day = (s) => (s.length === 10 || !tz ? s.slice(0, 10) : dateIn(new Date(s), tz));
    const first = addDays(day(op.rid), daysFrom(day(base.starts_at), day(series.starts_at)));
    const end = addDays(first, Math.max(1, daysFrom(day(series.starts_at), day(series.ends_at))));
    const at = (d) => (tz ? zonedISO(zoned(`${d}T00:00`, tz), tz) : d);
    return { starts_at: first === day(op.rid) ? op.rid : at(first), ends_at: at(end) };
  }
  const length = Date.parse(series.ends_at) - Date.parse(series.starts_at);
  // The wall clock in tz, read as if it were UTC (ms).
  const wallMs = (s) => (tz ? Date.parse(`${localInput(new Date(s), tz)}Z`) : Date.parse(s));
  const shift = wallMs(series.starts_at) - wallMs(base.starts_at) || 0;
  if (!shift) return { starts_at: op.rid, ends_at: new Date(Date.parse(op.rid) + length).toISOString() };
  const start = tz ? zoned(new Date(wallMs(op.rid) + shift).toISOString().slice(0, 16), tz).getTime() : Date.parse(op.rid) + shift;
  return { starts_at: new Date(start).toISOString(), ends_at: new Date(start + length).toISOString() };
}

/** The fields a write depends on: changed elsewhere, they make it a conflict. */
function watched(op) {
  switch (op.kind) {
    case 'item.patch': return [...new Set(['name', 'quantity', 'note', ...Object.keys(op.body || {})])];
    case 'item.delete': return ['name', 'quantity', 'note'];
    case 'task.complete':
    case 'task.uncomplete': return ['title', 'due_at', 'completed_at'];
    case 'event.patch': return [...new Set([...EVENT_CORE, ...Object.keys(op.body || {})])];
    case 'event.delete': return [...EVENT_CORE, 'rrule'];
    // Of the occurrence (occurrenceOf), and of the series its rule.
    case 'event.occurrence.patch': return [...new Set([...EVENT_CORE, ...Object.keys(op.body || {})])];
    case 'event.occurrence.delete': return EVENT_CORE;
    default: return [];
  }
}

/** Whether the record already is as op wants it. */
function satisfied(op, cur) {
  switch (op.kind) {
    case 'item.patch':
    case 'event.patch': return Object.entries(op.body || {}).every(([k, v]) => same(cur[k], v, k));
    case 'task.complete': return !!cur.completed_at;
    case 'task.uncomplete': return !cur.completed_at;
    case 'event.occurrence.patch': {
      const o = (cur.overrides || []).find(sameAt(op.rid));
      return !!o && Object.entries(op.body || {}).every(([k, v]) => same(o[k], v, k));
    }
    case 'event.occurrence.delete': return (cur.exdates || []).some(sameAt(op.rid));
    default: return false;
  }
}

/**
 * judge(op, current) decides a 412: {is: 'done'} (the record already is as
 * op wants), {is: 'rebase'} (what changed elsewhere does not touch op:
 * send it again against current's version) or {is: 'conflict', fields}
 * (the fields someone else changed that op depends on).
 */
export function judge(op, current) {
  if (satisfied(op, current)) return { is: 'done' };
  if (isOccurrenceOp(op)) {
    const was = occurrenceOf(op.base, op) || {}; // none: a later write of a keep mine, made against the first
    const now = occurrenceOf(current, op);
    const fields = watched(op).filter((k) => !same(was[k], now[k], k));
    if (!same(op.base?.rrule, current.rrule, 'rrule')) fields.push('rrule');
    return fields.length ? { is: 'conflict', fields } : { is: 'rebase' };
  }
  const base = op.base || {};
  const fields = watched(op).filter((k) => k in current && !same(base[k], current[k], k));
  return fields.length ? { is: 'conflict', fields } : { is: 'rebase' };
}

/** The state a write leaves a record in (null: deleted). */
export function apply(rec, op) {
  switch (op.kind) {
    // A category sent with an add or a change is a person's choice (the
    // server files it as category_source 'user').
    // So is "no category" sent as category_source 'user' (Undo of an item a
    // person had cleared).
    case 'item.add': return rec || { list_id: op.list, ...op.body, category_source: op.body?.category ? 'user' : op.body?.category_source ?? null, checked: false, position: 1e9 };
    case 'item.patch': return rec && { ...rec, ...op.body, ...(op.body && 'category' in op.body ? { category_source: 'user' } : {}) };
    case 'item.delete': return null;
    case 'task.complete': return rec && { ...rec, completed_at: rec.completed_at || op.at };
    case 'task.uncomplete': return rec && { ...rec, completed_at: null };
    // A new event is made by the person on this device (created_by: op.by).
    case 'event.add': return rec || { id: op.record, rrule: null, exdates: [], created_by: op.by ?? null, ...op.body };
    case 'event.patch': return rec && { ...rec, ...op.body };
    case 'event.delete': return null;
    // One occurrence: the series with it changed (its override) or cancelled.
    case 'event.occurrence.patch': return rec && {
      ...rec, overrides: [...(rec.overrides || []).filter((o) => !sameAt(op.rid)(o)), { ...occurrenceOf(rec, op), ...op.body, recurrence_id: op.rid }],
    };
    case 'event.occurrence.delete': return rec && {
      ...rec, exdates: [...(rec.exdates || []), op.rid], overrides: (rec.overrides || []).filter((o) => !sameAt(op.rid)(o)),
    };
    default: return rec;
  }
}

/**
 * seriesAfter(op, answer) is the series as a saved write op of one of its
 * occurrences leaves it: the answer is the occurrence (a change) or
 * nothing (a delete, answered 204 without a version). The write made
 * version op.ifMatch + 1: the server moves a series' version up by exactly
 * one for each write of one occurrence, a delete of a changed one included
 * (http TestCalendarOccurrenceWriteVersion); null, unknown, when it was
 * sent unconditionally. An answer of a later version
 * is a replay's: the write was saved before, its answer lost, and others
 * changed the series since (the server answers a replay with the series'
 * version now, http/calendar_occurrences.go). Their changes are not in
 * what the device holds, so it keeps that as version op.ifMatch + 1: a
 * later write to the series is then refused (412) and judged against what
 * changed since, rather than sent against a version whose changes the
 * device never saw and overwriting them unseen.
 */
export function seriesAfter(op, answer) {
  const rec = apply(op.base, op);
  if (!rec) return undefined;
  const made = op.ifMatch != null ? op.ifMatch + 1 : null;
  if (answer?.recurrence_id && (made == null || answer.version === made)) {
    const { title, notes, location, all_day: allDay, starts_at: startsAt, ends_at: endsAt, version } = answer;
    const overrides = (rec.overrides || []).map((o) => (Date.parse(o.recurrence_id) === Date.parse(op.rid)
      ? { recurrence_id: answer.recurrence_id, title, notes, location, all_day: allDay, starts_at: startsAt, ends_at: endsAt } : o));
    return { ...rec, overrides, version };
  }
  return { ...rec, version: made };
}

/**
 * overlay(records, ops, {belongs, sending}) returns records as they will
 * be once the waiting writes are saved: each op applied in order, in
 * place, new records (creates that belong here) at the end. A record with
 * writes waiting carries pending: 'saving' (one is on its way) or 'waiting'.
 */
export function overlay(records, ops, { belongs = () => true, sending = () => false } = {}) {
  const byId = new Map(records.map((r) => [r.id, r]));
  const order = records.map((r) => r.id);
  const marks = new Map();
  for (const op of ops) {
    const had = byId.has(op.record);
    if (!had && !(op.kind.endsWith('.add') && belongs(op))) continue;
    const next = apply(byId.get(op.record) ?? null, op);
    if (!had) order.push(op.record);
    byId.set(op.record, next);
    if (marks.get(op.record) !== 'saving') marks.set(op.record, sending(op.id) ? 'saving' : 'waiting');
  }
  const out = [];
  for (const id of order) {
    const r = byId.get(id);
    if (r) out.push(marks.has(id) ? { ...r, pending: marks.get(id) } : r);
  }
  return out;
}
