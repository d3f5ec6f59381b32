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
//
// What comes back:
// - 2xx: done; later writes to the same record are made against its new
//   version, and so is a write made later from an older copy (the answer is
//   kept in IndexedDB: a reload does not forget it);
// - network error, 5xx, 429: the queue stops and tries again later
//   (exponential backoff with jitter, or Retry-After);
// - 412: the record changed elsewhere. If what changed does not touch this
//   write (the categoriser filed the item) it is sent again against the new
//   version; if the record already is as this write wants, it is done;
//   otherwise it is a conflict: this write and the later ones to the record
//   leave the queue and wait in a notice for the user (conflicts.js);
// - 404: the record was deleted: the write is dropped (a replay never
//   resurrects) and a notice says who deleted it; a delete is simply done;
// - anything else: refused for good, dropped, and said in the banner; the
//   later writes to the record (made on top of it) leave the queue with it,
//   into a notice that says why, and are sent again only if the user asks,
//   against the version the device last had from the server.
import { ApiError, request } from './api.js';
import * as idb from './idb.js';
import { answerOf, clearAnswers, newer, readAnswers, remember } from './outbox-answers.js';
import { forgetHeldNotices, heldNoticeWrites, noticeBoard, storeHeldNotices } from './outbox-notices.js';
import { addOp, clearHeld, heldCount as heldOps, readQueue, removeOp, saveOp } from './outbox-queue.js';
import { askBeforeClosing, heldElsewhere, holding, madeAt, waitingForTab, yieldTo } from './outbox-tabs.js';
import { isAsleep, onWake, sleepSignal, untilAsleep } from './lifecycle.js';
import { isOccurrenceOp, judge, seriesAfter } from './pending.js';

export { heardGone, layOver, savedAnswers } from './outbox-answers.js';
export { notices } from './outbox-notices.js';
export { onHeld } from './outbox-queue.js';

const SEND_TIMEOUT = 15000;
const MIN_DELAY = 1000;
const MAX_DELAY = 30000;
const MAX_REBASES = 3;

let ops = []; // the queue as last read, in order
let sendingId = null; let sends = 0; // the op on its way to the server; sends numbers them (a frozen tab's late answer ends none since)
let running = null; // the replay loop, while it runs
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

