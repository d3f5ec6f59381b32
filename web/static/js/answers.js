// What a view learned of its records while a read was on its way: the
// server's answers to this device's writes (and deletes it was told of),
// numbered as they come. A read may have been answered by the server
// before a write was saved and reach the page after the write's answer: it
// must not take the record back (an item just added would vanish, a task
// just completed would look open, until the next read). A view takes a
// mark when it starts a read and merges what came since into what the read
// brings: the newer version wins, a delete stays deleted, a record the
// read lacks is older than its add. Until the record comes back with its
// id (the assistant's Undo): a create or change heard after the
// deletion's event undoes it (back), as on the calendar, and the answers
// to the device's later writes of it show again; so does a read from the
// server, begun after the deletion, that shows the record (the page's
// deletion and the outbox's: outbox.shownAgain, the calendar's rule too),
// which also covers a deletion stored before its event came. Used by the
// shopping and tasks views; cache.refresh does not keep such a read over
// the device's copy, the merge is kept instead.
import * as cache from './cache.js';
import { backSince, shownAgain } from './outbox-answers.js';
import { next as nextOrder } from './order.js';

/** One per view: note() each answer, reading() or readingOne() when a read starts. */
export function answers() {
  let n = 0;
  const byId = new Map(); // record id → {n, group, record (null: deleted), ev (a deletion's event's seq, when heard)}

  // The state to show of a record: read (null: not there) or a, noted later.
  const newer = (read, a) => {
    if (a.record === null) return null;
    return read && read.version >= a.record.version ? read : a.record;
  };

  /** Whether record id was deleted (an answer or an event) and not heard back since: a later answer is older. */
  const gone = (id) => byId.get(id)?.record === null;

  return {
    /** The server's state of record id (null: deleted); group is what it belongs to (a list's id); ev: a deletion's event's seq. */
    note(id, record, group, ev) {
      if (record && gone(id)) return;
      byId.set(id, { n: ++n, group, record, ev: record === null ? ev ?? byId.get(id)?.ev : undefined }); // an answer after the event keeps its seq
    },
    gone,
    /** Record id was created or changed (an event, its seq): a deletion heard before it is undone (ids are reused). */
    back(id, seq) { if (backSince(byId.get(id), seq)) byId.delete(id); },

    /**
     * A read of key starts: answers a function that takes what it brings
     * (data[field] holds the records of group; at: when the read of data
     * began, cache.fresh's at; live: it came from the server, not the kept
     * copy) and gives it with what came since; when anything came, that is
     * what the device keeps under key (unless a read that began later was
     * kept meanwhile: cache.keep). A live read undoes the deletions from
     * before it of the records it shows (shownAgain).
     */
    reading(key, field, group) {
      const from = n;
      const seq = nextOrder(); // the read's place in the device's order, for the outbox's deletions
      seq.catch(() => {});
      return (data, at, live = false) => {
        if (data && live) {
          for (const x of data[field]) if (byId.get(x.id)?.record === null && byId.get(x.id).n <= from) byId.delete(x.id);
          seq.then((s) => shownAgain(data[field].map((x) => x.id), s), () => {});
        }
        if (!data || n === from) return data;
        const seen = new Set();
        let changed = false;
        const out = [];
        for (const x of data[field]) {
          seen.add(x.id);
          const a = byId.get(x.id);
          const y = a && a.n > from && a.group === group ? newer(x, a) : x;
          if (y !== x) changed = true;
          if (y) out.push(y);
        }
        for (const [id, a] of byId) {
          if (a.n > from && a.group === group && a.record && !seen.has(id)) { out.push(a.record); changed = true; }
        }
        const merged = changed ? { ...data, [field]: out } : data;
        cache.keep(key, merged, { synced: false, read: at });
        return merged;
      };
    },

    /** A read of record id starts: answers a function from what it brings (null: not found) to what to show. */
    readingOne(id) {
      const from = n;
      return (read) => {
        const a = byId.get(id);
        return a && a.n > from ? newer(read, a) : read;
      };
    },
  };
}
