// Languages: one message table per language (i18n/en.js, i18n/de.js), and
// dates, times, numbers, lists and plurals through Intl. The language comes
// from the user's choice (kept in localStorage), else navigator.languages,
// else English. Every string a person sees goes through t().
import en from './i18n/en.js';
import de from './i18n/de.js';
import { dateIn } from './time.js';

const TABLES = { en, de };
/** The languages the app speaks, with their own names (for the picker). */
export const LANGUAGES = [['en', 'English'], ['de', 'Deutsch']];
const KEY = 'familyhub.lang';

let lang = 'en';
let locale = 'en'; // a full tag for Intl: the browser's own variant when it matches (de-AT, en-GB), else the app's language with the browser's region (en-DE)
const listeners = new Set();

function pickFromBrowser() {
  for (const tag of navigator.languages || [navigator.language || 'en']) {
    const base = String(tag).split('-')[0].toLowerCase();
    if (TABLES[base]) return [base, tag];
  }
  return ['en', null];
}

// The region of the browser's first tag that names one ("de-AT" → "AT"),
// or null.
function browserRegion() {
  for (const tag of navigator.languages || [navigator.language || '']) {
    try {
      const region = new Intl.Locale(tag).region;
      if (region) return region;
    } catch { /* not a tag */ }
  }
  return null;
}

// The Intl locale for language l on this browser when l is not the
// browser's own: l with the browser's region (a de-DE phone with the app
// in English writes dates, times and numbers as en-DE does: 24/12/2026,
// 18:30, 1.234,5, not the US's 12/24/2026, 6:30 PM), when Intl has that
// locale itself rather than falling back to the bare language (de-US is
// plain de); else l.
function withRegion(l) {
  const region = browserRegion();
  if (!region) return l;
  try {
    const tag = Intl.getCanonicalLocales(`${l}-${region}`)[0];
    const known = Intl.DateTimeFormat.supportedLocalesOf([tag]).length === 1
      && new Intl.DateTimeFormat(tag).resolvedOptions().locale === tag;
    return known ? tag : l;
  } catch { return l; }
}

function choose(stored) {
  const [bl, btag] = pickFromBrowser();
  if (stored && TABLES[stored]) {
    lang = stored;
    locale = stored === bl ? btag : withRegion(stored);
  } else {
    lang = bl;
    locale = btag ?? withRegion(bl); // a fr-FR browser: en-FR
  }
  try { locale = Intl.getCanonicalLocales(locale)[0]; } catch { locale = lang; }
  document.documentElement.lang = locale;
}

let stored = null;
try { stored = localStorage.getItem(KEY); } catch { /* storage blocked */ }
choose(stored);

/** The language in use ('en' or 'de'). */
export const currentLang = () => lang;
/** The full locale in use, e.g. 'de-DE', for Intl and the assistant. */
export const currentLocale = () => locale;

// The hour cycle of the app's locale ('h12' for en-US, 'h23' for de and
// en-GB): the one place that asks Intl, so the times shown, the time
// fields (fields.js) and the clock told to the assistant cannot disagree.
const hourCycle = () => intl('DateTimeFormat', { hour: 'numeric' }).resolvedOptions().hourCycle;

/** Whether the app's locale writes times on a 12-hour clock ("7:00 PM"). */
export const twelveHour = () => /^h1[12]$/.test(hourCycle());

/**
 * The locale with the hour cycle the app's times use, as a Unicode
 * extension ("en-US-u-hc-h12", "de-DE-u-hc-h23"), for the assistant: the
 * server cannot know that an en-US device shows "7:00 PM", and says its
 * times on the same clock when told.
 */
export function clockLocale() {
  const hc = hourCycle();
  return hc && !locale.includes('-u-') ? `${locale}-u-hc-${hc}` : locale;
}

/** Switches the language, remembers it and tells the listeners (the app re-renders). */
export function setLang(next) {
  if (!TABLES[next] || next === lang) return;
  try { localStorage.setItem(KEY, next); } catch { /* still switches for this tab */ }
  choose(next);
  for (const fn of listeners) fn(lang);
}

export function onLangChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }

// Another tab of this browser chose a language (it keeps the choice in
// localStorage): this one follows at once, as its own picker would, rather
// than at its next reload. Even with a modal dialog open, which makes the
// picker here unreachable: the dialog stays, and its error line is said
// again in the new language (lines.js).
window.addEventListener('storage', (e) => {
  if (e.key !== KEY || !TABLES[e.newValue] || e.newValue === lang) return;
  choose(e.newValue);
  for (const fn of listeners) fn(lang);
});

/** The Accept-Language header for API requests: the chosen language first. */
export function acceptLanguage() {
  const other = lang === 'en' ? 'de' : 'en';
  return locale === lang ? `${lang}, ${other};q=0.5` : `${locale}, ${lang};q=0.9, ${other};q=0.5`;
}

const cache = new Map();
function intl(kind, opts = {}) {
  const k = `${kind}|${locale}|${JSON.stringify(opts)}`;
  let f = cache.get(k);
  if (!f) {
    f = new Intl[kind](locale, opts);
    cache.set(k, f);
  }
  return f;
}

function lookup(key) {
  const v = TABLES[lang][key] ?? TABLES.en[key];
  if (v == null) console.warn('i18n: no message', key);
  return v ?? key;
}

function pluralForm(msg, params) {
  if (typeof msg !== 'object') return msg;
  const n = params?.count ?? 0;
  if (n === 0 && msg.zero != null) return msg.zero;
  return msg[intl('PluralRules').select(n)] ?? msg.other;
}

function show(v) {
  return typeof v === 'number' ? fmtNumber(v) : String(v ?? '');
}

