// Recipes: list, view (with "add to shopping list"), create, edit.
import { get, patch, post } from '../api.js';
import { field, formValues, h } from '../dom.js';

export function list(app, main) {
  let recipes = [];
  const filter = h('input#recipe-filter', { type: 'search', placeholder: 'Find a recipe', autocomplete: 'off' });
  const out = h('div.recipes');
  filter.addEventListener('input', () => render());
  main.append(
    h('div.page-head', h('h1', 'Recipes'), h('a.button.primary', { href: '/recipes/new' }, 'New recipe')),
    h('div.field', h('label.visually-hidden', { for: 'recipe-filter' }, 'Find a recipe'), filter),
    out);

  function render() {
    const q = filter.value.trim().toLowerCase();
    const shown = recipes.filter((r) => !q || r.title.toLowerCase().includes(q) || r.tags.some((t) => t.includes(q)));
    out.replaceChildren(shown.length
      ? h('ul.cards', shown.map((r) => h('li.card.recipe-card', { dataset: { id: r.id } },
        h('a', { href: `/recipes/${r.id}` }, h('h2', r.title)),
        h('p.muted', `${r.servings} servings · ${r.ingredients.length} ingredients`),
        r.tags.length ? h('p', r.tags.map((t) => h('span.tag', t))) : null)))
      : h('p.muted.empty', recipes.length ? 'No recipe matches.' : 'No recipes yet. Add your family\'s favourites.'));
  }

  const reload = app.loader(async () => {
    recipes = await get('/api/recipes');
    render();
  });
  return { topics: ['recipes'], reload, onEvent: (ev) => { if (ev.type === 'RECIPE_UPDATED') reload(); } };
}

function amount(ing, factor) {
  if (ing.quantity == null) return ing.unit || '';
  const q = Math.round(ing.quantity * factor * 100) / 100;
  return `${q}${ing.unit ? ' ' + ing.unit : ''}`;
}

export function show(app, main, id) {
  let recipe = null;
  const out = h('article.recipe');
  main.append(out);

  function render() {
    const r = recipe;
    const servings = h('input#add-servings', { type: 'number', min: 1, max: 100, value: r.servings, name: 'servings' });
    const listSel = h('select#add-list', { name: 'list_id', required: true }, h('option', { value: '' }, 'Loading lists…'));
    const added = h('p.muted', { role: 'status' });
    const ingList = h('ul.ingredients');
    const renderIngredients = () => {
      const f = (+servings.value || r.servings) / r.servings;
      ingList.replaceChildren(...r.ingredients.map((i) => h('li', h('span.amount', amount(i, f)), ' ', i.name)));
    };
    servings.addEventListener('input', renderIngredients);
    renderIngredients();
    get('/api/shopping/lists').then((lists) => {
      listSel.replaceChildren(...(lists.length ? lists.map((l) => h('option', { value: l.id }, l.name))
        : [h('option', { value: '' }, 'No shopping list yet')]));
    }).catch(() => {});
    const addForm = h('form.inline.add-to-list', {
      async onsubmit(e) {
        e.preventDefault();
        const v = formValues(addForm);
        if (!v.list_id) return;
        const items = await app.write('add the ingredients to the list',
          () => post(`/api/recipes/${r.id}/add-to-list`, { list_id: v.list_id, servings: +v.servings || r.servings }));
        if (items) added.replaceChildren(`Added ${items.length} item${items.length === 1 ? '' : 's'} to `, h('a', { href: `/shopping/${v.list_id}` }, 'the list'), '.');
      },
    },
    h('label', { for: 'add-servings' }, 'Servings'), servings,
    h('label', { for: 'add-list' }, 'List'), listSel,
    h('button.primary', { type: 'submit' }, 'Add to shopping list'));

    out.replaceChildren(
      h('p', h('a', { href: '/recipes' }, '← All recipes')),
      h('div.page-head', h('h1', r.title), h('a.button', { href: `/recipes/${r.id}/edit` }, 'Edit')),
      r.tags.length ? h('p', r.tags.map((t) => h('span.tag', t))) : null,
      h('section.card', h('h2', 'Ingredients'), r.ingredients.length ? ingList : h('p.muted', 'None listed.'), addForm, added),
      h('section.card', h('h2', 'Steps'), r.steps.length ? h('ol.steps', r.steps.map((s) => h('li', s))) : h('p.muted', 'None written down.')),
      r.source_url ? h('p', 'Source: ', h('a', { href: r.source_url, rel: 'noopener noreferrer', target: '_blank' }, r.source_url)) : null);
  }

  const reload = app.loader(async () => {
    try {
      recipe = await get(`/api/recipes/${id}`);
    } catch (e) {
      if (e.status !== 404) throw e;
      out.replaceChildren(h('h1', 'Recipe not found'), h('p', 'It may have been deleted. ', h('a', { href: '/recipes' }, 'All recipes')));
      return;
    }
    render();
  });
  return { topics: ['recipes'], reload, onEvent: (ev) => { if (ev.type === 'RECIPE_UPDATED' && ev.id === id) reload(); } };
}

