// Reading ahead on the calendar (calendar.js): once range r is drawn from
// the server and the device is idle, the week or month after it and the one
// before (in r's mode; not the agenda, which always starts today) are read
// into the kept ranges, one at a time, so they open offline. Not offline,
// not when the connection saves data, not while the page reads a range (the
// user's read goes first), not when the kept ranges have the neighbour read
// since the last change the page heard of and less than AHEAD_FRESH_MS ago.
// A neighbour ranks behind r in the kept ranges (keepRange): it never pushes
// out a range opened after r. A failure says nothing, neither on the page
// nor in the header (a background read: api.js): the user did not ask for
// it, and what they see is fine. When trying again may help it is, after a
// pause (AHEAD_RETRY_MS), at the next idle moment, for the neighbours not
// read yet.
import { get } from '../api.js';
import * as cache from '../cache.js';
import * as order from '../order.js';
import { addDays } from '../time.js';
import { keepRange, keptFresh } from './calendar-pending.js';

// A neighbour read ahead this long ago (and since the last change the
// calendar heard of) is not read again.
const AHEAD_FRESH_MS = 10 * 60 * 1000;
// A read-ahead that failed in a way trying again may help (no network, a
// 5xx, a proxy's 502/504, 429) is tried again after these pauses, each time
// at the next idle moment: twice, then not until the range is drawn again.
const AHEAD_RETRY_MS = [5000, 30000];

/** The first day of the month n months from date's (YYYY-MM-DD). */
export function monthShift(date, n) {
  const [y, m] = date.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return d.toISOString().slice(0, 10);
}

/**
 * readingAhead(page): the calendar's read-ahead. page: {tz, rangeAt(mode,
 * day), listPath(r), whyNot(r) (why not to read now: 'left', 'offline',
 * 'reading'…, null: read), changedAt() (ms: the last change the page heard
 * of)}. Answers {whenIdle(r), clear(), did}: did is what the last read-ahead
 * did, for the console and the browser tests ({from, mode, tries, skipped:
 * why it did not read (null: it did), next, previous: 'read', 'fresh' (kept,
 * not read again) or 'failed'}).
 */
export function readingAhead({ tz, rangeAt, listPath, whyNot, changedAt }) {
  let ahead = null; // the read-ahead waiting: {timer} for its pause, {idle} for the device to be idle
  let did = null;

  function clear() {
    if (ahead == null) return;
    if (ahead.timer != null) clearTimeout(ahead.timer);
    else if (window.cancelIdleCallback) cancelIdleCallback(ahead.idle);
    else clearTimeout(ahead.idle);
    ahead = null;
  }

  // tries: how many read-aheads for r failed so far (then after a pause).
  function whenIdle(r, tries = 0) {
    if (r.mode === 'agenda') return;
    clear();
    const run = async () => {
      ahead = null;
      const retry = await readAhead(r, tries + 1);
      // Not when the page moved on meanwhile (its own read-ahead waits).
      if (retry && tries < AHEAD_RETRY_MS.length && ahead == null && !whyNot(r)) whenIdle(r, tries + 1);
    };
    const idle = () => {
      ahead = { idle: window.requestIdleCallback ? requestIdleCallback(run, { timeout: 3000 }) : setTimeout(run, 1000) };
    };
    if (tries === 0) idle();
    else ahead = { timer: setTimeout(idle, AHEAD_RETRY_MS[tries - 1]) };
  }

  // Reads r's neighbours ahead (the try-th time); answers whether one
  // failed in a way trying again may help.
  async function readAhead(r, tryNo) {
    const now = { from: r.from, mode: r.mode, tries: tryNo, skipped: null };
    did = now;
    const at = r.mode === 'month' ? `${r.month}-01` : r.from;
    let retry = false;
    for (const [n, side] of [[1, 'next'], [-1, 'previous']]) {
      const next = rangeAt(r.mode, r.mode === 'month' ? monthShift(at, n) : addDays(at, 7 * n));
      if ((now.skipped = whyNot(r))) return false;
      const since = Math.max(changedAt(), Date.now() - AHEAD_FRESH_MS);
      if (keptFresh(await cache.kept('calendar'), tz, next, since)) { now[side] = 'fresh'; continue; }
      if ((now.skipped = whyNot(r))) return false;
      const began = Date.now();
      const seq = order.next();
      let got;
      try {
        got = await get(listPath(next), { background: true });
      } catch (e) {
        now[side] = 'failed';
        retry ||= !!e.retryable;
        continue;
      }
      const counted = await seq;
      await cache.update('calendar', (kept) => keepRange(kept, tz, { from: next.from, to: next.to, at: began, seq: counted, occurrences: got }, { after: r }));
      now[side] = 'read';
    }
    return retry;
  }

  return { whenIdle, clear, get did() { return did; } };
}
