// One recipe: ingredients scaled to the servings picked, a choice of which
// ingredients go to a shopping list, the steps; edit and delete.
import { change, get, post } from '../api.js';
import { amountText } from '../amounts.js';
import { h, keepFocus, loading, setChildren } from '../dom.js';
import { t } from '../i18n.js';
import { pickList, rememberList } from '../lastlist.js';
import { presenceRow } from '../presence.js';
import { hideNotice } from '../shell.js';
import { confirmDelete } from './dialog.js';

const AWAKE_KEY = 'familyhub.recipe.keepScreenOn';
const BRIEF = 10e3;

/**
 * The "Keep screen on" toggle (Screen Wake Lock): {el, destroy}. Off until
 * this device chose it (localStorage); held again when the page is shown
 * again (the browser lets it go when hidden), and at once when the system
 * lets it go while the page is shown (battery saver); let go by destroy. el
 * is null where the browser has no wake lock. A refused request, the page
 * shown, says so and the toggle goes off; a later lock takes that notice
 * away.
 */
function keepAwake(app) {
  if (!navigator.wakeLock) return { el: null, destroy() {} };
  let on = false;
  try { on = localStorage.getItem(AWAKE_KEY) === '1'; } catch { /* off */ }
  let lock = null;
  let asking = false;
  let gone = false;
  let refused = null; // the refusal's notice, taken away by a later lock
  // A browser that grants the lock and lets it go at once, every time,
  // would be asked again in a loop: a lock let go within BRIEF ms of being
  // granted is asked again at once the first time, then after 1 s, 2 s, …
  // up to a minute; shown again or chosen again starts afresh.
  let brief = 0;
  let retry = null;
  const el = h('button.keep-awake', { type: 'button', 'aria-pressed': String(on), onclick: () => choose(!on) }, t('recipes.keepScreenOn'));
  function choose(v) {
    on = v;
    brief = 0;
    el.setAttribute('aria-pressed', String(on));
    try { localStorage.setItem(AWAKE_KEY, on ? '1' : '0'); } catch { /* this page only */ }
    if (on) hold(); else free();
  }
  function free() {
    clearTimeout(retry);
    const l = lock;
    lock = null;
    l?.release().catch(() => {});
  }
  async function hold() {
    if (gone || !on || lock || asking || document.visibilityState !== 'visible') return;
    asking = true;
    try {
      const l = await navigator.wakeLock.request('screen');
      if (gone || !on) { l.release().catch(() => {}); return; }
      lock = l;
      const at = Date.now();
      // not ours (free drops it first): the page hidden, or the system
      // while it is shown, which a toggle left on would belie
      const lost = () => {
        if (lock !== l) return;
        lock = null;
        brief = Date.now() - at < BRIEF ? brief + 1 : 0;
        clearTimeout(retry);
        retry = setTimeout(hold, brief < 2 ? 0 : Math.min(60e3, 1000 * 2 ** (brief - 2)));
      };
      l.addEventListener('release', lost);
      // let go before the listener was there (hidden, or the system, while
      // the request was answered): its 'release' has fired already
      if (l.released) lost();
      if (refused && document.getElementById('toast')?.textContent === refused) hideNotice();
      refused = null;
    } catch {
      // hidden meanwhile: asked again when shown (visibilitychange)
      if (!gone && on && document.visibilityState === 'visible') {
        choose(false);
        refused = t('recipes.keepScreenOnRefused');
        app.notice(refused);
      }
    } finally {
      asking = false;
    }
    if (!gone && on && !lock && document.visibilityState === 'visible') hold(); // shown again while asking
  }
  const shown = () => { if (document.visibilityState === 'visible') { brief = 0; clearTimeout(retry); hold(); } };
  document.addEventListener('visibilitychange', shown);
  hold();
  return { el, destroy() { gone = true; clearTimeout(retry); document.removeEventListener('visibilitychange', shown); free(); } };
}

