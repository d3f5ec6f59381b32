// The outbox: every change to shopping items, every task completion and
// every new, changed or deleted calendar event (a whole event or series,
// or one occurrence of a series) goes through one persistent queue in
// IndexedDB, online or not. A write joins the queue (it survives a closed
// tab and a restarted phone; when the device's storage is full, it is held
// in this tab's memory meanwhile and sent all the same: outbox-queue.js),
// and the queue sends one write at a time, in the order made, from one tab
// at a time (Web Locks; not a frozen one): the writes of all the device's tabs, each once, a write another tab
// holds in memory in its place (outbox-tabs.js); the tab that made a write hears its answer through a BroadcastChannel.
// Every write is safe to repeat: a create carries the id the device chose, a change carries If-Match with
// the version it was made against. So a lost answer, a double tap or a replay after a day offline never makes two of anything.
// What each answer of the server does to the queue (done, back off, sent again, a notice): outbox-outcomes.js.
import { ApiError, request } from './api.js';
import * as idb from './idb.js';
import { answerOf, clearAnswers, newer, readAnswers } from './outbox-answers.js';
import { forgetHeldNotices, heldNoticeWrites, noticeBoard, storeHeldNotices } from './outbox-notices.js';
import { isCreate, outcomes } from './outbox-outcomes.js';
import { addOp, clearHeld, heldCount as heldOps, readQueue } from './outbox-queue.js';
import { askBeforeClosing, heldElsewhere, holding, madeAt, recheckWaits, stopWaits, waitingForTab, yieldTo } from './outbox-tabs.js';
import { isAsleep, onWake, sleepSignal, untilAsleep } from './lifecycle.js';

export { back, heardEvent, heardGone, layOver, savedAnswers, shownAgain } from './outbox-answers.js';
export { notices } from './outbox-notices.js';
export { onHeld } from './outbox-queue.js';

// How long a write may wait for its answer; then it is sent again later
// (safe to repeat). A slow answer is not an outage (quietTimeout): the
// header and the "Offline" line keep what the rest of the app knows; the
// realtime connection and other requests still find a real outage.
const SEND_TIMEOUT = 15000;
const MIN_DELAY = 1000;
const MAX_DELAY = 30000;
const BUSY_RETRY = 1000; // another tab sends: when to try again if it did not say it let go

let ops = []; // the queue as last read, in order
let sendingId = null; let sends = 0; // the op on its way to the server; sends numbers them (a frozen tab's late answer ends none since)
let running = null; // the replay loop, while it runs
let busy = false; // another tab held the outbox's lock at the last try (kick)
let busyTimer = null;
let timer = null;
let attempt = 0; // failed attempts in a row
let retryAt = 0; // when the next attempt is due (0: not waiting)
let stopped = true; // nobody signed in (yet): nothing is sent
const waiters = new Map(); // op id → resolve of what enqueue returned
const listeners = new Set();
const chan = typeof BroadcastChannel === 'function' ? new BroadcastChannel('familyhub-outbox') : null;
const TAB = crypto.randomUUID(); // this page, among the tabs that share the queue

/**
 * Calls fn(ev) on changes: {type: 'changed'} (the queue or a notice
 * changed), {type: 'record', op, id, record} (the server's state of record
 * id after op: the record, null when it is deleted, undefined when unknown),
 * {type: 'notice', notice}, {type: 'refused', op, error}.
 */
export function onOutbox(fn) { listeners.add(fn); return () => listeners.delete(fn); }

function emit(ev) {
  if (ev.type === 'changed') holding(TAB, ops, idb.inMemory()); // for the other tabs: they send after it and count it
  for (const fn of listeners) {
    try { fn(ev); } catch (e) { console.error(e); }
  }
}

function changed({ local = false } = {}) {
  emit({ type: 'changed' });
  if (!local) chan?.postMessage('changed');
}

