package main

import (
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserPolish checks small things of the PWA a review found missing,
// one subtest each, on one phone signed in on one replica: Copy for a new
// invite code and its link (the Clipboard API, and without it the text
// selected and copied the old way).
func TestBrowserPolish(t *testing.T) {
	skipInShortMode(t, "a browser")
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	seedFamily(t, m, ana)
	b := newDevice(t, "phone", phoneW, phoneH, browserOpts{lang: "en-US"})
	b.login(m.URL(), "ana@example.org")

	t.Run("invite copy", func(t *testing.T) {
		b := b.on(t)
		for _, p := range []string{"clipboard-read", "clipboard-write"} {
			if _, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
				Permission: &cdpbrowser.PermissionDescriptor{Name: p}, Setting: cdpbrowser.PermissionSettingGranted, Origin: m.URL(),
			}); err != nil {
				t.Fatal(err)
			}
		}
		b.goFamily()
		b.click(`.invite-form button[type=submit]`)
		b.waitJS("the new code", `document.querySelector('.invite strong.code')`, 5*time.Second)
		code := eval[string](b, `document.querySelector('.invite strong.code').textContent`)
		link := eval[string](b, `document.querySelector('.invite a').textContent`)
		copyCode := `.invite .copy-line:has(strong.code) button.copy`
		b.waitJS("Copy beside the code, named for it", `document.querySelector(`+js(copyCode)+`)?.getAttribute('aria-label') === 'Copy the invite code'`, 5*time.Second)
		b.click(copyCode)
		b.waitJS("Copied, said politely", `document.querySelector('.invite .copy-line:has(strong.code) [role=status]')?.textContent === 'Copied.'`, 5*time.Second)
		eval[bool](b, `(window.__clip = undefined, navigator.clipboard.readText().then((s) => { window.__clip = s; }), true)`)
		b.waitJS("the clipboard read", `window.__clip !== undefined`, 5*time.Second)
		if got := eval[string](b, `window.__clip`); got != code {
			t.Errorf("clipboard after Copy: %q, want the code %q", got, code)
		}
		if eval[bool](b, `document.activeElement === document.querySelector(`+js(copyCode)+`)`) == false {
			t.Error("the focus left the Copy button")
		}
		// Over plain http there is no Clipboard API: the link is selected
		// and copied the old way.
		eval[bool](b, `(Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true }), true)`)
		copyLink := `.invite .copy-line:has(a) button.copy`
		b.click(copyLink)
		b.waitJS("the link selected, and a status", `getSelection().toString() === `+js(link)+`
			&& ['Copied.', 'Selected: now copy it (Ctrl+C, or Copy in the menu).'].includes(document.querySelector('.invite .copy-line:has(a) [role=status]')?.textContent)`, 5*time.Second)
		if got := eval[string](b, `document.querySelector(`+js(copyLink)+`).getAttribute('aria-label')`); got != "Copy the link" {
			t.Errorf("the link's Copy is named %q", got)
		}
	})
}