export function edit(app, main, id) {
  const form = h('form.card.recipe-form');
  const rows = h('ul.ing-rows');
  main.append(h('h1', id ? 'Edit recipe' : 'New recipe'), form);

  function ingRow(i = {}) {
    const li = h('li.ing-row',
      h('input', { name: 'ing_quantity', type: 'number', step: 'any', min: 0, 'aria-label': 'Quantity', placeholder: 'Qty', value: i.quantity ?? '' }),
      h('input', { name: 'ing_unit', 'aria-label': 'Unit', placeholder: 'Unit', maxlength: 32, value: i.unit ?? '' }),
      h('input', { name: 'ing_name', 'aria-label': 'Ingredient', placeholder: 'Ingredient', maxlength: 200, value: i.name ?? '' }),
      h('button.icon.danger', { type: 'button', 'aria-label': 'Remove ingredient', onclick: () => li.remove() }, '✕'));
    return li;
  }

  function render(r) {
    rows.replaceChildren(...(r.ingredients.length ? r.ingredients : [{}]).map(ingRow));
    const err = h('p.form-error', { role: 'alert', hidden: true });
    form.replaceChildren(
      err,
      field('Title', h('input', { name: 'title', required: true, maxlength: 200, value: r.title })),
      field('Servings', h('input', { name: 'servings', type: 'number', min: 1, max: 100, required: true, value: r.servings })),
      h('fieldset', h('legend', 'Ingredients'), rows,
        h('button.small', { type: 'button', onclick: () => { const row = ingRow(); rows.append(row); row.querySelector('input').focus(); } }, 'Add ingredient')),
      field('Steps', h('textarea', { name: 'steps', rows: 6 }, r.steps.join('\n')), 'One step per line.'),
      field('Tags', h('input', { name: 'tags', value: r.tags.join(', ') }), 'Separated by commas.'),
      field('Source', h('input', { name: 'source_url', type: 'url', value: r.source_url || '', placeholder: 'https://…' })),
      h('div.actions', h('a.button', { href: id ? `/recipes/${id}` : '/recipes' }, 'Cancel'), h('button.primary', { type: 'submit' }, 'Save')));
    form.onsubmit = async (e) => {
      e.preventDefault();
      const v = formValues(form);
      const ingredients = [...rows.querySelectorAll('.ing-row')].map((li) => {
        const [q, u, n] = li.querySelectorAll('input');
        return { name: n.value.trim(), quantity: q.value === '' ? null : Number(q.value), unit: u.value.trim() || null };
      }).filter((i) => i.name);
      const body = {
        title: v.title, servings: Number(v.servings), ingredients,
        steps: v.steps.split('\n').map((s) => s.trim()).filter(Boolean),
        tags: v.tags.split(',').map((s) => s.trim()).filter(Boolean),
        source_url: v.source_url.trim() || null,
      };
      const save = async () => {
        const saved = id ? await patch(`/api/recipes/${id}`, body) : await post('/api/recipes', body);
        app.go(`/recipes/${saved.id}`, { replace: true });
        return saved;
      };
      try {
        await save();
      } catch (ex) {
        if (ex.retryable) { app.failed('save the recipe', ex, save); return; }
        err.textContent = ex.message;
        err.hidden = false;
        err.focus?.();
      }
    };
  }

  const reload = app.loader(async () => {
    if (form.childElementCount) return; // never overwrite what is being typed
    render(id ? await get(`/api/recipes/${id}`) : { title: '', servings: 4, ingredients: [], steps: [], tags: [], source_url: null });
  });
  return { topics: ['recipes'], reload };
}
