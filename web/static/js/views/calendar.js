// Calendar: an agenda of the coming weeks (occurrences expanded by the
// server), create and edit events.
import { del, get, patch, post } from '../api.js';
import { field, formValues, h } from '../dom.js';
import { addDays, dateIn, dayLabel, localInput, zoned } from '../time.js';
import { openDialog } from './dialog.js';

const REPEATS = [['', 'Does not repeat'], ['FREQ=DAILY', 'Every day'], ['FREQ=WEEKLY', 'Every week'],
  ['FREQ=WEEKLY;INTERVAL=2', 'Every two weeks'], ['FREQ=MONTHLY', 'Every month'], ['FREQ=YEARLY', 'Every year']];

export function view(app, main) {
  const tz = app.tz;
  let weeks = 4;
  let occurrences = [];
  const agenda = h('div.agenda');
  const more = h('button', { type: 'button', onclick: () => { weeks += 4; reload(); } }, 'Show 4 more weeks');
  main.append(
    h('div.page-head', h('h1', 'Calendar'), h('button.primary', { type: 'button', onclick: () => editEvent(null) }, 'New event')),
    agenda, h('p.center', more));

  const range = () => {
    const from = dateIn(new Date(), tz);
    return { from, to: addDays(from, weeks * 7) };
  };
  // The wall-clock date and time of a returned timestamp: the server writes
  // them in the family's zone, so the string itself says the local day.
  const dayOfStamp = (s) => s.slice(0, 10);

  function render() {
    const today = dateIn(new Date(), tz);
    const byDay = new Map();
    for (const o of occurrences) {
      const start = dayOfStamp(o.starts_at);
      // An event that began before today still shows under today.
      const day = start < today ? today : start;
      if (!byDay.has(day)) byDay.set(day, []);
      byDay.get(day).push(o);
    }
    const { to } = range();
    agenda.replaceChildren(...(byDay.size
      ? [...byDay].map(([day, list]) => h('section.day', { 'aria-label': dayLabel(day, today) },
        h('h2', dayLabel(day, today)),
        h('ul.events', list.map((o) => eventRow(o)))))
      : [h('p.muted.empty', `Nothing planned until ${dayLabel(to, today)}.`)]));
  }

  function eventRow(o) {
    const time = o.all_day ? 'All day' : `${o.starts_at.slice(11, 16)}–${o.ends_at.slice(11, 16)}`;
    return h('li.event', { dataset: { id: o.id } },
      h('span.time', time),
      h('div.what',
        h('span.title', o.title, o.rrule ? h('span.tag', { title: o.rrule }, 'repeats') : null, o.read_only ? h('span.tag', 'subscribed') : null),
        o.location ? h('span.muted', o.location) : null),
      o.read_only ? null : h('button.small', { type: 'button', 'aria-label': `Edit ${o.title}`, onclick: () => editEvent(o) }, 'Edit'));
  }

  async function editEvent(o) {
    let ev = null;
    if (o) {
      ev = await app.write('open the event', () => get(`/api/calendar/events/${o.id}`));
      if (!ev) return;
    }
    const start = ev ? new Date(ev.starts_at) : new Date(Math.ceil(Date.now() / 3600e3) * 3600e3);
    const end = ev ? new Date(ev.ends_at) : new Date(start.getTime() + 3600e3);
    const allDay = h('input', { type: 'checkbox', name: 'all_day', checked: !!ev?.all_day });
    const startIn = h('input', { name: 'start', type: 'datetime-local', required: true, value: localInput(start, tz) });
    const endIn = h('input', { name: 'end', type: 'datetime-local', required: true, value: localInput(end, tz) });
    const startDate = h('input', { name: 'start_date', type: 'date', value: ev?.all_day ? dayOfStamp(ev.starts_at) : dateIn(start, tz) });
    const endDate = h('input', { name: 'end_date', type: 'date', value: ev?.all_day ? addDays(dayOfStamp(ev.ends_at), -1) : dateIn(start, tz) });
    const timed = h('div.row', field('Starts', startIn), field('Ends', endIn));
    const dated = h('div.row', field('First day', startDate), field('Last day', endDate));
    const sync = () => { timed.hidden = allDay.checked; dated.hidden = !allDay.checked; };
    allDay.addEventListener('change', sync);
    sync();
    const remove = ev ? h('button.danger', {
      type: 'button',
      async onclick() {
        if (!confirm(`Delete "${ev.title}"${ev.rrule ? ' and all its repeats' : ''}?`)) return;
        const ok = await app.write('delete the event', async () => { await del(`/api/calendar/events/${ev.id}`); return true; });
        if (ok) { dlg.close(); reload(); }
      },
    }, 'Delete') : null;
    const dlg = openDialog(ev ? 'Edit event' : 'New event', [
      field('Title', h('input', { name: 'title', required: true, maxlength: 200, value: ev?.title || '' })),
      h('label.check', allDay, ' All day'),
      timed, dated,
      field('Repeats', h('select', { name: 'rrule' }, REPEATS.map(([v, l]) => h('option', { value: v, selected: (ev?.rrule || '') === v }, l)),
        ev?.rrule && !REPEATS.some(([v]) => v === ev.rrule) ? h('option', { value: ev.rrule, selected: true }, ev.rrule) : null)),
      field('Location', h('input', { name: 'location', maxlength: 500, value: ev?.location || '' })),
      field('Notes', h('textarea', { name: 'notes', rows: 2, maxlength: 4000 }, ev?.notes || '')),
    ], async (form) => {
      const v = formValues(form);
      const body = { title: v.title, all_day: v.all_day, location: v.location, notes: v.notes, rrule: v.rrule || null };
      if (v.all_day) {
        body.starts_at = v.start_date;
        body.ends_at = addDays(v.end_date || v.start_date, 1);
      } else {
        body.starts_at = zoned(v.start, tz).toISOString();
        body.ends_at = zoned(v.end, tz).toISOString();
      }
      if (!ev && !body.rrule) delete body.rrule;
      const saved = await app.write(ev ? 'save the event' : 'create the event',
        () => (ev ? patch(`/api/calendar/events/${ev.id}`, body) : post('/api/calendar/events', body)));
      if (saved) reload();
      return !!saved;
    }, { extra: remove });
  }

  const reload = app.loader(async () => {
    const { from, to } = range();
    const q = new URLSearchParams({ from: zoned(`${from}T00:00`, tz).toISOString(), to: zoned(`${to}T00:00`, tz).toISOString() });
    occurrences = await get(`/api/calendar/events?${q}`);
    render();
  });

  return {
    topics: ['calendar'],
    reload,
    // A change to one event can move any of its occurrences: re-read the range shown.
    onEvent(ev) { if (ev.type === 'CALENDAR_EVENT_UPDATED') reload(); },
  };
}
