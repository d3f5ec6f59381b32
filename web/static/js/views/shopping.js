// Shopping: the family's lists (switcher with "new list"), the open list's
// items grouped by category in store-walk order (shopping-items.js), the
// add form (never re-rendered, so typing survives every change), hide and
// clear ticked items (POST /api/shopping/lists/{id}/clear-checked); on a
// phone, clear, rename and delete sit behind a "⋯" menu (menu.js).
// Works without a network: lists and items come from the device's copy
// (cache.js) when the server cannot be reached, and adding, ticking,
// editing and deleting items go through the outbox (outbox.js), shown as
// "waiting to sync" until the server has them.
import { get, post } from '../api.js';
import { answers } from '../answers.js';
import * as cache from '../cache.js';
import { deviceId } from '../device.js';
import { fieldsOf, handOver, putFields, refocus, takeOver } from '../handover.js';
import { h, loading, setChildren } from '../dom.js';
import { pickList, rememberList } from '../lastlist.js';
import { t } from '../i18n.js';
import { moreMenu } from '../menu.js';
import * as outbox from '../outbox.js';
import { overlay } from '../pending.js';
import { presenceRow } from '../presence.js';
import { confirmDelete } from './dialog.js';
import { addItem, categoryLabel, itemsView } from './shopping-items.js';
import { deleteList, newList, renameList } from './shopping-lists.js';

const HIDE_KEY = 'familyhub.shopping.hideChecked';
const hideStored = () => { try { return localStorage.getItem(HIDE_KEY) === '1'; } catch { return false; } };

