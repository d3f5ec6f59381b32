// FamilyHub's service worker: keeps the app shell (HTML, CSS, JavaScript,
// icons) so the app opens without a network. Data is not cached here: the
// app keeps what the user last saw, and the writes waiting for the server,
// in IndexedDB (js/cache.js, js/outbox.js). The server puts a hash of the
// app into VERSION, so a new release installs a new worker and a fresh cache.
importScripts('/js/push-sw.js'); // Web Push: show notices, open their view on click
const VERSION = '__FAMILYHUB_WEB_VERSION__';
const CACHE = `familyhub-shell-${VERSION}`;
const SHELL = [
  '/', '/index.html', '/app.css', '/manifest.webmanifest',
  '/js/answers.js', '/js/api.js', '/js/app.js', '/js/assistant-reply.js', '/js/assistant.js', '/js/cache.js',
  '/js/child-device.js', '/js/conflicts.js', '/js/copy.js', '/js/device.js', '/js/dom.js', '/js/errors.js', '/js/fields.js', '/js/i18n.js', '/js/lines.js',
  '/js/i18n/de.js', '/js/i18n/de-family.js', '/js/i18n/de-notify.js', '/js/i18n/en.js', '/js/i18n/en-family.js', '/js/i18n/en-notify.js', '/js/idb.js', '/js/handover.js', '/js/lifecycle.js', '/js/me.js', '/js/members.js', '/js/order.js', '/js/outbox.js', '/js/outbox-answers.js', '/js/outbox-notices.js', '/js/outbox-outcomes.js', '/js/outbox-queue.js', '/js/outbox-tabs.js', '/js/pending.js', '/js/presence.js',
  '/js/realtime-transports.js', '/js/realtime.js', '/js/shell.js', '/js/time.js', '/js/views/auth-pin.js', '/js/views/auth-reset.js',
  '/js/views/auth.js', '/js/views/calendar-answers.js', '/js/views/calendar-grid.js', '/js/views/calendar-pending.js', '/js/views/calendar.js', '/js/views/family-account.js',
  '/js/views/family-children.js', '/js/views/family-invites.js', '/js/views/family-members.js', '/js/views/family-notifications.js', '/js/views/family-notify-form.js',
  '/js/views/family-settings.js', '/js/views/family-default-list.js', '/js/views/form.js',
  '/js/views/dialog.js', '/js/views/event-dialog.js', '/js/views/event-ends.js', '/js/views/event-form.js', '/js/views/family-dav.js', '/js/views/family-feeds.js', '/js/views/family.js',
  '/js/views/language.js', '/js/views/recipe-edit.js', '/js/views/recipe.js', '/js/views/recipes.js',
  '/js/views/shopping-items.js', '/js/views/shopping-lists.js', '/js/views/shopping.js', '/js/views/task-dialog.js',
  '/js/views/tasks.js', '/js/warm.js',
  '/js/views/settle.js',
  '/js/cache-kept.js', '/js/views/calendar-ahead.js',
  '/js/menu.js', '/js/amounts.js', '/js/lastlist.js', '/js/focus-ring.js',
  '/icons/icon-192.png', '/icons/icon-512.png',
];
// /ical: a feed opened in the browser must not be kept as the app's page.
const NEVER = /^\/(api|ws|sse|dav|ical|healthz|readyz|metrics|\.well-known)(\/|$)/;

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('familyhub-shell-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

// Network first (so an online app is always the server's current version),
// the cached shell when the network fails.
self.addEventListener('fetch', (e) => {
  const req = e.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin || NEVER.test(url.pathname)) return;
  e.respondWith((async () => {
    try {
      const res = await fetch(req);
      if (res.ok && !req.headers.has('range')) {
        const copy = res.clone();
        caches.open(CACHE).then((c) => c.put(req.mode === 'navigate' ? '/index.html' : req, copy));
      }
      return res;
    } catch (err) {
      const cache = await caches.open(CACHE);
      const hit = req.mode === 'navigate' ? await cache.match('/index.html') : await cache.match(req);
      if (hit) return hit;
      throw err;
    }
  })());
});