/**
 * t('shopping.toGet', {count: 3}) returns the message in the current
 * language with {placeholders} filled (numbers through Intl.NumberFormat).
 * A message may be {one, other, zero?}: chosen by Intl.PluralRules on count.
 */
export function t(key, params) {
  const msg = pluralForm(lookup(key), params);
  if (!params) return msg;
  return msg.replace(/\{(\w+)\}/g, (m, name) => (name in params ? show(params[name]) : m));
}

/** Like t, but params may be DOM nodes: returns an array for h() children. */
export function tNodes(key, params) {
  const msg = pluralForm(lookup(key), params);
  const out = [];
  let last = 0;
  msg.replace(/\{(\w+)\}/g, (m, name, at) => {
    out.push(msg.slice(last, at));
    const v = params[name];
    out.push(v instanceof Node ? v : show(v));
    last = at + m.length;
    return m;
  });
  out.push(msg.slice(last));
  return out.filter((x) => x !== '');
}

/** Whether the table has a message (for optional translations of data, e.g. default categories). */
export const has = (key) => TABLES[lang][key] != null;

export const fmtNumber = (n, opts) => intl('NumberFormat', opts).format(n);

/** "and"-joined list in the current language: ["milk", "eggs"] → "milk and eggs". */
export const fmtList = (items) => intl('ListFormat', { type: 'conjunction' }).format(items);

/** A YYYY-MM-DD date, e.g. "Thu 3 Dec" / "Do., 3. Dez.". */
export function fmtDate(date, opts = { weekday: 'short', day: 'numeric', month: 'short' }) {
  const [y, m, d] = date.split('-').map(Number);
  return intl('DateTimeFormat', { timeZone: 'UTC', ...opts }).format(new Date(Date.UTC(y, m - 1, d)));
}

/**
 * Two YYYY-MM-DD dates as one range, the way the language writes it:
 * "Dec 1 – 7, 2026", "1.–7. Dez. 2026", "Dec 29, 2026 – Jan 4, 2027".
 */
export function fmtDateRange(from, to, opts = { day: 'numeric', month: 'short', year: 'numeric' }) {
  const utc = (date) => { const [y, m, d] = date.split('-').map(Number); return new Date(Date.UTC(y, m - 1, d)); };
  return intl('DateTimeFormat', { timeZone: 'UTC', ...opts }).formatRange(utc(from), utc(to));
}

/**
 * The time of instant d in zone tz: "18:30", "09:00" / "6:30 PM". A 24-hour
 * clock writes the hour with two digits, as the locale's own time format
 * does (CLDR "HH:mm" for en-GB and de) and the assistant's answers do:
 * Intl's hour: 'numeric' gave "9:00" beside an answer's "09:00".
 */
export function fmtTime(d, tz) {
  const hour = twelveHour() ? 'numeric' : '2-digit';
  return intl('DateTimeFormat', { timeZone: tz, hour, minute: '2-digit' }).format(d);
}

/** Date and time of instant d in tz. */
export const fmtDateTime = (d, tz) => intl('DateTimeFormat', { timeZone: tz, dateStyle: 'medium', timeStyle: 'short' }).format(d);

/** Instant d in tz: its time when that is today in tz ("14:02"), else its date and time. */
export const fmtTimeOrDateTime = (d, tz) => (dateIn(d, tz) === dateIn(new Date(), tz) ? fmtTime(d, tz) : fmtDateTime(d, tz));

const capital = (s) => s.charAt(0).toLocaleUpperCase(locale) + s.slice(1);

function daysBetween(a, b) {
  const [y1, m1, d1] = a.split('-').map(Number);
  const [y2, m2, d2] = b.split('-').map(Number);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / 864e5);
}

/** "Today", "Tomorrow", "Yesterday" (Intl.RelativeTimeFormat), else the date. */
export function dayLabel(date, today) {
  const n = today ? daysBetween(today, date) : null;
  if (n !== null && n >= -1 && n <= 1) return capital(intl('RelativeTimeFormat', { numeric: 'auto' }).format(n, 'day'));
  return fmtDate(date);
}

/**
 * "5 minutes ago", "in 2 days" for an instant; "just now" within a minute
 * (Intl's "now", "jetzt", read wrong after "last active" and "Synchronisiert").
 */
export function fmtAgo(d, now = Date.now()) {
  const s = (d.getTime() - now) / 1000;
  const abs = Math.abs(s);
  const rtf = intl('RelativeTimeFormat', { numeric: 'auto' });
  if (abs < 60) return t('common.justNow');
  if (abs < 3600) return rtf.format(Math.round(s / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(s / 3600), 'hour');
  return rtf.format(Math.round(s / 86400), 'day');
}

/** Weekday names, Monday first: ['Mon', ...] in the given width. */
export function weekdayNames(width = 'short') {
  const f = intl('DateTimeFormat', { timeZone: 'UTC', weekday: width });
  return [...Array(7)].map((_, i) => f.format(new Date(Date.UTC(2024, 0, 1 + i)))); // 2024-01-01 was a Monday
}

/** The first day of the week in this locale: 1 = Monday ... 7 = Sunday. */
export function firstDayOfWeek() {
  try {
    const l = new Intl.Locale(locale);
    const info = l.getWeekInfo?.() ?? l.weekInfo;
    if (info?.firstDay) return info.firstDay;
  } catch { /* older browsers */ }
  return 1;
}

/** Applies the table to the static page: elements with data-i18n (text) and data-i18n-<attr>. */
export function translateStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const attr of ['aria-label', 'title', 'placeholder']) {
    const k = `i18n${attr.replace(/(^|-)(\w)/g, (m, a, c) => c.toUpperCase())}`;
    for (const el of root.querySelectorAll(`[data-i18n-${attr}]`)) el.setAttribute(attr, t(el.dataset[k]));
  }
}
