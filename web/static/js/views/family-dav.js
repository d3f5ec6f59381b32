// The Family page's calendar parts: app passwords for calendar apps (with
// the exact settings for Apple Calendar, Thunderbird and DAVx5) and
// subscriptions to other calendars. Create, list, revoke. The
// subscriptions are the family's: their list follows FAMILY_UPDATED.
import { del, get, post } from '../api.js';
import { field, formValues, h, loading, reconcile, setChildren } from '../dom.js';
import { copyButton } from '../copy.js';
import { fmtAgo, fmtDateTime, t } from '../i18n.js';
import { confirmDelete } from './dialog.js';
import { carry } from '../handover.js';
import { sayIn } from '../lines.js';

/**
 * The names of the calendars userId subscribed to that hold a secret of
 * theirs: a user name, a password, or a private address (the server
 * decides which: holds_secret, docs/caldav.md). They go, with their
 * events, when that person leaves the family or is removed (the server
 * must not go on reading a departed member's private calendar). [] when
 * the list cannot be read (offline, or a child).
 */
export async function calendarsLeavingWith(app, userId) {
  if (!app.can('calendar_subscription.manage')) return [];
  try {
    const subs = await get('/api/calendar/subscriptions');
    return subs.filter((s) => s.created_by === userId && s.holds_secret).map((s) => s.name);
  } catch { return []; }
}

/** A read-only value with a Copy button. */
export function copyable(label, value) {
  const input = h('input', { value, readonly: true, spellcheck: 'false' });
  return h('div.copyable', field(label, input), copyButton(value, input, t('dav.copyLabel', { what: label })));
}

/**
 * shownOnce(key, form, {nameIn, fresh, show, reload}) keeps what the
 * server answers only once (an app password, a feed's address: show(x)
 * draws it in fresh) and the form that made it through a rebuild
 * (handover.js carry: one made then shows on the page built in its
 * place). Returns {made(x), forget(), reload(), hand()}: made after the
 * answer, forget when it is revoked, reload to read the list again after
 * an unknown outcome (each on the page shown by then), hand in the page's
 * destroy.
 */
export function shownOnce(key, form, { nameIn, fresh, show, reload }) {
  let shown = null;
  const put = (x) => { shown = x; show(x); };
  const kept = carry(key, form, {
    on: {
      made(x) {
        nameIn.value = '';
        put(x);
        fresh.querySelector('input')?.focus();
        reload();
      },
      forget() { shown = null; setChildren(fresh); },
      reload,
    },
  });
  if (kept.had?.more) put(kept.had.more);
  return {
    made: (x) => kept.live().made(x),
    // Revoked while the page was built again (the question open): the
    // page shown then stops showing it (before, it went on showing it).
    forget: () => kept.live().forget(),
    reload: () => kept.live().reload(),
    hand: () => kept.hand(shown),
  };
}

/** Where each calendar app wants the server: the exact text to paste. */
export function davSettings(email) {
  const origin = location.origin;
  return h('div.dav-settings',
    copyable(t('dav.username'), email),
    h('h4', t('dav.apple')), h('p.hint', t('dav.appleHow')), copyable(t('dav.appleServer'), `${origin}/`),
    h('h4', t('dav.thunderbird')), h('p.hint', t('dav.thunderbirdHow')), copyable(t('dav.thunderbirdLocation'), `${origin}/dav/`),
    h('h4', t('dav.davx5')), h('p.hint', t('dav.davx5How')), copyable(t('dav.davx5Url'), `${origin}/dav/`));
}

/**
 * The list of app passwords, with why it is empty after a password change
 * or reset (GET /api/me's app_passwords_revoked_at) until a new one is
 * made. Also on FAMILY_UPDATED (update): a password changed in another tab
 * empties this list at once (the server makes an event per app password).
 */
