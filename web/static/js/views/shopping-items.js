// The items of the open shopping list: sections per category, rows keyed
// by item id and patched in place, tick, edit, delete.
import { del, patch } from '../api.js';
import { field, formValues, h, reconcile, setChildren } from '../dom.js';
import { currentLang, has, t } from '../i18n.js';
import { openDialog } from './dialog.js';

/** A category as shown: the default categories (stored in English) in the user's language, others as named. */
export function categoryLabel(name) {
  const key = `category.${name}`;
  return has(key) ? t(key) : name;
}

/**
 * itemsView(app, {onChanged, getCategories}) → {el, render(items, categories, emptyText)}.
 * onChanged(item?, {local}) runs after a write, with the item as the server
 * returned it (local: as it will be, before the server answered).
 */
export function itemsView(app, { onChanged, getCategories }) {
  const el = h('div.items-region');
  const empty = h('p.muted.empty');
  const sections = h('div.sections');
  el.append(empty, sections);

  function render(items, categories, emptyText) {
    empty.hidden = items.length > 0 || !emptyText;
    empty.textContent = emptyText || '';
    const order = new Map(categories.map((c, i) => [c.name, i]));
    const groups = new Map();
    for (const it of items) {
      const cat = it.category && order.has(it.category) ? it.category : '';
      if (!groups.has(cat)) groups.set(cat, []);
      groups.get(cat).push(it);
    }
    const list = [...groups].map(([name, its]) => ({ name, items: its }))
      .sort((a, b) => (a.name === '' ? 1e9 : order.get(a.name)) - (b.name === '' ? 1e9 : order.get(b.name)));
    for (const g of list) g.items.sort((a, b) => Number(a.checked) - Number(b.checked) || a.position - b.position);
    reconcile(sections, list, {
      key: (g) => g.name || '\u0000unsorted',
      build: (g) => {
        const hid = `cat-${(g.name || 'unsorted').replace(/\W+/g, '-')}`;
        return h('section.category', { 'aria-labelledby': hid }, h('h3', { id: hid }), h('ul.items'));
      },
      update: (sec, g) => {
        sec.querySelector('h3').textContent = g.name ? categoryLabel(g.name) : t('shopping.unsorted');
        reconcile(sec.querySelector('ul'), g.items, { key: (it) => it.id, sig: sig, build: itemRow });
      },
    });
  }

  const sig = (it) => JSON.stringify([it.name, it.quantity, it.note, it.checked, it.category, currentLang()]);

  function itemRow(it) {
    const cbId = `tick-${it.id}`;
    return h('li.item', { class: it.checked ? 'checked' : '', dataset: { id: it.id, name: it.name } },
      h('label.tick', { for: cbId },
        h('input', { type: 'checkbox', id: cbId, checked: it.checked, dataset: { key: cbId }, onchange: (e) => tick(it, e.target) })),
      h('label.name', { for: cbId }, it.name, it.quantity ? h('span.qty', it.quantity) : null,
        it.note ? h('span.note', it.note) : null),
      h('button.icon', { type: 'button', 'aria-label': t('shopping.editItem', { name: it.name }), dataset: { key: `edit-${it.id}` }, onclick: () => editItem(it) },
        h('span', { 'aria-hidden': 'true' }, '✎')),
      app.can('shopping_item.delete') ? h('button.icon.danger', { type: 'button', 'aria-label': t('shopping.deleteItem', { name: it.name }), dataset: { key: `del-${it.id}` }, onclick: () => deleteItem(it) },
        h('span', { 'aria-hidden': 'true' }, '✕')) : null);
  }

  async function tick(it, box) {
    const checked = box.checked;
    box.closest('li')?.classList.toggle('checked', checked);
    onChanged({ ...it, checked }, { local: true }); // counts and order follow at once
    const saved = await app.write(t(checked ? 'fail.tick' : 'fail.untick', { name: it.name }),
      () => patch(`/api/shopping/items/${it.id}`, { checked }));
    // On failure the checkbox goes back the way the server has it.
    onChanged(saved || { ...it, checked: !checked });
  }

  function editItem(it) {
    openDialog(t('shopping.editTitle', { name: it.name }), [
      field(t('shopping.item'), h('input', { name: 'name', value: it.name, required: true, maxlength: 200 })),
      field(t('shopping.quantity'), h('input', { name: 'quantity', value: it.quantity || '', maxlength: 50 })),
      field(t('shopping.note'), h('input', { name: 'note', value: it.note || '', maxlength: 500 })),
      field(t('shopping.category'), setChildren(h('select', { name: 'category' }),
        h('option', { value: '', selected: !it.category }, t('shopping.noCategory')),
        getCategories().map((c) => h('option', { value: c.name, selected: c.name === it.category }, categoryLabel(c.name))))),
    ], async (form) => {
      const v = formValues(form);
      const saved = await app.write(t('fail.saveItem', { name: v.name }), () => patch(`/api/shopping/items/${it.id}`, {
        name: v.name, quantity: v.quantity.trim() || null, note: v.note.trim() || null, category: v.category || null,
      }));
      if (saved) onChanged(saved);
      return !!saved;
    });
  }

  async function deleteItem(it) {
    const ok = await app.write(t('fail.deleteItem', { name: it.name }), async () => {
      try { await del(`/api/shopping/items/${it.id}`); } catch (e) { if (e.status !== 404) throw e; }
      return true;
    });
    if (!ok) return;
    // Focus goes to the neighbouring row, not to the top of the page.
    const row = el.querySelector(`li.item[data-id="${CSS.escape(it.id)}"]`);
    const next = row?.nextElementSibling || row?.previousElementSibling;
    const hadFocus = row?.contains(document.activeElement);
    row?.remove();
    if (hadFocus) (next?.querySelector('button.icon.danger') || document.getElementById('item-name'))?.focus();
    onChanged();
  }

  return { el, render };
}
