package main

import (
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// answerLostOnce makes the page's first POST to path reach the server,
// which makes the record, and then answers it with a proxy's 502 in place
// of the server's answer (the answer lost on its way back).
// window.__creates counts the POSTs sent to path.
const answerLostOnce = `((path) => {
	const realFetch = window.fetch;
	window.__creates = 0;
	window.fetch = async (input, opts) => {
		const url = new URL(typeof input === 'string' ? input : input.url, location.href);
		if (url.pathname !== path || (opts?.method ?? 'GET') !== 'POST') return realFetch(input, opts);
		if (++window.__creates > 1) return realFetch(input, opts);
		await (await realFetch(input, opts)).text();
		return new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'Content-Type': 'text/html' } });
	};
	return true;
})`

// TestBrowserCreateWithoutIDAnswerLost: a create that carries no id of the
// client's (its secret is shown once, so the server cannot answer a second
// send with the first one's answer) and whose answer is lost (a proxy's
// 502 after the server made it) offers no Retry, which would make a
// second: the banner says the server may have made it and to check the
// list, and the section's list, read again, shows the one record made. An
// invite on a phone in English; an app password on a laptop in German.
// Before, the banner said the server was not answering and offered Retry,
// and the list did not show the record made.
func TestBrowserCreateWithoutIDAnswerLost(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // login waits for a list
	for _, tc := range []struct {
		name, lang, path, rows, fill, submit, banner string
		w, h                                         int64
	}{
		{"invite, phone, English", "en-GB", "/api/family/invites",
			`section[aria-labelledby=h-invite] ul.invite-rows li.entry`, ``, `form.invite-form button[type=submit]`,
			"Could not create an invite code. No clear answer came, so the server may have made it after all. Check the list below before you try again: one it made shows there, and you can remove it.",
			phoneW, phoneH},
		{"app password, laptop, German", "de-DE", "/api/dav/app-passwords",
			`section[aria-labelledby=h-dav] ul.rows li.entry`, `#app-pw-name`, `section[aria-labelledby=h-dav] form button[type=submit]`,
			"Das App-Passwort konnte nicht erstellt werden. Es kam keine klare Antwort, vielleicht hat der Server es doch angelegt. Prüfe die Liste unten, bevor du es noch einmal versuchst: Was angelegt wurde, steht dort und lässt sich entfernen.",
			laptopW, laptopH},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newDevice(t, tc.name, tc.w, tc.h, browserOpts{lang: tc.lang})
			b.login(m.URL(), "ana@example.org")
			b.goFamily()
			rows := `document.querySelectorAll(` + js(tc.rows) + `)`
			b.waitJS("no record listed yet", rows+`.length === 0`, 5*time.Second)
			eval[bool](b, answerLostOnce+`(`+js(tc.path)+`)`)
			if tc.fill != "" {
				b.setValue(tc.fill, "Thunderbird")
			}
			b.click(tc.submit)
			b.waitJS("the uncertain outcome said", `(() => { const bn = document.getElementById('banner');
				return !bn.hidden && bn.querySelector('p').textContent === `+js(tc.banner)+`; })()`, 5*time.Second)
			b.waitJS("the record the server made listed", rows+`.length === 1`, 5*time.Second)
			if n := eval[int](b, `document.querySelectorAll('#banner button').length`); n != 1 {
				t.Errorf("the banner has %d buttons (%q), want only Dismiss: no Retry", n, eval[string](b, `document.getElementById('banner').textContent`))
			}
			if n := eval[int](b, `window.__creates`); n != 1 {
				t.Errorf("%d creates sent, want 1", n)
			}
			var got []map[string]any
			ana.call(t, m.URL(), 200, "GET", tc.path, nil, &got)
			if len(got) != 1 {
				t.Errorf("the server has %d records at %s, want 1: %v", len(got), tc.path, got)
			}
		})
	}
}
