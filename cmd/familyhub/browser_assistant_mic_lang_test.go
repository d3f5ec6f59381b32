package main

import (
	"strconv"
	"testing"
	"time"
)

// TestBrowserAssistantMicNewLanguage: on a phone, switching the language
// while the microphone listens ends that recognition (its language is
// fixed once started) and listens again in the new one: the microphone
// stays pressed, and what is said then is heard as German and done
// (Bananen on the list); and back from German to English the same way.
// The test's SpeechRecognition records each recognition made and its
// language. Before, the recognition kept English until it stopped.
func TestBrowserAssistantMicNewLanguage(t *testing.T) {
	browserTest(t)
	m, ana, listID := anaWithWalks(t)
	b := newDevice(t, "phone", phoneW, phoneH, browserOpts{lang: "en-GB", script: speechOnCall + `
const Heard = window.SpeechRecognition;
window.__recs = [];
window.SpeechRecognition = class extends Heard {
  constructor() { super(); window.__recs.push(this); }
  abort() { this.aborted = true; super.abort(); }
};`})
	b.login(m.URL(), "ana@example.org")
	b.goFamily()
	for _, step := range []struct {
		lang, locale, said, item, answer string
	}{
		{"de", "de", "setz Bananen auf die Liste", "Bananen", ""},
		{"en", "en", "add pears to the weekly list", "pears", "Added pears to “Weekly”."},
	} {
		n := eval[int](b, `window.__recs.length`)
		b.click(`button.mic`)
		b.waitJS("listening", `!!window.__rec && window.__recs.length === `+strconv.Itoa(n+1)+` && document.querySelector('button.mic').getAttribute('aria-pressed') === 'true'`, 5*time.Second)
		b.setValue(`#lang-select`, step.lang)
		b.waitJS("listening again in "+step.locale, `!!window.__rec && window.__recs.length === `+strconv.Itoa(n+2)+` && window.__rec.lang.startsWith(`+js(step.locale)+`)
			&& window.__recs[`+strconv.Itoa(n)+`].aborted === true && document.querySelector('button.mic').getAttribute('aria-pressed') === 'true'`, 5*time.Second)
		eval[bool](b, `window.__say(`+js(step.said)+`)`)
		b.waitJS("the command done", `!document.querySelector('[aria-busy]') && !!document.querySelector('.assistant-reply button.undo')
			&& document.querySelector('button.mic').getAttribute('aria-pressed') === 'false'`, 5*time.Second)
		if step.answer != "" {
			if got := eval[string](b, replyLine); got != step.answer {
				t.Errorf("%s: the answer says %q, want %q", step.locale, got, step.answer)
			}
		}
		if c := countItems(t, ana, m, listID, step.item); c != 1 {
			t.Errorf("%d %s on the list, want 1", c, step.item)
		}
	}
	if n := eval[int](b, `window.__recs.length`); n != 4 {
		t.Errorf("%d recognitions, want 4 (two started, each again in the new language)", n)
	}
}

// TestBrowserAssistantMicNewLanguageKeepsHeard: the language switched
// while the microphone has heard part of a command ("add pears", not yet
// final) keeps those words in the field while it listens again in the new
// language, and what it hears then follows them: the whole command is
// sent and done (pears on the list), on a phone, English to German. Before,
// the new recognition's first words replaced what was heard.
func TestBrowserAssistantMicNewLanguageKeepsHeard(t *testing.T) {
	browserTest(t)
	b, m, ana, listID := anaOnFamily(t, "phone", phoneW, phoneH, speechOnCall, "")
	b.click(`button.mic`)
	b.waitJS("listening", `!!window.__rec && document.querySelector('button.mic').getAttribute('aria-pressed') === 'true'`, 5*time.Second)
	eval[bool](b, `(window.__first = window.__rec, window.__rec.onresult({ results: [Object.assign([{ transcript: 'add pears', confidence: 0.9 }], { isFinal: false })], resultIndex: 0 }), true)`)
	b.setValue(`#lang-select`, "de")
	b.waitJS("listening again in German", `!!window.__rec && window.__rec !== window.__first && window.__rec.lang.startsWith('de')
		&& document.querySelector('button.mic').getAttribute('aria-pressed') === 'true'`, 5*time.Second)
	if got := eval[string](b, `document.getElementById('assistant-input').value`); got != "add pears" {
		t.Errorf("listening again in German the field holds %q, want what was heard: %q", got, "add pears")
	}
	eval[bool](b, `window.__say(' to the weekly list')`)
	b.waitJS("the command done", `!document.querySelector('[aria-busy]') && !!document.querySelector('.assistant-reply button.undo')`, 5*time.Second)
	if c := countItems(t, ana, m, listID, "pears"); c != 1 {
		t.Errorf("%d pears on the list, want 1 (the command heard in two languages, whole)", c)
	}
}
