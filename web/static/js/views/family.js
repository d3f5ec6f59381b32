// The family: members, invite codes, the app's language, calendar apps and
// subscribed calendars (family-dav.js), sign out.
import { post } from '../api.js';
import { h, setChildren } from '../dom.js';
import { fmtDateTime, t } from '../i18n.js';
import { avatar } from '../members.js';
import { appPasswords, subscriptions } from './family-dav.js';
import { languagePicker } from './language.js';

export function view(app, main) {
  const me = app.me;
  const inviteOut = h('div.invite', { 'aria-live': 'polite' });
  main.append(
    h('h1', me.family.name),
    h('section.card', { 'aria-labelledby': 'h-members' },
      h('h2#h-members', t('family.members')),
      h('ul.members', me.members.map((m) => h('li', avatar(app, m.id, { label: '' }), ' ', m.display_name,
        m.role !== 'member' ? h('span.tag', t(`family.role.${m.role}`)) : null,
        m.id === me.user.id ? h('span.muted', ' ', t('family.you')) : null)))),
    h('section.card', { 'aria-labelledby': 'h-invite' },
      h('h2#h-invite', t('family.invite')),
      h('p', t('family.inviteText')),
      h('button.primary', {
        type: 'button',
        async onclick() {
          const inv = await app.write(t('fail.invite'), () => post('/api/family/invites'));
          if (!inv) return;
          const link = `${location.origin}/join/${encodeURIComponent(inv.code)}`;
          setChildren(inviteOut,
            h('p', t('family.inviteCode'), ' ', h('strong.code', inv.code)),
            h('p', t('family.inviteLink'), ' ', h('a', { href: link }, link)),
            h('p.muted', t('family.validUntil', { when: fmtDateTime(new Date(inv.expires_at), app.tz) })));
        },
      }, t('family.createInvite')),
      inviteOut),
    appPasswords(app),
    subscriptions(app),
    h('section.card', { 'aria-labelledby': 'h-you' },
      h('h2#h-you', t('family.youTitle')),
      h('p', `${me.user.display_name} · ${me.user.email}`),
      h('p.muted', t('family.timeZone', { zone: me.family.time_zone })),
      languagePicker(),
      h('button', { type: 'button', onclick: () => app.signOut() }, t('family.signOut'))),
  );
  return { topics: [] };
}
