// Lines that say what happened (an error line under a form, a dialog's
// error, the reason in a banner): kept as how to say them, not as words,
// so that a language switch says them again in the new language: the
// lines still shown (a dialog stays open through the switch) and those
// handover.js carries to the page built in its place (sayerOf).
import { setChildren } from './dom.js';
import { onLangChange } from './i18n.js';

const said = new Map(); // element → {say, text}: what it shows while its text is that

/**
 * sayIn(el, say) makes el show say() (text, or nodes and text for h()),
 * said again when the language changes while el still shows it.
 */
export function sayIn(el, say) {
  setChildren(el, say());
  said.set(el, { say, text: el.textContent });
  if (said.size > 64) for (const [e] of said) if (!e.isConnected) said.delete(e);
}

/** sayerOf(el) returns how el's words were made (sayIn) while el still shows them (nothing else was put in since), else null. */
export function sayerOf(el) {
  const s = said.get(el);
  return s && s.text === el.textContent ? s.say : null;
}

onLangChange(() => {
  for (const [el, s] of said) {
    if (el.isConnected && s.text === el.textContent) sayIn(el, s.say);
    else said.delete(el);
  }
});
