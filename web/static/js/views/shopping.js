// Shopping: the family's lists; the open list's items grouped by category
// in store-walk order; add, tick, edit, delete.
import { del, get, patch, post } from '../api.js';
import { field, formValues, h } from '../dom.js';
import { openDialog } from './dialog.js';

export function view(app, main, listId) {
  let lists = [];
  let categories = [];
  let list = null; // the open list with items

  const tabs = h('nav.tabs', { 'aria-label': 'Shopping lists' });
  const body = h('div.list-body');
  const title = h('h1', 'Shopping');

  const newListForm = h('form.inline', {
    async onsubmit(e) {
      e.preventDefault();
      const name = newListForm.elements.name.value.trim();
      if (!name) return;
      const created = await app.write('create the list', () => post('/api/shopping/lists', { name }));
      if (created) {
        newListForm.reset();
        app.go(`/shopping/${created.id}`);
      }
    },
  },
  h('label.visually-hidden', { for: 'new-list-name' }, 'New list name'),
  h('input#new-list-name', { name: 'name', placeholder: 'New list…', maxlength: 200, autocomplete: 'off' }),
  h('button', { type: 'submit' }, 'Add list'));

  main.append(h('div.page-head', title), tabs, body, h('details.more', h('summary', 'New list'), newListForm));

  const categoryOptions = (selected) => [
    h('option', { value: '', selected: !selected }, 'Auto'),
    categories.map((c) => h('option', { value: c.name, selected: c.name === selected }, c.name)),
  ];

  const addForm = h('form.add-item', {
    async onsubmit(e) {
      e.preventDefault();
      const v = formValues(addForm);
      if (!v.name.trim() || !list) return;
      const item = { name: v.name };
      if (v.quantity.trim()) item.quantity = v.quantity;
      if (v.category) item.category = v.category;
      const id = list.id;
      const done = await app.write(`add "${v.name.trim()}"`, () => post(`/api/shopping/lists/${id}/items`, item));
      if (done) {
        addForm.elements.name.value = '';
        addForm.elements.quantity.value = '';
        addForm.elements.name.focus();
        loadItems();
      }
    },
  });

  function renderTabs() {
    tabs.replaceChildren(...lists.map((l) => h('a', {
      href: `/shopping/${l.id}`, 'aria-current': list && l.id === list.id ? 'page' : null,
    }, l.name)));
  }

  function renderAddForm() {
    const cur = addForm.elements.category?.value || '';
    addForm.replaceChildren(
      h('div.field.grow', h('label', { for: 'item-name' }, 'Item'), h('input#item-name', { name: 'name', required: true, maxlength: 200, autocomplete: 'off', placeholder: 'e.g. milk' })),
      h('div.field.qty', h('label', { for: 'item-qty' }, 'Quantity'), h('input#item-qty', { name: 'quantity', maxlength: 50, autocomplete: 'off', placeholder: '2 l' })),
      h('div.field', h('label', { for: 'item-cat' }, 'Category'), h('select#item-cat', { name: 'category' }, categoryOptions(cur))),
      h('button.primary', { type: 'submit' }, 'Add'));
  }

  function renderItems() {
    if (!list) {
      body.replaceChildren(lists.length ? h('p.muted', 'Pick a list.')
        : h('div.empty', h('p', 'No shopping lists yet.'), h('p', 'Create one below: "Weekly" is a good start.')));
      return;
    }
    const focusKey = document.activeElement?.dataset?.key;
    const groups = new Map(categories.map((c) => [c.name, []]));
    const unsorted = [];
    for (const it of list.items) {
      (it.category && groups.has(it.category) ? groups.get(it.category) : unsorted).push(it);
    }
    const sections = [];
    const section = (name, items) => {
      if (!items.length) return;
      items.sort((a, b) => Number(a.checked) - Number(b.checked) || a.position - b.position);
      const hid = `cat-${name.replace(/\W+/g, '-')}`;
      sections.push(h('section.category', { 'aria-labelledby': hid },
        h('h3', { id: hid }, name),
        h('ul.items', items.map(itemRow))));
    };
    for (const [name, items] of groups) section(name, items);
    section('not sorted yet', unsorted);
    const open = list.items.filter((i) => !i.checked).length;
    body.replaceChildren(
      h('div.list-head',
        h('h2', list.name),
        h('span.muted.count', `${open} to get`),
        h('button.small', { type: 'button', onclick: renameList }, 'Rename'),
        h('button.small.danger', { type: 'button', onclick: deleteList, 'aria-label': `Delete the list ${list.name}` }, 'Delete')),
      addForm,
      ...(list.items.length ? sections : [h('p.muted.empty', 'Nothing on this list yet.')]));
    if (focusKey) body.querySelector(`[data-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  function itemRow(it) {
    const cbId = `tick-${it.id}`;
    return h('li.item', { class: it.checked ? 'checked' : '', dataset: { id: it.id, name: it.name } },
      h('input', {
        type: 'checkbox', id: cbId, checked: it.checked, dataset: { key: `tick-${it.id}` },
        onchange: (e) => tick(it, e.target.checked),
      }),
      h('label.name', { for: cbId }, it.name, it.quantity ? h('span.qty', it.quantity) : null,
        it.note ? h('span.note', it.note) : null),
      h('button.icon', { type: 'button', 'aria-label': `Edit ${it.name}`, dataset: { key: `edit-${it.id}` }, onclick: () => editItem(it) }, '✎'),
      h('button.icon.danger', { type: 'button', 'aria-label': `Delete ${it.name}`, onclick: () => deleteItem(it) }, '✕'));
  }

  async function tick(it, checked) {
    const ok = await app.write(`${checked ? 'tick' : 'untick'} "${it.name}"`, () => patch(`/api/shopping/items/${it.id}`, { checked }));
    if (!ok) renderItems(); // put the checkbox back the way the server has it
    loadItems();
  }

  function editItem(it) {
    openDialog(`Edit ${it.name}`, [
      field('Name', h('input', { name: 'name', value: it.name, required: true, maxlength: 200 })),
      field('Quantity', h('input', { name: 'quantity', value: it.quantity || '', maxlength: 50 })),
      field('Note', h('input', { name: 'note', value: it.note || '', maxlength: 500 })),
      field('Category', h('select', { name: 'category' },
        h('option', { value: '', selected: !it.category }, 'None'),
        categories.map((c) => h('option', { value: c.name, selected: c.name === it.category }, c.name)))),
    ], async (form) => {
      const v = formValues(form);
      const ok = await app.write(`save "${v.name}"`, () => patch(`/api/shopping/items/${it.id}`, {
        name: v.name, quantity: v.quantity.trim() || null, note: v.note.trim() || null, category: v.category || null,
      }));
      if (ok) loadItems();
      return !!ok;
    });
  }

  async function deleteItem(it) {
    const ok = await app.write(`delete "${it.name}"`, async () => { await del(`/api/shopping/items/${it.id}`); return true; });
    if (ok) loadItems();
  }

  function renameList() {
    openDialog('Rename list', [field('Name', h('input', { name: 'name', value: list.name, required: true, maxlength: 200 }))], async (form) => {
      const name = form.elements.name.value;
      const ok = await app.write('rename the list', () => patch(`/api/shopping/lists/${list.id}`, { name }));
      if (ok) loadLists();
      return !!ok;
    });
  }

  async function deleteList() {
    if (!confirm(`Delete the list "${list.name}" and its items?`)) return;
    const ok = await app.write('delete the list', async () => { await del(`/api/shopping/lists/${list.id}`); return true; });
    if (ok) app.go('/shopping', { replace: true });
  }

  const loadLists = app.loader(async () => {
    [lists, categories] = await Promise.all([get('/api/shopping/lists'), categories.length ? categories : get('/api/shopping/categories')]);
    if (!listId && lists.length) {
      listId = lists[0].id;
      history.replaceState(null, '', `/shopping/${listId}`);
    }
    if (listId && !lists.some((l) => l.id === listId)) {
      list = null;
      listId = lists[0]?.id;
      if (listId) history.replaceState(null, '', `/shopping/${listId}`);
    }
    if (!addForm.elements.length) renderAddForm();
    await loadItems();
  });

  const loadItems = app.loader(async () => {
    if (!listId) { list = null; renderTabs(); renderItems(); return; }
    try {
      list = await get(`/api/shopping/lists/${listId}`);
    } catch (e) {
      if (e.status !== 404) throw e;
      list = null;
    }
    renderTabs();
    renderItems();
  });

  return {
    topics: ['shopping'],
    reload: loadLists,
    onEvent(ev) {
      if (ev.type === 'SHOPPING_ITEM_UPDATED' && ev.list_id === listId) loadItems();
      else if (ev.type === 'SHOPPING_LIST_UPDATED') loadLists();
    },
  };
}
