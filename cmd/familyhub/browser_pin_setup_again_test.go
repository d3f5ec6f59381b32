package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserPINDeviceSetUpAgain: the kitchen tablet (a phone-sized
// browser, 360 px) shows the PIN page in one tab. In a second tab Ana
// signs in and, on the Family page, stops using the tablet for children
// and sets it up again as "Tablet 2" (a new key). Noah then tries his PIN
// in the first tab: the old key is revoked, and the tab shows the PIN page
// of the new set-up, without "This device is no longer set up for
// children", and the new key stays. Before, the tab kept the new set-up
// and showed its PIN page, but with that notice above it: wrong, the
// device IS set up.
func TestBrowserPINDeviceSetUpAgain(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	device, _ := pinFamily(t, m)
	var old struct{ Key string }
	if err := json.Unmarshal([]byte(device), &old); err != nil {
		t.Fatal(err)
	}
	const names = `[...document.querySelectorAll('.pin-form button.pin-child')].map((b) => b.textContent).join() === 'Mia,Noah'`
	tablet := newDevice(t, "tablet", 360, 740, browserOpts{lang: "en-GB"})
	asChildDevice(tablet, m.URL(), device)
	tablet.waitJS("the PIN page of the old set-up", names+` && !document.querySelector('.pin-who[aria-busy]')`, 10*time.Second)

	tab := tablet.newTab("the tablet, Ana's tab", laptopW, laptopH, false)
	defer tab.closeTab()
	tab.signInPage(m.URL())
	tab.click(`details.adult-signin summary`)
	tab.waitJS("adults' sign-in", `document.querySelector('details.adult-signin[open] input[name=email]')`, 5*time.Second)
	tab.setValue(`details.adult-signin input[name=email]`, "ana@example.org")
	tab.setValue(`details.adult-signin input[name=password]`, "correct horse")
	tab.click(`details.adult-signin button[type=submit]`)
	tab.waitJS("Ana signed in", `window.familyhub.me?.user.display_name === 'Ana' && location.pathname.startsWith('/shopping')`, 10*time.Second)
	tab.goTo("/family", `document.querySelector('.this-device .actions button:not(.primary)')`)
	tab.clickText(`.this-device button`, "Stop using it for children")
	tab.waitJS("the set-up form", `document.querySelector('.child-device-form') && localStorage.getItem('familyhub.childDevice') === null`, 10*time.Second)
	tab.setValue(`#child-device-name`, "Tablet 2")
	tab.click(`.child-device-form button[type=submit]`)
	stored := `JSON.parse(localStorage.getItem('familyhub.childDevice') || 'null')`
	tab.waitJS("set up again", stored+`?.name === 'Tablet 2' && !document.querySelector('.child-device-form')`, 10*time.Second)
	newKey := eval[string](tab, stored+`.key`)
	if newKey == "" || newKey == old.Key {
		t.Fatalf("the new set-up's key %q (the old one %q)", newKey, old.Key)
	}

	// The first tab still holds the old key: its PIN try is refused as revoked.
	tablet.clickText(`button.pin-child`, "Noah")
	tablet.setValue(`.pin-form input[name=pin]`, "1357")
	tablet.click(`.pin-form button[type=submit]`)
	tablet.waitJS("the PIN page of the new set-up, without the notice", `document.querySelector('.pin-form p.hint')?.textContent === 'This is the children\'s device “Tablet 2”.'
		&& `+names+` && !document.querySelector('main .notice') && !document.querySelector('.pin-form .form-error:not([hidden])')
		&& `+stored+`?.key === `+js(newKey), 10*time.Second)
	if w := eval[float64](tablet, `document.documentElement.scrollWidth`); w > 360 {
		t.Errorf("the PIN page is %v px wide", w)
	}
	// The new set-up signs Noah in.
	tablet.clickText(`button.pin-child`, "Noah")
	tablet.setValue(`.pin-form input[name=pin]`, "1357")
	tablet.click(`.pin-form button[type=submit]`)
	tablet.waitJS("Noah signed in on the new set-up", `window.familyhub.me?.user.display_name === 'Noah' && location.pathname.startsWith('/shopping')`, 10*time.Second)
}
