// Date, time and decimal fields in the app's language, not the browser's.
// A native <input type=date|time|datetime-local|number> shows and takes its
// value in the browser's own UI locale: a German family member on an
// English browser saw "12/05/2026, 02:00 AM" and had to type "2.5". These
// fields are text inputs that show the app's language's format (German
// 05.12.2026 14:30 and 2,5; English as Intl writes the app's locale, as
// the calendar's headings and times do) and read it leniently.
//
// The control a view gets is the text input itself, named as before, and
// its .value is the value a native input would hold ("2026-12-05T14:30",
// "2026-12-05", "14:30", "2.5"; '' when empty or unreadable): forms,
// formValues, the hand-over of a page built again (handover.js) and the
// payloads stay as they were. Setting .value shows it in the app's format.
// A date or time field has a button beside it that opens the browser's
// own picker (a hidden native input, showPicker()); the two stay in sync.
import { h, nextId } from './dom.js';
import { currentLocale, onLangChange, t, twelveHour } from './i18n.js';

const pad = (n) => String(n).padStart(2, '0');
const native = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
const rawOf = (el) => native.get.call(el);
const setRaw = (el, s) => native.set.call(el, s);
const dtf = (opts) => new Intl.DateTimeFormat(currentLocale(), { timeZone: 'UTC', ...opts });
const utc = (y, m, d, hh = 0, mm = 0) => new Date(Date.UTC(y, m - 1, d, hh, mm));
const DATE = { year: 'numeric', month: '2-digit', day: '2-digit' };
const timeOpts = () => ({ hour: twelveHour() ? 'numeric' : '2-digit', minute: '2-digit' });

/** The order of day, month and year in the app's locale, e.g. ['day', 'month', 'year']. */
function dateOrder() {
  return dtf(DATE).formatToParts(utc(2026, 12, 5)).map((p) => p.type).filter((x) => x === 'day' || x === 'month' || x === 'year');
}

// --- formatting: canonical value → what the field shows ---

function showDate(v) {
  const [y, m, d] = v.split('-').map(Number);
  return dtf(DATE).format(utc(y, m, d));
}
function showTime(v) {
  const [hh, mm] = v.split(':').map(Number);
  return dtf(timeOpts()).format(utc(2026, 1, 1, hh, mm)).replace(/\s/g, ' ');
}
// Every digit a quantity has (20: Intl's shortest form of any double): a recipe saved untouched keeps 0.3333333333, not 0.333333.
const showNumber = (v) => new Intl.NumberFormat(currentLocale(), { useGrouping: false, maximumFractionDigits: 20 }).format(Number(v));

const FORMATS = {
  date: showDate,
  time: showTime,
  datetime: (v) => `${showDate(v.slice(0, 10))} ${showTime(v.slice(11, 16))}`,
  decimal: showNumber,
};

// --- reading: what was typed → canonical value, or null ---

const validDate = (y, m, d) => m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();

/**
 * The year a short one ("27", "99") means: the one ending in those digits
 * from 80 years before this year to 20 after (in 2026: 27 is 2027, 46 is
 * 2046, 47 is 1947, 99 is 1999). A family's dates reach back to
 * grandparents' birthdays and forward to plans a few years out.
 */
function fullYear(short, now) {
  const year = now.getFullYear();
  let y = year - (year % 100) + Number(short);
  if (y > year + 20) y -= 100;
  else if (y <= year - 80) y += 100;
  return y;
}

function readDate(nums, now = new Date()) {
  if (nums.length !== 2 && nums.length !== 3) return null;
  const order = nums.length === 3 ? dateOrder() : dateOrder().filter((x) => x !== 'year');
  const p = { year: String(now.getFullYear()) };
  order.forEach((k, i) => { p[k] = nums[i]; });
  let y = Number(p.year);
  if (p.year.length <= 2) y = fullYear(p.year, now);
  else if (p.year.length !== 4) return null;
  const m = Number(p.month);
  const d = Number(p.day);
  if (!validDate(y, m, d)) return null;
  return `${y}-${pad(m)}-${pad(d)}`;
}

function readTime(nums, half) {
  let hh;
  let mm = 0;
  if (nums.length === 1 && nums[0].length > 2) {
    if (nums[0].length > 4) return null;
    hh = Number(nums[0].slice(0, -2));
    mm = Number(nums[0].slice(-2));
  } else if (nums.length === 1 || nums.length === 2) {
    hh = Number(nums[0]);
    if (nums.length === 2) {
      if (nums[1].length !== 2) return null;
      mm = Number(nums[1]);
    }
  } else return null;
  if (half) {
    if (hh < 1 || hh > 12) return null;
    hh = (hh % 12) + (half === 'p' ? 12 : 0);
  }
  if (hh > 23 || mm > 59) return null;
  return `${pad(hh)}:${pad(mm)}`;
}

