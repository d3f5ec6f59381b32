// Copy buttons for what a person pastes elsewhere: an invite code and its
// link, an app password, a feed's address, a reset code. The Clipboard API
// exists only in a secure context (https, or localhost): on a server
// reached over plain http it is missing, and it may refuse. Then the text
// is selected and copied the old way (execCommand, still honoured in a
// click); when even that fails the text stays selected, so the device's own
// Copy is one step away, and the status line says so. The status is a
// polite live region: a screen reader hears "Copied." without losing focus.
import { h } from './dom.js';
import { t } from './i18n.js';

/** Selects node's text: an input's value, or an element's text. */
function select(node) {
  if (typeof node.select === 'function') { node.focus({ preventScroll: true }); node.select(); return; }
  const range = document.createRange();
  range.selectNodeContents(node);
  const sel = getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
}

/**
 * copyText(value, node) puts value on the clipboard; it resolves true when
 * it is there, false when node's text could only be selected.
 */
export async function copyText(value, node) {
  try {
    await navigator.clipboard.writeText(value);
    return true;
  } catch { /* no Clipboard API here (http), or refused */ }
  select(node);
  try { return document.execCommand('copy'); } catch { return false; }
}

/**
 * copyButton(value, node, label) is a Copy button (label: its accessible
 * name, "Copy the invite code") and its status line, for node showing value.
 */
export function copyButton(value, node, label) {
  const status = h('span.muted.copied', { role: 'status' });
  let timer = null;
  const button = h('button.small.copy', {
    type: 'button', 'aria-label': label,
    async onclick() {
      const copied = await copyText(value, node);
      if (copied) button.focus({ preventScroll: true }); // an input selected for the copy took the focus
      status.textContent = t(copied ? 'dav.copied' : 'copy.selected');
      clearTimeout(timer);
      // "Copied." goes after a moment; "Selected" stays while it is true.
      if (copied) timer = setTimeout(() => { status.textContent = ''; }, 2500);
    },
  }, t('dav.copy'));
  return [button, status];
}
