// Tiny DOM helpers: elements are built with h(), never from HTML strings,
// so user text can never become markup. Lists are patched in place, keyed
// by id, so a re-render never takes focus or the caret from the user.
import { t } from './i18n.js';

/**
 * h('button.primary', {type: 'submit', onclick: fn}, 'Save') creates an
 * element. The tag may carry .classes and a #id; attrs starting with "on"
 * are listeners; false/null attrs are left out; children are nodes,
 * strings or (nested) arrays, null and false are skipped.
 */
export function h(tag, attrs, ...children) {
  if (attrs == null || typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  const [, name, rest = ''] = tag.match(/^([a-z0-9-]+)(.*)$/i);
  const el = document.createElement(name);
  for (const part of rest.match(/[.#][^.#]+/g) || []) {
    if (part[0] === '.') el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = [el.className, v].filter(Boolean).join(' ');
    else if (k === 'value' || k === 'checked' || k === 'selected') el[k] = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'cssvars') for (const [p, x] of Object.entries(v)) el.style.setProperty(p, x); // CSSOM: allowed by the CSP
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** Replaces el's children; null, false and nested arrays are handled as in h() (never the text "null"). */
export function setChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
/** A unique id for label/for and aria-* pairs. */
export const nextId = (p = 'f') => `${p}-${++uid}`;

/** A labelled form field: field('Name', h('input', {...})). */
export function field(label, control, hint) {
  const id = control.id || (control.id = nextId());
  let hintEl = null;
  if (hint) {
    hintEl = h('small.hint', { id: `${id}-hint` }, hint);
    control.setAttribute('aria-describedby', hintEl.id);
  }
  return h('div.field', h('label', { for: id }, label), control, hintEl);
}

/** Reads a form's named controls into an object (checkboxes as booleans). */
export function formValues(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || (el.type === 'radio' && !el.checked)) continue;
    out[el.name] = el.type === 'checkbox' ? el.checked : el.value;
  }
  return out;
}

/** A placeholder shown while a page's data loads: grey bars, and "Loading…" for screen readers. */
export function loading(rows = 4) {
  return h('div.loading', { role: 'status' },
    h('span.visually-hidden', t('common.loading')),
    [...Array(rows)].map(() => h('div.skeleton', { 'aria-hidden': 'true' })));
}

/**
 * keepFocus(fn) runs fn (which may rebuild part of the page) and then puts
 * focus, caret and selection back where they were: on the same element if
 * it survived, else on the new element with the same data-key or id.
 */
export function keepFocus(fn) {
  const el = document.activeElement;
  const key = el?.dataset?.key;
  const id = el?.id;
  let sel = null;
  try {
    if (el && typeof el.selectionStart === 'number') sel = [el.selectionStart, el.selectionEnd, el.selectionDirection];
  } catch { /* inputs without selection (checkbox) */ }
  const result = fn();
  const now = document.activeElement;
  if (el && el !== document.body && now !== el) {
    let target = el.isConnected ? el : null;
    if (!target && key) target = document.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (!target && id) target = document.getElementById(id);
    if (target) {
      target.focus({ preventScroll: true });
      if (sel) try { target.setSelectionRange(...sel); } catch { /* not a text control */ }
    }
  }
  return result;
}

/**
 * reconcile(parent, items, {key, build, sig?, update?}) makes parent's
 * children one element per item, in order, keyed by key(item), without
 * rebuilding what did not change:
 * - update(el, item) patches an existing element in place, or else
 * - sig(item) is a string of what the row shows: an existing element with
 *   the same signature stays untouched; another one is replaced by build(item).
 * New items get build(item) (and update, when given). Focus, caret and
 * selection survive (keepFocus).
 */
export function reconcile(parent, items, { key, build, sig = null, update = null }) {
  keepFocus(() => {
    const old = new Map();
    for (const el of [...parent.children]) {
      if (el.dataset.rowKey != null) old.set(el.dataset.rowKey, el);
      else el.remove();
    }
    let cursor = parent.firstElementChild;
    for (const item of items) {
      const k = String(key(item));
      const s = sig ? sig(item) : '';
      let el = old.get(k);
      old.delete(k);
      if (el && update) {
        update(el, item);
      } else if (el && el.dataset.rowSig !== s) {
        const fresh = build(item);
        if (el === cursor) cursor = fresh;
        el.replaceWith(fresh);
        el = fresh;
      } else if (!el) {
        el = build(item);
        if (update) update(el, item);
      }
      el.dataset.rowKey = k;
      el.dataset.rowSig = s;
      if (el === cursor) cursor = cursor.nextElementSibling;
      else parent.insertBefore(el, cursor);
    }
    for (const el of old.values()) el.remove();
  });
}

/**
 * pickerKeys is the keydown handler of a select that acts as soon as it
 * changes (a menu: snooze a task, a member's role). A closed select's arrow
 * keys (and typing) change it without opening it on Linux and Windows, so
 * one ArrowDown from the keyboard acted; they open the list instead
 * (showPicker), where Enter chooses. Space and Alt+ArrowDown open it as
 * always; a tap or click is unchanged.
 */
export function pickerKeys(e) {
  const browse = ['ArrowDown', 'ArrowUp', 'PageDown', 'PageUp', 'Home', 'End'].includes(e.key) || printable(e);
  if (!browse || e.altKey || e.ctrlKey || e.metaKey) return;
  e.preventDefault();
  try { e.target.showPicker(); } catch { /* no showPicker: Space or Alt+ArrowDown opens it */ }
}

/** printable(e): a keydown of one printable character on its own (not Space, not a shortcut): typing to find. */
export const printable = (e) => [...e.key].length === 1 && e.key.trim() !== '' && !e.ctrlKey && !e.metaKey && !e.altKey;
