package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// meReads counts the page's reads of GET /api/me (resource timing).
const meReads = `performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname === '/api/me').length`

// TestBrowserFamilyMeReadOnce: a settings Save takes the family from its
// own answer, and the FAMILY_UPDATED of the version it made is not read
// again; another device's change is (one read). Before, the Save re-read
// /api/me and so did its own event: two reads or three where one is due.
func TestBrowserFamilyMeReadOnce(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	b.login(c.a.URL(), "ana@example.org")
	b.goFamily()
	b.waitJS("live", `document.getElementById('conn').dataset.state === 'live'`, 5*time.Second)
	eval[bool](b, `(performance.setResourceTimingBufferSize(5000), performance.clearResourceTimings(), true)`)

	b.setValue(`#family-name`, "Saved here")
	b.click(`.settings-form button[type=submit]`)
	b.waitJS("saved", `document.querySelector('.settings-form [role=status]').textContent === 'Saved.'
		&& window.familyhub.me.family.name === 'Saved here'`, 5*time.Second)
	// Another device's rename, after the Save's own event: events come in
	// order, so once it is shown, the Save's event was handled before it.
	restAs(t, ana, c.b, "PATCH", "/api/family", map[string]any{"name": "Renamed there"})
	b.waitJS("the other device's name", `document.querySelector('#family-name').value === 'Renamed there'
		&& window.familyhub.me.family.name === 'Renamed there'`, 5*time.Second)
	if n := eval[int](b, meReads); n != 1 {
		t.Errorf("GET /api/me read %d times for a Save and another device's rename, want once (the other device's)", n)
	}
}

// TestBrowserFamilySettingsUnknownVersion: the app opened from a copy of
// /api/me an older app kept (no family version) and no live /api/me
// since: Ana's Save of a name reads the family first, so it is
// conditional, and meets her phone's rename made meanwhile as a conflict. Before,
// it went without If-Match and silently replaced the phone's name.
func TestBrowserFamilySettingsUnknownVersion(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	b.login(c.a.URL(), "ana@example.org")
	b.goFamily()
	keptOnDevice(b, "me")
	// The kept copy as an app without family versions kept it.
	evalAwait[bool](b, `import('/js/cache.js').then((c) => c.kept('me').then((m) => { delete m.family.version; return c.keep('me', m); })).then(() => true)`)
	fail := failRequests(t, b)
	fail.start("*/api/me", 502, `<html><body><h1>502 Bad Gateway</h1></body></html>`)
	b.do(chromedp.Reload())
	b.waitJS("opened from the kept copy", `document.querySelector('#family-name')?.value === 'Rivera' && window.familyhub.me.family.version === undefined`, 10*time.Second)
	// No live /api/me from here on: the realtime client stops, and a read
	// it began meanwhile has failed.
	evalAwait[bool](b, `(window.familyhub.rt.stop(), window.familyhub.refreshMe()).then(() => true)`)
	fail.stop()
	if v := eval[any](b, `window.familyhub.me.family.version ?? null`); v != nil {
		t.Fatalf("the family's version is %v, want none known", v)
	}

	restAs(t, ana, c.b, "PATCH", "/api/family", map[string]any{"name": "The Riveras"}) // her phone
	b.setValue(`#family-name`, "Rivera-Lopez")
	b.click(`.settings-form button[type=submit]`)
	b.waitJS("the conflict line", `document.querySelector('.settings-conflict')?.checkVisibility()`, 5*time.Second)
	family := func() map[string]any { return restAs(t, ana, c.a, "GET", "/api/me", nil)["family"].(map[string]any) }
	if got := family()["name"]; got != "The Riveras" {
		t.Fatalf("Ana's Save with the version unknown renamed the family to %v, want the phone's name kept", got)
	}
	if v := eval[string](b, `document.querySelector('#family-name').value`); v != "Rivera-Lopez" {
		t.Errorf("the name field shows %q after the conflict, want Ana's words", v)
	}
	b.clickText(`.settings-conflict button`, "Keep mine")
	waitUntil(t, "Ana's name saved after Keep mine", 5*time.Second, func() bool { return family()["name"] == "Rivera-Lopez" })
}
