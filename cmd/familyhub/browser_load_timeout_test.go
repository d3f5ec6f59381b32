package main

import (
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
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
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	seedFamily(t, m, ana)
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
			eval[bool](b, `(() => {
				const realTimeout = window.setTimeout, realFetch = window.fetch;
				window.__timers = [];
				window.setTimeout = (fn, ms, ...args) => (ms === 35000 ? (window.__timers.push(fn), -1) : realTimeout(fn, ms, ...args));
				window.__hang = true; window.__held = 0;
				window.fetch = (input, opts) => {
					const url = new URL(typeof input === 'string' ? input : input.url, location.href);
					if (url.pathname !== '/api/recipes' || !window.__hang) return realFetch(input, opts);
					window.__held++;
					return new Promise((_, reject) => opts?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
				};
				return true;
			})()`)
			eval[bool](b, `(import('/js/api.js').then(({ onReachable, unreachableWhy }) => {
				window.__down = [];
				onReachable((up) => { if (!up) window.__down.push(unreachableWhy()); });
			}), true)`)
			b.waitJS("listening", `Array.isArray(window.__down)`, 5*time.Second)
			eval[bool](b, `(window.familyhub.go('/recipes'), true)`)
			b.waitJS("the recipes read held", `window.__held === 1 && !!document.querySelector('#main .loading:not([hidden])')`, 10*time.Second)
			eval[bool](b, `(window.__timers.splice(0).forEach((fn) => fn()), true)`)
			state := `document.querySelector('#main .error-state')`
			b.waitJS("the page says the server did not answer in time", state+`?.querySelector('p')?.textContent === `+js(c.why)+
				` && `+state+`.querySelector('button')?.textContent === `+js(c.retry), 10*time.Second)
			const said = `(() => { const l = document.getElementById('offline-line'); return l.hidden ? '' : l.textContent; })() + (document.getElementById('conn').dataset.server ?? '') + window.__down.join(' ')`
			if got := eval[string](b, said); got != "" {
				t.Errorf("after the read's timeout the app says %q, as if the server could not be reached", got)
			}
			eval[bool](b, `(window.__hang = false, true)`)
			b.click(`#main .error-state button`)
			b.waitJS("Retry shows the recipes", `!document.querySelector('#main .error-state') && [...document.querySelectorAll('.recipe-card h2')].some((h) => h.textContent === 'Toast')`, 10*time.Second)
		})
	}
}
