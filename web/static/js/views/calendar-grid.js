// How the calendar draws occurrences: the agenda (a phone), and week and
// month grids (a laptop or tablet). Each occurrence is an li.event whose
// button opens it; its colour is the member who made it.
import { h, reconcile } from '../dom.js';
import { currentLang, dayLabel, fmtDate, fmtTime, t, weekdayNames } from '../i18n.js';
import { memberColor, memberName } from '../members.js';
import { addDays, daysFrom } from '../time.js';

export const dayOf = (s) => s.slice(0, 10);

/** The last day an occurrence covers (its end is exclusive). */
function lastDay(o) {
  const endDay = dayOf(o.ends_at);
  if (o.all_day) return addDays(endDay, -1) < dayOf(o.starts_at) ? dayOf(o.starts_at) : addDays(endDay, -1);
  if (o.ends_at.slice(11, 19) === '00:00:00' && Date.parse(o.ends_at) > Date.parse(o.starts_at)) return addDays(endDay, -1);
  return endDay;
}

const occKey = (o) => `${o.id}/${o.recurrence_id || ''}`;

function timeText(app, o, day) {
  if (o.all_day) return t('calendar.allDay');
  const start = dayOf(o.starts_at) === day ? fmtTime(new Date(o.starts_at), app.tz) : '…';
  const end = lastDay(o) === day ? fmtTime(new Date(o.ends_at), app.tz) : '…';
  return `${start}–${end}`;
}

/**
 * A title cut in a grid shows whole in a tooltip, set as the pointer comes over it and only then: a title attribute
 * always there is read by a screen reader after the button's name, which holds the title already (read twice).
 */
function tipIfCut(e) {
  const b = e.currentTarget;
  const el = b.querySelector('.title');
  const cut = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
  if (cut) b.title = el.textContent; else b.removeAttribute('title');
}

/**
 * One occurrence on one day: li.event with a button that opens it. In a grid (week, month) a long title is
 * cut to a few lines with an ellipsis: the whole shows on hover (its tooltip, tipIfCut) and in the dialog it opens.
 */
export function eventChip(app, o, day, { compact = false, grid = false, onOpen }) {
  const who = o.read_only ? t('calendar.subscribed') : o.created_by ? memberName(app, o.created_by) : null;
  // A write to it waits for the server (outbox.js): said on the chip, as on a shopping item.
  // later: the device cannot lay out where it will be: shown where the server has it, to be updated.
  const sync = o.pending ? h('span.sync-state', t(o.pending === 'saving' ? 'sync.rowSaving' : o.later ? 'calendar.updatedOnline' : 'sync.rowWaiting')) : null;
  return h('li.event', {
    class: [o.read_only ? 'read-only' : '', o.all_day ? 'all-day' : '', o.pending ? 'pending' : ''].join(' ').trim() || null,
    'aria-busy': o.pending === 'saving' ? 'true' : null,
    dataset: { id: o.id, rid: o.recurrence_id || '', title: o.title, ...(o.overridden ? { overridden: 'true' } : {}), ...(o.pending ? { pending: o.pending } : {}), ...(o.later ? { later: 'true' } : {}) },
    cssvars: { '--member': o.read_only ? 'var(--muted)' : memberColor(app, o.created_by) },
  },
  h('button.event-open', { type: 'button', onpointerenter: grid ? tipIfCut : null, dataset: { key: `ev-${occKey(o)}-${day}` }, onclick: () => onOpen(o) },
    h('span.time', timeText(app, o, day)),
    h('span.what',
      h('span.title', o.title),
      compact ? sync : [
        o.rrule ? h('span.tag', t('calendar.repeats')) : null,
        o.overridden ? h('span.tag.changed', t('calendar.changed')) : null,
        o.location ? h('span.where', o.location) : null,
        who ? h('span.who', who) : null,
        sync,
      ])));
}

// The maker's name and colour too: a member renamed, or gone (a former member), re-renders the chip.
const sig = (app, o) => JSON.stringify([o.title, o.starts_at, o.ends_at, o.all_day, o.location, o.rrule, !!o.overridden, o.created_by, o.pending, !!o.later, currentLang(),
  o.created_by && memberName(app, o.created_by), memberColor(app, o.created_by)]);

/**
 * The agenda: days from today, each with its occurrences; one that covers
 * several days (a trip from Wednesday to Friday) shows under each of them,
 * as in the week and the month, from today on.
 */
export function renderAgenda(app, el, occurrences, today, until, onOpen) {
  const byDay = spread(occurrences, today, Math.max(1, daysFrom(today, until)));
  const days = [...byDay.keys()].sort().map((day) => ({ day, list: byDay.get(day) }));
  reconcile(el, days, {
    key: (d) => d.day,
    build: (d) => h('section.day', h('h2'), h('ul.events')),
    update: (sec, d) => {
      const label = dayLabel(d.day, today);
      sec.setAttribute('aria-label', label);
      sec.querySelector('h2').textContent = label === fmtDate(d.day) ? label : `${label} · ${fmtDate(d.day)}`;
      reconcile(sec.querySelector('ul'), d.list, { key: occKey, sig: (o) => sig(app, o), build: (o) => eventChip(app, o, d.day, { onOpen }) });
    },
  });
  let empty = el.querySelector(':scope > p.empty');
  if (!days.length) {
    if (!empty) { empty = h('p.muted.empty'); el.append(empty); }
    empty.textContent = t('calendar.nothingUntil', { date: fmtDate(until) });
  }
}

