// What only one tab holds of the outbox: writes the device's storage
// refused (outbox-queue.js), or every write where IndexedDB cannot be
// opened at all, live in that tab's memory, where the other tabs cannot
// see them. Each tab says what it holds by holding a Web Lock named for it
// ('familyhub-held <tab> <count> <oldest> <newest>': how many, and when the
// oldest and the newest were made), which the browser lets go when the tab closes or crashes, so
// what the other tabs read of it is never left over from a tab that is
// gone. The other tabs read it (navigator.locks.query) to:
// - send in the order the user made the writes, whichever tab holds them:
//   the tab whose turn it is to send a write made after one another tab
//   holds waits until that tab has sent it (or stored it, or closed);
// - count, before a sign-out, the writes not yet sent of every tab.
// A tab the browser froze (Page Lifecycle 'freeze': a phone's background
// tab, for hours) or put in its back/forward cache runs nothing: it cannot
// send what it holds, and the others would wait for it all that time. It
// lets its lock go as it freezes and takes it again when it runs again
// ('resume'): meanwhile the other tabs send their later writes, and its own
// go after them (TestBrowserOutboxHeldFrozenTab). It lets the one for
// sending go too (outbox.js kick, TestBrowserOutboxSendingFrozenTab). A
// lock request still in the browser's queue as the tab freezes is not
// safely withdrawn: Chromium may grant it once the holder lets go even
// though the tab aborted it as it froze, and the frozen tab then holds
// it. So a tab never waits in a lock's queue: the one for sending it
// takes only if free (TestBrowserOutboxFrozenWaitingTab), another tab's
// hold it only looks at (yieldTo). A request answered at once, made just
// as the tab freezes, can still be granted to it, rarely: the turn
// (ifAvailable), or say()'s new name (the old one goes only in that
// grant's callback, so the frozen tab holds both); they go when the tab
// runs again or is discarded.
import { isAsleep, onFreeze, onWake } from './lifecycle.js';

const PREFIX = 'familyhub-held ';
const locks = () => (typeof navigator !== 'undefined' && navigator.locks?.request && navigator.locks.query ? navigator.locks : null);

let current = null; // {name, release, dropped}: the lock this tab holds to say so
let said = null; // the name it says (null: nothing held), also while asleep

/**
 * Says which of ops (the queue as tab has it, in order) only tab holds:
 * those never stored (key n 'm1'…), or all where nothing is stored
 * (inMemory: IndexedDB cannot be opened).
 */
export function holding(tab, ops, inMemory) {
  const mine = inMemory ? ops : ops.filter((o) => typeof o.n === 'string');
  const count = mine.length;
  const oldest = mine.reduce((m, o) => (o.at < m ? o.at : m), mine[0]?.at);
  const newest = mine.reduce((m, o) => (o.at > m ? o.at : m), mine[0]?.at);
  said = count ? `${PREFIX}${tab} ${count} ${oldest} ${newest}` : null;
  if (!isAsleep()) say(said); // frozen: it says nothing
}

function say(name) {
  const lm = locks();
  if (!lm || current?.name === name || (!current && !name)) return;
  const old = current;
  if (old) old.dropped = true;
  current = null;
  if (!name) { old?.release?.(); return; }
  const me = { name, release: null, dropped: false };
  current = me;
  // The new one is held before the old one goes: never a moment with neither.
  lm.request(name, () => {
    old?.release?.();
    if (me.dropped) return undefined;
    return new Promise((resolve) => { me.release = resolve; });
  }).catch((e) => console.warn('outbox: cannot say what this tab holds:', e));
}

onFreeze(() => say(null));
onWake(() => say(said));

// What the other tabs hold: {tab, count, oldest, newest, name}, one per tab (a tab
// changing what it says holds two locks for a moment: the larger count).
async function others(tab) {
  const lm = locks();
  if (!lm) return [];
  let held = [];
  try { ({ held = [] } = await lm.query()); } catch { return []; }
  const byTab = new Map();
  for (const l of held) {
    if (!l.name?.startsWith(PREFIX)) continue;
    const [t, n, oldest, newest = oldest] = l.name.slice(PREFIX.length).split(' ');
    const x = { tab: t, count: Number(n) || 0, oldest, newest, name: l.name };
    if (t !== tab && !(byTab.get(t)?.count >= x.count)) byTab.set(t, x);
  }
  return [...byTab.values()];
}

/** How many writes not yet sent the device's other tabs hold in memory only. */
export async function heldElsewhere(tab) {
  return (await others(tab)).reduce((n, x) => n + x.count, 0);
}

/**
 * When a write made now in tab is made (its at, the queue's order): after
 * every write the queue (ops) or another tab holds, whatever the clock
 * does. Set back, it would time the write before one another tab holds,
 * which then went last (TestBrowserOutboxHeldOrderClockBack).
 */
export async function madeAt(tab, ops) {
  const last = [...ops.map((o) => o.at), ...(await others(tab)).map((x) => x.newest)].reduce((m, x) => (x > m ? x : m), '');
  const now = new Date().toISOString();
  return now > last ? now : new Date(Date.parse(last) + 1).toISOString();
}

const WAIT_POLL = 1000; // how often a yield looks whether the tab it waits for still holds the write
const waits = new Map(); // the name of a lock a yield waits for → {check, timer}
let yielded = false;
/** Whether the queue waits for another tab to send a write it holds (yieldTo): nothing to send until then. */
export const waitingForTab = () => yielded;
/**
 * Whether another tab holds a write made before at (an ISO time, the next
 * write tab would send): the queue then waits for it (tell(that tab), so
 * it sends), and wake() is called once that tab's hold changes (it sent or
 * stored the write, or it closed). It looks (navigator.locks.query, which
 * takes nothing) every WAIT_POLL and on every message of another tab
 * (recheckWaits): never asked for in the lock's queue, that tab's lock
 * cannot be granted to this tab while it is frozen, and held there, frozen,
 * make a third tab wait for a tab that is gone. Frozen, this tab runs no
 * timer; it looks again once it runs (onWake kicks).
 */
export async function yieldTo(tab, at, wake, tell) {
  yielded = true; // a wake-up while asking is not lost
  const x = (await others(tab)).find((o) => o.oldest < at);
  if (!x) { yielded = false; return false; }
  if (!waits.has(x.name)) watch(x.name, wake);
  tell(x.tab);
  return true;
}

/** Looks now whether the tabs a yield waits for still hold what they held (another tab said it changed). */
export function recheckWaits() { for (const w of waits.values()) w.check(); }

/** Ends every yield's wait without waking it (sign-out: nothing is sent until a sign-in kicks again). */
export function stopWaits() {
  for (const w of waits.values()) clearInterval(w.timer);
  waits.clear();
  yielded = false;
}

function watch(name, wake) {
  const w = { check: null, timer: null };
  w.check = async () => {
    let held = [];
    try { ({ held = [] } = await locks().query()); } catch { /* cannot tell: as if it let go, the yield asks again */ }
    if (waits.get(name) !== w || held.some((l) => l.name === name)) return;
    clearInterval(w.timer);
    waits.delete(name);
    yielded = false;
    wake();
  };
  w.timer = setInterval(w.check, WAIT_POLL);
  waits.set(name, w);
}

/**
 * A tab closed while it holds writes (count() of them) loses them: the
 * browser asks first (in its own words, and only once the user did
 * something on the page).
 */
export function askBeforeClosing(count) {
  addEventListener('beforeunload', (e) => {
    if (!count()) return;
    e.preventDefault();
    e.returnValue = '';
  });
}
