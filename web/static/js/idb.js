// A small promise wrapper around IndexedDB, the device's own copy of what
// the user last saw (cache.js) and of the writes waiting for the server
// (outbox.js). No library: four object stores, get/put/delete/all/clear.
// Where IndexedDB cannot be opened (a locked-down private window) the same
// calls work on memory, for this tab only.
import { awake, onFreeze } from './lifecycle.js';

const NAME = 'familyhub';
const VERSION = 2; // 2: the answers store

/**
 * The stores:
 * - data: the cache, key → value ('me', 'lists', 'list:<id>', 'tasks', 'meta', 'forgotten': cache.js; 'order': order.js)
 * - queue: waiting writes in order (key n, autoIncrement)
 * - notices: conflicts and refused writes still to be shown (key id)
 * - answers: the server's answers to the device's own writes, one per record (key id; outbox-answers.js)
 */
export const STORES = { data: {}, queue: { keyPath: 'n', autoIncrement: true }, notices: { keyPath: 'id' }, answers: { keyPath: 'id' } };

let dbp = null;
let memory = null; // Map per store when IndexedDB is unavailable
/** Whether IndexedDB could not be opened: what is "stored" lives in this tab's memory only. */
export const inMemory = () => memory !== null;

function promised(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

// connect opens the database at version, or at the one it has (none).
function connect(version) {
  return new Promise((resolve, reject) => {
    let req;
    try { req = version === undefined ? indexedDB.open(NAME) : indexedDB.open(NAME, version); } catch (e) { reject(e); return; }
    req.onupgradeneeded = () => {
      const db = req.result;
      for (const [name, opts] of Object.entries(STORES)) {
        if (!db.objectStoreNames.contains(name)) db.createObjectStore(name, opts.keyPath ? opts : undefined);
      }
    };
    req.onsuccess = () => {
      const db = req.result;
      // A newer version of the app opened the database elsewhere: let it.
      db.onversionchange = () => { db.close(); dbp = null; };
      resolve(db);
    };
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error('IndexedDB blocked by another tab'));
  });
}

function open() {
  if (dbp) return dbp;
  // A newer version of the app upgraded the database (another tab): its
  // stores are these and more (versions only add stores), so this tab goes
  // on with it rather than on memory, where its waiting writes would be
  // lost with the tab.
  dbp = connect(VERSION).catch((e) => (e?.name === 'VersionError' ? connect() : Promise.reject(e))).catch((e) => {
    console.warn('IndexedDB unavailable, keeping data in memory only:', e);
    memory = Object.fromEntries(Object.keys(STORES).map((s) => [s, new Map()]));
    return null;
  });
  return dbp;
}

// A transaction still open as the tab freezes stays open until it runs
// again (its requests' answers wait for the tab), and even a read keeps
// the device's other tabs from writing that store all that time: another
// tab's outbox stopped at its next answer (TestBrowserOutboxSendingFrozenTab).
// So one whose requests are all made at once is committed at once
// (tx.commit: what it asked is done without this tab, even one begun as
// the tab freezes or goes into the back/forward cache, putAllNow), and one
// that makes requests from its answers (steps: read, then write what it
// read) is aborted as the tab freezes, undone whole, and begun again when
// the tab runs again (none is begun while it is frozen): its caller never
// sees the freeze. Before, it got an AbortError: order.js took a number
// it had not stored (another tab could get the same), a new write was
// refused (outbox-queue.js's addOp, storing a held one), Keep mine on a
// notice did nothing (TestBrowserFrozenTabStepsGoOn).
const stepping = new Set();
const unwound = new WeakSet(); // steps aborted as the tab froze: begun again
onFreeze(() => { for (const tx of stepping) { try { tx.abort(); unwound.add(tx); } catch { /* ending already */ } } });

/**
 * run(store, mode, fn, steps) runs fn(objectStore) in one transaction and
 * resolves to what fn resolved to when the transaction committed. steps:
 * fn makes requests from its requests' answers (else all at once); fn may
 * then be run again (the tab froze), so it has no other effect.
 */
async function run(store, mode, fn, steps = false) {
  for (;;) {
    // Every call awaits once here, so transactions are created in the
    // order they were asked for (IndexedDB runs overlapping ones in that
    // order: a kept copy saved, then the copies wiped, must not swap).
    await (steps ? awake() : undefined);
    const db = await open();
    if (!db) return fn(null);
    const tx = db.transaction(store, mode);
    try { return await attempt(tx, store, fn, steps); } catch (e) { if (!unwound.has(tx)) throw e; }
  }
}

