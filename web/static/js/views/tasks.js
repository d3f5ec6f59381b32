// Tasks and chores: what is due today, other open tasks, the recurring
// chores grouped by member; "mine" or "everyone"; complete (checkbox),
// open and edit (title), snooze. Rows are keyed by id and patched in place.
// The page is kept on the device (cache.js) and shown from there without a
// network; completing a task goes through the outbox (outbox.js), so it
// works offline too and shows "waiting to sync" until the server has it.
// A read older than a write's answer does not take the write back (answers.js).
import { change, get } from '../api.js';
import { answers } from '../answers.js';
import * as cache from '../cache.js';
import { deviceId } from '../device.js';
import { handOver, takeOver } from '../handover.js';
import { h, loading, pickerKeys, reconcile, setChildren } from '../dom.js';
import { currentLang, dayLabel, fmtTime, t } from '../i18n.js';
import { avatar, memberName } from '../members.js';
import * as outbox from '../outbox.js';
import { overlay } from '../pending.js';
import { presenceRow } from '../presence.js';
import { hideNotice } from '../shell.js';
import { dateIn, zoned, addDays } from '../time.js';
import { fetchTasks } from '../warm.js';
import { goneElsewhere, keepKeyboard, settler } from './settle.js';
import { describeRule, openTaskDialog, readTask } from './task-dialog.js';

const FILTER_KEY = 'familyhub.tasks.filter';

