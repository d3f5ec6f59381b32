// What the device keeps of the family's data, so a list opens in a shop
// with no signal: /api/me (members, for names), the shopping lists with
// their items and categories, the tasks page (today's tasks, open
// ones, chores) and the calendar's ranges read recently. Everything else
// needs the server. Data lives in IndexedDB
// (idb.js); the app shell in the service worker's cache (sw.js). What the
// device reads for it whatever page is open: warm.js.
import { serverDown } from './api.js';
import { keptFor, keptPageNow } from './cache-kept.js';
import * as idb from './idb.js';

/** How long a read may take before the kept copy is shown meanwhile. */
export const SLOW_MS = 4000;

let meta = { synced: null, seq: null, mark: null };
// closed: signed out (or removed from the family). Nothing is kept from
// then until someone signs in (ownedBy): a read, a patch or the realtime
// position on its way (saveMetaSoon's timer) would otherwise land after
// the wipe and stay on the device.
let closed = false;

const metaReady = idb.get('data', 'meta').then((m) => { if (m) meta = { synced: m.synced ?? null, seq: m.seq ?? null, mark: m.mark ?? null }; }, () => {});
const listeners = new Set();

/** Calls fn() whenever the time of the last sync changes. */
export function onSynced(fn) { listeners.add(fn); }

// The page's notice for a kept copy shown because the server failed: cache-kept.js.
export { keptForServer, keptForServerEnds, keptPageNow, newPageKept, onKeptForError, showingKeptForError } from './cache-kept.js';

function saveMeta() {
  if (closed) return Promise.resolve();
  return save('meta', meta).catch((e) => console.warn('cache: meta not saved:', e));
}

// Whose data this tab keeps: the person it signed in (ownedBy) or opened
// as from the kept copy (openedAs); null before either. A save is made only
// while that person is the device's stored owner, checked in the same
// transaction (save): another tab may have signed out, or in as someone
// else, while a read of this tab was on its way (the warm-up's), and what
// it brings must not land in that person's storage.
let person = null;
const ownerOf = ([owner, m]) => (owner === undefined ? m?.user ?? null : owner); // meta.user: kept before OWNER
/** This tab shows person userId's data kept on the device (opened from the kept copy, not signed in here). */
export function openedAs(userId) { person ??= userId; }
/** Whether the device's data is still this tab's person's (true before the tab knows its person). */
export async function owns() {
  if (person === null) return true;
  try { return ownerOf([await idb.get('data', OWNER), await idb.get('data', 'meta')]) === person; } catch { return false; }
}
// save stores value under key of the data store while this tab's person
// owns the device's data: answers whether it stored it.
function save(key, value) {
  if (person === null) return idb.put('data', value, key).then(() => true);
  const who = person;
  return idb.putWhen('data', value, key, [OWNER, 'meta'], (vals) => ownerOf(vals) === who);
}

// Each value is kept with the time it was read from the server ({v, at}),
// so the page can say how old what it shows is. A copy forgotten (forget)
// leaves {gone: true, at}: no copy, but the time after which a read may
// keep one again.
async function entry(key) {
  try { return await idb.get('data', key); } catch { return undefined; }
}
const copyOf = async (key) => { const e = await entry(key); return e?.gone ? undefined : e; };

// What is done with a key's entry is done in the order it was asked for:
// a patch reads the entry before it writes, so a read's answer kept after
// it could otherwise land first (and be overwritten), and a look at the
// kept copy could miss the patch just asked for.
const turns = new Map(); // key → the last turn asked for
function inOrder(key, fn) {
  const p = (turns.get(key) ?? Promise.resolve()).then(fn);
  turns.set(key, p);
  const done = () => { if (turns.get(key) === p) turns.delete(key); };
  p.then(done, done);
  return p;
}

/** The kept value under key, or undefined (also when storage fails). */
export async function kept(key) {
  return (await inOrder(key, () => copyOf(key)))?.v;
}

// How many times each key was patched with a write's answer. A read that
// started before a patch may be older than it: what it brings is not kept
// over the patch (the view merges the two and keeps that).
const patches = new Map();
const patchesOf = (key) => patches.get(key) ?? 0;

