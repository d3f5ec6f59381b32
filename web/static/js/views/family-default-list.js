// The Family page's default shopping list (owners and admins:
// family.update): the list the assistant puts things on when a command
// names none and no list is on screen (docs/assistant.md). A select of the
// family's lists, "none" allowed; a choice is saved at once (PATCH
// /api/family {default_list_id}). Another device's choice arrives with
// FAMILY_UPDATED (update).
import { api, get } from '../api.js';
import { field, h } from '../dom.js';
import { t } from '../i18n.js';
import { sayIn } from '../lines.js';

export function defaultListSection(app) {
  if (!app.can('family.update')) return null;
  const status = h('p.muted', { role: 'status' });
  const select = h('select#family-default-list', {
    name: 'default_list_id',
    async onchange() {
      status.textContent = '';
      const want = select.value || null;
      const done = app.savingFamily();
      try {
        const sentAt = new Date().toISOString();
        const saved = await app.write(['fail.familySettings'], () => api('PATCH', '/api/family', { default_list_id: want }));
        if (!saved) { update(); return; }
        app.takeFamily(saved, sentAt);
        sayIn(status, () => t('settings.saved'));
      } finally { done(); }
    },
  });
  let lists = [];
  let failed = false;
  let readFor = null; // the default list the lists were read again for
  function update() {
    const cur = app.me.family.default_list_id ?? '';
    const none = h('option', { value: '' }, t('defaultList.none'));
    select.replaceChildren(none, ...lists.map((l) => h('option', { value: l.id }, l.name)));
    // a list this device has not read yet: read them again
    if (cur && !lists.some((l) => l.id === cur) && readFor !== cur) { readFor = cur; reload(); return; }
    select.value = cur;
  }
  async function reload() {
    try {
      lists = await get('/api/shopping/lists');
      failed = false;
    } catch {
      failed = true; // offline: "none" and what the device knows
    }
    update();
  }
  reload.failed = () => failed;
  update();
  reload();
  const el = h('section.card', { 'aria-labelledby': 'h-default-list' },
    h('h2#h-default-list', t('defaultList.title')),
    field(t('defaultList.label'), select, t('defaultList.hint')),
    status);
  return { el, update, reload };
}
