package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// bannerLine is the failed write's banner as "what|why" (what in bold).
const bannerLine = `(() => {
	const p = document.querySelector('#banner:not([hidden]) p');
	if (!p) return '';
	const what = p.querySelector('strong').textContent;
	return what + '|' + p.textContent.slice(what.length).trim();
})()`

// shotBothWidths saves b's whole page at 1280 and 390 px as
// test-artifacts/<name>-<width>.png and fails when the page is wider than
// the screen; b is left at 1280 px.
func shotBothWidths(t *testing.T, b *browser, name string) {
	t.Helper()
	defer b.do(chromedp.EmulateViewport(laptopW, laptopH))
	for _, w := range []int64{laptopW, phoneW} {
		b.do(chromedp.EmulateViewport(w, laptopH))
		b.waitJS(fmt.Sprintf("the page at %d px", w), fmt.Sprintf(`innerWidth === %d`, w), 5*time.Second)
		b.savePNG(fmt.Sprintf("%s-%d", name, w), chromedp.FullScreenshot(100))
		if !eval[bool](b, `document.documentElement.scrollWidth <= innerWidth`) {
			t.Errorf("%s is wider than a %d px screen", name, w)
		}
	}
}

// TestBrowserBannerNewLanguage: Ana makes a reset code for Ben; the
// request is held before it reaches the server while Ben is removed from
// the family and Ana switches the app to German. Its refusal then says
// both what failed and why in German, and, when she switches back, in
// English. Before, what failed stayed in English (the language the
// request was made in), and a banner shown stayed in the language it came
// in.
func TestBrowserBannerNewLanguage(t *testing.T) {
	browserTest(t)
	c, ana, ben, b := anaOnFamilyPage(t)
	eval[bool](b, `(import('/js/i18n/de.js').then((m) => { window.__de = m.default; }), import('/js/i18n/en.js').then((m) => { window.__en = m.default; }), true)`)
	b.waitJS("the message tables", `!!window.__de && !!window.__en`, 5*time.Second)
	reset := `[data-key="reset-` + ben.userID + `"]`
	b.waitJS("Ben's reset code button", `!!document.querySelector('`+reset+`')`, 10*time.Second)
	eval[bool](b, holdSends)
	eval[bool](b, `(window.__holdBefore = (p, m) => p.endsWith('/reset-code') && m === 'POST', true)`)
	b.click(reset)
	b.waitJS("the request held", `window.__before.length === 1`, 5*time.Second)
	restAs(t, ana, c.b, "DELETE", "/api/family/members/"+ben.userID, nil)
	b.waitJS("Ben gone from the page", `!document.querySelector('`+reset+`')`, 10*time.Second)
	b.setValue(`#lang-select`, "de")
	b.waitJS("the page in German", `document.querySelector('#h-settings')?.textContent === 'Familieneinstellungen'`, 10*time.Second)
	eval[bool](b, `(window.__holdBefore = () => false, window.__sendHeld(), true)`)
	b.waitJS("the refusal in German", bannerLine+` !== ''`, 10*time.Second)
	inLang := func(lang, what string) {
		t.Helper()
		got := eval[string](b, bannerLine)
		if want := what + "|"; len(got) <= len(want) || got[:len(want)] != want {
			t.Errorf("in %s the banner says %q, want %q and why", lang, got, what)
		}
		if !eval[bool](b, `Object.values(window.__`+lang+`).includes(`+bannerLine+`.split('|')[1])`) {
			t.Errorf("in %s the banner's reason is not in that language: %q", lang, got)
		}
	}
	inLang("de", "Für Ben konnte kein Rücksetzcode erstellt werden.")
	shotBothWidths(t, b, "banner-family-de")
	b.setValue(`#lang-select`, "en")
	b.waitJS("the page in English", `document.querySelector('#h-settings')?.textContent === 'Family settings'`, 10*time.Second)
	inLang("en", "Could not make a reset code for Ben.")
}

// TestBrowserFormErrorLinesNewLanguage: the server refuses Ana's
// notification settings (5000 minutes) and her family settings (the time
// zone "Mars/Base"); she switches the app to German: the page built again
// in German says both refusals in German (from the errors' codes), the
// zone still marked invalid. Before, the English lines were dropped and
// the page said nothing of either refusal.
func TestBrowserFormErrorLinesNewLanguage(t *testing.T) {
	browserTest(t)
	_, _, _, b := anaOnFamilyPage(t)
	eval[bool](b, `(import('/js/i18n/de.js').then((m) => { window.__de = m.default; }), true)`)
	b.waitJS("the notification settings", `!!window.__de && document.querySelector('#notify input[name=task_lead_minutes]')?.value !== ''`, 10*time.Second)
	b.setValue(`#notify input[name=task_lead_minutes]`, "5000")
	b.click(`#notify form.notify-form button[type=submit]`)
	b.waitJS("the notification settings refused", `document.querySelector('#notify .form-error')?.checkVisibility()`, 5*time.Second)
	b.setValue(`#family-zone`, "Mars/Base")
	b.click(`.settings-form button[type=submit]`)
	b.waitJS("the family settings refused", `document.querySelector('.settings-form .form-error')?.checkVisibility()`, 5*time.Second)
	english := eval[string](b, `document.querySelector('#notify .form-error').textContent + '|' + document.querySelector('.settings-form .form-error').textContent`)

	b.setValue(`#lang-select`, "de")
	b.waitJS("the page in German, the notification settings read", `document.querySelector('#h-settings')?.textContent === 'Familieneinstellungen'
		&& !document.querySelector('#notify .notify-body').hidden && !document.querySelector('#notify').hasAttribute('aria-busy')`, 10*time.Second)
	for _, sel := range []string{`#notify .form-error`, `.settings-form .form-error`} {
		got := visibleText(b, sel)
		if got == "" || !eval[bool](b, `Object.values(window.__de).includes(`+js(got)+`)`) {
			t.Errorf("in German %s says %q, want the refusal in German (in English: %s)", sel, got, english)
		}
	}
	if !eval[bool](b, `document.querySelector('#family-zone').getAttribute('aria-invalid') === 'true'`) {
		t.Error("in German the time zone is not marked invalid")
	}
	shotBothWidths(t, b, "family-error-lines-de")
}

