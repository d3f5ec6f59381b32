// The parts of the page around the views: the connection indicator, the
// banner for failed writes, coalescing loaders, and keeping the bottom
// navigation away from focused controls on a phone.
import { ApiError } from './api.js';
import { h, setChildren } from './dom.js';
import { t } from './i18n.js';

const conn = document.getElementById('conn');
const banner = document.getElementById('banner');

let lastState = ['idle', ''];
export function showState(state, transport) {
  lastState = [state, transport];
  conn.dataset.state = state;
  conn.dataset.transport = transport || '';
  conn.textContent = state === 'idle' ? '' : t(`conn.${state}`);
  conn.title = state === 'live' && transport ? t('conn.via', { transport }) : '';
}
/** Re-labels the indicator after a language switch. */
export const refreshState = () => showState(...lastState);

// --- writes and the retry banner (no hidden queue: a failed write is shown
// until the user retries or dismisses it) ---

/**
 * write(failText, fn) runs fn; when it fails, the banner says failText (a
 * whole sentence in the user's language, "Could not add “milk”.") and why,
 * with Retry when trying again can help. Returns fn's result or undefined.
 */
export async function write(failText, fn) {
  try {
    const result = await fn();
    if (banner.dataset.what === failText) hideBanner();
    return result;
  } catch (e) {
    failed(failText, e, fn);
    return undefined;
  }
}

/** Shows the banner for a write that failed with e; Retry runs fn again. */
export function failed(failText, e, fn) {
  if (e.status === 401) return;
  const reason = reasonOf(e);
  // A modal dialog makes the page behind it inert: say it in the dialog,
  // where Save is the retry.
  const inDialog = document.querySelector('dialog[open] .dialog-error');
  if (inDialog) {
    setChildren(inDialog, h('strong', failText), ' ', reason);
    inDialog.hidden = false;
    return;
  }
  const retry = e.retryable && fn ? () => { hideBanner(); write(failText, fn); } : null;
  setChildren(banner,
    h('p', h('strong', failText), ' ', reason),
    h('div.banner-actions',
      retry && h('button.primary', { type: 'button', onclick: retry }, t('common.retry')),
      h('button', { type: 'button', onclick: hideBanner }, t('common.dismiss'))));
  banner.dataset.what = failText;
  banner.hidden = false;
}

export function hideBanner() {
  banner.hidden = true;
  banner.dataset.what = '';
  banner.replaceChildren();
}

/**
 * loader(fn) wraps a fetch-and-render function so calls coalesce: one at a
 * time, and one more if asked meanwhile. A failure shows a line at the top
 * of the page (the data shown stays).
 */
export function loader(fn) {
  let running = null;
  let again = false;
  return () => {
    if (running) { again = true; return running; }
    running = (async () => {
      try {
        do {
          again = false;
          await fn();
        } while (again);
        document.querySelector('#main > .load-error')?.remove();
      } catch (e) {
        if (e.status !== 401) showLoadError(e);
      } finally {
        running = null;
      }
    })();
    return running;
  };
}

/** Why something failed, for a person: the ApiError's sentence, never a program's message. */
function reasonOf(e) {
  if (e instanceof ApiError) return e.message;
  console.error(e);
  return t('error.app');
}

function showLoadError(e) {
  const main = document.getElementById('main');
  const line = main.querySelector(':scope > .load-error') || h('p.load-error', { role: 'alert' });
  line.textContent = e.status === 0 ? t('error.loadOffline') : t('error.load', { reason: reasonOf(e) });
  main.prepend(line);
}

// --- the bottom navigation on a phone: hidden while the keyboard is open or
// a text field has focus, so it never covers what is being typed; the page
// keeps scroll padding for it otherwise (app.css). ---

const typing = (el) => el && (el.matches?.('textarea, select, input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit])'));

export function watchKeyboard() {
  const root = document.documentElement;
  const update = () => {
    const vv = window.visualViewport;
    const keyboard = vv ? vv.height < window.innerHeight * 0.75 : false;
    root.classList.toggle('typing', typing(document.activeElement) || keyboard);
  };
  document.addEventListener('focusin', update);
  document.addEventListener('focusout', () => setTimeout(update, 0));
  window.visualViewport?.addEventListener('resize', update);
  update();
}
