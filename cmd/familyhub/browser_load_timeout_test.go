package main

import (
	"testing"
	"time"
)

// TestBrowserLoadTimeout: a page's read that never gets an answer (a hung
// proxy: the test's fetch holds it until its signal aborts, as a real
// fetch does) ends at api.js's timeout (REQUEST_TIMEOUT, 35 s; the test
// fires that timer itself) instead of pulsing its loading placeholder
// forever: the page says the server did not answer in time, with Retry,
// and Retry once the server answers shows the page. A slow server is not
// an outage: neither the "Offline" line nor the header says it cannot be
// reached. The recipes page (nothing of it kept on the device), in English
// on a phone and German on a laptop. Before, requests other than the
// assistant's and the outbox's had no timeout.
func TestBrowserLoadTimeout(t *testing.T) {
	browserTest(t)
	m, ana, _ := anaWithWalks(t)
	restAs(t, ana, m, "POST", "/api/recipes", map[string]any{"title": "Toast", "servings": 1})
	for _, c := range []struct {
		name, lang, why, retry string
		w, h                   int64
	}{
		{"phone", "en-GB", "Could not load: The server did not answer in time. Try again.", "Retry", phoneW, phoneH},
		{"laptop", "de-DE", "Laden fehlgeschlagen: Der Server hat nicht rechtzeitig geantwortet. Versuche es nochmal.", "Nochmal versuchen", laptopW, laptopH},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := newDevice(t, c.name, c.w, c.h, browserOpts{lang: c.lang})
			b.login(m.URL(), "ana@example.org")
			b.waitLive()
			eval[bool](b, `(window.__hang = true)`)
			hangRequests(b, 35000, `url.pathname === '/api/recipes' && window.__hang`)
			eval[bool](b, `(window.familyhub.go('/recipes'), true)`)
			b.waitJS("the recipes read held", `window.__held === 1 && !!document.querySelector('#main .loading:not([hidden])')`, 10*time.Second)
			fireTimers(b)
			state := `document.querySelector('#main .error-state')`
			b.waitJS("the page says the server did not answer in time", state+`?.querySelector('p')?.textContent === `+js(c.why)+
				` && `+state+`.querySelector('button')?.textContent === `+js(c.retry), 10*time.Second)
			if got := eval[string](b, unreachableSaid); got != "" {
				t.Errorf("after the read's timeout the app says %q, as if the server could not be reached", got)
			}
			eval[bool](b, `(window.__hang = false, true)`)
			b.click(`#main .error-state button`)
			b.waitJS("Retry shows the recipes", `!document.querySelector('#main .error-state') && [...document.querySelectorAll('.recipe-card h2')].some((h) => h.textContent === 'Toast')`, 10*time.Second)
		})
	}
}
