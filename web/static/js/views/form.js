// Small helpers for forms outside dialogs (sign-in pages, the Family page):
// an error line, showing an error at the field it names, a busy button.
import { h } from '../dom.js';
import { sayIn } from '../lines.js';

/** A hidden error line (role=alert) for the top of a form. */
export function errorBox() {
  return h('p.form-error', { role: 'alert', hidden: true });
}

/**
 * Shows e's sentence in box (said again in another language: lines.js)
 * and focuses the field it names (marked invalid).
 */
export function fail(box, form, e) {
  sayIn(box, typeof e.say === 'function' ? () => e.say() : () => e.message);
  box.hidden = false;
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const bad = e.field && form.elements[e.field];
  if (bad && bad.focus) { bad.setAttribute('aria-invalid', 'true'); bad.focus(); }
}

/**
 * Marks form's submit button busy (disabled, aria-busy) or not. Disabling
 * the focused button drops the focus to the page; it comes back to the button
 * when the form is free again (a keyboard user is not sent to the top after
 * "wrong password"), unless something else took it meanwhile.
 */
export function busy(form, on) {
  const b = form.querySelector('button[type=submit]');
  if (on) b.dataset.hadFocus = document.activeElement === b ? '1' : '';
  b.disabled = on;
  if (on) { b.setAttribute('aria-busy', 'true'); return; }
  b.removeAttribute('aria-busy');
  const lost = !document.activeElement || document.activeElement === document.body;
  if (b.dataset.hadFocus && lost && b.isConnected) b.focus();
  delete b.dataset.hadFocus;
}
