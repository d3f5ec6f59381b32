package main

import (
	"fmt"
	"testing"
	"time"
)

// patchesSince counts the app's PATCH /api/family begun since
// window.__patchMark (holdAnswers notes them where they begin).
const patchesSince = `window.__sent.slice(window.__patchMark).filter((w) => w === 'PATCH /api/family').length`

// TestBrowserFamilySettingsVersionForward: Ana's Save of a name is
// answered (version v+1) and its answer held; meanwhile her phone's new
// time zone (v+2) is heard and builds the page again, and the rebuilt form
// takes in v+2. When the held answer arrives, the form keeps v+2: her
// next Save is one PATCH. Before, the answer took the form back to v+1,
// and the next Save met a 412 and was silently sent again (two PATCHes).
func TestBrowserFamilySettingsVersionForward(t *testing.T) {
	browserTest(t)
	c, ana, _, b := anaOnFamilyPage(t)
	b.waitJS("live", `document.getElementById('conn').dataset.state === 'live'`, 5*time.Second)
	eval[bool](b, holdAnswers)
	eval[bool](b, `(window.__hold = (p, m) => p === '/api/family' && m === 'PATCH', true)`)
	v := eval[int](b, `window.familyhub.me.family.version`)
	b.setValue(`#family-name`, "Rivera-Lopez")
	b.click(`.settings-form button[type=submit]`)
	b.waitJS("the Save answered and held", `window.__held.length === 1`, 5*time.Second)
	eval[bool](b, `(window.__hold = () => false, true)`)

	rebuilt := rebuildBy(t, c, ana, b, "Asia/Tokyo")
	rebuilt("the phone's zone heard, the page built again", fmt.Sprintf(`window.familyhub.me.family.version === %d`, v+2))
	eval[bool](b, `(window.__release(), true)`)
	b.waitJS("saved", `document.querySelector('.settings-form [role=status]')?.textContent === 'Saved.'`, 5*time.Second)

	eval[bool](b, `(window.__patchMark = window.__sent.length, true)`)
	b.setValue(`#family-name`, "Rivera-Lopez family")
	b.click(`.settings-form button[type=submit]`)
	b.waitJS("the second Save done", `document.querySelector('.settings-form [role=status]')?.textContent === 'Saved.'
		&& window.familyhub.me.family.name === 'Rivera-Lopez family'`, 5*time.Second)
	if n := eval[int](b, patchesSince); n != 1 {
		t.Errorf("the Save after the held answer sent PATCH /api/family %d times, want once (the form's version went back)", n)
	}
	family := restAs(t, ana, c.a, "GET", "/api/me", nil)["family"].(map[string]any)
	if family["name"] != "Rivera-Lopez family" || family["time_zone"] != "Asia/Tokyo" {
		t.Errorf("the family is %v / %v, want her name and the phone's zone", family["name"], family["time_zone"])
	}
}

