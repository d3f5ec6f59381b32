package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// The browser tests drive Debian's chromium (deploy/ensure-chromium.sh
// installs it; `make test` runs that script first) through chromedp.

const chromiumPath = "/usr/bin/chromium"

// artifactsDir is where screenshots go (git-ignored). With
// FAMILYHUB_UPDATE_SCREENSHOTS=1 the documented ones are refreshed too:
// docs/screenshots/pwa (most by TestBrowserAccessibility's saveShot, the
// offline tests' by docShot) and shownScreenshot.
var artifactsDir = filepath.Join("..", "..", "test-artifacts")

// shownScreenshot is the one screenshot of screenshot's that a doc shows,
// docs/screenshots/shopping.png (docs/pwa.md); the others are artifacts
// only, as the pages they showed are in docs/screenshots/pwa, phone and
// laptop, light and dark, and no doc showed them.
const shownScreenshot = "shopping"

// browser is one browser profile (its own process and user-data dir, so
// its own cookies: a separate device) with one tab.
type browser struct {
	t    *testing.T
	name string
	ctx  context.Context
	errs *[]string
}

// needChromium fails the test when Debian's chromium is not installed,
// saying how to install it.
func needChromium(tb testing.TB) {
	tb.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		tb.Fatalf("%s not found: the browser tests need Debian's chromium; run deploy/ensure-chromium.sh (as root it installs it)", chromiumPath)
	}
}

func newBrowser(t *testing.T, name string, width, height int64, scale float64) *browser {
	browserTest(t)
	t.Helper()
	needChromium(t)
	// A browser started ahead (browser_pool_test.go): its own process and
	// new profile, as one started here.
	w, replaced, err := takeBrowser(width, height)
	t.Cleanup(func() {
		w.stop()
		removeProfile(w.profile) // in the background, once the browser is gone
		refillAfter(t.Name())
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, e := range *w.errs {
			t.Logf("%s page: %s", name, e)
		}
	})
	if replaced != "" {
		t.Logf("%s: the browser started ahead did not answer (%s): started a new one", name, replaced)
	}
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	ctx, errs := w.ctx, w.errs
	b := &browser{t: t, name: name, ctx: ctx, errs: errs}
	b.do(chromedp.EmulateViewport(width, height, chromedp.EmulateScale(scale)))
	return b
}

func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", b.name, err)
	}
}

// eval runs a JavaScript expression in the page and decodes its value.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("%s: evaluating %s: %v", b.name, expr, err)
	}
	return v
}

