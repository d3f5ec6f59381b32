package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/familyhub/familyhub/db/dbtest"
)

// The app's date, time and decimal fields (web/static/js/fields.js) show
// and read the app's language, not the browser's UI locale.

// typeInto empties the field sel and types text into it with key events,
// as a person does, then leaves it (Tab: its change event).
func (b *browser) typeInto(sel, text string) {
	b.t.Helper()
	b.waitJS("control "+sel, fmt.Sprintf(`document.querySelector(%q)`, sel), 5*time.Second)
	eval[bool](b, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.focus(); e.select(); return true; })()`, sel))
	b.do(chromedp.KeyEvent("\b"), chromedp.KeyEvent(text))
	eval[bool](b, fmt.Sprintf(`(() => { document.querySelector(%q).blur(); return true; })()`, sel))
}

// shows is the condition "the text field sel shows text" (what is on
// screen, not its value).
func shows(sel, text string) string {
	return fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').get.call(e) === %q; })()`, sel, text)
}

// readCases checks fields.js's readAs in b's language against want: the
// text typed → the value read ("" nothing, null unreadable).
func readCases(t *testing.T, b *browser, lang string, want map[string]map[string]any) {
	t.Helper()
	cases, _ := json.Marshal(want)
	got := evalAwait[string](b, `import('/js/fields.js').then((f) => { const c = `+string(cases)+`; const out = {};
		for (const [kind, texts] of Object.entries(c)) { out[kind] = {}; for (const s of Object.keys(texts)) out[kind][s] = f.readAs(kind, s); }
		return JSON.stringify(out); })`)
	var res map[string]map[string]any
	if err := json.Unmarshal([]byte(got), &res); err != nil {
		t.Fatal(err)
	}
	for kind, texts := range want {
		for text, w := range texts {
			if g := res[kind][text]; g != w {
				t.Errorf("%s: %s %q read as %v, want %v", lang, kind, text, g, w)
			}
		}
	}
}

// fieldsDevice starts a server and signs a new family's owner in on d,
// with the app in appLang ("": the browser's language).
func fieldsDevice(t *testing.T, d device, appLang string) (*Main, *browser) {
	t.Helper()
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	return m, signedIn(t, m, d, appLang)
}

// signedIn opens d and signs a new family's owner in on m, with the app
// in appLang ("": the browser's language).
func signedIn(t *testing.T, m *Main, d device, appLang string) *browser {
	t.Helper()
	b := newDevice(t, d.name, d.w, d.h, d.o)
	b.signInPage(m.URL())
	if appLang != "" {
		b.setLang(appLang)
	}
	return b
}

// fieldsFamily is weeklyFromTomorrow's family (a weekly "Schwimmen" from
// tomorrow) with Ana on da and Ben on db (anaAndBen), the app in aLang
// and bLang.
func fieldsFamily(t *testing.T, da, db device, aLang, bLang string) (c *cluster, ana, ben member, first time.Time, a, b *browser) {
	t.Helper()
	browserTest(t)
	c, ana, ben, _, first = weeklyFromTomorrow(t, map[string]any{"title": "Schwimmen"})
	a, b = anaAndBen(t, c, da, db)
	a.setLang(aLang)
	b.setLang(bLang)
	return c, ana, ben, first, a, b
}

