// Calendar: an agenda of the coming weeks on a phone; on a laptop or tablet (wide: 720 px wide and 500 tall) also a grid
// of the calendar week containing today (then week by week) and a month grid. Occurrences are expanded by the server;
// colours are the members who made the events. Adding, changing and deleting a whole event, or only one
// occurrence of a series, goes through the outbox (outbox.js), so it works offline too: what waits is
// shown where it will be, "waiting to sync" (calendar-pending.js). The ranges read recently stay on the
// device: offline, or when the server fails (a 500, a proxy's 502…: serverDown), the calendar shows any
// range they cover (the server's failure with the page's notice and Retry, cache.keptForServer), and for
// one they do not says "Not available offline." (offline) or why it could not load, with Retry (the
// server failed). While the device is idle on a week or month read from the server, the one after it and
// the one before are read ahead into the kept ranges (calendar-ahead.js), so they open offline.
import { ApiError, get, serverDown } from '../api.js';
import * as cache from '../cache.js';
import { h, keepFocus, loading, setChildren } from '../dom.js';
import { fmtDate, fmtDateRange, firstDayOfWeek, t } from '../i18n.js';
import * as order from '../order.js';
import * as outbox from '../outbox.js';
import { apply } from '../pending.js';
import { presenceRow } from '../presence.js';
import { addDays, dateIn, zoned } from '../time.js';
import { monthWeeks, renderAgenda, renderMonth, renderWeek, weekStart } from './calendar-grid.js';
import { monthShift, readingAhead } from './calendar-ahead.js';
import { calendarAnswers } from './calendar-answers.js';
import { keepRange, keptOccurrences, keptRange, seriesFrom, withPending } from './calendar-pending.js';
import { openEvent } from './event-dialog.js';

const MODE_KEY = 'familyhub.calendar.mode';
// Seven day columns with readable titles fit from 720 px (an upright tablet is 768-834 px wide); a phone on
// its side is as wide but under 500 px tall, where a day's events would not show: it keeps the agenda.
const wide = window.matchMedia('(min-width: 720px) and (min-height: 500px)');

