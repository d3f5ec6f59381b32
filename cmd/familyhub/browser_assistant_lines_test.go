package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/familyhub/familyhub/db/dbtest"
)

// replyLine is the assistant's answer line (the first paragraph of its reply).
const replyLine = `(document.querySelector('.assistant-reply p')?.textContent ?? '')`

// failAssistant makes the page's next POST /api/assistant/commands (or,
// given onPath, the next request whose path it accepts, e.g. a choice) fail
// as answer does: 'network' (fetch rejects, as offline or with no server),
// else a status with the server's error body {code, field, message} in English.
const failAssistant = `(window.__failAssistant = (answer, onPath = (p) => p === '/api/assistant/commands') => {
	const real = window.__realFetch || (window.__realFetch = window.fetch);
	window.__assistantSent = 0;
	window.fetch = async (input, opts) => {
		const url = new URL(typeof input === 'string' ? input : input.url, location.href);
		if (!onPath(url.pathname)) return real(input, opts);
		window.__assistantSent++;
		window.fetch = real;
		if (answer === 'network') throw new TypeError('Failed to fetch');
		return new Response(JSON.stringify({error: {code: answer.code, field: answer.field, message: answer.message}}),
			{status: answer.status, headers: {'Content-Type': 'application/json', 'Content-Language': 'en'}});
	};
	return true;
}, true)`

// TestBrowserAssistantErrorsNewLanguage: the assistant's refusals and
// failures are said from the error's code and field in the language in
// use, and again when the language changes while they are shown: a
// refusal the server wrote in English ("I could not find butter on any
// list.") stays the server's while the page speaks English and becomes
// the app's German sentence after a switch (the server's sentence is
// back with English); a network failure, a rate limit and a server error
// say the app's sentence in English, then German; text longer than the
// server takes (the microphone may put it in) is said so without sending.
// Before, each stayed in the language it came in (ex.message, worded
// when the answer came), and too long text read "I did not understand".
func TestBrowserAssistantErrorsNewLanguage(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	seedFamily(t, m, ana)
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	b.login(m.URL(), "ana@example.org")
	b.goFamily()
	de := func(want string) {
		b.setValue(`#lang-select`, "de")
		b.waitJS("German: "+want, replyLine+` === `+js(want), 5*time.Second)
	}
	en := func(want string) {
		b.setValue(`#lang-select`, "en")
		b.waitJS("English: "+want, replyLine+` === `+js(want), 5*time.Second)
	}
	command := func(text, want string) {
		t.Helper()
		b.setValue(`#assistant-input`, text)
		b.click(`.assistant-form button[type=submit]`)
		b.waitJS("an answer to "+text, `!document.querySelector('.assistant-form button[type=submit]').disabled && `+replyLine+` !== ''`, 5*time.Second)
		if got := eval[string](b, replyLine); got != want {
			t.Fatalf("%q: answered %q, want %q", text, got, want)
		}
	}

	// A refusal with content: the server's words while they are the page's.
	command("tick off butter", "I could not find “butter” on any list.")
	de("Das ging nicht: Nichts passte, oder es könnte mehreres gemeint sein.")
	if !eval[bool](b, `document.querySelectorAll('.assistant-reply ul.examples button.example').length === 6`) {
		t.Error("the German sentence comes without its examples")
	}
	en("I could not find “butter” on any list.")

	// A question whose choice is on its way when the language changes: its
	// buttons, drawn again in German, stay disabled; the answer comes.
	for _, title := range []string{"Walk the dog", "Walk the cat"} {
		restAs(t, ana, m, "POST", "/api/tasks", map[string]any{"title": title})
	}
	command("mark walk as done", "Which task do you mean: “Walk the cat” or “Walk the dog”?")
	eval[bool](b, holdSends)
	eval[bool](b, `(window.__holdBefore = (p, m) => p.endsWith('/choice') && m === 'POST', true)`)
	b.clickText(`.assistant-reply .choices button`, "Walk the dog")
	b.waitJS("the choice held", `window.__before.length === 1`, 5*time.Second)
	// The server asked in English: the app's German question and labels.
	de("Was meinst du?")
	if got := eval[string](b, `[...document.querySelectorAll('.assistant-reply .choices button')].map((x) => x.textContent).join(' | ')`); !strings.Contains(got, "Aufgabe „Walk the dog“") {
		t.Errorf("the German buttons say %q", got)
	}
	if !eval[bool](b, `[...document.querySelectorAll('.assistant-reply .choices button')].every((x) => x.disabled)`) {
		t.Error("the question's buttons drawn in German are offered again while the choice is on its way")
	}
	eval[bool](b, `(window.__holdBefore = () => false, window.__sendHeld(), true)`)
	b.waitJS("the choice answered", `!document.querySelector('.assistant-reply .choices') && `+replyLine+` !== ''`, 5*time.Second)
	en("Marked “Walk the dog” as done.")

	eval[bool](b, failAssistant)
	for _, tc := range []struct{ fail, en, de string }{
		{`'network'`, "The server cannot be reached.", "Der Server ist nicht erreichbar."},
		{`{status: 429, code: 'rate_limited', message: 'Too many requests; try again later.'}`,
			"Too many attempts. Please wait a few minutes and try again.", "Zu viele Versuche. Warte ein paar Minuten und versuche es dann nochmal."},
		{`{status: 503, code: 'unavailable', message: 'The database is unavailable; try again.'}`,
			"The server is busy right now. Try again in a moment.", "Der Server ist gerade ausgelastet. Versuche es gleich nochmal."},
	} {
		eval[bool](b, `window.__failAssistant(`+tc.fail+`)`)
		command("add milk", tc.en)
		de(tc.de)
		en(tc.en)
	}

	// Too long: said here, nothing sent.
	eval[bool](b, `window.__failAssistant('network')`)
	long := "add " + strings.Repeat("milk and eggs ", 40)
	command(long, "That is too long for me: at most 500 characters, please.")
	de("Das ist mir zu lang: höchstens 500 Zeichen, bitte.")
	if n := eval[int](b, `window.__assistantSent`); n != 0 {
		t.Errorf("too long text sent %d times", n)
	}
}

