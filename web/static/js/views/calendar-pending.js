// What the calendar shows of its writes that the server has not answered
// yet (the outbox, outbox.js) or whose answer a read has not brought back
// yet. The server expands recurrences; for a waiting write the device does
// it itself, for the rules the event dialog offers (every day, week, other
// week, month, year): an event added offline shows on every day it falls
// on, tagged "waiting to sync". A rule made elsewhere that the device does
// not expand keeps the occurrences the server listed, with the new title,
// place and notes, unless the write moves it or changes its rule: then the
// server's occurrences stay where they are, each saying it will be updated
// when online (later), as does any series the device cannot lay out as the
// server did (a changed occurrence it never read moved out of a range).
// A waiting change or delete of only one occurrence is the series with that
// occurrence changed (its override) or cancelled; only it is marked.
//
// It also keeps the ranges read (keepRange, keptRange) so the calendar
// opens offline on any week or month read recently, and a series opens
// offline from what a range brought (seriesFrom).
import { apply, isOccurrenceOp } from '../pending.js';
import { addDays, daysFrom, localInput, zoned, zonedISO } from '../time.js';

const RULE = /^FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY)(?:;INTERVAL=(\d+))?$/;
const MAX_STEPS = 1000;

/** Whether the device expands rule itself (no rule: a single event). */
export const expandable = (rule) => !rule || RULE.test(rule);

const pad = (n) => String(n).padStart(2, '0');

export { zonedISO };

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
    if (op.kind === 'event.patch' && PLACING.some((k) => k in (op.body || {}))) s.moves = true;
    s.rec = apply(s.rec, op);
    // Writes of single occurrences mark those occurrences only; a write of
    // the whole event marks all of them.
    if (isOccurrenceOp(op)) (s.only ??= new Set()).add(Date.parse(op.rid));
    else s.whole = true;
    if (s.mark !== 'saving') s.mark = sending(op.id) ? 'saving' : 'waiting';
  }
  if (!state.size) return occurrences;
  const out = occurrences.filter((o) => !state.has(o.id));
  for (const [id, { rec, base, mark, moves, only, whole }] of state) {
    if (!rec || rec.read_only) { if (rec) out.push(...occurrences.filter((o) => o.id === id)); continue; }
    let list;
    let later = false;
    const listed = occurrences.filter((o) => o.id === id);
    const ev = {
      ...rec, starts_at: normal(rec.starts_at, tz), ends_at: normal(rec.ends_at, tz),
      ...(rec.overrides ? { overrides: rec.overrides.map((o) => ({ ...o, starts_at: normal(o.starts_at, tz), ends_at: normal(o.ends_at, tz) })) } : {}),
    };
    // What the device may lay out itself: a write's event as the server
    // listed it (laidOut), or a saved answer unless it was changed from a
    // series read offline (partial: its changed occurrences elsewhere
    // unknown; the range is read again at once).
    const own = mark ? !base || laidOut(base, listed, from, to, tz) : !(rec.partial && listed.length);
    if (expandable(ev.rrule) && own) list = occurrencesOf(ev, from, to, tz);
    else {
      // A rule made elsewhere, or a series the device does not lay out as
      // the server did: where the server put them, with the new texts; a
      // write that moves it or changes its rule says it will be updated.
      later = !!mark && moves;
      list = listed.map((o) => (o.overridden ? o : { ...o, title: ev.title, location: ev.location, notes: ev.notes, version: ev.version }));
      if (only) list = singles(list, ev, only, from, to);
    }
    const marked = (o) => !only || whole || (o.recurrence_id && only.has(Date.parse(o.recurrence_id)));
    out.push(...(mark ? list.map((o) => (marked(o) ? { ...o, pending: mark, ...(later ? { later: true } : {}) } : o)) : list));
  }
  return out;
}

/**
 * singles(list, ev, rids, from, to): the occurrences listed of the series
 * ev (one the device does not lay out itself) with the waiting writes of
 * its occurrences rids (ms) on top: a cancelled one goes, a changed one
 * is where its change puts it, when that is in [from, to).
 */
function singles(list, ev, rids, from, to) {
  const at = (o) => (o.recurrence_id ? Date.parse(o.recurrence_id) : NaN);
  const out = list.filter((o) => !rids.has(at(o)));
  const template = list[0] || ev;
  for (const o of ev.overrides || []) {
    const rid = Date.parse(o.recurrence_id);
    if (!rids.has(rid) || (ev.exdates || []).some((x) => Date.parse(x) === rid)) continue;
    if (!(Date.parse(o.ends_at) > from && Date.parse(o.starts_at) < to)) continue;
    out.push({ ...template, version: ev.version, recurrence_id: o.recurrence_id, title: o.title, notes: o.notes, location: o.location,
      all_day: o.all_day, starts_at: o.starts_at, ends_at: o.ends_at, overridden: true });
  }
  return out;
}

// The fields of an event that decide where its occurrences are.
const PLACING = ['starts_at', 'ends_at', 'all_day', 'rrule', 'exdates'];

