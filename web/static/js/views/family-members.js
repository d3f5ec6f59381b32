// The Family page's members: everyone sees who is in the family, with
// which role. Owners (member.manage) change roles, remove members (after a
// question), make a one-time reset code for a forgotten password, give
// children a PIN for the children's devices, and unlock a member locked out
// by wrong passwords. Rows are keyed by member id and patched in place, so
// a change from another device (FAMILY_UPDATED) never takes the focus.
import { api, del, post, put } from '../api.js';
import { field, h, pickerKeys, reconcile } from '../dom.js';
import { currentLang, fmtDateTime, fmtList, t } from '../i18n.js';
import { handOver, link, live, takeOver } from '../handover.js';
import { sayerOf, sayIn } from '../lines.js';
import { avatar } from '../members.js';
import { whereIs, whereText } from '../presence.js';
import { calendarsLeavingWith, copyable } from './family-dav.js';
import { ask, openDialog } from './dialog.js';

const ROLES = ['owner', 'member', 'child'];

/** A role as a person reads it: Owner, Adult, Child. */
export const roleName = (role) => t(`members.role.${role}`);

export function membersSection(app) {
  const list = h('ul.rows.member-rows');
  const status = h('p.muted.member-status', { role: 'status' });
  const el = h('section.card', { 'aria-labelledby': 'h-members' },
    h('h2#h-members', { tabindex: '-1' }, t('family.members')),
    list, status);

  // What a dialog opened here (a PIN, an unlock) answers shows on the
  // members part shown by then: the dialog lives outside the page and
  // stays open through a rebuild (another device's new time zone), and
  // before, its "The PIN of Mia is set." went to the part gone. The line
  // stays through a rebuild too (not for another language: it speaks the
  // old one).
  const key = `members ${app.me.user.id} ${app.me.family.id}`;
  const had = takeOver(key);
  const lang = currentLang();
  const self = link({ say: (fn) => sayIn(status, fn) }, had);
  if (had?.say) sayIn(status, had.say); // said again in this page's language (lines.js)
  else if (had && had.lang === lang) status.textContent = had.status;
  const say = (fn) => live(self).say(fn); // fn says the line, again in another language
  const owners = () => app.me.members.filter((m) => m.role === 'owner').length;

  function roleSelect(m) {
    const sel = h('select.role', {
      'aria-label': t('members.roleOf', { name: m.display_name }), dataset: { key: `role-${m.id}` },
      onchange: () => changeRole(m, sel),
      onkeydown: pickerKeys, // one ArrowDown made an adult a child at once
    }, ROLES.map((r) => h('option', { value: r, selected: r === m.role }, roleName(r))));
    return sel;
  }

  function row(m) {
    const me = app.me.user.id === m.id;
    const manage = app.can('member.manage');
    const btn = (key, label, aria, onclick, cls = 'button.small') => h(cls, { type: 'button', 'aria-label': aria, dataset: { key: `${key}-${m.id}` }, onclick }, label);
    return h('li.entry.member', { dataset: { id: m.id, name: m.display_name } },
      avatar(app, m.id, { label: '' }),
      h('div.grow',
        h('strong', m.display_name, me ? h('span.muted', ' ', t('family.you')) : null),
        me ? null : h('span.where', { dataset: { key: `where-${m.id}` } }),
        h('span.muted.role-text', manage ? null : roleName(m.role),
          m.role === 'child' && m.has_pin ? h('span.tag', t('members.hasPin')) : null),
        m.locked ? h('span.warn', t('members.locked')) : null),
      manage ? h('div.member-actions',
        roleSelect(m),
        m.locked ? btn('unlock', t('members.unlock'), t('members.unlockLabel', { name: m.display_name }), () => unlock(m)) : null,
        m.role === 'child' ? btn('pin', t(m.has_pin ? 'members.changePin' : 'members.setPin'), t('members.pinLabel', { name: m.display_name }), () => setPin(m)) : null,
        me ? null : btn('reset', t('members.resetCode'), t('members.resetCodeLabel', { name: m.display_name }), () => resetCode(m)),
        me ? null : btn('remove', t('members.remove'), t('members.removeLabel', { name: m.display_name }), () => remove(m), 'button.small.danger'))
        : null);
  }

  async function changeRole(m, sel) {
    const role = sel.value;
    const self = m.id === app.me.user.id;
    // Handing out ownership, or giving up one's own, deserves a question.
    if (role === 'owner' || self) {
      const text = role === 'owner' ? t('members.makeOwnerText', { name: m.display_name }) : t('members.selfRoleText');
      const ok = await ask(t('members.roleTitle', { name: m.display_name, role: roleName(role) }), text,
        [{ value: true, label: t('members.roleConfirm', { role: roleName(role) }), primary: true }]);
      if (!ok) { sel.value = m.role; return; }
    }
    const saved = await app.write(['fail.role', { name: m.display_name }], () => api('PATCH', `/api/family/members/${m.id}`, { role }));
    if (!saved) { sel.value = m.role; return; }
    say(() => t('members.roleChanged', { name: saved.display_name, role: roleName(saved.role) }));
    app.refreshMe();
  }

  async function remove(m) {
    // Their calendars with a user name, password or private address go
    // with them: say which.
    const calendars = await calendarsLeavingWith(app, m.id);
    const text = t('members.removeText', { name: m.display_name });
    const ok = await ask(t('members.removeTitle', { name: m.display_name }),
      calendars.length ? [h('p', text), h('p', t('members.removeCalendars', { name: m.display_name, calendars: fmtList(calendars) }))] : text,
      [{ value: true, label: t('members.removeConfirm'), danger: true }]);
    if (!ok) return;
    const done = await app.write(['fail.removeMember', { name: m.display_name }], async () => {
      try { await del(`/api/family/members/${m.id}`); } catch (e) { if (e.status !== 404) throw e; }
      return true;
    });
    if (!done) return;
    say(() => t('members.removed', { name: m.display_name }));
    el.querySelector('h2').focus?.();
    app.refreshMe();
  }

  async function resetCode(m) {
    const r = await app.write(['fail.resetCode', { name: m.display_name }], () => post(`/api/family/members/${m.id}/reset-code`));
    if (!r) return;
    await ask(t('members.resetCodeTitle', { name: m.display_name }), [
      copyable(t('members.resetCodeField'), r.code),
      h('p', t('members.resetCodeText', { name: m.display_name, when: fmtDateTime(new Date(r.expires_at), app.tz) })),
    ], [], { cancelLabel: t('common.close') });
  }

  async function unlock(m) {
    const ok = await app.write(['fail.unlock', { name: m.display_name }], () => post(`/api/family/members/${m.id}/unlock`));
    if (ok === undefined) return;
    say(() => t('members.unlocked', { name: m.display_name }));
    app.refreshMe(); // no event: sign-in failures are not family data
  }

  function setPin(m) {
    const pinIn = h('input', { name: 'pin', type: 'password', inputmode: 'numeric', pattern: '[0-9]{4,8}', minlength: 4, maxlength: 8, required: true, autocomplete: 'new-password' });
    const removePin = m.has_pin ? h('button.danger', {
      type: 'button',
      async onclick() {
        const ok = await app.write(['fail.pin', { name: m.display_name }], () => del(`/api/family/members/${m.id}/pin`));
        if (ok === undefined) return;
        dlg.close();
        say(() => t('members.pinRemoved', { name: m.display_name }));
        app.refreshMe();
      },
    }, t('members.removePin')) : null;
    const dlg = openDialog(t('members.pinTitle', { name: m.display_name }), [
      field(t('members.pinField'), pinIn, t('members.pinHint')),
      h('p.hint', t('members.pinWhere', { code: app.me.family.code || '', name: m.display_name })),
    ], async () => {
      const ok = await app.write(['fail.pin', { name: m.display_name }], () => put(`/api/family/members/${m.id}/pin`, { pin: pinIn.value }));
      if (ok === undefined) return false;
      say(() => t('members.pinSet', { name: m.display_name }));
      app.refreshMe(); // no event: a PIN is not family data
      return true;
    }, { extra: removePin });
  }

  // Who is online, and where (presence.js): patched in place, the rows stay.
  function showWhere() {
    for (const span of list.querySelectorAll('span.where')) {
      const li = span.closest('li.member');
      const where = whereIs(app, li.dataset.id);
      const text = whereText(where);
      if (span.textContent === text) continue;
      span.textContent = text;
      span.dataset.where = where ?? '';
      span.classList.toggle('online', where !== null);
    }
  }

  function update() {
    const manage = app.can('member.manage');
    reconcile(list, app.me.members, {
      key: (m) => m.id,
      sig: (m) => JSON.stringify([m.display_name, m.role, m.has_pin, m.locked, manage, owners() > 1, app.me.user.id, t('family.you')]),
      build: row,
    });
    showWhere();
  }
  update();
  const off = app.onPresence(showWhere);
  return { el, update, destroy: () => { off(); handOver(key, { link: self, lang, status: status.textContent, say: sayerOf(status) }); } };
}
