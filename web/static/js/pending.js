// What waiting writes mean for what the device shows, and when a change
// made elsewhere clashes with one. Plain functions over records and the
// outbox's ops (outbox.js); no DOM, no storage.

const blank = (v) => (v === '' || v === undefined ? null : v);
const same = (a, b) => blank(a) === blank(b);

/** The fields a write depends on: changed elsewhere, they make it a conflict. */
function watched(op) {
  switch (op.kind) {
    case 'item.patch': return [...new Set(['name', 'quantity', 'note', ...Object.keys(op.body || {})])];
    case 'item.delete': return ['name', 'quantity', 'note'];
    case 'task.complete':
    case 'task.uncomplete': return ['title', 'due_at', 'completed_at'];
    default: return [];
  }
}

/** Whether the record already is as op wants it. */
function satisfied(op, cur) {
  switch (op.kind) {
    case 'item.patch': return Object.entries(op.body || {}).every(([k, v]) => same(cur[k], v));
    case 'task.complete': return !!cur.completed_at;
    case 'task.uncomplete': return !cur.completed_at;
    default: return false;
  }
}

/**
 * judge(op, current) decides a 412: {is: 'done'} (the record already is as
 * op wants), {is: 'rebase'} (what changed elsewhere does not touch op:
 * send it again against current's version) or {is: 'conflict', fields}
 * (the fields someone else changed that op depends on).
 */
export function judge(op, current) {
  if (satisfied(op, current)) return { is: 'done' };
  const base = op.base || {};
  const fields = watched(op).filter((k) => k in current && !same(base[k], current[k]));
  return fields.length ? { is: 'conflict', fields } : { is: 'rebase' };
}

/** The state a write leaves a record in (null: deleted). */
function apply(rec, op) {
  switch (op.kind) {
    // A category sent with an add or a change is a person's choice (the
    // server files it as category_source 'user').
    case 'item.add': return rec || { list_id: op.list, ...op.body, category_source: op.body?.category ? 'user' : null, checked: false, position: 1e9 };
    case 'item.patch': return rec && { ...rec, ...op.body, ...(op.body && 'category' in op.body ? { category_source: 'user' } : {}) };
    case 'item.delete': return null;
    case 'task.complete': return rec && { ...rec, completed_at: rec.completed_at || op.at };
    case 'task.uncomplete': return rec && { ...rec, completed_at: null };
    default: return rec;
  }
}

/**
 * overlay(records, ops, {belongs, sending}) returns records as they will
 * be once the waiting writes are saved: each op applied in order, in
 * place, new records (creates that belong here) at the end. A record with
 * writes waiting carries pending: 'saving' (one is on its way) or 'waiting'.
 */
export function overlay(records, ops, { belongs = () => true, sending = () => false } = {}) {
  const byId = new Map(records.map((r) => [r.id, r]));
  const order = records.map((r) => r.id);
  const marks = new Map();
  for (const op of ops) {
    const had = byId.has(op.record);
    if (!had && !(op.kind.endsWith('.add') && belongs(op))) continue;
    const next = apply(byId.get(op.record) ?? null, op);
    if (!had) order.push(op.record);
    byId.set(op.record, next);
    if (marks.get(op.record) !== 'saving') marks.set(op.record, sending(op.id) ? 'saving' : 'waiting');
  }
  const out = [];
  for (const id of order) {
    const r = byId.get(id);
    if (r) out.push(marks.has(id) ? { ...r, pending: marks.get(id) } : r);
  }
  return out;
}
