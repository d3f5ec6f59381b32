package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// pinFamily is the Riveras (Ana, an adult, and the children Mia and Noah
// with PINs) and, beside them, the Lees with their child Kim (a PIN too);
// it answers the Riveras' children's device as the app keeps it
// (child-device.js) and Noah's user id.
func pinFamily(t *testing.T, m *Main) (device string, noah string) {
	t.Helper()
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	lee := signupAt(t, m.URL(), `{"email":"li@example.org","password":"correct horse","display_name":"Li","family_name":"Lee"}`)
	child := func(owner member, email, name, pin string) string {
		inv := restAs(t, owner, m, "POST", "/api/family/invites", map[string]any{"role": "child"})
		c := signupAt(t, m.URL(), fmt.Sprintf(`{"email":%q,"password":"correct horse","display_name":%q,"invite_code":%q}`, email, name, inv["code"]))
		restAs(t, owner, m, "PUT", "/api/family/members/"+c.userID+"/pin", map[string]any{"pin": pin})
		return c.userID
	}
	child(ana, "mia@example.org", "Mia", "2468")
	noah = child(ana, "noah@example.org", "Noah", "1357")
	child(lee, "kim@example.org", "Kim", "9753")
	joinAt(t, m.URL(), ana, "ben@example.org", "Ben") // an adult: never offered
	dev := restAs(t, ana, m, "POST", "/api/family/child-devices", map[string]any{"name": "Küchen-Tablet"})
	d, _ := json.Marshal(map[string]any{"id": dev["id"], "name": dev["name"], "key": dev["device_key"], "familyCode": dev["family_code"], "names": []string{}})
	return string(d), noah
}

// asChildDevice opens the sign-in page of b as the children's device
// device (kept in localStorage, as after an adult's setup).
func asChildDevice(b *browser, base, device string) {
	b.t.Helper()
	b.do(chromedp.Navigate(base + "/login"))
	b.waitJS("sign-in page", `document.querySelector('form input[name=email]')`, 10*time.Second)
	eval[bool](b, `(localStorage.setItem('familyhub.childDevice', `+js(device)+`), true)`)
	b.do(chromedp.Navigate(base + "/login"))
}

// TestBrowserPINChildren is ux28 #18: on the kitchen tablet (German, dark)
// the family's children are offered as large buttons (read with the
// device's key when the page opens): Noah taps his name (pressed, the PIN
// field focused), types his PIN and is signed in; another family's child
// and the adults are not offered. Where the names cannot be loaded (a
// phone, in English, whose request for them fails as offline or on an
// older server), it says so and the typed name still signs Mia in. Before,
// the page had only the typed name (and names that signed in there before).
func TestBrowserPINChildren(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	device, noah := pinFamily(t, m)

	tablet := newDevice(t, "tablet", 800, 1280, browserOpts{lang: "de-DE", dark: true})
	asChildDevice(tablet, m.URL(), device)
	names := `[...document.querySelectorAll('.pin-form .pin-names button.pin-child')].map((b) => b.textContent + ':' + b.getAttribute('aria-pressed')).join()`
	tablet.waitJS("the family's children as buttons", names+` === 'Mia:false,Noah:false'
		&& !document.querySelector('.pin-who[aria-busy]') && document.querySelector('.pin-names-status').textContent === ''`, 10*time.Second)
	if got := eval[string](tablet, `document.getElementById(document.querySelector('.pin-who').getAttribute('aria-labelledby')).textContent`); got != "Wer meldet sich an?" {
		t.Errorf("the buttons' group is labelled %q", got)
	}
	if small := eval[string](tablet, `[...document.querySelectorAll('button.pin-child')].filter((b) => { const r = b.getBoundingClientRect(); return r.height < 44 || r.width < 44; }).map((b) => b.textContent).join()`); small != "" {
		t.Errorf("buttons under 44 px: %s", small)
	}
	tablet.clickText(`button.pin-child`, "Noah")
	tablet.waitJS("Noah chosen, the PIN next", names+` === 'Mia:false,Noah:true'
		&& document.querySelector('.pin-form input[name=name]').value === 'Noah' && document.activeElement === document.querySelector('.pin-form input[name=pin]')`, 5*time.Second)
	tablet.screenshot("pin-children-de-dark-tablet")
	tablet.setValue(`.pin-form input[name=pin]`, "1357")
	tablet.click(`.pin-form button[type=submit]`)
	tablet.waitJS("Noah signed in", `window.familyhub.me?.user.id === `+js(noah)+` && location.pathname.startsWith('/shopping')`, 10*time.Second)

	// The names cannot be loaded: the page says so; the typed name works.
	phone := newDevice(t, "phone", 360, 740, browserOpts{lang: "en-GB", script: `{
		const send = window.fetch.bind(window);
		window.fetch = (input, init) => String(input?.url ?? input).endsWith('/api/auth/pin/children') ? Promise.reject(new TypeError('Failed to fetch')) : send(input, init);
	}`})
	asChildDevice(phone, m.URL(), device)
	phone.waitJS("no names, said", `document.querySelector('.pin-names-status')?.textContent === 'The names could not be loaded: type your name below.'
		&& !document.querySelector('button.pin-child') && !document.querySelector('.pin-who[aria-busy]')`, 10*time.Second)
	phone.setValue(`.pin-form input[name=name]`, "mia")
	phone.setValue(`.pin-form input[name=pin]`, "2468")
	phone.click(`.pin-form button[type=submit]`)
	phone.waitJS("Mia signed in", `window.familyhub.me?.user.display_name === 'Mia' && location.pathname.startsWith('/shopping')`, 10*time.Second)
}
