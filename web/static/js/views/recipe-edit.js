// Create or edit a recipe: a new one carries the id the device chose (Save
// again never makes two), an edit If-Match with the version it started from.
import { change, get, post } from '../api.js';
import { field, formValues, h, loading, setChildren } from '../dom.js';
import { localText } from '../fields.js';
import { t } from '../i18n.js';
import { fieldsOf, handOver, link, live, putFields, takeOver } from '../handover.js';
import { sayerOf, sayIn } from '../lines.js';

export function edit(app, main, id) {
  const form = h('form.card.recipe-form', loading(6));
  const rows = h('ul.ing-rows');
  main.append(h('h1', t(id ? 'recipes.editTitle' : 'recipes.newTitle')));
  if (!app.can(id ? 'recipe.update' : 'recipe.create')) {
    main.append(h('p.notice', t('recipes.notAllowed')), h('p', h('a', { href: id ? `/recipes/${id}` : '/recipes' }, t('recipes.all'))));
    return { topics: ['recipes'] };
  }
  main.append(form);

  const removeLabel = (name) => (name.trim() ? t('recipes.removeNamed', { name: name.trim() }) : t('recipes.removeIngredient'));
  function ingRow(i = {}) {
    // "2,5" in German, "2.5" in English, whatever the browser's language (fields.js).
    const qty = localText('decimal', { name: 'ing_quantity', 'aria-label': t('recipes.qty'), placeholder: t('recipes.qtyShort'), value: i.quantity ?? '' });
    const li = h('li.ing-row',
      qty,
      // No capital and no correction: iOS would write "Box", "Liter", read as German ("2 Boxen", amounts.go).
      h('input', { name: 'ing_unit', 'aria-label': t('recipes.unit'), placeholder: t('recipes.unit'), maxlength: 32, value: i.unit ?? '', autocapitalize: 'none', autocorrect: 'off' }),
      h('input', { name: 'ing_name', 'aria-label': t('recipes.ingredient'), placeholder: t('recipes.ingredient'), maxlength: 200, value: i.name ?? '',
        oninput: (e) => { li.querySelector('button.danger').setAttribute('aria-label', removeLabel(e.target.value)); } }),
      h('button.icon.danger', {
        type: 'button', 'aria-label': removeLabel(i.name ?? ''), // "Remove flour", not six alike
        onclick: () => {
          const next = li.nextElementSibling || li.previousElementSibling;
          li.remove();
          (next?.querySelector('input') || addIng)?.focus();
        },
      }, h('span', { 'aria-hidden': 'true' }, '✕')),
      qty.parts.error);
    return li;
  }
  const addIng = h('button.small', { type: 'button', onclick: () => { const row = ingRow(); rows.append(row); row.querySelector('input').focus(); } }, t('recipes.addIngredient'));

  // A recipe being edited stays as typed when the page is built again
  // (handover.js): the recipe it started from (its If-Match), its rows,
  // what is in them, the id of a new one and the error line; a Save on
  // its way then answers on the form built in its place (at()).
  const handKey = `recipe-edit ${id ?? 'new'}`;
  const had = takeOver(handKey);
  const createId = had?.createId ?? crypto.randomUUID();
  let started = null; // the recipe the form was built from
  let err = null; // its error line and Save, once built
  let save = null;
  // failed(say): the error line says say(), again in another language (lines.js).
  const failed = (say, focus = true) => {
    sayIn(err, say);
    err.hidden = false;
    if (focus) err.focus();
  };
  const self = link({ failed, saving: (on) => { if (save) save.disabled = on; }, here: () => form.isConnected }, had);
  const at = () => live(self);
  function render(r, rowCount = null) {
    started = r;
    const ings = rowCount == null ? r.ingredients : Array.from({ length: rowCount }, () => ({}));
    setChildren(rows, (ings.length ? ings : [{}]).map(ingRow));
    err = h('p.form-error', { role: 'alert', hidden: true, tabindex: '-1' });
    save = h('button.primary', { type: 'submit' }, t('common.save'));
    setChildren(form,
      err,
      field(t('recipes.titleField'), h('input', { name: 'title', required: true, maxlength: 200, value: r.title })),
      field(t('recipes.servings'), h('input', { name: 'servings', type: 'number', min: 1, max: 100, required: true, value: r.servings })),
      h('fieldset', h('legend', t('recipes.ingredients')), rows, addIng),
      field(t('recipes.steps'), h('textarea', { name: 'steps', rows: 6 }, r.steps.join('\n')), t('recipes.stepsHint')),
      field(t('recipes.tags'), h('input', { name: 'tags', value: r.tags.join(', ') }), t('recipes.tagsHint')),
      field(t('recipes.sourceField'), h('input', { name: 'source_url', type: 'url', value: r.source_url || '', placeholder: 'https://…' })),
      h('div.actions', h('a.button', { href: id ? `/recipes/${id}` : '/recipes' }, t('common.cancel')), save));
    form.onsubmit = async (e) => {
      e.preventDefault();
      const v = formValues(form);
      const ingredients = [...rows.querySelectorAll('.ing-row')].map((li) => {
        const [q, u, n] = ['ing_quantity', 'ing_unit', 'ing_name'].map((name) => li.querySelector(`input[name=${name}]`));
        return { name: n.value.trim(), quantity: q.value === '' ? null : Number(q.value), unit: u.value.trim() || null };
      }).filter((i) => i.name);
      const body = {
        title: v.title, servings: Number(v.servings), ingredients,
        steps: v.steps.split('\n').map((s) => s.trim()).filter(Boolean),
        tags: v.tags.split(',').map((s) => s.trim()).filter(Boolean),
        source_url: v.source_url.trim() || null,
      };
      const doSave = async () => {
        const saved = id ? await change('PATCH', `/api/recipes/${id}`, body, r) : await post('/api/recipes', { id: createId, ...body });
        // To the recipe only from its form: a person gone elsewhere
        // meanwhile stays there (before, the answer took them back).
        if (at().here()) app.go(`/recipes/${saved.id}`, { replace: true });
        return saved;
      };
      save.disabled = true;
      try {
        await doSave();
      } catch (ex) {
        if (ex.retryable) { app.failed(['fail.saveRecipe'], ex, doSave); return; }
        at().failed(() => ex.say());
      } finally {
        at().saving(false);
      }
    };
  }

  let shown = false;
  if (had) {
    shown = true;
    render(had.r, had.rows);
    putFields(form, had.fields);
    for (const input of rows.querySelectorAll('input[name=ing_name]')) input.dispatchEvent(new Event('input')); // the ✕ labels
    if (had.error) failed(had.error, false);
    if (had.saving) save.disabled = true;
  }
  const reload = app.loader(async () => {
    if (shown) return; // never overwrite what is being typed
    let r;
    try {
      r = id ? await get(`/api/recipes/${id}`) : { title: '', servings: 4, ingredients: [], steps: [], tags: [], source_url: null };
    } catch (e) {
      if (e.status !== 404) throw e;
      // Deleted (or never there): say so, as the recipe's page does, not "Loading…" for ever.
      shown = true;
      main.querySelector('h1').textContent = t('recipes.notFound');
      form.replaceWith(h('p', t('recipes.notFoundText'), ' ', h('a', { href: '/recipes' }, t('recipes.all'))));
      return;
    }
    shown = true;
    render(r);
  });
  const destroy = () => {
    if (started && form.querySelector('input[name=title]')) {
      handOver(handKey, {
        link: self, r: started, rows: rows.querySelectorAll('.ing-row').length, fields: fieldsOf(form, { all: true }), createId,
        error: err.hidden ? null : sayerOf(err), saving: save.disabled,
      });
    }
  };
  return { topics: ['recipes'], reload, destroy };
}