// TestBrowserFamilyPinDialogThroughRebuild: Ana sets Mia's PIN; the
// dialog (outside the page) stays open with the PIN typed when her
// phone's new time zone builds the page again, and its Save, answered
// after a second rebuild, says "The PIN of Mia is set." on the members
// part shown then; the line stays through a further rebuild. Before, the
// line was written into the part gone and Ana saw nothing.
func TestBrowserFamilyPinDialogThroughRebuild(t *testing.T) {
	browserTest(t)
	c, ana, _, b := anaOnFamilyPage(t)
	inv := restAs(t, ana, c.a, "POST", "/api/family/invites", map[string]any{"role": "child"})
	mia := signupAt(t, c.a.URL(), fmt.Sprintf(`{"email":"mia@example.org","password":"correct horse","display_name":"Mia","invite_code":%q}`, inv["code"]))
	b.waitJS("Mia in the list", memberEl("Mia"), 5*time.Second)
	rebuilt := rebuildBy(t, c, ana, b, "Asia/Tokyo", "America/Chicago", "Europe/Lisbon")

	b.click(fmt.Sprintf(`button[data-key="pin-%s"]`, mia.userID))
	b.waitJS("PIN dialog", dialogOpen, 5*time.Second)
	b.setValue(`dialog[open] input[name=pin]`, "2468")
	rebuilt("the page built again, the dialog open", `document.querySelector('dialog[open] input[name=pin]')?.value === '2468'`)

	eval[bool](b, holdAnswers)
	eval[bool](b, `(window.__hold = (p, m) => p.endsWith('/pin') && m === 'PUT', true)`)
	b.click(`dialog[open] button[type=submit]`)
	b.waitJS("the PIN's answer held", `window.__held.length === 1`, 5*time.Second)
	eval[bool](b, `(window.__hold = () => false, true)`)
	rebuilt("the page built again, the Save on its way", `!!document.querySelector('.member-status')`)
	eval[bool](b, `(window.__release(), true)`)
	b.waitJS("the dialog closed", `!document.querySelector('dialog[open]')`, 5*time.Second)
	const want = "The PIN of Mia is set."
	b.waitJS("Mia's PIN shown", memberEl("Mia")+`?.querySelector('.tag')?.textContent === 'PIN'`, 5*time.Second)
	if got := visibleText(b, ".member-status"); got != want {
		t.Errorf("after the PIN's Save the members' line says %q, want %q", got, want)
	}
	rebuilt("built again once more", `!!document.querySelector('.member-status')`)
	if got := visibleText(b, ".member-status"); got != want {
		t.Errorf("after another rebuild the members' line says %q, want %q", got, want)
	}
}

// TestBrowserInviteRoleAfterDemotion: Ana picks "Owner" in the invite
// form; Ben (an owner) makes her an adult, and the page is built again
// without that choice. The role picker then shows a role she may give
// (Adult, the first), not a blank one whose invite the server refuses.
func TestBrowserInviteRoleAfterDemotion(t *testing.T) {
	browserTest(t)
	c, ana, ben, b := anaOnFamilyPage(t)
	restAs(t, ana, c.a, "PATCH", "/api/family/members/"+ben.userID, map[string]any{"role": "owner"})
	b.setValue(`#invite-role`, "owner")
	restAs(t, ben, c.b, "PATCH", "/api/family/members/"+ana.userID, map[string]any{"role": "member"})
	b.waitJS("the page built again for an adult", `window.familyhub.me.role === 'member' && document.querySelector('#invite-role')
		&& !document.querySelector('#invite-role option[value=owner]')`, 5*time.Second)
	if got := eval[string](b, `document.querySelector('#invite-role').value`); got != "member" {
		t.Errorf("after Ana became an adult the invite's role is %q, want member", got)
	}
}

// TestBrowserSignOutOthersThroughRebuild: Ana asks to sign out her other
// devices; while the question is open (outside the page) her other
// session's new time zone builds the page again, and she confirms. The
// page shown then says how many were signed out and lists only this
// device. Before, the line and the re-read went to the part gone: the
// new list still showed the session just ended.
func TestBrowserSignOutOthersThroughRebuild(t *testing.T) {
	browserTest(t)
	c, ana, _, b := anaOnFamilyPage(t)
	sessions := `document.querySelectorAll('.session-rows li.session')`
	b.waitJS("two sessions", sessions+`.length === 2`, 5*time.Second)
	b.clickText(`#main button`, "Sign out other devices")
	b.waitJS("the question", `document.querySelector('dialog.ask[open]')`, 5*time.Second)
	rebuildBy(t, c, ana, b, "Asia/Tokyo")("the page built again, the question open", `!!document.querySelector('dialog.ask[open]') && `+sessions+`.length === 2`)
	eval[bool](b, holdAnswers)
	b.click(`dialog.ask[open] button.danger`)
	b.waitJS("the question answered", `!document.querySelector('dialog.ask[open]') && window.__done.includes('DELETE /api/auth/sessions')`, 5*time.Second)
	// The answer's own turns: what it writes is done by the time a fetch of the page's ends.
	evalAwait[bool](b, `fetch('/api/me').then(() => new Promise((r) => setTimeout(r, 0))).then(() => true)`)
	if got := visibleText(b, `.session-rows + [role=status]`); got != "1 device signed out." {
		t.Errorf("after the answer the devices' line says %q, want %q", got, "1 device signed out.")
	}
	b.waitJS("only this device listed", sessions+`.length === 1`, 5*time.Second)
}
