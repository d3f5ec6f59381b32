// The outbox's notices (outbox.js): conflicts, deletions and refused
// writes the user is told about, kept in IndexedDB until answered
// (conflicts.js shows them). An answer that sends the writes again queues
// them through the outbox. A notice the device's storage refuses (a
// QuotaExceededError) is held in this tab's memory instead: its writes
// already left the queue, and losing it would lose them unseen.
import { request } from './api.js';
import { deviceId } from './device.js';
import * as idb from './idb.js';

const held = new Map(); // id → a notice not stored (the storage is full)

/** The notices not yet answered. */
export async function notices() {
  let stored = [];
  try { stored = await idb.all('notices'); } catch { /* none readable */ }
  return [...stored, ...held.values()];
}

/** How many writes wait in notices only this tab holds (they go if it closes). */
export const heldNoticeWrites = () => [...held.values()].reduce((k, n) => k + n.ops.length, 0);

let storing = Promise.resolve(); // storeHeldNotices, one at a time
/**
 * Stores the notices held (the storage takes writes again). One answered
 * (or forgotten: a sign-out) while it was being stored goes again: shown
 * once more, its writes would be sent twice.
 */
export function storeHeldNotices() {
  storing = storing.then(storeHeldNow, storeHeldNow); // one at a time: another's put is not an answer
  return storing;
}
async function storeHeldNow() {
  for (const [id, n] of [...held]) {
    try { await idb.put('notices', n); } catch (e) { if (!idb.isQuota(e)) throw e; return; }
    if (held.get(id) === n) held.delete(id);
    else await idb.del('notices', id);
  }
}
/** Forgets the notices held (sign-out). */
export function forgetHeldNotices() { held.clear(); }

/**
 * noticeBoard(outbox) is the notices' part of the outbox, given what it
 * needs of it: enqueue (to send writes again), emit (its listeners),
 * changed (tell this tab's listeners and the others), tellOthers (the other
 * tabs only) and timeout (for reading who changed a record).
 */
export function noticeBoard({ enqueue, emit, changed, tellOthers, timeout }) {
  async function notice(n) {
    const entry = { id: crypto.randomUUID(), at: new Date().toISOString(), actor: await whoChanged(n.record, n.seq), ...n };
    try { await idb.put('notices', entry); } catch (e) {
      if (!idb.isQuota(e)) throw e;
      held.set(entry.id, entry);
    }
    emit({ type: 'notice', notice: entry });
    tellOthers();
  }

  /** Removes a notice (the user answered it). */
  async function dismiss(id) {
    held.delete(id);
    await idb.del('notices', id);
    changed();
  }

  // taken removes notice id for the answer that sends its writes again;
  // false when it was answered already (a double click, another tab), so
  // that they are queued once.
  async function taken(id) {
    if (held.delete(id)) { changed(); return true; }
    const had = await idb.take('notices', id).catch(() => undefined);
    changed();
    return had !== undefined;
  }

  /**
   * keepMine(notice) sends the user's writes of a conflict again, now
   * against the version stored (If-Match of notice.current), in their order.
   */
  async function keepMine(n) {
    if (!await taken(n.id)) return;
    await queueAgain(n.ops, n.current);
  }

  // queueAgain queues ops again, each made against base: while an earlier
  // one waits, a later one follows its answer (enqueue); one that comes
  // after the first was answered already (refused, a conflict) is still
  // sent with an If-Match, never blindly.
  async function queueAgain(list, base) {
    for (const op of list) {
      const { id, n: _, ifMatch, rebases, ...rest } = op;
      await enqueue({ ...rest, base });
    }
  }

  /**
   * sendOthers(notice) sends the writes a refused one took with it again,
   * against the record as the device last had it from the server (the
   * refused write changed nothing there).
   */
  async function sendOthers(n) {
    if (!await taken(n.id)) return;
    if (!n.current) return; // a create refused: there is nothing to change
    await queueAgain(n.ops, n.current);
  }

  // whoChanged finds the member who last changed record since seq, from the
  // family's event log: the event's actor (null: unknown, or a change from
  // outside the app). No answer in time is a slow server, not an outage
  // (quietTimeout): the header and the "Offline" line keep what they know.
  async function whoChanged(record, seq) {
    if (seq == null) return null;
    try {
      const { data } = await request('GET', `/api/realtime/events?since=${seq}`, undefined, { timeout, quietTimeout: true });
      const mine = deviceId();
      const evs = (data.events || []).filter((ev) => ev.id === record && ev.device_id !== mine && ev.actor);
      return evs.length ? evs[evs.length - 1].actor : null;
    } catch {
      return null;
    }
  }

  return { notice, dismiss, keepMine, sendOthers };
}
