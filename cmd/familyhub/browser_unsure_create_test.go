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
// that made the record; 'hung': as 'lost', but it waits for
// window.__release() before it goes to the server (window.__held says it
// waits). 'refused': it does not reach the server and is answered with
// the server's own 429 "rate_limited" (a clear refusal: nothing was made).
// window.__creates counts the POSTs sent to path, window.__keys their
// create_keys.
const answerLostOnce = `((path, mode) => {
	const realFetch = window.fetch;
	window.__creates = 0;
	window.__keys = [];
	const held = new Promise((r) => { window.__release = r; });
	window.fetch = async (input, opts) => {
		const url = new URL(typeof input === 'string' ? input : input.url, location.href);
		if (url.pathname !== path || (opts?.method ?? 'GET') !== 'POST') return realFetch(input, opts);
		window.__keys.push(JSON.parse(opts.body).create_key);
		if (++window.__creates > 1) return realFetch(input, opts);
		if (mode === 'refused') {
			return new Response(JSON.stringify({ error: { code: 'rate_limited', message: 'Too many attempts.' } }),
				{ status: 429, headers: { 'Content-Type': 'application/json' } });
		}
		if (mode === 'hung') { window.__held = true; await held; }
		await (await realFetch(input, opts)).text();
		if (mode === 'dbLost') {
			return new Response(JSON.stringify({ error: { code: 'unavailable', message: 'The database is unavailable; try again shortly.' } }),
				{ status: 503, headers: { 'Content-Type': 'application/json' } });
		}
		return new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'Content-Type': 'text/html' } });
	};
	return true;
})`

// deafWebSocket holds the messages of the live connection while
// window.__deaf is true (they are heard, in order, at window.__hear()):
// a list that shows a record then was read again by the page itself, not
// on an event from the server.
const deafWebSocket = `(() => {
	const RealWS = window.WebSocket;
	const held = [];
	window.__deaf = false;
	window.__hear = () => { window.__deaf = false; for (const m of held.splice(0)) m(); return true; };
	window.WebSocket = class extends RealWS {
		get onmessage() { return super.onmessage; }
		set onmessage(f) { super.onmessage = f && ((e) => { if (window.__deaf) held.push(() => f.call(this, e)); else f.call(this, e); }); }
	};
})();`

// What the banner says, by language: the outcome unknown; Retry found it
// made (a secret shown once, or none: a subscription).
var (
	unsureSaid = map[string]string{
		"en": "No clear answer came, so the server may have made it after all: if it did, it is in the list below. Retry is safe: it never makes a second one.",
		"de": "Es kam keine klare Antwort, vielleicht hat der Server den Eintrag doch angelegt: Dann steht er in der Liste unten. Nochmal versuchen ist sicher: Es legt nie einen zweiten an.",
	}
	madeSaid = map[string]string{
		"en": "The first try did make it. It is in the list below, but what it shows only once (a code, password, address or device key) cannot be shown again. Delete it there and make a new one.",
		"de": "Der erste Versuch hat den Eintrag doch angelegt. Er steht in der Liste unten, aber was er nur einmal zeigt (Code, Passwort, Adresse oder Geräteschlüssel), lässt sich nicht noch einmal zeigen. Lösche ihn dort und lege einen neuen an.",
	}
	madeListedSaid = map[string]string{
		"en": "The first try did make it. It is in the list below.",
		"de": "Der erste Versuch hat den Eintrag doch angelegt. Er steht in der Liste unten.",
	}
	retrySaid = map[string]string{"en": "Retry", "de": "Nochmal versuchen"}
)

