package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// englishCheck is a page function: it walks every visible text, the
// accessible names and hints (aria-label, title, placeholder, alt), the
// options of visible selects and the document's title, and returns each
// one that contains an English word: a word of the English message table
// that appears nowhere in the German one. Words of the family's own data
// (names, titles: `allowed`) and of Intl's German dates are not English.
const englishCheck = `(async (allowed) => {
  const en = (await import('/js/i18n/en.js')).default;
  const de = (await import('/js/i18n/de.js')).default;
  const values = (t) => Object.values(t).flatMap((v) => typeof v === 'object' ? Object.values(v) : [v]);
  const words = (s) => (String(s).toLowerCase().match(/[a-zäöüß]{2,}/g) || []);
  const german = new Set(values(de).flatMap((v) => words(v.replace(/\{\w+\}/g, ' '))));
  for (const w of allowed.flatMap(words)) german.add(w);
  // Intl's German: weekdays, months, relative days.
  const dtf = (o) => new Intl.DateTimeFormat('de-DE', { timeZone: 'UTC', ...o });
  for (let i = 0; i < 31; i++) {
    const d = new Date(Date.UTC(2024, i % 12, 1 + i));
    for (const o of [{ weekday: 'long' }, { weekday: 'short' }, { month: 'long' }, { month: 'short' }]) words(dtf(o).format(d)).forEach((w) => german.add(w));
  }
  const rtf = new Intl.RelativeTimeFormat('de-DE', { numeric: 'auto' });
  for (const u of ['second', 'minute', 'hour', 'day']) for (const n of [-2, -1, 0, 1, 2, 5]) words(rtf.format(n, u)).forEach((w) => german.add(w));
  const english = new Set(values(en).flatMap((v) => words(v.replace(/\{\w+\}/g, ' '))).filter((w) => !german.has(w)));
  const bad = [];
  const check = (where, s) => {
    const hits = words(s).filter((w) => english.has(w));
    if (hits.length) bad.push(where + ': "' + String(s).trim().slice(0, 120) + '" (' + hits.join(', ') + ')');
  };
  const visible = (el) => el.checkVisibility ? el.checkVisibility({ visibilityProperty: true }) : !!el.getClientRects().length;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const p = n.parentElement;
    if (!p || !n.textContent.trim() || p.closest('noscript, script, style, option')) continue;
    if (visible(p)) check('text', n.textContent);
  }
  for (const el of document.body.querySelectorAll('*')) {
    if (!visible(el)) continue;
    for (const a of ['aria-label', 'title', 'placeholder', 'alt', 'aria-description']) if (el.hasAttribute(a)) check(a, el.getAttribute(a));
    if (el.tagName === 'SELECT') for (const o of el.options) check('option', o.textContent);
    if (el.tagName === 'INPUT' && /^(button|submit)$/.test(el.type)) check('button', el.value);
  }
  check('title', document.title);
  return bad;
})`

// germanOnly fails the test when the page shows an English word.
func germanOnly(b *browser, where string, allowed []string) {
	b.t.Helper()
	a, _ := json.Marshal(allowed)
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	bad, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](englishCheck+"("+string(a)+")", chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: %s: checking for English: %v", b.name, where, err)
	}
	if lang := eval[string](b, `document.documentElement.lang`); !strings.HasPrefix(lang, "de") {
		b.t.Errorf("%s: %s: <html lang=%q>, want de-…", b.name, where, lang)
	}
	for _, s := range bad {
		b.t.Errorf("%s: %s: English on a German page: %s", b.name, where, s)
	}
}

