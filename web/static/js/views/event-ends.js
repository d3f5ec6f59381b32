// The event dialog's end fields (event-dialog.js): each follows its start
// field, and an end before its start is said at it, in the app's language
// (said again when the language switches with the dialog open: lines.js).
import { t } from '../i18n.js';
import { sayIn } from '../lines.js';

/** A field's value (kind 'date' or 'datetime') as wall-clock milliseconds (read as UTC), or NaN. */
const wallMs = (v, kind) => (v ? Date.parse(kind === 'date' ? `${v}T00:00Z` : `${v}Z`) : NaN);

/**
 * endsFollow(...[start, end, kind]) makes each end field follow its start
 * field, as calendar apps do: a start moved moves the end by as much,
 * keeping the length (an all-day event its days); an end the person set
 * follows too, with the length they gave it. Before, the end stayed where
 * it was and Save failed at the server ("the end before the start"), said
 * at the top of the dialog with the focus on Save. Returns {check(allDay)}
 * (an end before its start is marked at the end field, which takes the
 * focus: false) and {clear()}.
 */
export function endsFollow(...pairs) {
  let marked = null;
  const clear = () => {
    if (!marked) return;
    const { error } = marked.parts;
    // Only its own line goes; the mark goes unless fields.js put its line
    // there since (the end typed unreadable: before, it stayed, unmarked).
    if (error.textContent === t('event.endBeforeStart')) { error.textContent = ''; error.hidden = true; }
    if (error.hidden) marked.removeAttribute('aria-invalid');
    marked = null;
  };
  for (const [start, end, kind] of pairs) {
    let was = start.value;
    const move = () => {
      const now = start.value;
      if (!now || now === was) return; // unreadable while typed: the last start read counts
      const length = wallMs(end.value, kind) - wallMs(was, kind);
      was = now;
      if (!(length >= 0)) return; // no end, or one before the start: Save says so
      const iso = new Date(wallMs(now, kind) + length).toISOString();
      end.value = kind === 'date' ? iso.slice(0, 10) : iso.slice(0, 16);
    };
    for (const type of ['input', 'change']) {
      start.addEventListener(type, () => { move(); clear(); });
      end.addEventListener(type, clear);
    }
  }
  const check = (allDay) => {
    const [start, end, kind] = pairs[allDay ? 1 : 0];
    if (!(wallMs(end.value, kind) < wallMs(start.value, kind))) return true;
    clear();
    marked = end;
    // Said through lines.js: a language switch with the dialog open says it
    // again in the new language (before, the mark stayed and the line went).
    sayIn(end.parts.error, () => t('event.endBeforeStart'));
    end.parts.error.hidden = false;
    end.setAttribute('aria-invalid', 'true');
    end.focus();
    return false;
  };
  return { check, clear };
}
