// Dates in the family's time zone (the server expands recurrences and
// "today" there), without a library: Intl gives each instant's wall clock.

/** The wall clock of instant d in zone tz: {y, m, d, hh, mm}. */
export function wall(d, tz) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(d);
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return { y: +p.year, m: +p.month, d: +p.day, hh: +p.hour % 24, mm: +p.minute, ss: +p.second };
}

const pad = (n) => String(n).padStart(2, '0');

/** YYYY-MM-DD of instant d in tz. */
export function dateIn(d, tz) {
  const w = wall(d, tz);
  return `${w.y}-${pad(w.m)}-${pad(w.d)}`;
}

/** HH:MM of instant d in tz. */
export function timeIn(d, tz) {
  const w = wall(d, tz);
  return `${pad(w.hh)}:${pad(w.mm)}`;
}

/** The value for <input type=datetime-local> showing instant d in tz. */
export function localInput(d, tz) {
  return `${dateIn(d, tz)}T${timeIn(d, tz)}`;
}

/**
 * Instant d as the server writes times: the wall clock in tz with its offset ("2026-05-01T10:00:00+02:00"),
 * "Z" for a zero offset as Go's RFC 3339 writes it (UTC, London in winter): an occurrence the device lays
 * out itself keeps the recurrence id the server's listing gives it, string for string (a chip's key and
 * data-rid do not change when the listing replaces the device's layout).
 */
export function zonedISO(d, tz) {
  const w = wall(d, tz);
  const secs = Math.floor(d.getTime() / 1000) * 1000;
  const off = Math.round((Date.UTC(w.y, w.m - 1, w.d, w.hh, w.mm, w.ss) - secs) / 60000);
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  const zone = off === 0 ? 'Z' : `${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
  return `${w.y}-${pad(w.m)}-${pad(w.d)}T${pad(w.hh)}:${pad(w.mm)}:${pad(w.ss)}${zone}`;
}

/** The instant (a Date) when the wall clock in tz shows "YYYY-MM-DDTHH:MM". */
export function zoned(local, tz) {
  const [date, time = '00:00'] = local.split('T');
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  const guess = Date.UTC(y, m - 1, d, hh, mm);
  let t = guess;
  for (let i = 0; i < 2; i++) {
    const w = wall(new Date(t), tz);
    const shown = Date.UTC(w.y, w.m - 1, w.d, w.hh, w.mm);
    t += guess - shown;
  }
  return new Date(t);
}

/** Adds n days to a YYYY-MM-DD date. */
export function addDays(date, n) {
  const [y, m, d] = date.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** Day of the week of a YYYY-MM-DD date: 1 = Monday ... 7 = Sunday (ISO). */
export function isoWeekday(date) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay() || 7;
}

/** Days from date a to date b (YYYY-MM-DD). */
export function daysFrom(a, b) {
  const [y1, m1, d1] = a.split('-').map(Number);
  const [y2, m2, d2] = b.split('-').map(Number);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / 864e5);
}
