// The items of the open shopping list: sections per category, rows keyed
// by item id and patched in place, tick, edit, delete (with Undo). Every
// change goes through the outbox (outbox.js) with the version the row
// shows; a row with a write waiting says "waiting to sync" (or "saving…"
// while it is on its way).
import { field, formValues, h, reconcile, setChildren } from '../dom.js';
import { currentLang, has, t } from '../i18n.js';
import * as outbox from '../outbox.js';
import { openDialog } from './dialog.js';
import { goneElsewhere, handOff, keepKeyboard, settler } from './settle.js';

/** A category as shown: the default categories (stored in English) in the user's language, others as named. */
export function categoryLabel(name) {
  const key = `category.${name}`;
  return has(key) ? t(key) : name;
}

// The keys of the two groups that are no category (a category's name is
// never empty, so they cannot clash with one).
const NONE = '\u0000none';
const UNSORTED = '\u0000unsorted';

/**
 * addItem(app, listId, item) puts the add of item ({id, name, quantity?,
 * note?, category?}: a category only when a person chose it) in the
 * outbox; it resolves to the outbox's {result}.
 */
export function addItem(app, listId, item) {
  return outbox.enqueue({ kind: 'item.add', method: 'POST', path: `/api/shopping/lists/${listId}/items`,
    body: item, record: item.id, list: listId, base: null, label: item.name, seq: app.seq() });
}

/**
 * itemsView(app, {getCategories, onSettled}) → {el, render(items, categories,
 * emptyText, all), settling(id), deletedElsewhere(id), destroy()}. items
 * are as shown (outbox.js overlay: with pending marks), all the list's
 * items, shown or hidden (by default items); render answers the
 * names of the items' categories that are not among categories.
 * settling(id) is true while a row this device ticked keeps its place
 * (settle.js); onSettled is called when those rows may move, to render
 * again. deletedElsewhere(id) tells of item id deleted by another device:
 * when its row had the focus, the page says so (goneElsewhere).
 */
