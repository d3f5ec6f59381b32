// The outbox's saved answers (outbox.js): the device's own answers from
// the server, record id → {record (the server's state after this device's
// last write to it), at, seq (the device's order when it came: order.js)}. Kept in IndexedDB, one record per answer (store
// 'answers', keyed by the record's id: an answer writes one record, not
// all of them), the newest MAX_ANSWERS, so that after a reload a write
// made from a copy older than the device's own write is still made against
// the version that write left, not met by a 412 for a change the device
// made itself; and a page shown from a copy kept before the write shows it
// (layOver).
import * as idb from './idb.js';
import { next as nextOrder } from './order.js';

const STORE = 'answers';
const MAX_ANSWERS = 200;
const known = new Map(); // id → {record, at, seq}, the oldest first
const writing = new Set(); // ids whose answer is on its way into IndexedDB
let clears = 0; // how many times the answers were dropped (clearAnswers): an answer counted across one is the last person's

const byAt = (a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0);

/**
 * Reads the saved answers from IndexedDB (at start, and when another tab
 * changed them): what is stored is what is known, so nothing stored (another
 * tab signed out) is nothing known here either. Answers this tab is still
 * storing stay, and so does a newer version known here than the one stored,
 * and a deletion known here over an answer stored before it: a read that
 * began before the deletion was stored finds the answer it replaces
 * (TestBrowserCalendarHeardGoneReread).
 */
export async function readAnswers() {
  try {
    await fromOneRecord();
    const stored = (await idb.all(STORE)).sort(byAt);
    const next = new Map();
    for (const a of stored) {
      const have = known.get(a.id);
      // A deletion known here stays over the answer stored before it (that the read found).
      const keep = have && (have.record === null ? !(a.at > have.at) : a.record && have.record.version > a.record.version);
      next.set(a.id, keep ? have : { record: a.record, at: a.at, seq: a.seq, ev: a.ev });
    }
    for (const id of writing) if (known.has(id) && !next.has(id)) next.set(id, known.get(id));
    known.clear();
    for (const [id, a] of [...next].sort(([, x], [, y]) => byAt(x, y))) known.set(id, a);
    await prune();
  } catch (e) { console.warn('outbox: cannot read the saved answers:', e); }
}

// fromOneRecord moves the answers an older version of the app kept as
// one record of the data store (OLD) into the answers store, once.
const OLD = 'outbox:answers';
async function fromOneRecord() {
  const old = await idb.take('data', OLD);
  for (const [id, a] of Object.entries(old || {})) {
    if (a && a.at) await idb.put(STORE, { id, record: a.record ?? null, at: a.at });
  }
}

// prune drops the oldest answers beyond MAX_ANSWERS, here and in
// IndexedDB; one another tab stored since (a newer answer to the same
// record, its "changed" not heard yet) stays there and is known here.
async function prune() {
  while (known.size > MAX_ANSWERS) {
    const [id, a] = known.entries().next().value;
    known.delete(id);
    const stored = await idb.take(STORE, id, (s) => !(s.at > a.at));
    if (stored && stored.at > a.at && !known.has(id)) known.set(id, { record: stored.record, at: stored.at, seq: stored.seq, ev: stored.ev });
  }
}

// remember keeps the server's answer to this device's write to record id
// (null: deleted), the newest MAX_ANSWERS, in IndexedDB; made: when that
// write was made (op.at). A deletion is known here at once: until it has
// its place in the device's order it is laid over every copy, and a page
// opened while it was being counted (the calendar again, offline) laid
// the older answer it replaces over its copy and showed the record the
// device had heard was deleted (TestBrowserCalendarHeardGoneStoring).
// Numbered, it is laid only over the copies read before it: ids are
// reused (the assistant's Undo puts a deleted record back with its id),
// and a range read since it came back shows it (TestBrowserCalendarReinserted).
export async function remember(id, record, made) {
  if (record !== null && record?.version == null) return;
  const cleared = clears;
  const at = new Date().toISOString();
  let a;
  if (record === null) {
    // ev: the seq of the deletion's event, when heard (heardEvent): a change heard after it is the record back.
    a = { record, at, seq: undefined, ev: lastHeard?.id === id && lastHeard.op === 'delete' ? lastHeard.seq : undefined };
    known.delete(id); // the newest last
    known.set(id, a);
    writing.add(id);
    try { a.seq = await nextOrder(); } finally { writing.delete(id); }
    // Signed out meanwhile, or the record came back (or was answered again) since: nothing to keep.
    if (cleared !== clears || known.get(id) !== a) return;
  } else {
    // An answer: after every range whose read began before it came (calendar-answers.js).
    const seq = await nextOrder();
    if (cleared !== clears) return; // signed out while it was counted: the answers went with the rest
    const old = known.get(id);
    // Deleted stays deleted: the answer to a write made before the deletion was heard is older.
    if (old?.record === null && !(made > old.at)) return;
    if (old?.record && old.record.version > record.version) return;
    a = { record, at, seq };
    known.delete(id);
    known.set(id, a);
  }
  writing.add(id);
  try {
    await idb.put(STORE, { id, ...a });
    await prune();
  } catch (e) { console.warn('outbox: answer not kept:', e); } finally { writing.delete(id); }
}

/**
 * The device heard that record id was deleted (an event) while a write of
 * it was on its way: that write's answer, arriving later, is older and
 * must not bring it back (laid over a kept copy offline).
 */
export const heardGone = (id) => remember(id, null);

let lastHeard = null; // the event being handed to the page (heardGone takes its seq)

