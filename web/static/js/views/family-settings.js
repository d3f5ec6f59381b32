// The Family page's settings and endings: the family's name and time zone
// (owners, family.update); leaving the family, deleting one's account and
// deleting the whole family (owners, with the family's name typed to
// confirm). A family always keeps an owner: its only owner hands
// ownership to another member first, which the app offers in one step.
import { api, get } from '../api.js';
import { field, h, setChildren } from '../dom.js';
import { currentLang, fmtList, t } from '../i18n.js';
import { ask, openDialog } from './dialog.js';
import { errorBox, fail } from './form.js';
import { calendarsLeavingWith } from './family-dav.js';
import { handOver, link, live, takeOver } from '../handover.js';
import { sayerOf, sayIn } from '../lines.js';
import { roleName } from './family-members.js';
import { memberName } from '../members.js';

/** The family's name and time zone: a form for owners, a line for everyone else. */
export function settingsSection(app) {
  const status = h('p.muted', { role: 'status' });
  if (!app.can('family.update')) {
    const line = h('p');
    const update = () => setChildren(line, t('family.timeZone', { zone: app.me.family.time_zone }));
    update();
    return { el: h('section.card', { 'aria-labelledby': 'h-settings' }, h('h2#h-settings', t('settings.title')), line), update };
  }
  const nameIn = h('input#family-name', { name: 'name', required: true, maxlength: 200, autocomplete: 'off' });
  const zoneIn = h('input#family-zone', { name: 'time_zone', required: true, list: 'time-zones', autocomplete: 'off', spellcheck: 'false' });
  const inputs = { name: nameIn, time_zone: zoneIn };
  let zones = [];
  try { zones = Intl.supportedValuesOf('timeZone'); } catch { /* type it */ }
  const err = errorBox();
  // Save is conditional (If-Match): it changes the family only as the
  // form saw it. base holds, per field, the family's value the field last
  // showed (what an edit started from), version the family's version that
  // agrees with every field the user has not changed and with the start
  // of every edit. Another device's change of a field being edited leaves
  // version behind, so Save meets a 412 and says so (the conflict line)
  // instead of overwriting that change.
  const base = {};
  let version = null;
  const edited = (f) => inputs[f].value.trim() !== base[f];
  const body = () => Object.fromEntries(Object.keys(inputs).filter(edited).map((f) => [f, inputs[f].value.trim()]));
  // A Save on its way when the page is built again answers on the form
  // built in its place (the one shown by then: at()), with that form's
  // words, version and lines; before, on the one gone, and the person
  // saw nothing.
  const at = () => live(self);
  const conflict = h('div.conflict.settings-conflict', { role: 'alert', hidden: true });
  const form = h('form.settings-form', {
    async onsubmit(e) {
      e.preventDefault();
      status.textContent = '';
      err.hidden = true;
      conflict.hidden = true;
      for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
      // Nothing to send (an edit typed back to where it started): the
      // fields take in the family as it is now, which another device may
      // have changed meanwhile; else they kept showing the old value.
      if (!Object.keys(body()).length) { update(); status.textContent = t('settings.saved'); return; }
      // A refused field ("Mars/Base" is no time zone) is said at the field;
      // a conflict on the conflict line; the banner is for what Retry can help with.
      // Its own event waits for the answer (me.js), which is taken in: no
      // read of /api/me for it.
      const done = app.savingFamily();
      let sent = {}; // what the answer saved of this form's words
      try {
        const sentAt = new Date().toISOString();
        const saved = await app.write(['fail.familySettings'], async () => {
          let current = app.me.family;
          if (at().version() == null) {
            // The family's version is unknown (app.me came from a copy an
            // older app kept): read it first, so that Save stays conditional
            // (without If-Match the last write won).
            current = (await get('/api/me')).family;
            const clash = at().takeIn(current, at().body());
            if (clash.length) { at().showConflict(clash); return undefined; }
          }
          for (let again = true; ; again = false) {
            sent = at().body();
            if (!Object.keys(sent).length) return current; // the other device saved the same
            const from = at().version();
            try { return await api('PATCH', '/api/family', sent, { ifMatch: from }); } catch (e) {
              if (e.status === 412 && e.current) {
                current = e.current;
                const clash = at().takeIn(current, sent);
                if (clash.length) { const by = await app.familyMadeBy(from, current.version); at().showConflict(clash, { by }); return undefined; }
                // Only what the user does not edit moved: send it again, once.
                if (again) continue;
              }
              if (!e.field || !at().form.elements[e.field]) throw e;
              at().fail(e);
              return undefined;
            }
          }
        });
        if (!saved) return;
        at().saved(saved, sent);
        app.takeFamily(saved, sentAt);
      } finally { done(); }
    },
  },
  err,
  conflict,
  field(t('settings.familyName'), nameIn),
  field(t('settings.timeZone'), zoneIn, t('settings.timeZoneHint')),
  h('datalist#time-zones', zones.map((z) => h('option', { value: z }))),
  h('button.primary', { type: 'submit' }, t('common.save')),
  status);

  // A 412 answered the family as stored (cur): the fields the user did not
  // change show it; a field whose edit was sent keeps the user's words and
  // now starts from cur (Save again saves them over it). Returns the
  // fields another device changed to something else than the user did.
  function takeIn(cur, sent) {
    const clash = [];
    for (const [f, input] of Object.entries(inputs)) {
      if (f in sent) {
        if (cur[f] !== base[f] && cur[f] !== sent[f]) clash.push({ f, theirs: cur[f], mine: sent[f] });
      } else if (!edited(f) && input.value.trim() !== cur[f]) input.value = cur[f];
      base[f] = cur[f];
    }
    version = cur.version ?? null;
    return clash;
  }

  // The conflict line: what the other device saved and what the user
  // typed; Keep mine saves again, Keep theirs puts theirs in the fields.
  // by: the member who made the other change (their id), or null; one no
  // longer in the family is not named ("Someone else").
  let shownClash = null;
  function showConflict(clash, { focus = true, by = null } = {}) {
    if (by && by !== app.me.user.id && !app.me.members.some((m) => m.id === by)) by = null;
    shownClash = { clash, by };
    const keepMine = h('button.primary#settings-keep-mine', { type: 'button', onclick: () => form.requestSubmit() }, t('sync.keepMine'));
    const keepTheirs = h('button', {
      type: 'button',
      onclick: () => {
        for (const c of clash) inputs[c.f].value = c.theirs;
        conflict.hidden = true;
        inputs[clash[0].f].focus();
      },
    }, t('sync.keepTheirs'));
    setChildren(conflict,
      h('p', h('strong', t(by ? 'settings.conflictKnown' : 'settings.conflict')), ...clash.map((c) => [' ', theirLine(c, by)])),
      h('div.banner-actions', keepMine, keepTheirs));
    conflict.hidden = false;
    if (focus) keepMine.focus();
  }

  // Who changed the field to what: “Ben changed the family name to …”,
  // “You changed … elsewhere” (another device or tab of this person), or
  // without a name when not one member made the changes since.
  function theirLine(c, by) {
    const words = { theirs: c.theirs, mine: c.mine };
    if (!by) return t(`settings.conflict.${c.f}`, words);
    if (by === app.me.user.id) return t(`settings.conflictYou.${c.f}`, words);
    return t(`settings.conflictBy.${c.f}`, { ...words, who: memberName(app, by) });
  }

  // Another device's change shows at once in a field this user has not
  // changed (one they changed keeps their words until they save). Before,
  // a change arriving while the focus was outside the form (a tap beside
  // it, a closed keyboard) put the old value back, and Save saved nothing.
  // Values are compared trimmed, as the server stores them: a name saved
  // with a trailing space no longer counts as changed afterwards.
  // What the user typed and has not saved, and what the form says about
  // it, are handed to the form built in its place (handover.js): another
  // device's new time zone builds the whole page again. Edits keep what
  // they started from and the version that goes with it: with the newer
  // version alone, Save would overwrite the change it did not see.
  // A field saved now starts from what was saved, also when typed on
  // in while the Save was on its way (else that saved name counted as
  // another device's change of it).
  // The form's version only moves forward: an answer arriving after
  // another device's newer change, already taken in (update), is older;
  // taking its version made the next Save meet a 412 and be sent again.
  // The fields then start from the family as the app holds it.
  const newer = (v) => v != null && (version == null || v > version);
  function saved(fam, sent) {
    for (const [f, input] of Object.entries(inputs)) {
      if (input.value.trim() === fam[f] || f in sent) base[f] = fam[f];
    }
    if (newer(fam.version)) version = fam.version;
    else if (fam.version != null && app.me.family.version > fam.version) update();
    status.textContent = t('settings.saved');
  }
  const key = `settings ${app.me.user.id} ${app.me.family.id}`;
  const had = takeOver(key);
  const lang = currentLang(); // the language the form, and so its error line, speaks
  const self = link({ form, body, takeIn, showConflict, saved, version: () => version, fail: (e) => fail(err, form, e) }, had);
  if (had) {
    for (const [f, d] of had.fields) { inputs[f].value = d.value; base[f] = d.base; }
    version = had.version;
  }
  const update = () => {
    const fam = app.me.family;
    let agrees = true;
    for (const [f, input] of Object.entries(inputs)) {
      if (!(f in base) || input.value.trim() === fam[f] || !edited(f)) {
        if (input.value.trim() !== fam[f]) input.value = fam[f];
        base[f] = fam[f];
      } else if (fam[f] !== base[f]) agrees = false; // changed here and there: Save meets a 412
    }
    if (agrees && (fam.version == null || newer(fam.version))) version = fam.version ?? null;
  };
  update();
  if (had) {
    // The error at its field, the conflict line and "Saved." stay with the
    // words; the error line and "Saved." in the language of this page
    // (built again for another language), the error from its code.
    const sayErr = had.error && (had.error.say ?? (had.lang === lang ? () => had.error.text : null));
    if (sayErr) {
      sayIn(err, sayErr);
      err.hidden = false;
      if (had.error.field) inputs[had.error.field]?.setAttribute('aria-invalid', 'true');
    }
    if (had.clash) showConflict(had.clash.clash, { focus: false, by: had.clash.by });
    status.textContent = had.saved ? t('settings.saved') : '';
  }
  // app.js's render builds the new page in the same turn as it destroys this one.
  const destroy = () => {
    const fields = new Map();
    for (const f of Object.keys(inputs)) if (f in base && edited(f)) fields.set(f, { base: base[f], value: inputs[f].value });
    const error = err.hidden ? null : { say: sayerOf(err), text: err.textContent, field: form.querySelector('[aria-invalid]')?.name ?? null };
    const clash = conflict.hidden ? null : shownClash;
    // Always: a Save on its way answers on the next form (at()).
    handOver(key, { link: self, fields, version, error, clash, saved: status.textContent !== '', lang });
  };
  return { el: h('section.card', { 'aria-labelledby': 'h-settings' }, h('h2#h-settings', t('settings.title')), form), update, destroy };
}

