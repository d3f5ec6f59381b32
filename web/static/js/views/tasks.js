// Tasks and chores: what is due today, other open tasks, the recurring
// chores; complete, snooze, create (with recurrence).
import { del, get, post } from '../api.js';
import { field, formValues, h } from '../dom.js';
import { dateIn, dayLabel, localInput, timeIn, zoned } from '../time.js';
import { openDialog } from './dialog.js';

const REPEATS = [
  ['', 'Does not repeat'],
  ['FREQ=DAILY', 'Every day'],
  ['FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', 'Every weekday'],
  ['weekly', 'Every week (same weekday)'],
  ['FREQ=WEEKLY;INTERVAL=2', 'Every two weeks'],
  ['FREQ=MONTHLY', 'Every month'],
];
const DAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

export function view(app, main) {
  const tz = app.tz;
  const tasks = new Map(); // id -> task: everything shown on this page
  const members = new Map(app.me.members.map((m) => [m.id, m.display_name]));
  const region = h('div.tasks-body');

  main.append(
    h('div.page-head', h('h1', 'Tasks'),
      h('button.primary', { type: 'button', onclick: () => createTask() }, 'New task')),
    region);

  const today = () => dateIn(new Date(), tz);
  // The day a task counts for: snoozed_until, else due_at, else its instance date.
  const dayOf = (t) => {
    const at = t.snoozed_until || t.due_at;
    return at ? dateIn(new Date(at), tz) : t.instance_date;
  };

  function classify() {
    const now = Date.now();
    const d = today();
    const todays = [];
    const open = [];
    const chores = [];
    for (const t of tasks.values()) {
      if (t.is_template) { chores.push(t); continue; }
      if (dayOf(t) === d) { todays.push(t); continue; }
      if (t.completed_at) continue;
      if (t.snoozed_until && Date.parse(t.snoozed_until) > now) continue;
      open.push(t);
    }
    const when = (t) => Date.parse(t.snoozed_until || t.due_at || '9999-12-31T00:00:00Z');
    todays.sort((a, b) => Number(!!a.completed_at) - Number(!!b.completed_at) || when(a) - when(b) || a.title.localeCompare(b.title));
    open.sort((a, b) => when(a) - when(b) || a.title.localeCompare(b.title));
    chores.sort((a, b) => a.title.localeCompare(b.title));
    return { todays, open, chores };
  }

  function render() {
    const focusKey = document.activeElement?.dataset?.key;
    const { todays, open, chores } = classify();
    const d = today();
    region.replaceChildren(
      h('section.card', { 'aria-labelledby': 'h-today' },
        h('h2#h-today', `Today · ${dayLabel(d, '') }`),
        todays.length ? h('ul.tasks', todays.map(row)) : h('p.muted', 'Nothing due today.')),
      h('section.card', { 'aria-labelledby': 'h-open' },
        h('h2#h-open', 'Other open tasks'),
        open.length ? h('ul.tasks', open.map(row)) : h('p.muted', 'All done.')),
      h('section.card', { 'aria-labelledby': 'h-chores' },
        h('h2#h-chores', 'Recurring chores'),
        chores.length ? h('ul.tasks', chores.map(choreRow)) : h('p.muted', 'No recurring chores yet. Create a task that repeats.')));
    if (focusKey) region.querySelector(`[data-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  function due(t) {
    const at = t.snoozed_until || t.due_at;
    if (!at) return null;
    const day = dateIn(new Date(at), tz);
    const late = !t.completed_at && Date.parse(at) < Date.now();
    const text = `${day === today() ? '' : dayLabel(day, today()) + ' '}${timeIn(new Date(at), tz)}`;
    return h('span.due', { class: late ? 'late' : '' }, t.snoozed_until ? `snoozed to ${text}` : text);
  }

  function row(t) {
    const id = `done-${t.id}`;
    return h('li.task', { class: t.completed_at ? 'done' : '', dataset: { id: t.id } },
      h('input', { type: 'checkbox', id, checked: !!t.completed_at, dataset: { key: id }, onchange: (e) => complete(t, e.target.checked) }),
      h('label.name', { for: id }, h('span.title', t.title),
        h('span.meta', due(t), t.template_id ? h('span.tag', 'chore') : null,
          t.assignee_id ? h('span.who', members.get(t.assignee_id) || '') : null)),
      t.completed_at ? null : h('select.snooze', {
        'aria-label': `Snooze ${t.title}`, dataset: { key: `snooze-${t.id}` },
        onchange: (e) => { const v = e.target.value; e.target.value = ''; if (v) snooze(t, v); },
      },
      h('option', { value: '' }, 'Snooze…'),
      h('option', { value: '1h' }, '1 hour'),
      h('option', { value: '3h' }, '3 hours'),
      h('option', { value: 'evening' }, 'This evening'),
      h('option', { value: 'tomorrow' }, 'Tomorrow morning')),
      h('button.icon.danger', { type: 'button', 'aria-label': `Delete ${t.title}`, onclick: () => remove(t) }, '✕'));
  }

  function choreRow(t) {
    return h('li.task', { dataset: { id: t.id } },
      h('span.name', h('span.title', t.title),
        h('span.meta', h('span.due', describeRule(t.recurrence)), t.assignee_id ? h('span.who', members.get(t.assignee_id) || '') : null)),
      h('button.icon.danger', { type: 'button', 'aria-label': `Delete chore ${t.title}`, onclick: () => remove(t) }, '✕'));
  }

  async function complete(t, done) {
    const r = await app.write(`${done ? 'complete' : 'reopen'} "${t.title}"`, () => post(`/api/tasks/${t.id}/${done ? 'complete' : 'uncomplete'}`));
    if (r) tasks.set(r.id, r);
    render();
  }

  async function snooze(t, choice) {
    const now = new Date();
    let until;
    if (choice === '1h') until = new Date(now.getTime() + 3600e3);
    else if (choice === '3h') until = new Date(now.getTime() + 3 * 3600e3);
    else if (choice === 'evening') {
      until = zoned(`${today()}T18:00`, tz);
      if (until <= now) until = new Date(now.getTime() + 3600e3);
    } else {
      const [y, m, d] = today().split('-').map(Number);
      const tomorrow = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
      until = zoned(`${tomorrow}T08:00`, tz);
    }
    const r = await app.write(`snooze "${t.title}"`, () => post(`/api/tasks/${t.id}/snooze`, { until: until.toISOString() }));
    if (r) tasks.set(r.id, r);
    render();
  }

  async function remove(t) {
    const ok = await app.write(`delete "${t.title}"`, async () => { await del(`/api/tasks/${t.id}`); return true; });
    if (ok) { tasks.delete(t.id); render(); if (t.is_template) reload(); }
  }

  function createTask() {
    const soon = new Date(Date.now() + 3600e3);
    openDialog('New task', [
      field('What', h('input', { name: 'title', required: true, maxlength: 200, placeholder: 'Feed the cat' })),
      field('Due', h('input', { name: 'due', type: 'datetime-local', value: localInput(soon, tz) }), 'Leave empty for "some time".'),
      field('Repeats', h('select', { name: 'repeat' }, REPEATS.map(([v, l]) => h('option', { value: v }, l)))),
      field('For', h('select', { name: 'assignee' }, h('option', { value: '' }, 'Anyone'),
        app.me.members.map((m) => h('option', { value: m.id }, m.display_name)))),
      field('Notes', h('textarea', { name: 'notes', rows: 2, maxlength: 4000 })),
    ], async (form) => {
      const v = formValues(form);
      const body = { title: v.title };
      if (v.due) body.due_at = zoned(v.due, tz).toISOString();
      if (v.assignee) body.assignee_id = v.assignee;
      if (v.notes.trim()) body.notes = v.notes;
      if (v.repeat === 'weekly') {
        const day = v.due ? zoned(v.due, tz) : new Date();
        const [y, m, d] = dateIn(day, tz).split('-').map(Number);
        body.recurrence = `FREQ=WEEKLY;BYDAY=${DAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]}`;
      } else if (v.repeat) body.recurrence = v.repeat;
      const r = await app.write(`create "${v.title}"`, () => post('/api/tasks', body));
      if (r) reload(); // a chore may have made today's instance too
      return !!r;
    });
  }

  const reload = app.loader(async () => {
    const [day, open, templates] = await Promise.all([
      get(`/api/tasks?date=${today()}`), get('/api/tasks'), get('/api/tasks?templates=true')]);
    tasks.clear();
    for (const t of [...day, ...open, ...templates]) tasks.set(t.id, t);
    render();
  });

  // An event names one task: re-read that task only.
  const pending = new Set();
  const refreshOne = app.loader(async () => {
    const ids = [...pending];
    pending.clear();
    await Promise.all(ids.map(async (id) => {
      try {
        const t = await get(`/api/tasks/${id}`);
        tasks.set(t.id, t);
      } catch (e) {
        if (e.status !== 404) throw e;
        tasks.delete(id);
      }
    }));
    render();
  });

  return {
    topics: ['tasks'],
    reload,
    onEvent(ev) {
      if (ev.type !== 'TASK_UPDATED') return;
      if (ev.op === 'delete') { tasks.delete(ev.id); render(); return; }
      pending.add(ev.id);
      refreshOne();
    },
  };
}

function describeRule(rule) {
  const found = REPEATS.find(([v]) => v === rule);
  if (found) return found[1];
  const m = /^FREQ=WEEKLY;BYDAY=([A-Z,]+)$/.exec(rule || '');
  if (m) return `Weekly on ${m[1].split(',').map((d) => d[0] + d[1].toLowerCase()).join(', ')}`;
  return rule || '';
}
