// Conflicts are shown, never silent: a write the server refused because
// the record changed (412) shows both versions in plain words, with "Keep
// mine" (send it again against the version stored) and "Keep theirs"; a
// write to a record someone deleted (404) says who deleted it, and the
// record stays deleted; a write refused for good (422 …) that took the
// later writes to its record with it says why, and sends those again only
// when asked. The notices live in IndexedDB (outbox.js), so a
// closed tab still shows them when it opens again.
import { h, reconcile } from './dom.js';
import { sayError } from './errors.js';
import { inMemory, onStorageFull, storageFull } from './idb.js';
import { fmtDate, fmtDateTime, t } from './i18n.js';
import { memberName } from './members.js';
import * as outbox from './outbox.js';
import { isOccurrenceOp, occurrenceOf } from './pending.js';

/** Who did it, by name: the event's actor among the family's members, else "Someone". */
function who(app, actor) {
  if (!actor) return t('sync.someone');
  return memberName(app, actor);
}

/** An event's time in words: its day (all-day), or its day and start. */
function when(app, rec) {
  if (!rec.starts_at) return null;
  if (rec.all_day) return fmtDate(rec.starts_at.slice(0, 10));
  return fmtDateTime(new Date(rec.starts_at), app.tz);
}

/** A record in words, naming what changed (fields) beyond its name: “oat milk, 1 l, ticked”. */
function describe(app, rec, fields = []) {
  if (!rec) return '';
  if ('starts_at' in rec) { // an event: “Dentist, 3 Dec 2026, 10:00, Dr Weber”
    const parts = [rec.title];
    if (fields.some((f) => ['starts_at', 'ends_at', 'all_day'].includes(f))) parts.push(when(app, rec));
    if (fields.includes('location') && rec.location) parts.push(rec.location);
    return parts.filter(Boolean).join(', ');
  }
  if ('title' in rec) {
    const parts = [rec.title];
    if (fields.includes('due_at') && rec.due_at) parts.push(fmtDateTime(new Date(rec.due_at), app.tz));
    if (fields.includes('completed_at')) parts.push(t(rec.completed_at ? 'sync.isDone' : 'sync.isOpen'));
    return parts.join(', ');
  }
  const parts = [rec.name];
  if (rec.quantity) parts.push(rec.quantity);
  if (fields.includes('note') && rec.note) parts.push(rec.note);
  if (fields.includes('checked')) parts.push(t(rec.checked ? 'sync.isTicked' : 'sync.isUnticked'));
  return parts.join(', ');
}

/** What the user's own write was, in words (an edit: as keep mine would leave the record). */
function mine(app, op, current) {
  switch (op.kind) {
    case 'item.patch': {
      const keys = Object.keys(op.body);
      if (keys.length === 1 && keys[0] === 'checked') return t(op.body.checked ? 'sync.mine.tick' : 'sync.mine.untick');
      return t('sync.mine.edit', { mine: describe(app, { ...(current || op.base), ...op.body }, keys) });
    }
    case 'event.patch': return t('sync.mine.edit', { mine: describe(app, { ...(current || op.base), ...op.body }, Object.keys(op.body)) });
    case 'event.occurrence.patch': return t('sync.mine.editOccurrence', { mine: describe(app, { ...occurrenceOf(current || op.base, op), ...op.body }, Object.keys(op.body)) });
    case 'event.occurrence.delete': return t('sync.mine.deleteOccurrence');
    case 'item.delete':
    case 'event.delete': return t('sync.mine.delete');
    case 'task.complete': return t('sync.mine.complete');
    case 'task.uncomplete': return t('sync.mine.uncomplete');
    default: return '';
  }
}

/** Whether a refused notice's writes not sent include a deletion (then they are not all "changes"). */
const isDeletion = (n) => n.ops.some((op) => /(^|\.)delete$/.test(op.kind));

