// A modal form in a <dialog>: focus moves into it, Escape cancels, focus
// returns to where it was.
import { h } from '../dom.js';

/**
 * openDialog('Edit item', [fields...], async (form) => ok) shows a modal
 * form; onSave returns true to close it.
 */
export function openDialog(title, fields, onSave, { saveLabel = 'Save', extra = null } = {}) {
  const back = document.activeElement;
  const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
  const form = h('form.dialog-form', { method: 'dialog' },
    h('h2', { id: titleId }, title),
    fields,
    h('div.actions',
      extra,
      h('button', { type: 'button', onclick: () => dlg.close() }, 'Cancel'),
      h('button.primary', { type: 'submit' }, saveLabel)));
  const dlg = h('dialog', { 'aria-labelledby': titleId }, form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (await onSave(form)) dlg.close();
  });
  dlg.addEventListener('close', () => {
    dlg.remove();
    if (back && back.isConnected) back.focus();
  });
  document.body.append(dlg);
  dlg.showModal();
  return dlg;
}
