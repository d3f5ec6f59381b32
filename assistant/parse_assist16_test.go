package assistant

import (
	"encoding/json"
	"testing"
)

// assist16: kinds of sentence the held-out batch found misread, with and
// without the members.

func cancelOn(title, date string) string {
	b, _ := json.Marshal(map[string]any{"type": IntentCalendarCancel, "slots": map[string]any{"title": title, "date": date}})
	return canonicalJSON(json.RawMessage(b))
}

// TestSpokenMinutes: dictation gives the minutes as a word of their own
// ("at 6 30", "um 18 Uhr 30"); they were left in the title ("Dentist
// 30") and the time was the full hour. Only after "at"/"um" or "Uhr",
// only two digits that count nothing.
func TestSpokenMinutes(t *testing.T) {
	for _, names := range [][]string{nil, {"Tim", "Mia", "Mark"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"en", "dentist tomorrow at 6 30", evTimed("Dentist", "2026-03-12T18:30", "2026-03-12T19:30")},
			{"en", "dentist tomorrow at 6 30 pm", evTimed("Dentist", "2026-03-12T18:30", "2026-03-12T19:30")},
			{"en", "dinner at 7 30", evTimed("Dinner", "2026-03-11T19:30", "2026-03-11T20:30")},
			{"en", "meeting from 4 to 5 30", evTimed("Meeting", "2026-03-11T16:00", "2026-03-11T17:30")},
			{"en", "pick up Tim at 3 45 tomorrow", taskDue("Pick up Tim", "2026-03-12T15:45")},
			{"de", "Zahnarzt morgen um 18 Uhr 30", evTimed("Zahnarzt", "2026-03-12T18:30", "2026-03-12T19:30")},
			{"de", "Tim um 3 Uhr 15 abholen", taskDue("Tim abholen", "2026-03-11T15:15")},
			// a count after the hour stays the title's
			{"de", "um 15 Uhr 2 Kinder abholen", taskDue("2 Kinder abholen", "2026-03-11T15:00")},
			{"en", "put 3 20 packs of tissues on the list", `{"slots":{"items":[{"name":"20 packs of tissues","quantity":"3"}]},"type":"shopping.add_items"}`},
		})
	}
}

// TestSomeoneHasAPlan: what a member "has" on a day was not understood
// ("Tim has football on Friday at 5", "Oma hat am Sonntag Geburtstag").
// It is the event named as "Tim goes to football" is ("Tim: Football");
// with "no"/"kein" that day's occurrence is cancelled. A to-do, a thing
// done, being free and a question stay what they were.
func TestSomeoneHasAPlan(t *testing.T) {
	for _, names := range [][]string{nil, {"Tim", "Mia", "Mark"}} {
		parseCases(t, names, []struct{ locale, text, want string }{
			{"en", "Tim has football on Friday at 5", evTimed("Tim: Football", "2026-03-13T17:00", "2026-03-13T18:00")},
			{"en", "Mia has a dentist appointment on Monday at 3", evTimed("Mia: Dentist appointment", "2026-03-16T15:00", "2026-03-16T16:00")},
			{"en", "Mum has book club on Thursday at 8pm", evTimed("Mum: Book club", "2026-03-12T20:00", "2026-03-12T21:00")},
			{"en", "Tim has swimming every Tuesday at 5", `{"slots":{"ends_at":"2026-03-17T18:00","recurrence":"FREQ=WEEKLY;BYDAY=TU","starts_at":"2026-03-17T17:00","title":"Tim: Swimming"},"type":"calendar.create"}`},
			{"de", "Tim hat am Freitag um 5 Fußball", evTimed("Tim: Fußball", "2026-03-13T17:00", "2026-03-13T18:00")},
			{"de", "Mia hat morgen Schwimmen", evAllDay("Mia: Schwimmen", "2026-03-12", "2026-03-13")},
			{"de", "Mia hat am Freitag ihren Zahnarzttermin", evAllDay("Mia: Zahnarzttermin", "2026-03-13", "2026-03-14")},
			{"de", "Tim hat morgen kein Training", cancelOn("Training", "2026-03-12")},
			{"en", "Tim has no football on Friday", cancelOn("Football", "2026-03-13")},
			{"en", "Mia has to finish her homework by 6", taskDueOf("Finish her homework", "Mia", "2026-03-11T18:00")},
			{"de", "Tim hat morgen frei", ""},
			{"en", "Tim has nothing on Friday", ""},
			{"en", "Dad has a cold tomorrow", ""},
			{"en", "Tim has football on Friday?", ""},
			{"de", "Tim hat den Rasen gemäht", `{"slots":{"title":"Rasen mähen"},"type":"task.complete"}`},
		})
	}
}