/**
 * Keeps value under key: the server's data from a read that began at read
 * (an ISO time; else now), or, when synced is false, that read merged with
 * the answers to the device's writes that came while it was on its way
 * (answers.js; read: when it began, else the time of the copy kept). The
 * kept copy only moves forward: a value from a read that began before the
 * one kept is not kept (an older answer arriving later must not bring back
 * what a newer one deleted, or undo a change: the kept copy is what a
 * device shows offline). Answers whether it was kept.
 */
export function keep(key, value, { synced = true, read = undefined } = {}) {
  if (synced) markSynced();
  else patches.set(key, patchesOf(key) + 1);
  const basis = read ?? (synced ? new Date().toISOString() : undefined);
  return inOrder(key, async () => {
    const had = await entry(key);
    // A copy read "in the future" (the clock was ahead, then set back) ranks nothing: it would freeze the copy.
    if (basis !== undefined && had?.at && basis < had.at && had.at <= new Date().toISOString()) return false;
    if (closed || (had?.gone && basis === undefined)) return false;
    if (had === undefined && basis !== undefined && key.startsWith('list:') && await prunedAfter(basis)) return false;
    if (key === 'lists' && basis !== undefined && Array.isArray(value)) value = await withoutForgotten(value, basis);
    try { return await save(key, { v: value, at: basis ?? had?.at ?? new Date().toISOString() }); } catch (e) { console.warn('cache: not kept:', key, e); return false; }
  });
}

/**
 * patch(key, field, changes, belongs) lays the server's newest state of
 * some records (changes: [[id, record]], record null when it was deleted:
 * the answers to the device's own writes, a record read again after an
 * event) over the copy kept under key, whose value[field] holds the
 * records: record by record, so that a copy read since the page's own
 * read stays, and a record kept at the same or a newer version too. A
 * record belongs(record) does not claim (moved to another list) leaves
 * the copy; one the copy lacks joins it. The copy keeps the time of its
 * read.
 */
export function patch(key, field, changes, belongs = () => true) {
  patches.set(key, patchesOf(key) + 1);
  return inOrder(key, async () => {
    const had = await copyOf(key);
    if (!had?.v || closed) return;
    const records = [...(had.v[field] ?? [])];
    for (const [id, record] of changes) {
      const i = records.findIndex((x) => x.id === id);
      if (record && i >= 0 && records[i].version >= record.version) continue;
      if (record && belongs(record)) records.splice(i < 0 ? records.length : i, i < 0 ? 0 : 1, record);
      else if (i >= 0) records.splice(i, 1);
    }
    try { await save(key, { v: { ...had.v, [field]: records }, at: had.at }); } catch (e) { console.warn('cache: not kept:', key, e); }
  });
}

/**
 * update(key, fn) keeps fn(the value kept under key, or undefined): the
 * server's data just read, merged with what is kept (the calendar's
 * ranges), read and written in one turn so two reads never lose one.
 */
export function update(key, fn) {
  markSynced();
  return inOrder(key, async () => {
    const value = fn((await copyOf(key))?.v);
    if (closed) return;
    try { await save(key, { v: value, at: new Date().toISOString() }); } catch (e) { console.warn('cache: not kept:', key, e); }
  });
}

/**
 * refresh(key, fetcher, read) reads from the server (the read begins at
 * read, an ISO time; else now) and keeps the answer, unless key was
 * patched while the read was on its way, or a read that began later was
 * kept meanwhile (keep). Answers the data read.
 */
export async function refresh(key, fetcher, read = new Date().toISOString()) {
  const before = patchesOf(key);
  // The copy's time is when the read began: an answer saved after it may be missing from it.
  const data = await fetcher();
  keptFor(key, false);
  if (patchesOf(key) === before) await keep(key, data, { read });
  else markSynced();
  return data;
}

/**
 * Forgets one kept value (a list deleted elsewhere), leaving a mark of when:
 * a read that began before it, arriving later (the warm-up's), is older
 * and does not keep the copy again (keep). Marks older than MARK_MS go
 * (pruneMarks), so they do not pile up for every list ever deleted.
 */
export function forget(key) {
  const done = inOrder(key, () => save(key, { gone: true, at: new Date().toISOString() }).catch(() => idb.del('data', key).catch(() => {})));
  return done.then(pruneMarks);
}

