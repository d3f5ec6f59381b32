// Modal forms and questions in a <dialog>: focus moves into it, Escape
// cancels, and focus returns to where it was (or, when a re-render replaced
// that control, to its successor with the same data-key or id).
import { h } from '../dom.js';
import { t } from '../i18n.js';

function returnFocusTo(back) {
  const key = back?.dataset?.key;
  const id = back?.id;
  return () => {
    let el = back?.isConnected ? back : null;
    if (!el && key) el = document.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (!el && id) el = document.getElementById(id);
    // The dialog's save moved to another page (a new list opens at once):
    // the focus goes where a move puts it, the page's heading, not to <body>.
    if (!el && (!document.activeElement || document.activeElement === document.body)) el = document.querySelector('#main h1[tabindex]');
    el?.focus({ preventScroll: false });
  };
}

function show(dlg, first) {
  const restore = returnFocusTo(document.activeElement);
  dlg.addEventListener('close', () => {
    dlg.remove();
    restore();
  });
  document.body.append(dlg);
  dlg.showModal();
  (first || dlg.querySelector('[autofocus], input:not([type=hidden]), textarea, select, button'))?.focus();
}

/**
 * openDialog(title, [fields...], async (form) => ok, opts) shows a modal
 * form; onSave returns true to close it. A write that fails while it is
 * open is reported inside it (shell.js failed()). opts: saveLabel, extra (a node at
 * the start of the actions, e.g. Delete), className, danger (Save is a
 * red button), readOnly (the fields are shown disabled, with Close only:
 * for what the person may see but not change).
 */
export function openDialog(title, fields, onSave, { saveLabel = null, extra = null, className = null, danger = false, readOnly = false } = {}) {
  const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
  const save = h(danger ? 'button.danger' : 'button.primary', { type: 'submit', hidden: readOnly }, saveLabel ?? t('common.save'));
  const error = h('p.form-error.dialog-error', { role: 'alert', hidden: true });
  const form = h('form.dialog-form', { method: 'dialog', novalidate: false },
    h('h2', { id: titleId }, title),
    error,
    fields,
    h('div.actions',
      extra,
      h('button', { type: 'button', onclick: () => dlg.close() }, t(readOnly ? 'common.close' : 'common.cancel')),
      save));
  if (readOnly) for (const el of form.querySelectorAll('input, select, textarea')) el.disabled = true;
  const dlg = h('dialog', { 'aria-labelledby': titleId, class: className }, form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (save.disabled || readOnly) return;
    const hadFocus = document.activeElement === save;
    save.disabled = true; // drops the focus to the page while it is disabled
    save.setAttribute('aria-busy', 'true');
    error.hidden = true;
    try {
      if (await onSave(form)) dlg.close();
    } finally {
      save.disabled = false;
      save.removeAttribute('aria-busy');
      // After a failed save the focus is back on Save, not lost to the page.
      if (hadFocus && dlg.open && (!document.activeElement || document.activeElement === document.body)) save.focus();
    }
  });
  show(dlg);
  return dlg;
}

/**
 * ask(title, text, choices) asks a question in a modal and resolves to the
 * value of the chosen button, or null when cancelled. text is a sentence
 * or nodes (e.g. a code to copy). choices:
 * [{value, label, danger?, primary?, disabled?, why?}]; Cancel (or
 * opts.cancelLabel) is added. opts.watch(update), when given, lets choices
 * change while the question is open: it calls update() when they may have
 * (a choice's disabled or why then read again, as functions), and returns
 * what stops it, called when the question closes.
 */
export function ask(title, text, choices, { cancelLabel = null, watch = null } = {}) {
  return new Promise((resolve) => {
    const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
    let answer = null;
    const now = (v) => (typeof v === 'function' ? v() : v);
    // A choice that cannot be made now (c.why: the reason) is shown disabled, its reason under it.
    const buttons = choices.map((c, i) => {
      const why = h('p.hint.choice-why', { id: `${titleId}-why-${i}`, hidden: true });
      const button = h(c.danger ? 'button.danger' : c.primary ? 'button.primary' : 'button', {
        type: 'button', onclick: () => { answer = c.value; dlg.close(); },
      }, c.label);
      return { c, button, why };
    });
    const update = () => {
      for (const { c, button, why } of buttons) {
        const off = !!now(c.disabled);
        const reason = off ? now(c.why) : null;
        if (off && document.activeElement === button) cancel.focus(); // never on a control that went away
        button.disabled = off;
        why.textContent = reason || '';
        why.hidden = !reason;
        if (reason) button.setAttribute('aria-describedby', why.id); else button.removeAttribute('aria-describedby');
      }
    };
    const cancel = h('button', { type: 'button', onclick: () => dlg.close() }, cancelLabel ?? t('common.cancel'));
    update();
    const unwatch = watch?.(update);
    const dlg = h('dialog.ask', { 'aria-labelledby': titleId, 'aria-describedby': text ? `${titleId}-text` : null, role: 'alertdialog' },
      h('div.dialog-form',
        h('h2', { id: titleId }, title),
        text ? h(text instanceof Node || Array.isArray(text) ? 'div' : 'p', { id: `${titleId}-text` }, text) : null,
        h('div.actions.stacked', buttons.map(({ button, why }) => [button, why]), cancel)));
    dlg.addEventListener('close', () => { unwatch?.(); resolve(answer); });
    show(dlg, cancel);
  });
}

/** confirmDelete('Delete “Pancakes”?', 'It is gone for everyone.') resolves to true when confirmed. */
export async function confirmDelete(title, text) {
  return (await ask(title, text, [{ value: true, label: t('common.delete'), danger: true }])) === true;
}
