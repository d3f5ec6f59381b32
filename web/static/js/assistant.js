// The assistant bar on every page: type (or, where the browser has the Web
// Speech API, say) a command; it goes to POST /api/assistant/commands with
// this device's id, an id of its own (a retry never runs it twice) and the
// locale with the app's hour cycle (the answer says times on its clock). The
// server's sentence is shown when it speaks the user's language
// (Content-Language), else the app words the answer itself. A question
// comes with its options as buttons; an executed command with Undo. Other
// devices see only the usual domain events.
import { request, serverCaps } from './api.js';
import { createdEvents, examples, optionLabel, replyText } from './assistant-reply.js';
import { h, setChildren } from './dom.js';
import { serverSpeaks } from './errors.js';
import { clockLocale, currentLocale, t } from './i18n.js';

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

/** A new command id: the server answers a repeat of it from its record. */
const newCommandId = () => (crypto.randomUUID ? crypto.randomUUID() : undefined);

export function mountAssistant(app, root) {
  const input = h('input#assistant-input', { name: 'text', type: 'text', autocomplete: 'off', maxlength: 500, enterkeyhint: 'send' });
  const label = h('label.visually-hidden', { for: 'assistant-input' });
  const mic = h('button.icon.mic', { type: 'button', hidden: true, 'aria-pressed': 'false', onclick: listen }, micIcon());
  const send = h('button.primary', { type: 'submit' });
  const reply = h('div.assistant-reply', { role: 'status', 'aria-live': 'polite' });
  const form = h('form.assistant-form', { onsubmit: submit }, label, input, mic, send);
  let recognition = null;

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

  function show(message, { examplesList = false, actions = null, choices = null, events = [] } = {}) {
    setChildren(reply,
      h('p', message),
      events.length ? h('ul.assistant-events', { 'aria-label': t('assistant.eventsList') }, events.map((x) => h('li', x))) : null,
      choices,
      examplesList ? [h('p.muted', t('assistant.tryThese')), h('ul.examples', examples().map((x) => h('li', h('button.example', {
        type: 'button', onclick: () => { input.value = x; input.focus(); },
      }, x))))] : null,
      h('div.reply-actions', actions,
        h('button.small', { type: 'button', onclick: () => { reply.replaceChildren(); input.focus(); } }, t('common.dismiss'))));
  }

  /**
   * Shows a failed request: the server's sentence when it speaks the user's
   * language, except where the app's own words say better what to do
   * (sign in again, reload, retry later): every error answer now carries
   * Content-Language, not only the assistant's refusals.
   */
  function showError(ex, fallback) {
    const appWords = ex.status === 400 || ex.status === 401 || ex.status === 413 || ex.status === 429 || ex.status >= 500;
    if (ex.status === 422 && ex.field === 'text') show(t('assistant.notUnderstood'), { examplesList: true });
    else if (ex.localized && !appWords) show(ex.serverMessage);
    else if (ex.status === 422) show(fallback || t('assistant.couldNot'), { examplesList: !fallback });
    else show(fallback && ex.status === 409 ? fallback : ex.message);
  }

  /** Shows the server's answer to a command or a choice. */
  function present(data, headers) {
    const own = serverSpeaks(headers.get('Content-Language')) ? data.message : null;
    if (data.outcome === 'question') {
      show(own || t('assistant.question'), { choices: choiceButtons(data, !!own) });
      return;
    }
    show(own || replyText(data, app.tz) || t('assistant.done'), { actions: undoButton(data), events: createdEvents(data, app.tz) });
  }

  /** The options of a question as buttons; a tap answers it (POST …/choice). */
  function choiceButtons(data, serverLabels) {
    const options = data.intent?.options || [];
    const buttons = options.map((opt, i) => h('button.choice', {
      type: 'button',
      async onclick() {
        for (const b of buttons) b.disabled = true;
        buttons[i].setAttribute('aria-busy', 'true');
        try {
          const res = await request('POST', `/api/assistant/commands/${data.id}/choice`, { option: i, locale: clockLocale() });
          present(res.data, res.headers);
        } catch (ex) {
          showError(ex);
        }
        input.focus();
      },
    }, (serverLabels && data.choices?.[i]?.label) || optionLabel(opt, app.tz)));
    return h('ul.examples.choices', { 'aria-label': t('assistant.choices') }, buttons.map((b) => h('li', b)));
  }

  /** The Undo button for an executed command that wrote something. */
  function undoButton(cmd) {
    if (!serverCaps.assistantUndo || !cmd?.id || !cmd.undoable) return null;
    const button = h('button.small.undo', {
      type: 'button',
      async onclick() {
        button.disabled = true;
        button.setAttribute('aria-busy', 'true');
        try {
          const { data, headers } = await request('POST', `/api/assistant/commands/${cmd.id}/undo`, { locale: clockLocale() });
          show(serverSpeaks(headers.get('Content-Language')) ? data.message : t('assistant.undone'));
        } catch (ex) {
          showError(ex, t('fail.undo'));
        }
        input.focus();
      },
    }, t('common.undo'));
    return button;
  }

  async function submit(e) {
    e.preventDefault();
    const text = input.value.trim();
    if (!text || send.disabled) return;
    send.disabled = true;
    send.setAttribute('aria-busy', 'true');
    reply.replaceChildren(h('p.muted', t('assistant.working')));
    try {
      const { data, headers } = await request('POST', '/api/assistant/commands', { id: newCommandId(), text, locale: clockLocale() });
      present(data, headers);
      if (input.value.trim() === text) input.value = '';
    } catch (ex) {
      showError(ex);
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
  };
}
