package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// davBasicStatus answers a CalDAV PROPFIND at base with Basic auth.
func davBasicStatus(t *testing.T, base, user, pass string) int {
	t.Helper()
	req, _ := http.NewRequest("PROPFIND", base+"/dav/", strings.NewReader(`<?xml version="1.0"?><propfind xmlns="DAV:"><prop><current-user-principal/></prop></propfind>`))
	req.Header.Set("Depth", "0")
	req.Header.Set("Content-Type", "application/xml")
	req.SetBasicAuth(user, pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestBrowserPasswordChangeRevokesAppPasswords: the password form says
// beforehand that calendar apps will need a new password; a change from
// the app revokes the app passwords, and the list empties at once in the
// laptop's second window (on the other replica, same session: the change
// signs out every other session, so the phone goes to the sign-in page),
// with no reload, saying why; the old app password answers 401 over
// CalDAV; one made afterwards appears in both windows and the note goes.
// It fails without the change: the list kept both app passwords.
func TestBrowserPasswordChangeRevokesAppPasswords(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	var secrets []string
	for _, name := range []string{"Thunderbird", "Ana's iPad"} {
		secrets = append(secrets, restAs(t, ana, c.a, "POST", "/api/dav/app-passwords", map[string]any{"name": name})["password"].(string))
	}
	if st := davBasicStatus(t, c.a.URL(), "ana@example.org", secrets[0]); st != http.StatusMultiStatus {
		t.Fatalf("app password before the change: %d", st)
	}
	laptop := newDevice(t, "Ana-laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	phone := newDevice(t, "Ana-phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	signInAll(t,
		func() { laptop.login(c.a.URL(), "ana@example.org") },
		func() { phone.login(c.b.URL(), "ana@example.org") })
	laptop.goFamily()
	phone.goFamily()
	rows := `document.querySelectorAll('section[aria-labelledby=h-dav] ul.rows li.entry')`
	note := `document.querySelector('.app-passwords-revoked')`
	tab := laptop.newTab("Ana-laptop, second window", laptopW, laptopH, false)
	tab.do(chromedp.Navigate(c.b.URL() + "/family"))
	for _, b := range []*browser{laptop, tab, phone} {
		b.waitJS("both app passwords listed, no note", rows+`.length === 2 && `+note+`.hidden`, 10*time.Second)
	}
	tab.waitLive()
	tab.markPage()

	laptop.click(`details.password summary`)
	if hint := eval[string](laptop, `document.querySelector('.password-form').textContent`); !strings.Contains(hint, "your calendar apps (app passwords) will need a new password") {
		t.Errorf("the password form does not say beforehand: %q", hint)
	}
	laptop.setValue(`.password-form input[name=current_password]`, "correct horse")
	laptop.setValue(`.password-form input[name=new_password]`, "battery staple")
	start := time.Now()
	laptop.click(`.password-form button[type=submit]`)
	laptop.waitJS("changed, and told", `document.querySelector('details.password [role=status]').textContent === 'Your password is changed. Your other devices were signed out and your app passwords revoked: give your calendar apps a new one.'`, 5*time.Second)
	took := tab.waitJS("the second window's list empty, saying why, not reloaded", rows+`.length === 0
		&& document.querySelector('section[aria-labelledby=h-dav] ul.rows').textContent === 'No app passwords yet.'
		&& !`+note+`.hidden && `+note+`.textContent.startsWith('Your app passwords were revoked on ')
		&& `+note+`.textContent.endsWith('Your calendar apps need a new app password: create one here.') && `+notReloaded, 5*time.Second)
	t.Logf("password change: the second window's list is empty after %s", time.Since(start).Round(time.Millisecond))
	if took > 3*time.Second {
		t.Errorf("the second window took %s, want at once", took)
	}
	laptop.waitJS("this window's list empty too", rows+`.length === 0 && !`+note+`.hidden`, 5*time.Second)
	phone.waitJS("the phone (another session) on the sign-in page", `location.pathname === '/login'`, 5*time.Second)
	for _, s := range secrets {
		if st := davBasicStatus(t, c.a.URL(), "ana@example.org", s); st != http.StatusUnauthorized {
			t.Errorf("old app password after the change: %d, want 401", st)
		}
	}

	// A new one: listed in both windows, and the note has done its work.
	laptop.setValue(`#app-pw-name`, "Thunderbird again")
	laptop.click(`section[aria-labelledby=h-dav] form button[type=submit]`)
	laptop.waitJS("the new password shown", `document.querySelector('.fresh-password input')?.value.length === 29`, 5*time.Second)
	fresh := eval[string](laptop, `document.querySelector('.fresh-password input').value`)
	tab.waitJS("the new one in the second window, the note gone", rows+`.length === 1 && `+note+`.hidden && `+notReloaded, 5*time.Second)
	if st := davBasicStatus(t, c.b.URL(), "ana@example.org", fresh); st != http.StatusMultiStatus {
		t.Errorf("the new app password: %d", st)
	}
}