export function view(app, main) {
  const tz = app.tz;
  const today = () => dateIn(new Date(), tz);
  let stored = 'week';
  try { stored = localStorage.getItem(MODE_KEY) || 'week'; } catch { /* default */ }
  let chosen = ['agenda', 'week', 'month'].includes(stored) ? stored : 'week';
  let anchor = today(); // a day inside the week or month shown
  let weeks = 4; // agenda length
  let occurrences = []; // as the server listed them, or the kept ranges with the answers laid over each (listing)
  // The answers to this device's event writes (calendar-answers.js): shown over a listing read before they came,
  // and over each kept range read before they came (a range read since holds them, or what came after them).
  const mine = calendarAnswers(tz);
  let fromKept = false; // the listing shown is the kept ranges', not the server's
  let listed = null; // the range the listing is of: drawn again (a write waiting, an answer) as that range until the next is read
  let loaded = false; // a listing was read: before it, the page shows its placeholder
  // The range the page shows (its listing, or why it has none): its mode's frame (the nav bar for a week
  // or month) and the new event's day follow it, not the range being read (null: nothing shown yet).
  let drawn = null;
  let reading = 0; // the page's listings on their way: no read-ahead meanwhile
  // Since when a kept range may miss a change (ms): the page opened (it
  // hears the calendar's notices only while open), or its last notice.
  let changedAt = Date.now();
  let gone = false; // the page was left

  const mode = () => (wide.matches ? chosen : 'agenda');
  const open = (o) => openEvent(app, o, { onSaved: () => reload(), held, known, unread });

  const modeBtns = ['agenda', 'week', 'month'].map((m) => h('button.small', {
    type: 'button', dataset: { mode: m },
    onclick: () => { chosen = m; try { localStorage.setItem(MODE_KEY, m); } catch { /* tab only */ } layout(); reload(); },
  }, t(`calendar.mode.${m}`)));
  const modes = h('div.segmented.modes', { role: 'group', 'aria-label': t('calendar.view') }, modeBtns);
  const rangeLabel = h('h2.range', { 'aria-live': 'polite' });
  const step = (n) => () => {
    anchor = mode() === 'month' ? monthShift(anchor, n) : addDays(anchor, 7 * n);
    reload();
  };
  const navBar = h('div.cal-nav',
    h('button.small', { type: 'button', onclick: step(-1), 'aria-label': t('calendar.previous') }, h('span', { 'aria-hidden': 'true' }, '‹')),
    h('button.small', { type: 'button', onclick: () => { anchor = today(); reload(); } }, t('calendar.today')),
    h('button.small', { type: 'button', onclick: step(1), 'aria-label': t('calendar.next') }, h('span', { 'aria-hidden': 'true' }, '›')),
    rangeLabel);
  const more = h('button', { type: 'button', onclick: () => { weeks += 4; reload(); } }, t('calendar.moreWeeks'));
  const body = h('div.cal-body', loading());
  const agenda = h('div.agenda');
  const weekGrid = h('div.week-grid');
  const monthGrid = h('div.month-grid');

  // Who else is looking at the calendar right now (presence.js).
  const here = presenceRow(app, () => 'calendar',
    { label: t('presence.alsoHere.calendar'), tip: (name) => t('presence.lookingToo.calendar', { name }) });

  main.append(
    h('div.page-head', h('div.page-title', h('h1', t('calendar.title')), here.el), modes,
      app.can('calendar_event.create') ? h('button.primary', { type: 'button', onclick: () => openEvent(app, null, { onSaved: () => reload(), date: newEventDay(), held }) }, t('calendar.new')) : null),
    navBar, body);

  // A new event starts today, or on the first day shown when today is not (the range on screen, not one being read).
  const newEventDay = () => {
    const r = drawn ?? range();
    return today() >= r.from && today() < r.to ? null : r.from;
  };

  function range() { return rangeAt(mode(), anchor); }

  function rangeAt(m, at) {
    if (m === 'week') {
      // The calendar week containing at, from the locale's first weekday as the month's rows (Sunday in
      // en-US, Monday in de): before, seven days from today, a week that began on a Saturday.
      const from = weekStart(at, firstDayOfWeek());
      return { mode: m, from, to: addDays(from, 7) };
    }
    if (m === 'month') {
      const month = at.slice(0, 7);
      const from = weekStart(`${month}-01`, firstDayOfWeek());
      const n = monthWeeks(from, month);
      return { mode: m, from, to: addDays(from, n * 7), weeks: n, month };
    }
    const from = today();
    return { mode: m, from, to: addDays(from, weeks * 7) };
  }

  // The mode chosen is pressed at once; the page keeps the frame of the range it shows (frame) until the
  // next one is drawn: a week drawn again while the agenda is read (a change heard) keeps its nav bar.
  function layout() {
    const m = mode();
    focusOut(modes, () => { modes.hidden = !wide.matches; });
    for (const b of modeBtns) b.setAttribute('aria-pressed', String(b.dataset.mode === m));
    frame(drawn ?? range());
  }

  // The frame of range r: the nav bar for a week or month, the wide layout but for the agenda.
  function frame(r) {
    focusOut(navBar, () => { navBar.hidden = r.mode === 'agenda'; });
    main.classList.toggle('wide-calendar', r.mode !== 'agenda');
  }

  // hide() may hide el; focus in it would fall to the document's body
  // (a screen reader starts over at the top): it moves to the mode button
  // pressed when the modes show (the agenda's, as the nav bar goes), else
  // to the page.
  function focusOut(el, hide) {
    const had = !el.hidden && el.contains(document.activeElement);
    hide();
    if (!had || !el.hidden) return;
    const pressed = modes.hidden ? null : modeBtns.find((b) => b.getAttribute('aria-pressed') === 'true');
    (pressed ?? main).focus({ preventScroll: true });
  }

  // The occurrences of range r as they will be once what waits is saved.
  function shown(r) {
    const from = zoned(`${r.from}T00:00`, tz).getTime();
    const to = zoned(`${r.to}T00:00`, tz).getTime();
    const ev = fromKept ? mine.heardSince() : mine.overListing(occurrences);
    return withPending(occurrences, outbox.waiting(), { from, to, tz, saved: ev, sending: outbox.isSending });
  }

  /** Event id as the device holds it while writes to it wait: their base with them applied (null: none wait). */
  function held(id) {
    const ops = outbox.waiting().filter((op) => op.record === id && op.kind.startsWith('event.'));
    if (!ops.length) return null;
    return ops.reduce(apply, ops[0].base || null);
  }

  /**
   * Event id as the device last knew it: the answer to its own write when no listing has been read since
   * (a listing read after it marks it listed: calendar-answers.js), else as the ranges read show it (a series' definition
   * and its changed occurrences), or null. The answer first: it is the version the device's write made (an
   * occurrence deleted: the series' version one up, as the server counts), where the ranges read before it
   * name the version before, and a write made against that met a 412 and was sent again.
   */
  async function known(id) {
    const x = mine.get(id);
    if (x?.record && !x.kept) return { ...x.record };
    const kept = keptOccurrences(await cache.kept('calendar'), tz);
    const listed = seriesFrom([...occurrences, ...kept], id, tz);
    // An answer from before the page opened, or listed since: unless a range read since is newer.
    if (x?.record && !(listed?.version >= x.record.version)) return { ...x.record };
    return listed;
  }

  /** Whether no range kept covers day (YYYY-MM-DD): offline, the device does not know what is on it. */
  async function unread(day) {
    return !keptRange(await cache.kept('calendar'), tz, { from: day, to: addDays(day, 1) });
  }

  function label(r) {
    if (r.mode === 'week') rangeLabel.textContent = fmtDateRange(r.from, addDays(r.to, -1)); // a week across New Year names both years
    else if (r.mode === 'month') rangeLabel.textContent = fmtDate(`${r.month}-01`, { month: 'long', year: 'numeric' });
  }

  // Offline, a range no range kept covers: it says so where the calendar
  // was (its placeholder hidden behind: shell.js shows it again while the
  // range loads once the connection is back), never an empty grid.
  function notKept(r) {
    drawn = r;
    frame(r);
    loaded = false;
    occurrences = [];
    delete body.dataset.range;
    label(r);
    const placeholder = loading();
    placeholder.hidden = true;
    setChildren(body, h('div.offline-state', t('offline.notKept')), placeholder);
  }

  // The server failed and no kept range covers r: the calendar gives way
  // to a placeholder, which the loader turns into why, with Retry
  // (shell.js), under r's dates: never an older range's grid.
  function failed(r) {
    drawn = r;
    frame(r);
    loaded = false;
    occurrences = [];
    delete body.dataset.range;
    label(r);
    cache.keptForServerEnds('calendar');
    setChildren(body, loading());
  }

  function render(r = listed) {
    const m = r.mode;
    const target = { agenda, week: weekGrid, month: monthGrid }[m];
    const list = shown(r);
    body.dataset.range = `${r.mode} ${r.from} ${r.to}`; // the listing drawn (for the browser tests)
    drawn = r;
    frame(r);
    keepFocus(() => {
      if (target.parentNode !== body) setChildren(body, target, m === 'agenda' ? h('p.center', more) : null);
      if (m === 'agenda') renderAgenda(app, agenda, list, today(), r.to, open);
      else if (m === 'week') {
        label(r);
        renderWeek(app, weekGrid, list, r.from, today(), open);
      } else {
        label(r);
        renderMonth(app, monthGrid, list, r.from, r.weeks, r.month, today(), firstDayOfWeek(), {
          onOpen: open,
          onMore: (d) => { chosen = 'week'; anchor = d; layout(); reload(); },
        });
      }
    });
  }

  const reload = app.loader(async () => {
    layout();
    const r = range();
    const mark = mine.mark();
    let got;
    let kept;
    let seq;
    ahead.clear();
    try {
      ({ occurrences: got, kept, seq } = await listing(r));
    } catch (e) {
      // The user moved on meanwhile: the loader runs again for the new range (a throw would end it there).
      if (JSON.stringify(range()) !== JSON.stringify(r)) return;
      if (serverDown(e)) {
        // "Show 4 more weeks" offline (or the server failing) past what is
        // kept: the agenda shown stays.
        if (r.mode === 'agenda' && loaded && weeks > 4) {
          weeks -= 4;
          // Offline: the weeks asked for were never read; say so, not nothing.
          if (e.status === 0) app.notice(t('calendar.moreNotKept'));
        }
        else if (e.status === 0) notKept(r);
        else failed(r);
      }
      throw e;
    }
    // The user moved on meanwhile: the loader runs again for the new range.
    if (JSON.stringify(range()) !== JSON.stringify(r)) return;
    occurrences = got;
    fromKept = kept;
    listed = r;
    loaded = true;
    // What this read began after is in it; what came meanwhile is shown over it. The rest stays
    // for the kept ranges read before it (mine.over), offline later.
    if (!kept) mine.listed(mark, got, seq);
    render(r);
    if (!kept) ahead.whenIdle(r);
  });

  const listPath = (r) => `/api/calendar/events?${new URLSearchParams({
    from: zoned(`${r.from}T00:00`, tz).toISOString(), to: zoned(`${r.to}T00:00`, tz).toISOString() })}`;

  // The range r as the server lists it, kept on the device with the other
  // ranges read recently (keepRange); without a network, or when the
  // server fails (serverDown: a 500, a proxy's 502/503/504), what the kept
  // ranges have of r when they cover it (a phone's agenda opens offline as
  // it was last seen, the week before as it was read); the server's
  // failure is said by the page's notice with Retry (cache.keptForServer).
  async function listing(r) {
    const page = cache.keptPageNow();
    // Each kept range with the device's answers that came after its read began laid over it (mine.over).
    const lay = (x, from, to) => withPending(x.occurrences, [], { from, to, tz, saved: mine.over(x) });
    const kept = async (e) => {
      await mine.read; // laid over the kept ranges (online, a listing read since holds them)
      const within = keptRange(await cache.kept('calendar'), tz, r, lay);
      if (!within) throw e;
      if (e.status > 0) cache.keptForServer('calendar', page);
      return { occurrences: within, kept: true };
    };
    if (navigator.onLine === false) return kept(new ApiError(0, 'network'));
    let got;
    const at = Date.now(); // a change after the read began may be missing from it (keptFresh)
    const seq = order.next(); // and an answer that came after it (calendar-answers.js): the device's order, not its clock
    reading++;
    try {
      got = await get(listPath(r));
    } catch (e) {
      if (!serverDown(e)) throw e;
      return kept(e);
    } finally {
      reading--;
    }
    cache.keptForServerEnds('calendar');
    const counted = await seq;
    cache.update('calendar', (kept) => keepRange(kept, tz, { from: r.from, to: r.to, at, seq: counted, occurrences: got }));
    return { occurrences: got, kept: false, seq: counted };
  }

  // Reading ahead (calendar-ahead.js): not when the page was left, offline, saving data, while the page
  // reads a range (the user's read goes first), or once it moved on from r.
  const ahead = readingAhead({
    tz, rangeAt, listPath, changedAt: () => changedAt,
    whyNot: (r) => {
      if (gone) return 'left';
      if (navigator.onLine === false) return 'offline';
      if (navigator.connection?.saveData) return 'save-data';
      if (reading > 0) return 'reading';
      if (JSON.stringify(range()) !== JSON.stringify(r)) return 'moved';
      return null;
    },
  });

  // The outbox's answers: shown at once, then the range is read again
  // (the server expands what the device cannot). A waiting write added or
  // sent: drawn again.
  const off = outbox.onOutbox((ev) => {
    if (ev.type === 'record' && ev.op.kind.startsWith('event.')) {
      if (ev.record !== undefined) mine.heard(ev);
      if (loaded) render();
      reload();
    } else if ((ev.type === 'changed' || ev.type === 'record') && loaded) render();
  });

  const onResize = () => { layout(); reload(); };
  wide.addEventListener('change', onResize);
  layout();

  // Left open past midnight (a kitchen tablet), the page moves on to the
  // new day: the agenda starts with it, "Today" and today's mark move, and
  // a week or month still at the old day follows. Before, it stayed on the
  // old day until something else read the calendar.
  // A hidden page's timer may fire late or not at all (a device asleep does not count the time): shown
  // again (the screen on, the tab back, the page resumed) past midnight, it moves on at once.
  let day = today();
  let midnight = 0;
  const moveOn = () => {
    const now = today();
    if (now !== day) {
      if (anchor === day) anchor = now;
      day = now;
      reload();
    }
    atMidnight();
  };
  function atMidnight() {
    clearTimeout(midnight);
    const next = zoned(`${addDays(day, 1)}T00:00`, tz).getTime();
    midnight = setTimeout(moveOn, Math.min(Math.max(next - Date.now() + 50, 1000), 3600e3));
  }
  atMidnight();
  const onShown = () => { if (document.visibilityState === 'visible' && today() !== day) moveOn(); };
  const shownAgain = [[document, 'visibilitychange'], [document, 'resume'], [window, 'pageshow'], [window, 'focus']];
  for (const [o, e] of shownAgain) o.addEventListener(e, onShown);

  return {
    topics: ['calendar'],
    reload,
    /** What the last read-ahead did (calendar-ahead.js). */
    get readAhead() { return ahead.did; },
    destroy() { gone = true; clearTimeout(midnight); for (const [o, e] of shownAgain) o.removeEventListener(e, onShown); ahead.clear(); off(); wide.removeEventListener('change', onResize); main.classList.remove('wide-calendar'); here.destroy(); },
    // A change to one event can move any of its occurrences: re-read the
    // range shown, unless it shows that version already (its own write).
    onEvent(ev) {
      if (ev.type !== 'CALENDAR_EVENT_UPDATED') return;
      changedAt = Date.now(); // the ranges kept may miss it: the next read-ahead reads them again
      if (ev.op === 'delete') mine.gone(ev.id, ev.seq);
      else mine.back(ev.id, ev.seq); // put back with its id (the assistant's Undo): no longer deleted
      const have = occurrences?.filter((o) => o.id === ev.id) ?? [];
      if (ev.op !== 'delete' && ev.version != null && have.length && have.every((o) => o.version >= ev.version)) return;
      reload();
    },
  };
}
