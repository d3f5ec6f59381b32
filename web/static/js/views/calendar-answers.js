// The server's answers to this device's own event writes, as the calendar
// (calendar.js) lays them over what it shows. Over a listing read from the
// server: the answers that came while it was on its way (overListing).
// Over the ranges kept on the device (offline, or the server failing),
// range by range: each kept range gets the answers that came after its
// read began, unless it holds the event at that version or a newer one
// (over). A month drawn from a range read before the device moved an
// event and a week read after it shows the event once, where the answer
// put it; before, the answers were laid over the view as a whole, judged
// by its newest range, and the older range still showed the event where
// it had been. "After" is the device's own order (order.js), not its clock.
import { after } from '../order.js';
import * as outbox from '../outbox.js';
import { backSince, storing } from '../outbox-answers.js';
import { stillChanged } from './calendar-pending.js';

/**
 * calendarAnswers(tz): the answers the calendar page holds, id → {n,
 * record (null: deleted), kept, listed, seq, at}. n numbers those heard on
 * this page since the last listing read from the server (0: older); kept:
 * from before the page opened (the outbox's, read from storage: read), or
 * in a listing read since; listed: a listing read from the server began
 * after it; seq: the device's order when it came (order.js; Infinity: not
 * known, taken for the newest); at: when it came (ms), for an answer kept
 * by an older version of the app, which has no seq.
 */
export function calendarAnswers(tz) {
  const saved = new Map();
  let n = 0;
  let listedLive = false; // a listing was read from the server on this page
  // Those of before this page opened (a reload, offline), kept by the outbox (deletions too, numbered once stored).
  // A deletion being numbered here is the newest (Infinity) until it is; one stored with no number (an older
  // version of the app numbered none) is judged by its time, older than every range numbered since: before, it
  // was laid over every kept range, and the record put back since (the assistant's Undo) was hidden offline.
  const read = outbox.started().then(() => {
    for (const [id, a] of outbox.savedAnswers()) {
      const seq = a.seq ?? (a.record === null && storing(id) ? Infinity : undefined);
      if (!saved.has(id) && (a.record === null || 'starts_at' in a.record)) saved.set(id, { n: 0, record: a.record && stillChanged(a.record, tz), kept: true, listed: listedLive, seq, ev: a.ev, at: Date.parse(a.at) || 0 });
    }
  });
  const records = (pick) => new Map([...saved].filter(([id, x]) => pick(id, x)).map(([id, x]) => [id, x.record]));
  const holds = (occurrences, id, x) => occurrences.some((o) => o.id === id && o.version >= x.record.version);
  // A deletion is known at once, the newest (Infinity) until the outbox numbers it (outbox-answers.js remember).
  const numbered = (id, x) => {
    if (x.record !== null || x.seq !== Infinity) return x;
    const a = outbox.savedAnswers().get(id);
    return a?.record === null && a.seq != null ? { ...x, seq: a.seq } : x;
  };
  return {
    /** Resolves once the answers of before the page opened are here (laid over kept ranges, not online). */
    read,
    get: (id) => saved.get(id),
    /** How many answers this page heard so far (for listed). */
    mark: () => n,
    /** The outbox's answer to a write (ev: its 'record' event, ev.record defined). */
    heard(ev) {
      // Deleted stays deleted, unless the outbox took this answer (a write made since the record came back).
      if (ev.record && saved.get(ev.id)?.record === null && outbox.savedAnswers().get(ev.id)?.record?.version !== ev.record.version) return;
      // Its order: the outbox's, kept before it told (remember), when it is this answer.
      const a = outbox.savedAnswers().get(ev.id);
      const seq = a && (a.record === null ? ev.record === null : a.record?.version === ev.record?.version) ? a.seq ?? Infinity : Infinity;
      // A change's answer has no changed occurrences: the series keeps those it had.
      saved.set(ev.id, { n: ++n, seq, at: Date.now(), record: ev.record && stillChanged({ overrides: ev.op.base?.overrides, ...(ev.op.base?.partial ? { partial: true } : {}), ...ev.record }, tz) });
    },
    /** Event id deleted elsewhere, heard now (seq: its event's): an answer kept or on its way (older) must not bring it back. */
    gone(id, seq) {
      const x = saved.get(id);
      if (x?.record === null) { if (x.ev == null) saved.set(id, { ...x, ev: seq }); return; }
      if (saved.has(id) || outbox.waiting().some((o) => o.record === id) || outbox.savedAnswers().get(id)?.record) outbox.heardGone(id);
      saved.set(id, { n: ++n, seq: Infinity, ev: seq, at: Date.now(), record: null });
    },
    /** Event id was created or changed (its event's seq after the deletion's: ids are reused, the assistant's Undo): not deleted. */
    back(id, seq) {
      if (backSince(saved.get(id), seq)) saved.delete(id);
    },
    /**
     * A listing read from the server (occurrences; seq: its number in the device's order) began when mark() was mark:
     * what came before is in it; a deletion heard before it whose event it shows is undone (the record came back).
     */
    listed(mark, occurrences = [], seq = undefined) {
      const shown = new Set(occurrences.map((o) => o.id));
      for (const [id, x] of saved) {
        if (x.record === null && x.n <= mark && shown.has(id)) { saved.delete(id); continue; }
        if (x.n <= mark && !x.listed) saved.set(id, { ...x, n: 0, kept: true, listed: true });
      }
      outbox.shownAgain(shown, seq); // the outbox's too, heard or not (a deletion stored before its event)
      listedLive = true;
    },
    /** Those to lay over occurrences, a listing read from the server: heard since it began, or from before the page opened and newer than it. */
    overListing: (occurrences) => records((id, x) => !x.kept || (!x.listed && (!x.record || !holds(occurrences, id, x)))),
    /** Those to lay over kept ranges as a whole: heard since the last listing read from the server (newer than every range kept). */
    heardSince: () => records((id, x) => !x.kept),
    /** Those to lay over the kept range ({seq, at, occurrences}): a deletion or an answer it lacks, that came after its read began. */
    over: (range) => records((id, x) => x.kept && after(numbered(id, x), range) && (x.record === null || !holds(range.occurrences, id, x))),
  };
}