/**
 * Whether the device lays out base (the event a write was made against) in
 * [from, to) exactly as the server listed it (listed: its occurrences
 * there). Not when base's rule is one the device does not expand, nor when
 * base lacks what the server knows (a changed occurrence moved out of
 * every range read, so the device never saw it). A listing of another
 * version than base proves nothing: it is taken as laid out.
 */
function laidOut(base, listed, from, to, tz) {
  if (!expandable(base.rrule)) return false;
  if (listed.some((o) => o.version !== base.version)) return true;
  const key = (o) => `${o.recurrence_id ? Date.parse(o.recurrence_id) : '-'} ${Date.parse(o.starts_at)} ${Date.parse(o.ends_at)}`;
  const ev = { ...base, starts_at: normal(base.starts_at, tz), ends_at: normal(base.ends_at, tz) };
  const mine = occurrencesOf(ev, from, to, tz).map(key).sort().join();
  return mine === listed.map(key).sort().join();
}

/**
 * seriesFrom(occurrences, id) is the event id as the occurrences of it a
 * device read show it: the series' definition, its changed occurrences
 * among them (overrides), or null when none names it (a listing from
 * before the server said so). The newest version decides (versions only
 * go up; of one version, the first listed, newest range first): the
 * definition and the version are those of the newest occurrence naming
 * its series, and each changed occurrence is as the newest occurrence of
 * its recurrence_id says, whatever version its range was read at. A range
 * read before a later change of the series still holds its changed
 * occurrences, which the later ranges do not cover; taking only those of
 * the version of the range shown kept the series with the changed
 * occurrences of one range (a change of the whole series then drew the
 * others where the rule has them) and, shown from a range older than
 * another kept, at an older version (the write made against it met a 412
 * and was sent again). One the series skips now is not among them.
 * partial: changed occurrences outside the ranges read are not among them.
 */
export function seriesFrom(occurrences, id, tz = null) {
  const mine = occurrences.map((o, i) => [o, i]).filter(([o]) => o.id === id)
    .sort(([a, i], [b, j]) => (b.version ?? 0) - (a.version ?? 0) || i - j).map(([o]) => o);
  const first = mine.find((o) => o.series);
  if (!first) return null;
  const { recurrence_id: _r, overridden: _o, pending: _p, later: _l, series, ...ev } = first;
  const skipped = new Set((ev.exdates || []).map((x) => Date.parse(x)));
  const seen = new Set();
  const overrides = [];
  for (const o of mine) {
    if (!o.recurrence_id) continue;
    const at = Date.parse(o.recurrence_id);
    if (seen.has(at)) continue;
    seen.add(at);
    if (!o.overridden || skipped.has(at)) continue;
    overrides.push({ recurrence_id: o.recurrence_id, title: o.title, notes: o.notes, location: o.location, all_day: o.all_day, starts_at: o.starts_at, ends_at: o.ends_at });
  }
  const out = { ...ev, ...series, overrides, partial: true };
  return tz ? stillChanged(out, tz) : out;
}

/**
 * stillChanged(ev, tz) is the series ev without the changed occurrences
 * that are no longer occurrences of it, as the server drops them when the
 * whole series changes (its rule or start: docs/api/calendar.md): one kept
 * from a range read before such a change, or carried over from the
 * device's copy into the answer to it (which has no changed occurrences),
 * is not shown until the range is read again. A rule the app does not lay
 * out keeps them all.
 */
export function stillChanged(ev, tz) {
  if (!ev?.overrides?.length || !ev.rrule || !expandable(ev.rrule)) return ev;
  const plain = { ...ev, overrides: [] };
  const overrides = ev.overrides.filter((o) => {
    const at = Date.parse(o.recurrence_id);
    return occurrencesOf(plain, at - 1, at + 1, tz).some((x) => Date.parse(x.recurrence_id) === at);
  });
  return overrides.length === ev.overrides.length ? ev : { ...ev, overrides };
}

// The ranges the calendar read are kept on the device, newest first, so
// that it opens offline on any of them: at most MAX_RANGES, and at most
// MAX_KEPT occurrences in all (the oldest ranges go first; the newest is
// always kept). A range read again, or one inside a newer one, is dropped.
//
// A range read ahead (the neighbours of the range shown, read while the
// device is idle: calendar.js) ranks right behind the range it was read
// for, as if the user had opened it just before that one: so it never
// pushes out that range or one opened after it, it may push out ranges
// opened earlier (and ranges read ahead for them). One that does not fit
// behind the ranges ranked before it is not kept (the others stay); one
// that a range ranked before it already covers adds nothing and is not
// kept either. Each range keeps the time its read began (at, ms), which
// tells the read-ahead whether a neighbour is still fresh (keptFresh), and
// the device's order then (seq, order.js), which ranks it against the other
// ranges and the answers to the device's writes whatever the clock did. A
// read that began before a kept range it overlaps was read (an older
// answer arriving late) ranks behind that range, which it never drops,
// and is not kept at all when that range covers it: an event deleted or
// moved since does not come back.
export const MAX_RANGES = 12;
export const MAX_KEPT = 3000;

