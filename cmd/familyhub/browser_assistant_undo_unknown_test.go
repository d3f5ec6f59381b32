package main

import (
	"encoding/json"
	"testing"
	"time"
)

// unknownUndo makes the page's first POST …/undo reach the server, which
// undoes the command, and then answer what the server answers when the
// undo's COMMIT got no word from PostgreSQL in time: 503 unavailable
// (assistant/undorun.go). window.__undos counts the Undo requests sent.
const unknownUndo = `((message, lang) => {
	const realFetch = window.fetch;
	window.__undos = 0;
	window.fetch = async (input, opts) => {
		const url = new URL(typeof input === 'string' ? input : input.url, location.href);
		if (!url.pathname.endsWith('/undo') || ++window.__undos > 1) return realFetch(input, opts);
		await (await realFetch(input, opts)).text();
		return new Response(JSON.stringify({ error: { code: 'unavailable', message } }), {
			status: 503, headers: { 'Content-Type': 'application/json', 'Content-Language': lang, 'Retry-After': '2' },
		});
	};
	return true;
})`

// TestBrowserAssistantUndoUnknown: an Undo answered 503 unavailable (its
// COMMIT unconfirmed: it may have landed, as here) says the undo may have
// been done, in English on a phone and in German on a dark laptop, and
// keeps its Undo button: pressed again it is told the command is undone
// already, and nothing is undone twice. Before, the app said "The server
// is busy right now. Try again in a moment." (error.unavailable), which
// reads as nothing done.
func TestBrowserAssistantUndoUnknown(t *testing.T) {
	browserTest(t)
	m, ana, listID := anaWithWalks(t)
	for _, tc := range []struct {
		lang    string
		w, h    int64
		dark    bool
		command string
		item    string
		server  string
		said    string
		second  string
	}{
		{"en-GB", phoneW, phoneH, false, "add bananas to the weekly list", "bananas",
			"The database did not confirm the undo in time, so I cannot tell whether it was done. Look before you undo again.",
			"The undo may have been done: the server could not confirm it. Press Undo again to check (nothing is undone twice).",
			"That command is undone already."},
		{"de-DE", laptopW, laptopH, true, "setz Bananen auf die Liste", "Bananen",
			"Die Datenbank hat das Rückgängigmachen nicht rechtzeitig bestätigt; ich weiß nicht, ob es geklappt hat. Schau nach, bevor du es noch einmal versuchst.",
			"Vielleicht ist es schon rückgängig gemacht: Der Server konnte es nicht bestätigen. Tippe noch einmal auf Rückgängig, um es zu prüfen (nichts wird doppelt rückgängig gemacht).",
			"Dieser Befehl ist schon rückgängig gemacht."},
	} {
		b := newDevice(t, tc.lang, tc.w, tc.h, browserOpts{lang: tc.lang, dark: tc.dark})
		b.login(m.URL(), "ana@example.org")
		b.goFamily()
		eval[bool](b, unknownUndo+`(`+jsonText(tc.server)+`, '`+tc.lang[:2]+`')`)
		b.setValue(`#assistant-input`, tc.command)
		b.click(`.assistant-form button[type=submit]`)
		b.waitJS(tc.lang+" command done", `!!document.querySelector('.assistant-reply button.undo') && !document.querySelector('[aria-busy]')`, 5*time.Second)
		b.click(`.assistant-reply button.undo`)
		b.waitJS(tc.lang+" the 503 said", `!document.querySelector('[aria-busy]') && window.__undos === 1 && `+replyLine+` !== ''`, 5*time.Second)
		if got := eval[string](b, replyLine); got != tc.said {
			t.Fatalf("%s: after a 503 unavailable the reply says %q, want %q", tc.lang, got, tc.said)
		}
		if n := countItems(t, ana, m, listID, tc.item); n != 0 {
			t.Fatalf("%s: %d %s on the list, want 0 (the server undid it)", tc.lang, n, tc.item)
		}
		if !eval[bool](b, `(() => { const u = document.querySelector('.assistant-reply button.undo'); return !!u && !u.disabled; })()`) {
			t.Fatalf("%s: after a 503 unavailable the Undo button is gone or disabled", tc.lang)
		}
		b.click(`.assistant-reply button.undo`)
		b.waitJS(tc.lang+" the second Undo answered", replyLine+` === `+jsonText(tc.second)+` && !document.querySelector('[aria-busy]')`, 5*time.Second)
		if n := eval[int](b, `window.__undos`); n != 2 {
			t.Errorf("%s: %d Undo requests, want 2", tc.lang, n)
		}
	}
}

// jsonText is s as a JavaScript string literal.
func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
