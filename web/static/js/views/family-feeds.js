// The Family page's read-only calendar feeds (docs/caldav.md, "Read-only
// feeds"): a secret .ics address for Google Calendar or Outlook, for the
// whole family or for the signed-in person. The address is a secret: the
// server answers it once, to whoever made the feed, and only this tab
// shows it (it is kept nowhere). Make, list, revoke. The list follows
// FAMILY_UPDATED (a feed made or revoked on another device).
import { del, get, post } from '../api.js';
import { field, h, loading, reconcile, setChildren } from '../dom.js';
import { fmtAgo, fmtDateTime, t } from '../i18n.js';
import { memberName } from '../members.js';
import { confirmDelete } from './dialog.js';
import { copyable, shownOnce } from './family-dav.js';

export function feedsSection(app) {
  const tz = app.tz;
  const manage = app.can('calendar_feed.manage');
  const list = h('ul.rows.feeds', loading(2));
  const fresh = h('div.fresh-password.fresh-feed', { 'aria-live': 'polite' });
  const nameIn = h('input', { name: 'name', required: true, maxlength: 100, autocomplete: 'off', placeholder: t('feeds.nameExample') });
  const scope = h('fieldset.choice', h('legend', t('feeds.scope')),
    ['family', 'member'].map((s) => h('label', h('input', { type: 'radio', name: 'feed-scope', value: s, checked: s === 'family' }), ' ', t(`feeds.scope.${s}`))));
  const form = h('form.feed-form', {
    async onsubmit(e) {
      e.preventDefault();
      const name = nameIn.value.trim();
      if (!name) return;
      const body = { name, scope: form.querySelector('input[name=feed-scope]:checked').value, create_key: crypto.randomUUID() };
      await app.write(['fail.createFeed'], async () => once.made(await post('/api/calendar/feeds', body)), { reread: once.reload });
    },
  }, field(t('feeds.name'), nameIn), scope, h('button.primary', { type: 'submit' }, t('feeds.create')));
  // The address is shown once: it, and what is typed and chosen, stay when
  // the page is built again. Before, a new time zone took it away.
  const once = shownOnce(`feed ${app.me.user.id}`, form, {
    nameIn, fresh, reload: () => reload(),
    show: (f) => setChildren(fresh,
      h('p', h('strong', t('feeds.urlFor', { name: f.name }))),
      copyable(t('feeds.url'), f.url),
      h('p.hint', t('feeds.shownOnce')),
      h('p.hint', t('feeds.how'))),
  });

  async function revoke(f) {
    if (!await confirmDelete(t('feeds.revokeTitle', { name: f.name }), t('feeds.revokeText'))) return;
    const ok = await app.write(['fail.revokeFeed'], async () => {
      try { await del(`/api/calendar/feeds/${f.id}`); } catch (e) { if (e.status !== 404) throw e; }
      return true;
    });
    if (ok) { once.forget(); reload(); nameIn.focus(); }
  }

  const holds = (f) => (f.scope === 'family' ? t('feeds.forFamily') : t('feeds.forMember', { name: memberName(app, f.member_id) }));

  function row(f) {
    return h('li.entry', { dataset: { id: f.id, name: f.name, scope: f.scope } },
      h('div.grow', h('strong', f.name, h('span.tag', holds(f))),
        h('span.muted', t('feeds.madeBy', { name: memberName(app, f.created_by), when: fmtDateTime(new Date(f.created_at), tz) })),
        h('span.muted', f.last_used_at ? t('dav.lastUsed', { when: fmtAgo(new Date(f.last_used_at)) }) : t('dav.neverUsed'))),
      manage ? h('button.small.danger', {
        type: 'button', dataset: { key: `revoke-feed-${f.id}` }, onclick: () => revoke(f), 'aria-label': t('feeds.revokeLabel', { name: f.name }),
      }, t('feeds.revoke')) : null);
  }

  // Also on FAMILY_UPDATED (a feed made or revoked on another device, a
  // member renamed or gone): rows keyed by id, so a re-read keeps the focus,
  // and the address shown once (fresh) is not touched.
  const reload = app.loader(async () => {
    const fs = await get('/api/calendar/feeds');
    if (!fs.length) { setChildren(list, h('li.muted', t('feeds.none'))); return; }
    reconcile(list, fs, {
      key: (f) => f.id,
      sig: (f) => JSON.stringify([f.name, f.scope, f.member_id, f.last_used_at, app.me.members.map((m) => m.display_name)]),
      build: row,
    });
  });
  reload();

  return {
    el: [h('section.card', { 'aria-labelledby': 'h-feeds' },
      h('h2#h-feeds', t('feeds.title')),
      h('p', t('feeds.intro')),
      list,
      manage ? [form, fresh] : null)],
    reload,
    update: reload,
    destroy: () => { if (manage) once.hand(); },
  };
}
