// What the device keeps of the family's data, so a list opens in a shop
// with no signal: /api/me (members, for names), the shopping lists with
// their items and categories, and the tasks page (today's tasks, open
// ones, chores). Everything else needs the server. Data lives in IndexedDB
// (idb.js); the app shell in the service worker's cache (sw.js).
import * as idb from './idb.js';

/** How long a read may take before the kept copy is shown meanwhile. */
export const SLOW_MS = 4000;

let meta = { synced: null, seq: null, user: null };
const metaReady = idb.get('data', 'meta').then((m) => { if (m) meta = { ...meta, ...m }; }, () => {});
const listeners = new Set();

/** Calls fn() whenever the time of the last sync changes. */
export function onSynced(fn) { listeners.add(fn); }

function saveMeta() {
  return idb.put('data', meta, 'meta').catch((e) => console.warn('cache: meta not saved:', e));
}

/** The kept value under key, or undefined (also when storage fails). */
export async function kept(key) {
  try { return await idb.get('data', key); } catch { return undefined; }
}

/**
 * Keeps value under key. It is the server's data just read, unless synced
 * is false (the device's copy patched with a write's answer).
 */
export async function keep(key, value, { synced = true } = {}) {
  if (synced) markSynced();
  try { await idb.put('data', value, key); } catch (e) { console.warn('cache: not kept:', key, e); }
}

/** Forgets one kept value (a list deleted elsewhere). */
export function forget(key) { return idb.del('data', key).catch(() => {}); }

/** Notes that the device was in step with the server just now. */
export function markSynced(at = new Date()) {
  meta.synced = at.toISOString();
  saveMetaSoon();
  for (const fn of listeners) fn(at);
}

/** When the device was last in step with the server (a Date), or null. */
export async function lastSynced() {
  await metaReady;
  return meta.synced ? new Date(meta.synced) : null;
}
/** The same, without waiting for storage (null until it was read). */
export const lastSyncedNow = () => (meta.synced ? new Date(meta.synced) : null);

let metaTimer = null;
function saveMetaSoon() {
  if (metaTimer) return;
  metaTimer = setTimeout(() => { metaTimer = null; saveMeta(); }, 300);
}

/** Remembers the realtime client's last seq, to resume from it after a restart. */
export function noteSeq(seq) {
  if (seq == null || seq === meta.seq) return;
  meta.seq = seq;
  saveMetaSoon();
}

/** The last seq remembered (null: none). */
export async function keptSeq() {
  await metaReady;
  return meta.seq;
}

/**
 * The data kept on this device belongs to one person: when someone else
 * signs in, the previous person's data and waiting writes are dropped
 * (they could not be sent in their name anyway). Answers whether it did.
 */
export async function ownedBy(userId) {
  await metaReady;
  if (meta.user === userId) return false;
  const other = !!meta.user;
  if (other) await idb.clear().catch(() => {});
  meta = { synced: null, seq: null, user: userId };
  await saveMeta();
  return other;
}

/** Drops everything kept (sign-out). */
export async function wipe() {
  meta = { synced: null, seq: null, user: null };
  await idb.clear().catch(() => {});
}

const SLOW = Symbol('slow');

/**
 * fresh(key, fetcher) reads through the server and keeps what it answers.
 * When the server cannot be reached (offline, a network error) it answers
 * the kept copy instead; when the server is slower than SLOW_MS the kept
 * copy comes first and `later` brings the server's answer. Answers
 * {data, cached, later?}; throws when there is neither.
 */
export async function fresh(key, fetcher) {
  if (navigator.onLine === false) {
    const c = await kept(key);
    if (c !== undefined) return { data: c, cached: true };
  }
  const net = fetcher().then(async (data) => { await keep(key, data); return data; });
  let timer;
  const slow = new Promise((resolve) => { timer = setTimeout(() => resolve(SLOW), SLOW_MS); });
  try {
    const first = await Promise.race([net, slow]);
    if (first !== SLOW) return { data: first, cached: false };
    const c = await kept(key);
    if (c === undefined) return { data: await net, cached: false };
    return { data: c, cached: true, later: net.catch(() => undefined) };
  } catch (e) {
    if (e.status !== 0) throw e;
    const c = await kept(key);
    if (c === undefined) throw e;
    return { data: c, cached: true };
  } finally {
    clearTimeout(timer);
  }
}
