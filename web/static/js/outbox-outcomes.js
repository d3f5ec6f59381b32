// What the server's answer to a write of the outbox (outbox.js) does to
// the queue: the write is done, waits, is sent again, or leaves the queue
// into a notice. Split out of outbox.js, which owns the queue and sends.
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
import { errorOf } from './errors.js';
import { remember } from './outbox-answers.js';
import { removeOp, saveOp } from './outbox-queue.js';
import { isOccurrenceOp, judge, seriesAfter } from './pending.js';

const MAX_REBASES = 3;

/** Whether op creates its record (its id chosen by the device). */
export const isCreate = (op) => op.kind.endsWith('.add');

/**
 * outcomes(q) returns answered(op, res), which handles the server's answer
 * res ({ok, data} or {ok: false, error: ApiError}) to op and resolves to
 * false when the queue stops (retry later, or signed out). q is the queue's
 * side: ops() the writes waiting, keep(fn) keeps those fn(op) accepts,
 * stopped(), stop() (signed out), schedule(retryAfter) (back off), emit(ev),
 * notice(n), settle(op, outcome).
 */
export function outcomes({ ops, keep, stopped, stop, schedule, emit, notice, settle }) {
  // answered handles the server's answer to op; false stops the queue.
  async function answered(op, res) {
    if (res.ok) {
      await done(op, isOccurrenceOp(op) ? seriesAfter(op, res.data) : res.data);
      return true;
    }
    const e = res.error;
    if (e.status === 401) {
      stop(); // signed in again, it carries on (setStopped)
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
      await notice({ kind: 'refused', ops: later, failed: { kind: op.kind, body: op.body }, why: e.message, error: errorOf(e),
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
    if (!stopped()) await remember(op.record, op.base, op.at); // signed out meanwhile: the answers went with the rest
    for (const o of ops()) {
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
    if (record !== undefined && !stopped()) await remember(op.record, overrides ? { overrides, ...record } : record, op.at);
    // Only now it no longer waits: a reload once nothing waits finds its answer stored.
    keep((o) => o.n !== op.n);
    if (record && record.version != null) {
      for (const o of ops()) {
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
    const gone = ops().filter((o) => o.record === record && pick(o));
    for (const o of gone) await removeOp(o);
    keep((o) => !gone.includes(o));
    return gone;
  }

  return answered;
}
