// The task dialog: create or edit every field of a task (title, notes,
// due, assignee), and of a chore its repeat rule and the members who take
// turns. Delete is here too.
import { change, get, post, serverDown } from '../api.js';
import { field, formValues, h, setChildren } from '../dom.js';
import { localField, localText } from '../fields.js';
import { fmtList, t, weekdayNames } from '../i18n.js';
import { dateIn, isoWeekday, localInput, zoned } from '../time.js';
import { confirmDelete, openDialog } from './dialog.js';

const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const WEEKDAYS = 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR';

/**
 * A rule as the presets spell it: INTERVAL=1 (the default, which CalDAV apps
 * and the demo write) dropped, FREQ, INTERVAL and BYDAY first. Without this
 * "every Monday and Thursday" read "Custom repeat".
 */
function normalRule(rule) {
  if (!rule) return '';
  const parts = rule.split(';').filter((p) => p && p !== 'INTERVAL=1');
  const rank = (p) => ['FREQ', 'INTERVAL', 'BYDAY'].indexOf(p.split('=')[0]) + 1 || 4;
  return parts.map((p, i) => [rank(p), i, p]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((x) => x[2]).join(';');
}

/** The preset a stored rule is, or 'custom'. */
function presetOf(stored) {
  const rule = normalRule(stored);
  if (!rule) return '';
  if (rule === 'FREQ=DAILY' || rule === WEEKDAYS || rule === 'FREQ=MONTHLY' || rule === 'FREQ=YEARLY') return rule;
  if (/^FREQ=WEEKLY;BYDAY=(MO|TU|WE|TH|FR|SA|SU)$/.test(rule) || rule === 'FREQ=WEEKLY') return 'weekly';
  if (/^FREQ=WEEKLY;INTERVAL=2(;BYDAY=(MO|TU|WE|TH|FR|SA|SU))?$/.test(rule)) return 'biweekly';
  return 'custom';
}

/** A rule in words: "Every day", "Every other week on Monday", "Weekly on Mon, Thu". */
export function describeRule(stored) {
  const rule = normalRule(stored);
  const p = presetOf(rule);
  const long = weekdayNames('long');
  const day = (code) => long[DAYS.indexOf(code)];
  const by = /BYDAY=([A-Z,]+)/.exec(rule || '')?.[1]?.split(',') ?? [];
  if (p === 'FREQ=DAILY') return t('rule.daily');
  if (p === WEEKDAYS) return t('rule.weekdays');
  if (p === 'FREQ=MONTHLY') return t('rule.monthly');
  if (p === 'FREQ=YEARLY') return t('rule.yearly');
  if (p === 'weekly') return by.length ? t('rule.weeklyOn', { day: day(by[0]) }) : t('rule.weekly');
  if (p === 'biweekly') return by.length ? t('rule.biweeklyOn', { day: day(by[0]) }) : t('rule.biweekly');
  if (/^FREQ=WEEKLY;BYDAY=[A-Z,]+$/.test(rule || '') && by.every((d) => DAYS.includes(d))) {
    const short = weekdayNames('short');
    return t('rule.weeklyOnDays', { days: fmtList(by.map((d) => short[DAYS.indexOf(d)])) });
  }
  return rule ? t('rule.custom') : t('rule.none');
}

/** The rule for a preset; weekly ones fall on the due date's weekday (today without a due date). */
function ruleFor(preset, dueLocal, tz, custom) {
  const dayCode = () => DAYS[isoWeekday(dueLocal ? dueLocal.slice(0, 10) : dateIn(new Date(), tz)) - 1];
  if (preset === 'weekly') return `FREQ=WEEKLY;BYDAY=${dayCode()}`;
  if (preset === 'biweekly') return `FREQ=WEEKLY;INTERVAL=2;BYDAY=${dayCode()}`;
  if (preset === 'custom') return custom;
  return preset || null;
}

/**
 * readTask(app, id, kept) reads a task for its dialog: from the server
 * (another device may have changed it), or, when the server cannot be
 * reached (offline, a network error, a gateway's 502 or 504), kept(id), the
 * copy the page shows, if it has one: a shop with no signal opens the task
 * instead of a "could not open" banner (a save in the dialog still needs
 * the server and says so). Undefined when it fails (the banner, or the open
 * dialog, says why).
 */
export function readTask(app, id, kept) {
  return app.write(['fail.openTask'], async () => {
    const copy = kept?.(id);
    if (navigator.onLine === false && copy) return copy;
    try { return await get(`/api/tasks/${id}`); } catch (e) {
      if (serverDown(e) && copy) return copy;
      throw e;
    }
  });
}

/**
 * openTaskDialog(app, task | null, {onSaved, kept}) edits a task (or
 * creates one when task is null); onSaved(savedTask) runs after a save,
 * onSaved(null, task) after a delete. kept(id) is the page's copy of a
 * task, for opening a day's chore without the server (readTask).
 */
export function openTaskDialog(app, task, { onSaved = () => {}, kept = null } = {}) {
  let tz = app.tz; // the family's, which another device may change while the dialog is open (zoneMoved)
  const isNew = !task;
  const template = !!task?.is_template;
  // What the role allows: a child sees a task without changing it, and
  // creates tasks for themselves only (no assignee, no turns).
  const readOnly = !isNew && !app.can('task.update');
  const forOthers = app.me.permissions?.['task.create'] !== 'own';
  const preset = presetOf(task?.recurrence);
  const presets = [
    ...(template ? [] : [['', t('rule.none')]]),
    ['FREQ=DAILY', t('rule.daily')], [WEEKDAYS, t('rule.weekdays')], ['weekly', t('rule.weeklySameDay')],
    ['biweekly', t('rule.biweeklySameDay')], ['FREQ=MONTHLY', t('rule.monthly')],
    ...(preset === 'custom' ? [['custom', describeRule(task.recurrence)]] : []),
  ];
  const repeat = h('select', { name: 'repeat' }, presets.map(([v, l]) => h('option', { value: v, selected: v === preset }, l)));
  const assignee = h('select', { name: 'assignee' });
  const turns = h('div.turn-picks'); // not .turns: that is the list's small grey "Turns: …" line
  const rotation = h('fieldset.rotation', h('legend', t('tasks.rotation')),
    h('p.hint', t('tasks.rotationHint')), turns);
  // The pickers follow the family while the dialog is open (FAMILY_UPDATED):
  // a new member appears, a removed one goes, what was chosen stays.
  function fillMembers(first) {
    const members = app.me.members;
    const chosen = first ? (task?.assignee_id ?? '') : assignee.value;
    setChildren(assignee, h('option', { value: '' }, t('tasks.anyone')), members.map((m) => h('option', { value: m.id }, m.display_name)));
    assignee.value = members.some((m) => m.id === chosen) ? chosen : '';
    const ticked = new Set(first ? (task?.rotation ?? []) : [...turns.querySelectorAll('input:checked')].map((i) => i.value));
    setChildren(turns, members.map((m) => h('label.check', h('input', { type: 'checkbox', name: `turn-${m.id}`, value: m.id, checked: ticked.has(m.id), disabled: readOnly }),
      ' ', m.display_name)));
    assignee.disabled = readOnly;
  }
  fillMembers(true);
  const canRepeat = isNew || template;
  const syncRotation = () => { rotation.hidden = !canRepeat || !repeat.value || !forOthers; };
  repeat.addEventListener('change', syncRotation);
  syncRotation();

  const openTemplate = async () => {
    const tpl = await readTask(app, task.template_id, kept);
    if (tpl) { dlg.close(); openTaskDialog(app, tpl, { onSaved, kept }); }
  };

  // The instant the untouched due time shows: the task's; a new one has
  // none, as the hint says ("leave empty for some time"). Before, it
  // showed now + 1 h, and a task saved untouched was due within the hour.
  // Save and a zone change take the instant, not the wall clock shown: in
  // the repeated autumn hour that names two instants, and zoned() would
  // pick the later.
  const dueAt = task?.due_at ? new Date(task.due_at) : null;
  let dueValue = dueAt ? localInput(dueAt, tz) : '';
  // The instant of value when it is the untouched due time, still shown in tz as dueAt.
  const instantOf = (value) => (dueAt && value === dueValue && dueValue === localInput(dueAt, tz) ? dueAt : zoned(value, tz));
  const due = localText('datetime', { name: 'due', value: dueValue }); // in the app's language (fields.js)
  const zoneNote = h('p.hint.zone-note', { role: 'status', hidden: true });
  const fields = [
    field(t('tasks.what'), h('input', { name: 'title', required: true, maxlength: 200, value: task?.title ?? '', placeholder: t('tasks.whatExample') })),
    field(t('tasks.notes'), h('textarea', { name: 'notes', rows: 3, maxlength: 4000 }, task?.notes ?? '')),
    localField(t(template ? 'tasks.firstDue' : 'tasks.due'), due, t(template ? 'tasks.firstDueHint' : 'tasks.dueHint')),
    zoneNote,
    forOthers || !isNew ? field(t('tasks.for'), assignee) : null,
    canRepeat ? field(t('tasks.repeats'), repeat) : null,
    canRepeat ? rotation : null,
    task?.template_id ? h('p.hint', t('tasks.instanceOf'), ' ',
      h('button.small', { type: 'button', onclick: openTemplate }, t('tasks.editChore'))) : null,
  ];

  const remove = isNew || !app.can('task.delete') ? null : h('button.danger', {
    type: 'button',
    async onclick() {
      if (!await confirmDelete(t('tasks.deleteTitle', { title: task.title }), t(template ? 'tasks.deleteChoreText' : 'tasks.deleteText'))) return;
      const ok = await app.write(['fail.deleteTask', { title: task.title }], async () => {
        try { await change('DELETE', `/api/tasks/${task.id}`, undefined, task); } catch (e) { if (e.status !== 404) throw e; }
        return true;
      });
      if (ok) { dlg.close(); onSaved(null, task); }
    },
  }, t('common.delete'));

  const createId = crypto.randomUUID(); // one task, however often Save is pressed
  const title = readOnly ? (template ? 'tasks.choreDetails' : 'tasks.details') : isNew ? 'tasks.new' : template ? 'tasks.editChoreTitle' : 'tasks.edit';
  const dlg = openDialog(t(title), fields, async (form) => {
    const v = formValues(form);
    const body = {
      title: v.title.trim(),
      notes: v.notes,
      due_at: v.due ? instantOf(v.due).toISOString() : null,
      assignee_id: v.assignee || null,
    };
    if (canRepeat) {
      // An untouched rule stays as stored (a weekly chore keeps its weekday).
      const rule = v.repeat === preset && v.due === dueValue && task ? task.recurrence : ruleFor(v.repeat, v.due, tz, task?.recurrence);
      if (rule) {
        body.recurrence = rule;
        body.rotation = app.me.members.filter((m) => form.elements[`turn-${m.id}`]?.checked).map((m) => m.id);
      }
    }
    if (isNew) {
      for (const k of ['notes', 'due_at', 'assignee_id']) if (!body[k]) delete body[k];
      if (!body.rotation?.length) delete body.rotation;
    } else if (template && !body.rotation?.length) body.rotation = null;
    const saved = await app.write([isNew ? 'fail.createTask' : 'fail.saveTask', { title: body.title }],
      () => (isNew ? post('/api/tasks', { id: createId, ...body }) : change('PATCH', `/api/tasks/${task.id}`, body, task)));
    if (saved) onSaved(saved);
    return !!saved;
  }, { extra: remove, className: 'task-dialog', readOnly });
  dlg.addEventListener('close', app.onFamilyChange((changes) => { fillMembers(false); if (changes.zone) zoneMoved(); }));
  return dlg;

  // Another device changed the family's time zone while the dialog was
  // open. A due time is wall-clock time in the family's zone. One the
  // person did not touch is the task's moment, shown now in the new zone
  // (as the list behind shows it; Save leaves it as it is). One they
  // typed keeps their words, which now count in the new zone (they meant
  // the family's time). Either way the line under it says so.
  function zoneMoved() {
    const now = app.tz;
    if (now === tz) return;
    const typed = due.value !== dueValue;
    if (!typed && due.value) {
      dueValue = localInput(instantOf(due.value), now);
      due.value = dueValue;
    }
    tz = now;
    if (!due.value) { zoneNote.hidden = true; return; }
    zoneNote.textContent = t(typed ? 'tasks.zoneTyped' : 'tasks.zoneShown', { zone: now });
    zoneNote.hidden = false;
  }
}
