// The Family page's parts about the signed-in person: who they are, the
// app's language, their password (changing it signs out their other
// devices), sign out; and "my devices": every signed-in session with this
// one marked, sign out one, or all the others at once (their apps go to
// the sign-in page at once: the server closes their sockets with 4001).
import { del, get, post } from '../api.js';
import { field, formValues, h, loading, reconcile } from '../dom.js';
import { currentLang, fmtAgo, fmtDateTime, t } from '../i18n.js';
import { ask } from './dialog.js';
import { busy, errorBox, fail } from './form.js';
import { languagePicker } from './language.js';
import { carry, handOver, link, live, takeOver } from '../handover.js';
import { sayerOf, sayIn } from '../lines.js';

/** A session's device as a person calls it: its name, else "Firefox on Android" from the user agent. */
export function deviceLabel(s) {
  if (s.device_name) return s.device_name;
  const ua = s.user_agent || '';
  const browser = [[/Edg\//, 'Edge'], [/OPR\//, 'Opera'], [/Firefox\//, 'Firefox'], [/Chrom(e|ium)\//, 'Chrome'], [/Safari\//, 'Safari']]
    .find(([re]) => re.test(ua))?.[1];
  const os = [[/Android/, 'Android'], [/iPhone|iPad|iPod/, 'iOS'], [/CrOS/, 'ChromeOS'], [/Mac OS X|Macintosh/, 'macOS'], [/Windows/, 'Windows'], [/Linux/, 'Linux']]
    .find(([re]) => re.test(ua))?.[1];
  if (browser && os) return t('devices.browserOn', { browser, os });
  return browser || os || t('devices.other');
}

// The password form; what is typed, its lines and whether it is open
// stay when the page is built again (handover.js carry), and a change on
// its way when that happens is answered on the form built in its place.
function passwordForm(app, onChanged) {
  const err = errorBox();
  const done = h('p.muted', { role: 'status' });
  const form = h('form.password-form', {
    async onsubmit(e) {
      e.preventDefault();
      const v = formValues(form);
      err.hidden = true;
      done.textContent = '';
      busy(form, true);
      let on = kept.live();
      try {
        await post('/api/auth/password', { current_password: v.current_password, new_password: v.new_password });
        on = kept.live();
        on.root.reset();
        sayIn(on.lines[1], () => t('password.changed')); // said again in another language (lines.js)
        onChanged();
      } catch (ex) {
        if (ex.status === 401) return; // the session ended meanwhile: the app signs out
        on = kept.live();
        fail(on.lines[0], on.root, ex);
      } finally { busy(on.root, false); }
    },
  },
  err,
  field(t('password.current'), h('input', { name: 'current_password', type: 'password', autocomplete: 'current-password', required: true })),
  field(t('password.new'), h('input', { name: 'new_password', type: 'password', autocomplete: 'new-password', required: true, minlength: 8 }), t('password.hint')),
  h('button.primary', { type: 'submit' }, t('password.change')));
  const details = h('details.more.password', h('summary', t('password.title')), form, done);
  const kept = carry(`password ${app.me.user.id}`, form, { lines: [err, done], open: [details] });
  return { el: details, destroy: kept.hand };
}

export function accountSection(app) {
  const me = app.me;
  const list = h('ul.rows.session-rows', loading(2));
  const status = h('p.muted', { role: 'status' });
  const othersBtn = h('button', { type: 'button', onclick: signOutOthers, disabled: true }, t('devices.signOutOthers'));
  // A question open (its dialog outside the page) or a change on its way
  // when the page is built again answers on the part shown by then: its
  // line, its list read again (before, on the part gone: the new list
  // still showed the devices just signed out). The line stays through a
  // rebuild, not into another language.
  const key = `devices ${me.user.id}`;
  const had = takeOver(key);
  const lang = currentLang();
  const self = link({ say: (fn) => sayIn(status, fn), focus: () => othersBtn.focus(), reload: () => reload() }, had);
  if (had?.say) sayIn(status, had.say); // said again in this page's language (lines.js)
  else if (had && had.lang === lang) status.textContent = had.status;
  const at = () => live(self);

  function row(s) {
    const label = deviceLabel(s);
    return h('li.entry.session', { class: s.current ? 'current' : null, dataset: { id: s.id, current: String(s.current) } },
      h('div.grow',
        h('strong', label, s.current ? h('span.tag', t('devices.thisDevice')) : null, s.child_device_id ? h('span.tag', t('devices.childDevice')) : null),
        h('span.muted', s.current ? t('devices.activeNow') : t('devices.lastSeen', { when: fmtAgo(new Date(s.last_seen_at)) })),
        h('span.muted', t('devices.signedIn', { when: fmtDateTime(new Date(s.created_at), app.tz), addr: s.client_addr }))),
      h('button.small', {
        type: 'button', dataset: { key: `end-${s.id}` }, 'aria-label': t('devices.signOutLabel', { name: label }),
        onclick: () => (s.current ? app.signOut() : end(s, label)),
      }, t('devices.signOut')));
  }

  async function end(s, label) {
    const ok = await app.write(['fail.endSession', { name: label }], async () => {
      try { await del(`/api/auth/sessions/${s.id}`); } catch (e) { if (e.status !== 404) throw e; }
      return true;
    });
    if (!ok) return;
    at().say(() => t('devices.ended', { name: deviceLabel(s) })); // the device's name in the language in use too
    at().focus();
    at().reload();
  }

  async function signOutOthers() {
    const ok = await ask(t('devices.othersTitle'), t('devices.othersText'), [{ value: true, label: t('devices.signOutOthers'), danger: true }]);
    if (!ok) return;
    const r = await app.write(['fail.endSessions'], () => del('/api/auth/sessions'));
    if (!r) return;
    at().say(() => t('devices.endedOthers', { count: r.ended }));
    at().reload();
  }

  const reload = app.loader(async () => {
    const sessions = await get('/api/auth/sessions');
    othersBtn.disabled = !sessions.some((s) => !s.current);
    // This device first, then the most recently seen.
    sessions.sort((a, b) => Number(b.current) - Number(a.current));
    reconcile(list, sessions, {
      key: (s) => s.id,
      sig: (s) => JSON.stringify([s.device_name, s.current, s.last_seen_at, s.client_addr]),
      build: row,
    });
  });

  const password = passwordForm(app, () => at().reload());
  const you = h('section.card', { 'aria-labelledby': 'h-you' },
    h('h2#h-you', t('family.youTitle')),
    h('p', me.user.email ? `${me.user.display_name} · ${me.user.email}` : me.user.display_name),
    languagePicker(),
    password.el,
    h('div.actions.start', h('button', { type: 'button', onclick: () => app.signOut() }, t('family.signOut'))));
  const devices = h('section.card', { 'aria-labelledby': 'h-devices' },
    h('h2#h-devices', t('devices.title')),
    h('p', t('devices.intro')),
    list, status,
    h('div.actions.start', othersBtn));
  return {
    el: [you, devices],
    reload,
    destroy() { password.destroy(); handOver(key, { link: self, lang, status: status.textContent, say: sayerOf(status) }); },
  };
}
