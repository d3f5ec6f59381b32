package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/familyhub/familyhub/db/dbtest"
)

// replyNote is the line under a question that says why a choice failed.
const replyNote = `(document.querySelector('.assistant-reply p.assistant-note')?.textContent ?? '')`

// heardLine is the line under the field about what the microphone heard meanwhile.
const heardLine = `(document.querySelector('.assistant-heard')?.textContent ?? '')`

// failChoice makes the page's next POST …/choice fail as answer does
// ('network', or a status with the server's error body in English).
const failChoice = `(window.__failChoice = (answer) => window.__failAssistant(answer === 'network' ? answer : {...answer, field: 'option'}, (p) => p.endsWith('/choice')), true)`

// choiceButtons lists the question's buttons: label, and "(off)" when disabled.
const choiceButtons = `[...document.querySelectorAll('.assistant-reply .choices button')].map((b) => b.textContent + (b.disabled ? ' (off)' : '')).join(' | ')`

// fitsPhone: nothing of the bar scrolls sideways.
const fitsPhone = `document.documentElement.scrollWidth <= innerWidth && [...document.querySelectorAll('.assistant-reply, .assistant-heard')].every((r) => r.scrollWidth <= r.clientWidth)`

// TestBrowserAssistantChoiceRefused: on a 320 px phone, a question's
// option the server refuses (its task was deleted meanwhile: a 422) is
// said with the question, which stays: the refused option disabled, the
// other still answerable and answered with a tap; in English (the
// server's sentence) and German (the app's), without the example
// commands. A choice without an answer (offline) leaves both options
// answerable; a question answered elsewhere already (409) is closed and
// says so, in English and German. Before, a refused choice replaced the
// question with "I could not do that: nothing matched…" and the example
// commands (or the server's sentence alone), and the question was gone.
func TestBrowserAssistantChoiceRefused(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	seedFamily(t, m, ana)
	dog := restAs(t, ana, m, "POST", "/api/tasks", map[string]any{"title": "Walk the dog"})
	restAs(t, ana, m, "POST", "/api/tasks", map[string]any{"title": "Walk the cat"})
	b := newDevice(t, "small phone", 320, 640, browserOpts{lang: "en-GB"})
	b.login(m.URL(), "ana@example.org")
	b.goFamily()
	lang := func(code, cond string) {
		t.Helper()
		b.setValue(`#lang-select`, code)
		b.waitJS("language "+code+": "+cond, `document.documentElement.lang.startsWith('`+code+`') && `+cond, 5*time.Second)
	}
	ask := func(text string) {
		t.Helper()
		b.setValue(`#assistant-input`, text)
		b.click(`.assistant-form button[type=submit]`)
		b.waitJS("the question", `document.querySelectorAll('.assistant-reply .choices button').length === 2 && !document.querySelector('[aria-busy]')`, 5*time.Second)
	}
	settled := `!document.querySelector('[aria-busy]') && !document.querySelector('.assistant-form button[type=submit]').disabled`

	ask("mark walk as done")
	question := eval[string](b, replyLine)
	restAs(t, ana, m, "DELETE", "/api/tasks/"+dog["id"].(string), nil)
	b.clickText(`.assistant-reply .choices button`, "Walk the dog")
	b.waitJS("the refusal under the question", settled+` && `+replyNote+`.startsWith('No open task matches “Walk the dog”')`, 5*time.Second)
	if got := eval[string](b, replyLine); got != question {
		t.Errorf("after the refusal the reply says %q, want the question %q", got, question)
	}
	if got := eval[string](b, choiceButtons); got != "“Walk the cat” | “Walk the dog” (off)" {
		t.Errorf("the question's buttons after the refusal: %q", got)
	}
	if eval[bool](b, `!!document.querySelector('.assistant-reply .examples:not(.choices)')`) {
		t.Error("the example commands are shown for a refused choice")
	}
	if !eval[bool](b, fitsPhone) {
		b.savePNG("assistant-choice-refused-phone", chromedp.FullScreenshot(100))
		t.Error("the refused choice is wider than a 320 px screen")
	}
	lang("de", replyNote+` === 'Das ging so nicht. Wähle eine andere Möglichkeit oder schreib den Befehl noch einmal.' && `+replyLine+` === 'Was meinst du?'`)
	if got := eval[string](b, choiceButtons); got != "Aufgabe „Walk the cat“ | Aufgabe „Walk the dog“ (off)" {
		t.Errorf("the German buttons after the refusal: %q", got)
	}
	if !eval[bool](b, fitsPhone) {
		b.savePNG("assistant-choice-refused-phone-de", chromedp.FullScreenshot(100))
		t.Error("the German refused choice is wider than a 320 px screen")
	}
	lang("en", replyNote+`.startsWith('No open task matches')`)
	b.clickText(`.assistant-reply .choices button`, "Walk the cat")
	b.waitJS("the other option done", settled+` && `+replyLine+` === 'Marked “Walk the cat” as done.' && !document.querySelector('.assistant-reply .choices')`, 5*time.Second)

	// No answer: both options stay; then a question answered already closes.
	for _, title := range []string{"Walk the bird", "Walk the fish"} {
		restAs(t, ana, m, "POST", "/api/tasks", map[string]any{"title": title})
	}
	ask("mark walk as done")
	eval[bool](b, failAssistant)
	eval[bool](b, failChoice)
	eval[bool](b, `window.__failChoice('network')`)
	b.clickText(`.assistant-reply .choices button`, "Walk the bird")
	b.waitJS("no answer said under the question", settled+` && `+replyNote+` === 'The server cannot be reached.'`, 5*time.Second)
	if got := eval[string](b, choiceButtons); strings.Contains(got, "(off)") {
		t.Errorf("after no answer the buttons are %q, want both answerable", got)
	}
	eval[bool](b, `window.__failChoice({status: 409, code: 'conflict', message: 'This question was answered with another option.'})`)
	b.clickText(`.assistant-reply .choices button`, "Walk the bird")
	b.waitJS("the question closed", settled+` && `+replyNote+` === 'This question was answered with another option.' && !document.querySelector('.assistant-reply .choices')`, 5*time.Second)
	lang("de", replyNote+` === 'Diese Frage ist schon beantwortet. Schreib den Befehl bei Bedarf noch einmal.'`)
}