chan?.addEventListener('message', async ({ data }) => {
  // Another tab sent a write this tab made: its answer, for whoever waits here.
  if (data?.settled) { resolveHere(data.settled, data.outcome); return; }
  if (data?.turn === TAB) { kick(); return; } // a tab waits for a write this one holds
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

const isCreate = (op) => op.kind.endsWith('.add');

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
  running = (async () => {
    const signal = sleepSignal(); // frozen while it sends (or waits to), the tab lets the lock go (outbox-tabs.js)
    try {
      if (!navigator.locks?.request) await replay(signal);
      else await navigator.locks.request('familyhub-outbox', { signal }, () => untilAsleep(signal, replay(signal))).catch((e) => { if (!signal.aborted) throw e; });
    } finally {
      running = null;
      for (const fn of idleWaiters.splice(0)) fn();
      // A write that joined just as the loop ended.
      if (ops.length && !stopped && !waitingForTab() && retryAt <= Date.now() && navigator.onLine !== false) kick();
    }
  })();
}

const idleWaiters = [];
/** Resolves once the queue has been sent, or stopped on a failure (for the realtime client to resume after it). */
export function settled() {
  if (!running) return Promise.resolve();
  return new Promise((resolve) => idleWaiters.push(resolve));
}

/** Stops sending (sign-out) or starts again. */
export function setStopped(v) { stopped = v; if (!v) kick({ now: true }); }

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
    const mine = answerOf(op.record);
    if (op.ifMatch == null && !isCreate(op) && mine?.version != null) op.ifMatch = mine.version;
    sendingId = op.id;
    const sent = ++sends;
    changed({ local: true });
    let res;
    try {
      res = { ok: true, data: (await request(op.method, op.path, op.body, { ifMatch: op.ifMatch, timeout: SEND_TIMEOUT })).data };
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

// answered handles the server's answer to op; false stops the queue.
async function answered(op, res) {
  if (res.ok) {
    await done(op, isOccurrenceOp(op) ? seriesAfter(op, res.data) : res.data);
    return true;
  }
  const e = res.error;
  if (e.status === 401) {
    stopped = true; // signed in again, it carries on (setStopped)
    return false;
  }
  if (e.retryable) {
    schedule(e.retryAfter);
    return false;
  }
  if (e.status === 404 && op.kind.endsWith('.delete')) {
    // Gone already: what the user wanted (an occurrence: the series may stay).
    if (isOccurrenceOp(op)) await unchanged(op);
    await done(op, isOccurrenceOp(op) ? undefined : null);
    return true;
  }
  if (e.status === 404 && isOccurrenceOp(op)) {
    // The occurrence (or its series) is gone: this change is dropped, the
    // series' other writes stay (they meet their own 404 if it is gone).
    const dropped = await dropRecord(op.record, op.n);
    await unchanged(op);
    emit({ type: 'record', op, id: op.record, record: undefined });
    await notice({ kind: 'gone', ops: dropped, record: op.record, list: op.list, label: op.label, offline: op.offline, seq: op.seq });
    for (const o of dropped) settle(o, { status: 'gone' });
    return true;
  }
  if (e.status === 404) {
    const dropped = await dropRecord(op.record);
    emit({ type: 'record', op, id: op.record, record: null });
    await notice({ kind: 'gone', ops: dropped, record: op.record, list: op.list, label: op.label, offline: op.offline, seq: op.seq });
    for (const o of dropped) settle(o, { status: 'gone' });
    return true;
  }
  if (e.status === 412 && e.current) {
    const verdict = judge(op, e.current);
    if (verdict.is === 'done') {
      await done(op, e.current);
      return true;
    }
    if (verdict.is === 'rebase' && op.rebases < MAX_REBASES) {
      Object.assign(op, { base: e.current, ifMatch: e.current.version, rebases: op.rebases + 1 });
      await saveOp(op);
      return true;
    }
    const dropped = await dropRecord(op.record);
    await notice({ kind: 'stale', ops: dropped, record: op.record, list: op.list, label: op.label, offline: op.offline,
      seq: op.seq, current: e.current, fields: verdict.fields || [] });
    emit({ type: 'record', op, id: op.record, record: e.current }); // theirs is shown until the user chooses
    for (const o of dropped) settle(o, { status: 'conflict' });
    return true;
  }
  // Refused for good (422, 403, 409 …): nothing was written. The later
  // writes to the record were made on top of this one, against a version
  // only this device imagined: they leave the queue with it, into a notice
  // that says what failed and why (kept in IndexedDB, like a conflict).
  // "Send the others" sends them against the version the device last had
  // from the server, so a change made meanwhile is a 412, judged as any.
  // A change of one occurrence takes only the later changes of that
  // occurrence: the series' other writes were not made on top of it, and
  // wait for its version, which it left as it was (as after a 404).
  const occ = isOccurrenceOp(op);
  const dropped = await dropRecord(op.record,
    occ ? (o) => o.n === op.n || (isOccurrenceOp(o) && Date.parse(o.rid) === Date.parse(op.rid)) : undefined);
  if (occ) await unchanged(op);
  const later = dropped.filter((o) => o.n !== op.n);
  emit({ type: 'record', op, id: op.record, record: undefined }); // as the server has it: the view re-reads
  emit({ type: 'refused', op, error: e });
  if (later.length) {
    await notice({ kind: 'refused', ops: later, failed: { kind: op.kind, body: op.body }, why: e.message,
      record: op.record, list: op.list, label: op.label, offline: op.offline, seq: null,
      current: isCreate(op) ? null : op.base && { ...op.base, version: op.ifMatch ?? op.base.version } });
  }
  for (const o of dropped) settle(o, { status: 'refused' });
  return true;
}

// unchanged notes that a write of one occurrence answered 404 wrote
// nothing: when it was sent with If-Match, the series still stands at that
// version (an older one is a 412, a series gone is a 404 to every write),
// so the series' later writes, which waited for this one's version, are
// made against it rather than sent without If-Match (which would
// overwrite whatever someone changed meanwhile, unseen).
async function unchanged(op) {
  if (op.ifMatch == null || op.base?.version !== op.ifMatch) return;
  if (!stopped) await remember(op.record, op.base); // signed out meanwhile: the answers went with the rest
  for (const o of ops) {
    if (o.record !== op.record || o.ifMatch != null) continue;
    Object.assign(o, { base: op.base, ifMatch: op.ifMatch });
    await saveOp(o);
  }
}

// done removes a saved op; later writes to the record are made against
// what the server answered.
async function done(op, record) {
  await removeOp(op);
  // An event's answer has no changed occurrences: it keeps those it had (as the calendar shows it).
  const overrides = op.kind.startsWith('event.') && record && !record.overrides && op.base?.overrides;
  if (record !== undefined && !stopped) await remember(op.record, overrides ? { overrides, ...record } : record);
  // Only now it no longer waits: a reload once nothing waits finds its answer stored.
  ops = ops.filter((o) => o.n !== op.n);
  if (record && record.version != null) {
    for (const o of ops) {
      if (o.record !== op.record) continue;
      Object.assign(o, { base: record, ifMatch: record.version });
      await saveOp(o);
    }
  }
  emit({ type: 'record', op, id: op.record, record });
  settle(op, { status: 'saved', data: record });
}

// dropRecord removes the waiting writes to a record (only op n, or those
// only(op) keeps, when given) and returns them.
async function dropRecord(record, only = undefined) {
  const pick = typeof only === 'function' ? only : (o) => only == null || o.n === only;
  const gone = ops.filter((o) => o.record === record && pick(o));
  for (const o of gone) await removeOp(o);
  ops = ops.filter((o) => !gone.includes(o));
  return gone;
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