// TestBrowserGerman: with a German browser every view, dialog and answer
// is German (and the data the family typed), on a phone and on a laptop.
func TestBrowserGerman(t *testing.T) {
	browserTest(t)
	c := newCluster(t)
	ana := signupAt(t, c.a.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera","time_zone":"Europe/Berlin"}`)
	inv := restAs(t, ana, c.a, "POST", "/api/family/invites", nil)
	signupAt(t, c.b.URL(), fmt.Sprintf(`{"email":"ben@example.org","password":"correct horse","display_name":"Ben","invite_code":%q}`, inv["code"]))
	data := seedGerman(t, c.a, ana)

	phone := newDevice(t, "de-phone", phoneW, phoneH, browserOpts{lang: "de-DE"})
	laptop := newDevice(t, "de-laptop", laptopW, laptopH, browserOpts{lang: "de-DE"})
	var wg sync.WaitGroup
	for _, d := range []struct {
		b    *browser
		base string
	}{{phone, c.a.URL()}, {laptop, c.b.URL()}} {
		wg.Go(func() { walkGerman(d.b, d.base, data) })
	}
	wg.Wait()
}

// seedGerman fills the family with German data and returns the words of
// that data (which the check allows).
func seedGerman(t *testing.T, s *Main, ana member) []string {
	t.Helper()
	list := restAs(t, ana, s, "POST", "/api/shopping/lists", map[string]any{"name": "Wocheneinkauf"})
	for _, it := range []map[string]any{{"name": "Äpfel", "quantity": "1 kg", "category": "produce"}, {"name": "Vollkornbrot", "category": "bakery"},
		{"name": "Spülmittel"}, {"name": "Kaffee", "note": "die dunkle Röstung", "category": "pantry"}} {
		restAs(t, ana, s, "POST", "/api/shopping/lists/"+list["id"].(string)+"/items", it)
	}
	now := time.Now().UTC()
	restAs(t, ana, s, "POST", "/api/tasks", map[string]any{"title": "Müll rausbringen", "recurrence": "FREQ=DAILY", "rotation": []string{ana.userID}})
	restAs(t, ana, s, "POST", "/api/tasks", map[string]any{"title": "Oma anrufen", "notes": "Wegen Sonntag fragen", "due_at": now.Add(2 * time.Hour).Format(time.RFC3339)})
	restAs(t, ana, s, "POST", "/api/tasks", map[string]any{"title": "Pass verlängern", "due_at": now.AddDate(0, 0, 9).Format(time.RFC3339), "assignee_id": ana.userID})
	// As CalDAV apps (and the demo family) spell it: with the default INTERVAL=1.
	restAs(t, ana, s, "POST", "/api/tasks", map[string]any{"title": "Blumen gießen", "recurrence": "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH"})
	day := func(n int, hhmm string) string {
		return now.AddDate(0, 0, n).Format("2006-01-02") + "T" + hhmm + ":00Z"
	}
	restAs(t, ana, s, "POST", "/api/calendar/events", map[string]any{"title": "Schwimmen", "location": "Hallenbad",
		"starts_at": day(1, "16:00"), "ends_at": day(1, "17:00"), "rrule": "FREQ=WEEKLY"})
	restAs(t, ana, s, "POST", "/api/calendar/events", map[string]any{"title": "Oma kommt", "all_day": true,
		"starts_at": now.AddDate(0, 0, 2).Format("2006-01-02"), "ends_at": now.AddDate(0, 0, 4).Format("2006-01-02")})
	restAs(t, ana, s, "POST", "/api/recipes", map[string]any{"title": "Pfannkuchen", "servings": 4,
		"ingredients": []map[string]any{{"name": "Mehl", "quantity": 300, "unit": "g"}, {"name": "Eier", "quantity": 3}, {"name": "Salz", "unit": "Prise"}},
		"steps":       []string{"Alles verrühren.", "In der Pfanne backen."}, "tags": []string{"frühstück"}})
	restAs(t, ana, s, "POST", "/api/recipes", map[string]any{"title": "Butterbrot", "servings": 1})
	return []string{"Ana", "Ben", "Rivera", "ana@example.org", "ben@example.org", "Wocheneinkauf", "Äpfel", "Vollkornbrot", "Spülmittel", "Kaffee",
		"die dunkle Röstung", "Müll rausbringen", "Oma anrufen", "Wegen Sonntag fragen", "Pass verlängern", "Schwimmen", "Hallenbad",
		"Oma kommt", "Pfannkuchen", "Mehl", "Eier", "Salz", "Prise", "Alles verrühren.", "In der Pfanne backen.", "frühstück", "Butterbrot",
		"Europe/Berlin", "FamilyHub", "Milch", "Brot", "kg", "AN", "BE", "Blumen gießen", "Quark", "Senf"} // AN, BE: initials
}

func walkGerman(b *browser, base string, data []string) {
	t := b.t
	// dialog checks the dialog just opened and closes it with Escape.
	dialog := func(what string) {
		t.Helper()
		b.waitJS(what, dialogOpen, 5*time.Second)
		germanOnly(b, what, data)
		b.do(chromedp.KeyEvent("\x1b"))
	}
	b.do(chromedp.Navigate(base + "/login"))
	b.waitJS("login form", `document.querySelector('input[name=email]')`, 10*time.Second)
	germanOnly(b, "sign-in page", data)
	b.goTo("/signup", `document.querySelector('input[name=display_name]')`)
	germanOnly(b, "sign-up page", data)
	b.goTo("/login", `document.querySelector('input[name=email]')`)
	// A wrong password: the error is German too.
	b.setValue(`input[name=email]`, "ana@example.org")
	b.setValue(`input[name=password]`, "wrong horse")
	b.click(`form button[type=submit]`)
	b.waitJS("sign-in error", `!document.querySelector('.form-error').hidden`, 5*time.Second)
	germanOnly(b, "sign-in error", data)
	b.waitJS("the focus back on the sign-in button, not lost to the page", `document.activeElement.matches('form button[type=submit]')`, 2*time.Second)
	b.setValue(`input[name=password]`, "correct horse")
	b.click(`form button[type=submit]`)
	b.waitJS("shopping page", `document.querySelector('li.item')`, 10*time.Second)
	b.waitLive()
	germanOnly(b, "shopping", data)
	// "Zum Inhalt springen" moves the focus into the page, without
	// re-drawing it (what is half typed stays).
	b.setValue(`#item-name`, "Hafer")
	eval[bool](b, `(document.querySelector('a.skip').focus(), true)`)
	b.do(chromedp.KeyEvent(kb.Enter))
	b.waitJS("the skip link's target focused, the typing kept", `document.activeElement === document.getElementById('main') && document.getElementById('item-name').value === 'Hafer'`, 2*time.Second)
	b.setValue(`#item-name`, "")

	// Offline: an item waiting to sync keeps its name on one line (the long
	// "wartet auf Synchronisierung" goes below it, not beside it).
	b.setOffline(true)
	b.waitJS("offline", `document.getElementById('conn').dataset.state === 'offline'`, 5*time.Second)
	item := map[bool]string{true: "Senf", false: "Quark"}[eval[bool](b, `innerWidth >= 900`)] // one each: both devices are of one family
	row := fmt.Sprintf(`document.querySelector('li.item[data-name=%q]')`, item)
	b.setValue(`#item-name`, item)
	b.click(`form.add-item button[type=submit]`)
	b.waitJS(item+" waiting", row+`?.dataset.pending === 'waiting' && `+row+`.querySelector('.sync-state')`, 5*time.Second)
	if n := eval[int](b, `(() => { const r = document.createRange(); r.selectNodeContents(`+row+`.querySelector('label.name').firstChild); return r.getClientRects().length; })()`); n != 1 {
		t.Errorf("%s: the waiting item's name takes %d lines", b.name, n)
	}
	// A page that needs the server says so offline, and loads once the
	// connection is back (as it promises).
	b.goTo("/recipes", `document.querySelector('#main > .load-error') && document.querySelector('#main .offline-state')?.textContent === 'Offline nicht verfügbar.'`)
	germanOnly(b, "recipes, offline", data)
	b.setOffline(false)
	b.waitJS("recipes loaded when back online", `document.querySelector('.recipe-card') && !document.querySelector('#main > .load-error')`, 15*time.Second)
	b.goTo("/shopping", row)
	b.waitJS(item+" saved", row+` && !`+row+`.dataset.pending`, 10*time.Second)
	// Deleted with ✕: the notice with Undo is German (and brings it back).
	b.click(fmt.Sprintf(`li.item[data-name=%q] button.icon.danger`, item))
	b.waitJS("the undo notice", `document.querySelector('#toast .toast-box p')?.textContent === `+js("„"+item+"“ gelöscht.")+`
		&& document.querySelector('#toast .toast-box button').textContent === 'Rückgängig'`, 5*time.Second)
	germanOnly(b, "undo notice", data)
	b.click(`#toast .toast-box button`)
	b.waitJS(item+" back", row+` && !`+row+`.dataset.pending && !document.querySelector('#toast .toast-box')`, 10*time.Second)

	b.click(`li.item button.icon`) // edit an item
	dialog("item dialog")
	b.click(`.tabs button.tab-new`)
	dialog("new list dialog")
	b.chooseTool("Liste löschen") // on the phone through the ⋯ menu
	dialog("delete list question")

	// The assistant: an answer, and a refusal with examples.
	b.setValue(`#assistant-input`, "setz Milch auf die Einkaufsliste")
	b.click(`.assistant-form button[type=submit]`)
	b.waitJS("assistant answer", `document.querySelector('.assistant-reply p') && !document.querySelector('.assistant-reply p.muted')`, 5*time.Second)
	germanOnly(b, "assistant answer", data)
	b.setValue(`#assistant-input`, "blubb")
	b.click(`.assistant-form button[type=submit]`)
	b.waitJS("assistant refusal", `document.querySelector('.assistant-reply .examples')`, 5*time.Second)
	germanOnly(b, "assistant refusal", data)

	b.goTo("/tasks", `document.querySelector('li.task')`)
	germanOnly(b, "tasks", data)
	if txt := eval[string](b, `document.querySelector('main').innerText`); !strings.Contains(txt, "Jede Woche am Mo und Do") {
		t.Errorf("%s: the chore on Mondays and Thursdays is not named so: %q", b.name, txt)
	}
	// The snooze menu acts when a choice is made: an arrow key on it (from
	// the keyboard, closed) opens it rather than snoozing at once.
	eval[bool](b, `(() => { const s = document.querySelector('select.snooze'); s.addEventListener('change', () => { window.snoozeChosen = true; }); s.focus(); return true; })()`)
	b.do(chromedp.KeyEvent(kb.ArrowDown))
	if eval[bool](b, `!!window.snoozeChosen`) {
		t.Errorf("%s: ArrowDown on the closed snooze menu snoozed the task", b.name)
	}
	b.do(chromedp.KeyEvent(kb.Escape))

	// A save that fails (offline) leaves the focus on Save, not on the page.
	b.clickText(`li.task button.task-open`, "Oma anrufen")
	b.waitJS("task dialog", dialogOpen, 5*time.Second)
	b.setOffline(true)
	b.waitJS("offline", `document.getElementById('conn').dataset.state === 'offline'`, 5*time.Second)
	b.click(`dialog[open] button[type=submit]`)
	b.waitJS("the failure in the dialog, the focus on Save", `!document.querySelector('dialog[open] .dialog-error').hidden
		&& !document.querySelector('dialog[open] button[type=submit]').disabled && document.activeElement.matches('dialog[open] button[type=submit]')`, 5*time.Second)
	germanOnly(b, "task dialog, offline", data)
	b.do(chromedp.KeyEvent("\x1b"))
	b.setOffline(false)
	b.waitLive()
	b.clickText(`li.task button.task-open`, "Oma anrufen")
	dialog("task dialog")
	b.clickText(`.chore-group button.task-open`, "Müll")
	dialog("chore dialog")
	b.click(`.page-head button.primary`)
	dialog("new task dialog")

	b.goTo("/calendar", `document.querySelector('li.event')`)
	germanOnly(b, "calendar", data)
	// Two days with Grandma (all day): the phone's agenda shows both days,
	// as the week and the month do.
	if n := eval[int](b, `document.querySelectorAll('.agenda section.day li.event[data-title="Oma kommt"]').length`); eval[bool](b, `innerWidth < 900`) && n != 2 {
		t.Errorf("%s: the agenda shows the two-day visit on %d days", b.name, n)
	}
	if eval[bool](b, `innerWidth >= 900`) {
		for _, mode := range []string{"month", "agenda", "week"} {
			b.click(fmt.Sprintf(`.modes button[data-mode=%s]`, mode))
			shown := map[string]string{"month": ".month-grid .month-day", "agenda": ".agenda li.event", "week": ".week-grid li.event"}[mode]
			b.waitJS("calendar "+mode, fmt.Sprintf(`document.querySelector('.modes button[data-mode=%s]').getAttribute('aria-pressed') === 'true' && document.querySelector(%q)`, mode, shown), 5*time.Second)
			germanOnly(b, "calendar "+mode, data)
		}
	}
	b.clickText(`li.event button`, "Schwimmen")
	b.waitJS("event dialog", dialogOpen, 5*time.Second)
	germanOnly(b, "event dialog", data)
	b.click(`dialog[open] .actions button.danger`)
	b.waitJS("delete scope question", `document.querySelector('dialog.ask[open]')`, 5*time.Second)
	germanOnly(b, "delete scope question", data)
	b.do(chromedp.KeyEvent("\x1b"))
	b.waitJS("question closed", `!document.querySelector('dialog.ask[open]')`, 5*time.Second)
	b.do(chromedp.KeyEvent("\x1b"))

	b.goTo("/recipes", `document.querySelector('.recipe-card')`)
	germanOnly(b, "recipes", data)
	b.clickText(`.recipe-card a`, "Pfannkuchen")
	b.waitJS("recipe page", `document.querySelector('ul.ingredients li') && document.querySelector('#add-list option[value]:not([value=""])')`, 5*time.Second)
	germanOnly(b, "recipe", data)
	b.click(`.add-to-list button[type=submit]`)
	b.waitJS("added to the list", `document.querySelector('#toast button')`, 5*time.Second)
	germanOnly(b, "recipe added", data)
	b.click(`.head-actions button.danger`)
	dialog("delete recipe question")
	b.goTo("/recipes", `document.querySelector('.recipe-card')`)
	b.clickText(`.recipe-card a`, "Butterbrot")
	b.waitJS("recipe without ingredients", `document.querySelector('.recipe h1')?.textContent === 'Butterbrot'`, 5*time.Second)
	germanOnly(b, "recipe without ingredients", data)
	if txt := eval[string](b, `document.querySelector('main').innerText`); strings.Contains(txt, "null") || strings.Contains(txt, "undefined") {
		t.Errorf("%s: a recipe without tags or link shows %q", b.name, txt)
	}
	b.goTo("/recipes/new", `document.querySelector('.recipe-form input[name=title]')`)
	germanOnly(b, "new recipe", data)
	for _, s := range eval[[]string](b, cutPlaceholders) {
		t.Errorf("%s: new recipe: a field cuts its hint: %s", b.name, s)
	}

	b.goTo("/family", `document.querySelector('#h-dav') && document.querySelector('.rows li:not(.loading)')`)
	b.waitJS("family lists loaded", `!document.querySelector('.loading')`, 5*time.Second)
	germanOnly(b, "family", data)
	// "zuletzt aktiv gerade eben", "Synchronisiert gerade eben": not Intl's "jetzt".
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	if ago, err := chromedp.Run(ctx, chromedp.Evaluate[string](`import('/js/i18n.js').then((m) => m.fmtAgo(new Date()))`, chromedp.EvalAwaitPromise)); err != nil || ago != "gerade eben" {
		t.Errorf("%s: a moment ago is %q (%v), want \"gerade eben\"", b.name, ago, err)
	}
	for _, s := range eval[[]string](b, cutSelects) {
		t.Errorf("%s: family: a select cuts its choice: %s", b.name, s)
	}
	for _, s := range eval[[]string](b, cutPlaceholders) {
		t.Errorf("%s: family: a field cuts its hint: %s", b.name, s)
	}
	// A time zone the server refuses: said at the field, in German.
	b.setValue(`#family-zone`, "Mars/Basis")
	b.click(`.settings-form button[type=submit]`)
	b.waitJS("the refused time zone at its field", `!document.querySelector('.settings-form .form-error').hidden
		&& document.activeElement.id === 'family-zone' && document.activeElement.getAttribute('aria-invalid') === 'true'`, 5*time.Second)
	germanOnly(b, "family settings, refused time zone", append(slices.Clone(data), "Mars/Basis"))
	b.setValue(`#family-zone`, "Europe/Berlin")
	// Ben's role, from the keyboard: ArrowDown opens the choices, it does
	// not make him a child at once.
	eval[bool](b, `(() => { const s = document.querySelector('select.role[aria-label*="Ben"]'); s.addEventListener('change', () => { window.roleChosen = true; }); s.focus(); return true; })()`)
	b.do(chromedp.KeyEvent(kb.ArrowDown))
	if eval[bool](b, `!!window.roleChosen`) {
		t.Errorf("%s: ArrowDown on Ben's closed role select changed his role", b.name)
	}
	b.do(chromedp.KeyEvent(kb.Escape))
	b.setValue(`#app-pw-name`, "Thunderbird auf dem Laptop")
	b.click(`#app-pw-name + button`)
	b.waitJS("app password shown", `document.querySelector('.fresh-password input')`, 5*time.Second)
	germanOnly(b, "app password", append(slices.Clone(data), "Thunderbird auf dem Laptop"))
	b.screenshot("family-de-" + b.name)
}

// cutSelects lists the visible selects too narrow for their chosen option's
// text (German's are long: "Sprache des jeweiligen Geräts").
const cutSelects = `(() => {
  const c = document.createElement('canvas').getContext('2d');
  return [...document.querySelectorAll('select')].filter((s) => s.checkVisibility()).flatMap((s) => {
    const cs = getComputedStyle(s);
    c.font = cs.font;
    const text = s.selectedOptions[0]?.text ?? '';
    const room = s.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    return c.measureText(text).width > room ? [s.name + ': "' + text + '" in ' + Math.round(room) + ' px'] : [];
  });
})()`

// cutPlaceholders lists the visible empty fields too narrow for their
// placeholder ("Menge" in the ingredient's quantity). A number field keeps
// room for Chromium's spin buttons (about 15 px, there even when hidden
// until hover) unless it is drawn as a plain text field.
const cutPlaceholders = `(() => {
  const c = document.createElement('canvas').getContext('2d');
  return [...document.querySelectorAll('input[placeholder]')].filter((i) => i.checkVisibility() && !i.value).flatMap((i) => {
    const cs = getComputedStyle(i);
    c.font = cs.font;
    const spin = i.type === 'number' && cs.appearance !== 'textfield' ? 15 : 0;
    const room = i.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - spin;
    return c.measureText(i.placeholder).width > room ? [(i.name || i.id) + ': "' + i.placeholder + '" in ' + Math.round(room) + ' px'] : [];
  });
})()`

// TestBrowserI18nTables: the English and German tables have the same keys
// and the same placeholders, every key the code names exists, and the
// service worker caches every module.
func TestBrowserI18nTables(t *testing.T) {
	dir := filepath.Join("..", "..", "web", "static")
	entry := regexp.MustCompile(`(?m)^\s*'([^']+)':\s*(.*)$`)
	table := func(lang string) map[string]string {
		// lang.js and the parts it spreads in (lang-notify.js, …).
		parts, _ := filepath.Glob(filepath.Join(dir, "js", "i18n", lang+"-*.js"))
		var raw []byte
		for _, p := range append([]string{filepath.Join(dir, "js", "i18n", lang+".js")}, parts...) {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			raw = append(raw, b...)
		}
		out := map[string]string{}
		for _, m := range entry.FindAllStringSubmatch(string(raw), -1) {
			if _, dup := out[m[1]]; dup {
				t.Errorf("%s.js: key %q twice", lang, m[1])
			}
			out[m[1]] = m[2]
		}
		return out
	}
	en, de := table("en"), table("de")
	if len(en) < 100 {
		t.Fatalf("en.js: only %d keys read", len(en))
	}
	placeholder := regexp.MustCompile(`\{(\w+)\}`)
	params := func(v string) string {
		var ps []string
		for _, m := range placeholder.FindAllStringSubmatch(v, -1) {
			if m[1] != "count" && !slices.Contains(ps, m[1]) {
				ps = append(ps, m[1])
			}
		}
		sort.Strings(ps)
		return strings.Join(ps, ",")
	}
	for k, v := range en {
		dv, ok := de[k]
		if !ok {
			t.Errorf("de.js lacks %q", k)
			continue
		}
		if params(v) != params(dv) {
			t.Errorf("%q: placeholders differ: en {%s}, de {%s}", k, params(v), params(dv))
		}
	}
	for k := range de {
		if _, ok := en[k]; !ok {
			t.Errorf("en.js lacks %q (in de.js)", k)
		}
	}

	// Keys named in t(...) calls, also in conditionals: t(x ? 'a.b' : 'a.c').
	call := regexp.MustCompile(`\bt(?:Nodes)?\(([^()]*(?:\([^()]*\)[^()]*)*)\)`)
	quoted := regexp.MustCompile(`'([a-z]+\.[A-Za-z0-9.]+)'`)
	var modules []string
	err := filepath.WalkDir(filepath.Join(dir, "js"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".js") {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		modules = append(modules, "/"+filepath.ToSlash(rel))
		if strings.Contains(p, string(filepath.Separator)+"i18n"+string(filepath.Separator)) {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if n := strings.Count(string(src), "\n"); n > 420 {
			t.Errorf("%s has %d lines: split it", rel, n)
		}
		for _, c := range call.FindAllStringSubmatch(string(src), -1) {
			for _, q := range quoted.FindAllStringSubmatch(c[1], -1) {
				if _, ok := en[q[1]]; !ok {
					t.Errorf("%s: t(%q): no such message", rel, q[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sw, err := os.ReadFile(filepath.Join(dir, "sw.js"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range modules {
		if !strings.Contains(string(sw), "'"+m+"'") {
			t.Errorf("sw.js does not cache %s: the app would not open offline", m)
		}
	}
}
