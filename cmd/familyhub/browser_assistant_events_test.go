package main

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestBrowserAssistantSeveralEvents: one sentence of two events on device
// A (calendar.create_many) shows both events in its answer with one Undo;
// device B's calendar shows both live, and A's one Undo takes both off B's
// calendar.
func TestBrowserAssistantSeveralEvents(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t))
	ana := signupAt(t, m.URL(), `{"email":"ana@example.org","password":"correct horse","display_name":"Ana","family_name":"Rivera"}`)
	seedFamily(t, m, ana)
	a := newDevice(t, "Ana's phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	a.login(m.URL(), "ana@example.org")
	b := newDevice(t, "Ana's tablet", phoneW, phoneH, browserOpts{lang: "en-GB"})
	b.login(m.URL(), "ana@example.org")
	shown := func(title string) string {
		return fmt.Sprintf(`!!document.querySelector('li.event[data-title=%q]')`, title)
	}
	b.goTo("/calendar", `!!document.querySelector('.agenda')`)

	a.setValue(`#assistant-input`, "dentist tomorrow at 9 and physio tomorrow at 4")
	a.click(`.assistant-form button[type=submit]`)
	// "tomorrow" said before 04:00 is the day just begun, named with its
	// date (the night rule, TestNightWords): either day, the times are what
	// this test is about.
	a.waitJS("answer", `/^Added 2 events to the calendar: “Dentist” (tomorrow|today \([^)]+\)) at 09:00 and “Physio” (tomorrow|today \([^)]+\)) at 16:00/.test(document.querySelector('.assistant-reply p')?.textContent)`, 5*time.Second)
	// The list writes its times as the answer does (before: "9:00" under "09:00").
	if got := eval[string](a, eventsShown); !regexp.MustCompile(`^“Dentist”: [^|]+ at 09:00 \| “Physio”: [^|]+ at 16:00$`).MatchString(got) {
		t.Errorf("events shown %q", got)
	}
	if n := eval[int](a, `document.querySelectorAll('.assistant-reply button.undo').length`); n != 1 {
		t.Fatalf("%d Undo buttons", n)
	}
	b.waitJS("both events live on B", shown("Dentist")+` && `+shown("Physio"), 10*time.Second)

	a.click(`.assistant-reply button.undo`)
	a.waitJS("undone", `document.querySelector('.assistant-reply p')?.textContent.startsWith('Undone: Added 2 events')`, 5*time.Second)
	b.waitJS("both gone on B", `!`+shown("Dentist")+` && !`+shown("Physio"), 10*time.Second)

	// German: "09:00 Uhr" in the answer and in the list.
	c := newDevice(t, "Anas Laptop", laptopW, laptopH, browserOpts{lang: "de-DE"})
	c.login(m.URL(), "ana@example.org")
	c.setValue(`#assistant-input`, "Zahnarzt morgen um 9 und Physio morgen um 16 Uhr")
	c.click(`.assistant-form button[type=submit]`)
	c.waitJS("German answer", `/^2 Termine eingetragen: „Zahnarzt“ (morgen|heute \([^)]+\)) um 09:00 Uhr und „Physio“ (morgen|heute \([^)]+\)) um 16:00 Uhr\.$/.test(document.querySelector('.assistant-reply p')?.textContent)`, 5*time.Second)
	if got := eval[string](c, eventsShown); !regexp.MustCompile(`^„Zahnarzt“: [^|]+ um 09:00 Uhr \| „Physio“: [^|]+ um 16:00 Uhr$`).MatchString(got) {
		t.Errorf("German events shown %q", got)
	}
}

// eventsShown is the assistant answer's list of events, " | "-joined.
const eventsShown = `[...document.querySelectorAll('.assistant-reply ul.assistant-events li')].map((li) => li.textContent).join(' | ')`
