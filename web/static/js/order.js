// The device's own order of what happens on it: a counter that only grows,
// whatever the device's clock does, shared by its tabs (IndexedDB, data
// store, key 'order'). The calendar numbers each range it reads (when the
// read begins) and the outbox each answer to the device's writes (when it
// comes), and an answer is laid over a kept range only when it came after
// that range's read began (views/calendar-answers.js). By the clock, a
// clock set back between the two said the opposite: the answer was taken
// for older than the range, and offline the range showed the event as it
// was before the device's own change.
import * as idb from './idb.js';

const KEY = 'order';
let last = 0; // the highest number this tab had: storage failing, or emptied by a sign-out, never takes it back

/**
 * next() resolves to the device's next number (from 1): above every
 * number any of its tabs had since its data was last dropped, counted in
 * one IndexedDB transaction. Never rejects. Storage refusing the count (a
 * phone whose storage is full) still lets it be read: the number goes on
 * from the one stored, not from this tab's own count (a tab opened since
 * counted from 0, and the answers it heard were taken for older than every
 * range kept before: offline they were not shown over them).
 */
export async function next() {
  let n;
  try { n = await idb.bump('data', KEY, (v) => Math.max(Number(v) || 0, last) + 1); } catch {
    let stored = 0;
    try { stored = Number(await idb.get('data', KEY)) || 0; } catch { /* this tab's own count */ }
    n = Math.max(stored, last) + 1;
  }
  last = Math.max(last, n);
  return n;
}

/**
 * after(a, b): whether a came after b by the device's order (their seq),
 * each a kept range or an answer; by their times (at, ms) only when
 * neither has a number (kept by an older version of the app), and one
 * that has one is the later.
 */
export function after(a, b) {
  if (a.seq != null && b.seq != null) return a.seq > b.seq;
  if (a.seq != null || b.seq != null) return a.seq != null;
  return (a.at ?? 0) > (b.at ?? 0);
}
