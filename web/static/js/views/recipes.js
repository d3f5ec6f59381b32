// Recipes: the family's recipes, searchable by title and tag.
import { get } from '../api.js';
import { h, loading, reconcile, setChildren } from '../dom.js';
import { currentLang, t } from '../i18n.js';
import { presenceRow } from '../presence.js';

export function list(app, main) {
  let recipes = null;
  const filter = h('input#recipe-filter', { type: 'search', placeholder: t('recipes.find'), autocomplete: 'off' });
  const cards = h('ul.cards');
  const empty = h('p.muted.empty');
  const out = h('div.recipes', loading());
  filter.addEventListener('input', () => render());
  // Who else is looking at the recipes right now (presence.js).
  const here = presenceRow(app, () => 'recipes',
    { label: t('presence.alsoHere.recipes'), tip: (name) => t('presence.lookingToo.recipes', { name }) });
  main.append(
    h('div.page-head', h('div.page-title', h('h1', t('recipes.title')), here.el), app.can('recipe.create') ? h('a.button.primary', { href: '/recipes/new' }, t('recipes.new')) : null),
    h('div.field', h('label.visually-hidden', { for: 'recipe-filter' }, t('recipes.find')), filter),
    out);

  function render() {
    if (!out.contains(cards)) setChildren(out, empty, cards);
    const q = filter.value.trim().toLowerCase();
    const shown = recipes.filter((r) => !q || r.title.toLowerCase().includes(q) || r.tags.some((x) => x.toLowerCase().includes(q)));
    reconcile(cards, shown, {
      key: (r) => r.id,
      sig: (r) => JSON.stringify([r.title, r.servings, r.ingredients.length, r.tags, currentLang()]),
      build: (r) => h('li.card.recipe-card', { dataset: { id: r.id } },
        h('a', { href: `/recipes/${r.id}` }, h('h2', r.title)),
        h('p.muted', t('recipes.summary', { servings: t('recipes.servingsCount', { count: r.servings }), ingredients: t('recipes.ingredientsCount', { count: r.ingredients.length }) })),
        r.tags.length ? h('p', r.tags.map((x) => h('span.tag', x))) : null),
    });
    empty.hidden = shown.length > 0;
    empty.textContent = recipes.length ? t('recipes.noMatch') : t('recipes.none');
  }

  const reload = app.loader(async () => {
    recipes = await get('/api/recipes');
    render();
  });
  const held = (ev) => ev.op !== 'delete' && ev.version != null && recipes?.find((x) => x.id === ev.id)?.version >= ev.version;
  return {
    topics: ['recipes'],
    reload,
    destroy: () => here.destroy(),
    onEvent: (ev) => { if (ev.type === 'RECIPE_UPDATED' && !held(ev)) reload(); },
  };
}