// The notices: conflicts, deletions and refused writes the user is told about (outbox-notices.js).
const { notice, dismiss, keepMine, sendOthers } = noticeBoard({
  enqueue, emit, changed, tellOthers: () => chan?.postMessage('changed'), timeout: SEND_TIMEOUT,
});
export { dismiss, keepMine, sendOthers };

// What the server's answer to a write does to the queue (outbox-outcomes.js).
const answered = outcomes({
  ops: () => ops, keep: (fn) => { ops = ops.filter(fn); }, stopped: () => stopped, stop: () => { stopped = true; },
  schedule, emit, notice, settle,
});

chan?.addEventListener('message', async ({ data }) => {
  // Any message may follow a change of what the tab this one yields to
  // holds (it sent, stored or let go of its write): look again at once
  // rather than at the next poll.
  recheckWaits();
  // Another tab sent a write this tab made: its answer, for whoever waits here.
  if (data?.settled) { resolveHere(data.settled, data.outcome); return; }
  if (data?.turn === TAB) { kick(); return; } // a tab waits for a write this one holds
  if (data?.free) { if (busy) kick(); return; } // the tab that sent let the outbox's lock go: this one's turn
  // Signed out (or someone else signed in) in another tab: what this tab
  // holds in memory was that person's too and goes with the rest.
  if (data?.cleared) forgetHere();
  // Frozen, the tab may still get messages: a read begun then would hold the stores from the others, frozen (onWake reads).
  if (!isAsleep()) reread();
});
const reread = () => Promise.all([reload(), readAnswers()]).then(() => emit({ type: 'changed' }));

// Reading the queue and adding to it take turns, so a read never drops a
// write that is being added.
let turn = Promise.resolve();
const inTurn = (fn) => (turn = turn.then(fn, fn));

function reload() {
  return inTurn(async () => {
    try { ops = await readQueue(); } catch (e) { console.warn('outbox: cannot read the queue:', e); }
  });
}
const ready = Promise.all([reload(), readAnswers()]).then(() => emit({ type: 'changed' }));
/** Resolves once the queue and the saved answers were read from storage (savedAnswers, layOver: after a reload). */
export const started = () => ready;
/**
 * How many of the user's writes not yet sent only this tab holds, in the
 * queue or in a notice (the device's storage was full, or IndexedDB cannot
 * be opened at all: a locked-down private window): they go if it closes.
 */
export const heldCount = () => (idb.inMemory() ? ops.length : heldOps() + heldNoticeWrites());
// The storage took a write again: what this tab holds in memory is stored.
idb.onStorageFull(() => {
  if (idb.storageFull() || !heldCount()) return;
  Promise.all([reload(), storeHeldNotices()]).then(() => changed({ local: true }), (e) => console.warn('outbox: not stored:', e));
});
askBeforeClosing(heldCount); // a tab closed with writes held loses them (outbox-tabs.js)
onWake(() => reread().then(() => kick({ now: true })));

/** How many writes wait, also those only the device's other tabs hold (a sign-out loses them all). */
export const countAll = () => reload().then(() => heldElsewhere(TAB)).then((n) => ops.length + n);

/** The writes waiting, in order (copies of what is stored). */
export const waiting = () => ops;
/** How many writes wait. */
export const count = () => ops.length;
/** Whether writes wait because the server did not answer the last try (the queue backs off). */
export const stalled = () => attempt > 0 && ops.length > 0;
/** Whether the write of op id is on its way right now. */
export const isSending = (id) => sendingId === id;

/**
 * enqueue(op) adds a write and starts sending. op: {kind ('item.add',
 * 'item.patch', 'item.delete', 'task.complete', 'task.uncomplete',
 * 'event.add', 'event.patch', 'event.delete', and for one occurrence of a
 * series 'event.occurrence.patch', 'event.occurrence.delete' with rid, its
 * recurrence_id, and tz, the family's zone, in which its days are laid out), method, path, body, record
 * (the id it creates or changes: a series for an occurrence), list?, base (the record as the device
 * holds it; null for a create), label (a name for messages), seq (the last
 * event seen, to find who changed what), by? (who makes it: a new event's
 * maker, shown before the server has it)}. Resolves to
 * {op, result}; result resolves to {status: 'saved'|'waiting'|'conflict'|'gone'|'refused', data?}.
 */