// TestBrowserFieldsAppLanguage: Ana's laptop browser speaks US English,
// the app German; Ben's phone speaks US English (a German browser with the
// app in English writes en-DE: TestBrowserFieldsRegion). Ana types
// German dates, times and a quantity ("24.12.30 14.30", "22.15", "2,5")
// into the event dialog, a task's due, her quiet hours and a recipe: the
// server stores the right instants and numbers, the fields show them the
// German way (24.12.2030 14:30), an unreadable date is said under its
// field in German and not saved, and a language switch with the dialog
// open shows the same time the English way. Ben's phone shows the new
// event live, and Ben types a due time the English way (12/24/2030 6:00
// PM). Before, the fields were the browser's own (datetime-local, time,
// number): they showed and took the browser's format, "2,5" was no number.
func TestBrowserFieldsAppLanguage(t *testing.T) {
	c, ana, ben, first, a, b := fieldsFamily(t,
		device{"Ana's laptop", laptopW, laptopH, browserOpts{lang: "en-US"}},
		device{"Ben's phone", phoneW, phoneH, browserOpts{lang: "en-US"}}, "de", "en")

	// How each language reads what is typed (the family's zone is UTC).
	readCases(t, a, "de", map[string]map[string]any{
		"date":     {"5.12.26": "2026-12-05", "05.12.2026": "2026-12-05", "2026-12-05": "2026-12-05", "31.2.2026": nil, "morgen": nil, "": ""},
		"time":     {"14.30": "14:30", "14:30": "14:30", "9": "09:00", "1430": "14:30", "14:30 Uhr": "14:30", "25:00": nil, "2:30 pm": "14:30"},
		"datetime": {"5.12.26 14.30": "2026-12-05T14:30", "05.12.2026, 14:30": "2026-12-05T14:30", "2026-12-05T14:30": "2026-12-05T14:30", "5.12.26": nil},
		"decimal":  {"2,5": "2.5", "2.5": "2.5", "1.000,5": "1000.5", ",5": "0.5", "zwei": nil},
	})
	readCases(t, b, "en", map[string]map[string]any{
		"date":     {"12/5/26": "2026-12-05", "12/05/2026": "2026-12-05", "2/30/2026": nil},
		"time":     {"2:30 PM": "14:30", "2pm": "14:00", "12:15 am": "00:15", "14:30": "14:30", "13 pm": nil},
		"datetime": {"12/5/2026, 2:30 PM": "2026-12-05T14:30", "12/5/26 14:30": "2026-12-05T14:30"},
		"decimal":  {"2.5": "2.5", "1,000.5": "1000.5"},
	})

	day := first.Format("02.01.06")     // tomorrow, as a German types it short
	shown := first.Format("02.01.2006") // and as the field shows it
	b.goTo("/calendar", `document.querySelector('.agenda li.event[data-title="Schwimmen"]')`)
	b.markPage()

	// The event dialog, in German on an English browser.
	a.goTo("/calendar", `document.querySelector('.week-grid')`)
	a.click(`.page-head button.primary`)
	a.waitJS("new event dialog", dialogOpen, 5*time.Second)
	start, end := `dialog[open] input[name=start]`, `dialog[open] input[name=end]`
	if got := eval[string](a, `document.querySelector('dialog[open] input[name=start]').placeholder`); got != "TT.MM.JJJJ hh:mm" {
		t.Errorf("the start's placeholder is %q", got)
	}
	a.setValue(`dialog[open] input[name=title]`, "Zahnarzt")
	a.typeInto(start, day+" 14.30")
	a.typeInto(end, "31.02."+first.Format("2006")+" 15:45")
	a.waitJS("the start the German way", shows(start, shown+" 14:30"), 5*time.Second)
	a.waitJS("the end said unreadable, in German", `document.querySelector('dialog[open] input[name=end]').getAttribute('aria-invalid') === 'true'
		&& document.getElementById(document.querySelector('dialog[open] input[name=end]').id + '-error').textContent === 'Das lässt sich nicht lesen. Schreib es so: 24.12.2026 18:30.'`, 5*time.Second)
	a.click(`dialog[open] button[type=submit]`)
	if !eval[bool](a, dialogOpen) || serverEvents(t, ana, c.a, "Zahnarzt") != 0 {
		t.Fatal("an unreadable end was saved, or closed the dialog")
	}
	a.typeInto(end, shown+" 15:45")
	a.waitJS("the end read", `!document.querySelector('dialog[open] input[name=end]').hasAttribute('aria-invalid')`, 5*time.Second)

	// The picker's button hands the field's value to the browser's own
	// picker, and what is picked there shows in the field, the German way.
	pick := `document.querySelector('dialog[open] input[name=start]').closest('.local-wrap')`
	if got := eval[string](a, pick+`.querySelector('button.local-pick').getAttribute('aria-label')`); got != "Datum und Uhrzeit wählen" {
		t.Errorf("the picker's button is labelled %q", got)
	}
	// The browser's popup itself is not opened here (it would take the keys typed next).
	eval[bool](a, `(HTMLInputElement.prototype.showPicker = function () { window.__pickerAt = this.value; }, true)`)
	a.click(`dialog[open] .local-wrap:has(input[name=start]) button.local-pick`)
	if got := eval[string](a, `String(window.__pickerAt)`); got != first.Format("2006-01-02")+"T14:30" {
		t.Errorf("the picker opened at %q", got)
	}
	eval[bool](a, `(() => { const p = `+pick+`.querySelector('input.local-native'); p.value = `+js(first.Format("2006-01-02")+"T08:15")+`;
		p.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`)
	a.waitJS("the picked time the German way, the focus back in the field", shows(start, shown+" 08:15")+` && document.activeElement === document.querySelector('dialog[open] input[name=start]')`, 5*time.Second)
	a.typeInto(start, shown+" 14:30")

	// Another language with the dialog open: the same times, its way.
	a.setLang("en")
	a.waitJS("the start the English way", shows(start, first.Format("01/02/2006")+" 2:30 PM"), 5*time.Second)
	if s := eval[string](a, fieldsCut); s != "" {
		t.Errorf("at %d px in English: %s", laptopW, s)
	}
	a.setLang("de")
	a.waitJS("the start the German way again", shows(start, shown+" 14:30")+` && `+shows(end, shown+" 15:45"), 5*time.Second)
	a.docShot("fields-event-dialog-de")
	a.click(`dialog[open] button[type=submit]`)
	a.waitJS("the dialog closed", `!document.querySelector('dialog[open]')`, 5*time.Second)
	seen(t, b, "Zahnarzt on Ben's phone", `document.querySelector('.agenda li.event[data-title="Zahnarzt"]') && `+notReloaded)
	var occs []struct {
		Title    string
		StartsAt string `json:"starts_at"`
		EndsAt   string `json:"ends_at"`
	}
	from := time.Now().UTC().Truncate(24 * time.Hour)
	ana.call(t, c.a.URL(), 200, "GET", "/api/calendar/events?from="+from.Format(time.RFC3339)+"&to="+from.AddDate(0, 0, 3).Format(time.RFC3339), nil, &occs)
	var got []string
	for _, o := range occs {
		if o.Title == "Zahnarzt" {
			got = append(got, parseAt(t, o.StartsAt)+" "+parseAt(t, o.EndsAt))
		}
	}
	if want := first.Format("2006-01-02") + "T14:30Z " + first.Format("2006-01-02") + "T15:45Z"; len(got) != 1 || got[0] != want {
		t.Errorf("the server has Zahnarzt at %v, want %s", got, want)
	}

	// A task's due.
	addTaskDue(a, "Geschenke kaufen", "24.12.30 9.05", "24.12.2030 09:05", "")
	if due := taskDue(t, ana, c.a.URL(), "Geschenke kaufen"); due != "2030-12-24T09:05Z" {
		t.Errorf("the task is due %s, want 2030-12-24T09:05Z", due)
	}

	// Quiet hours.
	a.goFamily()
	a.click(`#notify input[name=quiet]`)
	a.waitJS("quiet hours shown", `!document.querySelector('#notify input[name=quiet_start]').closest('[hidden]')`, 5*time.Second)
	// The form skips the browser's checks (novalidate): an unreadable time stops its Save itself.
	a.typeInto(`#notify input[name=quiet_start]`, "25.00")
	a.click(`#notify form.notify-form button[type=submit]`)
	a.waitJS("the quiet start said unreadable, the focus on it", `document.activeElement === document.querySelector('#notify input[name=quiet_start]')
		&& document.activeElement.getAttribute('aria-invalid') === 'true'
		&& document.getElementById(document.activeElement.id + '-error').textContent === 'Das lässt sich nicht lesen. Schreib es so: 18:30.'`, 5*time.Second)
	// Not sent: neither saved nor refused by the server (its line under the form).
	if eval[string](a, `document.querySelector('#notify-saved').textContent`) != "" || !eval[bool](a, `document.getElementById('notify-form-error').hidden`) {
		t.Error("an unreadable quiet time was sent")
	}
	a.typeInto(`#notify input[name=quiet_start]`, "22.15")
	a.typeInto(`#notify input[name=quiet_end]`, "6:30")
	a.waitJS("the quiet hours the German way", shows(`#notify input[name=quiet_start]`, "22:15")+` && `+shows(`#notify input[name=quiet_end]`, "06:30"), 5*time.Second)
	a.click(`#notify form.notify-form button[type=submit]`)
	a.waitJS("saved", `document.querySelector('#notify-saved').textContent !== ''`, 10*time.Second)
	var st struct {
		Member struct {
			QuietHours *struct{ Start, End string } `json:"quiet_hours"`
		}
	}
	ana.call(t, c.a.URL(), 200, "GET", "/api/notifications/settings", nil, &st)
	if q := st.Member.QuietHours; q == nil || q.Start != "22:15" || q.End != "06:30" {
		t.Errorf("quiet hours stored %+v, want 22:15-06:30", q)
	}

	// A recipe's quantity.
	a.goTo("/recipes/new", `document.querySelector('form.recipe-form input[name=title]')`)
	a.setValue(`form.recipe-form input[name=title]`, "Pfannkuchen")
	a.typeInto(`.ing-row input[name=ing_quantity]`, "2,5")
	a.setValue(`.ing-row input[name=ing_unit]`, "EL")
	a.setValue(`.ing-row input[name=ing_name]`, "Zucker")
	a.click(`form.recipe-form button[type=submit]`)
	a.waitJS("the recipe saved", `/^\/recipes\/[0-9a-f-]{36}$/.test(location.pathname)`, 10*time.Second)
	id := strings.TrimPrefix(eval[string](a, `location.pathname`), "/recipes/")
	if ings, _ := restAs(t, ana, c.a, "GET", "/api/recipes/"+id, nil)["ingredients"].([]any); len(ings) != 1 || ings[0].(map[string]any)["quantity"] != 2.5 {
		t.Errorf("the recipe's ingredients are %v, want 2.5 EL Zucker", ings)
	}
	a.goTo("/recipes/"+id+"/edit", `document.querySelector('.ing-row input[name=ing_quantity]')`)
	a.waitJS("the quantity the German way", shows(`.ing-row input[name=ing_quantity]`, "2,5"), 5*time.Second)

	// English on Ben's US browser.
	addTaskDue(b, "Wrap presents", "12/24/30 6 pm", "12/24/2030 6:00 PM", "fields-task-dialog-en")
	if due := taskDue(t, ben, c.b.URL(), "Wrap presents"); due != "2030-12-24T18:00Z" {
		t.Errorf("Ben's task is due %s, want 2030-12-24T18:00Z", due)
	}

	// The event dialog fits a phone, 390 and 320 px wide, light and dark:
	// nothing sticks out, every field shows its whole text.
	b.goTo("/calendar", `document.querySelector('.agenda li.event[data-title="Zahnarzt"]')`)
	b.click(`.page-head button.primary`)
	b.waitJS("Ben's new event dialog", dialogOpen, 5*time.Second)
	// A start half typed, then All day: the hidden start is not sent and stops nothing.
	b.setValue(`dialog[open] input[name=title]`, "Ferien")
	b.typeInto(`dialog[open] input[name=start]`, "12/")
	b.click(`dialog[open] input[name=all_day]`)
	b.typeInto(`dialog[open] input[name=start_date]`, "12/28/30")
	b.typeInto(`dialog[open] input[name=end_date]`, "12/30/2030")
	b.click(`dialog[open] button[type=submit]`)
	b.waitJS("the all-day event saved", `!document.querySelector('dialog[open]')`, 5*time.Second)
	var ev []struct {
		Title    string
		StartsAt string `json:"starts_at"`
		EndsAt   string `json:"ends_at"`
	}
	ben.call(t, c.b.URL(), 200, "GET", "/api/calendar/events?from=2030-12-27T00:00:00Z&to=2031-01-02T00:00:00Z", nil, &ev)
	var holiday []string
	for _, e := range ev {
		if e.Title == "Ferien" {
			holiday = append(holiday, e.StartsAt[:10]+" "+e.EndsAt[:10])
		}
	}
	if len(holiday) != 1 || holiday[0] != "2030-12-28 2030-12-31" {
		t.Errorf("the all-day event is %v, want 2030-12-28 to 2030-12-31 (exclusive)", holiday)
	}
	b.click(`.page-head button.primary`)
	b.waitJS("Ben's new event dialog again", dialogOpen, 5*time.Second)
	for _, dark := range []string{"light", "dark"} {
		if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: dark}}}); err != nil {
			t.Fatal(err)
		}
		for _, w := range []int64{phoneW, 320} {
			b.do(chromedp.EmulateViewport(w, phoneH))
			for _, allDay := range []bool{false, true} {
				eval[bool](b, fmt.Sprintf(`(() => { const c = document.querySelector('dialog[open] input[name=all_day]'); if (c.checked !== %v) c.click(); return true; })()`, allDay))
				for _, check := range []string{overflow, fieldsCut} {
					if s := eval[string](b, check); s != "" {
						t.Errorf("%s, %d px, all day %v: %s", dark, w, allDay, s)
					}
				}
			}
		}
	}
	b.docShot("fields-event-dialog-320-dark")
}

