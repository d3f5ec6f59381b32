// FamilyHub's Web Push handling, in the service worker (sw.js imports it).
// A push carries one notice as JSON (docs/notifications.md):
//   {"v":1, "id":"…", "kind":"task", "url":"/tasks?task=…", "tag":"task:…",
//    "lang":"de" or "" (the member's choice; "" = this device's language),
//    "title":"…", "body":"…",
//    "texts":{"en":{"title","body"}, "de":{"title","body"}}}
// It is shown in the member's language, else the device's (en or de), and
// a click opens the view it names in a FamilyHub window (or a new one).
(() => {
  const LANGS = ['en', 'de'];

  // text picks the title and body to show, and their language.
  function text(p) {
    const want = (p.lang || (self.navigator && self.navigator.language) || 'en').slice(0, 2).toLowerCase();
    const lang = LANGS.includes(want) ? want : 'en';
    const t = (p.texts && (p.texts[lang] || p.texts.en)) || {};
    return { lang, title: t.title || p.title || 'FamilyHub', body: t.body || p.body || '' };
  }

  // appPath keeps a click inside the app: a path of this origin, or '/'.
  function appPath(u) {
    try {
      const url = new URL(u || '/', self.location.origin);
      return url.origin === self.location.origin ? url.pathname + url.search : '/';
    } catch {
      return '/';
    }
  }

  function payload(data) {
    if (!data) return {};
    try {
      return data.json();
    } catch {
      return { body: data.text() };
    }
  }

  // show displays a notice; a newer one with the same tag replaces the
  // older silently (a notice sent twice is seen once).
  function show(p) {
    const t = text(p);
    return self.registration.showNotification(t.title, {
      body: t.body,
      lang: t.lang,
      tag: p.tag || undefined,
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      data: { url: appPath(p.url), id: p.id || null, kind: p.kind || null },
    }).catch((err) => {
      // A notice that cannot be shown (permission withdrawn, say) is lost
      // to the person: say so where a developer looks.
      console.error('FamilyHub: showing a notification failed:', err);
      throw err;
    });
  }

  // open shows path in a FamilyHub window: an open one is navigated there
  // and focused, else a new one is opened.
  async function open(path) {
    const target = new URL(appPath(path), self.location.origin).href;
    const wins = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const w of wins) {
      if (new URL(w.url).origin !== self.location.origin) continue;
      let c = w;
      if (w.url !== target && 'navigate' in w) c = (await w.navigate(target).catch(() => null)) || w;
      if ('focus' in c) await c.focus().catch(() => {});
      return c;
    }
    return self.clients.openWindow(target);
  }

  self.addEventListener('push', (e) => {
    e.waitUntil(show(payload(e.data)));
  });

  self.addEventListener('notificationclick', (e) => {
    e.notification.close();
    const done = open(e.notification.data && e.notification.data.url);
    // Only the browser's own events may extend their lifetime; a test that
    // dispatches a click through DevTools gets an untrusted one.
    if (e.isTrusted) e.waitUntil(done);
  });

  // The push service replaced the subscription (keys rotated, expiry):
  // subscribe again with the server's key and store it for the same
  // device, which the server remembers by the old endpoint.
  self.addEventListener('pushsubscriptionchange', (e) => {
    e.waitUntil((async () => {
      const old = e.oldSubscription;
      const res = await fetch('/api/push/subscriptions', { credentials: 'same-origin' });
      if (!res.ok) return;
      const { subscriptions } = await res.json();
      const mine = old && subscriptions.find((s) => s.endpoint === old.endpoint);
      if (!mine) return;
      const key = await (await fetch('/api/push/vapid-public-key', { credentials: 'same-origin' })).json();
      const sub = e.newSubscription || await self.registration.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: key.key,
      });
      await fetch('/api/push/subscriptions', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-Device-ID': mine.device_id },
        body: JSON.stringify(sub.toJSON()),
      });
    })().catch(() => {}));
  });

  // For the browser tests (and the console).
  self.familyhubPush = { text, show, open };
})();