export function show(app, main, id) {
  let recipe = null;
  let picked = null; // servings chosen here, kept across re-renders
  const leftOut = new Set(); // names of the ingredients unticked here, kept too
  let done = null; // {what, list}: what was last put on which list (its name) from here
  const out = h('article.recipe', loading());
  main.append(out);
  // The head is made once: who else is looking at this recipe (presence.js)
  // keeps their avatar, without fading in again, when the recipe is read again.
  const here = presenceRow(app, () => `recipe:${id}`,
    { label: t('presence.alsoHere.recipe'), tip: (name) => t('presence.lookingToo.recipe', { name }) });
  const awake = keepAwake(app);
  const title = h('h1');
  const head = h('div.page-head', h('div.page-title', title, here.el),
    h('div.head-actions', awake.el,
      app.can('recipe.update') ? h('a.button', { href: `/recipes/${id}/edit` }, t('common.edit')) : null,
      app.can('recipe.delete') ? h('button.danger', { type: 'button', onclick: remove }, t('common.delete')) : null));
  const back = h('p.back', h('a', { href: '/recipes' }, t('recipes.all')));

  function render() {
    const r = recipe;
    let servings = picked ?? r.servings;
    const servingsIn = h('input#add-servings', { type: 'number', min: 1, max: 100, value: servings, name: 'servings', inputmode: 'numeric' });
    const setServings = (n) => {
      servings = Math.min(100, Math.max(1, Math.round(n) || r.servings));
      picked = servings;
      if (+servingsIn.value !== servings) servingsIn.value = servings;
      renderIngredients();
    };
    servingsIn.addEventListener('input', () => { if (+servingsIn.value >= 1) setServings(+servingsIn.value); });
    servingsIn.addEventListener('change', () => setServings(+servingsIn.value));
    const stepper = h('div.stepper', { role: 'group', 'aria-labelledby': 'servings-label' },
      h('span#servings-label', t('recipes.servings')),
      h('button.icon', { type: 'button', 'aria-label': t('recipes.fewer'), onclick: () => setServings(servings - 1) }, h('span', { 'aria-hidden': 'true' }, '−')),
      h('label.visually-hidden', { for: 'add-servings' }, t('recipes.servings')), servingsIn,
      h('button.icon', { type: 'button', 'aria-label': t('recipes.more'), onclick: () => setServings(servings + 1) }, h('span', { 'aria-hidden': 'true' }, '+')));

    const picks = r.ingredients.map((ing, i) => h('input', {
      type: 'checkbox', id: `ing-${i}`, checked: !leftOut.has(ing.name), dataset: { key: `ing-${i}` },
      onchange: (e) => { if (e.target.checked) leftOut.delete(ing.name); else leftOut.add(ing.name); },
    }));
    const amounts = r.ingredients.map(() => h('span.amount'));
    const ingList = h('ul.ingredients', r.ingredients.map((ing, i) => h('li',
      h('label.tick', { for: `ing-${i}` }, picks[i]),
      h('label.name', { for: `ing-${i}` }, amounts[i], ' ', ing.name))));
    const addBtn = h('button.primary', { type: 'submit' });
    const listSel = h('select#add-list', { name: 'list_id', required: true }, h('option', { value: '' }, t('recipes.loadingLists')));
    const chosen = () => picks.map((p, i) => (p.checked ? i : -1)).filter((i) => i >= 0);
    // The same ingredients, servings and list again: the button says they
    // are on it already, so a second tap adds them again by choice.
    const what = () => JSON.stringify([listSel.value, servings, chosen()]);
    function renderIngredients() {
      r.ingredients.forEach((ing, i) => { amounts[i].textContent = amountText(ing, servings, r.servings); });
      addBtn.textContent = done?.what === what() ? t('recipes.addAgain', { list: done.list })
        : t('recipes.addToList', { count: chosen().length });
      addBtn.disabled = chosen().length === 0;
    }
    for (const p of picks) p.addEventListener('change', renderIngredients);
    listSel.addEventListener('change', renderIngredients);
    renderIngredients();
    get('/api/shopping/lists').then((lists) => {
      setChildren(listSel, lists.length ? lists.map((l) => h('option', { value: l.id }, l.name))
        : h('option', { value: '' }, t('recipes.noList')));
      if (lists.length) listSel.value = pickList(app, lists); // the list used last here, else the family's default
      renderIngredients();
    }).catch(() => {});

    const addForm = h('form.add-to-list', {
      async onsubmit(e) {
        e.preventDefault();
        const listId = listSel.value;
        const pick = chosen();
        if (!listId || !pick.length) return;
        const list = listSel.selectedOptions[0]?.textContent ?? '';
        const sent = what();
        addBtn.disabled = true;
        const request = crypto.randomUUID(); // names this press: Retry adds nothing twice
        const items = await app.write(['fail.addToList'], () => addToList(r, listId, servings, pick, request));
        if (items) {
          rememberList(app, listId);
          done = { what: sent, list };
          // The notice at the foot of the screen is seen on a phone, where a
          // line under the button was scrolled away; it opens the list.
          app.notice(t('recipes.added', { count: items.length, list }),
            { action: t('recipes.openList'), onAction: () => app.go(`/shopping/${listId}`) });
        }
        renderIngredients();
        // The button was disabled: the focus fell to the page; back on the
        // button, which now says what was done.
        if (!document.activeElement || document.activeElement === document.body) addBtn.focus();
      },
    }, stepper, ingList,
    h('div.add-row', h('label', { for: 'add-list' }, t('recipes.list')), listSel, addBtn));

    title.textContent = r.title;
    if (head.parentNode !== out) setChildren(out, back, head);
    while (head.nextSibling) head.nextSibling.remove();
    out.append(...[
      r.tags.length ? h('p', r.tags.map((x) => h('span.tag', x))) : null,
      h('section.card', h('h2', t('recipes.ingredients')), r.ingredients.length ? addForm : h('p.muted', t('recipes.noIngredients'))),
      h('section.card', h('h2', t('recipes.steps')), r.steps.length ? h('ol.steps', r.steps.map((s) => h('li', s))) : h('p.muted', t('recipes.noSteps'))),
      r.source_url ? h('p', t('recipes.source'), ' ', h('a', { href: r.source_url, rel: 'noopener noreferrer', target: '_blank' }, r.source_url)) : null,
    ].filter(Boolean));
  }

  async function remove() {
    if (!await confirmDelete(t('recipes.deleteTitle', { title: recipe.title }), t('recipes.deleteText'))) return;
    const ok = await app.write(['fail.deleteRecipe', { title: recipe.title }], async () => {
      try { await change('DELETE', `/api/recipes/${id}`, undefined, recipe); } catch (e) { if (e.status !== 404) throw e; }
      return true;
    });
    if (ok) app.go('/recipes', { replace: true });
  }

  const reload = app.loader(async () => {
    try {
      recipe = await get(`/api/recipes/${id}`);
    } catch (e) {
      if (e.status !== 404) throw e;
      setChildren(out, h('h1', t('recipes.notFound')), h('p', t('recipes.notFoundText'), ' ', h('a', { href: '/recipes' }, t('recipes.all'))));
      return;
    }
    keepFocus(render);
  });
  const held = (ev) => ev.op !== 'delete' && ev.version != null && recipe?.version >= ev.version; // shown already
  return {
    topics: ['recipes'],
    reload,
    destroy: () => { here.destroy(); awake.destroy(); },
    onEvent: (ev) => { if (ev.type === 'RECIPE_UPDATED' && ev.id === id && !held(ev)) reload(); },
  };
}

/**
 * Puts the chosen ingredients (indexes) on the list in one transaction; the
 * server merges each into an unticked line of the same name and unit.
 */
function addToList(r, listId, servings, pick, id) {
  const body = { id, list_id: listId, servings };
  if (pick.length < r.ingredients.length) body.ingredients = pick;
  return post(`/api/recipes/${r.id}/add-to-list`, body);
}