export async function enqueue(op) {
  await ready;
  const base = op.base ? newer({ ...op.base }, op.record) : null;
  if (base) delete base.pending;
  const entry = {
    ...op, base, id: crypto.randomUUID(), at: null, tab: TAB,
    offline: navigator.onLine === false || !reachableNow(), rebases: 0,
  };
  const result = new Promise((resolve) => waiters.set(entry.id, resolve));
  await inTurn(async () => {
    // After an earlier write to the same record, this one is made against
    // what that write leaves: its version is known once that one is saved.
    const earlier = ops.some((o) => o.record === op.record);
    entry.ifMatch = isCreate(op) || earlier ? null : base?.version ?? null;
    entry.at = await madeAt(TAB, ops); // the queue's order (readQueue), also across tabs
    await addOp(entry); // held in memory when the storage is full (outbox-queue.js)
    ops.push(entry);
  });
  changed();
  kick();
  // Not sent now (backing off, or nobody signed in): it waits, and a
  // dialog waiting for the answer closes instead of hanging.
  if (stopped || retryAt > Date.now()) settle(entry, { status: 'waiting' });
  return { op: entry, result };
}

let reachableNow = () => true;
/** Lets the outbox know whether the server answers (from api.js). */
export function setReachability(fn) { reachableNow = fn; }

// settle tells whoever waits for op's first answer. One tab sends at a
// time, the writes of all tabs: a write another tab made (its dialog
// waits) is answered there through the channel.
function settle(op, outcome) {
  if (op.tab === TAB) resolveHere(op.id, outcome);
  else chan?.postMessage({ settled: op.id, outcome });
}

function resolveHere(id, outcome) {
  const resolve = waiters.get(id);
  if (resolve) { waiters.delete(id); resolve(outcome); }
}

/** Sends what waits now (after a backoff, on 'online', when realtime is live again). */
export function kick({ now = false } = {}) {
  if (stopped || isAsleep()) return; // frozen: it runs again on 'resume' (onWake)
  if (now) { retryAt = 0; clearTimeout(timer); }
  if (running || retryAt > Date.now()) return;
  clearTimeout(busyTimer);
  busy = false;
  running = (async () => {
    const signal = sleepSignal(); // frozen while it sends, the tab lets the lock go (outbox-tabs.js)
    let held = false;
    try {
      if (!navigator.locks?.request) await replay(signal);
      else {
        // Taken only if free, never waited for in the lock's queue: a tab
        // frozen while it waits there (a phone's background tab) can get
        // the lock all the same once the sender lets it go (Chromium: the
        // request's abort as the tab freezes may come after the browser
        // granted it), and holds it, frozen, while the other tabs' writes
        // wait for it, for hours (TestBrowserOutboxFrozenWaitingTab). This
        // request, answered at once, leaves that only to one in flight at
        // the very moment of a freeze (rare: the lock goes when the tab
        // runs again or is discarded). Busy: the sender
        // says when it lets go ('free' on the channel) and this tab tries
        // again then, or after BUSY_RETRY at the latest (a sender that
        // froze meanwhile may not get to say so).
        await navigator.locks.request('familyhub-outbox', { ifAvailable: true }, (lock) => {
          if (!lock) { busy = true; return undefined; }
          held = true;
          return untilAsleep(signal, replay(signal));
        }).catch((e) => { if (!signal.aborted) throw e; });
      }
    } finally {
      running = null;
      if (held) chan?.postMessage({ free: true });
      if (busy && !stopped) busyTimer = setTimeout(kick, BUSY_RETRY);
      else {
        busy = false;
        idle();
        // A write that joined just as the loop ended.
        if (ops.length && !stopped && !waitingForTab() && retryAt <= Date.now() && navigator.onLine !== false) kick();
      }
    }
  })();
}

