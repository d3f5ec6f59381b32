package main

import (
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserNavAt300: on a 300 px screen (a small phone with its display
// size turned up), in English and in German (longer labels), every page
// of the navigation shows without a sideways scroll: not of the page, not
// of the navigation, its labels whole and at 13 px at least, the header's
// and heading's texts whole. Below 320 px the navigation scrolled
// sideways (German's five labels needed about 320 px).
func TestBrowserNavAt300(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	listID := restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})["id"].(string)
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "milk"})
	for _, lang := range []string{"en-GB", "de-DE"} {
		t.Run(lang, func(t *testing.T) {
			b := newDevice(t, "300 px "+lang, 300, phoneH, browserOpts{lang: lang})
			b.login(m.URL(), "ana@example.org")
			for _, page := range []struct{ path, ready string }{
				{"/shopping/" + listID, `li.item`}, {"/tasks", `#h-today`}, {"/calendar", `.cal-nav`}, {"/recipes", `#main h1`}, {"/family", `li.member`},
			} {
				b.goTo(page.path, `location.pathname === `+js(page.path)+` && document.querySelector(`+js(page.ready)+`)`)
				for _, c := range []string{overflow, navScrolls, navTextSmall, textCut} {
					if s := eval[string](b, c); s != "" {
						t.Errorf("%s at 300 px: %s", page.path, s)
					}
				}
				for _, s := range eval[[]string](b, `[...document.querySelectorAll('#nav a')].map((a) => [a.textContent.trim(), a.getBoundingClientRect()])
					.filter(([, r]) => r.width < 43.5 || r.height < 43.5).map(([l, r]) => l + ' ' + Math.round(r.width) + '×' + Math.round(r.height))`) {
					t.Errorf("%s at 300 px: navigation tap target under 44 px: %s", page.path, s)
				}
			}
			b.waitJS("still live", `document.getElementById('conn').dataset.state === 'live'`, 5*time.Second)
		})
	}
}