/** Leave, delete my account, delete the family. */
export function endingsSection(app) {
  const leaveText = h('p.hint#leave-text');
  const deleteText = h('p.hint#delete-me-text');
  const leaveBtn = h('button.danger', { type: 'button', dataset: { key: 'leave' }, 'aria-describedby': 'leave-text', onclick: () => go('leave') }, t('leave.leave'));
  const deleteBtn = h('button.danger', { type: 'button', dataset: { key: 'delete-me' }, 'aria-describedby': 'delete-me-text', onclick: () => go('delete') }, t('leave.deleteMe'));
  const familyPart = app.can('family.delete') ? h('div.ending',
    h('p.hint#delete-family-text', t('deleteFamily.text')),
    h('button.danger', { type: 'button', dataset: { key: 'delete-family' }, 'aria-describedby': 'delete-family-text', onclick: deleteFamily }, t('deleteFamily.button'))) : null;

  const state = () => {
    const me = app.me;
    const others = me.members.filter((m) => m.id !== me.user.id);
    const soleOwner = me.role === 'owner' && !others.some((m) => m.role === 'owner');
    return { others, soleOwner, alone: others.length === 0 };
  };

  const handoverNote = h('p.notice.handover', t('leave.soleOwner'));
  function update() {
    const { soleOwner, alone } = state();
    leaveBtn.disabled = alone;
    handoverNote.hidden = !soleOwner || alone;
    leaveText.textContent = alone ? t('leave.aloneLeave') : t('leave.leaveText');
    deleteText.textContent = alone ? t('leave.aloneDelete') : t('leave.deleteText');
  }

  const run = {
    leave: { path: ['POST', '/api/family/leave'], fail: 'fail.leave', done: 'leave.left' },
    delete: { path: ['DELETE', '/api/me'], fail: 'fail.deleteMe', done: 'leave.deleted' },
  };

  async function finish(what) {
    const r = run[what];
    const ok = await app.write([r.fail], async () => { await api(...r.path); return true; });
    if (ok) app.signedOut(t(r.done));
    return !!ok;
  }

  // The calendars the caller subscribed to with a user name, password or
  // private address go when they leave (or delete their account): a line
  // that names them, or null. When the caller is the only member, the
  // whole family goes anyway.
  async function calendarsLine() {
    const calendars = await calendarsLeavingWith(app, app.me.user.id);
    return calendars.length ? h('p', t('leave.calendars', { calendars: fmtList(calendars) })) : null;
  }

  async function go(what) {
    const { others, soleOwner, alone } = state();
    if (soleOwner && !alone) { handover(what, others, await calendarsLine()); return; }
    let text = what === 'leave' ? t('leave.leaveText') : alone ? t('leave.aloneDelete') : t('leave.deleteText');
    const calendars = alone ? null : await calendarsLine();
    if (calendars) text = [h('p', text), calendars];
    const ok = await ask(t(what === 'leave' ? 'leave.leaveTitle' : 'leave.deleteTitle', { family: app.me.family.name }), text,
      [{ value: true, label: t(what === 'leave' ? 'leave.leave' : 'leave.deleteMe'), danger: true }]);
    if (ok) await finish(what);
  }

  // The only owner picks the next owner; then the app leaves (or deletes).
  function handover(what, others, calendars) {
    const sorted = [...others].sort((a, b) => Number(a.role === 'child') - Number(b.role === 'child'));
    const pick = h('select', { name: 'owner', required: true },
      sorted.map((m) => h('option', { value: m.id }, `${m.display_name} (${roleName(m.role)})`)));
    openDialog(t(what === 'leave' ? 'leave.leaveTitle' : 'leave.deleteTitle', { family: app.me.family.name }), [
      h('p', t('leave.handoverText')),
      field(t('leave.newOwner'), pick),
      h('p.hint', t(what === 'leave' ? 'leave.leaveText' : 'leave.deleteText')),
      calendars,
    ], async () => {
      const m = others.find((x) => x.id === pick.value);
      const made = await app.write(['fail.role', { name: m.display_name }], () => api('PATCH', `/api/family/members/${m.id}`, { role: 'owner' }));
      if (!made) return false;
      return finish(what);
    }, { saveLabel: t(what === 'leave' ? 'leave.handoverLeave' : 'leave.handoverDelete'), danger: true });
  }

  function deleteFamily() {
    const name = app.me.family.name;
    const typed = h('input', { name: 'confirm_name', required: true, autocomplete: 'off', spellcheck: 'false' });
    openDialog(t('deleteFamily.title', { name }), [
      h('p', t('deleteFamily.text')),
      field(t('deleteFamily.typeName', { name }), typed),
    ], async (form) => {
      const error = form.querySelector('.dialog-error');
      if (typed.value.trim() !== name) {
        sayIn(error, () => t('deleteFamily.mismatch', { name })); // said again in a new language
        error.hidden = false;
        typed.setAttribute('aria-invalid', 'true');
        typed.focus();
        return false;
      }
      const ok = await app.write(['fail.deleteFamily'], async () => { await api('DELETE', '/api/family', { name: typed.value.trim() }); return true; });
      if (ok) app.signedOut(t('deleteFamily.done', { name }));
      return !!ok;
    }, { saveLabel: t('deleteFamily.confirm'), danger: true });
  }

  update();
  return {
    el: h('section.card.endings', { 'aria-labelledby': 'h-endings' },
      h('h2#h-endings', t('leave.title')),
      handoverNote,
      h('div.ending', leaveText, leaveBtn),
      h('div.ending', deleteText, deleteBtn),
      familyPart),
    update,
  };
}
