// Whether this tab is frozen. A browser freezes a background tab (Page
// Lifecycle 'freeze': a phone's, for hours) or keeps a page in its
// back/forward cache, and runs none of its code until 'resume' (or
// 'pageshow'). What the tab holds then, it holds all that time: a Web
// Lock (outbox-tabs.js lets its locks go) or an IndexedDB transaction
// (idb.js commits at once those it can, aborts the others and begins
// them again when the tab runs again: one left open, even a read, kept
// the device's other tabs from the store, TestBrowserOutboxSendingFrozenTab).
// Modules say here what they do as the tab freezes and as it runs again.
let asleep = false;
let nap = new AbortController(); // aborted as this tab freezes
const freezers = new Set();
const wakers = new Set();
let woken = null; // {promise, resolve} while asleep

/** Whether this tab is frozen (or in the back/forward cache). */
export const isAsleep = () => asleep;
/**
 * An AbortSignal aborted as this tab freezes: work begun before sees it
 * (signal.aborted) and stops, untilAsleep lets its lock go. It does not
 * withdraw a lock request safely: the browser may have granted it already.
 */
export const sleepSignal = () => nap.signal;
/** Calls fn() as this tab freezes (before it stops running). */
export function onFreeze(fn) { freezers.add(fn); }
/** Calls fn() when this tab runs again after it was frozen. */
export function onWake(fn) { wakers.add(fn); }
/** Resolves at once, or when this tab runs again if it is frozen. */
export const awake = () => (woken ? woken.promise : Promise.resolve());

/** p, or undefined once signal (sleepSignal) is aborted, whichever comes first: a lock held meanwhile goes. */
export function untilAsleep(signal, p) {
  let off = () => {};
  const slept = new Promise((resolve) => {
    signal.addEventListener('abort', resolve, { once: true });
    off = () => signal.removeEventListener('abort', resolve);
  });
  return Promise.race([p, slept]).finally(off);
}

function frozen() {
  if (asleep) return;
  asleep = true;
  let resolve;
  woken = { promise: new Promise((r) => { resolve = r; }), resolve: () => resolve() };
  for (const fn of freezers) fn();
  const was = nap;
  nap = new AbortController();
  was.abort();
}
function resumed() {
  if (!asleep) return;
  asleep = false;
  const w = woken;
  woken = null;
  w.resolve();
  for (const fn of wakers) fn();
}
if (typeof document !== 'undefined') {
  document.addEventListener('freeze', frozen);
  document.addEventListener('resume', resumed);
  addEventListener('pagehide', (e) => { if (e.persisted) frozen(); });
  addEventListener('pageshow', (e) => { if (e.persisted) resumed(); });
}
