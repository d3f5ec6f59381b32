package main

import (
	"testing"
	"time"
)

// busyUndo makes the page's first POST …/undo answer, without reaching
// the server, what it answers when another change got in the undo's way
// (a deadlock, a row held past its deadline: assistant.ErrUndoBusy): 503
// busy, reason other_change, nothing undone. Its message is in the other
// language, so the app's own words are what is said.
const busyUndo = `((lang) => {
	const realFetch = window.fetch;
	window.__undos = 0;
	window.fetch = async (input, opts) => {
		const url = new URL(typeof input === 'string' ? input : input.url, location.href);
		if (!url.pathname.endsWith('/undo') || ++window.__undos > 1) return realFetch(input, opts);
		return new Response(JSON.stringify({ error: { code: 'busy', reason: 'other_change', message: 'Another change got in the way; nothing was done. Try again in a moment.' } }), {
			status: 503, headers: { 'Content-Type': 'application/json', 'Content-Language': lang === 'en' ? 'de' : 'en', 'Retry-After': '5' },
		});
	};
	return true;
})`

// TestBrowserAssistantUndoBusy: an Undo answered 503 busy because another
// change got in its way (reason other_change) says so, in English on a
// phone and in German on a dark laptop. Before, the app said "Your
// previous command is still running" (assistant.busy, the code's words),
// though no command of the member's was running.
func TestBrowserAssistantUndoBusy(t *testing.T) {
	browserTest(t)
	m, _, _ := anaWithWalks(t)
	for _, tc := range []struct {
		lang    string
		w, h    int64
		dark    bool
		command string
		said    string
	}{
		{"en-GB", phoneW, phoneH, false, "add bananas to the weekly list",
			"Another change got in the way, so nothing was done. Try again in a moment."},
		{"de-DE", laptopW, laptopH, true, "setz Bananen auf die Liste",
			"Eine andere Änderung kam dazwischen, deshalb wurde nichts gemacht. Versuch es gleich noch einmal."},
	} {
		b := newDevice(t, tc.lang, tc.w, tc.h, browserOpts{lang: tc.lang, dark: tc.dark})
		b.login(m.URL(), "ana@example.org")
		b.goFamily()
		eval[bool](b, busyUndo+`('`+tc.lang[:2]+`')`)
		b.setValue(`#assistant-input`, tc.command)
		b.click(`.assistant-form button[type=submit]`)
		b.waitJS(tc.lang+" command done", `!!document.querySelector('.assistant-reply button.undo') && !document.querySelector('[aria-busy]')`, 5*time.Second)
		done := eval[string](b, replyLine)
		b.click(`.assistant-reply button.undo`)
		b.waitJS(tc.lang+" the 503 said", `!document.querySelector('[aria-busy]') && window.__undos === 1 && `+replyLine+` !== `+jsonText(done), 5*time.Second)
		if got := eval[string](b, replyLine); got != tc.said {
			t.Fatalf("%s: after a 503 busy (other_change) the reply says %q, want %q", tc.lang, got, tc.said)
		}
	}
}