function attempt(tx, store, fn, steps) {
  return new Promise((resolve, reject) => {
    let result;
    Promise.resolve(fn(tx.objectStore(store))).then((r) => { result = r; }, reject);
    if (steps) stepping.add(tx);
    else tx.commit?.();
    tx.oncomplete = () => { stepping.delete(tx); resolve(result); };
    tx.onerror = () => { stepping.delete(tx); reject(tx.error); };
    tx.onabort = () => { stepping.delete(tx); reject(tx.error || new DOMException('transaction aborted', 'AbortError')); };
  });
}

let memN = 0;

/** The value under key, or undefined. */
export function get(store, key) {
  return run(store, 'readonly', (os) => (os ? promised(os.get(key)) : structuredClone(memory[store].get(key))));
}

// The device's storage refused a write (QuotaExceededError: a phone whose
// storage is full): a waiting write, a saved answer or a kept copy was not
// kept. Said in the notices (conflicts.js) until a later write is kept.
let full = false;
const fullWatchers = new Set();
/** Whether the last write to IndexedDB failed for want of storage. */
export const storageFull = () => full;
/** Calls fn() when storageFull() changes. */
export function onStorageFull(fn) { fullWatchers.add(fn); }
function setFull(v) {
  if (full === v) return;
  full = v;
  for (const fn of fullWatchers) fn();
}
/** Whether e is the device's storage refusing a write for want of space. */
export const isQuota = (e) => e?.name === 'QuotaExceededError' || (e?.name === 'AbortError' && /quota/i.test(e.message));
const noted = (p) => p.then((k) => { setFull(false); return k; }, (e) => { if (isQuota(e)) setFull(true); throw e; });

/** Stores value (under key for the data store); resolves to the key. */
export function put(store, value, key) {
  return noted(write(store, value, key));
}

/**
 * Stores value (a store with a keyPath) only where its key is still
 * there, in one transaction: resolves to whether it was (another tab may
 * have deleted it meanwhile: it must not come back).
 */
export function putIfThere(store, value) {
  const key = value[STORES[store].keyPath];
  return noted(run(store, 'readwrite', (os) => {
    if (!os) { const had = memory[store].has(key); if (had) memory[store].set(key, structuredClone(value)); return had; }
    return new Promise((resolve, reject) => {
      const req = os.get(key);
      req.onsuccess = () => {
        if (req.result === undefined) { resolve(false); return; }
        try { const w = os.put(value); w.onsuccess = () => resolve(true); w.onerror = () => reject(w.error); } catch (e) { reject(e); }
      };
      req.onerror = () => reject(req.error);
    });
  }, true));
}

/**
 * putWhen(store, value, key, keys, ok) stores value under key (in a store
 * without a keyPath) only when ok(the values under keys, in order) says so,
 * in one transaction: what ok saw is still there when value is stored
 * (another tab cannot sign someone else in between). Resolves to whether
 * it stored it.
 */
export function putWhen(store, value, key, keys, ok) {
  return noted(run(store, 'readwrite', (os) => {
    if (!os) {
      if (!ok(keys.map((k) => structuredClone(memory[store].get(k))))) return false;
      memory[store].set(key, structuredClone(value));
      return true;
    }
    return new Promise((resolve, reject) => {
      const vals = [];
      let left = keys.length;
      keys.forEach((k, i) => {
        const g = os.get(k);
        g.onerror = () => reject(g.error);
        g.onsuccess = () => {
          vals[i] = g.result;
          if (--left > 0) return;
          if (!ok(vals)) { resolve(false); return; }
          try { const w = os.put(value, key); w.onsuccess = () => resolve(true); w.onerror = () => reject(w.error); } catch (e) { reject(e); }
        };
      });
    });
  }, true));
}

/**
 * bump(store, key, fn) stores fn(the value under key) under key (a store
 * without a keyPath) in one transaction, so two tabs never both get the
 * same: resolves to the value stored. Not counted as a write the user's
 * data needs (storageFull).
 */
