package main

import (
	"testing"
	"time"
)

// failFirstUndo makes the page's first POST …/undo answer a proxy's 502:
// 'before' without reaching the server (it went down first), 'after' once
// the server has undone it (it went down before its answer came through).
// window.__undos counts the Undo requests sent.
const failFirstUndo = `((when) => {
	const realFetch = window.fetch;
	window.__undos = 0;
	window.fetch = async (input, opts) => {
		const url = new URL(typeof input === 'string' ? input : input.url, location.href);
		if (!url.pathname.endsWith('/undo')) return realFetch(input, opts);
		if (++window.__undos > 1) return realFetch(input, opts);
		if (when === 'after') await (await realFetch(input, opts)).text();
		return new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'Content-Type': 'text/html' } });
	};
	return true;
})`

// TestBrowserAssistantUndoTriedAgain: on a phone, an Undo answered with a
// proxy's 502 says to try again and keeps its Undo button; a second press
// sends the same command's Undo. In English the 502 came before the server
// did anything: the second press undoes it ("Undone: …"). In German the
// server had undone it before the 502: the second press is told it is
// undone already, and nothing is undone twice. Before, the button was gone
// after "Try again in a moment", so the Undo could not be tried again.
func TestBrowserAssistantUndoTriedAgain(t *testing.T) {
	browserTest(t)
	m, ana, listID := anaWithWalks(t)
	for _, tc := range []struct {
		lang, when, command, item, failed, second string
	}{
		{"en-GB", "before", "add bananas to the weekly list", "bananas",
			"The server is not answering right now. Try again in a moment.", "Taken back: bananas came off “Weekly” again."},
		{"de-DE", "after", "setz Bananen auf die Liste", "Bananen",
			"Der Server antwortet gerade nicht. Versuche es gleich nochmal.", "Dieser Befehl ist schon rückgängig gemacht."},
	} {
		b := newDevice(t, "phone "+tc.lang, phoneW, phoneH, browserOpts{lang: tc.lang})
		b.login(m.URL(), "ana@example.org")
		b.goFamily()
		eval[bool](b, failFirstUndo+`('`+tc.when+`')`)
		b.setValue(`#assistant-input`, tc.command)
		b.click(`.assistant-form button[type=submit]`)
		b.waitJS(tc.lang+" command done", `!!document.querySelector('.assistant-reply button.undo') && !document.querySelector('[aria-busy]')`, 5*time.Second)
		if n := countItems(t, ana, m, listID, tc.item); n != 1 {
			t.Fatalf("%s: %d %s on the list after the command, want 1", tc.lang, n, tc.item)
		}
		b.click(`.assistant-reply button.undo`)
		b.waitJS(tc.lang+" the 502 said", replyLine+` === '`+tc.failed+`' && !document.querySelector('[aria-busy]')`, 5*time.Second)
		if !eval[bool](b, `(() => { const u = document.querySelector('.assistant-reply button.undo'); return !!u && !u.disabled; })()`) {
			t.Fatalf("%s: after a 502 the Undo button is gone or disabled: %q", tc.lang, eval[string](b, `document.querySelector('.assistant-reply').innerHTML`))
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