// TestBrowserAssistantBusyOnPhone: on a 320 px phone, a command on its way
// shows that it is (Send disabled with a spinner, the form and the answer
// aria-busy), and Send or Enter again sends nothing more: one command, one
// item. Answers and refusals fit the screen: a long word wraps, the
// examples and the list of events stay within it (no sideways scroll), in
// English and German.
func TestBrowserAssistantBusyOnPhone(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	listID := seedFamily(t, m, ana)
	b := newDevice(t, "small phone", 320, 640, browserOpts{lang: "en-GB"})
	b.login(m.URL(), "ana@example.org")
	b.goTo("/shopping/"+listID, `document.querySelector('li.item[data-name="apples"]')`)

	eval[bool](b, holdSends)
	eval[bool](b, `(window.__holdBefore = (p, m) => p === '/api/assistant/commands' && m === 'POST', true)`)
	b.setValue(`#assistant-input`, "add bananas to the weekly list")
	b.click(`.assistant-form button[type=submit]`)
	b.waitJS("the command held", `window.__before.length === 1`, 5*time.Second)
	if !eval[bool](b, `(() => {
		const send = document.querySelector('.assistant-form button[type=submit]');
		return send.disabled && send.getAttribute('aria-busy') === 'true'
			&& document.querySelector('.assistant-form').getAttribute('aria-busy') === 'true'
			&& document.querySelector('.assistant-reply').getAttribute('aria-busy') === 'true'
			&& getComputedStyle(send, '::after').animationName === 'spin';
	})()`) {
		t.Error("the bar does not show that the command is on its way")
	}
	// Send again, and Enter in the field (the form's submit): nothing more sent.
	eval[bool](b, `(document.querySelector('.assistant-form button[type=submit]').click(), document.querySelector('.assistant-form').requestSubmit(), true)`)
	eval[bool](b, `(window.__holdBefore = () => false, window.__sendHeld(), true)`)
	b.waitJS("the answer", replyLine+` === 'Added bananas to “Weekly”.'`, 5*time.Second)
	if n := eval[int](b, `window.__before.length + performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname === '/api/assistant/commands').length`); n != 1 {
		t.Errorf("%d commands sent", n)
	}
	if eval[bool](b, `document.querySelector('.assistant-form button[type=submit]').disabled || !!document.querySelector('[aria-busy]')`) {
		t.Error("still busy after the answer")
	}
	if n := countItems(t, ana, m, listID, "bananas"); n != 1 {
		t.Errorf("%d bananas on the list", n)
	}

	fits := func(what string) {
		t.Helper()
		if !eval[bool](b, `document.documentElement.scrollWidth <= innerWidth && (() => { const r = document.querySelector('.assistant-reply'); return r.scrollWidth <= r.clientWidth; })()`) {
			b.savePNG("assistant-phone-"+strings.ReplaceAll(what, " ", "-"), chromedp.FullScreenshot(100))
			t.Errorf("%s: wider than a 320 px screen", what)
		}
	}
	answer := func(text string) {
		t.Helper()
		b.setValue(`#assistant-input`, text)
		b.click(`.assistant-form button[type=submit]`)
		b.waitJS("an answer to "+text, `!document.querySelector('.assistant-form button[type=submit]').disabled && `+replyLine+` !== '' && !document.querySelector('.assistant-working')`, 5*time.Second)
	}
	answer("tick off Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen")
	fits("a refusal with a long word")
	answer("frobnicate the thingamajig")
	fits("the examples")
	answer("dentist tomorrow at 9 and physio tomorrow at 4")
	fits("the list of events")
	b.goFamily()
	b.setValue(`#lang-select`, "de")
	b.waitJS("German", `document.documentElement.lang.startsWith('de')`, 5*time.Second)
	answer("mach was Unverständliches")
	fits("the German examples")
	answer("hak Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen ab")
	fits("a German refusal with a long word")
}

