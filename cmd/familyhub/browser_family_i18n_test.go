package main

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// fullShot saves the whole page (not only the viewport) as
// test-artifacts/<name>.png: the Family page is long.
func (b *browser) fullShot(name string) {
	b.t.Helper()
	eval[bool](b, `(document.activeElement?.blur?.(), true)`)
	b.savePNG(name, chromedp.FullScreenshot(100))
}

// lockOut makes email fail to sign in from this address until it is locked.
func lockOut(t *testing.T, base, email string) {
	t.Helper()
	for i := 0; i < 12; i++ {
		resp, err := http.Post(base+"/api/auth/login", "application/json",
			strings.NewReader(fmt.Sprintf(`{"email":%q,"password":"wrong horse"}`, email)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			return
		}
	}
	t.Fatalf("%s: not locked after 12 wrong passwords", email)
}

// TestBrowserFamilyGerman: with a German browser, the screens of issue 14
// have no English word: the Family page of an owner (members with roles, a
// locked member, a child with a PIN, invites, children's devices, my
// devices, password, settings, leaving and deleting) and each of its
// questions and dialogs and errors; the sign-in page of a children's
// device, a wrong PIN, the reset page and a wrong code, a removed member's
// sign-in; a child's Family page and a task the child may only read.
func TestBrowserFamilyGerman(t *testing.T) {
	browserTest(t)
	c := newCluster(t)
	base := c.a.URL()
	ana := signupAt(t, base, `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera","time_zone":"Europe/Berlin"}`)
	inv := func(role string) string {
		return restAs(t, ana, c.a, "POST", "/api/family/invites", map[string]any{"role": role})["code"].(string)
	}
	signupAt(t, base, fmt.Sprintf(`{"email":"ben@example.org","password":"correct horse","display_name":"Ben","invite_code":%q}`, inv("member")))
	mia := signupAt(t, base, fmt.Sprintf(`{"email":"mia@example.org","password":"correct horse","display_name":"Mia","invite_code":%q}`, inv("child")))
	tom := signupAt(t, base, fmt.Sprintf(`{"email":"tom@example.org","password":"correct horse","display_name":"Tom","invite_code":%q}`, inv("member")))
	restAs(t, ana, c.a, "PUT", "/api/family/members/"+mia.userID+"/pin", map[string]any{"pin": "2468"})
	restAs(t, ana, c.a, "DELETE", "/api/family/members/"+tom.userID, nil)
	inv("child") // an open one
	lockOut(t, base, "ben@example.org")
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Wocheneinkauf"})
	restAs(t, ana, c.a, "POST", "/api/tasks", map[string]any{"title": "Zimmer aufräumen", "assignee_id": mia.userID})
	me := restAs(t, ana, c.a, "GET", "/api/me", nil)
	familyCode := me["family"].(map[string]any)["code"].(string)
	data := []string{"Ana", "Ben", "Mia", "Rivera", "ana@example.org", "ben@example.org", "mia@example.org", "tom@example.org",
		"Wocheneinkauf", "Zimmer aufräumen", "Europe/Berlin", "FamilyHub", "Küchen-Tablet", "Chrome", "Linux", familyCode,
		"AN", "BE", "MI", "ABCDE-FGHJK", "Mars/Olympus"}
	with := func(extra ...string) []string { return append(slices.Clone(data), extra...) }

	b := newDevice(t, "de-laptop", laptopW, laptopH, browserOpts{lang: "de-DE"})
	b.login(base, "ana@example.org")
	b.goFamily()
	b.waitJS("the locked member and the child's PIN", memberEl("Ben")+`?.querySelector('.warn') && `+memberEl("Mia")+`?.querySelector('.tag')`, 5*time.Second)
	germanOnly(b, "Familie (Admin)", data)
	b.fullShot("family-de-owner")

	escape := func(what string) {
		t.Helper()
		b.do(chromedp.KeyEvent("\x1b"))
		b.waitJS(what+" closed", `!document.querySelector('dialog[open]')`, 5*time.Second)
	}
	question := func(what string, extra ...string) {
		t.Helper()
		b.waitJS(what, dialogOpen, 5*time.Second)
		germanOnly(b, what, with(extra...))
		escape(what)
	}

	// Members: role, remove, reset code, PIN, unlock.
	b.setValue(memberRow("Ben")+` select.role`, "owner")
	question("Frage: Admin-Rolle übergeben")
	b.waitJS("role back on cancel", memberEl("Ben")+`.querySelector('select.role').value === 'member'`, 5*time.Second)
	b.click(memberRow("Ben") + ` button[data-key^="remove-"]`)
	question("Frage: Mitglied entfernen")
	b.click(memberRow("Ben") + ` button[data-key^="reset-"]`)
	b.waitJS("reset code", `document.querySelector('dialog[open] .copyable input')`, 5*time.Second)
	question("Rücksetzcode", eval[string](b, `document.querySelector('dialog[open] .copyable input').value`))
	b.click(memberRow("Mia") + ` button[data-key^="pin-"]`)
	question("PIN-Dialog", familyCode)
	b.click(memberRow("Ben") + ` button[data-key^="unlock-"]`)
	b.waitJS("unlocked", `document.querySelector('.member-status').textContent !== '' && !`+memberEl("Ben")+`.querySelector('.warn')`, 5*time.Second)
	germanOnly(b, "entsperrt", data)

	// Invites.
	b.setValue(`#invite-role`, "child")
	b.setValue(`#invite-ttl`, "72")
	b.click(`.invite-form button[type=submit]`)
	b.waitJS("new invite code", `document.querySelector('.invite strong.code')`, 5*time.Second)
	// The code and the link to join with it are data.
	data = append(data, eval[string](b, `document.querySelector('.invite strong.code').textContent`), eval[string](b, `document.querySelector('.invite a').textContent`))
	germanOnly(b, "neuer Einladungscode", data)
	b.click(`.invite .copy-line:has(strong.code) button.copy`)
	b.waitJS("Kopiert", `['Kopiert.', 'Markiert: Jetzt kopieren (Strg+C oder „Kopieren“ im Menü).'].includes(document.querySelector('.invite .copy-line:has(strong.code) [role=status]')?.textContent)`, 5*time.Second)
	germanOnly(b, "Einladungscode kopiert", data)
	b.click(`.invite-rows li[data-status=open] button.danger`)
	question("Frage: Einladung widerrufen")

	// My devices, password.
	b.clickText(`#main button`, "Andere Geräte abmelden")
	question("Frage: andere Geräte abmelden")
	b.click(`details.password summary`)
	b.setValue(`.password-form input[name=current_password]`, "wrong horse")
	b.setValue(`.password-form input[name=new_password]`, "battery staple")
	b.click(`.password-form button[type=submit]`)
	b.waitJS("wrong current password", `!document.querySelector('.password-form .form-error').hidden`, 5*time.Second)
	germanOnly(b, "falsches Passwort", data)

	// Settings: another device renamed the family while Ana typed a new
	// name; her Save says so (If-Match), and she takes the other name.
	b.setValue(`#family-name`, "Familie Rivera")
	restAs(t, ana, c.a, "PATCH", "/api/family", map[string]any{"name": "Riveras"})
	b.click(`.settings-form button[type=submit]`)
	b.waitJS("settings conflict", `!document.querySelector('.settings-conflict').hidden`, 5*time.Second)
	germanOnly(b, "Einstellungen: gleichzeitig geändert", with("Familie Rivera", "Riveras"))
	if said := eval[string](b, `document.querySelector('.settings-conflict').textContent`); !strings.Contains(said, "Du hast den Familiennamen woanders in „Riveras“ geändert; hier steht „Familie Rivera“.") {
		t.Errorf("the German conflict line says %q, want it to say she changed the name elsewhere", said)
	}
	b.clickText(`.settings-conflict button`, "Die andere behalten")
	b.waitJS("the other name taken", `document.getElementById('family-name').value === 'Riveras' && document.querySelector('.settings-conflict').hidden`, 5*time.Second)
	data = append(data, "Riveras")

	// Settings: a time zone that does not exist, refused at its field.
	b.setValue(`#family-zone`, "Mars/Olympus")
	b.click(`.settings-form button[type=submit]`)
	b.waitJS("time zone refused", `!document.querySelector('.settings-form .form-error').hidden && document.getElementById('family-zone').getAttribute('aria-invalid') === 'true'`, 5*time.Second)
	germanOnly(b, "falsche Zeitzone", data)

	// Leaving and deleting: Ana is the only owner, so she hands over first.
	b.clickText(`.endings button`, "Familie verlassen")
	question("Übergabe und verlassen")
	b.clickText(`.endings button`, "Mein Konto löschen")
	question("Übergabe und Konto löschen")
	b.clickText(`.endings button`, "Familie löschen")
	b.waitJS("delete family dialog", dialogOpen, 5*time.Second)
	b.setValue(`dialog[open] input[name=confirm_name]`, "Riviera")
	b.click(`dialog[open] button[type=submit]`)
	b.waitJS("name mismatch", `!document.querySelector('dialog[open] .dialog-error').hidden`, 5*time.Second)
	germanOnly(b, "Familie löschen: falscher Name", with("Riviera"))
	escape("Familie löschen")

	// This laptop becomes a children's device.
	b.setValue(`#child-device-name`, "Küchen-Tablet")
	b.click(`.child-device-form button[type=submit]`)
	b.waitJS("set up", `document.querySelector('.this-device strong')`, 5*time.Second)
	germanOnly(b, "Kindergerät eingerichtet", data)
	b.fullShot("family-de-owner-child-device")
	b.clickText(`.this-device button`, "Für die Kinder abmelden")
	b.waitJS("PIN sign-in", `location.pathname === '/login' && document.querySelector('.pin-form input[name=pin]')`, 5*time.Second)
	germanOnly(b, "PIN-Anmeldung", data)
	b.setValue(`.pin-form input[name=name]`, "Mia")
	b.setValue(`.pin-form input[name=pin]`, "1357")
	b.click(`.pin-form button[type=submit]`)
	b.waitJS("wrong PIN", `!document.querySelector('.pin-form .form-error').hidden`, 5*time.Second)
	germanOnly(b, "falsche PIN", data)
	b.click(`details.adult-signin summary`)
	b.waitJS("adults' sign-in", `document.querySelector('details.adult-signin[open] input[name=email]')`, 5*time.Second)
	germanOnly(b, "Anmeldung für Erwachsene", data)
	b.setValue(`details.adult-signin input[name=email]`, "tom@example.org")
	b.setValue(`details.adult-signin input[name=password]`, "correct horse")
	b.click(`details.adult-signin button[type=submit]`)
	b.waitJS("a removed member's sign-in", `!document.querySelector('details.adult-signin .form-error').hidden`, 5*time.Second)
	germanOnly(b, "Anmeldung ohne Familie", data)
	b.screenshot("pin-sign-in-de")

	b.goTo("/reset", `document.querySelector('input[name=code]')`)
	germanOnly(b, "Passwort zurücksetzen", data)
	b.setValue(`input[name=email]`, "ben@example.org")
	b.setValue(`input[name=code]`, "ABCDE-FGHJK")
	b.setValue(`input[name=new_password]`, "battery staple")
	b.click(`form button[type=submit]`)
	b.waitJS("wrong reset code", `!document.querySelector('.form-error').hidden`, 5*time.Second)
	germanOnly(b, "falscher Rücksetzcode", data)

	// Mia, with her PIN: her Family page, and a task she may only read.
	b.goTo("/login", `document.querySelector('.pin-form input[name=pin]')`)
	b.setValue(`.pin-form input[name=name]`, "Mia")
	b.setValue(`.pin-form input[name=pin]`, "2468")
	b.click(`.pin-form button[type=submit]`)
	b.waitJS("Mia signed in", `window.familyhub.me?.role === 'child' && location.pathname.startsWith('/shopping')`, 10*time.Second)
	b.waitLive()
	b.goFamily()
	germanOnly(b, "Familie (Kind)", data)
	b.fullShot("family-de-child")
	b.goTo("/tasks", `document.querySelector('li.task')`)
	b.clickText(`li.task button.task-open`, "Zimmer aufräumen")
	question("Aufgabe (nur lesen)")
}
