package main

import (
	"strings"
	"testing"
	"time"
)

// busyUndo makes the page's first POST …/undo answer, without reaching
// the server, what it answers when another change got in the undo's way
// (a deadlock, a row held past its deadline: assistant.ErrUndoBusy): 503
// busy with reason (other_change; previous_command; none, as from a
// server older than reasons), nothing undone. Its message is in the other
// language, so the app's own words are what is said. The second Undo
// reaches the server. window.__undos counts the Undo requests sent.
const busyUndo = `((lang, reason) => {
	const realFetch = window.fetch;
	window.__undos = 0;
	window.fetch = async (input, opts) => {
		const url = new URL(typeof input === 'string' ? input : input.url, location.href);
		if (!url.pathname.endsWith('/undo') || ++window.__undos > 1) return realFetch(input, opts);
		const error = { code: 'busy', message: 'Another change got in the way; nothing was done. Try again in a moment.' };
		if (reason) error.reason = reason;
		return new Response(JSON.stringify({ error }), {
			status: 503, headers: { 'Content-Type': 'application/json', 'Content-Language': lang === 'en' ? 'de' : 'en', 'Retry-After': '5' },
		});
	};
	return true;
})`

// undoOffered is the condition "the reply offers its Undo button, enabled".
const undoOffered = `(() => { const u = document.querySelector('.assistant-reply button.undo'); return !!u && !u.disabled; })()`

// TestBrowserAssistantUndoBusy: an Undo answered 503 busy because another
// change got in its way (reason other_change) says so, in English on a
// phone and in German on a dark laptop, and says it again in the other
// language after a switch (from the reason, not the server's sentence);
// a busy answer without a reason (an older server) or with reason
// previous_command says the member's previous command is still running
// (assistant.busy). Each time the Undo button stays, enabled, and pressed
// again (the server answers it) it undoes the command. Before, the app
// said "Your previous command is still running" (assistant.busy, the
// code's words), though no command of the member's was running.
func TestBrowserAssistantUndoBusy(t *testing.T) {
	browserTest(t)
	m, ana, listID := anaWithWalks(t)
	const (
		otherEN = "Another change got in the way, so nothing was done. Try again in a moment."
		otherDE = "Eine andere Änderung kam dazwischen, deshalb wurde nichts gemacht. Versuch es gleich noch einmal."
		busyEN  = "Your previous command is still running, so nothing was done. Send again in a moment."
		busyDE  = "Dein vorheriger Befehl läuft noch, deshalb wurde nichts gemacht. Sende gleich noch einmal."
	)
	for _, tc := range []struct {
		lang, other    string // the browser's language, the one switched to
		w, h           int64
		dark           bool
		reason         string // "" for none
		command, item  string
		said, saidThen string // in lang, then in other
		taken          string // the second Undo's answer begins so
	}{
		{"en-GB", "de", phoneW, phoneH, false, "other_change", "add bananas to the weekly list", "bananas", otherEN, otherDE, "Taken back: "},
		{"de-DE", "en", laptopW, laptopH, true, "other_change", "setz Bananen auf die Liste", "Bananen", otherDE, otherEN, "Zurückgenommen: "},
		{"en-US", "de", phoneW, phoneH, false, "", "add pears to the weekly list", "pears", busyEN, busyDE, "Taken back: "},
		{"de-DE", "en", phoneW, phoneH, true, "previous_command", "setz Bananen auf die Liste", "Bananen", busyDE, busyEN, "Zurückgenommen: "},
	} {
		name := tc.lang + " " + tc.reason
		b := newDevice(t, name, tc.w, tc.h, browserOpts{lang: tc.lang, dark: tc.dark})
		b.login(m.URL(), "ana@example.org")
		b.goFamily()
		eval[bool](b, busyUndo+`('`+tc.lang[:2]+`', `+jsonText(tc.reason)+`)`)
		b.setValue(`#assistant-input`, tc.command)
		b.click(`.assistant-form button[type=submit]`)
		b.waitJS(name+" command done", `!!document.querySelector('.assistant-reply button.undo') && !document.querySelector('[aria-busy]')`, 5*time.Second)
		done := eval[string](b, replyLine)
		b.click(`.assistant-reply button.undo`)
		b.waitJS(name+" the 503 said", `!document.querySelector('[aria-busy]') && window.__undos === 1 && `+replyLine+` !== `+jsonText(done), 5*time.Second)
		if got := eval[string](b, replyLine); got != tc.said {
			t.Fatalf("%s: after a 503 busy (reason %q) the reply says %q, want %q", name, tc.reason, got, tc.said)
		}
		if n := countItems(t, ana, m, listID, tc.item); n != 1 {
			t.Fatalf("%s: %d %s on the list after the busy Undo, want 1 (nothing undone)", name, n, tc.item)
		}
		// said again from its reason in the language switched to, and back
		b.setLang(tc.other)
		b.waitJS(name+" said in "+tc.other, replyLine+` === `+jsonText(tc.saidThen), 5*time.Second)
		b.setLang(tc.lang[:2])
		b.waitJS(name+" said in "+tc.lang+" again", replyLine+` === `+jsonText(tc.said), 5*time.Second)
		if !eval[bool](b, undoOffered) {
			t.Fatalf("%s: after a 503 busy the Undo button is gone or disabled: %q", name, eval[string](b, `document.querySelector('.assistant-reply').innerHTML`))
		}
		// pressed again, the server undoes it
		b.click(`.assistant-reply button.undo`)
		b.waitJS(name+" the second Undo answered", `!document.querySelector('[aria-busy]') && window.__undos === 2 && `+replyLine+` !== `+jsonText(tc.said), 5*time.Second)
		if got := eval[string](b, replyLine); !strings.HasPrefix(got, tc.taken) {
			t.Errorf("%s: the second Undo says %q, want %q…", name, got, tc.taken)
		}
		if n := countItems(t, ana, m, listID, tc.item); n != 0 {
			t.Errorf("%s: %d %s on the list after the second Undo, want 0", name, n, tc.item)
		}
		if eval[bool](b, `!!document.querySelector('.assistant-reply button.undo')`) {
			t.Errorf("%s: Undo still offered after its answer", name)
		}
	}
}