export function itemsView(app, { getCategories, onSettled }) {
  const el = h('div.items-region');
  // The line saying the list is empty, or all ticked with "Hide ticked":
  // the focus goes to it when the last row a keyboard user ticked goes
  // (settle.js), its category section with it.
  const empty = h('p.muted.empty', { dataset: { empty: '' } });
  const sections = h('div.sections');
  el.append(empty, sections);
  const current = new Map(); // id → the item as shown now: writes start from it
  // Rows ticked here keep their place (and stay shown with "Hide ticked")
  // until the ticking pauses (settle.js).
  const settling = settler(() => onSettled?.());
  // Items another device deleted, until a draw no longer shows them (the
  // list is read again after the event): id → {deleted} (settle.js).
  const elsewhere = new Map();

  function render(items, categories, emptyText, all = items) {
    current.clear();
    for (const it of items) current.set(it.id, it);
    empty.hidden = items.length > 0 || !emptyText;
    empty.textContent = emptyText || '';
    // The store's categories in their order; then the items of a category
    // the device has not loaded (the categories failed to load and no copy
    // is kept, or one was made elsewhere since they were read), each under
    // its own name saying so, by name: not "Not sorted yet", which is for
    // what the categoriser has yet to file; then the items a person filed
    // under no category (their choice: the categoriser leaves them), then
    // those the categoriser has yet to file (they move as it does: at the
    // end, so nothing above them shifts). A group keeps its key (the
    // category's name) when the categories load: it moves into place.
    const order = new Map(categories.map((c, i) => [c.name, i]));
    const groups = new Map();
    const unknown = [];
    for (const it of items) {
      const cat = it.category ? it.category : it.category_source === 'user' ? NONE : UNSORTED;
      if (it.category && !order.has(cat) && !unknown.includes(cat)) unknown.push(cat);
      if (!groups.has(cat)) groups.set(cat, []);
      groups.get(cat).push(it);
    }
    unknown.sort((a, b) => categoryLabel(a).localeCompare(categoryLabel(b), currentLang()));
    const rank = (name) => order.get(name) ?? (name === NONE ? 2e9 : name === UNSORTED ? 2e9 + 1 : 1e9 + unknown.indexOf(name));
    const list = [...groups].map(([name, its]) => ({ name, items: its })).sort((a, b) => rank(a.name) - rank(b.name));
    const placed = (it) => Number(settling.placed(it.id, it.checked));
    for (const g of list) g.items.sort((a, b) => placed(a) - placed(b) || a.position - b.position);
    // A focused row that leaves (ticked with "Hide ticked", deleted
    // elsewhere) hands the focus on, at whichever draw it leaves (settle.js).
    keepKeyboard(() => reconcile(sections, list, {
      key: (g) => g.name,
      build: (g) => {
        const hid = `cat-${({ [NONE]: 'none', [UNSORTED]: 'unsorted' }[g.name] ?? g.name).replace(/\W+/g, '-')}`;
        return h('section.category', { 'aria-labelledby': hid }, h('h3', { id: hid }), h('ul.items'));
      },
      update: (sec, g) => {
        const notLoaded = unknown.includes(g.name);
        sec.classList.toggle('not-loaded', notLoaded);
        sec.querySelector('h3').textContent = g.name === NONE ? t('shopping.noCategoryGroup')
          : g.name === UNSORTED ? t('shopping.unsorted')
            : notLoaded ? t('shopping.categoryNotLoaded', { name: categoryLabel(g.name) }) : categoryLabel(g.name);
        reconcile(sec.querySelector('ul'), g.items, { key: (it) => it.id, sig: sig, build: itemRow });
      },
    }), elsewhere, (id) => all.some((it) => it.id === id));
    for (const id of elsewhere.keys()) if (!current.has(id)) elsewhere.delete(id);
    return unknown;
  }

  const sig = (it) => JSON.stringify([it.name, it.quantity, it.note, it.checked, it.category, it.pending, currentLang()]);

  function itemRow(it) {
    const cbId = `tick-${it.id}`;
    const id = it.id;
    return h('li.item', { class: [it.checked ? 'checked' : '', it.pending ? 'pending' : ''].join(' ').trim() || null,
      'aria-busy': it.pending === 'saving' ? 'true' : null, dataset: it.pending ? { id, name: it.name, pending: it.pending } : { id, name: it.name } },
    h('label.tick', { for: cbId },
      h('input', { type: 'checkbox', id: cbId, checked: it.checked, dataset: { key: cbId }, onchange: (e) => tick(id, e.target) })),
    // The sync mark wraps below the name when both do not fit: beside it,
    // German's long mark left a phone's name column one letter wide.
    h('div.what', h('label.name', { for: cbId }, it.name, it.quantity ? h('span.qty', it.quantity) : null,
      it.note ? h('span.note', it.note) : null),
    it.pending ? h('span.sync-state', t(it.pending === 'saving' ? 'sync.rowSaving' : 'sync.rowWaiting')) : null),
    h('button.icon', { type: 'button', 'aria-label': t('shopping.editItem', { name: it.name }), dataset: { key: `edit-${id}` }, onclick: () => editItem(id) },
      h('span', { 'aria-hidden': 'true' }, '✎')),
    app.can('shopping_item.delete') ? h('button.icon.danger', { type: 'button', 'aria-label': t('shopping.deleteItem', { name: it.name }), dataset: { key: `del-${id}` }, onclick: () => deleteItem(id) },
      h('span', { 'aria-hidden': 'true' }, '✕')) : null);
  }

  /** Puts a change to item it in the outbox, made against the version shown. */
  function change(it, kind, method, body) {
    return outbox.enqueue({ kind, method, path: `/api/shopping/items/${it.id}`, body, record: it.id, list: it.list_id,
      base: it, label: it.name, seq: app.seq() }).catch((e) => app.failed(['fail.saveItem', { name: it.name }], e));
  }

  function tick(id, box) {
    const it = current.get(id);
    if (!it) return;
    box.closest('li')?.classList.toggle('checked', box.checked); // at once; the outbox re-renders
    settling.note(id, !box.checked);
    change(it, 'item.patch', 'PATCH', { checked: box.checked });
  }

  function editItem(id) {
    const it = current.get(id);
    if (!it) return;
    openDialog(t('shopping.editTitle', { name: it.name }), [
      field(t('shopping.item'), h('input', { name: 'name', value: it.name, required: true, maxlength: 200 })),
      field(t('shopping.quantity'), h('input', { name: 'quantity', value: it.quantity || '', maxlength: 50, autocapitalize: 'none', autocorrect: 'off' })),
      field(t('shopping.note'), h('input', { name: 'note', value: it.note || '', maxlength: 500 })),
      field(t('shopping.category'), setChildren(h('select', { name: 'category' }),
        h('option', { value: '', selected: !it.category }, t('shopping.noCategory')),
        getCategories().map((c) => h('option', { value: c.name, selected: c.name === it.category }, categoryLabel(c.name))),
        // A category the device has not loaded stays the item's unless changed.
        it.category && !getCategories().some((c) => c.name === it.category)
          ? h('option', { value: it.category, selected: true }, categoryLabel(it.category)) : null)),
    ], async (form) => {
      const v = formValues(form);
      const now = current.get(id) || it;
      const next = { name: v.name.trim(), quantity: v.quantity.trim() || null, note: v.note.trim() || null, category: v.category || null };
      // Only what the user changed is sent: a change made elsewhere to
      // another field stays (and cannot clash with this one).
      const body = Object.fromEntries(Object.entries(next).filter(([k, x]) => x !== (it[k] ?? null)));
      if (Object.keys(body).length) await change(now, 'item.patch', 'PATCH', body);
      return true;
    });
  }

  function deleteItem(id) {
    const it = current.get(id);
    if (!it) return;
    // Focus goes to the nearest row's tick box (handOff: the next in its
    // category, else the one before, else the next category's first), not to
    // the top of the page, nor to its delete button (a second Enter would
    // delete it too); with none left, to the add field. Before, the last row
    // of a category sent it to the add field at the top with rows below.
    const row = el.querySelector(`li.item[data-id="${CSS.escape(id)}"]`);
    const toRow = row ? handOff(row) : () => false;
    const hadFocus = row?.contains(document.activeElement);
    change(it, 'item.delete', 'DELETE', undefined);
    if (hadFocus && !toRow()) document.getElementById('item-name')?.focus();
    // A mis-tap in a shop costs nothing: Undo, for a while (shell.js notice).
    app.notice(t('shopping.deleted', { name: it.quantity ? `${it.name}, ${it.quantity}` : it.name }),
      { action: t('common.undo'), onAction: () => restore(it) });
  }

  /**
   * Puts a deleted item back through the outbox, after its delete (the
   * outbox keeps the order, also offline): a new item with a new id (the
   * old id is gone for good), the same name, quantity, note and list. The
   * category goes along only when a person chose it, "no category" too
   * (category_source "user" alone: the categoriser would file it
   * otherwise); one the categoriser filed is left to the categoriser again.
   */
  async function restore(it) {
    const item = { id: crypto.randomUUID(), name: it.name };
    if (it.quantity) item.quantity = it.quantity;
    if (it.note) item.note = it.note;
    if (it.category && it.category_source !== 'auto') item.category = it.category;
    else if (!it.category && it.category_source === 'user') item.category_source = 'user';
    const hadFocus = document.activeElement === document.getElementById('main');
    try {
      const { result } = await addItem(app, it.list_id, item);
      // The keyboard user who pressed Undo lands on the item again.
      if (hadFocus) el.querySelector(`li.item[data-id="${CSS.escape(item.id)}"] button.icon.danger`)?.focus();
      await result;
    } catch (e) {
      app.failed(['fail.addItem', { name: it.name }], e);
    }
  }

  const deletedElsewhere = (id) => goneElsewhere(elsewhere, id);
  return { el, render, settling: settling.has, deletedElsewhere, destroy: settling.stop };
}