/** AM/PM in what was typed ('a', 'p' or null) and the text without it (and without "Uhr"). */
function half(s) {
  const m = s.match(/(^|[\d\s])(a|p)\.?\s?m\.?$/i);
  const rest = m ? s.slice(0, m.index + m[1].length) : s;
  return [m ? m[2].toLowerCase() : null, rest.replace(/\s*(uhr|h)$/i, '')];
}

const nums = (s) => s.match(/\d+/g) || [];
/**
 * Whether x's one "." or "," is the app's locale's thousands separator:
 * "1,000" is a thousand in English, "1.000" in German (not 1, a thousandth
 * of what was meant). Only as a thousands separator stands: 1 to 3 digits
 * (not a lone 0) and 3 after. Else it is the decimal point, either way.
 */
function grouped(x) {
  // The mark that is not the locale's decimal mark: also where the locale
  // groups with a space (de-AT, fr-FR, en-ZA: "1 000,5"), a typed "1.000"
  // is a thousand there, not one.
  const dec = new Intl.NumberFormat(currentLocale()).formatToParts(1.5).find((p) => p.type === 'decimal')?.value;
  const group = dec === ',' ? '.' : dec === '.' ? ',' : null;
  return group !== null && new RegExp(`^[1-9]\\d{0,2}\\${group}\\d{3}$`).test(x);
}
const READERS = {
  date(s) {
    const iso = s.match(/^(\d{4})-(\d{1,2})-(\d{1,2})$/);
    if (iso) return validDate(+iso[1], +iso[2], +iso[3]) ? `${iso[1]}-${pad(iso[2])}-${pad(iso[3])}` : null;
    if (/[^\d\s./-]/.test(s)) return null;
    return readDate(nums(s));
  },
  time(s) {
    const [ap, rest] = half(s);
    if (/[^\d\s:.]/.test(rest)) return null;
    return readTime(nums(rest), ap);
  },
  datetime(s) {
    const iso = s.match(/^(\d{4}-\d{1,2}-\d{1,2})[T\s]+(\d{1,2}:\d\d)(:\d\d(\.\d+)?)?$/);
    if (iso) {
      const d = READERS.date(iso[1]);
      const tm = READERS.time(iso[2]);
      return d && tm ? `${d}T${tm}` : null;
    }
    const [ap, rest] = half(s);
    if (/[^\d\s,./:-]/.test(rest)) return null;
    const n = nums(rest);
    // The date is the first two or three numbers, the time the rest: a
    // colon marks where the time begins ("5.12. 14:30"); without one, three
    // numbers are the date ("5.12.26 14.30").
    const colon = rest.indexOf(':');
    let split = 3;
    if (colon >= 0) split = nums(rest.slice(0, colon)).length - 1;
    else if (n.length === 3 && ap) split = 2;
    if (split < 2 || split > 3 || n.length - split < 1) return null;
    const d = readDate(n.slice(0, split));
    const tm = readTime(n.slice(split), ap);
    return d && tm ? `${d}T${tm}` : null;
  },
  decimal(s) {
    const x = s.replace(/[\s\u00a0\u202f'\u2019]/g, ''); // en-CH/de-CH group with an apostrophe
    if (!/^\d*[.,]?\d*([.,]\d*)*$/.test(x) || !/\d/.test(x)) return null;
    const dots = x.split('.').length - 1;
    const commas = x.split(',').length - 1;
    let plain = x;
    if (dots && commas) {
      const dec = x.lastIndexOf('.') > x.lastIndexOf(',') ? '.' : ',';
      plain = x.split(dec === '.' ? ',' : '.').join('').replace(',', '.');
    } else if (dots > 1 || commas > 1 || grouped(x)) plain = x.replace(/[.,]/g, ''); // "1.000.000", "1,000" in English: grouping
    else plain = x.replace(',', '.');
    const n = Number(plain);
    return Number.isFinite(n) ? String(n) : null;
  },
};

/**
 * readAs(kind, text) is what the field of kind ('date', 'time',
 * 'datetime', 'decimal') reads text as: its canonical value, '' for
 * nothing, or null when it cannot read it. In the app's language.
 */
export function readAs(kind, text) {
  const s = String(text).trim().replace(/[\u00a0\u202f]/g, ' ');
  return s === '' ? '' : READERS[kind](s) ?? null;
}

/** showAs(kind, value) is a canonical value as the field shows it in the app's language. */
export function showAs(kind, value) {
  return value ? FORMATS[kind](value) : '';
}

/** The format a field of kind takes, as its placeholder says it: "TT.MM.JJJJ hh:mm", "MM/DD/YYYY". */
export function patternOf(kind) {
  if (kind === 'decimal') return showNumber('2.5');
  const date = dtf(DATE).formatToParts(utc(2026, 12, 5))
    .map((p) => (p.type === 'literal' ? p.value : t(`field.pattern.${p.type}`))).join('');
  const time = `${t('field.pattern.hour')}:${t('field.pattern.minute')}${twelveHour() ? ' AM' : ''}`;
  return kind === 'date' ? date : kind === 'time' ? time : `${date} ${time}`;
}

/**
 * samePlace(old, at, text) is the place in text of the caret at in old,
 * counted in numbers: in the same number (its end when it was at the end:
 * "5" shown "05"), or past the separator after it when it was there.
 */
function samePlace(old, at, text) {
  const numsAt = (s) => [...s.matchAll(/\d+/g)].map((m) => [m.index, m.index + m[0].length]);
  const was = numsAt(old);
  const k = was.findLastIndex(([start]) => start < at);
  const now = numsAt(text);
  if (k < 0) return now.length ? now[0][0] : 0;
  if (k >= now.length) return text.length;
  const [start, end] = now[k];
  if (at >= was[k][1]) {
    if (at === was[k][1]) return end;
    return k + 1 < now.length ? now[k + 1][0] : text.length; // past the separator
  }
  return Math.min(start + (at - was[k][0]), end);
}

const EXAMPLES = { date: '2026-12-24', time: '18:30', datetime: '2026-12-24T18:30', decimal: '2.5' };
const NATIVE = { date: 'date', time: 'time', datetime: 'datetime-local' };

/**
 * localText(kind, attrs) is a text input for a value of kind ('date',
 * 'time', 'datetime', 'decimal'), with attrs as h() takes them (name,
 * value in the canonical form, required, aria-label...). Its .value reads
 * and sets the canonical value; what it shows follows the app's language.
 * localField (or the view) places its picker button and error line:
 * input.parts = {picker, error}.
 */
export function localText(kind, { value = '', ...attrs } = {}) {
  const input = h('input.local-input', {
    type: 'text', autocomplete: 'off', spellcheck: 'false',
    ...attrs,
  });
  input.id ||= nextId('local');
  input.dataset.kind = kind;
  const error = h('small.field-error', { id: `${input.id}-error`, hidden: true, 'aria-live': 'polite' });
  const st = { text: '', value: '', marked: false };
  // Shows text. A focused field keeps the caret where the person types
  // (a value set while typing: a language switch, another device's
  // change): at the end when it was there, else at the same place among
  // the numbers (samePlace). Writing an input's value puts the caret at
  // its end.
  const show = (text) => {
    const old = rawOf(input);
    const at = document.activeElement === input && old !== text ? input.selectionStart : null;
    setRaw(input, text);
    if (at === null) return;
    const pos = at >= old.length ? text.length : samePlace(old, at, text);
    input.setSelectionRange(pos, pos);
  };
  // What is typed, read in the language it was typed in (kept across a language switch).
  const read = () => {
    const raw = rawOf(input);
    if (raw !== st.text) Object.assign(st, { text: raw, value: readAs(kind, raw) });
    return st.value;
  };
  const set = (v) => {
    if (v instanceof String) { // a focused field's text, handed over (kept): as typed
      Object.assign(st, { text: String(v), value: v.value });
      show(st.text);
      judge(false);
      return;
    }
    const s = v == null ? '' : String(v);
    const ok = readAs(kind, s);
    st.value = ok;
    st.text = ok === null ? s : showAs(kind, ok);
    show(st.text);
    judge(false);
  };
  // An unreadable field blocks a Save (setCustomValidity) at once; its
  // line shows when the person leaves it or saves.
  const judge = (say) => {
    const bad = read() === null;
    const msg = bad ? t('field.unreadable', { example: showAs(kind, EXAMPLES[kind]) }) : '';
    input.setCustomValidity(msg);
    if (bad && !say && error.hidden) return;
    error.textContent = msg;
    error.hidden = !bad;
    if (bad) input.setAttribute('aria-invalid', 'true');
    else if (st.marked) input.removeAttribute('aria-invalid'); // not one a server's answer set
    st.marked = bad;
  };
  Object.defineProperty(input, 'value', { configurable: true, get: () => read() ?? '', set });
  // What a page built again takes over (handover.js): the value, or the
  // text as typed while it does not read ("22.7x" is not lost, nor made '').
  // A field the person is typing in hands over its text as typed, with the
  // value it reads as (a String carrying .value; set shows it unchanged):
  // written again ("5.12.2" as "05.12.2002") it would not match the caret
  // handed over with it, and the next digit typed would land mid-year.
  input.kept = () => {
    const v = read();
    if (v === null) return st.text;
    return document.activeElement === input ? Object.assign(new String(st.text), { value: v }) : v;
  };
  const describe = () => {
    input.placeholder = attrs.placeholder ?? patternOf(kind);
    // A phone's keyboard: digits for a time on a 24-hour clock ("1430"),
    // letters too where the clock has AM/PM (a digit pad cannot type "pm").
    input.inputMode = attrs.inputmode ?? (kind === 'decimal' ? 'decimal' : kind === 'time' && !twelveHour() ? 'numeric' : 'text');
    const ids = new Set((input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean));
    ids.add(error.id);
    input.setAttribute('aria-describedby', [...ids].join(' '));
  };
  describe();
  input.addEventListener('input', () => judge(false));
  input.addEventListener('change', () => {
    const v = read();
    if (v) { st.text = showAs(kind, v); show(st.text); }
    judge(true);
  });
  input.addEventListener('invalid', () => judge(true));
  const pick = NATIVE[kind] ? picker(input, kind) : null;
  input.parts = { error, picker: pick?.el ?? null };
  // A new language (the listener below localField): the same value, written
  // its way, and its own line (unreadable) said again. A line another put
  // under it (the event dialog's end before its start) stays, for them to
  // say again (lines.js): judged readable, it was cleared, the field still
  // marked invalid with no line to say why.
  input.relang = () => {
    const v = read();
    if (v !== null) { st.text = showAs(kind, v); show(st.text); }
    describe();
    pick?.label();
    if (v === null) judge(st.marked);
  };
  set(value);
  return input;
}

// The picker button's drawings (24×24, stroked): no emoji font is needed.
const CALENDAR = 'M4 6h16v14H4zM4 10h16M8 3v5M16 3v5';
const CLOCK = 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M12 7v5l3 2';
function glyph(d) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  const path = document.createElementNS(ns, 'path');
  for (const [k, v] of [['viewBox', '0 0 24 24'], ['width', '20'], ['height', '20'], ['aria-hidden', 'true'], ['focusable', 'false']]) svg.setAttribute(k, v);
  for (const [k, v] of [['d', d], ['fill', 'none'], ['stroke', 'currentColor'], ['stroke-width', '2'], ['stroke-linejoin', 'round'], ['stroke-linecap', 'round']]) path.setAttribute(k, v);
  svg.append(path);
  return svg;
}

/** A button that opens the browser's own picker for input, kept in sync with it. */
function picker(input, kind) {
  const pop = h('input.local-native', { type: NATIVE[kind], tabindex: '-1', 'aria-hidden': 'true' });
  const take = () => {
    if (!pop.value) return;
    input.focus(); // typing goes on in the field, not the hidden input
    input.value = pop.value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  };
  pop.addEventListener('change', take);
  const button = h('button.icon.local-pick', {
    type: 'button',
    onclick() {
      if (input.disabled || input.readOnly) return;
      pop.value = input.value;
      // A browser without showPicker (before Safari 16) gets the hidden
      // input's click; one that refuses it now has typing still.
      if (!pop.showPicker) pop.click();
      else try { pop.showPicker(); } catch { /* not now: the field takes typing */ }
    },
  }, glyph(kind === 'time' ? CLOCK : CALENDAR));
  const label = () => button.setAttribute('aria-label', t(`field.pick.${kind}`));
  label();
  return { el: h('span.local-picker', button, h('span.visually-hidden', pop)), label };
}

// The fields shown follow a language switch (a dialog stays open through
// it; a page built again builds its fields anew). One listener for all: a
// field gone keeps nothing registered.
onLangChange(() => { for (const el of document.querySelectorAll('input.local-input')) el.relang?.(); });

/** localField(label, input, hint) is dom.js's field() for a localText: its picker beside it, its error line under it. */
export function localField(label, input, hint) {
  let hintEl = null;
  if (hint) {
    hintEl = h('small.hint', { id: `${input.id}-hint` }, hint);
    input.setAttribute('aria-describedby', `${hintEl.id} ${input.getAttribute('aria-describedby') || ''}`.trim());
  }
  return h('div.field', h('label', { for: input.id }, label),
    h('div.local-wrap', input, input.parts.picker), input.parts.error, hintEl);
}

/**
 * readable(root) says whether every local field under root reads; the
 * first that does not gets the focus and its line shows. For forms that
 * skip the browser's validation (novalidate).
 */
export function readable(root) {
  // A field hidden (quiet hours off) is not sent: it may hold anything.
  const bad = [...root.querySelectorAll('input.local-input')].filter((el) => !el.disabled && el.getClientRects().length && !el.checkValidity());
  if (bad.length) bad[0].focus();
  return bad.length === 0;
}
