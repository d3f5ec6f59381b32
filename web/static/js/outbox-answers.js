// The outbox's saved answers (outbox.js): the device's own answers from
// the server, record id → {record (the server's state after this device's
// last write to it), at}. Kept in IndexedDB (data store, ANSWERS), so that
// after a reload a write made from a copy older than the device's own
// write is still made against the version that write left, not met by a
// 412 for a change the device made itself.
import * as idb from './idb.js';

const ANSWERS = 'outbox:answers';
const MAX_ANSWERS = 200;
const known = new Map();

/** Reads the saved answers from IndexedDB (at start, and when another tab changed them). */
export async function readAnswers() {
  try {
    const kept = await idb.get('data', ANSWERS);
    // Nothing stored: another tab signed out (or cleared them): none is kept here either.
    if (!kept) { known.clear(); return; }
    for (const [id, a] of Object.entries(kept || {})) {
      const have = known.get(id)?.record;
      if (!known.has(id) || (a.record && have && a.record.version > have.version)) known.set(id, a);
    }
  } catch (e) { console.warn('outbox: cannot read the saved answers:', e); }
}

// remember keeps the server's answer to this device's write to record id
// (null: deleted), the newest MAX_ANSWERS, in IndexedDB.
export async function remember(id, record) {
  if (record !== null && record?.version == null) return;
  const old = known.get(id)?.record;
  if (record && old && old.version > record.version) return;
  known.delete(id); // the newest last
  known.set(id, { record, at: new Date().toISOString() });
  while (known.size > MAX_ANSWERS) known.delete(known.keys().next().value);
  try { await idb.put('data', Object.fromEntries(known), ANSWERS); } catch (e) { console.warn('outbox: answer not kept:', e); }
}

/**
 * The server's answers to this device's writes that it keeps (id →
 * {record, at}; record null: deleted), for a page shown from a copy kept
 * before them: the calendar lays them over its kept ranges.
 */
export const savedAnswers = () => known;

/** The record as the server answered this device's last write to id (undefined: none kept). */
export const answerOf = (id) => known.get(id)?.record;

// newer returns base as the device's own saved answer has it when that is
// newer than base (a page shown from a copy kept before the write).
export function newer(base, record) {
  const mine = known.get(record)?.record;
  if (!base || !mine || !(mine.version > (base.version ?? 0))) return base;
  return { ...base, ...mine };
}

/** Forgets the saved answers, here and in IndexedDB (sign-out). */
export async function clearAnswers() {
  known.clear();
  await idb.del('data', ANSWERS).catch(() => {});
}
