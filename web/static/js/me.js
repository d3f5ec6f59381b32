// The family and the signed-in person as GET /api/me answers them (app.me):
// read again when the family changes, kept on the device for opening
// offline, and what changed told to the open view. Split out of app.js.
import { get } from './api.js';
import * as cache from './cache.js';
import { deviceId } from './device.js';
import { t } from './i18n.js';
import * as outbox from './outbox.js';
import { notice } from './shell.js';

/** What differs between two answers of /api/me. */
function changesOf(a, b) {
  const sig = (ms) => JSON.stringify((ms || []).map((m) => [m.id, m.display_name, m.role, m.joined_at, m.has_pin, m.locked]));
  return {
    role: a?.role !== b.role || JSON.stringify(a?.permissions) !== JSON.stringify(b.permissions),
    zone: a?.family.time_zone !== b.family.time_zone,
    family: a?.family.name !== b.family.name,
    members: sig(a?.members) !== sig(b.members),
  };
}

/**
 * mountMe(app) keeps app.me current; returns {refresh, madeBy, keep,
 * onEvent, takeFamily, savingFamily, onFamilyChange}.
 */
export function mountMe(app) {
  const listeners = new Set();
  // Who made the family's recent versions, from FAMILY_UPDATED (version →
  // the member's id, null when not known): the settings' conflict line
  // names them (madeBy).
  // Versions count per family: the map goes when another family is
  // signed in (same page, no reload), else it named that family's member.
  const makers = new Map();
  let makersFamily = null;
  const makersNow = () => {
    const id = app.me?.family.id ?? null;
    if (id !== makersFamily) { makers.clear(); makersFamily = id; }
    return makers;
  };

  async function keep(me, read) {
    if (await cache.ownedBy(me.user.id)) await outbox.clearAll(); // another person's data and writes go
    await cache.keep('me', me, { read });
  }

  // What the person may do or the family's time zone changed: the open
  // view is built again. Otherwise the view updates its members in place
  // (onFamily), or reloads when it shows members.
  function tell(before, me) {
    const changes = changesOf(before, me);
    if (changes.role || changes.zone) app.rerender();
    else if (app.view?.onFamily) app.view.onFamily(changes);
    else if (changes.members) app.view?.reload?.();
    // The person's own role changed (an owner changed it, maybe on
    // another device): say so, after the page is drawn again (which
    // takes notices away).
    if (before && before.role !== me.role) notice(t('members.yourRole', { role: t(`members.role.${me.role}`) }));
    for (const fn of listeners) fn(changes);
  }

  const held = () => app.me?.family.version ?? 0;

  // FAMILY_UPDATED (members, roles, settings, invites), a resync or the
  // server being back: re-read /api/me, one request at a time, and keep it
  // for opening offline.
  let running = null;
  let again = false;
  function refresh() {
    if (running) { again = true; return running; }
    running = (async () => {
      try {
        do {
          again = false;
          const read = new Date().toISOString();
          let me = await get('/api/me');
          if (!app.me) return; // signed out meanwhile
          const before = app.me;
          // A Save's answer taken in meanwhile (takeFamily) may be newer than
          // this read: the family never goes back to an older version.
          if (me.family.id === before.family.id && (me.family.version ?? 0) < held()) me = { ...me, family: before.family };
          app.me = me;
          await keep(me, read); // the device's copy, for opening offline
          tell(before, me);
        } while (again);
      } catch (e) {
        // Offline or signed out: the next reconnect or event tries again.
        if (e.status && e.status !== 401) console.warn('family: could not re-read /api/me', e);
      } finally {
        running = null;
      }
    })();
    return running;
  }


  /**
   * takeFamily(family, read) takes in the family as a settings Save
   * answered it, when it is newer than the one held: no re-read of
   * /api/me, and the FAMILY_UPDATED of that version is then skipped.
   */
  function takeFamily(family, read) {
    if (!app.me || !family || family.id !== app.me.family.id || family.version == null || family.version <= held()) return;
    const before = app.me;
    app.me = { ...before, family: { ...before.family, ...family } };
    keep(app.me, read).catch((e) => console.warn('family: not kept', e));
    tell(before, app.me);
  }

  // This device's settings Saves on their way: the event of one waits for
  // its answer (it may come first), which takeFamily then takes in.
  let saving = 0;
  let waiting = [];
  function savingFamily() {
    saving++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--saving) return;
      const evs = waiting;
      waiting = [];
      for (const ev of evs) onEvent(ev);
    };
  }

  // A change of the family's own row carries its version: one the app
  // already holds (its own Save's answer) is not read again. Members',
  // users' and invites' events carry none.
  function onEvent(ev) {
    if (ev.version && app.me && ev.id === app.me.family.id) {
      const made = makersNow();
      made.set(ev.version, ev.actor ?? null);
      for (const v of made.keys()) if (made.size > 40) made.delete(v);
      if (saving && ev.device_id === deviceId()) { waiting.push(ev); return; }
      if (ev.version <= held()) return;
    }
    refresh();
  }

  /**
   * madeBy(from, to) resolves to the member who made every version of the
   * family after from up to to (their id), or null when not one member
   * (or not known): what the events said, else the family's event log.
   */
  async function madeBy(from, to) {
    if (from == null || to == null || to <= from || to - from > 20) return null;
    const versions = Array.from({ length: to - from }, (_, i) => from + 1 + i);
    const seq = app.seq();
    if (versions.some((v) => !makersNow().has(v)) && seq != null) {
      try {
        // In the background: a failure here is no news for the header.
        const { events = [] } = await get(`/api/realtime/events?since=${seq}`, { background: true });
        for (const ev of events) {
          if (ev.type === 'FAMILY_UPDATED' && ev.id === app.me?.family.id && ev.version) makersNow().set(ev.version, ev.actor ?? null);
        }
      } catch { /* unknown: "someone" */ }
    }
    const actors = new Set(versions.map((v) => makersNow().get(v) ?? null));
    const [actor] = actors;
    return actors.size === 1 && actor ? actor : null;
  }

  return {
    refresh,
    madeBy,
    keep,
    onEvent,
    takeFamily,
    /** Marks a settings Save on its way; returns done(), called after its answer was taken in. */
    savingFamily,
    /** fn(changes) runs after every change of app.me (open dialogs keep their member pickers current); returns an unsubscribe. */
    onFamilyChange(fn) { listeners.add(fn); return () => listeners.delete(fn); },
  };
}
