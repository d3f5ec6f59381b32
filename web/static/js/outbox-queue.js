// The outbox's queue in IndexedDB (store 'queue', key n, in order), and
// what of it the device's storage refused (a QuotaExceededError: a phone
// whose storage is full). Such a write is not lost while the tab is open:
// it is held here, in this tab's memory, in its place in the queue (after
// the writes stored before it), and sent as the others are, in order and
// with its If-Match. Every read of the queue and every new write first
// tries to store what is held, in order; until the first of it is stored,
// a new write is held after it, so the queue's order stays the order the
// user made them. Closing the tab loses what is held: the notices say so
// (conflicts.js, outbox.heldCount) and the tab asks before it closes.
import * as idb from './idb.js';

const STORE = 'queue';
// n → op: one never stored (n 'm1', 'm2'…: after every stored one), or a
// stored one whose newest state (a rebase, a new If-Match) was refused.
const held = new Map();
let made = 0;
const unstored = (o) => typeof o.n === 'string';
const watchers = new Set();
const told = () => { for (const fn of watchers) fn(); };

/** How many writes only this tab holds, never stored (they go if it closes). */
export const heldCount = () => [...held.values()].filter(unstored).length;
/** Calls fn() when heldCount() may have changed. */
export function onHeld(fn) { watchers.add(fn); }

function hold(o) {
  if (!unstored(o) && o.n != null) { held.set(o.n, o); told(); return; }
  o.n = `m${++made}`;
  held.set(o.n, o);
  told();
}

// storeHeld stores what is held, in order, until the storage refuses one
// (then the rest stays held behind it). A stored write whose newest state
// is held is stored only while it is still queued (another tab may have
// sent it meanwhile: it must not come back).
const storing = new Set(); // the held writes whose put is on its way (storeHeld, storeHeldNow)
async function storeHeld() {
  const had = held.size;
  for (const [n, o] of [...held]) {
    if (storing.has(o)) break; // storeHeldNow's, on its way: the rest stays behind it
    try {
      if (unstored(o)) {
        const { n: _, ...rest } = o;
        storing.add(o);
        const k = await idb.put(STORE, rest).finally(() => storing.delete(o));
        if (held.get(n) !== o) { await idb.del(STORE, k); continue; } // sent meanwhile
        o.n = k;
      } else await idb.putIfThere(STORE, o);
      held.delete(n);
    } catch (e) {
      if (!idb.isQuota(e)) throw e;
      break;
    }
  }
  if (held.size !== had) told();
}

/**
 * The queue in the order the user made the writes (their at): what is
 * stored (in its newest state) and what only this tab holds. A write held
 * here goes before one made later that another tab stored meanwhile (its
 * storage took it), and keeps its place when it is stored later (its key n
 * then comes after that one's).
 */
export async function readQueue() {
  await storeHeld();
  const stored = await idb.all(STORE);
  const there = new Set(stored.map((o) => o.n));
  for (const [n, o] of held) if (!unstored(o) && !there.has(n)) held.delete(n); // sent by another tab
  const queue = [...stored.map((o) => held.get(o.n) ?? o), ...[...held.values()].filter(unstored)];
  return queue.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)); // stable: stored ones of one time stay in key order
}

/** Adds entry (a new write) at the end of the queue; it gets its key n. */
export async function addOp(entry) {
  await storeHeld();
  if (heldCount()) { hold(entry); return; }
  try { entry.n = await idb.put(STORE, entry); } catch (e) {
    if (!idb.isQuota(e)) throw e;
    hold(entry);
  }
}

/** Stores the newest state of op (a rebase, a new If-Match); held when the storage refuses it. */
export async function saveOp(op) {
  if (unstored(op)) return; // held: this very object is what is sent
  try {
    await idb.put(STORE, op);
    if (held.delete(op.n)) told();
  } catch (e) {
    if (!idb.isQuota(e)) throw e;
    hold(op);
  }
}

/** Removes op from the queue (sent, or dropped). */
export async function removeOp(op) {
  if (held.delete(op.n)) told();
  if (!unstored(op)) await idb.del(STORE, op.n);
}

/** Forgets what is held (sign-out: the next person starts clean). */
export function clearHeld() { held.clear(); told(); }

/**
 * As the tab goes to the background (hidden: a phone freezes only a
 * background tab, and may then discard it without a word) or closes, the
 * writes it holds that were never stored are stored, all in one
 * transaction committed at once (idb.putAllNow); stored, they are sent by
 * another tab or the next time the app opens, in their place (their at).
 * Before, they were tried again only on the tab's next write or read of
 * the queue, and a frozen tab discarded lost them though the storage had
 * room again. Still refused (the storage full), they stay held. Not on
 * 'freeze' too: a tab is hidden before it freezes. (The transaction is
 * committed at once, also when begun after 'pagehide' for the back/forward
 * cache, before 'visibilitychange': idb.js.)
 */
function storeHeldNow() {
  const ops = [...held.values()].filter((o) => unstored(o) && !storing.has(o));
  if (!ops.length) return;
  for (const o of ops) storing.add(o);
  idb.putAllNow(STORE, ops.map(({ n: _, ...rest }) => rest)).then((keys) => {
    ops.forEach((o, i) => {
      if (held.get(o.n) !== o) { idb.del(STORE, keys[i]).catch(() => {}); return; } // sent meanwhile
      held.delete(o.n);
      o.n = keys[i];
    });
    told();
  }, (e) => { if (!idb.isQuota(e)) console.warn('outbox: held writes not stored:', e); })
    .finally(() => { for (const o of ops) storing.delete(o); });
}
if (typeof document !== 'undefined') {
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') storeHeldNow(); });
  addEventListener('pagehide', (e) => { if (!e.persisted) storeHeldNow(); });
}
