package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/notify/pushtest"
)

// The PWA's acceptance test for issue 18: the Notifications part of the
// Family page (views/family-notifications.js).
//
// How push stands in, headless: Chromium's pushManager.subscribe talks to
// the browser vendor's push service (FCM), which a test cannot reach or
// read, so a test cannot use the real one. The laptop's page gets a stub
// of PushManager.prototype.subscribe/getSubscription (pushStub, installed
// before the app's scripts) that answers a subscription made by
// notify/pushtest (endpoint and keys a browser would make, for the
// server's VAPID key), and refuses any other applicationServerKey than
// the one the server gives: the page's own flow (permission through
// DevTools' Browser.setPermission, the key from GET
// /api/push/vapid-public-key, POST /api/push/subscriptions, DELETE and
// unsubscribe) is what runs. The server then really sends to pushtest,
// which checks VAPID and decrypts the test notice. What the service
// worker does with a push is TestBrowserPushNotification's.
//
// Notification settings and subscriptions make no realtime event (no
// trigger in 00015_notifications.sql writes to the event log for them):
// another device's page re-reads them when its window gets the focus back
// or its tab becomes visible (and on reconnect). The test shows that
// refresh by dispatching the window's focus event, as coming back to the
// app does.
func TestBrowserNotifications(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t, func(cf *Config) { cf.Notify.AllowPrivate = true })
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	var key struct{ Key string }
	ana.call(t, c.a.URL(), http.StatusOK, "GET", "/api/push/vapid-public-key", nil, &key)
	push := pushtest.New(t)
	sub := push.Subscribe(key.Key)

	laptop := newDevice(t, "Ana-laptop", laptopW, laptopH, browserOpts{lang: "en-GB", script: pushStub(key.Key, sub)})
	setNotificationPermission(t, laptop, c.a.URL(), cdpbrowser.PermissionSettingGranted)
	phone := newDevice(t, "Ana-phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	bens := newDevice(t, "Ben-phone", phoneW, phoneH, browserOpts{lang: "de-DE"})
	setNotificationPermission(t, bens, c.b.URL(), cdpbrowser.PermissionSettingDenied)
	signInAll(t,
		func() { laptop.login(c.a.URL(), "ana@example.org") },
		func() { phone.login(c.b.URL(), "ana@example.org") },
		func() { bens.login(c.b.URL(), "ben@example.org") })
	for _, b := range []*browser{laptop, phone} {
		b.goFamily()
		b.waitJS("notifications loaded, off", notifyState("off"), 10*time.Second)
	}
	if eval[bool](phone, `!!document.querySelector('li.push-device')`) {
		t.Fatal("a device with push before any was turned on")
	}

	// Device A turns push on from the page.
	laptop.click(`#notify-toggle`)
	laptop.waitJS("on for this device", notifyState("on")+` && document.querySelector('#notify-status').textContent === 'Notifications are on for this device.'`, 15*time.Second)
	if got := eval[string](laptop, `window.__pushSubscribeKey`); got != key.Key {
		t.Errorf("subscribed with applicationServerKey %q, want the server's %q", got, key.Key)
	}
	var subs struct {
		Subscriptions []struct {
			ID       string `json:"id"`
			Endpoint string `json:"endpoint"`
			DeviceID string `json:"device_id"`
		} `json:"subscriptions"`
	}
	ana.call(t, c.a.URL(), http.StatusOK, "GET", "/api/push/subscriptions", nil, &subs)
	if len(subs.Subscriptions) != 1 || subs.Subscriptions[0].Endpoint != sub.Endpoint {
		t.Fatalf("the server holds %+v, want the laptop's subscription %s", subs.Subscriptions, sub.Endpoint)
	}
	laptopSub := subs.Subscriptions[0].ID
	var st struct {
		Member struct {
			Language   *string                      `json:"language"`
			QuietHours *struct{ Start, End string } `json:"quiet_hours"`
		} `json:"member"`
	}
	ana.call(t, c.a.URL(), http.StatusOK, "GET", "/api/notifications/settings", nil, &st)
	if st.Member.Language == nil || *st.Member.Language != "en" {
		t.Errorf("turning on set the language to %v, want the app's (en)", st.Member.Language)
	}
	laptop.waitJS("this device in the list", fmt.Sprintf(`document.querySelector('li.push-device[data-id=%q]')?.dataset.this === 'true'`, laptopSub), 5*time.Second)

	// A test notice reaches the push service, from the page's button.
	laptop.click(`#notify-test`)
	laptop.waitJS("test sent", `document.querySelector('#notify-status').textContent.startsWith('Test sent.')`, 10*time.Second)
	waitUntil(t, "the test notice at the push service", 30*time.Second, func() bool {
		for _, p := range pushPayloads(t, push.Messages(sub)) {
			if p.Kind == "test" {
				return true
			}
		}
		return false
	})

	// Device B (other replica) lists device A's subscription on its
	// refresh: the window's focus.
	phone.markPage()
	eval[bool](phone, `(window.dispatchEvent(new Event('focus')), true)`)
	phone.waitJS("the laptop's subscription on the phone", fmt.Sprintf(`document.querySelector('li.push-device[data-id=%q]')?.dataset.this === 'false'`, laptopSub)+` && `+notReloaded, 10*time.Second)
	if eval[string](phone, `document.querySelector('#notify').dataset.state`) != "off" {
		t.Error("the phone says it receives notifications")
	}

	// Quiet hours on the phone: start and end the same is refused, by name.
	phone.click(`#notify input[name=quiet]`)
	phone.waitJS("quiet hours shown", `!document.querySelector('#notify input[name=quiet_start]').closest('[hidden]')`, 5*time.Second)
	phone.setValue(`#notify input[name=quiet_start]`, "22:00")
	phone.setValue(`#notify input[name=quiet_end]`, "22:00")
	phone.click(`#notify form.notify-form button[type=submit]`)
	phone.waitJS("the quiet hours error", `document.querySelector('#notify-form-error')?.textContent === 'Quiet hours must start and end at different times.'
		&& !document.querySelector('#notify-form-error').hidden
		&& document.querySelector('#notify input[name=quiet_start]').getAttribute('aria-invalid') === 'true'`, 10*time.Second)
	phone.setValue(`#notify input[name=task_lead_minutes]`, "2000")
	phone.setValue(`#notify input[name=quiet_end]`, "06:30")
	phone.click(`#notify form.notify-form button[type=submit]`)
	phone.waitJS("the lead time error", `document.querySelector('#notify-form-error')?.textContent === 'Please enter minutes from 0 to 1440.'
		&& document.activeElement === document.querySelector('#notify input[name=task_lead_minutes]')`, 10*time.Second)
	phone.setValue(`#notify input[name=task_lead_minutes]`, "10")
	phone.click(`#notify form.notify-form button[type=submit]`)
	phone.waitJS("saved", `document.querySelector('#notify-saved').textContent === 'Notification settings saved.' && document.querySelector('#notify-form-error').hidden`, 10*time.Second)
	ana.call(t, c.a.URL(), http.StatusOK, "GET", "/api/notifications/settings", nil, &st)
	if q := st.Member.QuietHours; q == nil || q.Start != "22:00" || q.End != "06:30" {
		t.Errorf("quiet hours stored %+v, want 22:00-06:30", q)
	}
	phone.fullShot("notifications-phone")

	// The laptop shows the phone's change on its refresh.
	laptop.markPage()
	eval[bool](laptop, `(window.dispatchEvent(new Event('focus')), true)`)
	laptop.waitJS("quiet hours on the laptop", `document.querySelector('#notify input[name=quiet]').checked
		&& document.querySelector('#notify input[name=quiet_end]').value === '06:30'
		&& document.querySelector('#notify input[name=task_lead_minutes]').value === '10' && `+notReloaded, 10*time.Second)
	laptop.fullShot("notifications-laptop")

	// Off on the laptop: the server forgets it and the browser unsubscribes.
	laptop.click(`#notify-toggle`)
	laptop.waitJS("off for this device", notifyState("off")+` && window.__pushUnsubscribed === 1 && !document.querySelector('li.push-device')`, 10*time.Second)
	ana.call(t, c.a.URL(), http.StatusOK, "GET", "/api/push/subscriptions", nil, &subs)
	if len(subs.Subscriptions) != 0 {
		t.Errorf("after turning off the server holds %+v", subs.Subscriptions)
	}

	// Offline, the phone says so and the controls wait; back online they
	// work again.
	phone.setOffline(true)
	phone.waitJS("offline note", `!document.querySelector('#notify-offline').hidden && document.querySelector('#notify-toggle').disabled
		&& document.querySelector('#notify form.notify-form button[type=submit]').disabled`, 10*time.Second)
	phone.setOffline(false)
	phone.waitJS("online again", `document.querySelector('#notify-offline').hidden && !document.querySelector('#notify-toggle').disabled
		&& !document.querySelector('#notify form.notify-form button[type=submit]').disabled`, 10*time.Second)

	// In German, with notifications blocked in the browser: the way to
	// allow them, and a refused value, in German only.
	bens.goFamily()
	bens.waitJS("blocked, in German", notifyState("denied")+` && document.querySelector('#notify-state').textContent === 'Benachrichtigungen sind für FamilyHub in diesem Browser blockiert.'
		&& document.querySelector('#notify-help').textContent.includes('Zulassen') && document.querySelector('#notify-toggle').disabled`, 10*time.Second)
	if s := eval[string](bens, `document.querySelector('#h-notify').textContent`); s != "Benachrichtigungen" {
		t.Errorf("German heading %q", s)
	}
	bens.setValue(`#notify input[name=calendar_lead_minutes]`, "-5")
	bens.click(`#notify form.notify-form button[type=submit]`)
	bens.waitJS("the German error", `document.querySelector('#notify-form-error')?.textContent === 'Bitte gib Minuten von 0 bis 1440 ein.'`, 10*time.Second)
	germanOnly(bens, "notifications", []string{"Ana", "Ben", "BE", "AN", "ben@example.org", "Rivera", "Weekly"})
	bens.fullShot("notifications-de-phone")
}