/**
 * Forgets list id (deleted elsewhere): its copy (forget) and its place in
 * the kept index of the lists, which was read before it went (the
 * warm-up's: offline, the shopping page named a list that did not open).
 * The mark comes first: an index read that began before it and is kept
 * after it (the shopping page's, on its way across the warm-up's 404)
 * leaves the list out (keep, withoutForgotten); kept before it, the
 * filter here takes the list out.
 */
export async function forgetList(id) {
  await forget(`list:${id}`);
  await inOrder('lists', async () => {
    const had = await copyOf('lists');
    if (closed || !Array.isArray(had?.v) || !had.v.some((l) => l.id === id)) return;
    try { await save('lists', { v: had.v.filter((l) => l.id !== id), at: had.at }); } catch (e) { console.warn('cache: not kept: lists', e); }
  });
}

// The lists of an index read that began at basis, less those forgotten
// after it began (a list's forget mark is newer): the read may have seen
// a list deleted since, and kept after the warm-up's forgetList it would
// name it again in the index offline.
async function withoutForgotten(lists, basis) {
  const gone = await Promise.all(lists.map(async (l) => {
    const e = await entry(`list:${l?.id}`);
    return e?.gone === true && typeof e.at === 'string' && basis < e.at;
  }));
  return lists.filter((_, i) => !gone[i]);
}

/** How old a forget mark may grow before it goes (pruneMarks). */
export const MARK_MS = 10 * 60 * 1000;
// Where the newest pruned mark's time is kept: one time for all of them.
const FLOOR = 'forgotten';

/**
 * Drops the forget marks (a list's: 'list:<id>', the only ones) older than MARK_MS, leaving their newest time
 * under FLOOR, in the same transaction (idb.sweep): a read of a list that
 * began before it keeps nothing where no copy is (keep, prunedAfter),
 * however late it arrives (a frozen tab's), as the mark it replaces did. A
 * read that began so long ago of a list never kept is not kept either: the
 * next read is. The floor is the lists' only: no other key is forgotten,
 * so a read of another (the tasks page, where none is kept yet) is kept.
 */
async function pruneMarks() {
  const old = new Date(Date.now() - MARK_MS).toISOString();
  try { await idb.sweep('data', 'list:', (v) => v?.gone === true && typeof v.at === 'string' && v.at < old, FLOOR); } catch (e) { console.warn('cache: marks not pruned:', e); }
}

// Whether a read that began at basis began before a pruned mark (the floor
// kept by pruneMarks). A floor "in the future" (the clock set back since)
// ranks nothing, as a copy's time does not (keep).
async function prunedAfter(basis) {
  const floor = await entry(FLOOR);
  return typeof floor === 'string' && basis < floor && floor <= new Date().toISOString();
}

/** Notes that the device was in step with the server just now. */
export function markSynced(at = new Date()) {
  meta.synced = at.toISOString();
  shownAt = null;
  saveMetaSoon();
  for (const fn of listeners) fn(at);
}

// When the page shows a kept copy: the time that copy was read.
let shownAt = null;
function showing(at) {
  if (!at || (shownAt && shownAt <= at)) return;
  shownAt = at;
  for (const fn of listeners) fn(new Date(at));
}

/** When the device was last in step with the server (a Date), or null. */
export async function lastSynced() {
  await metaReady;
  return meta.synced ? new Date(meta.synced) : null;
}
/**
 * When what the page shows was last in step with the server, without
 * waiting for storage: the oldest kept copy it shows, else the last sync
 * (null until storage was read).
 */
export function lastSyncedNow() {
  const at = shownAt ?? meta.synced;
  return at ? new Date(at) : null;
}

let metaTimer = null;
function saveMetaSoon() {
  if (metaTimer) return;
  metaTimer = setTimeout(() => { metaTimer = null; saveMeta(); }, 300);
}

/**
 * Remembers the realtime client's last seq, and the event it saw there
 * ({id, at}, or null), to resume from them after a restart.
 */
export function noteSeq(seq, mark = null) {
  if (seq == null || (seq === meta.seq && mark?.id === meta.mark?.id && mark?.at === meta.mark?.at)) return;
  meta.seq = seq;
  meta.mark = mark;
  saveMetaSoon();
}