export function appPasswords(app) {
  const tz = app.tz;
  const list = h('ul.rows', loading(2));
  const revoked = h('p.notice.app-passwords-revoked', { role: 'status', hidden: true });
  const fresh = h('div.fresh-password', { 'aria-live': 'polite' });
  const nameIn = h('input#app-pw-name', { name: 'name', required: true, maxlength: 100, autocomplete: 'off', placeholder: t('dav.nameExample') });
  const form = h('form.inline', {
    async onsubmit(e) {
      e.preventDefault();
      const name = nameIn.value.trim();
      if (!name) return;
      const body = { name, create_key: crypto.randomUUID() }; // Retry sends the same key: one password at most
      await app.write(['fail.createAppPassword'], async () => once.made(await post('/api/dav/app-passwords', body)), { reread: once.reload });
    },
  }, h('label.visually-hidden', { for: 'app-pw-name' }, t('dav.name')), nameIn, h('button.primary', { type: 'submit' }, t('dav.create')));
  // The password is shown once: it, and a name typed, stay when the page
  // is built again. Before, a new time zone took it away for good.
  const once = shownOnce(`app-password ${app.me.user.id}`, form, {
    nameIn, fresh, reload: () => reload(),
    show: (p) => setChildren(fresh,
      h('p', h('strong', t('dav.passwordFor', { name: p.name }))),
      copyable(t('dav.password'), p.password),
      h('p.hint', t('dav.shownOnce')),
      davSettings(app.me.user.email)),
  });

  async function revoke(p) {
    if (!await confirmDelete(t('dav.revokeTitle', { name: p.name }), t('dav.revokeText'))) return;
    const ok = await app.write(['fail.revokeAppPassword'], async () => {
      try { await del(`/api/dav/app-passwords/${p.id}`); } catch (e) { if (e.status !== 404) throw e; }
      return true;
    });
    if (ok) { once.forget(); reload(); nameIn.focus(); }
  }

  // A failed load says why in the list's place, with Retry (shell.js).
  function row(p) {
    return h('li.entry', { dataset: { id: p.id } },
      h('div.grow', h('strong', p.name),
        h('span.muted', t('dav.created', { when: fmtDateTime(new Date(p.created_at), tz) })),
        h('span.muted', p.last_used_at ? t('dav.lastUsed', { when: fmtAgo(new Date(p.last_used_at)) }) : t('dav.neverUsed'))),
      h('button.small.danger', { type: 'button', onclick: () => revoke(p), 'aria-label': t('dav.revokeLabel', { name: p.name }) }, t('dav.revoke')));
  }

  // Rows keyed by id: a re-read on another device's change keeps the focus.
  const reload = app.loader(async () => {
    const ps = await get('/api/dav/app-passwords');
    const at = app.me?.user.app_passwords_revoked_at;
    revoked.hidden = !at || ps.some((p) => new Date(p.created_at) >= new Date(at));
    revoked.textContent = revoked.hidden ? '' : t('dav.revoked', { when: fmtDateTime(new Date(at), tz) });
    if (!ps.length) { setChildren(list, h('li.muted', t('dav.none'))); return; }
    reconcile(list, ps, {
      key: (p) => p.id,
      sig: (p) => JSON.stringify([p.name, p.created_at, p.last_used_at]),
      build: row,
    });
  });
  reload();

  return {
    el: h('section.card', { 'aria-labelledby': 'h-dav' },
      h('h2#h-dav', t('dav.title')),
      h('p', t('dav.intro')),
      revoked, list, form, fresh,
      h('details.more', h('summary', t('dav.howTo')), davSettings(app.me.user.email))),
    reload,
    update: reload,
    destroy: once.hand,
  };
}

