package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserDialogErrorOtherTabLanguage: a modal dialog makes the
// language picker behind it unreachable, but another tab of the same
// browser can switch the language (the choice is kept in localStorage).
// The tab with the dialog follows at once: the dialog stays open with
// what is typed, and its error lines, the app's own ("Type the family's
// name exactly") and a failed Save's ("Could not delete the family. The
// server cannot be reached."), are said again in German, and in English
// when the other tab switches back. Before, the tab kept its language
// until reloaded, and the name line stayed in the language it was said in.
func TestBrowserDialogErrorOtherTabLanguage(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	b := newDevice(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB"})
	b.login(m.URL(), "ana@example.org")
	b.goFamily()
	other := b.newTab("other tab", laptopW, laptopH, false)
	defer other.closeTab()
	other.do(chromedp.Navigate(m.URL() + "/family"))
	other.waitJS("the other tab's Family page", `!!document.querySelector('#lang-select')`, 10*time.Second)
	switchTo := func(lang, want string) {
		t.Helper()
		other.setValue(`#lang-select`, lang)
		b.waitJS("the dialog's line: "+want, `document.querySelector('dialog[open] .dialog-error')?.textContent === `+js(want), 5*time.Second)
		if !eval[bool](b, dialogOpen+` && document.querySelector('dialog[open] input[name=confirm_name]').value === 'Rivera family'`) {
			t.Error("the dialog or what is typed in it did not stay")
		}
	}

	b.click(`[data-key="delete-family"]`)
	b.waitJS("the dialog", dialogOpen, 5*time.Second)
	b.setValue(`dialog[open] input[name=confirm_name]`, "Rivera family")
	b.click(`dialog[open] button[type=submit]`)
	b.waitJS("the name line", `document.querySelector('dialog[open] .dialog-error')?.textContent === 'Type the family\'s name exactly: Rivera'`, 5*time.Second)
	switchTo("de", "Gib den Namen der Familie genau ein: Rivera")
	if lang := eval[string](b, `document.documentElement.lang`); lang[:2] != "de" {
		t.Errorf("the page behind the dialog is in %q", lang)
	}
	switchTo("en", "Type the family's name exactly: Rivera")

	// A Save that fails: the network's line, in one language, then the other.
	eval[bool](b, `(() => { const real = window.fetch; window.fetch = (input, opts) => (opts?.method === 'DELETE' ? Promise.reject(new TypeError('Failed to fetch')) : real(input, opts)); return true; })()`)
	b.setValue(`dialog[open] input[name=confirm_name]`, "Rivera")
	b.click(`dialog[open] button[type=submit]`)
	b.waitJS("the failed Save's line", `document.querySelector('dialog[open] .dialog-error')?.textContent === 'Could not delete the family. The server cannot be reached.'`, 5*time.Second)
	b.setValue(`dialog[open] input[name=confirm_name]`, "Rivera family")
	switchTo("de", "Die Familie konnte nicht gelöscht werden. Der Server ist nicht erreichbar.")
}