/**
 * heardEvent(ev): an event the device heard, before the page hears it
 * (app.js). A create or change of a record this device keeps a deletion
 * of, heard after that deletion's event, is the record back with its id
 * (the assistant's Undo): the deletion goes (back). One heard before it
 * (the device's own earlier write, whose event came after the answer to
 * its deletion) is older and changes nothing.
 */
export function heardEvent(ev) {
  lastHeard = ev;
  const a = typeof ev?.id === 'string' ? known.get(ev.id) : undefined;
  if (a?.record !== null || typeof ev.seq !== 'number') return;
  if (ev.op === 'delete') { if (a.ev == null) keepEv(ev.id, a, ev.seq); } // the deletion's own event (it was this device's write)
  else if (backSince(a, ev.seq)) back(ev.id);
}

// keepEv notes the seq of the event of deletion a (this device's own
// delete, answered before its event came) here and in IndexedDB: stored
// without it, the deletion read after a reload could not tell the record
// put back with its id (backSince) from an older change. Not stored yet (being
// numbered): remember stores it with the seq.
function keepEv(id, a, seq) {
  a.ev = seq;
  if (a.seq == null || known.get(id) !== a) return;
  idb.put(STORE, { id, ...a }).catch((e) => console.warn('outbox: deletion not kept:', e));
}

/**
 * backSince(a, seq): whether a, a deletion kept ({record: null, ev: the
 * seq of its event, when heard}), is undone by a create or change heard
 * with seq: one heard after the deletion's event is the record back with
 * its id (the assistant's Undo); one heard before it is older. Also the
 * pages' own deletions (answers.js).
 */
export const backSince = (a, seq) => a?.record === null && a.ev != null && seq > a.ev;

/**
 * shownAgain(ids, readSeq): a read from the server, numbered readSeq in
 * the device's order (order.js) when it began, shows records ids: a
 * deletion kept from before it is undone (back), the record came back with
 * its id, whether or not the deletion's event was heard. The one rule for
 * the calendar's listings and the shopping and tasks pages' reads
 * (answers.js); a deletion kept from an older version of the app, or stored
 * before its event came, has no event to judge by (backSince).
 */
export function shownAgain(ids, readSeq) {
  for (const id of ids) {
    const a = known.get(id);
    if (a?.record !== null) continue;
    // Stored with no number (an older version of the app numbered none): older than any read of this one.
    back(id, a.seq == null && !writing.has(id) ? undefined : readSeq);
  }
}

/**
 * back(id, readSeq): record id exists again (an event said so, or a read
 * that began after the deletion, its number readSeq in the device's
 * order, shows it): the deletion kept goes, here and in IndexedDB. Without
 * readSeq any kept deletion goes; with it, only one numbered before it.
 */
export async function back(id, readSeq) {
  const a = known.get(id);
  if (a?.record !== null || (readSeq != null && !(a.seq < readSeq))) return;
  known.delete(id);
  try { await idb.take(STORE, id, (s) => s.record === null && !(s.at > a.at)); } catch (e) { console.warn('outbox: deletion not dropped:', e); }
}

/**
 * The server's answers to this device's writes that it keeps (id →
 * {record, at, seq}; record null: deleted), for a page shown from a copy kept
 * before them: the calendar lays them over its kept ranges.
 */
export const savedAnswers = () => known;

/**
 * layOver(records, keptAt, belongs, under) lays the saved answers over records
 * (a page's kept copy, read from the server at keptAt, an ISO time): an
 * answer that came after that read replaces the record when it is a newer
 * version, removes it when it is a deletion or a version belongs(r) does
 * not claim for the page (moved to another list), and adds a record belongs(r)
 * claims for the page that the copy lacks. An answer older than the copy is
 * not laid over it: the copy already has it, or what came after it (the
 * record deleted elsewhere must not come back). under(x), when given, names
 * the record x goes with (a task series' open occurrence: its template): a
 * deletion of that record laid over the copy removes x too, as the server
 * did. Answers records itself when nothing changed.
 */
export function layOver(records, keptAt, belongs, under = () => null) {
  const after = (a) => !keptAt || a.at > keptAt;
  let changed = false;
  const seen = new Set();
  const out = [];
  for (const x of records) {
    seen.add(x.id);
    const parent = known.get(under(x));
    if (parent && parent.record === null && after(parent)) { changed = true; continue; }
    const a = known.get(x.id);
    if (!a || !after(a) || (a.record && !(a.record.version > x.version))) { out.push(x); continue; }
    changed = true;
    // Moved elsewhere since the copy (an item to another list): not here.
    if (a.record && belongs(a.record)) out.push(a.record);
  }
  for (const [id, a] of known) {
    if (!seen.has(id) && a.record && after(a) && belongs(a.record)) { out.push(a.record); changed = true; }
  }
  return changed ? out : records;
}

/** Whether this tab is storing its answer for id: a deletion with no seq yet is being numbered (remember), not one an older version kept. */
export const storing = (id) => writing.has(id);

/** The record as the server answered this device's last write to id (undefined: none kept). */
export const answerOf = (id) => known.get(id)?.record;

// newer returns base as the device's own saved answer has it when that is
// newer than base (a page shown from a copy kept before the write).
export function newer(base, record) {
  const mine = known.get(record)?.record;
  if (!base || !mine || !(mine.version > (base.version ?? 0))) return base;
  return { ...base, ...mine };
}

/** Forgets the saved answers, here and in IndexedDB (sign-out). */
export async function clearAnswers() {
  clears++;
  known.clear();
  await idb.clear(STORE).catch(() => {});
}