/** The last seq remembered (null: none), and the event seen there (null: not known). */
export async function keptSeq() {
  await metaReady;
  return { seq: meta.seq, mark: meta.mark };
}

/**
 * The data kept on this device belongs to one person: when someone else
 * signs in, the previous person's data and waiting writes are dropped
 * (they could not be sent in their name anyway). Answers whether it did.
 * The owner is the one stored (under OWNER), never the one a tab remembers:
 * another tab may have signed out and someone else in since this tab read
 * it, and that person's waiting writes must stay. Only ownedBy writes it.
 */
export async function ownedBy(userId) {
  await metaReady;
  let stored;
  let legacy = false;
  try {
    stored = await idb.get('data', OWNER);
    legacy = stored === undefined;
    if (legacy) stored = (await idb.get('data', 'meta'))?.user ?? null; // kept before OWNER
  } catch { stored = null; }
  closed = false;
  person = userId;
  if (stored === userId) {
    if (legacy) await idb.put('data', userId, OWNER).catch(() => {}); // saveMeta no longer keeps meta.user: save checks OWNER
    return false;
  }
  const other = !!stored;
  if (other) await idb.clear().catch(() => {});
  meta = { synced: null, seq: null, mark: null };
  shownAt = null;
  await idb.put('data', userId, OWNER).catch((e) => console.warn('cache: owner not kept:', e));
  await saveMeta();
  return other;
}
const OWNER = 'owner';

/**
 * Drops everything kept; {close: true} (a sign-out) keeps nothing more
 * until the next sign-in. Without it the data stays this tab's person's.
 */
export async function wipe({ close = false } = {}) {
  if (close) {
    closed = true;
    clearTimeout(metaTimer);
    metaTimer = null;
  }
  meta = { synced: null, seq: null, mark: null };
  await idb.clear().catch(() => {});
  if (!close && person !== null) await idb.put('data', person, OWNER).catch(() => {});
}

const SLOW = Symbol('slow');

/**
 * fresh(key, fetcher) reads through the server and keeps what it answers
 * (refresh: not over a write's answer kept meanwhile; the caller merges).
 * When the server cannot be reached (offline, a network error) or fails (a
 * 500, a proxy's 502/503/504: serverDown) it answers the kept copy instead,
 * the latter noted for the page's notice (onKeptForError); when the server
 * is slower than SLOW_MS the kept copy comes first and `later` brings the
 * server's answer. Answers {data, cached, at, later?, laterAt?} (at: when
 * the read of what data is began: the kept copy's, for laying the outbox's
 * saved answers over it, or the server's; laterAt: the same for later's),
 * so that what the page keeps of it (keep's read) is never older than the
 * copy kept; throws when there is neither.
 */
export async function fresh(key, fetcher) {
  const page = keptPageNow();
  // The page's notice with Retry: the server failed or did not answer in time (not the network).
  const servedKept = (e) => { if ((e.status > 0 || e.timedOut) && page === keptPageNow()) keptFor(key, true); };
  if (navigator.onLine === false) {
    const c = await inOrder(key, () => copyOf(key));
    if (c !== undefined) { showing(c.at); return { data: c.v, cached: true, at: c.at }; }
  }
  const read = new Date().toISOString();
  const net = refresh(key, fetcher, read);
  let timer;
  const slow = new Promise((resolve) => { timer = setTimeout(() => resolve(SLOW), SLOW_MS); });
  try {
    const first = await Promise.race([net, slow]);
    if (first !== SLOW) return { data: first, cached: false, at: read };
    const c = await inOrder(key, () => copyOf(key));
    if (c === undefined) return { data: await net, cached: false, at: read };
    showing(c.at);
    return { data: c.v, cached: true, at: c.at, laterAt: read, later: net.catch((e) => { if (serverDown(e)) servedKept(e); return undefined; }) };
  } catch (e) {
    if (!serverDown(e)) throw e;
    const c = await inOrder(key, () => copyOf(key));
    if (c === undefined) throw e;
    showing(c.at);
    servedKept(e);
    return { data: c.v, cached: true, at: c.at };
  } finally {
    clearTimeout(timer);
  }
}