/** The ranges kept (the value under 'calendar'), in tz, newest first; an older single range counts as one. */
function rangesOf(kept, tz) {
  if (!kept || kept.tz !== tz) return [];
  if (Array.isArray(kept.ranges)) return kept.ranges;
  return kept.from ? [{ from: kept.from, to: kept.to, occurrences: kept.occurrences || [] }] : [];
}

/**
 * keepRange(kept, tz, range, {after}) is kept with range ({from, to,
 * occurrences, at: when its read began, seq: the device's order then,
 * order.js}) read just now: first (behind the
 * overlapping ranges whose read began later), or, read ahead for the range
 * after ({from, to}), right behind that one.
 */
export function keepRange(kept, tz, range, { after = null } = {}) {
  const all = rangesOf(kept, tz);
  // Read later: by the device's order (seq), else by the clock, a time "in the future" ranking nothing.
  const later = (x) => x.from < range.to && x.to > range.from && (x.seq != null && range.seq != null ? x.seq > range.seq
    : x.at != null && range.at != null && x.at > range.at && x.at <= Date.now());
  if (all.some((x) => later(x) && x.from <= range.from && x.to >= range.to)) return kept;
  let at = all.findLastIndex(later) + 1;
  if (after) {
    const i = all.findIndex((x) => x.from === after.from && x.to === after.to);
    at = Math.max(at, i < 0 ? all.length : i + 1);
    if (all.slice(0, at).some((x) => x.from <= range.from && x.to >= range.to)) return kept;
  }
  const inside = (x) => x.from >= range.from && x.to <= range.to;
  const order = [...all.slice(0, at), range, ...all.slice(at).filter((x) => !inside(x))];
  const ranges = [];
  let n = 0;
  for (const x of order) {
    const fits = ranges.length < MAX_RANGES && n + x.occurrences.length <= MAX_KEPT;
    if (!fits && x === range && after) continue; // read ahead: only in the room left
    if (!fits && ranges.length) break;
    ranges.push(x);
    n += x.occurrences.length;
  }
  return { tz, ranges };
}

/**
 * keptFresh(kept, tz, r, since) answers whether the ranges kept that were
 * read at since (ms) or later cover r ({from, to}, days): the read-ahead
 * then has nothing to read.
 */
export function keptFresh(kept, tz, r, since) {
  const ms = (day) => zoned(`${day}T00:00`, tz).getTime();
  const spans = rangesOf(kept, tz).filter((x) => (x.at ?? 0) >= since).map((x) => [ms(x.from), ms(x.to)]);
  return covers(spans, ms(r.from), ms(r.to));
}

/** All the occurrences kept, newest range first (seriesFrom reads them). */
export const keptOccurrences = (kept, tz) => rangesOf(kept, tz).flatMap((x) => x.occurrences);

/** Whether the intervals [a, b) of list cover [from, to) (a point when from === to). */
function covers(list, from, to) {
  if (from === to) return list.some(([a, b]) => a <= from && from < b);
  let at = from;
  for (const [a, b] of [...list].sort((x, y) => x[0] - y[0])) {
    if (a > at) break;
    if (b > at) at = b;
    if (at >= to) return true;
  }
  return at >= to;
}

/**
 * keptRange(kept, tz, r, lay) answers the occurrences of r ({from, to}, days)
 * from the ranges kept, or null when they do not cover it all. Where
 * ranges overlap, the newer one's say goes: an occurrence an older range
 * has but a newer one covering its time does not was deleted or moved.
 * lay(range, from, to) gives a kept range's occurrences as the page shows
 * them (its span in ms): with the answers to the device's writes that came
 * after it was read (calendar.js), range by range, so that an event moved
 * from an older range into a newer one is not in both.
 */
export function keptRange(kept, tz, r, lay = (x) => x.occurrences) {
  const ms = (day) => zoned(`${day}T00:00`, tz).getTime();
  const from = ms(r.from);
  const to = ms(r.to);
  const ranges = rangesOf(kept, tz).map((x) => ({ ...x, span: [ms(x.from), ms(x.to)] }));
  if (!covers(ranges.map((x) => x.span), from, to)) return null;
  const seen = new Set();
  const newer = [];
  const out = [];
  for (const x of ranges) {
    if (x.span[1] <= from || x.span[0] >= to) continue;
    for (const o of lay(x, ...x.span)) {
      const s = Date.parse(o.starts_at);
      const e = Date.parse(o.ends_at);
      if (!(e > from && s < to) && !(s === e && s >= from && s < to)) continue;
      const key = `${o.id} ${o.recurrence_id || ''}`;
      if (seen.has(key) || covers(newer, Math.max(s, from), Math.min(Math.max(e, s), to))) continue;
      seen.add(key);
      out.push(o);
    }
    newer.push(x.span);
  }
  return out.sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
}
