package main

import (
	"testing"
	"time"
)

// failFirstUndo makes the page's first POST …/undo answer a proxy's
// status (502 Bad Gateway, 504 Gateway Timeout) or our server's 500
// internal error (its JSON): 'before' without reaching the server (it went
// down first), 'after' once the server has undone it (it went down, the
// proxy gave up or something failed after the COMMIT, before its answer
// came through). window.__undos counts the Undo requests sent.
const failFirstUndo = `((when, status) => {
	const realFetch = window.fetch;
	window.__undos = 0;
	window.fetch = async (input, opts) => {
		const url = new URL(typeof input === 'string' ? input : input.url, location.href);
		if (!url.pathname.endsWith('/undo')) return realFetch(input, opts);
		if (++window.__undos > 1) return realFetch(input, opts);
		if (when === 'after') await (await realFetch(input, opts)).text();
		if (status === 500) {
			return new Response(JSON.stringify({ error: { code: 'internal', message: 'Internal error.' } }),
				{ status, headers: { 'Content-Type': 'application/json', 'Content-Language': 'en' } });
		}
		return new Response('<html>' + status + ' from the proxy</html>', { status, headers: { 'Content-Type': 'text/html' } });
	};
	return true;
})`

// TestBrowserAssistantUndoTriedAgain: on a phone, an Undo answered with a
// proxy's 502 or 504, or our 500, says it may have been undone
// (assistant.undoUnknown, as for our 503 unavailable) and keeps its Undo
// button; a second press sends the same command's Undo. In British English
// the 502 came before the server did anything: the second press undoes it
// ("Taken back: …"). In German the server had undone it before the proxy's
// 504 (its timeout), in American English before its 500: the second press
// is told it is undone already, and nothing is undone twice.
// Before, the button was gone after "Try again in a moment", so the Undo
// could not be tried again; and then a 502/504 said "try again" though the
// undo may have been done.
func TestBrowserAssistantUndoTriedAgain(t *testing.T) {
	browserTest(t)
	m, ana, listID := anaWithWalks(t)
	for _, tc := range []struct {
		lang, when, status, command, item, failed, second string
	}{
		{"en-GB", "before", "502", "add bananas to the weekly list", "bananas",
			"The undo may have been done: the server could not confirm it. Press Undo again to check (nothing is undone twice).",
			"Taken back: bananas came off “Weekly” again."},
		{"de-DE", "after", "504", "setz Bananen auf die Liste", "Bananen",
			"Vielleicht ist es schon rückgängig gemacht: Der Server konnte es nicht bestätigen. Tippe noch einmal auf Rückgängig, um es zu prüfen (nichts wird doppelt rückgängig gemacht).",
			"Dieser Befehl ist schon rückgängig gemacht."},
		{"en-US", "after", "500", "add pears to the weekly list", "pears",
			"The undo may have been done: the server could not confirm it. Press Undo again to check (nothing is undone twice).",
			"That command is undone already."},
	} {
		b := newDevice(t, "phone "+tc.lang, phoneW, phoneH, browserOpts{lang: tc.lang})
		b.login(m.URL(), "ana@example.org")
		b.goFamily()
		eval[bool](b, failFirstUndo+`('`+tc.when+`', `+tc.status+`)`)
		b.setValue(`#assistant-input`, tc.command)
		b.click(`.assistant-form button[type=submit]`)
		b.waitJS(tc.lang+" command done", `!!document.querySelector('.assistant-reply button.undo') && !document.querySelector('[aria-busy]')`, 5*time.Second)
		if n := countItems(t, ana, m, listID, tc.item); n != 1 {
			t.Fatalf("%s: %d %s on the list after the command, want 1", tc.lang, n, tc.item)
		}
		b.click(`.assistant-reply button.undo`)
		b.waitJS(tc.lang+" the "+tc.status+" said", replyLine+` === '`+tc.failed+`' && !document.querySelector('[aria-busy]')`, 5*time.Second)
		if !eval[bool](b, `(() => { const u = document.querySelector('.assistant-reply button.undo'); return !!u && !u.disabled; })()`) {
			t.Fatalf("%s: after a %s the Undo button is gone or disabled: %q", tc.lang, tc.status, eval[string](b, `document.querySelector('.assistant-reply').innerHTML`))
		}
		b.click(`.assistant-reply button.undo`)
		b.waitJS(tc.lang+" the second Undo answered", replyLine+` === '`+tc.second+`' && !document.querySelector('[aria-busy]')`, 5*time.Second)
		if n := eval[int](b, `window.__undos`); n != 2 {
			t.Errorf("%s: %d Undo requests, want 2", tc.lang, n)
		}
		if n := countItems(t, ana, m, listID, tc.item); n != 0 {
			t.Errorf("%s: %d %s on the list after the Undo, want 0", tc.lang, n, tc.item)
		}
		if eval[bool](b, `!!document.querySelector('.assistant-reply button.undo')`) {
			t.Errorf("%s: Undo still offered after its answer", tc.lang)
		}
	}
}