export function view(app, main) {
  const tz = app.tz;
  const me = app.me.user.id;
  const tasks = new Map(); // id -> task: everything shown on this page
  // What the server answered to this device's writes (and the deletes it
  // was told of): a read on its way meanwhile is merged with it.
  const answered = answers();
  let filter = 'everyone';
  try { filter = localStorage.getItem(FILTER_KEY) === 'mine' ? 'mine' : 'everyone'; } catch { /* default */ }

  const filterBtns = ['mine', 'everyone'].map((f) => h('button.small', {
    type: 'button', 'aria-pressed': String(filter === f), dataset: { filter: f },
    onclick: () => {
      filter = f;
      try { localStorage.setItem(FILTER_KEY, f); } catch { /* this tab only */ }
      for (const b of filterBtns) b.setAttribute('aria-pressed', String(b.dataset.filter === f));
      render();
    },
  }, t(`tasks.filter.${f}`)));

  const section = (id, title) => {
    const ul = h('ul.tasks');
    // A row done here hands the focus on within its section, to "All done" after the last (settle.js).
    const empty = h('p.muted', { dataset: { empty: '' } });
    return { ul, empty, el: h('section.card', { 'aria-labelledby': id, dataset: { rows: '' } }, h('h2', { id }, title), ul, empty) };
  };
  const todaySec = section('h-today', '');
  const openSec = section('h-open', t('tasks.otherOpen'));
  const choresEl = h('div.chore-groups');
  const choreSec = h('section.card', { 'aria-labelledby': 'h-chores', dataset: { rows: '' } }, h('h2#h-chores', t('tasks.chores')), choresEl);
  const region = h('div.tasks-body', loading());
  // Who else is looking at the tasks right now (presence.js).
  const here = presenceRow(app, () => 'tasks',
    { label: t('presence.alsoHere.tasks'), tip: (name) => t('presence.lookingToo.tasks', { name }) });

  main.append(
    h('div.page-head', h('div.page-title', h('h1', t('tasks.title')), here.el),
      h('div.segmented', { role: 'group', 'aria-label': t('tasks.filter.label') }, filterBtns),
      app.can('task.create') ? h('button.primary', { type: 'button', onclick: () => openTask(null) }, t('tasks.new')) : null),
    region);

  const today = () => dateIn(new Date(), tz);
  // The day a task counts for: snoozed_until, else due_at, else its instance date.
  const dayOf = (task) => {
    const at = task.snoozed_until || task.due_at;
    return at ? dateIn(new Date(at), tz) : task.instance_date;
  };
  const mine = (task) => filter === 'everyone' || !task.assignee_id || task.assignee_id === me;
  // A task ticked here keeps its place (and an open task done stays in
  // sight, struck through, to be unticked) until the ticking pauses (settle.js).
  const settling = settler(() => render());
  const doneAt = (task) => settling.placed(task.id, !!task.completed_at);

  function classify() {
    const now = Date.now();
    const d = today();
    const todays = [];
    const open = [];
    const chores = [];
    const shown = overlay([...tasks.values()], outbox.waiting(), { belongs: () => false, sending: outbox.isSending });
    for (const task of shown) {
      if (!mine(task)) continue;
      if (task.is_template) { chores.push(task); continue; }
      if (dayOf(task) === d) { todays.push(task); continue; }
      if (doneAt(task)) continue;
      if (task.snoozed_until && Date.parse(task.snoozed_until) > now) continue;
      open.push(task);
    }
    const when = (x) => Date.parse(x.snoozed_until || x.due_at || '9999-12-31T00:00:00Z');
    todays.sort((a, b) => Number(doneAt(a)) - Number(doneAt(b)) || when(a) - when(b) || a.title.localeCompare(b.title));
    open.sort((a, b) => when(a) - when(b) || a.title.localeCompare(b.title));
    chores.sort((a, b) => a.title.localeCompare(b.title));
    return { todays, open, chores };
  }

  // A focused row that leaves (a task done) hands the focus on, at
  // whichever draw it leaves (settle.js). elsewhere: the tasks another
  // device changed or deleted that this draw shows (onEvent, refreshOne);
  // a focused one that moved keeps the focus, one deleted says so.
  const elsewhere = new Map(); // id → {deleted}
  function render() {
    keepKeyboard(() => {
      if (!region.contains(todaySec.el)) setChildren(region, todaySec.el, openSec.el, choreSec);
      const { todays, open, chores } = classify();
      const d = today();
      todaySec.el.querySelector('h2').textContent = t('tasks.today', { date: dayLabel(d, '') });
      fill(todaySec, todays, row, t('tasks.nothingToday'));
      fill(openSec, open, row, t('tasks.allDone'));
      renderChores(chores);
      shownDay = d;
      clockAt();
    }, elsewhere, (id) => tasks.has(id));
  }

  // The page stays open for days on a kitchen tablet: it is drawn again
  // when the next open task falls due (it turns late) and at midnight,
  // when it also reads the new day's tasks. Before, a task stayed on time
  // and tomorrow's stayed "Tomorrow" until something else drew the page.
  // Not once the page is left: a read still on its way then (the server's
  // answer after the kept copy) drew the page left, and its clock, never
  // cleared, went on for good, reading the tasks again each midnight.
  let shownDay = null;
  let clock = 0;
  let left = false;
  function clockAt() {
    clearTimeout(clock);
    if (left) return;
    const now = Date.now();
    const dues = [...tasks.values()].filter((x) => !x.is_template && !x.completed_at && (x.snoozed_until || x.due_at))
      .map((x) => Date.parse(x.snoozed_until || x.due_at)).filter((at) => at > now);
    const at = Math.min(zoned(`${addDays(today(), 1)}T00:00`, tz).getTime(), now + 3600e3, ...dues);
    clock = setTimeout(() => {
      if (today() !== shownDay) reload();
      render();
    }, Math.max(at - now + 50, 1000));
  }

  function fill(sec, list, build, emptyText) {
    reconcile(sec.ul, list, { key: (x) => x.id, sig: rowSig, build });
    sec.empty.hidden = list.length > 0;
    sec.empty.textContent = emptyText;
  }

  // Names are in the signature: a member renamed or gone (a former member) re-renders the row.
  const lateNow = (x) => !x.completed_at && Date.parse(x.snoozed_until || x.due_at) < Date.now();
  const rowSig = (x) => JSON.stringify([x.title, x.notes, x.due_at, x.snoozed_until, x.completed_at, lateNow(x), x.assignee_id,
    x.recurrence, x.rotation, x.pending, currentLang(), today(), [x.assignee_id, ...(x.rotation || [])].map((id) => id && memberName(app, id))]);

  function renderChores(chores) {
    const groups = new Map();
    for (const c of chores) {
      const k = c.assignee_id || '';
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(c);
    }
    const order = app.me.members.map((m) => m.id);
    const list = [...groups].map(([who, items]) => ({ who, items }))
      .sort((a, b) => (a.who === '' ? 1e9 : order.indexOf(a.who)) - (b.who === '' ? 1e9 : order.indexOf(b.who)));
    reconcile(choresEl, list, {
      key: (g) => g.who || 'anyone',
      build: (g) => h('section.chore-group', { 'aria-labelledby': `chores-${g.who || 'anyone'}` },
        h('h3', { id: `chores-${g.who || 'anyone'}` }), h('ul.tasks')),
      update: (el, g) => {
        setChildren(el.querySelector('h3'), g.who ? [avatar(app, g.who, { label: '' }), ' ', memberName(app, g.who)] : t('tasks.anyone'));
        reconcile(el.querySelector('ul'), g.items, { key: (x) => x.id, sig: rowSig, build: choreRow });
      },
    });
    let empty = choreSec.querySelector('p.muted');
    if (!empty) { empty = h('p.muted', { dataset: { empty: '' } }); choreSec.append(empty); }
    empty.hidden = chores.length > 0;
    empty.textContent = t('tasks.noChores');
  }

  function due(task) {
    const at = task.snoozed_until || task.due_at;
    if (!at) return null;
    const day = dateIn(new Date(at), tz);
    const late = lateNow(task);
    const text = `${day === today() ? '' : dayLabel(day, today()) + ' '}${fmtTime(new Date(at), tz)}`;
    // Late is said in words too, not by its colour alone: "07:30" in red
    // told nothing to a colour-blind reader or a screen reader.
    return h('span.due', { class: late ? 'late' : '' }, late ? t('tasks.overdue', { when: text })
      : task.snoozed_until ? t('tasks.snoozedTo', { when: text }) : text);
  }

  function openButton(task, meta) {
    return h('button.task-open', { type: 'button', dataset: { key: `open-${task.id}` }, onclick: () => edit(task) },
      h('span.title', task.title),
      h('span.meta', meta),
      task.notes ? h('span.notes', task.notes) : null);
  }

  function row(task) {
    const id = `done-${task.id}`;
    return h('li.task', { class: [task.completed_at ? 'done' : '', task.pending ? 'pending' : ''].join(' ').trim() || null,
      'aria-busy': task.pending === 'saving' ? 'true' : null, dataset: task.pending ? { id: task.id, pending: task.pending } : { id: task.id } },
      h('label.tick', { for: id },
        h('input', { type: 'checkbox', id, checked: !!task.completed_at, dataset: { key: id },
          'aria-label': t('tasks.markDone', { title: task.title }), disabled: !app.can('task.complete', task.assignee_id),
          onchange: (e) => complete(task, e.target.checked) })),
      openButton(task, [due(task), task.template_id ? h('span.tag', t('tasks.chore')) : null,
        task.pending ? h('span.sync-state', t(task.pending === 'saving' ? 'sync.rowSaving' : 'sync.rowWaiting')) : null]),
      task.assignee_id ? avatar(app, task.assignee_id, { label: t('tasks.assignedTo', { name: memberName(app, task.assignee_id) }) }) : null,
      task.completed_at || !app.can('task.snooze', task.assignee_id) ? null : h('select.snooze', {
        'aria-label': t('tasks.snoozeLabel', { title: task.title }), dataset: { key: `snooze-${task.id}` },
        onchange: (e) => { const v = e.target.value; e.target.value = ''; if (v) snooze(task, v); },
        onkeydown: pickerKeys, // an arrow key opens the menu, it does not snooze
      },
      h('option', { value: '' }, t('tasks.snooze')),
      ['1h', '3h', 'evening', 'tomorrow'].map((v) => h('option', { value: v }, t(`tasks.snooze.${v}`)))));
  }

  function choreRow(task) {
    const turns = task.rotation?.length ? t('tasks.takesTurns', { names: task.rotation.map((id) => memberName(app, id)).join(' → ') }) : null;
    return h('li.task', { dataset: { id: task.id } },
      openButton(task, [h('span.due', describeRule(task.recurrence)), turns ? h('span.turns', turns) : null]));
  }

  // The dialog re-reads the task (another device may have changed it); when
  // the server cannot be reached it opens the copy the page shows (a shop
  // with no signal), and so does a day's link to its chore: ticking a task
  // done on the page goes through the outbox, a save in the dialog needs
  // the server and says so.
  async function edit(task) {
    const kept = (id) => tasks.get(id) || (id === task.id ? task : undefined);
    const fresh = await readTask(app, task.id, kept);
    if (fresh) openTask(fresh, task);
  }

  // An open dialog saves to the page shown when it saves: a page built
  // again meanwhile (another device changed the time zone) takes its link
  // over (handover.js). Before, the save went to the page it replaced.
  const page = { onSaved, kept: (id) => tasks.get(id) };
  let link = takeOver('tasks dialog') ?? null;
  if (link) link.page = page;
  function openTask(task, shown = task) {
    link = { page };
    const to = link;
    openTaskDialog(app, task, {
      onSaved: (saved, gone) => to.page.onSaved(saved, gone),
      kept: (id) => to.page.kept(id) || (id === shown?.id ? shown : undefined),
    });
  }

  // A task saved (or deleted: gone) in the dialog is shown and kept at
  // once; a re-read follows (a chore's instances may have changed).
  function onSaved(saved, gone) {
    if (saved) { tasks.set(saved.id, saved); answered.note(saved.id, saved); keepTasks([[saved.id, saved]]); }
    else if (gone) { tasks.delete(gone.id); answered.note(gone.id, null); keepTasks([[gone.id, null]]); }
    render();
    reload();
  }

  // Completing goes through the outbox, made against the version shown.
  // tapped: a tick in the list (it keeps its place); the notice's Undo is
  // not, and shows the task back at once: held as done, it stayed away for
  // the pause after Undo.
  async function complete(task, done, tapped = true) {
    const action = done ? 'complete' : 'uncomplete';
    if (tapped) settling.note(task.id, !done);
    // An open task done leaves the page once the ticking pauses: Undo, for a
    // while (shell.js notice), as a shopping item's delete.
    const notice = t('tasks.doneNotice', { title: task.title });
    if (done && dayOf(task) !== today()) {
      app.notice(notice, { action: t('common.undo'), onAction: () => complete(tasks.get(task.id) || task, false, false) });
    } else if (!done && document.querySelector('#toast p')?.textContent === notice) {
      hideNotice(); // unticked within the hold: its "Done" with Undo is stale (another notice stays)
    }
    try {
      await outbox.enqueue({ kind: `task.${action}`, method: 'POST', path: `/api/tasks/${task.id}/${action}`,
        record: task.id, base: tasks.get(task.id) || task, label: task.title, seq: app.seq() });
    } catch (e) {
      app.failed([done ? 'fail.complete' : 'fail.reopen', { title: task.title }], e);
    }
  }
  const off = outbox.onOutbox((ev) => {
    if (ev.type === 'record' && ev.op.kind.startsWith('task.') && !(ev.record && answered.gone(ev.id))) { // deleted since (onEvent)
      if (ev.record !== undefined) answered.note(ev.id, ev.record);
      if (ev.record) tasks.set(ev.id, ev.record);
      else if (ev.record === null) tasks.delete(ev.id);
      else { pending.add(ev.id); refreshOne(); }
      if (ev.record !== undefined) keepTasks([[ev.id, ev.record]]);
    }
    if (ev.type === 'record' || ev.type === 'changed') render();
  });

  async function snooze(task, choice) {
    const now = new Date();
    let until;
    if (choice === '1h') until = new Date(now.getTime() + 3600e3);
    else if (choice === '3h') until = new Date(now.getTime() + 3 * 3600e3);
    else if (choice === 'evening') {
      until = zoned(`${today()}T18:00`, tz);
      if (until <= now) until = new Date(now.getTime() + 3600e3);
    } else until = zoned(`${addDays(today(), 1)}T08:00`, tz);
    const held = tasks.get(task.id) || task;
    const r = await app.write(['fail.snooze', { title: task.title }],
      () => change('POST', `/api/tasks/${task.id}/snooze`, { until: until.toISOString() }, held, { fields: ['title', 'due_at'] }));
    if (r) { tasks.set(r.id, r); answered.note(r.id, r); keepTasks([[r.id, r]]); }
    render();
  }

  const show = (data) => {
    tasks.clear();
    for (const x of data.tasks) tasks.set(x.id, x);
    render();
  };
  // The device's copy takes what the page learned of these tasks ([[id, task or null]]), task by task (cache.patch).
  const keepTasks = (changes) => cache.patch('tasks', 'tasks', changes);
  let gen = 0;
  const reload = app.loader(async () => {
    const mine = ++gen;
    const upToDate = answered.reading('tasks', 'tasks');
    const r = await cache.fresh('tasks', () => fetchTasks(today()));
    // A copy kept before the device's own writes were answered (the page
    // was not open then): their saved answers are laid over it.
    if (r.cached) await outbox.started(); // read from storage after a reload
    if (r.cached) r.data = { ...r.data, tasks: outbox.layOver(r.data.tasks, r.at, (x) => 'is_template' in x, (x) => (x.completed_at ? null : x.template_id)) };
    show(upToDate(r.data, r.at, !r.cached));
    r.later?.then((data) => { if (data && mine === gen) show(upToDate(data, r.laterAt, true)); });
  });

  // An event names one task: re-read that task only.
  const pending = new Set();
  const refreshOne = app.loader(async () => {
    const ids = [...pending];
    pending.clear();
    const read = await Promise.all(ids.map(async (id) => {
      const upToDate = answered.readingOne(id);
      let x;
      try {
        x = await get(`/api/tasks/${id}`);
      } catch (e) {
        if (e.status !== 404) throw e;
        x = null;
      }
      x = upToDate(x);
      if (x) tasks.set(id, x); else tasks.delete(id);
      return [id, x];
    }));
    render();
    for (const [id] of read) elsewhere.delete(id);
    keepTasks(read);
  });

  return {
    topics: ['tasks'],
    reload,
    destroy() { off(); here.destroy(); settling.stop(); left = true; clearTimeout(clock); if (link && document.querySelector('dialog.task-dialog[open]')) handOver('tasks dialog', link); },
    onEvent(ev) {
      if (ev.type !== 'TASK_UPDATED') return;
      // Changed by another device (or by none: CalDAV, a job), not by this one's own write.
      const away = ev.device_id !== deviceId();
      if (ev.op === 'delete') {
        if (away) goneElsewhere(elsewhere, ev.id);
        tasks.delete(ev.id); answered.note(ev.id, null, undefined, ev.seq); render();
        elsewhere.delete(ev.id);
        if (outbox.waiting().some((o) => o.record === ev.id)) outbox.heardGone(ev.id); // its answer on its way is older
        return;
      }
      answered.back(ev.id, ev.seq); // put back with its id (the assistant's Undo): its answers show again
      if (ev.version != null && tasks.get(ev.id)?.version >= ev.version) return; // already shown
      if (away) elsewhere.set(ev.id, { deleted: false });
      pending.add(ev.id);
      refreshOne();
    },
  };
}
