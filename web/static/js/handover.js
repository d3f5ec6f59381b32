// What a page hands to the page built in its place: unsaved words in its
// forms, an open dialog's link to the page. app.js's render destroys the
// old page and builds the new one in the same turn, when another device
// changed the family's time zone or the person's role, or the app's
// language changed, and the page is built again (app.rerender); before,
// whatever was half typed was lost. A hand-over not taken in that turn
// goes: a later visit of the page starts from the server's data.
import { currentLang } from './i18n.js';
import { sayerOf, sayIn } from './lines.js';

const held = new Map();

/** handOver(key, state): the page being destroyed leaves state for its successor. */
export function handOver(key, state) {
  held.set(key, state);
  queueMicrotask(() => { if (held.get(key) === state) held.delete(key); });
}

/** takeOver(key) returns what the page before left under key (once), or undefined. */
export function takeOver(key) {
  const state = held.get(key);
  held.delete(key);
  return state;
}

const controls = (root) => [...root.querySelectorAll('input, select, textarea')].filter((el) => el.name && el.type !== 'hidden');
// A date, time or number field (fields.js) hands over its text while it does not read.
const valueOf = (el) => el.kept?.() ?? el.value;
const changed = (el) => {
  if (el.type === 'checkbox' || el.type === 'radio') return el.checked !== el.defaultChecked;
  if (el.tagName === 'SELECT') return [...el.options].some((o) => o.selected !== o.defaultSelected);
  return valueOf(el) !== el.defaultValue;
};
const isCheck = (el) => el.type === 'checkbox' || el.type === 'radio';

/**
 * fieldsOf(root, {all}) returns the named controls under root that differ
 * from what they were built with (all: every one) or have the focus, in
 * order: [{name, i, value, checked?, focus?}], i counting the controls of
 * that name, focus the caret. None: null.
 */
export function fieldsOf(root, { all = false } = {}) {
  const out = [];
  const seen = new Map();
  for (const el of controls(root)) {
    const i = seen.get(el.name) ?? 0;
    seen.set(el.name, i + 1);
    const focused = el === document.activeElement;
    if (!all && !focused && !changed(el)) continue;
    const c = isCheck(el) ? { name: el.name, i, value: el.value, checked: el.checked } : { name: el.name, i, value: valueOf(el) };
    if (focused) c.focus = caret(el);
    out.push(c);
  }
  return out.length ? out : null;
}

function caret(el) {
  try { return typeof el.selectionStart === 'number' ? [el.selectionStart, el.selectionEnd, el.selectionDirection] : []; } catch { return []; }
}

const find = (els, c) => {
  const named = els.filter((e) => e.name === c.name);
  return 'checked' in c ? named.find((e) => e.value === c.value) : named[c.i];
};

/**
 * refocus(root, fields) puts the focus and caret back into the control
 * under root that had them when fieldsOf took fields (root must be in
 * the page: a form attached later calls it then).
 */
export function refocus(root, fields) {
  const c = fields?.find((x) => x.focus);
  const el = c && root.isConnected ? find(controls(root), c) : null;
  if (!el) return;
  el.focus({ preventScroll: true });
  if (c.focus.length) try { el.setSelectionRange(...c.focus); } catch { /* not a text control */ }
}

/**
 * putFields(root, fields) puts what fieldsOf took back into the controls
 * under root: a checkbox by name and value, anything else by name and
 * its place among the controls of that name; and the focus (refocus).
 */
export function putFields(root, fields) {
  const els = controls(root);
  for (const c of fields || []) {
    const el = find(els, c);
    if (!el) continue;
    // A choice the new page no longer offers (an owner made an adult: no
    // "Owner" to invite) leaves the picker as built, not blank.
    if (el.tagName === 'SELECT' && !el.multiple && ![...el.options].some((o) => o.value === c.value)) continue;
    if ('checked' in c) el.checked = c.checked;
    else el.value = c.value;
  }
  refocus(root, fields);
}

/**
 * link(self, had) ties a form to the one it was built in place of (had:
 * what that one handed over, with its link) and returns this form's link,
 * for its own hand-over. A Save on its way when the page is built again
 * shows its answer on the form shown by then (live), not on the one gone.
 */
export function link(self, had) {
  const l = { self, next: null };
  // Only the old form points to the new one: a page holding the one
  // before (had.link) held every page since the first, with what each
  // showed (an app password shown once, after it was revoked too).
  if (had?.link) { had.link.next = l; had.link = null; }
  return l;
}

/** live(l) returns the form now shown in place of the one l links (itself when not rebuilt). */
export function live(l) {
  while (l.next) l = l.next;
  return l.self;
}

/**
 * carry(key, root, {lines, open, on}) keeps a plain form through a
 * rebuild: the fields typed (the focus once the form is in the page, a
 * field marked invalid), what its lines say (an error line, "Password
 * changed.": their content moves over, with hidden; when the page is
 * built again for another language, only a line said with sayIn (lines.js),
 * said again in the new one: the others speak the old one), whether
 * its <details> are open, a Save's busy button. Returns {had, live(),
 * hand(more)}: hand() goes in the page's destroy (more: what else the
 * form hands over, had.more in the next); live() returns {root, lines,
 * open, ...on} of the form now shown, where a Save on its way shows its
 * answer (on: that form's own functions for it).
 */
export function carry(key, root, { lines = [], open = [], on = {} } = {}) {
  const had = takeOver(key);
  const lang = currentLang(); // the language the form, and so its lines, speak
  const l = link({ root, lines, open, ...on }, had);
  const submit = () => root.querySelector('button[type=submit]');
  if (had) {
    putFields(root, had.fields);
    const typed = had.fields; // not had: what live() and hand() keep must not hold what was typed (a password)
    queueMicrotask(() => refocus(root, typed)); // the page appends the form in this turn
    for (const el of controls(root)) if (had.invalid.includes(el.name)) el.setAttribute('aria-invalid', 'true');
    had.lines.forEach((from, i) => {
      const line = lines[i];
      const say = sayerOf(from); // a line said with sayIn is said again in the new language
      if (!line || (!say && had.lang !== lang)) return;
      if (say) sayIn(line, say);
      else line.replaceChildren(...from.childNodes);
      line.hidden = from.hidden;
    });
    had.open.forEach((o, i) => { if (open[i]) open[i].open = o; });
    if (had.busy && submit()) { submit().disabled = true; submit().setAttribute('aria-busy', 'true'); }
  }
  return {
    had: had && { more: had.more }, // not the fields typed (a password) nor the old lines: the page keeps this
    live: () => live(l),
    hand: (more) => handOver(key, {
      link: l,
      more,
      fields: fieldsOf(root),
      invalid: controls(root).filter((el) => el.getAttribute('aria-invalid') === 'true').map((el) => el.name),
      lines,
      lang,
      open: open.map((d) => d.open),
      busy: submit()?.getAttribute('aria-busy') === 'true',
    }),
  };
}
