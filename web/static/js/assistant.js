// The assistant bar on every page: type (or, where the browser has the Web
// Speech API, say) a command; it goes to POST /api/assistant/commands with
// this device's id, an id of its own (a retry never runs it twice) and the
// locale with the app's hour cycle (the answer says times on its clock), and
// the shopping list on screen, if any (list_id). The
// server's sentence is shown when it speaks the user's language
// (Content-Language), else the app words the answer itself. A question
// comes with its options as buttons; an executed command with Undo. Other
// devices see only the usual domain events.
import { request, serverCaps, serverDown } from './api.js';
import { createdEvents, examples, optionLabel, replyText } from './assistant-reply.js';
import { h, setChildren } from './dom.js';
import { serverSpeaks } from './errors.js';
import { clockLocale, currentLocale, t } from './i18n.js';
import { sayIn } from './lines.js';

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

// The most the server takes (assistant.MaxAssistantTextLen), in characters.
const MAX_TEXT = 500;

/** A new command id: the server answers a repeat of it from its record. */
const newCommandId = () => (crypto.randomUUID ? crypto.randomUUID() : undefined);

// How long a command may wait for its answer (the server's model has 8 s,
// then its own parser answers): a request that hangs (a dead connection, a
// stuck proxy) ends, so Send is not disabled for good. A slow answer is not
// an outage: it ends quietly (quietTimeout), the header and the offline line
// keep what the rest of the app knows; the line here says "no answer yet".
const COMMAND_TIMEOUT = 30000;