// waitJS polls a JavaScript condition until it is true and returns how long
// that took; it fails the test after timeout.
func (b *browser) waitJS(what, cond string, timeout time.Duration) time.Duration {
	b.t.Helper()
	start := time.Now()
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+cond+")"))
		cancel()
		if err == nil && ok {
			return time.Since(start)
		}
		if time.Since(start) > timeout {
			state := eval[string](b, `JSON.stringify({conn: document.getElementById('conn')?.dataset.state, path: location.pathname,
				main: document.getElementById('main')?.innerText.slice(0, 300), seq: window.familyhub?.rt?.lastSeq, transport: window.familyhub?.rt?.transport,
				items: [...document.querySelectorAll('li.item')].map((li) => li.dataset.name + (li.classList.contains('checked') ? '✓' : ''))})`)
			b.t.Fatalf("%s: %s: not within %s (connection/path: %s, last error: %v)", b.name, what, timeout, state, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// screenshot saves the viewport as test-artifacts/<name>.png (and, when
// asked, docs/screenshots/shopping.png: shownScreenshot) and returns the PNG.
func (b *browser) screenshot(name string) []byte {
	b.t.Helper()
	// Screenshots show the page at rest: no focus ring from the test's clicks.
	eval[bool](b, `(document.activeElement?.blur(), window.scrollTo(0, 0), true)`)
	png := b.savePNG(name, chromedp.CaptureScreenshot())
	if os.Getenv("FAMILYHUB_UPDATE_SCREENSHOTS") == "1" && name == shownScreenshot {
		writePNG(b.t, filepath.Join("..", "..", "docs", "screenshots"), name, png)
	}
	return png
}

// login signs in through the app's form and waits for the live shopping page.
func (b *browser) login(base, email string) {
	b.t.Helper()
	b.do(chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse"),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	b.waitJS("shopping page after sign-in", `location.pathname.startsWith('/shopping/') && document.querySelector('.add-item input')`, 10*time.Second)
	b.waitLive()
}

func (b *browser) waitLive() time.Duration {
	b.t.Helper()
	return b.waitJS("connection live", `document.getElementById('conn').dataset.state === 'live'`, 15*time.Second)
}

// go navigates inside the app (history API, no reload) and waits for cond.
func (b *browser) goTo(path, cond string) {
	b.t.Helper()
	eval[bool](b, fmt.Sprintf(`(window.familyhub.go(%q), true)`, path))
	b.waitJS("page "+path, cond, 10*time.Second)
}

// seedZone is the time zone of the family TestBrowserRealtime signs up
// and seedWeek's events are placed in (seedFamily's are UTC too).
const seedZone = "UTC"

// seedFamily fills a family with what the screenshots show and returns the
// shopping list's id.
func seedFamily(t *testing.T, s *Main, ana member) string {
	t.Helper()
	list := restAs(t, ana, s, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	listID := list["id"].(string)
	restAs(t, ana, s, "POST", "/api/shopping/lists", map[string]any{"name": "Hardware store"})
	for _, it := range []map[string]any{
		{"name": "apples", "quantity": "1 kg", "category": "produce"},
		{"name": "spinach", "category": "produce"},
		{"name": "sourdough bread", "category": "bakery"},
		{"name": "coffee beans", "quantity": "500 g", "category": "pantry", "note": "the dark roast"},
		{"name": "dish soap", "category": "household"},
	} {
		restAs(t, ana, s, "POST", "/api/shopping/lists/"+listID+"/items", it)
	}
	now := time.Now().UTC()
	today := now.Format("2006-01-02")
	restAs(t, ana, s, "POST", "/api/tasks", map[string]any{"title": "Take out the bins", "recurrence": "FREQ=DAILY"})
	restAs(t, ana, s, "POST", "/api/tasks", map[string]any{"title": "Water the plants", "recurrence": "FREQ=WEEKLY;BYDAY=MO,TH", "due_at": today + "T23:30:00Z"})
	restAs(t, ana, s, "POST", "/api/tasks", map[string]any{"title": "Call grandma", "due_at": today + "T23:00:00Z"})
	restAs(t, ana, s, "POST", "/api/tasks", map[string]any{"title": "Renew passport", "due_at": now.AddDate(0, 0, 9).Format("2006-01-02") + "T10:00:00Z"})
	day := func(n int, hhmm string) string {
		return now.AddDate(0, 0, n).Format("2006-01-02") + "T" + hhmm + ":00Z"
	}
	restAs(t, ana, s, "POST", "/api/calendar/events", map[string]any{"title": "Swimming", "location": "City pool",
		"starts_at": day(1, "16:00"), "ends_at": day(1, "17:00"), "rrule": "FREQ=WEEKLY"})
	restAs(t, ana, s, "POST", "/api/calendar/events", map[string]any{"title": "Dentist (Mia)", "starts_at": day(2, "09:30"), "ends_at": day(2, "10:15")})
	restAs(t, ana, s, "POST", "/api/calendar/events", map[string]any{"title": "Grandma visits", "all_day": true,
		"starts_at": now.AddDate(0, 0, 4).Format("2006-01-02"), "ends_at": now.AddDate(0, 0, 6).Format("2006-01-02")})
	restAs(t, ana, s, "POST", "/api/recipes", map[string]any{"title": "Pancakes", "servings": 4,
		"ingredients": []map[string]any{{"name": "flour", "quantity": 300, "unit": "g"}, {"name": "eggs", "quantity": 3}, {"name": "milk", "quantity": 0.5, "unit": "l"}, {"name": "salt", "unit": "pinch"}},
		"steps":       []string{"Whisk flour, eggs, milk and salt.", "Rest 30 minutes.", "Fry in a hot pan, flip once."}, "tags": []string{"breakfast", "kids"}})
	restAs(t, ana, s, "POST", "/api/recipes", map[string]any{"title": "Tomato soup", "servings": 2,
		"ingredients": []map[string]any{{"name": "tomatoes", "quantity": 800, "unit": "g"}, {"name": "onion", "quantity": 1}},
		"steps":       []string{"Sweat the onion.", "Add tomatoes, simmer 20 minutes, blend."}, "tags": []string{"dinner"}})
	return listID
}

// TestBrowserRealtime is the acceptance test: two browsers, two
// members of one family, each on a different replica.
func TestBrowserRealtime(t *testing.T) {
	browserTest(t)
	// A's calendar opens on the week grid: the calendar week of A's
	// language (en-US: Sunday first) that holds today (seedWeek puts
	// events in it). weekStartsOn asks its own Chromium for the week's
	// first day: now, before the devices start, not beside them.
	const laptopLang = "en-US"
	weekStart := weekStartsOn(t, laptopLang)
	c := newCluster(t)
	ana := signupAt(t, c.a.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera","time_zone":"`+seedZone+`"}`)
	inv := restAs(t, ana, c.a, "POST", "/api/family/invites", nil)
	ben := signupAt(t, c.b.URL(), fmt.Sprintf(`{"email":"ben@example.org","password":"correct horse","display_name":"Ben","invite_code":%q}`, inv["code"]))
	listID := seedFamily(t, c.a, ana)

	// A: a laptop on replica A; B: a phone on replica B.
	a := newDevice(t, "A", 1100, 760, browserOpts{lang: laptopLang, realWeek: true})
	bb := newBrowser(t, "B", 390, 760, 2)
	var wg sync.WaitGroup
	wg.Go(func() { a.login(c.a.URL(), "ana@example.org") })
	bb.do(chromedp.Navigate(c.b.URL() + "/login"))
	bb.waitJS("login form", `document.querySelector('input[name=email]')`, 10*time.Second)
	bb.screenshot("login")
	bb.login(c.b.URL(), "ben@example.org")
	wg.Wait()
	if t.Failed() {
		return
	}
	milk := `document.querySelector('li.item[data-name="milk"]')`

	// A adds milk: B shows it without interaction, within the second the
	// product promises (typically 50–150 ms; on a loaded 2-core machine
	// running the whole suite beside stress-ng, 650–700 ms was seen, so a
	// tighter bound here would test the machine, not the app).
	// Milk is filed in its insert's transaction (the dictionary knows it):
	// B shows it under Dairy at once, and so does A with the answer to its
	// POST, neither waiting for the categoriser.
	inDairy := milk + `?.closest('section.category')?.getAttribute('aria-labelledby') === 'cat-dairy'`
	a.do(chromedp.SendKeys(chromedp.CSS(`#item-name`), "milk"))
	took := liveLatency(a, bb, "milk on B, under Dairy", `document.querySelector('form.add-item button[type=submit]').click()`, inDairy)
	t.Logf("A adds milk on replica A -> B shows it on replica B, filed, after %s", took.Round(time.Millisecond))
	if took > liveBound {
		t.Errorf("B showed milk under Dairy after %s, want within %s", took, liveBound)
	}
	a.waitJS("milk on A, under Dairy", inDairy, 5*time.Second)

	// From here on, each device records the events it receives and the
	// requests it makes.
	for _, d := range []*browser{a, bb} {
		eval[bool](d, `(() => { if (!window.__evs) { window.__evs = []; window.__reqs = [];
			const rt = window.familyhub.rt, on = rt.onEvent; rt.onEvent = (e) => { window.__evs.push(e); on(e); };
			const f = window.fetch; window.fetch = (...a) => { window.__reqs.push(String(a[0])); return f(...a); }; } return true; })()`)
	}

	// B ticks it: A shows it struck through.
	// Clicked from inside the page: the list may re-render (an event, a
	// read coming back) between a DOM query and a CDP click.
	took = liveLatency(bb, a, "milk struck through on A", `document.querySelector('li.item[data-name="milk"] input[type=checkbox]').click()`,
		milk+`?.classList.contains('checked') && getComputedStyle(`+milk+`.querySelector('.name')).textDecorationLine.includes('line-through')`)
	t.Logf("B ticks milk -> A shows it struck through after %s", took.Round(time.Millisecond))
	if took > liveBound {
		t.Errorf("A showed the tick after %s, want within %s", took, liveBound)
	}
	// The events carry the version the tick gave milk (REST says which):
	// a device that shows that version (B: its own write; A: having read
	// it) does not read the list again for it, as when a reconnect
	// replays it.
	milkID := eval[string](a, milk+`.dataset.id`)
	var version int64
	for _, it := range restAs(t, ana, c.a, "GET", "/api/shopping/lists/"+listID, nil)["items"].([]any) {
		if it := it.(map[string]any); it["id"] == milkID {
			version = int64(it["version"].(float64))
		}
	}
	for name, d := range map[string]*browser{"A": a, "B": bb} {
		if refetchesHeld(d, listID, milkID, version) {
			t.Errorf("%s read the list again for the event of milk's version %d, which it shows", name, version)
		}
	}
	a.screenshot("shopping-desktop")
	bb.screenshot("shopping")

	// A renames milk to bread rolls: the rename files it (the dictionary
	// knows the name), so A moves it under Bakery with the PATCH answer and
	// B with the rename's one event, neither waiting for the categoriser:
	// the renamed row is under Bakery from the moment each shows it saved.
	rolls := `document.querySelector('li.item[data-name="bread rolls"]')`
	inBakery := rolls + `?.closest('section.category')?.getAttribute('aria-labelledby') === 'cat-bakery'`
	seenBefore := eval[int](a, `window.__evs.length`)
	seenBeforeB := eval[int](bb, `window.__evs.length`)
	a.click(`li.item[data-name="milk"] button.icon:not(.danger)`)
	a.waitJS("edit dialog", dialogOpen, 5*time.Second)
	a.setValue(`dialog[open] input[name=name]`, "bread rolls")
	start := time.Now()
	a.click(`dialog[open] button[type=submit]`)
	var wgRename sync.WaitGroup
	wgRename.Go(func() {
		a.waitJS("bread rolls saved on A", rolls+` && !`+rolls+`.dataset.pending`, 5*time.Second)
		if !eval[bool](a, inBakery) {
			t.Errorf("A shows the saved rename outside Bakery: %s", eval[string](a, rolls+`.closest('section.category')?.getAttribute('aria-labelledby')`))
		}
	})
	bb.waitJS("bread rolls on B", rolls, 5*time.Second)
	if !eval[bool](bb, inBakery) {
		t.Errorf("B shows the renamed item outside Bakery: %s", eval[string](bb, rolls+`.closest('section.category')?.getAttribute('aria-labelledby')`))
	}
	t.Logf("A renames milk to bread rolls -> B shows it renamed after %s", time.Since(start).Round(time.Millisecond))
	wgRename.Wait()
	// Each device heard the rename and nothing after it: no second update
	// of the item, no reshuffle of the list.
	for name, d := range map[string]*browser{"A": a, "B": bb} {
		from := seenBefore
		if d == bb {
			from = seenBeforeB
		}
		d.waitJS(name+" heard the rename", `window.__evs.slice(`+strconv.Itoa(from)+`).some((e) => e.id === `+js(milkID)+`)`, 5*time.Second)
		if evs := eval[string](d, `JSON.stringify(window.__evs.slice(`+strconv.Itoa(from)+`).filter((e) => e.type.startsWith('SHOPPING_')).map((e) => e.type + ' ' + e.op + (e.id === `+js(milkID)+` ? ' item' : '')))`); evs != `["SHOPPING_ITEM_UPDATED update item"]` {
			t.Errorf("%s heard %s after the rename, want the item's one update", name, evs)
		}
	}

	// A's replica restarts: A's socket is cut, a change is made meanwhile,
	// and A catches up by itself once the server is back.
	addr := c.a.Addr()
	if err := c.a.Close(); err != nil {
		t.Fatal(err)
	}
	a.waitJS("A notices the cut", `document.getElementById('conn').dataset.state !== 'live'`, 5*time.Second)
	restAs(t, ben, c.b, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "eggs", "category": "dairy"})
	a.screenshot("reconnecting")
	restarted := time.Now()
	m := NewMain(Config{DatabaseURL: c.url, Addr: addr, Signup: "open"}, testLogger())
	if err := m.Run(t.Context()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	// A's client retries with backoff (1 s doubling, ±20%, at most 30 s
	// apart): its tries come up to 1.2, 3.6, 8.4, 18 and 37 s after the
	// cut. A restart that is slow under load can miss one; the next comes
	// within 30 s of the replica being back, and the wait covers it.
	a.waitJS("eggs on A after the restart", `document.querySelector('li.item[data-name="eggs"]')`, 45*time.Second)
	a.waitLive()
	t.Logf("A reconnected and showed the change made while it was cut %s after its replica came back", time.Since(restarted).Round(time.Millisecond))
	// And it is live again: a new change arrives at once.
	restAs(t, ben, c.b, "PATCH", "/api/shopping/items/"+eval[string](a, `document.querySelector('li.item[data-name="eggs"]').dataset.id`), map[string]any{"checked": true})
	a.waitJS("eggs ticked on A", `document.querySelector('li.item[data-name="eggs"]')?.classList.contains('checked')`, 2*time.Second)

	// The other pages, on the phone.
	bb.goTo("/tasks", `document.querySelector('li.task')`)
	bb.screenshot("tasks")
	bb.goTo("/calendar", `document.querySelector('li.event')`)
	bb.screenshot("calendar")
	bb.goTo("/recipes", `document.querySelector('.recipe-card')`)
	bb.screenshot("recipes")
	bb.do(chromedp.Click(chromedp.CSS(`.recipe-card a`)))
	bb.waitJS("recipe page", `document.querySelector('ul.ingredients li') && document.querySelector('#add-list option[value]:not([value=""])')`, 5*time.Second)
	bb.screenshot("recipe")
	// The week that holds the page's today, from the laptop's first
	// weekday, with the three events seedWeek put in it, each by its
	// title (seedFamily's chips alone made three before). When the week
	// after the seeded one shows (its first day's midnight passed since
	// seeding), Previous goes back to the seeded week: its events are
	// checked there, never skipped (seededWeekDrawn goes back too when the
	// midnight passes while it waits).
	week, titles := seedWeek(t, c.a, ana, laptopLang)
	a.goTo("/calendar", `document.querySelector('.week-grid section.week-day[aria-current=date]')`)
	if shown := weekOfToday(a, weekStart, week, seedZone); shown != week {
		t.Logf("the week of %s shown, not the seeded week of %s (a new week began since): its events checked a week back", shown, week)
		calNav(a, 1) // Previous
	}
	seededWeekDrawn(a, week, titles)
	a.screenshot("calendar-desktop")
}

// seedWeek adds three events to ana's family (in seedZone, the family's)
// on the calendar week of lang that holds today, whatever the weekday:
// seedFamily's are the coming days, which on a Saturday are all past an
// en-US week's end. It returns the week's first day, 2006-01-02, and the
// events' titles.
func seedWeek(t *testing.T, s *Main, ana member, lang string) (string, []string) {
	t.Helper()
	loc, err := time.LoadLocation(seedZone)
	if err != nil {
		t.Fatal(err)
	}
	first := weekFirst(time.Now().In(loc), weekStartsOn(t, lang))
	day := func(n int, hhmm string) string {
		d := first.AddDate(0, 0, n).Format(time.DateOnly) + "T" + hhmm
		at, err := time.ParseInLocation("2006-01-02T15:04", d, loc)
		if err != nil {
			t.Fatal(err)
		}
		return at.Format(time.RFC3339)
	}
	restAs(t, ana, s, "POST", "/api/calendar/events", map[string]any{"title": "Football practice", "location": "Park Road pitch",
		"starts_at": day(-6, "17:30"), "ends_at": day(-6, "18:45"), "rrule": "FREQ=WEEKLY"})
	restAs(t, ana, s, "POST", "/api/calendar/events", map[string]any{"title": "Parents' evening", "starts_at": day(3, "19:00"), "ends_at": day(3, "20:00")})
	restAs(t, ana, s, "POST", "/api/calendar/events", map[string]any{"title": "Mia's birthday party", "starts_at": day(6, "15:00"), "ends_at": day(6, "18:00")})
	return first.Format("2006-01-02"), []string{"Football practice", "Parents' evening", "Mia's birthday party"}
}

// refetchesHeld hands the shopping view of b, once it shows the list as
// stored (its loaders idle), the event b received for item with version
// again, and reports whether the view read the list again.
func refetchesHeld(b *browser, list, item string, version int64) bool {
	b.t.Helper()
	b.waitJS(fmt.Sprintf("the event of version %d", version), fmt.Sprintf(`window.__evs.some((e) => e.id === %q && e.version === %d)`, item, version), 5*time.Second)
	eval[bool](b, fmt.Sprintf(`(window.__refetched = null, (async () => {
		const ev = window.__evs.find((e) => e.id === %q && e.version === %d), v = window.familyhub.view;
		await v.reload();
		const n = window.__reqs.length;
		v.onEvent(ev);
		window.__refetched = window.__reqs.slice(n).some((u) => u.endsWith('/api/shopping/lists/' + %q));
	})(), true)`, item, version, list))
	b.waitJS("the event handled", `window.__refetched !== null`, 5*time.Second)
	return eval[bool](b, `window.__refetched`)
}

// TestBrowserFallback: when WebSockets cannot be opened (a proxy that drops
// upgrades), the client uses SSE, and without EventSource long polling; the
// app shell opens without the server and says it is offline.
func TestBrowserFallback(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	list := restAs(t, ana, m, "POST", "/api/shopping/lists", map[string]any{"name": "Weekly"})
	listID := list["id"].(string)

	b := newBrowser(t, "fallback", 390, 760, 1)
	// A WebSocket that fails before opening, as behind a proxy that drops upgrades.
	const noWS = `window.WebSocket = class { constructor() { this.readyState = 0; setTimeout(() => { this.onerror && this.onerror(new Event('error')); this.onclose && this.onclose({ code: 1006, reason: '' }); }, 0); } send() {} close() {} };
		window.WebSocket.OPEN = 1;`
	if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: noWS}); err != nil {
		t.Fatal(err)
	}
	b.login(m.URL(), "ana@example.org")
	if tr := eval[string](b, `document.getElementById('conn').dataset.transport`); tr != "sse" {
		t.Fatalf("transport = %q, want sse", tr)
	}
	start := time.Now()
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "bananas"})
	b.waitJS("bananas over SSE", `document.querySelector('li.item[data-name="bananas"]')`, 5*time.Second)
	t.Logf("SSE: a change showed after %s", time.Since(start).Round(time.Millisecond))

	// A second tab without EventSource either: long polling.
	tab, cancel := chromedp.NewContext(b.ctx)
	defer cancel()
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	p := &browser{t: t, name: "poll", ctx: tab, errs: b.errs}
	p.do(chromedp.EmulateViewport(390, 760))
	if _, err := chromedp.Call(tab, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: noWS + ` window.EventSource = undefined;`}); err != nil {
		t.Fatal(err)
	}
	p.do(chromedp.Navigate(m.URL() + "/shopping/" + listID))
	p.waitLive()
	if tr := eval[string](p, `document.getElementById('conn').dataset.transport`); tr != "poll" {
		t.Fatalf("transport = %q, want poll", tr)
	}
	// The first poll only learned the family's seq: it asked for nothing
	// else (seq_only), so the server read no log for it.
	if polls := eval[[]string](p, `performance.getEntriesByType('resource').map((e) => e.name).filter((u) => u.includes('/api/realtime/poll?'))`); len(polls) == 0 || !strings.Contains(polls[0], "seq_only=1") {
		t.Fatalf("the polls: %v, want the first with seq_only=1", polls)
	}
	start = time.Now()
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "cherries"})
	p.waitJS("cherries over long polling", `document.querySelector('li.item[data-name="cherries"]')`, 5*time.Second)
	t.Logf("long polling: a change showed after %s", time.Since(start).Round(time.Millisecond))

	// Offline: the service worker has the shell and IndexedDB the data;
	// with the server gone the app still opens, shows the list as last
	// seen and says it is offline (issue 13).
	b.waitJS("service worker in control", `navigator.serviceWorker.controller`, 10*time.Second)
	cancel()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.Reload())
	b.waitJS("the list from the device, offline", `document.querySelector('li.item[data-name="cherries"]')
		&& /^Offline, last synced /.test(document.getElementById('offline-line').textContent)`, 10*time.Second)
	b.screenshot("offline")
}
