// Family members as the app shows them: a colour per member and initials.
// Colours come from a palette (white text on each keeps 4.5:1): a member's
// is picked by a hash of their id, and when an earlier member of the family
// has it already, the next free one: the same on every device, never stored.
import { h } from './dom.js';
import { t } from './i18n.js';

const PALETTE = ['#1565c0', '#2e7d32', '#c62828', '#6a1b9a', '#b34700', '#00796b', '#ad1457', '#4e6400', '#3949ab', '#6d4c41'];
const NEUTRAL = '#5f6b66';

function hash(id) {
  let x = 2166136261;
  for (const c of id.replace(/-/g, '')) x = Math.imul(x ^ c.charCodeAt(0), 16777619) >>> 0;
  return x;
}

let cacheKey = '';
let assigned = new Map();
function assign(members) {
  const sorted = [...members].sort((a, b) => String(a.joined_at).localeCompare(String(b.joined_at)) || a.id.localeCompare(b.id));
  const key = sorted.map((m) => m.id).join(',');
  if (key === cacheKey) return assigned;
  const taken = new Set();
  assigned = new Map();
  for (const m of sorted) {
    let i = hash(m.id) % PALETTE.length;
    for (let n = 0; n < PALETTE.length && taken.has(i); n++) i = (i + 1) % PALETTE.length;
    taken.add(i);
    if (taken.size >= PALETTE.length) taken.clear(); // more members than colours: start sharing
    assigned.set(m.id, PALETTE[i]);
  }
  cacheKey = key;
  return assigned;
}

/** The member's colour (a former member's from the hash alone; none: neutral). */
export function memberColor(app, id) {
  if (!id) return NEUTRAL;
  return assign(app.me?.members || []).get(id) ?? PALETTE[hash(id) % PALETTE.length];
}

/** "Ana Rivera" → "AR", "Ben" → "BE". */
export function initials(name) {
  const words = String(name || '?').trim().split(/\s+/).filter(Boolean);
  if (words.length > 1) return (words[0][0] + words[words.length - 1][0]).toLocaleUpperCase();
  return (words[0] || '?').slice(0, 2).toLocaleUpperCase();
}

/** A member's display name, or a neutral word for a former member. */
export function memberName(app, id) {
  return (app.me?.members || []).find((m) => m.id === id)?.display_name ?? t('members.former');
}

/** A round badge with the member's initials in their colour; label (default the name) is its accessible text. */
export function avatar(app, id, { label = null } = {}) {
  const name = memberName(app, id);
  return h('span.avatar', { title: name, cssvars: { '--member': memberColor(app, id) } },
    h('span', { 'aria-hidden': 'true' }, initials(name)),
    label === '' ? null : h('span.visually-hidden', label ?? name));
}
