// Tiny DOM helpers: elements are built with h(), never from HTML strings,
// so user text can never become markup.

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

let uid = 0;
/** A unique id for label/for and aria-* pairs. */
export const nextId = (p = 'f') => `${p}-${++uid}`;

/** A labelled form field: field('Name', h('input', {...})). */
export function field(label, control, hint) {
  const id = control.id || (control.id = nextId());
  return h('div.field', h('label', { for: id }, label), control, hint ? h('small.hint', hint) : null);
}

/** Reads a form's named controls into an object (checkboxes as booleans). */
export function formValues(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    out[el.name] = el.type === 'checkbox' ? el.checked : el.value;
  }
  return out;
}