// TestBrowserAssistantTimeout: a command whose request never answers (a
// dead connection, a stuck proxy) ends after the bar's timeout: Send is
// enabled again, nothing is aria-busy, and the line says so in English,
// then in German after a switch. Sent again with the same text it keeps
// its command id, so a command that did reach the server is not run
// twice: one bananas item. An Undo that hangs ends as well, saying it may
// have been done (its Undo stays to try again). The test holds the requests in fetch (they fail only
// when their signal aborts, as a real fetch does) and fires the 30 s
// timers itself. The timeout is not an outage: the offline line stays
// hidden. Before, the requests had no timeout: Send (or Undo) stayed
// disabled for good; and then a timeout said "Offline" under the header
// until the next answer.
func TestBrowserAssistantTimeout(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	listID := seedFamily(t, m, ana)
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	b.login(m.URL(), "ana@example.org")
	b.goFamily()

	eval[bool](b, `(() => {
		const realTimeout = window.setTimeout, realFetch = window.fetch;
		window.__timers = [];
		window.setTimeout = (fn, ms, ...args) => (ms === 30000 ? (window.__timers.push(fn), -1) : realTimeout(fn, ms, ...args));
		window.__ids = [];
		window.fetch = (input, opts) => {
			const url = new URL(typeof input === 'string' ? input : input.url, location.href);
			const undo = url.pathname.endsWith('/undo');
			if (!undo && url.pathname !== '/api/assistant/commands') return realFetch(input, opts);
			window.__ids.push(undo ? 'undo' : JSON.parse(opts.body).id);
			if (!undo && window.__ids.length > 1) return realFetch(input, opts);
			// The first command reaches the server and its answer never comes
			// back; the undo hangs before the server.
			if (!undo) realFetch(input, { ...opts, signal: undefined });
			return new Promise((_, reject) => opts.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
		};
		return true;
	})()`)
	b.setValue(`#assistant-input`, "add bananas to the weekly list")
	b.click(`.assistant-form button[type=submit]`)
	b.waitJS("the command on its way with a timer", `window.__ids.length === 1 && window.__timers.length === 1 && document.querySelector('.assistant-form button[type=submit]').disabled`, 5*time.Second)
	eval[bool](b, `(window.__timers.shift()(), true)`)
	const enLine, deLine = "No answer in time. Send it again to try once more (it will not be done twice).",
		"Keine Antwort in der Zeit. Schick es noch einmal, um es erneut zu versuchen (es wird nicht doppelt ausgeführt)."
	b.waitJS("the timeout said", replyLine+` === `+js(enLine)+` && !document.querySelector('.assistant-form button[type=submit]').disabled && !document.querySelector('[aria-busy]')`, 5*time.Second)
	// A slow answer is not an outage: no "Offline" line, the header as it was.
	if got := eval[string](b, `(() => { const l = document.getElementById('offline-line'); return l.hidden ? '' : l.textContent; })() + (document.getElementById('conn').dataset.server ?? '')`); got != "" {
		t.Errorf("after the timeout the app says %q, as if the server could not be reached", got)
	}
	b.setValue(`#lang-select`, "de")
	b.waitJS("the timeout said in German", replyLine+` === `+js(deLine), 5*time.Second)
	b.setValue(`#lang-select`, "en")
	b.waitJS("English again", replyLine+` === `+js(enLine), 5*time.Second)

	sentAgainOnce(t, b, m, ana, listID)

	// An Undo whose request hangs ends too: it may have been done, in
	// English and German; its button stays for trying again (the server
	// undoes a command once: TestBrowserAssistantUndoTriedAgain).
	eval[bool](b, `(window.__timers = [], true)`) // the answered command's timer (it was cleared)
	b.click(`.assistant-reply button.undo`)
	b.waitJS("the undo on its way with a timer", `window.__ids.at(-1) === 'undo' && window.__timers.length === 1`, 5*time.Second)
	eval[bool](b, `(window.__timers.shift()(), true)`)
	b.waitJS("the undo's timeout said", replyLine+` === 'No answer in time: it may or may not have been done.' && !document.querySelector('[aria-busy]')`, 5*time.Second)
	if !eval[bool](b, `!!document.querySelector('.assistant-reply button.undo:not(:disabled)')`) {
		t.Error("after the Undo's timeout there is no Undo to try again")
	}
	b.setValue(`#lang-select`, "de")
	b.waitJS("the undo's timeout said in German", replyLine+` === 'Keine Antwort in der Zeit: Vielleicht ist es trotzdem passiert.'`, 5*time.Second)
}