export function view(app, main, listId) {
  let lists = [];
  let categories = [];
  let list = null; // the open list with its items, as the server (or the device's copy) has it
  let hideChecked = hideStored();

  const tabs = h('nav.tabs', { 'aria-label': t('shopping.lists') });
  // A tab reached with the keyboard scrolls wholly into view with its focus
  // ring (scroll-margin in app.css): Chromium left one cut at the edge. Not
  // when renderTabs gives the focus back to the rebuilt tab: that keeps the
  // row (and the page) where it is, scrolled by hand or not.
  let refocusing = false;
  tabs.addEventListener('focusin', (e) => {
    if (!refocusing && e.target.matches(':focus-visible')) e.target.scrollIntoView({ inline: 'nearest', block: 'nearest' });
  });
  const body = h('div.list-body', loading());
  main.append(h('div.page-head', h('h1', t('shopping.title'))), tabs, body);

  // --- the list head: name, count, tools ---
  const nameEl = h('h2');
  const countEl = h('span.muted.count', { role: 'status' });
  const hideBtn = h('button.small', { type: 'button', 'aria-pressed': String(hideChecked), onclick: toggleHide });
  const clearBtn = h('button.small', { type: 'button', onclick: clearChecked });
  // Who else is looking at this list right now (presence.js).
  const here = presenceRow(app, () => (listId ? `shopping-list:${listId}` : null));
  const head = h('div.list-head', nameEl, here.el, countEl);
  // Only what the person's role allows (a child adds, ticks and edits items).
  // On a phone only Hide ticked stays in the row, the rest behind "⋯"
  // (menu.js): in German the four took three rows above the items.
  const tools = h('div.list-tools', hideBtn);
  const more = moreMenu(tools, [app.can('shopping_item.delete') ? clearBtn : null,
    app.can('shopping_list.update') ? h('button.small', { type: 'button', onclick: () => renameList(app, list, loadLists) }, t('shopping.rename')) : null,
    app.can('shopping_list.delete') ? h('button.small.danger', { type: 'button', onclick: () => deleteList(app, list, shown().length) }, t('shopping.deleteList')) : null,
  ], { label: t('shopping.more') });

  // --- the add form ---
  const nameIn = h('input#item-name', { name: 'name', required: true, maxlength: 200, autocomplete: 'off', placeholder: t('shopping.itemExample') });
  // No capital and no correction: iOS would write "2 Box", read as German ("2 Boxen", amounts.go).
  const qtyIn = h('input#item-qty', { name: 'quantity', maxlength: 50, autocomplete: 'off', autocapitalize: 'none', autocorrect: 'off', placeholder: t('shopping.qtyExample') });
  const catSel = h('select#item-cat', { name: 'category' });
  const addBtn = h('button.primary', { type: 'submit' }, t('shopping.add'));
  const addForm = h('form.add-item', { onsubmit: submitItem },
    h('div.field.grow', h('label', { for: 'item-name' }, t('shopping.item')), nameIn),
    h('div.field.qty', h('label', { for: 'item-qty' }, t('shopping.quantity')), qtyIn),
    h('div.field', h('label', { for: 'item-cat' }, t('shopping.category')), catSel),
    addBtn);

  // What is half typed in the add form stays when the page is built again
  // (handover.js); a category waits for the categories to be read.
  // The list's address may have been filled in since (/shopping → /shopping/<id>).
  const handed = takeOver('shopping');
  let had = handed && (!listId || !handed.list || handed.list === listId) ? handed.fields : null;
  putFields(addForm, had);
  let handedCat = had?.find((c) => c.name === 'category')?.value;

  const items = itemsView(app, { getCategories: () => categories, onSettled: () => { if (list) renderItems(); } });
  const hiddenNote = h('p.muted.hidden-note');

  /** The open list's items as they will be once the waiting writes are saved. */
  const shown = () => (list ? overlay(list.items, outbox.waiting(), { belongs: (op) => op.list === list.id, sending: outbox.isSending }) : []);

  function fillCategories() {
    const was = handedCat ?? catSel.value;
    if (categories.length) handedCat = undefined;
    setChildren(catSel, h('option', { value: '' }, t('shopping.autoCategory')),
      categories.map((c) => h('option', { value: c.name }, categoryLabel(c.name))));
    catSel.value = categories.some((c) => c.name === was) ? was : '';
  }

  // The categories: read with the lists. When that fails with no copy kept,
  // again every little while (5 s, backing off to a minute) and with the
  // next read of the list; when an item names one not among them (made
  // elsewhere since), at once (once per name) and with each read of the
  // list while one is shown. Until then such items show under their
  // category's name, "not loaded" (shopping-items.js), and regroup by
  // themselves when the categories come.
  let catsWanted = true; // not read yet, or the last read failed
  let catsReading = null;
  let catsAgain = false; // read once more when this read is done
  let catsTimer = null;
  let catsDelay = 0;
  let gone = false;
  const catsAsked = new Set(); // the unknown names a read was made for
  let notLoaded = []; // the items' categories not among them, as last shown
  function loadCategories() {
    catsReading ??= cache.fresh('categories', () => get('/api/shopping/categories')).then((c) => {
      categories = c.data;
      catsWanted = false;
      catsDelay = 0;
      clearTimeout(catsTimer);
      fillCategories();
    }, () => {
      catsWanted = true;
      clearTimeout(catsTimer);
      if (gone) return;
      catsDelay = Math.min(catsDelay ? catsDelay * 2 : 5000, 60000);
      catsTimer = setTimeout(() => loadCategories().then(regroup), catsDelay);
    }).finally(() => {
      catsReading = null;
      if (catsAgain && !gone) { catsAgain = false; loadCategories().then(regroup); }
    });
    return catsReading;
  }
  const regroup = () => { if (list && !catsWanted) renderItems(); };

  // Adds on their way, by list, name and quantity: a double tap sends one,
  // while the next item may be added before the last one is saved.
  const inFlight = new Set();
  async function submitItem(e) {
    e.preventDefault();
    const name = nameIn.value.trim();
    if (!name || !list) return;
    const item = { id: crypto.randomUUID(), name }; // the id makes a retry safe
    if (qtyIn.value.trim()) item.quantity = qtyIn.value.trim();
    if (catSel.value) item.category = catSel.value;
    const id = list.id;
    const key = JSON.stringify([id, name, item.quantity]);
    if (inFlight.has(key)) return;
    inFlight.add(key);
    // The item is the outbox's now: the form is free for the next one.
    nameIn.value = '';
    qtyIn.value = '';
    catSel.value = ''; // a category choice is for this item only
    // Back to the name for the next item, also after Enter in the quantity.
    if ([addBtn, qtyIn, catSel].includes(document.activeElement)) nameIn.focus();
    addBtn.setAttribute('aria-busy', 'true'); // until the server has it (or it waits for the network)
    try {
      const { result } = await addItem(app, id, item);
      await result;
    } catch (err) {
      app.failed(['fail.addItem', { name }], err);
    } finally {
      inFlight.delete(key);
      if (!inFlight.size) addBtn.removeAttribute('aria-busy');
    }
  }

  let tabShown = null; // the list whose tab was last scrolled into view
  function renderTabs() {
    // Rebuilt after every read of the list: a tab reached with the keyboard
    // keeps the focus (it went to the page's body a second later). Not by
    // data-key: a dialog closing after the new list opened focuses the
    // page's heading, not "+ New list" (dialog.js).
    const had = tabs.contains(document.activeElement) ? document.activeElement.getAttribute('href') ?? 'new' : null;
    setChildren(tabs,
      lists.map((l) => h('a', { href: `/shopping/${l.id}`, 'aria-current': list && l.id === list.id ? 'page' : null, title: l.name }, h('span.tab-name', l.name))),
      app.can('shopping_list.create') ? h('button.tab-new', { type: 'button', onclick: () => newList(app) }, h('span', { 'aria-hidden': 'true' }, '+ '), t('shopping.newList')) : null);
    if (had) {
      refocusing = true;
      try {
        [...tabs.children].find((el) => (el.getAttribute('href') ?? 'new') === had)?.focus({ preventScroll: true });
      } finally {
        refocusing = false;
      }
    }
    // The open list's tab in view when the row scrolls (a phone with a few
    // lists; a new list's tab is last), once per list opened: a row scrolled
    // by hand stays put when the list changes elsewhere.
    const open = tabs.querySelector('[aria-current=page]');
    if (open && list.id !== tabShown && tabs.scrollWidth > tabs.clientWidth) {
      tabShown = list.id;
      const r = open.getBoundingClientRect();
      const box = tabs.getBoundingClientRect();
      if (r.left < box.left) tabs.scrollLeft -= box.left - r.left + 4;
      else if (r.right > box.right) tabs.scrollLeft += Math.min(r.right - box.right + 4, r.left - box.left); // a tab wider than the row shows its start
    }
  }

  function renderItems() {
    if (!list) {
      setChildren(body, lists.length ? h('p.muted', t('shopping.pick'))
        : h('div.empty', h('p', t('shopping.noLists')), app.can('shopping_list.create') ? [h('p', t('shopping.noListsHint')),
          h('button.primary', { type: 'button', onclick: () => newList(app) }, t('shopping.newList'))] : null));
      return;
    }
    if (!body.contains(addForm)) {
      setChildren(body, head, tools, addForm, items.el, hiddenNote);
      refocus(addForm, had); // once: the page built in place of the one typed in
      had = null;
    }
    const all = shown();
    nameEl.textContent = list.name;
    const open = all.filter((i) => !i.checked).length;
    const ticked = all.length - open;
    countEl.textContent = t('shopping.toGet', { count: open });
    hideBtn.textContent = t(hideChecked ? 'shopping.showTicked' : 'shopping.hideTicked');
    hideBtn.setAttribute('aria-pressed', String(hideChecked));
    clearBtn.textContent = t('shopping.clearTicked', { count: ticked });
    clearBtn.disabled = ticked === 0;
    const visible = hideChecked ? all.filter((i) => !i.checked || items.settling(i.id)) : all;
    const unknown = notLoaded = items.render(visible, categories, all.length ? (hideChecked && ticked ? t('shopping.allTicked') : null) : t('shopping.emptyList'), all);
    // A category made elsewhere since the categories were read: read them again, once per name.
    const fresh = unknown.filter((n) => !catsAsked.has(n));
    if (fresh.length && !catsWanted && !catsReading) {
      for (const n of fresh) catsAsked.add(n);
      loadCategories().then(regroup);
    }
    const hidden = all.length - visible.length;
    hiddenNote.hidden = !hidden;
    hiddenNote.textContent = t('shopping.tickedHidden', { count: hidden });
  }

  function toggleHide() {
    hideChecked = !hideChecked;
    try { localStorage.setItem(HIDE_KEY, hideChecked ? '1' : '0'); } catch { /* this tab only */ }
    renderItems();
  }

  async function clearChecked() {
    const ticked = shown().filter((i) => i.checked);
    if (!ticked.length) return;
    if (!await confirmDelete(t('shopping.clearTitle', { count: ticked.length }), t('shopping.clearText'))) return;
    const id = list.id;
    // One request: the server deletes the ticked items in one transaction
    // (one event each); Retry is safe, a second time deletes nothing.
    const ok = await app.write(['fail.clearTicked'], () => post(`/api/shopping/lists/${id}/clear-checked`));
    if (ok) loadItems();
  }

  // The server's answers to this device's writes: a read of the list older
  // than one does not take it back (answers.js).
  const answered = answers();

  // The server's answer to a write from the outbox: the open list shows it
  // at once and the device's copy keeps it.
  function saved({ op, id, record }) {
    const of = op.list ?? record?.list_id;
    if (!listId || of !== listId) return;
    if (record === undefined) { loadItems(); return; }
    if (record && answered.gone(id)) return; // deleted since it was answered (onEvent)
    answered.note(id, record, of);
    if (!list || list.id !== of) return; // the read on its way gets it
    const i = list.items.findIndex((x) => x.id === id);
    if (record === null) { if (i >= 0) list.items.splice(i, 1); } else if (i >= 0) list.items[i] = record; else list.items.push(record);
    cache.patch(`list:${of}`, 'items', [[id, record]], (x) => x.list_id === of);
  }
  // Deleted (an event): a write's answer on its way is older, it must not bring it back.
  function goneNow(id, of, seq) {
    answered.note(id, null, of, seq);
    if (outbox.waiting().some((o) => o.record === id) || outbox.savedAnswers().get(id)?.record) outbox.heardGone(id);
  }
  const off = outbox.onOutbox((ev) => {
    if (ev.type === 'record') saved(ev);
    if (ev.type === 'record' || ev.type === 'changed') renderItems();
  });

  const loadLists = app.loader(async () => {
    const [l] = await Promise.all([cache.fresh('lists', () => get('/api/shopping/lists')), catsWanted ? loadCategories() : null]);
    // Left meanwhile: the address is the next page's, not /shopping/<id>.
    if (gone) return;
    lists = l.data;
    if (!listId && lists.length) {
      listId = pickList(app, lists); // the list used last on this device, else the family's default
      history.replaceState(null, '', `/shopping/${listId}`);
      app.here();
    }
    if (listId && !lists.some((x) => x.id === listId)) {
      list = null;
      listId = pickList(app, lists);
      if (listId) history.replaceState(null, '', `/shopping/${listId}`);
      app.here();
    }
    await loadItems();
  });

  let gen = 0;
  const loadItems = app.loader(async () => {
    if (!listId) { list = null; renderTabs(); renderItems(); return; }
    const id = listId;
    const mine = ++gen;
    const upToDate = answered.reading(`list:${id}`, 'items', id);
    // A read already on its way may have left before what changed: one more after it.
    if (catsReading && notLoaded.length) catsAgain = true;
    else if (catsWanted || notLoaded.length) loadCategories().then(regroup);
    let r;
    try {
      r = await cache.fresh(`list:${id}`, () => get(`/api/shopping/lists/${id}`));
    } catch (e) {
      if (e.status !== 404) throw e;
      cache.forgetList(id);
      r = { data: null };
    }
    // A copy kept before the device's own writes were answered (the list
    // was not open then): their saved answers are laid over it.
    if (r.cached && r.data) await outbox.started(); // read from storage after a reload
    if (r.cached && r.data) r.data = { ...r.data, items: outbox.layOver(r.data.items, r.at, (x) => x.list_id === id) };
    list = upToDate(r.data, r.at, !r.cached);
    if (list) rememberList(app, id);
    renderTabs();
    renderItems();
    here.update();
    // The server was slow: its answer replaces the device's copy when it comes.
    r.later?.then((data) => { if (data && mine === gen) { list = upToDate(data, r.laterAt, true); renderItems(); } });
  });

  // The other lists are kept on the device too (cache.warm), so they open
  // in a shop without signal; a change to one refreshes its copy.
  const stale = new Set();
  let warmTimer = null;
  function staleList(id) {
    stale.add(id);
    clearTimeout(warmTimer);
    warmTimer = setTimeout(async () => {
      for (const x of stale) {
        stale.delete(x);
        try { await cache.refresh(`list:${x}`, () => get(`/api/shopping/lists/${x}`)); } catch (e) {
          if (e.status !== 404) return;
          cache.forgetList(x); // deleted meanwhile
        }
      }
    }, 2000);
  }

  return {
    topics: ['shopping'],
    reload: loadLists,
    destroy() { off(); here.destroy(); more.destroy(); items.destroy(); clearTimeout(warmTimer); gone = true; clearTimeout(catsTimer); handOver('shopping', { list: list?.id ?? listId, fields: fieldsOf(addForm) }); },
    onEvent(ev) {
      if (ev.type === 'SHOPPING_ITEM_UPDATED' && ev.op === 'delete') goneNow(ev.id, ev.list_id, ev.seq);
      else if (ev.type === 'SHOPPING_ITEM_UPDATED') answered.back(ev.id, ev.seq); // put back with its id (the assistant's Undo)
      if (ev.type === 'SHOPPING_ITEM_UPDATED' && ev.list_id === listId) {
        const have = list?.items.find((i) => i.id === ev.id);
        if (ev.op === 'delete' && ev.device_id !== deviceId()) items.deletedElsewhere(ev.id); // not this device's own delete
        // Skip what the device already shows: this version (its own write
        // came back as the answer), or a delete of what it no longer has.
        if (ev.op !== 'delete' && ev.version != null && have && have.version >= ev.version) return;
        if (ev.op === 'delete' && list && !have) return;
        loadItems();
      } else if (ev.type === 'SHOPPING_ITEM_UPDATED') staleList(ev.list_id);
      if (ev.type === 'SHOPPING_LIST_UPDATED' && ev.op === 'delete') cache.forgetList(ev.id); // its copy goes, and its place in the lists kept: offline too
      if (ev.type === 'SHOPPING_LIST_UPDATED' && !(ev.op !== 'delete' && ev.version != null && lists.find((l) => l.id === ev.id)?.version >= ev.version)) loadLists();
    },
  };
}
