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

/** "Mon 24 Nov" for a YYYY-MM-DD date. */
export function dayLabel(date, today) {
  if (date === today) return 'Today';
  if (date === addDays(today, 1)) return 'Tomorrow';
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString(undefined, { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' });
}
