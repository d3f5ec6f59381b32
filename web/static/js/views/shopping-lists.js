// The shopping lists themselves: create (with a client-chosen id, so Retry
// never makes two), rename and delete (with If-Match, so neither
// overwrites a change the device has not seen). These need the server.
import { change, request } from '../api.js';
import { field, h } from '../dom.js';
import { t } from '../i18n.js';
import { ask, openDialog } from './dialog.js';

export function newList(app) {
  const id = crypto.randomUUID(); // one list, however often Save is pressed
  openDialog(t('shopping.newList'), [
    field(t('shopping.listName'), h('input', { name: 'name', required: true, maxlength: 200, autocomplete: 'off', placeholder: t('shopping.listNameExample') })),
  ], async (form) => {
    const name = form.elements.name.value.trim();
    const created = await app.write(['fail.createList'], async () => (await request('POST', '/api/shopping/lists', { id, name })).data);
    if (created) app.go(`/shopping/${created.id}`);
    return !!created;
  }, { saveLabel: t('shopping.create') });
}

export function renameList(app, list, onDone) {
  openDialog(t('shopping.renameList'), [field(t('shopping.listName'), h('input', { name: 'name', value: list.name, required: true, maxlength: 200 }))], async (form) => {
    const name = form.elements.name.value.trim();
    const ok = await app.write(['fail.renameList'], () => change('PATCH', `/api/shopping/lists/${list.id}`, { name }, list, { fields: ['name'] }));
    if (ok) onDone();
    return !!ok;
  });
}

export async function deleteList(app, list, count) {
  const choice = await ask(t('shopping.deleteListTitle', { name: list.name }), t('shopping.deleteListText', { count }),
    [{ value: 'delete', label: t('shopping.deleteList'), danger: true }]);
  if (choice !== 'delete') return;
  const ok = await app.write(['fail.deleteList'], async () => {
    try { await change('DELETE', `/api/shopping/lists/${list.id}`, undefined, list, { fields: ['name'] }); } catch (e) { if (e.status !== 404) throw e; }
    return true;
  });
  if (ok) app.go('/shopping', { replace: true });
}