export function subscriptions(app) {
  const tz = app.tz;
  const manage = app.can('calendar_subscription.manage');
  const list = h('ul.rows', loading(2));
  const err = h('p.form-error', { role: 'alert', hidden: true });
  const form = h('form.sub-form', {
    async onsubmit(e) {
      e.preventDefault();
      const v = formValues(form);
      const body = { name: v.name.trim(), url: v.url.trim(), create_key: crypto.randomUUID() }; // Retry sends the same key
      if (v.username.trim()) body.username = v.username.trim();
      if (v.password) body.password = v.password;
      err.hidden = true;
      const added = () => { kept.live().root.reset(); kept.live().reload(); };
      const send = async () => added(await post('/api/calendar/subscriptions', body));
      try {
        await send();
      } catch (ex) {
        if (ex.retryable) { app.failed(['fail.subscribe'], ex, send, { reread: () => kept.live().reload(), secret: false }); return; }
        const on = kept.live(); // the form shown now: the page may have been built again
        sayIn(on.lines[0], () => ex.say()); // said again in another language (lines.js)
        on.lines[0].hidden = false;
        const bad = ex.field && on.root.elements[ex.field];
        if (bad) { bad.setAttribute('aria-invalid', 'true'); bad.focus(); }
      }
    },
  },
  err,
  field(t('subs.name'), h('input', { name: 'name', required: true, maxlength: 200, placeholder: t('subs.nameExample') })),
  field(t('subs.url'), h('input', { name: 'url', type: 'url', required: true, placeholder: 'https://…/calendar.ics' }), t('subs.urlHint')),
  h('div.row',
    field(t('subs.username'), h('input', { name: 'username', autocomplete: 'off' })),
    field(t('subs.password'), h('input', { name: 'password', type: 'password', autocomplete: 'new-password' }))),
  h('p.hint', t('subs.credentialsHint')),
  h('button.primary', { type: 'submit' }, t('subs.add')));
  // What is typed, the error line and whether the form is open stay when
  // the page is built again (handover.js carry).
  const adding = h('details.more', h('summary', t('subs.addTitle')), form);
  const kept = carry(`subscribe ${app.me.user.id}`, form, { lines: [err], open: [adding], on: { reload: () => reload() } });

  function state(s) {
    if (s.last_error) return h('span.warn', t('subs.failing', { count: s.failed_attempts, when: fmtDateTime(new Date(s.next_attempt_at), tz) }));
    if (s.last_synced_at) return h('span.muted', t('subs.synced', { when: fmtAgo(new Date(s.last_synced_at)) }));
    return h('span.muted', t('subs.pending'));
  }

  async function remove(s) {
    if (!await confirmDelete(t('subs.removeTitle', { name: s.name }), t('subs.removeText'))) return;
    const ok = await app.write(['fail.unsubscribe'], async () => {
      try { await del(`/api/calendar/subscriptions/${s.id}`); } catch (e) { if (e.status !== 404) throw e; }
      return true;
    });
    if (ok) reload();
  }

  function row(s) {
    return h('li.entry', { dataset: { id: s.id, name: s.name } },
      h('div.grow', h('strong', s.name), h('span.muted.url', s.url), state(s),
        s.last_error ? h('details', h('summary', t('subs.details')), h('code', s.last_error)) : null),
      manage ? h('button.small.danger', {
        type: 'button', dataset: { key: `remove-sub-${s.id}` }, onclick: () => remove(s), 'aria-label': t('subs.removeLabel', { name: s.name }),
      }, t('subs.remove')) : null);
  }

  // Also on FAMILY_UPDATED (a calendar added or removed on another device,
  // its first sync, failing or working again): rows keyed by id, so a row
  // that did not change keeps the focus and an open Details.
  const reload = app.loader(async () => {
    const subs = await get('/api/calendar/subscriptions');
    if (!subs.length) { setChildren(list, h('li.muted', t('subs.none'))); return; }
    reconcile(list, subs, {
      key: (s) => s.id,
      sig: (s) => JSON.stringify([s.name, s.url, s.last_synced_at, s.last_error, s.failed_attempts, s.next_attempt_at]),
      build: row,
    });
  });
  reload();

  return {
    el: h('section.card', { 'aria-labelledby': 'h-subs' },
      h('h2#h-subs', t('subs.title')),
      h('p', t('subs.intro')),
      list,
      manage ? adding : null),
    reload,
    update: reload,
    destroy: () => { if (manage) kept.hand(); },
  };
}