// speechOnCall is a SpeechRecognition that hears what the test says
// (window.__say(text)), as a final result.
const speechOnCall = `window.SpeechRecognition = class {
  constructor() { window.__rec = this; }
  start() {}
  stop() { setTimeout(() => { if (window.__rec === this) { window.__rec = null; this.onend && this.onend(); } }, 0); }
  abort() { this.stop(); }
};
window.__say = (text) => {
  const heard = Object.assign([{ transcript: text, confidence: 0.9 }], { isFinal: true });
  window.__rec.onresult({ results: [heard], resultIndex: 0 });
  return true;
};`

// TestBrowserAssistantHeardWhileBusy: what the microphone hears while a
// command is on its way is not sent over that command's answer (it could
// be a question): it waits in the field and a line under it says so,
// on a 320 px phone and a laptop, in English and German; once the answer
// is in, focus is in the field and Send sends it. Before, the words stayed
// in the field unsent and nothing said so.
func TestBrowserAssistantHeardWhileBusy(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	listID := seedFamily(t, m, ana)
	const enHeard, deHeard = "Not sent yet: another request is on its way. What you said waits in the field; press Send once the answer is in.",
		"Noch nicht gesendet: Eine andere Anfrage ist unterwegs. Was du gesagt hast, wartet im Feld; tippe auf Senden, sobald die Antwort da ist."
	for _, d := range []struct {
		name string
		w, h int64
	}{{"small phone", 320, 640}, {"laptop", laptopW, laptopH}} {
		b := newDevice(t, d.name, d.w, d.h, browserOpts{lang: "en-GB", script: speechOnCall})
		b.login(m.URL(), "ana@example.org")
		b.goFamily()
		if d.name == "laptop" {
			b.setValue(`#lang-select`, "de")
			b.waitJS("German", `document.documentElement.lang.startsWith('de')`, 5*time.Second)
		}
		item, said := "bananas", "add pears to the weekly list"
		if d.name == "laptop" {
			item, said = "plums", "add cherries to the weekly list"
		}
		eval[bool](b, holdSends)
		eval[bool](b, `(window.__holdBefore = (p, m) => p === '/api/assistant/commands' && m === 'POST', true)`)
		b.setValue(`#assistant-input`, "add "+item+" to the weekly list")
		b.click(`.assistant-form button[type=submit]`)
		b.waitJS("the command held", `window.__before.length === 1`, 5*time.Second)
		b.click(`button.mic`)
		b.waitJS("listening", `!!window.__rec`, 5*time.Second)
		eval[bool](b, `window.__say(`+js(said)+`)`)
		want := enHeard
		if d.name == "laptop" {
			want = deHeard
		}
		b.waitJS("the heard words wait, said so", heardLine+` === `+js(want)+` && document.getElementById('assistant-input').value === `+js(said), 5*time.Second)
		if !eval[bool](b, fitsPhone) {
			b.savePNG("assistant-heard-"+strings.ReplaceAll(d.name, " ", "-"), chromedp.FullScreenshot(100))
			t.Errorf("%s: the heard line is wider than the screen", d.name)
		}
		if d.name == "small phone" {
			b.setValue(`#lang-select`, "de")
			b.waitJS("the heard line in German", heardLine+` === `+js(deHeard), 5*time.Second)
			b.setValue(`#lang-select`, "en")
			b.waitJS("the heard line in English", heardLine+` === `+js(enHeard), 5*time.Second)
		}
		eval[bool](b, `(window.__holdBefore = () => false, window.__sendHeld(), true)`)
		b.waitJS("the first answer, the heard words still waiting", `!document.querySelector('[aria-busy]') && document.querySelector('.assistant-reply button.undo')
			&& document.activeElement?.id === 'assistant-input' && document.getElementById('assistant-input').value === `+js(said)+` && `+heardLine+` !== ''`, 5*time.Second)
		if n := eval[int](b, `performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname === '/api/assistant/commands').length`); n != 1 {
			t.Errorf("%s: %d commands sent before Send, want 1", d.name, n)
		}
		b.click(`.assistant-form button[type=submit]`)
		b.waitJS("the heard command sent", `!document.querySelector('[aria-busy]') && `+heardLine+` === '' && document.getElementById('assistant-input').value === ''
			&& performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname === '/api/assistant/commands').length === 2`, 5*time.Second)
	}
	for _, name := range []string{"bananas", "pears", "plums", "cherries"} {
		if n := countItems(t, ana, m, listID, name); n != 1 {
			t.Errorf("%d %s on the list, want 1", n, name)
		}
	}
}