function headline(app, n) {
  const first = n.ops[0] || {};
  const name = n.label || describe(app, first.base);
  // Why, from the error's code in the language in use (a notice kept from before says it as it was said then).
  if (n.kind === 'refused') return t('sync.refused', { name, why: n.error ? sayError(n.error) : n.why || '' });
  const whom = who(app, n.actor);
  if (n.kind === 'gone') {
    if (first.kind === 'item.add') return t('sync.listDeleted', { name });
    return t(n.offline ? 'sync.deletedOffline' : 'sync.deleted', { who: whom, name });
  }
  // One occurrence of a series: that occurrence, as it was and as it is.
  const one = first.base && isOccurrenceOp(first);
  const base = (one ? occurrenceOf(first.base, first) : first.base) || {};
  const theirs = one ? occurrenceOf(n.current, first) : n.current;
  return t(n.offline ? 'sync.changedOffline' : 'sync.changed', {
    who: whom, name: describe(app, base, n.fields), theirs: describe(app, theirs, n.fields),
  });
}

// answer runs the user's choice; focus goes to the next notice, or to the
// page, not to <body>.
async function answer(li, fn) {
  const next = li.nextElementSibling || li.previousElementSibling;
  await fn();
  const target = next?.isConnected ? next.querySelector('button') : null;
  (target || document.getElementById('main'))?.focus({ preventScroll: true });
}

function card(app, n) {
  const text = [headline(app, n)];
  if (n.kind === 'gone') {
    if (n.ops[0]?.kind !== 'item.add') text.push(t('sync.notSaved'));
  } else if (n.kind === 'refused') {
    // What was not sent, each said as the conflict notice says it: "Drop"
    // throws them away, so the user sees what goes; a deletion is one.
    const del = isDeletion(n) ? 'Delete' : '';
    text.push(t((n.current ? 'sync.othersNotSent' : 'sync.othersDropped') + del, { count: n.ops.length }));
    text.push(...n.ops.map((op) => mine(app, op, n.current)).filter(Boolean));
  } else {
    text.push(...n.ops.map((op) => mine(app, op, n.current)).filter(Boolean));
  }
  const on = (fn) => (e) => answer(e.currentTarget.closest('li'), fn);
  const actions = n.kind === 'stale'
    ? [h('button.primary', { type: 'button', onclick: on(() => outbox.keepMine(n)) }, t('sync.keepMine')),
      h('button', { type: 'button', onclick: on(() => outbox.dismiss(n.id)) }, t('sync.keepTheirs'))]
    : n.kind === 'refused' && n.current
      ? [h('button.primary', { type: 'button', onclick: on(() => outbox.sendOthers(n)) }, t(isDeletion(n) ? 'sync.sendOthersDelete' : 'sync.sendOthers', { count: n.ops.length })),
        h('button', { type: 'button', onclick: on(() => outbox.dismiss(n.id)) }, t('sync.dropOthers', { count: n.ops.length }))]
      : [h('button', { type: 'button', onclick: on(() => outbox.dismiss(n.id)) }, t('sync.ok'))];
  return h('li.conflict', { dataset: { kind: n.kind, record: n.record } },
    h('p', h('strong', text[0]), text.length > 1 ? ' ' + text.slice(1).join(' ') : null),
    h('div.banner-actions', actions));
}

/**
 * mountConflicts(app, el) shows the notices in el (a list under the
 * header) and keeps them current; returns {refresh()} for a language switch.
 */
export function mountConflicts(app, el) {
  // The device's storage is full (idb.js): said first, until a write is kept
  // again and nothing is held in this tab only.
  const full = h('p.storage-full', { role: 'alert', hidden: true });
  const ul = h('ul.conflicts');
  el.append(full, ul);
  let shown = [];
  async function refresh() {
    shown = (await outbox.notices()).sort((a, b) => a.at.localeCompare(b.at));
    // Writes held in this tab only (outbox-queue.js; all of them where
    // IndexedDB cannot be opened) go if the app is closed: said plainly.
    const held = outbox.heldCount();
    full.hidden = inMemory() ? !held : !storageFull() && !held;
    const say = inMemory() ? 'sync.noStorageHeld' : held ? 'sync.storageFullHeld' : 'sync.storageFull';
    full.textContent = full.hidden ? '' : t(say, { count: held });
    el.hidden = shown.length === 0 && full.hidden;
    reconcile(ul, shown, { key: (n) => n.id, build: (n) => card(app, n), sig: () => document.documentElement.lang });
  }
  outbox.onOutbox((ev) => { if (ev.type === 'changed' || ev.type === 'notice') refresh(); });
  onStorageFull(refresh);
  outbox.onHeld(refresh);
  refresh();
  return { refresh, get notices() { return shown; } };
}
