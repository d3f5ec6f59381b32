// The assistant's answer in the user's language, written from the intent
// and the records the server returns, for when the server's own `message`
// is in another language (it answers in the command's language, and says
// which with Content-Language); and labels for a question's options.
import { dayLabel, fmtDate, fmtList, fmtTime, t } from './i18n.js';
import { dateIn } from './time.js';

function when(iso, tz, allDay = false) {
  const d = new Date(iso);
  const day = dayLabel(dateIn(d, tz), dateIn(new Date(), tz));
  if (allDay) return t('assistant.allDayOn', { day });
  const hm = dateIn(d, tz) === dateIn(new Date(d.getTime() + 60e3), tz) ? fmtTime(d, tz) : null; // 23:59 means "that day"
  return hm ? t('assistant.dayAt', { day, time: hm }) : day;
}

const names = (items) => fmtList(items.map((i) => (i.quantity ? t('assistant.qtyOf', { qty: i.quantity, name: i.name }) : i.name)));
const plain = (items) => fmtList([...new Set((items || []).map((i) => i.name))]);

/** The sentence for a command's answer {intent, result}; null when the intent is unknown here. */
export function replyText(answer, tz) {
  const r = answer.result || {};
  const list = r.list?.name ?? '';
  const title = r.task?.title ?? r.occurrence?.title ?? r.event?.title ?? '';
  switch (answer.intent?.type) {
    case 'shopping.add_items':
      return t(r.list_created ? 'assistant.addedNewList' : 'assistant.added', { items: names(r.items || []), list });
    case 'shopping.check_items':
      return t('assistant.checked', { items: plain(r.items), list });
    case 'shopping.remove_items':
      return t('assistant.removed', { items: plain(r.items), list });
    case 'shopping.move_items':
      return t('assistant.movedItems', { items: plain(r.items), list: r.to_list?.name ?? '' });
    case 'shopping.clear_checked':
      return t('assistant.cleared', { count: (r.items || []).length, list });
    case 'shopping.create_list':
      return t('assistant.listCreated', { list });
    case 'shopping.add_recipe':
      return t('assistant.recipeAdded', { recipe: r.recipe ?? '', count: (r.items || []).length, list });
    case 'task.create':
      return r.task?.due_at ? t('assistant.taskDue', { title, when: when(r.task.due_at, tz) }) : t('assistant.task', { title });
    case 'task.rotate':
      return t('assistant.rotating', { title });
    case 'task.complete':
      return t('assistant.completed', { title });
    case 'task.snooze':
      return t('assistant.snoozed', { title, when: r.task?.snoozed_until ? when(r.task.snoozed_until, tz) : '' });
    case 'task.reassign':
      return t('assistant.reassigned', { title });
    case 'task.delete':
      return t('assistant.taskDeleted', { title });
    case 'calendar.create':
      return t('assistant.event', { title, when: when(r.event?.starts_at, tz, r.event?.all_day) });
    case 'calendar.create_many':
      return t('assistant.events', { count: (r.events_created || []).length });
    case 'calendar.move': {
      const o = r.occurrence || r.event || {};
      return t('assistant.eventMoved', { title, when: when(o.starts_at, tz, o.all_day) });
    }
    case 'calendar.cancel':
      return t('assistant.eventCancelled', { title, day: r.occurrence ? when(r.occurrence.starts_at, tz, true) : '' });
    case 'calendar.delete':
      return t('assistant.eventDeleted', { title: r.event?.title ?? '' });
    case 'command.undo': // "undo that": the server retells the undone command in its language
      return t('assistant.undone');
    case 'query.when':
      if (r.occurrence) return t('assistant.whenEvent', { title, when: when(r.occurrence.starts_at, tz, r.occurrence.all_day) });
      if (r.task?.due_at) return t('assistant.whenTask', { title, when: when(r.task.due_at, tz) });
      return null;
    case 'query.pickup': {
      const parts = (r.tasks || []).map((x) => (x.due_at ? t('assistant.atTime', { title: x.title, time: fmtTime(new Date(x.due_at), tz) }) : x.title));
      for (const e of r.events || []) parts.push(e.all_day ? e.title : t('assistant.atTime', { title: e.title, time: fmtTime(new Date(e.starts_at), tz) }));
      return parts.length ? t('assistant.pickupFound', { items: parts.join('; ') }) : t('assistant.pickupNone', { name: answer.intent.slots?.title ?? '' });
    }
    case 'query.today': {
      const parts = [];
      for (const x of r.tasks || []) {
        if (x.completed_at) parts.push(t('assistant.doneItem', { title: x.title }));
        else parts.push(x.due_at ? t('assistant.atTime', { title: x.title, time: fmtTime(new Date(x.due_at), tz) }) : x.title);
      }
      for (const c of r.chores || []) parts.push(c.due_at ? t('assistant.atTime', { title: c.title, time: fmtTime(new Date(c.due_at), tz) }) : c.title);
      for (const e of r.events || []) {
        parts.push(e.all_day ? t('assistant.allDayItem', { title: e.title }) : t('assistant.atTime', { title: e.title, time: fmtTime(new Date(e.starts_at), tz) }));
      }
      const day = r.date ? dayLabel(r.date, dateIn(new Date(), tz)) : '';
      return parts.length ? t('assistant.agenda', { day, items: parts.join('; ') }) : t('assistant.nothing', { day });
    }
    default:
      return null;
  }
}

/** Each event a command created (calendar.create_many): "“Dentist”: Monday at 09:00". */
export function createdEvents(answer, tz) {
  if (answer.intent?.type !== 'calendar.create_many') return [];
  return (answer.result?.events_created || []).map((e) => t('assistant.eventItem', { title: e.title, when: when(e.starts_at, tz, e.all_day) }));
}

/**
 * A button label for one option of a question, from its slots: what tells
 * the options apart (the list, the items, the title, the person, the day).
 */
export function optionLabel(option, tz) {
  const s = option.slots || {};
  const parts = [];
  if (s.items?.length) {
    parts.push(s.items.length === 1 ? t('assistant.optOneItem', { item: s.items[0].name }) : t('assistant.optItems', { items: s.items.map((i) => i.name).join(', '), count: s.items.length }));
  }
  if (s.new_list && s.list) parts.push(t('assistant.optNewList', { list: s.list }));
  else if (s.list) parts.push(t('assistant.optList', { list: s.list }));
  if (s.title) {
    const kind = option.type?.startsWith('task.') ? 'assistant.optTask' : option.type?.startsWith('calendar.') || option.type === 'query.when' ? 'assistant.optEvent' : null;
    parts.push(kind ? t(kind, { title: s.title }) : s.title);
  }
  if (s.assignee) parts.push(s.assignee);
  if (s.rotation?.length) parts.push(fmtList(s.rotation));
  if (s.recipe) parts.push(s.recipe);
  for (const d of [s.date, s.from_date]) if (d) parts.push(dayLabel(d, dateIn(new Date(), tz)) || fmtDate(d));
  return parts.join(' · ') || t('assistant.optAny');
}

/** Sentences that work, in the user's language. */
export function examples() {
  return [1, 2, 3, 4, 5, 6].map((i) => t(`assistant.ex${i}`));
}