// fieldsCut names the date, time and number fields shown whose text does
// not fit them ("" when all do).
const fieldsCut = `[...document.querySelectorAll('.local-input')].filter((e) => e.offsetParent && e.scrollWidth > e.clientWidth + 1)
	.map((e) => e.name + ' shows ' + e.scrollWidth + ' px in ' + e.clientWidth).join('; ')`

// addTaskDue adds the task title on b's Tasks page, its due typed as
// typed; the field must show it as shown (and a screenshot is taken under
// shot, when given) before Save.
func addTaskDue(b *browser, title, typed, shown, shot string) {
	b.t.Helper()
	due := `dialog[open] input[name=due]`
	b.goTo("/tasks", `document.querySelector('.page-head button.primary')`)
	b.click(`.page-head button.primary`)
	b.waitJS("the new task dialog", dialogOpen, 5*time.Second)
	b.setValue(`dialog[open] input[name=title]`, title)
	b.typeInto(due, typed)
	b.waitJS("the due shown as "+shown, shows(due, shown), 5*time.Second)
	if shot != "" {
		b.docShot(shot)
	}
	b.click(`dialog[open] button[type=submit]`)
	b.waitJS("the task dialog closed", `!document.querySelector('dialog[open]')`, 5*time.Second)
}

// parseAt is a returned timestamp in UTC, to the minute ("2030-12-24T09:05Z").
func parseAt(t *testing.T, s string) string {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("timestamp %q: %v", s, err)
	}
	return at.UTC().Format("2006-01-02T15:04Z")
}

// taskDue is the due time of the open task titled title, as parseAt writes it ("" none).
func taskDue(t *testing.T, m member, base, title string) string {
	t.Helper()
	var tasks []struct {
		Title string
		DueAt *string `json:"due_at"`
	}
	m.call(t, base, 200, "GET", "/api/tasks", nil, &tasks)
	for _, k := range tasks {
		if k.Title == title && k.DueAt != nil {
			return parseAt(t, *k.DueAt)
		}
	}
	return ""
}