// notifyState is the condition "the Notifications part shows this state"
// (on, off, denied, unsupported).
func notifyState(s string) string {
	return fmt.Sprintf(`document.querySelector('#notify')?.dataset.state === %q`, s)
}

// setNotificationPermission answers the page's Notification.requestPermission.
func setNotificationPermission(t *testing.T, b *browser, origin string, s cdpbrowser.PermissionSetting) {
	t.Helper()
	if _, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
		Permission: &cdpbrowser.PermissionDescriptor{Name: "notifications"}, Setting: s, Origin: origin,
	}); err != nil {
		t.Fatal(err)
	}
}

// pushStub replaces PushManager's subscribe and getSubscription in every
// document with sub (see TestBrowserNotifications): subscribe refuses any
// key but appKey and records the one it got (window.__pushSubscribeKey);
// unsubscribe counts (window.__pushUnsubscribed). Whether the device is
// subscribed survives reloads (localStorage), as a browser's would.
func pushStub(appKey string, sub *pushtest.Subscription) string {
	j, _ := json.Marshal(sub.JSON())
	return fmt.Sprintf(`(() => {
  if (typeof PushManager === 'undefined') return;
  const SUB = %s, KEY = %q, FLAG = 'test.pushSubscribed';
  const b64 = (k) => typeof k === 'string' ? k : btoa(String.fromCharCode(...new Uint8Array(k.buffer || k))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const made = () => ({
    endpoint: SUB.endpoint, expirationTime: null, options: { userVisibleOnly: true, applicationServerKey: null },
    toJSON: () => SUB,
    unsubscribe: async () => { localStorage.removeItem(FLAG); window.__pushUnsubscribed = (window.__pushUnsubscribed || 0) + 1; return true; },
  });
  PushManager.prototype.subscribe = async function (o) {
    window.__pushSubscribeKey = b64(o.applicationServerKey);
    if (!o.userVisibleOnly || window.__pushSubscribeKey !== KEY) throw new DOMException('not the server key', 'InvalidAccessError');
    localStorage.setItem(FLAG, '1');
    return made();
  };
  PushManager.prototype.getSubscription = async function () { return localStorage.getItem(FLAG) ? made() : null; };
})();`, j, appKey)
}