export function bump(store, key, fn) {
  return run(store, 'readwrite', (os) => {
    if (!os) { const v = fn(memory[store].get(key)); memory[store].set(key, v); return v; }
    return new Promise((resolve, reject) => {
      const g = os.get(key);
      g.onerror = () => reject(g.error);
      g.onsuccess = () => {
        const v = fn(g.result);
        try { const w = os.put(v, key); w.onsuccess = () => resolve(v); w.onerror = () => reject(w.error); } catch (e) { reject(e); }
      };
    });
  }, true);
}

function write(store, value, key) {
  return run(store, 'readwrite', (os) => {
    if (os) return promised(key === undefined ? os.put(value) : os.put(value, key));
    const kp = STORES[store].keyPath;
    if (kp && value[kp] == null) value[kp] = ++memN;
    const k = kp ? value[kp] : key;
    memory[store].set(k, structuredClone(value));
    return k;
  });
}

/**
 * Stores values (in a store with autoIncrement keys) in one transaction,
 * begun and committed at once like every one that makes its requests at
 * once (run), also as the tab freezes: one begun as the tab freezes or
 * closes is kept even if the tab never runs again. Resolves to their keys.
 */
export function putAllNow(store, values) {
  return noted(run(store, 'readwrite', (os) => {
    if (!os) return Promise.all(values.map((v) => write(store, v)));
    return Promise.all(values.map((v) => promised(os.put(v))));
  }));
}

/** Deletes one key. */
export function del(store, key) {
  return run(store, 'readwrite', (os) => (os ? promised(os.delete(key)) : memory[store].delete(key)));
}

/**
 * Deletes one key (only when when(value) says so) and resolves to the value
 * it had (undefined: none), in one transaction: of two callers (two tabs)
 * taking it, one gets it; a value another tab stored meanwhile is judged.
 */
export function take(store, key, when = () => true) {
  return run(store, 'readwrite', (os) => {
    if (!os) { const v = memory[store].get(key); if (v !== undefined && when(v)) memory[store].delete(key); return v; }
    return new Promise((resolve, reject) => {
      const req = os.get(key);
      req.onsuccess = () => { if (req.result !== undefined && when(req.result)) os.delete(key); resolve(req.result); };
      req.onerror = () => reject(req.error);
    });
  }, true);
}

/**
 * sweep(store, prefix, when, floorKey) deletes, in one transaction, every
 * entry of store (one without a keyPath) whose key starts with prefix and
 * whose value when(value) picks (the others are not read), and keeps
 * under floorKey the newest `at` of those deleted (if newer than the one
 * there): a reader that finds an entry gone finds the floor with it.
 * Resolves to how many were deleted.
 */
export function sweep(store, prefix, when, floorKey) {
  const floorOf = (had, ats) => ats.reduce((m, at) => (m === undefined || at > m ? at : m), had);
  return run(store, 'readwrite', (os) => {
    if (!os) {
      const m = memory[store];
      const gone = [...m.entries()].filter(([k, v]) => typeof k === 'string' && k.startsWith(prefix) && k !== floorKey && when(v));
      if (!gone.length) return 0;
      m.set(floorKey, floorOf(m.get(floorKey), gone.map(([, v]) => v.at)));
      for (const [k] of gone) m.delete(k);
      return gone.length;
    }
    return new Promise((resolve, reject) => {
      const ats = [];
      const cur = os.openCursor(IDBKeyRange.bound(prefix, `${prefix}\uffff`));
      cur.onerror = () => reject(cur.error);
      cur.onsuccess = () => {
        const c = cur.result;
        if (c) {
          if (c.key !== floorKey && when(c.value)) { ats.push(c.value.at); c.delete(); }
          c.continue();
          return;
        }
        if (!ats.length) { resolve(0); return; }
        const g = os.get(floorKey);
        g.onerror = () => reject(g.error);
        g.onsuccess = () => { os.put(floorOf(g.result, ats), floorKey); resolve(ats.length); };
      };
    });
  }, true);
}

/** Every value of a store, in key order. */
export function all(store) {
  return run(store, 'readonly', (os) => (os ? promised(os.getAll())
    : [...memory[store].entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, v]) => structuredClone(v))));
}

/** Empties the stores named (all when none is). */
export async function clear(...stores) {
  for (const s of stores.length ? stores : Object.keys(STORES)) {
    await run(s, 'readwrite', (os) => (os ? promised(os.clear()) : memory[s].clear()));
  }
}
