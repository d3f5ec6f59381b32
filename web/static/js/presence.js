// Family presence as the app shows it (docs/realtime.md "Presence"): which
// view a page is (reported by app.js on every navigation), who else is
// looking at the same thing (a row of avatars in a view's header), and
// where a member is (the Family page). The signed-in person's own devices
// are left out: a person knows where they are. Calm by design: the row
// keeps its place when empty, avatars fade in (not with reduced motion),
// nothing is announced to screen readers as it changes.
import { h, reconcile } from './dom.js';
import { t } from './i18n.js';
import { avatar, memberName } from './members.js';

/** The view a path shows, as presence names it ('' for none). */
export function viewOf(path) {
  let m = path.match(/^\/shopping\/([0-9a-f-]{36})$/);
  if (m) return `shopping-list:${m[1]}`;
  // A recipe's edit form is that recipe too: whoever has it open sees the editor.
  m = path.match(/^\/recipes\/([0-9a-f-]{36})(\/edit)?$/);
  if (m) return `recipe:${m[1]}`;
  m = path.match(/^\/(shopping|tasks|calendar|recipes)$/);
  return m ? m[1] : '';
}

/** The family's devices of people other than the signed-in one who are still members. */
function others(app) {
  const me = app.me?.user.id;
  const ids = new Set((app.me?.members || []).map((m) => m.id));
  return (app.presence || []).filter((d) => d.user_id !== me && ids.has(d.user_id));
}

/**
 * A device's "since" as a number to order by. The server sends whole
 * seconds ("…:24Z"); compared as text, "…:24Z" came after "…:24.5Z" (a
 * point sorts before a letter), so a time is compared as a time.
 */
const sinceOf = (d) => Date.parse(d.since) || 0;

/** The other people on view, one entry each (their earliest device there), longest there first. */
export function othersOn(app, view) {
  const first = new Map();
  for (const d of others(app)) {
    if (d.view !== view) continue;
    const prev = first.get(d.user_id);
    if (!prev || sinceOf(d) < sinceOf(prev)) first.set(d.user_id, d);
  }
  return [...first.values()].sort((a, b) => sinceOf(a) - sinceOf(b) || a.user_id.localeCompare(b.user_id));
}

/**
 * Where a member is, from their devices: null (not online), 'active'
 * (ticking items off: shopping now), a view, or '' (online elsewhere).
 * Of several devices, the most telling wins.
 */
export function whereIs(app, userId) {
  const devices = others(app).filter((d) => d.user_id === userId);
  if (!devices.length) return null;
  if (devices.some((d) => d.active)) return 'active';
  const viewing = devices.filter((d) => d.view).sort((a, b) => sinceOf(b) - sinceOf(a));
  return viewing[0]?.view ?? '';
}

/** whereIs as words: "online now", "on the shopping list", … */
export function whereText(where) {
  if (where === null) return '';
  if (where === 'active') return t('presence.active');
  const area = where.replace(/:.*$/, '').replace('shopping-list', 'shopping');
  return t(area ? `presence.on.${area}` : 'presence.online');
}

const MAX_SHOWN = 4;

/**
 * The avatars of the others looking at view() right now, for a view's
 * header: {el, update, destroy}. update() re-reads view() (the shopping
 * page changes list in place). label names the row and tip(name) is an
 * avatar's tooltip, in words for that page (a shopping list's by default).
 * A page built again (a language switch) makes a new row.
 */
export function presenceRow(app, view, {
  label = t('presence.alsoHere'),
  tip = (name) => t('presence.lookingToo', { name }),
} = {}) {
  const el = h('div.presence', { role: 'group', 'aria-label': label });
  function update() {
    const people = othersOn(app, view());
    const more = people.length - MAX_SHOWN;
    const items = people.slice(0, MAX_SHOWN).map((d) => ({ id: d.user_id }));
    if (more > 0) items.push({ id: 'more', more });
    // Keyed: who stays keeps their element (no fade again), only the new ones come in.
    reconcile(el, items, {
      key: (x) => x.id,
      sig: (x) => (x.more ? String(x.more) : `${memberName(app, x.id)}|${tip('')}`),
      build: (x) => {
        if (x.more) {
          return h('span.avatar.more', { title: t('presence.more', { count: x.more }) },
            h('span', { 'aria-hidden': 'true' }, `+${x.more}`), h('span.visually-hidden', t('presence.more', { count: x.more })));
        }
        const a = avatar(app, x.id);
        a.title = tip(memberName(app, x.id));
        a.dataset.user = x.id;
        return a;
      },
    });
    el.classList.toggle('empty', people.length === 0);
  }
  const off = app.onPresence(update);
  update();
  return { el, update, destroy: off };
}