// TestBrowserCreateWithoutIDAnswerLost: a create whose record the server
// names (its secret is shown once) carries a create_key made for the
// press. When its answer is lost (a proxy's 502 after the server made it,
// or the server's own 503 for a connection broken at COMMIT), the banner
// says the server may have made it and offers Retry, and the section's
// list, read again, shows the one record made; Retry sends the same key,
// the server makes no second and answers already_created, and the banner
// says it was made and (but for a subscription, which has no secret) that
// its secret cannot be shown again: delete it and make a new one. The
// list and the server hold exactly one. Every section: an invite, a
// subscription on a phone in English; an app password, a feed, a
// children's device on a laptop in German.
// 'hung' switches the language while the create waits (the page is built
// again): the list read again is the one shown then, not the old page's
// (the server's events are held meanwhile, so only that read can show it).
// A clear refusal (the server's own 429) offers Retry, which makes one
// and shows its code.
// Before create_key (dupcreate) there was no Retry after a lost answer;
// before that, Retry made a second record. Before the list was read
// through the page shown (kept.live()), a language switch during the
// create left the visible list without the record.
func TestBrowserCreateWithoutIDAnswerLost(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"}) // login waits for a list
	const (
		invites  = `section[aria-labelledby=h-invite] ul.invite-rows li.entry`
		invite   = `form.invite-form button[type=submit]`
		passes   = `section[aria-labelledby=h-dav] ul.rows li.entry`
		password = `section[aria-labelledby=h-dav] form button[type=submit]`
	)
	for _, tc := range []struct {
		name, lang, path, mode, rows, open, submit string
		fill                                       [][2]string
		switchTo                                   string // 'hung': the language switched to while the create waits
		noSecret                                   bool
		w, h                                       int64
	}{
		{name: "invite, phone, English", lang: "en", path: "/api/family/invites", mode: "lost", rows: invites, submit: invite, w: phoneW, h: phoneH},
		{name: "app password, laptop, German", lang: "de", path: "/api/dav/app-passwords", mode: "lost", rows: passes, submit: password,
			fill: [][2]string{{`#app-pw-name`, "Thunderbird"}}, w: laptopW, h: laptopH},
		{name: "feed, laptop, German", lang: "de", path: "/api/calendar/feeds", mode: "lost",
			rows: `section[aria-labelledby=h-feeds] ul.rows.feeds li.entry`, submit: `form.feed-form button[type=submit]`,
			fill: [][2]string{{`form.feed-form input[name=name]`, "Google"}}, w: laptopW, h: laptopH},
		{name: "subscription, phone, English", lang: "en", path: "/api/calendar/subscriptions", mode: "lost",
			rows: `section[aria-labelledby=h-subs] ul.rows li.entry`, open: `section[aria-labelledby=h-subs] details.more`, submit: `form.sub-form button[type=submit]`,
			fill:     [][2]string{{`form.sub-form input[name=name]`, "Holidays"}, {`form.sub-form input[name=url]`, "https://example.org/holidays.ics"}},
			noSecret: true, w: phoneW, h: phoneH},
		{name: "children's device, laptop, German", lang: "de", path: "/api/family/child-devices", mode: "lost",
			rows: `section[aria-labelledby=h-children] ul.device-rows li.entry`, submit: `form.child-device-form button[type=submit]`,
			fill: [][2]string{{`#child-device-name`, "Kitchen tablet"}}, w: laptopW, h: laptopH},
		{name: "invite, database connection lost, phone, English", lang: "en", path: "/api/family/invites", mode: "dbLost", rows: invites, submit: invite, w: phoneW, h: phoneH},
		{name: "invite, language switched while it waits, phone", lang: "en", path: "/api/family/invites", mode: "hung", rows: invites, submit: invite,
			switchTo: "de", w: phoneW, h: phoneH},
		{name: "app password, language switched while it waits, laptop", lang: "de", path: "/api/dav/app-passwords", mode: "hung", rows: passes, submit: password,
			fill: [][2]string{{`#app-pw-name`, "Evolution"}}, switchTo: "en", w: laptopW, h: laptopH},
		{name: "invite refused, phone, English", lang: "en", path: "/api/family/invites", mode: "refused", rows: invites, submit: invite, w: phoneW, h: phoneH},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newDevice(t, tc.name, tc.w, tc.h, browserOpts{lang: map[string]string{"en": "en-GB", "de": "de-DE"}[tc.lang], script: deafWebSocket})
			b.login(m.URL(), "ana@example.org")
			b.goFamily()
			rows := `document.querySelectorAll(` + js(tc.rows) + `)` // connected only: the list shown
			var had []map[string]any
			ana.call(t, m.URL(), 200, "GET", tc.path, nil, &had)
			before := strconv.Itoa(len(had))
			b.waitJS("the records made before listed", rows+`.length === `+before, 5*time.Second)
			eval[bool](b, answerLostOnce+`(`+js(tc.path)+`, `+js(tc.mode)+`)`)
			if tc.open != "" {
				eval[bool](b, `document.querySelector(`+js(tc.open)+`).open = true`)
			}
			for _, f := range tc.fill {
				b.setValue(f[0], f[1])
			}
			b.click(tc.submit)
			lang := tc.lang
			if tc.mode == "hung" {
				eval[bool](b, `(window.__deaf = true)`) // the list must show it without the event of the server's
				b.waitJS("the create waiting", `window.__held === true`, 5*time.Second)
				b.setLang(tc.switchTo)
				lang = tc.switchTo
				b.waitJS("the page built again", `document.documentElement.lang.startsWith(`+js(lang)+`) && !document.querySelector('#main .loading')`, 5*time.Second)
				eval[bool](b, `(window.__release(), true)`)
			}
			banner := func(what, text string) {
				t.Helper()
				b.waitJS(what, `(() => { const bn = document.getElementById('banner'), p = bn.querySelector('p');
					return !bn.hidden && p && p.textContent.endsWith(`+js(text)+`); })()`, 5*time.Second)
			}
			buttons := func() []string {
				return eval[[]string](b, `[...document.querySelectorAll('#banner button')].map((x) => x.textContent)`)
			}
			if tc.mode == "refused" {
				// A clear refusal: Retry, as for any write; it makes the one invite and shows its code.
				banner("the refusal said", "Too many attempts. Please wait a few minutes and try again.")
				if bs := buttons(); len(bs) != 2 || bs[0] != "Retry" {
					t.Fatalf("a clear refusal: banner buttons %q, want Retry and Dismiss", bs)
				}
				b.click(`#banner button.primary`)
				b.waitJS("the banner gone after Retry", `document.getElementById('banner').hidden`, 5*time.Second)
				b.waitJS("the code made by Retry shown", `!!document.querySelector('section[aria-labelledby=h-invite] .invite strong.code')`, 5*time.Second)
			} else {
				banner("the unknown outcome said", unsureSaid[lang])
				if bs := buttons(); len(bs) != 2 || bs[0] != retrySaid[lang] {
					t.Fatalf("banner buttons %q, want %s and Dismiss", bs, retrySaid[lang])
				}
			}
			b.waitJS("the record the server made listed", rows+`.length === `+before+` + 1`, 5*time.Second)
			eval[bool](b, `window.__hear()`)
			if tc.mode != "refused" {
				b.click(`#banner button.primary`)
				said := madeSaid[lang]
				if tc.noSecret {
					said = madeListedSaid[lang]
				}
				banner("Retry found it made", said)
				if bs := buttons(); len(bs) != 1 {
					t.Errorf("after already_created the banner has buttons %q, want only Dismiss", bs)
				}
				if keys := eval[[]string](b, `window.__keys`); len(keys) != 2 || keys[0] == "" || keys[0] != keys[1] {
					t.Errorf("create_keys sent %q, want the same one twice", keys)
				}
			}
			if n := eval[int](b, `window.__creates`); n != 2 {
				t.Errorf("%d creates sent, want 2", n)
			}
			if n := eval[int](b, rows+`.length`); strconv.Itoa(n) != strconv.Itoa(len(had)+1) {
				t.Errorf("the list shows %d, want %d", n, len(had)+1)
			}
			var got []map[string]any
			ana.call(t, m.URL(), 200, "GET", tc.path, nil, &got)
			if len(got) != len(had)+1 {
				t.Errorf("the server has %d records at %s, want %d: %v", len(got), tc.path, len(had)+1, got)
			}
		})
	}
}
