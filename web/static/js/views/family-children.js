// The Family page's children's devices (owners and adults,
// child_device.manage). An adult signed in on the tablet the children use
// sets it up once: the device key the server answers stays on this device
// (child-device.js), and the sign-in page then asks for the family code, a
// child's name and their PIN. The list shows every such device; revoking
// one ends its children's sessions and its PIN sign-in.
import { del, get, post } from '../api.js';
import { childDevice, forgetChildDevice, saveChildDevice } from '../child-device.js';
import { field, h, loading, reconcile, setChildren } from '../dom.js';
import { fmtAgo, fmtDateTime, t } from '../i18n.js';
import { ask } from './dialog.js';
import { carry } from '../handover.js';
import { sayIn } from '../lines.js';

export function childrenSection(app) {
  const tz = app.tz;
  const here = h('div.this-device', { 'aria-live': 'polite' });
  const list = h('ul.rows.device-rows', loading(1));

  function renderHere() {
    const d = childDevice();
    if (d) {
      setChildren(here,
        h('p', h('strong', t('children.thisIs', { name: d.name }))),
        h('p.hint', t('children.signOutHint')),
        h('div.actions.start',
          h('button.primary', { type: 'button', onclick: () => app.signOut() }, t('children.signOutNow')),
          h('button', { type: 'button', onclick: stopHere }, t('children.stop'))));
      return;
    }
    // Said with sayIn: the page built again for another language says it in that one (handover.js carry).
    const err = h('p.form-error', { role: 'alert', hidden: true });
    sayIn(err, () => t('children.noStorage'));
    const nameIn = h('input#child-device-name', { name: 'name', required: true, maxlength: 100, autocomplete: 'off', placeholder: t('children.nameExample') });
    const form = h('form.child-device-form', {
      async onsubmit(e) {
        e.preventDefault();
        const name = nameIn.value.trim();
        if (!name) return;
        const body = { name, create_key: crypto.randomUUID() }; // Retry sends the same key: one device at most
        await app.write(['fail.childDevice'], async () => keep(await post('/api/family/child-devices', body)), { reread: () => kept.live().reload() });
      },
    },
    err,
    field(t('children.name'), nameIn, t('children.nameHint')),
    h('button.primary', { type: 'submit' }, t('children.setUp')));
    setChildren(here, form);
    // The name typed and the error line stay when the page is built again
    // (handover.js carry); a device set up then shows on the page built in
    // its place. Only the first form of this part takes over.
    kept = carry(`child-device ${app.me.user.id}`, form, { lines: [err], on: { setUp, reload: () => reload() } });
    setUpForm = form;
  }
  let kept = null;
  let setUpForm = null;
  // The device made (also by a Retry): its key stays on this device.
  async function keep(created) {
    try {
      saveChildDevice(created);
    } catch {
      // Without storage the key cannot stay here: take the device back.
      await app.write(['fail.childDevice'], () => del(`/api/family/child-devices/${created.id}`));
      kept.live().lines[0].hidden = false;
      return;
    }
    kept.live().setUp();
  }
  function setUp() {
    renderHere();
    here.querySelector('button')?.focus();
    reload();
  }

  async function stopHere() {
    const d = childDevice();
    if (!d) return;
    const ok = await app.write(['fail.revokeChildDevice', { name: d.name }], async () => {
      try { await del(`/api/family/child-devices/${d.id}`); } catch (e) { if (e.status !== 404) throw e; }
      return true;
    });
    if (!ok) return;
    forgetChildDevice(d.key); // not a set-up saved meanwhile in another tab
    renderHere();
    reload();
  }

  async function revoke(dev) {
    const ok = await ask(t('children.revokeTitle', { name: dev.name }), t('children.revokeText'),
      [{ value: true, label: t('children.revoke'), danger: true }]);
    if (!ok) return;
    const done = await app.write(['fail.revokeChildDevice', { name: dev.name }], async () => {
      try { await del(`/api/family/child-devices/${dev.id}`); } catch (e) { if (e.status !== 404) throw e; }
      return true;
    });
    if (!done) return;
    if (childDevice()?.id === dev.id) { forgetChildDevice(); renderHere(); }
    reload();
  }

  function row(dev) {
    const mine = childDevice()?.id === dev.id;
    return h('li.entry', { dataset: { id: dev.id } },
      h('div.grow',
        h('strong', dev.name, mine ? h('span.tag', t('children.thisDevice')) : null),
        h('span.muted', t('children.setUpWhen', { when: fmtDateTime(new Date(dev.created_at), tz) })),
        h('span.muted', dev.last_used_at ? t('children.lastUsed', { when: fmtAgo(new Date(dev.last_used_at)) }) : t('children.neverUsed'))),
      h('button.small.danger', { type: 'button', dataset: { key: `revoke-dev-${dev.id}` }, 'aria-label': t('children.revokeLabel', { name: dev.name }), onclick: () => revoke(dev) },
        t('children.revoke')));
  }

  const reload = app.loader(async () => {
    // Read before the list: a set-up saved in another tab while it loads
    // is not in it, and must not be forgotten as revoked.
    const d = childDevice();
    const devs = await get('/api/family/child-devices');
    // A device revoked elsewhere is not a children's device any more.
    if (d && !devs.some((x) => x.id === d.id)) { forgetChildDevice(d.key); renderHere(); }
    if (!devs.length) { setChildren(list, h('li.muted', t('children.none'))); return; }
    reconcile(list, devs, {
      key: (x) => x.id,
      sig: (x) => JSON.stringify([x.name, x.last_used_at, childDevice()?.id === x.id]),
      build: row,
    });
  });

  renderHere();
  return {
    el: h('section.card', { 'aria-labelledby': 'h-children' },
      h('h2#h-children', t('children.title')),
      h('p', t('children.intro')),
      here,
      h('h3', t('children.devices')),
      list),
    reload,
    // FAMILY_UPDATED: a device set up or revoked on another device.
    update: reload,
    destroy() { if (setUpForm?.isConnected) kept.hand(); },
  };
}