// TestBrowserAssistantSignOutMidCommand: a command whose answer is on its
// way when the page changes keeps its "On it…" line (its answer comes
// there); when Ana signs out before it comes, Eve, signing in next on the
// same page, gets a bar that is not busy (Send enabled) and does not see
// Ana's answer when it arrives. Before, Send stayed disabled for Eve until
// Ana's answer came, which then showed in Eve's bar; and a new page took
// the "On it…" line away while Send stayed disabled.
func TestBrowserAssistantSignOutMidCommand(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	signupAt(t, m.URL(), `{"email":"eve@example.org","password":"correct horse","display_name":"Eve","family_name":"Stone"}`)
	listID := seedFamily(t, m, ana)
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	b.login(m.URL(), "ana@example.org")
	b.goFamily()

	eval[bool](b, holdSends)
	eval[bool](b, `(window.__holdAfter = (p, m) => p === '/api/assistant/commands' && m === 'POST', true)`)
	b.setValue(`#assistant-input`, "add bananas to the weekly list")
	b.click(`.assistant-form button[type=submit]`)
	b.waitJS("the answer held", `window.__after.length === 1`, 5*time.Second)
	b.goTo("/shopping/"+listID, `document.querySelector('li.item[data-name="apples"]')`)
	if got := eval[string](b, replyLine); got != "On it…" {
		t.Errorf("on the new page, with the command on its way, the reply says %q", got)
	}

	eval[bool](b, `(window.familyhub.signOut(), true)`)
	b.waitJS("Ana signed out", `location.pathname === '/login' && !!document.querySelector('input[name=email]')`, 10*time.Second)
	b.do(chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "eve@example.org"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse"),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.waitJS("Eve signed in", `location.pathname !== '/login' && !!document.querySelector('#assistant-input') && !document.querySelector('.assistant').hidden`, 10*time.Second)
	if !eval[bool](b, `!document.querySelector('.assistant-form button[type=submit]').disabled && !document.querySelector('.assistant [aria-busy]')`) {
		t.Error("Eve's bar is busy with Ana's command")
	}
	// The bar reads the answer's body, then handles it in the same task's
	// microtasks: once the body is read, a task later it has been handled.
	eval[bool](b, `(() => { const json = Response.prototype.json;
		Response.prototype.json = async function () { const v = await json.call(this);
			if (new URL(this.url).pathname === '/api/assistant/commands') window.__assistantRead = true; return v; };
		return true; })()`)
	eval[bool](b, `(window.__holdAfter = () => false, window.__answerHeld(), true)`)
	b.waitJS("Ana's answer read", `window.__assistantRead === true`, 5*time.Second)
	evalAwait[bool](b, `new Promise((r) => setTimeout(() => r(true), 0))`)
	if got := eval[string](b, `document.querySelector('.assistant-reply')?.textContent ?? ''`); got != "" {
		t.Errorf("Eve's bar shows %q, Ana's answer", got)
	}
	if n := countItems(t, ana, m, listID, "bananas"); n != 1 {
		t.Errorf("%d bananas on Ana's list, want 1", n)
	}
}

// TestBrowserAssistantChoiceHoldsBar: a choice on its way holds the bar as
// a command does: Send is disabled and sends nothing (the typed command
// waits), and a microphone that fails meanwhile says so under the field,
// in English and German, leaving the question in view; once the choice is
// answered, Send sends the typed command. Before, a command sent while a
// choice was on its way had its answer replaced by the choice's, and a
// microphone error replaced the question.
func TestBrowserAssistantChoiceHoldsBar(t *testing.T) {
	browserTest(t)
	m, ana, listID := anaWithWalks(t)
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB", script: speechOnCall})
	b.login(m.URL(), "ana@example.org")
	b.goFamily()
	b.setValue(`#assistant-input`, "mark walk as done")
	b.click(`.assistant-form button[type=submit]`)
	b.waitJS("the question", `document.querySelectorAll('.assistant-reply .choices button').length === 2 && !document.querySelector('[aria-busy]')`, 5*time.Second)
	question := eval[string](b, replyLine)

	eval[bool](b, holdSends)
	eval[bool](b, `(window.__holdBefore = (p, m) => p.endsWith('/choice') && m === 'POST', true)`)
	b.clickText(`.assistant-reply .choices button`, "Walk the dog")
	b.waitJS("the choice held", `window.__before.length === 1`, 5*time.Second)
	if !eval[bool](b, `document.querySelector('.assistant-form button[type=submit]').disabled`) {
		t.Error("Send is enabled while the choice is on its way")
	}
	b.setValue(`#assistant-input`, "add bananas to the weekly list")
	eval[bool](b, `(document.querySelector('.assistant-form').requestSubmit(), true)`)
	if got := eval[string](b, replyLine); got != question {
		t.Errorf("Enter while the choice is on its way: the reply says %q, want the question (nothing sent)", got)
	}
	b.click(`button.mic`)
	b.waitJS("listening", `!!window.__rec`, 5*time.Second)
	eval[bool](b, `(window.__rec.onerror({ error: 'network' }), true)`)
	b.waitJS("the microphone's failure under the field", heardLine+` === 'The microphone did not work. Type the command instead.'`, 5*time.Second)
	if got := eval[string](b, replyLine); got != question {
		t.Errorf("with the choice on its way the reply says %q, want the question", got)
	}
	b.setValue(`#lang-select`, "de")
	b.waitJS("the failure in German", heardLine+` === 'Das Mikrofon hat nicht funktioniert. Tippe den Befehl stattdessen.' && `+replyLine+` === 'Was meinst du?'`, 5*time.Second)
	b.setValue(`#lang-select`, "en")
	b.waitJS("English again", replyLine+` === `+js(question), 5*time.Second)

	eval[bool](b, `(window.__holdBefore = () => false, window.__sendHeld(), true)`)
	b.waitJS("the choice answered", replyLine+` === 'Marked “Walk the dog” as done.' && !document.querySelector('[aria-busy]')`, 5*time.Second)
	b.setValue(`#assistant-input`, "add bananas to the weekly list")
	b.click(`.assistant-form button[type=submit]`)
	b.waitJS("the command's answer", replyLine+` === 'Added bananas to “Weekly”.' && !document.querySelector('[aria-busy]')`, 5*time.Second)
	if n := countItems(t, ana, m, listID, "bananas"); n != 1 {
		t.Errorf("%d bananas on the list, want 1", n)
	}
}

// TestBrowserAssistantOfflineMidCommand: a 320 px phone goes offline
// while a command's answer is on its way (the command reached the server,
// its answer is lost): the bar ends it at once, saying the server cannot
// be reached (English, then German), Send enabled again; back online,
// Send again keeps the command's id, so it is not done twice (one item).
// The test holds the first answer until its request is aborted and keeps
// the 30 s timer from firing. Before, the bar waited the full 30 s.
func TestBrowserAssistantOfflineMidCommand(t *testing.T) {
	browserTest(t)
	b, m, ana, listID := anaOnFamily(t, "small phone", 320, 640, "", `
		if (window.__ids.length > 1) return realFetch(input, opts);
		realFetch(input, { ...opts, signal: undefined });
		return new Promise((_, reject) => opts.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));`)
	eval[bool](b, `(() => {
		const realTimeout = window.setTimeout;
		window.setTimeout = (fn, ms, ...args) => (ms === 30000 ? -1 : realTimeout(fn, ms, ...args));
		return true;
	})()`)
	b.setValue(`#assistant-input`, "add bananas to the weekly list")
	b.click(`.assistant-form button[type=submit]`)
	b.waitJS("the command on its way", `window.__ids.length === 1 && document.querySelector('.assistant-form button[type=submit]').disabled`, 5*time.Second)
	eval[bool](b, `(window.dispatchEvent(new Event('offline')), true)`)
	b.waitJS("offline said at once", replyLine+` === 'The server cannot be reached.' && !document.querySelector('[aria-busy]') && !document.querySelector('.assistant-form button[type=submit]').disabled`, 5*time.Second)
	b.setValue(`#lang-select`, "de")
	b.waitJS("offline said in German", replyLine+` === 'Der Server ist nicht erreichbar.'`, 5*time.Second)
	b.setValue(`#lang-select`, "en")
	b.waitJS("English again", replyLine+` === 'The server cannot be reached.'`, 5*time.Second)

	eval[bool](b, `(window.dispatchEvent(new Event('online')), true)`)
	sentAgainOnce(t, b, m, ana, listID)
}

// TestBrowserAssistantProxyFailedKeepsID: a command the server did whose
// answer a proxy replaced by a 502 (the server went down just after)
// says "The server is not answering right now. Try again in a moment.";
// Send again keeps its id, so the server answers from its record: one
// item. Before, only a network failure kept the id: trying again, as the
// line says, added the item twice.
func TestBrowserAssistantProxyFailedKeepsID(t *testing.T) {
	browserTest(t)
	b, m, ana, listID := anaOnFamily(t, "laptop", laptopW, laptopH, "", `
		const res = await realFetch(input, opts);
		if (window.__ids.length > 1) return res;
		await res.text();
		return new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'Content-Type': 'text/html' } });`)
	b.setValue(`#assistant-input`, "add bananas to the weekly list")
	b.click(`.assistant-form button[type=submit]`)
	b.waitJS("the 502 said", replyLine+` === 'The server is not answering right now. Try again in a moment.' && !document.querySelector('[aria-busy]')`, 5*time.Second)
	sentAgainOnce(t, b, m, ana, listID)
}

// anaWithWalks starts the app with Ana's family (seedFamily; the Weekly
// list's id is returned) and two tasks "mark walk as done" can mean: "Walk
// the dog" and "Walk the cat" (the assistant asks which).
func anaWithWalks(t *testing.T) (*Main, member, string) {
	t.Helper()
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	listID := seedFamily(t, m, ana)
	for _, title := range []string{"Walk the dog", "Walk the cat"} {
		restAs(t, ana, m, "POST", "/api/tasks", map[string]any{"title": title})
	}
	return m, ana, listID
}

// anaOnFamily starts Ana's family (anaWithWalks) and her device (name,
// w × h, English, with script: browserOpts) on the Family page, where the
// assistant's bar is. Unless commands is empty, its fetch hands each
// assistant command, its id recorded in window.__ids, to commands: the
// body of an async function of (input, opts, realFetch) that answers it
// (the test's way to lose, hold or replace the answer); every other
// request goes to the server.
func anaOnFamily(t *testing.T, name string, w, h int64, script, commands string) (*browser, *Main, member, string) {
	t.Helper()
	m, ana, listID := anaWithWalks(t)
	b := newDevice(t, name, w, h, browserOpts{lang: "en-GB", script: script})
	b.login(m.URL(), "ana@example.org")
	b.goFamily()
	if commands == "" {
		return b, m, ana, listID
	}
	eval[bool](b, `(() => {
		const realFetch = window.fetch;
		const commands = async (input, opts, realFetch) => {`+commands+`
		};
		window.__ids = [];
		window.fetch = (input, opts) => {
			const url = new URL(typeof input === 'string' ? input : input.url, location.href);
			if (url.pathname !== '/api/assistant/commands') return realFetch(input, opts);
			window.__ids.push(JSON.parse(opts.body).id);
			return commands(input, opts, realFetch);
		};
		return true;
	})()`)
	return b, m, ana, listID
}

// sentAgainOnce sends "add bananas to the weekly list" again (it is in the
// field) after its first request got no answer, though it reached the
// server: the bar sends it with the same id (window.__ids, recorded by the
// test's fetch), so the server answers from its record: one bananas item.
func sentAgainOnce(t *testing.T, b *browser, m *Main, ana member, listID string) {
	t.Helper()
	b.click(`.assistant-form button[type=submit]`)
	b.waitJS("the answer to the same command", replyLine+` === 'Added bananas to “Weekly”.' && !document.querySelector('[aria-busy]')`, 5*time.Second)
	if !eval[bool](b, `window.__ids.length === 2 && !!window.__ids[0] && window.__ids[0] === window.__ids[1]`) {
		t.Errorf("the command sent again with ids %s, want the same id", eval[string](b, `JSON.stringify(window.__ids)`))
	}
	if n := countItems(t, ana, m, listID, "bananas"); n != 1 {
		t.Errorf("%d bananas on the list, want 1", n)
	}
}

// TestBrowserAssistantOfflineAfterAnswer: the device says it went offline
// just after a command's answer came in (its status and headers), while its
// body is still being read: the command was done, so the answer is shown
// (with its Undo) and the command is not taken for lost. The test's fetch
// answers from the server but holds the body, erroring it when the
// request's signal aborts, as a real fetch does. Before, the `offline`
// event aborted the body's read: "The server cannot be reached." for a
// command that was done, its answer and Undo gone.
func TestBrowserAssistantOfflineAfterAnswer(t *testing.T) {
	browserTest(t)
	b, m, ana, listID := anaOnFamily(t, "small phone", 320, 640, "", `
		const res = await realFetch(input, { ...opts, signal: undefined });
		const body = await res.text();
		let ctrl;
		const stream = new ReadableStream({ start(c) { ctrl = c; } });
		opts.signal?.addEventListener('abort', () => { try { ctrl.error(new DOMException('aborted', 'AbortError')); } catch {} });
		window.__releaseBody = () => { try { ctrl.enqueue(new TextEncoder().encode(body)); ctrl.close(); } catch {} return true; };
		return new Response(stream, { status: res.status, headers: res.headers });`)
	b.setValue(`#assistant-input`, "add bananas to the weekly list")
	b.click(`.assistant-form button[type=submit]`)
	b.waitJS("the answer's headers in, its body held", `typeof window.__releaseBody === 'function'`, 5*time.Second)
	eval[bool](b, `(window.dispatchEvent(new Event('offline')), true)`)
	eval[bool](b, `window.__releaseBody()`)
	b.waitJS("the answer shown", `!document.querySelector('[aria-busy]') && (`+replyLine+` === 'Added bananas to “Weekly”.' || `+replyLine+` === 'The server cannot be reached.')`, 5*time.Second)
	if got := eval[string](b, replyLine); got != "Added bananas to “Weekly”." {
		t.Fatalf("a command whose answer came as the device went offline says %q", got)
	}
	if !eval[bool](b, `!!document.querySelector('.assistant-reply button.undo') && !document.querySelector('.assistant-form button[type=submit]').disabled`) {
		t.Error("the answer has no Undo, or Send stays disabled")
	}
	if n := countItems(t, ana, m, listID, "bananas"); n != 1 {
		t.Errorf("%d bananas on the list, want 1", n)
	}
}
