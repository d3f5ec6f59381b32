package main

import (
	"strconv"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// answerLostOnce makes the page's first POST to path fail. 'lost': it
// reaches the server, which makes the record, and is then answered with a
// proxy's 502 in place of the server's answer (the answer lost on its way
// back); 'dbLost' likewise with the server's own 503 "unavailable", which
// it also answers when its database connection broke during the COMMIT
// that made the record. 'refused': it does not reach the server and is
// answered with the server's own 429 "rate_limited" (a clear refusal:
// nothing was made).
// window.__creates counts the POSTs sent to path.
const answerLostOnce = `((path, mode) => {
	const realFetch = window.fetch;
	window.__creates = 0;
	window.fetch = async (input, opts) => {
		const url = new URL(typeof input === 'string' ? input : input.url, location.href);
		if (url.pathname !== path || (opts?.method ?? 'GET') !== 'POST') return realFetch(input, opts);
		if (++window.__creates > 1) return realFetch(input, opts);
		if (mode === 'refused') {
			return new Response(JSON.stringify({ error: { code: 'rate_limited', message: 'Too many attempts.' } }),
				{ status: 429, headers: { 'Content-Type': 'application/json' } });
		}
		await (await realFetch(input, opts)).text();
		if (mode === 'dbLost') {
			return new Response(JSON.stringify({ error: { code: 'unavailable', message: 'The database is unavailable; try again shortly.' } }),
				{ status: 503, headers: { 'Content-Type': 'application/json' } });
		}
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
// invite on a phone in English; an app password and a feed on a laptop in
// German.
// Before, the banner said the server was not answering and offered Retry,
// and the list did not show the record made. A clear refusal (the
// server's own 429) still offers Retry, which makes one.
func TestBrowserCreateWithoutIDAnswerLost(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // login waits for a list
	for _, tc := range []struct {
		name, lang, path, mode, rows, fill, submit, banner string
		w, h                                               int64
	}{
		{"invite, phone, English", "en-GB", "/api/family/invites", "lost",
			`section[aria-labelledby=h-invite] ul.invite-rows li.entry`, ``, `form.invite-form button[type=submit]`,
			"Could not create an invite code. No clear answer came, so the server may have made it after all. Check the list below before you try again: if it was made, it is listed there and you can remove it.",
			phoneW, phoneH},
		{"app password, laptop, German", "de-DE", "/api/dav/app-passwords", "lost",
			`section[aria-labelledby=h-dav] ul.rows li.entry`, `#app-pw-name`, `section[aria-labelledby=h-dav] form button[type=submit]`,
			"Das App-Passwort konnte nicht erstellt werden. Es kam keine klare Antwort, vielleicht hat der Server den Eintrag doch angelegt. Prüfe die Liste unten, bevor du es noch einmal versuchst: Ein angelegter Eintrag steht dort und lässt sich entfernen.",
			laptopW, laptopH},
		// German names the record without a pronoun: "es" fit "das App-Passwort"
		// but not "der Feed", "der Kalender" or "der Einladungscode".
		{"feed, laptop, German", "de-DE", "/api/calendar/feeds", "lost",
			`section[aria-labelledby=h-feeds] ul.rows.feeds li.entry`, `form.feed-form input[name=name]`, `form.feed-form button[type=submit]`,
			"Der Feed konnte nicht erstellt werden. Es kam keine klare Antwort, vielleicht hat der Server den Eintrag doch angelegt. Prüfe die Liste unten, bevor du es noch einmal versuchst: Ein angelegter Eintrag steht dort und lässt sich entfernen.",
			laptopW, laptopH},
		{"invite, database connection lost, phone, English", "en-GB", "/api/family/invites", "dbLost",
			`section[aria-labelledby=h-invite] ul.invite-rows li.entry`, ``, `form.invite-form button[type=submit]`,
			"Could not create an invite code. No clear answer came, so the server may have made it after all. Check the list below before you try again: if it was made, it is listed there and you can remove it.",
			phoneW, phoneH},
		{"invite refused, phone, English", "en-GB", "/api/family/invites", "refused",
			`section[aria-labelledby=h-invite] ul.invite-rows li.entry`, ``, `form.invite-form button[type=submit]`,
			"Could not create an invite code. Too many attempts. Please wait a few minutes and try again.",
			phoneW, phoneH},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newDevice(t, tc.name, tc.w, tc.h, browserOpts{lang: tc.lang})
			b.login(m.URL(), "ana@example.org")
			b.goFamily()
			rows := `document.querySelectorAll(` + js(tc.rows) + `)`
			var had []map[string]any
			ana.call(t, m.URL(), 200, "GET", tc.path, nil, &had)
			before := strconv.Itoa(len(had))
			b.waitJS("the records made before listed", rows+`.length === `+before, 5*time.Second)
			eval[bool](b, answerLostOnce+`(`+js(tc.path)+`, `+js(tc.mode)+`)`)
			if tc.fill != "" {
				b.setValue(tc.fill, "Thunderbird")
			}
			b.click(tc.submit)
			b.waitJS("the failure said", `(() => { const bn = document.getElementById('banner');
				return !bn.hidden && bn.querySelector('p').textContent === `+js(tc.banner)+`; })()`, 5*time.Second)
			buttons := eval[[]string](b, `[...document.querySelectorAll('#banner button')].map((x) => x.textContent)`)
			if tc.mode == "refused" {
				// A clear refusal: Retry, as for any write; it makes the one invite.
				if len(buttons) != 2 || buttons[0] != "Retry" {
					t.Fatalf("a clear refusal: banner buttons %q, want Retry and Dismiss", buttons)
				}
				b.click(`#banner button.primary`)
				b.waitJS("the banner gone after Retry", `document.getElementById('banner').hidden`, 5*time.Second)
			} else if len(buttons) != 1 {
				t.Errorf("the banner has buttons %q, want only Dismiss: no Retry", buttons)
			}
			b.waitJS("the record the server made listed", rows+`.length === `+before+` + 1`, 5*time.Second)
			wantSent := map[string]int{"lost": 1, "dbLost": 1, "refused": 2}[tc.mode]
			if n := eval[int](b, `window.__creates`); n != wantSent {
				t.Errorf("%d creates sent, want %d", n, wantSent)
			}
			var got []map[string]any
			ana.call(t, m.URL(), 200, "GET", tc.path, nil, &got)
			if len(got) != len(had)+1 {
				t.Errorf("the server has %d records at %s, want %d: %v", len(got), tc.path, len(had)+1, got)
			}
		})
	}
}
