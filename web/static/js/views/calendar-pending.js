// What the calendar shows of its writes that the server has not answered
// yet (the outbox, outbox.js) or whose answer a read has not brought back
// yet. The server expands recurrences; for a waiting write the device does
// it itself, for the rules the event dialog offers (every day, week, other
// week, month, year): an event added offline shows on every day it falls
// on, tagged "waiting to sync". A rule made elsewhere that the device does
// not expand keeps the occurrences the server listed, with the new title,
// place and notes.
import { apply } from '../pending.js';
import { addDays, daysFrom, localInput, wall, zoned } from '../time.js';

const RULE = /^FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY)(?:;INTERVAL=(\d+))?$/;
const MAX_STEPS = 1000;

/** Whether the device expands rule itself (no rule: a single event). */
export const expandable = (rule) => !rule || RULE.test(rule);

const pad = (n) => String(n).padStart(2, '0');

/** Instant d as the server writes times: the wall clock in tz with its offset ("2026-05-01T10:00:00+02:00"). */
export function zonedISO(d, tz) {
  const w = wall(d, tz);
  const secs = Math.floor(d.getTime() / 1000) * 1000;
  const off = Math.round((Date.UTC(w.y, w.m - 1, w.d, w.hh, w.mm, w.ss) - secs) / 60000);
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `${w.y}-${pad(w.m)}-${pad(w.d)}T${pad(w.hh)}:${pad(w.mm)}:${pad(w.ss)}${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** A time as written by the dialog (an instant, or a day for all-day events) as the server writes it. */
function normal(s, tz) {
  if (!s) return s;
  return s.length === 10 ? zonedISO(zoned(`${s}T00:00`, tz), tz) : zonedISO(new Date(s), tz);
}

/** The day n steps of freq from date (YYYY-MM-DD), or null when that month has no such day (31 April). */
function step(date, freq, n) {
  if (freq === 'DAILY') return addDays(date, n);
  if (freq === 'WEEKLY') return addDays(date, 7 * n);
  const [y, m, d] = date.split('-').map(Number);
  const months = freq === 'MONTHLY' ? n : 12 * n;
  const t = new Date(Date.UTC(y, m - 1 + months, d));
  if (t.getUTCDate() !== d) return null;
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** Steps of freq that fit between two days (at least). */
function stepsBetween(a, b, freq) {
  const days = daysFrom(a, b);
  if (freq === 'DAILY') return days;
  if (freq === 'WEEKLY') return Math.floor(days / 7);
  return Math.floor(days / (freq === 'MONTHLY' ? 31 : 366));
}

/**
 * occurrencesOf(ev, from, to, tz) expands ev (times as the server writes
 * them, rule expandable) into its occurrences overlapping [from, to)
 * (milliseconds), as the range listing has them: recurrence_id, and a
 * changed occurrence (ev.overrides, from GET /api/calendar/events/{id})
 * where it is now, overridden.
 */
export function occurrencesOf(ev, from, to, tz) {
  const m = RULE.exec(ev.rrule || '');
  const start = new Date(ev.starts_at);
  const length = Date.parse(ev.ends_at) - start.getTime();
  const [day0, time] = (ev.all_day ? `${ev.starts_at.slice(0, 10)}T00:00` : localInput(start, tz)).split('T');
  const days = ev.all_day ? Math.max(1, daysFrom(ev.starts_at.slice(0, 10), ev.ends_at.slice(0, 10))) : 0;
  const skipped = new Set((ev.exdates || []).map((x) => Date.parse(x)));
  const changed = new Map((ev.overrides || []).map((o) => [Date.parse(o.recurrence_id), o]));
  const overlaps = (o) => Date.parse(o.ends_at) > from && Date.parse(o.starts_at) < to;
  const out = [];
  if (!m) {
    const one = { ...ev, recurrence_id: null, overridden: false };
    return overlaps(one) || (length === 0 && Date.parse(one.starts_at) >= from && Date.parse(one.starts_at) < to) ? [one] : [];
  }
  const interval = Number(m[2]) || 1;
  const first = Math.max(0, Math.floor(stepsBetween(day0, new Date(from).toISOString().slice(0, 10), m[1]) / interval) - 2);
  for (let k = first; k < first + MAX_STEPS; k++) {
    const day = step(day0, m[1], k * interval);
    if (!day) continue;
    const s = zoned(`${day}T${time}`, tz);
    if (s.getTime() >= to) break;
    if (skipped.has(s.getTime())) continue;
    const e = ev.all_day ? zoned(`${addDays(day, days)}T00:00`, tz) : new Date(s.getTime() + length);
    let occ = { ...ev, starts_at: zonedISO(s, tz), ends_at: zonedISO(e, tz), recurrence_id: zonedISO(s, tz), overridden: false };
    const o = changed.get(s.getTime());
    if (o) occ = { ...occ, title: o.title, notes: o.notes, location: o.location, all_day: o.all_day, starts_at: o.starts_at, ends_at: o.ends_at, overridden: true };
    if (overlaps(occ)) out.push(occ);
  }
  return out;
}

/**
 * withPending(occurrences, ops, {from, to, tz, saved, sending}) returns
 * the occurrences as they will be once the waiting event writes (ops, in
 * order) are saved. saved holds the records whose answers this device
 * has but the listing may predate (id → record, null: deleted). Every
 * occurrence of an event with writes waiting carries pending: 'saving'
 * (one is on its way) or 'waiting'.
 */
export function withPending(occurrences, ops, { from, to, tz, saved = new Map(), sending = () => false }) {
  const state = new Map(); // id → {rec, base, mark}
  for (const [id, rec] of saved) state.set(id, { rec, base: rec, mark: null });
  for (const op of ops) {
    if (!op.kind.startsWith('event.')) continue;
    let s = state.get(op.record);
    if (!s) {
      if (op.kind !== 'event.add' && !op.base) continue;
      s = { rec: op.base || null, base: op.base || null, mark: null };
      state.set(op.record, s);
    }
    s.rec = apply(s.rec, op);
    if (s.mark !== 'saving') s.mark = sending(op.id) ? 'saving' : 'waiting';
  }
  if (!state.size) return occurrences;
  const out = occurrences.filter((o) => !state.has(o.id));
  for (const [id, { rec, mark }] of state) {
    if (!rec || rec.read_only) { if (rec) out.push(...occurrences.filter((o) => o.id === id)); continue; }
    let list;
    const ev = { ...rec, starts_at: normal(rec.starts_at, tz), ends_at: normal(rec.ends_at, tz) };
    if (expandable(ev.rrule)) list = occurrencesOf(ev, from, to, tz);
    else {
      // A rule made elsewhere: where the server put them, with the new texts.
      list = occurrences.filter((o) => o.id === id)
        .map((o) => (o.overridden ? o : { ...o, title: ev.title, location: ev.location, notes: ev.notes, version: ev.version }));
    }
    out.push(...(mark ? list.map((o) => ({ ...o, pending: mark })) : list));
  }
  return out;
}
