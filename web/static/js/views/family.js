// The family: members, invite codes, sign out.
import { post } from '../api.js';
import { h } from '../dom.js';

export function view(app, main) {
  const me = app.me;
  const inviteOut = h('div.invite', { 'aria-live': 'polite' });
  main.append(
    h('h1', me.family.name),
    h('section.card',
      h('h2', 'Members'),
      h('ul.members', me.members.map((m) => h('li', m.display_name, m.role === 'owner' ? h('span.tag', 'owner') : null,
        m.id === me.user.id ? h('span.muted', ' (you)') : null)))),
    h('section.card',
      h('h2', 'Invite someone'),
      h('p', 'An invite code lets a new member create an account in this family. It works once.'),
      h('button.primary', {
        type: 'button',
        async onclick() {
          const inv = await app.write('create an invite code', () => post('/api/family/invites'));
          if (!inv) return;
          const link = `${location.origin}/join/${encodeURIComponent(inv.code)}`;
          inviteOut.replaceChildren(
            h('p', 'Invite code: ', h('strong.code', inv.code)),
            h('p', 'Or send this link: ', h('a', { href: link }, link)),
            h('p.muted', `Valid until ${new Date(inv.expires_at).toLocaleString()}.`));
        },
      }, 'Create invite code'),
      inviteOut),
    h('section.card',
      h('h2', 'You'),
      h('p', `${me.user.display_name} · ${me.user.email}`),
      h('p.muted', `Family time zone: ${me.family.time_zone}`),
      h('button', { type: 'button', onclick: () => app.signOut() }, 'Sign out')),
  );
  return { topics: [] };
}
