// The event dialog's form (event-dialog.js), without the DOM: what the
// dialog shows of an event or an occurrence, the request fields a form
// says, what an edit changed, and how a moved occurrence moves its series.
import { addDays, localInput, zoned } from '../time.js';

/** The day of a returned timestamp: the server writes them in the family's zone. */
export const dayOf = (s) => s.slice(0, 10);

/**
 * shown(ev, occ) is what the dialog shows: the event, or for an occurrence
 * of a series that occurrence as it is now (its change, if it has one, as
 * the series answers it; else the series' texts at the occurrence's times).
 */
export function shown(ev, occ) {
  if (!occ?.recurrence_id || !ev.rrule) return ev;
  const at = Date.parse(occ.recurrence_id);
  const o = (ev.overrides || []).find((x) => Date.parse(x.recurrence_id) === at);
  if (o) return { ...ev, title: o.title, notes: o.notes, location: o.location, all_day: o.all_day, starts_at: o.starts_at, ends_at: o.ends_at, overridden: true };
  return { ...ev, starts_at: occ.starts_at, ends_at: occ.ends_at, overridden: false };
}

/** The request fields the form says (times as the server takes them). */
export function bodyOf(v, tz) {
  const body = { title: v.title.trim(), all_day: v.all_day, location: v.location, notes: v.notes, rrule: v.rrule || null };
  if (v.all_day) {
    body.starts_at = v.start_date;
    body.ends_at = addDays(v.end_date && v.end_date >= v.start_date ? v.end_date : v.start_date, 1);
  } else {
    body.starts_at = zoned(v.start, tz).toISOString();
    body.ends_at = zoned(v.end, tz).toISOString();
  }
  return body;
}

const TIMES = ['starts_at', 'ends_at', 'all_day'];

/** The fields of body that differ from before; the times go together (all_day changes how they read). */
export function changed(before, body) {
  const out = {};
  for (const k of Object.keys(body)) if (JSON.stringify(before[k]) !== JSON.stringify(body[k])) out[k] = body[k];
  if (TIMES.some((k) => k in out)) for (const k of TIMES) out[k] = body[k];
  return out;
}

/** A form's start and end as wall-clock milliseconds (the wall clock read as UTC). */
function wallOf(v) {
  if (v.all_day) {
    const end = v.end_date && v.end_date >= v.start_date ? v.end_date : v.start_date;
    return { start: Date.parse(`${v.start_date}T00:00Z`), end: Date.parse(`${addDays(end, 1)}T00:00Z`) };
  }
  return { start: Date.parse(`${v.start}Z`), end: Date.parse(`${v.end}Z`) };
}

/**
 * seriesTimes moves the whole series as the user moved the occurrence
 * shown: by the same wall-clock distance (so 10:00 → 11:00 on one Sunday
 * is 10:00 → 11:00 on every one, across daylight-saving changes), with the
 * new length.
 */
export function seriesTimes(ev, before, now, tz) {
  const from = wallOf(before);
  const to = wallOf(now);
  const base = ev.all_day ? Date.parse(`${dayOf(ev.starts_at)}T00:00Z`) : Date.parse(`${localInput(new Date(ev.starts_at), tz)}Z`);
  const start = base + (to.start - from.start);
  const end = start + (to.end - to.start);
  const iso = (ms) => new Date(ms).toISOString();
  if (now.all_day) return { all_day: true, starts_at: iso(start).slice(0, 10), ends_at: iso(end).slice(0, 10) };
  return { all_day: false, starts_at: zoned(iso(start).slice(0, 16), tz).toISOString(), ends_at: zoned(iso(end).slice(0, 16), tz).toISOString() };
}
