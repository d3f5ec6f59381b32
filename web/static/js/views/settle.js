// Rows a person ticks keep their place for a moment (shopping items,
// tasks). A ticked row moves (to the end of its group) or goes (ticked
// items hidden, a task done): at once, the next row slid under the finger
// and a quick second tap ticked the one below the one meant. Each row
// ticked here is placed as it was before until the ticking pauses for ms;
// then onSettled draws the list again. Every draw of such a list goes
// through keepKeyboard: a ticked row leaves at whichever draw comes first
// after the pause (the settle's, or the outbox's when the settle came
// before the tick was in the outbox), and the focus must follow it there.
import { t } from '../i18n.js';
import { announce } from '../shell.js';

/**
 * settler(onSettled, ms) → {note(id, before), has(id), placed(id, now), stop()}.
 * note records a tick of row id whose state before was before (the first
 * of a row's ticks counts); placed answers the state to place row id by.
 */
export function settler(onSettled, ms = 2000) {
  const before = new Map(); // id → its state before this device's first tick
  let timer = 0;
  return {
    note(id, was) {
      if (!before.has(id)) before.set(id, was);
      clearTimeout(timer);
      timer = setTimeout(() => { before.clear(); onSettled(); }, ms);
    },
    has: (id) => before.has(id),
    placed: (id, now) => (before.has(id) ? before.get(id) : now),
    stop: () => clearTimeout(timer),
  };
}

// elsewhere map (one per view) → the focused row that left at its view's
// last draw without a word because its id is gone from the view's data
// (not ticked away, snoozed or hidden): a read already on its way may show
// a delete made elsewhere before its event comes. Per view: it does not
// outlive the page.
const leftOf = new WeakMap();
const said = (row) => announce(t('sync.removedElsewhere', { name: row.dataset.name ?? row.querySelector('.title')?.textContent }));

// keepKeyboard(draw) draws; a focused row that leaves then (a done open
// task, a ticked item with "Hide ticked") hands the focus to the nearest
// row after it in its list that is still there, else before it, else to
// the rows of the other lists of its part of the page (a tasks section,
// [data-rows]; with none, all of <main>: the shopping list's categories),
// those after it first. A row takes it at its tick box, else at its first
// button (a task this member may not tick): skipped, the focus jumped past
// it. None left: to the part's line saying it is empty ([data-empty]: "All
// done", "Everything is ticked off"), else its section's heading, else the
// page's first button (Add). The keyboard user goes on from where they were. Before, the
// focus fell to the start of the page and a screen reader read from
// there; after the last open task it went to the heading, above "All
// done", which was never read. The views draw their rows through it every
// time (not only after the pause): when the pause ended before the outbox
// held the tick, the row left at the outbox's next draw and the focus fell
// to <body>.
//
// elsewhere (id → {deleted}) names the rows this draw changes because
// another device changed them (realtime events: not this device's own
// tick, snooze or delete). Such a row that moves (a task whose due day
// changed elsewhere, from Today to the other open tasks) keeps the focus
// in its new place, on the same control; before, the focus went to the
// next task as if this member had ticked it away. Such a row deleted
// (goneElsewhere) hands the focus on as above, and a polite live region
// (announce, shell.js; not the notice, whose Undo it would take away) says
// so: "“Milk” was removed on another device". Before, the focus moved
// without a word.
//
// has(id) answers whether the view's data still holds row id (shown or
// not): only a focused row gone from it is remembered for goneElsewhere.
export function keepKeyboard(draw, elsewhere = new Map(), has = () => false) {
  leftOf.delete(elsewhere);
  const row = document.activeElement?.closest?.('li[data-id]');
  const key = document.activeElement?.dataset?.key;
  const toRow = row ? handOff(row) : null;
  const page = row?.closest('main') ?? document;
  const part = row?.closest('[data-rows]') ?? page;
  const section = row?.closest('section');
  draw();
  if (!row || (document.activeElement && document.activeElement !== document.body)) return;
  const changed = elsewhere.get(row.dataset.id);
  if (changed?.deleted) said(row);
  else if (changed && follow(row, key)) return;
  else if (!has(row.dataset.id)) leftOf.set(elsewhere, row); // gone from the data, not ticked away
  if (toRow()) return;
  const empty = part.isConnected ? part.querySelector('[data-empty]:not([hidden])') : null;
  const heading = section?.isConnected ? section.querySelector('h2, h3') : null;
  for (const el of [empty, heading]) {
    if (!el) continue;
    if (!el.hasAttribute('tabindex')) el.tabIndex = -1;
    if (take(el)) return;
  }
  take(page.querySelector('.page-head button:not(:disabled)'));
}

/**
 * goneElsewhere(elsewhere, id) notes row id deleted on another device (a
 * view's map for keepKeyboard): the draw that takes the row away says so
 * if it has the focus. When a draw took the focused row away already (a
 * read on its way saw the delete first), it is said now.
 */
export function goneElsewhere(elsewhere, id) {
  if (leftOf.get(elsewhere)?.dataset.id === id) { said(leftOf.get(elsewhere)); leftOf.delete(elsewhere); return; }
  elsewhere.set(id, { deleted: true });
}

const take = (el) => { el?.focus({ preventScroll: true }); return !!el && document.activeElement === el; };

// control(r): where a row takes the focus: its tick box, else its first button.
const control = (r) => r.querySelector('input[type=checkbox]:not(:disabled)') ?? r.querySelector('button:not(:disabled), a[href]');

// follow(row, key) gives the focus to row's id drawn anew elsewhere on the
// page: to its control with data-key key (the one focused), else to its
// control; it answers whether one took it.
function follow(row, key) {
  const r = document.querySelector(`li[data-id="${CSS.escape(row.dataset.id)}"]`);
  if (!r || r === row) return false;
  const same = key ? r.querySelector(`[data-key="${CSS.escape(key)}"]`) : null;
  return take(same) || take(control(r));
}

/**
 * handOff(row) → toRow(): the rows to hand the focus to when row leaves,
 * read now, in keepKeyboard's order; toRow() gives it to the first of them
 * still there (not row) and answers whether one took it. A deleted item
 * hands it on at once (shopping-items.js): its delete button must not keep
 * it for a second Enter.
 */
export function handOff(row) {
  const near = [];
  for (let r = row.nextElementSibling; r; r = r.nextElementSibling) near.push(r.dataset.id);
  for (let r = row.previousElementSibling; r; r = r.previousElementSibling) near.push(r.dataset.id);
  const part = row.closest('[data-rows]') ?? row.closest('main') ?? document;
  const rows = [...part.querySelectorAll('li[data-id]')].filter((r) => r.parentElement !== row.parentElement);
  const after = rows.filter((r) => row.compareDocumentPosition(r) & Node.DOCUMENT_POSITION_FOLLOWING);
  const before = rows.filter((r) => row.compareDocumentPosition(r) & Node.DOCUMENT_POSITION_PRECEDING).reverse();
  near.push(...[...after, ...before].map((r) => r.dataset.id));
  return () => near.some((id) => {
    const r = id && document.querySelector(`li[data-id="${CSS.escape(id)}"]`);
    return !!r && r !== row && take(control(r));
  });
}
