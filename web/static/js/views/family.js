// The Family page, assembled: members and roles (family-members.js),
// invites (family-invites.js), children's devices (family-children.js),
// the signed-in person and their devices and password
// (family-account.js), calendar apps and subscribed calendars
// (family-dav.js), notifications on this device and the person's
// notification settings (family-notifications.js), read-only feeds for
// Google Calendar and Outlook (family-feeds.js), the family's settings and
// leaving or deleting (family-settings.js), the assistant's default
// shopping list (family-default-list.js). Each part shows only what the person may do.
// FAMILY_UPDATED (via app.js) updates the parts in place: onFamily.
import { h } from '../dom.js';
import { accountSection } from './family-account.js';
import { childrenSection } from './family-children.js';
import { appPasswords, subscriptions } from './family-dav.js';
import { feedsSection } from './family-feeds.js';
import { invitesSection } from './family-invites.js';
import { membersSection } from './family-members.js';
import { notificationsSection } from './family-notifications.js';
import { defaultListSection } from './family-default-list.js';
import { endingsSection, settingsSection } from './family-settings.js';

export function view(app, main) {
  const title = h('h1', app.me.family.name);
  const parts = [
    membersSection(app),
    app.can('invite.manage') ? invitesSection(app) : null,
    app.can('child_device.manage') ? childrenSection(app) : null,
    accountSection(app),
    notificationsSection(app),
    appPasswords(app),
    subscriptions(app),
    feedsSection(app),
    settingsSection(app),
    defaultListSection(app),
    endingsSection(app),
  ].filter(Boolean);
  main.append(title, ...parts.flatMap((p) => p.el));
  return {
    // The family's own events only (FAMILY_UPDATED): this page shows no
    // list, task, event or recipe. With no topic at all the socket would
    // receive everything and count as live on every shopping list, so the
    // member's list pushes were dropped as seen (docs/notifications.md).
    topics: ['family'],
    // A reconnect that may have missed events: re-read the lists.
    reload: Object.assign(() => Promise.all(parts.map((p) => p.reload?.())),
      { failed: () => parts.some((p) => p.reload?.failed?.()) }), // opened offline: load when back
    destroy() { for (const p of parts) p.destroy?.(); },
    onFamily() {
      title.textContent = app.me.family.name;
      document.title = `${app.me.family.name} · FamilyHub`;
      for (const p of parts) p.update?.();
    },
  };
}
