// Small helpers for forms outside dialogs (sign-in pages, the Family page):
// an error line, showing an error at the field it names, a busy button.
import { h } from '../dom.js';

/** A hidden error line (role=alert) for the top of a form. */
export function errorBox() {
  return h('p.form-error', { role: 'alert', hidden: true });
}

/** Shows e's sentence in box and focuses the field it names (marked invalid). */
export function fail(box, form, e) {
  box.textContent = e.message;
  box.hidden = false;
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const bad = e.field && form.elements[e.field];
  if (bad && bad.focus) { bad.setAttribute('aria-invalid', 'true'); bad.focus(); }
}

/** Marks form's submit button busy (disabled, aria-busy) or not. */
export function busy(form, on) {
  const b = form.querySelector('button[type=submit]');
  b.disabled = on;
  if (on) b.setAttribute('aria-busy', 'true'); else b.removeAttribute('aria-busy');
}
