package main

import (
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// wakeLockDropper makes the browser grant every screen wake lock and let
// it go at once, and records when each was asked for (window.__asked).
const wakeLockDropper = `(() => {
  if (!navigator.wakeLock) return;
  window.__asked = [];
  const request = navigator.wakeLock.request.bind(navigator.wakeLock);
  navigator.wakeLock.request = async (type) => {
    window.__asked.push(performance.now());
    const s = await request(type);
    setTimeout(() => s.release(), 0);
    return s;
  };
})()`

// awakeRecipe signs a seeded family's owner in on a new device with the
// screen wake lock permitted, opens the Pancakes recipe and returns the
// device and its "Keep screen on" toggle's selector, once it is there.
func awakeRecipe(t *testing.T, name string, w, h int64, o browserOpts) (*browser, string) {
	t.Helper()
	browserTest(t)
	m := startMain(t, dbtest.URL(t), func(c *Config) { c.Calendar.AllowPrivateSubscriptions = true })
	f := seedShots(t, m, "en")
	b := newDevice(t, name, w, h, o)
	if _, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
		Permission: &cdpbrowser.PermissionDescriptor{Name: "screen-wake-lock"}, Setting: cdpbrowser.PermissionSettingGranted, Origin: m.URL(),
	}); err != nil {
		t.Fatal(err)
	}
	b.login(m.URL(), f.email)
	b.goTo("/recipes", `document.querySelector('.recipe-card')`)
	b.clickText(`.recipe-card a`, "Pancakes")
	toggle := `article.recipe .head-actions button.keep-awake`
	b.waitJS("the toggle", `document.querySelector(`+js(toggle)+`)`, 5*time.Second)
	return b, toggle
}

// TestBrowserRecipeKeepScreenOnBackoff: a browser that grants the lock and
// lets it go straight away, every time (English, a laptop): with "Keep
// screen on" pressed, the page asks again at once the first time, but the
// third request waits a second or more. Before, it asked again in a loop.
func TestBrowserRecipeKeepScreenOnBackoff(t *testing.T) {
	b, toggle := awakeRecipe(t, "laptop", laptopW, laptopH, browserOpts{lang: "en-GB", script: wakeLockDropper})
	b.click(toggle)
	b.waitJS("three requests", `window.__asked.length >= 3`, 10*time.Second)
	gap := eval[float64](b, `window.__asked[2] - window.__asked[1]`)
	if gap < 900 {
		t.Fatalf("third request %.0f ms after the second (%d asked): want a second's backoff", gap, eval[int](b, `window.__asked.length`))
	}
	b.click(toggle)
	b.waitJS("off", `document.querySelector(`+js(toggle)+`).getAttribute('aria-pressed') === 'false'`, 5*time.Second)
}

// TestBrowserRecipeKeepScreenOnLostEarly: the browser lets the lock go
// while the page is still being given it (hidden, or battery saver, in
// between), so its 'release' event has fired before the page listens. With
// "Keep screen on" pressed (German, a phone), the page sees the lock is let
// go already and asks again: the toggle is on and a lock is held. Before,
// the let-go lock stayed recorded as held: the toggle said on, nothing was
// held, and the screen went dark.
func TestBrowserRecipeKeepScreenOnLostEarly(t *testing.T) {
	b, toggle := awakeRecipe(t, "phone", phoneW, phoneH, browserOpts{lang: "de-DE", script: wakeLockWatch})
	b.waitJS("the toggle, off", `document.querySelector(`+js(toggle)+`).getAttribute('aria-pressed') === 'false'`, 5*time.Second)
	eval[int](b, `window.__dropEarly = 1`)
	b.click(toggle)
	b.waitJS("the first lock let go before the page had it, asked again and held",
		`document.querySelector(`+js(toggle)+`).getAttribute('aria-pressed') === 'true' && window.__locks.length === 2 && `+heldLocks+` === 1`, 5*time.Second)
	// and the same when the system takes the held one and the next is let go early too
	eval[int](b, `window.__dropEarly = 1`)
	eval[bool](b, `(window.__locks.find((s) => !s.released).release(), true)`)
	b.waitJS("let go twice, held again", `document.querySelector(`+js(toggle)+`).getAttribute('aria-pressed') === 'true' && window.__locks.length === 4 && `+heldLocks+` === 1`, 10*time.Second)
	b.click(toggle)
	b.waitJS("off, let go", `document.querySelector(`+js(toggle)+`).getAttribute('aria-pressed') === 'false' && `+heldLocks+` === 0`, 5*time.Second)
}