// TestBrowserRefusedNoticeNewLanguage: offline, Ana moves an event's end
// before its start and then renames it; back online the server refuses
// the move and the rename waits in a notice that says why. She switches
// the app to German: the notice says why in German, also after a reload
// (the notice is kept in IndexedDB with the error's code). Before, the
// reason stayed in English.
func TestBrowserRefusedNoticeNewLanguage(t *testing.T) {
	browserTest(t)
	c, ana, _ := twoAdults(t)
	restAs(t, ana, c.a, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	day := time.Now().UTC().AddDate(0, 0, 1).Truncate(24 * time.Hour)
	ev := restAs(t, ana, c.a, "POST", "/api/calendar/events", map[string]any{"title": "Dentist",
		"starts_at": day.Add(10 * time.Hour).Format(time.RFC3339), "ends_at": day.Add(11 * time.Hour).Format(time.RFC3339)})
	base, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	a := newDevice(t, "Ana", laptopW, laptopH, browserOpts{lang: "en-GB", script: `delete Navigator.prototype.serviceWorker;`})
	a.login(c.a.URL(), "ana@example.org")
	a.goOffline()
	eval[bool](a, fmt.Sprintf(`(import('/js/outbox.js').then(async ({ enqueue }) => {
		const base = %s;
		const path = '/api/calendar/events/' + base.id;
		await enqueue({ kind: 'event.patch', method: 'PATCH', path, body: { ends_at: %q }, record: base.id, base, label: base.title });
		await enqueue({ kind: 'event.patch', method: 'PATCH', path, body: { title: 'Dentist (Tim)' }, record: base.id, base, label: base.title });
	}), true)`, base, day.Add(9*time.Hour).Format(time.RFC3339)))
	a.waitJS("two writes waiting", `window.familyhub.outbox.count() === 2`, 5*time.Second)
	a.setOffline(false)
	notice := `document.querySelector('#notices li.conflict[data-kind=refused]')`
	a.waitJS("the refusal in a notice", `window.familyhub.outbox.count() === 0 && !!`+notice, 10*time.Second)
	head := `Your change to “Dentist” was not saved: `
	got := eval[string](a, notice+`.textContent`)
	if !strings.Contains(got, head) {
		t.Fatalf("the notice says %q, want %q and why", got, head)
	}
	why := strings.SplitN(strings.SplitN(got, head, 2)[1], ".", 2)[0]
	german := `(import('/js/i18n/de.js').then((m) => { window.__de = m.default; }), true)`
	saysWhyInGerman := func(when string) {
		t.Helper()
		a.waitJS("the notice in German "+when, `!!window.__de && `+notice+`?.textContent.includes('Deine Änderung an „Dentist“ wurde nicht gespeichert: ')`, 10*time.Second)
		text := eval[string](a, notice+`.textContent`)
		if strings.Contains(text, why) || !eval[bool](a, `Object.values(window.__de).some((v) => typeof v === 'string' && v.length > 10 && `+js(text)+`.includes('gespeichert: ' + v))`) {
			t.Errorf("%s the notice says %q, want why in German, not %q", when, text, why)
		}
	}
	eval[bool](a, german)
	a.setLang("de")
	saysWhyInGerman("after the switch")
	a.do(chromedp.Reload())
	eval[bool](a, german)
	saysWhyInGerman("after a reload")
	a.goTo("/shopping", `!!`+notice)
	shotBothWidths(t, a, "shopping-refused-notice-de")
}

// TestBrowserRecipeErrorNewLanguage: the server refuses a recipe's source
// (no http(s) address); Ana switches the app to German while the editor
// shows the refusal: the editor built again in German says it in German,
// her source kept. Before, the English line was carried over as it was.
func TestBrowserRecipeErrorNewLanguage(t *testing.T) {
	browserTest(t)
	c, ana, _, b := anaOnFamilyPage(t)
	recipe := restAs(t, ana, c.a, "POST", "/api/recipes", map[string]any{"title": "Pancakes", "servings": 4})
	eval[bool](b, `(import('/js/i18n/de.js').then((m) => { window.__de = m.default; }), true)`)
	b.goTo("/recipes/"+recipe["id"].(string)+"/edit", `!!window.__de && document.querySelector('.recipe-form input[name=title]')?.value === 'Pancakes'`)
	b.setValue(`.recipe-form input[name=source_url]`, "ftp://example.org/pancakes")
	b.click(`.recipe-form button[type=submit]`)
	b.waitJS("the refusal", `document.querySelector('.recipe-form .form-error')?.checkVisibility()`, 5*time.Second)
	english := visibleText(b, `.recipe-form .form-error`)
	eval[bool](b, `(window.beforeMain = document.querySelector('#main').firstElementChild, true)`)
	b.setLang("de")
	b.waitJS("the editor built again in German", `document.querySelector('#main').firstElementChild !== window.beforeMain
		&& document.querySelector('.recipe-form input[name=source_url]')?.value === 'ftp://example.org/pancakes'`, 10*time.Second)
	got := visibleText(b, `.recipe-form .form-error`)
	if got == english || !eval[bool](b, `Object.values(window.__de).includes(`+js(got)+`)`) {
		t.Errorf("in German the recipe's error line says %q, want the refusal in German (in English: %q)", got, english)
	}
}
