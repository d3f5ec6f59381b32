// The assistant's answer in the user's language, written from the intent
// and the records the server returns. (The server's own `message` is used
// instead once it says, with Content-Language, that it speaks the user's
// language.)
import { dayLabel, fmtList, fmtTime, t } from './i18n.js';
import { dateIn } from './time.js';

function when(iso, tz, allDay = false) {
  const d = new Date(iso);
  const day = dayLabel(dateIn(d, tz), dateIn(new Date(), tz));
  if (allDay) return t('assistant.allDayOn', { day });
  const hm = dateIn(d, tz) === dateIn(new Date(d.getTime() + 60e3), tz) ? fmtTime(d, tz) : null; // 23:59 means "that day"
  return hm ? t('assistant.dayAt', { day, time: hm }) : day;
}

const names = (items) => fmtList(items.map((i) => (i.quantity ? t('assistant.qtyOf', { qty: i.quantity, name: i.name }) : i.name)));

/** The sentence for a command's answer {intent, result}; null when the intent is unknown here. */
export function replyText(answer, tz) {
  const r = answer.result || {};
  switch (answer.intent?.type) {
    case 'shopping.add_items':
      return t(r.list_created ? 'assistant.addedNewList' : 'assistant.added', { items: names(r.items || []), list: r.list?.name ?? '' });
    case 'shopping.check_items':
      return t('assistant.checked', { items: fmtList((r.items || []).map((i) => i.name)), list: r.list?.name ?? '' });
    case 'task.create':
      return r.task?.due_at ? t('assistant.taskDue', { title: r.task.title, when: when(r.task.due_at, tz) }) : t('assistant.task', { title: r.task?.title ?? '' });
    case 'task.complete':
      return t('assistant.completed', { title: r.task?.title ?? '' });
    case 'calendar.create':
      return t('assistant.event', { title: r.event?.title ?? '', when: when(r.event?.starts_at, tz, r.event?.all_day) });
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

/** Sentences that work, in the user's language. */
export function examples() {
  return [1, 2, 3, 4, 5].map((i) => t(`assistant.ex${i}`));
}
