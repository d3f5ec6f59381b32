// The Family page's invites (owners and adults, invite.manage): make a
// one-time code with a role (an owner only by owners) and how long it
// works, see the codes made (open, used by whom, expired) and revoke an
// open one. A new code and its link each have Copy. FAMILY_UPDATED
// re-reads the list (an invite used on another device shows "used" at
// once).
import { del, get, post } from '../api.js';
import { copyButton } from '../copy.js';
import { field, h, loading, reconcile, setChildren } from '../dom.js';
import { fmtDateTime, t } from '../i18n.js';
import { memberName } from '../members.js';
import { ask } from './dialog.js';
import { roleName } from './family-members.js';
import { carry } from '../handover.js';

const HOURS = [24, 72, 168, 720]; // 1, 3, 7 (the server's default) and 30 days

export function invitesSection(app) {
  const tz = app.tz;
  const out = h('div.invite', { 'aria-live': 'polite' });
  const list = h('ul.rows.invite-rows', loading(2));
  const roleSel = h('select#invite-role', { name: 'role' },
    ['member', 'child', ...(app.can('invite.owner') ? ['owner'] : [])].map((r) => h('option', { value: r }, roleName(r))));
  const ttlSel = h('select#invite-ttl', { name: 'expires_in_hours' },
    HOURS.map((n) => h('option', { value: n, selected: n === 168 }, t('invites.days', { count: n / 24 }))));
  // The role and how long, and a code just made, stay when the page is
  // built again (handover.js carry); a code asked for then shows on the
  // page built in its place.
  const form = h('form.invite-form', {
    async onsubmit(e) {
      e.preventDefault();
      // The create_key names this press: Retry sends it again, and the server makes one invite at most.
      const body = { role: roleSel.value, expires_in_hours: Number(ttlSel.value), create_key: crypto.randomUUID() };
      await app.write(['fail.invite'], async () => kept.live().made(await post('/api/family/invites', body)), { reread: () => kept.live().reload() });
    },
  },
  h('div.row', field(t('invites.role'), roleSel), field(t('invites.validFor'), ttlSel)),
  h('button.primary', { type: 'submit' }, t('family.createInvite')));
  let made = null;
  function showMade(inv) {
    made = inv;
    const link = `${location.origin}/join/${encodeURIComponent(inv.code)}`;
    setChildren(out,
      h('p', t('invites.madeFor', { role: roleName(inv.role) })),
      copyLine(t('family.inviteCode'), h('strong.code', inv.code), inv.code, t('invites.copyCode')),
      copyLine(t('family.inviteLink'), h('a', { href: link }, link), link, t('invites.copyLink')),
      h('p.muted', t('family.validUntil', { when: fmtDateTime(new Date(inv.expires_at), tz) })));
  }

  // The code and the link are meant to be sent on: each with Copy.
  const copyLine = (label, shown, value, copyLabel) => h('p.copy-line', label, ' ', shown, ' ', copyButton(value, shown, copyLabel));

  function state(inv) {
    if (inv.status === 'used') {
      return t('invites.used', { name: inv.used_by ? memberName(app, inv.used_by) : t('members.former'), when: fmtDateTime(new Date(inv.used_at), tz) });
    }
    if (inv.status === 'expired') return t('invites.expired', { when: fmtDateTime(new Date(inv.expires_at), tz) });
    return t('family.validUntil', { when: fmtDateTime(new Date(inv.expires_at), tz) });
  }

  function row(inv) {
    const by = inv.created_by ? memberName(app, inv.created_by) : t('members.former');
    return h('li.entry', { dataset: { id: inv.id, status: inv.status } },
      h('div.grow',
        h('strong', t('invites.for', { role: roleName(inv.role) }), h('span.tag', t(`invites.status.${inv.status}`))),
        h('span.muted', t('invites.madeBy', { name: by, when: fmtDateTime(new Date(inv.created_at), tz) })),
        h('span.muted', state(inv))),
      inv.status === 'open' ? h('button.small.danger', {
        type: 'button', dataset: { key: `revoke-${inv.id}` }, 'aria-label': t('invites.revokeLabel', { role: roleName(inv.role) }),
        onclick: () => revoke(inv),
      }, t('invites.revoke')) : null);
  }

  async function revoke(inv) {
    const ok = await ask(t('invites.revokeTitle'), t('invites.revokeText'), [{ value: true, label: t('invites.revoke'), danger: true }]);
    if (!ok) return;
    const done = await app.write(['fail.revokeInvite'], async () => {
      try { await del(`/api/family/invites/${inv.id}`); } catch (e) { if (e.status !== 404) throw e; }
      return true;
    });
    if (done) reload();
  }

  const reload = app.loader(async () => {
    const invs = await get('/api/family/invites');
    if (!invs.length) { setChildren(list, h('li.muted', t('invites.none'))); return; }
    reconcile(list, invs, {
      key: (inv) => inv.id,
      sig: (inv) => JSON.stringify([inv.status, inv.used_by, app.me.members.map((m) => m.display_name)]),
      build: row,
    });
  });

  const kept = carry(`invite ${app.me.user.id}`, form, { on: { made: (inv) => { showMade(inv); reload(); }, reload: () => reload() } });
  if (kept.had?.more) showMade(kept.had.more);

  return {
    el: h('section.card', { 'aria-labelledby': 'h-invite' },
      h('h2#h-invite', t('family.invite')),
      h('p', t('family.inviteText')),
      form, out,
      h('h3', t('invites.title')),
      list),
    update: reload,
    reload,
    destroy: () => kept.hand(made),
  };
}
