package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserRemovalOverFallbacks: a member removed while the app is live
// over long polling (English) or SSE (German) is told why on the sign-in
// page, as over a WebSocket (TestBrowserFamilyRemoval): no longer a
// member, not "your session ended". Before, the long poll's 401 said
// nothing more than unauthorized, and the app showed the generic sentence.
// Opened again later (as a device offline during the removal is), the app
// says it again. What the device kept of the family is wiped.
func TestBrowserRemovalOverFallbacks(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	ben := joinAt(t, m.URL(), ana, "ben@example.org", "Ben")
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})

	poll := newDevice(t, "Ben-poll", phoneW, phoneH, browserOpts{lang: "en-GB", script: noWebSocket + ` window.EventSource = undefined;`})
	sse := newDevice(t, "Ben-sse", laptopW, laptopH, browserOpts{lang: "de-DE", script: noWebSocket})
	signInAll(t,
		func() { poll.login(m.URL(), "ben@example.org") },
		func() { sse.login(m.URL(), "ben@example.org") })
	for b, want := range map[*browser]string{poll: "poll", sse: "sse"} {
		if tr := eval[string](b, `document.getElementById('conn').dataset.transport`); tr != want {
			t.Fatalf("%s: transport %q, want %q", b.name, tr, want)
		}
	}
	// The stream and a waiting long poll (not one between two polls).
	waitUntil(t, "Ben's stream and long poll open", 10*time.Second, func() bool { return m.Hub.ConnectionCount() == 2 })
	for b := range map[*browser]bool{poll: true, sse: true} {
		deadline := time.Now().Add(10 * time.Second)
		for keptCount(b) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("%s: nothing kept on the device before the removal", b.name)
			}
		}
	}

	restAs(t, ana, m, "DELETE", "/api/family/members/"+ben.userID, nil)
	said := map[*browser]string{
		poll: "You were removed from the family, so this device was signed out. If you have been invited back, sign in again; if not, ask a family member for an invite code.",
		sse:  "Du wurdest aus der Familie entfernt, daher wurde dieses Gerät abgemeldet. Wenn du wieder eingeladen wurdest, melde dich erneut an; sonst bitte ein Familienmitglied um einen Einladungscode.",
	}
	signInSays := func(when string) {
		for b, want := range said {
			b.waitJS(when+": the sign-in page", `location.pathname === '/login' && document.querySelector('.notice') && document.querySelector('input[name=email]')`, 10*time.Second)
			if msg := eval[string](b, `document.querySelector('.notice').textContent`); msg != want {
				t.Errorf("%s, %s: says %q on the sign-in page, want %q", b.name, when, msg, want)
			}
		}
	}
	signInSays("removed while live")
	// What the device kept of the family goes with the membership: the
	// family's lists are no longer Ben's to see.
	for b := range said {
		deadline := time.Now().Add(10 * time.Second)
		for keptCount(b) > 0 {
			if time.Now().After(deadline) {
				// What is still kept names the write that came after the wipe.
				t.Fatalf("%s: still kept after the removal: %s", b.name, evalAwait[string](b, `import('/js/idb.js').then(async (m) =>
					JSON.stringify({data: await m.all('data'), queue: await m.all('queue'), notices: await m.all('notices'), answers: await m.all('answers')}))`))
			}
		}
	}

	// Opened again later with the same cookie, as a device that was
	// offline during the removal is: the server cannot tell them apart,
	// and /api/me answers 401 removed_from_family to both. Before, that
	// was a bare unauthorized and the sign-in page said nothing.
	for b := range said {
		b.do(chromedp.Navigate(m.URL() + "/shopping"))
	}
	signInSays("opened again later")
	// Still nothing, also nothing a read or a timer on its way at the
	// removal wrote after the wipe (the realtime position's save, 300 ms
	// later, did before the fix).
	for b := range said {
		if n := keptCount(b); n != 0 {
			t.Errorf("%s: %d records kept after opening again", b.name, n)
		}
	}
}

// keptCount counts the records the app keeps in IndexedDB (its kept
// copies, waiting writes, notices and saved answers).
func keptCount(b *browser) int {
	return evalAwait[int](b, `import('/js/idb.js').then(async (m) =>
		(await m.all('data')).length + (await m.all('queue')).length + (await m.all('notices')).length + (await m.all('answers')).length)`)
}

// TestBrowserDialogGoesWithSession: Ana has the delete-the-family dialog
// open (the family's name typed) when Ben, an owner, removes her. Her
// app goes to the sign-in page and the dialog goes with the session.
// Before, it stayed open over the sign-in page, the family's name in it,
// and its Save still offered.
func TestBrowserDialogGoesWithSession(t *testing.T) {
	browserTest(t)
	c, ana, ben, b := anaOnFamilyPage(t)
	restAs(t, ana, c.a, "PATCH", "/api/family/members/"+ben.userID, map[string]any{"role": "owner"})
	b.click(`button[aria-describedby=delete-family-text]`)
	b.waitJS("the dialog", dialogOpen, 5*time.Second)
	b.setValue(`dialog[open] input[name=confirm_name]`, eval[string](b, `window.familyhub.me.family.name`))
	restAs(t, ben, c.b, "DELETE", "/api/family/members/"+ana.userID, nil)
	b.waitJS("the sign-in page", `location.pathname === '/login' && document.querySelector('input[name=email]')`, 10*time.Second)
	if open := eval[string](b, `document.querySelector('dialog[open]')?.textContent ?? ''`); open != "" {
		t.Errorf("after Ana was removed a dialog is still open over the sign-in page: %q", open)
	}
}
