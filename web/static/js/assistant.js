// The assistant bar on every page: type (or, where the browser has the Web
// Speech API, say) a command; it goes to POST /api/assistant/commands with
// this device's id, and the answer is shown in the user's language. Other
// devices see only the usual domain events.
import { post, request, serverCaps } from './api.js';
import { examples, replyText } from './assistant-reply.js';
import { h, setChildren } from './dom.js';
import { serverSpeaks } from './errors.js';
import { currentLocale, t } from './i18n.js';

const Recognition = () => window.SpeechRecognition || window.webkitSpeechRecognition || null;

/** A microphone drawn in SVG (no icon font, no emoji font needed). */
function micIcon() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '22');
  svg.setAttribute('height', '22');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const d of ['M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z', 'M5 11a7 7 0 0 0 14 0M12 18v3M8 21h8']) {
    const p = document.createElementNS(ns, 'path');
    p.setAttribute('d', d);
    p.setAttribute('fill', 'none');
    p.setAttribute('stroke', 'currentColor');
    p.setAttribute('stroke-width', '2');
    p.setAttribute('stroke-linecap', 'round');
    svg.append(p);
  }
  return svg;
}

export function mountAssistant(app, root) {
  const input = h('input#assistant-input', { name: 'text', type: 'text', autocomplete: 'off', maxlength: 500, enterkeyhint: 'send' });
  const label = h('label.visually-hidden', { for: 'assistant-input' });
  const mic = h('button.icon.mic', { type: 'button', hidden: true, 'aria-pressed': 'false', onclick: listen }, micIcon());
  const send = h('button.primary', { type: 'submit' });
  const reply = h('div.assistant-reply', { role: 'status', 'aria-live': 'polite' });
  const form = h('form.assistant-form', { onsubmit: submit }, label, input, mic, send);
  let recognition = null;
  let lastCommand = null; // {id, intent}: what Undo will act on

  function relabel() {
    label.textContent = t('assistant.label');
    input.placeholder = t('assistant.placeholder');
    mic.setAttribute('aria-label', t(recognition ? 'assistant.stopListening' : 'assistant.speak'));
    send.textContent = t('assistant.send');
    form.setAttribute('aria-label', t('assistant.label'));
    root.setAttribute('aria-label', t('assistant.label'));
    // Only where the browser can listen: no dead microphone elsewhere.
    mic.hidden = !Recognition();
  }
  relabel();

  function show(message, { examplesList = false, undo = null } = {}) {
    setChildren(reply,
      h('p', message),
      examplesList ? [h('p.muted', t('assistant.tryThese')), h('ul.examples', examples().map((x) => h('li', h('button.example', {
        type: 'button', onclick: () => { input.value = x; input.focus(); },
      }, x))))] : null,
      h('div.reply-actions', undo,
        h('button.small', { type: 'button', onclick: () => { reply.replaceChildren(); input.focus(); } }, t('common.dismiss'))));
  }

  /**
   * The Undo button for an executed command. SERVER-ENDPOINT (issue 15):
   * POST /api/assistant/commands/{id}/undo reverts the command's changes
   * in one transaction; shown once serverCaps.assistantUndo is on.
   */
  function undoButton(cmd) {
    if (!serverCaps.assistantUndo || !cmd?.id) return null;
    return h('button.small', {
      type: 'button',
      async onclick() {
        const ok = await app.write(t('fail.undo'), () => post(`/api/assistant/commands/${cmd.id}/undo`, {}));
        if (ok) show(t('assistant.undone'));
      },
    }, t('assistant.undo'));
  }

  async function submit(e) {
    e.preventDefault();
    const text = input.value.trim();
    if (!text || send.disabled) return;
    send.disabled = true;
    send.setAttribute('aria-busy', 'true');
    reply.replaceChildren(h('p.muted', t('assistant.working')));
    try {
      const { data, headers } = await request('POST', '/api/assistant/commands', { text, locale: currentLocale() });
      lastCommand = { id: data.id, intent: data.intent?.type };
      const own = serverSpeaks(headers.get('Content-Language')) ? data.message : null;
      show(own || replyText(data, app.tz) || t('assistant.done'), { undo: undoButton(data) });
      if (input.value.trim() === text) input.value = '';
    } catch (ex) {
      if (ex.status === 422 && ex.field === 'text') show(t('assistant.notUnderstood'), { examplesList: true });
      else if (ex.status === 422) show(ex.localized ? ex.serverMessage : t('assistant.couldNot'), { examplesList: !ex.localized });
      else show(ex.message);
    } finally {
      send.disabled = false;
      send.removeAttribute('aria-busy');
    }
  }

  function listen() {
    const SR = Recognition();
    if (!SR) return;
    if (recognition) { recognition.stop(); return; }
    recognition = new SR();
    recognition.lang = currentLocale();
    recognition.interimResults = true;
    recognition.maxAlternatives = 1;
    mic.setAttribute('aria-pressed', 'true');
    relabel();
    recognition.onresult = (ev) => {
      const results = [...ev.results];
      input.value = results.map((r) => r[0].transcript).join('');
      if (results.length && results[results.length - 1].isFinal) {
        recognition.stop?.();
        form.requestSubmit();
      }
    };
    recognition.onerror = (ev) => {
      if (ev.error !== 'aborted' && ev.error !== 'no-speech') show(t('assistant.micError'));
    };
    recognition.onend = () => {
      recognition = null;
      mic.setAttribute('aria-pressed', 'false');
      relabel();
    };
    try { recognition.start(); } catch { recognition.onend(); }
  }

  return {
    relabel,
    /** A new page: the last answer belonged to the old one. */
    clearReply() { reply.replaceChildren(); },
    /** Shows the bar (signed in) or takes it out of the page (signed out). */
    setVisible(on) {
      root.hidden = !on;
      if (on && !root.contains(form)) root.append(form, reply);
      if (!on) { root.replaceChildren(); reply.replaceChildren(); input.value = ''; }
    },
    /** Device messages: AI_INTENT_EXECUTED confirms a command of this device. */
    onMessage(msg) {
      if (msg.type === 'AI_INTENT_EXECUTED' && lastCommand?.id === msg.command_id) lastCommand.confirmed = true;
    },
  };
}