const idleWaiters = [];
/**
 * Resolves once the queue has been sent, or stopped on a failure (for the
 * realtime client to resume after it); while another tab sends, once this
 * one had its turn after it.
 */
export function settled() {
  if (!running && !busy) return Promise.resolve();
  return new Promise((resolve) => idleWaiters.push(resolve));
}
const idle = () => { for (const fn of idleWaiters.splice(0)) fn(); };

/** Stops sending (sign-out) or starts again. */
export function setStopped(v) {
  stopped = v;
  if (!v) kick({ now: true });
  else {
    stopWaits(); // signed out: no yield polls the other tabs while the sign-in page is open (sign-in kicks, and yields again)
    if (!running) { clearTimeout(busyTimer); busy = false; idle(); } // not waiting for its turn any more
  }
}

function schedule(retryAfter) {
  const base = Math.min(MAX_DELAY, MIN_DELAY * 2 ** attempt);
  attempt++;
  // Jitter, so the phones of a family do not come back in lockstep.
  const delay = retryAfter != null ? retryAfter + Math.random() * 250 : base / 2 + Math.random() * (base / 2);
  retryAt = Date.now() + delay;
  clearTimeout(timer);
  timer = setTimeout(() => { retryAt = 0; kick(); }, delay);
}

async function replay(signal) {
  for (;;) {
    await reload(); // another tab may have sent some meanwhile
    const op = ops[0];
    if (!op || stopped || signal.aborted) return;
    if (navigator.onLine === false) {
      for (const o of ops) settle(o, { status: 'waiting' });
      return; // 'online' kicks again
    }
    // The user made a write another tab holds before this one: that tab sends first.
    if (await yieldTo(TAB, op.at, kick, (tab) => chan?.postMessage({ turn: tab }))) {
      for (const o of ops) settle(o, { status: 'waiting' });
      return;
    }
    // Frozen while it asked: this pass holds no lock any more, and a pass
    // begun after the resume sends; one sent from here could land after a
    // later write to the same record and undo it.
    if (signal.aborted) return;
    const mine = answerOf(op.record);
    if (op.ifMatch == null && !isCreate(op) && mine?.version != null) op.ifMatch = mine.version;
    sendingId = op.id;
    const sent = ++sends;
    changed({ local: true });
    let res;
    try {
      res = { ok: true, data: (await request(op.method, op.path, op.body, { ifMatch: op.ifMatch, timeout: SEND_TIMEOUT, quietTimeout: true })).data };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      res = { ok: false, error: e };
    } finally {
      if (sends === sent) sendingId = null;
    }
    if (signal.aborted) return; // frozen meanwhile: another tab may have sent it since; if not, it is sent again (safe to repeat)
    if (!await answered(op, res)) {
      for (const o of ops) settle(o, { status: 'waiting' });
      changed({ local: true });
      return;
    }
    attempt = 0;
    changed();
  }
}

// forgetHere drops the writes and notices only this tab holds in memory
// (the storage was full, or IndexedDB cannot be opened): they are the
// signed-out person's, never to be sent in the next one's name.
function forgetHere() {
  ops = [];
  clearHeld();
  forgetHeldNotices();
  if (idb.inMemory()) idb.clear('queue', 'notices').catch(() => {});
}

/**
 * Empties the queue and the notices (sign-out: the next person starts
 * clean), also what the device's other tabs hold in memory: told before
 * the stored ones go, so that none of it is stored again meanwhile.
 */
export async function clearAll() {
  forgetHere();
  chan?.postMessage({ cleared: true });
  await clearAnswers();
  await idb.clear('queue', 'notices').catch(() => {});
  changed();
}
