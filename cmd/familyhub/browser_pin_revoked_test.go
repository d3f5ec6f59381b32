package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserPINDeviceRevoked: Ana revokes the kitchen tablet's children's
// device on the Family page of her laptop. The tablet (German), already on
// the PIN page, hears it at Noah's PIN try; a phone (English, 360 px) that
// holds the same set-up hears it when it opens the sign-in page again. Both
// forget the set-up (the key is gone from localStorage) and show the normal
// sign-in, saying why. Before, both kept the key, showed the PIN page and
// sent the key at every opening and try: each a wrong key counted against
// the home network's address, ten of which locked the family's other
// children's devices out for 15 minutes.
func TestBrowserPINDeviceRevoked(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	device, _ := pinFamily(t, m)
	var dev struct{ ID string }
	if err := json.Unmarshal([]byte(device), &dev); err != nil {
		t.Fatal(err)
	}
	const names = `[...document.querySelectorAll('.pin-form button.pin-child')].map((b) => b.textContent).join() === 'Mia,Noah'`
	tablet := newDevice(t, "tablet", 800, 1280, browserOpts{lang: "de-DE"})
	asChildDevice(tablet, m.URL(), device)
	tablet.waitJS("the tablet's PIN page", names, 10*time.Second)
	phone := newDevice(t, "phone", 360, 740, browserOpts{lang: "en-GB", dark: true})
	asChildDevice(phone, m.URL(), device)
	phone.waitJS("the phone's PIN page", names, 10*time.Second)

	laptop := newDevice(t, "laptop", 1280, 800, browserOpts{lang: "en-GB"})
	laptop.do(chromedp.Navigate(m.URL() + "/login"))
	laptop.setValue(`input[name=email]`, "ana@example.org")
	laptop.setValue(`input[name=password]`, "correct horse")
	laptop.click(`form button[type=submit]`)
	laptop.waitJS("Ana signed in", `window.familyhub.me?.user.display_name === 'Ana' && location.pathname.startsWith('/shopping')`, 10*time.Second)
	revoke := `button[data-key="revoke-dev-` + dev.ID + `"]`
	laptop.goTo("/family", `document.querySelector('`+revoke+`')`)
	laptop.click(revoke)
	laptop.waitJS("asked to confirm", dialogOpen, 5*time.Second)
	laptop.clickText(`dialog.ask[open] button`, "Revoke")
	laptop.waitJS("the device gone from the list", `!document.querySelector('`+revoke+`') && !document.querySelector('dialog[open]')`, 10*time.Second)

	// normal is the plain sign-in with the notice, and no set-up kept.
	normal := func(msg string) string {
		return `document.querySelector('main .notice')?.textContent === ` + js(msg) + `
			&& !document.querySelector('.pin-form') && !!document.querySelector('form input[name=email]')
			&& localStorage.getItem('familyhub.childDevice') === null`
	}
	tablet.clickText(`button.pin-child`, "Noah")
	tablet.setValue(`.pin-form input[name=pin]`, "1357")
	tablet.click(`.pin-form button[type=submit]`)
	tablet.waitJS("the tablet's normal sign-in, in German", normal("Dieses Gerät ist nicht mehr für Kinder eingerichtet. Erwachsene können es unter „Familie“ wieder einrichten."), 10*time.Second)

	phone.do(chromedp.Navigate(m.URL() + "/login"))
	phone.waitJS("the phone's normal sign-in, in English", normal("This device is no longer set up for children. An adult can set it up again from Family."), 10*time.Second)
	if w := eval[float64](phone, `document.documentElement.scrollWidth`); w > 360 {
		t.Errorf("the phone's sign-in is %v px wide", w)
	}
	// Opened again, it is the normal sign-in and sends no key.
	phone.do(chromedp.Navigate(m.URL() + "/login"))
	phone.waitJS("the plain sign-in", `!!document.querySelector('form input[name=email]') && !document.querySelector('.pin-form') && !document.querySelector('main .notice')`, 10*time.Second)
	if n := eval[float64](phone, `performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/auth/pin')).length`); n != 0 {
		t.Errorf("the phone asked /api/auth/pin* %v times after forgetting its set-up", n)
	}
}
