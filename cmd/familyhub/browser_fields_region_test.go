package main

import (
	"testing"
	"time"
)

// TestBrowserFieldsRegion: Ana's phone browser speaks German (de-DE), the
// app English; Ben's phone browser and app both speak US English. Ana's
// fields, calendar and assistant locale are English as written in Germany
// (en-DE): dates day first (24/12/2030 18:00), a 24-hour clock, a decimal
// comma ("2,5" is 2.5, "1.000" a thousand), and what she types that way is
// stored so: "05/12/2030 14:30" is 5 December, not 12 May. Ben keeps the
// US formats (12/24/2030 6:00 PM, 4:00 PM). Before, an app language other
// than the browser's was the bare language: Ana got the US formats, and
// her "05/12/2030" was saved as 12 May without a word.
func TestBrowserFieldsRegion(t *testing.T) {
	c, ana, ben, first, a, b := fieldsFamily(t,
		device{"Ana's phone", phoneW, phoneH, browserOpts{lang: "de-DE"}},
		device{"Ben's phone", phoneW, phoneH, browserOpts{lang: "en-US"}}, "en", "en")

	locales := `import('/js/i18n.js').then((m) => m.currentLocale() + ' ' + m.clockLocale() + ' ' + m.acceptLanguage())`
	if got := evalAwait[string](a, locales); got != "en-DE en-DE-u-hc-h23 en-DE, en;q=0.9, de;q=0.5" {
		t.Errorf("Ana's locale, clock and Accept-Language: %q", got)
	}
	if got := evalAwait[string](b, locales); got != "en-US en-US-u-hc-h12 en-US, en;q=0.9, de;q=0.5" {
		t.Errorf("Ben's locale, clock and Accept-Language: %q", got)
	}
	readCases(t, a, "en-DE", map[string]map[string]any{
		"date":     {"24/12/2026": "2026-12-24", "5/12/26": "2026-12-05", "12/24/2026": nil},
		"time":     {"18:30": "18:30", "6:30 pm": "18:30"},
		"datetime": {"05/12/2026 14:30": "2026-12-05T14:30"},
		"decimal":  {"2,5": "2.5", "1.000": "1000", "1.000,5": "1000.5"},
	})
	readCases(t, b, "en-US", map[string]map[string]any{
		"date":     {"12/24/2026": "2026-12-24", "24/12/2026": nil},
		"datetime": {"12/5/2026 2:30 PM": "2026-12-05T14:30"},
		"decimal":  {"2.5": "2.5", "1,000": "1000"},
	})

	// The calendar's day headings and times (the family's zone is UTC).
	norm := func(sel string) string {
		return `[...document.querySelectorAll(` + js(sel) + `)].map((e) => e.textContent.replace(/[\s\u00a0\u202f\u2009]+/g, ' '))`
	}
	for _, d := range []struct {
		b          *browser
		day, times string
	}{{a, first.Format("Mon, 2 Jan"), "16:00–17:00"}, {b, first.Format("Mon, Jan 2"), "4:00 PM–5:00 PM"}} {
		d.b.goTo("/calendar", `document.querySelector('.agenda li.event[data-title="Schwimmen"]')`)
		d.b.waitJS(d.b.name+": tomorrow's heading "+d.day+", the swim at "+d.times,
			norm(`.agenda h2`)+`.some((s) => s.endsWith(`+js(" "+d.day)+`)) && `+
				norm(`.agenda li.event[data-title="Schwimmen"] .time`)+`[0] === `+js(d.times), 5*time.Second)
	}

	// Ana's event, typed day first.
	start, end := `dialog[open] input[name=start]`, `dialog[open] input[name=end]`
	a.click(`.page-head button.primary`)
	a.waitJS("the new event dialog", dialogOpen, 5*time.Second)
	if got := eval[string](a, `document.querySelector('dialog[open] input[name=start]').placeholder`); got != "DD/MM/YYYY hh:mm" {
		t.Errorf("the start's placeholder is %q", got)
	}
	a.setValue(`dialog[open] input[name=title]`, "Dentist")
	a.typeInto(start, "05/12/2030 14:30")
	a.typeInto(end, "5/12/30 15:30")
	a.waitJS("the times day first, 24 hours", shows(start, "05/12/2030 14:30")+` && `+shows(end, "05/12/2030 15:30"), 5*time.Second)
	a.click(`dialog[open] button[type=submit]`)
	a.waitJS("the event saved", `!document.querySelector('dialog[open]')`, 5*time.Second)
	var ev []struct {
		Title    string
		StartsAt string `json:"starts_at"`
	}
	ana.call(t, c.a.URL(), 200, "GET", "/api/calendar/events?from=2030-01-01T00:00:00Z&to=2031-01-01T00:00:00Z", nil, &ev)
	var dentist []string
	for _, e := range ev {
		if e.Title == "Dentist" {
			dentist = append(dentist, parseAt(t, e.StartsAt))
		}
	}
	if len(dentist) != 1 || dentist[0] != "2030-12-05T14:30Z" {
		t.Errorf("Ana's dentist in 2030 is at %v, want 2030-12-05T14:30Z", dentist)
	}

	// A task's due, each their way.
	addTaskDue(a, "Wrap presents", "24/12/30 18:00", "24/12/2030 18:00", "")
	if due := taskDue(t, ana, c.a.URL(), "Wrap presents"); due != "2030-12-24T18:00Z" {
		t.Errorf("Ana's task is due %s, want 2030-12-24T18:00Z", due)
	}
	addTaskDue(b, "Bake cookies", "12/23/30 6 pm", "12/23/2030 6:00 PM", "")
	if due := taskDue(t, ben, c.b.URL(), "Bake cookies"); due != "2030-12-23T18:00Z" {
		t.Errorf("Ben's task is due %s, want 2030-12-23T18:00Z", due)
	}

	// German on Ben's US browser: Intl has no de-US of its own, so plain de.
	b.setLang("de")
	if got := evalAwait[string](b, locales); got != "de de-u-hc-h23 de, en;q=0.5" {
		t.Errorf("Ben's locale, clock and Accept-Language in German: %q", got)
	}
}
