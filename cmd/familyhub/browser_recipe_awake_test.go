package main

import (
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// wakeLockWatch records in every document each screen wake lock the page
// holds (window.__locks), and lets the test say the page is hidden or shown
// (window.__setShown): a headless page stays visible, so the test lets the
// held locks go, as the browser does when a page is hidden, and fires
// visibilitychange. window.__dropEarly = n lets the next n locks go before
// the page has them (its 'release' fired before any listener could be
// there), as a browser does when the page is hidden, or the system takes
// the lock, while the request is being answered.
const wakeLockWatch = `(() => {
  if (!navigator.wakeLock) return;
  window.__locks = [];
  window.__dropEarly = 0;
  const request = navigator.wakeLock.request.bind(navigator.wakeLock);
  navigator.wakeLock.request = async (type) => {
    const s = await request(type);
    window.__locks.push(s);
    if (window.__dropEarly > 0) { window.__dropEarly--; await s.release(); }
    return s;
  };
  let shown = true;
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (shown ? 'visible' : 'hidden') });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => !shown });
  window.__setShown = (v) => {
    shown = v;
    if (!v) for (const s of window.__locks) s.release();
    document.dispatchEvent(new Event('visibilitychange'));
    return true;
  };
})()`

// heldLocks counts the screen wake locks the page holds now.
const heldLocks = `window.__locks.filter((s) => !s.released).length`

// TestBrowserRecipeKeepScreenOn: cooking from a recipe with floury hands,
// the screen must not dim and lock. The recipe's "Keep screen on" toggle
// (off at first) asks for a screen wake lock; refused, it says so and stays
// off; granted, it holds one, asks again when the page is shown after being
// hidden, lets it go when the cook leaves the recipe, and holds one again by
// itself on the next recipe opened (the choice is kept on the device). In
// German on a phone and English on a laptop. Before, there was no toggle
// and the screen went dark after the device's timeout.
func TestBrowserRecipeKeepScreenOn(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t), func(c *Config) { c.Calendar.AllowPrivateSubscriptions = true })
	f := seedShots(t, m, "en")
	for _, run := range []struct {
		name, lang, label, refused string
		w, h                       int64
	}{
		{"phone-de", "de-DE", "Bildschirm anlassen", "Der Bildschirm kann gerade nicht anbleiben (Energiesparen oder eine Einstellung).", phoneW, phoneH},
		{"laptop-en", "en-GB", "Keep screen on", "The screen cannot be kept on now (battery saver or a setting).", laptopW, laptopH},
	} {
		t.Run(run.name, func(t *testing.T) {
			b := newDevice(t, run.name, run.w, run.h, browserOpts{lang: run.lang, script: wakeLockWatch})
			permit := func(s cdpbrowser.PermissionSetting) {
				t.Helper()
				if _, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
					Permission: &cdpbrowser.PermissionDescriptor{Name: "screen-wake-lock"}, Setting: s, Origin: m.URL(),
				}); err != nil {
					t.Fatal(err)
				}
			}
			// a lock taken takes the refusal's notice away at once (it
			// stayed its 8 s, saying the screen could not stay on while it did)
			refusalGone := func() {
				t.Helper()
				if s := eval[string](b, `document.getElementById('toast').textContent`); s != "" {
					t.Errorf("a lock held, the notice still says %q", s)
				}
			}
			b.login(m.URL(), f.email)
			openRecipe := func() {
				t.Helper()
				b.goTo("/recipes", `document.querySelector('.recipe-card')`)
				b.clickText(`.recipe-card a`, "Pancakes")
				b.waitJS("the recipe", `document.querySelector('ol.steps li')`, 5*time.Second)
			}
			openRecipe()
			toggle := `article.recipe .head-actions button.keep-awake`
			b.waitJS("the toggle, off", `document.querySelector(`+js(toggle)+`)?.getAttribute('aria-pressed') === 'false'`, 5*time.Second)
			if got := eval[string](b, `document.querySelector(`+js(toggle)+`).textContent`); got != run.label {
				t.Errorf("toggle says %q, want %q", got, run.label)
			}
			if r := eval[[]float64](b, `(() => { const r = document.querySelector(`+js(toggle)+`).getBoundingClientRect(); return [r.width, r.height, r.right, document.documentElement.scrollWidth, innerWidth]; })()`); r[0] < 44 || r[1] < 44 || r[2] > r[4] || r[3] > r[4] {
				t.Errorf("toggle %.0f × %.0f px ending at %.0f, page %.0f wide in %.0f: want 44 px or more, nothing beyond the screen", r[0], r[1], r[2], r[3], r[4])
			}
			if run.w == phoneW { // German's label on the narrowest phones too
				b.do(chromedp.EmulateViewport(320, run.h))
				if r := eval[[]float64](b, `(() => { const e = document.querySelector(`+js(toggle)+`), r = e.getBoundingClientRect(); return [r.width, r.height, r.right, document.documentElement.scrollWidth, innerWidth, e.scrollWidth - e.clientWidth]; })()`); r[0] < 44 || r[1] < 44 || r[2] > r[4] || r[3] > r[4] || r[5] > 1 {
					t.Errorf("at 320 px: toggle %.0f × %.0f px ending at %.0f, page %.0f wide in %.0f, text %.0f px past its box", r[0], r[1], r[2], r[3], r[4], r[5])
				}
				b.do(chromedp.EmulateViewport(run.w, run.h))
			}
			if n := eval[int](b, `window.__locks.length`); n != 0 {
				t.Fatalf("%d wake locks asked before the toggle was pressed", n)
			}

			permit(cdpbrowser.PermissionSettingDenied)
			b.click(toggle)
			b.waitJS("the refusal said", `document.getElementById('toast').textContent.includes(`+js(run.refused)+`)`, 5*time.Second)
			b.waitJS("the toggle off after the refusal", `document.querySelector(`+js(toggle)+`).getAttribute('aria-pressed') === 'false'`, 5*time.Second)

			permit(cdpbrowser.PermissionSettingGranted)
			b.click(toggle)
			b.waitJS("the toggle on, a lock held", `document.querySelector(`+js(toggle)+`).getAttribute('aria-pressed') === 'true' && `+heldLocks+` === 1`, 5*time.Second)
			refusalGone()
			b.screenshot("recipe-keep-screen-on-" + run.name)

			eval[bool](b, `window.__setShown(false)`)
			b.waitJS("the lock let go while hidden", heldLocks+` === 0`, 5*time.Second)
			eval[bool](b, `window.__setShown(true)`)
			b.waitJS("a lock held again once shown", heldLocks+` === 1 && window.__locks.length === 2`, 5*time.Second)

			b.clickText(`a`, map[string]string{"de-DE": "Alle Rezepte", "en-GB": "All recipes"}[run.lang])
			b.waitJS("the recipes list", `location.pathname === '/recipes'`, 5*time.Second)
			b.waitJS("the lock let go on leaving", heldLocks+` === 0`, 5*time.Second)

			openRecipe()
			b.waitJS("the choice kept: on and held", `document.querySelector(`+js(toggle)+`)?.getAttribute('aria-pressed') === 'true' && `+heldLocks+` === 1`, 5*time.Second)

			// the system lets the lock go while the page is shown (battery
			// saver): asked again at once; refused, the toggle goes off and
			// says so. Before, the toggle stayed on holding nothing.
			const systemRelease = `(window.__locks.find((s) => !s.released).release(), true)`
			eval[bool](b, systemRelease)
			b.waitJS("let go by the system while shown, held again", `document.querySelector(`+js(toggle)+`).getAttribute('aria-pressed') === 'true' && `+heldLocks+` === 1 && window.__locks.length === 4`, 5*time.Second)
			permit(cdpbrowser.PermissionSettingDenied)
			eval[bool](b, systemRelease)
			b.waitJS("let go by the system, refused again: off, said", `document.querySelector(`+js(toggle)+`).getAttribute('aria-pressed') === 'false' && `+heldLocks+` === 0 && document.getElementById('toast').textContent.includes(`+js(run.refused)+`)`, 5*time.Second)
			permit(cdpbrowser.PermissionSettingGranted)
			b.click(toggle)
			b.waitJS("on again, held", `document.querySelector(`+js(toggle)+`).getAttribute('aria-pressed') === 'true' && `+heldLocks+` === 1`, 5*time.Second)
			refusalGone()

			b.click(toggle)
			b.waitJS("off again, let go", `document.querySelector(`+js(toggle)+`).getAttribute('aria-pressed') === 'false' && `+heldLocks+` === 0`, 5*time.Second)
		})
	}
}