/** Occurrences by every day they cover within [from, from + n days). */
function spread(occurrences, from, n) {
  const to = addDays(from, n);
  const byDay = new Map();
  for (const o of occurrences) {
    let d = dayOf(o.starts_at) < from ? from : dayOf(o.starts_at);
    const last = lastDay(o);
    for (let i = 0; d <= last && d < to && i < n; i++, d = addDays(d, 1)) {
      if (!byDay.has(d)) byDay.set(d, []);
      byDay.get(d).push(o);
    }
  }
  for (const list of byDay.values()) list.sort((a, b) => Number(b.all_day) - Number(a.all_day) || Date.parse(a.starts_at) - Date.parse(b.starts_at));
  return byDay;
}

function weekdayHeads(firstDay) {
  const names = weekdayNames('short');
  return [...Array(7)].map((_, i) => names[(firstDay - 1 + i) % 7]);
}

/** A week: seven columns, each day's occurrences in order (all-day first). */
export function renderWeek(app, el, occurrences, from, today, onOpen) {
  const byDay = spread(occurrences, from, 7);
  const days = [...Array(7)].map((_, i) => addDays(from, i));
  reconcile(el, days, {
    key: (d) => d,
    build: (d) => h('section.week-day', { 'aria-labelledby': `wd-${d}` }, h('h3', { id: `wd-${d}` }), h('ul.events'), h('p.muted.none')),
    update: (sec, d) => {
      const list = byDay.get(d) || [];
      const head = sec.querySelector('h3');
      head.textContent = fmtDate(d, { weekday: 'short', day: 'numeric', month: 'short' });
      if (d === today) sec.setAttribute('aria-current', 'date'); else sec.removeAttribute('aria-current');
      reconcile(sec.querySelector('ul'), list, { key: occKey, sig: (o) => sig(app, o), build: (o) => eventChip(app, o, d, { grid: true, onOpen }) });
      const none = sec.querySelector('p.none');
      none.hidden = list.length > 0;
      none.textContent = t('calendar.free');
    },
  });
}

/** A month: weeks of seven cells from `from`; days outside `month` (YYYY-MM) are dimmed. */
export function renderMonth(app, el, occurrences, from, weeks, month, today, firstDay, { onOpen, onMore }) {
  const n = weeks * 7;
  const byDay = spread(occurrences, from, n);
  const heads = weekdayHeads(firstDay);
  const cells = [...Array(n)].map((_, i) => addDays(from, i));
  const MAX = 3;
  el.style.setProperty('--weeks', String(weeks));
  reconcile(el, [...heads.map((name, i) => ({ head: name, i })), ...cells.map((d) => ({ d }))], {
    key: (c) => (c.d ? c.d : `head-${c.i}`),
    build: (c) => (c.d
      ? h('section.month-day', { 'aria-labelledby': `md-${c.d}` }, h('h3', { id: `md-${c.d}` }), h('ul.events'), h('button.more.small', { type: 'button' }))
      : h('div.month-head', { 'aria-hidden': 'true' })),
    update: (cell, c) => {
      if (!c.d) { cell.textContent = c.head; return; }
      const d = c.d;
      const list = byDay.get(d) || [];
      cell.classList.toggle('other-month', d.slice(0, 7) !== month);
      if (d === today) cell.setAttribute('aria-current', 'date'); else cell.removeAttribute('aria-current');
      const head = cell.querySelector('h3');
      head.textContent = String(Number(d.slice(8, 10)));
      head.setAttribute('aria-label', fmtDate(d, { weekday: 'long', day: 'numeric', month: 'long' }));
      reconcile(cell.querySelector('ul'), list.slice(0, MAX), { key: occKey, sig: (o) => sig(app, o), build: (o) => eventChip(app, o, d, { compact: true, grid: true, onOpen }) });
      const more = cell.querySelector('button.more');
      more.hidden = list.length <= MAX;
      more.textContent = t('calendar.more', { count: list.length - MAX });
      more.onclick = () => onMore(d);
    },
  });
}

/** The first day of the week containing date, for a week starting on firstDay (1 = Monday). */
export function weekStart(date, firstDay) {
  const [y, m, d] = date.split('-').map(Number);
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay() || 7;
  return addDays(date, -((wd - firstDay + 7) % 7));
}

/** The weeks a month grid needs (4 to 6) from its first shown day. */
export function monthWeeks(from, month) {
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  return Math.ceil((daysFrom(from, last) + 1) / 7);
}

export { weekdayHeads };
