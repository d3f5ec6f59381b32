// Shopping: the family's lists (switcher with "new list"), the open list's
// items grouped by category in store-walk order (shopping-items.js), the
// add form (never re-rendered, so typing survives every change), hide and
// clear ticked items (POST /api/shopping/lists/{id}/clear-checked).
import { del, get, patch, post } from '../api.js';
import { field, h, loading, setChildren } from '../dom.js';
import { t } from '../i18n.js';
import { ask, confirmDelete, openDialog } from './dialog.js';
import { categoryLabel, itemsView } from './shopping-items.js';

const HIDE_KEY = 'familyhub.shopping.hideChecked';
const hideStored = () => { try { return localStorage.getItem(HIDE_KEY) === '1'; } catch { return false; } };

export function view(app, main, listId) {
  let lists = [];
  let categories = [];
  let list = null; // the open list with items
  let hideChecked = hideStored();

  const tabs = h('nav.tabs', { 'aria-label': t('shopping.lists') });
  const body = h('div.list-body', loading());
  main.append(h('div.page-head', h('h1', t('shopping.title'))), tabs, body);

  // --- the list head: name, count, tools ---
  const nameEl = h('h2');
  const countEl = h('span.muted.count', { role: 'status' });
  const hideBtn = h('button.small', { type: 'button', 'aria-pressed': String(hideChecked), onclick: toggleHide });
  const clearBtn = h('button.small', { type: 'button', onclick: clearChecked });
  const head = h('div.list-head', nameEl, countEl);
  // Only what the person's role allows (a child adds, ticks and edits items).
  const tools = h('div.list-tools', hideBtn, app.can('shopping_item.delete') ? clearBtn : null,
    app.can('shopping_list.update') ? h('button.small', { type: 'button', onclick: renameList }, t('shopping.rename')) : null,
    app.can('shopping_list.delete') ? h('button.small.danger', { type: 'button', onclick: deleteList }, t('shopping.deleteList')) : null);

  // --- the add form ---
  const nameIn = h('input#item-name', { name: 'name', required: true, maxlength: 200, autocomplete: 'off', placeholder: t('shopping.itemExample') });
  const qtyIn = h('input#item-qty', { name: 'quantity', maxlength: 50, autocomplete: 'off', placeholder: t('shopping.qtyExample') });
  const catSel = h('select#item-cat', { name: 'category' });
  const addBtn = h('button.primary', { type: 'submit' }, t('shopping.add'));
  const addForm = h('form.add-item', { onsubmit: addItem },
    h('div.field.grow', h('label', { for: 'item-name' }, t('shopping.item')), nameIn),
    h('div.field.qty', h('label', { for: 'item-qty' }, t('shopping.quantity')), qtyIn),
    h('div.field', h('label', { for: 'item-cat' }, t('shopping.category')), catSel),
    addBtn);

  const items = itemsView(app, {
    onChanged: (saved, { local = false } = {}) => {
      const i = saved && list ? list.items.findIndex((x) => x.id === saved.id) : -1;
      if (i >= 0) { list.items[i] = saved; renderItems(); }
      if (!local) loadItems();
    },
    getCategories: () => categories,
  });
  const hiddenNote = h('p.muted.hidden-note');

  function fillCategories() {
    setChildren(catSel, h('option', { value: '' }, t('shopping.autoCategory')),
      categories.map((c) => h('option', { value: c.name }, categoryLabel(c.name))));
    catSel.value = '';
  }

  // Adds on their way, by list, name and quantity: a double tap sends one,
  // while the next item may be added before the last one is saved.
  const inFlight = new Set();
  async function addItem(e) {
    e.preventDefault();
    const name = nameIn.value.trim();
    if (!name || !list) return;
    const item = { name };
    if (qtyIn.value.trim()) item.quantity = qtyIn.value.trim();
    if (catSel.value) item.category = catSel.value;
    catSel.value = ''; // a category choice is for this item only (Retry keeps it)
    const id = list.id;
    const key = JSON.stringify([id, name, item.quantity]);
    if (inFlight.has(key)) return;
    inFlight.add(key);
    addBtn.setAttribute('aria-busy', 'true');
    let created;
    try {
      created = await app.write(t('fail.addItem', { name }), () => post(`/api/shopping/lists/${id}/items`, item));
    } finally {
      inFlight.delete(key);
      if (!inFlight.size) addBtn.removeAttribute('aria-busy');
    }
    if (!created) return;
    // Only what was submitted is cleared: what was typed meanwhile stays.
    if (nameIn.value.trim() === name) nameIn.value = '';
    if (qtyIn.value.trim() === (item.quantity ?? '')) qtyIn.value = '';
    if (document.activeElement === addBtn) nameIn.focus();
    if (list && list.id === id && !list.items.some((i) => i.id === created.id)) {
      list.items.push(created);
      renderItems();
    }
    loadItems();
  }

  function renderTabs() {
    setChildren(tabs,
      lists.map((l) => h('a', { href: `/shopping/${l.id}`, 'aria-current': list && l.id === list.id ? 'page' : null }, l.name)),
      app.can('shopping_list.create') ? h('button.tab-new', { type: 'button', onclick: newList }, h('span', { 'aria-hidden': 'true' }, '+ '), t('shopping.newList')) : null);
  }

  function renderItems() {
    if (!list) {
      setChildren(body, lists.length ? h('p.muted', t('shopping.pick'))
        : h('div.empty', h('p', t('shopping.noLists')), app.can('shopping_list.create') ? [h('p', t('shopping.noListsHint')),
          h('button.primary', { type: 'button', onclick: newList }, t('shopping.newList'))] : null));
      return;
    }
    if (!body.contains(addForm)) setChildren(body, head, tools, addForm, items.el, hiddenNote);
    nameEl.textContent = list.name;
    const open = list.items.filter((i) => !i.checked).length;
    const ticked = list.items.length - open;
    countEl.textContent = t('shopping.toGet', { count: open });
    hideBtn.textContent = t(hideChecked ? 'shopping.showTicked' : 'shopping.hideTicked');
    hideBtn.setAttribute('aria-pressed', String(hideChecked));
    clearBtn.textContent = t('shopping.clearTicked', { count: ticked });
    clearBtn.disabled = ticked === 0;
    const shown = hideChecked ? list.items.filter((i) => !i.checked) : list.items;
    items.render(shown, categories, list.items.length ? (hideChecked && ticked ? t('shopping.allTicked') : null) : t('shopping.emptyList'));
    hiddenNote.hidden = !(hideChecked && ticked);
    hiddenNote.textContent = t('shopping.tickedHidden', { count: ticked });
  }

  function toggleHide() {
    hideChecked = !hideChecked;
    try { localStorage.setItem(HIDE_KEY, hideChecked ? '1' : '0'); } catch { /* this tab only */ }
    renderItems();
  }

  async function clearChecked() {
    const ticked = list.items.filter((i) => i.checked);
    if (!ticked.length) return;
    if (!await confirmDelete(t('shopping.clearTitle', { count: ticked.length }), t('shopping.clearText'))) return;
    const id = list.id;
    // One request: the server deletes the ticked items in one transaction
    // (one event each); Retry is safe, a second time deletes nothing.
    const ok = await app.write(t('fail.clearTicked'), () => post(`/api/shopping/lists/${id}/clear-checked`));
    if (ok) loadItems();
  }

  function newList() {
    openDialog(t('shopping.newList'), [
      field(t('shopping.listName'), h('input', { name: 'name', required: true, maxlength: 200, autocomplete: 'off', placeholder: t('shopping.listNameExample') })),
    ], async (form) => {
      const name = form.elements.name.value.trim();
      const created = await app.write(t('fail.createList'), () => post('/api/shopping/lists', { name }));
      if (created) app.go(`/shopping/${created.id}`);
      return !!created;
    }, { saveLabel: t('shopping.create') });
  }

  function renameList() {
    openDialog(t('shopping.renameList'), [field(t('shopping.listName'), h('input', { name: 'name', value: list.name, required: true, maxlength: 200 }))], async (form) => {
      const name = form.elements.name.value.trim();
      const ok = await app.write(t('fail.renameList'), () => patch(`/api/shopping/lists/${list.id}`, { name }));
      if (ok) loadLists();
      return !!ok;
    });
  }

  async function deleteList() {
    const choice = await ask(t('shopping.deleteListTitle', { name: list.name }), t('shopping.deleteListText', { count: list.items.length }),
      [{ value: 'delete', label: t('shopping.deleteList'), danger: true }]);
    if (choice !== 'delete') return;
    const ok = await app.write(t('fail.deleteList'), async () => { await del(`/api/shopping/lists/${list.id}`); return true; });
    if (ok) app.go('/shopping', { replace: true });
  }

  const loadLists = app.loader(async () => {
    const first = !categories.length;
    [lists, categories] = await Promise.all([get('/api/shopping/lists'), first ? get('/api/shopping/categories') : categories]);
    if (first) fillCategories();
    if (!listId && lists.length) {
      listId = lists[0].id;
      history.replaceState(null, '', `/shopping/${listId}`);
    }
    if (listId && !lists.some((l) => l.id === listId)) {
      list = null;
      listId = lists[0]?.id;
      if (listId) history.replaceState(null, '', `/shopping/${listId}`);
    }
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
      if (ev.type === 'SHOPPING_ITEM_UPDATED' && ev.list_id === listId) {
        const have = list?.items.find((i) => i.id === ev.id);
        if (ev.version != null && have?.version >= ev.version) return; // our own write, already shown
        loadItems();
      } else if (ev.type === 'SHOPPING_LIST_UPDATED') loadLists();
    },
  };
}