export function mountAssistant(app, root) {
  const input = h('input#assistant-input', { name: 'text', type: 'text', autocomplete: 'off', maxlength: MAX_TEXT, enterkeyhint: 'send' });
  const label = h('label.visually-hidden', { for: 'assistant-input' });
  const mic = h('button.icon.mic', { type: 'button', hidden: true, 'aria-pressed': 'false', onclick: () => listen() }, micIcon());
  const send = h('button.primary', { type: 'submit' });
  const reply = h('div.assistant-reply', { role: 'status', 'aria-live': 'polite' });
  // What the microphone heard while a request was on its way waits in the
  // field, not sent over the answer in view (it may be a question): this
  // line says so, and goes once the field is sent or edited.
  const heard = h('p.assistant-heard', { role: 'status', 'aria-live': 'polite' });
  const form = h('form.assistant-form', { onsubmit: submit }, label, input, mic, send);
  input.addEventListener('input', () => heard.replaceChildren());
  let recognition = null;
  // The language changed while the microphone listened: the recognition
  // (its language is fixed once started) is aborted, and one in the new
  // language starts when it has ended. What was heard so far stays in the
  // field, and what the new one hears follows it (heardBefore).
  let relisten = false;
  let heardBefore = '';
  // A command, a choice or an Undo on its way: Send (or Enter, or the
  // microphone) sends nothing more until its answer, which would else
  // replace this one's (an Undo's outcome, a question) unseen.
  let busy = false;
  // Bumped when the bar leaves the page (signed out): an answer to a
  // request of before is not shown to whoever signs in next.
  let session = 0;
  // A command that got no answer (offline, timed out) or a server's failure
  // (a proxy's 502/504 when the server went down after doing it, a 500)
  // may have run: sent again with the same text, it keeps its id, so the
  // server answers it from its record instead of running it twice (a
  // command it did not do runs then).
  let unanswered = null; // {text, id}

  /** Marks the bar as working: Send disabled with a spinner, the form and the answer aria-busy. */
  function setBusy(on) {
    busy = on;
    send.disabled = on;
    for (const el of [send, form, reply]) {
      if (on) el.setAttribute('aria-busy', 'true');
      else el.removeAttribute('aria-busy');
    }
  }

  function relabel() {
    label.textContent = t('assistant.label');
    input.placeholder = t('assistant.placeholder');
    mic.setAttribute('aria-label', t(recognition ? 'assistant.stopListening' : 'assistant.speak'));
    send.textContent = t('assistant.send');
    form.setAttribute('aria-label', t('assistant.label'));
    root.setAttribute('aria-label', t('assistant.label'));
    // Only where the browser can listen: no dead microphone elsewhere.
    mic.hidden = !Recognition();
    if (recognition && !relisten && recognition.lang !== currentLocale()) {
      relisten = true;
      (recognition.abort || recognition.stop).call(recognition);
    }
  }
  relabel();

  /**
   * Shows an answer: say() gives its words (a string, or {text, note,
   * examples, events, choices}; note: why a choice failed) in the
   * language in use; said again on a language switch while shown
   * (lines.js), as the app's other lines are.
   */
  function show(say, { actions = null } = {}) {
    const said = h('div.assistant-said');
    const dismiss = h('button.small', { type: 'button', onclick: () => { reply.replaceChildren(); input.focus(); } });
    setChildren(reply, said, h('div.reply-actions', actions, dismiss));
    sayIn(said, () => {
      const s = say();
      const { text, note = null, examples: withExamples = false, events = [], choices = null } = typeof s === 'string' ? { text: s } : s;
      return [
        h('p', text),
        note ? h('p.assistant-note', typeof note === 'string' ? note : note.text) : null,
        events.length ? h('ul.assistant-events', { 'aria-label': t('assistant.eventsList') }, events.map((x) => h('li', x))) : null,
        choices,
        withExamples ? [h('p.muted', t('assistant.tryThese')), h('ul.examples', examples().map((x) => h('li', h('button.example', {
          type: 'button', onclick: () => { input.value = x; input.focus(); },
        }, x))))] : null,
      ];
    });
    sayIn(dismiss, () => t('common.dismiss'));
  }

  /**
   * The words for a failed request, from its code and field in the
   * language in use when said (again after a switch): the server's
   * sentence only where it carries what the code cannot ("“Butter” is not
   * on any list.") and speaks that language (Content-Language); else the
   * app's own (sign in again, offline, try again later, too much at once).
   * A refusal in the other language comes back when the language does.
   * No answer in time says timeoutKey: a command may be sent again (under
   * its id), a choice or an undo may have been done.
   */
  function errorSay(ex, fallbackKey = null, timeoutKey = 'assistant.timeout') {
    const appWords = ex.status === 0 || ex.status === 400 || ex.status === 401 || ex.status === 413 || ex.status === 429 || ex.status >= 500;
    return () => {
      if (ex.status === 422 && ex.field === 'text' && !fallbackKey) return { text: t('assistant.notUnderstood'), examples: true };
      if (!appWords && ex.serverMessage && serverSpeaks(ex.contentLanguage)) return ex.serverMessage;
      if (ex.status === 422) return { text: t(fallbackKey || 'assistant.couldNot'), examples: !fallbackKey };
      if (fallbackKey && ex.status === 409) return t(fallbackKey);
      if (ex.timedOut) return t(timeoutKey);
      if (typeof ex.say === 'function') return ex.say();
      console.error(ex); // a program error, not an answer
      return t('error.app');
    };
  }

  /**
   * Sends one request of the bar (a command, a choice, an Undo) as the one
   * on its way: the bar is busy meanwhile, and the answer (or the failure)
   * is handled only while the bar belongs to the session that sent it.
   * The device going offline ends it at once as a network failure (a
   * command keeps its id for Send again), not after the 30 s.
   */
  async function exchange(path, body, onAnswer, onFailure) {
    const mine = session;
    const gone = new AbortController();
    const offline = () => gone.abort();
    window.addEventListener('offline', offline);
    setBusy(true);
    try {
      const res = await request('POST', path, body, { timeout: COMMAND_TIMEOUT, quietTimeout: true, signal: gone.signal });
      if (mine === session) onAnswer(res);
    } catch (ex) {
      if (mine === session) onFailure(ex);
    } finally {
      window.removeEventListener('offline', offline);
      if (mine === session) {
        setBusy(false);
        if (heard.textContent) input.focus(); // what was heard meanwhile is one Enter away
      }
    }
  }

  /**
   * Shows the server's answer to a command or a choice. listId: the list
   * on screen when the command was said, sent again with a choice (the
   * option lands there, as the command would have).
   */
  function present(data, headers, listId) {
    const lang = headers.get('Content-Language');
    const own = () => (serverSpeaks(lang) ? data.message : null);
    if (data.outcome === 'question') {
      // Kept through a redraw in another language: the option on its way,
      // those the server refused, whether the question is closed, and why.
      const q = { at: -1, refused: new Set(), closed: false, error: null };
      const draw = () => show(() => ({
        text: own() || t('assistant.question'),
        note: q.error?.(),
        choices: q.closed ? null : choiceButtons(data, !!own(), q, draw, listId),
      }));
      draw();
      return;
    }
    show(() => ({ text: own() || replyText(data, app.tz) || t('assistant.done'), events: createdEvents(data, app.tz) }), { actions: undoButton(data) });
  }

  /**
   * The options of a question as buttons; a tap answers it (POST …/choice).
   * A refusal is said with the question, which stays: the refused option
   * disabled (422), the others still answerable; no answer (offline, a
   * timeout, a busy server) leaves every option answerable (the server
   * answers the same option again from its record, it is not done twice);
   * a question answered already (409) or gone is closed, and says so.
   */
  function choiceButtons(data, serverLabels, q, draw, listId) {
    const options = data.intent?.options || [];
    const buttons = options.map((opt, i) => h('button.choice', {
      type: 'button',
      disabled: q.at >= 0 || q.refused.has(i),
      'aria-busy': q.at === i ? 'true' : null,
      async onclick() {
        if (busy) return;
        q.at = i;
        for (const b of reply.querySelectorAll('button.choice')) b.disabled = true;
        reply.querySelectorAll('button.choice')[i]?.setAttribute('aria-busy', 'true');
        const body = { option: i, locale: clockLocale(), ...(listId && { list_id: listId }) };
        await exchange(`/api/assistant/commands/${data.id}/choice`, body, (res) => present(res.data, res.headers, listId), (ex) => {
          q.at = -1;
          if (ex.status === 422) q.refused.add(i);
          q.closed = ex.status === 409 || ex.status === 404 || q.refused.size >= options.length;
          q.error = errorSay(ex, ex.status === 422 ? 'assistant.choiceRefused' : 'assistant.choiceClosed', 'assistant.choiceNoAnswer');
          draw();
        });
        input.focus();
      },
    }, (serverLabels && data.choices?.[i]?.label) || optionLabel(opt, app.tz)));
    return h('ul.examples.choices', { 'aria-label': t('assistant.choices') }, buttons.map((b) => h('li', b)));
  }

  /**
   * The Undo button for an executed command that wrote something. An Undo
   * without an answer (offline, 30 s, a proxy's 502/504, a 500: the last
   * three say it may have been undone) shows a new
   * button for the same command, so it can be tried again: the server
   * undoes a command once (a repeat is refused as undone already), until it
   * answers, the command is too old, or another answer replaces this one.
   */
  function undoButton(cmd) {
    if (!serverCaps.assistantUndo || !cmd?.id || !cmd.undoable) return null;
    const button = h('button.small.undo', {
      type: 'button',
      async onclick() {
        if (busy) return;
        button.disabled = true;
        button.setAttribute('aria-busy', 'true');
        await exchange(`/api/assistant/commands/${cmd.id}/undo`, { locale: clockLocale() }, ({ data, headers }) => {
          const lang = headers.get('Content-Language');
          show(() => (serverSpeaks(lang) ? data.message : t('assistant.undone')));
        }, (ex) => show(
          // A 500, a proxy's 502/504 or our 503 unavailable (its COMMIT got
          // no answer): it may be undone, not "try again" (503 busy: not begun)
          ex.status >= 500 && ex.outcomeUnknown ? () => t('assistant.undoUnknown') : errorSay(ex, 'fail.undo', 'assistant.noAnswer'),
          { actions: serverDown(ex) ? undoButton(cmd) : null },
        ));
        input.focus();
      },
    });
    sayIn(button, () => t('common.undo'));
    return button;
  }

  async function submit(e) {
    e.preventDefault();
    const text = input.value.trim();
    if (!text || busy) return;
    // What the microphone heard may pass the field's maxlength (it sets the
    // value): said here, in the language in use, not sent to be refused.
    if ([...text.replace(/\s+/g, ' ')].length > MAX_TEXT) {
      show(() => t('assistant.tooLong', { max: MAX_TEXT }));
      return;
    }
    heard.replaceChildren();
    const working = h('p.muted.assistant-working');
    reply.replaceChildren(working);
    sayIn(working, () => t('assistant.working'));
    const again = unanswered?.text === text ? unanswered : null;
    const id = again ? again.id : newCommandId();
    // The list on screen (/shopping/{id}): a command naming no list puts
    // its items there; a retry keeps the list it was said on.
    const listId = again ? again.listId : location.pathname.match(/^\/shopping\/([0-9a-f-]{36})$/)?.[1];
    unanswered = null;
    await exchange('/api/assistant/commands', { id, text, locale: clockLocale(), ...(listId && { list_id: listId }) }, ({ data, headers }) => {
      present(data, headers, listId);
      if (input.value.trim() === text) input.value = '';
    }, (ex) => {
      if (serverDown(ex)) unanswered = { text, id, listId };
      show(errorSay(ex));
    });
  }

  function listen({ again = false } = {}) {
    const SR = Recognition();
    if (!SR) return;
    if (recognition) { relisten = false; recognition.stop(); return; }
    heardBefore = again ? input.value.trim() : '';
    recognition = new SR();
    recognition.lang = currentLocale();
    recognition.interimResults = true;
    recognition.maxAlternatives = 1;
    mic.setAttribute('aria-pressed', 'true');
    relabel();
    recognition.onresult = (ev) => {
      const results = [...ev.results];
      input.value = [heardBefore, results.map((r) => r[0].transcript).join('').trim()].filter(Boolean).join(' ');
      if (results.length && results[results.length - 1].isFinal) {
        recognition.stop?.();
        if (busy) sayIn(heard, () => t('assistant.heardWhileBusy'));
        else form.requestSubmit();
      }
    };
    recognition.onerror = (ev) => {
      if (ev.error === 'aborted' || ev.error === 'no-speech') return;
      // While a request is on its way its line (or its question) stays: said under the field.
      if (busy) sayIn(heard, () => t('assistant.micError'));
      else show(() => t('assistant.micError'));
    };
    recognition.onend = () => {
      recognition = null;
      mic.setAttribute('aria-pressed', 'false');
      relabel();
      if (relisten) { relisten = false; listen({ again: true }); }
    };
    try { recognition.start(); } catch { recognition.onend(); }
  }

  return {
    relabel,
    /**
     * A new page: the last answer belonged to the old one; while a request
     * is on its way its line (or its question) stays, as its answer comes here.
     */
    clearReply() { if (!busy) reply.replaceChildren(); },
    /**
     * Shows the bar (signed in) or takes it out of the page (signed out:
     * what was on its way, typed or being heard is not shown to whoever
     * signs in next, and Send is not left disabled).
     */
    setVisible(on) {
      root.hidden = !on;
      if (on && !root.contains(form)) root.append(form, heard, reply);
      if (!on) {
        session++;
        setBusy(false);
        relisten = false;
        recognition?.abort?.();
        unanswered = null;
        root.replaceChildren(); reply.replaceChildren(); heard.replaceChildren(); input.value = '';
      }
    },
  };
}
