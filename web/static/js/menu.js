// A toolbar's less used buttons behind one "⋯" (More) button on a narrow
// screen, so the toolbar takes one row on a phone; on a wider screen they
// stay in the toolbar. The menu follows the WAI-ARIA menu button pattern:
// the button has aria-haspopup and aria-expanded; a click, a tap, Enter or
// Space opens it on its first item (ArrowUp on its last); ArrowDown and
// ArrowUp move round the items, Home and End to the first and last;
// Escape closes it and gives the focus back to the button, as does
// choosing an item (a dialog it opens gives the focus back there); Tab,
// or a click or tap outside, closes it. Type-ahead: letters typed in quick
// succession (under PAUSE_MS apart) are one prefix ("um" finds "Umbenennen",
// after the item the first letter was typed on, round from the last), as
// the WAI-ARIA listbox and tree patterns have it (the menu pattern speaks
// of single letters only); the same letter again moves on to the next item
// starting with it. A prefix no item starts with is tried as the new letter
// alone, from the item in focus; if no item starts with that either, the
// focus stays and the letters are forgotten, as after a pause.
import { h, nextId, printable } from './dom.js';
import { currentLocale } from './i18n.js';

/** The width below which the buttons go into the menu (app.css agrees). */
export const NARROW = '(max-width: 40rem)';

/** The pause (ms) after which a letter typed starts a new type-ahead prefix. */
const PAUSE_MS = 500;

/**
 * moreMenu(bar, items, {label}) appends the "⋯" button to bar and moves
 * items (buttons; null skipped) into its menu while the screen is narrow,
 * back into bar, before it, when it is not. label names the button ("More").
 * Returns {destroy}. With no items there is no button.
 */
export function moreMenu(bar, items, { label, query = NARROW }) {
  items = items.filter(Boolean);
  if (!items.length) return { destroy() {} };
  const id = nextId('more');
  const btn = h('button.more', {
    type: 'button', id, 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': `${id}-menu`, 'aria-label': label, title: label,
  }, h('span', { 'aria-hidden': 'true' }, '⋯'));
  const menu = h('div.menu', { id: `${id}-menu`, role: 'menu', 'aria-labelledby': id, hidden: true });
  const wrap = h('div.more-menu', btn, menu);
  bar.append(wrap);

  const usable = () => items.filter((el) => menu.contains(el) && !el.disabled);
  const isOpen = () => btn.getAttribute('aria-expanded') === 'true';
  // Type-ahead: the letters typed so far, the item (index) the first was typed on.
  let typed = '', from = -1, pause = 0;
  function forgetTyped() { typed = ''; clearTimeout(pause); }
  function open(last = false) {
    const can = usable();
    menu.hidden = false;
    btn.setAttribute('aria-expanded', 'true');
    document.addEventListener('pointerdown', outside, true);
    (last ? can.at(-1) : can[0])?.focus();
  }
  function close(focusButton) {
    if (!isOpen()) return;
    menu.hidden = true;
    btn.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', outside, true);
    forgetTyped();
    if (focusButton) btn.focus();
  }
  function outside(e) { if (!wrap.contains(e.target)) close(false); }

  btn.addEventListener('click', () => (isOpen() ? close(true) : open()));
  btn.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && isOpen()) close(true); // open with every item disabled: the focus stayed here
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    open(e.key === 'ArrowUp');
  });
  menu.addEventListener('keydown', (e) => {
    const can = usable();
    const at = can.indexOf(document.activeElement);
    const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: can.length - 1 }[e.key];
    if (e.key === 'Escape') {
      e.preventDefault();
      close(true);
    } else if (to !== undefined && can.length) {
      e.preventDefault();
      forgetTyped();
      can[(to + can.length) % can.length].focus();
    } else if (printable(e)) {
      if (!typed) from = at;
      // A held letter stays one letter: it moves round the items starting with it.
      if (!(typed.length === e.key.length && sameLetters(typed, e.key))) typed += e.key;
      clearTimeout(pause);
      pause = setTimeout(forgetTyped, PAUSE_MS);
      let next = typeAhead(can, at, from, typed);
      // A prefix no item starts with: the new letter alone, from here ("u"
      // then "l" at once goes on to "Liste löschen").
      if (!next && typed !== e.key) [typed, from, next] = [e.key, at, typeAhead(can, at, at, e.key)];
      if (next) { e.preventDefault(); next.focus(); } else forgetTyped();
    }
  });
  // The focus gone elsewhere (Tab, or a dialog an item opened): closed.
  wrap.addEventListener('focusout', (e) => { if (!wrap.contains(e.relatedTarget)) close(false); });
  // An item chosen: closed, the focus on the button, before the item's own
  // listener runs (capture), so its dialog gives the focus back there.
  menu.addEventListener('click', (e) => { if (e.target.closest('[role=menuitem]')) close(true); }, true);

  const mq = matchMedia(query);
  function place() {
    const had = document.activeElement;
    close(false);
    const narrow = mq.matches;
    for (const el of items) {
      if (narrow) {
        el.setAttribute('role', 'menuitem');
        el.tabIndex = -1;
        menu.append(el);
      } else {
        el.removeAttribute('role');
        el.removeAttribute('tabindex');
        bar.insertBefore(el, wrap);
      }
    }
    wrap.hidden = !narrow;
    if (items.includes(had)) (narrow ? btn : had).focus(); // a turned phone keeps the focus near
  }
  place();
  mq.addEventListener('change', place);
  return {
    destroy() {
      forgetTyped();
      mq.removeEventListener('change', place);
      document.removeEventListener('pointerdown', outside, true);
    },
  };
}

/** collators: one Intl.Collator per locale (making one is costly), made when first asked for. */
const collators = new Map();

/** sameLetters(a, b): a and b are the same in the app's language, case and accents aside. */
function sameLetters(a, b) {
  const locale = currentLocale();
  let c = collators.get(locale);
  if (!c) collators.set(locale, (c = new Intl.Collator(locale, { sensitivity: 'base' })));
  return c.compare(a, b) === 0;
}

/**
 * typeAhead(items, at, from, typed) is the item the letters typed move to,
 * the focus on index at, the first letter typed on index from, or null: one
 * letter, the next item after at whose label starts with it; more, the
 * first after from whose label starts with typed; round from the start. In
 * the app's language with case and accents aside ("l" finds "Liste
 * löschen", "ä" and "a" both find "Ändern" and "Abgehakte …", "ab" finds
 * "Äb…").
 */
function typeAhead(items, at, from, typed) {
  const letters = [...typed.normalize()];
  const start = letters.length === 1 ? at : from;
  for (let i = 1; i <= items.length; i++) {
    const el = items[(start + i + items.length) % items.length];
    const label = [...(el.getAttribute('aria-label') || el.textContent).trim().normalize()].slice(0, letters.length).join('');
    if (label && sameLetters(label, letters.join(''))) return el;
  }
  return null;
}
